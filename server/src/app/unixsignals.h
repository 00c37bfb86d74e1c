#pragma once

#include <QObject>

class QSocketNotifier;

namespace hms::server {

/// Turns SIGTERM and SIGINT into a Qt signal on the event-loop thread (the self-pipe
/// pattern: the handler only writes a byte, everything else runs in the loop).
/// Create at most one per process.
class UnixSignals : public QObject
{
    Q_OBJECT

public:
    explicit UnixSignals(QObject *parent = nullptr);
    ~UnixSignals() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber);

private:
    void onReadable();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace hms::server
