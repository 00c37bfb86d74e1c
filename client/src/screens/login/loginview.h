#pragma once

#include <QWidget>

#include <memory>

namespace Ui {
class LoginView;
}

namespace hms::client {

/// The sign-in form (loginview.ui). Shows what the controller tells it and emits
/// signInRequested(); it has no logic of its own.
class LoginView : public QWidget
{
    Q_OBJECT

public:
    enum class Field { Server, Hospital, Username, Password };
    Q_ENUM(Field)

    explicit LoginView(QWidget *parent = nullptr);
    ~LoginView() override;

    QString serverUrl() const;
    QString hospital() const;
    QString username() const;
    QString password() const;
    bool rememberMe() const;
    /// The code of the language chosen in the combo ("en", "es").
    QString languageCode() const;
    /// Selects \a code in the language combo without emitting languageChosen().
    void setLanguageCode(const QString &code);

    void setServerUrl(const QString &url);
    void setHospital(const QString &hospital);
    void setUsername(const QString &username);
    void setPassword(const QString &password);
    void setRememberMe(bool remember);
    void clearPassword();

    /// Disables the form while a request is under way.
    void setBusy(bool busy);
    /// The error under the form (empty hides it).
    void setError(const QString &message);
    /// An informational line under the form (empty hides it).
    void setNotice(const QString &message);
    /// The error next to \a field (empty hides it).
    void setFieldError(Field field, const QString &message);
    void clearErrors();
    /// Puts the keyboard focus on the first empty field.
    void focusFirstEmptyField();
    void focusField(Field field);

Q_SIGNALS:
    void signInRequested();
    /// The user picked another language in the combo.
    void languageChosen(const QString &code);

protected:
    void changeEvent(QEvent *event) override;

private:
    std::unique_ptr<Ui::LoginView> m_ui;
    bool m_busy = false;
};

} // namespace hms::client
