/*
 * libFuzzer target: lib/bpe's pre-tokenizer and merge as quire-tokenize
 * runs them, through bpe.h only.  The first byte picks one of the four
 * built-in patterns, the rest is the text (valid UTF-8, as records are;
 * else skipped).  bpe_split_next cuts it into pieces from the start;
 * where no piece starts, one character is skipped (tokenize rejects the
 * record there).  Every piece is cut twice, by the hand scanner of the
 * built-in patterns and by PCRE2 alone (bpe_split_pcre2_only), and the two
 * must agree where PCRE2 finishes.  Each piece is encoded with a small fixed vocabulary
 * (every byte, then merges chosen to tie and nest) through one
 * bpe_work kept for the whole run, as a thread keeps it.  Checks: pieces
 * end after they start, within the text, on a character boundary; the
 * tokens' bytes give back the piece; the ids are those of a plain
 * tiktoken merge (the piece's own rank, else the lowest-ranked adjacent
 * pair first, leftmost of equals) for pieces up to PLAIN_MAX bytes; and
 * encoding the piece again gives the same ids.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpe.h"
#include "diejmp.h"
#include "utf8.h"

#define PLAIN_MAX 1024		/* the plain merge is quadratic */

static const char *const patterns[] = {
	"gpt2", "r50k_base", "cl100k_base", "o200k_base"
};
#define NPAT (sizeof(patterns) / sizeof(patterns[0]))

/* Merged tokens after the 256 bytes, in rank order. */
static const char *const merges[] = {
	"aa", "th", "he", "in", " t", "er", "aaa", "the", " the", "an",
	"ing", "ab", "bc", "abc", "aaaa", "  ", "    ", "\n\n", "00", "000",
	"\xc3\xa9", "\xe2\x80", "\xe2\x80\x99", "\xd0\xbe", "\xd0\xbe\xd0\xbe",
	"'s", " a", "e ",
};

static struct bpe *voc;
static struct bpe_split *split[NPAT], *pcre2[NPAT];
static struct bpe_work work;

static void
init(void)
{
	char *text, *p, b64[64];
	unsigned char c;
	size_t n = sizeof(merges) / sizeof(merges[0]), i;
	uint32_t r = 0;
	char err[128];

	text = malloc((256 + n) * 80);
	p = text;
	for (i = 0; i < 256; i++) {
		c = (unsigned char)i;
		bpe_base64_encode(&c, 1, b64);
		p += sprintf(p, "%s %u\n", b64, r++);
	}
	for (i = 0; i < n; i++) {
		bpe_base64_encode((const unsigned char *)merges[i],
		    strlen(merges[i]), b64);
		p += sprintf(p, "%s %u\n", b64, r++);
	}
	fz_begin((const uint8_t *)text, (size_t)(p - text));
	if (setjmp(fz_jmp) != 0)
		abort();	/* the vocabulary above must load */
	voc = bpe_load(FZ_PATH);
	fz_end();
	free(text);
	for (i = 0; i < NPAT; i++) {
		split[i] = bpe_split_new(bpe_pattern_find(patterns[i])->regex,
		    err, sizeof(err));
		pcre2[i] = bpe_split_new(bpe_pattern_find(patterns[i])->regex,
		    err, sizeof(err));
		if (split[i] == NULL || pcre2[i] == NULL) {
			fprintf(stderr, "%s: %s\n", patterns[i], err);
			abort();
		}
		bpe_split_pcre2_only(pcre2[i]);
	}
}

/* tiktoken's merge, plainly: ids of p[0..len) into out (room for len). */
static size_t
plain_encode(const unsigned char *p, size_t len, uint32_t *out)
{
	size_t *start, n = len, i, best;
	uint32_t r, bestr;

	if ((r = bpe_rank(voc, p, len)) != BPE_NONE) {
		out[0] = r;
		return 1;
	}
	start = malloc((len + 1) * sizeof(*start));
	for (i = 0; i <= len; i++)
		start[i] = i;
	for (;;) {
		bestr = BPE_NONE;
		best = 0;
		for (i = 0; i + 1 < n; i++) {
			r = bpe_rank(voc, p + start[i], start[i + 2] - start[i]);
			if (r < bestr) {
				bestr = r;
				best = i;
			}
		}
		if (bestr == BPE_NONE)
			break;
		memmove(start + best + 1, start + best + 2,
		    (n - best - 1) * sizeof(*start));
		n--;
	}
	for (i = 0; i < n; i++)
		out[i] = bpe_rank(voc, p + start[i], start[i + 1] - start[i]);
	free(start);
	return n;
}

static void
check_piece(const unsigned char *p, size_t len)
{
	struct bpe_ids ids = { 0 }, again = { 0 };
	const unsigned char *t;
	uint32_t *plain;
	size_t i, off, tlen, n;

	bpe_encode(voc, &work, p, len, &ids);
	for (i = off = 0; i < ids.n; i++) {
		t = bpe_bytes(voc, ids.v[i], &tlen);
		if (t == NULL || tlen > len - off || memcmp(t, p + off, tlen))
			abort();	/* the tokens must spell the piece */
		off += tlen;
	}
	if (off != len)
		abort();
	if (len <= PLAIN_MAX) {
		plain = malloc(len * sizeof(*plain));
		n = plain_encode(p, len, plain);
		if (n != ids.n || memcmp(plain, ids.v, n * sizeof(*plain))) {
			fprintf(stderr, "bpe_encode gives %zu tokens, a plain "
			    "merge %zu, of \"%.*s\"\n", ids.n, n, (int)len, p);
			abort();
		}
		free(plain);
	}
	bpe_encode(voc, &work, p, len, &again);
	if (again.n != ids.n ||
	    memcmp(again.v, ids.v, ids.n * sizeof(*ids.v)))
		abort();	/* the memo must not change the answer */
	free(ids.v);
	free(again.v);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpe_split *sp, *ref;
	const char *s = (const char *)data + 1;
	size_t len, off = 0, end, ref_end;
	char err[128];
	int rc, ref_rc;

	if (size == 0)
		return -1;
	len = size - 1;
	if (utf8_valid_prefix(s, len) != len)
		return -1;
	if (voc == NULL)
		init();
	sp = split[data[0] % NPAT];
	ref = pcre2[data[0] % NPAT];
	while (off < len) {
		rc = bpe_split_next(sp, s, len, off, &end, err, sizeof(err));
		ref_rc = bpe_split_next(ref, s, len, off, &ref_end, err,
		    sizeof(err));
		if (ref_rc != BPE_SPLIT_FAILED &&
		    (rc != ref_rc || (rc == 0 && end != ref_end))) {
			fprintf(stderr, "%s at byte %zu: the scanner gives %d "
			    "ending at %zu, PCRE2 %d ending at %zu\n",
			    patterns[data[0] % NPAT], off, rc, rc == 0 ? end :
			    0, ref_rc, ref_rc == 0 ? ref_end : 0);
			abort();
		}
		if (rc == BPE_SPLIT_FAILED)
			break;
		if (rc == BPE_SPLIT_UNMATCHED) {
			/* Skip one character, as no piece starts here. */
			for (off++; off < len && ((unsigned char)s[off] &
			    0xC0) == 0x80; off++)
				;
			continue;
		}
		if (rc != 0 || end <= off || end > len ||
		    (end < len && ((unsigned char)s[end] & 0xC0) == 0x80))
			abort();
		check_piece((const unsigned char *)s + off, end - off);
		off = end;
	}
	return 0;
}
