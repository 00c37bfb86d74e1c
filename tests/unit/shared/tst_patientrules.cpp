#include "shared/patients/patientrules.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace hms;
using namespace Qt::StringLiterals;

class TestPatientRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void registration_data();
    void registration();
    void estimatedAge();
    void normalisesValues();
    void updateTakesOnlySentFields();
    void normalizePhone_data();
    void normalizePhone();
    void mrn_data();
    void mrn();
    void mrnCheckDigitCatchesTypos();
    void mrnPrefix_data();
    void mrnPrefix();
};

namespace {

const QDate Today(2024, 5, 20);

QJsonObject object(const QByteArray &json)
{
    const QJsonDocument document = QJsonDocument::fromJson(json);
    if (!document.isObject())
        qFatal("test fixture is not a JSON object: %s", json.constData());
    return document.object();
}

QJsonObject validBody()
{
    return object(R"({"fullName":"José Álvarez","birthDate":"1980-02-29","sex":"M",)"
                  R"("phone":"+34 600-123-456"})");
}

QString errorsOf(const Result<PatientInput> &result)
{
    if (result)
        return {};
    QStringList parts;
    for (const FieldError &error : result.problem().errors)
        parts.append(error.field % u": "_s % error.message);
    return parts.join(u"; "_s);
}

QJsonObject with(QJsonObject body, const QString &key, const QJsonValue &value)
{
    if (value.isUndefined())
        body.remove(key);
    else
        body.insert(key, value);
    return body;
}

} // namespace

void TestPatientRules::registration_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<QString>("errorField"); // empty: valid

    const QJsonObject valid = validBody();
    const QJsonValue absent = QJsonValue(QJsonValue::Undefined);
    QTest::newRow("valid-minimal") << valid << QString();
    QTest::newRow("missing-full-name") << with(valid, u"fullName"_s, absent) << u"fullName"_s;
    QTest::newRow("blank-full-name") << with(valid, u"fullName"_s, u"   "_s) << u"fullName"_s;
    QTest::newRow("full-name-201-chars")
        << with(valid, u"fullName"_s, QString(201, u'a')) << u"fullName"_s;
    QTest::newRow("full-name-200-chars")
        << with(valid, u"fullName"_s, QString(200, u'a')) << QString();
    QTest::newRow("full-name-with-nul")
        << with(valid, u"fullName"_s, QString::fromUtf16(u"a\u0000b", 3)) << u"fullName"_s;
    QTest::newRow("full-name-number") << with(valid, u"fullName"_s, 5) << u"fullName"_s;
    QTest::newRow("missing-birth-date") << with(valid, u"birthDate"_s, absent) << u"birthDate"_s;
    QTest::newRow("birth-date-in-future")
        << with(valid, u"birthDate"_s, u"2024-05-21"_s) << u"birthDate"_s;
    QTest::newRow("birth-date-today") << with(valid, u"birthDate"_s, u"2024-05-20"_s) << QString();
    QTest::newRow("birth-date-before-1900")
        << with(valid, u"birthDate"_s, u"1899-12-31"_s) << u"birthDate"_s;
    QTest::newRow("birth-date-1900-01-01")
        << with(valid, u"birthDate"_s, u"1900-01-01"_s) << QString();
    QTest::newRow("birth-date-not-iso")
        << with(valid, u"birthDate"_s, u"20/05/1980"_s) << u"birthDate"_s;
    QTest::newRow("birth-date-and-age")
        << with(valid, u"estimatedAgeYears"_s, 40) << u"estimatedAgeYears"_s;
    QTest::newRow("age-instead-of-date")
        << with(with(valid, u"birthDate"_s, absent), u"estimatedAgeYears"_s, 40) << QString();
    QTest::newRow("age-131") << with(with(valid, u"birthDate"_s, absent), u"estimatedAgeYears"_s,
                                     131)
                             << u"estimatedAgeYears"_s;
    QTest::newRow("age-negative") << with(with(valid, u"birthDate"_s, absent),
                                          u"estimatedAgeYears"_s, -1)
                                  << u"estimatedAgeYears"_s;
    QTest::newRow("age-fraction") << with(with(valid, u"birthDate"_s, absent),
                                          u"estimatedAgeYears"_s, 4.5)
                                  << u"estimatedAgeYears"_s;
    QTest::newRow("age-before-1900")
        << with(with(valid, u"birthDate"_s, absent), u"estimatedAgeYears"_s, 124)
        << u"estimatedAgeYears"_s;
    QTest::newRow("sex-lowercase") << with(valid, u"sex"_s, u"m"_s) << u"sex"_s;
    QTest::newRow("sex-unknown") << with(valid, u"sex"_s, u"U"_s) << QString();
    QTest::newRow("sex-other") << with(valid, u"sex"_s, u"Q"_s) << u"sex"_s;
    QTest::newRow("missing-phone") << with(valid, u"phone"_s, absent) << u"phone"_s;
    QTest::newRow("phone-letters") << with(valid, u"phone"_s, u"call me"_s) << u"phone"_s;
    QTest::newRow("phone-6-digits") << with(valid, u"phone"_s, u"123456"_s) << u"phone"_s;
    QTest::newRow("phone-16-digits")
        << with(valid, u"phone"_s, u"1234567890123456"_s) << u"phone"_s;
    QTest::newRow("phone-plus-in-middle") << with(valid, u"phone"_s, u"12+34567"_s) << u"phone"_s;
    QTest::newRow("address-with-unknown-member")
        << with(valid, u"address"_s, QJsonObject{{u"planet"_s, u"Mars"_s}}) << u"address.planet"_s;
    QTest::newRow("address-long-city")
        << with(valid, u"address"_s, QJsonObject{{u"city"_s, QString(201, u'c')}})
        << u"address.city"_s;
    QTest::newRow("address-not-object") << with(valid, u"address"_s, u"Main St"_s) << u"address"_s;
    QTest::newRow("emergency-contact-bad-phone") << with(
        valid, u"emergencyContact"_s, QJsonObject{{u"name"_s, u"Ana"_s}, {u"phone"_s, u"x"_s}})
                                                 << u"emergencyContact.phone"_s;
    QTest::newRow("national-id-65-chars")
        << with(valid, u"nationalId"_s, QString(65, u'9')) << u"nationalId"_s;
    QTest::newRow("allergies-not-array")
        << with(valid, u"allergies"_s, u"penicillin"_s) << u"allergies"_s;
    QTest::newRow("allergies-number-item")
        << with(valid, u"allergies"_s, QJsonArray{u"latex"_s, 5}) << u"allergies[1]"_s;
    QJsonArray many;
    for (int i = 0; i < 51; ++i)
        many.append(QString(u"a"_s + QString::number(i)));
    QTest::newRow("allergies-51-items") << with(valid, u"allergies"_s, many) << u"allergies"_s;
    QTest::newRow("override-reason-501-chars")
        << with(valid, u"duplicateOverrideReason"_s, QString(501, u'r'))
        << u"duplicateOverrideReason"_s;
    QTest::newRow("unknown-field") << with(valid, u"ssn"_s, u"1"_s) << u"ssn"_s;
    QTest::newRow("sql-looking-name-is-fine")
        << with(valid, u"fullName"_s, u"Robert'); DROP TABLE patients;--"_s) << QString();
    QTest::newRow("html-looking-name-is-fine")
        << with(valid, u"fullName"_s, u"<script>alert(1)</script>"_s) << QString();
}

void TestPatientRules::registration()
{
    QFETCH(QJsonObject, body);
    QFETCH(QString, errorField);
    const Result<PatientInput> result = patientFromJson(body, false, Today);
    if (errorField.isEmpty()) {
        QVERIFY2(result.isOk(), qPrintable(errorsOf(result)));
        return;
    }
    QVERIFY(!result.isOk());
    QCOMPARE(result.problem().status, 422);
    QStringList fields;
    for (const FieldError &error : result.problem().errors)
        fields.append(error.field);
    QVERIFY2(fields.contains(errorField), qPrintable(errorsOf(result)));
}

void TestPatientRules::estimatedAge()
{
    QJsonObject body = validBody();
    body.remove(u"birthDate"_s);
    body.insert(u"estimatedAgeYears"_s, 30);
    const Result<PatientInput> result = patientFromJson(body, false, Today);
    QVERIFY2(result.isOk(), qPrintable(errorsOf(result)));
    // The middle of the possible birth dates of someone who is 30 today.
    QCOMPARE(result.value().birthDate, QDate(1993, 11, 20));
    QVERIFY(result.value().birthDateEstimated);
    QCOMPARE(estimatedBirthDate(0, Today), QDate(2023, 11, 20));
    // A 30-year-old by that date is 30 today.
    const QDate born = result.value().birthDate;
    int age = Today.year() - born.year();
    if (QDate(Today.year(), born.month(), born.day()) > Today)
        --age;
    QCOMPARE(age, 30);
}

void TestPatientRules::normalisesValues()
{
    QJsonObject body = validBody();
    body.insert(u"fullName"_s, u"  José \t Álvarez  "_s);
    body.insert(u"address"_s, QJsonObject{{u"city"_s, u" Madrid "_s}, {u"line2"_s, QJsonValue()}});
    body.insert(u"emergencyContact"_s,
                QJsonObject{{u"name"_s, u"Ana"_s}, {u"phone"_s, u"(600) 111 222"_s}});
    body.insert(u"allergies"_s, QJsonArray{u"Penicillin"_s, u"penicillin"_s, u" latex "_s});
    body.insert(u"nationalId"_s, u" X123 "_s);
    const Result<PatientInput> result = patientFromJson(body, false, Today);
    QVERIFY2(result.isOk(), qPrintable(errorsOf(result)));
    const PatientInput &input = result.value();
    QCOMPARE(input.fullName, u"José Álvarez"_s);
    QCOMPARE(input.phone, u"+34600123456"_s);
    QCOMPARE(input.birthDate, QDate(1980, 2, 29));
    QVERIFY(!input.birthDateEstimated);
    QCOMPARE(input.address, (QJsonObject{{u"city"_s, u"Madrid"_s}}));
    QCOMPARE(input.emergencyContact.value(u"phone"_s).toString(), u"600111222"_s);
    QCOMPARE(input.allergies, (QStringList{u"Penicillin"_s, u"latex"_s}));
    QCOMPARE(input.nationalId, u"X123"_s);
    QVERIFY(input.has(patientkeys::Address));
}

void TestPatientRules::updateTakesOnlySentFields()
{
    Result<PatientInput> result = patientFromJson(object(R"({"phone":"5551234567"})"), true, Today);
    QVERIFY2(result.isOk(), qPrintable(errorsOf(result)));
    QVERIFY(result.value().has(patientkeys::Phone));
    QVERIFY(!result.value().has(patientkeys::FullName));
    QVERIFY(!result.value().has(patientkeys::Address));

    result = patientFromJson(object(R"({"address":null,"nationalId":null})"), true, Today);
    QVERIFY2(result.isOk(), qPrintable(errorsOf(result)));
    QVERIFY(result.value().has(patientkeys::Address));
    QVERIFY(result.value().address.isEmpty());
    QVERIFY(result.value().has(patientkeys::NationalId));

    QVERIFY(patientFromJson(object("{}"), true, Today).isOk());
    QVERIFY(!patientFromJson(object(R"({"fullName":null})"), true, Today).isOk());
    QVERIFY(!patientFromJson(object(R"({"birthDate":null})"), true, Today).isOk());
    QVERIFY(!patientFromJson(object(R"({"duplicateOverrideReason":"x"})"), true, Today).isOk());
}

void TestPatientRules::normalizePhone_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected"); // null: rejected
    QTest::newRow("plain-digits") << u"5551234567"_s << u"5551234567"_s;
    QTest::newRow("international-formatted") << u"+1 (555) 123-4567"_s << u"+15551234567"_s;
    QTest::newRow("dots") << u"030.1234.567"_s << u"0301234567"_s;
    QTest::newRow("seven-digits") << u"1234567"_s << u"1234567"_s;
    QTest::newRow("fifteen-digits") << u"123456789012345"_s << u"123456789012345"_s;
    QTest::newRow("six-digits") << u"123456"_s << QString();
    QTest::newRow("sixteen-digits") << u"1234567890123456"_s << QString();
    QTest::newRow("letters") << u"555-CALL-NOW"_s << QString();
    QTest::newRow("two-pluses") << u"++15551234567"_s << QString();
    QTest::newRow("arabic-indic-digits") << u"٥٥٥١٢٣٤٥٦٧"_s << QString();
}

void TestPatientRules::normalizePhone()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    const std::optional<QString> phone = hms::normalizePhone(input);
    if (expected.isNull())
        QVERIFY(!phone);
    else
        QCOMPARE(phone.value_or(u"<rejected>"_s), expected);
}

void TestPatientRules::mrn_data()
{
    QTest::addColumn<QString>("prefix");
    QTest::addColumn<int>("year");
    QTest::addColumn<qint64>("sequence");
    QTest::addColumn<QString>("expected");
    // Luhn over "2024000001": check digit 6; over "2024000123": 8 (hand-computed).
    QTest::newRow("first-of-year") << u"ALPH"_s << 2024 << qint64(1) << u"ALPH-2024-000001-6"_s;
    QTest::newRow("sequence-123") << u"ALPH"_s << 2024 << qint64(123) << u"ALPH-2024-000123-8"_s;
    QTest::newRow("seven-digit-sequence")
        << u"B"_s << 2030 << qint64(1234567) << computeMrn(u"B"_s, 2030, 1234567);
}

void TestPatientRules::mrn()
{
    QFETCH(QString, prefix);
    QFETCH(int, year);
    QFETCH(qint64, sequence);
    QFETCH(QString, expected);
    const QString mrn = computeMrn(prefix, year, sequence);
    QCOMPARE(mrn, expected);
    QVERIFY(isValidMrn(mrn));
    QVERIFY(isValidMrn(mrn.toLower()));
    QVERIFY(isValidMrn(u"  "_s + mrn + u" "_s));
}

void TestPatientRules::mrnCheckDigitCatchesTypos()
{
    const QString mrn = computeMrn(u"ALPH"_s, 2024, 4711);
    QVERIFY(isValidMrn(mrn));
    // Every single-digit change in year, sequence or check digit is caught.
    for (qsizetype i = 0; i < mrn.size(); ++i) {
        if (!mrn.at(i).isDigit())
            continue;
        for (char16_t d = u'0'; d <= u'9'; ++d) {
            if (mrn.at(i) == QChar(d))
                continue;
            QString typo = mrn;
            typo[i] = QChar(d);
            QVERIFY2(!isValidMrn(typo), qPrintable(typo));
        }
    }
    QVERIFY(!isValidMrn(u"ALPH-2024-004711"_s)); // no check digit
    QVERIFY(!isValidMrn(u"ALPH2024004711"_s));
    QVERIFY(!isValidMrn(u"1ALP-2024-004711-0"_s));
    QVERIFY(!isValidMrn(QString()));
}

void TestPatientRules::mrnPrefix_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("prefix");
    QTest::newRow("long-code") << u"alpha"_s << u"ALPH"_s;
    QTest::newRow("short-code") << u"ab"_s << u"AB"_s;
    QTest::newRow("dash-skipped") << u"st-mary"_s << u"STMA"_s;
    QTest::newRow("leading-digit") << u"9north"_s << u"H9NO"_s;
}

void TestPatientRules::mrnPrefix()
{
    QFETCH(QString, code);
    QFETCH(QString, prefix);
    QCOMPARE(mrnPrefixFor(code), prefix);
}

QTEST_GUILESS_MAIN(TestPatientRules)
#include "tst_patientrules.moc"
