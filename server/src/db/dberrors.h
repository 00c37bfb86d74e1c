#pragma once

#include "shared/protocol/problem.h"

#include <QString>

#include <exception>

namespace hms::server {

/// What a failed database call means for the caller (STYLE.md, libpqxx exception table).
struct DbFailure
{
    enum class Kind {
        Unavailable, ///< connection lost or refused, server shutting down: 503
        Busy, ///< serialization failure, deadlock, timeout: 503 after retries
        Conflict, ///< unique, exclusion or foreign-key violation: 409
        Invalid, ///< check violation: 422
        Internal, ///< anything else: 500 with no internals
    };

    Kind kind = Kind::Internal;
    bool resetConnection = false; ///< drop the session's connection before retrying
    int maxRetries = 0; ///< how often the whole transaction may be run again
    QString logText; ///< exception type and SQLSTATE; never the message (PHI)

    Problem problem() const;
};

/// Classifies the exception in \a error (rethrows it internally). Never throws.
DbFailure classifyDbFailure(std::exception_ptr error);

/// True for SQLSTATEs that mean the server went away: class 08, 57P01-57P03.
bool isConnectionLoss(const std::string &sqlstate);

} // namespace hms::server
