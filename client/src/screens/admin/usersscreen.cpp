#include "screens/admin/usersscreen.h"

#include "api/apiclient.h"
#include "app/navigation.h"
#include "models/usermodel.h"
#include "screens/common/widgets.h"
#include "shared/auth/permissions.h"
#include "shared/protocol/apipaths.h"

#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace hms::client {

namespace {

void fillRoles(QComboBox *combo)
{
    for (hms::Role role : hms::AllRoles)
        combo->addItem(roleTitle(role), hms::roleName(role));
}

} // namespace

UsersScreen::UsersScreen(const ClientContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
    , m_model(new UserModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setAccessibleName(tr("Users"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(headingLabel(tr("Users"), this));

    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("userFilter"));
    m_filter->setAccessibleName(tr("Filter users"));
    m_filter->setPlaceholderText(tr("Filter by name, role or state"));
    m_filter->setClearButtonEnabled(true);
    layout->addWidget(m_filter);

    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(-1);
    m_proxy->setSortRole(UserModel::RawValueRole);
    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("userTable"));
    m_table->setAccessibleName(tr("Staff accounts"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(int(UserModel::Column::Username), Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setVisible(false);
    m_table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(m_table, 1);

    auto *actions = new QHBoxLayout;
    m_disable = new QPushButton(tr("&Disable"), this);
    m_disable->setObjectName(QStringLiteral("disableButton"));
    m_enable = new QPushButton(tr("&Enable"), this);
    m_enable->setObjectName(QStringLiteral("enableButton"));
    m_unlock = new QPushButton(tr("Un&lock"), this);
    m_unlock->setObjectName(QStringLiteral("unlockButton"));
    m_roleForUser = new QComboBox(this);
    m_roleForUser->setObjectName(QStringLiteral("roleForUserCombo"));
    m_roleForUser->setAccessibleName(tr("New role"));
    fillRoles(m_roleForUser);
    m_setRole = new QPushButton(tr("Set &role"), this);
    m_setRole->setObjectName(QStringLiteral("setRoleButton"));
    m_newPassword = new QLineEdit(this);
    m_newPassword->setObjectName(QStringLiteral("newPasswordEdit"));
    m_newPassword->setAccessibleName(tr("New password"));
    m_newPassword->setEchoMode(QLineEdit::Password);
    m_newPassword->setPlaceholderText(tr("New password"));
    m_resetPassword = new QPushButton(tr("Reset &password"), this);
    m_resetPassword->setObjectName(QStringLiteral("resetPasswordButton"));
    for (QWidget *widget :
         std::initializer_list<QWidget *>{m_disable, m_enable, m_unlock, m_roleForUser, m_setRole,
                                          m_newPassword, m_resetPassword})
        actions->addWidget(widget);
    layout->addLayout(actions);

    auto *addBox = new QGroupBox(tr("Add a user"), this);
    auto *form = new QFormLayout(addBox);
    const auto addField = [this, form, addBox](const QString &label, const QString &field,
                                               QWidget *input) {
        input->setObjectName(field + QStringLiteral("Edit"));
        input->setAccessibleName(QString(label).remove(QLatin1Char('&')));
        auto *cell = new QWidget(addBox);
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->addWidget(input);
        QLabel *error = fieldErrorLabel(field + QStringLiteral("Error"), cell);
        cellLayout->addWidget(error);
        QLabel *caption = plainLabel(field + QStringLiteral("Label"), addBox, label);
        caption->setBuddy(input);
        form->addRow(caption, cell);
        m_errors.insert(field, error);
    };
    m_username = new QLineEdit(addBox);
    addField(tr("&Username"), QStringLiteral("username"), m_username);
    m_displayName = new QLineEdit(addBox);
    addField(tr("&Name"), QStringLiteral("displayName"), m_displayName);
    m_role = new QComboBox(addBox);
    fillRoles(m_role);
    addField(tr("R&ole"), QStringLiteral("role"), m_role);
    m_password = new QLineEdit(addBox);
    m_password->setEchoMode(QLineEdit::Password);
    addField(tr("Pass&word"), QStringLiteral("password"), m_password);
    m_add = new QPushButton(tr("&Add user"), addBox);
    m_add->setObjectName(QStringLiteral("addUserButton"));
    form->addRow(m_add);
    layout->addWidget(addBox);
    m_status = plainLabel(QStringLiteral("usersStatus"), this);
    m_status->setWordWrap(true);
    layout->addWidget(m_status);

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &UsersScreen::onSelectionChanged);
    connect(m_add, &QPushButton::clicked, this, &UsersScreen::addUser);
    connect(m_disable, &QPushButton::clicked, this, [this]() {
        act("/disable");
    });
    connect(m_enable, &QPushButton::clicked, this, [this]() {
        act("/enable");
    });
    connect(m_unlock, &QPushButton::clicked, this, [this]() {
        act("/unlock");
    });
    connect(m_resetPassword, &QPushButton::clicked, this, [this]() {
        act("/reset-password", {{QStringLiteral("password"), m_newPassword->text()}});
        m_newPassword->clear();
    });
    connect(m_setRole, &QPushButton::clicked, this, &UsersScreen::setRole);
    onSelectionChanged();
    reload();
}

void UsersScreen::reload()
{
    m_context.api.get(
        QLatin1String(hms::api::AdminUsers), this, [this](const Result<QJsonObject> &answer) {
            if (!answer) {
                m_status->setText(problemText(answer.problem()));
                return;
            }
            QList<QJsonObject> users;
            for (const QJsonValue &user : answer.value().value(QLatin1String("items")).toArray())
                users.append(user.toObject());
            m_model->setUsers(users);
        });
}

QJsonObject UsersScreen::selectedUser() const
{
    const QModelIndex current = m_table->currentIndex();
    if (!current.isValid())
        return {};
    return m_model->userAt(m_proxy->mapToSource(current).row());
}

void UsersScreen::onSelectionChanged()
{
    const QJsonObject user = selectedUser();
    const QString state = user.value(QLatin1String("state")).toString();
    m_disable->setEnabled(!user.isEmpty() && state != QLatin1String("disabled"));
    m_enable->setEnabled(state == QLatin1String("disabled"));
    m_unlock->setEnabled(state == QLatin1String("locked"));
    m_setRole->setEnabled(!user.isEmpty());
    m_resetPassword->setEnabled(!user.isEmpty());
    const int role = m_roleForUser->findData(user.value(QLatin1String("role")).toString());
    if (role >= 0)
        m_roleForUser->setCurrentIndex(role);
}

void UsersScreen::showResult(const Result<QJsonObject> &answer, const QString &success)
{
    if (!answer) {
        const Problem &problem = answer.problem();
        QStringList lines{problemText(problem)};
        for (const hms::FieldError &error : problem.errors)
            lines.append(tr("%1: %2").arg(error.field, error.message));
        m_status->setText(lines.join(QLatin1Char('\n')));
        return;
    }
    m_model->upsert(answer.value());
    m_status->setText(success.arg(answer.value().value(QLatin1String("username")).toString()));
    onSelectionChanged();
}

void UsersScreen::act(const char *suffix, const QJsonObject &body)
{
    const QJsonObject user = selectedUser();
    if (user.isEmpty())
        return;
    const QString path =
        ApiClient::pathWithId(hms::api::AdminUser, user.value(QLatin1String("id")).toString())
        + QLatin1String(suffix);
    m_context.api.post(path, body, this, [this](const Result<QJsonObject> &answer) {
        showResult(answer, tr("%1 updated."));
    });
}

void UsersScreen::setRole()
{
    const QJsonObject user = selectedUser();
    if (user.isEmpty())
        return;
    const QByteArray etag =
        '"' + QByteArray::number(user.value(QLatin1String("version")).toInt()) + '"';
    m_context.api.request(
        "PATCH",
        ApiClient::pathWithId(hms::api::AdminUser, user.value(QLatin1String("id")).toString()), {},
        QJsonObject{{QStringLiteral("role"), m_roleForUser->currentData().toString()}},
        {{"If-Match", etag}}, this, [this](const Result<QJsonObject> &answer) {
            if (!answer && answer.problem().status == 412)
                reload(); // someone else changed the user meanwhile: show the current state
            showResult(answer, tr("%1 has a new role."));
        });
}

void UsersScreen::addUser()
{
    for (QLabel *label : std::as_const(m_errors)) {
        label->clear();
        label->setVisible(false);
    }
    const QJsonObject body{{QStringLiteral("username"), m_username->text().trimmed()},
                           {QStringLiteral("displayName"), m_displayName->text().trimmed()},
                           {QStringLiteral("role"), m_role->currentData().toString()},
                           {QStringLiteral("password"), m_password->text()}};
    m_add->setEnabled(false);
    m_context.api.post(
        QLatin1String(hms::api::AdminUsers), body, this, [this](const Result<QJsonObject> &answer) {
            m_add->setEnabled(true);
            if (answer) {
                m_model->upsert(answer.value());
                m_status->setText(
                    tr("%1 was added.")
                        .arg(answer.value().value(QLatin1String("username")).toString()));
                m_username->clear();
                m_displayName->clear();
                m_password->clear();
                return;
            }
            const Problem &problem = answer.problem();
            bool inline_ = false;
            for (const hms::FieldError &error : problem.errors) {
                if (QLabel *label = m_errors.value(error.field)) {
                    label->setText(error.message);
                    label->setVisible(true);
                    inline_ = true;
                }
            }
            m_status->setText(inline_ ? QString() : problemText(problem));
        });
}

} // namespace hms::client
