#include "http/metrics.h"

#include "core/alloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES EJ_METRICS_MAX_ROUTES
static const int statuses[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 408, 409,
                               411, 412, 413, 415, 422, 429, 431, 500, 503, 0};
#define NSTATUS (sizeof statuses / sizeof statuses[0]) /* last slot: any other */
static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
#define NBUCKETS (sizeof buckets / sizeof buckets[0])

struct route_metrics {
    atomic_ulong by_status[NSTATUS];
    atomic_ulong le[NBUCKETS]; /* non-cumulative; summed when rendered */
    atomic_ulong count;
    atomic_ulong sum_us;
};

/* slot MAX_ROUTES: requests that matched no route */
static struct route_metrics metrics[MAX_ROUTES + 1];

/* Set once before the workers start, only read afterwards. */
static const struct ej_metrics_label *labels;
static size_t nlabels;

void ej_metrics_init(const struct ej_metrics_label *l, size_t n)
{
    labels = l;
    nlabels = n;
}

void ej_metrics_record(int route_index, int status, double seconds)
{
    size_t slot = (route_index < 0 || route_index >= MAX_ROUTES) ? MAX_ROUTES : (size_t)route_index;
    struct route_metrics *m = &metrics[slot];
    size_t s = 0;
    while (s < NSTATUS - 1 && statuses[s] != status)
        s++;
    atomic_fetch_add(&m->by_status[s], 1);
    for (size_t b = 0; b < NBUCKETS; b++)
        if (seconds <= buckets[b]) {
            atomic_fetch_add(&m->le[b], 1);
            break;
        }
    atomic_fetch_add(&m->count, 1);
    atomic_fetch_add(&m->sum_us, (unsigned long)(seconds * 1e6));
}

struct sbuf {
    char *s;
    size_t len, cap;
};

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (size_t)n;
        b->s = ej_xrealloc(b->s, b->cap);
    }
}

static void route_label(size_t i, char *out, size_t outlen)
{
    if (i == MAX_ROUTES || i >= nlabels)
        snprintf(out, outlen, "method=\"\",route=\"unmatched\"");
    else
        snprintf(out, outlen, "method=\"%s\",route=\"%s\"", labels[i].method, labels[i].path);
}

char *ej_metrics_render(const char *extra, size_t *len)
{
    struct sbuf b = {ej_xmalloc(16384), 0, 16384};
    char label[256];
    sb_printf(&b, "# HELP ejournal_http_requests_total HTTP requests by route and status.\n"
                  "# TYPE ejournal_http_requests_total counter\n");
    for (size_t i = 0; i <= MAX_ROUTES; i++) {
        if (atomic_load(&metrics[i].count) == 0)
            continue;
        route_label(i, label, sizeof label);
        for (size_t s = 0; s < NSTATUS; s++) {
            unsigned long v = atomic_load(&metrics[i].by_status[s]);
            if (!v)
                continue;
            if (statuses[s])
                sb_printf(&b, "ejournal_http_requests_total{%s,status=\"%d\"} %lu\n", label,
                          statuses[s], v);
            else
                sb_printf(&b, "ejournal_http_requests_total{%s,status=\"other\"} %lu\n", label, v);
        }
    }
    sb_printf(&b, "# HELP ejournal_http_request_duration_seconds Request latency by route.\n"
                  "# TYPE ejournal_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= MAX_ROUTES; i++) {
        unsigned long count = atomic_load(&metrics[i].count);
        if (!count)
            continue;
        route_label(i, label, sizeof label);
        unsigned long cum = 0;
        for (size_t k = 0; k < NBUCKETS; k++) {
            cum += atomic_load(&metrics[i].le[k]);
            sb_printf(&b, "ejournal_http_request_duration_seconds_bucket{%s,le=\"%g\"} %lu\n",
                      label, buckets[k], cum);
        }
        sb_printf(&b, "ejournal_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %lu\n", label,
                  count);
        sb_printf(&b, "ejournal_http_request_duration_seconds_sum{%s} %.6f\n", label,
                  (double)atomic_load(&metrics[i].sum_us) / 1e6);
        sb_printf(&b, "ejournal_http_request_duration_seconds_count{%s} %lu\n", label, count);
    }
    if (extra)
        sb_printf(&b, "%s", extra);
    *len = b.len;
    return b.s;
}
