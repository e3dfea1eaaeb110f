-- A teacher's day (issue 15): the state `due` (to record now), group and
-- programme names on lessons, teachers' requests for an extension of the
-- entry deadline (§13), and a guardian's withdrawal of a pending absence
-- report (§14).

-- §13 state of a lesson, with `due` split off `planned`: a lesson that has
-- started, has no entry, and whose deadline (or extension) has not passed is
-- `due` (the teacher records it now); `planned` is a lesson that has not
-- started yet. Still a plain expression, so that lists filter on it inline.
CREATE OR REPLACE FUNCTION lesson_state(l lessons) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN l.cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN l.recorded_at IS NOT NULL THEN 'recorded'
        WHEN now() > greatest(l.deadline, l.extension_until) THEN 'overdue'
        WHEN now() >= (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga' THEN 'due'
        ELSE 'planned'
    END
$$;

-- The lesson's fields (0005_lessons.sql) plus the names a screen shows with
-- it: the group's, and its programme's id and name. Display names, not part
-- of the lesson: renaming a group does not change the lesson's version.
-- 0005's function is kept under another name and extended, as 0006 does;
-- lesson_json(...) (0006) calls lesson_base_json by name.
ALTER FUNCTION lesson_base_json(lessons) RENAME TO lesson_fields_json;
CREATE FUNCTION lesson_base_json(l lessons) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN lesson_fields_json(l) || (SELECT jsonb_build_object('group_name', g.name,
            'program_id', p.id, 'program_name', p.name)
        FROM groups g JOIN programs p ON p.id = g.program_id WHERE g.id = l.group_id);
END
$$;

-- §13: the conducting teacher asks the superuser for an extension of a
-- lesson's entry deadline, with a reason; the superuser grants it (the
-- lesson's extension, 0006, until `until`) or declines it with a note. At
-- most one pending request per lesson.
CREATE TABLE extension_requests (
    id             bigserial PRIMARY KEY,
    lesson_id      bigint NOT NULL REFERENCES lessons(id),
    requested_by   bigint NOT NULL REFERENCES users(id),
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'granted', 'declined')),
    until          timestamptz,
    decided_by     bigint REFERENCES users(id),
    decided_at     timestamptz,
    decision_note  text CHECK (length(decision_note) BETWEEN 1 AND 500),
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK ((status = 'granted') = (until IS NOT NULL)),
    CHECK (status <> 'declined' OR decision_note IS NOT NULL)
);
CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests (lesson_id)
    WHERE status = 'pending';
CREATE INDEX extension_requests_requester ON extension_requests (requested_by, id);

CREATE FUNCTION extension_request_json(x extension_requests) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT jsonb_build_object('id', x.id, 'lesson_id', x.lesson_id,
        'lesson_date', l.date, 'lesson_starts_at', to_char(l.starts_at, 'HH24:MI'),
        'group_id', l.group_id, 'group_name', g.name, 'deadline', utc(l.deadline),
        'requested_by', x.requested_by, 'requested_by_name', u.full_name,
        'reason', x.reason, 'status', x.status, 'until', utc(x.until),
        'decided_by', x.decided_by, 'decided_at', utc(x.decided_at),
        'decision_note', x.decision_note, 'version', x.version,
        'created_at', utc(x.created_at), 'updated_at', utc(x.updated_at))
    FROM lessons l JOIN groups g ON g.id = l.group_id JOIN users u ON u.id = x.requested_by
    WHERE l.id = x.lesson_id);
END
$$;

-- §14: a guardian withdraws their own report while it is pending (a mistake,
-- or the child came after all); decided_by/decided_at then say who and when.
ALTER TABLE absence_reports DROP CONSTRAINT absence_reports_status_check;
ALTER TABLE absence_reports ADD CONSTRAINT absence_reports_status_check
    CHECK (status IN ('pending', 'applied', 'rejected', 'withdrawn'));
