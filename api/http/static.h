/* Static files of the web client: the folder named by EJ_WEB_DIR, served at /.
 *
 * API routes keep precedence: a path under /api/ or one that any route of the
 * table matches is never served from the folder. Only regular files inside the
 * folder are served, found component by component from the folder's own
 * descriptor without following any symbolic link; directories, dotfiles and
 * anything that is not a plain relative name are 404 (no listings). Every
 * reply carries the strict headers (CSP without inline script or style,
 * nosniff, no referrer, no framing). Cache policy: a request with
 * `?v=<the first 12 hex digits of the file's SHA-256>` is immutable for a year;
 * anything else (index.html, a stale or missing v) is `no-cache` with a strong
 * ETag, so If-None-Match gets 304. */
#ifndef EJ_HTTP_STATIC_H
#define EJ_HTTP_STATIC_H

#include "core/req.h"

#include <stdbool.h>
#include <stddef.h>

/* The largest file served (the client's files are a few KiB each). */
#define EJ_STATIC_MAX_FILE (8 * 1024 * 1024)
/* The longest relative path looked up. */
#define EJ_STATIC_MAX_PATH 512

/* Reads EJ_WEB_DIR: unset or empty leaves static serving off. Otherwise the
 * folder is opened once; returns -1 after printing one line naming the
 * variable if it is not a readable folder. is_api_path (from main.c, which
 * owns the route table) tells whether any route matches a path: such a path
 * is never served from the folder. */
int ej_static_init(bool (*is_api_path)(const char *path));
/* Closes the folder. */
void ej_static_cleanup(void);

/* If static serving is on and r is a GET or HEAD outside the API (no route of
 * the table matches its path, and it is not under /api/), answers it: a file
 * or 304 written on r->conn, returning true; or, for anything that names no
 * servable file, a 404 not_found problem set in r (for the caller to send),
 * returning false. Otherwise returns false and r is untouched. r->status
 * is set whenever this answered (the request log then names the route
 * "static"). */
bool ej_static_serve(struct ej_req *r);

/* --- pure helpers (unit-tested) --- */

/* Turns a request path (as sent: nothing is percent-decoded) into a relative
 * file name in out: "/" is "index.html". Returns 0, or -1 for
 * anything refused: not starting with "/", empty or dot-first segments
 * ("..", ".", ".git"), a trailing "/", "\\", "%", control bytes, or longer
 * than outlen. */
int ej_static_clean_path(const char *path, char *out, size_t outlen);

/* The Content-Type for a file name by its extension, or NULL for a type that
 * is not served. */
const char *ej_static_content_type(const char *name);

/* True if an If-None-Match header value names etag ("*" included; weak
 * validators compare by their opaque part, as RFC 9110 says for GET). */
bool ej_static_etag_listed(const char *if_none_match, const char *etag);

/* True if the query string is exactly `v=<version>`. */
bool ej_static_query_is_version(const char *query, const char *version);

#endif
