-- Repeatable (see 10_foundation.sql and api/store/migrate.c): one current definition per function.

-- Access and visibility (§7, §11, §20). (First defined in 0002_identity.sql, redefined in
-- 0003_roster.sql and 0008_access_pending.sql; visible_* in 0003_roster.sql and 0005_lessons.sql.)

-- The access state, computed on every request from the row itself (§7, §11): no job has to run
-- for an employment end to take effect. A student has access while they have an enrollment that
-- is not withdrawn, a guardian while one of their children has; employees by their employment
-- dates; so a withdrawal ends access at once and re-enrolling restores it.
-- A student or guardian account that has never had an enrollment is `pending` (access has not
-- begun, as for an employee before employment_start); `ended` is for an account whose every
-- enrollment has been withdrawn (issue 9).
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
    ELSIF ('student' = ANY(u.roles) AND EXISTS (
            SELECT 1 FROM students s JOIN enrollments e ON e.student_id = s.id
            WHERE s.user_id = u.id))
       OR ('guardian' = ANY(u.roles) AND EXISTS (
            SELECT 1 FROM student_guardians g JOIN enrollments e ON e.student_id = g.student_id
            WHERE g.guardian_id = u.id)) THEN
        RETURN 'ended';
    END IF;
    RETURN 'pending';
END
$$;

-- Object visibility (§20), evaluated for a viewer and the scopes their roles give
-- (api/rules/access.c decides the scopes; these functions only test the relations). Scope bits:
-- 1 all, 2 the groups the viewer teaches, 4 the viewer's children, 8 the viewer themself (as a
-- student). PL/pgSQL, like the JSON views with subqueries: an SQL function with a subquery is
-- not inlined and would be planned again on every call; PL/pgSQL keeps its plans for the session.
CREATE OR REPLACE FUNCTION visible_group(viewer bigint, scopes integer, gid bigint)
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

CREATE OR REPLACE FUNCTION visible_student(viewer bigint, scopes integer, sid bigint)
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

-- Lesson visibility, as visible_group: the group is visible to the viewer, or (scope 2, a
-- teacher) the viewer substitutes.
CREATE OR REPLACE FUNCTION visible_lesson(viewer bigint, scopes integer, gid bigint, substitute bigint)
RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN visible_group(viewer, scopes, gid)
            OR ((scopes & 2) <> 0 AND substitute = viewer);
END
$$;
