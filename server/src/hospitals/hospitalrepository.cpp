#include "hospitals/hospitalrepository.h"

#include "db/sql.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

constexpr char Columns[] = "id, code, name, timezone";

HospitalRow fromRow(const pqxx::row &row)
{
    return {row["id"].as<qint64>(), QString::fromUtf8(row["code"].c_str()),
            QString::fromUtf8(row["name"].c_str()), QString::fromUtf8(row["timezone"].c_str())};
}

} // namespace

std::optional<HospitalRow> HospitalRepository::findByCode(pqxx::transaction_base &tx,
                                                          const QString &code)
{
    const pqxx::result result = tx.exec_params(
        sql::Query("SELECT ") + Columns + " FROM hospitals WHERE code = $1", code.toStdString());
    if (result.empty())
        return std::nullopt;
    return fromRow(result[0]);
}

std::optional<HospitalRow> HospitalRepository::findById(pqxx::transaction_base &tx, qint64 id)
{
    const pqxx::result result =
        tx.exec_params(sql::Query("SELECT ") + Columns + " FROM hospitals WHERE id = $1", id);
    if (result.empty())
        return std::nullopt;
    return fromRow(result[0]);
}

std::vector<HospitalRow> HospitalRepository::list(pqxx::transaction_base &tx)
{
    std::vector<HospitalRow> rows;
    for (const pqxx::row &row :
         tx.exec(sql::Query("SELECT ") + Columns + " FROM hospitals ORDER BY code"))
        rows.push_back(fromRow(row));
    return rows;
}

HospitalRow HospitalRepository::insert(pqxx::transaction_base &tx,
                                       const QString &code,
                                       const QString &name,
                                       const QString &timezone)
{
    return fromRow(tx.exec_params1(sql::Query("INSERT INTO hospitals (code, name, timezone) "
                                              "VALUES ($1, $2, $3) RETURNING ")
                                       + Columns,
                                   code.toStdString(), name.toStdString(), timezone.toStdString()));
}

bool HospitalRepository::isKnownTimezone(pqxx::transaction_base &tx, const QString &timezone)
{
    return !tx.exec_params("SELECT 1 FROM pg_timezone_names WHERE name = $1",
                           timezone.toStdString())
                .empty();
}

} // namespace hms::server
