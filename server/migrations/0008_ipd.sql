-- 0008_ipd: inpatient wards, their rooms and beds, admissions and transfers (issue 6).
-- PostgreSQL itself keeps a bed from being double-booked: at most one active admission per
-- bed and per patient (unique partial indexes), whatever the application does.

CREATE TABLE wards (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    code text NOT NULL CONSTRAINT wards_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name text NOT NULL CONSTRAINT wards_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    kind text NOT NULL CONSTRAINT wards_kind_known
        CHECK (kind IN ('general', 'icu', 'maternity', 'paediatric', 'isolation', 'surgical',
                        'emergency')),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    CONSTRAINT wards_code_key UNIQUE (hospital_id, code),
    CONSTRAINT wards_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT wards_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);

-- A room of a ward, created the first time a bed names it.
CREATE TABLE rooms (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    ward_id bigint NOT NULL,
    code text NOT NULL CONSTRAINT rooms_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT rooms_code_key UNIQUE (hospital_id, ward_id, code),
    CONSTRAINT rooms_ward_room_key UNIQUE (hospital_id, ward_id, id),
    CONSTRAINT rooms_ward_fkey FOREIGN KEY (hospital_id, ward_id) REFERENCES wards (hospital_id, id)
);

-- One bed. status is what was last written; a reservation whose reserved_until has passed
-- counts as free everywhere (the database clock decides, see beds_effective_status()).
-- free -> reserved | occupied | maintenance; reserved -> free | occupied (its patient);
-- occupied -> cleaning (discharge, transfer); cleaning -> free | maintenance;
-- maintenance -> free. The service enforces the transitions.
CREATE TABLE beds (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    ward_id bigint NOT NULL,
    room_id bigint NOT NULL,
    code text NOT NULL CONSTRAINT beds_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    features text[] NOT NULL DEFAULT '{}' CONSTRAINT beds_features_known
        CHECK (features <@ ARRAY['oxygen', 'monitor', 'ventilator', 'suction', 'infusion_pump',
                                 'bariatric', 'cot']::text[]),
    daily_rate bigint NOT NULL CONSTRAINT beds_daily_rate_nonnegative CHECK (daily_rate >= 0),
    status text NOT NULL DEFAULT 'free' CONSTRAINT beds_status_known
        CHECK (status IN ('free', 'reserved', 'occupied', 'cleaning', 'maintenance')),
    reserved_for bigint,
    reserved_until timestamptz,
    reserved_by bigint,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    CONSTRAINT beds_reservation_complete CHECK (
        (status = 'reserved') = (reserved_for IS NOT NULL)
        AND (reserved_for IS NULL) = (reserved_until IS NULL)),
    CONSTRAINT beds_code_key UNIQUE (hospital_id, room_id, code),
    CONSTRAINT beds_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT beds_ward_fkey FOREIGN KEY (hospital_id, ward_id) REFERENCES wards (hospital_id, id),
    -- The room belongs to the bed's ward.
    CONSTRAINT beds_room_fkey FOREIGN KEY (hospital_id, ward_id, room_id)
        REFERENCES rooms (hospital_id, ward_id, id),
    CONSTRAINT beds_reserved_for_fkey FOREIGN KEY (hospital_id, reserved_for)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT beds_reserved_by_fkey FOREIGN KEY (hospital_id, reserved_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT beds_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT beds_updated_by_fkey FOREIGN KEY (hospital_id, updated_by)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX beds_ward_idx ON beds (hospital_id, ward_id);

-- One stay: active while the patient is in a bed; bed_id is the current bed (transfers
-- move it and leave a bed_transfers row).
CREATE TABLE admissions (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    patient_id bigint NOT NULL,
    bed_id bigint NOT NULL,
    attending_doctor_id bigint,
    visit_id bigint,
    reason text NOT NULL CONSTRAINT admissions_reason_length
        CHECK (char_length(reason) BETWEEN 1 AND 2000),
    expected_stay_days integer CONSTRAINT admissions_expected_stay_range
        CHECK (expected_stay_days BETWEEN 1 AND 365),
    status text NOT NULL DEFAULT 'active'
        CONSTRAINT admissions_status_known CHECK (status IN ('active', 'discharged')),
    admitted_at timestamptz NOT NULL DEFAULT now(),
    admitted_by bigint NOT NULL,
    discharged_at timestamptz,
    discharged_by bigint,
    discharge_document_id bigint,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT admissions_discharge_complete
        CHECK ((status = 'discharged') = (discharged_at IS NOT NULL)),
    CONSTRAINT admissions_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT admissions_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT admissions_bed_fkey FOREIGN KEY (hospital_id, bed_id) REFERENCES beds (hospital_id, id),
    CONSTRAINT admissions_doctor_fkey FOREIGN KEY (hospital_id, attending_doctor_id)
        REFERENCES users (hospital_id, id),
    CONSTRAINT admissions_visit_fkey FOREIGN KEY (hospital_id, visit_id)
        REFERENCES visits (hospital_id, id),
    CONSTRAINT admissions_admitted_by_fkey FOREIGN KEY (hospital_id, admitted_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT admissions_discharged_by_fkey FOREIGN KEY (hospital_id, discharged_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT admissions_discharge_document_fkey FOREIGN KEY (hospital_id, discharge_document_id)
        REFERENCES clinical_documents (hospital_id, id)
);
-- SECURITY.md C3: never two active admissions in one bed, never one patient in two beds.
CREATE UNIQUE INDEX admissions_one_active_per_bed ON admissions (hospital_id, bed_id)
    WHERE status = 'active';
CREATE UNIQUE INDEX admissions_one_active_per_patient ON admissions (hospital_id, patient_id)
    WHERE status = 'active';
CREATE INDEX admissions_admitted_idx ON admissions (hospital_id, admitted_at);
CREATE INDEX admissions_discharged_idx ON admissions (hospital_id, discharged_at)
    WHERE discharged_at IS NOT NULL;

-- Every move of an admission from one bed to another.
CREATE TABLE bed_transfers (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    admission_id bigint NOT NULL,
    from_bed_id bigint NOT NULL,
    to_bed_id bigint NOT NULL,
    transferred_at timestamptz NOT NULL DEFAULT now(),
    transferred_by bigint NOT NULL,
    CONSTRAINT bed_transfers_other_bed CHECK (from_bed_id <> to_bed_id),
    CONSTRAINT bed_transfers_admission_fkey FOREIGN KEY (hospital_id, admission_id)
        REFERENCES admissions (hospital_id, id),
    CONSTRAINT bed_transfers_from_fkey FOREIGN KEY (hospital_id, from_bed_id)
        REFERENCES beds (hospital_id, id),
    CONSTRAINT bed_transfers_to_fkey FOREIGN KEY (hospital_id, to_bed_id)
        REFERENCES beds (hospital_id, id),
    CONSTRAINT bed_transfers_by_fkey FOREIGN KEY (hospital_id, transferred_by)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX bed_transfers_admission_idx ON bed_transfers (hospital_id, admission_id);
CREATE INDEX bed_transfers_time_idx ON bed_transfers (hospital_id, transferred_at);

ALTER TABLE wards ENABLE ROW LEVEL SECURITY;
ALTER TABLE wards FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON wards
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE rooms ENABLE ROW LEVEL SECURITY;
ALTER TABLE rooms FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON rooms
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE beds ENABLE ROW LEVEL SECURITY;
ALTER TABLE beds FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON beds
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE admissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE admissions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON admissions
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE bed_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE bed_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bed_transfers
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- Wards, rooms and beds are kept (admissions refer to them); admissions end as discharged.
GRANT SELECT, INSERT, UPDATE ON wards, beds, admissions TO hms_app;
GRANT SELECT, INSERT ON rooms, bed_transfers TO hms_app;
