/* core/alloc (api/core/alloc.c): the allocation helpers return usable memory, and out of memory
 * (here: a size no allocator can give, and a calloc whose n * size overflows) ends the process
 * with one line on stderr and SIGABRT, never a NULL the caller would have to check. */
#include "check.h"
#include "core/alloc.h"

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child with stderr on a pipe; true if it aborted saying "out of memory". */
static int aborts_out_of_memory(void (*fn)(void))
{
    int fds[2];
    if (pipe(fds) != 0)
        return 0;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], STDERR_FILENO);
        fn();
        _exit(0);
    }
    close(fds[1]);
    /* Read to the end: a sanitizer's own warning may come first, in a write of its own. */
    char out[1024];
    size_t n = 0;
    ssize_t got;
    while (n < sizeof out - 1 && (got = read(fds[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)got;
    close(fds[0]);
    out[n] = '\0';
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT &&
           strstr(out, "ejournal: out of memory") != NULL;
}

/* Under ASan an impossible malloc must return NULL (as glibc's does) rather than end the test
 * with the sanitizer's own report; ASAN_OPTIONS from the environment still win. */
const char *__asan_default_options(void);
__attribute__((used)) const char *__asan_default_options(void)
{
    return "allocator_may_return_null=1";
}

static volatile size_t huge = SIZE_MAX / 2; /* volatile: the compiler must not know the size */

static void malloc_huge(void)
{
    free(ej_xmalloc(huge));
}
static void realloc_huge(void)
{
    free(ej_xrealloc(NULL, huge));
}
static void calloc_overflow(void)
{
    free(ej_xcalloc(huge, 4));
}

int main(void)
{
    char *s = ej_xstrdup("Jānis");
    CHECK_STR(s, "Jānis");
    free(s);
    s = ej_xstrndup("abcdef", 3);
    CHECK_STR(s, "abc");
    free(s);
    s = ej_xstrndup("ab", 10);
    CHECK_STR(s, "ab");
    free(s);
    int *z = ej_xcalloc(16, sizeof *z);
    int sum = 0;
    for (int i = 0; i < 16; i++)
        sum += z[i];
    CHECK(sum == 0);
    z = ej_xrealloc(z, 1024 * sizeof *z);
    z[1023] = 7;
    CHECK(z[1023] == 7);
    free(z);
    void *empty = ej_xmalloc(0); /* never NULL, even for nothing */
    CHECK(empty != NULL);
    free(empty);

    CHECK(aborts_out_of_memory(malloc_huge));
    CHECK(aborts_out_of_memory(realloc_huge));
    CHECK(aborts_out_of_memory(calloc_overflow));
    return check_summary("test_alloc");
}
