#include "app/navigation.h"

#include <QCoreApplication>

#include <algorithm>

namespace hms::client {

const QList<ScreenEntry> &screenTable()
{
    using P = hms::Permission;
    static const QList<ScreenEntry> table = {
        {Screen::Patients,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Patients"),
         {P::PatientRead},
         QKeySequence(Qt::CTRL | Qt::Key_F)},
        {Screen::Register,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Register"),
         {P::PatientWrite},
         QKeySequence(Qt::CTRL | Qt::Key_N)},
        {Screen::Queue,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Queue"),
         {P::QueueManage, P::QueueCall},
         QKeySequence(Qt::CTRL | Qt::Key_U)},
        {Screen::Appointments,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Appointments"),
         {P::AppointmentManage},
         QKeySequence(Qt::CTRL | Qt::Key_P)},
        {Screen::Admissions,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Admission desk"),
         {P::AdmissionManage},
         QKeySequence(Qt::CTRL | Qt::Key_D)},
        {Screen::BedBoard,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Bed board"),
         {P::BedRead},
         QKeySequence(Qt::CTRL | Qt::Key_B)},
        // Bedside charting: roles that write clinical records AND look after the ward's beds
        // (nurses). Doctors may POST vitals too, but their screens come with their issue.
        {Screen::Vitals,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Vitals"),
         {P::ClinicalWrite},
         QKeySequence(Qt::CTRL | Qt::Key_T),
         {P::BedManage, P::ClinicalRead}},
        {Screen::DueMedications,
         QT_TRANSLATE_NOOP("hms::client::Navigation", "Due medications"),
         {P::MedicationAdminister},
         QKeySequence(Qt::CTRL | Qt::Key_M)},
        {Screen::Users, QT_TRANSLATE_NOOP("hms::client::Navigation", "Users"), {P::UserManage}, {}},
        {Screen::Audit, QT_TRANSLATE_NOOP("hms::client::Navigation", "Audit"), {P::AuditRead}, {}},
        // Pharmacy (pharmacy.dispense) and Lab (lab.result.enter) join when their screens
        // land; until then those roles get the shell and the patient search (issue 8).
    };
    return table;
}

QString screenTitle(Screen screen)
{
    for (const ScreenEntry &entry : screenTable()) {
        if (entry.screen == screen)
            return QCoreApplication::translate("hms::client::Navigation", entry.title);
    }
    return {};
}

bool roleMayUse(hms::Role role, const ScreenEntry &entry)
{
    const auto has = [role](hms::Permission permission) {
        return hms::roleHas(role, permission);
    };
    return std::any_of(entry.anyOf.cbegin(), entry.anyOf.cend(), has)
        && std::all_of(entry.allOf.cbegin(), entry.allOf.cend(), has);
}

QList<Screen> screensFor(hms::Role role)
{
    QList<Screen> screens;
    for (const ScreenEntry &entry : screenTable()) {
        if (roleMayUse(role, entry))
            screens.append(entry.screen);
    }
    return screens;
}

QString screenDescription(Screen screen)
{
    switch (screen) {
    case Screen::Patients:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Find a patient by name, MRN or phone number.");
    case Screen::Register:
        return QCoreApplication::translate("hms::client::Navigation", "Register a new patient.");
    case Screen::Queue:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "The OPD queue: check patients in and call the next.");
    case Screen::Appointments:
        return QCoreApplication::translate(
            "hms::client::Navigation",
            "Book, move and cancel appointments; check booked patients in.");
    case Screen::Admissions:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Admit a patient to a free bed.");
    case Screen::BedBoard:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Wards and beds at a glance.");
    case Screen::Vitals:
        return QCoreApplication::translate(
            "hms::client::Navigation",
            "Chart an inpatient's vitals and nursing notes; see the vitals chart.");
    case Screen::DueMedications:
        return QCoreApplication::translate(
            "hms::client::Navigation",
            "The ward's due doses: record them as given, held or refused.");
    case Screen::Users:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Staff accounts and their roles.");
    case Screen::Audit:
        return QCoreApplication::translate("hms::client::Navigation", "Who did what, and when.");
    case Screen::Pharmacy:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Prescriptions to dispense and stock.");
    case Screen::Lab:
        return QCoreApplication::translate("hms::client::Navigation",
                                           "Lab orders and result entry.");
    }
    return {};
}

QString roleTitle(hms::Role role)
{
    switch (role) {
    case hms::Role::Admin:
        return QCoreApplication::translate("hms::client::Navigation", "Administrator");
    case hms::Role::Doctor:
        return QCoreApplication::translate("hms::client::Navigation", "Doctor");
    case hms::Role::Nurse:
        return QCoreApplication::translate("hms::client::Navigation", "Nurse");
    case hms::Role::Reception:
        return QCoreApplication::translate("hms::client::Navigation", "Reception");
    case hms::Role::Pharmacy:
        return QCoreApplication::translate("hms::client::Navigation", "Pharmacy");
    case hms::Role::Lab:
        return QCoreApplication::translate("hms::client::Navigation", "Lab");
    }
    return {};
}

QString screenKey(Screen screen)
{
    switch (screen) {
    case Screen::Patients:
        return QStringLiteral("patients");
    case Screen::Register:
        return QStringLiteral("register");
    case Screen::Queue:
        return QStringLiteral("queue");
    case Screen::Appointments:
        return QStringLiteral("appointments");
    case Screen::Admissions:
        return QStringLiteral("admissions");
    case Screen::BedBoard:
        return QStringLiteral("bed-board");
    case Screen::Vitals:
        return QStringLiteral("vitals");
    case Screen::DueMedications:
        return QStringLiteral("due-medications");
    case Screen::Users:
        return QStringLiteral("users");
    case Screen::Audit:
        return QStringLiteral("audit");
    case Screen::Pharmacy:
        return QStringLiteral("pharmacy");
    case Screen::Lab:
        return QStringLiteral("lab");
    }
    return {};
}

std::optional<Screen> screenFromKey(const QString &key)
{
    for (Screen screen :
         {Screen::Patients, Screen::Register, Screen::Queue, Screen::Appointments,
          Screen::Admissions, Screen::BedBoard, Screen::Vitals, Screen::DueMedications,
          Screen::Users, Screen::Audit, Screen::Pharmacy, Screen::Lab}) {
        if (screenKey(screen) == key)
            return screen;
    }
    return std::nullopt;
}

QKeySequence callNextShortcut()
{
    return QKeySequence(Qt::Key_F9);
}

} // namespace hms::client
