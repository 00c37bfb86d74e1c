-- 0020_patient_name_pairs: the first tier of a name search (0017) from one posting list.
--
-- Why: "every typed word is a word of the name" was answered from the GIN index on the
-- name's words by intersecting one posting list per word. At 1,000,000 patients a full name
-- of common words ("anna garcia": ~25,000 Annas, ~20,000 Garcias, ~500 both) spent ~6 ms of
-- CPU in that intersection alone, on every search, for 70 desks.
--
-- Now the name's words also go into an index as unordered pairs ("anna garcia", in C
-- collation order), and a query of two or more different words looks up its own pairs: for
-- two words that is one posting list holding exactly the matching patients. Containing every
-- pair of the typed words is the same as containing every typed word, so the matches and
-- their order do not change. One-word queries keep using the word index.
--
-- Cost: the pairs of an n-word name are n(n-1)/2 index entries (1 for the usual two words,
-- 6 for four); the name's length limit bounds it.

CREATE FUNCTION hms_name_pairs(text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
        SELECT coalesce(array_agg(DISTINCT a.w || ' ' || b.w), '{}')
          FROM unnest(hms_name_words($1)) a(w), unnest(hms_name_words($1)) b(w)
         WHERE a.w COLLATE "C" < b.w COLLATE "C"
    $$;

ALTER TABLE patients
    ADD COLUMN search_pairs text[] GENERATED ALWAYS AS (hms_name_pairs(full_name)) STORED;
CREATE INDEX patients_search_pairs_idx ON patients USING gin (search_pairs);

CREATE OR REPLACE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                               p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    AS $$
DECLARE
    folded text := hms_fold(p_query);
    words text[] := hms_name_words(p_query);
    pairs text[] := hms_name_pairs(p_query);
    found integer := 0;
BEGIN
    IF app_hospital_id() IS NULL OR folded IS NULL OR folded = '' THEN
        RETURN;
    END IF;
    IF cardinality(words) > 0 AND (p_after_rank IS NULL OR p_after_rank >= 1) THEN
        IF cardinality(pairs) > 0 THEN
            -- Two or more different words: every pair present = every word present.
            RETURN QUERY EXECUTE
                'SELECT p.id, 1::real FROM patients p'
                ' WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
                '   AND p.search_pairs @> $1 AND ($2::bigint IS NULL OR p.id > $2)'
                ' ORDER BY p.id LIMIT $3'
                USING pairs, CASE WHEN p_after_rank IS NULL THEN NULL ELSE p_after_id END,
                      p_limit;
        ELSE
            RETURN QUERY EXECUTE
                'SELECT p.id, 1::real FROM patients p'
                ' WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
                '   AND p.search_words @> $1 AND ($2::bigint IS NULL OR p.id > $2)'
                ' ORDER BY p.id LIMIT $3'
                USING words, CASE WHEN p_after_rank IS NULL THEN NULL ELSE p_after_id END,
                      p_limit;
        END IF;
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
