/* Schedule and lessons (§12, §13, §15, §17): the superuser enters each
 * group's weekly schedule, single lessons, cancellations and substitutes;
 * readers see the lessons of the groups visible to them (rules/access.h).
 * The store reads the facts (the group's year, the lesson's state, the
 * substitute's role), rules/lessons.h decides, and the problems are here. */
#include "resources/resources.h"

#include "core/json.h"
#include "core/utf8.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "rules/lessons.h"
#include "store/lessons.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ej_field slot_fields[] = {
    {"weekday", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"starts_at", EJ_F_TIME, EJ_F_REQUIRED, 0},
    {"ends_at", EJ_F_TIME, EJ_F_REQUIRED, 0},
    {"room", EJ_F_STRING, EJ_F_NULLABLE, 100},
    {"valid_from", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"valid_to", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {NULL, 0, 0, 0},
};
static const struct ej_field lesson_fields[] = {
    {"group_id", EJ_F_INT, EJ_F_REQUIRED, 0},   {"date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"starts_at", EJ_F_TIME, EJ_F_REQUIRED, 0}, {"ends_at", EJ_F_TIME, EJ_F_REQUIRED, 0},
    {"room", EJ_F_STRING, EJ_F_NULLABLE, 100},  {NULL, 0, 0, 0},
};
static const struct ej_field cancel_fields[] = {
    {"reason", EJ_F_STRING, EJ_F_REQUIRED, 500},
    {NULL, 0, 0, 0},
};
static const struct ej_field substitute_fields[] = {
    {"teacher_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {NULL, 0, 0, 0},
};

static const char *const states[] = {"planned", "due", "recorded", "overdue", "cancelled", NULL};

/* Times HH:MM compare as strings. */
static int validate_times(struct ej_req *r, const json_t *b)
{
    if (strcmp(ej_json_str(b, "ends_at"), ej_json_str(b, "starts_at")) <= 0)
        return ej_invalid(r, "ends_at", "must be after starts_at");
    if (ej_blank(ej_json_str(b, "room")))
        return ej_invalid(r, "room", "must not be blank");
    return 0;
}

static int validate_slot(struct ej_req *r, const json_t *b)
{
    json_int_t wd = json_integer_value(json_object_get(b, "weekday"));
    if (wd < 1 || wd > 7)
        return ej_invalid(r, "weekday", "must be 1 (Monday) to 7 (Sunday)");
    if (strcmp(ej_json_str(b, "valid_to"), ej_json_str(b, "valid_from")) < 0)
        return ej_invalid(r, "valid_to", "must not be before valid_from");
    return validate_times(r, b);
}

static int validate_lesson(struct ej_req *r, const json_t *b)
{
    if (json_integer_value(json_object_get(b, "group_id")) <= 0)
        return ej_invalid(r, "group_id", "must be a positive id");
    return validate_times(r, b);
}

static int validate_positive(struct ej_req *r, const json_t *b, const char *field)
{
    if (json_integer_value(json_object_get(b, field)) <= 0)
        return ej_invalid(r, field, "must be a positive id");
    return 0;
}

static int state_param(struct ej_req *r, char *buf, size_t len, const char **out)
{
    *out = NULL;
    int got = ej_query(r, "state", buf, len);
    if (got <= 0)
        return got;
    for (const char *const *s = states; *s; s++)
        if (strcmp(*s, buf) == 0) {
            *out = buf;
            return 0;
        }
    return ej_problem(r, 400, "invalid_query",
                      "state must be planned, due, recorded, overdue or cancelled.");
}

/* ?teacher_id=: a user's id, or `me` for the caller's own. */
static int teacher_param(struct ej_req *r, int64_t *out)
{
    char v[24];
    int got = ej_query(r, "teacher_id", v, sizeof v);
    *out = 0;
    if (got == 1 && strcmp(v, "me") == 0) {
        *out = r->who.user_id;
        return 0;
    }
    return got < 0 ? -1 : ej_query_id(r, "teacher_id", out);
}

/* ?date= is one day: from and to at once, so it does not go with either. */
static int day_param(struct ej_req *r, char *buf, size_t len, struct ej_lesson_filter *f)
{
    const char *date;
    if (ej_query_date(r, "date", buf, len, &date) != 0)
        return -1;
    if (!date)
        return 0;
    if (f->from || f->to)
        return ej_problem(r, 400, "invalid_query",
                          "date is one day; it does not go with from or to.");
    f->from = f->to = date;
    return 0;
}

static unsigned lesson_scopes(const struct ej_req *r)
{
    return ej_read_scopes(r->who.roles, EJ_OBJ_LESSON);
}

static unsigned attendance_scopes(const struct ej_req *r)
{
    return ej_read_scopes(r->who.roles, EJ_OBJ_ATTENDANCE);
}

/* 422 naming one field. */
static int invalid(struct ej_req *r, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int invalid(struct ej_req *r, const char *field, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ej_utf8_truncate(msg, sizeof msg - 1);
    return ej_invalid(r, field, msg);
}

static int no_lesson(struct ej_req *r)
{
    return ej_problem(r, 404, "not_found", "No such lesson.");
}

/* The ETag of a lesson's view. */
static void lesson_etag(struct ej_req *r, const json_t *lesson)
{
    ej_set_etag(r, json_integer_value(json_object_get(lesson, "version")));
}

/* A failed store call on a lesson: 404 in its words, else the generic mapping. */
static int lesson_failed(struct ej_req *r, enum ej_err e)
{
    return e == EJ_ERR_NOT_FOUND ? no_lesson(r) : ej_problem_db(r, e);
}

/* The verdict on dates of a group's year; `field` names the date of a single lesson. */
static int year_dates_problem(struct ej_req *r, enum ej_year_dates_verdict v,
                              const struct ej_group_year *g, const char *from_field,
                              const char *to_field)
{
    switch (v) {
    case EJ_YEAR_DATES_OK: return 0;
    case EJ_YEAR_DATES_CLOSED: return ej_problem_year_closed(r);
    case EJ_YEAR_DATES_FROM_OUTSIDE:
        return invalid(r, from_field, "must be within the group's school year (%s to %s)",
                       g->starts_on, g->ends_on);
    case EJ_YEAR_DATES_TO_OUTSIDE: break;
    }
    return invalid(r, to_field, "must be within the group's school year (%s to %s)", g->starts_on,
                   g->ends_on);
}

static int lesson_verdict_problem(struct ej_req *r, enum ej_lesson_verdict v)
{
    switch (v) {
    case EJ_LESSON_WRITABLE: return 0;
    case EJ_LESSON_YEAR_CLOSED: return ej_problem_year_closed(r);
    case EJ_LESSON_CANCELLED:
        return ej_problem(r, 409, "lesson_cancelled", "The lesson is cancelled.");
    case EJ_LESSON_RECORDED: break;
    }
    return ej_problem(r, 409, "lesson_recorded",
                      "The lesson is already recorded; it can no longer change.");
}

void ej_op_create_schedule_slot(struct ej_req *r)
{
    int64_t gid;
    struct ej_group_year g;
    struct ej_cal c;
    struct ej_schedule_out o;
    enum ej_err e;
    if (ej_param_id(r, 0, &gid) != 0 || ej_json_check(r, r->body, slot_fields) != 0 ||
        validate_slot(r, r->body) != 0)
        return;
    struct ej_slot_in in = {(int)json_integer_value(json_object_get(r->body, "weekday")),
                            ej_json_str(r->body, "starts_at"),
                            ej_json_str(r->body, "ends_at"),
                            ej_json_str(r->body, "room"),
                            ej_json_str(r->body, "valid_from"),
                            ej_json_str(r->body, "valid_to")};
    if ((e = ej_store_group_year_lock(&r->db, gid, &g)) != EJ_OK) {
        if (e == EJ_ERR_NOT_FOUND)
            ej_problem(r, 404, "not_found", "No such group.");
        else
            ej_problem_db(r, e);
        return;
    }
    if (year_dates_problem(
            r, ej_year_dates(g.closed, in.valid_from, in.valid_to, g.starts_on, g.ends_on), &g,
            "valid_from", "valid_to") != 0)
        return;
    if (ej_store_calendar_load(&r->db, EJ_CAL_SHARED, &c) != EJ_OK) {
        ej_problem_db(r, r->db.err);
    } else if ((e = ej_store_schedule_create(&r->db, gid, &in, &c, &o)) != EJ_OK) {
        if (e == EJ_ERR_CONFLICT && o.conflict) {
            ej_problem(r, 409, "slot_exists",
                       "The group already has a slot on this weekday, start time and dates with a "
                       "different end or room.");
            if (r->out)
                json_object_set(r->out, "slot", o.conflict);
        } else {
            ej_problem_db(r, e);
        }
        json_decref(o.conflict);
    } else {
        snprintf(r->location, sizeof r->location, "/api/v1/groups/%lld/schedule", (long long)gid);
        ej_reply(r, o.created ? 201 : 200, o.out);
    }
    ej_cal_cleanup(&c);
}

void ej_op_list_schedule(struct ej_req *r)
{
    int64_t gid, after;
    int limit;
    json_t *items;
    if (ej_param_id(r, 0, &gid) != 0 || ej_page_params(r, &limit, &after) != 0)
        return;
    enum ej_err e = ej_store_schedule_list(&r->db, &r->who, gid, lesson_scopes(r), limit, after,
                                           &items);
    if (e == EJ_OK)
        ej_reply(r, 200, ej_page_wrap(items, limit));
    else if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "No such group.");
    else
        ej_problem_db(r, e);
}

/* §17 and the group's timetable: where a single lesson may go. */
static int lesson_place_problem(struct ej_req *r, const struct ej_lesson_in *in,
                                const struct ej_cal *c)
{
    ej_day d;
    int64_t clash;
    bool same;
    ej_date_parse(in->date, &d);
    const char *holiday = ej_public_holiday_name(&c->cal, d);
    if (holiday) {
        ej_problem(r, 422, "public_holiday",
                   "%s is a public holiday (%s): no lesson is held on it (§17).", in->date,
                   holiday);
        if (r->out) {
            json_object_set_new(r->out, "date", json_string(in->date));
            json_object_set_new(r->out, "holiday", json_string(holiday));
        }
        ej_problem_field(r, "date", "is a public holiday");
        return -1;
    }
    if (ej_store_lesson_clash(&r->db, in, &clash, &same) != EJ_OK)
        return ej_problem_db(r, r->db.err);
    if (!clash)
        return 0;
    if (same)
        ej_problem(r, 409, "lesson_exists",
                   "The group already has a lesson starting at this time on this date (id %lld).",
                   (long long)clash);
    else
        ej_problem(r, 409, "lesson_overlaps",
                   "The group already has a lesson at this time on this date (id %lld).",
                   (long long)clash);
    if (r->out)
        json_object_set_new(r->out, "lesson_id", json_integer(clash));
    return -1;
}

void ej_op_create_lesson(struct ej_req *r)
{
    struct ej_group_year g;
    struct ej_cal c;
    json_t *lesson;
    enum ej_err e;
    if (ej_json_check(r, r->body, lesson_fields) != 0 || validate_lesson(r, r->body) != 0)
        return;
    struct ej_lesson_in in = {json_integer_value(json_object_get(r->body, "group_id")),
                              ej_json_str(r->body, "date"), ej_json_str(r->body, "starts_at"),
                              ej_json_str(r->body, "ends_at"), ej_json_str(r->body, "room")};
    if ((e = ej_store_group_year_lock(&r->db, in.group_id, &g)) != EJ_OK) {
        if (e == EJ_ERR_NOT_FOUND)
            invalid(r, "group_id", "refers to no group");
        else
            ej_problem_db(r, e);
        return;
    }
    if (year_dates_problem(r, ej_year_dates(g.closed, in.date, in.date, g.starts_on, g.ends_on), &g,
                           "date", "date") != 0)
        return;
    if (ej_store_calendar_load(&r->db, EJ_CAL_SHARED, &c) != EJ_OK) {
        ej_problem_db(r, r->db.err);
    } else if (lesson_place_problem(r, &in, &c) == 0) {
        if (ej_store_lesson_create(&r->db, &in, &c, &lesson) != EJ_OK) {
            ej_problem_db(r, r->db.err);
        } else {
            snprintf(r->location, sizeof r->location, "/api/v1/lessons/%lld",
                     (long long)json_integer_value(json_object_get(lesson, "id")));
            lesson_etag(r, lesson);
            ej_reply(r, 201, lesson);
        }
    }
    ej_cal_cleanup(&c);
}

void ej_op_list_lessons(struct ej_req *r)
{
    struct ej_lesson_filter f;
    char from[16], to[16], day[16], state[16];
    json_t *items;
    memset(&f, 0, sizeof f);
    if (ej_query_id(r, "group_id", &f.group_id) != 0 || teacher_param(r, &f.teacher_id) != 0 ||
        ej_query_date(r, "from", from, sizeof from, &f.from) != 0 ||
        ej_query_date(r, "to", to, sizeof to, &f.to) != 0 ||
        day_param(r, day, sizeof day, &f) != 0 ||
        state_param(r, state, sizeof state, &f.state) != 0 ||
        ej_page_params(r, &f.limit, &f.after) != 0)
        return;
    if (ej_store_lesson_list(&r->db, &r->who, lesson_scopes(r), attendance_scopes(r), &f, &items) !=
        EJ_OK)
        ej_problem_db(r, r->db.err);
    else
        ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_lesson(struct ej_req *r)
{
    int64_t id;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    if (ej_store_lesson_get(&r->db, &r->who, id, lesson_scopes(r), attendance_scopes(r), &lesson) !=
        EJ_OK) {
        lesson_failed(r, r->db.err);
        return;
    }
    lesson_etag(r, lesson);
    ej_reply(r, 200, lesson);
}

void ej_op_cancel_lesson(struct ej_req *r)
{
    int64_t id;
    json_t *before = NULL, *lesson;
    bool closed;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, cancel_fields) != 0)
        return;
    if (ej_blank(ej_json_str(r->body, "reason"))) {
        ej_invalid(r, "reason", "must not be blank");
        return;
    }
    if (ej_store_lesson_lock(&r->db, id, &before, &closed) != EJ_OK) {
        lesson_failed(r, r->db.err);
        return;
    }
    if (lesson_verdict_problem(r, ej_lesson_writable(closed, ej_json_str(before, "state"))) == 0) {
        if (ej_store_lesson_cancel(&r->db, id, before, ej_json_str(r->body, "reason"), &lesson) !=
            EJ_OK) {
            lesson_failed(r, r->db.err);
        } else {
            lesson_etag(r, lesson);
            ej_reply(r, 200, lesson);
        }
    }
    json_decref(before);
}

/* Assigns (teacher_id > 0) or removes (0) the substitute (§15). */
static void set_substitute(struct ej_req *r, int64_t id, int64_t version, int64_t teacher_id)
{
    json_t *before = NULL, *lesson = NULL;
    bool closed, active = false, teaches = false;
    if (ej_store_lesson_lock(&r->db, id, &before, &closed) != EJ_OK) {
        lesson_failed(r, r->db.err);
        return;
    }
    int64_t current = json_integer_value(json_object_get(before, "substitute_teacher_id"));
    if (version >= 0 && json_integer_value(json_object_get(before, "version")) != version) {
        ej_problem(r, 412, "precondition_failed",
                   "The lesson was changed by someone else; reload and try again.");
        goto out;
    }
    if (lesson_verdict_problem(r, ej_lesson_writable(closed, ej_json_str(before, "state"))) != 0)
        goto out;
    if (teacher_id) {
        if (ej_store_substitute_facts(&r->db, teacher_id,
                                      json_integer_value(json_object_get(before, "group_id")),
                                      &active, &teaches) != EJ_OK) {
            ej_problem_db(r, r->db.err);
            goto out;
        }
        switch (ej_substitute_allowed(active, teaches)) {
        case EJ_SUBSTITUTE_OK: break;
        case EJ_SUBSTITUTE_NOT_A_TEACHER:
            ej_problem(r, 422, "not_a_teacher",
                       "The substitute must be a user with the role teacher and active access.");
            ej_problem_field(r, "teacher_id", "is not an active teacher");
            goto out;
        case EJ_SUBSTITUTE_TEACHES_GROUP:
            ej_problem(
                r, 422, "substitute_is_group_teacher",
                "This teacher already teaches the group; a substitute is someone else (§15).");
            ej_problem_field(r, "teacher_id", "teaches this group");
            goto out;
        }
    }
    if (current == teacher_id) {
        /* Nothing to change: answer with the lesson as it is. */
        lesson = json_incref(before);
    } else if (ej_store_lesson_set_substitute(&r->db, id, before, teacher_id, &lesson) != EJ_OK) {
        lesson_failed(r, r->db.err);
        goto out;
    }
    lesson_etag(r, lesson);
    ej_reply(r, 200, lesson);
out:
    json_decref(before);
}

void ej_op_set_substitute(struct ej_req *r)
{
    int64_t id, version;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, substitute_fields) != 0 ||
        validate_positive(r, r->body, "teacher_id") != 0)
        return;
    set_substitute(r, id, version, json_integer_value(json_object_get(r->body, "teacher_id")));
}

void ej_op_remove_substitute(struct ej_req *r)
{
    int64_t id, version;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0)
        return;
    set_substitute(r, id, version, 0);
}
