#pragma once

#include <QJsonObject>
#include <QString>

#include <pqxx/types>

namespace hms::server {

/// The per-hospital event stream behind live updates (API.md "Live").
class EventLog
{
public:
    /// The channel hms-server instances LISTEN on; the payload is "<hospital id>:<seq>".
    static constexpr char NotifyChannel[] = "hms_events";

    /// Appends an event inside \a tx (bound to \a hospitalId): the caller's write and its
    /// event commit together. Takes the hospital's counter row lock until commit, so seqs
    /// are gapless and commit in order. NOTIFY is sent at commit. Returns the event's seq.
    /// \a data carries ids and states only.
    static qint64 append(pqxx::transaction_base &tx,
                         qint64 hospitalId,
                         const QString &topic,
                         const QString &type,
                         const QJsonObject &data);
};

} // namespace hms::server
