#pragma once

#include "app/clientcontext.h"
#include "shared/core/result.h"

#include <QHash>
#include <QJsonObject>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace hms::client {

class UserModel;

/// Administrators manage staff accounts: list (filterable), add, disable/enable, reset the
/// password, set the role and unlock. Every action is one REST call; the row updates from
/// the server's answer.
class UsersScreen : public QWidget
{
    Q_OBJECT

public:
    explicit UsersScreen(const ClientContext &context, QWidget *parent = nullptr);

    UserModel *model() const { return m_model; }

    /// Reloads the list from the server.
    void reload();

private:
    void addUser();
    void act(const char *suffix, const QJsonObject &body = {});
    void setRole();
    QJsonObject selectedUser() const;
    void onSelectionChanged();
    void showResult(const Result<QJsonObject> &answer, const QString &success);

    ClientContext m_context;
    UserModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_filter = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_disable = nullptr;
    QPushButton *m_enable = nullptr;
    QPushButton *m_unlock = nullptr;
    QLineEdit *m_newPassword = nullptr;
    QPushButton *m_resetPassword = nullptr;
    QComboBox *m_roleForUser = nullptr;
    QPushButton *m_setRole = nullptr;
    QLineEdit *m_username = nullptr;
    QLineEdit *m_displayName = nullptr;
    QComboBox *m_role = nullptr;
    QLineEdit *m_password = nullptr;
    QPushButton *m_add = nullptr;
    QHash<QString, QLabel *> m_errors;
    QLabel *m_status = nullptr;
};

} // namespace hms::client
