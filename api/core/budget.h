/* The per-address budget for password-hashing requests (issue 9 #3): a token
 * bucket per client address, in process memory, checked before a request
 * takes a hashing slot or does any database work, so one address cannot keep
 * every slot busy however fast it sends.
 *
 * Each address may make `per_minute` such requests in a burst and then
 * `per_minute` per minute. The table has a fixed number of entries
 * (EJ_BUDGET_ENTRIES, ~0.5 MiB), set-associative: an address maps to one set
 * of EJ_BUDGET_WAYS entries. A newcomer to a full set replaces the entry with
 * the most tokens and starts with that many (never more than a full bucket):
 * in a quiet table that is a full bucket, and an attacker who cycles through
 * many addresses to evict its own spent entries gets back no more than the
 * best of what was there. Thread-safe (one mutex; each call is a few dozen
 * instructions). */
#ifndef EJ_CORE_BUDGET_H
#define EJ_CORE_BUDGET_H

#include <stdbool.h>

#define EJ_BUDGET_ENTRIES 8192
#define EJ_BUDGET_WAYS 8

/* Sets the rate (0 = no budget: every request passes) and forgets every entry. */
void ej_budget_init(int per_minute);

/* Spends one token of `key` (16 bytes, see ej_addr_budget_key) at monotonic
 * time `now` (seconds). True if there was one; otherwise false and
 * *retry_after gets the whole seconds until there is one (at least 1). */
bool ej_budget_take(const unsigned char key[16], double now, int *retry_after);

#endif
