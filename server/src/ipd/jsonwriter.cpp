#include "ipd/jsonwriter.h"

namespace hms::server {

void JsonWriter::separate()
{
    if (m_needComma)
        m_out.append(',');
}

void JsonWriter::beginObject()
{
    separate();
    m_out.append('{');
    m_needComma = false;
}

void JsonWriter::endObject()
{
    m_out.append('}');
    m_needComma = true;
}

void JsonWriter::beginArray()
{
    separate();
    m_out.append('[');
    m_needComma = false;
}

void JsonWriter::endArray()
{
    m_out.append(']');
    m_needComma = true;
}

void JsonWriter::key(const char *name)
{
    separate();
    m_out.append('"');
    m_out.append(name); // member names are our own ASCII literals
    m_out.append("\":", 2);
    m_needComma = false;
}

void JsonWriter::appendEscaped(const char *utf8, qsizetype size)
{
    static constexpr char Hex[] = "0123456789abcdef";
    m_out.append('"');
    qsizetype runStart = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const auto c = static_cast<unsigned char>(utf8[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        m_out.append(utf8 + runStart, i - runStart);
        runStart = i + 1;
        switch (c) {
        case '"':
            m_out.append("\\\"", 2);
            break;
        case '\\':
            m_out.append("\\\\", 2);
            break;
        case '\n':
            m_out.append("\\n", 2);
            break;
        case '\r':
            m_out.append("\\r", 2);
            break;
        case '\t':
            m_out.append("\\t", 2);
            break;
        default: {
            const char escaped[] = {'\\', 'u', '0', '0', Hex[c >> 4], Hex[c & 0xf]};
            m_out.append(escaped, 6);
        }
        }
    }
    m_out.append(utf8 + runStart, size - runStart);
    m_out.append('"');
}

void JsonWriter::string(const char *utf8, qsizetype size)
{
    separate();
    appendEscaped(utf8, size);
    m_needComma = true;
}

void JsonWriter::string(const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    string(utf8.constData(), utf8.size());
}

void JsonWriter::number(qint64 value)
{
    separate();
    m_out.append(QByteArray::number(value));
    m_needComma = true;
}

void JsonWriter::boolean(bool value)
{
    separate();
    if (value)
        m_out.append("true", 4);
    else
        m_out.append("false", 5);
    m_needComma = true;
}

void JsonWriter::null()
{
    separate();
    m_out.append("null", 4);
    m_needComma = true;
}

void JsonWriter::id(qint64 value)
{
    separate();
    m_out.append('"');
    m_out.append(QByteArray::number(value));
    m_out.append('"');
    m_needComma = true;
}

void JsonWriter::stringArray(const QStringList &values)
{
    beginArray();
    for (const QString &value : values)
        string(value);
    endArray();
}

} // namespace hms::server
