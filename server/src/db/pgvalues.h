#pragma once

#include <QString>
#include <QStringList>

#include <pqxx/types>

#include <optional>
#include <string>
#include <vector>

/// Converting between PostgreSQL values and ours, in one place (libpqxx 6.4 has no array
/// parameters and no QString).
namespace hms::server {

/// A text column as QString; NULL as an empty string.
QString fieldText(const pqxx::field &field);

/// A bigint column that may be NULL (an optional id or number).
std::optional<qint64> optionalId(const pqxx::field &field);

/// A PostgreSQL array literal for a `$n::bigint[]` parameter: {1,2,3}.
std::string arrayParam(const std::vector<qint64> &values);

/// A PostgreSQL array literal for a `$n::text[]` (or uuid[]) parameter; every element quoted,
/// with " and \ escaped, so any text is one element.
std::string arrayParam(const QStringList &values);

} // namespace hms::server
