// hms-admin wards staff [set]: who works on a ward, from the console. The rules, the
// live event and the audit row are WardStaffService's (the same as PUT /wards/{id}/staff);
// only the audit's actor differs (the console).
#include "admin/commandsupport.h"
#include "common/domainerror.h"
#include "common/jsonfields.h"
#include "ipd/ipdrepository.h"
#include "users/userrepository.h"
#include "wardstaff/wardstaffservice.h"

#include <pqxx/connection>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

const QCommandLineOption HospitalOption(QStringLiteral("hospital"),
                                        QStringLiteral("Hospital code."),
                                        QStringLiteral("code"));
const QCommandLineOption
    WardOption(QStringLiteral("ward"), QStringLiteral("Ward code."), QStringLiteral("code"));
const QCommandLineOption JsonOption(QStringLiteral("json"), QStringLiteral("Print JSON."));

/// The ward with \a code in the hospital \a tx is bound to.
qint64 wardByCode(pqxx::transaction_base &tx, qint64 hospitalId, const QString &code)
{
    for (const WardRow &ward : IpdRepository::wards(tx, hospitalId))
        if (ward.code == code)
            return ward.id;
    throw CommandFailure(QStringLiteral("no ward with code %1 in this hospital").arg(code));
}

/// Usernames (repeated options, or comma-separated) -> user ids of this hospital.
std::vector<qint64> userIds(pqxx::transaction_base &tx, const QStringList &usernames)
{
    std::vector<qint64> ids;
    for (const QString &username : usernames) {
        const std::optional<UserRow> user = UserRepository::findByUsername(tx, username);
        if (!user)
            throw CommandFailure(QStringLiteral("no user %1 in this hospital").arg(username));
        ids.push_back(user->id);
    }
    return ids;
}

QStringList listed(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    QStringList names;
    for (const QString &value : parser.values(option))
        for (const QString &name : value.split(QLatin1Char(','), Qt::SkipEmptyParts))
            names.append(name.trimmed());
    return names;
}

void printStaff(CommandContext &context, bool json, const std::vector<WardStaffMember> &staff)
{
    QList<QStringList> rows;
    for (const WardStaffMember &member : staff)
        rows.append({member.duty, idText(member.userId), member.username, member.role,
                     member.enabled ? QStringLiteral("yes") : QStringLiteral("no"),
                     member.displayName});
    printTable(context, json,
               {QStringLiteral("duty"), QStringLiteral("userId"), QStringLiteral("username"),
                QStringLiteral("role"), QStringLiteral("enabled"), QStringLiteral("displayName")},
               rows);
}

int wardStaffList(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(context, parser, QStringLiteral("wards staff"),
                                 QStringLiteral("List a ward's nurses and supervisors."),
                                 {HospitalOption, WardOption, JsonOption},
                                 {QStringLiteral("hospital"), QStringLiteral("ward")}))
        return *exit;
    return runGuarded(context, QStringLiteral("wards staff"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        const qint64 hospital = enterHospital(tx, parser.value(HospitalOption));
        const qint64 ward = wardByCode(tx, hospital, parser.value(WardOption));
        printStaff(context, parser.isSet(JsonOption),
                   WardStaffService::staffIn(tx, hospital, ward));
        return int(Ok);
    });
}

int wardStaffSet(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption nurse(QStringLiteral("nurse"),
                                   QStringLiteral("A nurse on duty (username; repeat or a,b)."),
                                   QStringLiteral("username"));
    const QCommandLineOption supervisor(
        QStringLiteral("supervisor"),
        QStringLiteral("A supervisor, nurse or doctor (username; repeat or a,b)."),
        QStringLiteral("username"));
    const QCommandLineOption clear(QStringLiteral("clear"),
                                   QStringLiteral("Allowed without --nurse/--supervisor: "
                                                  "nobody on the ward."));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("wards staff set"),
            QStringLiteral("Replace a ward's whole staff list (audited; the ward's live topic is "
                           "told)."),
            {HospitalOption, WardOption, nurse, supervisor, clear, JsonOption},
            {QStringLiteral("hospital"), QStringLiteral("ward")}))
        return *exit;
    const QStringList nurseNames = listed(parser, nurse);
    const QStringList supervisorNames = listed(parser, supervisor);
    if (nurseNames.isEmpty() && supervisorNames.isEmpty() && !parser.isSet(clear)) {
        context.err << "hms-admin wards staff set: name --nurse/--supervisor users, or pass "
                       "--clear to leave the ward without staff"
                    << Qt::endl;
        return UsageError;
    }
    if (qsizetype(qMax(nurseNames.size(), supervisorNames.size())) > WardStaffService::MaxPerDuty) {
        context.err << "hms-admin wards staff set: at most " << WardStaffService::MaxPerDuty
                    << " users per duty" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("wards staff set"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const qint64 hospital = enterHospital(tx, parser.value(HospitalOption));
        const qint64 ward = wardByCode(tx, hospital, parser.value(WardOption));
        std::vector<WardStaffMember> staff;
        try {
            staff =
                WardStaffService::replaceIn(tx, hospital, ward, userIds(tx, nurseNames),
                                            userIds(tx, supervisorNames), std::nullopt,
                                            consoleAudit(hospital, QStringLiteral("ward.staff.set"),
                                                         QStringLiteral("ward"), idText(ward)));
        } catch (const DomainError &error) {
            // nurses[i] / supervisors[i] -> the username given for it.
            QStringList reasons;
            for (const auto &field : error.problem().errors) {
                const bool nurses = field.field.startsWith(QLatin1String("nurses["));
                const int index = field.field.section(QLatin1Char('['), 1).chopped(1).toInt();
                const QStringList &names = nurses ? nurseNames : supervisorNames;
                reasons.append(QStringLiteral("%1 %2").arg(
                    index < names.size() ? names.at(index) : field.field, field.message));
            }
            throw CommandFailure(reasons.isEmpty() ? error.problem().detail
                                                   : reasons.join(QStringLiteral("; ")));
        }
        tx.commit();
        printStaff(context, parser.isSet(JsonOption), staff);
        return int(Ok);
    });
}

} // namespace

void addWardCommands(QList<Command> &commands)
{
    commands.append({{QStringLiteral("wards"), QStringLiteral("staff")},
                     QStringLiteral("list a ward's nurses and supervisors"),
                     wardStaffList});
    commands.append({{QStringLiteral("wards"), QStringLiteral("staff"), QStringLiteral("set")},
                     QStringLiteral("replace a ward's nurses and supervisors"),
                     wardStaffSet});
}

} // namespace hms::server::admin
