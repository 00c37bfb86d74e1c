#pragma once

#include "shared/core/result.h"

#include <QByteArrayView>
#include <QJsonObject>

namespace hms {

/// Structural limits for a request body (SECURITY.md, "Request limits").
/// The byte size (1 MiB) is enforced earlier, by the HTTP layer.
struct JsonLimits
{
    int maxDepth = 32; ///< containers nested inside each other; the top-level object is 1
    int maxArrayItems = 1000; ///< items in any one array
};

/// Parses a request body that must be exactly one JSON object (RFC 8259, strictly).
///
/// Before Qt builds the object, a strict linear-time scanner checks the bytes, because
/// QJsonDocument silently keeps the last of two equal keys and accepts invalid UTF-8.
/// Rejected, each as a 400 problems::MalformedJson whose short English `detail` says what
/// (position-specific ones end in " at offset N", N = byte offset into \a body):
///  - "empty body" (also whitespace only);
///  - "byte order mark at the start" (RFC 8259 §8.1 lets us reject a BOM, and we do);
///  - syntax errors, e.g. "expected ':' after object key", "unterminated string",
///    "unexpected character 'x'", "unexpected end of input";
///  - "trailing data after the JSON value";
///  - "top-level value must be an object";
///  - "duplicate key \"role\"", in any object at any depth, compared after unescaping;
///  - "nesting deeper than 32", "array with more than 1000 items" (from \a limits);
///  - "invalid UTF-8", "control character in string", "invalid escape \\x",
///    "unpaired surrogate \\ud800";
///  - "number out of range" (1e400, 1e-400), "NaN is not JSON", "Infinity is not JSON".
/// A string containing \u0000 is valid JSON and parses; FieldReader rejects it per field.
///
/// Thread-safe (no shared state). \a limits.maxDepth is a recursion bound: keep it small.
Result<QJsonObject> parseJsonObject(QByteArrayView body, const JsonLimits &limits = {});

} // namespace hms
