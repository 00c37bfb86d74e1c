// The client's catalogues are complete: lupdate run over the sources finds no message that
// hms_client_es.ts lacks or no longer needs, none is left unfinished, and every translation
// keeps the placeholders (%1.., %n) of its source; English has its plural forms.

#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

namespace {

struct Message
{
    QString context;
    QString source;
    bool numerus = false;
    bool unfinished = false;
    QStringList translations; ///< one, or the numerus forms
};

QList<Message> readCatalogue(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = file.errorString();
        return {};
    }
    QList<Message> messages;
    QXmlStreamReader xml(&file);
    QString context;
    Message message;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        const auto name = xml.name();
        if (name == QLatin1String("name")) {
            context = xml.readElementText();
        } else if (name == QLatin1String("message")) {
            message = Message();
            message.context = context;
            message.numerus =
                xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
        } else if (name == QLatin1String("source")) {
            message.source = xml.readElementText();
        } else if (name == QLatin1String("translation")) {
            const auto type = xml.attributes().value(QLatin1String("type"));
            message.unfinished = type == QLatin1String("unfinished")
                || type == QLatin1String("vanished") || type == QLatin1String("obsolete");
            if (message.numerus) {
                while (xml.readNextStartElement())
                    message.translations.append(xml.readElementText());
            } else {
                message.translations.append(xml.readElementText());
            }
            messages.append(message);
        }
    }
    if (xml.hasError())
        *error = xml.errorString();
    return messages;
}

QSet<QString> placeholdersOf(const QString &text)
{
    static const QRegularExpression placeholder(QStringLiteral("%(\\d+|n)"));
    QSet<QString> found;
    for (const QRegularExpressionMatch &match : placeholder.globalMatch(text))
        found.insert(match.captured());
    return found;
}

QString keyOf(const Message &message)
{
    return message.context + QLatin1Char('\x1f') + message.source;
}

} // namespace

class TestTranslations : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void spanishIsCompleteAndCurrent();
    void translationsKeepTheirPlaceholders_data();
    void translationsKeepTheirPlaceholders();
};

void TestTranslations::spanishIsCompleteAndCurrent()
{
    const QString catalogue =
        QStringLiteral(HMS_SOURCE_DIR "/client/translations/hms_client_es.ts");
    QString error;
    const QList<Message> committed = readCatalogue(catalogue, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(committed.size() > 400);

    // lupdate over the sources, into a copy: what it adds or drops is what the file lacks.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString copy = dir.filePath(QStringLiteral("hms_client_es.ts"));
    QVERIFY(QFile::copy(catalogue, copy));
    QProcess lupdate;
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(HMS_LUPDATE),
                  {QStringLiteral("-locations"), QStringLiteral("none"),
                   QStringLiteral("-no-obsolete"), QStringLiteral("-target-language"),
                   QStringLiteral("es"), QStringLiteral(HMS_SOURCE_DIR "/client/src"),
                   QStringLiteral("-ts"), copy});
    QVERIFY2(lupdate.waitForFinished(60000), qPrintable(lupdate.errorString()));
    QVERIFY2(lupdate.exitCode() == 0, lupdate.readAll().constData());
    const QList<Message> current = readCatalogue(copy, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));

    QSet<QString> committedKeys;
    for (const Message &message : committed)
        committedKeys.insert(keyOf(message));
    QStringList missing;
    QStringList unfinished;
    QSet<QString> currentKeys;
    for (const Message &message : current) {
        currentKeys.insert(keyOf(message));
        if (!committedKeys.contains(keyOf(message)))
            missing.append(message.context + QStringLiteral(": ") + message.source);
        else if (message.unfinished)
            unfinished.append(message.context + QStringLiteral(": ") + message.source);
    }
    QStringList stale;
    for (const Message &message : committed) {
        if (!currentKeys.contains(keyOf(message)))
            stale.append(message.context + QStringLiteral(": ") + message.source);
    }
    QVERIFY2(missing.isEmpty(),
             qPrintable(QStringLiteral("not in hms_client_es.ts (run the hms_client_core_lupdate "
                                       "target and translate): ")
                        + missing.join(QStringLiteral(" | "))));
    QVERIFY2(unfinished.isEmpty(),
             qPrintable(QStringLiteral("unfinished: ") + unfinished.join(QStringLiteral(" | "))));
    QVERIFY2(stale.isEmpty(),
             qPrintable(QStringLiteral("no longer in the sources: ")
                        + stale.join(QStringLiteral(" | "))));
}

void TestTranslations::translationsKeepTheirPlaceholders_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("all");
    QTest::newRow("es") << QStringLiteral("hms_client_es.ts") << true;
    // English translates only its plurals; the rest falls back to the source.
    QTest::newRow("en") << QStringLiteral("hms_client_en.ts") << false;
}

void TestTranslations::translationsKeepTheirPlaceholders()
{
    QFETCH(QString, file);
    QFETCH(bool, all);
    QString error;
    const QList<Message> messages =
        readCatalogue(QStringLiteral(HMS_SOURCE_DIR "/client/translations/") + file, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QStringList wrong;
    for (const Message &message : messages) {
        if (!all && !message.numerus)
            continue;
        if (message.unfinished) {
            wrong.append(QStringLiteral("unfinished: ") + message.source);
            continue;
        }
        QSet<QString> expected = placeholdersOf(message.source);
        for (const QString &translation : message.translations) {
            QSet<QString> found = placeholdersOf(translation);
            // A singular form may spell "one" out instead of %n.
            if (message.numerus && message.translations.size() > 1
                && &translation == &message.translations.first())
                found.insert(QStringLiteral("%n"));
            if (translation.isEmpty() || found != expected)
                wrong.append(message.source + QStringLiteral(" -> ") + translation);
        }
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QStringLiteral(" | "))));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
