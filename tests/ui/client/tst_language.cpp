// The client in Spanish: the language follows the system locale or the choice made in the
// login dialog (remembered), switches the login view at once, and every role's shell and
// screens come up translated; dates and numbers follow QLocale of that language.

#include "app/language.h"
#include "app/mainwindow.h"
#include "app/navigation.h"
#include "clienttestsupport.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QGroupBox>
#include <QLabel>
#include <QSettings>
#include <QStackedWidget>
#include <QTest>

#include <memory>

using hms::Role;
using hms::client::MainWindow;
using hms::client::Screen;
using hms::test::ServerFixture;
namespace language = hms::client::language;
namespace ui = hms::test::ui;

namespace {

/// Every text \a root shows in labels, buttons and group boxes.
QStringList textsOf(const QWidget *root)
{
    QStringList texts;
    for (const QLabel *label : root->findChildren<QLabel *>())
        texts.append(label->text());
    for (const QAbstractButton *button : root->findChildren<QAbstractButton *>())
        texts.append(button->text());
    for (const QGroupBox *box : root->findChildren<QGroupBox *>())
        texts.append(box->title());
    return texts;
}

} // namespace

class TestLanguage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void preferredLanguage();
    void theLoginViewSwitchesAtOnceAndRemembers();
    void eachRoleWorksInSpanish_data();
    void eachRoleWorksInSpanish();
    void cleanupTestCase();

private:
    std::unique_ptr<ServerFixture> m_fixture;
};

void TestLanguage::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_fixture = std::make_unique<ServerFixture>(QStringLiteral("language"));
    if (!m_fixture->isValid())
        QSKIP("HMS_TEST_DATABASE_URL not set");
    QVERIFY2(m_fixture->start(), qPrintable(m_fixture->errorString()));
    QVERIFY(m_fixture->createHospital(ui::Hospital, QStringLiteral("Alpha General")) > 0);
    for (Role role : {Role::Admin, Role::Nurse, Role::Reception, Role::Doctor})
        QVERIFY(m_fixture->createUser(ui::Hospital, hms::roleName(role), role, ui::Password) > 0);
}

void TestLanguage::init()
{
    QSettings().clear();
    QVERIFY(language::apply(QStringLiteral("en")));
}

void TestLanguage::preferredLanguage()
{
    // Nothing chosen: the system's language when the client has it, else English.
    QCOMPARE(language::preferred(QLocale(QStringLiteral("es_MX"))), QStringLiteral("es"));
    QCOMPARE(language::preferred(QLocale(QStringLiteral("de_DE"))), QStringLiteral("en"));
    QCOMPARE(language::preferred(QLocale(QStringLiteral("en_GB"))), QStringLiteral("en"));
    // A choice wins over the system; an unknown saved code does not.
    language::save(QStringLiteral("es"));
    QCOMPARE(language::preferred(QLocale(QStringLiteral("en_US"))), QStringLiteral("es"));
    language::save(QStringLiteral("xx"));
    QCOMPARE(language::preferred(QLocale(QStringLiteral("en_US"))), QStringLiteral("en"));
    QVERIFY(!language::apply(QStringLiteral("xx")));
    QCOMPARE(language::current(), QStringLiteral("en"));
}

void TestLanguage::theLoginViewSwitchesAtOnceAndRemembers()
{
    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    window.start();
    auto *combo = window.findChild<QComboBox *>(QStringLiteral("languageCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->currentText(), QStringLiteral("English"));
    QVERIFY(textsOf(&window).contains(QStringLiteral("&Remember me on this computer")));

    combo->setCurrentIndex(combo->findData(QStringLiteral("es")));
    // The widgets retranslate on the LanguageChange event the new translator posts.
    QTRY_VERIFY(textsOf(&window).contains(QStringLiteral("Iniciar sesión en HMS")));
    const QStringList spanish = textsOf(&window);
    QVERIFY2(spanish.contains(QStringLiteral("&Recordarme en este equipo")),
             qPrintable(spanish.join(QLatin1Char('|'))));
    QVERIFY(spanish.contains(QStringLiteral("Iniciar sesión en HMS")));
    QVERIFY(spanish.contains(QStringLiteral("&Entrar")));
    QVERIFY(spanish.contains(QStringLiteral("&Idioma:")));
    QCOMPARE(window.windowTitle(), QStringLiteral("HMS — Iniciar sesión"));
    QCOMPARE(QLocale().language(), QLocale::Spanish);
    QCOMPARE(language::current(), QStringLiteral("es"));
    QCOMPARE(QSettings().value(QStringLiteral("language")).toString(), QStringLiteral("es"));
    // A field error set now comes in Spanish too.
    window.signInWith(QString(), ui::Hospital, QStringLiteral("nurse"), ui::Password);
    QTRY_VERIFY(textsOf(&window).contains(QStringLiteral("Introduzca la dirección del servidor.")));

    // And back: the names of the languages never change.
    combo->setCurrentIndex(combo->findData(QStringLiteral("en")));
    QCOMPARE(combo->itemText(combo->findData(QStringLiteral("es"))), QStringLiteral("Español"));
    QTRY_VERIFY(textsOf(&window).contains(QStringLiteral("Sign in to HMS")));
    QCOMPARE(QSettings().value(QStringLiteral("language")).toString(), QStringLiteral("en"));
}

void TestLanguage::eachRoleWorksInSpanish_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<int>("screen");
    QTest::addColumn<QStringList>("navigation");
    QTest::addColumn<QStringList>("onScreen");
    QTest::newRow("reception") << QStringLiteral("reception") << int(Screen::Register)
                               << QStringList{QStringLiteral("Pacientes"),
                                              QStringLiteral("Registrar"), QStringLiteral("Cola"),
                                              QStringLiteral("Citas")}
                               << QStringList{QStringLiteral("&Registrar"),
                                              QStringLiteral("&Nombre completo")};
    QTest::newRow("nurse") << QStringLiteral("nurse") << int(Screen::DueMedications)
                           << QStringList{QStringLiteral("Panel de camas"),
                                          QStringLiteral("Signos vitales"),
                                          QStringLiteral("Medicación pendiente")}
                           << QStringList{QStringLiteral("Si precisa (SP)"),
                                          QStringLiteral("Administrada"),
                                          QStringLiteral("Actualizar")};
    QTest::newRow("admin") << QStringLiteral("admin") << int(Screen::Users)
                           << QStringList{QStringLiteral("Usuarios"), QStringLiteral("Auditoría")}
                           << QStringList{QStringLiteral("Añadir un usuario"),
                                          QStringLiteral("&Desactivar")};
}

void TestLanguage::eachRoleWorksInSpanish()
{
    QFETCH(QString, username);
    QFETCH(int, screen);
    QFETCH(QStringList, navigation);
    QFETCH(QStringList, onScreen);
    // Chosen at an earlier sign-in: applied at start, as main() does.
    language::save(QStringLiteral("es"));
    QVERIFY(language::apply(language::preferred()));

    MainWindow window(ui::serverUrlOf(m_fixture->port()));
    window.show();
    QVERIFY(ui::signIn(window, m_fixture->port(), username));
    const QStringList entries = window.navigationEntries();
    for (const QString &title : navigation)
        QVERIFY2(entries.contains(title), qPrintable(entries.join(QLatin1Char('|'))));
    QVERIFY(window.showScreen(Screen(screen)));
    const auto *screens = window.findChild<QStackedWidget *>(QStringLiteral("screens"));
    QVERIFY(screens && screens->currentWidget());
    const QStringList texts = textsOf(screens->currentWidget());
    for (const QString &text : onScreen)
        QVERIFY2(texts.contains(text), qPrintable(texts.join(QLatin1Char('|'))));
    QTRY_COMPARE(window.connectionStateText(), QStringLiteral("conectado"));
}

void TestLanguage::cleanupTestCase()
{
    QSettings().clear();
    m_fixture.reset();
}

QTEST_MAIN(TestLanguage)
#include "tst_language.moc"
