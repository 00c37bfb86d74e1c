#pragma once

#include "auth/principal.h"
#include "billing/accountrepository.h"

#include <vector>

namespace hms::server {

class DbSession;
struct ClientInfo;

/// An admission's inpatient account as a reader sees it.
struct AccountStatement
{
    AccountRow account;
    std::vector<ChargeRow> charges;
};

/// Reads of inpatient accounts (the admitPatient and dischargePatient workflows write them,
/// see workflows/definitions). Every read is audited (category billing, with the patient).
class AccountService
{
public:
    /// 404 for an unknown or another hospital's admission, and while the admission has no
    /// account yet (the workflow opens it moments after the admission).
    static AccountStatement
    statement(DbSession &db, const Principal &actor, const ClientInfo &client, qint64 admissionId);

    static QJsonObject toJson(const AccountStatement &statement);
};

} // namespace hms::server
