-- Integration (issue 11, SPEC.md "Integration"): the ids another system
-- (E-klase) knows users, students, programmes and groups by. Optional, 1-64
-- printable characters (no control characters, no leading or trailing
-- space), unique per entity type: a sync client matches rows by them, so two
-- rows with one external id would make its matching ambiguous.
ALTER TABLE users ADD COLUMN external_id text
    CONSTRAINT users_external_id_check
    CHECK (external_id ~ '^[^[:cntrl:] ]([^[:cntrl:]]{0,62}[^[:cntrl:] ])?$');
ALTER TABLE students ADD COLUMN external_id text
    CONSTRAINT students_external_id_check
    CHECK (external_id ~ '^[^[:cntrl:] ]([^[:cntrl:]]{0,62}[^[:cntrl:] ])?$');
ALTER TABLE programs ADD COLUMN external_id text
    CONSTRAINT programs_external_id_check
    CHECK (external_id ~ '^[^[:cntrl:] ]([^[:cntrl:]]{0,62}[^[:cntrl:] ])?$');
ALTER TABLE groups ADD COLUMN external_id text
    CONSTRAINT groups_external_id_check
    CHECK (external_id ~ '^[^[:cntrl:] ]([^[:cntrl:]]{0,62}[^[:cntrl:] ])?$');
-- The unique indexes also serve ?external_id= and the import's matching.
CREATE UNIQUE INDEX users_external_id_key ON users (external_id);
CREATE UNIQUE INDEX students_external_id_key ON students (external_id);
CREATE UNIQUE INDEX programs_external_id_key ON programs (external_id);
CREATE UNIQUE INDEX groups_external_id_key ON groups (external_id);

-- The hours report (issue 11, §15) reads recorded lessons by date and by
-- the teacher who conducted them.
CREATE INDEX lessons_conducted_by ON lessons (conducted_by, date)
    WHERE conducted_by IS NOT NULL;

-- The API's views of these rows carry external_id (the functions' bodies as
-- before, one field more; issue 14 moves these definitions to db/functions).
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
