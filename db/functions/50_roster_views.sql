-- Repeatable (see 10_foundation.sql and api/store/migrate.c): one current definition per function.

-- The API's views of users, roster rows and calendar entries. (First defined in
-- 0002_identity.sql, 0003_roster.sql and 0004_calendar.sql; external_id added in
-- 0013_external_ids.sql.)

-- The API's view of a user; never includes the password hash.
CREATE OR REPLACE FUNCTION user_json(u users) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'id', u.id, 'username', u.username, 'full_name', u.full_name,
        'email', u.email, 'phone', u.phone, 'roles', to_jsonb(u.roles),
        'employment_start', u.employment_start, 'employment_end', u.employment_end,
        'access', user_access(u), 'must_change_password', u.must_change_password,
        'revoked_at', utc(u.revoked_at), 'revoked_reason', u.revoked_reason,
        'external_id', u.external_id,
        'created_at', utc(u.created_at), 'updated_at', utc(u.updated_at),
        'version', u.version)
$$;

CREATE OR REPLACE FUNCTION school_year_json(y school_years) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', y.id, 'name', y.name, 'starts_on', y.starts_on,
        'ends_on', y.ends_on, 'closed', y.closed_at IS NOT NULL, 'closed_at', utc(y.closed_at),
        'version', y.version)
$$;

CREATE OR REPLACE FUNCTION program_json(p programs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name', p.name,
        'description', p.description, 'external_id', p.external_id, 'version', p.version,
        'created_at', utc(p.created_at), 'updated_at', utc(p.updated_at))
$$;

CREATE OR REPLACE FUNCTION group_json(g groups) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', g.id, 'program_id', g.program_id,
            'school_year_id', g.school_year_id, 'name', g.name,
            'teacher_ids', coalesce((SELECT jsonb_agg(t.teacher_id ORDER BY t.teacher_id)
                                     FROM group_teachers t WHERE t.group_id = g.id), '[]'::jsonb),
            'teachers', coalesce((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'full_name', u.full_name)
                                                   ORDER BY u.id)
                                  FROM group_teachers t JOIN users u ON u.id = t.teacher_id
                                  WHERE t.group_id = g.id), '[]'::jsonb),
            'external_id', g.external_id,
            'version', g.version, 'created_at', utc(g.created_at), 'updated_at', utc(g.updated_at));
END
$$;

CREATE OR REPLACE FUNCTION student_json(s students) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.id, 'full_name', s.full_name, 'birth_date', s.birth_date,
        'user_id', s.user_id, 'external_id', s.external_id, 'version', s.version,
        'created_at', utc(s.created_at), 'updated_at', utc(s.updated_at))
$$;

CREATE OR REPLACE FUNCTION enrollment_json(e enrollments) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', e.id, 'group_id', e.group_id, 'student_id', e.student_id,
            'student_name', (SELECT full_name FROM students WHERE id = e.student_id),
            'starts_on', e.starts_on, 'guardians_informed_on', e.guardians_informed_on,
            'admission_order', e.admission_order,
            'status', CASE WHEN e.withdrawn_at IS NULL THEN 'active' ELSE 'withdrawn' END,
            'withdrawal', CASE WHEN e.withdrawn_at IS NULL THEN NULL ELSE jsonb_build_object(
                'application_date', e.withdrawal_application_date,
                'effective_on', e.withdrawal_effective_on, 'note', e.withdrawal_note,
                'recorded_at', utc(e.withdrawn_at)) END,
            'version', e.version, 'created_at', utc(e.created_at));
END
$$;

CREATE OR REPLACE FUNCTION calendar_entry_json(e calendar_entries) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN e.kind = 'working_day'
        THEN jsonb_build_object('date', e.date, 'note', e.note,
                                'created_at', utc(e.created_at))
        ELSE jsonb_build_object('date', e.date, 'name', e.name, 'source', 'custom',
                                'kind', e.kind, 'weekend_rule', e.weekend_rule,
                                'created_at', utc(e.created_at))
    END
$$;
