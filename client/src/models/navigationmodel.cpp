#include "models/navigationmodel.h"

namespace hms::client {

NavigationModel::NavigationModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void NavigationModel::setRole(std::optional<hms::Role> role)
{
    beginResetModel();
    m_screens = role ? screensFor(*role) : QList<Screen>();
    endResetModel();
}

int NavigationModel::rowCount(const QModelIndex &parent) const
{
    Q_ASSERT(checkIndex(parent));
    return parent.isValid() ? 0 : int(m_screens.size());
}

QVariant NavigationModel::data(const QModelIndex &index, int role) const
{
    Q_ASSERT(checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid));
    const Screen screen = m_screens.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return screenTitle(screen);
    case Qt::ToolTipRole: {
        for (const ScreenEntry &entry : screenTable()) {
            if (entry.screen == screen && !entry.shortcut.isEmpty())
                return tr("%1 (%2)").arg(screenTitle(screen),
                                         entry.shortcut.toString(QKeySequence::NativeText));
        }
        return screenTitle(screen);
    }
    case ScreenRole:
        return int(screen);
    default:
        return {};
    }
}

} // namespace hms::client
