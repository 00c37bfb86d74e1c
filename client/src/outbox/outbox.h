#pragma once

#include "shared/core/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

namespace hms::client {

class ApiClient;

/// One write kept while the server was unreachable.
struct OutboxItem
{
    qint64 id = 0;
    QString kind; ///< Outbox::Registration or Outbox::CheckIn
    QString path; ///< e.g. /api/v1/patients
    QJsonObject body;
    QString idempotencyKey;
    QString summary; ///< for people: "Register <name>"
    QString state; ///< pending | failed | sent
    QString error; ///< why the server refused it (failed)
    QDateTime createdAt;
};

/// The offline outbox: patient registrations and check-ins made while the server is
/// unreachable are kept in a local SQLite database (Qt Sql, QSQLITE) in the per-user app
/// data directory, with the Idempotency-Key of their first attempt, and replayed in order,
/// one at a time, when the server answers again and the same user (server, hospital,
/// username) is signed in. A replay that reached the server but whose answer was lost is
/// sent again with the same key, and the server answers it from its idempotency store, so
/// nothing is created twice. The request body of a sent item is erased from disk.
///
/// Lives on the UI thread; \a api is borrowed and must outlive the outbox.
class Outbox : public QObject
{
    Q_OBJECT

public:
    static constexpr char Registration[] = "registration";
    static constexpr char CheckIn[] = "check-in";

    /// Opens (creates) \a databasePath; empty: "outbox.sqlite" in the app data location.
    explicit Outbox(ApiClient &api, const QString &databasePath = {}, QObject *parent = nullptr);
    ~Outbox() override;

    /// False (with errorString()) when the database could not be opened.
    bool isOpen() const { return m_open; }

    QString errorString() const { return m_error; }

    QString databasePath() const { return m_path; }

    /// Whose items are shown and replayed; an empty username stops replays (signed out).
    void setOwner(const QString &server, const QString &hospital, const QString &username);

    /// Keeps a POST of \a body to \a path under \a idempotencyKey. Returns the item id.
    Result<qint64> enqueue(const QString &kind,
                           const QString &path,
                           const QJsonObject &body,
                           const QString &idempotencyKey,
                           const QString &summary);

    /// The owner's items not sent yet (pending and failed), oldest first.
    QList<OutboxItem> unsent() const;
    int pendingCount() const;

    /// Forgets a failed item (the user decided not to send it).
    void discard(qint64 id);

    /// Sends the pending items now (also done automatically when the server is back).
    void replay();

    /// A new random Idempotency-Key.
    static QString newIdempotencyKey();

Q_SIGNALS:
    /// The list of unsent items changed.
    void changed();
    /// An item reached the server: \a answer is the server's 2xx body.
    void delivered(const hms::client::OutboxItem &item, const QJsonObject &answer);

private:
    void sendNext();
    void finish(const OutboxItem &item, const Result<QJsonObject> &answer);
    QList<OutboxItem> items(const QString &condition) const;

    ApiClient &m_api;
    QString m_connectionName;
    QString m_path;
    QString m_error;
    bool m_open = false;
    QString m_server;
    QString m_hospital;
    QString m_username;
    bool m_sending = false;
};

} // namespace hms::client
