-- Journal entries and absences (§13–§15): the attendance of each recorded
-- lesson, extensions of the entry deadline, absence reason codes (§22) and
-- the parents' absence reports (§14).
--
-- The entry's topic, conductor, recording time and late flag are columns of
-- lessons (0005_lessons.sql); this file adds what hangs off a lesson and
-- extends the lesson's state and JSON view to honour it.

-- §14, §22: absence reason codes, a setting the director and superuser may
-- change (no endpoint yet). Codes only: no diagnoses are ever stored. A code
-- that is no longer active stays valid on the records that carry it.
CREATE TABLE absence_reasons (
    code      text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
    name      text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    excused   boolean NOT NULL,
    active    boolean NOT NULL DEFAULT true,
    position  integer NOT NULL DEFAULT 0
);
INSERT INTO absence_reasons (code, name, excused, position) VALUES
    ('illness', 'Slimība', true, 1),
    ('family', 'Ģimenes apstākļi', true, 2),
    ('other_excused', 'Cits attaisnojošs iemesls', true, 3),
    ('unexcused', 'Neattaisnots kavējums', false, 4);

-- §13: the superuser lets the teacher record one lesson after its deadline,
-- until extension_until. One extension per lesson, on the lesson's row (so
-- that lesson_state stays a plain expression PostgreSQL can inline into
-- lists); granting again replaces it, and the audit trail keeps every grant.
-- Entries first made after the deadline are marked late.
ALTER TABLE lessons
    ADD COLUMN extension_until       timestamptz,
    ADD COLUMN extension_reason      text CHECK (length(extension_reason) BETWEEN 1 AND 500),
    ADD COLUMN extension_granted_by  bigint REFERENCES users(id),
    ADD COLUMN extension_granted_at  timestamptz,
    ADD CONSTRAINT lessons_extension_check CHECK ((extension_until IS NULL) = (extension_reason IS NULL));

-- §14: a guardian's report that their child was (or will be) absent from
-- from_date to to_date for a reason; filed by the guardian online, or by the
-- superuser for a report received on paper or by phone. The superuser
-- applies it (the reason goes onto the child's absences in the range, and
-- onto absences recorded in the range later) or rejects it with a note.
CREATE TABLE absence_reports (
    id             bigserial PRIMARY KEY,
    student_id     bigint NOT NULL REFERENCES students(id),
    from_date      date NOT NULL,
    to_date        date NOT NULL,
    reason_code    text NOT NULL REFERENCES absence_reasons(code),
    comment        text CHECK (length(comment) <= 500),
    channel        text NOT NULL CHECK (channel IN ('online', 'paper', 'phone')),
    guardian_id    bigint REFERENCES users(id),     -- who reported (NULL: not a user)
    filed_by       bigint NOT NULL REFERENCES users(id),
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'applied', 'rejected')),
    decided_by     bigint REFERENCES users(id),
    decided_at     timestamptz,
    decision_note  text CHECK (length(decision_note) <= 500),
    version        bigint NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (to_date >= from_date),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'rejected' OR decision_note IS NOT NULL)
);
CREATE INDEX absence_reports_student ON absence_reports (student_id, from_date);
CREATE INDEX absence_reports_pending ON absence_reports (id) WHERE status = 'pending';

-- One row per student enrolled on the lesson's date, once the lesson is
-- recorded. A reason only on an absence or a late arrival (both are
-- "kavējumi"); reason_report_id names the applied report it came from, NULL
-- when the superuser set it directly.
CREATE TABLE lesson_attendance (
    lesson_id         bigint NOT NULL REFERENCES lessons(id),
    student_id        bigint NOT NULL REFERENCES students(id),
    status            text NOT NULL CHECK (status IN ('present', 'absent', 'late')),
    reason_code       text REFERENCES absence_reasons(code),
    reason_note       text CHECK (length(reason_note) <= 500),
    reason_report_id  bigint REFERENCES absence_reports(id),
    reason_set_by     bigint REFERENCES users(id),
    reason_set_at     timestamptz,
    PRIMARY KEY (lesson_id, student_id),
    CHECK (status <> 'present' OR reason_code IS NULL),
    CHECK (reason_code IS NOT NULL OR (reason_note IS NULL AND reason_report_id IS NULL))
);
CREATE INDEX lesson_attendance_student ON lesson_attendance (student_id);
CREATE INDEX lesson_attendance_report ON lesson_attendance (reason_report_id)
    WHERE reason_report_id IS NOT NULL;

-- When the lesson starts, as an instant (its date and time are Riga time).
CREATE FUNCTION lesson_starts(l lessons) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga'
$$;

-- The students enrolled in a group on date d: the ones an entry must cover.
CREATE FUNCTION enrolled_on(gid bigint, d date) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT DISTINCT e.student_id FROM enrollments e
    WHERE e.group_id = gid AND e.starts_on <= d
      AND (e.withdrawal_effective_on IS NULL OR d < e.withdrawal_effective_on)
$$;

-- §13 state of a lesson, now honouring extensions: a lesson without an entry
-- is overdue once both its deadline and any extension have passed. A plain
-- expression, so that it is inlined where lists filter on it.
CREATE OR REPLACE FUNCTION lesson_state(l lessons) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN l.cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN l.recorded_at IS NOT NULL THEN 'recorded'
        WHEN now() > greatest(l.deadline, l.extension_until) THEN 'overdue'
        ELSE 'planned'
    END
$$;

-- The attendance of a lesson as [{student_id, student_name, status, reason,
-- reason_note, reason_report_id}], by name, limited to the rows a viewer may
-- see with their attendance scopes (api/rules/access.c): all (1), a lesson of
-- a group they teach or substitute in (2), their children (4), themself (8).
-- viewer NULL: every row (the superuser's and the audit trail's view).
-- PL/pgSQL because it keeps its plan for the session; an SQL function with a
-- FROM is planned again by every statement that calls it (3x slower here).
CREATE FUNCTION lesson_attendance_json(l lessons, viewer bigint, scopes integer)
RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('student_id', a.student_id,
        'student_name', s.full_name, 'status', a.status, 'reason', a.reason_code,
        'reason_note', a.reason_note, 'reason_report_id', a.reason_report_id)
        ORDER BY s.full_name, a.student_id), '[]'::jsonb)
    FROM lesson_attendance a JOIN students s ON s.id = a.student_id
    WHERE a.lesson_id = l.id
      AND (viewer IS NULL OR (scopes & 1) <> 0
        OR ((scopes & 2) <> 0 AND (l.substitute_teacher_id = viewer
            OR EXISTS (SELECT 1 FROM group_teachers t
                       WHERE t.group_id = l.group_id AND t.teacher_id = viewer)))
        OR ((scopes & 4) <> 0 AND EXISTS (SELECT 1 FROM student_guardians g
                WHERE g.student_id = a.student_id AND g.guardian_id = viewer))
        OR ((scopes & 8) <> 0 AND s.user_id = viewer)));
END
$$;

CREATE FUNCTION lesson_extension_json(l lessons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN l.extension_until IS NOT NULL THEN jsonb_build_object(
        'until', utc(l.extension_until), 'reason', l.extension_reason,
        'granted_by', l.extension_granted_by, 'granted_at', utc(l.extension_granted_at)) END
$$;

-- The lesson's JSON view (0005_lessons.sql) with the entry's attendance and
-- the extension. 0005's function is kept under another name and extended,
-- not copied, so its fields stay defined in one place. A later migration
-- that replaces lesson_json(lessons) must keep these two keys.
ALTER FUNCTION lesson_json(lessons) RENAME TO lesson_base_json;

-- Every row and the extension: the view of the superuser, of writes and of
-- the audit trail.
CREATE FUNCTION lesson_json(l lessons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT lesson_base_json(l) || jsonb_build_object(
        'attendance', lesson_attendance_json(l, NULL, 1),
        'extension', lesson_extension_json(l))
$$;

-- What one viewer may see (§20): attendance rows by their attendance scopes;
-- the extension (its reason concerns the teacher) only to those who see all
-- and to the teachers of this lesson (a teacher who is also a guardian does
-- not see a colleague's).
CREATE FUNCTION lesson_json(l lessons, viewer bigint, scopes integer) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN lesson_base_json(l) || jsonb_build_object(
        'attendance', lesson_attendance_json(l, viewer, scopes),
        'extension', CASE WHEN (scopes & 1) <> 0 OR ((scopes & 2) <> 0
            AND (l.substitute_teacher_id = viewer OR EXISTS (SELECT 1 FROM group_teachers t
                 WHERE t.group_id = l.group_id AND t.teacher_id = viewer)))
            THEN lesson_extension_json(l) END);
END
$$;

CREATE FUNCTION absence_report_json(x absence_reports) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', x.id, 'student_id', x.student_id,
        'student_name', (SELECT full_name FROM students WHERE id = x.student_id),
        'from_date', x.from_date, 'to_date', x.to_date, 'reason_code', x.reason_code,
        'comment', x.comment, 'channel', x.channel, 'guardian_id', x.guardian_id,
        'filed_by', x.filed_by, 'status', x.status, 'decided_by', x.decided_by,
        'decided_at', utc(x.decided_at), 'decision_note', x.decision_note,
        'absences_with_reason', (SELECT count(*) FROM lesson_attendance a
                                 WHERE a.reason_report_id = x.id),
        'version', x.version, 'created_at', utc(x.created_at), 'updated_at', utc(x.updated_at))
$$;

CREATE FUNCTION absence_reason_json(c absence_reasons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('code', c.code, 'name', c.name, 'excused', c.excused,
        'active', c.active)
$$;
