#pragma once

#include <QWidget>

namespace hms::client {

/// Stand-in for a screen that arrives in a later issue: its title and a "coming soon" line.
class PlaceholderScreen : public QWidget
{
    Q_OBJECT

public:
    PlaceholderScreen(const QString &title, const QString &description, QWidget *parent = nullptr);
};

} // namespace hms::client
