// Array parameters built for libpqxx 6.4, which has none of its own: every element must come
// back from PostgreSQL as exactly one element, whatever it contains.

#include "db/pgvalues.h"

#include <QTest>

using namespace hms::server;

class TestPgValues : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bigintArrays();
    void textArraysQuoteAndEscape();
};

void TestPgValues::bigintArrays()
{
    QCOMPARE(arrayParam(std::vector<qint64>{}), std::string("{}"));
    QCOMPARE(arrayParam(std::vector<qint64>{7}), std::string("{7}"));
    QCOMPARE(arrayParam(std::vector<qint64>{1, -2, 9007199254740993}),
             std::string("{1,-2,9007199254740993}"));
}

void TestPgValues::textArraysQuoteAndEscape()
{
    QCOMPARE(arrayParam(QStringList{}), std::string("{}"));
    QCOMPARE(arrayParam(QStringList{QStringLiteral("registerPatient@1"), QString()}),
             std::string("{\"registerPatient@1\",\"\"}"));
    // A comma, a brace, a quote and a backslash stay inside their element.
    QCOMPARE(arrayParam(QStringList{QStringLiteral("a,b}"), QStringLiteral("say \"hi\\")}),
             std::string("{\"a,b}\",\"say \\\"hi\\\\\"}"));
    // NULL is only NULL unquoted.
    QCOMPARE(arrayParam(QStringList{QStringLiteral("NULL")}), std::string("{\"NULL\"}"));
}

QTEST_GUILESS_MAIN(TestPgValues)
#include "tst_pgvalues.moc"
