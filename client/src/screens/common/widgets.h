#pragma once

#include <QString>

#include <functional>

class QBoxLayout;
class QComboBox;
class QLabel;
class QObject;
class QWidget;

namespace hms {
struct Problem;
}

namespace hms::client {

class ApiClient;

/// A label for server data: plain text, never rich text (SECURITY I4).
QLabel *plainLabel(const QString &objectName, QWidget *parent, const QString &text = {});

/// A screen heading (bigger, bold), plain text.
QLabel *headingLabel(const QString &text, QWidget *parent);

/// Makes \a label a screen heading (bigger, bold); headingLabel() uses it.
void styleHeading(QLabel *label);

/// Makes \a label an inline field error: hidden, red, plain text, wrapping.
void styleFieldError(QLabel *label);

/// A hidden red label under a field for its inline error (plain text).
QLabel *fieldErrorLabel(const QString &objectName, QWidget *parent);

/// Fills \a combo with the hospital's active departments (GET /departments): the text is the
/// name, the item data the id. Calls \a done(error) when finished (empty error: success).
void loadDepartments(ApiClient &api,
                     QComboBox *combo,
                     QObject *context,
                     const std::function<void(const QString &)> &done = {});

/// Fills \a combo with the doctors who hold schedule rules in \a departmentId (GET
/// /departments/{id}/schedules), after an optional first item \a noneText (data empty). The
/// item data is the doctor's user id. Calls \a done(error) when finished.
void loadDoctors(ApiClient &api,
                 const QString &departmentId,
                 QComboBox *combo,
                 const QString &noneText,
                 QObject *context,
                 const std::function<void(const QString &)> &done = {});

/// Adds a "Ward:" caption and its (empty) ward combo box to \a row; the combo box.
QComboBox *addWardPicker(QBoxLayout *row, QWidget *parent);

/// Fills \a combo with the hospital's wards (GET /wards): the text is the name (the code when
/// it has none), the item data the id. Calls \a done(error) when finished (empty: success);
/// a server without the IPD module (404) is said so.
void loadWards(ApiClient &api,
               QComboBox *combo,
               QObject *context,
               const std::function<void(const QString &)> &done = {});

/// One sentence for people about \a problem ("The server cannot be reached." ...).
QString problemText(const Problem &problem);

} // namespace hms::client
