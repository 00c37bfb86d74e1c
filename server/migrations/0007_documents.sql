-- 0007_documents: clinical documents of the PostgreSQL DocumentStore backend (ARCHITECTURE.md
-- "Data"). A document is a header (patient, kind, who created it and when) plus append-only
-- versions holding the JSONB body. Corrections are new versions; nothing is ever updated or
-- deleted (not even by the owner: triggers refuse it), and hms_app gets SELECT and INSERT only.

CREATE TABLE clinical_documents (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    id bigint GENERATED ALWAYS AS IDENTITY,
    patient_id bigint NOT NULL,
    kind text NOT NULL CONSTRAINT clinical_documents_kind_known
        CHECK (kind IN ('consultation', 'vitals', 'nursing_note', 'lab_report', 'discharge_summary')),
    created_at timestamptz NOT NULL DEFAULT now(),
    created_by bigint NOT NULL,
    PRIMARY KEY (hospital_id, id),
    CONSTRAINT clinical_documents_patient_fkey FOREIGN KEY (hospital_id, patient_id)
        REFERENCES patients (hospital_id, id),
    CONSTRAINT clinical_documents_created_by_fkey FOREIGN KEY (hospital_id, created_by)
        REFERENCES users (hospital_id, id)
);
-- listByPatient: newest first, optionally one kind.
CREATE INDEX clinical_documents_patient_idx
    ON clinical_documents (hospital_id, patient_id, kind, created_at DESC, id DESC);
CREATE INDEX clinical_documents_patient_time_idx
    ON clinical_documents (hospital_id, patient_id, created_at DESC, id DESC);

CREATE TABLE clinical_document_versions (
    hospital_id bigint NOT NULL,
    document_id bigint NOT NULL,
    version integer NOT NULL CONSTRAINT clinical_document_versions_version_positive
        CHECK (version > 0),
    body jsonb NOT NULL CONSTRAINT clinical_document_versions_body_object
        CHECK (jsonb_typeof(body) = 'object'),
    author_id bigint NOT NULL,
    authored_at timestamptz NOT NULL DEFAULT now(),
    -- why this version replaces the previous one (free text, may hold PHI; version 1: NULL)
    supersedes_reason text CONSTRAINT clinical_document_versions_reason_length
        CHECK (char_length(supersedes_reason) BETWEEN 1 AND 2000),
    PRIMARY KEY (hospital_id, document_id, version),
    CONSTRAINT clinical_document_versions_reason_after_first
        CHECK ((version = 1) = (supersedes_reason IS NULL)),
    CONSTRAINT clinical_document_versions_document_fkey FOREIGN KEY (hospital_id, document_id)
        REFERENCES clinical_documents (hospital_id, id),
    CONSTRAINT clinical_document_versions_author_fkey FOREIGN KEY (hospital_id, author_id)
        REFERENCES users (hospital_id, id)
);

CREATE FUNCTION clinical_documents_are_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER clinical_documents_no_update BEFORE UPDATE OR DELETE ON clinical_documents
    FOR EACH ROW EXECUTE FUNCTION clinical_documents_are_append_only();
CREATE TRIGGER clinical_documents_no_truncate BEFORE TRUNCATE ON clinical_documents
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_documents_are_append_only();
CREATE TRIGGER clinical_document_versions_no_update
    BEFORE UPDATE OR DELETE ON clinical_document_versions
    FOR EACH ROW EXECUTE FUNCTION clinical_documents_are_append_only();
CREATE TRIGGER clinical_document_versions_no_truncate BEFORE TRUNCATE ON clinical_document_versions
    FOR EACH STATEMENT EXECUTE FUNCTION clinical_documents_are_append_only();

ALTER TABLE clinical_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical_documents FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON clinical_documents
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE clinical_document_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE clinical_document_versions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON clinical_document_versions
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- Append-only for the application: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON clinical_documents, clinical_document_versions TO hms_app;
