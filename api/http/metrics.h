/* Request metrics in Prometheus text format: requests by route and status,
 * latency histogram by route. Lock-free counters, safe from any thread. */
#ifndef EJ_HTTP_METRICS_H
#define EJ_HTTP_METRICS_H

#include <stddef.h>

/* Routes are counted by index; this many at most (the rest count as unmatched). */
#define EJ_METRICS_MAX_ROUTES 160

/* A route's labels in the output: method="GET",route="/api/v1/users/{id}". */
struct ej_metrics_label {
    const char *method;
    const char *path;
};

/* The labels of route indexes 0..n-1, from whoever owns the route table
 * (main.c); borrowed for the life of the process. Call before serving. */
void ej_metrics_init(const struct ej_metrics_label *labels, size_t n);

/* Records one finished request; route_index -1 = no route matched. */
void ej_metrics_record(int route_index, int status, double seconds);

/* Renders the request metrics followed by `extra` (borrowed, may be NULL).
 * Returns a new malloc'd string; *len gets its length. */
char *ej_metrics_render(const char *extra, size_t *len);

#endif
