-- Calendar (§13, §17): the superuser's additions to the law's holidays
-- (one-off public holidays, transferred days off, transferred working days)
-- and the settings table (§22) with the entry deadline in working days.
--
-- The law's holidays are not stored: api/rules/calendar.c computes them for
-- any year. These rows are the few exceptions; the server loads them all and
-- builds its calendar in C.

-- Settings the director (and superuser) may change (§22). Values are JSON so
-- one table holds numbers, strings and lists. Only read here; an endpoint to
-- change them comes with the oversight resources.
CREATE TABLE settings (
    key         text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
    value       jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  bigint REFERENCES users(id)
);
-- §13: entries are due by the end of the 2nd working day after the lesson.
INSERT INTO settings (key, value) VALUES ('deadline_working_days', '2');

-- One row per date at most: a date is a one-off holiday, a transferred day
-- off or a transferred working day, never two of these at once.
CREATE TABLE calendar_entries (
    id            bigserial PRIMARY KEY,
    date          date NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('holiday', 'day_off', 'working_day')),
    name          text CHECK (length(name) BETWEEN 1 AND 200),  -- holidays and days off
    note          text CHECK (length(note) <= 500),             -- working days
    -- A one-off holiday on a Saturday or Sunday moves its day off to the next
    -- free Monday-Friday, as the law does for 4 May and 18 November.
    weekend_rule  boolean NOT NULL DEFAULT false,
    created_by    bigint REFERENCES users(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT calendar_entries_date_key UNIQUE (date),
    CHECK (kind = 'holiday' OR NOT weekend_rule),
    CHECK (kind = 'working_day' OR name IS NOT NULL)
);

CREATE FUNCTION calendar_entry_json(e calendar_entries) RETURNS jsonb LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN e.kind = 'working_day'
        THEN jsonb_build_object('date', e.date, 'note', e.note,
                                'created_at', utc(e.created_at))
        ELSE jsonb_build_object('date', e.date, 'name', e.name, 'source', 'custom',
                                'kind', e.kind, 'weekend_rule', e.weekend_rule,
                                'created_at', utc(e.created_at))
    END
$$;
