/* Reports and exports (issue 11, SPEC.md "Reports and exports", §15, §20):
 * the hours per teacher and group, and a group's journal as one document,
 * each as JSON, CSV (Accept: text/csv) or, for the journal, a printable page
 * (Accept: text/html). Who sees what is in api/rules/access.c. */
#include "resources/resources.h"

#include "core/csv.h"
#include "core/html.h"
#include "rules/access.h"
#include "rules/calendar.h"
#include "store/exports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The longest range a report or export covers: a school year is at most 400 days. */
#define MAX_RANGE_DAYS 400

/* from/to (YYYY-MM-DD, inclusive): both required unless optional; to not
 * before from; at most MAX_RANGE_DAYS apart. 0 or -1 with 400. */
static int date_range(struct ej_req *r, bool required, char *fbuf, char *tbuf, const char **from,
                      const char **to)
{
    if (ej_query_date(r, "from", fbuf, 16, from) != 0 || ej_query_date(r, "to", tbuf, 16, to) != 0)
        return -1;
    if (required && (!*from || !*to))
        return ej_problem(r, 400, "invalid_query", "from and to are required (YYYY-MM-DD).");
    if (*from && *to && strcmp(*to, *from) < 0)
        return ej_problem(r, 400, "invalid_query", "to must not be before from.");
    ej_day a, b;
    if (*from && *to && ej_date_parse(*from, &a) && ej_date_parse(*to, &b) &&
        b - a > MAX_RANGE_DAYS)
        return ej_problem(r, 400, "invalid_query", "from and to may be at most %d days apart.",
                          MAX_RANGE_DAYS);
    return 0;
}

static const char *const documents[] = {"text/csv", "text/html", "application/json", NULL};

static void reply_buf(struct ej_req *r, const char *type, struct ej_buf *b)
{
    if (b->full)
        ej_problem(r, 400, "invalid_query",
                   "The document would be too large; ask for a shorter range.");
    else
        ej_reply_text(r, 200, type, b->data ? b->data : "", b->len);
}

/* ---- GET /reports/hours ---- */

static void hours_csv(struct ej_req *r, const json_t *report)
{
    static const char *const cols[] = {
        "teacher_id", "teacher_name",       "teacher_external_id", "group_id",
        "group_name", "group_external_id",  "program_name",        "lessons",
        "hours",      "substitute_lessons", "substitute_hours",    NULL};
    struct ej_csv c;
    ej_csv_init(&c, 0);
    for (const char *const *col = cols; *col; col++)
        ej_csv_cell(&c, *col);
    ej_csv_row_end(&c);
    size_t i, k;
    json_t *t, *g;
    json_array_foreach(json_object_get(report, "teachers"), i, t) {
        json_array_foreach(json_object_get(t, "groups"), k, g) {
            ej_csv_json_cell(&c, json_object_get(t, "teacher_id"));
            ej_csv_json_cell(&c, json_object_get(t, "full_name"));
            ej_csv_json_cell(&c, json_object_get(t, "external_id"));
            ej_csv_json_cell(&c, json_object_get(g, "group_id"));
            ej_csv_json_cell(&c, json_object_get(g, "group_name"));
            ej_csv_json_cell(&c, json_object_get(g, "group_external_id"));
            ej_csv_json_cell(&c, json_object_get(g, "program_name"));
            ej_csv_json_cell(&c, json_object_get(g, "lessons"));
            ej_csv_json_cell(&c, json_object_get(g, "hours"));
            ej_csv_json_cell(&c, json_object_get(g, "substitute_lessons"));
            ej_csv_json_cell(&c, json_object_get(g, "substitute_hours"));
            ej_csv_row_end(&c);
        }
    }
    reply_buf(r, EJ_CSV_TYPE, &c.out);
    ej_csv_cleanup(&c);
}

void ej_op_get_hours_report(struct ej_req *r)
{
    char fbuf[16], tbuf[16];
    const char *from, *to;
    int64_t teacher_id;
    json_t *report;
    if (date_range(r, true, fbuf, tbuf, &from, &to) != 0 ||
        ej_query_id(r, "teacher_id", &teacher_id) != 0)
        return;
    /* §15: a teacher sees their own hours only (asking for someone else's is
     * 403: the report is about employees, whose existence is no secret). */
    unsigned scopes = ej_read_scopes(r->who.roles, EJ_OBJ_HOURS);
    if (!(scopes & EJ_SCOPE_ALL)) {
        if (teacher_id && teacher_id != r->who.user_id) {
            ej_problem(r, 403, "forbidden", "A teacher sees only their own hours.");
            return;
        }
        teacher_id = r->who.user_id;
    }
    enum ej_err e = ej_store_hours_report(&r->db, from, to, teacher_id, &report);
    if (e != EJ_OK) {
        ej_problem_db(r, e);
        return;
    }
    const char *type = ej_accept_pick(r, documents);
    if (type && strcmp(type, "text/csv") == 0) {
        hours_csv(r, report);
        json_decref(report);
    } else {
        ej_reply(r, 200, report);
    }
}

/* ---- GET /groups/{id}/journal ---- */

/* The student's attendance entry for a lesson (borrowed), or NULL. */
static const json_t *attendance_of(const json_t *student, json_int_t lesson_id)
{
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(student, "attendance"), i, a) {
        if (json_integer_value(json_object_get(a, "lesson_id")) == lesson_id)
            return a;
    }
    return NULL;
}

/* One row per student and lesson (SPEC.md); a lesson with nobody enrolled
 * still has its row, so every topic is in the file. */
static void journal_csv(struct ej_req *r, const json_t *doc)
{
    static const char *const cols[] = {"lesson_id",
                                       "date",
                                       "starts_at",
                                       "ends_at",
                                       "hours",
                                       "state",
                                       "topic",
                                       "teacher",
                                       "by_substitute",
                                       "student_id",
                                       "student_external_id",
                                       "student",
                                       "status",
                                       "reason_code",
                                       NULL};
    const json_t *students = json_object_get(doc, "students");
    struct ej_csv c;
    ej_csv_init(&c, 0);
    for (const char *const *col = cols; *col; col++)
        ej_csv_cell(&c, *col);
    ej_csv_row_end(&c);
    size_t i, k;
    json_t *l, *s;
    json_array_foreach(json_object_get(doc, "lessons"), i, l) {
        json_int_t lid = json_integer_value(json_object_get(l, "id"));
        size_t rows = 0;
        size_t n = json_array_size(students);
        for (k = 0; k < n || (k == 0 && rows == 0); k++) {
            s = json_array_get(students, k);
            ej_csv_json_cell(&c, json_object_get(l, "id"));
            ej_csv_json_cell(&c, json_object_get(l, "date"));
            ej_csv_json_cell(&c, json_object_get(l, "starts_at"));
            ej_csv_json_cell(&c, json_object_get(l, "ends_at"));
            ej_csv_json_cell(&c, json_object_get(l, "hours"));
            ej_csv_json_cell(&c, json_object_get(l, "state"));
            ej_csv_json_cell(&c, json_object_get(l, "topic"));
            ej_csv_json_cell(&c, json_object_get(l, "teacher_name"));
            ej_csv_json_cell(&c, json_object_get(l, "by_substitute"));
            ej_csv_json_cell(&c, s ? json_object_get(s, "id") : NULL);
            ej_csv_json_cell(&c, s ? json_object_get(s, "external_id") : NULL);
            ej_csv_json_cell(&c, s ? json_object_get(s, "full_name") : NULL);
            const json_t *a = s ? attendance_of(s, lid) : NULL;
            ej_csv_json_cell(&c, a ? json_object_get(a, "status") : NULL);
            ej_csv_json_cell(&c, a ? json_object_get(a, "reason_code") : NULL);
            ej_csv_row_end(&c);
            rows++;
        }
    }
    reply_buf(r, EJ_CSV_TYPE, &c.out);
    ej_csv_cleanup(&c);
}

static void td(struct ej_buf *b, const json_t *v)
{
    char num[32];
    if (json_is_integer(v))
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
    ej_html_elem(b, json_is_number(v) ? "td class=\"n\"" : "td",
                 json_is_number(v) ? num : json_string_value(v));
}

/* The marks of the attendance table (Latvian first, as the journal is kept). */
static const char *mark(const json_t *a)
{
    const char *s = json_string_value(json_object_get(a, "status"));
    if (!s)
        return "";
    return strcmp(s, "present") == 0 ? "+" : strcmp(s, "late") == 0 ? "k" : "n";
}

static void journal_html(struct ej_req *r, const json_t *doc)
{
    const json_t *g = json_object_get(doc, "group");
    const json_t *lessons = json_object_get(doc, "lessons");
    const json_t *students = json_object_get(doc, "students");
    struct ej_buf b, title;
    ej_buf_init(&b, 0);
    /* Built in a buffer, not a fixed array: a 200-character name is up to
     * 800 bytes of UTF-8, and a cut would split a character. */
    ej_buf_init(&title, 0);
    ej_buf_puts(&title, "Grupas žurnāls / Group journal: ");
    ej_buf_puts(&title, json_string_value(json_object_get(g, "name")));
    ej_html_begin(&b, "lv", title.data);
    ej_html_elem(&b, "h1", title.data);
    ej_buf_cleanup(&title);
    ej_buf_puts(&b, "<p class=\"meta\">Programma / Programme: ");
    ej_html_escape(&b, json_string_value(json_object_get(g, "program_name")));
    ej_buf_puts(&b, " · Mācību gads / School year: ");
    ej_html_escape(&b, json_string_value(json_object_get(g, "school_year_name")));
    ej_buf_puts(&b, "</p>\n<p class=\"meta\">Pedagogi / Teachers: ");
    ej_html_escape(&b, json_string_value(json_object_get(g, "teachers")));
    ej_buf_puts(&b, " · Periods / Period: ");
    ej_html_escape(&b, json_string_value(json_object_get(doc, "from")));
    ej_buf_puts(&b, " – ");
    ej_html_escape(&b, json_string_value(json_object_get(doc, "to")));
    ej_buf_puts(&b, "</p>\n");

    ej_html_elem(&b, "h2", "Nodarbības / Lessons");
    ej_buf_puts(&b, "<table>\n<thead><tr><th>Datums / Date</th><th>Laiks / Time</th>"
                    "<th>Stundas / Hours</th><th>Tēma / Topic</th><th>Vadīja / Conducted by</th>"
                    "<th>Statuss / State</th></tr></thead>\n<tbody>\n");
    size_t i, k;
    json_t *l, *s;
    json_array_foreach(lessons, i, l) {
        char when[16];
        snprintf(when, sizeof when, "%s–%s", json_string_value(json_object_get(l, "starts_at")),
                 json_string_value(json_object_get(l, "ends_at")));
        ej_buf_puts(&b, "<tr>");
        td(&b, json_object_get(l, "date"));
        ej_html_elem(&b, "td", when);
        td(&b, json_object_get(l, "hours"));
        td(&b, json_object_get(l, "topic"));
        ej_buf_puts(&b, "<td>");
        ej_html_escape(&b, json_string_value(json_object_get(l, "teacher_name")));
        if (json_is_true(json_object_get(l, "by_substitute")))
            ej_buf_puts(&b, " (aizvietoja / substitute)");
        ej_buf_puts(&b, "</td>");
        td(&b, json_object_get(l, "state"));
        ej_buf_puts(&b, "</tr>\n");
    }
    ej_buf_puts(&b, "</tbody>\n</table>\n");

    bool marks = json_is_true(json_object_get(doc, "attendance_included"));
    ej_html_elem(&b, "h2", marks ? "Apmeklējums / Attendance" : "Izglītojamie / Students");
    if (marks)
        ej_html_elem(&b, "p class=\"meta\"",
                     "+ bija / present · n nebija / absent · k kavēja / late");
    ej_buf_puts(&b, "<table>\n<thead><tr><th>Izglītojamais / Student</th>");
    if (marks)
        json_array_foreach(lessons, i, l) {
            const char *d = json_string_value(json_object_get(l, "date"));
            ej_html_elem(&b, "th", d && strlen(d) == 10 ? d + 5 : d); /* MM-DD */
        }
    ej_buf_puts(&b, "</tr></thead>\n<tbody>\n");
    json_array_foreach(students, k, s) {
        ej_buf_puts(&b, "<tr>");
        td(&b, json_object_get(s, "full_name"));
        if (marks)
            json_array_foreach(lessons, i, l) {
                const json_t *a = attendance_of(s, json_integer_value(json_object_get(l, "id")));
                char cell[96];
                const char *reason = a ? json_string_value(json_object_get(a, "reason_code"))
                                       : NULL;
                snprintf(cell, sizeof cell, reason ? "%s (%s)" : "%s", a ? mark(a) : "",
                         reason ? reason : "");
                ej_html_elem(&b, "td", cell);
            }
        ej_buf_puts(&b, "</tr>\n");
    }
    ej_buf_puts(&b, "</tbody>\n</table>\n");
    ej_html_end(&b);
    reply_buf(r, EJ_HTML_TYPE, &b);
    ej_buf_cleanup(&b);
}

void ej_op_get_group_journal(struct ej_req *r)
{
    int64_t id;
    char fbuf[16], tbuf[16];
    const char *from, *to;
    json_t *doc;
    if (ej_param_id(r, 0, &id) != 0 || date_range(r, false, fbuf, tbuf, &from, &to) != 0)
        return;
    enum ej_err e = ej_store_group_journal(
        &r->db, &r->who, ej_read_scopes(r->who.roles, EJ_OBJ_JOURNAL_EXPORT),
        ej_read_scopes(r->who.roles, EJ_OBJ_EXPORT_ATTENDANCE), id, from, to, &doc);
    if (e != EJ_OK) {
        ej_problem_entity(r, e, "group");
        return;
    }
    const char *type = ej_accept_pick(r, documents);
    if (type && strcmp(type, "text/csv") == 0)
        journal_csv(r, doc);
    else if (type && strcmp(type, "text/html") == 0)
        journal_html(r, doc);
    else {
        ej_reply(r, 200, doc);
        return;
    }
    json_decref(doc);
}
