/* The change feed (GET /changes, SPEC "Integration"): reads the rows that
 * store/audit.c writes with every audited change and that ej_db_commit
 * numbers in commit order (0012_changes.sql has why that order has no gaps),
 * and prunes them after their retention. */
#ifndef EJ_STORE_CHANGES_H
#define EJ_STORE_CHANGES_H

#include "core/dbctx.h"

#include <jansson.h>
#include <stdint.h>

struct pg_conn;

/* Positions: `oldest` is the cursor from which everything still kept
 * follows, `latest` the position of the last committed change (0 before the
 * first). */
enum ej_err ej_store_change_bounds(struct ej_db *db, int64_t *oldest, int64_t *latest);

/* Up to `limit` changes with positions above `after`, in position order, as
 * the API's items [{cursor, committed_at, entity, id, op, external_id, data}]
 * (new reference in *items). *last: the position of the last one (after if
 * none). On error *items is NULL. */
enum ej_err ej_store_changes_page(struct ej_db *db, int64_t after, int limit, json_t **items,
                                  int64_t *last);

/* `ejournal prune`: deletes changes committed more than `days` days ago (in
 * batches, oldest first). Adds the change rows deleted to *deleted. */
int ej_store_changes_prune(struct pg_conn *c, int days, long *deleted);

#endif
