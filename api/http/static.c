#include "http/static.h"

#include "core/alloc.h"
#include "core/digest.h"
#include "core/log.h"

#include <civetweb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The folder, opened once at start; -1 = static serving is off. Only read
 * after ej_static_init, so the workers share it without locking. */
static int web_dir = -1;

/* Whether a path is one of the API's (main.c asks the route table). */
static bool (*api_path)(const char *path);

/* No inline script or style anywhere in the client, so the policy needs no
 * 'unsafe-inline' and no nonces; the API is same-origin ('self'). */
#define CSP "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
#define IMMUTABLE "public, max-age=31536000, immutable"
/* Hex digits of the SHA-256 that make a file's version (?v=) and its ETag. */
#define VERSION_HEX 12
#define ETAG_HEX 20

int ej_static_init(bool (*is_api_path)(const char *path))
{
    api_path = is_api_path;
    const char *dir = getenv("EJ_WEB_DIR");
    if (!dir || !*dir)
        return 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "ejournal: configuration: EJ_WEB_DIR is not a readable folder (%s: %s)\n",
                dir, strerror(errno));
        return -1;
    }
    web_dir = fd;
    ej_log_event(EJ_LOG_INFO, "web_dir", json_pack("{s:s}", "path", dir));
    return 0;
}

void ej_static_cleanup(void)
{
    if (web_dir >= 0)
        close(web_dir);
    web_dir = -1;
}

int ej_static_clean_path(const char *path, char *out, size_t outlen)
{
    if (!path || path[0] != '/' || outlen == 0)
        return -1;
    if (strcmp(path, "/") == 0) {
        if (outlen < sizeof "index.html")
            return -1;
        memcpy(out, "index.html", sizeof "index.html");
        return 0;
    }
    const char *s = path + 1;
    size_t n = strlen(s);
    if (n >= outlen)
        return -1;
    /* Segment by segment: none empty (no "//", no trailing "/": a folder),
     * none starting with "." (covers ".", ".." and dotfiles). */
    int at_segment_start = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        /* No file name of ours needs an escape; an escape is how "..", "/" or
         * NUL would hide, so it is refused rather than decoded. */
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
            return -1;
        if (at_segment_start && (c == '/' || c == '.'))
            return -1;
        at_segment_start = c == '/';
    }
    if (at_segment_start) /* ends with "/" */
        return -1;
    memcpy(out, s, n + 1);
    return 0;
}

const char *ej_static_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".webmanifest", "application/manifest+json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    const char *slash = strrchr(name, '/');
    if (!dot || (slash && dot < slash))
        return NULL;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

bool ej_static_etag_listed(const char *inm, const char *etag)
{
    if (!inm || !etag)
        return false;
    size_t elen = strlen(etag);
    const char *p = inm;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (!*p)
            break;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        const char *end = p;
        if (*end == '"') {
            end = strchr(p + 1, '"');
            if (!end)
                return false;
            end++;
        } else {
            while (*end && *end != ',')
                end++;
        }
        if ((size_t)(end - p) == elen && memcmp(p, etag, elen) == 0)
            return true;
        p = end;
    }
    return false;
}

bool ej_static_query_is_version(const char *query, const char *version)
{
    return query && strncmp(query, "v=", 2) == 0 && strcmp(query + 2, version) == 0;
}

/* Opens name under the folder one component at a time, refusing a symbolic
 * link anywhere (O_NOFOLLOW on each component), so nothing outside the folder
 * can be reached. Returns a descriptor of a regular file, or -1. */
static int open_beneath(const char *name)
{
    char copy[EJ_STATIC_MAX_PATH];
    snprintf(copy, sizeof copy, "%s", name);
    int dir = web_dir;
    char *seg = copy;
    for (;;) {
        char *slash = strchr(seg, '/');
        if (!slash)
            break;
        *slash = '\0';
        int next = openat(dir, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dir != web_dir)
            close(dir);
        if (next < 0)
            return -1;
        dir = next;
        seg = slash + 1;
    }
    int fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (dir != web_dir)
        close(dir);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > EJ_STATIC_MAX_FILE) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads a whole (small, regular) file. Returns a malloc'd buffer or NULL. */
static char *read_all(int fd, size_t *len)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return NULL;
    size_t want = (size_t)st.st_size, got = 0;
    char *buf = ej_xmalloc(want);
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != want) { /* changed while read: let the client ask again */
        free(buf);
        return NULL;
    }
    *len = got;
    return buf;
}

static bool outside_api(const struct ej_req *r)
{
    if (strncmp(r->path, "/api/", 5) == 0 || strcmp(r->path, "/api") == 0)
        return false;
    /* Any route of the table (/healthz, /readyz, /metrics, ...) wins. */
    return !(api_path && api_path(r->path));
}

bool ej_static_serve(struct ej_req *r)
{
    if (web_dir < 0 || !r->path)
        return false;
    bool head = strcmp(r->method, "HEAD") == 0;
    if (!head && strcmp(r->method, "GET") != 0)
        return false;
    if (!outside_api(r))
        return false;
    /* From here the path is ours: whatever names no servable file is 404, the
     * same problem the router gives, before the API's own target checks (a
     * percent-escape is refused here as a name, not decoded). */
    char name[EJ_STATIC_MAX_PATH];
    const char *type = NULL;
    int fd = -1;
    if (ej_static_clean_path(r->path, name, sizeof name) == 0 &&
        (type = ej_static_content_type(name)) != NULL)
        fd = open_beneath(name);
    size_t len = 0;
    char *body = NULL;
    if (fd >= 0) {
        body = read_all(fd, &len);
        close(fd);
    }
    if (!body) {
        ej_problem(r, 404, "not_found", "No such resource.");
        return false;
    }

    char hex[65], etag[ETAG_HEX + 3], version[VERSION_HEX + 1];
    ej_sha256_hex(body, len, hex);
    snprintf(etag, sizeof etag, "\"%.*s\"", ETAG_HEX, hex);
    snprintf(version, sizeof version, "%.*s", VERSION_HEX, hex);
    /* Only a URL naming this very content may be cached for good; index.html
     * and anything asked for without (or with a stale) v is revalidated. */
    const char *cache = ej_static_query_is_version(r->query, version) ? IMMUTABLE : "no-cache";
    bool not_modified = ej_static_etag_listed(ej_req_header(r, "If-None-Match"), etag);
    r->status = not_modified ? 304 : 200;

    struct mg_connection *conn = r->conn;
    char date[40], num[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    mg_response_header_start(conn, r->status);
    mg_response_header_add(conn, "Date", date, -1);
    if (!not_modified) {
        mg_response_header_add(conn, "Content-Type", type, -1);
        snprintf(num, sizeof num, "%zu", len);
        mg_response_header_add(conn, "Content-Length", num, -1);
    }
    mg_response_header_add(conn, "ETag", etag, -1);
    mg_response_header_add(conn, "Cache-Control", cache, -1);
    mg_response_header_add(conn, "X-Request-Id", r->request_id, -1);
    mg_response_header_add(conn, "Content-Security-Policy", CSP, -1);
    mg_response_header_add(conn, "X-Content-Type-Options", "nosniff", -1);
    mg_response_header_add(conn, "Referrer-Policy", "no-referrer", -1);
    mg_response_header_add(conn, "X-Frame-Options", "DENY", -1);
    mg_response_header_add(conn, "Cross-Origin-Opener-Policy", "same-origin", -1);
    /* A GET with a body we did not read cannot be kept alive safely. */
    if (r->content_length > 0 || r->chunked)
        mg_response_header_add(conn, "Connection", "close", -1);
    mg_response_header_send(conn);
    if (!not_modified && !head && len)
        mg_write(conn, body, len);
    free(body);
    return true;
}
