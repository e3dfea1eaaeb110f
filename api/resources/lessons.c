/* Schedule and lessons (§12, §13, §15, §17): the superuser enters each
 * group's weekly schedule, single lessons, cancellations and substitutes;
 * readers see the lessons of the groups visible to them (rules/access.h). */
#include "resources/resources.h"

#include "core/json.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "store/lessons.h"

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
    {"group_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"date", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"starts_at", EJ_F_TIME, EJ_F_REQUIRED, 0},
    {"ends_at", EJ_F_TIME, EJ_F_REQUIRED, 0},
    {"room", EJ_F_STRING, EJ_F_NULLABLE, 100},
    {NULL, 0, 0, 0},
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

void ej_op_create_schedule_slot(struct ej_req *r)
{
    int64_t gid;
    bool created;
    json_t *out;
    if (ej_param_id(r, 0, &gid) != 0 || ej_json_check(r, r->body, slot_fields) != 0 ||
        validate_slot(r, r->body) != 0 ||
        ej_store_schedule_create(r, gid, r->body, &out, &created) != 0)
        return;
    snprintf(r->location, sizeof r->location, "/api/v1/groups/%lld/schedule", (long long)gid);
    ej_reply(r, created ? 201 : 200, out);
}

void ej_op_list_schedule(struct ej_req *r)
{
    int64_t gid, after;
    int limit;
    json_t *items;
    if (ej_param_id(r, 0, &gid) != 0 || ej_page_params(r, &limit, &after) != 0 ||
        ej_store_schedule_list(r, gid, lesson_scopes(r), limit, after, &items) != 0)
        return;
    ej_reply(r, 200, ej_page_wrap(items, limit));
}

void ej_op_create_lesson(struct ej_req *r)
{
    json_t *lesson;
    if (ej_json_check(r, r->body, lesson_fields) != 0 || validate_lesson(r, r->body) != 0 ||
        ej_store_lesson_create(r, r->body, &lesson) != 0)
        return;
    snprintf(r->location, sizeof r->location, "/api/v1/lessons/%lld",
             (long long)json_integer_value(json_object_get(lesson, "id")));
    ej_reply(r, 201, lesson);
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
        ej_page_params(r, &f.limit, &f.after) != 0 ||
        ej_store_lesson_list(r, lesson_scopes(r), attendance_scopes(r), &f, &items) != 0)
        return;
    ej_reply(r, 200, ej_page_wrap(items, f.limit));
}

void ej_op_get_lesson(struct ej_req *r)
{
    int64_t id;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) == 0 &&
        ej_store_lesson_get(r, id, lesson_scopes(r), attendance_scopes(r), &lesson) == 0)
        ej_reply(r, 200, lesson);
}

void ej_op_cancel_lesson(struct ej_req *r)
{
    int64_t id;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0 || ej_json_check(r, r->body, cancel_fields) != 0)
        return;
    if (ej_blank(ej_json_str(r->body, "reason"))) {
        ej_invalid(r, "reason", "must not be blank");
        return;
    }
    if (ej_store_lesson_cancel(r, id, ej_json_str(r->body, "reason"), &lesson) == 0)
        ej_reply(r, 200, lesson);
}

void ej_op_set_substitute(struct ej_req *r)
{
    int64_t id, version;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_json_check(r, r->body, substitute_fields) != 0 ||
        validate_positive(r, r->body, "teacher_id") != 0 ||
        ej_store_lesson_set_substitute(
            r, id, version, json_integer_value(json_object_get(r->body, "teacher_id")),
            &lesson) != 0)
        return;
    ej_reply(r, 200, lesson);
}

void ej_op_remove_substitute(struct ej_req *r)
{
    int64_t id, version;
    json_t *lesson;
    if (ej_param_id(r, 0, &id) != 0 || ej_if_match(r, &version) != 0 ||
        ej_store_lesson_set_substitute(r, id, version, 0, &lesson) != 0)
        return;
    ej_reply(r, 200, lesson);
}
