/* Cryptographically secure randomness from the kernel (getrandom(2)), and one-time
 * passwords made from it. Thread-safe; no state. */
#ifndef EJ_AUTH_RANDOM_H
#define EJ_AUTH_RANDOM_H

#include <stddef.h>

/* Characters in a password made by ej_random_password(). With an alphabet of 56 symbols
 * that is 20 * log2(56) = 116 bits of entropy. */
#define EJ_RANDOM_PASSWORD_LEN 20
/* Buffer size ej_random_password() needs: the characters and the terminating NUL. */
#define EJ_RANDOM_PASSWORD_SIZE (EJ_RANDOM_PASSWORD_LEN + 1)

/* The symbols ej_random_password() draws from: digits and letters without the ones that are
 * easily confused when read aloud or off paper (0 O o 1 l I). 56 symbols. */
#define EJ_RANDOM_PASSWORD_ALPHABET "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz"

/* Fill buf with n random bytes from getrandom(2) (falling back to /dev/urandom only where
 * the system call does not exist). Retries on EINTR and short reads, so it either fills the
 * whole buffer or fails. Returns 0, or -1 with errno set (which should never happen on a
 * working system: treat it as an internal error). */
int ej_random_bytes(void *buf, size_t n);

/* Write a fresh one-time password of EJ_RANDOM_PASSWORD_LEN symbols from
 * EJ_RANDOM_PASSWORD_ALPHABET and a NUL into out, which holds outsize bytes. Symbols are
 * chosen by rejection sampling, so each is uniform (no modulo bias). Returns 0, or -1 when
 * outsize < EJ_RANDOM_PASSWORD_SIZE or randomness failed; on failure out is set to "" if
 * it has room for that. The caller owns out and should wipe it once it has been sent. */
int ej_random_password(char *out, size_t outsize);

#endif
