#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrlQuery>

namespace hms::server {

/// One parsed HTTP/1.x request. Header names are lower-cased; values are raw bytes.
struct HttpRequest
{
    QByteArray method;
    QByteArray target; ///< raw request-target, e.g. "/api/v1/patients?q=ab"
    QList<QString> segments; ///< percent-decoded path segments, e.g. {"api","v1","patients"}
    QUrlQuery query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    int versionMinor = 1; ///< HTTP/1.0 or HTTP/1.1
    bool keepAlive = true; ///< false after `Connection: close` or on HTTP/1.0 without keep-alive
    bool expectContinue = false;
    QHostAddress peerAddress;

    /// The first value of header \a lowerName, or a null QByteArray.
    QByteArray header(const QByteArray &lowerName) const
    {
        for (const auto &[name, value] : headers) {
            if (name == lowerName)
                return value;
        }
        return {};
    }

    bool hasHeader(const QByteArray &lowerName) const { return !header(lowerName).isNull(); }

    QString path() const { return QLatin1Char('/') + segments.join(QLatin1Char('/')); }
};

} // namespace hms::server
