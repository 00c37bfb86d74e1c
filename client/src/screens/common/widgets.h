#pragma once

#include <QString>

#include <functional>

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

/// A hidden red label under a field for its inline error (plain text).
QLabel *fieldErrorLabel(const QString &objectName, QWidget *parent);

/// Fills \a combo with the hospital's active departments (GET /departments): the text is the
/// name, the item data the id. Calls \a done(error) when finished (empty error: success).
void loadDepartments(ApiClient &api,
                     QComboBox *combo,
                     QObject *context,
                     const std::function<void(const QString &)> &done = {});

/// One sentence for people about \a problem ("The server cannot be reached." ...).
QString problemText(const Problem &problem);

} // namespace hms::client
