#pragma once

#include "app/clientcontext.h"
#include "shared/core/result.h"

#include <QHash>
#include <QJsonObject>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace Ui {
class RegisterScreen;
}

namespace hms::client {

/// Registers a patient. The form is checked with the shared rules (hms::patientFromJson)
/// before sending, and the server's problem+json field errors land next to their fields
/// too. A possible duplicate opens the candidates dialog (register anyway with a reason).
/// When the server is unreachable the registration goes to the offline outbox, listed
/// below the form as pending until it is sent.
class RegisterScreen : public QWidget
{
    Q_OBJECT

public:
    explicit RegisterScreen(const ClientContext &context, QWidget *parent = nullptr);
    ~RegisterScreen() override;

    /// The registration JSON the form describes (before validation).
    QJsonObject formJson() const;

    /// Puts the cursor in the first field.
    void focusFirstField();

Q_SIGNALS:
    /// The server registered \a patient (its JSON answer).
    void registered(const QJsonObject &patient);

private:
    void submit();
    void send(const QJsonObject &body);
    void onAnswer(const QJsonObject &body, const QString &key, const Result<QJsonObject> &answer);
    void showErrors(const QList<hms::FieldError> &errors);
    void clearErrors();
    void clearForm();
    void refreshOutbox();
    QLabel *errorLabelFor(const QString &field) const;
    QWidget *fieldWidgetFor(const QString &field) const;

    ClientContext m_context;
    std::unique_ptr<Ui::RegisterScreen> m_ui;
    QLineEdit *m_fullName = nullptr;
    QLineEdit *m_birthDate = nullptr;
    QCheckBox *m_ageOnly = nullptr;
    QSpinBox *m_age = nullptr;
    QComboBox *m_sex = nullptr;
    QLineEdit *m_phone = nullptr;
    QLineEdit *m_nationalId = nullptr;
    QLineEdit *m_addressLine = nullptr;
    QLineEdit *m_city = nullptr;
    QLineEdit *m_contactName = nullptr;
    QLineEdit *m_contactRelation = nullptr;
    QLineEdit *m_contactPhone = nullptr;
    QLineEdit *m_allergies = nullptr;
    QPushButton *m_submit = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_generalError = nullptr;
    QListWidget *m_outbox = nullptr;
    QPushButton *m_discard = nullptr;
    QLabel *m_outboxTitle = nullptr;
    QHash<QString, QLabel *> m_errorLabels; ///< field key -> its inline error label
    QHash<QString, QWidget *> m_fieldWidgets; ///< field key -> its input widget
};

} // namespace hms::client
