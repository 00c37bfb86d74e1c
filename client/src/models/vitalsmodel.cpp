#include "models/vitalsmodel.h"

#include <QDateTime>

#include <algorithm>

namespace hms::client {

namespace {

QString takenAtOf(const QJsonObject &document)
{
    return document.value(QLatin1String("body"))
        .toObject()
        .value(QLatin1String("takenAt"))
        .toString();
}

/// An integer measurement as text; empty when it was not taken.
QString integerText(const QJsonObject &body, const char *name)
{
    const QJsonValue value = body.value(QLatin1String(name));
    return value.isDouble() ? QString::number(value.toInteger()) : QString();
}

} // namespace

VitalsModel::VitalsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void VitalsModel::setDocuments(const QList<QJsonObject> &documents)
{
    beginResetModel();
    m_documents = documents;
    // Newest first by when the measurements were taken (UTC ISO text sorts by time), the
    // later-written document first among equal times.
    std::stable_sort(
        m_documents.begin(), m_documents.end(), [](const QJsonObject &a, const QJsonObject &b) {
            const QDateTime ta = QDateTime::fromString(takenAtOf(a), Qt::ISODateWithMs);
            const QDateTime tb = QDateTime::fromString(takenAtOf(b), Qt::ISODateWithMs);
            if (ta != tb)
                return ta > tb;
            return a.value(QLatin1String("id")).toString().toLongLong()
                > b.value(QLatin1String("id")).toString().toLongLong();
        });
    endResetModel();
}

QJsonObject VitalsModel::measurementsAt(int row) const
{
    return row >= 0 && row < m_documents.size()
        ? m_documents.at(row).value(QLatin1String("body")).toObject()
        : QJsonObject();
}

int VitalsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_documents.size());
}

int VitalsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(Column::Count);
}

QVariant VitalsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_documents.size())
        return {};
    const QJsonObject &document = m_documents.at(index.row());
    const QJsonObject body = document.value(QLatin1String("body")).toObject();
    if (role == DocumentIdRole)
        return document.value(QLatin1String("id")).toString();
    if (role == TakenAtRole)
        return takenAtOf(document);
    if (role == Qt::TextAlignmentRole && index.column() != int(Column::TakenAt))
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(index.column())) {
    case Column::TakenAt: {
        const QDateTime taken = QDateTime::fromString(takenAtOf(document), Qt::ISODateWithMs);
        return taken.isValid() ? taken.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                               : takenAtOf(document);
    }
    case Column::Temperature: {
        const QJsonValue value = body.value(QLatin1String("temperatureC"));
        return value.isDouble() ? QString::number(value.toDouble(), 'f', 1) : QString();
    }
    case Column::Pulse:
        return integerText(body, "pulse");
    case Column::BloodPressure: {
        const QString systolic = integerText(body, "systolic");
        const QString diastolic = integerText(body, "diastolic");
        if (systolic.isEmpty() && diastolic.isEmpty())
            return QString();
        return QStringLiteral("%1/%2").arg(systolic.isEmpty() ? QStringLiteral("–") : systolic,
                                           diastolic.isEmpty() ? QStringLiteral("–") : diastolic);
    }
    case Column::SpO2:
        return integerText(body, "spo2");
    case Column::Respiration:
        return integerText(body, "respiration");
    case Column::Pain:
        return integerText(body, "painScore");
    case Column::Count:
        break;
    }
    return {};
}

QVariant VitalsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Column::TakenAt:
        return tr("Taken");
    case Column::Temperature:
        return tr("Temp °C");
    case Column::Pulse:
        return tr("Pulse /min");
    case Column::BloodPressure:
        return tr("BP mmHg");
    case Column::SpO2:
        return tr("SpO₂ %");
    case Column::Respiration:
        return tr("Resp /min");
    case Column::Pain:
        return tr("Pain 0–10");
    case Column::Count:
        break;
    }
    return {};
}

} // namespace hms::client
