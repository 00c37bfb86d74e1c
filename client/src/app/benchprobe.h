#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

namespace hms::client {

class MainWindow;

/// The client's measurement hook for tests/bench/client_patients.sh (hms-client --bench):
/// prints figures to stderr as "bench: key=value" lines and never changes what the client
/// does for people. It reports the time from the process start to the first paint of the
/// login window; once signed in (--login-as), it opens the patient list, searches \a query
/// and scrolls the view to the end, page after page (the model's fetchMore over the server's
/// keyset cursor, as a person scrolling would), then reports the rows listed, the time that
/// took and the peak and current resident memory (VmHWM, VmRSS), and quits.
class BenchProbe : public QObject
{
    Q_OBJECT

public:
    BenchProbe(MainWindow &window, QString query, QObject *parent = nullptr);

    /// Seconds since this process started (from /proc; -1 where there is none).
    static double secondsSinceProcessStart();
    /// A field of /proc/self/status in KiB (VmHWM, VmRSS); -1 when unknown.
    static qint64 statusKiB(const char *field);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void listPatients();
    void step();

    MainWindow &m_window;
    QString m_query;
    QElapsedTimer m_listing;
    bool m_painted = false;
    int m_pages = 0;
};

} // namespace hms::client
