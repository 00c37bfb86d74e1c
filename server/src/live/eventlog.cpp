#include "live/eventlog.h"

#include "db/prepared.h"

#include <QJsonDocument>

#include <pqxx/transaction_base>

namespace hms::server {

qint64 EventLog::append(pqxx::transaction_base &tx,
                        qint64 hospitalId,
                        const QString &topic,
                        const QString &type,
                        const QJsonObject &data)
{
    // Every change that feeds the live views runs these three: prepared once per connection.
    const qint64 seq =
        execPrepared(tx, "hms_event_counter",
                     "INSERT INTO event_counters (hospital_id, seq) VALUES ($1, 1) "
                     "ON CONFLICT (hospital_id) DO UPDATE SET seq = event_counters.seq + 1 "
                     "RETURNING seq",
                     hospitalId)[0][0]
            .as<qint64>();
    execPrepared(tx, "hms_event_insert",
                 "INSERT INTO events (hospital_id, seq, topic, type, data) VALUES ($1, $2, $3, "
                 "$4, $5::jsonb)",
                 hospitalId, seq, topic.toStdString(), type.toStdString(),
                 QJsonDocument(data).toJson(QJsonDocument::Compact).toStdString());
    // A hint only: listeners read the rows themselves, so a lost notification delays an
    // event, it never loses one.
    execPrepared(tx, "hms_event_notify", "SELECT pg_notify($1, $2)", std::string(NotifyChannel),
                 std::to_string(hospitalId) + ':' + std::to_string(seq));
    return seq;
}

} // namespace hms::server
