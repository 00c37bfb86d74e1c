#include "http/jsonrequest.h"

#include "common/domainerror.h"
#include "shared/validation/jsonbody.h"

namespace hms::server {

QJsonObject jsonBody(const HttpRequest &request)
{
    Result<QJsonObject> parsed = parseJsonObject(request.body);
    if (!parsed)
        throw DomainError(parsed.problem());
    return std::move(parsed).value();
}

void requireValid(FieldReader &reader)
{
    reader.rejectUnknownKeys();
    if (reader.hasErrors())
        throw DomainError(reader.problem());
}

int requireIfMatchVersion(const HttpRequest &request)
{
    const QByteArray value = request.header("if-match").trimmed();
    if (value.isNull())
        throw DomainError(problems::PreconditionRequired,
                          QStringLiteral("Send If-Match with the ETag you read"));
    if (value.size() < 3 || value.size() > 12 || !value.startsWith('"') || !value.endsWith('"'))
        throw DomainError(problems::PreconditionFailed, QStringLiteral("If-Match does not match"));
    bool ok = false;
    const int version = value.mid(1, value.size() - 2).toInt(&ok);
    if (!ok || version < 1)
        throw DomainError(problems::PreconditionFailed, QStringLiteral("If-Match does not match"));
    return version;
}

QByteArray etagFor(int version)
{
    return '"' + QByteArray::number(version) + '"';
}

qint64 pathId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0 || text.size() > 18 || text.startsWith(QLatin1Char('+')))
        throw DomainError(problems::NotFound);
    return id;
}

} // namespace hms::server
