#include "audit/auditlog.h"
#include "billing/accountrepository.h"
#include "workflows/definitions/productworkflows.h"
#include "workflows/definitions/workflowsteps.h"
#include "workflows/wfapi.h"
#include "workflows/workflow.h"

#include <pqxx/result>
#include <pqxx/transaction>

#include <algorithm>

namespace hms::server::wf {

using steps::idOf;
using steps::k;

namespace {

/// A second past midnight, so the new local day has surely begun on the database clock.
constexpr qint64 PastMidnightMs = 1000;

QString admissionStatus(pqxx::transaction_base &tx, qint64 hospitalId, qint64 admissionId)
{
    const pqxx::result result =
        tx.exec_params("SELECT status FROM admissions WHERE hospital_id = $1 AND id = $2",
                       hospitalId, admissionId);
    return result.empty() ? QString() : QString::fromUtf8(result[0][0].c_str());
}

} // namespace

void admitpatient::start(pqxx::transaction_base &tx,
                         qint64 hospitalId,
                         qint64 admissionId,
                         qint64 patientId,
                         qint64 bedId,
                         qint64 wardId,
                         qint64 actorUserId,
                         qint64 depositMinor)
{
    QJsonObject input{{k("admissionId"), QString::number(admissionId)},
                      {k("patientId"), QString::number(patientId)},
                      {k("bedId"), QString::number(bedId)},
                      {k("wardId"), QString::number(wardId)},
                      {k("actorUserId"), QString::number(actorUserId)},
                      {k("depositMinor"), double(depositMinor)}};
    bool ok = false;
    const qint64 checkMs = qEnvironmentVariable("HMS_BED_CHARGE_CHECK_MS").toLongLong(&ok);
    if (ok && checkMs > 0)
        input.insert(k("chargeCheckMs"), double(checkMs));
    wf::start(tx, hospitalId, QLatin1String(Type), Version, QString::number(admissionId), input);
}

QJsonObject admitPatient(WorkflowContext &ctx)
{
    const QJsonObject &in = ctx.input();
    const std::optional<qint64> admissionId = idOf(in, "admissionId");
    const std::optional<qint64> patientId = idOf(in, "patientId");
    const std::optional<qint64> wardId = idOf(in, "wardId");
    if (!admissionId || !patientId || !wardId)
        throw NonRetryable("admitPatient: input without admissionId, patientId or wardId");
    const std::optional<qint64> actor = idOf(in, "actorUserId");
    const qint64 deposit = qint64(in.value(k("depositMinor")).toDouble(0));
    if (deposit < 0)
        throw NonRetryable("admitPatient: negative deposit");
    const qint64 checkMs = steps::msOf(in, "chargeCheckMs", 0);

    const QJsonObject notified = ctx.step(QStringLiteral("notifyNurses"), [&](pqxx::work &tx) {
        return QJsonObject{{k("notificationIds"),
                            steps::notifyWardStaff(tx, ctx, *wardId, QStringLiteral("nurse"),
                                                   QStringLiteral("admission.created"), *patientId,
                                                   QStringLiteral("admission"), *admissionId)}};
    });

    const QJsonObject opened = ctx.step(QStringLiteral("openAccount"), [&](pqxx::work &tx) {
        const auto [account, created] =
            AccountRepository::open(tx, ctx.hospitalId(), *admissionId, deposit, ctx.runId());
        if (created) {
            AuditEntry audit = steps::workflowAudit(
                ctx, actor, QStringLiteral("billing"), QStringLiteral("account.open"),
                QStringLiteral("inpatient_account"), account.id, *patientId);
            audit.details.insert(k("admissionId"), QString::number(*admissionId));
            audit.details.insert(k("depositMinor"), double(deposit));
            AuditLog::append(tx, audit);
            steps::accountChanged(tx, ctx, *admissionId, account.id,
                                  QStringLiteral("account.opened"));
        }
        return QJsonObject{{k("accountId"), QString::number(account.id)}, {k("created"), created}};
    });

    // One pass a day: charge what is due, then sleep until the next local midnight.
    int bedDays = 0;
    for (;;) {
        const QJsonObject pass = ctx.step(QStringLiteral("chargeBedDays"), [&](pqxx::work &tx) {
            const std::optional<AccountRow> account =
                AccountRepository::findByAdmission(tx, ctx.hospitalId(), *admissionId, true);
            if (!account || account->status != QLatin1String("open"))
                return QJsonObject{{k("active"), false}, {k("reason"), k("account-closed")}};
            // The discharge's own workflow charges the last days and closes the account.
            if (admissionStatus(tx, ctx.hospitalId(), *admissionId) != QLatin1String("active"))
                return QJsonObject{{k("active"), false}, {k("reason"), k("discharged")}};
            const BedDayCharges charged =
                AccountRepository::chargeBedDays(tx, *account, ctx.runId());
            if (charged.inserted > 0) {
                AuditEntry audit = steps::workflowAudit(
                    ctx, actor, QStringLiteral("billing"), QStringLiteral("account.charge"),
                    QStringLiteral("inpatient_account"), account->id, *patientId);
                audit.details.insert(k("bedDays"), charged.inserted);
                audit.details.insert(k("amountMinor"), double(charged.amountMinor));
                audit.details.insert(k("lastDay"), charged.lastDay);
                AuditLog::append(tx, audit);
                steps::accountChanged(tx, ctx, *admissionId, account->id,
                                      QStringLiteral("account.charged"));
            }
            return QJsonObject{
                {k("active"), true},
                {k("charged"), charged.inserted},
                {k("lastDay"), charged.lastDay},
                {k("msToMidnight"),
                 double(AccountRepository::msUntilNextLocalMidnight(tx, ctx.hospitalId()))}};
        });
        if (!pass.value(k("active")).toBool())
            break;
        bedDays += pass.value(k("charged")).toInt();
        qint64 waitMs = qint64(pass.value(k("msToMidnight")).toDouble()) + PastMidnightMs;
        if (checkMs > 0)
            waitMs = std::min(waitMs, checkMs);
        ctx.sleep(QStringLiteral("nextBedDay"), std::chrono::milliseconds(waitMs));
    }

    return {{k("nursesNotified"), notified.value(k("notificationIds")).toArray().size()},
            {k("accountId"), opened.value(k("accountId"))},
            {k("bedDaysCharged"), bedDays}};
}

} // namespace hms::server::wf
