-- 0014_department_admin: departments can be renamed and deactivated (PATCH with If-Match),
-- so they get a version and who changed them last. Deactivating keeps the row and its
-- history (visits, appointments, schedules point at it); it only stops new check-ins and
-- bookings.
ALTER TABLE departments
    ADD COLUMN version integer NOT NULL DEFAULT 1 CONSTRAINT departments_version_positive CHECK (version > 0),
    ADD COLUMN updated_at timestamptz,
    ADD COLUMN updated_by bigint,
    ADD CONSTRAINT departments_updated_by_fkey FOREIGN KEY (hospital_id, updated_by)
        REFERENCES users (hospital_id, id);
