-- 0021_wf_claim_plpgsql: wf.claim as PL/pgSQL. A LANGUAGE sql function that cannot be inlined
-- (this one updates) is parsed, analysed and planned again on every call: about two thirds of
-- a claim's database time in tests/bench/worker_bench.sh. PL/pgSQL keeps the query's plan for
-- the session (each worker executor has its own connection), so a claim is executed only.
-- Same signature, result, grants and query (the columns are qualified: the result columns are
-- also PL/pgSQL variables).

CREATE OR REPLACE FUNCTION wf.claim(p_queue text, p_types text[], p_worker text, p_limit integer, p_lease_ms integer)
    RETURNS TABLE (run_id bigint, hospital_id bigint, lease_epoch bigint, workflow_type text,
                   workflow_version integer, input jsonb, attempt integer, max_attempts integer,
                   db_now timestamptz, journal jsonb)
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
    #variable_conflict use_column
    BEGIN
    RETURN QUERY
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
    END;
    $$;
