#pragma once

#include <QList>
#include <QString>

#include <optional>

namespace hms {

/// The six staff roles. A user has exactly one per hospital.
enum class Role { Admin, Doctor, Nurse, Reception, Pharmacy, Lab };

/// What a route or a screen needs. Names ("patient.read") are the wire and config spelling.
enum class Permission {
    PatientRead,
    PatientWrite,
    PatientMerge,
    ClinicalRead,
    ClinicalWrite,
    QueueManage,
    QueueCall,
    AppointmentManage,
    BedRead,
    BedManage,
    WardManage,
    AdmissionManage,
    MedicationAdminister,
    BillingRead,
    BillingWrite,
    PrescriptionRead,
    PharmacyDispense,
    StockManage,
    LabOrder,
    LabResultEnter,
    LabResultVerify,
    UserManage,
    AuditRead,
    WorkflowManage,
    DepartmentManage,
};

inline constexpr Role AllRoles[] = {Role::Admin,     Role::Doctor,   Role::Nurse,
                                    Role::Reception, Role::Pharmacy, Role::Lab};

QString roleName(Role role);
std::optional<Role> roleFromName(const QString &name);

QString permissionName(Permission permission);
std::optional<Permission> permissionFromName(const QString &name);
QList<Permission> allPermissions();

/// The role -> permission matrix. The server's routes and the client's screens both ask here.
bool roleHas(Role role, Permission permission);
QList<Permission> permissionsOf(Role role);

} // namespace hms
