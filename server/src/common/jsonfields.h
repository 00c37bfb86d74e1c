#pragma once

#include <QJsonValue>
#include <QString>

#include <optional>

namespace hms::server {

// The small spellings every service uses to build its JSON answers.

/// A JSON member name from a literal.
inline QString key(const char *name)
{
    return QString::fromLatin1(name);
}

/// Ids go on the wire as strings (API.md: no 2^53 surprises in JavaScript clients).
inline QString idText(qint64 id)
{
    return QString::number(id);
}

inline QJsonValue idOrNull(const std::optional<qint64> &id)
{
    return id ? QJsonValue(idText(*id)) : QJsonValue();
}

/// An empty text is JSON null (optional columns read as empty strings).
inline QJsonValue textOrNull(const QString &value)
{
    return value.isEmpty() ? QJsonValue() : QJsonValue(value);
}

} // namespace hms::server
