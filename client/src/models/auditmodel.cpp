#include "models/auditmodel.h"

#include "screens/common/widgets.h"
#include "shared/protocol/apipaths.h"

#include <QDateTime>

namespace hms::client {

namespace {

const char *const Keys[] = {"at",     "actorUserId", "actorRole", "action",
                            "entity", "entityId",    "patientId", "outcome"};

} // namespace

AuditModel::AuditModel(ApiClient &api, QObject *parent)
    : KeysetListModel(api, hms::api::Audit, PageSize, parent)
{}

void AuditModel::setFilters(const QUrlQuery &filters)
{
    restart(filters, true);
}

QString AuditModel::pageError(const Problem &problem) const
{
    QStringList lines{problemText(problem)};
    for (const hms::FieldError &error : problem.errors)
        lines.append(tr("%1: %2").arg(error.field, error.message));
    return lines.join(QLatin1Char('\n'));
}

int AuditModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant AuditModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    if (role != Qt::DisplayRole && role != RawValueRole)
        return {};
    const QJsonValue value = rowAt(index.row()).value(QLatin1String(Keys[index.column()]));
    if (role == Qt::DisplayRole && Column(index.column()) == Column::At) {
        const QDateTime at = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        return at.isValid() ? at.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                            : value.toString();
    }
    return value.isNull() ? QString() : value.toVariant().toString();
}

QVariant AuditModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Column::At:
        return tr("When");
    case Column::Actor:
        return tr("User id");
    case Column::Role:
        return tr("Role");
    case Column::Action:
        return tr("Action");
    case Column::Entity:
        return tr("Entity");
    case Column::EntityId:
        return tr("Entity id");
    case Column::Patient:
        return tr("Patient id");
    case Column::Outcome:
        return tr("Outcome");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
