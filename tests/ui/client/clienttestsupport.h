#pragma once

// Helpers shared by the hms-client widget tests (header-only, tests/ui/client only).

#include "app/mainwindow.h"
#include "models/patientsearchmodel.h"
#include "screens/common/patientpicker.h"
#include "support/serverfixture.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonDocument>
#include <QLineEdit>
#include <QListView>
#include <QStandardPaths>
#include <QTest>

namespace hms::test::ui {

inline const QString Hospital = QStringLiteral("alpha");
inline const QString Password = QStringLiteral("Ward-7 night kettle");

inline QString serverUrlOf(quint16 port)
{
    return QStringLiteral("http://127.0.0.1:%1").arg(port);
}

/// Signs \a window in through its login form; true once the shell is up.
inline bool signIn(hms::client::MainWindow &window, quint16 port, const QString &username)
{
    window.signInWith(serverUrlOf(port), Hospital, username, Password);
    return QTest::qWaitFor(
        [&window]() {
            return window.isSignedIn();
        },
        10000);
}

/// A REST call as another client would make it; the JSON answer (empty object on failure,
/// with a warning naming the status).
inline QJsonObject call(ServerFixture &fixture,
                        const QByteArray &method,
                        const QByteArray &path,
                        const QByteArray &token,
                        const QJsonObject &body = {},
                        int expectedStatus = 0)
{
    const RawResponse response = body.isEmpty() && method == "GET"
        ? fixture.request(method, path, token)
        : fixture.request(method, path, token, body);
    if ((expectedStatus && response.status != expectedStatus)
        || (!expectedStatus && (response.status < 200 || response.status > 299))) {
        qWarning("%s %s -> %d %s", method.constData(), path.constData(), response.status,
                 response.body.left(400).constData());
        return {};
    }
    return response.json();
}

/// A patient registration body that passes the shared rules.
inline QJsonObject patientBody(const QString &fullName,
                               const QString &phone,
                               const QString &birthDate = QStringLiteral("1980-04-02"))
{
    return QJsonObject{{QStringLiteral("fullName"), fullName},
                       {QStringLiteral("birthDate"), birthDate},
                       {QStringLiteral("sex"), QStringLiteral("F")},
                       {QStringLiteral("phone"), phone}};
}

/// Types \a search (by default \a name) into \a picker's search and selects the first
/// match; true when that is the patient called \a name.
inline bool
pickPatient(hms::client::PatientPicker *picker, const QString &name, QString search = {})
{
    if (search.isEmpty())
        search = name;
    picker->searchField()->setText(search);
    if (!QTest::qWaitFor(
            [picker, &search]() {
                return picker->model()->query() == search && !picker->model()->isLoading()
                    && picker->model()->rowCount() > 0;
            },
            5000))
        return false;
    picker->list()->setCurrentIndex(
        picker->model()->index(0, int(hms::client::PatientSearchModel::Column::FullName)));
    return picker->patientName() == name;
}

/// Every file below \a roots (hidden ones too) whose bytes contain \a needle.
inline QStringList filesContaining(const QStringList &roots, const QByteArray &needle)
{
    QStringList hits;
    for (const QString &root : roots) {
        QDirIterator it(root, QDir::Files | QDir::Hidden | QDir::System,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
                hits.append(path);
        }
    }
    return hits;
}

/// Removes the outbox database of this test program (test-mode app data dir).
inline void removeOutboxFile()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    for (const QString &name :
         {QStringLiteral("outbox.sqlite"), QStringLiteral("outbox.sqlite-wal"),
          QStringLiteral("outbox.sqlite-shm")})
        QFile::remove(QDir(dir).filePath(name));
}

} // namespace hms::test::ui
