-- 0029: a page of a name search ends in a cursor that carries the key its last hit was ordered
-- by: the word of the prefix tier (0028), the folded name of the trigram tier (0027). The next
-- page continues after that key.
--
-- Why: the cursor was (rank, id) alone, and the function read the cursor patient's word or
-- name again from the patient row. A patient renamed between two pages of one search moved the
-- cursor with it: in the prefix tier the next page skipped the rest of the tier, in the trigram
-- tier it repeated or skipped the names between the old and the new spelling. A desk scrolling
-- a list must see every patient once, whatever the other desks do meanwhile.
--
-- A cursor without a key (from an older server, or tier 1 and phone searches, whose order is
-- by id) is read as before. The returned key is the sort key only: no query, no PHI beyond the
-- name already on the page. Same tiers, order and plans as 0028; the function is dropped and
-- created again because its arguments and result change.

DROP FUNCTION patient_search_name(text, real, bigint, integer);

CREATE FUNCTION patient_search_name(p_query text, p_after_rank real, p_after_id bigint,
                                    p_limit integer, p_after_key text DEFAULT NULL)
    RETURNS TABLE (hit_id bigint, hit_rank real, hit_key text)
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
    added integer;
    matches text := '(s.search_name LIKE $2 OR $1 <% s.search_name)';
    after_name text;
    -- The prefix tier: the last word typed, the words before it, and the end of its range
    -- (no name holds U+10FFFF).
    typed text := words[cardinality(words)];
    complete text[] := words[1:cardinality(words) - 1];
    typed_end text := typed || chr(1114111);
    anchor text;
    after_word text;
    from_word text;
    batch text[];
    trigram_rank real := CASE WHEN p_after_rank <= 0.99 THEN p_after_rank END;
BEGIN
    IF app_hospital_id() IS NULL OR folded IS NULL OR folded = '' THEN
        RETURN;
    END IF;
    IF cardinality(words) > 0 AND (p_after_rank IS NULL OR p_after_rank >= 1) THEN
        IF cardinality(pairs) <= 1 THEN
            -- One term: the pair of two different words, else the only (repeated) word.
            RETURN QUERY
                SELECT t.patient_id, 1::real, NULL::text FROM patient_name_terms t
                 WHERE t.hospital_id = app_hospital_id()
                   AND t.term = coalesce(pairs[1], words[1]) AND t.patient_id > after_id
                 ORDER BY t.patient_id LIMIT p_limit;
        ELSE
            -- Three or more different words: every pair present = every word present.
            RETURN QUERY EXECUTE
                'SELECT p.id, 1::real, NULL::text FROM patients p'
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

    -- The prefix tier. A cursor in it continues after its word (a cursor without one: after
    -- its patient's word, none when that patient was renamed since: the tier is then over).
    IF p_after_rank IS NULL OR p_after_rank > 0.99 THEN
        IF p_after_rank > 0.99 AND p_after_rank < 1 AND p_after_key IS NOT NULL THEN
            after_word := p_after_key;
        ELSIF p_after_rank > 0.99 AND p_after_rank < 1 THEN
            SELECT hms_name_prefix_word(p.search_words, typed, complete) INTO after_word
              FROM patients p WHERE p.hospital_id = app_hospital_id() AND p.id = p_after_id;
        ELSE
            after_word := typed;
            after_id := 9223372036854775807; -- after every patient of the typed word itself
        END IF;
        SELECT max(c) INTO anchor FROM unnest(complete) c WHERE c < typed COLLATE "C";
        IF after_word IS NULL THEN
            NULL; -- the cursor's patient no longer matches: on to the trigram tier
        ELSIF anchor IS NOT NULL THEN
            RETURN QUERY
                SELECT t.patient_id, 0.995::real, substr(t.term, char_length(anchor) + 2)
                  FROM patient_name_terms t
                 CROSS JOIN LATERAL (SELECT p.search_words FROM patients p
                                      WHERE p.id = t.patient_id
                                        AND p.hospital_id = app_hospital_id()
                                        AND p.merged_into IS NULL LIMIT 1) p -- a probe a row
                 WHERE t.hospital_id = app_hospital_id()
                   AND (t.term, t.patient_id) > (anchor || ' ' || after_word, after_id)
                   AND t.term < anchor || ' ' || typed_end
                   AND p.search_words @> complete AND NOT p.search_words @> words
                   AND substr(t.term, char_length(anchor) + 2)
                       = hms_name_prefix_word(p.search_words, typed, complete)
                 ORDER BY t.term, t.patient_id LIMIT p_limit - found;
            GET DIAGNOSTICS added = ROW_COUNT;
            found := found + added;
        ELSIF cardinality(complete) > 0 AND (
                SELECT count(*) FROM (SELECT 1 FROM patient_name_terms t
                                       WHERE t.hospital_id = app_hospital_id()
                                         AND t.term = complete[1] LIMIT 257) c) <= 256 THEN
            -- A complete word held by few patients: all of them, sorted by their word.
            RETURN QUERY
                SELECT m.id, 0.995::real, m.word FROM (
                    SELECT t.patient_id AS id,
                           hms_name_prefix_word(p.search_words, typed, complete) COLLATE "C"
                               AS word
                      FROM patient_name_terms t
                     CROSS JOIN LATERAL (SELECT p.search_words FROM patients p
                                          WHERE p.id = t.patient_id
                                            AND p.hospital_id = app_hospital_id()
                                            AND p.merged_into IS NULL LIMIT 1) p
                     WHERE t.hospital_id = app_hospital_id() AND t.term = complete[1]
                       AND p.search_words @> complete AND NOT p.search_words @> words) m
                 WHERE (m.word, m.id) > (after_word, after_id)
                 ORDER BY m.word, m.id LIMIT p_limit - found;
            GET DIAGNOSTICS added = ROW_COUNT;
            found := found + added;
        ELSE
            -- The words starting with `typed`, 64 at a time, in order: after a word come its
            -- pairs ("w x" < "w!"), then the next word.
            from_word := after_word;
            LOOP
                WITH RECURSIVE next_word(w) AS (
                    (SELECT t.term FROM patient_name_terms t
                      WHERE t.hospital_id = app_hospital_id()
                        AND t.term >= from_word AND t.term < typed_end
                      ORDER BY t.term LIMIT 1)
                    UNION ALL
                    SELECT (SELECT t.term FROM patient_name_terms t
                             WHERE t.hospital_id = app_hospital_id()
                               AND t.term >= n.w || '!' AND t.term < typed_end
                             ORDER BY t.term LIMIT 1)
                      FROM next_word n WHERE n.w IS NOT NULL)
                SELECT array_agg(w) INTO batch
                  FROM (SELECT w FROM next_word WHERE w IS NOT NULL LIMIT 64) b;
                EXIT WHEN batch IS NULL;
                RETURN QUERY
                    SELECT p.id, 0.995::real, b.w
                      FROM unnest(batch) WITH ORDINALITY b (w, i)
                     CROSS JOIN LATERAL (
                        SELECT t.patient_id AS id FROM patient_name_terms t
                         CROSS JOIN LATERAL (SELECT p.search_words FROM patients p
                                              WHERE p.id = t.patient_id
                                                AND p.hospital_id = app_hospital_id()
                                                AND p.merged_into IS NULL LIMIT 1) p
                         WHERE t.hospital_id = app_hospital_id()
                           AND t.term = CASE WHEN cardinality(complete) = 0 THEN b.w
                                             WHEN complete[1] < b.w THEN complete[1] || ' ' || b.w
                                             ELSE b.w || ' ' || complete[1] END
                           AND t.patient_id > CASE WHEN b.w = after_word THEN after_id ELSE 0 END
                           AND p.search_words @> complete AND NOT p.search_words @> words
                           AND b.w = hms_name_prefix_word(p.search_words, typed, complete)
                         ORDER BY t.patient_id LIMIT p_limit - found) p
                     WHERE b.w <> typed AND b.w <> ALL (complete)
                     ORDER BY b.i, p.id LIMIT p_limit - found;
                GET DIAGNOSTICS added = ROW_COUNT;
                found := found + added;
                EXIT WHEN found >= p_limit OR cardinality(batch) < 64;
                from_word := batch[64] || '!';
            END LOOP;
        END IF;
        IF found >= p_limit THEN
            RETURN;
        END IF;
    END IF;

    -- From 8 trigrams on, a name containing the query is also word-similar to it (0026).
    IF cardinality(show_trgm(folded)) >= 8 THEN
        matches := '$1 <% s.search_name';
    END IF;
    -- The trigram tier: names by rank, then alphabetically (0027), each name's patients by
    -- id, leaving out the names of the first two tiers. A cursor in this tier continues after
    -- its name (a cursor without one: after its patient's name).
    IF trigram_rank IS NOT NULL AND p_after_key IS NOT NULL THEN
        after_name := p_after_key;
    ELSIF trigram_rank IS NOT NULL THEN
        SELECT p.search_name INTO after_name FROM patients p
         WHERE p.hospital_id = app_hospital_id() AND p.id = p_after_id;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT p.id, n.rank, n.search_name FROM ('
        '    SELECT s.search_name, least(word_similarity($1, s.search_name), 0.99)::real AS rank'
        '    FROM patient_search_names s'
        '    WHERE s.hospital_id = app_hospital_id()'
        '      AND ' || matches ||
        '      AND NOT s.search_words @> $6'
        '      AND NOT (s.search_words @> $8'
        '               AND hms_name_prefix_word(s.search_words, $9, $8) IS NOT NULL)'
        '    ORDER BY rank DESC, s.search_name COLLATE "C") n'
        ' CROSS JOIN LATERAL ('
        '    SELECT p.id FROM patients p'
        '    WHERE p.hospital_id = app_hospital_id() AND p.search_name = n.search_name'
        '      AND p.merged_into IS NULL'
        '      AND ($3::real IS NULL OR n.rank < $3'
        '           OR n.search_name COLLATE "C" > $7 OR p.id > $4)'
        '    ORDER BY p.id LIMIT $5) p'
        ' WHERE $3::real IS NULL OR n.rank < $3'
        '    OR (n.rank = $3 AND n.search_name COLLATE "C" >= $7)'
        ' ORDER BY n.rank DESC, n.search_name COLLATE "C", p.id LIMIT $5'
        USING folded, '%' || hms_like_literal(folded) || '%', trigram_rank, p_after_id,
              p_limit - found, words, coalesce(after_name, ''), complete, typed;
END
$$;

REVOKE ALL ON FUNCTION patient_search_name(text, real, bigint, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION patient_search_name(text, real, bigint, integer, text) TO hms_app;
