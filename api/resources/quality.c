/* §16: the deputy director checks the quality of the entries at least three
 * times a school year. Reviews are recorded with their findings; the report
 * shows, per teacher and in total, the entries a review looks at (on time,
 * late, missing, extensions, substitutions) and the reviews done against the
 * required number, with the thirds of the year that still lack one. The
 * report is JSON, or CSV with Accept: text/csv (the teachers' rows). */
#define _GNU_SOURCE /* strcasestr */
#include "resources/resources.h"

#include "core/csv.h"
#include "core/json.h"
#include "store/quality.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FINDINGS 200

static const struct ej_field review_fields[] = {
    {"school_year_id", EJ_F_INT, EJ_F_REQUIRED, 0},
    {"reviewed_on", EJ_F_DATE, EJ_F_REQUIRED, 0},
    {"summary", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 4000},
    {"findings", EJ_F_ARRAY, 0, MAX_FINDINGS},
    {NULL, 0, 0, 0},
};
static const struct ej_field finding_fields[] = {
    {"lesson_id", EJ_F_INT, EJ_F_NULLABLE, 0},
    {"teacher_id", EJ_F_INT, EJ_F_NULLABLE, 0},
    {"note", EJ_F_STRING, EJ_F_REQUIRED | EJ_F_NAME, 2000},
    {NULL, 0, 0, 0},
};

/* Each finding an object of finding_fields with positive ids; the problem
 * names findings[i].field. */
static int check_findings(struct ej_req *r, const json_t *findings)
{
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) {
        char field[48];
        json_t *errors = json_array();
        size_t bad = ej_json_row_check(f, finding_fields, (long)i, errors);
        if (bad) {
            json_t *e = json_array_get(errors, 0);
            snprintf(field, sizeof field, "findings[%zu].%s", i,
                     json_string_value(json_object_get(e, "field")));
            ej_invalid(r, field, json_string_value(json_object_get(e, "message")));
            json_decref(errors);
            return -1;
        }
        json_decref(errors);
        static const char *const ids[] = {"lesson_id", "teacher_id"};
        for (size_t k = 0; k < 2; k++) {
            json_t *v = json_object_get(f, ids[k]);
            if (json_is_integer(v) && json_integer_value(v) <= 0) {
                snprintf(field, sizeof field, "findings[%zu].%s", i, ids[k]);
                return ej_invalid(r, field, "must be a positive id");
            }
        }
    }
    return 0;
}

void ej_op_create_quality_review(struct ej_req *r)
{
    json_t *review;
    if (ej_json_check(r, r->body, review_fields) != 0 ||
        check_findings(r, json_object_get(r->body, "findings")) != 0)
        return;
    if (json_integer_value(json_object_get(r->body, "school_year_id")) <= 0) {
        ej_invalid(r, "school_year_id", "must be a positive id");
        return;
    }
    if (ej_store_quality_review_create(r, r->body, &review) == 0) {
        snprintf(r->location, sizeof r->location, "/api/v1/quality-reviews/%lld",
                 (long long)json_integer_value(json_object_get(review, "id")));
        ej_reply(r, 201, review);
    }
}

void ej_op_list_quality_reviews(struct ej_req *r)
{
    int limit;
    int64_t after, year;
    json_t *items;
    if (ej_page_params(r, &limit, &after) == 0 &&
        ej_query_id(r, "school_year_id", &year) == 0 &&
        ej_store_quality_review_list(r, year, limit, after, &items) == 0)
        ej_reply(r, 200, ej_page_wrap(items, limit));
}

void ej_op_get_quality_review(struct ej_req *r)
{
    int64_t id;
    json_t *review;
    if (ej_param_id(r, 0, &id) == 0 && ej_store_quality_review_get(r, id, &review) == 0)
        ej_reply(r, 200, review);
}

/* Accept names text/csv, without q=0. */
static bool wants_csv(const struct ej_req *r)
{
    const char *a = ej_req_header(r, "Accept");
    const char *m = a ? strcasestr(a, "text/csv") : NULL;
    if (!m)
        return false;
    const char *end = strchr(m, ',');
    const char *q = strstr(m, "q=");
    if (q && (!end || q < end))
        return strtod(q + 2, NULL) > 0;
    return true;
}

static void reply_csv(struct ej_req *r, const json_t *report)
{
    static const char *const cols[] = {"teacher_id", "full_name", "due", "on_time", "late",
                                       "missing", "extensions", "substitutions", NULL};
    struct ej_csv c;
    ej_csv_init(&c, 0); /* a row per teacher: far below the ceiling */
    ej_csv_table(&c, cols, json_object_get(report, "teachers"));
    ej_reply_text(r, 200, EJ_CSV_TYPE, c.out.data, c.out.len);
    ej_csv_cleanup(&c);
}

void ej_op_get_entry_quality_report(struct ej_req *r)
{
    int64_t year;
    char from[16], to[16];
    const char *f, *t;
    json_t *report;
    if (ej_query_id(r, "school_year_id", &year) != 0 ||
        ej_query_date(r, "from", from, sizeof from, &f) != 0 ||
        ej_query_date(r, "to", to, sizeof to, &t) != 0)
        return;
    if (!year) {
        ej_problem(r, 400, "invalid_query", "school_year_id is required.");
        return;
    }
    if (f && t && strcmp(f, t) > 0) {
        ej_problem(r, 400, "invalid_query", "from must not be after to.");
        return;
    }
    if (ej_store_entry_quality(r, year, f, t, &report) != 0)
        return;
    if (wants_csv(r)) {
        reply_csv(r, report);
        json_decref(report);
    } else {
        ej_reply(r, 200, report);
    }
}
