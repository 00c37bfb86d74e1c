-- 0026_name_query_length: how much of the trigram tier a name query needs depends on its
-- length. Fewer than three letters or digits: whole words only. From 8 distinct trigrams on:
-- word similarity alone, without the LIKE arm.
--
-- Short queries. The client searches from the second character typed. A two-letter query
-- that is not a whole word ("jo", "ra") fell through to the trigram tier (a typo, a part of a
-- word: 0022), and a LIKE '%jo%' pattern gives pg_trgm no trigram to look up: every distinct
-- name was read and compared, on every keystroke of every desk. Measured at 1,000,000
-- patients with 889,499 distinct names: 1.2-1.4 s per two-letter query (three processes with
-- the parallel scan), against 37-82 ms for three letters and under 36 ms from there on. The
-- word-similarity arm alone (<%) would use the index but still ranks every name with a word
-- starting with those two letters (45,000 for "jo": 141 ms). Two letters are still a search:
-- whole words such as the family names Li, Wu, Ng or Xu are found by the first tier as
-- before. Parts of words and typos need a third letter or digit (OpenMRS's patient search
-- asks for three characters the same way); a query with fewer has nothing left to find after
-- the first tier.
--
-- Long queries. The trigram tier keeps names that contain the folded query (LIKE) or are
-- word-similar to it (<%, pg_trgm.word_similarity_threshold 0.6). When the query holds at
-- least 8 distinct trigrams, every name containing it is also word-similar to it: the query's
-- trigrams all occur in the name except at most the two that start its first word and the one
-- that ends its last (when those fall inside longer words), so at least 5 of 8 match (0.625).
-- Checked at the same scale: 1,642 parts of names with 8 trigrams or more, 0 names found by
-- LIKE alone; 358 shorter ones, 28,348 names that only LIKE found. For a full name the LIKE
-- arm cost a second scan of the trigram index over its most common trigrams: 3.2 of 14.5 ms.
-- Rows, ranks and order do not change; queries from 3 characters to 7 trigrams keep both arms.
--
-- Everything else, including 0025's planner setting, is as before: CREATE OR REPLACE resets a
-- function's settings, so it is set here again.

CREATE OR REPLACE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                               p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    SET enable_seqscan = off
    AS $$
DECLARE
    folded text := hms_fold(p_query);
    words text[] := hms_name_words(p_query);
    pairs text[] := hms_name_pairs(p_query);
    after_id bigint := CASE WHEN p_after_rank IS NULL THEN 0 ELSE p_after_id END;
    found integer := 0;
    matches text := '(s.search_name LIKE $2 OR $1 <% s.search_name)';
BEGIN
    IF app_hospital_id() IS NULL OR folded IS NULL OR folded = '' THEN
        RETURN;
    END IF;
    IF cardinality(words) > 0 AND (p_after_rank IS NULL OR p_after_rank >= 1) THEN
        IF cardinality(pairs) <= 1 THEN
            -- One term: the pair of two different words, else the only (repeated) word.
            RETURN QUERY
                SELECT t.patient_id, 1::real FROM patient_name_terms t
                 WHERE t.hospital_id = app_hospital_id()
                   AND t.term = coalesce(pairs[1], words[1]) AND t.patient_id > after_id
                 ORDER BY t.patient_id LIMIT p_limit;
        ELSE
            -- Three or more different words: every pair present = every word present.
            RETURN QUERY EXECUTE
                'SELECT p.id, 1::real FROM patients p'
                ' WHERE p.hospital_id = app_hospital_id() AND p.merged_into IS NULL'
                '   AND p.search_pairs @> $1 AND p.id > $2'
                ' ORDER BY p.id LIMIT $3'
                USING pairs, after_id, p_limit;
        END IF;
        GET DIAGNOSTICS found = ROW_COUNT;
        IF found >= p_limit THEN
            RETURN;
        END IF;
    END IF;
    -- Fewer than three letters or digits: whole words only (above).
    IF char_length(array_to_string(words, '')) < 3 THEN
        RETURN;
    END IF;
    -- From 8 trigrams on, a name containing the query is also word-similar to it (above).
    IF cardinality(show_trgm(folded)) >= 8 THEN
        matches := '$1 <% s.search_name';
    END IF;
    -- The trigram tier: rows of the first tier are left out (they were ranked 1 above). The
    -- distinct names are ranked, then each one's first active patients after the cursor
    -- joined: the same rows, ranks and order as ranking every patient (0020).
    RETURN QUERY EXECUTE
        'SELECT p.id, n.rank FROM ('
        '    SELECT s.search_name, least(word_similarity($1, s.search_name), 0.99)::real AS rank'
        '    FROM patient_search_names s'
        '    WHERE s.hospital_id = app_hospital_id()'
        '      AND ' || matches ||
        '      AND NOT (cardinality($6::text[]) > 0 AND s.search_words @> $6)) n'
        ' CROSS JOIN LATERAL ('
        '    SELECT p.id FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.search_name = n.search_name'
        '      AND p.merged_into IS NULL'
        '      AND ($3::real IS NULL OR $3 >= 1 OR n.rank < $3 OR p.id > $4)'
        '    ORDER BY p.id LIMIT $5) p'
        ' WHERE $3::real IS NULL OR $3 >= 1 OR n.rank <= $3'
        ' ORDER BY n.rank DESC, p.id LIMIT $5'
        USING folded, '%' || hms_like_literal(folded) || '%', p_after_rank, p_after_id,
              p_limit - found, words;
END
$$;
