#pragma once

#include "shared/protocol/problem.h"

#include <QHash>
#include <QList>
#include <QString>

class QLabel;
class QWidget;

namespace hms::client {

/// Inline field errors of a form: each field key (as in the JSON body and the server's
/// problem+json errors[].field) has its input and a red label under it (fieldErrorLabel);
/// errors of unknown fields go to the form's general label. Plain text only (SECURITY I4).
class FieldErrors
{
public:
    explicit FieldErrors(QLabel *general)
        : m_general(general)
    {}

    void add(const QString &field, QWidget *input, QLabel *label);

    /// Shows \a errors next to their fields (several per field on separate lines) and
    /// focuses the first field in error.
    void show(const QList<hms::FieldError> &errors);
    void clear();

    /// The text shown under \a field (empty when none).
    QString errorOf(const QString &field) const;
    QString generalError() const;

private:
    QLabel *m_general;
    QHash<QString, QWidget *> m_inputs;
    QHash<QString, QLabel *> m_labels;
    QList<QString> m_order; ///< field keys in form order
};

} // namespace hms::client
