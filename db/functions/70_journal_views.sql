-- Repeatable (see 10_foundation.sql and api/store/migrate.c): one current definition per function.

-- The API's views of absence reports and reasons. (First defined in 0006_journal.sql.)

CREATE OR REPLACE FUNCTION absence_report_json(x absence_reports) RETURNS jsonb LANGUAGE sql STABLE AS $$
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

CREATE OR REPLACE FUNCTION absence_reason_json(c absence_reasons) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('code', c.code, 'name', c.name, 'excused', c.excused,
        'active', c.active)
$$;
