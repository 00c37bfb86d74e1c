#pragma once

#include <QByteArray>

namespace hms::server {

struct HttpRequest;

/// The value of cookie \a name in the request's Cookie header(s), or a null QByteArray.
QByteArray requestCookie(const HttpRequest &request, const QByteArray &name);

/// A Set-Cookie value for an auth cookie: HttpOnly unless \a readableByScript, always
/// Secure and SameSite=Strict (API.md). \a maxAgeSeconds 0 deletes the cookie.
QByteArray authCookie(const QByteArray &name,
                      const QByteArray &value,
                      const QByteArray &path,
                      int maxAgeSeconds,
                      bool readableByScript = false);

} // namespace hms::server
