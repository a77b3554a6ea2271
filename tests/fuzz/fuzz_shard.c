/*
 * libFuzzer target: lib/shardread, the zstd shard reader of quire-audit.
 * The low two bits of the first byte pick how the rest is used:
 *   0  as the shard file itself (arbitrary compressed bytes);
 *   1  as text, repeated (the first byte's other bits: 1 to 64 times, so
 *      lines outgrow the reader's buffer), compressed as one zstd frame,
 *      read with a line limit of 200 bytes;
 *   2  the same text as two frames, cut in the middle, no line limit;
 *   3  the one frame cut short by 1 to 8 bytes.
 * For 1 to 3 the reader must return exactly the text's lines (the last
 * one without its '\n'), and may refuse only an overlong line (1); the
 * truncated frame (3) must be refused.  A refusal is a die(), a longjmp by diejmp.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "diejmp.h"
#include "shardread.h"

#define LIMIT 200

/* Compress text[0..len) as nframes frames into a new buffer. */
static uint8_t *
compress(const uint8_t *text, size_t len, int nframes, size_t *zlen)
{
	size_t cap, half = nframes == 2 ? len / 2 : len, r;
	uint8_t *z;

	cap = ZSTD_compressBound(half) + ZSTD_compressBound(len - half);
	z = malloc(cap);
	r = ZSTD_compress(z, cap, text, half, 1);
	if (ZSTD_isError(r))
		abort();
	*zlen = r;
	if (nframes == 2) {
		r = ZSTD_compress(z + *zlen, cap - *zlen, text + half,
		    len - half, 1);
		if (ZSTD_isError(r))
			abort();
		*zlen += r;
	}
	return z;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *shard, *p, *nl;
	uint8_t *text = NULL, *z = NULL;
	struct shardread *sr;
	const char *line;
	size_t len, tlen = 0, zlen, i, maxl;
	volatile size_t nread = 0;
	int mode;

	if (size == 0)
		return -1;
	mode = data[0] & 3;
	maxl = mode == 1 ? LIMIT : (size_t)1 << 30;
	if (mode == 0) {
		shard = data + 1;
		zlen = size - 1;
	} else {
		tlen = (size - 1) * (1 + (data[0] >> 2));
		text = malloc(tlen ? tlen : 1);
		for (i = 0; i < tlen; i += size - 1)
			memcpy(text + i, data + 1, size - 1);
		z = compress(text, tlen, mode == 2 ? 2 : 1, &zlen);
		if (mode == 3)
			zlen -= zlen < 1 + data[0] % 8 ? zlen :
			    (size_t)(1 + data[0] % 8);
		shard = z;
	}

	fz_begin(shard, zlen);
	if (setjmp(fz_jmp) != 0) {
		fz_cleanup();
		if (mode == 1 || mode == 2) {
			/* Only a line over the limit may be refused. */
			for (p = text, i = 0; i < nread; i++)
				p = (const uint8_t *)memchr(p, '\n',
				    tlen - (size_t)(p - text)) + 1;
			nl = memchr(p, '\n', tlen - (size_t)(p - text));
			if ((size_t)((nl ? nl : text + tlen) - p) <= maxl) {
				fprintf(stderr, "refused line %zu of %zu bytes\n",
				    (size_t)nread + 1, (size_t)((nl ? nl :
				    text + tlen) - p));
				abort();
			}
		}
		free(text);
		free(z);
		return 0;
	}
	sr = shardread_open(FZ_PATH, maxl);
	p = text;
	while ((line = shardread_line(sr, &len)) != NULL) {
		if (line[len] != '\0' || len > maxl)
			abort();
		if (mode != 0) {
			/* The next line of the text, or it is a finding. */
			nl = p != NULL && p < text + tlen ?
			    memchr(p, '\n', tlen - (size_t)(p - text)) : NULL;
			if (p == NULL || p >= text + tlen ||
			    (size_t)((nl ? nl : text + tlen) - p) != len ||
			    memcmp(p, line, len) != 0) {
				fprintf(stderr, "line %zu differs\n",
				    (size_t)nread + 1);
				abort();
			}
			p = nl ? nl + 1 : text + tlen;
		}
		nread++;
	}
	if ((mode == 1 || mode == 2) && p != text + tlen) {
		fprintf(stderr, "%zu lines read, the text has more\n",
		    (size_t)nread);
		abort();
	}
	if (mode == 3) {
		fprintf(stderr, "a truncated shard read to its end\n");
		abort();
	}
	shardread_close(sr);
	fz_end();
	free(text);
	free(z);
	return 0;
}
