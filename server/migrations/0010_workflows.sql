-- 0010_workflows: durable workflows run by hms-worker (handbook WORKER.md) and the staff
-- notifications they create. Self-contained: schema wf, its tables, the engine functions,
-- and public.notifications.
--
-- Tenancy: every row carries hospital_id and every table has the tenant_isolation policy
-- (ENABLE + FORCE), so a step body, which runs as hms_app bound to its run's hospital, cannot
-- read or write another hospital's runs. Claiming, heartbeats and reaping look across
-- hospitals: they go through the SECURITY DEFINER functions below, owned by the role that
-- applies this migration (the schema owner). That role alone gets a second policy
-- (wf_engine) on the wf tables, so those functions, and hms-admin, see every hospital's
-- runs while hms_app never does.

CREATE SCHEMA wf;
GRANT USAGE ON SCHEMA wf TO hms_app;

-- One workflow run. status: ready (claimable at run_at), running (leased by lease_owner
-- until lease_expires_at, fenced by lease_epoch), waiting (a timer or a signal; claimable at
-- run_at), and the terminal completed | failed | dead | cancelled.
CREATE TABLE wf.run (
    run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    queue text NOT NULL, -- the hospital's code
    workflow_type text NOT NULL CONSTRAINT run_type_format CHECK (workflow_type ~ '^[A-Za-z][A-Za-z0-9_.-]{0,63}$'),
    workflow_version integer NOT NULL CONSTRAINT run_version_positive CHECK (workflow_version > 0),
    idempotency_key text NOT NULL CONSTRAINT run_key_length CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
    input jsonb NOT NULL DEFAULT '{}'::jsonb, -- ids only, never PHI
    status text NOT NULL DEFAULT 'ready'
        CONSTRAINT run_status_known
        CHECK (status IN ('ready', 'running', 'waiting', 'completed', 'failed', 'dead', 'cancelled')),
    priority integer NOT NULL DEFAULT 0,
    run_at timestamptz NOT NULL DEFAULT now(),
    attempt integer NOT NULL DEFAULT 0, -- claims since the last progress point, counted at claim
    max_attempts integer NOT NULL DEFAULT 10 CONSTRAINT run_max_attempts_positive CHECK (max_attempts > 0),
    lease_owner text,
    lease_epoch bigint NOT NULL DEFAULT 0,
    lease_expires_at timestamptz,
    wait_signal text, -- the signal name a waiting run waits for
    wait_deadline timestamptz, -- when that wait times out
    last_error text, -- exception class and step, never row data
    result jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    CONSTRAINT run_idempotency_key UNIQUE (hospital_id, workflow_type, idempotency_key)
) WITH (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 1000);
-- The claim scan: live runs of one queue in claim order. Finished runs leave the index.
CREATE INDEX run_ready ON wf.run (queue, priority, run_at, run_id) WHERE status IN ('ready', 'waiting');
-- The reaper; lease_expires_at is not indexed so that heartbeats stay HOT updates.
CREATE INDEX run_running ON wf.run (queue) WHERE status = 'running';
CREATE INDEX run_status_type ON wf.run (status, workflow_type, workflow_version);
CREATE INDEX run_finished ON wf.run (finished_at) WHERE finished_at IS NOT NULL;

-- The step journal: a row per completed step, committed in the step's own transaction
-- together with its effect and the lease check.
CREATE TABLE wf.step (
    run_id bigint NOT NULL REFERENCES wf.run (run_id) ON DELETE CASCADE,
    seq integer NOT NULL CONSTRAINT step_seq_positive CHECK (seq > 0),
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    name text NOT NULL,
    kind text NOT NULL DEFAULT 'db' CONSTRAINT step_kind_known CHECK (kind IN ('db', 'external', 'sleep', 'signal', 'patch')),
    output jsonb, -- ids only, never PHI
    attempt integer NOT NULL DEFAULT 1,
    started_at timestamptz,
    finished_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, seq)
) WITH (autovacuum_vacuum_scale_factor = 0.02);

-- Signals to a run; consumed_seq is set by the waitSignal step that consumed it.
CREATE TABLE wf.signal (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id bigint NOT NULL REFERENCES wf.run (run_id) ON DELETE CASCADE,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    name text NOT NULL CONSTRAINT signal_name_length CHECK (char_length(name) BETWEEN 1 AND 100),
    payload jsonb NOT NULL DEFAULT '{}'::jsonb,
    sent_at timestamptz NOT NULL DEFAULT now(),
    consumed_seq integer
);
CREATE INDEX signal_pending ON wf.signal (run_id, name, id) WHERE consumed_seq IS NULL;

-- Live worker processes (heartbeat_at) and what they serve. Keyed by worker_id; a worker
-- serving several hospitals has a row per hospital so each hospital's admins see it.
CREATE TABLE wf.worker (
    worker_id text NOT NULL,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    host text NOT NULL,
    pid integer NOT NULL,
    queue text NOT NULL,
    versions text[] NOT NULL,
    concurrency integer NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    lease_lost bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (worker_id, hospital_id)
);

-- One queue per hospital, named by its code (created with the first run or worker).
CREATE TABLE wf.queue (
    name text PRIMARY KEY,
    hospital_id bigint NOT NULL UNIQUE REFERENCES hospitals (id),
    paused boolean NOT NULL DEFAULT false
);

-- Finished runs past retention move here (hms-admin wf archive), keeping wf.run small.
CREATE TABLE wf.run_archive (LIKE wf.run INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE wf.run_archive ALTER COLUMN run_id DROP IDENTITY IF EXISTS;
ALTER TABLE wf.run_archive ADD PRIMARY KEY (run_id);
CREATE TABLE wf.step_archive (LIKE wf.step INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
ALTER TABLE wf.step_archive ADD PRIMARY KEY (run_id, seq);

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['run', 'step', 'signal', 'worker', 'queue', 'run_archive', 'step_archive'] LOOP
        EXECUTE format('ALTER TABLE wf.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE wf.%I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON wf.%I USING (hospital_id = app_hospital_id()) '
                       'WITH CHECK (hospital_id = app_hospital_id())', t);
        -- The schema owner (this migration's role): the engine functions and hms-admin.
        EXECUTE format('CREATE POLICY wf_engine ON wf.%I TO %I USING (true) WITH CHECK (true)',
                       t, current_user);
    END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE ON wf.run TO hms_app;
GRANT SELECT, INSERT ON wf.step TO hms_app;
GRANT SELECT, INSERT, UPDATE ON wf.signal TO hms_app;
GRANT SELECT ON wf.worker, wf.queue, wf.run_archive, wf.step_archive TO hms_app;

-- Claims up to p_limit runs of one queue for a worker: the fixed CTE shape of WORKER.md
-- (FOR UPDATE SKIP LOCKED), the attempt counted at claim and the epoch bumped (fencing).
-- p_types holds 'type@version' pairs the worker registers. Returns the database clock and the
-- run's step journal ([[seq, name, output], ...]) too, saving the worker a round trip.
CREATE FUNCTION wf.claim(p_queue text, p_types text[], p_worker text, p_limit integer, p_lease_ms integer)
    RETURNS TABLE (run_id bigint, hospital_id bigint, lease_epoch bigint, workflow_type text,
                   workflow_version integer, input jsonb, attempt integer, max_attempts integer,
                   db_now timestamptz, journal jsonb)
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH c AS (
        SELECT r.run_id FROM wf.run r
        WHERE r.queue = p_queue AND r.status IN ('ready', 'waiting') AND r.run_at <= now()
          AND (r.workflow_type || '@' || r.workflow_version) = ANY (p_types)
          AND NOT EXISTS (SELECT 1 FROM wf.queue q WHERE q.name = p_queue AND q.paused)
        ORDER BY r.priority, r.run_at, r.run_id
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED)
    UPDATE wf.run r SET status = 'running', lease_owner = p_worker, lease_epoch = r.lease_epoch + 1,
        lease_expires_at = now() + make_interval(secs => p_lease_ms / 1000.0),
        attempt = r.attempt + 1, updated_at = now()
    FROM c WHERE r.run_id = c.run_id
    RETURNING r.run_id, r.hospital_id, r.lease_epoch, r.workflow_type, r.workflow_version, r.input,
        r.attempt, r.max_attempts, now(),
        (SELECT coalesce(jsonb_agg(jsonb_build_array(s.seq, s.name, s.output) ORDER BY s.seq), '[]')
         FROM wf.step s WHERE s.run_id = r.run_id);
    $$;

-- Extends the leases a worker holds; returns the runs whose lease it lost (epoch moved on
-- or no longer running). Also refreshes the worker's heartbeat rows and adds p_lost (leases
-- the worker found lost at a step's fence since the last heartbeat) to its lease_lost count.
CREATE FUNCTION wf.heartbeat(p_worker text, p_runs bigint[], p_epochs bigint[], p_lease_ms integer,
                             p_lost bigint)
    RETURNS SETOF bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        lost bigint[];
    BEGIN
        UPDATE wf.worker SET heartbeat_at = now(), lease_lost = lease_lost + p_lost
            WHERE worker_id = p_worker;
        WITH held AS (SELECT * FROM unnest(p_runs, p_epochs) AS h(run_id, epoch)),
        extended AS (
            UPDATE wf.run r SET lease_expires_at = now() + make_interval(secs => p_lease_ms / 1000.0)
            FROM held WHERE r.run_id = held.run_id AND r.lease_epoch = held.epoch
                AND r.status = 'running'
            RETURNING r.run_id)
        SELECT array_agg(h.run_id) INTO lost FROM held h
        WHERE h.run_id NOT IN (SELECT e.run_id FROM extended e);
        IF lost IS NOT NULL THEN
            UPDATE wf.worker SET lease_lost = lease_lost + cardinality(lost) WHERE worker_id = p_worker;
            RETURN QUERY SELECT unnest(lost);
        END IF;
    END;
    $$;

-- Returns runs whose lease expired to the queue (or to dead after max attempts), with the
-- same backoff as a failed step. Any worker runs it; no executor identity is involved.
CREATE FUNCTION wf.reap(p_initial_ms integer, p_cap_ms integer)
    RETURNS integer
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    WITH expired AS (
        SELECT r.run_id FROM wf.run r
        WHERE r.status = 'running' AND r.lease_expires_at < now()
        FOR UPDATE SKIP LOCKED),
    reaped AS (
        UPDATE wf.run r SET
            status = CASE WHEN r.attempt >= r.max_attempts THEN 'dead' ELSE 'ready' END,
            run_at = now() + make_interval(secs => random()
                * least(p_cap_ms, p_initial_ms * power(2, greatest(r.attempt - 1, 0))) / 1000.0),
            finished_at = CASE WHEN r.attempt >= r.max_attempts THEN now() END,
            lease_owner = NULL, lease_expires_at = NULL,
            last_error = 'lease expired (worker crashed or stalled)', updated_at = now()
        FROM expired WHERE r.run_id = expired.run_id
        RETURNING 1)
    SELECT count(*)::integer FROM reaped;
    $$;

-- Announces a worker process serving a queue (creating the queue row when needed).
CREATE FUNCTION wf.register_worker(p_worker text, p_host text, p_pid integer, p_queue text,
                                   p_versions text[], p_concurrency integer)
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    DECLARE
        h bigint;
    BEGIN
        SELECT id INTO h FROM public.hospitals WHERE code = p_queue;
        IF h IS NULL THEN
            RETURN false;
        END IF;
        INSERT INTO wf.queue (name, hospital_id) VALUES (p_queue, h) ON CONFLICT DO NOTHING;
        INSERT INTO wf.worker (worker_id, hospital_id, host, pid, queue, versions, concurrency)
            VALUES (p_worker, h, p_host, p_pid, p_queue, p_versions, p_concurrency)
            ON CONFLICT (worker_id, hospital_id) DO UPDATE SET heartbeat_at = now();
        RETURN true;
    END;
    $$;

-- A worker stopping cleanly: its rows go; running leases it still holds are released.
CREATE FUNCTION wf.unregister_worker(p_worker text)
    RETURNS void
    LANGUAGE sql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE wf.run SET status = 'ready', lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
        WHERE status = 'running' AND lease_owner = p_worker;
    DELETE FROM wf.worker WHERE worker_id = p_worker;
    $$;

REVOKE ALL ON FUNCTION wf.claim(text, text[], text, integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION wf.heartbeat(text, bigint[], bigint[], integer, bigint) FROM PUBLIC;
REVOKE ALL ON FUNCTION wf.reap(integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION wf.register_worker(text, text, integer, text, text[], integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION wf.unregister_worker(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION wf.claim(text, text[], text, integer, integer) TO hms_app;
GRANT EXECUTE ON FUNCTION wf.heartbeat(text, bigint[], bigint[], integer, bigint) TO hms_app;
GRANT EXECUTE ON FUNCTION wf.reap(integer, integer) TO hms_app;
GRANT EXECUTE ON FUNCTION wf.register_worker(text, text, integer, text, text[], integer) TO hms_app;
GRANT EXECUTE ON FUNCTION wf.unregister_worker(text) TO hms_app;

-- Staff notifications (a workflow tells a doctor a patient is waiting, reminds reception).
-- Ids and a kind only: the client resolves names through the normal, audited reads.
CREATE TABLE notifications (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    user_id bigint NOT NULL,
    kind text NOT NULL CONSTRAINT notifications_kind_format CHECK (kind ~ '^[a-z][a-z0-9_.-]{0,63}$'),
    patient_id bigint,
    entity text, -- "visit", "admission", ...
    entity_id bigint,
    run_id bigint, -- the workflow run that created it
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at timestamptz,
    CONSTRAINT notifications_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT notifications_user_fkey FOREIGN KEY (hospital_id, user_id)
        REFERENCES users (hospital_id, id),
    CONSTRAINT notifications_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id)
);
CREATE INDEX notifications_user_idx ON notifications (hospital_id, user_id, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (hospital_id, user_id, id DESC)
    WHERE read_at IS NULL;

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notifications FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON notifications
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());
GRANT SELECT, INSERT, UPDATE ON notifications TO hms_app;
