#include "shared/validation/jsonbody.h"

#include <QJsonArray>
#include <QTest>

using namespace hms;
using namespace Qt::StringLiterals;

class TestJsonBody : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rejectsMalformedBody_data();
    void rejectsMalformedBody();
    void acceptsValidBody_data();
    void acceptsValidBody();
    void keepsNulEscapeInString();
    void reportsByteOffset();
    void honoursCustomLimits();
};

/// {"a":{"a":…{}…}} with \a depth objects in all.
static QByteArray nestedObjects(int depth)
{
    QByteArray out;
    for (int i = 1; i < depth; ++i)
        out += "{\"a\":";
    out += "{}";
    out += QByteArray(depth - 1, '}');
    return out;
}

/// {"a":[[…]]}: one object holding \a depth - 1 nested arrays.
static QByteArray nestedArrays(int depth)
{
    QByteArray out = "{\"a\":";
    out += QByteArray(depth - 1, '[');
    out += QByteArray(depth - 1, ']');
    out += '}';
    return out;
}

/// {"a":[0,1,2,…]} with \a items items.
static QByteArray arrayBody(int items)
{
    QByteArray out = "{\"a\":[";
    for (int i = 0; i < items; ++i) {
        if (i > 0)
            out += ',';
        out += QByteArray::number(i);
    }
    out += "]}";
    return out;
}

/// {"k0":0,"k1":1,…} with \a keys distinct keys, then \a extra appended verbatim.
static QByteArray manyKeys(int keys, const QByteArray &extra = {})
{
    QByteArray out = "{";
    for (int i = 0; i < keys; ++i) {
        if (i > 0)
            out += ',';
        out += "\"k" + QByteArray::number(i) + "\":" + QByteArray::number(i);
    }
    out += extra;
    out += '}';
    return out;
}

void TestJsonBody::rejectsMalformedBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("detail"); // the start of the expected detail

    // Syntax
    QTest::newRow("missing-colon")
        << QByteArray(R"({"a" 1})") << u"expected ':' after object key"_s;
    QTest::newRow("unquoted-key") << QByteArray(R"({a:1})") << u"expected a string key"_s;
    QTest::newRow("single-quoted-key") << QByteArray(R"({'a':1})") << u"expected a string key"_s;
    QTest::newRow("trailing-comma-in-object")
        << QByteArray(R"({"a":1,})") << u"expected a string key"_s;
    QTest::newRow("trailing-comma-in-array")
        << QByteArray(R"({"a":[1,]})") << u"unexpected character ']'"_s;
    QTest::newRow("missing-comma")
        << QByteArray(R"({"a":1 "b":2})") << u"expected ',' or '}' in object"_s;
    QTest::newRow("unterminated-object") << QByteArray(R"({"a":1)") << u"unexpected end of input"_s;
    QTest::newRow("unterminated-string") << QByteArray(R"({"a":"x})") << u"unterminated string"_s;
    QTest::newRow("comment") << QByteArray(R"({"a":1 /* note */})")
                             << u"expected ',' or '}' in object"_s;
    QTest::newRow("misspelled-literal")
        << QByteArray(R"({"a":tru})") << u"unexpected character 't'"_s;
    QTest::newRow("leading-zero") << QByteArray(R"({"a":01})")
                                  << u"invalid number (leading zero)"_s;
    QTest::newRow("bare-minus") << QByteArray(R"({"a":-})") << u"invalid number"_s;
    QTest::newRow("fraction-without-digits") << QByteArray(R"({"a":1.})") << u"invalid number"_s;
    QTest::newRow("exponent-without-digits") << QByteArray(R"({"a":1e+})") << u"invalid number"_s;
    QTest::newRow("plus-sign") << QByteArray(R"({"a":+1})") << u"unexpected character '+'"_s;
    QTest::newRow("raw-newline-in-string")
        << QByteArray("{\"a\":\"x\ny\"}") << u"control character in string"_s;
    QTest::newRow("raw-nul-in-string")
        << QByteArray("{\"a\":\"x\0y\"}", 11) << u"control character in string"_s;
    QTest::newRow("invalid-escape") << QByteArray(R"({"a":"\x"})") << u"invalid escape \\x"_s;
    QTest::newRow("short-unicode-escape")
        << QByteArray(R"({"a":"\u12"})") << u"invalid \\u escape"_s;
    QTest::newRow("nul-byte-alone") << QByteArray("\0", 1) << u"unexpected byte 0x00"_s;

    // Trailing data
    QTest::newRow("trailing-garbage")
        << QByteArray(R"({"a":1} x)") << u"trailing data after the JSON value"_s;
    QTest::newRow("trailing-second-object")
        << QByteArray(R"({}{})") << u"trailing data after the JSON value"_s;
    QTest::newRow("trailing-nul-byte")
        << QByteArray("{}\0", 3) << u"trailing data after the JSON value"_s;

    // Top level
    QTest::newRow("top-level-array")
        << QByteArray(R"([{"a":1}])") << u"top-level value must be an object"_s;
    QTest::newRow("top-level-string")
        << QByteArray(R"("abc")") << u"top-level value must be an object"_s;
    QTest::newRow("top-level-number") << QByteArray("42") << u"top-level value must be an object"_s;
    QTest::newRow("top-level-null") << QByteArray("null") << u"top-level value must be an object"_s;
    QTest::newRow("empty-body") << QByteArray() << u"empty body"_s;
    QTest::newRow("whitespace-only-body") << QByteArray(" \r\n\t ") << u"empty body"_s;
    // RFC 8259 §8.1 lets a parser ignore a BOM; we reject it so one body has one meaning.
    QTest::newRow("bom-at-start") << QByteArray("\xEF\xBB\xBF{}")
                                  << u"byte order mark at the start"_s;

    // Duplicate keys, which Qt would silently collapse to the last one
    QTest::newRow("duplicate-key-top-level")
        << QByteArray(R"({"role":"nurse","role":"admin"})") << u"duplicate key \"role\""_s;
    QTest::newRow("duplicate-key-nested")
        << QByteArray(R"({"user":{"role":1,"x":2,"role":3}})") << u"duplicate key \"role\""_s;
    QTest::newRow("duplicate-key-in-array-item")
        << QByteArray(R"({"items":[{"id":"1"},{"id":"2","id":"3"}]})") << u"duplicate key \"id\""_s;
    QTest::newRow("duplicate-key-after-nested-object")
        << QByteArray(R"({"a":1,"b":{"c":2},"a":3})") << u"duplicate key \"a\""_s;
    QTest::newRow("duplicate-key-spelled-with-escape")
        << QByteArray(R"({"role":1,"\u0072ole":2})") << u"duplicate key \"role\""_s;
    QTest::newRow("duplicate-key-surrogate-pair-escape")
        << QByteArray("{\"\xF0\x9F\x98\x80\":1,\"\\ud83d\\ude00\":2}") << u"duplicate key \"😀\""_s;
    QTest::newRow("duplicate-key-large-object-first-and-last")
        << manyKeys(500, R"(,"k0":0)") << u"duplicate key \"k0\""_s;
    QTest::newRow("duplicate-key-large-object-adjacent")
        << manyKeys(40, R"(,"k39":0)") << u"duplicate key \"k39\""_s;
    QTest::newRow("duplicate-key-control-character-shown-safely")
        << QByteArray(R"({"a\nb":1,"a\nb":2})") << u"duplicate key \"a\uFFFDb\""_s;

    // Unicode
    QTest::newRow("lone-high-surrogate")
        << QByteArray(R"({"a":"\ud800"})") << u"unpaired surrogate \\ud800"_s;
    QTest::newRow("lone-low-surrogate")
        << QByteArray(R"({"a":"\udc00"})") << u"unpaired surrogate \\udc00"_s;
    QTest::newRow("high-surrogate-then-letter")
        << QByteArray(R"({"a":"\ud800\u0041"})") << u"unpaired surrogate \\ud800"_s;
    QTest::newRow("surrogates-reversed")
        << QByteArray(R"({"a":"\udc00\ud800"})") << u"unpaired surrogate \\udc00"_s;
    QTest::newRow("lone-surrogate-in-key")
        << QByteArray(R"({"\uDBFF":1})") << u"unpaired surrogate \\uDBFF"_s;
    QTest::newRow("invalid-utf8-raw-ff") << QByteArray("{\"a\":\"\xFF\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-overlong-nul")
        << QByteArray("{\"a\":\"\xC0\x80\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-overlong-slash")
        << QByteArray("{\"a\":\"\xE0\x80\xAF\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-truncated-sequence")
        << QByteArray("{\"a\":\"\xE2\x82\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-truncated-at-end")
        << QByteArray("{\"a\":\"\xE2") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-two-of-three-bytes-at-end")
        << QByteArray("{\"a\":\"\xE2\x82") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-lone-continuation")
        << QByteArray("{\"a\":\"\x80\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-encoded-surrogate")
        << QByteArray("{\"a\":\"\xED\xA0\x80\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-above-u10ffff")
        << QByteArray("{\"a\":\"\xF4\x90\x80\x80\"}") << u"invalid UTF-8"_s;
    QTest::newRow("invalid-utf8-in-key") << QByteArray("{\"\xFE\":1}") << u"invalid UTF-8"_s;
    QTest::newRow("latin1-outside-string")
        << QByteArray("{\"a\":1,\xE9}") << u"expected a string key"_s;

    // Limits and numbers
    QTest::newRow("depth-33-objects") << nestedObjects(33) << u"nesting deeper than 32"_s;
    QTest::newRow("depth-33-arrays") << nestedArrays(33) << u"nesting deeper than 32"_s;
    QTest::newRow("array-1001-items") << arrayBody(1001) << u"array with more than 1000 items"_s;
    QTest::newRow("number-1e400") << QByteArray(R"({"a":1e400})") << u"number out of range"_s;
    QTest::newRow("number-minus-1e400")
        << QByteArray(R"({"a":-1e400})") << u"number out of range"_s;
    QTest::newRow("number-huge-exponent")
        << QByteArray(R"({"a":1e99999999999999999999})") << u"number out of range"_s;
    // Qt itself refuses underflow ("illegal number"); we agree and say why.
    QTest::newRow("number-1e-400") << QByteArray(R"({"a":1e-400})") << u"number out of range"_s;
    QTest::newRow("nan") << QByteArray(R"({"a":NaN})") << u"NaN is not JSON"_s;
    QTest::newRow("infinity") << QByteArray(R"({"a":Infinity})") << u"Infinity is not JSON"_s;
    QTest::newRow("minus-infinity")
        << QByteArray(R"({"a":-Infinity})") << u"Infinity is not JSON"_s;
}

void TestJsonBody::rejectsMalformedBody()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, detail);

    const Result<QJsonObject> result = parseJsonObject(body);
    QVERIFY2(!result.isOk(), "the body was accepted");
    const Problem &problem = result.problem();
    QCOMPARE(problem.type, QString::fromLatin1(problems::MalformedJson.slug));
    QCOMPARE(problem.status, 400);
    QVERIFY2(problem.detail.startsWith(detail), qPrintable(problem.detail));
    QVERIFY(problem.errors.isEmpty());
}

void TestJsonBody::acceptsValidBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QJsonObject>("expected");

    QTest::newRow("empty-object") << QByteArray("{}") << QJsonObject();
    QTest::newRow("whitespace-around")
        << QByteArray(" \r\n\t{ \"a\" : 1 }\n ") << QJsonObject{{u"a"_s, 1}};
    QTest::newRow("nested-objects-with-unicode-and-escapes")
        << QByteArray("{\"name\":\"Zo\xC3\xAB \\u00e9 \\ud83d\\ude00 \xE6\x97\xA5\xE6\x9C\xAC\","
                      "\"esc\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\fu\\u0041\","
                      "\"nested\":{\"list\":[1,-2.5,1e3,true,false,null,{\"k\":\"v\"},[]],"
                      "\"deep\":{\"x\":{}}},\"k\\u00e9y\":\"\xF4\x8F\xBF\xBF\"}")
        << QJsonObject{{u"name"_s, u"Zoë é 😀 日本"_s},
                       {u"esc"_s, u"q\"b\\s/n\nt\tr\rb\bf\fuA"_s},
                       {u"nested"_s,
                        QJsonObject{{u"list"_s,
                                     QJsonArray{1, -2.5, 1000, true, false, QJsonValue(),
                                                QJsonObject{{u"k"_s, u"v"_s}}, QJsonArray()}},
                                    {u"deep"_s, QJsonObject{{u"x"_s, QJsonObject()}}}}},
                       {u"kéy"_s, u"\U0010FFFF"_s}};
    QTest::newRow("same-key-in-sibling-objects")
        << QByteArray(R"({"a":{"id":1},"b":{"id":2},"id":3})")
        << QJsonObject{{u"a"_s, QJsonObject{{u"id"_s, 1}}},
                       {u"b"_s, QJsonObject{{u"id"_s, 2}}},
                       {u"id"_s, 3}};
    QTest::newRow("keys-differing-only-by-escape-meaning")
        << QByteArray(R"({"a/b":1,"a\\/b":2})") << QJsonObject{{u"a/b"_s, 1}, {u"a\\/b"_s, 2}};
    QTest::newRow("edge-numbers") << QByteArray(
        R"({"max":1.7976931348623157e308,"min":4.9e-324,"negZero":-0,"zero":0e99999})")
                                  << QJsonObject{{u"max"_s, 1.7976931348623157e308},
                                                 {u"min"_s, 4.9e-324},
                                                 {u"negZero"_s, 0},
                                                 {u"zero"_s, 0}};

    QJsonObject deepest;
    for (int i = 1; i < 32; ++i)
        deepest = QJsonObject{{u"a"_s, deepest}};
    QTest::newRow("depth-32-objects") << nestedObjects(32) << deepest;

    QJsonArray deepestArray;
    for (int i = 2; i < 32; ++i)
        deepestArray = QJsonArray{QJsonValue(deepestArray)};
    QTest::newRow("depth-32-arrays") << nestedArrays(32) << QJsonObject{{u"a"_s, deepestArray}};

    QJsonArray items;
    for (int i = 0; i < 1000; ++i)
        items.append(i);
    QTest::newRow("array-1000-items") << arrayBody(1000) << QJsonObject{{u"a"_s, items}};

    QJsonObject keys;
    for (int i = 0; i < 500; ++i)
        keys.insert(QString(u"k"_s % QString::number(i)), i);
    QTest::newRow("500-distinct-keys") << manyKeys(500) << keys;
}

void TestJsonBody::acceptsValidBody()
{
    QFETCH(QByteArray, body);
    QFETCH(QJsonObject, expected);

    const Result<QJsonObject> result = parseJsonObject(body);
    QVERIFY2(result.isOk(), result.isOk() ? "" : qPrintable(result.problem().detail));
    QCOMPARE(result.value(), expected);
}

void TestJsonBody::keepsNulEscapeInString()
{
    // Valid JSON: the parser lets it through and FieldReader rejects it per field.
    const Result<QJsonObject> result = parseJsonObject(R"({"a":"x\u0000y"})");
    QVERIFY(result.isOk());
    const QString value = result.value().value(u"a"_s).toString();
    QCOMPARE(value.size(), 3);
    QCOMPARE(value.at(1).unicode(), u'\0');
}

void TestJsonBody::reportsByteOffset()
{
    QCOMPARE(parseJsonObject(R"({"a":1} x)").problem().detail,
             u"trailing data after the JSON value at offset 8"_s);
    QCOMPARE(parseJsonObject(R"({"a" 1})").problem().detail,
             u"expected ':' after object key at offset 5"_s);
    QCOMPARE(parseJsonObject(R"({"ab":1,"ab":2})").problem().detail,
             u"duplicate key \"ab\" at offset 8"_s);
    QCOMPARE(parseJsonObject("{\"a\":\"\xFF\"}").problem().detail, u"invalid UTF-8 at offset 6"_s);
    QCOMPARE(parseJsonObject("[]").problem().detail, u"top-level value must be an object"_s);
}

void TestJsonBody::honoursCustomLimits()
{
    const JsonLimits limits{2, 3};
    QVERIFY(parseJsonObject(R"({"a":{"b":1}})", limits).isOk());
    QCOMPARE(parseJsonObject(R"({"a":{"b":{}}})", limits).problem().detail,
             u"nesting deeper than 2 at offset 10"_s);
    QVERIFY(parseJsonObject(R"({"a":[1,2,3]})", limits).isOk());
    QCOMPARE(parseJsonObject(R"({"a":[1,2,3,4]})", limits).problem().detail,
             u"array with more than 3 items at offset 12"_s);
}

QTEST_GUILESS_MAIN(TestJsonBody)
#include "tst_jsonbody.moc"
