#include "billing/accountrepository.h"

#include "common/jsonfields.h"
#include "db/pgvalues.h"
#include "db/sql.h"

#include <pqxx/result>
#include <pqxx/transaction_base>

namespace hms::server {

namespace {

#define HMS_BILLING_UTC(column)                                                                    \
    "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"

constexpr char AccountColumns[] =
    "id, hospital_id, admission_id, patient_id, deposit_minor, status, " HMS_BILLING_UTC(
        "opened_at") " AS opened_at, " HMS_BILLING_UTC("closed_at") " AS closed_at, "
                                                                    "charges_minor, credits_minor, "
                                                                    "bed_days, version";

constexpr char ChargeColumns[] =
    "id, kind, amount_minor, to_char(service_date, 'YYYY-MM-DD') AS service_date, bed_id, "
    "description, created_by_run, " HMS_BILLING_UTC("created_at") " AS created_at";

AccountRow accountFromRow(const pqxx::row &row)
{
    AccountRow account;
    account.id = row["id"].as<qint64>();
    account.hospitalId = row["hospital_id"].as<qint64>();
    account.admissionId = row["admission_id"].as<qint64>();
    account.patientId = row["patient_id"].as<qint64>();
    account.depositMinor = row["deposit_minor"].as<qint64>();
    account.status = fieldText(row["status"]);
    account.openedAt = fieldText(row["opened_at"]);
    account.closedAt = fieldText(row["closed_at"]);
    account.chargesMinor = row["charges_minor"].as<qint64>();
    account.creditsMinor = row["credits_minor"].as<qint64>();
    account.bedDays = row["bed_days"].as<int>();
    account.version = row["version"].as<int>();
    return account;
}

} // namespace

std::optional<AccountRow> AccountRepository::findByAdmission(pqxx::transaction_base &tx,
                                                             qint64 hospitalId,
                                                             qint64 admissionId,
                                                             bool lock)
{
    const pqxx::result result =
        tx.exec_params(sql::Query("SELECT ") + AccountColumns
                           + " FROM inpatient_accounts WHERE hospital_id = $1 AND admission_id = $2"
                           + sql::when(lock, " FOR UPDATE"),
                       hospitalId, admissionId);
    if (result.empty())
        return std::nullopt;
    return accountFromRow(result[0]);
}

std::pair<AccountRow, bool> AccountRepository::open(pqxx::transaction_base &tx,
                                                    qint64 hospitalId,
                                                    qint64 admissionId,
                                                    qint64 depositMinor,
                                                    std::optional<qint64> runId)
{
    const pqxx::result inserted = tx.exec_params(
        sql::Query("INSERT INTO inpatient_accounts (hospital_id, admission_id, patient_id, "
                   "deposit_minor, credits_minor, opened_by_run) "
                   "SELECT hospital_id, id, patient_id, $3, $3, $4 FROM admissions "
                   "WHERE hospital_id = $1 AND id = $2 "
                   "ON CONFLICT (hospital_id, admission_id) DO NOTHING RETURNING ")
            + AccountColumns,
        hospitalId, admissionId, depositMinor, runId);
    if (inserted.empty()) {
        const std::optional<AccountRow> existing =
            findByAdmission(tx, hospitalId, admissionId, true);
        if (!existing)
            throw std::runtime_error("open account: no such admission");
        return {*existing, false};
    }
    const AccountRow account = accountFromRow(inserted[0]);
    if (depositMinor > 0)
        tx.exec_params0(
            "INSERT INTO account_charges (hospital_id, account_id, kind, amount_minor, "
            "service_date, description, created_by_run) "
            "SELECT $1, $2, 'deposit', -$3::bigint, (now() AT TIME ZONE h.timezone)::date, "
            "'Deposit at admission', $4 FROM hospitals h WHERE h.id = $1",
            hospitalId, account.id, depositMinor, runId);
    return {account, true};
}

BedDayCharges AccountRepository::chargeBedDays(pqxx::transaction_base &tx,
                                               const AccountRow &account,
                                               std::optional<qint64> runId)
{
    // The days of the stay (local calendar days, admission and last day included) and, for
    // each, the bed at its start: the last transfer at or before the later of the local
    // midnight and the admission, else the bed of admission (the first transfer's from_bed,
    // or the admission's bed when it never moved).
    const pqxx::result result = tx.exec_params(
        "WITH a AS ("
        "  SELECT ad.id, ad.bed_id, ad.admitted_at, h.timezone AS tz, "
        "         (ad.admitted_at AT TIME ZONE h.timezone)::date AS first_day, "
        "         (coalesce(ad.discharged_at, now()) AT TIME ZONE h.timezone)::date AS last_day "
        "  FROM admissions ad JOIN hospitals h ON h.id = ad.hospital_id "
        "  WHERE ad.hospital_id = $1 AND ad.id = $2), "
        "days AS ("
        "  SELECT d::date AS day, a.* FROM a, "
        "         generate_series(a.first_day::timestamp, a.last_day::timestamp, interval '1 day') "
        "AS d), "
        "priced AS ("
        "  SELECT days.day, coalesce("
        "    (SELECT t.to_bed_id FROM bed_transfers t WHERE t.hospital_id = $1 "
        "       AND t.admission_id = days.id "
        "       AND t.transferred_at <= greatest(days.admitted_at, "
        "                                        days.day::timestamp AT TIME ZONE days.tz) "
        "     ORDER BY t.transferred_at DESC, t.id DESC LIMIT 1), "
        "    (SELECT t.from_bed_id FROM bed_transfers t WHERE t.hospital_id = $1 "
        "       AND t.admission_id = days.id ORDER BY t.transferred_at, t.id LIMIT 1), "
        "    days.bed_id) AS bed_id "
        "  FROM days), "
        "inserted AS ("
        "  INSERT INTO account_charges (hospital_id, account_id, kind, amount_minor, "
        "                               service_date, bed_id, description, created_by_run) "
        "  SELECT $1, $3, 'bed_day', b.daily_rate, p.day, p.bed_id, 'Bed day', $4 "
        "  FROM priced p JOIN beds b ON b.hospital_id = $1 AND b.id = p.bed_id "
        "  ORDER BY p.day "
        "  ON CONFLICT (hospital_id, account_id, service_date) WHERE kind = 'bed_day' "
        "  DO NOTHING RETURNING amount_minor, service_date) "
        "SELECT count(*), coalesce(sum(amount_minor), 0), "
        "       coalesce(to_char(max(service_date), 'YYYY-MM-DD'), '') FROM inserted",
        account.hospitalId, account.admissionId, account.id, runId);
    BedDayCharges charged;
    charged.inserted = result[0][0].as<int>();
    charged.amountMinor = result[0][1].as<qint64>();
    charged.lastDay = fieldText(result[0][2]);
    if (charged.inserted > 0)
        tx.exec_params0("UPDATE inpatient_accounts SET charges_minor = charges_minor + $3, "
                        "bed_days = bed_days + $4, version = version + 1 "
                        "WHERE hospital_id = $1 AND id = $2",
                        account.hospitalId, account.id, charged.amountMinor, charged.inserted);
    return charged;
}

AccountRow AccountRepository::close(pqxx::transaction_base &tx,
                                    qint64 hospitalId,
                                    qint64 accountId,
                                    std::optional<qint64> runId)
{
    return accountFromRow(tx.exec_params1(
        sql::Query("UPDATE inpatient_accounts SET status = 'closed', closed_at = now(), "
                   "closed_by_run = $3, version = version + 1 "
                   "WHERE hospital_id = $1 AND id = $2 AND status = 'open' RETURNING ")
            + AccountColumns,
        hospitalId, accountId, runId));
}

std::vector<ChargeRow>
AccountRepository::charges(pqxx::transaction_base &tx, qint64 hospitalId, qint64 accountId)
{
    std::vector<ChargeRow> rows;
    for (const pqxx::row &row :
         tx.exec_params(sql::Query("SELECT ") + ChargeColumns
                            + " FROM account_charges WHERE hospital_id = $1 AND account_id = $2 "
                              "ORDER BY service_date, id",
                        hospitalId, accountId)) {
        ChargeRow charge;
        charge.id = row["id"].as<qint64>();
        charge.kind = fieldText(row["kind"]);
        charge.amountMinor = row["amount_minor"].as<qint64>();
        charge.serviceDate = fieldText(row["service_date"]);
        charge.bedId = optionalId(row["bed_id"]);
        charge.description = fieldText(row["description"]);
        charge.createdByRun = optionalId(row["created_by_run"]);
        charge.createdAt = fieldText(row["created_at"]);
        rows.push_back(charge);
    }
    return rows;
}

std::optional<qint64> AccountRepository::wardOfAdmission(pqxx::transaction_base &tx,
                                                         qint64 hospitalId,
                                                         qint64 admissionId)
{
    const pqxx::result result =
        tx.exec_params("SELECT b.ward_id FROM admissions a JOIN beds b ON b.hospital_id = "
                       "a.hospital_id AND b.id = a.bed_id WHERE a.hospital_id = $1 AND a.id = $2",
                       hospitalId, admissionId);
    if (result.empty())
        return std::nullopt;
    return result[0][0].as<qint64>();
}

qint64 AccountRepository::msUntilNextLocalMidnight(pqxx::transaction_base &tx, qint64 hospitalId)
{
    const pqxx::result result = tx.exec_params(
        "SELECT ceil(extract(epoch FROM ((date_trunc('day', now() AT TIME ZONE timezone) "
        "+ interval '1 day') AT TIME ZONE timezone) - now()) * 1000)::bigint "
        "FROM hospitals WHERE id = $1",
        hospitalId);
    return result.empty() ? 24LL * 60 * 60 * 1000 : result[0][0].as<qint64>();
}

QJsonObject AccountRepository::toJson(const AccountRow &account)
{
    return {{key("id"), idText(account.id)},
            {key("admissionId"), idText(account.admissionId)},
            {key("patientId"), idText(account.patientId)},
            {key("status"), account.status},
            {key("depositMinor"), double(account.depositMinor)},
            {key("chargesMinor"), double(account.chargesMinor)},
            {key("creditsMinor"), double(account.creditsMinor)},
            {key("balanceMinor"), double(account.balanceMinor())},
            {key("bedDays"), account.bedDays},
            {key("openedAt"), account.openedAt},
            {key("closedAt"), textOrNull(account.closedAt)},
            {key("version"), account.version}};
}

QJsonObject AccountRepository::toJson(const ChargeRow &charge)
{
    return {{key("id"), idText(charge.id)},
            {key("kind"), charge.kind},
            {key("amountMinor"), double(charge.amountMinor)},
            {key("serviceDate"), charge.serviceDate},
            {key("bedId"), idOrNull(charge.bedId)},
            {key("description"), charge.description},
            {key("runId"), idOrNull(charge.createdByRun)},
            {key("createdAt"), charge.createdAt}};
}

} // namespace hms::server
