#pragma once

#include "audit/auditlog.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <pqxx/transaction>

#include <optional>
#include <string>
#include <vector>

namespace hms::server::wf {

class WorkflowContext;

/// Pieces the product workflows share (ids only in everything they return).
namespace steps {

inline QString k(const char *name)
{
    return QString::fromLatin1(name);
}

/// The id in \a object's string field \a name, if it is a positive integer.
std::optional<qint64> idOf(const QJsonObject &object, const char *name);

/// A millisecond duration from the run's input (tests shorten timers this way), else
/// \a fallback.
qint64 msOf(const QJsonObject &input, const char *name, qint64 fallback);

/// An audit row for what a workflow did on behalf of the user whose action started it.
AuditEntry workflowAudit(const WorkflowContext &ctx,
                         std::optional<qint64> actorUserId,
                         const QString &category,
                         const QString &action,
                         const QString &entity,
                         qint64 entityId,
                         std::optional<qint64> patientId);

/// A notification (+ live event user:<id>) for each of \a userIds; their ids.
QJsonArray notifyUsers(pqxx::work &tx,
                       const WorkflowContext &ctx,
                       const std::vector<qint64> &userIds,
                       const QString &kind,
                       std::optional<qint64> patientId,
                       const QString &entity,
                       qint64 entityId);

/// notifyUsers for the enabled users of ward \a wardId with \a duty (nurse | supervisor).
QJsonArray notifyWardStaff(pqxx::work &tx,
                           const WorkflowContext &ctx,
                           qint64 wardId,
                           const QString &duty,
                           const QString &kind,
                           std::optional<qint64> patientId,
                           const QString &entity,
                           qint64 entityId);

/// Tells the admission's ward that its inpatient account changed (\a type account.opened,
/// account.charged or account.closed): a live event on the ward's topic (beds:<ward of the
/// admission's current bed>) with ids only, in the step's transaction, so a billing screen
/// re-reads the account.
void accountChanged(pqxx::work &tx,
                    const WorkflowContext &ctx,
                    qint64 admissionId,
                    qint64 accountId,
                    const QString &type);

} // namespace steps
} // namespace hms::server::wf
