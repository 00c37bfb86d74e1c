// The medication schedule (shared/clinical/medicationrules): every frequency's local times,
// due slots in a hospital's time zone across a day boundary (Asia/Kolkata, +05:30) and both
// daylight-saving changes (Europe/Berlin), unknown codes, STAT and PRN (no schedule), and the
// instants a dose time may be written as.
#include "shared/clinical/medicationrules.h"

#include <QJsonArray>
#include <QTest>

using namespace hms;
using namespace Qt::StringLiterals;

namespace {

/// "yyyy-MM-ddTHH:mm" read as UTC.
QDateTime utc(const QString &text)
{
    return QDateTime::fromString(text + u":00Z"_s, Qt::ISODate);
}

QStringList texts(const QList<QDateTime> &slots)
{
    QStringList out;
    for (const QDateTime &slot : slots)
        out.append(slot.toUTC().toString(u"yyyy-MM-ddTHH:mm"_s));
    return out;
}

} // namespace

class TestMedicationRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void localTimes_data();
    void localTimes();
    void tableIsTheSameEverywhere();
    void unscheduledAndUnknownCodes_data();
    void unscheduledAndUnknownCodes();
    void slots_data();
    void slots();
    void slotsAreInUtcAscendingAndUnique();
    void windowEndsAreIncluded();
    void parseInstant_data();
    void parseInstant();

private:
    QTimeZone m_kolkata;
    QTimeZone m_berlin;
};

void TestMedicationRules::initTestCase()
{
    m_kolkata = QTimeZone("Asia/Kolkata");
    m_berlin = QTimeZone("Europe/Berlin");
    if (!m_kolkata.isValid() || !m_berlin.isValid())
        QSKIP("no time zone database (tzdata) on this machine");
}

void TestMedicationRules::localTimes_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("times");
    QTest::newRow("OD") << u"OD"_s << QStringList{u"08:00"_s};
    QTest::newRow("BD") << u"BD"_s << QStringList{u"08:00"_s, u"20:00"_s};
    QTest::newRow("TDS") << u"TDS"_s << QStringList{u"08:00"_s, u"14:00"_s, u"20:00"_s};
    QTest::newRow("QID") << u"QID"_s << QStringList{u"06:00"_s, u"12:00"_s, u"18:00"_s, u"22:00"_s};
    QTest::newRow("Q4H") << u"Q4H"_s << QStringList{u"00:00"_s, u"04:00"_s, u"08:00"_s,
                                                    u"12:00"_s, u"16:00"_s, u"20:00"_s};
    QTest::newRow("Q6H") << u"Q6H"_s << QStringList{u"00:00"_s, u"06:00"_s, u"12:00"_s, u"18:00"_s};
    QTest::newRow("Q8H") << u"Q8H"_s << QStringList{u"00:00"_s, u"08:00"_s, u"16:00"_s};
    QTest::newRow("Q12H") << u"Q12H"_s << QStringList{u"00:00"_s, u"12:00"_s};
    QTest::newRow("QHS") << u"QHS"_s << QStringList{u"22:00"_s};
}

void TestMedicationRules::localTimes()
{
    QFETCH(QString, code);
    QFETCH(QStringList, times);
    const medication::Frequency *frequency = medication::findFrequency(code);
    QVERIFY(frequency);
    QStringList actual;
    for (const QTime &time : frequency->localTimes)
        actual.append(time.toString(u"HH:mm"_s));
    QCOMPARE(actual, times);
    QVERIFY(medication::isScheduled(code));
    // The JSON the server's SQL expands slots from says the same.
    QStringList json;
    for (const QJsonValue &time : medication::scheduleJson().value(code).toArray())
        json.append(time.toString());
    QCOMPARE(json, times);
    // One local day in Kolkata: exactly these times, in the zone's offset.
    const QDateTime from(QDate(2026, 6, 1), QTime(0, 0), m_kolkata);
    const QDateTime to(QDate(2026, 6, 1), QTime(23, 59), m_kolkata);
    QStringList local;
    for (const QDateTime &slot : medication::dueSlots(code, m_kolkata, from, to))
        local.append(slot.toTimeZone(m_kolkata).toString(u"HH:mm"_s));
    QCOMPARE(local, times);
}

void TestMedicationRules::tableIsTheSameEverywhere()
{
    const QStringList codes{u"OD"_s,  u"BD"_s,   u"TDS"_s, u"QID"_s,  u"Q4H"_s, u"Q6H"_s,
                            u"Q8H"_s, u"Q12H"_s, u"QHS"_s, u"STAT"_s, u"PRN"_s};
    QCOMPARE(medication::frequencyCodes(), codes);
    QCOMPARE(medication::scheduleJson().keys().size(), codes.size());
    for (const QString &code : codes)
        QVERIFY2(medication::scheduleJson().contains(code), qPrintable(code));
    QCOMPARE(medication::outcomes(), (QStringList{u"given"_s, u"held"_s, u"refused"_s}));
    QVERIFY(medication::routes().contains(u"oral"_s));
    QVERIFY(medication::routes().contains(u"iv"_s));
}

void TestMedicationRules::unscheduledAndUnknownCodes_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("known");
    QTest::newRow("STAT") << u"STAT"_s << true;
    QTest::newRow("PRN") << u"PRN"_s << true;
    QTest::newRow("Q2H") << u"Q2H"_s << false;
    QTest::newRow("lower case") << u"od"_s << false;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("padded") << u" BD"_s << false;
}

void TestMedicationRules::unscheduledAndUnknownCodes()
{
    QFETCH(QString, code);
    QFETCH(bool, known);
    QCOMPARE(medication::findFrequency(code) != nullptr, known);
    QCOMPARE(medication::frequencyCodes().contains(code), known);
    QVERIFY(!medication::isScheduled(code));
    if (known) {
        QVERIFY(medication::findFrequency(code)->localTimes.isEmpty());
        QVERIFY(medication::scheduleJson().value(code).toArray().isEmpty());
    }
    QVERIFY(
        medication::dueSlots(code, m_berlin, utc(u"2026-01-01T00:00"_s), utc(u"2026-01-03T00:00"_s))
            .isEmpty());
}

void TestMedicationRules::slots_data()
{
    QTest::addColumn<QString>("zone");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("from");
    QTest::addColumn<QString>("to");
    QTest::addColumn<QStringList>("expected");

    // +05:30 all year: local days end at 18:30 UTC.
    QTest::newRow("Kolkata BD over midnight")
        << u"Asia/Kolkata"_s << u"BD"_s << u"2026-01-01T12:00"_s << u"2026-01-02T12:00"_s
        << QStringList{u"2026-01-01T14:30"_s, u"2026-01-02T02:30"_s};
    QTest::newRow("Kolkata Q6H over midnight")
        << u"Asia/Kolkata"_s << u"Q6H"_s << u"2026-01-01T12:00"_s << u"2026-01-02T12:00"_s
        << QStringList{u"2026-01-01T12:30"_s, u"2026-01-01T18:30"_s, u"2026-01-02T00:30"_s,
                       u"2026-01-02T06:30"_s};
    QTest::newRow("Kolkata QHS two nights")
        << u"Asia/Kolkata"_s << u"QHS"_s << u"2026-01-01T00:00"_s << u"2026-01-02T23:59"_s
        << QStringList{u"2026-01-01T16:30"_s, u"2026-01-02T16:30"_s};
    // Local midnight of 2 January is 18:30 UTC on 1 January: Q12H's 00:00 falls there.
    QTest::newRow("Kolkata Q12H local date differs from UTC")
        << u"Asia/Kolkata"_s << u"Q12H"_s << u"2026-01-01T18:00"_s << u"2026-01-01T19:00"_s
        << QStringList{u"2026-01-01T18:30"_s};

    // Berlin springs forward on 29 March 2026 at 02:00 CET (+01:00 -> +02:00): 00:00 is
    // still CET, 04:00 already CEST, three real hours apart.
    QTest::newRow("Berlin Q4H spring forward")
        << u"Europe/Berlin"_s << u"Q4H"_s << u"2026-03-28T20:00"_s << u"2026-03-29T12:00"_s
        << QStringList{u"2026-03-28T23:00"_s, u"2026-03-29T02:00"_s, u"2026-03-29T06:00"_s,
                       u"2026-03-29T10:00"_s};
    QTest::newRow("Berlin OD spring forward")
        << u"Europe/Berlin"_s << u"OD"_s << u"2026-03-28T00:00"_s << u"2026-03-29T23:00"_s
        << QStringList{u"2026-03-28T07:00"_s, u"2026-03-29T06:00"_s};
    // ... and falls back on 25 October 2026 at 03:00 CEST: 00:00 is CEST, 04:00 CET, five
    // real hours apart.
    QTest::newRow("Berlin Q4H fall back")
        << u"Europe/Berlin"_s << u"Q4H"_s << u"2026-10-24T20:00"_s << u"2026-10-25T12:00"_s
        << QStringList{u"2026-10-24T22:00"_s, u"2026-10-25T03:00"_s, u"2026-10-25T07:00"_s,
                       u"2026-10-25T11:00"_s};
    QTest::newRow("Berlin QID fall back")
        << u"Europe/Berlin"_s << u"QID"_s << u"2026-10-24T00:00"_s << u"2026-10-25T23:59"_s
        << QStringList{u"2026-10-24T04:00"_s, u"2026-10-24T10:00"_s, u"2026-10-24T16:00"_s,
                       u"2026-10-24T20:00"_s, u"2026-10-25T05:00"_s, u"2026-10-25T11:00"_s,
                       u"2026-10-25T17:00"_s, u"2026-10-25T21:00"_s};
    // Winter and summer offsets of the same local time.
    QTest::newRow("Berlin TDS winter")
        << u"Europe/Berlin"_s << u"TDS"_s << u"2026-01-15T00:00"_s << u"2026-01-15T23:59"_s
        << QStringList{u"2026-01-15T07:00"_s, u"2026-01-15T13:00"_s, u"2026-01-15T19:00"_s};
    QTest::newRow("Berlin TDS summer")
        << u"Europe/Berlin"_s << u"TDS"_s << u"2026-07-15T00:00"_s << u"2026-07-15T23:59"_s
        << QStringList{u"2026-07-15T06:00"_s, u"2026-07-15T12:00"_s, u"2026-07-15T18:00"_s};
    QTest::newRow("window backwards") << u"Europe/Berlin"_s << u"Q4H"_s << u"2026-07-16T00:00"_s
                                      << u"2026-07-15T00:00"_s << QStringList{};
}

void TestMedicationRules::slots()
{
    QFETCH(QString, zone);
    QFETCH(QString, code);
    QFETCH(QString, from);
    QFETCH(QString, to);
    QFETCH(QStringList, expected);
    const QTimeZone tz(zone.toLatin1());
    QVERIFY(tz.isValid());
    QCOMPARE(texts(medication::dueSlots(code, tz, utc(from), utc(to))), expected);
}

void TestMedicationRules::slotsAreInUtcAscendingAndUnique()
{
    // Two days of every scheduled code around the autumn change.
    for (const QString &code : medication::frequencyCodes()) {
        const QList<QDateTime> slots = medication::dueSlots(
            code, m_berlin, utc(u"2026-10-24T00:00"_s), utc(u"2026-10-25T23:59"_s));
        QCOMPARE(slots.size(), medication::findFrequency(code)->localTimes.size() * 2);
        for (qsizetype i = 0; i < slots.size(); ++i) {
            QCOMPARE(slots[i].timeSpec(), Qt::UTC);
            if (i > 0)
                QVERIFY2(slots[i - 1] < slots[i], qPrintable(code));
        }
    }
}

void TestMedicationRules::windowEndsAreIncluded()
{
    const QDateTime slot = utc(u"2026-01-01T14:30"_s); // 20:00 in Kolkata
    QCOMPARE(texts(medication::dueSlots(u"BD"_s, m_kolkata, slot, slot)),
             QStringList{u"2026-01-01T14:30"_s});
    QVERIFY(
        medication::dueSlots(u"BD"_s, m_kolkata, slot.addSecs(1), slot.addSecs(3600)).isEmpty());
    QVERIFY(medication::dueSlots(u"BD"_s, QTimeZone(), slot, slot).isEmpty());
}

void TestMedicationRules::parseInstant_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("utcText"); // empty: refused
    QTest::newRow("Z") << u"2026-01-02T04:30:00Z"_s << u"2026-01-02T04:30:00.000Z"_s;
    QTest::newRow("offset") << u"2026-01-02T10:00:00+05:30"_s << u"2026-01-02T04:30:00.000Z"_s;
    QTest::newRow("no seconds") << u"2026-01-02T10:00-01:00"_s << u"2026-01-02T11:00:00.000Z"_s;
    QTest::newRow("microseconds") << u"2026-01-02T04:30:00.123456Z"_s
                                  << u"2026-01-02T04:30:00.123Z"_s;
    QTest::newRow("no offset") << u"2026-01-02T04:30:00"_s << QString();
    QTest::newRow("date only") << u"2026-01-02"_s << QString();
    QTest::newRow("month 13") << u"2026-13-02T04:30:00Z"_s << QString();
    QTest::newRow("words") << u"yesterday"_s << QString();
    QTest::newRow("7 fraction digits") << u"2026-01-02T04:30:00.1234567Z"_s << QString();
}

void TestMedicationRules::parseInstant()
{
    QFETCH(QString, text);
    QFETCH(QString, utcText);
    const std::optional<QDateTime> parsed = medication::parseInstant(text);
    QCOMPARE(parsed.has_value(), !utcText.isEmpty());
    if (parsed)
        QCOMPARE(parsed->toString(Qt::ISODateWithMs), utcText);
}

QTEST_GUILESS_MAIN(TestMedicationRules)
#include "tst_medicationrules.moc"
