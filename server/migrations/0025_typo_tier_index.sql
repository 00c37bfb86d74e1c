-- 0025_typo_tier_index: a name search's trigram tier reads the trigram index.
--
-- Why: the trigram tier (a typo, a part of a word: 0022) filters the hospital's distinct
-- folded names with LIKE and word similarity (<%). The planner costs word_similarity like an
-- equality test, so while patient_search_names is small next to the index's fixed cost
-- (a few thousand names) it scans the whole table and computes the similarity of every name.
-- Measured at 1,000,000 patients with 2,000 distinct names: 8.3 ms for that scan against
-- 0.1-0.3 ms through patient_search_names_trgm_idx; a whole typo search ("anna garia")
-- 5-7 ms against about 1 ms. The desks' target for a name search is a p99 under 30 ms
-- (PERFORMANCE.md), and the typo tier was the part over it.
--
-- The trigram index also takes new names straight into its entries (fastupdate off), not
-- into a pending list that every search scans name by name until a vacuum merges it: after a
-- load, or a busy day of new names, that list held every new name, and a typo search cost
-- what the sequential scan did. A registration adds a name only when it is new.
--
-- Every query of the function has an index to use (patient_name_terms' key, the GIN index on
-- search_pairs, the trigram index, patients_active_search_name_idx), so sequential scans are
-- turned off for the function alone. This only steers the planner: rows, ranks and keyset
-- order do not change, and a table without a usable index is still scanned.

ALTER FUNCTION patient_search_name(text, real, bigint, integer) SET enable_seqscan = off;
ALTER INDEX patient_search_names_trgm_idx SET (fastupdate = off);
