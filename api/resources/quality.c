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
#include "rules/quality.h"
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
    int64_t year = json_integer_value(json_object_get(r->body, "school_year_id"));
    if (year <= 0) {
        ej_invalid(r, "school_year_id", "must be a positive id");
        return;
    }
    /* The date against its year (ej_json_check made it a valid date). */
    struct ej_quality_year_span span;
    ej_day on = 0;
    enum ej_err e = ej_store_quality_year_span(&r->db, year, &span);
    if (e == EJ_ERR_NOT_FOUND) {
        ej_invalid(r, "school_year_id", "must be the id of a school year");
        return;
    }
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    ej_date_parse(ej_json_str(r->body, "reviewed_on"), &on);
    switch (ej_review_date_verdict(span.starts_on, span.ends_on, on, ej_riga_today())) {
    case EJ_REVIEW_DATE_OUTSIDE_YEAR:
        ej_invalid(r, "reviewed_on", "must be a date within the school year");
        return;
    case EJ_REVIEW_DATE_FUTURE: ej_invalid(r, "reviewed_on", "must not be in the future"); return;
    case EJ_REVIEW_DATE_OK: break;
    }
    const json_t *findings = json_object_get(r->body, "findings");
    long bad;
    bool bad_lesson;
    e = ej_store_quality_findings_check(&r->db, year, findings, &bad, &bad_lesson);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    if (bad >= 0) {
        char field[48];
        snprintf(field, sizeof field, "findings[%ld].%s", bad,
                 bad_lesson ? "lesson_id" : "teacher_id");
        ej_invalid(r, field,
                   bad_lesson ? "must be a lesson of this school year"
                              : "must be the id of a teacher");
        return;
    }
    e = ej_store_quality_review_create(&r->db, year, ej_json_str(r->body, "reviewed_on"),
                                       ej_json_str(r->body, "summary"), findings, &review);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    snprintf(r->location, sizeof r->location, "/api/v1/quality-reviews/%lld",
             (long long)json_integer_value(json_object_get(review, "id")));
    ej_reply(r, 201, review);
}

void ej_op_list_quality_reviews(struct ej_req *r)
{
    int limit;
    int64_t after, year;
    json_t *items;
    if (ej_page_params(r, &limit, &after) != 0 || ej_query_id(r, "school_year_id", &year) != 0)
        return;
    enum ej_err e = ej_store_quality_review_list(&r->db, year, limit, after, &items);
    if (e != EJ_OK)
        ej_problem_db(r, e);
    else
        ej_reply(r, 200, ej_page_wrap(items, limit));
}

void ej_op_get_quality_review(struct ej_req *r)
{
    int64_t id;
    json_t *review;
    if (ej_param_id(r, 0, &id) != 0)
        return;
    enum ej_err e = ej_store_quality_review_get(&r->db, id, &review);
    if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "No such quality review.");
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else
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

static const char *const count_names[] = {"due",     "on_time",    "late",
                                          "missing", "extensions", "substitutions"};
#define NCOUNTS (sizeof count_names / sizeof count_names[0])

static void counts_values(const struct ej_entry_counts *c, long long v[NCOUNTS])
{
    v[0] = c->due;
    v[1] = c->on_time;
    v[2] = c->late;
    v[3] = c->missing;
    v[4] = c->extensions;
    v[5] = c->substitutions;
}

/* The reviews against the required number (the setting, else
 * EJ_QUALITY_REVIEWS_REQUIRED), and each third of the school year with the
 * reviews dated in it (rules/quality.h). */
static json_t *reviews_json(const struct ej_entry_quality *q)
{
    struct ej_year_third thirds[3];
    long per[3] = {0, 0, 0};
    ej_year_thirds(q->starts_on, q->ends_on, thirds);
    for (size_t i = 0; i < q->nreviews; i++) {
        int k = ej_year_third_of(thirds, q->review_dates[i]);
        if (k)
            per[k - 1]++;
    }
    ej_day today = ej_riga_today();
    json_t *list = json_array(), *lacking = json_array();
    for (int k = 0; k < 3; k++) {
        char s[EJ_DATE_BUFSZ], e[EJ_DATE_BUFSZ];
        ej_date_format(thirds[k].starts_on, s);
        ej_date_format(thirds[k].ends_on, e);
        json_array_append_new(
            list, json_pack("{s:i, s:s, s:s, s:b, s:I}", "third", k + 1, "starts_on", s, "ends_on",
                            e, "ended", thirds[k].ends_on < today, "reviews", (json_int_t)per[k]));
        if (per[k] == 0)
            json_array_append_new(lacking, json_integer(k + 1));
    }
    return json_pack("{s:I, s:I, s:o, s:o}", "done", (json_int_t)q->nreviews, "required",
                     (json_int_t)(q->required >= 0 ? q->required : EJ_QUALITY_REVIEWS_REQUIRED),
                     "thirds", list, "thirds_without_review", lacking);
}

/* The teachers' rows: [{teacher_id, full_name, due, on_time, late, missing,
 * extensions, substitutions}], adding each count into sum. */
static json_t *teachers_json(const struct ej_entry_quality *q, long long sum[NCOUNTS])
{
    json_t *teachers = json_array();
    for (size_t i = 0; i < q->nteachers; i++) {
        const struct ej_entry_quality_teacher *t = &q->teachers[i];
        long long v[NCOUNTS];
        counts_values(&t->counts, v);
        json_t *o = json_object();
        json_object_set_new(o, "teacher_id",
                            t->teacher_id ? json_integer(t->teacher_id) : json_null());
        json_object_set_new(o, "full_name", t->full_name ? json_string(t->full_name) : json_null());
        for (size_t k = 0; k < NCOUNTS; k++) {
            sum[k] += v[k];
            json_object_set_new(o, count_names[k], json_integer(v[k]));
        }
        json_array_append_new(teachers, o);
    }
    return teachers;
}

static json_t *report_json(const struct ej_entry_quality *q, int64_t year, const char *from,
                           const char *to)
{
    long long sum[NCOUNTS] = {0};
    json_t *out = json_object(), *totals = json_object();
    json_object_set_new(out, "school_year_id", json_integer(year));
    json_object_set_new(out, "school_year_name",
                        q->school_year_name ? json_string(q->school_year_name) : json_null());
    json_object_set_new(out, "from", from ? json_string(from) : json_null());
    json_object_set_new(out, "to", to ? json_string(to) : json_null());
    json_object_set_new(out, "reviews", reviews_json(q));
    json_t *teachers = teachers_json(q, sum);
    for (size_t k = 0; k < NCOUNTS; k++)
        json_object_set_new(totals, count_names[k], json_integer(sum[k]));
    json_object_set_new(out, "totals", totals);
    json_object_set_new(out, "teachers", teachers);
    return out;
}

/* The teachers' rows as CSV, straight from the facts. */
static void reply_csv(struct ej_req *r, const struct ej_entry_quality *q)
{
    static const char *const cols[] = {"teacher_id", "full_name",     "due",
                                       "on_time",    "late",          "missing",
                                       "extensions", "substitutions", NULL};
    struct ej_csv c;
    long long sum[NCOUNTS] = {0};
    json_t *teachers = teachers_json(q, sum);
    ej_csv_init(&c, 0); /* a row per teacher: far below the ceiling */
    ej_csv_table(&c, cols, teachers);
    json_decref(teachers);
    ej_reply_text(r, 200, EJ_CSV_TYPE, c.out.data, c.out.len);
    ej_csv_cleanup(&c);
}

void ej_op_get_entry_quality_report(struct ej_req *r)
{
    int64_t year;
    char from[16], to[16];
    const char *f, *t;
    struct ej_entry_quality q;
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
    enum ej_err e = ej_store_entry_quality(&r->db, year, f, t, &q);
    if (e == EJ_ERR_NOT_FOUND)
        ej_problem(r, 404, "not_found", "No such school year.");
    else if (e != EJ_OK)
        ej_problem_db(r, e);
    else if (wants_csv(r))
        reply_csv(r, &q);
    else
        ej_reply(r, 200, report_json(&q, year, f, t));
    ej_entry_quality_cleanup(&q);
}
