-- 0022_patient_name_terms: a name search's first page without reading every match.
--
-- Why: the first tier of a name search (0017, 0020) found its rows in a GIN index, which
-- gives them in no particular order: every match was read from the heap (hospital_id,
-- merged_into) and sorted by id before the first 20 came out. At 1,000,000 patients a
-- common full name ("anna garcia") has ~500 matches and a common family name ("garcia")
-- ~20,000, read on every search.
--
-- Now the folded words of every active (not merged) patient's name and their unordered pairs
-- (hms_name_words, hms_name_pairs) are also rows of patient_name_terms (hospital_id, term,
-- patient_id), whose primary key gives one term's patients in id order: the first page is the
-- first 20 entries of one index range, whatever the number of matches. A word has no space
-- and a pair has one, so both share the table. A trigger on patients keeps it in step with
-- the name and the merge state, in the writing transaction; the search no longer needs to
-- read the patient rows to leave out merged records.
--
-- Queries of one word or two different words use it; three or more words (three pairs or
-- more to intersect) keep the GIN index on pairs. Matches and their order do not change.
--
-- Cost: 3 rows per usual two-word name (2 words + 1 pair), maintained by the trigger at
-- registration, rename and merge; the backfill writes them for every existing patient.
--
-- The trigram tier (a typo, a part of a word) ranked every patient whose name matched: all
-- ~20,000 Kowalskis for "kowal" (~300 ms), every Anna and Garcia for "ana garcia" (~500 ms).
-- Its filter and its rank depend on the folded name only, and many patients share one, so it
-- now ranks the hospital's distinct folded names (patient_search_names, with their own trigram
-- index) and takes each matching name's first patients in id order from a btree on patients
-- (hospital_id, search_name, id) of active records. A name stays in the table when its last
-- patient is renamed or merged (it then matches no patient): rows are only ever added, by the
-- same trigger, so registering a common name writes nothing there.

CREATE TABLE patient_name_terms (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    term text NOT NULL,
    patient_id bigint NOT NULL
);

-- Every existing active patient's terms, before row-level security is forced (the role
-- applying migrations sets no tenant); the key is built once, from the sorted rows.
INSERT INTO patient_name_terms (hospital_id, term, patient_id)
SELECT DISTINCT p.hospital_id, t.term, p.id
  FROM patients p, unnest(p.search_words || p.search_pairs) t(term)
 WHERE p.merged_into IS NULL;
ALTER TABLE patient_name_terms ADD PRIMARY KEY (hospital_id, term, patient_id);

ALTER TABLE patient_name_terms ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_name_terms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patient_name_terms
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());
-- Written only by the trigger below, which runs as the writer of the patient row.
GRANT SELECT, INSERT, DELETE ON patient_name_terms TO hms_app;

-- The distinct folded names (and their words, which depend on the folded name alone) of the
-- hospital's patients.
CREATE TABLE patient_search_names (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    search_name text NOT NULL,
    search_words text[] NOT NULL,
    PRIMARY KEY (hospital_id, search_name)
);
INSERT INTO patient_search_names (hospital_id, search_name, search_words)
SELECT DISTINCT ON (hospital_id, search_name) hospital_id, search_name, search_words
  FROM patients
 WHERE merged_into IS NULL
 ORDER BY hospital_id, search_name;
CREATE INDEX patient_search_names_trgm_idx ON patient_search_names
    USING gin (search_name gin_trgm_ops);
CREATE INDEX patients_active_search_name_idx ON patients (hospital_id, search_name, id)
    WHERE merged_into IS NULL;

ALTER TABLE patient_search_names ENABLE ROW LEVEL SECURITY;
ALTER TABLE patient_search_names FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patient_search_names
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());
-- As for patients in 0012: LIKE and <% may only use the trigram index when no policy runs
-- first, so the search function's owner reads without one and filters on the tenant itself.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY patient_search ON patient_search_names FOR SELECT TO %I '
                   'USING (true)', current_user);
END
$$;
GRANT SELECT, INSERT ON patient_search_names TO hms_app;

-- Keeps a patient's terms equal to its name's while it is active, none once merged, and adds
-- its folded name to patient_search_names when that is new.
CREATE FUNCTION patient_name_terms_sync() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = public, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF NEW.search_name IS NOT DISTINCT FROM OLD.search_name
           AND (NEW.merged_into IS NULL) = (OLD.merged_into IS NULL) THEN
            RETURN NULL;
        END IF;
        DELETE FROM patient_name_terms
         WHERE hospital_id = OLD.hospital_id
           AND term = ANY (OLD.search_words || OLD.search_pairs) AND patient_id = OLD.id;
    END IF;
    IF NEW.merged_into IS NULL THEN
        INSERT INTO patient_name_terms (hospital_id, term, patient_id)
        SELECT DISTINCT NEW.hospital_id, t.term, NEW.id
          FROM unnest(NEW.search_words || NEW.search_pairs) t(term);
        INSERT INTO patient_search_names (hospital_id, search_name, search_words)
        VALUES (NEW.hospital_id, NEW.search_name, NEW.search_words)
        ON CONFLICT (hospital_id, search_name) DO NOTHING;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER patient_name_terms_sync
    AFTER INSERT OR UPDATE OF full_name, merged_into ON patients
    FOR EACH ROW EXECUTE FUNCTION patient_name_terms_sync();

-- As in 0020, but a first tier of exactly one term (one different word, or two: one pair) is
-- read from patient_name_terms in id order. Static SQL: plpgsql keeps its plan.
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
    after_id bigint := CASE WHEN p_after_rank IS NULL THEN 0 ELSE p_after_id END;
    found integer := 0;
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
    -- The trigram tier: rows of the first tier are left out (they were ranked 1 above). The
    -- distinct names are ranked, then each one's first active patients after the cursor
    -- joined: the same rows, ranks and order as ranking every patient (0020).
    RETURN QUERY EXECUTE
        'SELECT p.id, n.rank FROM ('
        '    SELECT s.search_name, least(word_similarity($1, s.search_name), 0.99)::real AS rank'
        '    FROM patient_search_names s'
        '    WHERE s.hospital_id = app_hospital_id()'
        '      AND (s.search_name LIKE $2 OR $1 <% s.search_name)'
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
