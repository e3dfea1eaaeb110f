/* Calendar (SPEC.md "Calendar", §13, §17): the superuser's one-off holidays,
 * transferred days off and transferred working days, stored in PostgreSQL
 * and combined with the law (api/rules/calendar.c) into a struct ej_calendar;
 * the deadline setting (§22). Every change is audited in its transaction and
 * recomputes the deadlines of the lessons it moves. */
#ifndef EJ_STORE_CALENDAR_H
#define EJ_STORE_CALENDAR_H

#include "core/req.h"
#include "rules/calendar.h"

#include <jansson.h>
#include <stdbool.h>

/* Deadline setting bounds: a value outside them falls back to the default. */
#define EJ_DEADLINE_DAYS_DEFAULT 2
#define EJ_DEADLINE_DAYS_MAX 30

/* A calendar loaded from the database. Storage the caller owns
 * (ej_cal_cleanup frees what load allocated); cal points into entries. */
struct ej_cal {
    struct ej_calendar cal;
    struct ej_calendar_entry *entries; /* heap, n = cal.n */
    char **names;                      /* heap, parallel to entries; NULL for working days */
    size_t cap;
    int deadline_days;                 /* settings.deadline_working_days */
};

/* How ej_store_calendar_load locks the calendar until the transaction ends:
 * lesson writers read it shared, calendar writers exclusively, so a lesson is
 * never created against a calendar that is being changed. */
enum ej_cal_lock { EJ_CAL_NOLOCK, EJ_CAL_SHARED, EJ_CAL_EXCLUSIVE };

/* Loads every entry and the deadline setting into c (initialised here).
 * Returns 0, or -1 with a problem set (c is then empty but safe to clean up). */
int ej_store_calendar_load(struct ej_req *r, enum ej_cal_lock lock, struct ej_cal *c);
void ej_cal_cleanup(struct ej_cal *c);

/* The deadline of a lesson on day d (Unix seconds UTC). */
int64_t ej_cal_deadline(const struct ej_cal *c, ej_day d);

/* Public holidays (law and custom) and custom days off of a year, by date:
 * [{date, name, source, kind}]. *items: new array. */
int ej_store_holiday_list(struct ej_req *r, int year, json_t **items);
/* Adds a one-off holiday or day off from a checked body {date, name, kind?,
 * weekend_rule?}. Lessons on the dates that become public holidays: 409
 * lessons_on_date listing them, unless cancel_lessons, when the ones not
 * recorded are cancelled; a recorded one is always 409
 * lessons_recorded_on_date. *entry: new object. */
int ej_store_holiday_add(struct ej_req *r, const json_t *body, bool cancel_lessons,
                         json_t **entry);
/* The public holiday (law or custom) or day off on date: {date, name, source, kind}; 404 if
 * the date is neither (or no date). *out: new object. */
int ej_store_holiday_get(struct ej_req *r, const char *date, json_t **out);
/* Removes the custom holiday or day off on date (404; 409 law_holiday). */
int ej_store_holiday_delete(struct ej_req *r, const char *date);

/* Transferred working days of a year: [{date, note}]. */
int ej_store_working_day_list(struct ej_req *r, int year, json_t **items);
/* The transferred working day on date: {date, note, created_at}; 404 if none. */
int ej_store_working_day_get(struct ej_req *r, const char *date, json_t **out);
/* Adds a transferred working day from a checked body {date, note?}. */
int ej_store_working_day_add(struct ej_req *r, const json_t *body, json_t **entry);
int ej_store_working_day_delete(struct ej_req *r, const char *date);

/* {date, deadline, working_days} for a lesson held on d. */
int ej_store_deadline(struct ej_req *r, ej_day d, json_t **out);

#endif
