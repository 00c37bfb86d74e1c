// The optional password pepper (ASVS 2.4.5) across the real executables: hms-admin and
// hms-server read the same pepper file; a hash made before the pepper still logs in and is
// moved under the pepper at that login; a hash copied out of the database cannot be checked
// without the file; a server without the file cannot log anyone peppered in.
#include "support/serverfixture.h"

#include <QTemporaryDir>
#include <QTest>

#include <pqxx/pqxx>

using namespace hms;
using namespace hms::test;

namespace {

const QByteArray Password = "pepper mill grinder 42";

QString passwordHashOf(const TestDatabase &db, const QString &username)
{
    pqxx::connection connection(db.url());
    pqxx::read_transaction tx(connection);
    return QString::fromStdString(
        tx.exec_params1("SELECT password_hash FROM users WHERE username = $1",
                        username.toStdString())[0]
            .as<std::string>());
}

} // namespace

class TestPepper : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void consoleAndServerShareThePepper();
};

void TestPepper::consoleAndServerShareThePepper()
{
    TestDatabase db(QStringLiteral("pepper"));
    if (!db.isValid())
        QSKIP(TestDatabase::skipReason());
    QTemporaryDir keys;
    const QString pepperFile = keys.filePath(QStringLiteral("pepper.key"));
    QCOMPARE(runAdmin(db.url(), {QStringLiteral("migrate")}).exitCode, 0);
    QCOMPARE(runAdmin(db.url(),
                      {QStringLiteral("hospital"), QStringLiteral("add"), QStringLiteral("--code"),
                       QStringLiteral("mill"), QStringLiteral("--name"), QStringLiteral("Mill")})
                 .exitCode,
             0);
    const auto addUser = [&](const QString &username) {
        return runAdmin(db.url(),
                        {QStringLiteral("user"), QStringLiteral("add"),
                         QStringLiteral("--hospital"), QStringLiteral("mill"),
                         QStringLiteral("--username"), username, QStringLiteral("--role"),
                         QStringLiteral("nurse"), QStringLiteral("--password-stdin")},
                        Password + '\n')
            .exitCode;
    };
    QCOMPARE(addUser(QStringLiteral("before")), 0); // before the site turned the pepper on
    QVERIFY(passwordHashOf(db, QStringLiteral("before")).startsWith(QLatin1String("$argon2id$")));

    // The console creates the pepper file on first use, 0600, and peppers what it hashes.
    qputenv("HMS_PASSWORD_PEPPER_FILE", pepperFile.toUtf8());
    QCOMPARE(addUser(QStringLiteral("after")), 0);
    qunsetenv("HMS_PASSWORD_PEPPER_FILE");
    QVERIFY(QFileInfo::exists(pepperFile));
    QCOMPARE(QFileInfo(pepperFile).permissions() & 0x0077, QFileDevice::Permissions());
    const QString peppered = passwordHashOf(db, QStringLiteral("after"));
    QVERIFY2(peppered.startsWith(QLatin1String("$hmspepper$")), qPrintable(peppered));

    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), db.qurl());
    env.insert(QStringLiteral("HMS_JWT_KEY_FILE"), keys.filePath(QStringLiteral("jwt.key")));
    env.insert(QStringLiteral("HMS_ARGON2_ITERATIONS"), QStringLiteral("2"));
    env.insert(QStringLiteral("HMS_ARGON2_MEMORY_KIB"), QStringLiteral("19456"));
    const auto login = [](quint16 port, const QByteArray &username) {
        return RawHttpClient::roundTrip(
                   port,
                   ServerFixture::httpRequest("POST", "/api/v1/auth/login", {},
                                              "{\"hospital\":\"mill\",\"username\":\"" + username
                                                  + "\",\"password\":\"" + Password + "\"}"),
                   15'000)
            .value_or(RawResponse())
            .status;
    };

    {
        // Without the file the peppered user cannot log in; the other one still can.
        ServerProcess server;
        QVERIFY(server.start({}, env));
        QCOMPARE(login(server.port(), "after"), 401);
        QCOMPARE(login(server.port(), "before"), 200);
        QCOMPARE(server.terminate(), 0);
    }
    QVERIFY(passwordHashOf(db, QStringLiteral("before")).startsWith(QLatin1String("$argon2id$")));

    env.insert(QStringLiteral("HMS_PASSWORD_PEPPER_FILE"), pepperFile);
    ServerProcess server;
    QVERIFY(server.start({}, env));
    QCOMPARE(login(server.port(), "after"), 200);
    QCOMPARE(login(server.port(), "before"), 200); // and its hash moves under the pepper
    QVERIFY(waitUntil([&] {
        return passwordHashOf(db, QStringLiteral("before"))
            .startsWith(QLatin1String("$hmspepper$"));
    }));
    QCOMPARE(login(server.port(), "before"), 200);
    QCOMPARE(server.terminate(), 0);

    // A pepper file others may read is refused at start, naming the file, not the key.
    QVERIFY(QFile::setPermissions(
        pepperFile, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    ServerProcess refused;
    QVERIFY(!refused.start({}, env));
    QVERIFY(refused.log().contains("chmod 600"));
}

QTEST_GUILESS_MAIN(TestPepper)
#include "tst_pepper.moc"
