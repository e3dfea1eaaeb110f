#include "store/journal.h"

#include "core/json.h"
#include "store/audit.h"
#include "store/db.h"
#include "store/entity.h"
#include "store/lessons.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dump(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static bool is_true(const PGresult *res, int row, int col)
{
    return PQgetvalue(res, row, col)[0] == 't';
}

static int64_t i64(const PGresult *res, int row, int col)
{
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

static void copy(char *dst, size_t n, const PGresult *res, int row, int col)
{
    snprintf(dst, n, "%s", PQgetvalue(res, row, col));
}

/* ---- entries ---------------------------------------------------------------------------- */

void ej_entry_ctx_cleanup(struct ej_entry_ctx *c)
{
    json_decref(c->lesson);
    c->lesson = NULL;
}

enum ej_err ej_store_entry_begin(struct ej_db *db, const struct ej_principal *who,
                                 int64_t lesson_id, unsigned lesson_scopes, struct ej_entry_ctx *c)
{
    char id[24], viewer[24], sc[24];
    const char *p[] = {db_i64(id, lesson_id), db_i64(viewer, who->user_id),
                       db_i64(sc, lesson_scopes)};
    memset(c, 0, sizeof *c);
    /* One statement locks the lesson and reads its facts: the lesson row is
     * read as it is once locked (a writer we waited for has committed), and
     * the facts of the group and year do not change under lesson writers.
     * The lesson's view (attendance rows) is read after, in a new statement,
     * so that it too includes what that writer committed. */
    PGresult *res;
    enum ej_err e = db_row(
        db, &res, 0,
        "SELECT l.group_id, l.version, coalesce(l.substitute_teacher_id, 0),"
        " coalesce(l.conducted_by, 0),"
        " coalesce(l.substitute_teacher_id, (SELECT min(t.teacher_id) FROM group_teachers t"
        "   WHERE t.group_id = l.group_id), 0),"
        " EXISTS (SELECT 1 FROM group_teachers t WHERE t.group_id = l.group_id"
        "   AND t.teacher_id = $2),"
        " l.cancelled_at IS NOT NULL, y.closed_at IS NOT NULL, l.recorded_at IS NOT NULL,"
        " now() >= lesson_starts(l), now() > l.deadline,"
        " coalesce(now() <= l.extension_until, false),"
        " utc(lesson_starts(l)), utc(l.deadline), coalesce(utc(l.extension_until), '')"
        " FROM lessons l JOIN groups g ON g.id = l.group_id"
        " JOIN school_years y ON y.id = g.school_year_id WHERE l.id = $1"
        " AND visible_lesson($2, $3::int, l.group_id, l.substitute_teacher_id)"
        " FOR NO KEY UPDATE OF l",
        3, p);
    if (e != EJ_OK)
        return e;
    c->lesson_id = lesson_id;
    c->group_id = i64(res, 0, 0);
    c->f.version = i64(res, 0, 1);
    c->f.substitute_id = i64(res, 0, 2);
    c->f.conducted_by = i64(res, 0, 3);
    c->f.default_conductor = i64(res, 0, 4);
    c->f.caller_teaches = is_true(res, 0, 5);
    c->f.cancelled = is_true(res, 0, 6);
    c->f.year_closed = is_true(res, 0, 7);
    c->f.recorded = is_true(res, 0, 8);
    c->f.started = is_true(res, 0, 9);
    c->f.past_deadline = is_true(res, 0, 10);
    c->f.extended = is_true(res, 0, 11);
    copy(c->starts, sizeof c->starts, res, 0, 12);
    copy(c->deadline, sizeof c->deadline, res, 0, 13);
    copy(c->extension_until, sizeof c->extension_until, res, 0, 14);
    PQclear(res);
    return ej_store_lesson_full(db, lesson_id, &c->lesson);
}

void ej_entry_check_cleanup(struct ej_entry_check *k)
{
    json_decref(k->missing);
    json_decref(k->unexpected);
    json_decref(k->unknown_reasons);
    json_decref(k->reasoned);
    memset(k, 0, sizeof *k);
}

static json_t *id_array(json_t *v, const char *key)
{
    json_t *a = json_object_get(v, key);
    return json_is_array(a) ? json_incref(a) : json_array();
}

enum ej_err ej_store_entry_check(struct ej_db *db, const struct ej_entry_ctx *c, const json_t *body,
                                 struct ej_entry_check *out)
{
    char id[24], *doc = dump(body);
    const char *p[] = {db_i64(id, c->lesson_id), doc};
    json_t *v = NULL;
    memset(out, 0, sizeof *out);
    /* The roster, the reason codes and the reasons already set, in one
     * statement (after the lock: the reasons are what a writer we waited for
     * left). */
    enum ej_err e = db_json(
        db, &v,
        "WITH b AS (SELECT x.student_id, x.reason FROM jsonb_to_recordset($2::jsonb->'attendance')"
        "   AS x(student_id bigint, reason text)),"
        " e AS (SELECT enrolled_on(l.group_id, l.date) AS student_id FROM lessons l"
        "   WHERE l.id = $1)"
        " SELECT jsonb_build_object("
        " 'missing', coalesce((SELECT jsonb_agg(student_id ORDER BY student_id) FROM e"
        "   WHERE student_id NOT IN (SELECT student_id FROM b)), '[]'::jsonb),"
        " 'unexpected', coalesce((SELECT jsonb_agg(student_id ORDER BY student_id) FROM b"
        "   WHERE student_id NOT IN (SELECT student_id FROM e)), '[]'::jsonb),"
        " 'unknown_reasons', coalesce((SELECT jsonb_agg(DISTINCT reason) FROM b"
        "   WHERE reason IS NOT NULL AND NOT EXISTS (SELECT 1 FROM absence_reasons c"
        "   WHERE c.code = b.reason AND c.active)), '[]'::jsonb),"
        " 'reasoned', coalesce((SELECT jsonb_agg(a.student_id ORDER BY a.student_id)"
        "   FROM lesson_attendance a WHERE a.lesson_id = $1 AND a.reason_code IS NOT NULL),"
        "   '[]'::jsonb))",
        2, p);
    free(doc);
    if (e != EJ_OK)
        return e;
    if (!v)
        return db->err = EJ_ERR_INTERNAL;
    out->missing = id_array(v, "missing");
    out->unexpected = id_array(v, "unexpected");
    out->unknown_reasons = id_array(v, "unknown_reasons");
    out->reasoned = id_array(v, "reasoned");
    json_decref(v);
    return EJ_OK;
}

enum ej_err ej_store_entry_save(struct ej_db *db, const struct ej_entry_ctx *c, const json_t *body,
                                int64_t conducted_by, bool late, json_t **lesson, int64_t *version)
{
    char id[24], by[24], actor[24], *doc = dump(body);
    const char *p[] = {
        db_i64(id, c->lesson_id),   doc,
        ej_json_str(body, "topic"), db_i64(by, conducted_by),
        late ? "true" : "false",    db->who ? db_i64(actor, db->who->user_id) : NULL};
    enum ej_err e;
    *lesson = NULL;
    *version = 0;
    /* Reasons: one given in the body (superuser) wins; one already set stays;
     * else an applied report covering the date gives it (§14). The reports
     * are read FOR SHARE so that a report being applied meanwhile is waited
     * for and seen applied. */
    PGresult *res = db_exec(
        db, DB_NONE,
        "WITH b AS (SELECT x.student_id, x.status, x.reason"
        "   FROM jsonb_to_recordset($2::jsonb->'attendance')"
        "   AS x(student_id bigint, status text, reason text)),"
        " rep AS MATERIALIZED (SELECT r.id, r.student_id, r.reason_code, r.status, r.decided_by,"
        "   r.decided_at FROM absence_reports r WHERE r.student_id IN (SELECT student_id FROM b)"
        "   AND (SELECT date FROM lessons WHERE id = $1) BETWEEN r.from_date AND r.to_date"
        "   FOR SHARE OF r),"
        " k AS (SELECT b.student_id, b.status, b.reason, c.reason_code AS cur_code,"
        "   c.reason_note AS cur_note, c.reason_report_id AS cur_report, c.reason_set_by AS cur_by,"
        "   c.reason_set_at AS cur_at, ar.id AS rep_id, ar.reason_code AS rep_code,"
        "   ar.decided_by AS rep_by,"
        "   CASE WHEN b.status = 'present' THEN 'none'"
        "     WHEN b.reason IS NOT NULL AND b.reason IS DISTINCT FROM c.reason_code THEN 'given'"
        "     WHEN c.reason_code IS NOT NULL THEN 'kept'"
        "     WHEN ar.id IS NOT NULL THEN 'report' ELSE 'none' END AS src"
        "   FROM b LEFT JOIN lesson_attendance c ON c.lesson_id = $1 AND c.student_id = "
        "b.student_id"
        "   LEFT JOIN LATERAL (SELECT * FROM rep WHERE rep.student_id = b.student_id"
        "     AND rep.status = 'applied' ORDER BY rep.decided_at, rep.id LIMIT 1) ar ON true),"
        " del AS (DELETE FROM lesson_attendance a WHERE a.lesson_id = $1"
        "   AND a.student_id NOT IN (SELECT student_id FROM b)),"
        " ins AS (INSERT INTO lesson_attendance AS a (lesson_id, student_id, status, reason_code,"
        "   reason_note, reason_report_id, reason_set_by, reason_set_at)"
        "   SELECT $1, k.student_id, k.status,"
        "   CASE k.src WHEN 'given' THEN k.reason WHEN 'kept' THEN k.cur_code"
        "     WHEN 'report' THEN k.rep_code END,"
        "   CASE k.src WHEN 'kept' THEN k.cur_note END,"
        "   CASE k.src WHEN 'kept' THEN k.cur_report WHEN 'report' THEN k.rep_id END,"
        "   CASE k.src WHEN 'given' THEN $6::bigint WHEN 'kept' THEN k.cur_by"
        "     WHEN 'report' THEN k.rep_by END,"
        "   CASE k.src WHEN 'given' THEN now() WHEN 'kept' THEN k.cur_at"
        "     WHEN 'report' THEN now() END"
        "   FROM k ON CONFLICT (lesson_id, student_id) DO UPDATE SET status = EXCLUDED.status,"
        "   reason_code = EXCLUDED.reason_code, reason_note = EXCLUDED.reason_note,"
        "   reason_report_id = EXCLUDED.reason_report_id, reason_set_by = EXCLUDED.reason_set_by,"
        "   reason_set_at = EXCLUDED.reason_set_at"
        /* A row that stays as it is is not rewritten: a correction of one
         * student's status writes one row version, not the whole class's. */
        "   WHERE (a.status, a.reason_code, a.reason_note, a.reason_report_id, a.reason_set_by,"
        "     a.reason_set_at) IS DISTINCT FROM (EXCLUDED.status, EXCLUDED.reason_code,"
        "     EXCLUDED.reason_note, EXCLUDED.reason_report_id, EXCLUDED.reason_set_by,"
        "     EXCLUDED.reason_set_at))"
        " UPDATE lessons SET topic = $3, conducted_by = $4, recorded_at = coalesce(recorded_at, "
        "now()),"
        " late = CASE WHEN recorded_at IS NULL THEN $5::boolean ELSE late END,"
        " version = version + 1, updated_at = now() WHERE id = $1",
        6, p);
    free(doc);
    if (!res)
        return db->err;
    PQclear(res);
    e = ej_store_lesson_full(db, c->lesson_id, lesson);
    if (e == EJ_OK)
        e = ej_audit(db, c->f.recorded ? "lesson.entry_update" : "lesson.entry", "lesson",
                     c->lesson_id, c->lesson, *lesson);
    if (e != EJ_OK) {
        json_decref(*lesson);
        *lesson = NULL;
        return e;
    }
    *version = json_integer_value(json_object_get(*lesson, "version"));
    return EJ_OK;
}

enum ej_err ej_store_entry_enrolled(struct ej_db *db, int64_t lesson_id, json_t **enrolled)
{
    char id[24];
    const char *p[] = {db_i64(id, lesson_id)};
    *enrolled = NULL;
    PGresult *res = db_exec(db, DB_MANY | DB_READ,
                            "SELECT s.id, s.full_name FROM students s WHERE s.id IN"
                            " (SELECT enrolled_on(l.group_id, l.date) FROM lessons l"
                            "  WHERE l.id = $1) ORDER BY s.full_name, s.id",
                            1, p);
    if (!res)
        return db->err;
    *enrolled = json_array();
    for (int k = 0; k < PQntuples(res); k++)
        json_array_append_new(*enrolled,
                              json_pack("{s:I, s:s}", "student_id", (json_int_t)i64(res, k, 0),
                                        "full_name", PQgetvalue(res, k, 1)));
    PQclear(res);
    return EJ_OK;
}

/* ---- extensions ------------------------------------------------------------------------- */

enum ej_err ej_store_extension_facts(struct ej_db *db, int64_t lesson_id, const char *until,
                                     struct ej_extension_facts *f)
{
    char id[24];
    const char *p[] = {db_i64(id, lesson_id), until};
    memset(f, 0, sizeof *f);
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT l.cancelled_at IS NOT NULL, y.closed_at IS NOT NULL,"
                           " $2::timestamptz > now(), $2::timestamptz > l.deadline, utc(l.deadline)"
                           " FROM lessons l JOIN groups g ON g.id = l.group_id"
                           " JOIN school_years y ON y.id = g.school_year_id"
                           " WHERE l.id = $1 FOR NO KEY UPDATE OF l",
                           2, p);
    if (e != EJ_OK)
        return e;
    f->cancelled = is_true(res, 0, 0);
    f->year_closed = is_true(res, 0, 1);
    f->until_future = is_true(res, 0, 2);
    f->until_after_deadline = is_true(res, 0, 3);
    copy(f->deadline, sizeof f->deadline, res, 0, 4);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_extension_grant(struct ej_db *db, int64_t lesson_id, const char *until,
                                     const char *reason, json_t **lesson, int64_t *version)
{
    char id[24], actor[24];
    const char *p[] = {db_i64(id, lesson_id), until, reason, db_i64(actor, db->who->user_id)};
    json_t *before = NULL;
    *lesson = NULL;
    *version = 0;
    enum ej_err e = ej_store_lesson_full(db, lesson_id, &before);
    if (e == EJ_OK)
        e = ej_store_lesson_change(db, lesson_id, "lesson.extension", before,
                                   "UPDATE lessons l SET extension_until = $2,"
                                   " extension_reason = $3, extension_granted_by = $4,"
                                   " extension_granted_at = now(), version = version + 1,"
                                   " updated_at = now() WHERE id = $1 RETURNING l.id",
                                   4, p, lesson);
    json_decref(before);
    if (e == EJ_OK)
        *version = ej_entity_version(*lesson);
    return e;
}

/* ---- absence reasons ---------------------------------------------------------------------- */

enum ej_err ej_store_absence_reason_facts(struct ej_db *db, int64_t lesson_id, int64_t student_id,
                                          const char *code, struct ej_reason_facts *f)
{
    char id[24], sid[24];
    const char *p[] = {db_i64(id, lesson_id), db_i64(sid, student_id), code};
    memset(f, 0, sizeof *f);
    PGresult *res;
    enum ej_err e = db_row(
        db, &res, 0,
        "SELECT l.version, y.closed_at IS NOT NULL, a.status,"
        " $3::text IS NULL OR EXISTS (SELECT 1 FROM absence_reasons c"
        "   WHERE c.code = $3 AND c.active)"
        " FROM lessons l JOIN groups g ON g.id = l.group_id"
        " JOIN school_years y ON y.id = g.school_year_id"
        " LEFT JOIN lesson_attendance a ON a.lesson_id = l.id AND a.student_id = $2"
        " WHERE l.id = $1 FOR NO KEY UPDATE OF l",
        3, p);
    if (e != EJ_OK)
        return e;
    f->version = i64(res, 0, 0);
    f->year_closed = is_true(res, 0, 1);
    f->has_row = !PQgetisnull(res, 0, 2);
    copy(f->status, sizeof f->status, res, 0, 2);
    f->code_ok = is_true(res, 0, 3);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_absence_reason_set(struct ej_db *db, int64_t lesson_id, int64_t student_id,
                                        const char *code, const char *note, json_t **lesson,
                                        int64_t *version)
{
    char id[24], sid[24], actor[24];
    const char *p[] = {db_i64(id, lesson_id), db_i64(sid, student_id), code, code ? note : NULL,
                       db->who ? db_i64(actor, db->who->user_id) : NULL};
    json_t *before = NULL;
    enum ej_err e;
    *lesson = NULL;
    *version = 0;
    if ((e = ej_store_lesson_full(db, lesson_id, &before)) != EJ_OK)
        return e;
    PGresult *res = db_exec(
        db, DB_NONE,
        "WITH a AS (UPDATE lesson_attendance SET reason_code = $3,"
        " reason_note = $4, reason_report_id = NULL,"
        " reason_set_by = CASE WHEN $3::text IS NULL THEN NULL ELSE $5::bigint END,"
        " reason_set_at = CASE WHEN $3::text IS NULL THEN NULL ELSE now() END"
        " WHERE lesson_id = $1 AND student_id = $2)"
        " UPDATE lessons l SET version = version + 1, updated_at = now()"
        " WHERE id = $1",
        5, p);
    if (!res) {
        json_decref(before);
        return db->err;
    }
    PQclear(res);
    e = ej_store_lesson_full(db, lesson_id, lesson);
    if (e == EJ_OK)
        e = ej_audit(db, code ? "lesson.absence_reason" : "lesson.absence_reason_clear", "lesson",
                     lesson_id, before, *lesson);
    json_decref(before);
    if (e != EJ_OK) {
        json_decref(*lesson);
        *lesson = NULL;
        return e;
    }
    *version = json_integer_value(json_object_get(*lesson, "version"));
    return EJ_OK;
}

/* ---- absence reports ---------------------------------------------------------------------- */

enum ej_err ej_store_absence_report_filing(struct ej_db *db, const struct ej_principal *who,
                                           unsigned scopes, int64_t student_id, int64_t guardian_id,
                                           const char *reason_code, struct ej_report_filing *f)
{
    char sid[24], viewer[24], sc[24], g[24];
    const char *p[] = {db_i64(sid, student_id), db_i64(viewer, who->user_id), db_i64(sc, scopes),
                       guardian_id ? db_i64(g, guardian_id) : NULL, reason_code};
    memset(f, 0, sizeof *f);
    PGresult *res = db_exec(
        db, DB_ONE,
        "SELECT EXISTS (SELECT 1 FROM students s WHERE s.id = $1)"
        " AND visible_student($2, $3::int, $1),"
        " $4::bigint IS NULL OR EXISTS (SELECT 1 FROM student_guardians sg"
        "   WHERE sg.student_id = $1 AND sg.guardian_id = $4::bigint),"
        " EXISTS (SELECT 1 FROM absence_reasons c WHERE c.code = $5 AND c.active)",
        5, p);
    if (!res)
        return db->err;
    f->student_visible = is_true(res, 0, 0);
    f->guardian_linked = is_true(res, 0, 1);
    f->code_ok = is_true(res, 0, 2);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_absence_report_create(struct ej_db *db, const json_t *body,
                                           int64_t guardian_id, const char *channel,
                                           json_t **report, int64_t *version)
{
    char filer[24], g[24], *doc = dump(body);
    const char *p[] = {doc, db_i64(filer, db->who->user_id), channel,
                       guardian_id ? db_i64(g, guardian_id) : NULL};
    enum ej_err e = ej_entity_create(
        db, "absence_report", "absence_report.create",
        "INSERT INTO absence_reports AS x (student_id, from_date, to_date,"
        " reason_code, comment, channel, guardian_id, filed_by)"
        " SELECT ($1::jsonb->>'student_id')::bigint,"
        " ($1::jsonb->>'from_date')::date, ($1::jsonb->>'to_date')::date,"
        " $1::jsonb->>'reason_code', $1::jsonb->>'comment', $3, $4::bigint,"
        " $2::bigint RETURNING absence_report_json(x)",
        4, p, report, version);
    free(doc);
    return e;
}
enum ej_err ej_store_absence_report_list(struct ej_db *db, const struct ej_principal *who,
                                         unsigned scopes, const struct ej_report_filter *f,
                                         json_t **items)
{
    char lim[24], aft[24], viewer[24], sc[24], sid[24];
    const char *p[] = {db_i64(lim, f->limit),
                       db_i64(aft, f->after),
                       db_i64(viewer, who->user_id),
                       db_i64(sc, scopes),
                       f->status,
                       f->student_id ? db_i64(sid, f->student_id) : NULL};
    return db_json(db, items,
                   "SELECT coalesce(jsonb_agg(j ORDER BY id), '[]'::jsonb) FROM ("
                   " SELECT x.id, absence_report_json(x) AS j FROM absence_reports x"
                   " WHERE visible_student($3, $4::int, x.student_id)"
                   " AND ($5::text IS NULL OR x.status = $5)"
                   " AND ($6::bigint IS NULL OR x.student_id = $6)"
                   " AND x.id > $2 ORDER BY x.id LIMIT $1) s",
                   6, p);
}

enum ej_err ej_store_absence_report_get(struct ej_db *db, const struct ej_principal *who,
                                        unsigned scopes, int64_t id, json_t **report,
                                        int64_t *version)
{
    char idb[24], viewer[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(viewer, who->user_id), db_i64(sc, scopes)};
    *version = 0;
    if (db_json(db, report,
                "SELECT absence_report_json(x) FROM absence_reports x WHERE x.id = $1"
                " AND visible_student($2, $3::int, x.student_id)",
                3, p) != EJ_OK)
        return db->err;
    if (!*report)
        return db->err = EJ_ERR_NOT_FOUND;
    json_t *v = json_object_get(*report, "version");
    *version = json_is_integer(v) ? json_integer_value(v) : -1;
    return EJ_OK;
}

void ej_report_state_cleanup(struct ej_report_state *s)
{
    json_decref(s->report);
    s->report = NULL;
}

enum ej_err ej_store_absence_report_state(struct ej_db *db, int64_t id, bool lock,
                                          struct ej_report_state *s)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    memset(s, 0, sizeof *s);
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           lock ? "SELECT absence_report_json(x), x.status FROM absence_reports x"
                                  " WHERE x.id = $1 FOR UPDATE"
                                : "SELECT absence_report_json(x), x.status FROM absence_reports x"
                                  " WHERE x.id = $1",
                           1, p);
    if (e != EJ_OK)
        return e;
    copy(s->status, sizeof s->status, res, 0, 1);
    s->report = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
    PQclear(res);
    return s->report ? EJ_OK : (db->err = EJ_ERR_INTERNAL);
}

enum ej_err ej_store_absence_report_lock_lessons(struct ej_db *db, int64_t id)
{
    char idb[24];
    const char *p[] = {db_i64(idb, id)};
    /* The lessons where the student has an attendance row in the range. */
    PGresult *res = db_exec(
        db, DB_MANY,
        "SELECT l.id FROM lessons l JOIN lesson_attendance a ON a.lesson_id = l.id"
        " JOIN absence_reports x ON x.id = $1 AND a.student_id = x.student_id"
        " WHERE l.date BETWEEN x.from_date AND x.to_date"
        " ORDER BY l.id FOR NO KEY UPDATE OF l",
        1, p);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

/* The report's row after a decision (one json column), audited as `action`
 * against `before`; *version its version. */
static enum ej_err decided(struct ej_db *db, int64_t id, const char *action, const json_t *before,
                           const char *sql, int n, const char *const *p, json_t **report,
                           int64_t *version)
{
    enum ej_err e = db_json(db, report, sql, n, p);
    if (e == EJ_OK && !*report)
        e = db->err = EJ_ERR_INTERNAL;
    if (e == EJ_OK)
        e = ej_audit(db, action, "absence_report", id, before, *report);
    if (e != EJ_OK) {
        json_decref(*report);
        *report = NULL;
        return e;
    }
    *version = ej_entity_version(*report);
    return EJ_OK;
}

enum ej_err ej_store_absence_report_apply(struct ej_db *db, int64_t id, const json_t *before,
                                          json_t **out, int64_t *version)
{
    char idb[24], actor[24];
    const char *p[] = {db_i64(idb, id), db_i64(actor, db->who->user_id)};
    json_t *changes = NULL, *after = NULL;
    *out = NULL;
    *version = 0;
    /* The reason goes onto absences and late arrivals without one; those that
     * have one keep it (listed as kept). Closed school years are read-only. */
    enum ej_err e = db_json(
        db, &changes,
        "WITH x AS (SELECT * FROM absence_reports WHERE id = $1),"
        " t AS (SELECT a.lesson_id, a.student_id, l.date, a.status, a.reason_code"
        "   FROM lesson_attendance a JOIN lessons l ON l.id = a.lesson_id"
        "   JOIN groups g ON g.id = l.group_id JOIN school_years y ON y.id = g.school_year_id"
        "   JOIN x ON a.student_id = x.student_id AND l.date BETWEEN x.from_date AND x.to_date"
        "   WHERE a.status <> 'present' AND y.closed_at IS NULL),"
        " upd AS (UPDATE lesson_attendance a SET reason_code = x.reason_code,"
        "   reason_note = NULL, reason_report_id = x.id, reason_set_by = $2,"
        "   reason_set_at = now() FROM t, x WHERE a.lesson_id = t.lesson_id"
        "   AND a.student_id = t.student_id AND t.reason_code IS NULL RETURNING a.lesson_id),"
        " bump AS (UPDATE lessons SET version = version + 1, updated_at = now()"
        "   WHERE id IN (SELECT lesson_id FROM upd))"
        " SELECT jsonb_build_object("
        " 'applied', coalesce((SELECT jsonb_agg(jsonb_build_object('lesson_id', lesson_id,"
        "   'date', date, 'status', status) ORDER BY date, lesson_id) FROM t"
        "   WHERE reason_code IS NULL), '[]'::jsonb),"
        " 'kept', coalesce((SELECT jsonb_agg(jsonb_build_object('lesson_id', lesson_id,"
        "   'date', date, 'status', status, 'reason', reason_code) ORDER BY date, lesson_id)"
        "   FROM t WHERE reason_code IS NOT NULL), '[]'::jsonb))",
        2, p);
    if (e == EJ_OK && !changes)
        e = db->err = EJ_ERR_INTERNAL;
    if (e == EJ_OK) {
        e = db_json(db, &after,
                    "UPDATE absence_reports x SET status = 'applied', decided_by = $2,"
                    " decided_at = now(), version = version + 1, updated_at = now()"
                    " WHERE id = $1 RETURNING absence_report_json(x)",
                    2, p);
        if (e == EJ_OK && !after)
            e = db->err = EJ_ERR_INTERNAL;
    }
    if (e == EJ_OK) {
        json_object_set(changes, "report", after);
        e = ej_audit(db, "absence_report.apply", "absence_report", id, before, changes);
    }
    if (e == EJ_OK) {
        *version = ej_entity_version(after);
        *out = json_incref(changes);
    }
    json_decref(changes);
    json_decref(after);
    return e;
}

enum ej_err ej_store_absence_report_reject(struct ej_db *db, int64_t id, const json_t *before,
                                           const char *note, json_t **report, int64_t *version)
{
    char idb[24], actor[24];
    const char *p[] = {db_i64(idb, id), db_i64(actor, db->who->user_id), note};
    *version = 0;
    return decided(db, id, "absence_report.reject", before,
                   "UPDATE absence_reports x SET status = 'rejected', decided_by = $2,"
                   " decided_at = now(), decision_note = $3, version = version + 1,"
                   " updated_at = now() WHERE id = $1 RETURNING absence_report_json(x)",
                   3, p, report, version);
}
/* ---- a student's attendance --------------------------------------------------------------- */

enum ej_err ej_store_student_attendance(struct ej_db *db, const struct ej_principal *who,
                                        int64_t student_id, unsigned scopes, const char *from,
                                        const char *to, json_t **out)
{
    char sid[24], viewer[24], sc[24];
    const char *p[] = {db_i64(sid, student_id), db_i64(viewer, who->user_id), db_i64(sc, scopes),
                       from, to};
    if (db_json(
            db, out,
            "WITH s AS (SELECT * FROM students WHERE id = $1 AND visible_student($2, $3::int, id)),"
            /* Seen other than only as their teacher: every lesson; else the taught ones. */
            " f AS (SELECT visible_student($2, $3::int & ~2, $1) AS every),"
            " t AS (SELECT l.id AS lesson_id, l.group_id, g.name AS group_name, l.date,"
            "   l.starts_at, l.ends_at, a.status, a.reason_code, a.reason_note, a.reason_report_id"
            "   FROM lesson_attendance a JOIN lessons l ON l.id = a.lesson_id"
            "   JOIN groups g ON g.id = l.group_id"
            "   WHERE a.student_id = $1 AND EXISTS (SELECT 1 FROM s)"
            "   AND ($4::date IS NULL OR l.date >= $4::date) AND ($5::date IS NULL OR l.date <= "
            "$5::date)"
            "   AND ((SELECT every FROM f) OR l.substitute_teacher_id = $2"
            "     OR EXISTS (SELECT 1 FROM group_teachers gt WHERE gt.group_id = l.group_id"
            "     AND gt.teacher_id = $2)))"
            " SELECT jsonb_build_object('student_id', s.id, 'student_name', s.full_name,"
            " 'from', $4::date, 'to', $5::date,"
            " 'summary', jsonb_build_object("
            "   'lessons', (SELECT count(*) FROM t),"
            "   'present', (SELECT count(*) FROM t WHERE status = 'present'),"
            "   'absent', (SELECT count(*) FROM t WHERE status = 'absent'),"
            "   'late', (SELECT count(*) FROM t WHERE status = 'late'),"
            "   'absent_hours', coalesce((SELECT sum(academic_hours(starts_at, ends_at)) FROM t"
            "     WHERE status = 'absent'), 0),"
            "   'by_reason', coalesce((SELECT jsonb_agg(jsonb_build_object('reason_code', c.code,"
            "     'name', c.name, 'excused', c.excused,"
            "     'absent', (SELECT count(*) FROM t WHERE t.reason_code = c.code AND status = "
            "'absent'),"
            "     'late', (SELECT count(*) FROM t WHERE t.reason_code = c.code AND status = "
            "'late'))"
            "     ORDER BY c.position, c.code) FROM absence_reasons c"
            "     WHERE c.active OR EXISTS (SELECT 1 FROM t WHERE t.reason_code = c.code)), "
            "'[]'::jsonb)"
            "   || jsonb_build_array(jsonb_build_object('reason_code', NULL, 'name', NULL,"
            "     'excused', NULL,"
            "     'absent', (SELECT count(*) FROM t WHERE reason_code IS NULL AND status = "
            "'absent'),"
            "     'late', (SELECT count(*) FROM t WHERE reason_code IS NULL AND status = "
            "'late')))),"
            " 'items', coalesce((SELECT jsonb_agg(jsonb_build_object('lesson_id', lesson_id,"
            "   'group_id', group_id, 'group_name', group_name, 'date', date,"
            "   'starts_at', to_char(starts_at, 'HH24:MI'), 'ends_at', to_char(ends_at, 'HH24:MI'),"
            "   'hours', academic_hours(starts_at, ends_at), 'status', status,"
            "   'reason', reason_code, 'reason_note', reason_note,"
            "   'reason_report_id', reason_report_id) ORDER BY date, starts_at, lesson_id) FROM t),"
            "   '[]'::jsonb))"
            " FROM s",
            5, p) != EJ_OK)
        return db->err;
    return *out ? EJ_OK : (db->err = EJ_ERR_NOT_FOUND);
}

enum ej_err ej_store_absence_report_filer(struct ej_db *db, const struct ej_principal *who,
                                          unsigned scopes, int64_t id, bool *own)
{
    char idb[24], viewer[24], sc[24];
    const char *p[] = {db_i64(idb, id), db_i64(viewer, who->user_id), db_i64(sc, scopes)};
    *own = false;
    PGresult *res;
    enum ej_err e = db_row(db, &res, 0,
                           "SELECT x.guardian_id = $2 OR x.filed_by = $2 FROM absence_reports x"
                           " WHERE x.id = $1 AND visible_student($2, $3::int, x.student_id)",
                           3, p);
    if (e != EJ_OK)
        return e;
    *own = is_true(res, 0, 0);
    PQclear(res);
    return EJ_OK;
}

enum ej_err ej_store_absence_report_withdraw(struct ej_db *db, int64_t id, const json_t *before,
                                             json_t **report, int64_t *version)
{
    char idb[24], actor[24];
    const char *p[] = {db_i64(idb, id), db_i64(actor, db->who->user_id)};
    *version = 0;
    return decided(db, id, "absence_report.withdraw", before,
                   "UPDATE absence_reports x SET status = 'withdrawn', decided_by = $2,"
                   " decided_at = now(), version = version + 1, updated_at = now()"
                   " WHERE id = $1 RETURNING absence_report_json(x)",
                   2, p, report, version);
}
