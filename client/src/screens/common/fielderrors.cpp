#include "screens/common/fielderrors.h"

#include <QLabel>
#include <QWidget>

namespace hms::client {

namespace {

void appendLine(QLabel *label, const QString &line)
{
    label->setText(!label->isHidden() && !label->text().isEmpty()
                       ? label->text() + QLatin1Char('\n') + line
                       : line);
    label->setVisible(true);
}

} // namespace

void FieldErrors::add(const QString &field, QWidget *input, QLabel *label)
{
    m_inputs.insert(field, input);
    m_labels.insert(field, label);
    m_order.append(field);
}

void FieldErrors::show(const QList<hms::FieldError> &errors)
{
    QString firstField;
    for (const hms::FieldError &error : errors) {
        QLabel *label = m_labels.value(error.field);
        if (!label) {
            appendLine(m_general,
                       error.field.isEmpty() || error.field == QLatin1String("body")
                           ? error.message
                           : QObject::tr("%1: %2").arg(error.field, error.message));
            continue;
        }
        appendLine(label, error.message);
        if (firstField.isEmpty() || m_order.indexOf(error.field) < m_order.indexOf(firstField))
            firstField = error.field;
    }
    if (QWidget *input = m_inputs.value(firstField))
        input->setFocus(Qt::OtherFocusReason);
}

void FieldErrors::clear()
{
    for (QLabel *label : std::as_const(m_labels)) {
        label->clear();
        label->setVisible(false);
    }
    m_general->clear();
    m_general->setVisible(false);
}

QString FieldErrors::errorOf(const QString &field) const
{
    const QLabel *label = m_labels.value(field);
    return label && !label->isHidden() ? label->text() : QString();
}

QString FieldErrors::generalError() const
{
    return m_general->isHidden() ? QString() : m_general->text();
}

} // namespace hms::client
