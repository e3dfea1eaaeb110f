#include "core/log.h"

#include "core/alloc.h"
#include "core/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile int log_threshold = EJ_LOG_INFO;
static const char *const level_names[] = {"error", "warn", "info", "debug"};

void ej_log_set_level(enum ej_log_level level)
{
    log_threshold = (int)level;
}

int ej_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(s, level_names[i]) == 0)
            return i;
    if (strcmp(s, "warning") == 0)
        return EJ_LOG_WARN;
    return -1;
}

int ej_log_enabled(enum ej_log_level level)
{
    return (int)level <= log_threshold;
}

void ej_log_event(enum ej_log_level level, const char *msg, json_t *fields)
{
    if (!ej_log_enabled(level)) {
        json_decref(fields);
        return;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(ts.tv_nsec / 1000000) % 1000);

    json_t *line = json_object();
    json_object_set_new(line, "ts", json_string(stamp));
    json_object_set_new(line, "level", json_string(level_names[level]));
    json_object_set_new(line, "msg", json_string(msg ? msg : ""));
    if (fields)
        json_object_update(line, fields);
    json_decref(fields);

    /* Reals with at most 15 significant digits: 1.234 stays "1.234", not
     * the 17-digit "1.2340000000000000" of jansson's default. */
    char *text = json_dumps(line, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(15));
    json_decref(line);
    if (!text)
        return;
    size_t len = strlen(text);
    text[len] = '\0';
    /* One write per line so lines from different threads never interleave. */
    char *buf = ej_xmalloc(len + 2);
    memcpy(buf, text, len);
    buf[len] = '\n';
    ssize_t ignored = write(STDERR_FILENO, buf, len + 1);
    (void)ignored;
    free(buf);
    free(text);
}

void ej_log(enum ej_log_level level, const char *fmt, ...)
{
    if (!ej_log_enabled(level))
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ej_utf8_truncate(msg,
                     sizeof msg - 1); /* Jansson refuses half a character: the line would be lost */
    ej_log_event(level, msg, NULL);
}
