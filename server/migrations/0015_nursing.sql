-- 0015_nursing: prescriptions and the medication administration record (issue 6, nursing).
-- Nothing here is ever overwritten: a prescription ends by a state change carrying who, when
-- and why; an administration is corrected by a new row pointing at the one it corrects.
-- The schedule of each frequency (which local times a dose is due) lives in one place, the
-- application's shared/clinical/medicationrules.cpp, and is handed to the SQL that expands
-- slots as a parameter; the CHECKs below only close the lists.

-- The admission of a prescription must be one of its patient's (see prescriptions_admission_fkey).
ALTER TABLE admissions ADD CONSTRAINT admissions_patient_key UNIQUE (hospital_id, id, patient_id);

CREATE TABLE prescriptions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    patient_id bigint NOT NULL,
    admission_id bigint, -- NULL: an outpatient prescription (pharmacy issue)
    drug text NOT NULL CONSTRAINT prescriptions_drug_length CHECK (char_length(drug) BETWEEN 1 AND 200),
    dose text NOT NULL CONSTRAINT prescriptions_dose_length CHECK (char_length(dose) BETWEEN 1 AND 200),
    route text NOT NULL CONSTRAINT prescriptions_route_known
        CHECK (route IN ('oral', 'iv', 'im', 'sc', 'topical', 'inhaled', 'pr', 'sl', 'nasal',
                         'ophthalmic', 'otic', 'transdermal', 'nebulised', 'pv', 'ng')),
    frequency text NOT NULL CONSTRAINT prescriptions_frequency_known
        CHECK (frequency IN ('OD', 'BD', 'TDS', 'QID', 'Q4H', 'Q6H', 'Q8H', 'Q12H', 'QHS',
                             'STAT', 'PRN')),
    start_at timestamptz NOT NULL DEFAULT now(),
    end_at timestamptz, -- NULL: until stopped or the stay ends
    instructions text CONSTRAINT prescriptions_instructions_length
        CHECK (char_length(instructions) BETWEEN 1 AND 2000),
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT prescriptions_status_known CHECK (status IN ('active', 'stopped', 'completed')),
    prescribed_at timestamptz NOT NULL DEFAULT now(),
    prescribed_by bigint NOT NULL,
    -- stopped: by a prescriber with a reason; completed: ended with the stay (discharge).
    stopped_at timestamptz,
    stopped_by bigint,
    stop_reason text CONSTRAINT prescriptions_stop_reason_length
        CHECK (char_length(stop_reason) BETWEEN 1 AND 2000),
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT prescriptions_period CHECK (end_at IS NULL OR end_at > start_at),
    CONSTRAINT prescriptions_end_complete CHECK (
        (status = 'active') = (stopped_at IS NULL)
        AND (stopped_at IS NULL) = (stopped_by IS NULL)
        AND (stopped_at IS NULL) = (stop_reason IS NULL)),
    CONSTRAINT prescriptions_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT prescriptions_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT prescriptions_admission_fkey FOREIGN KEY (hospital_id, admission_id, patient_id)
        REFERENCES admissions (hospital_id, id, patient_id),
    CONSTRAINT prescriptions_prescribed_by_fkey FOREIGN KEY (hospital_id, prescribed_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT prescriptions_stopped_by_fkey FOREIGN KEY (hospital_id, stopped_by)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX prescriptions_admission_idx ON prescriptions (hospital_id, admission_id, status);
CREATE INDEX prescriptions_patient_idx ON prescriptions (hospital_id, patient_id, prescribed_at);

-- One row per recorded administration (given, held or refused). due_at is the scheduled slot
-- (NULL for PRN and STAT doses given ad hoc). A correction is a new row with corrects_id set
-- (same prescription and slot); each row is corrected at most once, so the records of a slot
-- form one chain and its last row is the current record.
CREATE TABLE medication_administrations (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    prescription_id bigint NOT NULL,
    due_at timestamptz,
    outcome text NOT NULL
        CONSTRAINT medication_administrations_outcome_known CHECK (outcome IN ('given', 'held', 'refused')),
    dose text CONSTRAINT medication_administrations_dose_length CHECK (char_length(dose) BETWEEN 1 AND 200),
    reason text CONSTRAINT medication_administrations_reason_length
        CHECK (char_length(reason) BETWEEN 1 AND 2000),
    administered_at timestamptz NOT NULL DEFAULT now(),
    nurse_id bigint NOT NULL,
    corrects_id bigint,
    CONSTRAINT medication_administrations_reason_required
        CHECK (outcome = 'given' OR reason IS NOT NULL),
    CONSTRAINT medication_administrations_dose_given CHECK (outcome = 'given' OR dose IS NULL),
    CONSTRAINT medication_administrations_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT medication_administrations_prescription_key UNIQUE (hospital_id, id, prescription_id),
    CONSTRAINT medication_administrations_prescription_fkey FOREIGN KEY (hospital_id, prescription_id)
        REFERENCES prescriptions (hospital_id, id),
    CONSTRAINT medication_administrations_nurse_fkey FOREIGN KEY (hospital_id, nurse_id)
        REFERENCES users (hospital_id, id),
    -- A correction corrects a record of the same prescription.
    CONSTRAINT medication_administrations_corrects_fkey
        FOREIGN KEY (hospital_id, corrects_id, prescription_id)
        REFERENCES medication_administrations (hospital_id, id, prescription_id),
    CONSTRAINT medication_administrations_corrected_once UNIQUE (hospital_id, corrects_id)
);
-- One first record per (prescription, slot): a second nurse recording the same dose gets a
-- unique violation whatever the application does.
CREATE UNIQUE INDEX medication_administrations_one_per_slot
    ON medication_administrations (hospital_id, prescription_id, due_at)
    WHERE due_at IS NOT NULL AND corrects_id IS NULL;
CREATE INDEX medication_administrations_prescription_idx
    ON medication_administrations (hospital_id, prescription_id, due_at);

ALTER TABLE prescriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE prescriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON prescriptions
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE medication_administrations ENABLE ROW LEVEL SECURITY;
ALTER TABLE medication_administrations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON medication_administrations
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- Prescriptions change state (never rows deleted); administrations are insert-only.
GRANT SELECT, INSERT, UPDATE ON prescriptions TO hms_app;
GRANT SELECT, INSERT ON medication_administrations TO hms_app;
