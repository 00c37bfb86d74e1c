-- 0003_patients: the patient register (demographics, per-hospital MRNs, duplicate search) and
-- the idempotency keys every POST route can use (API.md "Writes", SECURITY.md C1).

-- The folded form of a name for accent- and case-insensitive search: lower(unaccent(x)).
-- unaccent() is only STABLE (it reads a dictionary), so this wrapper names the dictionary
-- explicitly and is declared IMMUTABLE, which lets a generated column and indexes use it.
-- Changing the unaccent rules requires recomputing search_name (a new migration).
CREATE FUNCTION hms_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE patients (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    -- <PREFIX>-<YYYY>-<NNNNNN>-<Luhn check digit>, see shared/patients/patientrules.h
    mrn text NOT NULL
        CONSTRAINT patients_mrn_format CHECK (mrn ~ '^[A-Z][A-Z0-9]{0,3}-[0-9]{4}-[0-9]{6,}-[0-9]$'),
    full_name text NOT NULL
        CONSTRAINT patients_full_name_length CHECK (char_length(full_name) BETWEEN 1 AND 200),
    search_name text GENERATED ALWAYS AS (hms_fold(full_name)) STORED,
    birth_date date NOT NULL CONSTRAINT patients_birth_date_range CHECK (birth_date >= '1900-01-01'),
    birth_date_estimated boolean NOT NULL DEFAULT false,
    sex char(1) NOT NULL CONSTRAINT patients_sex_known CHECK (sex IN ('F', 'M', 'X', 'U')),
    -- normalised: an optional leading + and 7 to 15 digits (E.164 length)
    phone text NOT NULL CONSTRAINT patients_phone_format CHECK (phone ~ '^\+?[0-9]{7,15}$'),
    address jsonb CONSTRAINT patients_address_object CHECK (jsonb_typeof(address) = 'object'),
    emergency_contact jsonb
        CONSTRAINT patients_emergency_contact_object CHECK (jsonb_typeof(emergency_contact) = 'object'),
    national_id text CONSTRAINT patients_national_id_length CHECK (char_length(national_id) BETWEEN 1 AND 64),
    allergies jsonb NOT NULL DEFAULT '[]'::jsonb
        CONSTRAINT patients_allergies_array CHECK (jsonb_typeof(allergies) = 'array'),
    -- why the desk registered despite a duplicate warning (free text, may hold PHI, so it is
    -- kept here and not in the audit log)
    duplicate_override_reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    merged_into bigint,
    CONSTRAINT patients_mrn_key UNIQUE (hospital_id, mrn),
    CONSTRAINT patients_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT patients_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT patients_updated_by_fkey FOREIGN KEY (hospital_id, updated_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT patients_merged_into_fkey FOREIGN KEY (hospital_id, merged_into)
        REFERENCES patients (hospital_id, id)
);
-- A national id identifies one patient per hospital; another hospital may hold it too.
CREATE UNIQUE INDEX patients_national_id_key ON patients (hospital_id, national_id)
    WHERE national_id IS NOT NULL;
CREATE INDEX patients_search_name_trgm_idx ON patients USING gin (search_name gin_trgm_ops);
CREATE INDEX patients_phone_idx ON patients (hospital_id, phone);
-- phone suffix search ("last digits") through LIKE '%digits'
CREATE INDEX patients_phone_trgm_idx ON patients USING gin (phone gin_trgm_ops);
CREATE INDEX patients_birth_date_idx ON patients (hospital_id, birth_date);

-- The next MRN sequence number per hospital and year. Taken with an upsert in the
-- registration's own transaction: a rolled-back registration gives its number back, a
-- committed one never repeats (the row only grows), and patients_mrn_key backs that up.
CREATE TABLE mrn_counters (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    year integer NOT NULL CONSTRAINT mrn_counters_year_range CHECK (year BETWEEN 1900 AND 9999),
    next bigint NOT NULL CONSTRAINT mrn_counters_next_positive CHECK (next > 0),
    PRIMARY KEY (hospital_id, year)
);

-- Idempotency-Key records, scoped by hospital, user, method and route template. status is
-- NULL while the first request is in flight; the stored answer is replayed byte for byte.
-- Kept at least 7 days (IdempotencyStore::prune deletes older rows).
CREATE TABLE idempotency_keys (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    user_id bigint NOT NULL,
    method text NOT NULL,
    route text NOT NULL,
    key text NOT NULL CONSTRAINT idempotency_keys_key_length CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash bytea NOT NULL
        CONSTRAINT idempotency_keys_hash_length CHECK (octet_length(request_hash) = 32),
    status integer,
    response_body text,
    response_headers jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    completed_at timestamptz,
    PRIMARY KEY (hospital_id, user_id, method, route, key),
    CONSTRAINT idempotency_keys_user_fkey FOREIGN KEY (hospital_id, user_id)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

ALTER TABLE patients ENABLE ROW LEVEL SECURITY;
ALTER TABLE patients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON patients
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE mrn_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE mrn_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON mrn_counters
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON idempotency_keys
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

GRANT EXECUTE ON FUNCTION hms_fold(text) TO hms_app;
-- No DELETE on patients: records are merged (merged_into), never removed.
GRANT SELECT, INSERT, UPDATE ON patients TO hms_app;
GRANT SELECT, INSERT, UPDATE ON mrn_counters TO hms_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO hms_app;
