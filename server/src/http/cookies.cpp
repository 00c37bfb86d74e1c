#include "http/cookies.h"

#include "http/httprequest.h"

namespace hms::server {

QByteArray requestCookie(const HttpRequest &request, const QByteArray &name)
{
    for (const auto &[header, value] : request.headers) {
        if (header != "cookie")
            continue;
        for (const QByteArray &pair : value.split(';')) {
            const qsizetype equals = pair.indexOf('=');
            if (equals > 0 && pair.left(equals).trimmed() == name)
                return pair.mid(equals + 1).trimmed();
        }
    }
    return {};
}

QByteArray authCookie(const QByteArray &name,
                      const QByteArray &value,
                      const QByteArray &path,
                      int maxAgeSeconds,
                      bool readableByScript)
{
    QByteArray cookie = name + '=' + value + "; Path=" + path
        + "; Max-Age=" + QByteArray::number(maxAgeSeconds) + "; Secure; SameSite=Strict";
    if (!readableByScript)
        cookie += "; HttpOnly";
    return cookie;
}

} // namespace hms::server
