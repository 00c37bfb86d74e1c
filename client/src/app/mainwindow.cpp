#include "app/mainwindow.h"

#include <QLabel>
#include <QStatusBar>
#include <QVBoxLayout>

namespace hms::client {

MainWindow::MainWindow(const QString &serverUrl, QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(tr("HMS"));
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    auto *title = new QLabel(tr("Hospital Management Suite"), central);
    title->setTextFormat(Qt::PlainText);
    QFont font = title->font();
    font.setPointSize(font.pointSize() * 2);
    title->setFont(font);
    auto *server = new QLabel(tr("Server: %1").arg(serverUrl), central);
    server->setTextFormat(Qt::PlainText); // never render server-supplied or typed text as HTML
    layout->addWidget(title);
    layout->addWidget(server);
    layout->addStretch();
    setCentralWidget(central);

    m_state = new QLabel(tr("not connected"), this);
    m_state->setTextFormat(Qt::PlainText);
    m_state->setAccessibleName(tr("Connection state"));
    statusBar()->addPermanentWidget(m_state);
    resize(900, 600);
}

QString MainWindow::connectionStateText() const
{
    return m_state->text();
}

} // namespace hms::client
