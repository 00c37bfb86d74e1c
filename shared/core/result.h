#pragma once

#include "shared/protocol/problem.h"

#include <utility>
#include <variant>

namespace hms {

struct Unit
{
    friend bool operator==(Unit, Unit) = default;
};

/// Either a value or a Problem that says, in API terms, why there is none.
/// Shared code and the client return this; the server throws DomainError instead.
template<typename T = Unit>
class Result
{
public:
    Result(T value)
        : m_state(std::move(value))
    {}

    Result(Problem problem)
        : m_state(std::move(problem))
    {}

    bool isOk() const { return std::holds_alternative<T>(m_state); }

    explicit operator bool() const { return isOk(); }

    const T &value() const & { return std::get<T>(m_state); }

    T &&value() && { return std::get<T>(std::move(m_state)); }

    const Problem &problem() const { return std::get<Problem>(m_state); }

private:
    std::variant<T, Problem> m_state;
};

} // namespace hms
