#include "common/domainerror.h"
#include "http/queryreader.h"

#include <QTest>

using namespace hms;
using namespace hms::server;

class TestQueryReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsKnownParameters();
    void refusesBadValues_data();
    void refusesBadValues();
};

static QList<FieldError> errorsOf(const QString &query,
                                  const std::function<void(QueryReader &)> &read)
{
    QueryReader reader{QUrlQuery(query)};
    read(reader);
    try {
        reader.finish();
    } catch (const DomainError &error) {
        return error.problem().errors;
    }
    return {};
}

void TestQueryReader::readsKnownParameters()
{
    QueryReader reader{
        QUrlQuery(QStringLiteral("q=jos%C3%A9%20r&limit=5&actor=42&outcome=denied"))};
    QCOMPARE(reader.text(QStringLiteral("q"), 2, 200, true),
             std::optional(QStringLiteral("josé r")));
    QCOMPARE(reader.limit(20, 200), 5);
    QCOMPARE(reader.id(QStringLiteral("actor")), std::optional<qint64>(42));
    QCOMPARE(reader.oneOf(QStringLiteral("outcome"),
                          {QStringLiteral("success"), QStringLiteral("denied")}),
             std::optional(QStringLiteral("denied")));
    QCOMPARE(reader.limit(20, 200), 5);
    reader.finish(); // nothing unknown, nothing wrong: no throw
}

void TestQueryReader::refusesBadValues_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown-sort") << "q=ab&sort=name;drop"
                                  << "sort";
    QTest::newRow("fields-injection") << "q=ab&fields=password_hash"
                                      << "fields";
    QTest::newRow("missing-q") << "limit=5"
                               << "q";
    QTest::newRow("q-too-short") << "q=a"
                                 << "q";
    QTest::newRow("q-control-char") << "q=ab%01c"
                                    << "q";
    QTest::newRow("limit-zero") << "q=ab&limit=0"
                                << "limit";
    QTest::newRow("limit-too-big") << "q=ab&limit=201"
                                   << "limit";
    QTest::newRow("limit-not-number") << "q=ab&limit=(select 1)"
                                      << "limit";
    QTest::newRow("id-signed") << "q=ab&actor=+5"
                               << "actor";
    QTest::newRow("id-zero") << "q=ab&actor=0"
                             << "actor";
    QTest::newRow("enum-outside") << "q=ab&outcome=maybe"
                                  << "outcome";
    QTest::newRow("given-twice") << "q=ab&q=cd"
                                 << "q";
}

void TestQueryReader::refusesBadValues()
{
    QFETCH(QString, query);
    QFETCH(QString, field);
    const QList<FieldError> errors = errorsOf(query, [](QueryReader &reader) {
        reader.text(QStringLiteral("q"), 2, 200, true);
        reader.limit(20, 200);
        reader.id(QStringLiteral("actor"));
        reader.oneOf(QStringLiteral("outcome"),
                     {QStringLiteral("success"), QStringLiteral("denied")});
    });
    QCOMPARE(errors.size(), 1);
    QCOMPARE(errors.first().field, field);
}

QTEST_GUILESS_MAIN(TestQueryReader)
#include "tst_queryreader.moc"
