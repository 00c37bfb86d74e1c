#pragma once

#include "http/httprequest.h"
#include "shared/validation/fieldreader.h"

#include <QJsonObject>

namespace hms::server {

/// The request body as a JSON object, parsed strictly (duplicate keys, depth, UTF-8).
/// Throws DomainError 400 (malformed-json) otherwise; an empty body is malformed too.
QJsonObject jsonBody(const HttpRequest &request);

/// Throws DomainError 422 with every field error \a reader collected, after rejecting the
/// keys it was not asked about (unknown fields are errors, API.md).
void requireValid(FieldReader &reader);

} // namespace hms::server
