#include "app/language.h"

#include <QCoreApplication>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace hms::client::language {

namespace {

const QString SettingsKey = QStringLiteral("language");

struct State
{
    std::unique_ptr<QTranslator> translator;
    QString code = QStringLiteral("en");
};

State &state()
{
    static State s;
    return s;
}

} // namespace

const QList<Language> &available()
{
    static const QList<Language> languages{{QStringLiteral("en"), QStringLiteral("English")},
                                           {QStringLiteral("es"), QStringLiteral("Español")}};
    return languages;
}

bool isAvailable(const QString &code)
{
    for (const Language &language : available()) {
        if (language.code == code)
            return true;
    }
    return false;
}

QString saved()
{
    return QSettings().value(SettingsKey).toString();
}

void save(const QString &code)
{
    QSettings().setValue(SettingsKey, code);
}

QString preferred(const QLocale &system)
{
    const QString chosen = saved();
    if (isAvailable(chosen))
        return chosen;
    const QString systemCode = QLocale::languageToCode(system.language());
    return isAvailable(systemCode) ? systemCode : QStringLiteral("en");
}

bool apply(const QString &code)
{
    if (!isAvailable(code))
        return false;
    auto translator = std::make_unique<QTranslator>();
    if (!translator->load(QStringLiteral("hms_client_") + code, QStringLiteral(":/i18n")))
        return false;
    State &s = state();
    if (s.translator)
        QCoreApplication::removeTranslator(s.translator.get());
    QLocale::setDefault(QLocale(code));
    QCoreApplication::installTranslator(translator.get());
    s.translator = std::move(translator);
    s.code = code;
    return true;
}

QString current()
{
    return state().code;
}

} // namespace hms::client::language
