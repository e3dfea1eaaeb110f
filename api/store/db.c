#include "store/db.h"

#include "core/alloc.h"
#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds to wait after a failed connection attempt before trying again, so a
 * database outage costs each request one quick 503 rather than a connect. */
#define RECONNECT_BACKOFF 0.25

/* Prepared statements of one connection, by SQL text. Parsing and planning
 * cost more than running most of our queries (the principal check: 13k/s as
 * one-off statements, 65k/s prepared, measured with pgbench), so each
 * statement is prepared once per connection and then only executed. */
#define STMT_CACHE 256
struct stmt {
    uint64_t hash;
    char *sql;
};

/* The pool: EJ_DB_CONNECTIONS slots shared by all worker threads (there are
 * many more threads than slots: a thread per connected client, most of them
 * idle). A request borrows a slot on its first statement and gives it back
 * when its pipeline ends, before the reply is written, so neither an idle
 * keep-alive client nor a slow reader holds a database connection. A slot
 * keeps its connection (opened lazily, reopened after a failure) and that
 * connection's prepared statements. */
struct slot {
    PGconn *conn;
    struct stmt *stmts; /* heap, STMT_CACHE entries once used */
    unsigned nstmts;
    unsigned generation; /* in the statements' names: bumped when the cache is forgotten */
    /* ej_db_begin was called and BEGIN not sent yet: it goes with the
     * transaction's first statement, in one round trip (pipeline mode). */
    bool begin_pending;
};
static struct slot *slots;
static int *free_slots; /* stack of free slot indexes: the warmest is reused first */
static int nfree;
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_cv;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

/* The slot this thread's request has borrowed (a request runs on one thread). */
static __thread struct slot *tl_slot;

static atomic_int db_up_flag = 0;
static atomic_long db_open = 0;
static atomic_llong failed_at_us = 0; /* monotonic µs of the last failed connect, 0 = none */

int ej_db_up(void)
{
    return atomic_load(&db_up_flag);
}
long ej_db_open_connections(void)
{
    return atomic_load(&db_open);
}

static void pool_init(void)
{
    int n = ej_cfg()->db_connections > 0 ? ej_cfg()->db_connections : 1;
    slots = ej_xcalloc((size_t)n, sizeof *slots);
    free_slots = ej_xcalloc((size_t)n, sizeof *free_slots);
    for (int i = 0; i < n; i++)
        free_slots[i] = n - 1 - i; /* slot 0 on top */
    nfree = n;
    /* Waits are timed on the monotonic clock, like the rest of the server. */
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&pool_cv, &attr);
    pthread_condattr_destroy(&attr);
}

static void stmts_forget(struct slot *s)
{
    for (unsigned i = 0; i < s->nstmts; i++)
        free(s->stmts[i].sql);
    free(s->stmts);
    s->stmts = NULL;
    s->nstmts = 0;
    /* New names from now on: statements the server may still have under the old ones (a
     * pooler that moved us to another server connection) can never collide with them. */
    s->generation++;
}

static void conn_close(struct slot *s)
{
    stmts_forget(s); /* they die with the connection */
    if (s->conn) {
        PQfinish(s->conn);
        s->conn = NULL;
        atomic_fetch_sub(&db_open, 1);
    }
}

static void fail(struct ej_db *db, enum ej_err e)
{
    db->err = e;
}

/* Takes a free slot for this thread's request, waiting at most EJ_DB_WAIT_MS;
 * NULL with 503 database_busy when none became free. */
static struct slot *borrow(struct ej_db *db)
{
    if (tl_slot)
        return tl_slot;
    pthread_once(&pool_once, pool_init);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    long long ns = until.tv_nsec + (long long)ej_cfg()->db_wait_ms * 1000000LL;
    until.tv_sec += (time_t)(ns / 1000000000LL);
    until.tv_nsec = (long)(ns % 1000000000LL);
    pthread_mutex_lock(&pool_mu);
    int timed_out = 0;
    while (nfree == 0 && !timed_out)
        timed_out = pthread_cond_timedwait(&pool_cv, &pool_mu, &until) != 0 && nfree == 0;
    if (nfree > 0)
        tl_slot = &slots[free_slots[--nfree]];
    pthread_mutex_unlock(&pool_mu);
    if (!tl_slot) {
        ej_log_event(
            EJ_LOG_WARN, "no free database connection",
            json_pack("{s:i, s:s}", "wait_ms", ej_cfg()->db_wait_ms, "request_id", db->request_id));
        fail(db, EJ_ERR_BUSY);
    }
    return tl_slot;
}

/* Gives this thread's slot back to the pool. */
static void give_back(void)
{
    struct slot *s = tl_slot;
    if (!s)
        return;
    /* A transaction left open (a handler that returned early, a failed
     * COMMIT) must not leak into the next borrower's request. */
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK &&
        PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
        PGresult *res = PQexec(s->conn, "ROLLBACK");
        PQclear(res);
    }
    if (s->conn &&
        (PQstatus(s->conn) != CONNECTION_OK || PQtransactionStatus(s->conn) != PQTRANS_IDLE))
        conn_close(s);
    s->begin_pending = false;
    tl_slot = NULL;
    pthread_mutex_lock(&pool_mu);
    free_slots[nfree++] = (int)(s - slots);
    pthread_cond_signal(&pool_cv);
    pthread_mutex_unlock(&pool_mu);
}

void ej_db_release(struct ej_db *db)
{
    give_back();
    db->in_tx = false;
}

/* Only matters if a request ended without ej_db_release (it always calls it). */
void ej_db_thread_cleanup(void)
{
    give_back();
}

void ej_db_pool_close(void)
{
    if (!slots)
        return;
    pthread_mutex_lock(&pool_mu);
    for (int i = 0; i < nfree; i++)
        conn_close(&slots[free_slots[i]]);
    pthread_mutex_unlock(&pool_mu);
}

/* statement_timeout_ms 0 = none (the command-line tools: a migration may be long). */
static PGconn *connect_with(const char *url, int statement_timeout_ms)
{
    /* jit=off: our statements are short indexed reads and writes. PostgreSQL's JIT compiles a
     * statement whose estimated cost passes jit_above_cost, and an overestimate (the old
     * entry-quality report: cost 410 000 for 6 ms of work) then paid 240-430 ms of compiling on
     * each fresh plan (tests/bench/README.md, issue 10). */
    char options[128];
    snprintf(options, sizeof options,
             "-c statement_timeout=%d -c idle_in_transaction_session_timeout=%d -c jit=off",
             statement_timeout_ms, statement_timeout_ms * 4);
    const char *keys[] = {"dbname", "connect_timeout", "application_name", "options", NULL};
    const char *vals[] = {url, "3", "ejournal", options, NULL};
    return PQconnectdbParams(keys, vals, 1);
}

/* libpq prints notices on stderr, among them what a server going away says
 * to an idle connection (FATAL/WARNING: terminating connection ...); the log
 * is one JSON object per line. */
static void log_notice(void *arg, const char *message)
{
    (void)arg;
    ej_log_event(EJ_LOG_WARN, "database notice", json_pack("{s:s}", "message", message));
}

/* Returns the borrowed slot's connection, borrowing and connecting if
 * needed; NULL with EJ_ERR_BUSY or EJ_ERR_UNAVAILABLE. */
static PGconn *conn_get(struct ej_db *db)
{
    struct slot *s = borrow(db);
    if (!s)
        return NULL;
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return s->conn;
    conn_close(s);
    double now = ej_now();
    long long failed = atomic_load(&failed_at_us);
    if (failed > 0 && now - (double)failed / 1e6 < RECONNECT_BACKOFF) {
        fail(db, EJ_ERR_UNAVAILABLE);
        return NULL;
    }
    PGconn *c = connect_with(ej_cfg()->database_url, ej_cfg()->statement_timeout_ms);
    PQsetNoticeProcessor(c, log_notice, NULL);
    if (PQstatus(c) != CONNECTION_OK) {
        /* The message can name hosts but never passwords; still, keep it at warn. */
        ej_log_event(EJ_LOG_WARN, "database connection failed",
                     json_pack("{s:s}", "error", PQerrorMessage(c)));
        PQfinish(c);
        atomic_store(&failed_at_us, (long long)(now * 1e6));
        atomic_store(&db_up_flag, 0);
        fail(db, EJ_ERR_UNAVAILABLE);
        return NULL;
    }
    atomic_store(&failed_at_us, 0);
    s->conn = c;
    atomic_fetch_add(&db_open, 1);
    atomic_store(&db_up_flag, 1);
    return c;
}

/* SQLSTATEs that mean the connection is gone or the server is going away. */
static int state_breaks_connection(const char *st)
{
    return strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 || strcmp(st, "57P02") == 0 ||
           strcmp(st, "57P03") == 0;
}

static int shape_ok(int shape, PGresult *res)
{
    int rows = PQntuples(res);
    switch (shape & 0xff) {
    case DB_ONE: return rows == 1;
    case DB_OPT: return rows <= 1;
    default: return 1;
    }
}

/* Records a failed result in db: its SQLSTATE, constraint and the kind of error. */
static void map_error(struct ej_db *db, PGconn *c, PGresult *res, const char *sql)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    snprintf(db->sqlstate, sizeof db->sqlstate, "%s", st ? st : "08000");
    snprintf(db->constraint, sizeof db->constraint, "%s", cons ? cons : "");
    db->column[0] = '\0';
    if (PQstatus(c) != CONNECTION_OK || state_breaks_connection(db->sqlstate)) {
        ej_log_event(
            EJ_LOG_WARN, "database connection lost",
            json_pack("{s:s, s:s}", "sqlstate", db->sqlstate, "request_id", db->request_id));
        conn_close(tl_slot);
        atomic_store(&db_up_flag, 0);
        fail(db, EJ_ERR_UNAVAILABLE);
        return;
    }
    /* Constraint violations (class 23) are expected answers (409/422): logged
     * at info, by constraint only. Others are errors. The primary message
     * only: PostgreSQL's DETAIL can quote the values (names, usernames). */
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int expected = strncmp(db->sqlstate, "23", 2) == 0;
    ej_log_event(expected ? EJ_LOG_INFO : EJ_LOG_ERROR,
                 expected ? "constraint violated" : "database statement failed",
                 expected
                     ? json_pack("{s:s, s:s, s:s}", "sqlstate", db->sqlstate, "constraint",
                                 db->constraint, "request_id", db->request_id)
                     : json_pack("{s:s, s:s, s:s, s:s}", "sqlstate", db->sqlstate, "error",
                                 primary ? primary : "", "sql", sql, "request_id", db->request_id));
    if (strcmp(db->sqlstate, "57014") == 0 || strcmp(db->sqlstate, "40001") == 0 ||
        strcmp(db->sqlstate, "40P01") == 0 || strcmp(db->sqlstate, "55P03") == 0 ||
        strcmp(db->sqlstate, "26000") == 0) {
        /* 26000: a prepared statement vanished inside a transaction (run() retries it outside
         * one); the cache is forgotten, so the client's retry works. */
        fail(db, EJ_ERR_BUSY);
    } else if (strcmp(db->sqlstate, "23505") == 0 || strcmp(db->sqlstate, "23P01") == 0) {
        fail(db, EJ_ERR_CONFLICT);
    } else if (strncmp(db->sqlstate, "22", 2) == 0 || strncmp(db->sqlstate, "23", 2) == 0) {
        /* Foreign keys are named <table>_<column>_fkey: keep the column. */
        const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
        size_t tl = table ? strlen(table) : 0, cl = strlen(db->constraint);
        if (strcmp(db->sqlstate, "23503") == 0 && tl && cl > tl + 6 &&
            strncmp(db->constraint, table, tl) == 0 &&
            strcmp(db->constraint + cl - 5, "_fkey") == 0)
            snprintf(db->column, sizeof db->column, "%.*s", (int)(cl - tl - 6),
                     db->constraint + tl + 1);
        fail(db, EJ_ERR_INVALID);
    } else {
        fail(db, EJ_ERR_INTERNAL);
    }
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int failed_with(PGresult *res, const char *sqlstate)
{
    const char *st = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return PQresultStatus(res) == PGRES_FATAL_ERROR && st && strcmp(st, sqlstate) == 0;
}

static PGresult *run_once(struct slot *s, const char *sql, int n, const char *const *params);

/* Runs sql as a prepared statement of this connection (preparing it on first
 * use), or as a one-off statement once the cache is full. The result is
 * PQclear'ed by the caller; a failed PREPARE is returned like a failed run.
 *
 * A prepared statement can vanish under us (SQLSTATE 26000): DEALLOCATE or DISCARD ALL run on
 * the connection, or a pooler in transaction mode that hands us another server connection.
 * Then the whole cache is forgotten, as nothing in it can be trusted, and outside a
 * transaction the statement is prepared and run once more (it failed alone, so nothing of it
 * happened); inside one the transaction is lost and the request fails with 503, which the
 * client may retry. Without this, every later request on this connection would fail. */
static PGresult *run(struct slot *s, const char *sql, int n, const char *const *params)
{
    PGresult *res = run_once(s, sql, n, params);
    if (!failed_with(res, "26000"))
        return res;
    ej_log_event(EJ_LOG_WARN, "prepared statements vanished; preparing them again",
                 json_pack("{s:i}", "cached", (int)s->nstmts));
    stmts_forget(s);
    if (PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        return res;
    PQclear(res);
    return run_once(s, sql, n, params);
}

/* The cached name of sql's prepared statement on this connection, into name;
 * *prepare: it is not prepared yet (a new cache entry, prepared by the
 * caller). Returns false when the cache is full: run it as a one-off. */
static bool stmt_lookup(struct slot *s, const char *sql, char name[24], bool *prepare)
{
    uint64_t h = fnv1a(sql);
    unsigned i = 0;
    while (i < s->nstmts && (s->stmts[i].hash != h || strcmp(s->stmts[i].sql, sql) != 0))
        i++;
    *prepare = i == s->nstmts;
    if (*prepare && s->nstmts == STMT_CACHE)
        return false;
    snprintf(name, 24, "ej%u_%u", s->generation, i);
    return true;
}

/* Remembers sql under the name stmt_lookup gave it, once prepared. */
static void stmt_remember(struct slot *s, const char *sql)
{
    if (!s->stmts)
        s->stmts = ej_xcalloc(STMT_CACHE, sizeof *s->stmts);
    s->stmts[s->nstmts].hash = fnv1a(sql);
    s->stmts[s->nstmts].sql = ej_xstrdup(sql);
    s->nstmts++;
}

/* The next result of a pipeline, and the NULL that ends it. */
static PGresult *pipeline_result(PGconn *c)
{
    PGresult *res = PQgetResult(c), *extra;
    /* one result and its NULL; bounded, as a lost connection may answer oddly */
    for (int k = 0; res && k < 4 && (extra = PQgetResult(c)) != NULL; k++)
        PQclear(extra);
    return res;
}

static bool result_ok(const PGresult *res)
{
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Runs `before` (a command without parameters, or NULL), the statement sql
 * (prepared and cached as run_once does) and `after` (a command, or NULL) in
 * one round trip: libpq's pipeline mode sends all of them and one Sync. The
 * result returned is that of the first one that failed, else the
 * statement's; *after_res gets `after`'s (NULL when none ran). On a broken
 * connection the result is NULL. */
static PGresult *run_pipelined(struct slot *s, const char *before, const char *sql, int n,
                               const char *const *params, const char *after, PGresult **after_res)
{
    PGconn *c = s->conn;
    char name[24];
    bool prepare, cached = stmt_lookup(s, sql, name, &prepare);
    *after_res = NULL;
    if (!PQenterPipelineMode(c))
        return NULL;
    bool sent = (!before || PQsendQueryParams(c, before, 0, NULL, NULL, NULL, NULL, 0)) &&
                (!cached || !prepare || PQsendPrepare(c, name, sql, n, NULL)) &&
                (cached ? PQsendQueryPrepared(c, name, n, params, NULL, NULL, 0)
                        : PQsendQueryParams(c, sql, n, NULL, params, NULL, NULL, 0)) &&
                (!after || PQsendQueryParams(c, after, 0, NULL, NULL, NULL, NULL, 0)) &&
                PQpipelineSync(c);
    if (!sent) {
        /* libpq could not queue or send: the connection is unusable. */
        PQexitPipelineMode(c);
        return NULL;
    }
    PGresult *first_bad = NULL, *main_res = NULL, *res;
    if (before) {
        res = pipeline_result(c);
        if (!result_ok(res))
            first_bad = res;
        else
            PQclear(res);
    }
    if (cached && prepare) {
        res = pipeline_result(c);
        if (result_ok(res)) {
            stmt_remember(s, sql);
            PQclear(res);
        } else if (!first_bad) {
            first_bad = res;
        } else {
            PQclear(res);
        }
    }
    main_res = pipeline_result(c);
    if (after)
        *after_res = pipeline_result(c);
    /* the Sync's own result, then back to normal mode */
    for (int k = 0; k < 8 && (res = PQgetResult(c)) != NULL; k++) {
        bool sync = PQresultStatus(res) == PGRES_PIPELINE_SYNC;
        PQclear(res);
        if (sync)
            break;
    }
    if (!PQexitPipelineMode(c) && PQstatus(c) == CONNECTION_OK) {
        /* Results left over: the connection cannot be trusted any more. A NULL
         * result counts as a broken connection, which the caller closes. */
        ej_log_event(EJ_LOG_WARN, "database pipeline left unfinished", NULL);
        PQclear(main_res);
        PQclear(*after_res);
        PQclear(first_bad);
        *after_res = NULL;
        return NULL;
    }
    if (first_bad) {
        PQclear(main_res);
        PQclear(*after_res);
        *after_res = NULL;
        return first_bad;
    }
    if (!main_res) {
        PQclear(*after_res);
        *after_res = NULL;
    }
    return main_res;
}

static PGresult *run_once(struct slot *s, const char *sql, int n, const char *const *params)
{
    PGconn *c = s->conn;
    if (s->begin_pending) {
        /* The transaction's BEGIN goes with its first statement. */
        PGresult *none;
        s->begin_pending = false;
        return run_pipelined(s, "BEGIN", sql, n, params, NULL, &none);
    }
    char name[24];
    bool prepare;
    if (!stmt_lookup(s, sql, name, &prepare))
        return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    if (prepare) {
        PGresult *prep = PQprepare(c, name, sql, n, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep;
        PQclear(prep);
        stmt_remember(s, sql);
    }
    return PQexecPrepared(c, name, n, params, NULL, NULL, 0);
}

PGresult *db_exec(struct ej_db *db, int shape, const char *sql, int n, const char *const *params)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        db->err = EJ_OK;
        PGconn *c = conn_get(db);
        if (!c)
            return NULL;
        /* The transaction's first statement (its BEGIN goes along) may be
         * retried too: on a connection that broke, nothing of it was kept. */
        bool tx_first = tl_slot->begin_pending;
        int first = !db->in_tx || tx_first;
        PGresult *res = run(tl_slot, sql, n, params);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            atomic_store(&db_up_flag, 1);
            if (!shape_ok(shape, res)) {
                ej_log_event(EJ_LOG_ERROR, "unexpected result shape",
                             json_pack("{s:s, s:i, s:s}", "sql", sql, "rows", PQntuples(res),
                                       "request_id", db->request_id));
                PQclear(res);
                fail(db, EJ_ERR_INTERNAL);
                return NULL;
            }
            return res;
        }
        /* Broken: libpq does not always notice. After PostgreSQL's immediate
         * shutdown or crash an idle connection's next query fails with
         * "server closed the connection" and no SQLSTATE while PQstatus can
         * still say CONNECTION_OK. */
        const char *code = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
        int was_broken = PQstatus(c) != CONNECTION_OK || !code || state_breaks_connection(code);
        map_error(db, c, res, sql);
        PQclear(res);
        /* A read outside a transaction may be retried once on a new connection. */
        if (!(was_broken && first && ((shape & DB_READ) || tx_first) && attempt == 0))
            return NULL;
        atomic_store(&failed_at_us, 0);
        if (tx_first && tl_slot)
            tl_slot->begin_pending = true;
    }
    return NULL;
}

enum ej_err db_json(struct ej_db *db, json_t **out, const char *sql, int n,
                    const char *const *params)
{
    *out = NULL;
    PGresult *res = db_exec(db, DB_OPT, sql, n, params);
    if (!res)
        return db->err;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        json_error_t e;
        *out = json_loads(PQgetvalue(res, 0, 0), JSON_DECODE_ANY, &e);
        if (!*out)
            fail(db, EJ_ERR_INTERNAL);
    }
    PQclear(res);
    return db->err;
}

enum ej_err db_row(struct ej_db *db, PGresult **res, int read, const char *sql, int n,
                   const char *const *params)
{
    *res = db_exec(db, DB_OPT | (read & DB_READ), sql, n, params);
    if (!*res)
        return db->err;
    if (PQntuples(*res) == 0) {
        PQclear(*res);
        *res = NULL;
        fail(db, EJ_ERR_NOT_FOUND);
    }
    return db->err;
}

int db_failed_with(const struct ej_db *db, const char *sqlstate, const char *constraint)
{
    return strcmp(db->sqlstate, sqlstate) == 0 &&
           (!constraint || strcmp(db->constraint, constraint) == 0);
}

const char *db_like(const char *q, char *out, size_t outlen)
{
    if (!q)
        return NULL;
    size_t o = 0;
    for (; *q && o + 2 < outlen; q++) {
        if (*q == '\\' || *q == '%' || *q == '_')
            out[o++] = '\\';
        out[o++] = *q;
    }
    out[o] = '\0';
    return out;
}

const char *db_i64(char *buf, int64_t v)
{
    snprintf(buf, 24, "%lld", (long long)v);
    return buf;
}

static enum ej_err simple(struct ej_db *db, const char *sql, int shape)
{
    PGresult *res = db_exec(db, shape, sql, 0, NULL);
    if (!res)
        return db->err;
    PQclear(res);
    return EJ_OK;
}

/* BEGIN is not sent on its own: it waits for the transaction's first
 * statement and goes with it in one round trip (run_once). The connection is
 * borrowed (and opened) now, so that a database that is not there answers
 * here as before. */
enum ej_err ej_db_begin(struct ej_db *db)
{
    db->err = EJ_OK;
    if (!conn_get(db))
        return db->err;
    tl_slot->begin_pending = true;
    db->in_tx = true;
    db->feed_n = 0;
    return EJ_OK;
}

/* COMMIT of a transaction in which a statement failed succeeds as a command, with the tag
 * ROLLBACK: nothing was kept. A handler that went on after a failure (keep_changes: a login's
 * record, throttle counts) must not take that for a commit. */
static enum ej_err commit_result(struct ej_db *db, PGresult *res)
{
    if (!res) {
        if (db->err == EJ_OK)
            db->err = EJ_ERR_UNAVAILABLE;
        return db->err;
    }
    int committed = PQresultStatus(res) == PGRES_COMMAND_OK &&
                    strcmp(PQcmdStatus(res), "COMMIT") == 0;
    if (!committed)
        ej_log_event(
            EJ_LOG_ERROR, "transaction rolled back at commit",
            json_pack("{s:s, s:s}", "tag", PQcmdStatus(res), "request_id", db->request_id));
    PQclear(res);
    if (!committed)
        fail(db, EJ_ERR_INTERNAL);
    return committed ? EJ_OK : db->err;
}

enum ej_err ej_db_commit(struct ej_db *db)
{
    if (db->in_tx && tl_slot && tl_slot->begin_pending) {
        /* nothing ran: nothing to commit */
        tl_slot->begin_pending = false;
        db->in_tx = false;
        db->feed_n = 0;
        return EJ_OK;
    }
    /* The change feed's positions (0012_changes.sql has the argument): the
     * clock row is locked last, just before COMMIT, and stays locked until
     * the commit is visible, so positions follow commit order without gaps.
     * The two go in one round trip, so the row is held for one less. */
    if (db->in_tx && db->feed_n > 0) {
        char k[24];
        const char *p[] = {db_i64(k, db->feed_n)};
        PGresult *done = NULL, *res = NULL;
        db->err = EJ_OK;
        if (conn_get(db))
            res = run_pipelined(tl_slot, NULL,
                                "WITH c AS (UPDATE change_clock SET position = position + $1::int"
                                " RETURNING position)"
                                " INSERT INTO change_commits (xid, first_position, last_position)"
                                " SELECT pg_current_xact_id(), position - $1::int + 1, position"
                                " FROM c",
                                1, p, "COMMIT", &done);
        if (!result_ok(res)) {
            if (res && failed_with(res, "26000") && tl_slot)
                stmts_forget(tl_slot); /* as run() does */
            if (db->err == EJ_OK && tl_slot && tl_slot->conn)
                map_error(db, tl_slot->conn, res, "change clock");
            else if (db->err == EJ_OK)
                fail(db, EJ_ERR_UNAVAILABLE);
            PQclear(res);
            PQclear(done);
            enum ej_err e = db->err;
            ej_db_rollback(db);
            return db->err = e;
        }
        PQclear(res);
        db->feed_n = 0;
        db->in_tx = false;
        return commit_result(db, done);
    }
    db->in_tx = false;
    PGresult *res = db_exec(db, DB_NONE, "COMMIT", 0, NULL);
    if (!res)
        return db->err;
    return commit_result(db, res);
}

void ej_db_rollback(struct ej_db *db)
{
    if (!db->in_tx)
        return;
    db->in_tx = false;
    db->feed_n = 0; /* the feed rows went with the transaction */
    if (tl_slot && tl_slot->begin_pending) {
        tl_slot->begin_pending = false; /* nothing was sent */
        return;
    }
    if (tl_slot && tl_slot->conn && PQstatus(tl_slot->conn) == CONNECTION_OK) {
        PGresult *res = PQexec(tl_slot->conn, "ROLLBACK");
        PQclear(res);
    }
}

enum ej_err ej_db_ping(struct ej_db *db)
{
    return simple(db, "SELECT 1", DB_ONE | DB_READ);
}

PGconn *db_connect_cli(void)
{
    PGconn *c = connect_with(ej_cfg()->database_url, 0);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "ejournal: cannot connect to the database: %s", PQerrorMessage(c));
        PQfinish(c);
        exit(1);
    }
    return c;
}

int db_cli_delete_batches(PGconn *c, const char *sql, const char *arg, long *deleted)
{
    const char *p[] = {arg};
    for (;;) {
        PGresult *res = PQexecParams(c, sql, arg ? 1 : 0, NULL, arg ? p : NULL, NULL, NULL, 0);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            fprintf(stderr, "ejournal: %s", PQerrorMessage(c));
            PQclear(res);
            return -1;
        }
        long n = strtol(PQcmdTuples(res), NULL, 10);
        PQclear(res);
        *deleted += n;
        if (n == 0)
            return 0;
    }
}
