-- Logins under attack and retention (issue 9 #6).
--
-- Attempts refused by throttling cost no hashing, so they can arrive by the
-- thousand per second: they are aggregated, one row per username, address and
-- minute, with `attempts` counting them and `last_at` the latest. Every other
-- attempt keeps a row of its own (attempts = 1).
ALTER TABLE login_attempts
    ADD COLUMN attempts integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    ADD COLUMN last_at timestamptz,
    ADD COLUMN minute timestamptz;  -- throttled rows: the minute they aggregate

CREATE UNIQUE INDEX login_attempts_throttled_minute
    ON login_attempts (username, coalesce(address, ''), minute)
    WHERE outcome = 'throttled';

-- `ejournal prune` deletes login attempts older than EJ_LOGIN_RETENTION_DAYS,
-- oldest first, in batches.
CREATE INDEX login_attempts_at ON login_attempts (at);

-- Throttle rows are dead once their failures are forgotten (an hour after the
-- last one) and their lock has expired.
CREATE INDEX login_throttle_updated ON login_throttle (updated_at);
