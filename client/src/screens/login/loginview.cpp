#include "screens/login/loginview.h"

#include "ui_loginview.h"

#include "app/language.h"

#include <QEvent>
#include <QSignalBlocker>

namespace hms::client {

LoginView::LoginView(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::LoginView>())
{
    m_ui->setupUi(this);
    clearErrors();
    setNotice({});
    connect(m_ui->signInButton, &QPushButton::clicked, this, &LoginView::signInRequested);
    for (QLineEdit *edit :
         {m_ui->serverEdit, m_ui->hospitalEdit, m_ui->usernameEdit, m_ui->passwordEdit})
        connect(edit, &QLineEdit::returnPressed, this, &LoginView::signInRequested);
    // Each language by its own name, so that a user who cannot read the current one finds it.
    for (const language::Language &entry : language::available())
        m_ui->languageCombo->addItem(entry.nativeName, entry.code);
    setLanguageCode(language::current());
    connect(m_ui->languageCombo, &QComboBox::currentIndexChanged, this, [this]() {
        Q_EMIT languageChosen(languageCode());
    });
}

LoginView::~LoginView() = default;

QString LoginView::serverUrl() const
{
    return m_ui->serverEdit->text().trimmed();
}

QString LoginView::hospital() const
{
    return m_ui->hospitalEdit->text().trimmed();
}

QString LoginView::username() const
{
    return m_ui->usernameEdit->text().trimmed();
}

QString LoginView::password() const
{
    return m_ui->passwordEdit->text();
}

bool LoginView::rememberMe() const
{
    return m_ui->rememberCheck->isChecked();
}

QString LoginView::languageCode() const
{
    return m_ui->languageCombo->currentData().toString();
}

void LoginView::setLanguageCode(const QString &code)
{
    const int index = m_ui->languageCombo->findData(code);
    if (index < 0)
        return;
    const QSignalBlocker blocker(m_ui->languageCombo);
    m_ui->languageCombo->setCurrentIndex(index);
}

void LoginView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        // The .ui texts, then the ones set from code (the combo's entries never change).
        m_ui->retranslateUi(this);
        setBusy(m_busy);
    }
    QWidget::changeEvent(event);
}

void LoginView::setServerUrl(const QString &url)
{
    m_ui->serverEdit->setText(url);
}

void LoginView::setHospital(const QString &hospital)
{
    m_ui->hospitalEdit->setText(hospital);
}

void LoginView::setUsername(const QString &username)
{
    m_ui->usernameEdit->setText(username);
}

void LoginView::setPassword(const QString &password)
{
    m_ui->passwordEdit->setText(password);
}

void LoginView::setRememberMe(bool remember)
{
    m_ui->rememberCheck->setChecked(remember);
}

void LoginView::clearPassword()
{
    m_ui->passwordEdit->clear();
}

void LoginView::setBusy(bool busy)
{
    m_busy = busy;
    m_ui->formBox->setEnabled(!busy);
    m_ui->signInButton->setText(busy ? tr("Signing in…") : tr("Sign &in"));
}

void LoginView::setError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->setVisible(!message.isEmpty());
}

void LoginView::setNotice(const QString &message)
{
    m_ui->noticeLabel->setText(message);
    m_ui->noticeLabel->setVisible(!message.isEmpty());
}

void LoginView::setFieldError(Field field, const QString &message)
{
    QLabel *label = nullptr;
    switch (field) {
    case Field::Server:
        label = m_ui->serverError;
        break;
    case Field::Hospital:
        label = m_ui->hospitalError;
        break;
    case Field::Username:
        label = m_ui->usernameError;
        break;
    case Field::Password:
        label = m_ui->passwordError;
        break;
    }
    label->setText(message);
    label->setVisible(!message.isEmpty());
}

void LoginView::clearErrors()
{
    setError({});
    for (Field field : {Field::Server, Field::Hospital, Field::Username, Field::Password})
        setFieldError(field, {});
}

void LoginView::focusFirstEmptyField()
{
    for (QLineEdit *edit :
         {m_ui->serverEdit, m_ui->hospitalEdit, m_ui->usernameEdit, m_ui->passwordEdit}) {
        if (edit->text().isEmpty()) {
            edit->setFocus(Qt::OtherFocusReason);
            return;
        }
    }
    m_ui->signInButton->setFocus(Qt::OtherFocusReason);
}

void LoginView::focusField(Field field)
{
    switch (field) {
    case Field::Server:
        m_ui->serverEdit->setFocus(Qt::OtherFocusReason);
        break;
    case Field::Hospital:
        m_ui->hospitalEdit->setFocus(Qt::OtherFocusReason);
        break;
    case Field::Username:
        m_ui->usernameEdit->setFocus(Qt::OtherFocusReason);
        break;
    case Field::Password:
        m_ui->passwordEdit->setFocus(Qt::OtherFocusReason);
        break;
    }
}

} // namespace hms::client
