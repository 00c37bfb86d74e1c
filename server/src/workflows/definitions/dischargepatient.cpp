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

/// How often closeAccount looks again while admitPatient has not opened the account (or a
/// tenth of the escalation time when that is shorter).
constexpr qint64 DefaultAccountPollMs = 30'000;

QString bedStatus(pqxx::transaction_base &tx, qint64 hospitalId, qint64 bedId)
{
    const pqxx::result result = tx.exec_params(
        "SELECT status FROM beds WHERE hospital_id = $1 AND id = $2", hospitalId, bedId);
    return result.empty() ? QString() : QString::fromUtf8(result[0][0].c_str());
}

} // namespace

void dischargepatient::start(pqxx::transaction_base &tx,
                             qint64 hospitalId,
                             qint64 admissionId,
                             qint64 patientId,
                             qint64 bedId,
                             qint64 wardId,
                             qint64 actorUserId)
{
    bool ok = false;
    const qint64 configured =
        qEnvironmentVariable("HMS_BED_CLEANING_ESCALATION_MS").toLongLong(&ok);
    const qint64 escalateAfterMs = ok && configured > 0 ? configured : DefaultEscalateAfterMs;
    const QJsonObject input{
        {k("admissionId"), QString::number(admissionId)},
        {k("patientId"), QString::number(patientId)},
        {k("bedId"), QString::number(bedId)},
        {k("wardId"), QString::number(wardId)},
        {k("actorUserId"), QString::number(actorUserId)},
        {k("escalateAfterMs"), double(escalateAfterMs)},
        {k("accountPollMs"),
         double(std::min(DefaultAccountPollMs, std::max<qint64>(100, escalateAfterMs / 10)))}};
    wf::start(tx, hospitalId, QLatin1String(Type), Version, QString::number(admissionId), input);
}

void dischargepatient::signalBedCleaned(pqxx::transaction_base &tx,
                                        qint64 hospitalId,
                                        qint64 bedId,
                                        qint64 userId)
{
    const pqxx::result last =
        tx.exec_params("SELECT id FROM admissions WHERE hospital_id = $1 AND bed_id = $2 "
                       "AND status = 'discharged' ORDER BY discharged_at DESC, id DESC LIMIT 1",
                       hospitalId, bedId);
    if (last.empty())
        return;
    const std::optional<qint64> run =
        findRun(tx, hospitalId, QLatin1String(Type), QString::number(last[0][0].as<qint64>()));
    if (run)
        signal(tx, hospitalId, *run, QLatin1String(BedCleanedSignal),
               {{k("bedId"), QString::number(bedId)}, {k("userId"), QString::number(userId)}});
}

QJsonObject dischargePatient(WorkflowContext &ctx)
{
    const QJsonObject &in = ctx.input();
    const std::optional<qint64> admissionId = idOf(in, "admissionId");
    const std::optional<qint64> patientId = idOf(in, "patientId");
    const std::optional<qint64> bedId = idOf(in, "bedId");
    const std::optional<qint64> wardId = idOf(in, "wardId");
    if (!admissionId || !patientId || !bedId || !wardId)
        throw NonRetryable("dischargePatient: input without admissionId, patientId, bedId or "
                           "wardId");
    const std::optional<qint64> actor = idOf(in, "actorUserId");
    const qint64 escalateAfterMs =
        steps::msOf(in, "escalateAfterMs", dischargepatient::DefaultEscalateAfterMs);
    const qint64 accountPollMs = steps::msOf(in, "accountPollMs", DefaultAccountPollMs);

    QJsonObject closed;
    for (;;) {
        closed = ctx.step(QStringLiteral("closeAccount"), [&](pqxx::work &tx) {
            const std::optional<AccountRow> account =
                AccountRepository::findByAdmission(tx, ctx.hospitalId(), *admissionId, true);
            if (!account)
                return QJsonObject{{k("waiting"), k("account-not-open")}};
            if (account->status != QLatin1String("open"))
                return QJsonObject{{k("accountId"), QString::number(account->id)},
                                   {k("skipped"), k("already-closed")},
                                   {k("bedDays"), account->bedDays},
                                   {k("balanceMinor"), double(account->balanceMinor())}};
            const BedDayCharges charged =
                AccountRepository::chargeBedDays(tx, *account, ctx.runId());
            const AccountRow row =
                AccountRepository::close(tx, ctx.hospitalId(), account->id, ctx.runId());
            AuditEntry audit = steps::workflowAudit(
                ctx, actor, QStringLiteral("billing"), QStringLiteral("account.close"),
                QStringLiteral("inpatient_account"), row.id, *patientId);
            audit.details.insert(k("admissionId"), QString::number(*admissionId));
            audit.details.insert(k("bedDaysCharged"), charged.inserted);
            audit.details.insert(k("bedDays"), row.bedDays);
            audit.details.insert(k("balanceMinor"), double(row.balanceMinor()));
            AuditLog::append(tx, audit);
            steps::accountChanged(tx, ctx, *admissionId, row.id, QStringLiteral("account.closed"));
            return QJsonObject{{k("accountId"), QString::number(row.id)},
                               {k("charged"), charged.inserted},
                               {k("bedDays"), row.bedDays},
                               {k("balanceMinor"), double(row.balanceMinor())}};
        });
        if (!closed.contains(k("waiting")))
            break;
        ctx.sleep(QStringLiteral("awaitAccount"), std::chrono::milliseconds(accountPollMs));
    }

    // The discharge's transaction already put the bed into cleaning; this only records it.
    const QJsonObject bed = ctx.step(QStringLiteral("checkBed"), [&](pqxx::work &tx) {
        return QJsonObject{{k("status"), bedStatus(tx, ctx.hospitalId(), *bedId)}};
    });

    const QJsonObject housekeeping =
        ctx.step(QStringLiteral("notifyHousekeeping"), [&](pqxx::work &tx) {
            return QJsonObject{
                {k("notificationIds"),
                 steps::notifyWardStaff(tx, ctx, *wardId, QStringLiteral("nurse"),
                                        QStringLiteral("bed.cleaning_needed"), std::nullopt,
                                        QStringLiteral("bed"), *bedId)}};
        });

    QJsonObject result{
        {k("accountId"), closed.value(k("accountId"))},
        {k("bedDays"), closed.value(k("bedDays"))},
        {k("balanceMinor"), closed.value(k("balanceMinor"))},
        {k("bedStatusAtDischarge"), bed.value(k("status"))},
        {k("housekeepingNotified"), housekeeping.value(k("notificationIds")).toArray().size()}};

    const std::optional<QJsonObject> cleaned =
        ctx.waitSignal(QLatin1String(dischargepatient::BedCleanedSignal),
                       std::chrono::milliseconds(escalateAfterMs));
    if (cleaned) {
        result.insert(k("cleanedBy"), cleaned->value(k("userId")));
        return result;
    }

    const QJsonObject escalated = ctx.step(QStringLiteral("escalate"), [&](pqxx::work &tx) {
        const QString status = bedStatus(tx, ctx.hospitalId(), *bedId);
        if (status != QLatin1String("cleaning"))
            return QJsonObject{{k("skipped"), status}, {k("notificationIds"), QJsonArray()}};
        return QJsonObject{{k("notificationIds"),
                            steps::notifyWardStaff(tx, ctx, *wardId, QStringLiteral("supervisor"),
                                                   QStringLiteral("bed.cleaning_overdue"),
                                                   std::nullopt, QStringLiteral("bed"), *bedId)}};
    });
    result.insert(k("supervisorsNotified"), escalated.value(k("notificationIds")).toArray().size());
    return result;
}

} // namespace hms::server::wf
