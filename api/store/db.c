#include "store/db.h"

#include "core/config.h"
#include "core/log.h"
#include "store/store.h"

#include <pthread.h>
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

int ej_db_up(void) { return atomic_load(&db_up_flag); }
long ej_db_open_connections(void) { return atomic_load(&db_open); }

static void pool_init(void)
{
    int n = ej_cfg()->db_connections > 0 ? ej_cfg()->db_connections : 1;
    slots = calloc((size_t)n, sizeof *slots);
    free_slots = calloc((size_t)n, sizeof *free_slots);
    if (!slots || !free_slots)
        abort();
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

static int busy(struct ej_req *r)
{
    r->retry_after = 1;
    return ej_problem(r, 503, "database_busy", "The database is busy; try again.");
}

/* Takes a free slot for this thread's request, waiting at most EJ_DB_WAIT_MS;
 * NULL with 503 database_busy when none became free. */
static struct slot *borrow(struct ej_req *r)
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
        ej_log_event(EJ_LOG_WARN, "no free database connection",
                     json_pack("{s:i, s:s}", "wait_ms", ej_cfg()->db_wait_ms, "request_id",
                               r->request_id));
        busy(r);
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
    if (s->conn && (PQstatus(s->conn) != CONNECTION_OK ||
                    PQtransactionStatus(s->conn) != PQTRANS_IDLE))
        conn_close(s);
    tl_slot = NULL;
    pthread_mutex_lock(&pool_mu);
    free_slots[nfree++] = (int)(s - slots);
    pthread_cond_signal(&pool_cv);
    pthread_mutex_unlock(&pool_mu);
}

void ej_db_release(struct ej_req *r)
{
    give_back();
    r->in_tx = false;
}

/* Only matters if a request ended without ej_db_release (it always calls it). */
void ej_db_thread_cleanup(void) { give_back(); }

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
    char options[112];
    snprintf(options, sizeof options,
             "-c statement_timeout=%d -c idle_in_transaction_session_timeout=%d",
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

static int unavailable(struct ej_req *r)
{
    r->retry_after = 2;
    return ej_problem(r, 503, "database_unavailable",
                      "The database is not reachable right now; try again shortly.");
}

/* Returns the borrowed slot's connection, borrowing and connecting if
 * needed; NULL with 503 set. */
static PGconn *conn_get(struct ej_req *r)
{
    struct slot *s = borrow(r);
    if (!s)
        return NULL;
    if (s->conn && PQstatus(s->conn) == CONNECTION_OK)
        return s->conn;
    conn_close(s);
    double now = ej_now();
    long long failed = atomic_load(&failed_at_us);
    if (failed > 0 && now - (double)failed / 1e6 < RECONNECT_BACKOFF) {
        unavailable(r);
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
        unavailable(r);
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
    return strncmp(st, "08", 2) == 0 || strcmp(st, "57P01") == 0 ||
           strcmp(st, "57P02") == 0 || strcmp(st, "57P03") == 0;
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

/* Maps a failed result onto the request's problem. */
static void map_error(struct ej_req *r, PGconn *c, PGresult *res, const char *sql)
{
    const char *st = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *cons = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    snprintf(r->sqlstate, sizeof r->sqlstate, "%s", st ? st : "08000");
    snprintf(r->constraint_name, sizeof r->constraint_name, "%s", cons ? cons : "");
    if (PQstatus(c) != CONNECTION_OK || state_breaks_connection(r->sqlstate)) {
        ej_log_event(EJ_LOG_WARN, "database connection lost",
                     json_pack("{s:s, s:s}", "sqlstate", r->sqlstate,
                               "request_id", r->request_id));
        conn_close(tl_slot);
        atomic_store(&db_up_flag, 0);
        unavailable(r);
        return;
    }
    /* Constraint violations (class 23) are expected answers (409/422): logged
     * at info, by constraint only. Others are errors. The primary message
     * only: PostgreSQL's DETAIL can quote the values (names, usernames). */
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int expected = strncmp(r->sqlstate, "23", 2) == 0;
    ej_log_event(expected ? EJ_LOG_INFO : EJ_LOG_ERROR,
                 expected ? "constraint violated" : "database statement failed",
                 expected ? json_pack("{s:s, s:s, s:s}", "sqlstate", r->sqlstate, "constraint",
                                      r->constraint_name, "request_id", r->request_id)
                          : json_pack("{s:s, s:s, s:s, s:s}", "sqlstate", r->sqlstate, "error",
                                      primary ? primary : "", "sql", sql, "request_id",
                                      r->request_id));
    if (strcmp(r->sqlstate, "57014") == 0 || strcmp(r->sqlstate, "40001") == 0 ||
        strcmp(r->sqlstate, "40P01") == 0 || strcmp(r->sqlstate, "55P03") == 0) {
        busy(r);
    } else if (strcmp(r->sqlstate, "23505") == 0) {
        ej_problem(r, 409, "conflict", "This conflicts with an existing record.");
    } else if (strcmp(r->sqlstate, "23503") == 0) {
        /* Constraint names are <table>_<column>_fkey: name the field. */
        const char *table = PQresultErrorField(res, PG_DIAG_TABLE_NAME);
        char field[64] = "";
        size_t tl = table ? strlen(table) : 0, cl = strlen(r->constraint_name);
        if (tl && cl > tl + 6 && strncmp(r->constraint_name, table, tl) == 0 &&
            strcmp(r->constraint_name + cl - 5, "_fkey") == 0)
            snprintf(field, sizeof field, "%.*s", (int)(cl - tl - 6), r->constraint_name + tl + 1);
        ej_problem(r, 422, "validation_failed", "%s%s refers to a record that does not exist.",
                   field[0] ? "Field " : "A value", field);
        if (field[0])
            ej_problem_field(r, field, "refers to a record that does not exist");
    } else if (strncmp(r->sqlstate, "22", 2) == 0 || strncmp(r->sqlstate, "23", 2) == 0) {
        ej_problem(r, 422, "validation_failed", "A value is out of range or invalid.");
    } else {
        ej_problem(r, 500, "internal_error", "Internal error (request %s).", r->request_id);
    }
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Runs sql as a prepared statement of this connection (preparing it on first
 * use), or as a one-off statement once the cache is full. The result is
 * PQclear'ed by the caller; a failed PREPARE is returned like a failed run. */
static PGresult *run(struct slot *s, const char *sql, int n, const char *const *params)
{
    PGconn *c = s->conn;
    uint64_t h = fnv1a(sql);
    char name[24];
    unsigned i = 0;
    while (i < s->nstmts && (s->stmts[i].hash != h || strcmp(s->stmts[i].sql, sql) != 0))
        i++;
    if (i == s->nstmts) {
        if (s->nstmts == STMT_CACHE)
            return PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
        if (!s->stmts && !(s->stmts = calloc(STMT_CACHE, sizeof *s->stmts)))
            abort();
        snprintf(name, sizeof name, "ej%u", i);
        PGresult *prep = PQprepare(c, name, sql, n, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep;
        PQclear(prep);
        s->stmts[i].hash = h;
        if (!(s->stmts[i].sql = strdup(sql)))
            abort();
        s->nstmts++;
    }
    snprintf(name, sizeof name, "ej%u", i);
    return PQexecPrepared(c, name, n, params, NULL, NULL, 0);
}

PGresult *db_exec(struct ej_req *r, int shape, const char *sql, int n,
                  const char *const *params)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        PGconn *c = conn_get(r);
        if (!c)
            return NULL;
        int first = !r->in_tx;
        PGresult *res = run(tl_slot, sql, n, params);
        ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            atomic_store(&db_up_flag, 1);
            if (!shape_ok(shape, res)) {
                ej_log_event(EJ_LOG_ERROR, "unexpected result shape",
                             json_pack("{s:s, s:i, s:s}", "sql", sql, "rows",
                                       PQntuples(res), "request_id", r->request_id));
                PQclear(res);
                ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                           r->request_id);
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
        map_error(r, c, res, sql);
        PQclear(res);
        /* A read outside a transaction may be retried once on a new connection. */
        if (!(was_broken && first && (shape & DB_READ) && attempt == 0))
            return NULL;
        atomic_store(&failed_at_us, 0);
        ej_reply_empty(r, 0);
        r->retry_after = 0;
    }
    return NULL;
}

int db_json(struct ej_req *r, json_t **out, const char *sql, int n,
            const char *const *params)
{
    *out = NULL;
    PGresult *res = db_exec(r, DB_OPT, sql, n, params);
    if (!res)
        return -1;
    if (PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
        json_error_t e;
        *out = json_loads(PQgetvalue(res, 0, 0), JSON_DECODE_ANY, &e);
        if (!*out) {
            PQclear(res);
            return ej_problem(r, 500, "internal_error", "Internal error (request %s).",
                              r->request_id);
        }
    }
    PQclear(res);
    return 0;
}

int db_failed_with(const struct ej_req *r, const char *sqlstate, const char *constraint)
{
    return strcmp(r->sqlstate, sqlstate) == 0 &&
           (!constraint || strcmp(r->constraint_name, constraint) == 0);
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

static int simple(struct ej_req *r, const char *sql, int shape)
{
    PGresult *res = db_exec(r, shape, sql, 0, NULL);
    if (!res)
        return -1;
    PQclear(res);
    return 0;
}

int ej_db_begin(struct ej_req *r)
{
    if (simple(r, "BEGIN", DB_NONE | DB_READ) != 0)
        return -1;
    r->in_tx = true;
    r->feed_n = 0;
    return 0;
}

int ej_db_commit(struct ej_req *r)
{
    /* The change feed's positions (0012_changes.sql has the argument): the
     * clock row is locked last, just before COMMIT, and stays locked until
     * the commit is visible, so positions follow commit order without gaps. */
    if (r->in_tx && r->feed_n > 0) {
        char k[24];
        const char *p[] = {db_i64(k, r->feed_n)};
        PGresult *res = db_exec(r, DB_NONE,
                                "WITH c AS (UPDATE change_clock SET position = position + $1::int"
                                " RETURNING position)"
                                " INSERT INTO change_commits (xid, first_position, last_position)"
                                " SELECT pg_current_xact_id(), position - $1::int + 1, position FROM c",
                                1, p);
        if (!res) {
            ej_db_rollback(r);
            return -1;
        }
        PQclear(res);
        r->feed_n = 0;
    }
    r->in_tx = false;
    return simple(r, "COMMIT", DB_NONE);
}

void ej_db_rollback(struct ej_req *r)
{
    if (!r->in_tx)
        return;
    r->in_tx = false;
    if (tl_slot && tl_slot->conn && PQstatus(tl_slot->conn) == CONNECTION_OK) {
        PGresult *res = PQexec(tl_slot->conn, "ROLLBACK");
        PQclear(res);
    }
}

int ej_db_ping(struct ej_req *r) { return simple(r, "SELECT 1", DB_ONE | DB_READ); }

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
