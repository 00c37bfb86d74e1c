#pragma once

#include "app/navigation.h"

#include <QAbstractListModel>

#include <optional>

namespace hms::client {

/// The shell's navigation list: the screens of the signed-in role (none when signed out).
class NavigationModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Roles { ScreenRole = Qt::UserRole + 1 };

    explicit NavigationModel(QObject *parent = nullptr);

    /// Shows the screens of \a role; std::nullopt empties the list.
    void setRole(std::optional<hms::Role> role);

    Screen screenAt(int row) const { return m_screens.at(row); }

    int rowOf(Screen screen) const { return int(m_screens.indexOf(screen)); }

    QList<Screen> screens() const { return m_screens; }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;

private:
    QList<Screen> m_screens;
};

} // namespace hms::client
