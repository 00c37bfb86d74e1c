#include "live/eventlistener.h"

#include "live/eventlog.h"

#include <pqxx/connection>
#include <pqxx/notification>

#include <chrono>

namespace hms::server {

namespace {

class Receiver final : public pqxx::notification_receiver
{
public:
    Receiver(pqxx::connection_base &connection, const EventListener::Hint &onHint)
        : pqxx::notification_receiver(connection, EventLog::NotifyChannel)
        , m_onHint(onHint)
    {}

    void operator()(const std::string &payload, int) override
    {
        const auto colon = payload.find(':');
        if (colon == std::string::npos)
            return;
        try {
            m_onHint(std::stoll(payload.substr(0, colon)), std::stoll(payload.substr(colon + 1)));
        } catch (const std::exception &) {
            // not ours: ignore
        }
    }

private:
    const EventListener::Hint &m_onHint;
};

} // namespace

EventListener::EventListener(std::string connectionString, Hint onHint)
    : m_connectionString(std::move(connectionString))
    , m_onHint(std::move(onHint))
{}

EventListener::~EventListener()
{
    stop();
}

void EventListener::start()
{
    m_thread = std::thread([this] {
        run();
    });
}

void EventListener::stop()
{
    m_stopping = true;
    if (m_thread.joinable())
        m_thread.join();
}

void EventListener::run()
{
    bool hadConnection = false;
    while (!m_stopping) {
        try {
            pqxx::connection connection(m_connectionString);
            Receiver receiver(connection, m_onHint);
            if (hadConnection)
                m_onHint(0, 0); // reconnected: catch up on what was committed meanwhile
            hadConnection = true;
            while (!m_stopping)
                connection.await_notification(0, 250'000); // wakes to check m_stopping
        } catch (const std::exception &) {
            // PostgreSQL is down or restarting: the catch-up after reconnecting covers the gap.
            for (int i = 0; i < 10 && !m_stopping; ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

} // namespace hms::server
