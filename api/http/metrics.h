/* Request metrics in Prometheus text format: requests by route and status,
 * latency histogram by route. Lock-free counters, safe from any thread. */
#ifndef EJ_HTTP_METRICS_H
#define EJ_HTTP_METRICS_H

#include <stddef.h>

/* Records one finished request; route_index -1 = no route matched. */
void ej_metrics_record(int route_index, int status, double seconds);

/* Renders the request metrics followed by `extra` (borrowed, may be NULL).
 * Returns a new malloc'd string; *len gets its length. */
char *ej_metrics_render(const char *extra, size_t *len);

#endif
