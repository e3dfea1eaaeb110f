-- Repeatable: `ejournal migrate` applies this file after the numbered migrations, in the same
-- transaction, whenever it changed (or a migration was applied). One current definition per
-- function, CREATE OR REPLACE; see api/store/migrate.c. Change a function here, not in a new
-- numbered migration; drop one in a numbered migration and delete it here in the same commit.

-- The foundation: the audit trail's guard, the institution's date, instants as text.
-- (First defined in 0001_foundation.sql and 0002_identity.sql.)

-- The audit trail is append-only (§19): rows are written in the same transaction as the change
-- they describe, and never updated or deleted.
CREATE OR REPLACE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;

-- Today's date in the institution's time zone: employment dates and
-- enrollments are calendar dates in Riga, not in UTC.
CREATE OR REPLACE FUNCTION riga_today() RETURNS date LANGUAGE sql STABLE AS
$$ SELECT (now() AT TIME ZONE 'Europe/Riga')::date $$;

-- Instants are rendered RFC 3339 in UTC. STABLE, not IMMUTABLE, although the result depends on
-- nothing but t: to_char is STABLE, and an SQL function declared stricter than its body is never
-- inlined, so every value was a function call (issue 13: most of a lesson row's formatting).
CREATE OR REPLACE FUNCTION utc(t timestamptz) RETURNS text LANGUAGE sql STABLE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;
