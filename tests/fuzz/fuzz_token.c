/* libFuzzer driver: access-token verification (our JOSE header check, then
 * libjwt) must refuse every forged input without crashing. */
#include "auth/token.h"
#include "core/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        char err[128];
        setenv("EJ_DATABASE_URL", "dbname=none", 1);
        setenv("EJ_JWT_SECRET", "fuzzing-secret-fuzzing-secret-fuzzing", 1);
        if (ej_config_load("serve", err, sizeof err) != 0)
            abort();
        ready = 1;
    }
    char *token = malloc(size + 1);
    memcpy(token, data, size);
    token[size] = '\0';
    struct ej_claims c;
    const char *why;
    if (ej_token_verify(token, &c, &why) == 0)
        abort(); /* nothing random is signed with our key */
    free(token);
    return 0;
}
