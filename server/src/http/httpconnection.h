#pragma once

#include "http/httplimits.h"
#include "http/httprequestparser.h"
#include "http/httpresponse.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

#include <map>

class QTcpSocket;

namespace hms::server {

class HttpServer;

/// One client connection: reads requests strictly (HttpRequestParser), hands each to the
/// server, and writes the answers back in request order even when handlers finish out of
/// order (pipelining). Enforces the header, body and keep-alive timeouts.
/// Lives on the event-loop thread; owns its socket; deletes itself when the socket closes.
class HttpConnection : public QObject
{
    Q_OBJECT

public:
    /// Takes ownership of \a socket.
    HttpConnection(QTcpSocket *socket, const HttpLimits &limits, HttpServer *server);
    ~HttpConnection() override;

    /// Called by the server when the answer for request \a slot is ready.
    void deliver(qint64 slot, const HttpResponse &response, bool headRequest);

    /// Stops reading new requests; closes once every answered request is written.
    void beginShutdown();

    QTcpSocket *socket() const { return m_socket; }

Q_SIGNALS:
    void closed();

private:
    enum class State { Head, Body, Closing };
    enum class TimerPurpose { None, Idle, Header, Body };

    void onReadyRead();
    void onTimeout();
    void processInput();
    void startTimer(TimerPurpose purpose);
    void failRequest(int status, const QString &detail);
    void handOver(const HttpRequest &head);
    void writeReady();
    void closeAfterWrites();
    void lingerAndClose();

    qint64 pendingCount() const { return qint64(m_pending.size()); }

    struct Pending
    {
        bool ready = false;
        bool close = false;
        QByteArray bytes;
    };

    QTcpSocket *m_socket;
    HttpLimits m_limits;
    HttpRequestParser m_parser;
    QPointer<HttpServer> m_server;
    QTimer m_timer;
    TimerPurpose m_timerPurpose = TimerPurpose::None;

    State m_state = State::Head;
    HttpRequest m_current;
    qint64 m_bodyRemaining = 0;
    bool m_stopReading = false; ///< after Connection: close, an error, or shutdown
    bool m_lingering = false;
    qint64 m_nextSlot = 0;
    std::map<qint64, Pending> m_pending; ///< parsed, not yet written; ordered by slot
};

} // namespace hms::server
