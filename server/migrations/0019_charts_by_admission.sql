-- 0019_charts_by_admission: nursing charts read by admission from an index, and STAT / PRN
-- doses with a slot of their own.
--
-- 1. clinical_documents gets the stay a document is filed under (admission_id: vitals and
--    nursing notes carry it in their body) and when what it records happened (occurred_at:
--    a vitals' takenAt, else its creation). Both are written with version 1 and never change:
--    a new version must keep the body's admissionId and takenAt (DocumentService). The chart
--    of a stay is an index range scan, newest first, keyset-paginated.
-- 2. medication_administrations: a STAT dose's slot is its prescription's start, a PRN dose's
--    slot is when it was given, so the one-record-per-slot index also refuses a second STAT
--    dose. Rows written before this migration had no slot (due_at NULL); they get one here.
--    An index by the time written serves the ward's medication round.
--
-- Both tables force row-level security and clinical_documents refuses updates by trigger;
-- the backfill lifts both for its own statements only (this runs as the tables' owner).

ALTER TABLE clinical_documents ADD COLUMN admission_id bigint, ADD COLUMN occurred_at timestamptz;

ALTER TABLE clinical_documents NO FORCE ROW LEVEL SECURITY;
ALTER TABLE clinical_document_versions NO FORCE ROW LEVEL SECURITY;
ALTER TABLE clinical_documents DISABLE TRIGGER clinical_documents_no_update;

UPDATE clinical_documents d
SET admission_id = CASE WHEN latest.body ->> 'admissionId' ~ '^[0-9]{1,18}$'
                        THEN NULLIF((latest.body ->> 'admissionId')::bigint, 0) END,
    occurred_at = CASE WHEN d.kind = 'vitals' AND latest.body ->> 'takenAt'
                            ~ '^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$'
                       THEN (latest.body ->> 'takenAt')::timestamptz
                       ELSE d.created_at END
FROM (SELECT DISTINCT ON (v.hospital_id, v.document_id) v.hospital_id, v.document_id, v.body
      FROM clinical_document_versions v
      ORDER BY v.hospital_id, v.document_id, v.version DESC) latest
WHERE latest.hospital_id = d.hospital_id AND latest.document_id = d.id;

ALTER TABLE clinical_documents ENABLE TRIGGER clinical_documents_no_update;
ALTER TABLE clinical_document_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE clinical_documents FORCE ROW LEVEL SECURITY;

ALTER TABLE clinical_documents ALTER COLUMN occurred_at SET DEFAULT now(),
    ALTER COLUMN occurred_at SET NOT NULL;

-- listByAdmission: one stay's documents of one kind, newest first.
CREATE INDEX clinical_documents_admission_idx
    ON clinical_documents (hospital_id, admission_id, kind, occurred_at DESC, id DESC)
    WHERE admission_id IS NOT NULL;

-- Slots for the STAT and PRN records written before: a STAT order's first record (and the
-- chain of corrections on it) takes the start; a later first record of the same STAT order
-- (possible before) keeps no slot, as history. A PRN record takes the time it was recorded,
-- unless another of the same order has that very time (then it keeps none).
ALTER TABLE medication_administrations NO FORCE ROW LEVEL SECURITY;
ALTER TABLE prescriptions NO FORCE ROW LEVEL SECURITY;

WITH RECURSIVE roots AS (
    (SELECT DISTINCT ON (m.hospital_id, m.prescription_id) m.hospital_id, m.id, rx.start_at AS slot
     FROM medication_administrations m
     JOIN prescriptions rx ON rx.hospital_id = m.hospital_id AND rx.id = m.prescription_id
     WHERE rx.frequency = 'STAT' AND m.due_at IS NULL AND m.corrects_id IS NULL
     ORDER BY m.hospital_id, m.prescription_id, m.id)
    UNION ALL
    SELECT m.hospital_id, m.id, m.administered_at
    FROM medication_administrations m
    JOIN prescriptions rx ON rx.hospital_id = m.hospital_id AND rx.id = m.prescription_id
    WHERE rx.frequency = 'PRN' AND m.due_at IS NULL AND m.corrects_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM medication_administrations o
                      WHERE o.hospital_id = m.hospital_id AND o.prescription_id = m.prescription_id
                        AND o.corrects_id IS NULL AND o.administered_at = m.administered_at
                        AND o.id < m.id)
), chain AS (
    SELECT hospital_id, id, slot FROM roots
    UNION ALL
    SELECT c.hospital_id, c.id, chain.slot
    FROM medication_administrations c
    JOIN chain ON c.hospital_id = chain.hospital_id AND c.corrects_id = chain.id
)
UPDATE medication_administrations m SET due_at = chain.slot
FROM chain WHERE m.hospital_id = chain.hospital_id AND m.id = chain.id;

ALTER TABLE prescriptions FORCE ROW LEVEL SECURITY;
ALTER TABLE medication_administrations FORCE ROW LEVEL SECURITY;

-- The ward's medication round (GET /wards/{id}/medications/administrations): records by the
-- time they were written.
CREATE INDEX medication_administrations_time_idx
    ON medication_administrations (hospital_id, administered_at);
