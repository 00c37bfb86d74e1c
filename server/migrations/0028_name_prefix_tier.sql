-- 0028_name_prefix_tier: a name search treats its last word as the start of a word still being
-- typed. Between the first tier (every typed word present, rank 1) and the trigram tier comes a
-- prefix tier (rank 0.995): names holding every word typed before the last one, and a further
-- word that starts with the last one ("Fedato Lo" finds Fedato Lomi and Lomi Fedato).
--
-- Why: a desk searches as it types, so most name queries are a few whole words and the start
-- of the next ("Fed", "Fedato Lo"). The trigram tier found those names too, but only after
-- ranking every name sharing enough trigrams: 15-47 ms a keystroke at 1,000,000 patients with
-- 889,499 distinct names, the costliest searches a desk sends. The names a desk expects first
-- are the ones starting with what it typed, and patient_name_terms (0022) already holds each
-- active patient's words and word pairs under an index: those names are one short range of it.
--
-- Order within the tier: by the matching word, then by patient id; a patient with two words
-- that start with the last one is listed once, under the smaller word. The cursor stays
-- (rank, id): the word is the cursor patient's. Rows come from the index in that order:
-- - a complete word that sorts before the last one (C order) is the first word of a pair whose
--   second word starts with the last one: one range of pair terms ("fedato lo" ... );
-- - otherwise, a complete word held by at most 256 patients: all of them, sorted by their word;
-- - otherwise (one word typed, or a common complete word that sorts after the last): the
--   distinct words that start with the last one, in order, 64 at a time, each with its
--   patients by id (the word itself, or its pair with a complete word).
-- Each row probes its patient row once (LATERAL: a plain join let the planner hash the whole
-- hospital's patients, 415 ms). Names of this tier no longer appear in the trigram tier.
--
-- Measured at that scale, 70 desks at 67 searches/s (A/B against 0027, 2 rounds): parts of
-- names p50 21-27 -> 4.8-5.0 ms, p99 83-149 -> 7.5-8.3 ms; flat out 128 -> 725-739 a second.
-- Full names and typos are unchanged: their page is not filled before the trigram tier.
--
-- patient_name_terms.term now compares in the "C" collation (byte order, as 0027 sorts names),
-- so that a prefix is one range of the index on every installation, whatever the database's
-- locale. Terms are only compared for equality elsewhere, which the collation does not change.
-- The primary key is rebuilt; the table is not rewritten.

ALTER TABLE patient_name_terms ALTER COLUMN term TYPE text COLLATE "C";

-- The word a name is listed under in the prefix tier: the smallest of its words (C order) that
-- starts with the last word typed, other than that word itself and the words typed before it.
-- Null: the name is not in the tier (or holds every typed word: the first tier). One rule for
-- the order, the cursor and the trigram tier's exclusion, so that they cannot disagree. A loop
-- of simple expressions, no query: it runs for every candidate name of the trigram tier.
CREATE FUNCTION hms_name_prefix_word(p_words text[], p_typed text, p_complete text[])
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
    AS $$
DECLARE
    w text;
    best text;
BEGIN
    FOREACH w IN ARRAY p_words LOOP
        IF starts_with(w, p_typed) AND w <> p_typed AND w <> ALL (p_complete)
           AND (best IS NULL OR w COLLATE "C" < best) THEN
            best := w;
        END IF;
    END LOOP;
    RETURN best;
END
$$;

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

    -- The prefix tier. A cursor in it continues after its patient's word (none when that
    -- patient was renamed since: the tier is then over).
    IF p_after_rank IS NULL OR p_after_rank > 0.99 THEN
        IF p_after_rank > 0.99 AND p_after_rank < 1 THEN
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
                SELECT t.patient_id, 0.995::real FROM patient_name_terms t
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
                SELECT m.id, 0.995::real FROM (
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
                    SELECT p.id, 0.995::real
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
    -- its patient's name.
    IF trigram_rank IS NOT NULL THEN
        SELECT p.search_name INTO after_name FROM patients p
         WHERE p.hospital_id = app_hospital_id() AND p.id = p_after_id;
    END IF;
    RETURN QUERY EXECUTE
        'SELECT p.id, n.rank FROM ('
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
