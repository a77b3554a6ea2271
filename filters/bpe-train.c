/* quire-bpe-train: learn a byte-level BPE vocabulary, a .tiktoken file. */
#define _DEFAULT_SOURCE		/* madvise's MADV_HUGEPAGE */
#include <sys/mman.h>

#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "bpe.h"
#include "bpecounts.h"
#include "cli.h"
#include "hash.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "split.h"
#include "stats.h"
#include "utf8.h"
#include "util.h"

#define DETAIL_MAX	512
#define NIL		UINT32_MAX	/* no node, no pair, no piece */
#define MAX_SIZE	((long long)BPE_MAX_RANK + 1)
#define STDIO_BUF	((size_t)1 << 17)
#define AHEAD		8	/* pieces prefetched ahead in a merge */
#define MAX_THREADS	64
/* Pieces a merge must visit before its threads share them out. */
#define SHARE_FROM	16384

#if defined(__GNUC__)
#define PREFETCH(p)	__builtin_prefetch(p)
#else
#define PREFETCH(p)	((void)0)
#endif

/* Options. */
static long long vocab_size;			/* --size */
static long long min_count = 2;			/* --min-count */
static const struct bpe_pattern *pattern;	/* --pattern */
static const char *regex;			/* --regex, or the pattern's */
static const char *output_path;			/* --output */
static const char *counts_out;			/* --counts-out */
static int counts_in;				/* --counts-in */
static int nthreads = 1;			/* --threads */
static const char *train_split;			/* --train-split */
static uint32_t split_ppm;			/* its share */

/*
 * A slot of a string table: the string's length, its first 8 bytes and
 * how often it was interned, so that counting a short piece, most of
 * them, reads one slot and nothing else.
 */
struct strslot {
	uint64_t head;		/* the first 8 bytes, zero padded */
	uint64_t count;
	uint32_t len;
	uint32_t num;		/* its number + 1; 0: an empty slot */
};

/*
 * Byte strings numbered 0, 1, ... in the order first interned: the bytes
 * one after another in one array, found again by XXH3 through an
 * open-addressing table at most half full.  The pieces of the text are
 * counted in one; the tokens are kept in another, numbered by rank.
 */
struct strtab {
	unsigned char *bytes;
	uint64_t nbytes;
	uint64_t bytecap;
	uint64_t *off;		/* by number: where its bytes start */
	uint32_t *len;		/* by number: how many */
	uint32_t n;
	uint64_t cap;
	struct strslot *slots;
	size_t	mask;		/* slots - 1 */
};

/*
 * A distinct piece of the text while merging: how often the text has it,
 * and its tokens, which start as its bytes (the rank of a byte is its
 * value) and get fewer with each merge that touches it.  Pieces lie one
 * after another in the trainer's arena, each at a multiple of 8 bytes,
 * and are named by that offset / 8.
 */
struct piece {
	uint64_t count;
	uint32_t len;		/* tokens now */
	uint32_t stamp;		/* the last merge that visited it */
	uint32_t tok[];
};

/*
 * One adjacent pair of tokens, (a, b) by rank, and how often it is seen:
 * the counts of the pieces where it is, once per place (overlapping
 * places included: "aaa" holds (a, a) twice).  The pieces where it may
 * be are listed in two parts: those where it was at the start, in
 * occ[first .. first + nfirst), and those where a merge made it, in its
 * own array more[0 .. nmore) (an array rather than a linked list, so that
 * the merge can ask for the pieces before it needs them).  The lists may
 * also name pieces where it is no more: the merge finds out by looking.
 */
struct pair {
	uint32_t a;
	uint32_t b;
	int64_t	count;
	uint32_t *more;		/* the pair's own, or NULL */
	uint32_t nmore;
	uint32_t moremax;
	uint32_t stamp;		/* the merge that last raised count */
	uint32_t first;
	uint32_t nfirst;
};

/* A heap entry: a pair and its count when it was pushed. */
struct entry {
	uint64_t count;
	uint32_t a;
	uint32_t b;
};

/*
 * Everything the merges work on.  Pairs are found by (a, b) through
 * pslots; the heap orders them by count, highest first, then by (a, b),
 * lowest first (before()).  It is lazy: a count that fell since its entry
 * was pushed is found out when the entry reaches the top, and the pair
 * pushed again with the count it has now.
 */
struct trainer {
	unsigned char *arena;	/* the pieces of two tokens or more */
	uint64_t arena_end;	/* bytes of it in use */
	uint32_t *occ;		/* the pairs' first lists */

	struct pair *pairs;
	uint32_t npairs;
	uint64_t paircap;
	uint32_t *pslots;	/* pair number, or NIL */
	size_t	pmask;
	uint32_t nhashed;	/* pairs in pslots */
	uint32_t *bytepair;	/* pair number of (a, b) at a << 8 | b, or NIL */

	struct entry *heap;
	size_t	nheap;
	uint64_t heapcap;

	uint32_t *fresh;	/* pairs whose count rose in this merge */
	size_t	nfresh;
	uint64_t freshcap;

	struct strtab tokens;	/* token bytes, numbered by rank */

	struct mover *movers;	/* nthreads of them */
	uint64_t shared;	/* merges shared out among them */
};

#define PIECE(t, w)	((struct piece *)((t)->arena + (uint64_t)(w) * 8))

/*
 * A merge shared out among threads: each visits its part of the pair's
 * two lists.  A count that falls on a pair the merge did not make is
 * taken off in place (the pair exists, nothing is added to the table);
 * every other move (one that makes or touches a pair with the new token,
 * which may not exist yet) is left to the main thread, which makes them
 * thread after thread once all are done.  A thread groups its moves by
 * pair, in the order it first met each: the main thread then looks each
 * pair up once, adds its count and lists its pieces, as it would have
 * met them one by one.
 */
struct group {
	uint32_t x;
	uint32_t y;
	int64_t	delta;		/* the sum of the moves */
	uint32_t nw;		/* pieces where it gained; then where they end */
};

struct mover {
	pthread_t th;
	struct trainer *t;
	const uint32_t *list[2];
	size_t	n[2];
	uint32_t a, b, z, stamp;
	struct group *g;	/* ngroups of them, by first move */
	size_t	ngroups;
	uint64_t gcap;
	uint32_t *slot;		/* group number by (x, y), valid at stamp */
	uint32_t *slotstamp;
	size_t	smask;		/* slots - 1, or 0 before the first merge */
	uint32_t *mg;		/* the gains' groups and pieces, in order */
	uint32_t *mw;
	size_t	nm;
	uint64_t mcap;
	uint32_t *gw;		/* the pieces, group by group */
	uint64_t gwcap;
};

/* What the pieces' table does not tell: all the pieces and their bytes. */
struct tally {
	uint64_t pieces;
	uint64_t text_bytes;
};

/* The end offsets of one text's pieces, counted only if all are found. */
struct spans {
	size_t	*end;
	size_t	n;
	uint64_t cap;
};

static char stdin_buf[STDIO_BUF];

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --size N (--pattern NAME | --regex RE) "
	    "--output FILE\n"
	    "       [--min-count K] [--threads N] [--train-split SHARE] "
	    "[--rejects FILE]\n"
	    "       [--stats FILE] [--version] [FILE ...]\n"
	    "       %s [-hq] (--pattern NAME | --regex RE) "
	    "--counts-out FILE\n"
	    "       [--train-split SHARE] [--rejects FILE] [--stats FILE] "
	    "[FILE ...]\n"
	    "       %s [-hq] --counts-in --size N (--pattern NAME | "
	    "--regex RE)\n"
	    "       --output FILE [--min-count K] [--threads N] [--stats FILE]\n"
	    "       [FILE ...]\n"
	    "       %s [-hq] --counts-in (--pattern NAME | --regex RE) "
	    "--counts-out FILE\n"
	    "       [--stats FILE] [FILE ...]\n",
	    progname, progname, progname, progname);
}

/*
 * Return p, an array of *cap items of sz bytes, grown (doubled) to hold
 * need items; *cap is updated.
 */
static void *
grow(void *p, uint64_t *cap, uint64_t need, size_t sz)
{
	uint64_t c = *cap == 0 ? 1024 : *cap;

	if (need <= *cap)
		return p;
	while (c < need)
		c *= 2;
	if (c > SIZE_MAX / sz)
		die(EXIT_OSERR, "out of memory");
	*cap = c;
	return erealloc(p, (size_t)c * sz);
}

/*
 * Memory for the arena and the first lists, which the merges visit all
 * over: in huge pages where the kernel gives them on asking (fewer page
 * faults and TLB misses), else in ordinary ones.  Freed by free().
 */
static void *
big_alloc(size_t n)
{
	const size_t huge = (size_t)2 << 20;
	void *p;

	if (n < huge)
		return emalloc(n > 0 ? n : 1);
	if (posix_memalign(&p, huge, n) != 0)
		die(EXIT_OSERR, "out of memory");
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n / huge * huge, MADV_HUGEPAGE);
#endif
	return p;
}

/* --- string tables ---------------------------------------------------- */

static inline uint64_t
head_of(const unsigned char *p, size_t len)
{
	uint64_t h = 0;

	memcpy(&h, p, len < 8 ? len : 8);
	return h;
}

static void
strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->mask = 1023;
	t->slots = ecalloc(t->mask + 1, sizeof(*t->slots));
}

static void
strtab_free(struct strtab *t)
{
	free(t->bytes);
	free(t->off);
	free(t->len);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* Double the slots and place every string again. */
static void
strtab_rehash(struct strtab *t)
{
	struct strslot *old = t->slots;
	size_t oldn = t->mask + 1, i, j;
	uint32_t k;

	t->mask = oldn * 2 - 1;
	t->slots = ecalloc(t->mask + 1, sizeof(*t->slots));
	for (i = 0; i < oldn; i++) {
		if (old[i].num == 0)
			continue;
		k = old[i].num - 1;
		for (j = hash_xxh3_64(t->bytes + t->off[k], t->len[k]) &
		    t->mask; t->slots[j].num != 0; j = (j + 1) & t->mask)
			;
		t->slots[j] = old[i];
	}
	free(old);
}

/*
 * Count p[0..len) n times more in t, adding it as the next number when it
 * is new (its count is then n).  Return its slot, valid until the next
 * call.
 */
static struct strslot *
strtab_intern(struct strtab *t, const unsigned char *p, size_t len,
    uint64_t n)
{
	struct strslot *s;
	uint64_t head = head_of(p, len);
	size_t i;
	uint32_t k;

	for (i = hash_xxh3_64(p, len) & t->mask; (s = &t->slots[i])->num != 0;
	    i = (i + 1) & t->mask) {
		if (s->len != len || s->head != head)
			continue;
		if (len <= 8 || memcmp(t->bytes + t->off[s->num - 1] + 8,
		    p + 8, len - 8) == 0) {
			s->count += n;
			return s;
		}
	}
	if (t->n == NIL - 1 || len >= NIL)
		die(EXIT_SOFTWARE, "more than %u distinct pieces, or one of "
		    "4 GB", NIL - 1);
	k = t->n++;
	if (k == t->cap) {
		t->off = grow(t->off, &t->cap, (uint64_t)k + 1,
		    sizeof(*t->off));
		t->len = erealloc(t->len, (size_t)t->cap * sizeof(*t->len));
	}
	t->bytes = grow(t->bytes, &t->bytecap, t->nbytes + len, 1);
	memcpy(t->bytes + t->nbytes, p, len);
	t->off[k] = t->nbytes;
	t->len[k] = (uint32_t)len;
	t->nbytes += len;
	s->head = head;
	s->count = n;
	s->len = (uint32_t)len;
	s->num = k + 1;
	if ((uint64_t)t->n * 2 > t->mask + 1) {
		strtab_rehash(t);
		for (i = hash_xxh3_64(p, len) & t->mask; t->slots[i].num !=
		    k + 1; i = (i + 1) & t->mask)
			;
		s = &t->slots[i];
	}
	return s;
}

/* --- reading the text ------------------------------------------------- */

/*
 * Whether quire-shard -v (the --train-split share) puts rec in the
 * validation split.  A record without an id quire-shard can use is on
 * neither side: *reason is bpe-train.no_id, with the detail.
 */
static int
is_validation(struct json_object *rec, const struct record_in *in,
    const char **reason, char *detail, size_t dlen)
{
	struct json_object *v;
	const char *why;

	if (!json_object_object_get_ex(rec, "id", &v))
		why = "no id";
	else if (!json_object_is_type(v, json_type_string))
		why = "id is not a string";
	else if (json_object_get_string_len(v) == 0)
		why = "id is empty";
	else
		return split_is_validation(json_object_get_string(v),
		    (size_t)json_object_get_string_len(v), split_ppm);
	*reason = "bpe-train.no_id";
	snprintf(detail, dlen, "%s:%zu: %s (--train-split)", in->name,
	    in->lineno, why);
	return 0;
}

/*
 * Why rec's text cannot be learned from before it is split: it must be a
 * string, and valid UTF-8.  Returns the reason and writes the detail, or
 * NULL with the text in *text, *len.
 */
static const char *
check_record(struct json_object *rec, const struct record_in *in,
    const char **text, size_t *len, char *detail, size_t dlen)
{
	struct json_object *v;
	const char *why = NULL, *reason = NULL;

	if (!json_object_object_get_ex(rec, "text", &v)) {
		reason = "bpe-train.no_text";
		why = "no text field";
	} else if (!json_object_is_type(v, json_type_string)) {
		reason = "bpe-train.no_text";
		why = "text is not a string";
	} else {
		*text = json_object_get_string(v);
		*len = (size_t)json_object_get_string_len(v);
		/*
		 * record_next checked the line; only an escaped surrogate
		 * (json-c writes it as ED A0..BF xx) can make the decoded
		 * text invalid, so look only where an ED byte is.
		 */
		if (memchr(*text, 0xED, *len) != NULL &&
		    !utf8_valid(*text, *len)) {
			reason = "bpe-train.invalid_text";
			why = "text is not valid UTF-8 (an escaped lone "
			    "surrogate?)";
		}
	}
	if (reason != NULL)
		snprintf(detail, dlen, "%s:%zu: %s", in->name, in->lineno, why);
	return reason;
}

/*
 * Split s[0..len) into pieces, their ends into sp.  Return NULL, or the
 * reject reason with the detail written when the pattern leaves text in
 * no piece or PCRE2 gives up: then none of the text counts.
 */
static const char *
split_text(struct bpe_split *re, const char *s, size_t len, struct spans *sp,
    char *detail, size_t dlen)
{
	char msg[160];
	size_t off = 0, end;
	int rc;

	sp->n = 0;
	while (off < len) {
		rc = bpe_split_next(re, s, len, off, &end, msg, sizeof(msg));
		if (rc == BPE_SPLIT_UNMATCHED) {
			snprintf(detail, dlen, "byte %zu is in no match of the "
			    "pattern", off);
			return "bpe-train.unmatched";
		}
		if (rc == BPE_SPLIT_FAILED) {
			snprintf(detail, dlen, "at byte %zu: %s", off, msg);
			return "bpe-train.regex";
		}
		sp->end = grow(sp->end, &sp->cap, sp->n + 1, sizeof(*sp->end));
		sp->end[sp->n++] = end;
		off = end;
	}
	return NULL;
}

/* --- pairs, their lists and the heap ------------------------------------ */

static inline size_t
pair_hash(uint32_t a, uint32_t b)
{
	uint64_t k = ((uint64_t)a << 32 | b) * 0x9E3779B97F4A7C15ULL;

	return (size_t)(k ^ k >> 29);
}

static void
pairs_rehash(struct trainer *t)
{
	size_t n = (t->pmask + 1) * 2, i, j;

	free(t->pslots);
	t->pslots = emalloc(n * sizeof(*t->pslots));
	memset(t->pslots, 0xFF, n * sizeof(*t->pslots));
	t->pmask = n - 1;
	for (i = 0; i < t->npairs; i++) {
		if ((t->pairs[i].a | t->pairs[i].b) < 256)
			continue;
		for (j = pair_hash(t->pairs[i].a, t->pairs[i].b) & t->pmask;
		    t->pslots[j] != NIL; j = (j + 1) & t->pmask)
			;
		t->pslots[j] = (uint32_t)i;
	}
}

/* The number of pair (a, b), or NIL; the table is only read. */
static uint32_t
pair_find(const struct trainer *t, uint32_t a, uint32_t b)
{
	size_t i;
	uint32_t k;

	if ((a | b) < 256)
		return t->bytepair[a << 8 | b];
	for (i = pair_hash(a, b) & t->pmask; (k = t->pslots[i]) != NIL;
	    i = (i + 1) & t->pmask)
		if (t->pairs[k].a == a && t->pairs[k].b == b)
			return k;
	return NIL;
}

/* A new pair (a, b), with count 0. */
static uint32_t
pair_new(struct trainer *t, uint32_t a, uint32_t b)
{
	struct pair *p;
	uint32_t k;

	if (t->npairs == NIL - 1)
		die(EXIT_SOFTWARE, "more than %u pairs", NIL - 1);
	t->pairs = grow(t->pairs, &t->paircap, (uint64_t)t->npairs + 1,
	    sizeof(*t->pairs));
	k = t->npairs++;
	p = &t->pairs[k];
	memset(p, 0, sizeof(*p));
	p->a = a;
	p->b = b;
	return k;
}

/*
 * The number of pair (a, b), made with count 0 when new.  A pair of two
 * bytes, every pair of the text before the first merge, is found at its
 * place in bytepair; the others through the hash table.
 */
static uint32_t
pair_get(struct trainer *t, uint32_t a, uint32_t b)
{
	size_t i;
	uint32_t k;

	if ((a | b) < 256) {
		if ((k = t->bytepair[a << 8 | b]) == NIL)
			k = t->bytepair[a << 8 | b] = pair_new(t, a, b);
		return k;
	}
	for (i = pair_hash(a, b) & t->pmask; (k = t->pslots[i]) != NIL;
	    i = (i + 1) & t->pmask)
		if (t->pairs[k].a == a && t->pairs[k].b == b)
			return k;
	k = pair_new(t, a, b);
	t->pslots[i] = k;
	if ((size_t)++t->nhashed * 2 > t->pmask + 1)
		pairs_rehash(t);
	return k;
}

/* Add piece w to pair k's array, unless it was the last added. */
static void
pair_note(struct trainer *t, uint32_t k, uint32_t w)
{
	struct pair *p = &t->pairs[k];

	if (p->nmore > 0 && p->more[p->nmore - 1] == w)
		return;
	if (p->nmore == p->moremax) {
		if (p->moremax >= NIL / 2)
			die(EXIT_SOFTWARE, "more than %u places of a pair",
			    NIL / 2);
		p->moremax = p->moremax == 0 ? 4 : p->moremax * 2;
		p->more = erealloc(p->more, (size_t)p->moremax *
		    sizeof(*p->more));
	}
	p->more[p->nmore++] = w;
}

/*
 * Count pair (a, b) delta more times, seen in piece w, during the merge
 * stamp.  Only pairs with the merge's new token gain: they go on the
 * fresh list, to enter the heap once the merge is done and their counts
 * final.
 */
static void
pair_add(struct trainer *t, uint32_t a, uint32_t b, int64_t delta,
    uint32_t w, uint32_t stamp)
{
	uint32_t k = pair_get(t, a, b);

	t->pairs[k].count += delta;
	if (delta <= 0)
		return;
	pair_note(t, k, w);
	if (t->pairs[k].stamp == stamp)
		return;
	t->pairs[k].stamp = stamp;
	t->fresh = grow(t->fresh, &t->freshcap, t->nfresh + 1,
	    sizeof(*t->fresh));
	t->fresh[t->nfresh++] = k;
}

/*
 * The tie-break, in one place: x comes out of the heap before y when it
 * was seen more often; of equal counts, when its left token has the
 * lower rank, then when its right token has.
 */
static inline int
before(const struct entry *x, const struct entry *y)
{
	if (x->count != y->count)
		return x->count > y->count;
	if (x->a != y->a)
		return x->a < y->a;
	return x->b < y->b;
}

static void
heap_push(struct trainer *t, const struct pair *p)
{
	struct entry e = { (uint64_t)p->count, p->a, p->b };
	size_t i, up;

	t->heap = grow(t->heap, &t->heapcap, t->nheap + 1, sizeof(*t->heap));
	for (i = t->nheap++; i > 0 && before(&e, &t->heap[up = (i - 1) / 2]);
	    i = up)
		t->heap[i] = t->heap[up];
	t->heap[i] = e;
}

static struct entry
heap_pop(struct trainer *t)
{
	struct entry top = t->heap[0], e = t->heap[--t->nheap];
	size_t i = 0, c, n = t->nheap;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && before(&t->heap[c + 1], &t->heap[c]))
			c++;
		if (!before(&t->heap[c], &e))
			break;
		t->heap[i] = t->heap[c];
	}
	t->heap[i] = e;
	return top;
}

/* --- training ------------------------------------------------------------ */

/* Bytes of a piece of len tokens in the arena. */
static inline uint64_t
piece_size(uint64_t len)
{
	return (sizeof(struct piece) + len * sizeof(uint32_t) + 7) / 8 * 8;
}

/*
 * Move the pieces of two bytes or more from the table (which is emptied)
 * into t's arena, in the table's slot order: merges never depend on the
 * order of the pieces, only on their counts.
 */
static void
arena_fill(struct trainer *t, struct strtab *pieces)
{
	struct strslot *s;
	struct piece *p;
	uint64_t size = 0, at = 0;
	size_t i;
	uint32_t j, k;

	for (i = 0; i <= pieces->mask; i++)
		if (pieces->slots[i].len >= 2)
			size += piece_size(pieces->slots[i].len);
	if (size / 8 >= NIL)
		die(EXIT_SOFTWARE, "the distinct pieces need more than 32 GB");
	t->arena = big_alloc((size_t)size);
	for (i = 0; i <= pieces->mask; i++) {
		s = &pieces->slots[i];
		if (s->len < 2)
			continue;
		p = (struct piece *)(t->arena + at);
		p->count = s->count;
		p->len = s->len;
		p->stamp = 0;
		k = s->num - 1;
		for (j = 0; j < s->len; j++)
			p->tok[j] = pieces->bytes[pieces->off[k] + j];
		at += piece_size(s->len);
	}
	strtab_free(pieces);
	t->arena_end = at;
}

/* An empty trainer: no piece, no pair. */
static void
trainer_init(struct trainer *t)
{
	memset(t, 0, sizeof(*t));
	t->pmask = 65535;
	t->pslots = emalloc((t->pmask + 1) * sizeof(*t->pslots));
	memset(t->pslots, 0xFF, (t->pmask + 1) * sizeof(*t->pslots));
	t->bytepair = emalloc(65536 * sizeof(*t->bytepair));
	memset(t->bytepair, 0xFF, 65536 * sizeof(*t->bytepair));
}

/*
 * One thread's part of the arena while the pairs are first counted: the
 * pieces in [from, to).  Before any merge every token is a byte, so a
 * pair is named by a << 8 | b and each thread counts into arrays of its
 * own; last is the last piece (+1) that listed a pair, so that a piece
 * goes once on a pair's first list.
 */
struct counter {
	pthread_t th;
	struct trainer *t;
	uint64_t from, to;
	int64_t	*count;		/* by pair, 65536 of each */
	uint32_t *nfirst;	/* places; then where this part's go in occ */
	uint32_t *last;
	int	fill;		/* 0: count, 1: fill occ */
};

static void *
counter_main(void *arg)
{
	struct counter *c = arg;
	struct piece *p;
	uint64_t at;
	uint32_t i, w, x;

	memset(c->last, 0, 65536 * sizeof(*c->last));
	for (at = c->from; at < c->to; at += piece_size(p->len)) {
		p = (struct piece *)(c->t->arena + at);
		w = (uint32_t)(at / 8);
		for (i = 0; i + 1 < p->len; i++) {
			x = p->tok[i] << 8 | p->tok[i + 1];
			if (!c->fill)
				c->count[x] += (int64_t)p->count;
			if (c->last[x] == w + 1)
				continue;
			c->last[x] = w + 1;
			if (c->fill)
				c->t->occ[c->nfirst[x]++] = w;
			else
				c->nfirst[x]++;
		}
	}
	return NULL;
}

/* Run c[0 .. n) as threads, c[0] on this one. */
static void
counters_run(struct counter *c, int n)
{
	int i, rc;

	for (i = 1; i < n; i++)
		if ((rc = pthread_create(&c[i].th, NULL, counter_main,
		    &c[i])) != 0)
			die(EXIT_OSERR, "pthread_create: %s", strerror(rc));
	counter_main(&c[0]);
	for (i = 1; i < n; i++)
		pthread_join(c[i].th, NULL);
}

/*
 * Count the pairs of the pieces in the arena: every adjacent pair of
 * every piece is counted, each pair's first list filled (one pass counts
 * the places, the second fills them in), and the pairs seen min_count
 * times or more enter the heap.  The arena is cut into nthreads parts of
 * about as many places each, counted side by side; a pair's first list
 * holds the parts' pieces one part after another, in arena order, as one
 * pass would.  Pairs are numbered by (a, b), which no output depends on.
 */
static void
trainer_pairs(struct trainer *t)
{
	struct counter *c;
	struct piece *p;
	uint64_t at, npos = 0, seen = 0, sum, total = 0;
	uint32_t k, x, nf;
	int n = nthreads, i;

	for (at = 0; at < t->arena_end; at += piece_size(p->len)) {
		p = (struct piece *)(t->arena + at);
		npos += p->len - 1;
	}
	if (npos >= NIL)
		die(EXIT_SOFTWARE, "more than %u pair places", NIL);
	c = ecalloc((size_t)n, sizeof(*c));
	for (i = 0; i < n; i++) {
		c[i].t = t;
		c[i].count = ecalloc(65536, sizeof(*c[i].count));
		c[i].nfirst = ecalloc(65536, sizeof(*c[i].nfirst));
		c[i].last = emalloc(65536 * sizeof(*c[i].last));
	}
	/* Part i ends at the first piece past i + 1 n-ths of the places. */
	for (at = 0, i = 0; at < t->arena_end && i < n - 1;
	    at += piece_size(p->len)) {
		p = (struct piece *)(t->arena + at);
		seen += p->len - 1;
		if (seen * (uint64_t)n >= npos * (uint64_t)(i + 1)) {
			c[i].to = c[i + 1].from = at + piece_size(p->len);
			i++;
		}
	}
	for (; i < n; i++) {
		c[i].to = t->arena_end;
		if (i + 1 < n)
			c[i + 1].from = t->arena_end;
	}
	counters_run(c, n);

	/* Each pair's first list: the parts' places one after another. */
	for (x = 0; x < 65536; x++) {
		for (sum = 0, nf = 0, i = 0; i < n; i++) {
			sum += (uint64_t)c[i].count[x];
			nf += c[i].nfirst[x];
		}
		if (nf == 0)
			continue;
		k = t->bytepair[x] = pair_new(t, x >> 8, x & 0xFF);
		t->pairs[k].count = (int64_t)sum;
		t->pairs[k].first = (uint32_t)total;
		t->pairs[k].nfirst = nf;
		for (i = 0; i < n; i++) {
			nf = c[i].nfirst[x];
			c[i].nfirst[x] = (uint32_t)total;
			total += nf;
		}
	}
	t->occ = big_alloc((size_t)total * sizeof(*t->occ));
	for (i = 0; i < n; i++)
		c[i].fill = 1;
	counters_run(c, n);
	for (i = 0; i < n; i++) {
		free(c[i].count);
		free(c[i].nfirst);
		free(c[i].last);
	}
	free(c);
	for (k = 0; k < t->npairs; k++)
		if (t->pairs[k].count >= min_count)
			heap_push(t, &t->pairs[k]);

	t->movers = ecalloc((size_t)nthreads, sizeof(*t->movers));
	strtab_init(&t->tokens);
	for (k = 0; k < 256; k++) {
		unsigned char ch = (unsigned char)k;

		strtab_intern(&t->tokens, &ch, 1, 1);
	}
}

static void
trainer_free(struct trainer *t)
{
	uint32_t k;

	for (k = 0; k < t->npairs; k++)
		free(t->pairs[k].more);
	for (k = 0; k < (uint32_t)nthreads; k++) {
		free(t->movers[k].g);
		free(t->movers[k].slot);
		free(t->movers[k].slotstamp);
		free(t->movers[k].mg);
		free(t->movers[k].mw);
		free(t->movers[k].gw);
	}
	free(t->movers);
	free(t->arena);
	free(t->occ);
	free(t->pairs);
	free(t->pslots);
	free(t->bytepair);
	free(t->heap);
	free(t->fresh);
	strtab_free(&t->tokens);
}

static void
groups_rehash(struct mover *m, size_t n)
{
	size_t i, j;

	free(m->slot);
	free(m->slotstamp);
	m->slot = emalloc(n * sizeof(*m->slot));
	m->slotstamp = ecalloc(n, sizeof(*m->slotstamp));
	m->smask = n - 1;
	for (i = 0; i < m->ngroups; i++) {
		for (j = pair_hash(m->g[i].x, m->g[i].y) & m->smask;
		    m->slotstamp[j] == m->stamp; j = (j + 1) & m->smask)
			;
		m->slot[j] = (uint32_t)i;
		m->slotstamp[j] = m->stamp;
	}
}

/* The number of the group of (x, y) in this merge, made when new. */
static inline uint32_t
group_of(struct mover *m, uint32_t x, uint32_t y)
{
	struct group *g;
	size_t i;

	for (i = pair_hash(x, y) & m->smask; m->slotstamp[i] == m->stamp;
	    i = (i + 1) & m->smask) {
		g = &m->g[m->slot[i]];
		if (g->x == x && g->y == y)
			return m->slot[i];
	}
	m->g = grow(m->g, &m->gcap, m->ngroups + 1, sizeof(*m->g));
	m->g[m->ngroups] = (struct group){ x, y, 0, 0 };
	m->slot[i] = (uint32_t)m->ngroups;
	m->slotstamp[i] = m->stamp;
	if (++m->ngroups * 2 > m->smask + 1)
		groups_rehash(m, (m->smask + 1) * 2);
	return (uint32_t)(m->ngroups - 1);
}

/*
 * Move count delta onto pair (x, y), seen in piece w: at once when the
 * merge runs alone (m NULL), else as struct mover says.
 */
static inline __attribute__((always_inline)) void
move_pair(struct trainer *t, struct mover *m, uint32_t x, uint32_t y,
    int64_t delta, uint32_t w, uint32_t stamp)
{
	uint32_t k;

	if (m == NULL) {
		pair_add(t, x, y, delta, w, stamp);
		return;
	}
	if (delta < 0 && x != m->z && y != m->z) {
		/* The piece holds (x, y): the pair is in the table. */
		if ((k = pair_find(t, x, y)) == NIL)
			die(EXIT_SOFTWARE, "pair (%u, %u) lost", x, y);
		__atomic_fetch_add(&t->pairs[k].count, delta,
		    __ATOMIC_RELAXED);
		return;
	}
	k = group_of(m, x, y);
	m->g[k].delta += delta;
	if (delta <= 0)
		return;
	m->g[k].nw++;
	if (m->nm == m->mcap) {
		m->mg = grow(m->mg, &m->mcap, m->nm + 1, sizeof(*m->mg));
		m->mw = erealloc(m->mw, (size_t)m->mcap * sizeof(*m->mw));
	}
	m->mg[m->nm] = k;
	m->mw[m->nm++] = w;
}

/*
 * Replace every (a, b) in piece w by z, left to right (in "aaa", the
 * first two), once per merge (stamp), and move the counts of the
 * neighbours: for each place merged, the token before it now pairs with
 * z instead of a, the token after it with z instead of b.  The token
 * before may be a z made just before, so "abab" ends as one (z, z), not
 * as (z, a) and (b, z).  A piece may be listed twice, so threads claim it
 * by its stamp.
 */
static inline __attribute__((always_inline)) void
merge_piece(struct trainer *t, struct mover *m, uint32_t w, uint32_t a,
    uint32_t b, uint32_t z, uint32_t stamp)
{
	struct piece *p = PIECE(t, w);
	uint32_t *tk = p->tok, n, i = 0, o = 0;
	int64_t c = (int64_t)p->count;

	if (m == NULL) {
		if (p->stamp == stamp)
			return;
		p->stamp = stamp;
	} else if (__atomic_exchange_n(&p->stamp, stamp, __ATOMIC_RELAXED) ==
	    stamp)
		return;
	n = p->len;
	while (i < n) {
		if (i + 1 < n && tk[i] == a && tk[i + 1] == b) {
			if (o > 0) {
				move_pair(t, m, tk[o - 1], a, -c, w, stamp);
				move_pair(t, m, tk[o - 1], z, c, w, stamp);
			}
			if (i + 2 < n) {
				move_pair(t, m, b, tk[i + 2], -c, w, stamp);
				move_pair(t, m, z, tk[i + 2], c, w, stamp);
			}
			tk[o++] = z;
			i += 2;
		} else
			tk[o++] = tk[i++];
	}
	p->len = o;
}

/*
 * Merge (a, b) into z in the n pieces of list.  The pieces lie anywhere:
 * ask for them before they are needed.
 */
static inline __attribute__((always_inline)) void
merge_list(struct trainer *t, struct mover *m, const uint32_t *list,
    size_t n, uint32_t a, uint32_t b, uint32_t z, uint32_t stamp)
{
	size_t i;

	for (i = 0; i < n && i < AHEAD; i++)
		PREFETCH(PIECE(t, list[i]));
	for (i = 0; i < n; i++) {
		if (i + AHEAD < n)
			PREFETCH(PIECE(t, list[i + AHEAD]));
		merge_piece(t, m, list[i], a, b, z, stamp);
	}
}

static void
merge_alone(struct trainer *t, const uint32_t *list, size_t n, uint32_t a,
    uint32_t b, uint32_t z, uint32_t stamp)
{
	merge_list(t, NULL, list, n, a, b, z, stamp);
}

static void *
mover_main(void *arg)
{
	struct mover *m = arg;

	struct group *g;
	size_t i, at;
	uint32_t n;

	m->ngroups = m->nm = 0;
	if (m->smask == 0)
		groups_rehash(m, 1024);
	merge_list(m->t, m, m->list[0], m->n[0], m->a, m->b, m->z, m->stamp);
	merge_list(m->t, m, m->list[1], m->n[1], m->a, m->b, m->z, m->stamp);
	/* The gains' pieces, group by group, each group's in order. */
	for (i = 0, at = 0; i < m->ngroups; i++) {
		g = &m->g[i];
		n = g->nw;
		g->nw = (uint32_t)at;
		at += n;
	}
	m->gw = grow(m->gw, &m->gwcap, m->nm, sizeof(*m->gw));
	for (i = 0; i < m->nm; i++)
		m->gw[m->g[m->mg[i]].nw++] = m->mw[i];
	return NULL;
}

/*
 * Merge (a, b) into z in the pieces of both lists on nthreads threads,
 * each a part of each list; then make the moves they left, in thread
 * order.  The merges learned do not depend on the order in which the
 * pieces are visited: counts add up the same, and the heap orders pairs
 * by their values alone.
 */
static void
merge_shared(struct trainer *t, const uint32_t *l0, size_t n0,
    const uint32_t *l1, size_t n1, uint32_t a, uint32_t b, uint32_t z,
    uint32_t stamp)
{
	struct mover *m;
	struct pair *q;
	size_t i, j, from, w;
	uint32_t k;
	int rc;

	for (i = 0; i < (size_t)nthreads; i++) {
		m = &t->movers[i];
		m->t = t;
		m->a = a;
		m->b = b;
		m->z = z;
		m->stamp = stamp;
		m->list[0] = l0 + n0 * i / nthreads;
		m->n[0] = n0 * (i + 1) / nthreads - n0 * i / nthreads;
		m->list[1] = l1 + n1 * i / nthreads;
		m->n[1] = n1 * (i + 1) / nthreads - n1 * i / nthreads;
		if (i > 0 && (rc = pthread_create(&m->th, NULL, mover_main,
		    m)) != 0)
			die(EXIT_OSERR, "pthread_create: %s", strerror(rc));
	}
	mover_main(&t->movers[0]);
	for (i = 1; i < (size_t)nthreads; i++)
		pthread_join(t->movers[i].th, NULL);
	for (i = 0; i < (size_t)nthreads; i++) {
		m = &t->movers[i];
		for (j = 0, from = 0; j < m->ngroups; from = m->g[j++].nw) {
			k = pair_get(t, m->g[j].x, m->g[j].y);
			q = &t->pairs[k];
			q->count += m->g[j].delta;
			if (m->g[j].nw == from)
				continue;
			for (w = from; w < m->g[j].nw; w++)
				pair_note(t, k, m->gw[w]);
			if (q->stamp != stamp) {
				q->stamp = stamp;
				t->fresh = grow(t->fresh, &t->freshcap,
				    t->nfresh + 1, sizeof(*t->fresh));
				t->fresh[t->nfresh++] = k;
			}
		}
	}
}

/*
 * Merge pair k into the new token z everywhere: walk its lists of pieces,
 * merge in each, then put the pairs made with z into the heap.  The pair
 * itself is seen no more; its array is freed.  (Merging never adds to
 * the pair's own lists: the pairs it makes hold z.)
 */
static void
merge_pair(struct trainer *t, uint32_t k, uint32_t z, uint32_t stamp)
{
	struct pair *p = &t->pairs[k];
	uint32_t a = p->a, b = p->b, *more = p->more, nmore = p->nmore;
	const uint32_t *first = t->occ + p->first;
	size_t i, nfirst = p->nfirst;

	p->more = NULL;
	p->nmore = p->moremax = 0;
	t->nfresh = 0;
	if (nthreads > 1 && nfirst + nmore >= SHARE_FROM) {
		merge_shared(t, first, nfirst, more, nmore, a, b, z, stamp);
		t->shared++;
	} else {
		merge_alone(t, first, nfirst, a, b, z, stamp);
		merge_alone(t, more, nmore, a, b, z, stamp);
	}
	free(more);
	/* With a == b, the neighbours' moves counted into (a, a) too. */
	t->pairs[k].nfirst = 0;
	t->pairs[k].count = 0;
	for (i = 0; i < t->nfresh; i++)
		if (t->pairs[t->fresh[i]].count >= min_count)
			heap_push(t, &t->pairs[t->fresh[i]]);
}

/*
 * Learn merges until the vocabulary has want tokens or no pair is seen
 * min_count times.  Each step takes the pair at the top of the heap; an
 * entry whose count has fallen since it was pushed goes back with the
 * count it has now.  Counts of pairs only fall, but for those made by
 * the merge just done, so the first entry that is up to date is the
 * pair seen most often.  A pair is skipped, never to be learned, when its
 * bytes are longer than a rank file may hold (counted in *longs), or
 * already a token merged from other parts (*dups), which would give
 * tiktoken the same bytes twice; no text is known to do that, and it
 * costs one lookup to be sure.  Returns the count of the last merge.
 */
static uint64_t
train(struct trainer *t, uint32_t want, uint64_t *longs, uint64_t *dups)
{
	struct entry e;
	struct pair *p;
	unsigned char *buf = NULL;
	uint64_t cap = 0, last = 0;
	size_t la, lb;
	uint32_t k, stamp = 0;
	struct strslot *s;

	while (t->tokens.n < want && t->nheap > 0) {
		e = heap_pop(t);
		k = pair_get(t, e.a, e.b);
		p = &t->pairs[k];
		if ((uint64_t)p->count != e.count) {
			if (p->count >= min_count)
				heap_push(t, p);
			continue;
		}
		la = t->tokens.len[e.a];
		lb = t->tokens.len[e.b];
		if (la + lb > BPE_MAX_TOKEN_LEN) {
			p->count = 0;
			(*longs)++;
			continue;
		}
		buf = grow(buf, &cap, la + lb, 1);
		memcpy(buf, t->tokens.bytes + t->tokens.off[e.a], la);
		memcpy(buf + la, t->tokens.bytes + t->tokens.off[e.b], lb);
		s = strtab_intern(&t->tokens, buf, la + lb, 1);
		if (s->count > 1) {
			p->count = 0;
			(*dups)++;
			continue;
		}
		last = e.count;
		merge_pair(t, k, s->num - 1, ++stamp);
	}
	free(buf);
	return last;
}

/*
 * Write the rank file: every token, by rank, as base64 of its bytes, a
 * space and the rank.  Returns the bytes written.
 */
static uint64_t
write_ranks(FILE *fp, const char *path, const struct strtab *tokens)
{
	char *line = NULL;
	uint64_t cap = 0, total = 0;
	size_t n;
	uint32_t r;

	for (r = 0; r < tokens->n; r++) {
		line = grow(line, &cap, ((uint64_t)tokens->len[r] + 2) / 3 * 4 +
		    16, 1);
		bpe_base64_encode(tokens->bytes + tokens->off[r],
		    tokens->len[r], line);
		n = strlen(line);
		n += (size_t)snprintf(line + n, (size_t)cap - n, " %u\n", r);
		efwrite(line, n, fp, path);
		total += n;
	}
	free(line);
	return total;
}

/* --- counting ------------------------------------------------------------ */

/*
 * Count the pieces of every record's text of in into pieces and tl; a
 * record that cannot be learned from goes to rj, none of its text
 * counted.
 */
static void
count_records(struct record_in *in, struct bpe_split *split,
    struct strtab *pieces, struct tally *tl, struct rejects *rj,
    struct stats *st, struct progress *pg, uint64_t *skipped)
{
	struct spans sp = { 0 };
	struct json_object *rec;
	const char *text, *reason;
	char detail[DETAIL_MAX], why[200];
	size_t len, i, start;

	while ((rec = record_next(in)) != NULL) {
		/*
		 * The validation side is skipped before it is counted at
		 * all: the counts are those of the training shards alone.
		 */
		reason = NULL;
		if (train_split != NULL && is_validation(rec, in, &reason,
		    detail, sizeof(detail))) {
			json_object_put(rec);
			(*skipped)++;
			continue;
		}
		st->records_in++;
		st->bytes_in += in->len + 1;
		if (reason == NULL)
			reason = check_record(rec, in, &text, &len, detail,
			    sizeof(detail));
		if (reason == NULL && (reason = split_text(split, text, len,
		    &sp, why, sizeof(why))) != NULL)
			snprintf(detail, sizeof(detail), "%s:%zu: %s", in->name,
			    in->lineno, why);
		if (reason != NULL) {
			rej_record(rj, rec, reason, detail);
			json_object_put(rec);
			continue;
		}
		for (i = 0, start = 0; i < sp.n; start = sp.end[i++])
			strtab_intern(pieces, (const unsigned char *)text +
			    start, sp.end[i] - start, 1);
		tl->pieces += sp.n;
		tl->text_bytes += len;
		st->records_out++;
		json_object_put(rec);
		progress_update(pg, st->records_in, st->bytes_in);
	}
	free(sp.end);
}

/* The pieces' table being sorted, for by_bytes(). */
static const struct strtab *sorting;

/* Order piece numbers by their bytes, as memcmp, a prefix first. */
static int
by_bytes(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint32_t la = sorting->len[a], lb = sorting->len[b];
	int c = memcmp(sorting->bytes + sorting->off[a],
	    sorting->bytes + sorting->off[b], la < lb ? la : lb);

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

/*
 * Write the counts file of the pieces (lib/bpecounts.h) to fp, path in
 * messages, with the records' figures of st and tl.  Returns the bytes
 * written.
 */
static uint64_t
write_counts(FILE *fp, const char *path, const struct strtab *pieces,
    const struct tally *tl, const struct stats *st)
{
	struct bpecnt_buf b = { 0 };
	struct bpecnt_head h = { 0 };
	const char **reasons;
	uint64_t *count, n;
	uint32_t *num, k;
	size_t i, nreasons;

	reasons = stats_reasons(st, &nreasons);
	h.regex = regex;
	h.regex_len = strlen(regex);
	h.records_in = st->records_in;
	h.records_out = st->records_out;
	h.bytes_in = st->bytes_in;
	h.text_bytes = tl->text_bytes;
	h.pieces = tl->pieces;
	h.nreasons = (uint32_t)nreasons;
	bpecnt_put_head(&b, &h);
	for (i = 0; i < nreasons; i++)
		bpecnt_put_reason(&b, reasons[i], strlen(reasons[i]),
		    (uint64_t)stats_rejected_by(st, reasons[i]));
	free(reasons);

	/* The counts are in the slots, the bytes by number. */
	count = emalloc(((size_t)pieces->n + 1) * sizeof(*count));
	num = emalloc(((size_t)pieces->n + 1) * sizeof(*num));
	for (i = 0; i <= pieces->mask; i++)
		if (pieces->slots[i].num != 0)
			count[pieces->slots[i].num - 1] =
			    pieces->slots[i].count;
	for (k = 0; k < pieces->n; k++)
		num[k] = k;
	sorting = pieces;
	qsort(num, pieces->n, sizeof(*num), by_bytes);
	bpecnt_put_npieces(&b, pieces->n);
	for (k = 0; k < pieces->n; k++)
		bpecnt_put_piece(&b, pieces->bytes + pieces->off[num[k]],
		    pieces->len[num[k]], count[num[k]]);
	bpecnt_put_end(&b);
	free(count);
	free(num);
	efwrite(b.p, b.n, fp, path);
	n = b.n;
	free(b.p);
	return n;
}

/* Read all of path ("-": stdin) into memory, *n bytes; the caller frees. */
/* A counts file being read: its bytes, and the piece at hand. */
struct source {
	unsigned char *buf;
	size_t	size;
	struct bpecnt_cursor c;
	const unsigned char *p;	/* NULL when no piece is left */
	uint32_t len;
	uint64_t count;
};

static void
source_next(struct source *s)
{
	if (!bpecnt_next_piece(&s->c, &s->p, &s->len, &s->count))
		s->p = NULL;
}

static unsigned char *
read_whole(const char *path, size_t *n)
{
	FILE *fp = stdin;
	unsigned char *buf = NULL;
	uint64_t cap = 0;
	size_t got;

	if (strcmp(path, "-") != 0 && (fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	*n = 0;
	do {
		buf = grow(buf, &cap, *n + STDIO_BUF, 1);
		got = fread(buf + *n, 1, (size_t)cap - *n, fp);
		*n += got;
	} while (got > 0);
	if (ferror(fp))
		die(EXIT_NOINPUT, "read error: %s", path);
	if (fp != stdin)
		fclose(fp);
	return buf;
}

/*
 * A counts file read whole and checked, its figures added to tl and st
 * (its records, bytes and rejects): src->c is at its first piece, which
 * is in src->p, len and count (p NULL: none).  A file that is not one, or
 * was counted with another pattern, is fatal.
 */
static void
open_counts(const char *path, struct source *src, struct tally *tl,
    struct stats *st)
{
	struct bpecnt_head h;
	struct bpecnt_cursor *c = &src->c;
	const char *name, *why;
	char err[200], reason[BPECNT_REASON_MAX + 1];
	uint64_t count;
	size_t n, len;

	src->buf = read_whole(path, &n);
	src->size = n;
	if ((why = bpecnt_check(src->buf, n, &h, c, err, sizeof(err))) != NULL)
		die(EXIT_DATAERR, "%s: %s", path, why);
	if (h.regex_len != strlen(regex) || memcmp(h.regex, regex,
	    h.regex_len) != 0)
		die(EXIT_CONFIG, "%s: counted with another pre-tokenizer "
		    "pattern than %s", path, pattern != NULL ? "--pattern" :
		    "--regex");
	/* Past 2^63 bytes of text, a pair's count would not fit. */
	if (h.text_bytes > INT64_MAX - tl->text_bytes ||
	    h.records_in > INT64_MAX - st->records_in ||
	    h.bytes_in > INT64_MAX - st->bytes_in)
		die(EXIT_DATAERR, "%s: the counts add up to more than 2^63",
		    path);
	st->records_in += h.records_in;
	st->records_out += h.records_out;
	st->bytes_in += h.bytes_in;
	tl->text_bytes += h.text_bytes;
	tl->pieces += h.pieces;
	while (bpecnt_next_reason(c, &name, &len, &count)) {
		memcpy(reason, name, len);
		reason[len] = '\0';
		stats_reject_n(st, reason, (int64_t)count);
	}
	source_next(src);
}

/* Add the counts file path to pieces, tl and st. */
static void
read_counts(const char *path, struct strtab *pieces, struct tally *tl,
    struct stats *st)
{
	struct source src;

	open_counts(path, &src, tl, st);
	for (; src.p != NULL; source_next(&src))
		strtab_intern(pieces, src.p, src.len, src.count);
	free(src.buf);
}

/* x's piece comes before y's: as memcmp, a prefix first. */
static inline int
source_before(const struct source *x, const struct source *y)
{
	int c = memcmp(x->p, y->p, x->len < y->len ? x->len : y->len);

	return c != 0 ? c < 0 : x->len < y->len;
}

static void
source_sift(struct source **h, size_t n, size_t i)
{
	struct source *e = h[i];
	size_t c;

	for (; (c = 2 * i + 1) < n; i = c) {
		if (c + 1 < n && source_before(h[c + 1], h[c]))
			c++;
		if (!source_before(h[c], e))
			break;
		h[i] = h[c];
	}
	h[i] = e;
}

/*
 * The pieces of n checked counts files, added up, straight into t's
 * arena: each file lists its pieces sorted by bytes, so a merge of the
 * lists meets equal pieces one after another, and no table is needed.
 * The arena is no larger than 4 times the files (a piece of len bytes
 * takes len + 12 in a file, at most 4 * len + 23 in the arena).  Counts
 * the distinct pieces and their bytes; the files are freed.
 */
static void
arena_merge(struct trainer *t, struct source *src, size_t n,
    uint64_t *distinct, uint64_t *distinct_bytes)
{
	struct source **h, *s;
	struct piece *p;
	uint64_t size = 0, at = 0, count;
	size_t nh = 0, i;
	uint32_t j, len;
	const unsigned char *bytes;

	h = ecalloc(n > 0 ? n : 1, sizeof(*h));
	for (i = 0; i < n; i++) {
		size += 4 * (uint64_t)src[i].size;
		if (src[i].p != NULL)
			h[nh++] = &src[i];
	}
	for (i = nh; i-- > 0;)
		source_sift(h, nh, i);
	t->arena = big_alloc((size_t)size);
	*distinct = *distinct_bytes = 0;
	while (nh > 0) {
		s = h[0];
		bytes = s->p;
		len = s->len;
		count = 0;
		/* Every list holding this piece has it at its head. */
		while (nh > 0 && h[0]->len == len && memcmp(h[0]->p, bytes,
		    len) == 0) {
			s = h[0];
			count += s->count;
			source_next(s);
			if (s->p == NULL)
				h[0] = h[--nh];
			source_sift(h, nh, 0);
		}
		(*distinct)++;
		*distinct_bytes += len;
		if (len < 2)
			continue;
		if (at / 8 >= NIL)
			die(EXIT_SOFTWARE, "the distinct pieces need more "
			    "than 32 GB");
		p = (struct piece *)(t->arena + at);
		p->count = count;
		p->len = len;
		p->stamp = 0;
		for (j = 0; j < len; j++)
			p->tok[j] = bytes[j];
		at += piece_size(len);
	}
	for (i = 0; i < n; i++)
		free(src[i].buf);
	free(h);
	t->arena_end = at;
}

int
main(int argc, char *argv[])
{
	enum {
		O_COUNTS_IN = 0x200,
		O_COUNTS_OUT,
		O_MIN_COUNT,
		O_OUTPUT,
		O_PATTERN,
		O_REGEX,
		O_SIZE,
		O_THREADS,
		O_TRAIN_SPLIT
	};
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "counts-in", no_argument, NULL, O_COUNTS_IN },
		{ "counts-out", required_argument, NULL, O_COUNTS_OUT },
		{ "min-count", required_argument, NULL, O_MIN_COUNT },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "pattern", required_argument, NULL, O_PATTERN },
		{ "regex", required_argument, NULL, O_REGEX },
		{ "size", required_argument, NULL, O_SIZE },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "train-split", required_argument, NULL, O_TRAIN_SPLIT },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct bpe_split *split;
	struct strtab pieces;
	struct trainer t;
	struct tally tl = { 0, 0 };
	struct afile *out;
	char why[200], err[300], share[16];
	uint64_t longs = 0, dups = 0, skipped = 0, last, distinct = 0;
	uint64_t distinct_bytes = 0;
	struct source *src;
	size_t nsrc, k;
	int ch, mflag = 0, i;

	cli_init(argv, "quire-bpe-train");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case O_COUNTS_IN:
			counts_in = 1;
			break;
		case O_COUNTS_OUT:
			counts_out = optarg;
			break;
		case O_MIN_COUNT:
			min_count = estrtonum(optarg, 1, INT64_MAX / 2,
			    "--min-count");
			mflag = 1;
			break;
		case O_OUTPUT:
			output_path = optarg;
			break;
		case O_PATTERN:
			if (regex != NULL)
				cli_usage_error(usage, "--pattern and --regex: "
				    "one, once");
			if ((pattern = bpe_pattern_find(optarg)) == NULL)
				cli_usage_error(usage, "--pattern: unknown "
				    "name '%s' (names: " BPE_PATTERN_NAMES ")",
				    optarg);
			regex = pattern->regex;
			break;
		case O_REGEX:
			if (regex != NULL)
				cli_usage_error(usage, "--pattern and --regex: "
				    "one, once");
			regex = optarg;
			break;
		case O_SIZE:
			vocab_size = estrtonum(optarg, 256, MAX_SIZE, "--size");
			break;
		case O_THREADS:
			nthreads = (int)estrtonum(optarg, 1, MAX_THREADS,
			    "--threads");
			break;
		case O_TRAIN_SPLIT:
			train_split = optarg;
			split_ppm = split_share(optarg, "--train-split");
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (counts_out != NULL) {
		if (vocab_size != 0 || output_path != NULL || mflag)
			cli_usage_error(usage, "--counts-out only counts: no "
			    "--size, --output or --min-count");
		if (*counts_out == '\0')
			cli_usage_error(usage, "--counts-out: empty file name");
	} else {
		if (vocab_size == 0)
			cli_usage_error(usage, "--size N is required");
	}
	if (regex == NULL)
		cli_usage_error(usage, "--pattern NAME or --regex RE is "
		    "required");
	if (train_split != NULL && counts_in)
		cli_usage_error(usage, "--train-split splits records, not "
		    "counts files: no --counts-in");
	if (counts_out == NULL) {
		if (output_path == NULL)
			cli_usage_error(usage, "--output FILE is required");
		if (*output_path == '\0')
			cli_usage_error(usage, "--output: empty file name");
	}
	if ((split = bpe_split_new(regex, err, sizeof(err))) == NULL)
		cli_usage_error(usage, "--regex: %s", err);

	stats_init(&st, "bpe-train");
	if (counts_out == NULL) {
		stats_option_int(&st, "size", vocab_size);
		stats_option_int(&st, "min_count", min_count);
	}
	stats_option(&st, "pattern", pattern != NULL ? pattern->name :
	    "regex");
	stats_option(&st, "regex", regex);
	if (train_split != NULL) {
		split_share_format(split_ppm, share);
		stats_option(&st, "train_split", share);
		stats_add(&st, "validation_skipped", 0);
	}
	stats_add(&st, "text_bytes", 0);
	stats_add(&st, "pieces", 0);
	stats_add(&st, "distinct_pieces", 0);
	stats_add(&st, "distinct_piece_bytes", 0);
	if (counts_out == NULL) {
		stats_add(&st, "pairs", 0);
		stats_add(&st, "merges", 0);
		stats_add(&st, "tokens", 0);
		stats_add(&st, "last_merge_count", 0);
		stats_add(&st, "long_pairs", 0);
		stats_add(&st, "duplicate_pairs", 0);
		stats_add(&st, "shared_merges", 0);
	}

	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	rej_open(&rj, cli.rejects_path, "bpe-train", &st);
	out = afile_open(counts_out != NULL ? counts_out : output_path);

	/*
	 * Count the pieces of every text, or add up counts files: into a
	 * table, or, to learn from counts files, straight into the arena.
	 */
	if (counts_in && counts_out == NULL) {
		nsrc = optind == argc ? 1 : (size_t)(argc - optind);
		src = ecalloc(nsrc, sizeof(*src));
		for (k = 0; k < nsrc; k++)
			open_counts(optind == argc ? "-" : argv[optind + (int)k],
			    &src[k], &tl, &st);
		trainer_init(&t);
		arena_merge(&t, src, nsrc, &distinct, &distinct_bytes);
		free(src);
	} else if (counts_in) {
		strtab_init(&pieces);
		if (optind == argc)
			read_counts("-", &pieces, &tl, &st);
		for (i = optind; i < argc; i++)
			read_counts(argv[i], &pieces, &tl, &st);
	} else {
		strtab_init(&pieces);
		progress_init(&pg, cli.qflag);
		record_in_init(&in, argc - optind, argv + optind);
		count_records(&in, split, &pieces, &tl, &rj, &st, &pg,
		    &skipped);
		record_in_free(&in);
		progress_done(&pg);
	}
	bpe_split_free(split);
	if (train_split != NULL)
		stats_add(&st, "validation_skipped", (int64_t)skipped);
	stats_add(&st, "text_bytes", (int64_t)tl.text_bytes);
	stats_add(&st, "pieces", (int64_t)tl.pieces);
	if (!counts_in || counts_out != NULL) {
		distinct = pieces.n;
		distinct_bytes = pieces.nbytes;
	}
	stats_add(&st, "distinct_pieces", (int64_t)distinct);
	stats_add(&st, "distinct_piece_bytes", (int64_t)distinct_bytes);

	if (counts_out != NULL) {
		st.bytes_out = write_counts(out->fp, counts_out, &pieces, &tl,
		    &st);
		afile_commit(out);
		strtab_free(&pieces);
		goto done;
	}

	/* Merge, then write the ranks. */
	if (!counts_in) {
		trainer_init(&t);
		arena_fill(&t, &pieces);
	}
	trainer_pairs(&t);
	last = train(&t, (uint32_t)vocab_size, &longs, &dups);
	stats_add(&st, "pairs", t.npairs);
	stats_add(&st, "merges", t.tokens.n - 256);
	stats_add(&st, "tokens", t.tokens.n);
	stats_add(&st, "last_merge_count", (int64_t)last);
	stats_add(&st, "long_pairs", (int64_t)longs);
	stats_add(&st, "duplicate_pairs", (int64_t)dups);
	stats_add(&st, "shared_merges", (int64_t)t.shared);
	if (longs > 0)
		snprintf(why, sizeof(why), " and at most %d bytes",
		    BPE_MAX_TOKEN_LEN);
	else
		why[0] = '\0';
	if (t.tokens.n < vocab_size)
		die(EXIT_CONFIG, "only %u tokens: no pair left has a count of "
		    "%lld or more%s (lower --size or --min-count)", t.tokens.n,
		    min_count, why);
	st.bytes_out = write_ranks(out->fp, output_path, &t.tokens);
	afile_commit(out);
	trainer_free(&t);

done:
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	stats_write(&st, cli.stats_path);
	stats_free(&st);
	return EXIT_OK;
}
