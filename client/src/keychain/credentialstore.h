#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

namespace hms::client {

/// The one wrapper around QtKeychain. Every call is an asynchronous job; the callback runs on
/// the UI thread while \a context lives. There is no insecure fallback: when the OS has no
/// keychain service, nothing is stored anywhere and the outcome says NoBackend. Logs name
/// the key, never the secret.
class CredentialStore : public QObject
{
    Q_OBJECT

public:
    enum class Status { Ok, NotFound, NoBackend, Failed };
    Q_ENUM(Status)

    struct Outcome
    {
        Status status = Status::Failed;
        QString secret; ///< the value read (read() with Ok only)
        QString errorString; ///< QtKeychain's technical reason, for logs and details
    };

    using Callback = std::function<void(const Outcome &)>;

    explicit CredentialStore(QObject *parent = nullptr);

    /// The keychain key of one account: server URL, hospital code and user name.
    static QString keyFor(const QUrl &server, const QString &hospital, const QString &username);

    void write(const QString &key, const QString &secret, QObject *context, Callback callback);
    void read(const QString &key, QObject *context, Callback callback);
    void remove(const QString &key, QObject *context, Callback callback);

    /// The keychain service name the entries are filed under.
    static QString serviceName();
};

} // namespace hms::client
