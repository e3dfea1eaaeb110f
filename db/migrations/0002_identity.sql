-- Identity and access (§6–§11): accounts, logins (sessions), refresh tokens,
-- login records and throttling.

-- Today's date in the institution's time zone: employment dates and
-- enrollments are calendar dates in Riga, not in UTC.
CREATE FUNCTION riga_today() RETURNS date LANGUAGE sql STABLE AS
$$ SELECT (now() AT TIME ZONE 'Europe/Riga')::date $$;

CREATE TABLE users (
    id                    bigserial PRIMARY KEY,
    username              text NOT NULL CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    full_name             text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    email                 text CHECK (length(email) <= 254),
    phone                 text CHECK (length(phone) <= 40),
    roles                 text[] NOT NULL CHECK (cardinality(roles) > 0 AND roles <@
                              ARRAY['superuser','director','teacher','staff','student',
                                    'guardian','integration']),
    password_hash         text,
    must_change_password  boolean NOT NULL DEFAULT true,
    token_version         integer NOT NULL DEFAULT 1,  -- bumped: every token dies
    employment_start      date,
    employment_end        date,
    revoked_at            timestamptz,
    revoked_reason        text,
    version               bigint NOT NULL DEFAULT 1,   -- ETag
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (employment_end IS NULL OR employment_start IS NULL OR employment_end >= employment_start)
);
CREATE UNIQUE INDEX users_username_key ON users (username);
CREATE INDEX users_roles ON users USING gin (roles);

-- The access state, computed on every request from the row itself (§7, §11):
-- no job has to run for an employment end to take effect.
CREATE FUNCTION user_access(u users) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN u.revoked_at IS NOT NULL THEN 'revoked'
        WHEN u.employment_start IS NOT NULL AND u.employment_start > riga_today() THEN 'pending'
        WHEN u.employment_end IS NOT NULL AND u.employment_end < riga_today() THEN 'ended'
        ELSE 'active'
    END
$$;

-- One login: the family of refresh tokens that descend from it.
CREATE TABLE sessions (
    id              bigserial PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES users(id),
    token_version   integer NOT NULL,  -- the user's token_version at login: a bump ends it
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    revoked_reason  text,
    address         text,
    user_agent      text
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Refresh tokens are stored only as SHA-256 hashes; a spent one stays, so
-- presenting it again is recognised as reuse and ends the whole session.
CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,
    session_id  bigint NOT NULL REFERENCES sessions(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    spent_at    timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Every login attempt (§10: users can see their recent logins).
CREATE TABLE login_attempts (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     bigint REFERENCES users(id),
    username    text NOT NULL,
    address     text,
    user_agent  text,
    outcome     text NOT NULL
);
CREATE INDEX login_attempts_user ON login_attempts (user_id, at DESC);

-- Throttling state, kept here so every server instance sees it. Keys are
-- 'account:<username>' and 'pair:<username>|<address>'.
CREATE TABLE login_throttle (
    key           text PRIMARY KEY,
    failures      integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Instants are rendered RFC 3339 in UTC.
CREATE FUNCTION utc(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- The API's view of a user; never includes the password hash.
CREATE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name,
        'email', u.email, 'phone', u.phone, 'roles', to_jsonb(u.roles),
        'employment_start', u.employment_start, 'employment_end', u.employment_end,
        'access', user_access(u), 'must_change_password', u.must_change_password,
        'revoked_at', utc(u.revoked_at), 'revoked_reason', u.revoked_reason,
        'created_at', utc(u.created_at), 'updated_at', utc(u.updated_at),
        'version', u.version)
$$;

-- Throttling looks up whether an address has signed in to an account before.
CREATE INDEX login_attempts_known_address ON login_attempts (username, address)
    WHERE outcome = 'success';
