-- Repeatable (see 10_foundation.sql and api/store/migrate.c): one current definition per function.

-- The API's views of schedule slots, lessons and extension requests. (First defined in
-- 0005_lessons.sql, 0006_journal.sql and 0009_day.sql.)

CREATE OR REPLACE FUNCTION slot_json(s schedule_slots) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', s.id, 'group_id', s.group_id, 'weekday', s.weekday,
            'starts_at', to_char(s.starts_at, 'HH24:MI'), 'ends_at', to_char(s.ends_at, 'HH24:MI'),
            'hours', academic_hours(s.starts_at, s.ends_at), 'room', s.room,
            'valid_from', s.valid_from, 'valid_to', s.valid_to,
            'lessons', (SELECT count(*) FROM lessons l WHERE l.slot_id = s.id),
            'created_at', utc(s.created_at));
END
$$;

-- The lesson's own fields (0005_lessons.sql named this lesson_json; 0006 renamed it to
-- lesson_base_json and 0009 to lesson_fields_json). teacher_id is the group's (first) teacher,
-- teacher_ids all of them; the entry's attendance and the extension are added by lesson_json.
CREATE OR REPLACE FUNCTION lesson_fields_json(l lessons) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
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

-- The lesson's fields plus the names a screen shows with it: the group's, and its programme's
-- id and name. Display names, not part of the lesson: renaming a group does not change the
-- lesson's version.
CREATE OR REPLACE FUNCTION lesson_base_json(l lessons) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN lesson_fields_json(l) || (SELECT jsonb_build_object('group_name', g.name,
            'program_id', p.id, 'program_name', p.name)
        FROM groups g JOIN programs p ON p.id = g.program_id WHERE g.id = l.group_id);
END
$$;

-- The attendance of a lesson as [{student_id, student_name, status, reason,
-- reason_note, reason_report_id}], by name, limited to the rows a viewer may
-- see with their attendance scopes (api/rules/access.c): all (1), a lesson of
-- a group they teach or substitute in (2), their children (4), themself (8).
-- viewer NULL: every row (the superuser's and the audit trail's view).
-- PL/pgSQL because it keeps its plan for the session; an SQL function with a
-- FROM is planned again by every statement that calls it (3x slower here).
CREATE OR REPLACE FUNCTION lesson_attendance_json(l lessons, viewer bigint, scopes integer)
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

CREATE OR REPLACE FUNCTION lesson_extension_json(l lessons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN l.extension_until IS NOT NULL THEN jsonb_build_object(
        'until', utc(l.extension_until), 'reason', l.extension_reason,
        'granted_by', l.extension_granted_by, 'granted_at', utc(l.extension_granted_at)) END
$$;

-- Every row and the extension: the view of the superuser, of writes and of
-- the audit trail.
CREATE OR REPLACE FUNCTION lesson_json(l lessons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT lesson_base_json(l) || jsonb_build_object(
        'attendance', lesson_attendance_json(l, NULL, 1),
        'extension', lesson_extension_json(l))
$$;

-- What one viewer may see (§20): attendance rows by their attendance scopes;
-- the extension (its reason concerns the teacher) only to those who see all
-- and to the teachers of this lesson (a teacher who is also a guardian does
-- not see a colleague's).
CREATE OR REPLACE FUNCTION lesson_json(l lessons, viewer bigint, scopes integer) RETURNS jsonb
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

CREATE OR REPLACE FUNCTION extension_request_json(x extension_requests) RETURNS jsonb
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
