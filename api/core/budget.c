/* Token buckets per client address in a fixed-size table (see budget.h). */
#include "core/budget.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#define SETS (EJ_BUDGET_ENTRIES / EJ_BUDGET_WAYS)

struct entry {
    unsigned char key[16];
    double tokens;
    double at; /* when tokens was last brought up to date */
    bool used;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry table[EJ_BUDGET_ENTRIES];
static double capacity; /* tokens in a full bucket = per_minute */
static double rate;     /* tokens per second */
static uint64_t seed;   /* per process, so nobody can pick addresses that share a set */

void ej_budget_init(int per_minute)
{
    pthread_mutex_lock(&lock);
    memset(table, 0, sizeof table);
    capacity = per_minute > 0 ? per_minute : 0;
    rate = capacity / 60.0;
    if (getrandom(&seed, sizeof seed, 0) != (ssize_t)sizeof seed)
        seed ^= (uint64_t)(uintptr_t)&seed * 0x9e3779b97f4a7c15u;
    pthread_mutex_unlock(&lock);
}

/* A keyed mix of the 16 key bytes (murmur3's finaliser on each half). */
static uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

static unsigned set_of(const unsigned char key[16])
{
    uint64_t a, b;
    memcpy(&a, key, 8);
    memcpy(&b, key + 8, 8);
    return (unsigned)(mix(mix(a ^ seed) ^ b) % SETS);
}

/* Tokens of e at time now (refilled, capped at a full bucket). */
static double refilled(const struct entry *e, double now)
{
    double t = e->tokens + (now > e->at ? (now - e->at) * rate : 0);
    return t > capacity ? capacity : t;
}

bool ej_budget_take(const unsigned char key[16], double now, int *retry_after)
{
    pthread_mutex_lock(&lock);
    if (capacity <= 0) {
        pthread_mutex_unlock(&lock);
        return true;
    }
    struct entry *set = &table[set_of(key) * EJ_BUDGET_WAYS], *e = NULL, *richest = NULL;
    double best = -1;
    for (int i = 0; i < EJ_BUDGET_WAYS; i++) {
        struct entry *w = &set[i];
        if (w->used && memcmp(w->key, key, 16) == 0) {
            e = w;
            break;
        }
        double t = w->used ? refilled(w, now) : capacity + 1; /* a free way first */
        if (t > best) {
            best = t;
            richest = w;
        }
    }
    if (e) {
        e->tokens = refilled(e, now);
    } else {
        e = richest;
        e->tokens = best > capacity ? capacity : best;
        memcpy(e->key, key, 16);
        e->used = true;
    }
    e->at = now;
    bool ok = e->tokens >= 1.0;
    if (ok)
        e->tokens -= 1.0;
    else
        *retry_after = (int)ceil((1.0 - e->tokens) / rate);
    if (!ok && *retry_after < 1)
        *retry_after = 1;
    pthread_mutex_unlock(&lock);
    return ok;
}
