-- Access (§7, §11) of a student or guardian account that has never had an enrollment: the
-- student is not yet enrolled (or the guardian's children are not), so access has not begun:
-- `pending`, as for an employee before employment_start. `ended` stays for an account whose
-- every enrollment has been withdrawn (issue 9: such an account was told `ended`).
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
