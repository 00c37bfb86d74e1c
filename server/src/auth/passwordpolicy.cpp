#include "auth/passwordpolicy.h"

#include <QFile>
#include <QList>
#include <QSet>

#include <algorithm>

namespace hms::server {

namespace {

constexpr int MaxRepeatedUnitLength = 3;

/// The comparison form of a password or a list entry: NFKC, then case-folded.
QString comparisonForm(const QString &text)
{
    return text.normalized(QString::NormalizationForm_KC).toCaseFolded();
}

QList<char32_t> codePointsOf(const QString &text)
{
    const QList<uint> ucs4 = text.toUcs4(); // QList<uint> in Qt 6.4
    return QList<char32_t>(ucs4.cbegin(), ucs4.cend());
}

QSet<QString> loadDenyList()
{
    QFile file(QStringLiteral(":/auth/common-passwords.txt"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("password deny list resource :/auth/common-passwords.txt is missing");
    QSet<QString> entries;
    entries.reserve(32768);
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        if (line.isEmpty() || line.startsWith("#!"))
            continue;
        entries.insert(comparisonForm(QString::fromUtf8(line)));
    }
    return entries;
}

const QSet<QString> &denyList()
{
    static const QSet<QString> list = loadDenyList(); // thread-safe static initialisation
    return list;
}

bool isLetterLike(char32_t codePoint)
{
    return QChar::isLetter(codePoint) || QChar::isMark(codePoint);
}

/// The password without its leading and trailing non-letters.
QList<char32_t> core(const QList<char32_t> &codePoints)
{
    qsizetype begin = 0;
    qsizetype end = codePoints.size();
    while (begin < end && !isLetterLike(codePoints.at(begin)))
        ++begin;
    while (end > begin && !isLetterLike(codePoints.at(end - 1)))
        --end;
    return codePoints.mid(begin, end - begin);
}

QList<char32_t> undoSubstitutions(QList<char32_t> codePoints)
{
    for (char32_t &c : codePoints) {
        switch (c) {
        case U'0':
            c = U'o';
            break;
        case U'1':
            c = U'i';
            break;
        case U'3':
            c = U'e';
            break;
        case U'4':
        case U'@':
            c = U'a';
            break;
        case U'5':
        case U'$':
            c = U's';
            break;
        case U'7':
            c = U't';
            break;
        default:
            break;
        }
    }
    return codePoints;
}

QString toString(const QList<char32_t> &codePoints)
{
    return QString::fromUcs4(codePoints.constData(), codePoints.size());
}

/// The shortest unit that \a codePoints is a repetition of (itself when it repeats nothing).
QList<char32_t> repeatedUnit(const QList<char32_t> &codePoints)
{
    const qsizetype n = codePoints.size();
    for (qsizetype unit = 1; unit <= n / 2; ++unit) {
        if (n % unit != 0)
            continue;
        bool repeats = true;
        for (qsizetype i = unit; i < n && repeats; ++i)
            repeats = codePoints.at(i) == codePoints.at(i - unit);
        if (repeats)
            return codePoints.first(unit);
    }
    return codePoints;
}

bool isAsciiDigit(char32_t c)
{
    return c >= U'0' && c <= U'9';
}

/// "123456789012", "987654321098", "abcdefghijkl", "lkjihgfedcba".
bool isStraightRun(const QList<char32_t> &codePoints)
{
    if (codePoints.size() < 3)
        return false;
    const bool digits = std::all_of(codePoints.cbegin(), codePoints.cend(), isAsciiDigit);
    auto step = [digits](char32_t from, char32_t to) -> int {
        if (digits) {
            const int delta = (int(to) - int(from) + 10) % 10; // 9 → 0 continues a rising run
            return delta == 1 ? 1 : delta == 9 ? -1 : 0;
        }
        const qint64 delta = qint64(to) - qint64(from);
        return delta == 1 ? 1 : delta == -1 ? -1 : 0;
    };
    const int direction = step(codePoints.at(0), codePoints.at(1));
    if (direction == 0)
        return false;
    for (qsizetype i = 2; i < codePoints.size(); ++i) {
        if (step(codePoints.at(i - 1), codePoints.at(i)) != direction)
            return false;
    }
    return true;
}

bool isListedOrRepeated(const QList<char32_t> &codePoints, const QSet<QString> &list)
{
    if (codePoints.isEmpty())
        return false;
    if (list.contains(toString(codePoints)))
        return true;
    const QList<char32_t> unit = repeatedUnit(codePoints);
    return unit.size() < codePoints.size()
        && (unit.size() <= MaxRepeatedUnitLength || list.contains(toString(unit)));
}

Problem passwordProblem(const QString &message)
{
    Problem problem = Problem::fromType(problems::ValidationFailed);
    problem.errors.append({QStringLiteral("password"), message});
    return problem;
}

} // namespace

bool isCommonPassword(const QString &password)
{
    const QSet<QString> &list = denyList();
    const QList<char32_t> whole = codePointsOf(comparisonForm(password));
    const QList<char32_t> trimmed = core(whole);
    return isListedOrRepeated(whole, list) || isListedOrRepeated(trimmed, list)
        || isListedOrRepeated(undoSubstitutions(trimmed), list) || isStraightRun(whole);
}

qsizetype passwordDenyListSize()
{
    return denyList().size();
}

Result<>
checkPasswordPolicy(const QString &password, const QString &username, const QString &hospitalCode)
{
    // Counted on the NFKC form (what the hasher hashes), before case folding, which can change
    // the length ("ß" → "ss").
    const QString normalized = password.normalized(QString::NormalizationForm_KC);
    const qsizetype normalizedLength = normalized.toUcs4().size();
    if (normalizedLength < MinPasswordLength) {
        return passwordProblem(
            QStringLiteral("Password must be at least %1 characters long.").arg(MinPasswordLength));
    }
    if (normalizedLength > MaxPasswordLength) {
        return passwordProblem(
            QStringLiteral("Password must be at most %1 characters long.").arg(MaxPasswordLength));
    }

    const QString folded = normalized.toCaseFolded();
    const QString user = comparisonForm(username);
    if (!user.isEmpty() && folded == user)
        return passwordProblem(QStringLiteral("Password must not be the user name."));
    if (user.toUcs4().size() >= 4 && folded.contains(user))
        return passwordProblem(QStringLiteral("Password must not contain the user name."));
    const QString hospital = comparisonForm(hospitalCode);
    if (!hospital.isEmpty() && folded == hospital)
        return passwordProblem(QStringLiteral("Password must not be the hospital code."));

    if (isCommonPassword(password)) {
        return passwordProblem(
            QStringLiteral("Password is too common or too predictable; choose a longer passphrase "
                           "of unrelated words."));
    }
    return Unit{};
}

} // namespace hms::server
