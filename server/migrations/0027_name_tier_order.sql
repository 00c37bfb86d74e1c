-- 0027_name_tier_order: names of equal rank in the trigram tier come in alphabetical order
-- (then by id), so that a page needs the patients of its own names only.
--
-- Before, the trigram tier ordered its rows by (rank, patient id). Which names fill a page
-- then depends on every matching name's first patient, so every matching name was joined to
-- its patients before the first row could be returned: for a part of a name typed at a desk
-- ("fed", "mam") about 4,000-5,000 names at 1,000,000 patients with 889,499 distinct names,
-- one index probe each, 140-150 ms a query (with the parallel scan; 45 ms on one process).
-- Many names share a rank (every name with a word that starts with the query), so the order
-- among them is what decides. Now it is (rank, folded name, id): the names are ranked and
-- sorted first, and their patients are joined in that order until the page is full (about
-- 20 probes): 26-30 ms for the same queries. For the desk it is the order it expects of equally
-- good matches, alphabetical; the patients of one name stay in registration order.
--
-- No parallel workers: name searches run on a small pool of their own (one thread per core,
-- HttpServerOptions::searchPool), so a worker only competes with the other searches for the
-- same cores. A/B at that scale (70 desks typing parts of names, 2 rounds): paced p50 54-96 ->
-- 33-35 ms, p99 249-319 -> 132-153 ms, capacity 79-86 -> 97-100 searches/s; full names about
-- the same. One query alone: 30.8 ms with two workers, 26.5 ms without.
--
-- The cursor stays (rank, id): the name is the cursor patient's. Names compare in the "C"
-- collation, which sorts folded (lower-case, unaccented) names alphabetically the same on
-- every installation and without the cost of a locale. The first tier (every word present,
-- rank 1) is unchanged, by id. The rows come back in the function's order; its caller sorts
-- by their ordinality, not by (rank, id).

CREATE OR REPLACE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                               p_limit integer)
    RETURNS TABLE (hit_id bigint, hit_rank real)
    LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
    SET search_path = public, pg_temp
    SET enable_seqscan = off
    SET max_parallel_workers_per_gather = 0
    AS $$
DECLARE
    folded text := hms_fold(p_query);
    words text[] := hms_name_words(p_query);
    pairs text[] := hms_name_pairs(p_query);
    after_id bigint := CASE WHEN p_after_rank IS NULL THEN 0 ELSE p_after_id END;
    found integer := 0;
    matches text := '(s.search_name LIKE $2 OR $1 <% s.search_name)';
    after_name text;
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
    -- Fewer than three letters or digits: whole words only (0026).
    IF char_length(array_to_string(words, '')) < 3 THEN
        RETURN;
    END IF;
    -- From 8 trigrams on, a name containing the query is also word-similar to it (0026).
    IF cardinality(show_trgm(folded)) >= 8 THEN
        matches := '$1 <% s.search_name';
    END IF;
    -- The trigram tier: names by rank, then alphabetically (0027), each name's patients by
    -- id. A cursor in this tier continues after its patient's name.
    IF p_after_rank IS NOT NULL AND p_after_rank < 1 THEN
        SELECT p.search_name INTO after_name FROM patients p
         WHERE p.hospital_id = app_hospital_id() AND p.id = p_after_id;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT p.id, n.rank FROM ('
        '    SELECT s.search_name, least(word_similarity($1, s.search_name), 0.99)::real AS rank'
        '    FROM patient_search_names s'
        '    WHERE s.hospital_id = app_hospital_id()'
        '      AND ' || matches ||
        '      AND NOT (cardinality($6::text[]) > 0 AND s.search_words @> $6)'
        '    ORDER BY rank DESC, s.search_name COLLATE "C") n'
        ' CROSS JOIN LATERAL ('
        '    SELECT p.id FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.search_name = n.search_name'
        '      AND p.merged_into IS NULL'
        '      AND ($3::real IS NULL OR $3 >= 1 OR n.rank < $3'
        '           OR n.search_name COLLATE "C" > $7 OR p.id > $4)'
        '    ORDER BY p.id LIMIT $5) p'
        ' WHERE $3::real IS NULL OR $3 >= 1 OR n.rank < $3'
        '    OR (n.rank = $3 AND n.search_name COLLATE "C" >= $7)'
        ' ORDER BY n.rank DESC, n.search_name COLLATE "C", p.id LIMIT $5'
        USING folded, '%' || hms_like_literal(folded) || '%', p_after_rank, p_after_id,
              p_limit - found, words, coalesce(after_name, '');
END
$$;
