-- 0002_auth_audit: staff users, login sessions and refresh tokens, the hash-chained audit log,
-- and the database role the application runs as, with row-level security on tenant tables.

-- hms_app: what hms-server and hms-worker run as. Not the owner of any table, not superuser,
-- no BYPASSRLS, so the policies below always apply to it. The server either logs in as a
-- member of hms_app, or logs in as the owner and switches with SET ROLE on every pooled
-- connection. Roles are cluster-wide: another database of the cluster may have made it.
DO $$
BEGIN
    CREATE ROLE hms_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

-- A non-superuser owner needs membership to SET ROLE hms_app.
DO $$
BEGIN
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT hms_app TO %I', current_user);
    END IF;
END
$$;

-- The tenant of the current transaction, from SET LOCAL app.hospital_id (set_config(..., true)).
-- NULL when unset, so every policy fails closed: no tenant, no rows.
CREATE FUNCTION app_hospital_id() RETURNS bigint
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT NULLIF(current_setting('app.hospital_id', true), '')::bigint $$;

GRANT USAGE ON SCHEMA public TO hms_app;
GRANT SELECT ON schema_migrations TO hms_app;
-- Hospitals are the tenant registry: the login resolves a code before any tenant is set.
GRANT SELECT ON hospitals TO hms_app;

CREATE TABLE users (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    username text NOT NULL
        CONSTRAINT users_username_format CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    display_name text NOT NULL
        CONSTRAINT users_display_name_length CHECK (char_length(display_name) BETWEEN 1 AND 200),
    role text NOT NULL
        CONSTRAINT users_role_known
        CHECK (role IN ('admin', 'doctor', 'nurse', 'reception', 'pharmacy', 'lab')),
    password_hash text NOT NULL,
    disabled_at timestamptz,
    failed_logins integer NOT NULL DEFAULT 0,
    lockouts integer NOT NULL DEFAULT 0, -- consecutive lockouts; each doubles the lock window
    locked_until timestamptz,
    password_changed_at timestamptz NOT NULL DEFAULT now(),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version integer NOT NULL DEFAULT 1,
    CONSTRAINT users_username_key UNIQUE (hospital_id, username),
    CONSTRAINT users_hospital_id_key UNIQUE (hospital_id, id)
);

-- One login: access tokens carry its id (sid) and are refused once it is revoked or expired.
CREATE TABLE sessions (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    hospital_id bigint NOT NULL,
    user_id bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    absolute_expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoke_reason text,
    client_address text,
    CONSTRAINT sessions_user_fkey FOREIGN KEY (hospital_id, user_id) REFERENCES users (hospital_id, id)
);
CREATE INDEX sessions_user_active_idx ON sessions (user_id) WHERE revoked_at IS NULL;

-- Rotating refresh tokens, stored as SHA-256 only. A session's tokens form one family.
CREATE TABLE refresh_tokens (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    hospital_id bigint NOT NULL,
    session_id uuid NOT NULL REFERENCES sessions (id),
    token_hash bytea NOT NULL CONSTRAINT refresh_tokens_hash_key UNIQUE
        CONSTRAINT refresh_tokens_hash_length CHECK (octet_length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,                                 -- exchanged for its successor
    successor_id bigint REFERENCES refresh_tokens (id),
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- The audit log: append-only, hash-chained per hospital (hash = SHA-256 over prev_hash and a
-- canonical encoding of the row; see server/src/audit/auditlog.cpp). audit_heads holds each
-- chain's last seq and hash; appending locks that row, so concurrent writers form one chain.
CREATE TABLE audit_log (
    hospital_id bigint NOT NULL REFERENCES hospitals (id),
    seq bigint NOT NULL,
    at timestamptz NOT NULL,
    actor_user_id bigint,
    actor_role text,
    action text NOT NULL,
    entity text,
    entity_id text,
    patient_id bigint,
    category text NOT NULL,
    outcome text NOT NULL CONSTRAINT audit_log_outcome_known
        CHECK (outcome IN ('success', 'denied', 'failure')),
    request_id text,
    client_address text,
    details jsonb NOT NULL DEFAULT '{}'::jsonb, -- ids and codes only, never PHI
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (hospital_id, seq)
);
CREATE INDEX audit_log_actor_idx ON audit_log (hospital_id, actor_user_id, at);
CREATE INDEX audit_log_entity_idx ON audit_log (hospital_id, entity, entity_id);
CREATE INDEX audit_log_patient_idx ON audit_log (hospital_id, patient_id, at) WHERE patient_id IS NOT NULL;

CREATE TABLE audit_heads (
    hospital_id bigint PRIMARY KEY REFERENCES hospitals (id),
    seq bigint NOT NULL,
    hash bytea NOT NULL
);

-- Defence in depth under the grants: not even the owner edits or deletes audit rows.
CREATE FUNCTION audit_log_is_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- Row-level security: every tenant table sees only the transaction's hospital, also for the
-- owner (FORCE). Superusers bypass it; hms-admin sets the tenant anyway.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON users
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sessions
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON refresh_tokens
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (hospital_id = app_hospital_id()) WITH CHECK (hospital_id = app_hospital_id());

GRANT SELECT, INSERT, UPDATE ON users, sessions, refresh_tokens TO hms_app;
GRANT SELECT, INSERT ON audit_log TO hms_app;
GRANT SELECT, INSERT, UPDATE ON audit_heads TO hms_app;
