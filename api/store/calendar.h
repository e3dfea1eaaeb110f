/* Calendar (SPEC.md "Calendar", §13, §17): the superuser's one-off holidays,
 * transferred days off and transferred working days, stored in PostgreSQL
 * and combined with the law (api/rules/calendar.c) into a struct ej_calendar;
 * the deadline setting (§22). Each write is audited in its transaction. What
 * a change does to lessons (cancel those on a new holiday, move deadlines) is
 * the calendar resource's use case (resources/calendar.c), which calls this
 * and store/lessons: this module knows no lesson. JSON results are new
 * references; on error the caller owns nothing. */
#ifndef EJ_STORE_CALENDAR_H
#define EJ_STORE_CALENDAR_H

#include "core/dbctx.h"
#include "rules/calendar.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

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
    int deadline_days; /* settings.deadline_working_days */
};

/* How ej_store_calendar_load locks the calendar until the transaction ends:
 * lesson writers read it shared, calendar writers exclusively, so a lesson is
 * never created against a calendar that is being changed. */
enum ej_cal_lock { EJ_CAL_NOLOCK, EJ_CAL_SHARED, EJ_CAL_EXCLUSIVE };

/* Loads every entry and the deadline setting into c (initialised here; on
 * error c is empty but safe to clean up). */
enum ej_err ej_store_calendar_load(struct ej_db *db, enum ej_cal_lock lock, struct ej_cal *c);
void ej_cal_cleanup(struct ej_cal *c);

/* The deadline of a lesson on day d (Unix seconds UTC). */
int64_t ej_cal_deadline(const struct ej_cal *c, ej_day d);
/* True if the calendar has an entry (any kind) on d. */
bool ej_cal_has_entry(const struct ej_cal *c, ej_day d);
/* The dates (JSON array of "YYYY-MM-DD", appended to dates) that an entry on
 * d (a holiday, or a day off when day_off) would make public holidays: d
 * itself, and where its weekend rule, or a law transfer it displaces, moves a
 * day off. c is not changed. */
void ej_cal_new_public_holidays(const struct ej_cal *c, ej_day d, bool day_off, bool weekend_rule,
                                json_t *dates);
/* How far after a changed date the weekend rule can move a day off: a change
 * on d can move the deadlines of lessons held up to d + this. */
#define EJ_CAL_TRANSFER_WINDOW 31

/* Public holidays (law and custom) and custom days off of c in a year, by
 * date: [{date, name, source, kind}]. */
json_t *ej_cal_holidays(const struct ej_cal *c, int year);
/* The public holiday or day off on d: {date, name, source, kind}, or NULL. */
json_t *ej_cal_holiday(const struct ej_cal *c, ej_day d);
/* {date, deadline, due_date, working_days, working_day, public_holiday} for a
 * lesson held on d. */
json_t *ej_cal_deadline_view(const struct ej_cal *c, ej_day d);

/* A new calendar entry (kind "holiday", "day_off" or "working_day"), audited
 * as `action`. EJ_ERR_CONFLICT (constraint calendar_entries_date_key) when
 * the date has one. *entry: its view {date, kind, name, ...}. */
struct ej_calendar_entry_in {
    const char *date, *kind, *name, *note;
    bool weekend_rule;
};
enum ej_err ej_store_calendar_entry_add(struct ej_db *db, const char *action,
                                        const struct ej_calendar_entry_in *in, json_t **entry);
/* Deletes the entry on date if it is one of kinds (a text[] literal such as
 * "{holiday,day_off}"), audited as `action`; *found false when there is none. */
enum ej_err ej_store_calendar_entry_delete(struct ej_db *db, const char *action, const char *date,
                                           const char *kinds, bool *found);

/* Transferred working days of a year: [{date, note, created_at}]. */
enum ej_err ej_store_working_day_list(struct ej_db *db, int year, json_t **items);
/* The transferred working day on date (YYYY-MM-DD, checked); EJ_ERR_NOT_FOUND if none. */
enum ej_err ej_store_working_day_get(struct ej_db *db, const char *date, json_t **out);

#endif
