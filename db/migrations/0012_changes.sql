-- The change feed (issue 11, SPEC "Integration"): every committed change to
-- the entities a sync mirrors, in commit order, each with the entity's
-- representation after the change (for a delete: its last one).
--
-- How the order is made gapless (the argument, also in openapi.yaml):
-- * A writing transaction inserts its change rows (`changes`) as it goes,
--   numbered 1..k within the transaction (`n`), keyed by its transaction id.
-- * Just before COMMIT it takes the single `change_clock` row (UPDATE, so a
--   row lock held until the transaction ends), advances it by k and records
--   the positions clock+1 .. clock+k in `change_commits`. The change at
--   position first_position + n - 1 is change n of that transaction.
-- * The clock's row lock is the last lock a writer takes and is released
--   only after its commit is visible to new snapshots (PostgreSQL ends the
--   transaction in the proc array before it releases locks). So the next
--   transaction that advances the clock waits until the previous one has
--   committed (or rolled back, when it reuses the same positions): positions
--   are handed out in commit order, without holes, and whenever a snapshot
--   sees position P it also sees every position below P.
-- * A reader that has read everything up to P (or found nothing above P)
--   can therefore continue from P and never skip a change: whatever commits
--   later gets a position above the clock as that reader saw it. A
--   transaction that began first but commits last simply gets the last
--   positions.

CREATE TABLE change_clock (
    one      boolean PRIMARY KEY DEFAULT true CHECK (one),
    position bigint NOT NULL
);
INSERT INTO change_clock (position) VALUES (0);

CREATE TABLE change_commits (
    xid            xid8 PRIMARY KEY,
    first_position bigint NOT NULL,
    last_position  bigint NOT NULL UNIQUE,
    committed_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (first_position >= 1 AND last_position >= first_position)
);

CREATE TABLE changes (
    xid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    n         integer NOT NULL CHECK (n >= 1),
    entity    text NOT NULL,
    entity_id bigint,   -- NULL for an entity without an id of its own (guardian_link)
    op        text NOT NULL CHECK (op IN ('upsert', 'delete')),
    data      json NOT NULL,  -- json, not jsonb: keeps the representation's field order
    PRIMARY KEY (xid, n)
);

-- Retention (ejournal prune) goes by commit time, oldest first.
CREATE INDEX change_commits_committed_at ON change_commits (committed_at);
