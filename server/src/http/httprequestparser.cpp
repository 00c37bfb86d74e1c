#include "http/httprequestparser.h"

#include <QStringDecoder>

namespace hms::server {

namespace {

using HeadResult = HttpRequestParser::HeadResult;

HeadResult fail(int status, const QString &detail)
{
    HeadResult result;
    result.outcome = HttpRequestParser::Outcome::Error;
    result.errorStatus = status;
    result.errorDetail = detail;
    return result;
}

// RFC 9110 tchar
bool isTokenChar(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
        return true;
    default:
        return false;
    }
}

bool isToken(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return false;
    for (char c : bytes) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

// Field values may hold visible ASCII, spaces, tabs and obs-text; never CR, LF or NUL.
bool isFieldValue(QByteArrayView bytes)
{
    for (char c : bytes) {
        const auto u = static_cast<unsigned char>(c);
        if (u == '\t')
            continue;
        if (u < 0x20 || u == 0x7f)
            return false;
    }
    return true;
}

QByteArrayView trimmedOws(QByteArrayView bytes)
{
    while (!bytes.isEmpty() && (bytes.front() == ' ' || bytes.front() == '\t'))
        bytes = bytes.sliced(1);
    while (!bytes.isEmpty() && (bytes.back() == ' ' || bytes.back() == '\t'))
        bytes.chop(1);
    return bytes;
}

bool containsToken(const QByteArray &list, QByteArrayView token)
{
    for (const QByteArray &part : list.split(',')) {
        if (part.trimmed().compare(token, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Splits the origin-form target into decoded path segments and the query.
bool parseTarget(const QByteArray &target, HttpRequest &request, QString &detail)
{
    if (!target.startsWith('/')) {
        detail = QStringLiteral("Only origin-form request targets are accepted");
        return false;
    }
    const qsizetype queryStart = target.indexOf('?');
    const QByteArray rawPath = queryStart < 0 ? target : target.left(queryStart);
    const QByteArray rawQuery = queryStart < 0 ? QByteArray() : target.mid(queryStart + 1);
    if (rawPath.contains('#') || rawQuery.contains('#')) {
        detail = QStringLiteral("Fragments are not allowed in a request target");
        return false;
    }

    request.segments.clear();
    const QList<QByteArray> parts = rawPath.mid(1).split('/');
    for (const QByteArray &part : parts) {
        const QByteArray decoded = QByteArray::fromPercentEncoding(part);
        auto toUtf16 = QStringDecoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString segment = toUtf16(decoded);
        if (toUtf16.hasError() || decoded.contains('\0') || decoded.contains('/')) {
            detail = QStringLiteral("The request path is not valid UTF-8 or holds NUL or %2F");
            return false;
        }
        request.segments.append(segment);
    }
    // "/api/v1/x/" and "/api/v1/x" are the same resource; "/" has no segments.
    while (!request.segments.isEmpty() && request.segments.last().isEmpty())
        request.segments.removeLast();

    const QByteArray decodedQuery = QByteArray::fromPercentEncoding(rawQuery);
    if (decodedQuery.contains('\0')) {
        detail = QStringLiteral("The query string holds NUL");
        return false;
    }
    request.query.setQuery(QString::fromUtf8(rawQuery));
    return true;
}

} // namespace

HttpRequestParser::HttpRequestParser(const HttpLimits &limits)
    : m_limits(limits)
{}

HttpRequestParser::HeadResult HttpRequestParser::parseHead(QByteArrayView bytes) const
{
    // RFC 9112 §2.2: a server should ignore at least one empty line before a request.
    qsizetype start = 0;
    while (bytes.size() - start >= 2 && bytes[start] == '\r' && bytes[start + 1] == '\n')
        start += 2;
    const QByteArrayView data = bytes.sliced(start);

    const qsizetype lineEnd = data.indexOf(QByteArrayView("\r\n"));
    if (lineEnd < 0) {
        if (data.size() > m_limits.maxRequestLineBytes)
            return fail(414, QStringLiteral("The request line is too long"));
        if (data.contains('\n'))
            return fail(400, QStringLiteral("Lines must end with CRLF"));
        return {};
    }
    if (lineEnd > m_limits.maxRequestLineBytes)
        return fail(414, QStringLiteral("The request line is too long"));

    const qsizetype headEnd = data.indexOf(QByteArrayView("\r\n\r\n"));
    if (headEnd < 0) {
        if (data.size() - lineEnd > m_limits.maxHeaderBytes + 2)
            return fail(431, QStringLiteral("The request headers are too large"));
        return {};
    }
    if (headEnd - lineEnd > m_limits.maxHeaderBytes)
        return fail(431, QStringLiteral("The request headers are too large"));

    HeadResult result;
    HttpRequest &request = result.request;

    // Request line: method SP request-target SP HTTP-version
    const QByteArrayView requestLine = data.first(lineEnd);
    const qsizetype firstSpace = requestLine.indexOf(' ');
    const qsizetype lastSpace = requestLine.lastIndexOf(' ');
    if (firstSpace <= 0 || lastSpace == firstSpace)
        return fail(400, QStringLiteral("Malformed request line"));
    const QByteArrayView method = requestLine.first(firstSpace);
    const QByteArrayView target = requestLine.sliced(firstSpace + 1, lastSpace - firstSpace - 1);
    const QByteArrayView version = requestLine.sliced(lastSpace + 1);
    if (!isToken(method) || target.isEmpty() || target.contains(' '))
        return fail(400, QStringLiteral("Malformed request line"));
    for (char c : target) {
        if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f)
            return fail(400, QStringLiteral("Malformed request target"));
    }
    if (version == "HTTP/1.1")
        request.versionMinor = 1;
    else if (version == "HTTP/1.0")
        request.versionMinor = 0;
    else if (version.startsWith("HTTP/"))
        return fail(505, QStringLiteral("Only HTTP/1.0 and HTTP/1.1 are supported"));
    else
        return fail(400, QStringLiteral("Malformed request line"));
    request.method = method.toByteArray();
    request.target = target.toByteArray();

    // Header fields
    QByteArrayView rest =
        headEnd == lineEnd ? QByteArrayView() : data.sliced(lineEnd + 2, headEnd - lineEnd - 2);
    int count = 0;
    while (!rest.isEmpty()) {
        qsizetype end = rest.indexOf(QByteArrayView("\r\n"));
        const QByteArrayView line = end < 0 ? rest : rest.first(end);
        rest = end < 0 ? QByteArrayView() : rest.sliced(end + 2);
        if (line.contains('\n') || line.contains('\r'))
            return fail(400, QStringLiteral("Lines must end with CRLF"));
        if (line.startsWith(' ') || line.startsWith('\t'))
            return fail(400, QStringLiteral("Obsolete header line folding is not accepted"));
        if (++count > m_limits.maxHeaderCount)
            return fail(431, QStringLiteral("Too many request headers"));
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !isToken(line.first(colon)))
            return fail(400, QStringLiteral("Malformed header field"));
        const QByteArrayView value = trimmedOws(line.sliced(colon + 1));
        if (!isFieldValue(value))
            return fail(400, QStringLiteral("Malformed header field value"));
        request.headers.append({line.first(colon).toByteArray().toLower(), value.toByteArray()});
    }

    // Message framing (RFC 9112 §6): the only body framing we accept is one Content-Length.
    int contentLengthCount = 0;
    QByteArray connection;
    for (const auto &[name, value] : std::as_const(request.headers)) {
        if (name == "transfer-encoding") {
            if (request.hasHeader("content-length"))
                return fail(400, QStringLiteral("Content-Length and Transfer-Encoding together"));
            return fail(501,
                        QStringLiteral("Transfer-Encoding is not supported; send Content-Length"));
        }
        if (name == "content-length") {
            if (++contentLengthCount > 1)
                return fail(400, QStringLiteral("More than one Content-Length"));
            if (value.isEmpty() || value.size() > 18)
                return fail(400, QStringLiteral("Invalid Content-Length"));
            for (char c : value) {
                if (c < '0' || c > '9')
                    return fail(400, QStringLiteral("Invalid Content-Length"));
            }
            result.contentLength = value.toLongLong();
        }
        if (name == "connection")
            connection += value + ',';
        if (name == "expect") {
            if (value.compare("100-continue", Qt::CaseInsensitive) != 0)
                return fail(417, QStringLiteral("Only Expect: 100-continue is supported"));
            request.expectContinue = true;
        }
    }
    if (request.versionMinor == 1 && !request.hasHeader("host"))
        return fail(400, QStringLiteral("HTTP/1.1 requests need a Host header"));
    if (result.contentLength > m_limits.maxBodyBytes)
        return fail(
            413,
            QStringLiteral("The request body is larger than %1 bytes").arg(m_limits.maxBodyBytes));
    request.keepAlive = request.versionMinor == 1 ? !containsToken(connection, "close")
                                                  : containsToken(connection, "keep-alive");

    QString detail;
    if (!parseTarget(request.target, request, detail))
        return fail(400, detail);

    result.outcome = Outcome::Complete;
    result.headLength = start + headEnd + 4;
    return result;
}

} // namespace hms::server
