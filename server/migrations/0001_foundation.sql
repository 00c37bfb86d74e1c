-- 0001_foundation: the extensions and the tenant table that every later migration builds on.
-- Released migrations are never edited; change the schema in a new numbered file.

-- Trigram indexes and accent-insensitive search (patient names). Both are trusted extensions
-- in PostgreSQL 15: a non-superuser with CREATE on the database (e.g. its owner) may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- One row per hospital (tenant). Tenant tables reference hospitals(id) as hospital_id.
-- timezone is an IANA name; the application validates it (pg_timezone_names).
CREATE TABLE hospitals (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL
        CONSTRAINT hospitals_code_key UNIQUE
        CONSTRAINT hospitals_code_format CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,31}$'),
    name text NOT NULL
        CONSTRAINT hospitals_name_length CHECK (char_length(name) <= 200 AND btrim(name) <> ''),
    timezone text NOT NULL DEFAULT 'UTC',
    created_at timestamptz NOT NULL DEFAULT now()
);
