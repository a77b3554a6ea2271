/*
 * libFuzzer target: lib/bpe's bpe_load on arbitrary bytes as a tiktoken
 * rank file; when it loads, every rank's bytes are looked up again and a
 * few pieces encoded.  bpe_load dies on a malformed file; diejmp.c turns
 * that into a longjmp and frees what the loader held.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "diejmp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpe *volatile b = NULL;
	struct bpe_work w;
	struct bpe_ids ids;
	const unsigned char *p;
	size_t len, i;
	uint32_t r;

	fz_begin(data, size);
	if (setjmp(fz_jmp) != 0) {
		fz_cleanup();
		return 0;
	}
	b = bpe_load(FZ_PATH);
	fz_end();

	for (r = 0; r < b->nranks; r++) {
		if ((p = bpe_bytes(b, r, &len)) == NULL)
			continue;
		if (len == 0 || len > b->maxlen || bpe_rank(b, p, len) != r)
			abort();
	}
	/* The input itself, cut in pieces, through the merge. */
	memset(&w, 0, sizeof(w));
	memset(&ids, 0, sizeof(ids));
	for (i = 0; i < size; i += 64)
		bpe_encode(b, &w, data + i, size - i < 64 ? size - i : 64,
		    &ids);
	free(ids.v);
	bpe_work_free(&w);
	bpe_free(b);
	return 0;
}
