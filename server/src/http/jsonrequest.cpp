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

} // namespace hms::server
