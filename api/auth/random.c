/* Randomness from the kernel and one-time passwords (see random.h). */
#include "auth/random.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>
#include <unistd.h>

/* Fill p with n bytes read from /dev/urandom, for kernels without getrandom(2).
 * Returns 0 or -1 with errno set. */
static int urandom_read(unsigned char *p, size_t n)
{
    int rc = -1;
    int saved_errno;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return -1;
    while (n > 0) {
        ssize_t got = read(fd, p, n);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            goto out;
        }
        if (got == 0) {
            errno = EIO;
            goto out;
        }
        p += got;
        n -= (size_t)got;
    }
    rc = 0;
out:
    saved_errno = errno;
    close(fd);
    errno = saved_errno;
    return rc;
}

/* See random.h. */
int ej_random_bytes(void *buf, size_t n)
{
    unsigned char *p = buf;

    while (n > 0) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ENOSYS)
                return urandom_read(p, n);
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* See random.h. */
int ej_random_password(char *out, size_t outsize)
{
    static const char alphabet[] = EJ_RANDOM_PASSWORD_ALPHABET;
    enum {
        SYMBOLS = sizeof alphabet - 1,
        /* Largest multiple of SYMBOLS that fits in a byte: bytes at or above it are
         * rejected, so that byte % SYMBOLS is uniform. */
        LIMIT = 256 - 256 % SYMBOLS,
    };
    unsigned char pool[32];
    size_t used = sizeof pool; /* empty: refill on first use */
    size_t len = 0;
    int rc = -1;

    _Static_assert(SYMBOLS == 56, "alphabet must have 56 symbols (116 bits in 20)");
    if (!out || outsize < EJ_RANDOM_PASSWORD_SIZE)
        goto out;
    while (len < EJ_RANDOM_PASSWORD_LEN) {
        if (used == sizeof pool) {
            if (ej_random_bytes(pool, sizeof pool) != 0)
                goto out;
            used = 0;
        }
        unsigned char b = pool[used++];
        if (b >= LIMIT)
            continue;
        out[len++] = alphabet[b % SYMBOLS];
    }
    out[len] = '\0';
    rc = 0;
out:
    if (rc != 0 && out && outsize > 0) {
        explicit_bzero(out, outsize < EJ_RANDOM_PASSWORD_SIZE ? outsize : EJ_RANDOM_PASSWORD_SIZE);
        out[0] = '\0';
    }
    explicit_bzero(pool, sizeof pool);
    return rc;
}
