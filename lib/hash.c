/*
 * Hashing.  xxHash is used header-only: its AVX-512 dispatch entry points
 * were measured to slow later SSE code in the same process (FACTS.md).
 */
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "hash.h"

void
hash_sha256_init(struct hash_sha256 *h)
{
	sha256_init(&h->ctx);
}

void
hash_sha256_update(struct hash_sha256 *h, const void *p, size_t len)
{
	sha256_update(&h->ctx, len, p);
}

void
hash_sha256_hex(struct hash_sha256 *h, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];
	int i;

	sha256_digest(&h->ctx, sizeof(d), d);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

uint64_t
hash_xxh3_64(const void *p, size_t len)
{
	return XXH3_64bits(p, len);
}

void
hash_xxh3_128(const void *p, size_t len, uint64_t out[2])
{
	XXH128_hash_t h = XXH3_128bits(p, len);

	out[0] = h.high64;
	out[1] = h.low64;
}
