#include "http/queryreader.h"

#include "common/domainerror.h"

#include <algorithm>

namespace hms::server {

QueryReader::QueryReader(const QUrlQuery &query)
    : m_items(query.queryItems(QUrl::FullyDecoded))
    , m_read(m_items.size(), false)
{}

std::optional<QString> QueryReader::value(const QString &name)
{
    std::optional<QString> found;
    int count = 0;
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (m_items[i].first != name)
            continue;
        m_read[i] = true;
        found = m_items[i].second;
        ++count;
    }
    if (count > 1) {
        addError(name, QStringLiteral("must be given at most once"));
        return std::nullopt;
    }
    return found;
}

std::optional<QString>
QueryReader::text(const QString &name, int minLength, int maxLength, bool required)
{
    const std::optional<QString> raw = value(name);
    if (!raw) {
        const bool given = std::any_of(m_items.cbegin(), m_items.cend(), [&](const auto &item) {
            return item.first == name;
        });
        if (required && !given) // a repeated one has its error already
            addError(name, QStringLiteral("is required"));
        return std::nullopt;
    }
    const QString trimmed = raw->trimmed();
    if (trimmed.size() < minLength || trimmed.size() > maxLength) {
        addError(name, QStringLiteral("must be %1 to %2 characters").arg(minLength).arg(maxLength));
        return std::nullopt;
    }
    if (std::any_of(trimmed.cbegin(), trimmed.cend(), [](QChar c) {
            return c.unicode() < 0x20;
        })) {
        addError(name, QStringLiteral("must not contain control characters"));
        return std::nullopt;
    }
    return trimmed;
}

std::optional<qint64> QueryReader::id(const QString &name)
{
    const std::optional<QString> raw = value(name);
    if (!raw)
        return std::nullopt;
    bool ok = false;
    const qint64 number = raw->toLongLong(&ok);
    if (!ok || number <= 0 || raw->size() > 18
        || !std::all_of(raw->cbegin(), raw->cend(), [](QChar c) {
               return c >= QLatin1Char('0') && c <= QLatin1Char('9');
           })) {
        addError(name, QStringLiteral("must be an id (a string of digits)"));
        return std::nullopt;
    }
    return number;
}

std::optional<QString> QueryReader::oneOf(const QString &name, const QStringList &allowed)
{
    const std::optional<QString> raw = value(name);
    if (raw && !allowed.contains(*raw)) {
        addError(name, QStringLiteral("must be one of: ") + allowed.join(QStringLiteral(", ")));
        return std::nullopt;
    }
    return raw;
}

int QueryReader::limit(int defaultValue, int maximum)
{
    const std::optional<QString> raw = value(QStringLiteral("limit"));
    if (!raw)
        return defaultValue;
    bool ok = false;
    const int number = raw->toInt(&ok);
    if (!ok || number < 1 || number > maximum) {
        addError(QStringLiteral("limit"), QStringLiteral("must be between 1 and %1").arg(maximum));
        return defaultValue;
    }
    return number;
}

void QueryReader::addError(const QString &name, const QString &message)
{
    m_errors.append({name, message});
}

void QueryReader::finish()
{
    for (qsizetype i = 0; i < m_items.size(); ++i) {
        if (!m_read[i])
            addError(m_items[i].first, QStringLiteral("unknown query parameter"));
    }
    if (m_errors.isEmpty())
        return;
    Problem problem = Problem::fromType(problems::ValidationFailed,
                                        QString::number(m_errors.size())
                                            + QStringLiteral(" invalid query parameter(s)"));
    for (const auto &[name, message] : std::as_const(m_errors))
        problem.errors.append({name, message});
    throw DomainError(problem);
}

} // namespace hms::server
