-- 0023_registration_cost: what a registration costs PostgreSQL.
--
-- Why: at 1,000,000 patients a registration (POST /api/v1/patients) took about 4 ms of
-- PostgreSQL CPU, most of it parsing and planning, not writing:
--   * hms_fold, hms_name_words and hms_name_pairs were SQL functions. Where the planner cannot
--     inline one (a generated column, a trigger's array, a call from another function), a SQL
--     function's body is parsed and planned again on every call: seven times per
--     registration. As plpgsql functions their plans are kept for the session. Same results,
--     same volatility (IMMUTABLE: the generated columns need it; the unaccent dictionary is
--     still named explicitly, see 0003).
--   * Two GIN indexes on patients had no reader left, and each new patient paid for their
--     entries: patients_search_name_trgm_idx (the typo tier ranks patient_search_names since
--     0022; the duplicate check narrows by birth date first) and patients_search_words_idx
--     (one-word searches read patient_name_terms since 0022; three or more words use
--     search_pairs).
-- Measured (1,000,000 patients, 32 concurrent registrations): the INSERT of a patient with
-- its trigger from 2.75 to 1.5 ms.

CREATE OR REPLACE FUNCTION hms_fold(text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN lower(public.unaccent('public.unaccent'::regdictionary, $1));
END
$$;

CREATE OR REPLACE FUNCTION hms_name_words(text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN array_remove(regexp_split_to_array(public.hms_fold($1), '[^[:alnum:]]+'), '');
END
$$;

-- The unordered pairs of different words; the words are computed once, not twice.
CREATE OR REPLACE FUNCTION hms_name_pairs(text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
DECLARE
    words text[] := public.hms_name_words($1);
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT a.w || ' ' || b.w), '{}')
              FROM unnest(words) a(w), unnest(words) b(w)
             WHERE a.w COLLATE "C" < b.w COLLATE "C");
END
$$;

DROP INDEX IF EXISTS patients_search_name_trgm_idx;
DROP INDEX IF EXISTS patients_search_words_idx;
