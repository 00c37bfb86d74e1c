-- 0013_request_path: fewer round trips and shorter per-hospital locks on the hot paths.
--
-- 1. The two checks that run before almost every request (the caller's session, and whether
--    a cached bed board still holds) as one statement each: one round trip instead of four
--    (BEGIN, tenant, query, COMMIT).
-- 2. MRN numbers from a sequence instead of the mrn_counters row. The row was locked from the
--    moment a registration took its number until it committed, so all registrations of a
--    hospital queued behind each other (about 130 a second at most, measured). nextval()
--    never waits. MRNs stay unique and are never reused; a registration that rolls back
--    leaves a gap, and the number part no longer restarts each year (the year part still
--    shows the registration year).
--
-- Both run as the caller (hms_app, SECURITY INVOKER): they set the tenant for their own
-- statement's transaction with set_config(..., true), exactly as enterTenant() does, and
-- the tenant_isolation policies apply to every row they read. Sent outside a transaction
-- block, the statement is its own transaction, so the tenant setting ends with it.

-- The caller's session and user, checked on every authenticated request (SECURITY.md A5:
-- revocation, disabling and role changes act on the next request): open, not idle past
-- p_idle_seconds, within its absolute lifetime, user enabled. Returns the user's current
-- role and names, or no row. Refreshes the idle timer at most once a minute.
CREATE FUNCTION hms_session_principal(p_hospital bigint, p_session uuid, p_user bigint,
                                      p_idle_seconds integer)
    RETURNS TABLE (r_role text, r_username text, r_display_name text)
    LANGUAGE plpgsql VOLATILE
    SET search_path = public, pg_temp
    AS $$
DECLARE
    stale boolean;
BEGIN
    PERFORM set_config('app.hospital_id', p_hospital::text, true);
    SELECT u.role::text, u.username::text, u.display_name::text,
           s.last_seen_at < now() - interval '60 seconds'
      INTO r_role, r_username, r_display_name, stale
      FROM sessions s JOIN users u ON u.hospital_id = s.hospital_id AND u.id = s.user_id
     WHERE s.id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL
       AND s.absolute_expires_at > now()
       AND s.last_seen_at > now() - make_interval(secs => p_idle_seconds)
       AND u.disabled_at IS NULL;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF stale THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = p_session;
    END IF;
    RETURN NEXT;
END
$$;

-- What decides whether a cached bed board still holds: the hospital's event sequence (every
-- bed change appends an event), the database clock (reservations expire by it) and, for
-- boards that show occupants, a stamp that moves with every edit of an admitted patient.
CREATE FUNCTION hms_bed_board_version(p_hospital bigint, p_occupants boolean)
    RETURNS TABLE (r_seq bigint, r_now double precision, r_occupants text)
    LANGUAGE plpgsql VOLATILE -- it sets the tenant
    SET search_path = public, pg_temp
    AS $$
BEGIN
    PERFORM set_config('app.hospital_id', p_hospital::text, true);
    RETURN QUERY
    SELECT coalesce((SELECT c.seq FROM event_counters c WHERE c.hospital_id = p_hospital), 0),
           extract(epoch FROM now())::double precision,
           CASE WHEN p_occupants THEN
               -- Versions only grow, so their sum moves with every edit whatever order
               -- concurrent edits commit in; updated_at catches the rest.
               (SELECT sum(p.version)::text || '/' || max(p.updated_at)::text
                  FROM admissions a JOIN patients p
                    ON p.hospital_id = a.hospital_id AND p.id = a.patient_id
                 WHERE a.hospital_id = p_hospital AND a.status = 'active')
           END;
END
$$;

REVOKE ALL ON FUNCTION hms_session_principal(bigint, uuid, bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION hms_bed_board_version(bigint, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION hms_session_principal(bigint, uuid, bigint, integer) TO hms_app;
GRANT EXECUTE ON FUNCTION hms_bed_board_version(bigint, boolean) TO hms_app;

-- Numbers for new MRNs, shared by all hospitals (unique per hospital is what matters). It
-- starts above every number the counters of 0003 handed out, in any hospital and year. The
-- owner reads the counters hospital by hospital: row-level security applies to it too.
CREATE SEQUENCE patient_mrn_numbers AS bigint MINVALUE 1;
DO $$
DECLARE
    hospital bigint;
    highest bigint := 0;
    counted bigint;
BEGIN
    FOR hospital IN SELECT id FROM hospitals LOOP
        PERFORM set_config('app.hospital_id', hospital::text, true);
        SELECT max(next) INTO counted FROM mrn_counters;
        highest := greatest(highest, coalesce(counted, 0));
    END LOOP;
    PERFORM set_config('app.hospital_id', '', true);
    PERFORM setval('patient_mrn_numbers', greatest(highest, 1), highest > 0);
END
$$;
GRANT USAGE ON SEQUENCE patient_mrn_numbers TO hms_app;
COMMENT ON TABLE mrn_counters IS 'Retired by 0013_request_path (MRN numbers come from the patient_mrn_numbers sequence); kept for the numbers it handed out.';
