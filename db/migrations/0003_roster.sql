-- Roster (§4, §11, §12, §20): school years, programmes, groups and their
-- teachers, students, guardians, enrollments and withdrawals.

CREATE TABLE school_years (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 40),
    starts_on   date NOT NULL,
    ends_on     date NOT NULL,
    closed_at   timestamptz,            -- §18: read-only once closed
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_on > starts_on)
);

CREATE TABLE programs (
    id           bigserial PRIMARY KEY,
    code         text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description  text CHECK (length(description) <= 4000),
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE groups (
    id              bigserial PRIMARY KEY,
    program_id      bigint NOT NULL REFERENCES programs(id),
    school_year_id  bigint NOT NULL REFERENCES school_years(id),
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    version         bigint NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (school_year_id, name)
);
CREATE INDEX groups_program ON groups (program_id);

CREATE TABLE group_teachers (
    group_id    bigint NOT NULL REFERENCES groups(id),
    teacher_id  bigint NOT NULL REFERENCES users(id),
    PRIMARY KEY (group_id, teacher_id)
);
CREATE INDEX group_teachers_teacher ON group_teachers (teacher_id);

CREATE TABLE students (
    id          bigserial PRIMARY KEY,
    full_name   text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    birth_date  date,
    user_id     bigint UNIQUE REFERENCES users(id),   -- the student's own account, if any
    version     bigint NOT NULL DEFAULT 1,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX students_name ON students (lower(full_name), birth_date);

CREATE TABLE student_guardians (
    student_id   bigint NOT NULL REFERENCES students(id),
    guardian_id  bigint NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (student_id, guardian_id)
);
CREATE INDEX student_guardians_guardian ON student_guardians (guardian_id);

-- A student is enrolled in a group on date D when starts_on <= D and, if
-- withdrawn, D < withdrawal_effective_on. A withdrawal (§11) ends access at
-- once, whatever its effective date: the application is what counts.
CREATE TABLE enrollments (
    id                           bigserial PRIMARY KEY,
    group_id                     bigint NOT NULL REFERENCES groups(id),
    student_id                   bigint NOT NULL REFERENCES students(id),
    starts_on                    date NOT NULL,
    guardians_informed_on        date,          -- §4
    admission_order              text CHECK (length(admission_order) <= 100),
    withdrawn_at                 timestamptz,   -- when the withdrawal was recorded
    withdrawal_application_date  date,
    withdrawal_effective_on      date,
    withdrawal_note              text CHECK (length(withdrawal_note) <= 2000),
    version                      bigint NOT NULL DEFAULT 1,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    CHECK (withdrawal_effective_on IS NULL OR withdrawal_effective_on >= starts_on)
);
-- No second active enrollment of a student in a group.
CREATE UNIQUE INDEX enrollments_active ON enrollments (group_id, student_id)
    WHERE withdrawn_at IS NULL;
CREATE INDEX enrollments_student ON enrollments (student_id);

-- Access (§11) now also follows enrollments: a student has access while they
-- have an enrollment that is not withdrawn, a guardian while one of their
-- children has; employees by their employment dates. Computed on every
-- request, so a withdrawal ends access at once and re-enrolling restores it.
-- PL/pgSQL: it runs on every request, and keeps its plans for the session
-- (an SQL function with a FROM is planned again by every statement).
CREATE OR REPLACE FUNCTION user_access(u users) RETURNS text LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF u.revoked_at IS NOT NULL THEN
        RETURN 'revoked';
    ELSIF u.employment_start IS NOT NULL AND u.employment_start > riga_today() THEN
        RETURN 'pending';
    ELSIF u.employment_end IS NOT NULL AND u.employment_end < riga_today() THEN
        RETURN 'ended';
    ELSIF u.roles && ARRAY['superuser', 'director', 'teacher', 'staff', 'integration'] THEN
        RETURN 'active';
    ELSIF 'student' = ANY(u.roles) AND EXISTS (
            SELECT 1 FROM students s JOIN enrollments e ON e.student_id = s.id
            WHERE s.user_id = u.id AND e.withdrawn_at IS NULL) THEN
        RETURN 'active';
    ELSIF 'guardian' = ANY(u.roles) AND EXISTS (
            SELECT 1 FROM student_guardians g JOIN enrollments e ON e.student_id = g.student_id
            WHERE g.guardian_id = u.id AND e.withdrawn_at IS NULL) THEN
        RETURN 'active';
    END IF;
    RETURN 'ended';
END
$$;

-- Object visibility (§20), evaluated for a viewer and the scopes their roles
-- (PL/pgSQL, like the JSON views with subqueries below: an SQL function with a
-- subquery is not inlined and would be planned again on every call; PL/pgSQL
-- keeps its plans for the session).
-- give (api/rules/access.c decides the scopes; these functions only test the
-- relations). Scope bits: 1 all, 2 the groups the viewer teaches, 4 the
-- viewer's children, 8 the viewer themself (as a student).
CREATE FUNCTION visible_group(viewer bigint, scopes integer, gid bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (scopes & 1) <> 0
            OR ((scopes & 2) <> 0 AND EXISTS (SELECT 1 FROM group_teachers
                    WHERE group_id = gid AND teacher_id = viewer))
            OR ((scopes & 4) <> 0 AND EXISTS (SELECT 1 FROM enrollments e
                    JOIN student_guardians g ON g.student_id = e.student_id
                    WHERE e.group_id = gid AND g.guardian_id = viewer))
            OR ((scopes & 8) <> 0 AND EXISTS (SELECT 1 FROM enrollments e
                    JOIN students s ON s.id = e.student_id
                    WHERE e.group_id = gid AND s.user_id = viewer));
END
$$;

CREATE FUNCTION visible_student(viewer bigint, scopes integer, sid bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (scopes & 1) <> 0
            OR ((scopes & 2) <> 0 AND EXISTS (SELECT 1 FROM enrollments e
                    JOIN group_teachers t ON t.group_id = e.group_id
                    WHERE e.student_id = sid AND t.teacher_id = viewer))
            OR ((scopes & 4) <> 0 AND EXISTS (SELECT 1 FROM student_guardians
                    WHERE student_id = sid AND guardian_id = viewer))
            OR ((scopes & 8) <> 0 AND EXISTS (SELECT 1 FROM students
                    WHERE id = sid AND user_id = viewer));
END
$$;

-- The API's views of roster rows.
CREATE FUNCTION school_year_json(y school_years) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', y.id, 'name', y.name, 'starts_on', y.starts_on,
        'ends_on', y.ends_on, 'closed', y.closed_at IS NOT NULL, 'closed_at', utc(y.closed_at),
        'version', y.version)
$$;

CREATE FUNCTION program_json(p programs) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', p.id, 'code', p.code, 'name', p.name,
        'description', p.description, 'version', p.version,
        'created_at', utc(p.created_at), 'updated_at', utc(p.updated_at))
$$;

CREATE FUNCTION group_json(g groups) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN jsonb_build_object('id', g.id, 'program_id', g.program_id,
            'school_year_id', g.school_year_id, 'name', g.name,
            'teacher_ids', coalesce((SELECT jsonb_agg(t.teacher_id ORDER BY t.teacher_id)
                                     FROM group_teachers t WHERE t.group_id = g.id), '[]'::jsonb),
            'teachers', coalesce((SELECT jsonb_agg(jsonb_build_object('id', u.id, 'full_name', u.full_name)
                                                   ORDER BY u.id)
                                  FROM group_teachers t JOIN users u ON u.id = t.teacher_id
                                  WHERE t.group_id = g.id), '[]'::jsonb),
            'version', g.version, 'created_at', utc(g.created_at), 'updated_at', utc(g.updated_at));
END
$$;

CREATE FUNCTION student_json(s students) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object('id', s.id, 'full_name', s.full_name, 'birth_date', s.birth_date,
        'user_id', s.user_id, 'version', s.version,
        'created_at', utc(s.created_at), 'updated_at', utc(s.updated_at))
$$;

CREATE FUNCTION enrollment_json(e enrollments) RETURNS jsonb LANGUAGE plpgsql STABLE AS $$
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
