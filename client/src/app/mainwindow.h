#pragma once

#include <QMainWindow>

class QLabel;

namespace hms::client {

/// The one window of hms-client. Until the login and role screens land it shows the
/// server it will talk to and that it is not connected.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(const QString &serverUrl, QWidget *parent = nullptr);

    QString connectionStateText() const;

private:
    QLabel *m_state = nullptr;
};

} // namespace hms::client
