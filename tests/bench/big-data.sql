-- Bulk data for the journal benchmark (issue 13): the measured group's lessons next to a school's
-- worth of other data, so that the hot queries are measured on a large database. Not a fixture of
-- the tests. Run by tests/bench/journal.sh with EJ_BENCH_BIG=1, as the cluster's superuser:
--
--   psql -v groups=25000 -v lessons=20 -v students=20 -v audit=1000000 -f big-data.sql
--
-- Makes `groups` groups in the school year, programme and with the teacher of the benchmark's
-- group (the first group there is), each with `students` students enrolled from the year's start
-- and `lessons` recorded lessons (two a day from the year's start, 08:00 and 09:00) with every
-- student's attendance: groups x lessons x students attendance rows (10^7 by default), and `audit`
-- audit records of entries on those lessons (10^6 by default; small bodies, not the real lessons:
-- the table's rows, not its bytes, are what the indexes see). Straight into the tables, in one
-- transaction (foreign-key checks off: see below), then ANALYZE. A lesson's date is its group's
-- year start plus (k / 2) days, so `lessons` must stay under twice the year's length.
\set ON_ERROR_STOP on
BEGIN;
-- The rows are made consistent here, so the foreign keys' per-row triggers are skipped for the load
-- (10^7 attendance rows, each checked against lessons and students, took most of 20 minutes).
SET LOCAL session_replication_role = replica;
CREATE TEMP TABLE bench_base ON COMMIT DROP AS
SELECT g.id AS group_id, g.program_id, g.school_year_id, y.starts_on,
       (SELECT min(teacher_id) FROM group_teachers t WHERE t.group_id = g.id) AS teacher_id,
       (SELECT min(id) FROM users WHERE 'superuser' = ANY(roles)) AS admin_id
FROM groups g JOIN school_years y ON y.id = g.school_year_id ORDER BY g.id LIMIT 1;

CREATE TEMP TABLE bench_groups ON COMMIT DROP AS
WITH made AS (
    INSERT INTO groups (program_id, school_year_id, name)
    SELECT b.program_id, b.school_year_id, 'Bench bulk ' || n
    FROM bench_base b, generate_series(1, :groups) n
    RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) AS n FROM made;

INSERT INTO group_teachers (group_id, teacher_id)
SELECT g.id, b.teacher_id FROM bench_groups g, bench_base b;

CREATE TEMP TABLE bench_students ON COMMIT DROP AS
WITH made AS (
    INSERT INTO students (full_name, birth_date)
    SELECT 'Bulk student ' || n, date '2014-01-01' + (n % 365)
    FROM generate_series(1, :groups * :students) n
    RETURNING id)
SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM made;

INSERT INTO enrollments (group_id, student_id, starts_on)
SELECT g.id, s.id, b.starts_on
FROM bench_students s JOIN bench_groups g ON g.n = s.k / :students + 1, bench_base b;

CREATE TEMP TABLE bench_lessons ON COMMIT DROP AS
WITH made AS (
    INSERT INTO lessons (group_id, date, starts_at, ends_at, deadline, topic, conducted_by,
                         recorded_at, created_by)
    SELECT g.id, b.starts_on + k / 2, time '08:00' + k % 2 * interval '1 hour',
           time '08:45' + k % 2 * interval '1 hour', b.starts_on + k / 2 + 5, 'Bulk topic',
           b.teacher_id, b.starts_on + k / 2 + time '12:00', b.admin_id
    FROM bench_groups g, bench_base b, generate_series(0, :lessons - 1) k
    RETURNING id, group_id)
SELECT * FROM made;

INSERT INTO lesson_attendance (lesson_id, student_id, status)
SELECT l.id, e.student_id,
       CASE WHEN e.student_id % 10 = 0 THEN 'absent' WHEN e.student_id % 17 = 0 THEN 'late'
            ELSE 'present' END
FROM bench_lessons l JOIN enrollments e ON e.group_id = l.group_id;

INSERT INTO audit_log (actor_id, action, entity, entity_id, before, after, request_id)
SELECT b.teacher_id, 'lesson.entry', 'lesson', (SELECT min(id) FROM bench_lessons) + n % :groups,
       NULL, jsonb_build_object('topic', 'Bulk topic', 'n', n), 'bulk-' || n
FROM bench_base b, generate_series(1, :audit) n;
COMMIT;
ANALYZE;
SELECT (SELECT count(*) FROM lesson_attendance) AS attendance_rows,
       (SELECT count(*) FROM audit_log) AS audit_rows,
       (SELECT count(*) FROM lessons) AS lessons,
       pg_size_pretty(pg_database_size(current_database())) AS database_size;
