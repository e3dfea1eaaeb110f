-- Issue 13: the students enrolled in a group (enrolled_on, 0006_journal.sql; a guardian's or a
-- student's visible_group, 0003_roster.sql) were found by reading every enrollment: the only
-- index by group, enrollments_active, leaves out withdrawn enrollments, which enrolled_on must
-- see. With 10^7 attendance rows (500 000 enrollments) that made recording an entry 12 times
-- slower (tests/bench/README.md). An index by group and start date serves them all.
CREATE INDEX enrollments_group ON enrollments (group_id, starts_on);
