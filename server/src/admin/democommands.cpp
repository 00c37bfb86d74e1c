#include "admin/commandsupport.h"
#include "auth/passwordhasher.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"
#include "ipd/ipdrepository.h"
#include "ipd/ipdservice.h"
#include "live/eventlog.h"
#include "medications/medicationrepository.h"
#include "opd/appointmentrepository.h"
#include "opd/opdrepository.h"
#include "opd/opdservice.h"
#include "patients/patientrepository.h"
#include "shared/patients/patientrules.h"
#include "users/userrepository.h"

#include <QDate>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QMap>

#include <pqxx/connection>
#include <pqxx/transaction>

#include <algorithm>

#include <sodium.h>

namespace hms::server::admin {

namespace {

constexpr char DemoHospital[] = "demo";

// 4 groups of 5 from an unambiguous alphabet: ~100 bits, easy to type from the printout.
QString randomPassword()
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    QString password;
    for (int i = 0; i < 20; ++i) {
        if (i > 0 && i % 5 == 0)
            password += QLatin1Char('-');
        password += QLatin1Char(alphabet[randombytes_uniform(sizeof(alphabet) - 1)]);
    }
    return password;
}

// Three wards with a few rooms of beds, once (when the demo hospital has no ward yet), so the
// bed board has something to show. Written as the admin, audited, with their events. Returns
// the beds it made (none when the wards were there already).
QList<BedRow> seedDemoWards(pqxx::transaction_base &tx, qint64 hospitalId, qint64 adminId)
{
    QList<BedRow> beds;
    if (!IpdRepository::wards(tx, hospitalId).empty())
        return beds;

    struct DemoWard
    {
        const char *code;
        const char *name;
        const char *kind;
        int rooms;
        int bedsPerRoom;
        qint64 dailyRate;
        QStringList features;
    };

    const DemoWard wards[] = {
        {"GEN", "General medicine", "general", 4, 4, 150000, {QStringLiteral("oxygen")}},
        {"ICU",
         "Intensive care",
         "icu",
         2,
         3,
         900000,
         {QStringLiteral("oxygen"), QStringLiteral("monitor"), QStringLiteral("ventilator")}},
        {"MAT", "Maternity", "maternity", 3, 2, 200000, {QStringLiteral("oxygen")}},
    };
    for (const DemoWard &demo : wards) {
        const std::optional<WardRow> ward =
            IpdRepository::insertWard(tx, hospitalId, QLatin1String(demo.code),
                                      QLatin1String(demo.name), QLatin1String(demo.kind), adminId);
        if (!ward)
            continue;
        EventLog::append(tx, hospitalId, IpdService::topicOf(ward->id),
                         QStringLiteral("ward.created"),
                         {{QStringLiteral("wardId"), QString::number(ward->id)}});
        AuditLog::append(tx,
                         consoleAudit(hospitalId, QStringLiteral("ward.create"),
                                      QStringLiteral("ward"), QString::number(ward->id)));
        for (int room = 1; room <= demo.rooms; ++room) {
            const qint64 roomId =
                IpdRepository::roomFor(tx, hospitalId, ward->id, QString::number(100 + room));
            for (int bed = 0; bed < demo.bedsPerRoom; ++bed) {
                const std::optional<BedRow> created = IpdRepository::insertBed(
                    tx, hospitalId, ward->id, roomId, QString(QLatin1Char(char('A' + bed))),
                    demo.features, demo.dailyRate, adminId);
                if (!created)
                    continue;
                beds.append(*created);
                EventLog::append(tx, hospitalId, IpdService::topicOf(ward->id),
                                 QStringLiteral("bed.created"),
                                 {{QStringLiteral("bedId"), QString::number(created->id)},
                                  {QStringLiteral("wardId"), QString::number(ward->id)},
                                  {QStringLiteral("status"), created->status}});
                AuditLog::append(tx,
                                 consoleAudit(hospitalId, QStringLiteral("bed.create"),
                                              QStringLiteral("bed"), QString::number(created->id)));
            }
        }
    }
    return beds;
}

// Fictional people for the demo; never real patients.
constexpr const char *DemoPatients[] = {
    "Amara Okafor", "Bruno Silva",   "Chen Wei",      "Dana Kowalski",  "Elif Yilmaz",
    "Farid Haddad", "Grace Mensah",  "Hiro Tanaka",   "Ines Moreau",    "Jonas Berg",
    "Kavya Reddy",  "Liam O'Connor", "Maya Cohen",    "Nikolai Petrov", "Olivia Brown",
    "Pablo Ruiz",   "Qi Zhang",      "Rosa Martinez", "Samir Khan",     "Tara Nguyen",
    "Umar Farouk",  "Vera Novak",    "Wanjiru Kamau", "Xavier Dubois",  "Yara Nasser",
    "Zoe Fischer",  "Arjun Mehta",   "Beatriz Costa", "Caleb Johnson",  "Dina Rahman",
};

// Departments with the demo doctor and weekly schedules, ~30 patients, a morning queue and
// a few admissions, once (when the demo hospital has no department yet), so every screen of
// the client shows something. Audited and with their live events, like the API would.
void seedDemoClinic(pqxx::transaction_base &tx,
                    qint64 hospitalId,
                    const QString &hospitalCode,
                    qint64 adminId,
                    qint64 doctorId,
                    qint64 receptionId,
                    const QList<BedRow> &beds)
{
    if (!OpdRepository::departments(tx, hospitalId).empty())
        return;
    const auto audit = [&](const char *action, const char *entity, qint64 id) {
        AuditLog::append(tx,
                         consoleAudit(hospitalId, QLatin1String(action), QLatin1String(entity),
                                      QString::number(id)));
    };

    struct DemoDepartment
    {
        const char *code;
        const char *name;
        QList<int> weekdays;
        const char *start;
        const char *end;
        int slotMinutes;
    };

    const DemoDepartment departments[] = {
        {"GEN", "General medicine", {1, 2, 3, 4, 5}, "08:00", "12:00", 15},
        {"PED", "Paediatrics", {1, 2, 3, 4, 5}, "13:00", "16:00", 20},
        {"ORT", "Orthopaedics", {6, 7}, "09:00", "13:00", 30},
    };
    QList<qint64> departmentIds;
    for (const DemoDepartment &demo : departments) {
        const std::optional<DepartmentRow> department = OpdRepository::insertDepartment(
            tx, hospitalId, QLatin1String(demo.code), QLatin1String(demo.name), adminId);
        if (!department)
            continue;
        departmentIds.append(department->id);
        audit("department.create", "department", department->id);
        OpdRepository::addDoctor(tx, hospitalId, department->id, doctorId);
        for (int weekday : demo.weekdays) {
            const ScheduleRow rule = AppointmentRepository::insertSchedule(
                tx, hospitalId, department->id, doctorId, weekday, QLatin1String(demo.start),
                QLatin1String(demo.end), demo.slotMinutes, adminId);
            audit("schedule.create", "schedule", rule.id);
        }
    }

    const int year = QDate::currentDate().year();
    QList<qint64> patientIds;
    int serial = 0;
    for (const char *name : DemoPatients) {
        ++serial;
        PatientInput input;
        input.fullName = QLatin1String(name);
        input.birthDate = QDate(1950 + (serial * 7) % 70, 1 + serial % 12, 1 + (serial * 3) % 28);
        input.sex = serial % 2 ? QStringLiteral("F") : QStringLiteral("M");
        input.phone = QStringLiteral("+1555010%1").arg(serial, 4, 10, QLatin1Char('0'));
        const qint64 number = PatientRepository::nextMrnParts(tx, hospitalId).number;
        const qint64 id = PatientRepository::insert(
                              tx, hospitalId, computeMrn(mrnPrefixFor(hospitalCode), year, number),
                              input, receptionId)
                              .id;
        patientIds.append(id);
        audit("patient.register", "patient", id);
    }

    // This morning's queue of the first department: six patients checked in.
    if (!departmentIds.isEmpty()) {
        const qint64 departmentId = departmentIds.first();
        const QString today = OpdRepository::today(tx, hospitalId);
        for (int i = 0; i < 6 && i < patientIds.size(); ++i) {
            const int token = OpdRepository::nextToken(tx, hospitalId, departmentId, today);
            const VisitRow visit = OpdRepository::insertVisit(
                tx, hospitalId, departmentId, patientIds.at(i), today, token, receptionId);
            EventLog::append(tx, hospitalId, OpdService::topicOf(departmentId),
                             QStringLiteral("visit.checked_in"),
                             {{QStringLiteral("visitId"), QString::number(visit.id)},
                              {QStringLiteral("token"), token},
                              {QStringLiteral("state"), visit.state},
                              {QStringLiteral("patientId"), QString::number(visit.patientId)}});
            audit("visit.check_in", "visit", visit.id);
        }
    }

    // Every third bed occupied by a later patient of the list.
    int next = 10;
    for (int i = 0; i < beds.size() && next < patientIds.size(); i += 3, ++next) {
        const BedRow &bed = beds.at(i);
        NewAdmission admission;
        admission.patientId = patientIds.at(next);
        admission.bedId = bed.id;
        admission.attendingDoctorId = doctorId;
        admission.reason = QStringLiteral("Demo admission");
        const AdmissionRow admitted =
            IpdRepository::insertAdmission(tx, hospitalId, admission, receptionId);
        const BedRow occupied = IpdRepository::setBedStatus(
            tx, hospitalId, bed.id, QStringLiteral("occupied"), receptionId);
        EventLog::append(tx, hospitalId, IpdService::topicOf(bed.wardId),
                         QStringLiteral("bed.occupied"),
                         {{QStringLiteral("bedId"), QString::number(bed.id)},
                          {QStringLiteral("wardId"), QString::number(bed.wardId)},
                          {QStringLiteral("status"), occupied.status}});
        audit("admission.create", "admission", admitted.id);
    }
}

// Orders for the first demo inpatients, so that the nurse's due list has scheduled doses (some
// overdue: they started yesterday) and as-needed ones. An admission that has any prescription
// already is left alone, so a second run adds nothing. Audited and with their live events.
void seedDemoPrescriptions(pqxx::transaction_base &tx, qint64 hospitalId, qint64 doctorId)
{
    struct DemoOrder
    {
        int admission; ///< index among the oldest active admissions
        const char *drug;
        const char *dose;
        const char *route;
        const char *frequency;
        const char *instructions;
    };

    const DemoOrder orders[] = {
        {0, "Paracetamol", "1 g", "oral", "QID", nullptr},
        {0, "Morphine sulfate", "2 mg", "iv", "PRN", "Pain score 7/10 or more; 4 h apart at least"},
        {1, "Amoxicillin", "500 mg", "oral", "TDS", nullptr},
        {1, "Ondansetron", "4 mg", "iv", "PRN", "Nausea or vomiting"},
        {2, "Enoxaparin", "40 mg", "sc", "OD", "Thromboprophylaxis"},
    };
    std::vector<AdmissionRow> admissions =
        IpdRepository::admissions(tx, hospitalId, std::nullopt, QStringLiteral("active"), 100);
    std::reverse(admissions.begin(), admissions.end()); // oldest first: the same ones each run
    QList<qint64> untouched; // admissions without any prescription yet
    for (const AdmissionRow &admission : admissions) {
        if (MedicationRepository::prescriptionsOfAdmission(tx, hospitalId, admission.id).empty())
            untouched.append(admission.id);
    }
    // Started yesterday on the hour (the demo hospital runs on UTC), for a week.
    QDateTime start = QDateTime::currentDateTimeUtc().addDays(-1);
    start.setTime(QTime(start.time().hour(), 0));
    for (const DemoOrder &demo : orders) {
        if (demo.admission >= int(admissions.size()))
            continue;
        const AdmissionRow &admission = admissions.at(demo.admission);
        if (!untouched.contains(admission.id))
            continue;
        NewPrescription order;
        order.patientId = admission.patientId;
        order.admissionId = admission.id;
        order.drug = QLatin1String(demo.drug);
        order.dose = QLatin1String(demo.dose);
        order.route = QLatin1String(demo.route);
        order.frequency = QLatin1String(demo.frequency);
        order.startAt = start.toString(Qt::ISODate);
        order.durationDays = 7;
        if (demo.instructions)
            order.instructions = QLatin1String(demo.instructions);
        const PrescriptionRow created =
            MedicationRepository::insertPrescription(tx, hospitalId, order, doctorId);
        EventLog::append(tx, hospitalId, IpdService::topicOf(admission.wardId),
                         QStringLiteral("prescription.created"),
                         {{QStringLiteral("prescriptionId"), QString::number(created.id)},
                          {QStringLiteral("admissionId"), QString::number(admission.id)},
                          {QStringLiteral("bedId"), QString::number(admission.bedId)},
                          {QStringLiteral("wardId"), QString::number(admission.wardId)}});
        AuditLog::append(tx,
                         consoleAudit(hospitalId, QStringLiteral("prescription.create"),
                                      QStringLiteral("prescription"), QString::number(created.id)));
    }
}

// "role username password" per line; the file is 0600 and lives under var/.
QMap<QString, QString> readCredentials(const QString &path)
{
    QMap<QString, QString> passwords;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return passwords;
    while (!file.atEnd()) {
        const QStringList parts =
            QString::fromUtf8(file.readLine()).trimmed().split(QLatin1Char(' '));
        if (parts.size() == 3 && !parts[0].startsWith(QLatin1Char('#')))
            passwords.insert(parts[1], parts[2]);
    }
    return passwords;
}

int demoSeed(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption file(QStringLiteral("credentials-file"),
                                  QStringLiteral("Where the demo passwords are kept (0600)."),
                                  QStringLiteral("path"));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("demo-seed"),
            QStringLiteral(
                "Create hospital 'demo' with one user per role and print their passwords.\n"
                "For trying HMS out; never on a production database."),
            {file}, {QStringLiteral("credentials-file")}))
        return *exit;
    const QString path = parser.value(file);

    return runGuarded(context, QStringLiteral("demo-seed"), [&] {
        QMap<QString, QString> passwords = readCredentials(path);
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        std::optional<HospitalRow> hospital =
            HospitalRepository::findByCode(tx, QLatin1String(DemoHospital));
        if (!hospital) {
            hospital =
                HospitalRepository::insert(tx, QLatin1String(DemoHospital),
                                           QStringLiteral("Demo Hospital"), QStringLiteral("UTC"));
            enterTenant(tx, hospital->id);
            AuditLog::append(tx,
                             consoleAudit(hospital->id, QStringLiteral("hospital.create"),
                                          QStringLiteral("hospital"),
                                          QString::number(hospital->id)));
        }
        enterTenant(tx, hospital->id);
        tx.exec0(SetLocalRoleApplication); // RLS from here on

        const std::unique_ptr<PasswordHasher> hasher = consoleHasher();
        QList<QStringList> table;
        for (const Role role : AllRoles) {
            const QString username = roleName(role);
            const std::optional<UserRow> user = UserRepository::findByUsername(tx, username);
            if (!user || !passwords.contains(username)) {
                // New user, or the file was lost: give it a fresh password we can print.
                const QString password = randomPassword();
                const std::optional<std::string> hash = hasher->hash(password);
                if (!hash)
                    throw CommandFailure(QStringLiteral("password hashing is busy; try again"));
                QString id;
                if (user) {
                    UserRepository::setPasswordHash(tx, user->id, *hash);
                    UserRepository::unlock(tx, user->id);
                    id = QString::number(user->id);
                } else {
                    const QString displayName = QStringLiteral("Demo ") + username;
                    id = QString::number(UserRepository::insert(
                        tx, {hospital->id, username, displayName, role, *hash}));
                }
                AuditLog::append(tx,
                                 consoleAudit(hospital->id,
                                              user ? QStringLiteral("user.password.reset")
                                                   : QStringLiteral("user.create"),
                                              QStringLiteral("user"), id));
                passwords.insert(username, password);
            }
            table.append(
                {QLatin1String(DemoHospital), username, roleName(role), passwords.value(username)});
        }

        const std::optional<UserRow> admin =
            UserRepository::findByUsername(tx, roleName(Role::Admin));
        const std::optional<UserRow> doctor =
            UserRepository::findByUsername(tx, roleName(Role::Doctor));
        const std::optional<UserRow> reception =
            UserRepository::findByUsername(tx, roleName(Role::Reception));
        if (admin) {
            const QList<BedRow> beds = seedDemoWards(tx, hospital->id, admin->id);
            if (doctor && reception)
                seedDemoClinic(tx, hospital->id, QLatin1String(DemoHospital), admin->id, doctor->id,
                               reception->id, beds);
        }
        if (doctor)
            seedDemoPrescriptions(tx, hospital->id, doctor->id);

        QFile out(path);
        if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
            throw CommandFailure(QStringLiteral("cannot write %1").arg(path));
        out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        out.write("# HMS demo users: role username password (hospital 'demo')\n");
        for (const QStringList &row : std::as_const(table))
            out.write(QStringLiteral("%1 %2 %3\n").arg(row[2], row[1], row[3]).toUtf8());
        out.close();
        tx.commit();

        printTable(context, false,
                   {QStringLiteral("hospital"), QStringLiteral("username"), QStringLiteral("role"),
                    QStringLiteral("password")},
                   table);
        return int(Ok);
    });
}

} // namespace

void addDemoCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("demo-seed")},
                     QStringLiteral("create the demo hospital and users"),
                     demoSeed});
}

} // namespace hms::server::admin
