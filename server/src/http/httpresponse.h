#pragma once

#include "shared/protocol/problem.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>

namespace hms::server {

/// What a handler answers. The server adds framing and the security headers.
struct HttpResponse
{
    int status = 200;
    QByteArray contentType; ///< empty when there is no body
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers; ///< extra headers, e.g. ETag, Retry-After

    void setHeader(const QByteArray &name, const QByteArray &value);

    /// Adds a header even when one of that name exists (Set-Cookie).
    void addHeader(const QByteArray &name, const QByteArray &value)
    {
        headers.append({name, value});
    }

    QByteArray header(const QByteArray &name) const;

    static HttpResponse json(int status, const QJsonObject &object);
    /// Pre-serialized JSON, for hot paths that build their bytes themselves.
    static HttpResponse jsonBytes(int status, QByteArray body);
    static HttpResponse problem(const Problem &problem);
    static HttpResponse problem(const ProblemType &type, const QString &detail = {});
    static HttpResponse noContent();
};

/// The reason phrase for a status line ("Not Found").
QByteArray reasonPhrase(int status);

/// The registry entry for a status the HTTP layer produces by itself (400, 413, ...).
const ProblemType &problemTypeForStatus(int status);

} // namespace hms::server
