#pragma once

#include <cstddef>
#include <string>
#include <string_view>

/// The query builder: the one place where SQL text may be put together from pieces
/// (SECURITY.md I3). A piece is a sql::Fragment, which only a compile-time constant can make
/// (a string literal or a constexpr char array: the constructor is consteval), so a value
/// that came from a request can never become SQL text; values travel as parameters ($1...).
/// tests/unit/server/tst_sqllint.cpp checks that every query in server/src is either one
/// constant or built here.
///
/// \code
///   constexpr char Columns[] = "id, name";
///   tx.exec_params(sql::Query("SELECT ") + Columns + " FROM wards WHERE id = $1"
///                      + sql::when(forUpdate, " FOR UPDATE"),
///                  id);
/// \endcode
namespace hms::server::sql {

class Fragment
{
public:
    template<std::size_t N>
    consteval Fragment(const char (&text)[N])
        : m_text(text, N - 1)
    {}

    constexpr std::string_view view() const { return m_text; }

private:
    constexpr Fragment() = default;
    std::string_view m_text;

    friend constexpr Fragment when(bool condition, Fragment fragment);
};

/// \a fragment when \a condition holds, else nothing: a choice between two constants.
constexpr Fragment when(bool condition, Fragment fragment)
{
    return condition ? fragment : Fragment();
}

/// SQL text made of Fragments only; converts to the std::string libpqxx takes.
class Query
{
public:
    Query(Fragment first)
        : m_text(first.view())
    {}

    Query &operator+=(Fragment next)
    {
        m_text += next.view();
        return *this;
    }

    Query &operator+=(const Query &next)
    {
        m_text += next.m_text;
        return *this;
    }

    friend Query operator+(Query query, Fragment next) { return query += next; }

    friend Query operator+(Query query, const Query &next) { return query += next; }

    const std::string &text() const { return m_text; }

    operator const std::string &() const { return m_text; }

private:
    std::string m_text;
};

} // namespace hms::server::sql
