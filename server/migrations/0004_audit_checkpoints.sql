-- 0004_audit_checkpoints: signed checkpoints of the audit hash chain (SECURITY.md L3 (c), (d)).
--
-- A checkpoint states "hospital H's chain had row seq S with hash X", signed with an Ed25519
-- key that lives in a file on the host readable only by the operator (hms-admin audit
-- checkpoint), never in the database. Deleting rows from the end of the chain, or editing a
-- row and recomputing every later hash and the head, then contradicts a signature that nobody
-- with database access alone can make again. The signed bytes are documented in
-- server/src/audit/auditcheckpoint.h. signed_at and key_id are not signed: signed_at is for
-- people, key_id only picks the verifying key.
CREATE TABLE audit_checkpoints (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    seq bigint NOT NULL CONSTRAINT audit_checkpoints_seq_positive CHECK (seq >= 1),
    hash bytea NOT NULL CONSTRAINT audit_checkpoints_hash_length CHECK (octet_length(hash) = 32),
    signed_at timestamptz NOT NULL DEFAULT now(),
    key_id text NOT NULL
        CONSTRAINT audit_checkpoints_key_id_format CHECK (key_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    signature bytea NOT NULL
        CONSTRAINT audit_checkpoints_signature_length CHECK (octet_length(signature) = 64),
    PRIMARY KEY (hospital_id, seq)
);

-- Append-only like audit_log itself (the function raises insufficient_privilege).
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

ALTER TABLE audit_checkpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_checkpoints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_checkpoints
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

-- The application role may read and add checkpoints but never change or remove one; it cannot
-- make a valid signature (the key is not in the database).
GRANT SELECT, INSERT ON audit_checkpoints TO hms_app;
