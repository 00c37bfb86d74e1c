// SECURITY.md I3, the lint half: no SQL in server/src is put together with +, QString::arg,
// std::format, std::to_string or QStringLiteral concatenation outside the query builder
// (server/src/db/sql.h, whose pieces can only be compile-time constants). Values go in as
// parameters ($1...). A text check, so it is deliberately strict: a query passed to libpqxx is
// one constant, a named constant, or a sql:: expression.

#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <algorithm>

namespace {

struct Violation
{
    QString where;
    QString what;
};

/// \a source with the contents of string and character literals (raw ones too) blanked, so
/// what is left is code; positions are kept.
QString codeOnly(const QString &source)
{
    QString out = source;
    qsizetype i = 0;
    while (i < out.size()) {
        const QChar c = out[i];
        if (c == QLatin1Char('/') && i + 1 < out.size() && out[i + 1] == QLatin1Char('/')) {
            while (i < out.size() && out[i] != QLatin1Char('\n'))
                out[i++] = QLatin1Char(' ');
        } else if (c == QLatin1Char('R') && out.mid(i, 3) == QLatin1String("R\"(")) {
            // a raw string literal with the default delimiter (the only kind used here)
            const qsizetype end = out.indexOf(QLatin1String(")\""), i + 3);
            for (qsizetype j = i + 3; j < (end < 0 ? out.size() : end); ++j)
                out[j] = QLatin1Char('_');
            i = end < 0 ? out.size() : end + 2;
        } else if (c == QLatin1Char('"')
                   || (c == QLatin1Char('\'') && (i == 0 || !out[i - 1].isLetterOrNumber()))) {
            ++i;
            while (i < out.size() && out[i] != c) {
                if (out[i] == QLatin1Char('\\'))
                    out[i++] = QLatin1Char('_');
                if (i < out.size() && out[i] != QLatin1Char('\n'))
                    out[i] = QLatin1Char('_');
                ++i;
            }
            ++i;
        } else {
            ++i;
        }
    }
    return out;
}

/// The argument list text of the call whose '(' is at \a open, up to its first top-level
/// comma or its closing parenthesis.
QString firstArgument(const QString &code, qsizetype open)
{
    int depth = 0;
    for (qsizetype j = open + 1; j < code.size(); ++j) {
        const QChar c = code[j];
        if (c == QLatin1Char('(') || c == QLatin1Char('[') || c == QLatin1Char('{')) {
            ++depth;
        } else if (c == QLatin1Char(')') || c == QLatin1Char(']') || c == QLatin1Char('}')) {
            if (depth-- == 0)
                return code.mid(open + 1, j - open - 1);
        } else if (c == QLatin1Char(',') && depth == 0) {
            return code.mid(open + 1, j - open - 1);
        }
    }
    return code.mid(open + 1);
}

const QRegularExpression &forbiddenBuilding()
{
    static const QRegularExpression re(QStringLiteral(
        "\\.arg\\s*\\(|\\bformat\\s*\\(|\\bto_string\\s*\\(|\\btoStdString\\s*\\(|\\bQString\\b|"
        "\\bQStringLiteral\\b|\\bQByteArray\\b|\\bnumber\\s*\\(|std::string\\s*\\(|\\+="));
    return re;
}

// Uppercase SQL, as this code base writes it: a statement keyword at the start of a literal or
// a clause keyword inside one.
const QRegularExpression &sqlLiteral()
{
    static const QRegularExpression re(QStringLiteral(
        "\"\\s*(SELECT|INSERT INTO|UPDATE \\w|DELETE FROM|WITH \\w+ AS|SET (LOCAL )?ROLE|SHOW |"
        "CREATE |ALTER |DROP |TRUNCATE|LOCK |NOTIFY|LISTEN|UNLISTEN|COPY )|"
        "\"[^\"\\n]*\\b(FROM|WHERE|VALUES|RETURNING|JOIN) "));
    return re;
}

QList<Violation> lint(const QString &file, const QString &source)
{
    QList<Violation> found;
    const QString code = codeOnly(source);
    const auto lineOf = [&](qsizetype at) -> QString {
        return file + QLatin1Char(':')
            + QString::number(source.left(at).count(QLatin1Char('\n')) + 1);
    };

    // 1. What libpqxx is given: one constant, a named constant, or a sql:: expression.
    static const QRegularExpression call(QStringLiteral(
        "\\b(exec|exec0|exec1|exec_n|exec_params|exec_params0|exec_params1)\\s*\\("));
    QList<std::pair<qsizetype, qsizetype>> queries; // [begin, end) of each first argument
    for (auto it = call.globalMatch(code); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QString raw = firstArgument(code, m.capturedEnd() - 1);
        queries.append({m.capturedEnd(), m.capturedEnd() + raw.size()});
        const QString argument = raw.trimmed();
        const bool builder = argument.startsWith(QLatin1String("sql::"));
        if (forbiddenBuilding().match(argument).hasMatch()
            || (argument.contains(QLatin1Char('+')) && !builder)) {
            found.append({lineOf(m.capturedStart()), argument.simplified().left(120)});
        }
    }
    const auto insideQuery = [&](qsizetype at) {
        return std::any_of(queries.begin(), queries.end(), [at](const auto &q) {
            return at >= q.first && at < q.second;
        });
    };

    // 2. SQL text elsewhere (kept in a variable, returned from a helper): a statement holding
    //    an SQL literal is built with sql::Query or not at all, and a variable holding SQL is
    //    never appended to.
    static const QRegularExpression declared(
        QStringLiteral("\\b(?:std::string|QString|QByteArray|auto)\\s+(\\w+)\\s*[={(]"));
    QStringList sqlVariables;
    for (auto it = sqlLiteral().globalMatch(source); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        if (insideQuery(m.capturedStart()))
            continue;
        qsizetype begin = m.capturedStart();
        while (begin > 0 && !QStringLiteral(";{}").contains(code[begin - 1]))
            --begin;
        qsizetype end = code.indexOf(QLatin1Char(';'), m.capturedStart());
        if (end < 0)
            end = code.size();
        const QString statement = code.mid(begin, end - begin);
        const QRegularExpressionMatch variable = declared.match(statement);
        if (variable.hasMatch())
            sqlVariables.append(variable.captured(1));
        if (statement.contains(QLatin1String("sql::Query")))
            continue;
        // The literal and the literals next to it, then what joins them to anything else:
        // + on either side, or a wrapper (QStringLiteral, std::string, QString::...) that is
        // then joined or formatted.
        qsizetype first = m.capturedStart();
        qsizetype last = first;
        while (last < code.size()) {
            const qsizetype close = code.indexOf(QLatin1Char('"'), last + 1);
            if (close < 0)
                break;
            qsizetype next = close + 1;
            while (next < code.size() && code[next].isSpace())
                ++next;
            last = close;
            if (next >= code.size() || code[next] != QLatin1Char('"'))
                break;
            last = next;
        }
        qsizetype before = first - 1;
        while (before >= 0 && code[before].isSpace())
            --before;
        qsizetype after = last + 1;
        while (after < code.size() && code[after].isSpace())
            ++after;
        static const QRegularExpression wrapper(QStringLiteral(
            "(QStringLiteral|QLatin1String|QString::\\w+|std::string|QByteArray)\\s*\\($"));
        if (before >= 0 && code[before] == QLatin1Char('(')
            && wrapper.match(code.left(before + 1)).hasMatch() && after < code.size()
            && code[after] == QLatin1Char(')')) {
            do
                ++after;
            while (after < code.size() && code[after].isSpace());
            before = wrapper.match(code.left(before + 1)).capturedStart() - 1;
            while (before >= 0 && code[before].isSpace())
                --before;
        }
        const QStringView next = QStringView(code).mid(after, 5);
        if ((before >= 0 && code[before] == QLatin1Char('+')) || next.startsWith(QLatin1Char('+'))
            || next.startsWith(QLatin1String(".arg"))) {
            found.append({lineOf(m.capturedStart()), statement.simplified().left(120)});
        }
    }
    sqlVariables.removeDuplicates();
    for (const QString &name : sqlVariables) {
        const QRegularExpression appended(
            QStringLiteral("\\b%1\\s*(\\+=|\\.append\\(|\\.push_back\\()")
                .arg(QRegularExpression::escape(name)));
        for (auto it = appended.globalMatch(code); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            found.append({lineOf(m.capturedStart()), m.captured(0)});
        }
    }
    return found;
}

} // namespace

class TestSqlLint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catchesBuiltSql_data();
    void catchesBuiltSql();
    void acceptsConstantsAndTheBuilder();
    void serverSourcesBuildNoSql();
};

void TestSqlLint::catchesBuiltSql_data()
{
    QTest::addColumn<QString>("code");
    QTest::newRow("plus") << QStringLiteral(
        "void f(T &tx, const std::string &name) { tx.exec(\"SELECT 1 FROM t WHERE n = '\" + "
        "name + \"'\"); }");
    QTest::newRow("arg") << QStringLiteral(
        "void f(T &tx) { tx.exec0(QStringLiteral(\"DELETE FROM t WHERE id = %1\").arg(id)"
        ".toStdString()); }");
    QTest::newRow("to_string") << QStringLiteral(
        "void f(T &tx) { tx.exec_params(\"SELECT a FROM t LIMIT \" + std::to_string(n), 1); }");
    QTest::newRow("variable") << QStringLiteral(
        "void f(T &tx) { const std::string q = \"SELECT a FROM t WHERE b = \" + b; tx.exec(q); }");
    QTest::newRow("append") << QStringLiteral(
        "void f(T &tx) { std::string q = \"SELECT a FROM t\"; q += where; tx.exec(q); }");
    QTest::newRow("format") << QStringLiteral(
        "void f(T &tx) { tx.exec(std::format(\"SELECT {} FROM t\", column)); }");
    QTest::newRow("builder-with-arg") << QStringLiteral(
        "void f(T &tx) { tx.exec(sql::Query(\"SELECT \") + Columns + QString::number(n)); }");
}

void TestSqlLint::catchesBuiltSql()
{
    QFETCH(QString, code);
    QVERIFY(!lint(QStringLiteral("sample.cpp"), code).isEmpty());
}

void TestSqlLint::acceptsConstantsAndTheBuilder()
{
    const QString code = QStringLiteral(
        "constexpr char Columns[] = \"id, name\";\n"
        "void f(T &tx, bool lock) {\n"
        "  tx.exec_params(\"SELECT id FROM t WHERE name = $1 \" \"AND b = $2\", name, b);\n"
        "  tx.exec_params1(sql::Query(\"SELECT \") + Columns + \" FROM t WHERE id = $1\"\n"
        "                  + sql::when(lock, \" FOR UPDATE\"), id);\n"
        "  tx.exec0(SetLocalRoleApplication);\n"
        "  qWarning() << \"select failed: \" + reason;\n"
        "}\n");
    const QList<Violation> found = lint(QStringLiteral("sample.cpp"), code);
    QVERIFY2(found.isEmpty(), found.isEmpty() ? "" : qPrintable(found.first().what));
}

void TestSqlLint::serverSourcesBuildNoSql()
{
    const QString root = QStringLiteral(HMS_SOURCE_DIR "/server/src");
    QStringList report;
    int files = 0;
    QDirIterator it(root, {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.endsWith(QLatin1String("/db/sql.h")))
            continue; // the builder itself
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        ++files;
        const QString relative = path.mid(root.size() + 1);
        for (const Violation &v : lint(relative, QString::fromUtf8(file.readAll()))) {
            // The migrations are SQL files compiled into the binary: run as they are.
            if (relative == QLatin1String("db/migrator.cpp")
                && v.what == QLatin1String("migration.sql.toStdString()"))
                continue;
            report.append(v.where + QLatin1String(": ") + v.what);
        }
    }
    QVERIFY(files > 50);
    for (const QString &line : report)
        qWarning("%s", qPrintable(line));
    QVERIFY2(report.isEmpty(), "SQL built outside sql::Query (listed above)");
}

QTEST_GUILESS_MAIN(TestSqlLint)
#include "tst_sqllint.moc"
