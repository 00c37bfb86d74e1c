#include "admin/commandsupport.h"
#include "db/sql.h"
#include "db/tenant.h"
#include "hospitals/hospitalrepository.h"
#include "workflows/wfadmin.h"
#include "workflows/wfapi.h"

#include <QJsonDocument>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

namespace hms::server::admin {

namespace {

// Finished runs older than $1 days, for wf archive.
constexpr char ArchivableRuns[] = "SELECT run_id FROM wf.run WHERE status IN ('completed', "
                                  "'failed', 'dead', 'cancelled') AND finished_at < now() - "
                                  "make_interval(days => $1)";

const QCommandLineOption JsonOption(QStringLiteral("json"), QStringLiteral("Print JSON."));
const QCommandLineOption
    IdOption(QStringLiteral("id"), QStringLiteral("The run id."), QStringLiteral("id"));
const QCommandLineOption HospitalOption(QStringLiteral("hospital"),
                                        QStringLiteral("Only this hospital (code)."),
                                        QStringLiteral("code"));

QString cell(const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("-");
    if (value.isDouble())
        return QString::number(value.toInteger());
    if (value.isBool())
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    return value.toString();
}

void printObjects(CommandContext &context,
                  bool json,
                  const QStringList &columns,
                  const QJsonArray &objects)
{
    if (json) {
        context.out << QJsonDocument(objects).toJson(QJsonDocument::Indented);
        context.out.flush();
        return;
    }
    QList<QStringList> rows;
    for (const QJsonValue &object : objects) {
        QStringList row;
        for (const QString &column : columns)
            row.append(cell(object.toObject().value(column)));
        rows.append(row);
    }
    printTable(context, false, columns, rows);
}

std::optional<qint64> hospitalFilter(pqxx::transaction_base &tx, const QString &code)
{
    if (code.isEmpty())
        return std::nullopt;
    const std::optional<HospitalRow> hospital = HospitalRepository::findByCode(tx, code);
    if (!hospital)
        throw CommandFailure(QStringLiteral("no hospital with code %1").arg(code));
    return hospital->id;
}

std::optional<qint64>
runIdOf(CommandContext &context, const QCommandLineParser &parser, const QString &usage)
{
    bool ok = false;
    const qint64 id = parser.value(IdOption).toLongLong(&ok);
    if (!ok || id <= 0) {
        context.err << "hms-admin " << usage << ": --id takes a run id" << Qt::endl;
        return std::nullopt;
    }
    return id;
}

int wfList(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption status(QStringLiteral("status"), QStringLiteral("Only this status."),
                                    QStringLiteral("status"));
    const QCommandLineOption type(QStringLiteral("type"), QStringLiteral("Only this type."),
                                  QStringLiteral("type"));
    const QCommandLineOption queue(QStringLiteral("queue"), QStringLiteral("Only this queue."),
                                   QStringLiteral("queue"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("At most n (100)."),
                                   QStringLiteral("n"), QStringLiteral("100"));
    if (auto exit = parseCommand(context, parser, QStringLiteral("wf list"),
                                 QStringLiteral("List workflow runs, newest first."),
                                 {HospitalOption, status, type, queue, limit, JsonOption}))
        return *exit;
    bool ok = false;
    const int max = parser.value(limit).toInt(&ok);
    if (!ok || max < 1 || max > 10000) {
        context.err << "hms-admin wf list: --limit takes 1 to 10000" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("wf list"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        wf::admin::Filter filter;
        filter.hospitalId = hospitalFilter(tx, parser.value(HospitalOption));
        filter.status = parser.value(status);
        filter.type = parser.value(type);
        filter.queue = parser.value(queue);
        filter.limit = max;
        printObjects(context, parser.isSet(JsonOption),
                     {QStringLiteral("id"), QStringLiteral("queue"), QStringLiteral("type"),
                      QStringLiteral("version"), QStringLiteral("status"),
                      QStringLiteral("attempt"), QStringLiteral("runAt"),
                      QStringLiteral("lastError")},
                     wf::admin::list(tx, filter));
        return int(Ok);
    });
}

int wfShow(CommandContext &context)
{
    QCommandLineParser parser;
    if (auto exit = parseCommand(context, parser, QStringLiteral("wf show"),
                                 QStringLiteral("Show a run with its step journal."),
                                 {IdOption, JsonOption}, {QStringLiteral("id")}))
        return *exit;
    const std::optional<qint64> id = runIdOf(context, parser, QStringLiteral("wf show"));
    if (!id)
        return UsageError;
    return runGuarded(context, QStringLiteral("wf show"), [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        const std::optional<QJsonObject> run = wf::admin::show(tx, *id, std::nullopt);
        if (!run)
            throw CommandFailure(QStringLiteral("no workflow run %1").arg(*id));
        if (parser.isSet(JsonOption)) {
            context.out << QJsonDocument(*run).toJson(QJsonDocument::Indented);
            context.out.flush();
            return int(Ok);
        }
        printObjects(context, false,
                     {QStringLiteral("id"), QStringLiteral("queue"), QStringLiteral("type"),
                      QStringLiteral("version"), QStringLiteral("status"),
                      QStringLiteral("attempt"), QStringLiteral("maxAttempts"),
                      QStringLiteral("runAt"), QStringLiteral("lastError")},
                     QJsonArray{*run});
        context.out << "\n";
        QJsonArray steps;
        for (const QJsonValue &step : run->value(QStringLiteral("steps")).toArray()) {
            QJsonObject row = step.toObject();
            row.insert(
                QStringLiteral("output"),
                QString::fromUtf8(QJsonDocument(row.value(QStringLiteral("output")).toObject())
                                      .toJson(QJsonDocument::Compact)));
            steps.append(row);
        }
        printObjects(context, false,
                     {QStringLiteral("seq"), QStringLiteral("name"), QStringLiteral("kind"),
                      QStringLiteral("attempt"), QStringLiteral("finishedAt"),
                      QStringLiteral("output")},
                     steps);
        return int(Ok);
    });
}

int wfChange(CommandContext &context, bool retry)
{
    const QString usage = retry ? QStringLiteral("wf retry") : QStringLiteral("wf cancel");
    QCommandLineParser parser;
    if (auto exit = parseCommand(context, parser, usage,
                                 retry ? QStringLiteral("Run a dead, failed or cancelled run again "
                                                        "(completed steps are not repeated).")
                                       : QStringLiteral("Cancel a run that has not finished."),
                                 {IdOption}, {QStringLiteral("id")}))
        return *exit;
    const std::optional<qint64> id = runIdOf(context, parser, usage);
    if (!id)
        return UsageError;
    return runGuarded(context, usage, [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const std::optional<qint64> hospital = wf::admin::hospitalOf(tx, *id);
        if (!hospital)
            throw CommandFailure(QStringLiteral("no workflow run %1").arg(*id));
        const wf::admin::Change result =
            retry ? wf::admin::retry(tx, *id, hospital) : wf::admin::cancel(tx, *id, hospital);
        if (result != wf::admin::Change::Done)
            throw CommandFailure(
                retry ? QStringLiteral("run %1 is not dead, failed or cancelled").arg(*id)
                      : QStringLiteral("run %1 has already finished").arg(*id));
        enterTenant(tx, *hospital);
        AuditLog::append(tx,
                         consoleAudit(*hospital,
                                      retry ? QStringLiteral("workflow.retry")
                                            : QStringLiteral("workflow.cancel"),
                                      QStringLiteral("workflow_run"), QString::number(*id)));
        tx.commit();
        context.out << (retry ? "retrying run " : "cancelled run ") << *id << Qt::endl;
        return int(Ok);
    });
}

int wfSignal(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption name(QStringLiteral("name"), QStringLiteral("Signal name."),
                                  QStringLiteral("name"));
    const QCommandLineOption payload(QStringLiteral("payload"),
                                     QStringLiteral("JSON object (ids only)."),
                                     QStringLiteral("json"), QStringLiteral("{}"));
    if (auto exit = parseCommand(
            context, parser, QStringLiteral("wf signal"), QStringLiteral("Send a signal to a run."),
            {IdOption, name, payload}, {QStringLiteral("id"), QStringLiteral("name")}))
        return *exit;
    const std::optional<qint64> id = runIdOf(context, parser, QStringLiteral("wf signal"));
    const QJsonDocument document = QJsonDocument::fromJson(parser.value(payload).toUtf8());
    if (!id || !document.isObject()) {
        if (id)
            context.err << "hms-admin wf signal: --payload must be a JSON object" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("wf signal"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const std::optional<qint64> hospital = wf::admin::hospitalOf(tx, *id);
        if (!hospital)
            throw CommandFailure(QStringLiteral("no workflow run %1").arg(*id));
        enterTenant(tx, *hospital);
        const wf::SignalResult result =
            wf::signal(tx, *hospital, *id, parser.value(name), document.object());
        if (result == wf::SignalResult::Finished)
            throw CommandFailure(QStringLiteral("run %1 has already finished").arg(*id));
        if (result == wf::SignalResult::NotFound)
            throw CommandFailure(QStringLiteral("no workflow run %1").arg(*id));
        AuditEntry audit = consoleAudit(*hospital, QStringLiteral("workflow.signal"),
                                        QStringLiteral("workflow_run"), QString::number(*id));
        audit.details = {{QStringLiteral("signal"), parser.value(name)}};
        AuditLog::append(tx, audit);
        tx.commit();
        context.out << "signal sent to run " << *id << Qt::endl;
        return int(Ok);
    });
}

int wfOverview(CommandContext &context, bool workers)
{
    const QString usage = workers ? QStringLiteral("wf workers") : QStringLiteral("wf queues");
    QCommandLineParser parser;
    if (auto exit = parseCommand(
            context, parser, usage,
            workers ? QStringLiteral("List worker processes and their heartbeats.")
                    : QStringLiteral("Queue depth per queue and (type, version), with dead runs "
                                     "and runs no live worker can claim."),
            {HospitalOption, JsonOption}))
        return *exit;
    return runGuarded(context, usage, [&] {
        auto connection = connectConsole(context);
        pqxx::read_transaction tx(*connection);
        const std::optional<qint64> hospital = hospitalFilter(tx, parser.value(HospitalOption));
        if (workers)
            printObjects(context, parser.isSet(JsonOption),
                         {QStringLiteral("workerId"), QStringLiteral("queue"),
                          QStringLiteral("versions"), QStringLiteral("concurrency"),
                          QStringLiteral("heartbeatAt"), QStringLiteral("alive"),
                          QStringLiteral("leaseLost")},
                         wf::admin::workers(tx, hospital));
        else
            printObjects(context, parser.isSet(JsonOption),
                         {QStringLiteral("queue"), QStringLiteral("type"),
                          QStringLiteral("version"), QStringLiteral("ready"),
                          QStringLiteral("running"), QStringLiteral("waiting"),
                          QStringLiteral("dead"), QStringLiteral("failed"),
                          QStringLiteral("oldestReadyAgeSeconds"), QStringLiteral("unclaimable")},
                         wf::admin::queues(tx, hospital));
        return int(Ok);
    });
}

// A paused queue is not claimed (the claim function checks wf.queue.paused); runs keep
// arriving and wait. The queue row is created when the hospital has none yet.
int wfQueuePause(CommandContext &context, bool pause)
{
    const QString usage =
        pause ? QStringLiteral("wf queues pause QUEUE") : QStringLiteral("wf queues resume QUEUE");
    // QUEUE is positional; the shared parser takes options only, so it is taken out first.
    QStringList queues;
    while (!context.arguments.isEmpty() && !context.arguments.first().startsWith(u'-'))
        queues.append(context.arguments.takeFirst());
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("queue"),
                                 QStringLiteral("The queue (the hospital's code)."));
    if (auto exit =
            parseCommand(context, parser, usage,
                         pause ? QStringLiteral("Stop workers claiming the queue's runs.")
                               : QStringLiteral("Let workers claim the queue's runs again."),
                         {}))
        return *exit;
    if (queues.size() != 1) {
        context.err << "hms-admin " << usage << ": name exactly one queue" << Qt::endl;
        return UsageError;
    }
    const QString queue = queues.first();
    return runGuarded(context, usage, [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        const pqxx::result row = tx.exec_params(
            "INSERT INTO wf.queue (name, hospital_id, paused) SELECT code, id, $2 FROM hospitals "
            "WHERE code = $1 ON CONFLICT (name) DO UPDATE SET paused = EXCLUDED.paused "
            "RETURNING hospital_id",
            queue.toStdString(), pause);
        if (row.empty())
            throw CommandFailure(QStringLiteral("no queue %1").arg(queue));
        const qint64 hospital = row[0][0].as<qint64>();
        enterTenant(tx, hospital);
        AuditLog::append(tx,
                         consoleAudit(hospital,
                                      pause ? QStringLiteral("workflow.queue.pause")
                                            : QStringLiteral("workflow.queue.resume"),
                                      QStringLiteral("workflow_queue"), queue));
        tx.commit();
        context.out << (pause ? "paused queue " : "resumed queue ") << queue << Qt::endl;
        return int(Ok);
    });
}

// Keeps wf.run small (WORKER.md pitfall 4): finished runs past retention move with their
// journal to wf.run_archive / wf.step_archive; their signals are dropped. Run daily.
int wfArchive(CommandContext &context)
{
    QCommandLineParser parser;
    const QCommandLineOption days(QStringLiteral("days"),
                                  QStringLiteral("Keep finished runs this many days (default 7)."),
                                  QStringLiteral("n"), QStringLiteral("7"));
    if (auto exit = parseCommand(context, parser, QStringLiteral("wf archive"),
                                 QStringLiteral("Move finished workflow runs past retention to "
                                                "the archive tables."),
                                 {days}))
        return *exit;
    bool ok = false;
    const int keep = parser.value(days).toInt(&ok);
    if (!ok || keep < 1 || keep > 3650) {
        context.err << "hms-admin wf archive: --days takes 1 to 3650" << Qt::endl;
        return UsageError;
    }
    return runGuarded(context, QStringLiteral("wf archive"), [&] {
        auto connection = connectConsole(context);
        pqxx::work tx(*connection);
        tx.exec_params(
            sql::Query("INSERT INTO wf.step_archive SELECT * FROM wf.step WHERE run_id IN (")
                + ArchivableRuns + ")",
            keep);
        tx.exec_params(
            sql::Query("INSERT INTO wf.run_archive SELECT * FROM wf.run WHERE run_id IN (")
                + ArchivableRuns + ")",
            keep);
        const pqxx::result moved = tx.exec_params(sql::Query("DELETE FROM wf.run WHERE run_id IN (")
                                                      + ArchivableRuns + ")",
                                                  keep); // steps, signals cascade
        tx.commit();
        context.out << "archived " << moved.affected_rows() << " finished runs older than " << keep
                    << " days" << Qt::endl;
        return int(Ok);
    });
}

} // namespace

void addWorkflowCommands(QList<Command> &commands)
{
    const auto words = [](const char *verb) {
        return QStringList{QStringLiteral("wf"), QLatin1String(verb)};
    };
    commands.append({words("list"), QStringLiteral("list workflow runs"), wfList});
    commands.append({words("show"), QStringLiteral("show a run and its step journal"), wfShow});
    commands.append(
        {words("retry"), QStringLiteral("retry a dead/failed run"), [](CommandContext &c) {
             return wfChange(c, true);
         }});
    commands.append({words("cancel"), QStringLiteral("cancel a run"), [](CommandContext &c) {
                         return wfChange(c, false);
                     }});
    commands.append({words("signal"), QStringLiteral("send a signal to a run"), wfSignal});
    commands.append(
        {words("archive"), QStringLiteral("archive finished runs past retention"), wfArchive});
    commands.append(
        {words("workers"), QStringLiteral("list workflow workers"), [](CommandContext &c) {
             return wfOverview(c, true);
         }});
    commands.append(
        {words("queues"), QStringLiteral("workflow queue depths"), [](CommandContext &c) {
             return wfOverview(c, false);
         }});
    commands.append(
        {QStringList{QStringLiteral("wf"), QStringLiteral("queues"), QStringLiteral("pause")},
         QStringLiteral("stop workers claiming a queue"), [](CommandContext &c) {
             return wfQueuePause(c, true);
         }});
    commands.append(
        {QStringList{QStringLiteral("wf"), QStringLiteral("queues"), QStringLiteral("resume")},
         QStringLiteral("let workers claim a queue again"), [](CommandContext &c) {
             return wfQueuePause(c, false);
         }});
}

} // namespace hms::server::admin
