-- Oversight (issue 10): reading the audit trail (§19–§21), the deputy
-- director's quality reviews of the entries (§16) and proposals to change the
-- rules (§23).

-- §19–§21: GET /audit and GET /students/{id}/access-log list the trail newest
-- first, by (at, id), a page at a time from a cursor (keyset, never OFFSET).
-- Each filter has an index that ends in (at, id), so a page is an index range
-- scan of `limit` rows however long the trail grows. They replace the two
-- indexes of 0001, which ordered by nothing (entity) or by at alone (actor).
CREATE INDEX audit_log_at_id ON audit_log (at, id);
CREATE INDEX audit_log_entity_at ON audit_log (entity, entity_id, at, id);
CREATE INDEX audit_log_actor_at ON audit_log (actor_id, at, id);
CREATE INDEX audit_log_action_at ON audit_log (action, at, id);
DROP INDEX audit_log_entity;
DROP INDEX audit_log_actor;

-- §16: a quality review of the entries, done by the deputy director (or the
-- director) on a date, with a summary and any number of findings, each about
-- a lesson or a teacher or neither. Reviews are records: kept as written.
CREATE TABLE quality_reviews (
    id              bigserial PRIMARY KEY,
    school_year_id  bigint NOT NULL REFERENCES school_years(id),
    reviewed_on     date NOT NULL,
    summary         text NOT NULL CHECK (length(summary) BETWEEN 1 AND 4000),
    reviewed_by     bigint NOT NULL REFERENCES users(id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX quality_reviews_year ON quality_reviews (school_year_id, reviewed_on, id);

CREATE TABLE quality_review_findings (
    review_id   bigint NOT NULL REFERENCES quality_reviews(id),
    position    integer NOT NULL,
    lesson_id   bigint REFERENCES lessons(id),
    teacher_id  bigint REFERENCES users(id),
    note        text NOT NULL CHECK (length(note) BETWEEN 1 AND 2000),
    PRIMARY KEY (review_id, position)
);

-- The quality report (GET /reports/entry-quality) counts a school year's
-- lessons by the teacher who conducts them; lessons are found through the
-- year's groups (groups_school_year_id_name_key) and then by group.

-- §23: a proposal to change the rules, by any signed-in user, optionally
-- about one paragraph; the director or the superuser decides it once, with a
-- response the author reads.
CREATE TABLE proposals (
    id           bigserial PRIMARY KEY,
    author_id    bigint NOT NULL REFERENCES users(id),
    paragraph    smallint CHECK (paragraph BETWEEN 1 AND 23),
    text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 10000),
    status       text NOT NULL DEFAULT 'open'
                 CHECK (status IN ('open', 'accepted', 'declined', 'noted')),
    response     text CHECK (length(response) BETWEEN 1 AND 4000),
    decided_by   bigint REFERENCES users(id),
    decided_at   timestamptz,
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((status = 'open') = (response IS NULL))
);
CREATE INDEX proposals_author ON proposals (author_id, id);
CREATE INDEX proposals_status ON proposals (status, id);
