#include "outbox/outbox.h"

#include "api/apiclient.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QUuid>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientOutbox, "hms.client.outbox", QtInfoMsg)

    namespace
{
    constexpr char StatePending[] = "pending";
    constexpr char StateFailed[] = "failed";
    constexpr char StateSent[] = "sent";

    QString text(const char *latin1)
    {
        return QString::fromLatin1(latin1);
    }

} // namespace

Outbox::Outbox(ApiClient &api, const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_api(api)
    , m_connectionName(
          QStringLiteral("hms-outbox-%1").arg(QUuid::createUuid().toString(QUuid::Id128)))
    , m_path(databasePath)
{
    if (m_path.isEmpty()) {
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
        m_path = QDir(dir).filePath(QStringLiteral("outbox.sqlite"));
    }
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    db.setDatabaseName(m_path);
    if (!db.open()) {
        m_error = db.lastError().text();
        qCWarning(lcClientOutbox) << "cannot open the outbox:" << m_error;
        return;
    }
    // Pending registrations hold patient data: only the user may read the file.
    QFile::setPermissions(m_path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QSqlQuery query(db);
    const bool created =
        query.exec(QStringLiteral("CREATE TABLE IF NOT EXISTS outbox ("
                                  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                                  " server TEXT NOT NULL, hospital TEXT NOT NULL,"
                                  " username TEXT NOT NULL, kind TEXT NOT NULL,"
                                  " path TEXT NOT NULL, body TEXT NOT NULL,"
                                  " idempotency_key TEXT NOT NULL UNIQUE,"
                                  " summary TEXT NOT NULL, state TEXT NOT NULL,"
                                  " error TEXT NOT NULL DEFAULT '', result_id TEXT,"
                                  " created_at TEXT NOT NULL)"))
        // Erased patient data is overwritten on disk, not just unlinked from the b-tree.
        && query.exec(QStringLiteral("PRAGMA secure_delete = ON"))
        // Sent items are kept one day (without their body) for the record, then dropped.
        && query.exec(
            QStringLiteral("DELETE FROM outbox WHERE state = 'sent' AND "
                           "created_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')"));
    if (!created) {
        m_error = query.lastError().text();
        qCWarning(lcClientOutbox) << "cannot prepare the outbox:" << m_error;
        return;
    }
    m_open = true;
    connect(&m_api, &ApiClient::connectionStateChanged, this,
            [this](ApiClient::ConnectionState state) {
                if (state == ApiClient::ConnectionState::Online)
                    replay();
            });
}

Outbox::~Outbox()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

void Outbox::setOwner(const QString &server, const QString &hospital, const QString &username)
{
    m_server = server;
    m_hospital = hospital;
    m_username = username;
    Q_EMIT changed();
    if (!m_username.isEmpty())
        replay();
}

Result<qint64> Outbox::enqueue(const QString &kind,
                               const QString &path,
                               const QJsonObject &body,
                               const QString &idempotencyKey,
                               const QString &summary)
{
    if (!m_open || m_username.isEmpty())
        return Problem::fromType(problems::InternalError,
                                 tr("The offline outbox is not available."));
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.prepare(QStringLiteral(
        "INSERT INTO outbox (server, hospital, username, kind, path, body, idempotency_key, "
        "summary, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    query.addBindValue(m_server);
    query.addBindValue(m_hospital);
    query.addBindValue(m_username);
    query.addBindValue(kind);
    query.addBindValue(path);
    query.addBindValue(QString::fromUtf8(QJsonDocument(body).toJson(QJsonDocument::Compact)));
    query.addBindValue(idempotencyKey);
    query.addBindValue(summary);
    query.addBindValue(text(StatePending));
    query.addBindValue(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    if (!query.exec()) {
        qCWarning(lcClientOutbox) << "cannot keep an item:" << query.lastError().text();
        return Problem::fromType(problems::InternalError,
                                 tr("The offline outbox could not save this."));
    }
    const qint64 id = query.lastInsertId().toLongLong();
    qCInfo(lcClientOutbox) << "kept" << kind << "item" << id << "for later";
    Q_EMIT changed();
    return id;
}

QList<OutboxItem> Outbox::items(const QString &condition) const
{
    QList<OutboxItem> list;
    if (!m_open)
        return list;
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.prepare(QStringLiteral("SELECT id, kind, path, body, idempotency_key, summary, state, "
                                 "error, created_at FROM outbox WHERE server = ? AND hospital = ? "
                                 "AND username = ? AND ")
                  + condition + QStringLiteral(" ORDER BY id"));
    query.addBindValue(m_server);
    query.addBindValue(m_hospital);
    query.addBindValue(m_username);
    if (!query.exec()) {
        qCWarning(lcClientOutbox) << "cannot read the outbox:" << query.lastError().text();
        return list;
    }
    while (query.next()) {
        OutboxItem item;
        item.id = query.value(0).toLongLong();
        item.kind = query.value(1).toString();
        item.path = query.value(2).toString();
        item.body = QJsonDocument::fromJson(query.value(3).toString().toUtf8()).object();
        item.idempotencyKey = query.value(4).toString();
        item.summary = query.value(5).toString();
        item.state = query.value(6).toString();
        item.error = query.value(7).toString();
        item.createdAt = QDateTime::fromString(query.value(8).toString(), Qt::ISODate);
        list.append(item);
    }
    return list;
}

QList<OutboxItem> Outbox::unsent() const
{
    return items(QStringLiteral("state <> 'sent'"));
}

int Outbox::pendingCount() const
{
    return int(items(QStringLiteral("state = 'pending'")).size());
}

void Outbox::discard(qint64 id)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    query.prepare(QStringLiteral("DELETE FROM outbox WHERE id = ? AND state = 'failed'"));
    query.addBindValue(id);
    if (query.exec() && query.numRowsAffected() > 0)
        Q_EMIT changed();
}

void Outbox::replay()
{
    // While a replay runs it picks up new items by itself (sendNext() reads them afresh).
    if (!m_sending && m_open && !m_username.isEmpty())
        sendNext();
}

void Outbox::sendNext()
{
    const QList<OutboxItem> pending = items(QStringLiteral("state = 'pending'"));
    if (pending.isEmpty() || m_username.isEmpty()) {
        m_sending = false;
        return;
    }
    m_sending = true;
    const OutboxItem item = pending.first();
    qCInfo(lcClientOutbox) << "replaying" << item.kind << "item" << item.id;
    m_api.request("POST", item.path, {}, item.body,
                  {{"Idempotency-Key", item.idempotencyKey.toLatin1()}}, this,
                  [this, item](const Result<QJsonObject> &answer) {
                      finish(item, answer);
                  });
}

void Outbox::finish(const OutboxItem &item, const Result<QJsonObject> &answer)
{
    QSqlQuery query(QSqlDatabase::database(m_connectionName));
    if (answer) {
        // Sent: keep the row a day for the record, without the patient data.
        query.prepare(QStringLiteral("UPDATE outbox SET state = ?, body = '{}', summary = '', "
                                     "result_id = ? WHERE id = ?"));
        query.addBindValue(text(StateSent));
        query.addBindValue(answer.value().value(QLatin1String("id")).toString());
        query.addBindValue(item.id);
        if (!query.exec())
            qCWarning(lcClientOutbox)
                << "cannot mark item" << item.id << "sent:" << query.lastError().text();
        qCInfo(lcClientOutbox) << item.kind << "item" << item.id << "delivered";
        Q_EMIT changed();
        Q_EMIT delivered(item, answer.value());
        sendNext();
        return;
    }
    const Problem &problem = answer.problem();
    // Not refused, just not delivered: keep it and try again when the server is back.
    if (problem.status == 0 || problem.status == 401 || problem.status >= 500
        || problem.type == QLatin1String(problems::IdempotencyInProgress.slug)
        || problem.status == 429) {
        qCInfo(lcClientOutbox) << "item" << item.id << "not delivered yet:" << problem.status
                               << problem.type;
        m_sending = false;
        return;
    }
    qCWarning(lcClientOutbox) << "item" << item.id << "refused:" << problem.status << problem.type;
    query.prepare(QStringLiteral("UPDATE outbox SET state = ?, error = ? WHERE id = ?"));
    query.addBindValue(text(StateFailed));
    query.addBindValue(problem.detail.isEmpty() ? problem.title : problem.detail);
    query.addBindValue(item.id);
    query.exec();
    Q_EMIT changed();
    sendNext();
}

QString Outbox::newIdempotencyKey()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

} // namespace hms::client
