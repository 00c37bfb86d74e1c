#pragma once

namespace hms::client {

class ApiClient;
class LiveConnection;
class Outbox;
class Session;

/// What every screen works with; all borrowed from the MainWindow, which outlives them.
struct ClientContext
{
    ApiClient &api;
    LiveConnection &live;
    Session &session;
    Outbox &outbox;
};

} // namespace hms::client
