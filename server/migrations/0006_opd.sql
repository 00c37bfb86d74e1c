-- 0006_opd: outpatient departments, the doctors who work in them, and the OPD queue of
-- visits with a token number per department and day (issue 5).

CREATE TABLE departments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    -- short, stable, per hospital ("opd-gen", "ENT"); shown on boards and tickets
    code text NOT NULL CONSTRAINT departments_code_format CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name text NOT NULL CONSTRAINT departments_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint,
    CONSTRAINT departments_code_key UNIQUE (hospital_id, code),
    CONSTRAINT departments_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT departments_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);

-- Which doctors see patients of a department (a doctor may work in several).
CREATE TABLE department_doctors (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    department_id bigint NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (hospital_id, department_id, user_id),
    CONSTRAINT department_doctors_department_fkey FOREIGN KEY (hospital_id, department_id)
        REFERENCES departments (hospital_id, id),
    CONSTRAINT department_doctors_user_fkey FOREIGN KEY (hospital_id, user_id)
        REFERENCES users (hospital_id, id)
);

-- One OPD visit: a patient in a department's queue on one day (the hospital's local date).
-- waiting -> called -> in_consultation -> completed; called -> waiting (recall);
-- waiting/called -> no_show | cancelled. The service enforces the transitions.
CREATE TABLE visits (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    department_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    visit_date date NOT NULL,
    token integer NOT NULL CONSTRAINT visits_token_positive CHECK (token > 0),
    state text NOT NULL DEFAULT 'waiting'
        CONSTRAINT visits_state_known
        CHECK (state IN ('waiting', 'called', 'in_consultation', 'completed', 'no_show', 'cancelled')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL,
    called_at timestamptz,
    called_by bigint,
    started_at timestamptz,
    completed_at timestamptz, -- also when it ended as no_show or cancelled
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT visits_token_key UNIQUE (hospital_id, department_id, visit_date, token),
    CONSTRAINT visits_hospital_id_key UNIQUE (hospital_id, id),
    CONSTRAINT visits_department_fkey FOREIGN KEY (hospital_id, department_id)
        REFERENCES departments (hospital_id, id),
    CONSTRAINT visits_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT visits_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT visits_called_by_fkey FOREIGN KEY (hospital_id, called_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT visits_updated_by_fkey FOREIGN KEY (hospital_id, updated_by)
        REFERENCES users (hospital_id, id)
);
-- A patient is in a department's queue at most once at a time.
CREATE UNIQUE INDEX visits_one_open_per_patient ON visits (hospital_id, department_id, patient_id)
    WHERE state IN ('waiting', 'called', 'in_consultation');
-- "Call next": the lowest waiting token of a department and day.
CREATE INDEX visits_waiting_idx ON visits (hospital_id, department_id, visit_date, token)
    WHERE state = 'waiting';
CREATE INDEX visits_patient_idx ON visits (hospital_id, patient_id);

-- The next token per department and day, taken with an upsert in the check-in's own
-- transaction: the row lock serialises check-ins of one department, a rolled-back check-in
-- gives its number back (gapless), and visits_token_key backs it up.
CREATE TABLE visit_token_counters (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    department_id bigint NOT NULL,
    visit_date date NOT NULL,
    next integer NOT NULL CONSTRAINT visit_token_counters_next_positive CHECK (next > 0),
    PRIMARY KEY (hospital_id, department_id, visit_date),
    CONSTRAINT visit_token_counters_department_fkey FOREIGN KEY (hospital_id, department_id)
        REFERENCES departments (hospital_id, id)
);

ALTER TABLE departments ENABLE ROW LEVEL SECURITY;
ALTER TABLE departments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON departments
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE department_doctors ENABLE ROW LEVEL SECURITY;
ALTER TABLE department_doctors FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON department_doctors
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE visits FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON visits
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE visit_token_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE visit_token_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON visit_token_counters
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- Departments are deactivated (active = false), never deleted: visits refer to them.
GRANT SELECT, INSERT, UPDATE ON departments TO hms_app;
GRANT SELECT, INSERT, DELETE ON department_doctors TO hms_app;
-- Visits end in a state (completed, no_show, cancelled); they are never deleted.
GRANT SELECT, INSERT, UPDATE ON visits TO hms_app;
GRANT SELECT, INSERT, UPDATE ON visit_token_counters TO hms_app;
