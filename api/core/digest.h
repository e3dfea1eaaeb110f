/* SHA-256 (from libcrypto, which libjwt already depends on). */
#ifndef EJ_CORE_DIGEST_H
#define EJ_CORE_DIGEST_H

#include <stddef.h>

/* Writes the 64 lowercase hex digits of SHA-256(data) and a NUL into out. */
void ej_sha256_hex(const void *data, size_t len, char out[65]);
/* Writes the 44 characters of SHA-256(data) in base64 and a NUL into out (the
 * form a Content-Security-Policy hash source takes). */
void ej_sha256_base64(const void *data, size_t len, char out[45]);

#endif
