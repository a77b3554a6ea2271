/*
 * libFuzzer target: lib/bpecounts's bpecnt_check on arbitrary bytes as a
 * counts file of quire-bpe-train, twice: as they are, and with the last 8
 * bytes made the checksum of the rest, so that the fuzzer reaches past the
 * checksum.  A file that passes is read back through the cursor and must
 * hold what the check promised, and written again by the bpecnt_put_*
 * functions it must be the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpecounts.h"
#include "hash.h"

static int
before(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c < 0 || (c == 0 && alen < blen);
}

static void
one(const unsigned char *data, size_t size)
{
	struct bpecnt_head h;
	struct bpecnt_cursor c;
	struct bpecnt_buf b = { 0 };
	const unsigned char *p, *prev = NULL;
	const char *name, *why;
	char err[200];
	uint64_t count, pieces = 0, bytes = 0, rejected = 0, n = 0;
	size_t len, prevlen = 0;
	uint32_t plen;

	why = bpecnt_check(data, size, &h, &c, err, sizeof(err));
	if (why != NULL) {
		if (why[0] == '\0' || strlen(why) >= sizeof(err))
			abort();
		return;
	}
	bpecnt_put_head(&b, &h);
	while (bpecnt_next_reason(&c, &name, &len, &count)) {
		if (len == 0 || len > BPECNT_REASON_MAX || count == 0)
			abort();
		rejected += count;
		bpecnt_put_reason(&b, name, len, count);
	}
	if (rejected + h.records_out != h.records_in)
		abort();
	bpecnt_put_npieces(&b, h.npieces);
	while (bpecnt_next_piece(&c, &p, &plen, &count)) {
		if (plen == 0 || count == 0 || p < data || p + plen > data + size)
			abort();
		if (prev != NULL && !before(prev, prevlen, p, plen))
			abort();
		prev = p;
		prevlen = plen;
		pieces += count;
		bytes += count * plen;
		n++;
		bpecnt_put_piece(&b, p, plen, count);
	}
	if (n != h.npieces || pieces != h.pieces || bytes != h.text_bytes)
		abort();
	bpecnt_put_end(&b);
	if (b.n != size || memcmp(b.p, data, size) != 0)
		abort();
	free(b.p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *fixed;
	uint64_t sum;
	int i;

	one(data, size);
	if (size < 8)
		return 0;
	fixed = malloc(size);
	if (fixed == NULL)
		return 0;
	memcpy(fixed, data, size);
	sum = hash_xxh3_64(fixed, size - 8);
	for (i = 0; i < 8; i++)
		fixed[size - 8 + i] = (unsigned char)(sum >> 8 * i);
	one(fixed, size);
	free(fixed);
	return 0;
}
