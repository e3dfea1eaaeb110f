/* The request pipeline: what happens between the HTTP layer and a handler, in
 * a fixed order so no handler runs for a request that should be refused:
 *   client address (EJ_TRUSTED_PROXIES) → route (404, 405 + Allow; CORS
 *   preflight) → content type (415) → framing and size (411, 413) →
 *   per-address budget of hashing routes (429) → authentication (401) →
 *   password change required / role (403) → body parse (400) → hashing slot,
 *   FIFO wait (503 busy) → transaction + Idempotency-Key → handler → commit
 *   (2xx) or rollback. */
#ifndef EJ_PIPELINE_H
#define EJ_PIPELINE_H

#include "core/req.h"

/* Runs one request to a reply (always sets r->status). */
void ej_pipeline_run(struct ej_req *r);

#endif
