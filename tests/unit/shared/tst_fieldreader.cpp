#include "shared/validation/fieldreader.h"

#include <QJsonDocument>
#include <QTest>

#include <limits>

using namespace hms;
using namespace Qt::StringLiterals;

class TestFieldReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void requiredString_data();
    void requiredString();
    void requiredInteger_data();
    void requiredInteger();
    void requiredId_data();
    void requiredId();
    void requiredDate_data();
    void requiredDate();
    void requiredEnum_data();
    void requiredEnum();
    void requiredBool_data();
    void requiredBool();
    void optionalFieldsAbsentOrNull_data();
    void optionalFieldsAbsentOrNull();
    void optionalFieldsPresentAreValidated();
    void objectsAndArrays();
    void rejectsUnknownFields();
    void prefixesNestedFields();
    void problemCollectsAllErrors();
    void finishReturnsValueOrProblem();
    void errorListIsCapped();
};

/// Parsed with Qt directly so these tests do not depend on parseJsonObject.
static QJsonObject object(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qFatal("test fixture is not a JSON object: %s", json.constData());
    return document.object();
}

/// All errors as "field: message", joined with "; " (empty when there are none).
static QString errorsOf(const FieldReader &reader)
{
    QStringList parts;
    for (const FieldError &error : reader.errors())
        parts.append(error.field % u": "_s % error.message);
    return parts.join(u"; "_s);
}

/// The expected errorsOf() for one error on \a field, or none when \a message is empty.
static QString expectedError(const QString &field, const QString &message)
{
    return message.isEmpty() ? QString() : QString(field % u": "_s % message);
}

void TestFieldReader::requiredString_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("maxLength");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const QString tenEmoji = QString(u"😀"_s).repeated(10);
    const QByteArray tenEmojiJson = QByteArray("\\ud83d\\ude00").repeated(10);

    QTest::newRow("plain") << QByteArray(R"({"name":"Asha"})") << 10 << u"Asha"_s << QString();
    QTest::newRow("missing") << QByteArray("{}") << 10 << QString() << u"is required"_s;
    QTest::newRow("null") << QByteArray(R"({"name":null})") << 10 << QString() << u"is required"_s;
    QTest::newRow("number-for-string")
        << QByteArray(R"({"name":5})") << 10 << QString() << u"must be a string"_s;
    QTest::newRow("bool-for-string")
        << QByteArray(R"({"name":true})") << 10 << QString() << u"must be a string"_s;
    QTest::newRow("array-for-string")
        << QByteArray(R"({"name":["Asha"]})") << 10 << QString() << u"must be a string"_s;
    QTest::newRow("object-for-string")
        << QByteArray(R"({"name":{}})") << 10 << QString() << u"must be a string"_s;
    QTest::newRow("empty") << QByteArray(R"({"name":""})") << 10 << QString()
                           << u"must not be empty"_s;
    QTest::newRow("whitespace-only")
        << QByteArray(R"({"name":" \t \u00a0"})") << 10 << QString() << u"must not be empty"_s;
    QTest::newRow("exactly-max-length")
        << QByteArray(R"({"name":"abcdefghij"})") << 10 << u"abcdefghij"_s << QString();
    QTest::newRow("over-long") << QByteArray(R"({"name":"abcdefghijk"})") << 10 << QString()
                               << u"must be at most 10 characters"_s;
    QTest::newRow("length-counts-code-points")
        << QByteArray("{\"name\":\"" + tenEmojiJson + "\"}") << 10 << tenEmoji << QString();
    QTest::newRow("over-long-in-code-points")
        << QByteArray("{\"name\":\"" + tenEmojiJson + "x\"}") << 10 << QString()
        << u"must be at most 10 characters"_s;
    QTest::newRow("nul-inside") << QByteArray(R"({"name":"As\u0000ha"})") << 10 << QString()
                                << u"must not contain control characters"_s;
    QTest::newRow("escape-character-inside")
        << QByteArray(R"({"name":"a\u001b[31mb"})") << 10 << QString()
        << u"must not contain control characters"_s;
    QTest::newRow("tab-newline-return-allowed")
        << QByteArray(R"({"name":"a\tb\nc\rd"})") << 10 << u"a\tb\nc\rd"_s << QString();
    QTest::newRow("spaces-kept-verbatim")
        << QByteArray(R"({"name":" Asha "})") << 10 << u" Asha "_s << QString();
    QTest::newRow("sql-or-injection-verbatim")
        << QByteArray(R"({"name":"' OR 1=1--"})") << 200 << u"' OR 1=1--"_s << QString();
    QTest::newRow("sql-drop-table-verbatim")
        << QByteArray(R"({"name":"'; DROP TABLE patients;--"})") << 200
        << u"'; DROP TABLE patients;--"_s << QString();
    QTest::newRow("html-verbatim")
        << QByteArray(R"({"name":"<b>x</b>"})") << 200 << u"<b>x</b>"_s << QString();
    QTest::newRow("img-tag-verbatim")
        << QByteArray(R"({"name":"<img src=\"http://127.0.0.1:9/px\"><a href=\"x\">Zeb</a>"})")
        << 200 << u"<img src=\"http://127.0.0.1:9/px\"><a href=\"x\">Zeb</a>"_s << QString();
    QTest::newRow("sql-wildcards-verbatim")
        << QByteArray(R"({"name":"100% _$$ \\"})") << 200 << u"100% _$$ \\"_s << QString();
}

void TestFieldReader::requiredString()
{
    QFETCH(QByteArray, json);
    QFETCH(int, maxLength);
    QFETCH(QString, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<QString> value = reader.requiredString(u"name"_s, maxLength);
    QCOMPARE(errorsOf(reader), expectedError(u"name"_s, error));
    QCOMPARE(reader.hasErrors(), !error.isEmpty());
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::requiredInteger_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("min");
    QTest::addColumn<qint64>("max");
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const qint64 lowest = std::numeric_limits<qint64>::min();
    const qint64 highest = std::numeric_limits<qint64>::max();

    QTest::newRow("in-range") << QByteArray(R"({"age":42})") << 0LL << 150LL << 42LL << QString();
    QTest::newRow("at-min") << QByteArray(R"({"age":0})") << 0LL << 150LL << 0LL << QString();
    QTest::newRow("at-max") << QByteArray(R"({"age":150})") << 0LL << 150LL << 150LL << QString();
    QTest::newRow("below-min") << QByteArray(R"({"age":-1})") << 0LL << 150LL << 0LL
                               << u"must be between 0 and 150"_s;
    QTest::newRow("above-max") << QByteArray(R"({"age":151})") << 0LL << 150LL << 0LL
                               << u"must be between 0 and 150"_s;
    QTest::newRow("missing") << QByteArray("{}") << 0LL << 150LL << 0LL << u"is required"_s;
    QTest::newRow("string-for-number")
        << QByteArray(R"({"age":"42"})") << 0LL << 150LL << 0LL << u"must be an integer"_s;
    QTest::newRow("bool-for-number")
        << QByteArray(R"({"age":true})") << 0LL << 150LL << 0LL << u"must be an integer"_s;
    QTest::newRow("fraction") << QByteArray(R"({"age":1.5})") << 0LL << 150LL << 0LL
                              << u"must be an integer"_s;
    QTest::newRow("integral-decimal")
        << QByteArray(R"({"age":5.0})") << 0LL << 150LL << 5LL << QString();
    QTest::newRow("integral-exponent")
        << QByteArray(R"({"age":1e2})") << 0LL << 150LL << 100LL << QString();
    QTest::newRow("two-pow-53") << QByteArray(R"({"age":9007199254740992})") << lowest << highest
                                << 9007199254740992LL << QString();
    QTest::newRow("two-pow-53-plus-1")
        << QByteArray(R"({"age":9007199254740993})") << lowest << highest << 0LL
        << u"must be between -9007199254740992 and 9007199254740992"_s;
    QTest::newRow("minus-two-pow-53-minus-1")
        << QByteArray(R"({"age":-9007199254740993})") << lowest << highest << 0LL
        << u"must be between -9007199254740992 and 9007199254740992"_s;
    QTest::newRow("huge-double") << QByteArray(R"({"age":1e300})") << 0LL << highest << 0LL
                                 << u"must be between 0 and 9007199254740992"_s;
    QTest::newRow("beyond-int64") << QByteArray(R"({"age":123456789012345678901234567890})") << 0LL
                                  << highest << 0LL << u"must be between 0 and 9007199254740992"_s;
}

void TestFieldReader::requiredInteger()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, min);
    QFETCH(qint64, max);
    QFETCH(qint64, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<qint64> value = reader.requiredInteger(u"age"_s, min, max);
    QCOMPARE(errorsOf(reader), expectedError(u"age"_s, error));
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::requiredId_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const QString notAnId = u"must be an id (a string of digits)"_s;
    QTest::newRow("digits") << QByteArray(R"({"patientId":"42"})") << 42LL << QString();
    QTest::newRow("eighteen-digits")
        << QByteArray(R"({"patientId":"999999999999999999"})") << 999999999999999999LL << QString();
    QTest::newRow("nineteen-digits")
        << QByteArray(R"({"patientId":"1000000000000000000"})") << 0LL << notAnId;
    QTest::newRow("zero") << QByteArray(R"({"patientId":"0"})") << 0LL << notAnId;
    QTest::newRow("all-zeros") << QByteArray(R"({"patientId":"000"})") << 0LL << notAnId;
    QTest::newRow("negative") << QByteArray(R"({"patientId":"-1"})") << 0LL << notAnId;
    QTest::newRow("plus-sign") << QByteArray(R"({"patientId":"+5"})") << 0LL << notAnId;
    QTest::newRow("letters") << QByteArray(R"({"patientId":"12a"})") << 0LL << notAnId;
    QTest::newRow("leading-space") << QByteArray(R"({"patientId":" 5"})") << 0LL << notAnId;
    QTest::newRow("arabic-indic-digits")
        << QByteArray(R"({"patientId":"\u0664\u0662"})") << 0LL << notAnId;
    QTest::newRow("empty-string") << QByteArray(R"({"patientId":""})") << 0LL << notAnId;
    QTest::newRow("number-not-string") << QByteArray(R"({"patientId":12})") << 0LL << notAnId;
    QTest::newRow("two-pow-53-plus-1-as-number")
        << QByteArray(R"({"patientId":9007199254740993})") << 0LL << notAnId;
    QTest::newRow("missing") << QByteArray("{}") << 0LL << u"is required"_s;
}

void TestFieldReader::requiredId()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<qint64> value = reader.requiredId(u"patientId"_s);
    QCOMPARE(errorsOf(reader), expectedError(u"patientId"_s, error));
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::requiredDate_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QDate>("expected");
    QTest::addColumn<QString>("error");

    const QString notADate = u"must be a date (YYYY-MM-DD)"_s;
    QTest::newRow("leap-day") << QByteArray(R"({"birthDate":"2024-02-29"})") << QDate(2024, 2, 29)
                              << QString();
    QTest::newRow("ordinary-date")
        << QByteArray(R"({"birthDate":"1987-12-31"})") << QDate(1987, 12, 31) << QString();
    QTest::newRow("feb-29-not-leap-year")
        << QByteArray(R"({"birthDate":"2023-02-29"})") << QDate() << notADate;
    QTest::newRow("feb-30") << QByteArray(R"({"birthDate":"2024-02-30"})") << QDate() << notADate;
    QTest::newRow("month-13") << QByteArray(R"({"birthDate":"2024-13-01"})") << QDate() << notADate;
    QTest::newRow("day-zero") << QByteArray(R"({"birthDate":"2024-01-00"})") << QDate() << notADate;
    QTest::newRow("year-zero") << QByteArray(R"({"birthDate":"0000-01-01"})") << QDate()
                               << notADate;
    QTest::newRow("single-digit-parts")
        << QByteArray(R"({"birthDate":"2024-2-3"})") << QDate() << notADate;
    QTest::newRow("with-time") << QByteArray(R"({"birthDate":"2024-02-03T00:00:00Z"})") << QDate()
                               << notADate;
    QTest::newRow("slashes") << QByteArray(R"({"birthDate":"2024/02/03"})") << QDate() << notADate;
    QTest::newRow("day-first") << QByteArray(R"({"birthDate":"03-02-2024"})") << QDate()
                               << notADate;
    QTest::newRow("trailing-space")
        << QByteArray(R"({"birthDate":"2024-02-03 "})") << QDate() << notADate;
    QTest::newRow("number") << QByteArray(R"({"birthDate":20240203})") << QDate() << notADate;
    QTest::newRow("missing") << QByteArray("{}") << QDate() << u"is required"_s;
}

void TestFieldReader::requiredDate()
{
    QFETCH(QByteArray, json);
    QFETCH(QDate, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<QDate> value = reader.requiredDate(u"birthDate"_s);
    QCOMPARE(errorsOf(reader), expectedError(u"birthDate"_s, error));
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::requiredEnum_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const QString notOneOf = u"must be one of: doctor, nurse"_s;
    QTest::newRow("allowed") << QByteArray(R"({"role":"nurse"})") << u"nurse"_s << QString();
    QTest::newRow("wrong-case") << QByteArray(R"({"role":"Doctor"})") << QString() << notOneOf;
    QTest::newRow("not-listed") << QByteArray(R"({"role":"admin"})") << QString() << notOneOf;
    QTest::newRow("empty") << QByteArray(R"({"role":""})") << QString() << notOneOf;
    QTest::newRow("number") << QByteArray(R"({"role":1})") << QString() << notOneOf;
    QTest::newRow("missing") << QByteArray("{}") << QString() << u"is required"_s;
}

void TestFieldReader::requiredEnum()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<QString> value = reader.requiredEnum(u"role"_s, {u"doctor"_s, u"nurse"_s});
    QCOMPARE(errorsOf(reader), expectedError(u"role"_s, error));
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::requiredBool_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("expected");
    QTest::addColumn<QString>("error");

    QTest::newRow("true") << QByteArray(R"({"active":true})") << true << QString();
    QTest::newRow("false") << QByteArray(R"({"active":false})") << false << QString();
    QTest::newRow("string-true") << QByteArray(R"({"active":"true"})") << false
                                 << u"must be true or false"_s;
    QTest::newRow("number-one") << QByteArray(R"({"active":1})") << false
                                << u"must be true or false"_s;
    QTest::newRow("missing") << QByteArray("{}") << false << u"is required"_s;
}

void TestFieldReader::requiredBool()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, expected);
    QFETCH(QString, error);

    FieldReader reader(object(json));
    const std::optional<bool> value = reader.requiredBool(u"active"_s);
    QCOMPARE(errorsOf(reader), expectedError(u"active"_s, error));
    QCOMPARE(value.has_value(), error.isEmpty());
    if (value)
        QCOMPARE(*value, expected);
}

void TestFieldReader::optionalFieldsAbsentOrNull_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("absent") << QByteArray("{}");
    QTest::newRow("null") << QByteArray(R"({"s":null,"i":null,"b":null,"id":null,"e":null,)"
                                        R"("d":null,"o":null,"a":null})");
}

void TestFieldReader::optionalFieldsAbsentOrNull()
{
    QFETCH(QByteArray, json);

    FieldReader reader(object(json));
    QVERIFY(!reader.optionalString(u"s"_s));
    QVERIFY(!reader.optionalInteger(u"i"_s, 0, 10));
    QVERIFY(!reader.optionalBool(u"b"_s));
    QVERIFY(!reader.optionalId(u"id"_s));
    QVERIFY(!reader.optionalEnum(u"e"_s, {u"x"_s}));
    QVERIFY(!reader.optionalDate(u"d"_s));
    QVERIFY(!reader.optionalObject(u"o"_s));
    QVERIFY(!reader.optionalArray(u"a"_s));
    reader.rejectUnknownKeys(); // every key was read, so none is unknown
    QCOMPARE(errorsOf(reader), QString());
    QVERIFY(!reader.hasErrors());
}

void TestFieldReader::optionalFieldsPresentAreValidated()
{
    FieldReader valid(object(R"({"s":"x","i":3,"b":false,"id":"7","e":"x","d":"2024-02-29"})"));
    QCOMPARE(valid.optionalString(u"s"_s), std::optional<QString>(u"x"_s));
    QCOMPARE(valid.optionalInteger(u"i"_s, 0, 10), std::optional<qint64>(3));
    QCOMPARE(valid.optionalBool(u"b"_s), std::optional<bool>(false));
    QCOMPARE(valid.optionalId(u"id"_s), std::optional<qint64>(7));
    QCOMPARE(valid.optionalEnum(u"e"_s, {u"x"_s}), std::optional<QString>(u"x"_s));
    QCOMPARE(valid.optionalDate(u"d"_s), std::optional<QDate>(QDate(2024, 2, 29)));
    QCOMPARE(errorsOf(valid), QString());

    FieldReader invalid(
        object(R"({"s":"","i":11,"b":"no","id":12,"e":"y","d":"2024-02-30","o":[],"a":{}})"));
    QVERIFY(!invalid.optionalString(u"s"_s));
    QVERIFY(!invalid.optionalInteger(u"i"_s, 0, 10));
    QVERIFY(!invalid.optionalBool(u"b"_s));
    QVERIFY(!invalid.optionalId(u"id"_s));
    QVERIFY(!invalid.optionalEnum(u"e"_s, {u"x"_s}));
    QVERIFY(!invalid.optionalDate(u"d"_s));
    QVERIFY(!invalid.optionalObject(u"o"_s));
    QVERIFY(!invalid.optionalArray(u"a"_s));
    QCOMPARE(errorsOf(invalid),
             u"s: must not be empty; i: must be between 0 and 10; b: must be true or false; "
             "id: must be an id (a string of digits); e: must be one of: x; "
             "d: must be a date (YYYY-MM-DD); o: must be an object; a: must be an array"_s);
}

void TestFieldReader::objectsAndArrays()
{
    FieldReader reader(object(R"({"address":{"city":"Pune"},"items":[1,2,3],"tags":[1,2]})"));
    const std::optional<QJsonObject> address = reader.requiredObject(u"address"_s);
    QVERIFY(address);
    QCOMPARE(address->value(u"city"_s).toString(), u"Pune"_s);
    const std::optional<QJsonArray> items = reader.requiredArray(u"items"_s, 3);
    QVERIFY(items);
    QCOMPARE(items->size(), 3);
    QVERIFY(!reader.requiredArray(u"tags"_s, 1));
    QVERIFY(!reader.requiredObject(u"contact"_s));
    QCOMPARE(errorsOf(reader), u"tags: must have at most 1 items; contact: is required"_s);
}

void TestFieldReader::rejectsUnknownFields()
{
    // As reception: read-only and foreign fields smuggled into a registration (SECURITY.md T3).
    FieldReader reader(object(
        R"({"fullName":"Asha","age":"x","hospitalId":"beta","createdBy":"1","role":"admin"})"));
    QVERIFY(reader.requiredString(u"fullName"_s));
    QVERIFY(!reader.requiredInteger(u"age"_s, 0, 150)); // read with an error: not also unknown
    QVERIFY(!reader.optionalString(u"middleName"_s)); // absent: no error
    reader.rejectUnknownKeys();
    QCOMPARE(errorsOf(reader),
             u"age: must be an integer; createdBy: unknown field; "
             "hospitalId: unknown field; role: unknown field"_s);
}

void TestFieldReader::prefixesNestedFields()
{
    FieldReader reader(object(R"({"name":"A","address":{"city":"","zip":"411001","floor":2}})"));
    QVERIFY(reader.requiredString(u"name"_s));
    const std::optional<QJsonObject> address = reader.requiredObject(u"address"_s);
    QVERIFY(address);

    FieldReader nested(*address, reader.path(u"address"_s));
    QVERIFY(!nested.requiredString(u"city"_s));
    QCOMPARE(nested.requiredString(u"zip"_s), std::optional<QString>(u"411001"_s));
    nested.rejectUnknownKeys();
    nested.addError(u"zip"_s, u"does not match the city"_s);
    QCOMPARE(errorsOf(nested),
             u"address.city: must not be empty; address.floor: unknown field; "
             "address.zip: does not match the city"_s);

    reader.addErrors(nested);
    reader.addError(u"name"_s, u"is taken"_s);
    reader.rejectUnknownKeys();
    QCOMPARE(reader.errors().size(), 4);
    QCOMPARE(reader.errors().at(2).field, u"address.zip"_s);
    QCOMPARE(reader.errors().at(3).field, u"name"_s);
    QCOMPARE(reader.path(u"x"_s), u"x"_s);
    QCOMPARE(nested.path(u"x"_s), u"address.x"_s);
}

void TestFieldReader::problemCollectsAllErrors()
{
    FieldReader reader(object(R"({"fullName":5,"birthDate":"2024-2-3","extra":true})"));
    reader.requiredString(u"fullName"_s);
    reader.requiredDate(u"birthDate"_s);
    reader.requiredId(u"wardId"_s);
    reader.rejectUnknownKeys();

    const Problem problem = reader.problem();
    QCOMPARE(problem.status, 422);
    QCOMPARE(problem.type, QString::fromLatin1(problems::ValidationFailed.slug));
    QCOMPARE(problem.detail, u"4 invalid fields"_s);
    QCOMPARE(problem.errors.size(), 4);
    QCOMPARE(problem.errors.at(0).field, u"fullName"_s);
    QCOMPARE(problem.errors.at(0).message, u"must be a string"_s);
    QCOMPARE(problem.errors.at(1).field, u"birthDate"_s);
    QCOMPARE(problem.errors.at(2).field, u"wardId"_s);
    QCOMPARE(problem.errors.at(2).message, u"is required"_s);
    QCOMPARE(problem.errors.at(3).field, u"extra"_s);
    QCOMPARE(problem.errors.at(3).message, u"unknown field"_s);
    const QJsonArray json = problem.toJson().value(u"errors"_s).toArray();
    QCOMPARE(json.size(), 4);
    QCOMPARE(json.at(3).toObject().value(u"field"_s).toString(), u"extra"_s);
}

void TestFieldReader::finishReturnsValueOrProblem()
{
    FieldReader clean(object(R"({"name":"Asha"})"));
    const std::optional<QString> name = clean.requiredString(u"name"_s);
    clean.rejectUnknownKeys();
    const Result<QString> ok = clean.finish(name.value_or(QString()));
    QVERIFY(ok.isOk());
    QCOMPARE(ok.value(), u"Asha"_s);

    FieldReader dirty(object(R"({"name":""})"));
    const std::optional<QString> empty = dirty.requiredString(u"name"_s);
    const Result<QString> failed = dirty.finish(empty.value_or(QString()));
    QVERIFY(!failed.isOk());
    QCOMPARE(failed.problem().status, 422);
    QCOMPARE(failed.problem().detail, u"1 invalid field"_s);
    QCOMPARE(failed.problem().errors.size(), 1);
    QCOMPARE(failed.problem().errors.first().message, u"must not be empty"_s);
}

void TestFieldReader::errorListIsCapped()
{
    QJsonObject flood;
    for (int i = 0; i < 150; ++i)
        flood.insert(QString(u"junk"_s % QString::number(i)), i);
    FieldReader reader(flood);
    reader.rejectUnknownKeys();
    QVERIFY(reader.hasErrors());
    QCOMPARE(reader.errors().size(), FieldReader::MaxErrors);
    QCOMPARE(reader.problem().detail, u"150 invalid fields (first 100 listed)"_s);

    FieldReader parent(QJsonObject{{u"nested"_s, flood}});
    parent.requiredObject(u"nested"_s);
    parent.addErrors(reader);
    QCOMPARE(parent.errors().size(), FieldReader::MaxErrors);
    QCOMPARE(parent.problem().detail, u"150 invalid fields (first 100 listed)"_s);
}

QTEST_GUILESS_MAIN(TestFieldReader)
#include "tst_fieldreader.moc"
