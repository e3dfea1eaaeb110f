/* Cutting UTF-8 text to fit a fixed buffer without splitting a character: a half character is
 * invalid UTF-8, which Jansson refuses to pack (a problem reply without a body, a lost log line)
 * and PostgreSQL refuses to store (SQLSTATE 22021). */
#ifndef EJ_CORE_UTF8_H
#define EJ_CORE_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* Cuts the NUL-terminated s in place to at most max bytes, at a character boundary; a trailing
 * partial character (as snprintf leaves when it cuts) is removed too. s is otherwise valid
 * UTF-8. Returns true if anything was removed. */
bool ej_utf8_truncate(char *s, size_t max);

/* Client input a problem quotes back (a field or parameter name): at most EJ_ECHO_MAX bytes, cut
 * at a character, with "…" when cut. Returns out. */
#define EJ_ECHO_MAX 100
#define EJ_ECHO_BUFSZ (EJ_ECHO_MAX + sizeof "…")
const char *ej_utf8_echo(const char *in, char out[EJ_ECHO_BUFSZ]);

#endif
