-- Foundation: the audit trail (§19: every change attributable: who, when,
-- before/after) and Idempotency-Key storage.

-- The audit trail is append-only: rows are written in the same transaction as
-- the change they describe, and never updated or deleted.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_id    bigint,                -- NULL: the command line (create-superuser)
    action      text NOT NULL,         -- e.g. 'user.create'
    entity      text NOT NULL,         -- e.g. 'user'
    entity_id   text,
    before      jsonb,
    after       jsonb,
    request_id  text
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);

CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_immutable();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable();

-- A POST retried with the same Idempotency-Key and body gets the first
-- response; the response is stored in the transaction that made the change.
CREATE TABLE idempotency_keys (
    user_id       bigint NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,       -- SHA-256 of method, path and body
    status        integer NOT NULL,
    response      jsonb,
    location      text,
    etag          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
