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

/// The row version a client read, from `If-Match: "N"` (our strong ETag). Throws DomainError
/// 428 when the header is missing and 412 when it is weak, malformed or names no version.
int requireIfMatchVersion(const HttpRequest &request);

/// The ETag header value for row version \a version.
QByteArray etagFor(int version);

/// A numeric id from a path parameter. Anything else is "not found", exactly like an id that
/// does not exist or belongs to another hospital (no oracle, SECURITY.md T2).
qint64 pathId(const QString &text);

} // namespace hms::server
