-- 0016_inpatient_accounts: who works on a ward (its nurses and supervisors), and the
-- inpatient account of each admission with its charges (issue 9: the admitPatient and
-- dischargePatient workflows notify the ward's staff, open the account, charge each bed day
-- and close it).

-- A user's duty on a ward. Nurses are told about admissions and beds to clean; supervisors
-- (a nurse or a doctor) get the escalation when a bed is not cleaned in time. The service
-- checks the roles; PUT /wards/{id}/staff replaces a ward's whole list.
CREATE TABLE ward_staff (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    ward_id bigint NOT NULL,
    user_id bigint NOT NULL,
    duty text NOT NULL CONSTRAINT ward_staff_duty_known CHECK (duty IN ('nurse', 'supervisor')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    PRIMARY KEY (hospital_id, ward_id, user_id, duty),
    CONSTRAINT ward_staff_ward_fkey FOREIGN KEY (hospital_id, ward_id)
        REFERENCES wards (hospital_id, id),
    CONSTRAINT ward_staff_user_fkey FOREIGN KEY (hospital_id, user_id)
        REFERENCES users (hospital_id, id),
    CONSTRAINT ward_staff_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX ward_staff_user_idx ON ward_staff (hospital_id, user_id);

-- One account per admission, opened by the admitPatient workflow and closed by
-- dischargePatient. Amounts are integer minor units. charges_minor and credits_minor are the
-- running totals of its charges (positive and negative amounts), kept in the transaction that
-- inserts each charge; balance = charges_minor - credits_minor (> 0: the patient owes).
CREATE TABLE inpatient_accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    admission_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    deposit_minor bigint NOT NULL DEFAULT 0
        CONSTRAINT inpatient_accounts_deposit_nonnegative CHECK (deposit_minor >= 0),
    status text NOT NULL DEFAULT 'open'
        CONSTRAINT inpatient_accounts_status_known CHECK (status IN ('open', 'closed')),
    opened_at timestamptz NOT NULL DEFAULT now(),
    closed_at timestamptz,
    charges_minor bigint NOT NULL DEFAULT 0
        CONSTRAINT inpatient_accounts_charges_nonnegative CHECK (charges_minor >= 0),
    credits_minor bigint NOT NULL DEFAULT 0
        CONSTRAINT inpatient_accounts_credits_nonnegative CHECK (credits_minor >= 0),
    bed_days integer NOT NULL DEFAULT 0,
    opened_by_run bigint,
    closed_by_run bigint,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT inpatient_accounts_closed_complete
        CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CONSTRAINT inpatient_accounts_admission_key UNIQUE (hospital_id, admission_id),
    CONSTRAINT inpatient_accounts_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT inpatient_accounts_admission_fkey FOREIGN KEY (hospital_id, admission_id)
        REFERENCES admissions (hospital_id, id),
    CONSTRAINT inpatient_accounts_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id)
);

-- The account's lines. Never updated or deleted (hms_app may only insert): a correction is a
-- new 'adjustment' row. A deposit is a credit (negative amount). At most one bed-day charge
-- per account and hospital-local day, and one deposit line, whatever retries a workflow makes.
CREATE TABLE account_charges (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    account_id bigint NOT NULL,
    kind text NOT NULL
        CONSTRAINT account_charges_kind_known CHECK (kind IN ('bed_day', 'deposit', 'adjustment')),
    amount_minor bigint NOT NULL,
    service_date date NOT NULL,
    bed_id bigint,
    description text NOT NULL
        CONSTRAINT account_charges_description_length CHECK (char_length(description) BETWEEN 1 AND 200),
    created_by_run bigint,
    created_by bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT account_charges_bed_day_shape
        CHECK (kind <> 'bed_day' OR (bed_id IS NOT NULL AND amount_minor >= 0)),
    CONSTRAINT account_charges_deposit_is_credit CHECK (kind <> 'deposit' OR amount_minor <= 0),
    CONSTRAINT account_charges_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT account_charges_account_fkey FOREIGN KEY (hospital_id, account_id)
        REFERENCES inpatient_accounts (hospital_id, id),
    CONSTRAINT account_charges_bed_fkey FOREIGN KEY (hospital_id, bed_id)
        REFERENCES beds (hospital_id, id),
    CONSTRAINT account_charges_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);
CREATE UNIQUE INDEX account_charges_one_bed_day ON account_charges (hospital_id, account_id, service_date)
    WHERE kind = 'bed_day';
CREATE UNIQUE INDEX account_charges_one_deposit ON account_charges (hospital_id, account_id)
    WHERE kind = 'deposit';
CREATE INDEX account_charges_account_idx ON account_charges (hospital_id, account_id, id);

ALTER TABLE ward_staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE ward_staff FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ward_staff
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE inpatient_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE inpatient_accounts FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON inpatient_accounts
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE account_charges ENABLE ROW LEVEL SECURITY;
ALTER TABLE account_charges FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON account_charges
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

GRANT SELECT, INSERT, DELETE ON ward_staff TO hms_app;
-- Accounts are closed, never deleted.
GRANT SELECT, INSERT, UPDATE ON inpatient_accounts TO hms_app;
-- Charges are append-only.
GRANT SELECT, INSERT ON account_charges TO hms_app;
