#pragma once

#include <QHash>
#include <QObject>
#include <QSet>
#include <QString>

namespace hms::client {

class ApiClient;

/// Doctors' display names by user id, read per department (GET
/// /api/v1/departments/{id}/doctors, once per department) for the slot and appointment
/// models; a doctor not (yet) known is "Doctor #<id>".
class DoctorNames : public QObject
{
    Q_OBJECT

public:
    DoctorNames(ApiClient &api, QObject *parent = nullptr);

    /// Reads the doctors of \a departmentId unless it was read (or is being read) already.
    void loadDepartment(const QString &departmentId);

    /// The name of \a doctorId; "Doctor #<id>" while it is unknown.
    QString nameOf(const QString &doctorId) const;

    /// How a doctor without a known name is shown.
    static QString fallbackName(const QString &doctorId);

Q_SIGNALS:
    /// New names arrived: views showing doctors should repaint.
    void changed();

private:
    ApiClient &m_api;
    QHash<QString, QString> m_names;
    QSet<QString> m_departments; ///< read or being read
};

} // namespace hms::client
