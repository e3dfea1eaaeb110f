-- Schedule and lessons (§12, §13, §15, §17): the superuser enters a group's
-- weekly schedule once and the year's lessons follow from it; single lessons,
-- cancellations and substitutes.

-- A weekly slot: the group meets on `weekday` (1 = Monday ... 7 = Sunday)
-- from starts_at to ends_at, on every such date from valid_from to valid_to.
-- Posting the same slot again returns this row and creates no lesson twice.
CREATE TABLE schedule_slots (
    id          bigserial PRIMARY KEY,
    group_id    bigint NOT NULL REFERENCES groups(id),
    weekday     smallint NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    starts_at   time NOT NULL,
    ends_at     time NOT NULL,
    room        text CHECK (length(room) BETWEEN 1 AND 100),
    valid_from  date NOT NULL,
    valid_to    date NOT NULL,
    created_by  bigint REFERENCES users(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK (valid_to >= valid_from),
    CONSTRAINT schedule_slots_unique UNIQUE (group_id, weekday, starts_at, valid_from, valid_to)
);

-- One lesson (nodarbība) of a group. The deadline (§13) is computed by the
-- server from the calendar (api/rules/calendar.c) when the lesson is created,
-- and recomputed for the lessons a calendar change affects, so that the state
-- `overdue` can be filtered and paged in SQL.
--
-- The journal entry (issue 6) is on the row: topic, who conducted the lesson,
-- when it was recorded and whether late; attendance goes into a table of its
-- own (lesson_attendance) keyed by lesson_id.
CREATE TABLE lessons (
    id                     bigserial PRIMARY KEY,
    group_id               bigint NOT NULL REFERENCES groups(id),
    slot_id                bigint REFERENCES schedule_slots(id),  -- NULL: a single lesson
    date                   date NOT NULL,
    starts_at              time NOT NULL,
    ends_at                time NOT NULL,
    room                   text CHECK (length(room) BETWEEN 1 AND 100),
    deadline               timestamptz NOT NULL,
    substitute_teacher_id  bigint REFERENCES users(id),            -- §15
    cancelled_at           timestamptz,
    cancel_reason          text CHECK (length(cancel_reason) BETWEEN 1 AND 500),
    cancelled_by           bigint REFERENCES users(id),
    topic                  text CHECK (length(topic) <= 2000),
    conducted_by           bigint REFERENCES users(id),
    recorded_at            timestamptz,
    late                   boolean NOT NULL DEFAULT false,
    version                bigint NOT NULL DEFAULT 1,
    created_by             bigint REFERENCES users(id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    CHECK ((cancelled_at IS NULL) = (cancel_reason IS NULL)),
    -- A group has at most one lesson starting at a time on a date, cancelled
    -- or not: re-posting a slot never brings a cancelled lesson back.
    CONSTRAINT lessons_group_date_start_key UNIQUE (group_id, date, starts_at)
);
CREATE INDEX lessons_date ON lessons (date, starts_at, id);
CREATE INDEX lessons_substitute ON lessons (substitute_teacher_id)
    WHERE substitute_teacher_id IS NOT NULL;
CREATE INDEX lessons_deadline ON lessons (deadline);

-- §13 state of a lesson: cancelled; recorded once an entry exists; overdue
-- when there is no entry and its deadline has passed; else planned.
-- (Issue 6 replaces this to honour extensions.)
CREATE FUNCTION lesson_state(l lessons) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN l.cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN l.recorded_at IS NOT NULL THEN 'recorded'
        WHEN now() > l.deadline THEN 'overdue'
        ELSE 'planned'
    END
$$;

-- Length in academic hours of 45 minutes, rounded half up to 2 decimals with
-- trailing zeros dropped: 90 minutes → 2, 60 minutes → 1.33.
CREATE FUNCTION academic_hours(starts_at time, ends_at time) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT trim_scale(round(extract(epoch FROM ends_at - starts_at) / 2700, 2))
$$;

-- Lesson visibility (§20), as visible_group in 0003_roster.sql: the group is
-- visible to the viewer, or (scope 2, a teacher) the viewer substitutes.
CREATE FUNCTION visible_lesson(viewer bigint, scopes integer, gid bigint, substitute bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN visible_group(viewer, scopes, gid)
            OR ((scopes & 2) <> 0 AND substitute = viewer);
END
$$;

CREATE FUNCTION slot_json(s schedule_slots) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', s.id, 'group_id', s.group_id, 'weekday', s.weekday,
            'starts_at', to_char(s.starts_at, 'HH24:MI'), 'ends_at', to_char(s.ends_at, 'HH24:MI'),
            'hours', academic_hours(s.starts_at, s.ends_at), 'room', s.room,
            'valid_from', s.valid_from, 'valid_to', s.valid_to,
            'lessons', (SELECT count(*) FROM lessons l WHERE l.slot_id = s.id),
            'created_at', utc(s.created_at));
END
$$;

-- The API's view of a lesson. teacher_id is the group's (first) teacher,
-- teacher_ids all of them; the entry's attendance is added by issue 6.
CREATE FUNCTION lesson_json(l lessons) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', l.id, 'group_id', l.group_id, 'slot_id', l.slot_id,
        'date', l.date, 'starts_at', to_char(l.starts_at, 'HH24:MI'),
        'ends_at', to_char(l.ends_at, 'HH24:MI'), 'hours', academic_hours(l.starts_at, l.ends_at),
        'room', l.room,
        'teacher_id', (SELECT min(t.teacher_id) FROM group_teachers t WHERE t.group_id = l.group_id),
        'teacher_ids', coalesce((SELECT jsonb_agg(t.teacher_id ORDER BY t.teacher_id)
                                 FROM group_teachers t WHERE t.group_id = l.group_id), '[]'::jsonb),
        'substitute_teacher_id', l.substitute_teacher_id,
        'state', lesson_state(l), 'deadline', utc(l.deadline),
        'topic', l.topic, 'conducted_by', l.conducted_by, 'recorded_at', utc(l.recorded_at),
        'late', l.late,
        'cancelled_at', utc(l.cancelled_at), 'cancel_reason', l.cancel_reason,
        'attendance', '[]'::jsonb,
        'version', l.version, 'created_at', utc(l.created_at), 'updated_at', utc(l.updated_at));
END
$$;
