#include "keychain/credentialstore.h"

#include <QLoggingCategory>
#include <QPointer>

#ifdef HMS_CLIENT_HAS_DBUS
#include <QDBusConnection>
#endif

#include <qt6keychain/keychain.h>

namespace hms::client {

static Q_LOGGING_CATEGORY(lcClientKeychain, "hms.client.keychain", QtInfoMsg)

    namespace
{
    CredentialStore::Status statusOf(QKeychain::Error error)
    {
        switch (error) {
        case QKeychain::NoError:
            return CredentialStore::Status::Ok;
        case QKeychain::EntryNotFound:
            return CredentialStore::Status::NotFound;
        case QKeychain::NoBackendAvailable:
        case QKeychain::NotImplemented:
            return CredentialStore::Status::NoBackend;
        case QKeychain::CouldNotDeleteEntry:
        case QKeychain::AccessDeniedByUser:
        case QKeychain::AccessDenied:
        case QKeychain::OtherError:
            return CredentialStore::Status::Failed;
        }
        return CredentialStore::Status::Failed;
    }

    /// QtKeychain's Linux backends answer "OtherError: Unknown error" when there is no D-Bus
    /// session bus at all (headless CI); that is "no keychain service", not a refusal.
    bool noKeychainService()
    {
#ifdef HMS_CLIENT_HAS_DBUS
        return !QDBusConnection::sessionBus().isConnected();
#else
        return false;
#endif
    }

    /// Starts \a job and hands its outcome to \a callback; the job deletes itself. Jobs have
    /// no parent on purpose: libsecret calls back into a job when its D-Bus answer arrives, so
    /// a job still on its way when the window (and this store) goes away must live until then
    /// (a job deleted with its parent crashed the next window, see tests/ui/client/tst_keychain).
    void run(QKeychain::Job * job, const char *what, QObject *context,
             CredentialStore::Callback callback, bool readsSecret)
    {
        job->setAutoDelete(true);
        job->setInsecureFallback(false); // SECURITY A9: never a plain-text file instead
        QObject::connect(
            job, &QKeychain::Job::finished, job,
            [what, readsSecret, context = QPointer<QObject>(context),
             callback = std::move(callback)](QKeychain::Job *finished) {
                CredentialStore::Outcome outcome;
                outcome.status = statusOf(finished->error());
                if (outcome.status == CredentialStore::Status::Failed
                    && finished->error() == QKeychain::OtherError && noKeychainService())
                    outcome.status = CredentialStore::Status::NoBackend;
                outcome.errorString = finished->errorString();
                if (outcome.status == CredentialStore::Status::Ok && readsSecret) {
                    outcome.secret =
                        static_cast<QKeychain::ReadPasswordJob *>(finished)->textData();
                }
                if (outcome.status != CredentialStore::Status::Failed) {
                    qCInfo(lcClientKeychain) << what << finished->key() << outcome.status;
                } else {
                    qCWarning(lcClientKeychain)
                        << what << finished->key() << outcome.status << outcome.errorString;
                }
                if (context && callback)
                    callback(outcome);
            });
        job->start();
    }

} // namespace

CredentialStore::CredentialStore(QObject *parent)
    : QObject(parent)
{}

QString CredentialStore::serviceName()
{
    return QStringLiteral("hms-client");
}

QString
CredentialStore::keyFor(const QUrl &server, const QString &hospital, const QString &username)
{
    const QString origin = server
                               .adjusted(QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment
                                         | QUrl::RemoveUserInfo)
                               .toString();
    return QStringLiteral("refresh-token:%1/%2/%3").arg(origin, hospital, username);
}

void CredentialStore::write(const QString &key,
                            const QString &secret,
                            QObject *context,
                            Callback callback)
{
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setKey(key);
    job->setTextData(secret);
    run(job, "write", context, std::move(callback), false);
}

void CredentialStore::read(const QString &key, QObject *context, Callback callback)
{
    auto *job = new QKeychain::ReadPasswordJob(serviceName());
    job->setKey(key);
    run(job, "read", context, std::move(callback), true);
}

void CredentialStore::remove(const QString &key, QObject *context, Callback callback)
{
    auto *job = new QKeychain::DeletePasswordJob(serviceName());
    job->setKey(key);
    run(job, "delete", context, std::move(callback), false);
}

} // namespace hms::client
