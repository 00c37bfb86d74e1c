-- 0005_events: the per-hospital event stream that live clients follow (API.md "Live").
-- Every write that other desks should see appends one row here in its own transaction.

-- seq comes from this counter row, updated in the event's transaction: the row lock
-- serialises a hospital's writers, so commit order is seq order and a client resuming with
-- `since` can never skip an event that committed late (SECURITY.md W5). A sequence or
-- bigserial would not give that.
CREATE TABLE event_counters (
    hospital_id bigint PRIMARY KEY REFERENCES hospitals (id),
    seq bigint NOT NULL
);

CREATE TABLE events (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    seq bigint NOT NULL,
    topic text NOT NULL CONSTRAINT events_topic_length CHECK (char_length(topic) BETWEEN 1 AND 100),
    type text NOT NULL CONSTRAINT events_type_length CHECK (char_length(type) BETWEEN 1 AND 100),
    data jsonb NOT NULL DEFAULT '{}'::jsonb, -- ids and states, never PHI beyond what the topic's readers may see
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hospital_id, seq)
);
-- Replay reads (hospital, seq > since) through the primary key; pruning goes by time.
CREATE INDEX events_at_idx ON events (at);

ALTER TABLE event_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE event_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON event_counters
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON events
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

GRANT SELECT, INSERT, UPDATE ON event_counters TO hms_app;
GRANT SELECT, INSERT ON events TO hms_app;
-- Pruning past the retention window is done by the owner (hms-admin / a timer), not the app.
