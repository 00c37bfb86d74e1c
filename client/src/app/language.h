#pragma once

#include <QList>
#include <QLocale>
#include <QString>

namespace hms::client {

/// The languages the client speaks (its translations are built into it under :/i18n) and the
/// one in use. The language is the one chosen in the login dialog (QSettings "language"),
/// else the system locale's when the client has it, else English. Switching installs the
/// translator at once (widgets get QEvent::LanguageChange) and makes that language's QLocale
/// the default, so dates and numbers follow it.
namespace language {

struct Language
{
    QString code; ///< "en", "es"
    QString nativeName; ///< "English", "Español": never translated
};

/// Every language the client has, English first.
const QList<Language> &available();
/// True when \a code is one of available().
bool isAvailable(const QString &code);
/// The code of the language to use at start: saved() when set and available, else the
/// system locale's language when available, else "en".
QString preferred(const QLocale &system = QLocale::system());
/// The language saved in the settings (empty when none was chosen).
QString saved();
/// Remembers \a code as the user's choice.
void save(const QString &code);
/// Installs the translation of \a code (an available one; English has no catalogue to
/// install beyond its plural forms) and makes its QLocale the default. Returns false for an
/// unknown code or a catalogue that could not be loaded (the language then stays as it was).
bool apply(const QString &code);
/// The code of the language applied last ("en" before any).
QString current();

} // namespace language
} // namespace hms::client
