#pragma once

#include "shared/auth/permissions.h"

#include <QKeySequence>
#include <QList>
#include <QString>

#include <optional>

namespace hms::client {

/// Every screen the shell can show.
enum class Screen {
    Patients,
    Register,
    Queue,
    Appointments,
    Admissions,
    BedBoard,
    Vitals,
    DueMedications,
    Users,
    Audit,
    Pharmacy,
    Lab
};

/// One row of the navigation table: a screen exists for a role when the role has any of
/// \a anyOf and all of \a allOf in the shared permission matrix (hms::roleHas).
struct ScreenEntry
{
    Screen screen;
    const char *title; ///< untranslated; see screenTitle()
    QList<hms::Permission> anyOf;
    QKeySequence shortcut; ///< empty when the screen has none
    QList<hms::Permission> allOf = {};
};

/// True when \a role may use the screen of \a entry.
bool roleMayUse(hms::Role role, const ScreenEntry &entry);

/// The table, in navigation order.
const QList<ScreenEntry> &screenTable();

/// The translated navigation title of \a screen.
QString screenTitle(Screen screen);

/// The screens \a role may use, in navigation order.
QList<Screen> screensFor(hms::Role role);

/// What \a screen is for, one sentence for people.
QString screenDescription(Screen screen);

/// The translated name of \a role for people ("Nurse").
QString roleTitle(hms::Role role);

/// A stable ASCII key of \a screen for command lines and file names ("bed-board").
QString screenKey(Screen screen);
/// The screen of \a key (see screenKey()); nullopt when there is none.
std::optional<Screen> screenFromKey(const QString &key);

/// The "call next patient" shortcut (acts on the Queue screen).
QKeySequence callNextShortcut();

} // namespace hms::client
