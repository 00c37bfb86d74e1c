#pragma once

#include "shared/protocol/problem.h"

#include <stdexcept>

namespace hms::server {

/// A business-rule failure a client can act on: thrown by services, turned into
/// problem+json once, at the route boundary. Its text is safe to show (no PHI, no SQL).
class DomainError : public std::runtime_error
{
public:
    explicit DomainError(Problem problem)
        : std::runtime_error(problem.type.toStdString())
        , m_problem(std::move(problem))
    {}

    DomainError(const ProblemType &type, const QString &detail = {})
        : DomainError(Problem::fromType(type, detail))
    {}

    const Problem &problem() const { return m_problem; }

    /// For 429 and 503: when the client may try again (sent as Retry-After).
    DomainError &withRetryAfter(int seconds)
    {
        m_retryAfterSeconds = seconds;
        return *this;
    }

    int retryAfterSeconds() const { return m_retryAfterSeconds; }

private:
    Problem m_problem;
    int m_retryAfterSeconds = 0;
};

} // namespace hms::server
