#include "models/doctornames.h"

#include "api/apiclient.h"
#include "shared/protocol/apipaths.h"

#include <QJsonArray>

namespace hms::client {

DoctorNames::DoctorNames(ApiClient &api, QObject *parent)
    : QObject(parent)
    , m_api(api)
{}

void DoctorNames::loadDepartment(const QString &departmentId)
{
    if (departmentId.isEmpty() || m_departments.contains(departmentId))
        return;
    m_departments.insert(departmentId);
    m_api.get(ApiClient::pathWithId(hms::api::DepartmentDoctors, departmentId), this,
              [this, departmentId](const Result<QJsonObject> &answer) {
                  if (!answer) {
                      m_departments.remove(departmentId); // try again next time
                      return;
                  }
                  bool added = false;
                  for (const QJsonValue &value :
                       answer.value().value(QLatin1String("items")).toArray()) {
                      const QJsonObject doctor = value.toObject();
                      const QString id = doctor.value(QLatin1String("userId")).toString();
                      const QString name = doctor.value(QLatin1String("displayName")).toString();
                      if (id.isEmpty() || name.isEmpty() || m_names.value(id) == name)
                          continue;
                      m_names.insert(id, name);
                      added = true;
                  }
                  if (added)
                      Q_EMIT changed();
              });
}

QString DoctorNames::nameOf(const QString &doctorId) const
{
    const QString name = m_names.value(doctorId);
    return name.isEmpty() ? fallbackName(doctorId) : name;
}

QString DoctorNames::fallbackName(const QString &doctorId)
{
    return tr("Doctor #%1").arg(doctorId);
}

} // namespace hms::client
