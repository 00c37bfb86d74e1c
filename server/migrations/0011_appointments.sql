-- 0011_appointments: doctors' weekly schedules and off days, and OPD appointments booked
-- into the slots those schedules make (issue 5). Slots are computed from the rules in the
-- hospital's time zone, never stored; PostgreSQL itself refuses two active appointments of
-- one doctor whose times overlap (exclusion constraint), whatever the application does.

-- bigint equality inside a GiST exclusion constraint (trusted extension, contrib).
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- One weekly rule: on ISO weekday (1 = Monday .. 7 = Sunday), from start_time to end_time
-- (the hospital's local wall-clock time), slots of slot_minutes, one patient per slot.
CREATE TABLE doctor_schedules (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    department_id bigint NOT NULL,
    doctor_id bigint NOT NULL,
    weekday smallint NOT NULL CONSTRAINT doctor_schedules_weekday CHECK (weekday BETWEEN 1 AND 7),
    start_time time NOT NULL,
    end_time time NOT NULL,
    slot_minutes integer NOT NULL
        CONSTRAINT doctor_schedules_slot_minutes CHECK (slot_minutes BETWEEN 5 AND 240),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL,
    CONSTRAINT doctor_schedules_times CHECK (end_time > start_time),
    CONSTRAINT doctor_schedules_hospital_id_key UNIQUE (hospital_id, id),
    -- Only a doctor assigned to the department has a schedule there.
    CONSTRAINT doctor_schedules_assignment_fkey FOREIGN KEY (hospital_id, department_id, doctor_id)
        REFERENCES department_doctors (hospital_id, department_id, user_id),
    CONSTRAINT doctor_schedules_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);
CREATE INDEX doctor_schedules_doctor_idx ON doctor_schedules (hospital_id, doctor_id, weekday);
CREATE INDEX doctor_schedules_department_idx
    ON doctor_schedules (hospital_id, department_id, weekday);

-- A date on which the doctor sees nobody (leave, training); no slots that day.
CREATE TABLE doctor_off_days (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    doctor_id bigint NOT NULL,
    off_date date NOT NULL,
    reason text CONSTRAINT doctor_off_days_reason_length CHECK (char_length(reason) <= 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL,
    PRIMARY KEY (hospital_id, doctor_id, off_date),
    CONSTRAINT doctor_off_days_doctor_fkey FOREIGN KEY (hospital_id, doctor_id)
        REFERENCES users (hospital_id, id),
    CONSTRAINT doctor_off_days_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);

-- booked -> checked_in (a visit was created from it) | cancelled. Never deleted.
CREATE TABLE appointments (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    department_id bigint NOT NULL,
    doctor_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    reason text CONSTRAINT appointments_reason_length CHECK (char_length(reason) <= 500),
    state text NOT NULL DEFAULT 'booked'
        CONSTRAINT appointments_state_known CHECK (state IN ('booked', 'checked_in', 'cancelled')),
    cancel_reason text
        CONSTRAINT appointments_cancel_reason_length CHECK (char_length(cancel_reason) <= 500),
    visit_id bigint,
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by bigint,
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT appointments_times CHECK (ends_at > starts_at),
    CONSTRAINT appointments_checked_in_has_visit CHECK ((state = 'checked_in') = (visit_id IS NOT NULL)),
    CONSTRAINT appointments_hospital_id_key UNIQUE (hospital_id, id),
    -- One appointment per visit: no double check-in.
    CONSTRAINT appointments_visit_key UNIQUE (hospital_id, visit_id),
    CONSTRAINT appointments_department_fkey FOREIGN KEY (hospital_id, department_id)
        REFERENCES departments (hospital_id, id),
    CONSTRAINT appointments_doctor_fkey FOREIGN KEY (hospital_id, doctor_id)
        REFERENCES users (hospital_id, id),
    CONSTRAINT appointments_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT appointments_visit_fkey FOREIGN KEY (hospital_id, visit_id)
        REFERENCES visits (hospital_id, id),
    CONSTRAINT appointments_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id),
    CONSTRAINT appointments_updated_by_fkey FOREIGN KEY (hospital_id, updated_by)
        REFERENCES users (hospital_id, id),
    -- No double booking: a doctor's active appointments never overlap in time.
    CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
        hospital_id WITH =, doctor_id WITH =, tstzrange(starts_at, ends_at) WITH &&)
        WHERE (state IN ('booked', 'checked_in'))
);
CREATE INDEX appointments_doctor_day_idx ON appointments (hospital_id, doctor_id, starts_at);
CREATE INDEX appointments_patient_idx ON appointments (hospital_id, patient_id, starts_at);

ALTER TABLE doctor_schedules ENABLE ROW LEVEL SECURITY;
ALTER TABLE doctor_schedules FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON doctor_schedules
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE doctor_off_days ENABLE ROW LEVEL SECURITY;
ALTER TABLE doctor_off_days FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON doctor_off_days
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE appointments ENABLE ROW LEVEL SECURITY;
ALTER TABLE appointments FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON appointments
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- Schedule rules and off days are replaced by deleting them (appointments keep their times).
GRANT SELECT, INSERT, DELETE ON doctor_schedules TO hms_app;
GRANT SELECT, INSERT, DELETE ON doctor_off_days TO hms_app;
-- Appointments end in a state (checked_in, cancelled); they are never deleted.
GRANT SELECT, INSERT, UPDATE ON appointments TO hms_app;

-- The slots of a doctor (or, with doctor NULL, of every doctor) in a department on one
-- local date of the hospital: each schedule rule of that weekday cut into slot_minutes
-- pieces, local wall-clock times turned into timestamptz in the hospital's time zone, none
-- on the doctor's off days. Booked or not. SECURITY INVOKER: row-level security applies.
CREATE FUNCTION hms_doctor_slots(p_hospital bigint, p_department bigint, p_doctor bigint,
                                 p_day date)
RETURNS TABLE (doctor_id bigint, starts_at timestamptz, ends_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (s.doctor_id, (p_day + s.start_time + n * make_interval(mins => s.slot_minutes)))
           s.doctor_id,
           (p_day + s.start_time + n * make_interval(mins => s.slot_minutes)) AT TIME ZONE h.timezone,
           (p_day + s.start_time + (n + 1) * make_interval(mins => s.slot_minutes)) AT TIME ZONE h.timezone
    FROM doctor_schedules s
    JOIN hospitals h ON h.id = s.hospital_id
    CROSS JOIN LATERAL generate_series(
        0, floor(extract(epoch FROM s.end_time - s.start_time) / 60 / s.slot_minutes)::integer - 1) n
    WHERE s.hospital_id = p_hospital AND s.department_id = p_department
      AND (p_doctor IS NULL OR s.doctor_id = p_doctor)
      AND s.weekday = extract(isodow FROM p_day)
      AND NOT EXISTS (SELECT 1 FROM doctor_off_days o WHERE o.hospital_id = s.hospital_id
                      AND o.doctor_id = s.doctor_id AND o.off_date = p_day)
    ORDER BY s.doctor_id, (p_day + s.start_time + n * make_interval(mins => s.slot_minutes)),
             s.slot_minutes
$$;
GRANT EXECUTE ON FUNCTION hms_doctor_slots(bigint, bigint, bigint, date) TO hms_app;

-- Admin merge of two patient records (issue 5): the merged record stays (merged_into names
-- the survivor; never deleted), with who merged it, when and why (free text that may name
-- people: here, not in the audit log).
ALTER TABLE patients ADD COLUMN merged_at timestamptz;
ALTER TABLE patients ADD COLUMN merged_by bigint;
ALTER TABLE patients ADD COLUMN merge_reason text
    CONSTRAINT patients_merge_reason_length CHECK (char_length(merge_reason) BETWEEN 1 AND 500);
ALTER TABLE patients ADD CONSTRAINT patients_merged_by_fkey FOREIGN KEY (hospital_id, merged_by)
    REFERENCES users (hospital_id, id);
ALTER TABLE patients ADD CONSTRAINT patients_not_merged_into_itself CHECK (merged_into <> id);
CREATE INDEX patients_merged_into_idx ON patients (hospital_id, merged_into)
    WHERE merged_into IS NOT NULL;
