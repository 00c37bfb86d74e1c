#pragma once

#include "http/httplimits.h"
#include "http/httprequest.h"

#include <QByteArrayView>

namespace hms::server {

/// Parses the head (request line + headers) of one HTTP/1.x request, strictly.
/// Pure function of its input: no I/O, no event loop, so it can be unit-tested and fuzzed.
///
/// Deliberately refuses what lets a front proxy and this server disagree about where a
/// request ends (request smuggling): a non-numeric or repeated Content-Length,
/// Transfer-Encoding (we accept no chunked bodies), obsolete header folding, bare LF.
class HttpRequestParser
{
public:
    enum class Outcome { NeedMore, Complete, Error };

    struct HeadResult
    {
        Outcome outcome = Outcome::NeedMore;
        qsizetype headLength = 0; ///< bytes of request line + headers + blank line
        qint64 contentLength = 0;
        HttpRequest request; ///< valid when Complete (body still empty)
        int errorStatus = 0; ///< 400, 413, 414, 431, 501, 505 when Error
        QString errorDetail;
    };

    explicit HttpRequestParser(const HttpLimits &limits);

    /// Looks at the bytes received so far for the next request. Leading CRLFs are skipped.
    HeadResult parseHead(QByteArrayView bytes) const;

    /// How many bytes a head may take at most: peek no further than this.
    qsizetype maxHeadBytes() const
    {
        return m_limits.maxRequestLineBytes + m_limits.maxHeaderBytes + 4;
    }

private:
    HttpLimits m_limits;
};

} // namespace hms::server
