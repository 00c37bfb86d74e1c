-- 0024_phone_search_plan: a phone search is planned once per session, not on every call.
--
-- Why: patient_search_phone ran its query through EXECUTE, so PostgreSQL parsed and planned
-- it on every search: with the "ends with these digits" test written as LIKE on a value only
-- known at run time, that was the only way its index was used. At 1,000,000 patients a phone
-- search cost ~280 µs of PostgreSQL CPU for one index lookup, ~240 µs of it planning, and
-- the desks' target for a phone search is a p99 under 5 ms (PERFORMANCE.md).
--
-- Now the suffix test is a range on the reversed number, which a generic plan can give to
-- the btree index (patients_phone_reversed_idx, text_pattern_ops): every stored phone matches
-- '^\+?[0-9]{7,15}$' (patients_phone_format), so all its characters sort below '~' and
-- "reverse(phone) starts with r" is exactly "r <= reverse(phone) < r || '~'" in byte order.
-- The function keeps its plan for the session (plan_cache_mode = force_generic_plan): a
-- query names at least six digits (the API's minimum), few enough rows for that plan.
-- Measured (1,000,000 patients, calls in one session): exact number 277 -> 46 µs, six-digit
-- suffix 298 -> 61 µs. Same signature, rows, ranks and keyset order as 0012.

CREATE OR REPLACE FUNCTION patient_search_phone(p_phone text, p_digits text, p_after_rank real,
                                                p_after_id bigint, p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    SET plan_cache_mode = force_generic_plan
    AS $$
DECLARE
    low text := reverse(p_digits);
BEGIN
    IF app_hospital_id() IS NULL OR coalesce(p_digits, '') = '' THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT m.id, m.rank FROM (
            SELECT p.id, (CASE WHEN p.phone = p_phone THEN 1 ELSE 0.5 END)::real AS rank
              FROM patients p
             WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL
               AND (p.phone = p_phone
                    OR (reverse(p.phone) OPERATOR(pg_catalog.~>=~) low
                        AND reverse(p.phone) OPERATOR(pg_catalog.~<~) (low || '~')))) m
         WHERE p_after_rank IS NULL OR m.rank < p_after_rank
            OR (m.rank = p_after_rank AND m.id > p_after_id)
         ORDER BY m.rank DESC, m.id
         LIMIT p_limit;
END
$$;
