-- Settings (§22) and absence reason codes the director and superuser manage,
-- and what the year close (§18) and personal files need.
--
-- The settings table (0004_calendar.sql) keeps one value per key; the API
-- shows them as one resource (GET/PATCH /settings) whose version (its ETag)
-- is the row `version`, bumped by every change. Values are checked by the
-- server (api/resources/settings.c); the rows here are the defaults.
-- ON CONFLICT: another migration may have seeded a key first.
INSERT INTO settings (key, value) VALUES
    ('institution_name', 'null'),
    ('institution_address', 'null'),
    ('required_quality_reviews', '3'),   -- §16: "at least three times per school year"
    ('version', '1')
ON CONFLICT (key) DO NOTHING;

-- Absence reason codes (§14, §22) get a version for If-Match, like every
-- resource a PATCH changes. Codes are never deleted (lesson_attendance and
-- absence_reports reference them); an unused one is made inactive too.
ALTER TABLE absence_reasons ADD COLUMN version bigint NOT NULL DEFAULT 1;

