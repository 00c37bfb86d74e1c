#pragma once

#include <QString>

#include <pqxx/types>

#include <optional>
#include <vector>

namespace hms::server {

struct HospitalRow
{
    qint64 id = 0;
    QString code;
    QString name;
    QString timezone;
};

/// SQL for the hospitals (tenant) registry. Borrows the caller's transaction.
class HospitalRepository
{
public:
    static std::optional<HospitalRow> findByCode(pqxx::transaction_base &tx, const QString &code);
    static std::optional<HospitalRow> findById(pqxx::transaction_base &tx, qint64 id);
    static std::vector<HospitalRow> list(pqxx::transaction_base &tx);
    /// Throws pqxx::unique_violation when the code exists, check_violation when malformed.
    static HospitalRow insert(pqxx::transaction_base &tx,
                              const QString &code,
                              const QString &name,
                              const QString &timezone);
    static bool isKnownTimezone(pqxx::transaction_base &tx, const QString &timezone);
};

} // namespace hms::server
