-- 0012_patient_search: name and phone-suffix search that can use their indexes under
-- row-level security.
--
-- Why: PostgreSQL only lets a condition run inside an index scan, ahead of a row-level
-- security policy, when its operator is leakproof. Equality is; LIKE and pg_trgm's <% are
-- not. Under tenant_isolation every name search and every "last digits" phone search
-- therefore read the whole patients table (1.7 s per query at 1,000,000 patients, against
-- 57 ms with the trigram index).
--
-- The fix: two SECURITY DEFINER functions, owned by the role that applies this migration
-- (the table owner, as in 0010_workflows). That role alone gets a read-only policy of its own
-- (patient_search), so inside the functions the planner sees no policy and uses the indexes.
-- The functions filter on app_hospital_id() themselves (no tenant set: no rows) and return
-- ids and ranks only; the caller joins those ids back to patients under its own
-- tenant_isolation policy, so a row of another hospital could not come back even if a
-- function were wrong.

DO $$
BEGIN
    EXECUTE format('CREATE POLICY patient_search ON patients FOR SELECT TO %I USING (true)',
                   current_user);
END
$$;

-- "The last digits" of a phone number as a btree prefix search on the reversed number; it
-- replaces the trigram index on phone, which needed at least three digits and a recheck.
CREATE INDEX patients_phone_reversed_idx ON patients (hospital_id, reverse(phone) text_pattern_ops);
DROP INDEX patients_phone_trgm_idx;

-- Escapes LIKE's wildcards and its escape character, so user text matches literally.
CREATE FUNCTION hms_like_literal(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT replace(replace(replace(value, '\', '\\'), '%', '\%'), '_', '\_') $$;

-- Patients whose folded name contains the folded query, or is word-similar to it (pg_trgm
-- <%, pg_trgm.word_similarity_threshold), ranked by word similarity; keyset-paginated after
-- (p_after_rank, p_after_id) in "rank DESC, id" order. EXECUTE ... USING plans each call with
-- the actual values, which the trigram index needs to be chosen.
CREATE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                    p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    AS $$
DECLARE
    folded text := hms_fold(p_query);
BEGIN
    IF app_hospital_id() IS NULL OR folded IS NULL OR folded = '' THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT m.id, m.rank FROM ('
        '    SELECT p.id, word_similarity($1, p.search_name) AS rank FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
        '      AND (p.search_name LIKE $2 OR $1 <% p.search_name)) m'
        ' WHERE $3::real IS NULL OR m.rank < $3 OR (m.rank = $3 AND m.id > $4)'
        ' ORDER BY m.rank DESC, m.id LIMIT $5'
        USING folded, '%' || hms_like_literal(folded) || '%', p_after_rank, p_after_id, p_limit;
END
$$;

-- Patients whose phone is p_phone (rank 1) or ends with p_digits (rank 0.5), same keyset.
CREATE FUNCTION patient_search_phone(p_phone text, p_digits text, p_after_rank real,
                                     p_after_id bigint, p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF app_hospital_id() IS NULL OR coalesce(p_digits, '') = '' THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT m.id, m.rank FROM ('
        '    SELECT p.id, (CASE WHEN p.phone = $1 THEN 1 ELSE 0.5 END)::real AS rank'
        '    FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
        '      AND (p.phone = $1 OR reverse(p.phone) LIKE $2)) m'
        ' WHERE $3::real IS NULL OR m.rank < $3 OR (m.rank = $3 AND m.id > $4)'
        ' ORDER BY m.rank DESC, m.id LIMIT $5'
        USING p_phone, hms_like_literal(reverse(p_digits)) || '%', p_after_rank, p_after_id,
              p_limit;
END
$$;

REVOKE ALL ON FUNCTION patient_search_name(text, real, bigint, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION patient_search_phone(text, text, real, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patient_search_name(text, real, bigint, integer) TO hms_app;
GRANT EXECUTE ON FUNCTION patient_search_phone(text, text, real, bigint, integer) TO hms_app;
