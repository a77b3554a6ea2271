/*
 * Hashes: SHA-256 (nettle) for raw bytes anyone can check with sha256sum,
 * XXH3 (xxHash, inlined and built for one target) for ids and splits.
 */
#ifndef QUIRE_HASH_H
#define QUIRE_HASH_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

#define HASH_SHA256_HEX 65	/* 64 hex digits and NUL */

struct hash_sha256 {
	struct sha256_ctx ctx;
};

void	hash_sha256_init(struct hash_sha256 *h);
void	hash_sha256_update(struct hash_sha256 *h, const void *p, size_t len);
/* Write the digest as lower-case hex into hex[HASH_SHA256_HEX]. */
void	hash_sha256_hex(struct hash_sha256 *h, char *hex);

uint64_t hash_xxh3_64(const void *p, size_t len);

/* The 128-bit XXH3 as two halves, high first. */
void	hash_xxh3_128(const void *p, size_t len, uint64_t out[2]);

#endif
