#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace hms::server {

/// A small streaming JSON writer for hot paths (bed lists, the bed board): appends to one
/// QByteArray, no DOM (PERFORMANCE.md: QJsonDocument costs ~10x more for 200 beds). The
/// caller writes a well-formed sequence; commas between members and items are inserted
/// here. Strings are escaped per RFC 8259 (quote, backslash, C0 controls); text is UTF-8.
class JsonWriter
{
public:
    explicit JsonWriter(qsizetype reserve = 256) { m_out.reserve(reserve); }

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();
    /// An object member's name; the value follows with one of the value calls.
    void key(const char *name);

    void string(const QString &value);
    void string(const char *utf8, qsizetype size);
    void number(qint64 value);
    void boolean(bool value);
    void null();
    /// A JSON string holding a decimal id (API.md: ids are strings).
    void id(qint64 value);
    void stringArray(const QStringList &values);

    const QByteArray &bytes() const { return m_out; }

    QByteArray take() { return std::move(m_out); }

private:
    void separate();
    void appendEscaped(const char *utf8, qsizetype size);

    QByteArray m_out;
    bool m_needComma = false;
};

} // namespace hms::server
