/* Structured logging: one JSON object per line on stderr.
 * Never pass tokens, passwords or request bodies to these functions. */
#ifndef EJ_CORE_LOG_H
#define EJ_CORE_LOG_H

#include <jansson.h>

enum ej_log_level { EJ_LOG_ERROR = 0, EJ_LOG_WARN, EJ_LOG_INFO, EJ_LOG_DEBUG };

/* Sets the threshold; messages above it are dropped. */
void ej_log_set_level(enum ej_log_level level);
/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int ej_log_level_parse(const char *s);
/* True if a message at this level would be written. */
int ej_log_enabled(enum ej_log_level level);

/* Writes {"ts","level","msg", ...fields}. Steals `fields` (may be NULL). */
void ej_log_event(enum ej_log_level level, const char *msg, json_t *fields);
/* printf-style convenience for messages without structured fields. */
void ej_log(enum ej_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
