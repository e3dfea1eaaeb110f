#include "core/digest.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>

void ej_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(data, len, d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

void ej_sha256_base64(const void *data, size_t len, char out[45])
{
    unsigned char d[SHA256_DIGEST_LENGTH];
    SHA256(data, len, d);
    EVP_EncodeBlock((unsigned char *)out, d, SHA256_DIGEST_LENGTH);
}
