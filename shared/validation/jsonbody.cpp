#include "shared/validation/jsonbody.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <charconv>
#include <vector>

using namespace Qt::StringLiterals;

namespace hms {

namespace {

/// Objects with up to this many keys are checked for duplicates by a linear search of a
/// small shared vector (no allocation); larger ones switch to a hash set, so the whole
/// scan stays linear. QHash is seeded per process, which keeps collision floods out.
constexpr qsizetype SmallObjectKeys = 16;

/// A duplicate key is quoted in the detail, cut to this many UTF-16 units.
constexpr qsizetype MaxKeyInDetail = 64;

bool isJsonWhitespace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool isHighSurrogate(char16_t unit)
{
    return unit >= 0xD800 && unit <= 0xDBFF;
}

bool isLowSurrogate(char16_t unit)
{
    return unit >= 0xDC00 && unit <= 0xDFFF;
}

void appendUtf8(QByteArray &out, char32_t codePoint)
{
    if (codePoint < 0x80) {
        out.append(char(codePoint));
    } else if (codePoint < 0x800) {
        out.append(char(0xC0 | (codePoint >> 6)));
        out.append(char(0x80 | (codePoint & 0x3F)));
    } else if (codePoint < 0x10000) {
        out.append(char(0xE0 | (codePoint >> 12)));
        out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
        out.append(char(0x80 | (codePoint & 0x3F)));
    } else {
        out.append(char(0xF0 | (codePoint >> 18)));
        out.append(char(0x80 | ((codePoint >> 12) & 0x3F)));
        out.append(char(0x80 | ((codePoint >> 6) & 0x3F)));
        out.append(char(0x80 | (codePoint & 0x3F)));
    }
}

/// Validates one JSON text against RFC 8259 and our limits, without building anything.
/// Single pass, O(n); allocates only for keys of objects with more than SmallObjectKeys
/// keys and for keys that contain escapes. Recursion depth is bounded by maxDepth.
class StrictJsonScanner
{
public:
    StrictJsonScanner(QByteArrayView input, const JsonLimits &limits)
        : m_input(input)
        , m_limits(limits)
    {
        m_keys.reserve(64);
    }

    /// Checks the whole body; on false, error() says what is wrong.
    bool scanDocument()
    {
        if (m_input.startsWith("\xEF\xBB\xBF"))
            return failPlain(u"byte order mark at the start"_s);
        skipWhitespace();
        if (atEnd())
            return failPlain(u"empty body"_s);
        const char first = peek();
        if (!scanValue(0))
            return false;
        if (first != '{')
            return failPlain(u"top-level value must be an object"_s);
        skipWhitespace();
        if (!atEnd())
            return fail(u"trailing data after the JSON value"_s, m_pos);
        return true;
    }

    const QString &error() const { return m_error; }

private:
    bool atEnd() const { return m_pos >= m_input.size(); }

    char peek() const { return m_input[m_pos]; }

    void skipWhitespace()
    {
        while (!atEnd() && isJsonWhitespace(peek()))
            ++m_pos;
    }

    bool fail(const QString &what, qsizetype offset)
    {
        m_error = what % u" at offset "_s % QString::number(offset);
        return false;
    }

    bool failPlain(const QString &what)
    {
        m_error = what;
        return false;
    }

    /// At m_pos there is a byte that cannot start or continue what we expect.
    bool failUnexpected()
    {
        if (atEnd())
            return fail(u"unexpected end of input"_s, m_pos);
        const auto byte = static_cast<uchar>(peek());
        if (byte > 0x20 && byte < 0x7F)
            return fail(u"unexpected character '"_s % QChar(char16_t(byte)) % u"'"_s, m_pos);
        return fail(u"unexpected byte 0x"_s % QString::number(byte, 16).rightJustified(2, u'0'),
                    m_pos);
    }

    bool failExpected(const QString &what)
    {
        if (atEnd())
            return fail(u"unexpected end of input"_s, m_pos);
        return fail(what, m_pos);
    }

    /// \a depth is the depth of the container holding the value (0 for the top level).
    bool scanValue(int depth)
    {
        if (atEnd())
            return failUnexpected();
        switch (peek()) {
        case '{':
            return scanObject(depth + 1);
        case '[':
            return scanArray(depth + 1);
        case '"':
            return scanString(nullptr);
        case '-':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7':
        case '8':
        case '9':
            return scanNumber();
        default:
            return scanLiteral();
        }
    }

    bool scanObject(int depth)
    {
        if (depth > m_limits.maxDepth)
            return fail(u"nesting deeper than "_s % QString::number(m_limits.maxDepth), m_pos);
        ++m_pos; // '{'
        const auto keysStart = static_cast<qsizetype>(m_keys.size());
        QSet<QByteArrayView> manyKeys; // used once the object has more than SmallObjectKeys
        qsizetype keyCount = 0;
        skipWhitespace();
        if (!atEnd() && peek() == '}') {
            ++m_pos;
            return true;
        }
        for (;;) {
            skipWhitespace();
            if (atEnd() || peek() != '"')
                return failExpected(u"expected a string key"_s);
            const qsizetype keyOffset = m_pos;
            QByteArrayView key;
            if (!scanString(&key))
                return false;
            ++keyCount;
            if (!rememberKey(key, keyOffset, keysStart, keyCount, manyKeys))
                return false;
            skipWhitespace();
            if (atEnd() || peek() != ':')
                return failExpected(u"expected ':' after object key"_s);
            ++m_pos;
            skipWhitespace();
            if (!scanValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return failUnexpected();
            const char next = peek();
            if (next == '}') {
                ++m_pos;
                break;
            }
            if (next != ',')
                return fail(u"expected ',' or '}' in object"_s, m_pos);
            ++m_pos;
        }
        // Nested objects have already popped their keys, so this object's are on top.
        m_keys.resize(static_cast<size_t>(keysStart));
        return true;
    }

    bool rememberKey(QByteArrayView key,
                     qsizetype keyOffset,
                     qsizetype keysStart,
                     qsizetype keyCount,
                     QSet<QByteArrayView> &manyKeys)
    {
        if (keyCount <= SmallObjectKeys) {
            for (auto i = static_cast<size_t>(keysStart); i < m_keys.size(); ++i) {
                if (m_keys[i] == key)
                    return failDuplicate(key, keyOffset);
            }
            m_keys.push_back(key);
            return true;
        }
        if (manyKeys.isEmpty()) {
            manyKeys.reserve(4 * SmallObjectKeys);
            for (auto i = static_cast<size_t>(keysStart); i < m_keys.size(); ++i)
                manyKeys.insert(m_keys[i]);
        }
        const qsizetype before = manyKeys.size();
        manyKeys.insert(key);
        if (manyKeys.size() == before)
            return failDuplicate(key, keyOffset);
        return true;
    }

    bool failDuplicate(QByteArrayView key, qsizetype offset)
    {
        QString shown = QString::fromUtf8(key);
        for (QChar &c : shown) {
            if (c.unicode() < 0x20 || c.unicode() == 0x7F)
                c = QChar::ReplacementCharacter;
        }
        if (shown.size() > MaxKeyInDetail) {
            qsizetype cut = MaxKeyInDetail;
            if (shown.at(cut - 1).isHighSurrogate())
                --cut;
            shown = shown.left(cut) % QChar(char16_t(0x2026));
        }
        return fail(u"duplicate key \""_s % shown % u"\""_s, offset);
    }

    bool scanArray(int depth)
    {
        if (depth > m_limits.maxDepth)
            return fail(u"nesting deeper than "_s % QString::number(m_limits.maxDepth), m_pos);
        ++m_pos; // '['
        skipWhitespace();
        if (!atEnd() && peek() == ']') {
            ++m_pos;
            return true;
        }
        qsizetype items = 0;
        for (;;) {
            skipWhitespace();
            if (++items > m_limits.maxArrayItems) {
                return fail(u"array with more than "_s % QString::number(m_limits.maxArrayItems)
                                % u" items"_s,
                            m_pos);
            }
            if (!scanValue(depth))
                return false;
            skipWhitespace();
            if (atEnd())
                return failUnexpected();
            const char next = peek();
            if (next == ']') {
                ++m_pos;
                return true;
            }
            if (next != ',')
                return fail(u"expected ',' or ']' in array"_s, m_pos);
            ++m_pos;
        }
    }

    /// At the opening quote. When \a key is given, it receives the decoded content.
    bool scanString(QByteArrayView *key)
    {
        const qsizetype start = m_pos;
        ++m_pos; // '"'
        const qsizetype contentStart = m_pos;
        bool hasEscapes = false;
        for (;;) {
            if (atEnd())
                return fail(u"unterminated string"_s, start);
            const auto byte = static_cast<uchar>(peek());
            if (byte == '"')
                break;
            if (byte == '\\') {
                hasEscapes = true;
                if (!scanEscape())
                    return false;
            } else if (byte < 0x20) {
                return fail(u"control character in string"_s, m_pos);
            } else if (byte < 0x80) {
                ++m_pos;
            } else if (!scanUtf8Sequence()) {
                return false;
            }
        }
        const QByteArrayView raw = m_input.sliced(contentStart, m_pos - contentStart);
        ++m_pos; // '"'
        if (key)
            *key = hasEscapes ? decodeKey(raw) : raw;
        return true;
    }

    bool readHex4(qsizetype pos, char16_t *unit) const
    {
        if (pos + 4 > m_input.size())
            return false;
        int value = 0;
        for (qsizetype i = pos; i < pos + 4; ++i) {
            const int digit = hexValue(m_input[i]);
            if (digit < 0)
                return false;
            value = value * 16 + digit;
        }
        *unit = static_cast<char16_t>(value);
        return true;
    }

    /// At a backslash inside a string.
    bool scanEscape()
    {
        const qsizetype start = m_pos;
        if (start + 1 >= m_input.size())
            return fail(u"unexpected end of input"_s, m_input.size());
        const char kind = m_input[start + 1];
        switch (kind) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            m_pos += 2;
            return true;
        case 'u':
            break;
        default: {
            const auto byte = static_cast<uchar>(kind);
            const QString shown = (byte > 0x20 && byte < 0x7F)
                ? QString(QChar(char16_t(byte)))
                : u"0x"_s % QString::number(byte, 16).rightJustified(2, u'0');
            return fail(u"invalid escape \\"_s % shown, start);
        }
        }
        char16_t unit = 0;
        if (!readHex4(start + 2, &unit))
            return fail(u"invalid \\u escape"_s, start);
        m_pos = start + 6;
        if (isLowSurrogate(unit))
            return failUnpaired(start);
        if (isHighSurrogate(unit)) {
            char16_t low = 0;
            if (m_pos + 1 < m_input.size() && m_input[m_pos] == '\\' && m_input[m_pos + 1] == 'u'
                && readHex4(m_pos + 2, &low) && isLowSurrogate(low)) {
                m_pos += 6;
                return true;
            }
            return failUnpaired(start);
        }
        return true;
    }

    bool failUnpaired(qsizetype escapeStart)
    {
        // The six bytes were checked to be "\uXXXX", so they are ASCII.
        return fail(u"unpaired surrogate "_s
                        % QString::fromLatin1(m_input.sliced(escapeStart, 6).data(), 6),
                    escapeStart);
    }

    /// At a byte >= 0x80 inside a string: one well-formed UTF-8 sequence (RFC 3629 §4),
    /// so no overlong forms, no encoded surrogates, nothing above U+10FFFF.
    bool scanUtf8Sequence()
    {
        const qsizetype start = m_pos;
        const auto lead = static_cast<uchar>(peek());
        int continuation = 0;
        uchar low = 0x80;
        uchar high = 0xBF;
        if (lead >= 0xC2 && lead <= 0xDF) {
            continuation = 1;
        } else if (lead == 0xE0) {
            continuation = 2;
            low = 0xA0;
        } else if (lead >= 0xE1 && lead <= 0xEF) {
            continuation = 2;
            if (lead == 0xED)
                high = 0x9F;
        } else if (lead == 0xF0) {
            continuation = 3;
            low = 0x90;
        } else if (lead >= 0xF1 && lead <= 0xF3) {
            continuation = 3;
        } else if (lead == 0xF4) {
            continuation = 3;
            high = 0x8F;
        } else {
            return fail(u"invalid UTF-8"_s, start);
        }
        if (start + continuation >= m_input.size())
            return fail(u"invalid UTF-8"_s, start);
        for (int i = 1; i <= continuation; ++i) {
            const auto byte = static_cast<uchar>(m_input[start + i]);
            if (byte < low || byte > high)
                return fail(u"invalid UTF-8"_s, start);
            low = 0x80;
            high = 0xBF;
        }
        m_pos = start + 1 + continuation;
        return true;
    }

    void skipDigits()
    {
        while (!atEnd() && isDigit(peek()))
            ++m_pos;
    }

    bool scanNumber()
    {
        const qsizetype start = m_pos;
        if (peek() == '-') {
            ++m_pos;
            if (!atEnd() && peek() == 'I')
                return fail(u"Infinity is not JSON"_s, start);
        }
        if (atEnd() || !isDigit(peek()))
            return fail(u"invalid number"_s, start);
        if (peek() == '0') {
            ++m_pos;
            if (!atEnd() && isDigit(peek()))
                return fail(u"invalid number (leading zero)"_s, start);
        } else {
            skipDigits();
        }
        if (!atEnd() && peek() == '.') {
            ++m_pos;
            if (atEnd() || !isDigit(peek()))
                return fail(u"invalid number"_s, start);
            skipDigits();
        }
        if (!atEnd() && (peek() == 'e' || peek() == 'E')) {
            ++m_pos;
            if (!atEnd() && (peek() == '+' || peek() == '-'))
                ++m_pos;
            if (atEnd() || !isDigit(peek()))
                return fail(u"invalid number"_s, start);
            skipDigits();
        }
        // The grammar is checked; now the magnitude. Qt refuses both overflow and underflow
        // to zero ("illegal number"), and so do we, with a clearer word.
        const char *first = m_input.data() + start;
        const char *last = m_input.data() + m_pos;
        double value = 0;
        const std::from_chars_result result = std::from_chars(first, last, value);
        if (result.ec == std::errc::result_out_of_range)
            return fail(u"number out of range"_s, start);
        if (result.ec != std::errc() || result.ptr != last)
            return fail(u"invalid number"_s, start);
        return true;
    }

    bool scanLiteral()
    {
        const QByteArrayView rest = m_input.sliced(m_pos);
        for (const QByteArrayView word :
             {QByteArrayView("true"), QByteArrayView("false"), QByteArrayView("null")}) {
            if (rest.startsWith(word)) {
                m_pos += word.size();
                return true;
            }
        }
        if (rest.startsWith("NaN"))
            return fail(u"NaN is not JSON"_s, m_pos);
        if (rest.startsWith("Infinity"))
            return fail(u"Infinity is not JSON"_s, m_pos);
        return failUnexpected();
    }

    /// \a raw is the validated content of a key with escapes; returns its UTF-8 form,
    /// kept alive in m_decodedKeys (QByteArray has no small-string buffer, so the data
    /// does not move when the vector grows).
    QByteArrayView decodeKey(QByteArrayView raw)
    {
        QByteArray out;
        out.reserve(raw.size());
        for (qsizetype i = 0; i < raw.size(); ++i) {
            const char c = raw[i];
            if (c != '\\') {
                out.append(c);
                continue;
            }
            const char kind = raw[++i];
            switch (kind) {
            case 'b':
                out.append('\b');
                break;
            case 'f':
                out.append('\f');
                break;
            case 'n':
                out.append('\n');
                break;
            case 'r':
                out.append('\r');
                break;
            case 't':
                out.append('\t');
                break;
            case 'u': {
                char32_t codePoint = 0;
                for (int k = 1; k <= 4; ++k)
                    codePoint = codePoint * 16 + char32_t(hexValue(raw[i + k]));
                i += 4;
                if (isHighSurrogate(char16_t(codePoint))) {
                    char32_t lowUnit = 0;
                    for (int k = 3; k <= 6; ++k) // skip the "\u" of the pair's second half
                        lowUnit = lowUnit * 16 + char32_t(hexValue(raw[i + k]));
                    i += 6;
                    codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (lowUnit - 0xDC00);
                }
                appendUtf8(out, codePoint);
                break;
            }
            default: // '"', '\\', '/'
                out.append(kind);
                break;
            }
        }
        m_decodedKeys.push_back(std::move(out));
        return QByteArrayView(m_decodedKeys.back());
    }

    QByteArrayView m_input;
    JsonLimits m_limits;
    qsizetype m_pos = 0;
    QString m_error;
    std::vector<QByteArrayView> m_keys; ///< keys of the open objects, innermost last
    std::vector<QByteArray> m_decodedKeys; ///< owners of keys that had escapes
};

Problem malformed(const QString &detail)
{
    return Problem::fromType(problems::MalformedJson, detail);
}

} // namespace

Result<QJsonObject> parseJsonObject(QByteArrayView body, const JsonLimits &limits)
{
    StrictJsonScanner scanner(body, limits);
    if (!scanner.scanDocument())
        return malformed(scanner.error());

    // The scanner is stricter than Qt, so this should not fail; check it all the same.
    QJsonParseError parseError;
    const QJsonDocument document =
        QJsonDocument::fromJson(QByteArray::fromRawData(body.data(), body.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return malformed(u"invalid JSON: "_s % parseError.errorString() % u" at offset "_s
                         % QString::number(parseError.offset));
    }
    if (!document.isObject())
        return malformed(u"top-level value must be an object"_s);
    return document.object();
}

} // namespace hms
