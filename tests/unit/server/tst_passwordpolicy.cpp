#include "auth/passwordpolicy.h"

#include <QTest>

#include <iterator>

using namespace hms;
using namespace hms::server;

class TestPasswordPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checkPasswordPolicy_data();
    void checkPasswordPolicy();
    void denyListIsLargeEnough();
    void commonPasswordVariations_data();
    void commonPasswordVariations();
};

namespace {

/// \a count distinct, non-consecutive emoji: count code points, 2 * count UTF-16 units.
QString emoji(int count)
{
    static const char32_t animals[] = {U'🐎', U'🦓', U'🐘', U'🦏', U'🐪', U'🦙', U'🦘',
                                       U'🐃', U'🐄',    U'🐖', U'🐑',    U'🐐', U'🦌', U'🐕'};
    Q_ASSERT(count <= int(std::size(animals)));
    return QString::fromUcs4(animals, count);
}

} // namespace

void TestPasswordPolicy::checkPasswordPolicy_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("hospitalCode");
    QTest::addColumn<QString>("refusal"); // empty: accepted; else part of the message

    const QString user = QStringLiteral("lab.alpha");
    const QString hospital = QStringLiteral("CITYGEN");
    const QString tooShort = QStringLiteral("at least 12");
    const QString tooLong = QStringLiteral("at most 128");
    const QString common = QStringLiteral("too common");

    QTest::newRow("11-chars") << QStringLiteral("vq7#Lm2pXz9") << user << hospital << tooShort;
    QTest::newRow("12-chars") << QStringLiteral("vq7#Lm2pXz9w") << user << hospital << QString();
    const QString chars64 = QStringLiteral("vq7#Lm2pXz9w").repeated(5) + QStringLiteral("kT4&");
    const QString chars128 =
        QStringLiteral("vq7#Lm2pXz9w-kT4&").repeated(7) + QStringLiteral("Rb5%hN8jQ");
    const QString chars129 = chars128 + QStringLiteral("s");
    QTest::newRow("64-chars") << chars64 << user << hospital << QString();
    QTest::newRow("128-chars") << chars128 << user << hospital << QString();
    QTest::newRow("129-chars") << chars129 << user << hospital << tooLong;
    QTest::newRow("empty") << QString() << user << hospital << tooShort;
    QTest::newRow("common-Password1234")
        << QStringLiteral("Password1234") << user << hospital << common;
    QTest::newRow("common-Welcome12345")
        << QStringLiteral("Welcome12345") << user << hospital << common;
    QTest::newRow("username-equal")
        << QStringLiteral("Lab.Alpha.Nurse") << QStringLiteral("lab.alpha.nurse") << hospital
        << QStringLiteral("be the user name");
    QTest::newRow("username-contained") << QStringLiteral("my lab.alpha secret!") << user
                                        << hospital << QStringLiteral("contain the user name");
    QTest::newRow("short-username-may-be-contained")
        << QStringLiteral("ab was here in 1999 by bus") << QStringLiteral("ab") << hospital
        << QString();
    QTest::newRow("hospital-code-equal")
        << QStringLiteral("citygeneral-north") << user << QStringLiteral("CITYGENERAL-NORTH")
        << QStringLiteral("hospital code");
    QTest::newRow("emoji-and-spaces")
        << QStringLiteral("correct horse 🐎 battery") << user << hospital << QString();
    QTest::newRow("12-emoji-24-utf16-units") << emoji(12) << user << hospital << QString();
    QTest::newRow("11-emoji-22-utf16-units") << emoji(11) << user << hospital << tooShort;
    QTest::newRow("same-emoji-12-times")
        << QStringLiteral("🐎").repeated(12) << user << hospital << common;
    // 12 code points as typed, 6 after NFKC composes e + U+0301 into é: counted as 6.
    QTest::newRow("decomposed-accents-counted-after-nfkc")
        << QStringLiteral("e\u0301").repeated(6) << user << hospital << tooShort;
    QTest::newRow("non-latin-passphrase")
        << QStringLiteral("медсестра ночью пьёт чай") << user << hospital << QString();
}

void TestPasswordPolicy::checkPasswordPolicy()
{
    QFETCH(QString, password);
    QFETCH(QString, username);
    QFETCH(QString, hospitalCode);
    QFETCH(QString, refusal);

    const Result<> result = hms::server::checkPasswordPolicy(password, username, hospitalCode);
    if (refusal.isEmpty()) {
        QVERIFY2(result.isOk(),
                 qPrintable(result ? QString() : result.problem().errors.value(0).message));
        return;
    }
    QVERIFY(!result.isOk());
    const Problem &problem = result.problem();
    QCOMPARE(problem.status, 422);
    QCOMPARE(problem.type, QLatin1String(problems::ValidationFailed.slug));
    QCOMPARE(problem.errors.size(), 1);
    QCOMPARE(problem.errors.first().field, QStringLiteral("password"));
    QVERIFY2(problem.errors.first().message.contains(refusal),
             qPrintable(problem.errors.first().message));
}

void TestPasswordPolicy::denyListIsLargeEnough()
{
    QVERIFY2(passwordDenyListSize() >= 10000, qPrintable(QString::number(passwordDenyListSize())));
}

void TestPasswordPolicy::commonPasswordVariations_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("common");

    QTest::newRow("listed-long-entry") << QStringLiteral("qwertyuiop123") << true;
    QTest::newRow("listed-case-insensitive") << QStringLiteral("QWERTYUIOP123") << true;
    QTest::newRow("word-plus-digits") << QStringLiteral("password12345678") << true;
    QTest::newRow("digits-word-symbols") << QStringLiteral("2024monkey!!!!") << true;
    QTest::newRow("season-year") << QStringLiteral("Summer2024!!") << true;
    QTest::newRow("season-year-autumn") << QStringLiteral("Autumn202425") << true;
    QTest::newRow("hospital-digits") << QStringLiteral("hospital123456") << true;
    QTest::newRow("substitutions") << QStringLiteral("P@ssw0rd2024") << true;
    QTest::newRow("word-repeated") << QStringLiteral("qwertyqwerty") << true;
    QTest::newRow("short-unit-repeated") << QStringLiteral("abcabcabcabc") << true;
    QTest::newRow("one-digit-repeated") << QStringLiteral("111111111111") << true;
    QTest::newRow("rising-digits-wrapping") << QStringLiteral("123456789012") << true;
    QTest::newRow("falling-digits") << QStringLiteral("987654321098") << true;
    QTest::newRow("letter-run") << QStringLiteral("abcdefghijkl") << true;
    QTest::newRow("xkcd-passphrase") << QStringLiteral("Correct Horse Battery Staple") << true;
    QTest::newRow("random") << QStringLiteral("vq7#Lm2pXz9w") << false;
    QTest::newRow("passphrase") << QStringLiteral("ward seven kettle sings") << false;
    QTest::newRow("listed-word-inside-longer-phrase")
        << QStringLiteral("my password is long") << false;
}

void TestPasswordPolicy::commonPasswordVariations()
{
    QFETCH(QString, password);
    QFETCH(bool, common);
    QCOMPARE(isCommonPassword(password), common);
}

QTEST_GUILESS_MAIN(TestPasswordPolicy)
#include "tst_passwordpolicy.moc"
