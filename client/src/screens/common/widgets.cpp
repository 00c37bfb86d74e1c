#include "screens/common/widgets.h"

#include "api/apiclient.h"
#include "models/doctornames.h"
#include "shared/protocol/apipaths.h"

#include <QBoxLayout>
#include <QComboBox>
#include <QJsonArray>
#include <QLabel>

namespace hms::client {

QLabel *plainLabel(const QString &objectName, QWidget *parent, const QString &text)
{
    auto *label = new QLabel(parent);
    label->setTextFormat(Qt::PlainText); // SECURITY I4: server data is never rich text
    label->setObjectName(objectName);
    label->setText(text);
    return label;
}

QLabel *headingLabel(const QString &text, QWidget *parent)
{
    QLabel *heading = plainLabel(QStringLiteral("screenTitle"), parent, text);
    styleHeading(heading);
    return heading;
}

void styleHeading(QLabel *label)
{
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 1.5);
    font.setBold(true);
    label->setFont(font);
}

void styleFieldError(QLabel *label)
{
    label->setTextFormat(Qt::PlainText); // SECURITY I4: server data is never rich text
    label->setWordWrap(true);
    QPalette palette = label->palette();
    palette.setColor(QPalette::WindowText, QColor(0xb0, 0x00, 0x20));
    label->setPalette(palette);
    label->setVisible(false);
}

QLabel *fieldErrorLabel(const QString &objectName, QWidget *parent)
{
    QLabel *label = plainLabel(objectName, parent);
    styleFieldError(label);
    return label;
}

void loadDepartments(ApiClient &api,
                     QComboBox *combo,
                     QObject *context,
                     const std::function<void(const QString &)> &done)
{
    api.get(QLatin1String(hms::api::Departments), context,
            [combo, done](const Result<QJsonObject> &answer) {
                if (!answer) {
                    if (done)
                        done(problemText(answer.problem()));
                    return;
                }
                const QString previous = combo->currentData().toString();
                combo->clear();
                const QJsonArray items = answer.value().value(QLatin1String("items")).toArray();
                for (const QJsonValue &value : items) {
                    const QJsonObject department = value.toObject();
                    if (!department.value(QLatin1String("active")).toBool(true))
                        continue;
                    combo->addItem(department.value(QLatin1String("name")).toString(),
                                   department.value(QLatin1String("id")).toString());
                }
                const int index = combo->findData(previous);
                if (index >= 0)
                    combo->setCurrentIndex(index);
                if (done)
                    done(QString());
            });
}

void loadDoctors(ApiClient &api,
                 const QString &departmentId,
                 QComboBox *combo,
                 const QString &noneText,
                 QObject *context,
                 const std::function<void(const QString &)> &done)
{
    combo->clear();
    if (!noneText.isEmpty())
        combo->addItem(noneText, QString());
    if (departmentId.isEmpty()) {
        if (done)
            done(QString());
        return;
    }
    api.get(ApiClient::pathWithId(hms::api::DepartmentDoctors, departmentId), context,
            [combo, done](const Result<QJsonObject> &answer) {
                if (!answer) {
                    if (done)
                        done(problemText(answer.problem()));
                    return;
                }
                const QJsonArray items = answer.value().value(QLatin1String("items")).toArray();
                for (const QJsonValue &value : items) {
                    const QJsonObject doctor = value.toObject();
                    const QString doctorId = doctor.value(QLatin1String("userId")).toString();
                    const QString name = doctor.value(QLatin1String("displayName")).toString();
                    if (doctorId.isEmpty() || !doctor.value(QLatin1String("enabled")).toBool(true))
                        continue;
                    combo->addItem(name.isEmpty() ? DoctorNames::fallbackName(doctorId) : name,
                                   doctorId);
                }
                if (done)
                    done(QString());
            });
}

QComboBox *addWardPicker(QBoxLayout *row, QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->setObjectName(QStringLiteral("wardCombo"));
    combo->setAccessibleName(QObject::tr("Ward"));
    combo->setMinimumWidth(220);
    QLabel *caption = plainLabel(QStringLiteral("wardLabel"), parent, QObject::tr("&Ward:"));
    caption->setBuddy(combo);
    row->addWidget(caption);
    row->addWidget(combo);
    return combo;
}

void loadWards(ApiClient &api,
               QComboBox *combo,
               QObject *context,
               const std::function<void(const QString &)> &done)
{
    api.get(
        QLatin1String(hms::api::Wards), context, [combo, done](const Result<QJsonObject> &answer) {
            if (!answer) {
                if (done)
                    done(answer.problem().status == 404
                             ? QObject::tr("This server has no inpatient (IPD) module yet.")
                             : problemText(answer.problem()));
                return;
            }
            for (const QJsonValue &value : answer.value().value(QLatin1String("items")).toArray()) {
                const QJsonObject ward = value.toObject();
                QString name = ward.value(QLatin1String("name")).toString();
                if (name.isEmpty())
                    name = ward.value(QLatin1String("code")).toString();
                combo->addItem(name, ward.value(QLatin1String("id")).toString());
            }
            if (done)
                done(combo->count() == 0 ? QObject::tr("No ward is set up yet.") : QString());
        });
}

QString problemText(const Problem &problem)
{
    if (problem.status == 0)
        return problem.title; // client-side: unreachable or TLS, already for people
    if (problem.status == 403)
        return QObject::tr("Your role may not do this.");
    if (problem.status == 404)
        return QObject::tr("Not found.");
    if (!problem.detail.isEmpty())
        return problem.detail;
    return problem.title.isEmpty()
        ? QObject::tr("The server refused the request (%1).").arg(problem.status)
        : problem.title;
}

} // namespace hms::client
