#pragma once

#include <QtGlobal>

namespace hms::server {

/// Hard limits a client cannot talk the server out of (SECURITY.md "Request limits",
/// "HTTP timeouts"). Counted as bytes arrive, before anything is buffered beyond them.
struct HttpLimits
{
    qsizetype maxRequestLineBytes = 8 * 1024;
    qsizetype maxHeaderBytes = 16 * 1024; ///< all header lines together
    int maxHeaderCount = 100;
    qint64 maxBodyBytes = 1024 * 1024;
    int headerTimeoutMs = 10'000; ///< first byte of a request until its blank line
    int bodyTimeoutMs = 30'000; ///< blank line until the last body byte
    int keepAliveTimeoutMs = 60'000; ///< idle between requests
    int maxPipelinedRequests = 16; ///< parsed but not yet answered, per connection
    int maxConnections = 10'000;
};

} // namespace hms::server
