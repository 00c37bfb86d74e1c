-- 0018_audit_sealing: audit rows are written in the request's transaction without their place
-- in the hash chain, and sealed into it right after commit, many at a time.
--
-- Why: appending used to lock the hospital's chain head from the append until commit, so
-- every audited request of a hospital (reads and searches included) waited for the previous
-- one's WAL flush: ~3 ms each on this kind of disk, at most ~300-400 audited requests per
-- second per hospital, whatever the number of cores.
--
-- Now:
--   * a request inserts its row with seq, prev_hash and hash NULL ("pending"), in its own
--     transaction: the row and the change it records still commit together or not at all;
--   * a sealer (hms-server's AuditSealer, hms-admin after its own writes) locks the head,
--     reads the pending rows in id order, computes their hashes exactly as before
--     (server/src/audit/auditlog.cpp) and seals them through hms_audit_seal(), one commit for
--     the whole batch. hms-server answers a request only after its rows are sealed, so a
--     caller never sees its own row unchained.
--   * the chain, its head and the signed checkpoints are unchanged; verification walks the
--     sealed rows and counts the pending ones.
-- hms_app still cannot UPDATE audit_log: only hms_audit_seal (owned by the migration role)
-- may, and the append-only trigger lets an UPDATE through only when it seals a pending row
-- without changing anything else.

ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE audit_log ADD PRIMARY KEY (id);
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL,
                      ALTER COLUMN prev_hash DROP NOT NULL,
                      ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_sealed_whole
    CHECK ((seq IS NULL) = (hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
CREATE UNIQUE INDEX audit_log_seq_key ON audit_log (hospital_id, seq);
CREATE INDEX audit_log_pending_idx ON audit_log (hospital_id, id) WHERE seq IS NULL;

CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    -- Sealing: a pending row gets its seq, prev_hash and hash, and nothing else changes.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_log' AND OLD.seq IS NULL
       AND NEW.seq IS NOT NULL
       AND (to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'hash'])
           = (to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'hash']) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;

-- Seals rows p_ids (pending rows of p_hospital, in chain order) with p_hashes (hex), right
-- after the chain head, which the caller has locked in this transaction (SELECT ... FOR
-- UPDATE) before it read the rows and computed the hashes. Returns the new head seq.
-- The hashes are the caller's: a wrong one is not refused here but found by verification,
-- like any other break.
CREATE FUNCTION hms_audit_seal(p_hospital bigint, p_ids bigint[], p_hashes text[])
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = public, pg_temp
    AS $$
DECLARE
    head_seq bigint;
    head_hash bytea;
    n integer := coalesce(cardinality(p_ids), 0);
    sealed integer;
BEGIN
    IF p_hospital IS NULL OR p_hospital IS DISTINCT FROM app_hospital_id() THEN
        RAISE EXCEPTION 'audit seal outside the transaction''s hospital'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF n <> coalesce(cardinality(p_hashes), 0) THEN
        RAISE EXCEPTION 'one hash per row' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT h.seq, h.hash INTO head_seq, head_hash
        FROM audit_heads h WHERE h.hospital_id = p_hospital FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no audit head for this hospital' USING ERRCODE = 'no_data_found';
    END IF;
    IF n = 0 THEN
        RETURN head_seq;
    END IF;
    UPDATE audit_log l
        SET seq = head_seq + u.n,
            prev_hash = CASE WHEN u.n = 1 THEN head_hash ELSE decode(p_hashes[u.n - 1], 'hex') END,
            hash = decode(u.hash, 'hex')
        FROM unnest(p_ids, p_hashes) WITH ORDINALITY AS u(id, hash, n)
        WHERE l.id = u.id AND l.hospital_id = p_hospital AND l.seq IS NULL;
    GET DIAGNOSTICS sealed = ROW_COUNT;
    IF sealed <> n THEN
        RAISE EXCEPTION 'audit rows to seal are not all pending' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE audit_heads SET seq = head_seq + n, hash = decode(p_hashes[n], 'hex')
        WHERE hospital_id = p_hospital;
    RETURN head_seq + n;
END
$$;

REVOKE ALL ON FUNCTION hms_audit_seal(bigint, bigint[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hms_audit_seal(bigint, bigint[], text[]) TO hms_app;
