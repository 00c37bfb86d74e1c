#include "config/serverconfig.h"

#include <QTemporaryDir>
#include <QTest>

using namespace hms::server;

class TestServerConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsNeedOnlyADatabase();
    void precedenceIsFileThenEnvironmentThenCommandLine();
    void badValuesAreNamed_data();
    void badValuesAreNamed();
    void unknownFileKeyIsRefused();
    void corsListParsesFromFile();

private:
    QString writeConfig(const QByteArray &text);
    QTemporaryDir m_dir;
};

QString TestServerConfig::writeConfig(const QByteArray &text)
{
    const QString path = m_dir.filePath(QStringLiteral("hms-server.conf"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write config");
    file.write(text);
    return path;
}

void TestServerConfig::defaultsNeedOnlyADatabase()
{
    QProcessEnvironment env;
    QVERIFY(!ServerConfig::load({}, env));
    env.insert(QStringLiteral("HMS_DATABASE_URL"), QStringLiteral("postgresql://u@h/db"));
    const auto config = ServerConfig::load({}, env);
    QVERIFY(config);
    QCOMPARE(config.value().listenAddress, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(config.value().listenPort, quint16(8080));
    QCOMPARE(config.value().limits.maxBodyBytes, qint64(1024 * 1024));
    QVERIFY(config.value().corsOrigins.isEmpty());
    QVERIFY(config.value().migrateOnStart);
    QVERIFY(config.value().effectivePoolSize() >= 2);
    QVERIFY(config.value().effectiveSearchPoolSize() >= 2);
}

void TestServerConfig::precedenceIsFileThenEnvironmentThenCommandLine()
{
    ServerConfig::Overrides overrides;
    overrides.configFile =
        writeConfig("listen = 127.0.0.1:7001\ndatabase_url = postgresql://file/db\n"
                    "db_pool_size = 3\ndb_search_pool_size = 1\nmax_body_bytes = 2048\n");
    QProcessEnvironment env;
    auto config = ServerConfig::load(overrides, env);
    QVERIFY(config);
    QCOMPARE(config.value().listenPort, quint16(7001));
    QCOMPARE(config.value().databaseUrl, QStringLiteral("postgresql://file/db"));
    QCOMPARE(config.value().dbPoolSize, 3);
    QCOMPARE(config.value().effectiveSearchPoolSize(), 1);

    env.insert(QStringLiteral("HMS_LISTEN"), QStringLiteral("127.0.0.1:7002"));
    env.insert(QStringLiteral("HMS_DATABASE_URL"), QStringLiteral("postgresql://env/db"));
    config = ServerConfig::load(overrides, env);
    QVERIFY(config);
    QCOMPARE(config.value().listenPort, quint16(7002));
    QCOMPARE(config.value().databaseUrl, QStringLiteral("postgresql://env/db"));
    QCOMPARE(config.value().limits.maxBodyBytes, qint64(2048)); // from the file, not overridden

    overrides.listen = QStringLiteral("0.0.0.0:7003");
    overrides.noMigrate = true;
    config = ServerConfig::load(overrides, env);
    QVERIFY(config);
    QCOMPARE(config.value().listenPort, quint16(7003));
    QCOMPARE(config.value().listenAddress, QHostAddress(QHostAddress::AnyIPv4));
    QVERIFY(!config.value().migrateOnStart);
}

void TestServerConfig::badValuesAreNamed_data()
{
    QTest::addColumn<QString>("variable");
    QTest::addColumn<QString>("value");
    QTest::newRow("listen-without-port") << "HMS_LISTEN"
                                         << "127.0.0.1";
    QTest::newRow("listen-port-too-big") << "HMS_LISTEN"
                                         << "127.0.0.1:70000";
    QTest::newRow("listen-bad-host") << "HMS_LISTEN"
                                     << "not a host:80";
    QTest::newRow("pool-not-a-number") << "HMS_DB_POOL_SIZE"
                                       << "many";
    QTest::newRow("pool-zero") << "HMS_DB_POOL_SIZE"
                               << "0";
    QTest::newRow("read-pool-not-a-number") << "HMS_DB_READ_POOL_SIZE"
                                            << "few";
    QTest::newRow("read-pool-zero") << "HMS_DB_READ_POOL_SIZE"
                                    << "0";
    QTest::newRow("search-pool-zero") << "HMS_DB_SEARCH_POOL_SIZE"
                                      << "0";
    QTest::newRow("body-too-small") << "HMS_MAX_BODY_BYTES"
                                    << "10";
}

void TestServerConfig::badValuesAreNamed()
{
    QFETCH(QString, variable);
    QFETCH(QString, value);
    QProcessEnvironment env;
    env.insert(QStringLiteral("HMS_DATABASE_URL"), QStringLiteral("postgresql://u@h/db"));
    env.insert(variable, value);
    const auto config = ServerConfig::load({}, env);
    QVERIFY(!config);
    QVERIFY2(config.problem().detail.contains(variable), qPrintable(config.problem().detail));
}

void TestServerConfig::unknownFileKeyIsRefused()
{
    ServerConfig::Overrides overrides;
    overrides.configFile = writeConfig("database_url = postgresql://x/db\nlisten_port = 1\n");
    const auto config = ServerConfig::load(overrides, QProcessEnvironment());
    QVERIFY(!config);
    QVERIFY(config.problem().detail.contains(QStringLiteral("listen_port")));

    overrides.configFile = m_dir.filePath(QStringLiteral("missing.conf"));
    QVERIFY(!ServerConfig::load(overrides, QProcessEnvironment()));
}

void TestServerConfig::corsListParsesFromFile()
{
    ServerConfig::Overrides overrides;
    overrides.configFile = writeConfig("database_url = postgresql://x/db\n"
                                       "cors_origins = https://a.example, https://b.example\n");
    const auto config = ServerConfig::load(overrides, QProcessEnvironment());
    QVERIFY(config);
    QCOMPARE(
        config.value().corsOrigins,
        (QStringList{QStringLiteral("https://a.example"), QStringLiteral("https://b.example")}));
}

QTEST_GUILESS_MAIN(TestServerConfig)
#include "tst_serverconfig.moc"
