-- Repeatable (see 10_foundation.sql and api/store/migrate.c): one current definition per function.

-- Lessons: their state, length, start and the students an entry covers. (First defined in
-- 0005_lessons.sql and 0006_journal.sql; lesson_state redefined in 0006 and 0009_day.sql.)

-- §13 state of a lesson: cancelled; recorded once an entry exists; overdue when there is no entry
-- and both its deadline and any extension have passed; `due` when it has started, has no entry,
-- and its deadline (or extension) has not passed (the teacher records it now); `planned` when it
-- has not started yet. A plain expression, so that it is inlined where lists filter on it.
CREATE OR REPLACE FUNCTION lesson_state(l lessons) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN l.cancelled_at IS NOT NULL THEN 'cancelled'
        WHEN l.recorded_at IS NOT NULL THEN 'recorded'
        WHEN now() > greatest(l.deadline, l.extension_until) THEN 'overdue'
        WHEN now() >= (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga' THEN 'due'
        ELSE 'planned'
    END
$$;

-- Length in academic hours of 45 minutes, rounded half up to 2 decimals with
-- trailing zeros dropped: 90 minutes → 2, 60 minutes → 1.33.
CREATE OR REPLACE FUNCTION academic_hours(starts_at time, ends_at time) RETURNS numeric
LANGUAGE sql IMMUTABLE AS $$
    SELECT trim_scale(round(extract(epoch FROM ends_at - starts_at) / 2700, 2))
$$;

-- When the lesson starts, as an instant (its date and time are Riga time).
CREATE OR REPLACE FUNCTION lesson_starts(l lessons) RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT (l.date + l.starts_at) AT TIME ZONE 'Europe/Riga'
$$;

-- The students enrolled in a group on date d: the ones an entry must cover.
CREATE OR REPLACE FUNCTION enrolled_on(gid bigint, d date) RETURNS SETOF bigint LANGUAGE sql STABLE AS $$
    SELECT DISTINCT e.student_id FROM enrollments e
    WHERE e.group_id = gid AND e.starts_on <= d
      AND (e.withdrawal_effective_on IS NULL OR d < e.withdrawal_effective_on)
$$;
