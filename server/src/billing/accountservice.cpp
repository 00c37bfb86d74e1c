#include "billing/accountservice.h"

#include "audit/auditlog.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "db/dbsession.h"
#include "db/tenant.h"

#include <QJsonArray>

#include <pqxx/transaction>

namespace hms::server {

AccountStatement AccountService::statement(DbSession &db,
                                           const Principal &actor,
                                           const ClientInfo &client,
                                           qint64 admissionId)
{
    pqxx::work tx(db.connection());
    enterTenant(tx, actor.hospitalId);
    const std::optional<AccountRow> account =
        AccountRepository::findByAdmission(tx, actor.hospitalId, admissionId, false);
    AuditEntry audit = AuditEntry::forActor(actor, client, QStringLiteral("billing"),
                                            QStringLiteral("account.read"),
                                            QStringLiteral("admission"), idText(admissionId));
    if (!account) {
        audit.outcome = QStringLiteral("failure");
        audit.details = {{key("reason"), QStringLiteral("not-found")}};
        AuditLog::append(tx, audit);
        tx.commit();
        throw DomainError(problems::NotFound);
    }
    audit.patientId = account->patientId;
    audit.details = {{key("accountId"), idText(account->id)}};
    AuditLog::append(tx, audit);
    AccountStatement statement{*account,
                               AccountRepository::charges(tx, actor.hospitalId, account->id)};
    tx.commit();
    return statement;
}

QJsonObject AccountService::toJson(const AccountStatement &statement)
{
    QJsonArray charges;
    for (const ChargeRow &charge : statement.charges)
        charges.append(AccountRepository::toJson(charge));
    return {{key("account"), AccountRepository::toJson(statement.account)},
            {key("charges"), charges},
            {key("balanceMinor"), double(statement.account.balanceMinor())}};
}

} // namespace hms::server
