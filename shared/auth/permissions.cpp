#include "shared/auth/permissions.h"

#include <array>
#include <utility>

namespace hms {

namespace {

constexpr std::array<std::pair<Role, const char *>, 6> RoleNames{{
    {Role::Admin, "admin"},
    {Role::Doctor, "doctor"},
    {Role::Nurse, "nurse"},
    {Role::Reception, "reception"},
    {Role::Pharmacy, "pharmacy"},
    {Role::Lab, "lab"},
}};

constexpr std::array<std::pair<Permission, const char *>, 25> PermissionNames{{
    {Permission::PatientRead, "patient.read"},
    {Permission::PatientWrite, "patient.write"},
    {Permission::PatientMerge, "patient.merge"},
    {Permission::ClinicalRead, "clinical.read"},
    {Permission::ClinicalWrite, "clinical.write"},
    {Permission::QueueManage, "queue.manage"},
    {Permission::QueueCall, "queue.call"},
    {Permission::AppointmentManage, "appointment.manage"},
    {Permission::BedRead, "bed.read"},
    {Permission::BedManage, "bed.manage"},
    {Permission::WardManage, "ward.manage"},
    {Permission::AdmissionManage, "admission.manage"},
    {Permission::MedicationAdminister, "medication.administer"},
    {Permission::BillingRead, "billing.read"},
    {Permission::BillingWrite, "billing.write"},
    {Permission::PrescriptionRead, "prescription.read"},
    {Permission::PharmacyDispense, "pharmacy.dispense"},
    {Permission::StockManage, "stock.manage"},
    {Permission::LabOrder, "lab.order"},
    {Permission::LabResultEnter, "lab.result.enter"},
    {Permission::LabResultVerify, "lab.result.verify"},
    {Permission::UserManage, "user.manage"},
    {Permission::AuditRead, "audit.read"},
    {Permission::WorkflowManage, "workflow.manage"},
    {Permission::DepartmentManage, "department.manage"},
}};

// Least privilege: admins run the system but read no clinical records; pharmacy and lab
// see demographics and their own work queues, not notes or diagnoses.
QList<Permission> matrixRow(Role role)
{
    using P = Permission;
    switch (role) {
    case Role::Admin:
        return {P::PatientRead,    P::PatientMerge,    P::BedRead,    P::BedManage,
                P::WardManage,     P::BillingRead,     P::UserManage, P::AuditRead,
                P::WorkflowManage, P::DepartmentManage};
    case Role::Doctor:
        return {P::PatientRead,      P::PatientWrite,      P::ClinicalRead,   P::ClinicalWrite,
                P::QueueCall,        P::AppointmentManage, P::BedRead,        P::AdmissionManage,
                P::PrescriptionRead, P::LabOrder,          P::LabResultVerify};
    case Role::Nurse:
        return {P::PatientRead, P::ClinicalRead, P::ClinicalWrite,        P::QueueManage,
                P::BedRead,     P::BedManage,    P::MedicationAdminister, P::PrescriptionRead};
    case Role::Reception:
        return {P::PatientRead, P::PatientWrite,    P::QueueManage, P::AppointmentManage,
                P::BedRead,     P::AdmissionManage, P::BillingRead, P::BillingWrite};
    case Role::Pharmacy:
        return {P::PatientRead, P::PrescriptionRead, P::PharmacyDispense, P::StockManage};
    case Role::Lab:
        return {P::PatientRead, P::LabResultEnter};
    }
    return {};
}

} // namespace

QString roleName(Role role)
{
    for (const auto &[value, name] : RoleNames) {
        if (value == role)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<Role> roleFromName(const QString &name)
{
    for (const auto &[value, text] : RoleNames) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

QString permissionName(Permission permission)
{
    for (const auto &[value, name] : PermissionNames) {
        if (value == permission)
            return QString::fromLatin1(name);
    }
    return {};
}

std::optional<Permission> permissionFromName(const QString &name)
{
    for (const auto &[value, text] : PermissionNames) {
        if (name == QLatin1String(text))
            return value;
    }
    return std::nullopt;
}

QList<Permission> allPermissions()
{
    QList<Permission> list;
    for (const auto &entry : PermissionNames)
        list.append(entry.first);
    return list;
}

bool roleHas(Role role, Permission permission)
{
    return matrixRow(role).contains(permission);
}

QList<Permission> permissionsOf(Role role)
{
    return matrixRow(role);
}

} // namespace hms
