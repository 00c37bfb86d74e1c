-- 0017_patient_name_words: the first page of a name search from a word index.
--
-- Why: ranking by trigram word similarity reads every candidate row. A common full name at a
-- large hospital ("anna garcia" among 1,000,000 patients: ~4,000 candidates, two long
-- trigram posting lists) cost ~100 ms per search, all of it CPU, which 70 desks cannot share.
--
-- The ranking is now in two tiers, both keyset-paginated in "rank DESC, id" order:
--   rank 1     every word typed is a whole word of the name, in any order ("garcia anna",
--              "anna garcia" and "Anna María García" all match "anna garcia"): read from a
--              GIN index on the name's folded words, so only those rows are touched;
--   rank < 1   everything else the trigram search finds (substring or word-similar, as in
--              0012), with its word similarity capped at 0.99 so the tiers never interleave.
-- The trigram tier runs only when the first tier has not filled the page.

-- The folded words of a name: accents and case folded as in hms_fold(), split at anything
-- that is not a letter or digit ("Garcia-Lopez" is two words).
CREATE FUNCTION hms_name_words(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT array_remove(regexp_split_to_array(hms_fold($1), '[^[:alnum:]]+'), '') $$;

ALTER TABLE patients
    ADD COLUMN search_words text[] GENERATED ALWAYS AS (hms_name_words(full_name)) STORED;
CREATE INDEX patients_search_words_idx ON patients USING gin (search_words);

CREATE OR REPLACE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                               p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    AS $$
DECLARE
    folded text := hms_fold(p_query);
    words text[] := hms_name_words(p_query);
    found integer := 0;
BEGIN
    IF app_hospital_id() IS NULL OR folded IS NULL OR folded = '' THEN
        RETURN;
    END IF;
    IF cardinality(words) > 0 AND (p_after_rank IS NULL OR p_after_rank >= 1) THEN
        RETURN QUERY EXECUTE
            'SELECT p.id, 1::real FROM patients p'
            ' WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
            '   AND p.search_words @> $1 AND ($2::bigint IS NULL OR p.id > $2)'
            ' ORDER BY p.id LIMIT $3'
            USING words, CASE WHEN p_after_rank IS NULL THEN NULL ELSE p_after_id END, p_limit;
        GET DIAGNOSTICS found = ROW_COUNT;
        IF found >= p_limit THEN
            RETURN;
        END IF;
    END IF;
    -- The trigram tier: rows of the first tier are left out (they were ranked 1 above).
    RETURN QUERY EXECUTE
        'SELECT m.id, m.rank FROM ('
        '    SELECT p.id, least(word_similarity($1, p.search_name), 0.99)::real AS rank'
        '    FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
        '      AND (p.search_name LIKE $2 OR $1 <% p.search_name)'
        '      AND NOT (cardinality($6::text[]) > 0 AND p.search_words @> $6)) m'
        ' WHERE $3::real IS NULL OR $3 >= 1 OR m.rank < $3 OR (m.rank = $3 AND m.id > $4)'
        ' ORDER BY m.rank DESC, m.id LIMIT $5'
        USING folded, '%' || hms_like_literal(folded) || '%', p_after_rank, p_after_id,
              p_limit - found, words;
END
$$;
