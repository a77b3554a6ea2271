/*
 * Byte-level BPE: the rank table and the merge.  Tokens live in one byte
 * array, found by rank through span[] and by bytes through an
 * open-addressing hash table (behind a Bloom filter, since most lookups
 * are of bytes that are no token); a piece merges by the linear
 * scan tiktoken uses when it is short, through a heap when it is long, so
 * that a run of thousands of one character stays O(n log n).  The
 * pre-tokenizer that cuts text into pieces is lib/pretok.c.
 */
#define _DEFAULT_SOURCE		/* madvise */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>


#include "bpe.h"
#include "hash.h"
#include "util.h"

#define SHORT_PIECE	64	/* longer pieces merge through the heap */
#define LOAD_AHEAD	16	/* tokens whose slot is fetched ahead */
#define MEMO_SIZE	16384	/* entries of the memo, a power of two */
#define MEMO_BYTES	26	/* longest piece remembered */
#define MEMO_IDS	8	/* most tokens of a piece remembered */
#define CACHE_LINE	64
#define MAX_TOKEN_LEN	BPE_MAX_TOKEN_LEN	/* span keeps 16 bits */

/*
 * A hash table slot holds the token's length and first 8 bytes (zero
 * padded), so that finding a short token, most of them, reads one slot
 * and nothing else.
 */
struct bpe_slot {
	uint32_t rank;
	uint32_t len;		/* 0: empty, so that zeroed memory is empty */
	uint64_t head;
};

/*
 * A memo entry: a piece that needed merging and its tokens, in one cache
 * line.  Words that are not tokens come back again and again in prose;
 * the memo turns their merge into one lookup.  The piece's bytes are kept
 * and compared, so a hash collision cannot give wrong tokens.  Each entry
 * also has a tag (memo_tag) in a small array of its own.
 */
struct bpe_memo {
	uint32_t check;		/* the hash's bits that the place does not use */
	uint8_t	len;		/* 0: empty */
	uint8_t	n;
	unsigned char bytes[MEMO_BYTES];
	uint32_t ids[MEMO_IDS];
};

/* The first min(len, 8) bytes of p, zero padded, as one word. */
static inline uint64_t
head_of(const unsigned char *p, size_t len)
{
	uint32_t lo, hi;

	/*
	 * Two loads that may overlap instead of a memcpy of variable length,
	 * which the compiler makes a call: this runs for every lookup.
	 */
	if (len >= 8) {
		uint64_t h;

		memcpy(&h, p, 8);
		return h;
	}
	if (len >= 4) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + len - 4, 4);
		return lo | (uint64_t)hi >> (8 * (8 - len)) << 32;
	}
	return (uint64_t)p[0] | (len > 1 ? (uint64_t)p[1] << 8 : 0) |
	    (len > 2 ? (uint64_t)p[2] << 16 : 0);
}

/*
 * The hash of p[0..len) that the table, the filter and the memo use.
 * Most pieces and tokens are 8 bytes or shorter: their bytes fit one
 * word, mixed by MurmurHash3's finalizer, which costs a fraction of a
 * call to XXH3.
 */
static inline uint64_t
key_hash(const unsigned char *p, size_t len)
{
	uint64_t h;

	if (len > 8)
		return hash_xxh3_64(p, len);
	h = head_of(p, len) ^ (uint64_t)len << 56 ^ (uint64_t)len;
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

/*
 * The filter: two bits of one word per token of 3 bytes or more.  Most
 * lookups of the merge ask for bytes that are no token; the filter
 * (a quarter of a megabyte for o200k_base, so it stays in the cache)
 * answers most of them without touching the table, which does not.
 */
static inline uint64_t
filter_bits(uint64_t h)
{
	return (uint64_t)1 << (h >> 58) | (uint64_t)1 << (h >> 52 & 63);
}

static inline int
filter_may_have(const struct bpe *b, uint64_t h)
{
	uint64_t bits = filter_bits(h);

	return (b->filter[h >> 24 & b->filter_mask] & bits) == bits;
}

static const signed char b64val[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26, ['a'] = 27,
	['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
	['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37,
	['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
	['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47,
	['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52,
	['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56, ['4'] = 57,
	['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62,
	['+'] = 63, ['/'] = 64
};

/*
 * Values are stored plus one so that 0 means "not base64".  A group of
 * four is checked at once; only the last may hold padding, which reads
 * as a zero digit.
 */
long
bpe_base64_decode(const char *s, size_t n, unsigned char *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, o = 0, pad = 0;
	uint32_t v = 0;
	int d0, d1, d2, d3, last;

	if (n == 0 || n % 4 != 0)
		return -1;
	if (u[n - 1] == '=')
		pad = u[n - 2] == '=' ? 2 : 1;
	for (i = 0; i < n; i += 4) {
		last = i + 4 == n;
		d0 = b64val[u[i]];
		d1 = b64val[u[i + 1]];
		d2 = last && pad == 2 ? 1 : b64val[u[i + 2]];
		d3 = last && pad > 0 ? 1 : b64val[u[i + 3]];
		if ((d0 == 0) | (d1 == 0) | (d2 == 0) | (d3 == 0))
			return -1;
		v = (uint32_t)(d0 - 1) << 18 | (uint32_t)(d1 - 1) << 12 |
		    (uint32_t)(d2 - 1) << 6 | (uint32_t)(d3 - 1);
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	o -= pad;
	/* Canonical: the bits that padding drops must be zero. */
	if ((pad == 1 && (v & 0xFF) != 0) || (pad == 2 && (v & 0xFFFF) != 0))
		return -1;
	return (long)o;
}

void
bpe_base64_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0;
	uint32_t v;

	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = digits[v >> 18];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = digits[v >> 6 & 63];
		out[o++] = digits[v & 63];
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		out[o++] = digits[v >> 18];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		out[o++] = digits[v >> 18];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = digits[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static inline const unsigned char *
token_at(const struct bpe *b, uint32_t r, size_t *len)
{
	uint64_t sp = b->span[r];

	*len = (size_t)(sp & 0xFFFF);
	return b->bytes + (sp >> 16);
}

/*
 * The rank of p[0..len), 3 <= len <= maxlen, whose key_hash is h, once
 * the filter has let it through.
 */
static inline uint32_t
rank_probe(const struct bpe *b, const unsigned char *p, size_t len,
    uint64_t h)
{
	const struct bpe_slot *s;
	const unsigned char *t;
	uint64_t head = head_of(p, len);
	size_t i, tlen;

	for (i = h & b->mask;; i = (i + 1) & b->mask) {
		s = &b->slots[i];
		if (s->len == 0)
			return BPE_NONE;
		if (s->len != len || s->head != head)
			continue;
		if (len <= 8)
			return s->rank;
		t = token_at(b, s->rank, &tlen);
		if (memcmp(t + 8, p + 8, len - 8) == 0)
			return s->rank;
	}
}

/* The rank of p[0..len), 3 <= len <= maxlen, whose key_hash is h. */
static inline uint32_t
rank_hashed(const struct bpe *b, const unsigned char *p, size_t len,
    uint64_t h)
{
	if (!filter_may_have(b, h))
		return BPE_NONE;
	return rank_probe(b, p, len, h);
}

/*
 * Start looking up p[0..len), len >= 3: return 0 when it is surely no
 * token, else 1 with its hash in *h and its first slot on its way into
 * the cache, so that two lookups wait for memory at the same time.
 */
static inline int
rank_start(const struct bpe *b, const unsigned char *p, size_t len,
    uint64_t *h)
{
	if (len > b->maxlen)
		return 0;
	*h = key_hash(p, len);
	__builtin_prefetch(&b->slots[*h & b->mask]);
	return filter_may_have(b, *h);
}

uint32_t
bpe_rank(const struct bpe *b, const void *p, size_t len)
{
	const unsigned char *u = p;

	if (len <= 2)
		return len == 2 ? b->pair_rank[u[0] << 8 | u[1]] :
		    len == 1 ? b->byte_rank[u[0]] : BPE_NONE;
	if (len > b->maxlen)
		return BPE_NONE;
	return rank_hashed(b, u, len, key_hash(u, len));
}

const unsigned char *
bpe_bytes(const struct bpe *b, uint32_t r, size_t *len)
{
	if (r >= b->nranks || b->span[r] == 0)
		return NULL;
	return token_at(b, r, len);
}

/*
 * Put rank r (whose bytes are in place, their key_hash h) into the
 * table; return the rank already there for the same bytes, or BPE_NONE.
 */
static uint32_t
table_insert(struct bpe *b, uint32_t r, uint64_t h)
{
	const unsigned char *p, *t;
	struct bpe_slot *s;
	uint64_t head;
	size_t len, tlen, i;

	/* One walk of the probe sequence finds a twin or the free slot. */
	p = token_at(b, r, &len);
	head = head_of(p, len);
	for (i = h & b->mask; (s = &b->slots[i])->len != 0;
	    i = (i + 1) & b->mask) {
		if (s->len != len || s->head != head)
			continue;
		t = token_at(b, s->rank, &tlen);
		if (len <= 8 || memcmp(t + 8, p + 8, len - 8) == 0)
			return s->rank;
	}
	b->filter[h >> 24 & b->filter_mask] |= filter_bits(h);
	s->rank = r;
	s->len = (uint32_t)len;
	s->head = head;
	return BPE_NONE;
}

/*
 * Memory for the hash table, which is read at random: megabytes, so on
 * 4 KiB pages nearly every lookup also misses the TLB.  Aligned to 2 MiB
 * and asked for on huge pages, which Linux gives when asked (transparent
 * huge pages); a hint, nothing depends on it.  Returns the table, zeroed
 * (every slot empty); *mem is what to free.
 */
static void *
table_alloc(size_t n, void **mem)
{
	const size_t huge = (size_t)2 << 20;
	uintptr_t a;

	if (n < huge)
		return *mem = ecalloc(1, n);
	*mem = ecalloc(1, n + huge);
	a = ((uintptr_t)*mem + huge - 1) & ~(uintptr_t)(huge - 1);
#ifdef MADV_HUGEPAGE
	(void)madvise((void *)a, n, MADV_HUGEPAGE);
#endif
	return (void *)a;
}

/* Read the whole file at path; its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, n = 0, k;

	if ((fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	for (;;) {
		if (cap - n < 65536) {
			cap = cap == 0 ? (size_t)1 << 20 : cap * 2;
			buf = erealloc(buf, cap);
		}
		k = fread(buf + n, 1, cap - n, fp);
		n += k;
		if (k == 0)
			break;
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "%s: read error", path);
	fclose(fp);
	*len = n;
	return buf;
}

/* Parse a rank: decimal digits only, at most BPE_MAX_RANK; -1 if not. */
static long long
parse_rank(const char *s, size_t n)
{
	long long v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= BPE_MAX_RANK ? v : -1;
}

/* A token as read, until the table takes it. */
struct loaded {
	uint64_t hash;		/* key_hash of its bytes */
	uint64_t span;		/* as b->span keeps it */
	uint32_t rank;
	uint32_t line;
};

struct bpe *
bpe_load(const char *path)
{
	struct bpe *b;
	struct loaded *tok = NULL;
	char *text, *line, *end, *sp, *nl;
	size_t len, n, lineno, ntab, off = 0, i, cap = 0;
	long long r;
	long k;
	uint32_t dup, nranks = 0, ntok = 0;
	int c;

	text = slurp(path, &len);
	b = ecalloc(1, sizeof(*b));
	b->path = estrdup(path);
	b->bytes = emalloc(len / 4 * 3 + 1);

	/*
	 * One pass over the lines: parse, decode and hash each token, its
	 * bytes placed one after another in the file's order.
	 */
	for (line = text, lineno = 1; line < text + len; line = end + 1,
	    lineno++) {
		nl = memchr(line, '\n', (size_t)(text + len - line));
		end = nl != NULL ? nl : text + len;
		n = (size_t)(end - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if ((sp = memchr(line, ' ', n)) == NULL)
			die(EXIT_CONFIG, "%s:%zu: not a token and a rank", path,
			    lineno);
		if ((r = parse_rank(sp + 1, (size_t)(line + n - sp - 1))) < 0)
			die(EXIT_CONFIG, "%s:%zu: the rank is not a number from "
			    "0 to %u", path, lineno, (unsigned)BPE_MAX_RANK);
		k = bpe_base64_decode(line, (size_t)(sp - line), b->bytes + off);
		if (k <= 0)
			die(EXIT_CONFIG, "%s:%zu: the token is not base64 of "
			    "one byte or more", path, lineno);
		if (k > MAX_TOKEN_LEN)
			die(EXIT_CONFIG, "%s:%zu: token longer than %d bytes",
			    path, lineno, MAX_TOKEN_LEN);
		if (ntok == cap) {
			cap = cap == 0 ? 65536 : 2 * cap;
			tok = erealloc(tok, cap * sizeof(*tok));
		}
		tok[ntok].hash = key_hash(b->bytes + off, (size_t)k);
		tok[ntok].span = (uint64_t)off << 16 | (uint64_t)k;
		tok[ntok].rank = (uint32_t)r;
		tok[ntok].line = (uint32_t)lineno;
		ntok++;
		if ((uint32_t)r + 1 > nranks)
			nranks = (uint32_t)r + 1;
		if ((size_t)k > b->maxlen)
			b->maxlen = (size_t)k;
		off += (size_t)k;
	}
	free(text);
	if (ntok == 0)
		die(EXIT_CONFIG, "%s: no tokens", path);
	/*
	 * A table is kept per rank: a file of few tokens with a huge rank
	 * would make it gigabytes.  Published vocabularies are dense.
	 */
	if (nranks > 2 * ntok + 65536)
		die(EXIT_CONFIG, "%s: %u tokens but ranks up to %u: the ranks "
		    "leave too large a gap", path, ntok, nranks - 1);

	b->nranks = nranks;
	b->ntokens = ntok;
	b->span = ecalloc(nranks, sizeof(*b->span));
	for (i = 0; i < ntok; i++) {
		if (b->span[tok[i].rank] != 0)
			die(EXIT_CONFIG, "%s:%u: rank %u is given twice", path,
			    tok[i].line, tok[i].rank);
		b->span[tok[i].rank] = tok[i].span;
	}

	for (ntab = 1; ntab < (size_t)ntok * 2; ntab <<= 1)
		;
	b->mask = ntab - 1;
	b->slots = table_alloc(ntab * sizeof(*b->slots), &b->slots_mem);
	/* Eight bits a token: with two set, about one miss in twenty passes. */
	for (ntab = 64; ntab < (size_t)ntok * 8; ntab <<= 1)
		;
	b->filter_mask = ntab / 64 - 1;
	b->filter = ecalloc(ntab / 64, sizeof(*b->filter));
	/*
	 * Into the table, in the file's order.  Slots are fetched some
	 * tokens ahead: the table is megabytes, read at random, and the wait
	 * for each slot was most of the load.
	 */
	for (i = 0; i < ntok; i++) {
		if (i + LOAD_AHEAD < ntok)
			__builtin_prefetch(&b->slots[tok[i + LOAD_AHEAD].hash &
			    b->mask]);
		if ((dup = table_insert(b, tok[i].rank, tok[i].hash)) !=
		    BPE_NONE)
			die(EXIT_CONFIG, "%s:%u: the token of rank %u is "
			    "also rank %u", path, tok[i].line, tok[i].rank,
			    dup);
	}
	free(tok);

	/*
	 * Tokens of one and two bytes are found by direct tables.  Every
	 * byte needs a token of its own, or some text has no ids.
	 */
	b->pair_rank = emalloc(65536 * sizeof(*b->pair_rank));
	for (c = 0; c < 65536; c++)
		b->pair_rank[c] = BPE_NONE;
	for (c = 0; c < 256; c++)
		b->byte_rank[c] = BPE_NONE;
	for (r = 0; r < nranks; r++) {
		const unsigned char *t;
		size_t tlen;

		if (b->span[r] == 0)
			continue;
		t = token_at(b, (uint32_t)r, &tlen);
		if (tlen == 1)
			b->byte_rank[t[0]] = (uint32_t)r;
		else if (tlen == 2)
			b->pair_rank[t[0] << 8 | t[1]] = (uint32_t)r;
	}
	for (c = 0; c < 256; c++)
		if (b->byte_rank[c] == BPE_NONE)
			die(EXIT_CONFIG, "%s: no token for the byte 0x%02X",
			    path, c);
	return b;
}

void
bpe_free(struct bpe *b)
{
	if (b == NULL)
		return;
	free(b->path);
	free(b->bytes);
	free(b->span);
	free(b->slots_mem);
	free(b->filter);
	free(b->pair_rank);
	free(b);
}

void
bpe_ids_push(struct bpe_ids *ids, uint32_t id)
{
	if (ids->n == ids->cap) {
		ids->cap = ids->cap == 0 ? 1024 : ids->cap * 2;
		ids->v = erealloc(ids->v, ids->cap * sizeof(*ids->v));
	}
	ids->v[ids->n++] = id;
}

/* Room for more ids in ids, so that they can be stored without a check. */
static void
ids_grow(struct bpe_ids *ids, size_t more)
{
	size_t cap;

	for (cap = ids->cap == 0 ? 1024 : ids->cap; cap - ids->n < more;
	    cap *= 2)
		;
	ids->v = erealloc(ids->v, cap * sizeof(*ids->v));
	ids->cap = cap;
}

static void
work_grow(struct bpe_work *w, size_t len)
{
	size_t cap;

	if (len <= w->cap)
		return;
	for (cap = w->cap == 0 ? 256 : w->cap; cap < len; cap *= 2)
		;
	free(w->a);
	free(w->b);
	free(w->c);
	free(w->d);
	free(w->heap);
	w->a = emalloc((cap + 1) * sizeof(*w->a));
	w->b = emalloc((cap + 1) * sizeof(*w->b));
	w->c = emalloc((cap + 1) * sizeof(*w->c));
	w->d = emalloc((cap + 1) * sizeof(*w->d));
	w->heap = emalloc(3 * (cap + 1) * sizeof(*w->heap));
	w->cap = cap;
}

void
bpe_work_free(struct bpe_work *w)
{
	free(w->a);
	free(w->b);
	free(w->c);
	free(w->d);
	free(w->heap);
	free(w->memo);
	free(w->memo_tags);
	memset(w, 0, sizeof(*w));
}

/*
 * The merge of a short piece, as tiktoken does it: the adjacent pair of
 * lowest rank merged first, the leftmost of equal ranks.  A part is known
 * by the byte it starts at: next[k] is where the part after part k
 * starts (len: none), prev[k] where the one before it starts, tok[k] its
 * rank, pair[k] the rank of it and the next part joined (BPE_NONE when
 * that is no token, or when no part starts at k any more).  So nothing
 * moves when two parts merge, and the scan for the lowest rank runs over
 * one fixed array keeping the minimum and its place without a branch:
 * ranks come in no order, a branch on each would be mispredicted.
 */
static void
merge_short(const struct bpe *b, const unsigned char *p, size_t len,
    struct bpe_ids *out)
{
	uint32_t pair[SHORT_PIECE], tok[SHORT_PIECE], best, r;
	uint8_t next[SHORT_PIECE], prev[SHORT_PIECE];
	uint64_t lh = 0, rh = 0;
	size_t k, i, j, pv;
	int lok, rok;

	for (k = 0; k < len; k++) {
		tok[k] = b->byte_rank[p[k]];
		pair[k] = k + 1 < len ? b->pair_rank[p[k] << 8 | p[k + 1]] :
		    BPE_NONE;
		next[k] = (uint8_t)(k + 1);
		prev[k] = (uint8_t)(k - 1);
	}
	for (;;) {
		best = BPE_NONE;
		i = 0;
		for (k = 0; k + 1 < len; k++) {
			r = pair[k];
			i = r < best ? k : i;
			best = r < best ? r : best;
		}
		if (best == BPE_NONE)
			break;
		/* Part i takes in the part after it. */
		tok[i] = best;
		pair[next[i]] = BPE_NONE;
		j = next[i] = next[next[i]];
		if (j < len)
			prev[j] = (uint8_t)i;
		/* Its new pairs, both looked up at once. */
		pv = i > 0 ? prev[i] : 0;
		rok = j < len && rank_start(b, p + i, next[j] - i, &rh);
		lok = i > 0 && rank_start(b, p + pv, j - pv, &lh);
		pair[i] = rok ? rank_probe(b, p + i, next[j] - i, rh) :
		    BPE_NONE;
		if (i > 0)
			pair[pv] = lok ? rank_probe(b, p + pv, j - pv, lh) :
			    BPE_NONE;
	}
	for (k = 0; k < len; k = next[k])
		out->v[out->n++] = tok[k];
}

static void
heap_push(uint64_t *h, size_t *n, uint64_t v)
{
	size_t i = (*n)++, up;

	for (; i > 0 && h[up = (i - 1) / 2] > v; i = up)
		h[i] = h[up];
	h[i] = v;
}

static uint64_t
heap_pop(uint64_t *h, size_t *n)
{
	uint64_t top = h[0], v = h[--*n];
	size_t i = 0, c;

	for (; (c = 2 * i + 1) < *n; i = c) {
		if (c + 1 < *n && h[c + 1] < h[c])
			c++;
		if (h[c] >= v)
			break;
		h[i] = h[c];
	}
	h[i] = v;
	return top;
}

#define DEAD UINT32_MAX

/*
 * The merge of a long piece, with the same outcome: parts are named by
 * the byte where they start and linked both ways; the heap orders the
 * pairs by rank, then by position, which is the linear scan's leftmost
 * choice.  An entry whose part has died or whose pair changed rank since
 * is stale and skipped.
 */
static void
merge_long(const struct bpe *b, struct bpe_work *w, const unsigned char *p,
    size_t len, struct bpe_ids *out)
{
	uint32_t *next = w->a, *prev = w->b, *pair = w->c, *tok = w->d;
	uint64_t *heap = w->heap, top;
	size_t nheap = 0, k, j, pk;
	uint32_t r;

	for (k = 0; k < len; k++) {
		next[k] = (uint32_t)k + 1;
		prev[k] = k > 0 ? (uint32_t)k - 1 : DEAD;
		tok[k] = b->byte_rank[p[k]];
		pair[k] = k + 1 < len ? b->pair_rank[p[k] << 8 | p[k + 1]] :
		    BPE_NONE;
		if (pair[k] != BPE_NONE)
			heap_push(heap, &nheap, (uint64_t)pair[k] << 32 | k);
	}
	while (nheap > 0) {
		top = heap_pop(heap, &nheap);
		r = (uint32_t)(top >> 32);
		k = (size_t)(top & 0xFFFFFFFF);
		if (next[k] == DEAD || pair[k] != r)
			continue;
		j = next[k];
		tok[k] = r;
		next[k] = next[j];
		if (next[j] < len)
			prev[next[j]] = (uint32_t)k;
		next[j] = DEAD;
		pair[j] = BPE_NONE;
		if (next[k] < len) {
			pair[k] = bpe_rank(b, p + k, next[next[k]] - k);
			if (pair[k] != BPE_NONE)
				heap_push(heap, &nheap,
				    (uint64_t)pair[k] << 32 | k);
		} else
			pair[k] = BPE_NONE;
		if (prev[k] != DEAD) {
			pk = prev[k];
			pair[pk] = bpe_rank(b, p + pk, next[k] - pk);
			if (pair[pk] != BPE_NONE)
				heap_push(heap, &nheap,
				    (uint64_t)pair[pk] << 32 | pk);
		}
	}
	for (k = 0; k < len; k = next[k])
		out->v[out->n++] = tok[k];
}

/*
 * An empty memo, its entries on cache lines of their own, and its tags
 * in *tags.
 */
static struct bpe_memo *
memo_new(uint16_t **tags)
{
	struct bpe_memo *m;

	if ((m = aligned_alloc(CACHE_LINE, MEMO_SIZE * sizeof(*m))) == NULL)
		die(EXIT_OSERR, "out of memory");
	memset(m, 0, MEMO_SIZE * sizeof(*m));
	*tags = ecalloc(MEMO_SIZE, sizeof(**tags));
	return m;
}

/*
 * A memo entry's tag: 14 bits of its piece's hash, the bit MEMO_FILLED
 * (so that an empty entry's tag, 0, is no piece's) and the bit
 * MEMO_FOUND.  The tags are a small array beside the memo, which stays
 * in the cache: a piece whose tag differs is surely not in the memo, and
 * is merged without waiting for its entry to come from memory.  Most
 * pieces that miss the memo were never seen before (names, numbers, rare
 * words), and would push out the ones that come back: an entry found
 * again since it was stored (MEMO_FOUND) gets a second chance, the next
 * piece for its place is not stored over it.
 */
#define MEMO_FILLED	1
#define MEMO_FOUND	2
static inline uint16_t
memo_tag(uint64_t h)
{
	return (uint16_t)(h >> 48 & ~(uint64_t)MEMO_FOUND) | MEMO_FILLED;
}

void
bpe_encode(const struct bpe *b, struct bpe_work *w, const unsigned char *p,
    size_t len, struct bpe_ids *out)
{
	struct bpe_memo *m = NULL;
	uint64_t h = 0;
	uint32_t r;
	size_t first, i = 0;

	/* A piece of len bytes is len tokens at most. */
	if (out->cap - out->n < len)
		ids_grow(out, len);
	if (len <= 2) {
		r = bpe_rank(b, p, len);
		if (r != BPE_NONE) {
			out->v[out->n++] = r;
			return;
		}
		/* Two bytes that are no token stay two ("|>", U+0085). */
		out->v[out->n++] = b->byte_rank[p[0]];
		out->v[out->n++] = b->byte_rank[p[1]];
		return;
	} else if (len <= b->maxlen || len <= MEMO_BYTES) {
		h = key_hash(p, len);
		if (len <= MEMO_BYTES && w->memo != NULL)
			__builtin_prefetch(&w->memo_tags[h & (MEMO_SIZE - 1)]);
		if (len <= b->maxlen &&
		    (r = rank_hashed(b, p, len, h)) != BPE_NONE) {
			out->v[out->n++] = r;
			return;
		}
	}
	if (len <= MEMO_BYTES && len > 2) {
		if (w->memo == NULL)
			w->memo = memo_new(&w->memo_tags);
		i = h & (MEMO_SIZE - 1);
		m = &w->memo[i];
		if ((w->memo_tags[i] & ~MEMO_FOUND) == memo_tag(h) &&
		    m->check == (uint32_t)(h >> 32) && m->len == len &&
		    memcmp(m->bytes, p, len) == 0) {
			w->memo_tags[i] |= MEMO_FOUND;
			for (first = 0; first < m->n; first++)
				out->v[out->n++] = m->ids[first];
			return;
		}
		/* Its entry is written after the merge: on its way. */
		__builtin_prefetch(m, 1);
	}
	if (len >= UINT32_MAX - 1)
		die(EXIT_SOFTWARE, "bpe: piece of %zu bytes is too long", len);
	first = out->n;
	if (len <= SHORT_PIECE)
		merge_short(b, p, len, out);
	else {
		work_grow(w, len);
		merge_long(b, w, p, len, out);
	}
	if (m != NULL && w->memo_tags[i] & MEMO_FOUND)
		w->memo_tags[i] &= ~MEMO_FOUND;
	else if (m != NULL && out->n - first <= MEMO_IDS) {
		w->memo_tags[i] = memo_tag(h);
		m->check = (uint32_t)(h >> 32);
		m->len = (uint8_t)len;
		m->n = (uint8_t)(out->n - first);
		memcpy(m->bytes, p, len);
		memcpy(m->ids, out->v + first, m->n * sizeof(*m->ids));
	}
}
