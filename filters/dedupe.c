/* quire-dedupe: drop exact and near duplicates, keep latest revisions. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "date.h"
#include "hash.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "util.h"

/*
 * Signatures are one-permutation MinHash: each shingle is hashed once,
 * the top bits of the hash pick one of NBINS bins and the bin keeps the
 * least of the low bits.  A permutation per bin would cost NBINS hash
 * evaluations per shingle; this costs one.  Empty bins are filled by
 * optimal densification (Shrivastava, 2017), which keeps the chance that
 * two signatures agree in a bin equal to the Jaccard similarity.
 */
#define NBINS		128
#define BIN_SHIFT	57		/* 64 - log2(NBINS) */
#define SIG_BYTES	(NBINS * sizeof(uint16_t))
#define MASK_WORDS	(NBINS / 64)	/* uint64_t marks of empty bins */
#define SIM_ONE		10000	/* similarity 1, in fixed point */

/*
 * LSH: the most rows a band may have while a pair at the threshold
 * still becomes a candidate with at least this chance.
 */
#define BAND_RECALL	0.9

/* Defaults, chosen with tests/bench/dedupe (see the man page). */
#define DEF_THRESHOLD	0.4
#define DEF_SHINGLE	3
#define DEF_FLOOR	50

#define NONE		UINT32_MAX
#define UNDATED		INT32_MAX	/* sorts after every date */

/*
 * Code points the word fast path may handle: one and two UTF-8 bytes,
 * and General Punctuation (curly quotes, dashes).
 */
#define FAST_LIMIT	0x800
#define A_WS		0x80	/* afold[] of ASCII white space */
#define A_HIGH		0x81	/* afold[] of non-ASCII bytes */
#define GP_FIRST	0x2000
#define GP_LAST		0x206F

/*
 * Word-break classes of UAX #29 as the fast path needs them.  Newlines
 * and spaces never reach it (the folded text has single spaces only);
 * W_SLOW marks what it leaves to ICU.
 */
enum wbc {
	W_OTHER,
	W_ALETTER,
	W_HEBREW,
	W_NUMERIC,
	W_EXTNUMLET,
	W_MIDLETTER,
	W_MIDNUM,
	W_MIDNUMLET,
	W_SQUOTE,
	W_DQUOTE,
	W_EXTEND,	/* Extend and Format: part of the character before */
	W_SLOW
};

/* What became of a record. */
enum status {
	S_LIVE,		/* not decided yet */
	S_KEEP,
	S_MALFORMED,
	S_RULING,
	S_REVISION,
	S_CROSS,
	S_EXACT,
	S_NEAR
};

static const char *const reason_name[] = {
	NULL, NULL, "dedupe.malformed", "dedupe.ruling", "dedupe.revision",
	"dedupe.cross_writer", "dedupe.exact", "dedupe.near"
};

/* Why a record is malformed, in doc.other. */
static const char *const malformed_why[] = {
	"no text", "text is not a string", "no writer",
	"writer is not a string", "no source.submission"
};
enum { M_NO_TEXT, M_TEXT_TYPE, M_NO_WRITER, M_WRITER_TYPE, M_NO_SUB };

#define D_INCLUDED	1	/* ruled include: never held */
#define D_EXACTHIT	2	/* held for an exact copy, not a near one */

/*
 * One record, kept for the whole run: 64 bytes plus its strings in the
 * arena.  The text itself stays in the spool.
 */
struct doc {
	uint64_t off;		/* where its line starts in the spool */
	uint64_t linehash;	/* XXH3 of the line: the last tie-break */
	uint32_t len;		/* bytes of the line, without '\n' */
	uint32_t lineno;	/* line in its input file */
	uint32_t file;		/* index of the input file's name */
	uint32_t id;		/* arena offsets, NONE when absent */
	uint32_t sub;
	uint32_t rev;
	uint32_t writer;	/* writer number */
	uint32_t unit;		/* its exact group, NONE when not live */
	uint32_t other;		/* the record decided against */
	int32_t	days;		/* submitted, or UNDATED */
	uint16_t sim;		/* similarity to other, in 1/SIM_ONE */
	uint8_t	status;
	uint8_t	flags;
};

/*
 * The records of one folded text (exact duplicates of each other), with
 * its signature when it has enough words.
 */
struct unit {
	uint64_t key[2];	/* XXH3-128 of the folded text */
	uint32_t sig;		/* index of its signature, NONE if short */
	uint32_t first;		/* its members in mem[], by priority */
	uint32_t n;
	uint32_t w0;		/* writer of the first member */
	uint32_t kept;		/* kept members, linked by keptnext[] */
	uint32_t group;		/* review group number, 0 for none */
	uint8_t	multi;		/* members of several writers */
};

/* A verified pair of units, of similarity m (in 1/SIM_ONE). */
struct edge {
	uint32_t a, b;
	uint16_t m;
};

struct nbr {
	uint32_t u;
	uint16_t m;
};

/* Strings of every record, NUL-terminated, addressed by offset. */
struct arena {
	char	*p;
	size_t	len, cap;
};

/* Open-addressing table of uint32 indices; NONE marks a free slot. */
struct table {
	uint32_t *slot;
	size_t	cap;		/* a power of two */
	size_t	n;
};

/* A ruling of the board that applies at the cut-off. */
struct ruling {
	char	*sub;
	char	*date;
	long	days;
	size_t	line;
	int	include;
	int	matched;
};

struct rulings {
	const char *path;
	struct ruling *r;
	size_t	n;
	size_t	late;		/* rows dated after the cut-off */
};

/* Word breaking: ICU, and the fast path checked against it. */
struct words {
	UBreakIterator *bi;
	UText	*ut;
	uint8_t	cls[FAST_LIMIT];
	uint8_t	gp[GP_LAST - GP_FIRST + 1];
	uint32_t fold[FAST_LIMIT];	/* simple case folding */
	uint8_t	ws[FAST_LIMIT];		/* White_Space */
	uint8_t	afold[256];		/* ASCII folded, or A_* */
	char	*f;			/* the folded text */
	size_t	fcap;
	uint32_t *sp;			/* words: start, length pairs */
	size_t	n, cap;
	uint64_t *h;			/* their hashes */
	size_t	hcap;
	uint64_t *sh;			/* hashes of shingles met once */
	size_t	shcap;
	uint64_t *tkey;			/* shingle counting table */
	uint8_t	*tcnt;
	size_t	tcap;
	uint64_t icu_bytes;		/* folded bytes ICU segmented */
	uint64_t words;
};

/* Everything known about the stream after the first pass. */
struct corpus {
	struct doc *d;
	size_t	n, cap;
	struct unit *u;
	size_t	nu, ucap;
	uint16_t *sig;
	uint64_t *empty;	/* MASK_WORDS per signature */
	size_t	nsig, sigcap;
	struct arena a;
	struct table units;	/* by key */
	struct table writers;	/* by name */
	uint32_t *wname;	/* arena offset of each writer's name */
	size_t	nwriters, wcap;
	const char **names;	/* input file names, borrowed */
	size_t	nnames;
	uint32_t *order;	/* live records by priority */
	size_t	nlive;
	uint32_t *rank;		/* each live record's place in order */
	uint32_t *mem;		/* unit members, by priority */
	uint32_t *adj_off;	/* near neighbours of unit u: */
	struct nbr *adj;	/* adj[adj_off[u] .. adj_off[u + 1]) */
	uint64_t candidates;
	uint64_t verified;
	size_t	groups;
	size_t	short_works;
	size_t	rev_missing;	/* revision_of naming no record */
	size_t	rev_foreign;	/* revision_of naming another's */
};

static double threshold = DEF_THRESHOLD;
static int shingle = DEF_SHINGLE;
static long word_floor = DEF_FLOOR;
static int bands, rows;
static unsigned need;		/* similarity a verified pair needs */

/* The corpus the qsort comparators look at. */
static const struct corpus *sort_cp;

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] [-k shingle] [-T dir] [-t threshold] "
	    "[-w words]\n"
	    "       [--cutoff DATE] [--review FILE] [--rulings FILE]\n"
	    "       [--rejects FILE] [--stats FILE] [--version] [FILE ...]\n"
	    "       %s [-q] [-k shingle] [-w words] -S sigfile [FILE]\n"
	    "       %s -D [-k shingle] [-t threshold] [-w words] "
	    "[--cutoff DATE]\n"
	    "       [--review FILE] [--rulings FILE] [--rejects FILE] "
	    "[--stats FILE]\n"
	    "       sigfile ...\n"
	    "       %s -A keepfile [FILE]\n",
	    progname, progname, progname, progname);
}

/* --- hashing helpers ------------------------------------------------ */

/* MurmurHash3's finalizers: every input bit moves every output bit. */
static inline uint64_t
fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDULL;
	h ^= h >> 33;
	h *= 0xC4CEB9FE1A85EC53ULL;
	h ^= h >> 33;
	return h;
}

static inline uint32_t
fmix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85EBCA6BU;
	h ^= h >> 13;
	h *= 0xC2B2AE35U;
	h ^= h >> 16;
	return h;
}

/* Odd multiplier of the rolling shingle hash. */
#define ROLL	0x9E3779B97F4A7C15ULL

/* --- the arena and the tables --------------------------------------- */

/* Copy s[0..n) into the arena and return its offset. */
static uint32_t
arena_add(struct arena *a, const char *s, size_t n)
{
	size_t off = a->len;

	if (a->len + n + 1 > UINT32_MAX)
		die(EXIT_OSERR, "more than 4 GiB of record identifiers");
	if (a->len + n + 1 > a->cap) {
		a->cap = a->cap ? 2 * a->cap : 1 << 16;
		while (a->cap < a->len + n + 1)
			a->cap *= 2;
		a->p = erealloc(a->p, a->cap);
	}
	memcpy(a->p + a->len, s, n);
	a->p[a->len + n] = '\0';
	a->len += n + 1;
	return (uint32_t)off;
}

static const char *
str(const struct corpus *cp, uint32_t off)
{
	return off == NONE ? "" : cp->a.p + off;
}

static void
table_init(struct table *t)
{
	t->cap = 1024;
	t->n = 0;
	t->slot = emalloc(t->cap * sizeof(*t->slot));
	memset(t->slot, 0xFF, t->cap * sizeof(*t->slot));
}

/*
 * Double the table; hash(i) gives the hash of index i.  The caller
 * grows the table before it is half full, so probes stay short.
 */
static void
table_grow(struct table *t, const struct corpus *cp,
    uint64_t (*hash)(const struct corpus *, uint32_t))
{
	uint32_t *old = t->slot;
	size_t i, j, oldcap = t->cap;

	t->cap *= 2;
	t->slot = emalloc(t->cap * sizeof(*t->slot));
	memset(t->slot, 0xFF, t->cap * sizeof(*t->slot));
	for (i = 0; i < oldcap; i++) {
		if (old[i] == NONE)
			continue;
		for (j = hash(cp, old[i]) & (t->cap - 1); t->slot[j] != NONE;
		    j = (j + 1) & (t->cap - 1))
			;
		t->slot[j] = old[i];
	}
	free(old);
}

static uint64_t
unit_hash(const struct corpus *cp, uint32_t u)
{
	return cp->u[u].key[1];
}

static uint64_t
writer_hash(const struct corpus *cp, uint32_t w)
{
	const char *s = cp->a.p + cp->wname[w];

	return hash_xxh3_64(s, strlen(s));
}

/* The number of writer name s[0..n), given one if new. */
static uint32_t
intern_writer(struct corpus *cp, const char *s, size_t n)
{
	struct table *t = &cp->writers;
	uint64_t h = hash_xxh3_64(s, n);
	const char *w;
	size_t j;

	for (j = h & (t->cap - 1); t->slot[j] != NONE;
	    j = (j + 1) & (t->cap - 1)) {
		w = cp->a.p + cp->wname[t->slot[j]];
		if (strncmp(w, s, n) == 0 && w[n] == '\0')
			return t->slot[j];
	}
	if (cp->nwriters == cp->wcap) {
		cp->wcap = cp->wcap ? 2 * cp->wcap : 256;
		cp->wname = erealloc(cp->wname, cp->wcap * sizeof(*cp->wname));
	}
	cp->wname[cp->nwriters] = arena_add(&cp->a, s, n);
	t->slot[j] = (uint32_t)cp->nwriters;
	if (++t->n * 2 > t->cap)
		table_grow(t, cp, writer_hash);
	return (uint32_t)cp->nwriters++;
}

/* The unit of folded-text key, or NONE; *slot is where a new one goes. */
static uint32_t
find_unit(const struct corpus *cp, const uint64_t key[2], size_t *slot)
{
	const struct table *t = &cp->units;
	size_t j;

	for (j = key[1] & (t->cap - 1); t->slot[j] != NONE;
	    j = (j + 1) & (t->cap - 1))
		if (cp->u[t->slot[j]].key[0] == key[0] &&
		    cp->u[t->slot[j]].key[1] == key[1])
			return t->slot[j];
	*slot = j;
	return NONE;
}

/* --- rulings ----------------------------------------------------------- */

static int
cmp_ruling(const void *a, const void *b)
{
	const struct ruling *x = a, *y = b;
	int c = strcmp(x->sub, y->sub);

	if (c != 0)
		return c;
	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * Read the board's rulings at path: those dated on or before cutoff, the
 * last one (by date, then by line) for each submission.  Anything
 * malformed is fatal with EXIT_CONFIG naming file and line.
 */
static void
rulings_load(struct rulings *rl, const char *path, long cutoff)
{
	static const char *const cols[] = {
		"submission_id", "ruling", "date", NULL
	};
	struct csv_table *t;
	const struct csv_row *row;
	struct ruling *r;
	const char *sub, *what, *date;
	int csub, cruling, cdate;
	size_t i, n;
	long days;

	memset(rl, 0, sizeof(*rl));
	rl->path = path;
	t = csvt_read(path, EXIT_CONFIG, EXIT_CONFIG);
	csvt_require(t, cols, EXIT_CONFIG);
	csub = csvt_col(t, "submission_id");
	cruling = csvt_col(t, "ruling");
	cdate = csvt_col(t, "date");
	rl->r = ecalloc(t->nrows, sizeof(*rl->r));
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		if (row->ncells != t->header.ncells)
			die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu",
			    path, row->line, row->ncells, t->header.ncells);
		sub = csvt_cell(row, csub);
		what = csvt_cell(row, cruling);
		date = csvt_cell(row, cdate);
		if (sub[0] == '\0')
			die(EXIT_CONFIG, "%s:%zu: empty submission_id", path,
			    row->line);
		if (strcmp(what, "include") != 0 &&
		    strcmp(what, "exclude") != 0)
			die(EXIT_CONFIG, "%s:%zu: ruling must be include or "
			    "exclude", path, row->line);
		if (date_parse(date, &days) != 0)
			die(EXIT_CONFIG, "%s:%zu: date is not an ISO 8601 date",
			    path, row->line);
		if (days > cutoff) {
			rl->late++;
			continue;
		}
		r = &rl->r[rl->n++];
		r->sub = estrdup(sub);
		r->date = estrdup(date);
		r->days = days;
		r->line = row->line;
		r->include = what[0] == 'i';
	}
	csvt_free(t);
	qsort(rl->r, rl->n, sizeof(*rl->r), cmp_ruling);
	/* Keep the last of each submission's rulings. */
	for (i = n = 0; i < rl->n; i++) {
		if (i + 1 < rl->n &&
		    strcmp(rl->r[i].sub, rl->r[i + 1].sub) == 0) {
			free(rl->r[i].sub);
			free(rl->r[i].date);
			continue;
		}
		rl->r[n++] = rl->r[i];
	}
	rl->n = n;
}

static struct ruling *
ruling_find(const struct rulings *rl, const char *sub)
{
	size_t lo = 0, hi = rl->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(rl->r[mid].sub, sub);
		if (c == 0)
			return &rl->r[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void
rulings_free(struct rulings *rl)
{
	size_t i;

	for (i = 0; i < rl->n; i++) {
		free(rl->r[i].sub);
		free(rl->r[i].date);
	}
	free(rl->r);
}

/* --- folding and words ------------------------------------------------- */

/* Decode the code point at s[*i] of text known to be valid UTF-8. */
static inline UChar32
next_cp(const uint8_t *s, size_t *i)
{
	UChar32 c = s[(*i)++];

	if (c < 0x80)
		return c;
	if (c < 0xE0)
		return (c & 0x1F) << 6 | (s[(*i)++] & 0x3F);
	if (c < 0xF0) {
		c = (c & 0x0F) << 12 | (s[*i] & 0x3F) << 6 | (s[*i + 1] & 0x3F);
		*i += 2;
		return c;
	}
	c = (c & 0x07) << 18 | (s[*i] & 0x3F) << 12 | (s[*i + 1] & 0x3F) << 6 |
	    (s[*i + 2] & 0x3F);
	*i += 3;
	return c;
}

static inline int
wb_class(const struct words *w, UChar32 c)
{
	if (c < FAST_LIMIT)
		return w->cls[c];
	if (c >= GP_FIRST && c <= GP_LAST)
		return w->gp[c - GP_FIRST];
	return W_SLOW;
}

/*
 * Fold s[0..len) into w->f and return its length: each code point case
 * folded (Unicode simple case folding), each run of White_Space one
 * space, none at either end.  Texts equal after folding are exact
 * duplicates, and words are found in the folded text, so that exact
 * duplicates always have the same words.  Ill-formed UTF-8 (which
 * record_next refuses) would become U+FFFD.
 */
static size_t
fold_text(struct words *w, const char *s, size_t len)
{
	const uint8_t *u = (const uint8_t *)s;
	uint8_t *o;
	int32_t i = 0, n = (int32_t)len;
	size_t k = 0;
	UChar32 c;
	uint8_t t;
	int space = 0;

	/* ICU's offsets are 32-bit; --max-record allows up to 1 TiB. */
	if (len > INT32_MAX / 2)
		die(EXIT_DATAERR, "a text of %zu bytes is too long", len);
	/* Folding never makes a character longer than half as long again. */
	if (w->fcap < 2 * len + 8) {
		free(w->f);
		w->fcap = 2 * len + 8;
		w->f = emalloc(w->fcap);
	}
	o = (uint8_t *)w->f;
	while (i < n) {
		c = u[i];
		if (c < 0x80) {
			if (w->ws[c]) {
				space = k > 0;
				i++;
				continue;
			}
			if (space) {
				o[k++] = ' ';
				space = 0;
			}
			/* Most text is runs of ASCII: a tight loop. */
			o[k++] = w->afold[c];
			while (++i < n && (t = w->afold[u[i]]) < 0x80)
				o[k++] = t;
			continue;
		}
		U8_NEXT(u, i, n, c);
		if (c < 0)
			c = 0xFFFD;
		if (c < FAST_LIMIT) {
			if (w->ws[c]) {
				space = k > 0;
				continue;
			}
			c = (UChar32)w->fold[c];
		} else if (!((c >= 0x3040 && c <= 0x9FFF) ||
		    (c >= 0xAC00 && c <= 0xD7A3))) {
			/* Kana, CJK and Hangul neither fold nor space. */
			if (u_isUWhiteSpace(c)) {
				space = k > 0;
				continue;
			}
			c = u_foldCase(c, U_FOLD_CASE_DEFAULT);
		}
		if (space) {
			o[k++] = ' ';
			space = 0;
		}
		U8_APPEND_UNSAFE(o, k, c);
	}
	return k;
}

static void
add_word(struct words *w, size_t start, size_t len)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 1024;
		w->sp = erealloc(w->sp, w->cap * 2 * sizeof(*w->sp));
	}
	w->sp[2 * w->n] = (uint32_t)start;
	w->sp[2 * w->n + 1] = (uint32_t)len;
	w->n++;
}

/* The words of f[off..off+n) as ICU's word break iterator finds them. */
static void
icu_words(struct words *w, const char *f, size_t off, size_t n)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t b, e;

	w->ut = utext_openUTF8(w->ut, f + off, (int64_t)n, &err);
	ubrk_setUText(w->bi, w->ut, &err);
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU word break: %s", u_errorName(err));
	for (b = ubrk_first(w->bi); (e = ubrk_next(w->bi)) != UBRK_DONE; b = e)
		if (ubrk_getRuleStatus(w->bi) >= UBRK_WORD_NONE_LIMIT)
			add_word(w, off + (size_t)b, (size_t)(e - b));
	w->icu_bytes += n;
}

/*
 * The class of the character at f[p] and of the Extend and Format
 * characters after it, which belong to it (UAX #29, WB4); their end in
 * *end.  At a space or the end of the text, W_OTHER with *end == p.
 */
static inline __attribute__((always_inline)) int
unit_at(const struct words *w, const char *f, size_t n, size_t p, size_t *end)
{
	const uint8_t *u = (const uint8_t *)f;
	size_t i = p, j;
	int cls, x;

	if (p >= n || u[p] == ' ') {
		*end = p;
		return W_OTHER;
	}
	if (u[i] < 0x80) {
		cls = w->cls[u[i++]];
		/* Nothing combines with an ASCII character but non-ASCII. */
		if (i == n || u[i] < 0x80) {
			*end = i;
			return cls == W_EXTEND ? W_OTHER : cls;
		}
	} else
		cls = wb_class(w, next_cp(u, &i));
	while (i < n && u[i] >= 0x80) {
		j = i;
		x = wb_class(w, next_cp(u, &j));
		if (x == W_SLOW)
			cls = W_SLOW;
		else if (x != W_EXTEND)
			break;
		i = j;
	}
	*end = i;
	/* A run of Extend characters alone makes no word. */
	return cls == W_EXTEND ? W_OTHER : cls;
}

/* Bytes of the UTF-8 sequence that starts with byte b. */
static inline size_t
utf8_len(char b)
{
	unsigned char u = (unsigned char)b;

	return u < 0x80 ? 1 : u < 0xE0 ? 2 : u < 0xF0 ? 3 : 4;
}

static inline int
wordish(int c)
{
	return c == W_ALETTER || c == W_HEBREW || c == W_NUMERIC ||
	    c == W_EXTNUMLET;
}

static inline int
letter(int c)
{
	return c == W_ALETTER || c == W_HEBREW;
}

/* UAX #29 WB6/7, WB7b/c, WB11/12: prev c1 c2 stays one word. */
static inline int
joins3(int prev, int c1, int c2)
{
	if (letter(prev) && letter(c2) &&
	    (c1 == W_MIDLETTER || c1 == W_MIDNUMLET || c1 == W_SQUOTE))
		return 1;
	if (prev == W_HEBREW && c1 == W_DQUOTE && c2 == W_HEBREW)
		return 1;
	return prev == W_NUMERIC && c2 == W_NUMERIC &&
	    (c1 == W_MIDNUM || c1 == W_MIDNUMLET || c1 == W_SQUOTE);
}

/*
 * Find the words of the folded text f[0..n) into w->sp.  UAX #29's word
 * rules are applied directly for the characters of the fast path; a
 * stretch between two spaces that holds any other character is given to
 * ICU whole.  Word boundaries never depend on what lies across a space,
 * so the two give the words ICU alone would give; words_init() checks
 * the fast path's classes against ICU at start-up.
 */
static void
segment(struct words *w, const char *f, size_t n)
{
	const char *sp;
	size_t pos = 0, cs = 0, cw = 0, e, e1, e2, p, last, units;
	int c, c1, c2, prev;

	w->n = 0;
	while (pos < n) {
		if (f[pos] == ' ') {
			cs = ++pos;
			cw = w->n;
			continue;
		}
		c = unit_at(w, f, n, pos, &e);
		if (c == W_SLOW)
			goto slow;
		if (!wordish(c)) {
			pos = e;
			continue;
		}
		last = pos;
		p = e;
		prev = c;
		units = 1;
		for (;;) {
			c1 = unit_at(w, f, n, p, &e1);
			if (c1 == W_SLOW)
				goto slow;
			if (wordish(c1)) {
				prev = c1;
				last = p;
				p = e1;
				units++;
				continue;
			}
			if (e1 == p || c1 < W_MIDLETTER || c1 > W_DQUOTE)
				break;
			c2 = unit_at(w, f, n, e1, &e2);
			if (c2 == W_SLOW)
				goto slow;
			if (joins3(prev, c1, c2)) {
				prev = c2;
				last = e1;
				p = e2;
				units += 2;
				continue;
			}
			/* WB7a: a Hebrew letter keeps a single quote. */
			if (prev == W_HEBREW && c1 == W_SQUOTE) {
				prev = c1;
				last = p;
				p = e1;
				units++;
			}
			break;
		}
		/*
		 * A lone connector ("_") is no word; anything joined is, but
		 * for ICU's own rule status: a segment ending in a connector
		 * or a quote that carries a combining mark is not a word.
		 */
		if ((units > 1 || c != W_EXTNUMLET) &&
		    !((prev == W_EXTNUMLET || prev == W_SQUOTE) &&
		    p - last > utf8_len(f[last])))
			add_word(w, pos, p - pos);
		pos = p;
		continue;
slow:
		sp = memchr(f + pos, ' ', n - pos);
		e = sp != NULL ? (size_t)(sp - f) : n;
		w->n = cw;
		icu_words(w, f, cs, e - cs);
		pos = e;
	}
}

/* The ICU-only segmentation of f[0..n), for check_class(). */
static void
segment_icu(struct words *w, const char *f, size_t n)
{
	w->n = 0;
	icu_words(w, f, 0, n);
}

/*
 * Build a probe text for code point c: c between every pair of the
 * contexts, the probes separated by spaces.  Returns its length in buf.
 */
static size_t
probe_text(char *buf, size_t cap, UChar32 c, const char *const *ctx,
    size_t nctx)
{
	char cc[8];
	size_t i, j, n = 0, k = 0;

	U8_APPEND_UNSAFE(cc, k, c);
	cc[k] = '\0';
	for (i = 0; i <= nctx; i++)
		for (j = 0; j <= nctx; j++) {
			/* Index nctx stands for c itself as context. */
			n += (size_t)snprintf(buf + n, cap - n, "%s%s%s ",
			    i < nctx ? ctx[i] : cc, cc,
			    j < nctx ? ctx[j] : cc);
			if (n >= cap)
				die(EXIT_SOFTWARE, "internal error: probe "
				    "overflow");
		}
	return n;
}

/* Nonzero if the fast path and ICU find the same words in f[0..n). */
static int
agrees(struct words *w, const char *f, size_t n, uint32_t **tmp,
    size_t *tmpcap)
{
	size_t k;

	segment_icu(w, f, n);
	k = w->n;
	if (*tmpcap < 2 * k) {
		*tmpcap = 2 * k;
		*tmp = erealloc(*tmp, *tmpcap * sizeof(**tmp));
	}
	memcpy(*tmp, w->sp, 2 * k * sizeof(**tmp));
	segment(w, f, n);
	return w->n == k && memcmp(*tmp, w->sp, 2 * k * sizeof(**tmp)) == 0;
}

static uint8_t *
class_slot(struct words *w, UChar32 c)
{
	return c < FAST_LIMIT ? &w->cls[c] : &w->gp[c - GP_FIRST];
}

/*
 * Check the fast path's class of c against ICU on probes in contexts;
 * on disagreement try every other class and keep the first that agrees
 * (ICU tailors a few characters: '@' is a letter, ':' no word joiner),
 * or leave c to ICU.  Returns nonzero if c stays on the fast path.
 */
static int
check_class(struct words *w, UChar32 c, const char *const *ctx, size_t nctx,
    char *buf, size_t cap, uint32_t **tmp, size_t *tmpcap)
{
	static const uint8_t alt[] = {
		W_OTHER, W_ALETTER, W_NUMERIC, W_EXTNUMLET, W_MIDLETTER,
		W_MIDNUM, W_MIDNUMLET, W_SQUOTE, W_DQUOTE, W_HEBREW, W_EXTEND
	};
	uint8_t *slot = class_slot(w, c), was = *slot;
	size_t n = probe_text(buf, cap, c, ctx, nctx), i;

	if (agrees(w, buf, n, tmp, tmpcap))
		return 1;
	for (i = 0; i < sizeof(alt); i++) {
		if (alt[i] == was)
			continue;
		*slot = alt[i];
		if (agrees(w, buf, n, tmp, tmpcap))
			return 1;
	}
	*slot = W_SLOW;
	return 0;
}

/* The fast path's class of c from ICU's Word_Break property. */
static uint8_t
property_class(UChar32 c)
{
	if (u_charType(c) == U_UNASSIGNED ||
	    u_hasBinaryProperty(c, UCHAR_EXTENDED_PICTOGRAPHIC) ||
	    u_hasBinaryProperty(c, UCHAR_EMOJI) ||
	    u_getIntPropertyValue(c, UCHAR_LINE_BREAK) ==
	    U_LB_COMPLEX_CONTEXT)
		return W_SLOW;
	switch (u_getIntPropertyValue(c, UCHAR_WORD_BREAK)) {
	case U_WB_ALETTER:
		return W_ALETTER;
	case U_WB_HEBREW_LETTER:
		return W_HEBREW;
	case U_WB_NUMERIC:
		return W_NUMERIC;
	case U_WB_EXTENDNUMLET:
		return W_EXTNUMLET;
	case U_WB_MIDLETTER:
		return W_MIDLETTER;
	case U_WB_MIDNUM:
		return W_MIDNUM;
	case U_WB_MIDNUMLET:
		return W_MIDNUMLET;
	case U_WB_SINGLE_QUOTE:
		return W_SQUOTE;
	case U_WB_DOUBLE_QUOTE:
		return W_DQUOTE;
	case U_WB_EXTEND:
	case U_WB_FORMAT:
		return W_EXTEND;
	case U_WB_OTHER:
	case U_WB_WSEGSPACE:
	case U_WB_CR:
	case U_WB_LF:
	case U_WB_NEWLINE:
		return W_OTHER;
	default:	/* ZWJ, Katakana, regional indicators, emoji */
		return W_SLOW;
	}
}

/*
 * Set up word breaking: ICU's iterator with the root locale's rules (the
 * same for every user), the folding tables and the fast path's classes,
 * each of which is checked against ICU on probe texts.  Characters in
 * the contexts are checked first, in contexts of letters and digits only.
 */
static void
words_init(struct words *w)
{
	static const char *const base[] = { "a", "1", "\xd7\x90" };
	static const char *const ctx[] = {
		"a", "1", "\xd7\x90", "_", ".", ",", "'", "\"",
		"\xc2\xb7", "\xcc\x81", "a.", "1,"
	};
	static const UChar32 ctxchars[] = {
		'_', '.', ',', '\'', '"', 0xB7, 0x301
	};
	UErrorCode err = U_ZERO_ERROR;
	uint32_t *tmp = NULL;
	size_t tmpcap = 0, i, cap = 8192;
	char *buf = emalloc(cap);
	UChar32 c;

	memset(w, 0, sizeof(*w));
	w->bi = ubrk_open(UBRK_WORD, "", NULL, 0, &err);
	if (U_FAILURE(err))
		die(EXIT_SOFTWARE, "ICU word break iterator: %s",
		    u_errorName(err));
	for (c = 0; c < FAST_LIMIT; c++) {
		w->fold[c] = (uint32_t)u_foldCase(c, U_FOLD_CASE_DEFAULT);
		w->ws[c] = u_isUWhiteSpace(c) != 0;
		if (c < 128)
			w->afold[c] = w->ws[c] ? A_WS : (uint8_t)w->fold[c];
		else if (c < 256)
			w->afold[c] = A_HIGH;
		w->cls[c] = property_class(c);
	}
	for (c = GP_FIRST; c <= GP_LAST; c++)
		w->gp[c - GP_FIRST] = property_class(c);
	/* Folded text holds no newline, and U+0020 is the separator. */
	for (i = 0; i < sizeof(ctxchars) / sizeof(*ctxchars); i++)
		check_class(w, ctxchars[i], base, 3, buf, cap, &tmp, &tmpcap);
	for (c = 0; c <= GP_LAST; c++) {
		if (c == FAST_LIMIT)
			c = GP_FIRST;
		if (c == '\0' || *class_slot(w, c) == W_SLOW ||
		    *class_slot(w, c) == W_ALETTER || u_isUWhiteSpace(c))
			continue;
		check_class(w, c, ctx, sizeof(ctx) / sizeof(*ctx), buf, cap,
		    &tmp, &tmpcap);
	}
	w->icu_bytes = 0;
	free(tmp);
	free(buf);
}

static void
words_free(struct words *w)
{
	ubrk_close(w->bi);
	utext_close(w->ut);
	free(w->f);
	free(w->sp);
	free(w->h);
	free(w->sh);
	free(w->tkey);
	free(w->tcnt);
}

/* --- signatures ------------------------------------------------------- */

/*
 * The hashes of the shingles of word hashes h[0..n) that occur once in
 * the text, into w->sh; returns how many.  A shingle's hash is a
 * polynomial of its words' hashes, rolled along the text, then mixed.
 * Shingles met twice or more are left out: a refrain, a repeated line or
 * a pet phrase says nothing about whether two works are copies, and
 * counting it made poems that share only a refrain look alike.
 */
static size_t
unique_shingles(struct words *w, const uint64_t *h, size_t n)
{
	uint64_t s = 0, x, top = 1, *slot;
	size_t m = n - (size_t)shingle + 1, cap = 64, mask, i, j, k = 0, out;
	uint8_t *cnt;
	int q;

	while (cap < 2 * m)
		cap *= 2;
	if (w->tcap < cap) {
		free(w->tkey);
		free(w->tcnt);
		w->tcap = cap;
		w->tkey = emalloc(cap * sizeof(*w->tkey));
		w->tcnt = emalloc(cap);
	}
	if (w->shcap < m) {
		free(w->sh);
		w->shcap = m;
		w->sh = emalloc(m * sizeof(*w->sh));
	}
	slot = w->tkey;
	cnt = w->tcnt;
	mask = cap - 1;
	memset(cnt, 0, cap);
	for (q = 0; q < shingle; q++) {
		s = s * ROLL + h[q];
		if (q > 0)
			top *= ROLL;
	}
	for (i = 0;; i++) {
		x = fmix64(s);
		for (j = x & mask; cnt[j] != 0 && slot[j] != x;
		    j = (j + 1) & mask)
			;
		if (cnt[j] == 0) {
			slot[j] = x;
			cnt[j] = 1;
			w->sh[k++] = x;
		} else
			cnt[j] = 2;
		if (i + 1 >= m)
			break;
		s = (s - h[i] * top) * ROLL + h[i + (size_t)shingle];
	}
	/* Keep, in text order, those seen once. */
	for (i = out = 0; i < k; i++) {
		x = w->sh[i];
		for (j = x & mask; slot[j] != x; j = (j + 1) & mask)
			;
		if (cnt[j] == 1)
			w->sh[out++] = x;
	}
	return out;
}

/*
 * Compute the signature of shingle hashes x[0..n), n > 0, into sig:
 * one-permutation hashing into NBINS bins (the top bits of a hash pick
 * the bin, the bin keeps the least of the low bits), optimal
 * densification of the empty ones, each bin kept as 16 bits of a hash of
 * its minimum.  The bins that were empty are marked in empty[].
 */
static void
signature(const uint64_t *x, size_t n, uint16_t *sig, uint64_t *empty)
{
	uint32_t min[NBINS], v;
	size_t i, j, a, t;

	for (j = 0; j < NBINS; j++)
		min[j] = UINT32_MAX;
	for (i = 0; i < n; i++) {
		v = (uint32_t)x[i];
		/* UINT32_MAX marks an empty bin. */
		if (v == UINT32_MAX)
			v--;
		j = (size_t)(x[i] >> BIN_SHIFT);
		if (v < min[j])
			min[j] = v;
	}
	memset(empty, 0, MASK_WORDS * sizeof(*empty));
	for (j = 0; j < NBINS; j++) {
		v = min[j];
		if (v == UINT32_MAX)
			empty[j / 64] |= (uint64_t)1 << (j % 64);
		/* An empty bin takes the first full bin of its own sequence. */
		for (a = 1; v == UINT32_MAX; a++) {
			t = (size_t)(fmix64((uint64_t)j << 32 | a) >>
			    BIN_SHIFT);
			v = min[t];
		}
		sig[j] = (uint16_t)fmix32(v);
	}
}

/*
 * The estimated similarity of two texts from their signatures a, b and
 * empty-bin marks ea, eb, in units of 1/SIM_ONE: the share of agreeing
 * bins among those not empty in both (Li, Owen and Zhang's estimator for
 * one-permutation hashing).  A bin empty in one text only is a
 * disagreement; densified copies do not count, which keeps short texts
 * from being judged on copies of a few bins.  Long texts fill every bin.
 */
static unsigned
similarity(const uint16_t *a, const uint16_t *b, const uint64_t *ea,
    const uint64_t *eb)
{
	unsigned agree = 0, both = 0, one;
	size_t j;
	int e;

	for (j = 0; j < NBINS; j++) {
		e = (int)((ea[j / 64] >> (j % 64)) & 1) +
		    (int)((eb[j / 64] >> (j % 64)) & 1);
		both += e == 2;
		agree += e == 0 && a[j] == b[j];
	}
	one = NBINS - both;
	return (unsigned)(((uint64_t)agree * SIM_ONE + one / 2) / one);
}

/*
 * Choose bands and rows from the threshold: the most rows per band (the
 * fewest chance candidates) for which a pair exactly at the threshold
 * still shares a band with chance BAND_RECALL or more.
 */
static void
choose_bands(void)
{
	double p;
	int r;

	for (r = NBINS; r > 1; r--) {
		p = 1 - pow(1 - pow(threshold, r), NBINS / r);
		if (p >= BAND_RECALL)
			break;
	}
	rows = r;
	bands = NBINS / r;
	need = (unsigned)ceil(threshold * SIM_ONE - 1e-6);
}

/* --- the first pass: read, spool, fold, sign ------------------------- */

static struct doc *
new_doc(struct corpus *cp)
{
	if (cp->n == cp->cap) {
		cp->cap = cp->cap ? 2 * cp->cap : 1024;
		cp->d = erealloc(cp->d, cp->cap * sizeof(*cp->d));
	}
	if (cp->n == NONE)
		die(EXIT_OSERR, "more than %u records", NONE - 1);
	memset(&cp->d[cp->n], 0, sizeof(cp->d[cp->n]));
	return &cp->d[cp->n++];
}

static uint32_t
opt_str(struct corpus *cp, struct json_object *rec, const char *key)
{
	size_t len;
	const char *s = record_str(rec, key, &len);

	return s == NULL ? NONE : arena_add(&cp->a, s, len);
}

/*
 * The unit of text s[0..len): found by its folded text's key, or made,
 * with a signature when it has enough words.
 */
static uint32_t
text_unit(struct corpus *cp, struct words *w, const char *s, size_t len)
{
	struct unit *u;
	uint64_t key[2];
	size_t flen, slot, i, nsh;

	flen = fold_text(w, s, len);
	hash_xxh3_128(w->f, flen, key);
	if ((i = find_unit(cp, key, &slot)) != NONE)
		return (uint32_t)i;
	if (cp->nu == cp->ucap) {
		cp->ucap = cp->ucap ? 2 * cp->ucap : 1024;
		cp->u = erealloc(cp->u, cp->ucap * sizeof(*cp->u));
	}
	u = &cp->u[cp->nu];
	memset(u, 0, sizeof(*u));
	u->key[0] = key[0];
	u->key[1] = key[1];
	u->sig = NONE;
	segment(w, w->f, flen);
	w->words += w->n;
	if (w->n >= (size_t)word_floor && w->n >= (size_t)shingle) {
		if (w->hcap < w->n) {
			w->hcap = w->n;
			free(w->h);
			w->h = emalloc(w->hcap * sizeof(*w->h));
		}
		for (i = 0; i < w->n; i++)
			w->h[i] = hash_xxh3_64(w->f + w->sp[2 * i],
			    w->sp[2 * i + 1]);
		if ((nsh = unique_shingles(w, w->h, w->n)) > 0) {
			if (cp->nsig == cp->sigcap) {
				cp->sigcap = cp->sigcap ? 2 * cp->sigcap : 1024;
				cp->sig = erealloc(cp->sig,
				    cp->sigcap * SIG_BYTES);
				cp->empty = erealloc(cp->empty, cp->sigcap *
				    MASK_WORDS * sizeof(*cp->empty));
			}
			signature(w->sh, nsh, cp->sig + cp->nsig * NBINS,
			    cp->empty + cp->nsig * MASK_WORDS);
			u->sig = (uint32_t)cp->nsig++;
		}
	}
	cp->units.slot[slot] = (uint32_t)cp->nu;
	if (++cp->units.n * 2 > cp->units.cap)
		table_grow(&cp->units, cp, unit_hash);
	return (uint32_t)cp->nu++;
}

/*
 * Take in one record: its line goes to the spool, its fields and its
 * text's unit to d.  A record the stage cannot judge is marked malformed
 * and one the board excluded is decided at once.
 */
static void
take(struct corpus *cp, struct words *w, struct rulings *rl,
    struct json_object *rec, const struct record_in *in, FILE *spool,
    uint64_t *spool_off)
{
	struct doc *d = new_doc(cp);
	struct json_object *v;
	struct ruling *r;
	const char *text, *writer, *sub;
	size_t tlen, wlen;
	long days;

	d->off = spool_off != NULL ? *spool_off : 0;
	d->len = (uint32_t)in->len;
	if (in->lineno > UINT32_MAX)
		die(EXIT_DATAERR, "%s: more than %u lines", in->name,
		    UINT32_MAX);
	d->lineno = (uint32_t)in->lineno;
	if (cp->nnames == 0 || cp->names[cp->nnames - 1] != in->name) {
		cp->names = erealloc(cp->names, (cp->nnames + 1) *
		    sizeof(*cp->names));
		cp->names[cp->nnames++] = in->name;
	}
	d->file = (uint32_t)(cp->nnames - 1);
	if (spool != NULL) {
		efwrite(in->line, in->len, spool, "spool");
		if (putc('\n', spool) == EOF)
			die(EXIT_IOERR, "write error: spool:");
		*spool_off += in->len + 1;
	}
	d->linehash = hash_xxh3_64(in->line, in->len);
	d->unit = NONE;
	d->other = NONE;
	d->id = opt_str(cp, rec, "id");
	sub = record_path(rec, "source", "submission");
	d->sub = sub != NULL ? arena_add(&cp->a, sub, strlen(sub)) : NONE;
	d->rev = opt_str(cp, rec, "revision_of");
	d->days = UNDATED;
	if ((text = record_str(rec, "submitted", NULL)) != NULL &&
	    date_parse(text, &days) == 0 && days > INT32_MIN &&
	    days < INT32_MAX)
		d->days = (int32_t)days;
	writer = record_str(rec, "writer", &wlen);
	d->writer = writer != NULL ? intern_writer(cp, writer, wlen) : NONE;
	text = record_str(rec, "text", &tlen);
	d->status = S_MALFORMED;
	if (text == NULL)
		d->other = json_object_object_get_ex(rec, "text", &v) ?
		    M_TEXT_TYPE : M_NO_TEXT;
	else if (writer == NULL)
		d->other = json_object_object_get_ex(rec, "writer", &v) ?
		    M_WRITER_TYPE : M_NO_WRITER;
	else if (sub == NULL)
		d->other = M_NO_SUB;
	else
		d->status = S_LIVE;
	if (d->status != S_LIVE)
		return;
	if (rl != NULL && (r = ruling_find(rl, sub)) != NULL) {
		r->matched = 1;
		if (!r->include) {
			d->status = S_RULING;
			d->other = (uint32_t)(r - rl->r);
			return;
		}
		d->flags |= D_INCLUDED;
	}
	d->unit = text_unit(cp, w, text, tlen);
}

/* --- deciding ------------------------------------------------------------ */

/*
 * Priority among copies: earliest submitted (undated last), then
 * submission id, then id, then the line's hash.
 */
static int
cmp_priority(const void *a, const void *b)
{
	const struct doc *x = &sort_cp->d[*(const uint32_t *)a];
	const struct doc *y = &sort_cp->d[*(const uint32_t *)b];
	int c;

	if (x->days != y->days)
		return x->days < y->days ? -1 : 1;
	if ((c = strcmp(str(sort_cp, x->sub), str(sort_cp, y->sub))) != 0)
		return c;
	if ((c = strcmp(str(sort_cp, x->id), str(sort_cp, y->id))) != 0)
		return c;
	if (x->linehash != y->linehash)
		return x->linehash < y->linehash ? -1 : 1;
	return (*(const uint32_t *)a > *(const uint32_t *)b) -
	    (*(const uint32_t *)a < *(const uint32_t *)b);
}

static int
cmp_sub(const void *a, const void *b)
{
	int c = strcmp(str(sort_cp, sort_cp->d[*(const uint32_t *)a].sub),
	    str(sort_cp, sort_cp->d[*(const uint32_t *)b].sub));

	if (c != 0)
		return c;
	return (*(const uint32_t *)a > *(const uint32_t *)b) -
	    (*(const uint32_t *)a < *(const uint32_t *)b);
}

/* Rank the live records by priority. */
static void
rank_docs(struct corpus *cp)
{
	size_t i;

	cp->order = ecalloc(cp->n, sizeof(*cp->order));
	cp->rank = ecalloc(cp->n, sizeof(*cp->rank));
	for (i = 0; i < cp->n; i++)
		if (cp->d[i].status == S_LIVE)
			cp->order[cp->nlive++] = (uint32_t)i;
	sort_cp = cp;
	qsort(cp->order, cp->nlive, sizeof(*cp->order), cmp_priority);
	for (i = 0; i < cp->nlive; i++)
		cp->rank[cp->order[i]] = (uint32_t)i;
}

static uint32_t
uf_find(uint32_t *parent, uint32_t x)
{
	while (parent[x] != x) {
		parent[x] = parent[parent[x]];
		x = parent[x];
	}
	return x;
}

/* Join the sets of x and y; the root is the one of higher priority. */
static void
uf_union(uint32_t *parent, const uint32_t *rank, uint32_t x, uint32_t y)
{
	x = uf_find(parent, x);
	y = uf_find(parent, y);
	if (x == y)
		return;
	if (rank[x] < rank[y])
		parent[y] = x;
	else
		parent[x] = y;
}

/* Nonzero if record x is a later revision than y. */
static int
later(const struct corpus *cp, uint32_t x, uint32_t y)
{
	const struct doc *a = &cp->d[x], *b = &cp->d[y];
	int c;

	if (a->days != b->days)
		return a->days > b->days;
	if ((c = strcmp(str(cp, a->sub), str(cp, b->sub))) != 0)
		return c > 0;
	return cp->rank[x] > cp->rank[y];
}

/*
 * Revisions: records of one writer linked by revision_of form a family
 * of which only the latest revision goes on: of the records no other
 * member revises (the heads of its chains), the latest submitted, ties
 * broken by the greatest submission id.  The writer's own links thus
 * outrank dates, which matter only between branches.  A revision_of
 * naming no record, or another writer's, links nothing.
 */
static void
decide_revisions(struct corpus *cp)
{
	uint32_t *bysub, *parent, *latest, x, y, r;
	uint8_t *revised;
	const char *rev;
	size_t i, lo, hi, mid, nl = cp->nlive;
	int any;

	bysub = emalloc((nl + 1) * sizeof(*bysub));
	memcpy(bysub, cp->order, nl * sizeof(*bysub));
	sort_cp = cp;
	qsort(bysub, nl, sizeof(*bysub), cmp_sub);
	parent = emalloc(cp->n * sizeof(*parent));
	latest = emalloc(cp->n * sizeof(*latest));
	revised = ecalloc(cp->n, sizeof(*revised));
	for (i = 0; i < cp->n; i++) {
		parent[i] = (uint32_t)i;
		latest[i] = NONE;
	}
	for (i = 0; i < nl; i++) {
		x = cp->order[i];
		if (cp->d[x].rev == NONE)
			continue;
		rev = str(cp, cp->d[x].rev);
		lo = 0;
		hi = nl;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (strcmp(str(cp, cp->d[bysub[mid]].sub), rev) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		any = 0;
		for (; lo < nl &&
		    strcmp(str(cp, cp->d[bysub[lo]].sub), rev) == 0; lo++) {
			y = bysub[lo];
			any = 1;
			if (y == x)
				continue;
			if (cp->d[y].writer != cp->d[x].writer) {
				cp->rev_foreign++;
				continue;
			}
			uf_union(parent, cp->rank, x, y);
			revised[y] = 1;
		}
		if (!any)
			cp->rev_missing++;
	}
	for (i = 0; i < nl; i++) {
		x = cp->order[i];
		r = uf_find(parent, x);
		y = latest[r];
		if (y == NONE || revised[x] < revised[y] ||
		    (revised[x] == revised[y] && later(cp, x, y)))
			latest[r] = x;
	}
	for (i = 0; i < nl; i++) {
		x = cp->order[i];
		r = latest[uf_find(parent, x)];
		if (r != x) {
			cp->d[x].status = S_REVISION;
			cp->d[x].other = r;
		}
	}
	free(revised);
	free(latest);
	free(parent);
	free(bysub);
}

/* List each unit's members in mem[], by priority; note their writers. */
static void
list_members(struct corpus *cp)
{
	struct unit *u;
	size_t i, off = 0;
	uint32_t x;

	cp->mem = emalloc((cp->nlive + 1) * sizeof(*cp->mem));
	for (i = 0; i < cp->nlive; i++)
		cp->u[cp->d[cp->order[i]].unit].n++;
	for (i = 0; i < cp->nu; i++) {
		cp->u[i].first = (uint32_t)off;
		off += cp->u[i].n;
		cp->u[i].n = 0;
		cp->u[i].kept = NONE;
	}
	for (i = 0; i < cp->nlive; i++) {
		x = cp->order[i];
		u = &cp->u[cp->d[x].unit];
		if (u->n == 0)
			u->w0 = cp->d[x].writer;
		else if (cp->d[x].writer != u->w0)
			u->multi = 1;
		cp->mem[u->first + u->n++] = x;
		if (u->sig == NONE)
			cp->short_works++;
	}
}

struct bentry {
	uint64_t key;
	uint32_t u;
};

#define RADIX_BITS	11
#define RADIX		(1 << RADIX_BITS)

static int
cmp_bentry(const void *a, const void *b)
{
	const struct bentry *x = a, *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return (x->u > y->u) - (x->u < y->u);
}

/*
 * Sort e[0..n) by key, stably (entries come in unit order, so equal keys
 * stay in unit order): LSD radix sort on 11-bit digits for many entries.
 * Six passes leave the result in tmp, which is returned.
 */
static struct bentry *
sort_band(struct bentry *e, struct bentry *tmp, size_t n, size_t *count)
{
	struct bentry *from = e, *to = tmp, *t;
	size_t i, sum, c;
	int shift;

	if (n < 1024) {
		qsort(e, n, sizeof(*e), cmp_bentry);
		return e;
	}
	for (shift = 0; shift < 64; shift += RADIX_BITS) {
		memset(count, 0, RADIX * sizeof(*count));
		for (i = 0; i < n; i++)
			count[(from[i].key >> shift) & (RADIX - 1)]++;
		for (i = sum = 0; i < RADIX; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			to[count[(from[i].key >> shift) & (RADIX - 1)]++] =
			    from[i];
		t = from;
		from = to;
		to = t;
	}
	return from;
}

static uint64_t
band_key(const uint16_t *sig, int band)
{
	uint64_t k = 0;
	int i;

	for (i = 0; i < rows; i++)
		k = k * ROLL + sig[band * rows + i] + 1;
	return fmix64(k);
}

/*
 * LSH: units whose signatures agree in every row of some band are
 * candidates; each candidate pair is looked at once, in the first band
 * they share, and kept as an edge when its signatures agree in `need`
 * bins or more.  The near neighbours of each unit are then listed.
 */
/* The verified pairs found so far. */
struct edges {
	struct edge *e;
	size_t	n, cap;
};

/*
 * Look at units a and b, which share band `band`: unless they already
 * shared an earlier band (then they were looked at there), count a
 * candidate and keep the pair if its similarity reaches the threshold.
 */
static void
check_pair(struct corpus *cp, struct edges *ed, uint32_t a, uint32_t b,
    int band)
{
	uint32_t ia = cp->u[a].sig, ib = cp->u[b].sig;
	const uint16_t *sa = cp->sig + (size_t)ia * NBINS;
	const uint16_t *sb = cp->sig + (size_t)ib * NBINS;
	unsigned m;
	int i;

	for (i = 0; i < band; i++)
		if (memcmp(sa + i * rows, sb + i * rows,
		    rows * sizeof(*sa)) == 0)
			return;
	cp->candidates++;
	m = similarity(sa, sb, cp->empty + (size_t)ia * MASK_WORDS,
	    cp->empty + (size_t)ib * MASK_WORDS);
	if (m < need)
		return;
	if (ed->n == ed->cap) {
		ed->cap = ed->cap ? 2 * ed->cap : 1024;
		ed->e = erealloc(ed->e, ed->cap * sizeof(*ed->e));
	}
	ed->e[ed->n].a = a;
	ed->e[ed->n].b = b;
	ed->e[ed->n++].m = (uint16_t)m;
}

static void
find_pairs(struct corpus *cp)
{
	struct bentry *e, *tmp, *sorted;
	struct edges eds = { NULL, 0, 0 };
	struct edge *ed;
	size_t ne, n = 0, i, j, k, run, *count;
	uint32_t *deg;
	int band;

	e = emalloc((cp->nu + 1) * sizeof(*e));
	tmp = emalloc((cp->nu + 1) * sizeof(*tmp));
	count = emalloc(RADIX * sizeof(*count));
	for (band = 0; band < bands; band++) {
		n = 0;
		for (i = 0; i < cp->nu; i++)
			if (cp->u[i].sig != NONE && cp->u[i].n > 0) {
				e[n].key = band_key(cp->sig +
				    (size_t)cp->u[i].sig * NBINS, band);
				e[n++].u = (uint32_t)i;
			}
		sorted = sort_band(e, tmp, n, count);
		for (i = 0; i < n; i = run) {
			for (run = i + 1; run < n &&
			    sorted[run].key == sorted[i].key; run++)
				;
			for (j = i; j < run; j++)
				for (k = j + 1; k < run; k++)
					check_pair(cp, &eds, sorted[j].u,
					    sorted[k].u, band);
		}
	}
	free(count);
	free(tmp);
	free(e);
	ed = eds.e;
	ne = eds.n;
	cp->verified = ne;

	deg = ecalloc(cp->nu + 1, sizeof(*deg));
	for (i = 0; i < ne; i++) {
		deg[ed[i].a]++;
		deg[ed[i].b]++;
	}
	cp->adj_off = emalloc((cp->nu + 1) * sizeof(*cp->adj_off));
	for (i = 0, k = 0; i < cp->nu; i++) {
		cp->adj_off[i] = (uint32_t)k;
		k += deg[i];
		deg[i] = cp->adj_off[i];
	}
	cp->adj_off[cp->nu] = (uint32_t)k;
	cp->adj = emalloc((k + 1) * sizeof(*cp->adj));
	for (i = 0; i < ne; i++) {
		cp->adj[deg[ed[i].a]].u = ed[i].b;
		cp->adj[deg[ed[i].a]++].m = ed[i].m;
		cp->adj[deg[ed[i].b]].u = ed[i].a;
		cp->adj[deg[ed[i].b]++].m = ed[i].m;
	}
	free(deg);
	free(ed);
}

/*
 * Nonzero if record y at similarity m is a better counterpart than best
 * at bm: more similar, or as similar and of higher priority.
 */
static int
better(const struct corpus *cp, uint32_t y, unsigned m, uint32_t best,
    unsigned bm)
{
	return best == NONE || m > bm ||
	    (m == bm && cp->rank[y] < cp->rank[best]);
}

/* The first member of unit u, by priority, whose writer is not w. */
static uint32_t
other_writer(const struct corpus *cp, const struct unit *u, uint32_t w)
{
	size_t i;

	if (!u->multi && u->w0 == w)
		return NONE;
	for (i = 0; i < u->n; i++)
		if (cp->d[cp->mem[u->first + i]].writer != w)
			return cp->mem[u->first + i];
	return NONE;
}

/*
 * Cross-writer collisions: a record not yet decided and not ruled
 * include is held when a record of another writer (any live one,
 * superseded revisions included: a copy of a draft is still a copy) is
 * its exact duplicate or verified near duplicate.  Its counterpart is
 * the exact one first, else the most similar, else the one of higher
 * priority.
 */
static void
decide_holds(struct corpus *cp)
{
	const struct unit *u;
	struct doc *d;
	uint32_t x, y, best;
	unsigned bm;
	size_t i, a;

	for (i = 0; i < cp->nlive; i++) {
		x = cp->order[i];
		d = &cp->d[x];
		if (d->status != S_LIVE || (d->flags & D_INCLUDED))
			continue;
		u = &cp->u[d->unit];
		if ((y = other_writer(cp, u, d->writer)) != NONE) {
			d->status = S_CROSS;
			d->other = y;
			d->sim = SIM_ONE;
			d->flags |= D_EXACTHIT;
			continue;
		}
		best = NONE;
		bm = 0;
		for (a = cp->adj_off[d->unit]; a < cp->adj_off[d->unit + 1];
		    a++) {
			y = other_writer(cp, &cp->u[cp->adj[a].u], d->writer);
			if (y != NONE &&
			    better(cp, y, cp->adj[a].m, best, bm)) {
				best = y;
				bm = cp->adj[a].m;
			}
		}
		if (best != NONE) {
			d->status = S_CROSS;
			d->other = best;
			d->sim = (uint16_t)bm;
		}
	}
}

/*
 * Same-writer copies, in priority order: a record is dropped in favour
 * of a kept record of its writer that is its exact duplicate, else the
 * most similar kept one among its verified near duplicates; otherwise it
 * is kept.  Only a kept record can be dropped in favour of, so a chain
 * A~B~C with A and C apart keeps A and C.
 */
static void
decide_copies(struct corpus *cp)
{
	struct unit *u;
	struct doc *d;
	uint32_t *keptnext, x, y, best;
	unsigned bm;
	size_t i, a;

	keptnext = emalloc((cp->n + 1) * sizeof(*keptnext));
	for (i = 0; i < cp->nlive; i++) {
		x = cp->order[i];
		d = &cp->d[x];
		if (d->status != S_LIVE)
			continue;
		u = &cp->u[d->unit];
		for (y = u->kept; y != NONE && cp->d[y].writer != d->writer;
		    y = keptnext[y])
			;
		if (y != NONE) {
			d->status = S_EXACT;
			d->other = y;
			d->sim = SIM_ONE;
			continue;
		}
		best = NONE;
		bm = 0;
		for (a = cp->adj_off[d->unit]; a < cp->adj_off[d->unit + 1];
		    a++) {
			for (y = cp->u[cp->adj[a].u].kept;
			    y != NONE && cp->d[y].writer != d->writer;
			    y = keptnext[y])
				;
			if (y != NONE &&
			    better(cp, y, cp->adj[a].m, best, bm)) {
				best = y;
				bm = cp->adj[a].m;
			}
		}
		if (best != NONE) {
			d->status = S_NEAR;
			d->other = best;
			d->sim = (uint16_t)bm;
			continue;
		}
		d->status = S_KEEP;
		keptnext[x] = u->kept;
		u->kept = x;
	}
	free(keptnext);
}

/*
 * Number the review groups: units joined by verified pairs that involve
 * two writers, numbered in the order of their first held record.
 */
static void
number_groups(struct corpus *cp)
{
	uint32_t *parent, *urank, r, x;
	const struct unit *u, *v;
	size_t i, a;

	parent = emalloc((cp->nu + 1) * sizeof(*parent));
	urank = emalloc((cp->nu + 1) * sizeof(*urank));
	for (i = 0; i < cp->nu; i++) {
		parent[i] = (uint32_t)i;
		urank[i] = cp->u[i].n > 0 ? cp->rank[cp->mem[cp->u[i].first]] :
		    NONE;
	}
	for (i = 0; i < cp->nu; i++) {
		u = &cp->u[i];
		for (a = cp->adj_off[i]; a < cp->adj_off[i + 1]; a++) {
			v = &cp->u[cp->adj[a].u];
			if (u->multi || v->multi || u->w0 != v->w0)
				uf_union(parent, urank, (uint32_t)i,
				    cp->adj[a].u);
		}
	}
	for (i = 0; i < cp->nlive; i++) {
		x = cp->order[i];
		if (cp->d[x].status != S_CROSS)
			continue;
		r = uf_find(parent, cp->d[x].unit);
		if (cp->u[r].group == 0)
			cp->u[r].group = (uint32_t)++cp->groups;
		cp->u[cp->d[x].unit].group = cp->u[r].group;
	}
	free(urank);
	free(parent);
}

/* --- output ------------------------------------------------------------- */

/* Similarity m (in 1/SIM_ONE) as written out. */
static void
fmt_sim(char *buf, size_t cap, unsigned m)
{
	snprintf(buf, cap, "%.2f", (double)m / SIM_ONE);
}

/*
 * The reject detail of record d: its input line, then what it was
 * decided against.  No text of any work.
 */
static char *
detail(const struct corpus *cp, const struct rulings *rl,
    const struct doc *d)
{
	const struct doc *o = d->other != NONE ? &cp->d[d->other] : NULL;
	const struct ruling *r;
	const char *where = cp->names[d->file];
	char sim[16];

	fmt_sim(sim, sizeof(sim), d->sim);
	switch (d->status) {
	case S_MALFORMED:
		return easprintf("%s:%u: %s", where, d->lineno,
		    malformed_why[d->other]);
	case S_RULING:
		r = &rl->r[d->other];
		return easprintf("%s:%u: excluded by the ruling of %s (%s:%zu)",
		    where, d->lineno, r->date, rl->path, r->line);
	case S_REVISION:
		return easprintf("%s:%u: superseded by the latest revision "
		    "%s (%s)", where, d->lineno, str(cp, o->id),
		    str(cp, o->sub));
	case S_CROSS:
		return easprintf("%s:%u: held for review, group %u: %s %s with "
		    "%s (%s) of writer %s", where, d->lineno,
		    cp->u[d->unit].group, d->flags & D_EXACTHIT ? "exact" :
		    "near", d->flags & D_EXACTHIT ? "copy" : sim,
		    str(cp, o->id), str(cp, o->sub),
		    str(cp, cp->wname[o->writer]));
	case S_EXACT:
		return easprintf("%s:%u: kept %s (%s)", where, d->lineno,
		    str(cp, o->id), str(cp, o->sub));
	case S_NEAR:
		return easprintf("%s:%u: kept %s (%s), similarity %s", where,
		    d->lineno, str(cp, o->id), str(cp, o->sub), sim);
	}
	die(EXIT_SOFTWARE, "internal error: no detail for status %d",
	    d->status);
}

/*
 * Copy each kept record's line from the spool to stdout, in input
 * order, and append a reject row for every other.
 */
static void
write_out(const struct corpus *cp, const struct rulings *rl, FILE *spool,
    struct rejects *rj, struct stats *st)
{
	char buf[65536], *det;
	const struct doc *d;
	size_t i, left, k;

	if (fseeko(spool, 0, SEEK_SET) != 0)
		die(EXIT_IOERR, "spool:");
	for (i = 0; i < cp->n; i++) {
		d = &cp->d[i];
		if (d->status != S_KEEP) {
			if (fseeko(spool, (off_t)d->len + 1, SEEK_CUR) != 0)
				die(EXIT_IOERR, "spool:");
			det = detail(cp, rl, d);
			rej_row(rj, d->id == NONE ? NULL : str(cp, d->id),
			    d->sub == NONE ? NULL : str(cp, d->sub),
			    d->writer == NONE ? NULL :
			    str(cp, cp->wname[d->writer]),
			    reason_name[d->status], det);
			free(det);
			continue;
		}
		for (left = (size_t)d->len + 1; left > 0; left -= k) {
			k = left < sizeof(buf) ? left : sizeof(buf);
			if (fread(buf, 1, k, spool) != k)
				die(EXIT_IOERR, "read error: spool%s",
				    ferror(spool) ? ":" : ": file shrank");
			efwrite(buf, k, stdout, "<stdout>");
		}
		st->records_out++;
		st->bytes_out += (uint64_t)d->len + 1;
		if (ferror(stdout))
			die(EXIT_IOERR, "write error: <stdout>:");
	}
}

static int
cmp_review(const void *a, const void *b)
{
	const struct doc *x = &sort_cp->d[*(const uint32_t *)a];
	const struct doc *y = &sort_cp->d[*(const uint32_t *)b];
	uint32_t gx = sort_cp->u[x->unit].group, gy = sort_cp->u[y->unit].group;

	if (gx != gy)
		return gx < gy ? -1 : 1;
	return (sort_cp->rank[*(const uint32_t *)a] >
	    sort_cp->rank[*(const uint32_t *)b]) -
	    (sort_cp->rank[*(const uint32_t *)a] <
	    sort_cp->rank[*(const uint32_t *)b]);
}

/*
 * Write review.csv: one row per held record, by group, then priority.
 * Ids and similarities only, never text.
 */
static void
write_review(const struct corpus *cp, const char *path)
{
	static const char *const head[] = {
		"group", "submission_id", "id", "writer_id", "similarity",
		"kind", "with_submission_id", "with_writer_id"
	};
	const char *cells[8];
	const struct doc *d, *o;
	struct afile *af;
	uint32_t *held;
	char group[16], sim[16];
	size_t i, n = 0;

	af = afile_open(path);
	csv_put(af->fp, path, head, 8);
	held = emalloc((cp->nlive + 1) * sizeof(*held));
	for (i = 0; i < cp->nlive; i++)
		if (cp->d[cp->order[i]].status == S_CROSS)
			held[n++] = cp->order[i];
	sort_cp = cp;
	qsort(held, n, sizeof(*held), cmp_review);
	for (i = 0; i < n; i++) {
		d = &cp->d[held[i]];
		o = &cp->d[d->other];
		snprintf(group, sizeof(group), "%u", cp->u[d->unit].group);
		fmt_sim(sim, sizeof(sim), d->sim);
		cells[0] = group;
		cells[1] = str(cp, d->sub);
		cells[2] = str(cp, d->id);
		cells[3] = str(cp, cp->wname[d->writer]);
		cells[4] = sim;
		cells[5] = d->flags & D_EXACTHIT ? "exact" : "near";
		cells[6] = str(cp, o->sub);
		cells[7] = str(cp, cp->wname[o->writer]);
		csv_put(af->fp, path, cells, 8);
	}
	free(held);
	afile_commit(af);
}

static void
corpus_free(struct corpus *cp)
{
	free(cp->d);
	free(cp->u);
	free(cp->sig);
	free(cp->empty);
	free(cp->a.p);
	free(cp->units.slot);
	free(cp->writers.slot);
	free(cp->wname);
	free(cp->names);
	free(cp->order);
	free(cp->rank);
	free(cp->mem);
	free(cp->adj_off);
	free(cp->adj);
}

/*
 * A spool for the records: the stage needs the whole stream before its
 * first decision, and holding the texts in memory would not scale.  The
 * file is unlinked at once, so nothing is left behind whatever happens.
 */
static FILE *
open_spool(const char *dir)
{
	char *path;
	FILE *fp;
	int fd;

	if (dir == NULL && (dir = getenv("TMPDIR")) == NULL)
		dir = "/tmp";
	path = easprintf("%s/quire-dedupe.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		die(EXIT_IOERR, "cannot create a spool in %s:", dir);
	unlink(path);
	free(path);
	if ((fp = fdopen(fd, "w+")) == NULL)
		die(EXIT_OSERR, "fdopen:");
	return fp;
}

/* --- partitioned runs ---------------------------------------------------- */

/*
 * A partitioned run splits the stage in three (PARTITIONED RUNS in the
 * man page).  -S reads one partition and writes, for each record, what
 * the decisions need and no text: its fields, the key of its folded text
 * and, the first time a text appears in the partition, its signature and
 * word counts.  -D reads every partition's signature file, record by
 * record in the order one stream would have held them (by submission id,
 * the order quire-ingest writes), and decides exactly as one process
 * would; it writes the rejects, the review file, the stats and FILE.keep
 * for each signature file.  -A copies the kept lines of one partition.
 * Signature files are native-endian work files of one run, not an
 * exchange format.
 */
#define SIG_MAGIC	"quire-dedupe signatures 1\n"
#define KEEP_MAGIC	"quire-dedupe keep 1\n"

#define E_UNIT		1	/* the record has a text unit */
#define E_NEWU		2	/* first in its partition: the unit follows */
#define E_SIG		4	/* the new unit has a signature */

/* The fixed part of one record's entry. */
struct sig_entry {
	uint8_t	status;		/* S_LIVE or S_MALFORMED */
	uint8_t	why;		/* malformed_why[] index */
	uint8_t	flags;		/* E_* */
	uint8_t	pad;
	uint32_t len;		/* bytes of the line */
	uint64_t linehash;
	int32_t	days;
	uint32_t unit;		/* the unit's number in its partition */
};

/* The unit data that follows an entry with E_NEWU. */
struct sig_unit {
	uint64_t key[2];
	uint64_t words;		/* words of the folded text */
	uint64_t icu_bytes;	/* bytes of it ICU segmented */
};

/* One partition as -D reads it. */
struct part {
	const char *path;
	FILE	*fp;
	uint32_t nread;		/* entries read */
	struct sig_entry e;	/* the entry read ahead, if have */
	int	have;
	char	*s[4];		/* its id, sub, rev, writer; NULL if absent */
	size_t	scap[4];
	struct sig_unit *u;	/* local units */
	uint32_t *usig;		/* each one's signature in cp.sig, or NONE */
	size_t	nu, ucap;
	uint8_t	*keep;		/* '1' for each kept record */
	size_t	kcap;
};

/* A string as its length (NONE when absent) and its bytes. */
static void
eput_str(FILE *fp, const char *path, const char *s)
{
	uint32_t n = s == NULL ? NONE : (uint32_t)strlen(s);

	efwrite(&n, sizeof(n), fp, path);
	if (s != NULL)
		efwrite(s, n, fp, path);
}

/* The string at arena offset off, or NULL for NONE. */
static const char *
opt(const struct corpus *cp, uint32_t off)
{
	return off == NONE ? NULL : str(cp, off);
}

/*
 * Read n bytes; at a clean end before the first one return 0 when eof_ok,
 * anything else short is a damaged file.
 */
static int
eget(struct part *p, void *buf, size_t n, int eof_ok)
{
	size_t k = n > 0 ? fread(buf, 1, n, p->fp) : 0;

	if (k == n)
		return 1;
	if (ferror(p->fp))
		die(EXIT_IOERR, "read error: %s:", p->path);
	if (k == 0 && eof_ok)
		return 0;
	die(EXIT_DATAERR, "%s: signature file ends inside an entry", p->path);
}

/* -S: the signature file of one partition. */
static void
run_signatures(const char *path, struct record_in *in, struct words *w,
    struct progress *pg)
{
	struct corpus cp;
	struct json_object *rec;
	struct sig_entry e;
	struct sig_unit su;
	struct afile *af;
	const struct doc *d;
	uint64_t words, icu, nrec = 0;
	uint32_t hdr[2] = { (uint32_t)shingle, (uint32_t)word_floor };
	size_t nu, si;

	memset(&cp, 0, sizeof(cp));
	table_init(&cp.units);
	table_init(&cp.writers);
	af = afile_open(path);
	efwrite(SIG_MAGIC, strlen(SIG_MAGIC), af->fp, path);
	efwrite(hdr, sizeof(hdr), af->fp, path);
	while ((rec = record_next(in)) != NULL) {
		nu = cp.nu;
		words = w->words;
		icu = w->icu_bytes;
		take(&cp, w, NULL, rec, in, NULL, NULL);
		json_object_put(rec);
		d = &cp.d[0];
		memset(&e, 0, sizeof(e));
		e.status = d->status;
		e.why = d->status == S_MALFORMED ? (uint8_t)d->other : 0;
		e.len = d->len;
		e.linehash = d->linehash;
		e.days = d->days;
		e.unit = d->unit;
		if (d->unit != NONE) {
			e.flags |= E_UNIT;
			if (cp.nu > nu)
				e.flags |= E_NEWU;
			if (cp.nu > nu && cp.u[d->unit].sig != NONE)
				e.flags |= E_SIG;
		}
		efwrite(&e, sizeof(e), af->fp, path);
		eput_str(af->fp, path, opt(&cp, d->id));
		eput_str(af->fp, path, opt(&cp, d->sub));
		eput_str(af->fp, path, opt(&cp, d->rev));
		eput_str(af->fp, path, d->writer == NONE ? NULL :
		    str(&cp, cp.wname[d->writer]));
		if (e.flags & E_NEWU) {
			memset(&su, 0, sizeof(su));
			su.key[0] = cp.u[d->unit].key[0];
			su.key[1] = cp.u[d->unit].key[1];
			su.words = w->words - words;
			su.icu_bytes = w->icu_bytes - icu;
			efwrite(&su, sizeof(su), af->fp, path);
		}
		if (e.flags & E_SIG) {
			si = cp.u[d->unit].sig;
			efwrite(cp.sig + si * NBINS, SIG_BYTES, af->fp, path);
			efwrite(cp.empty + si * MASK_WORDS, MASK_WORDS *
			    sizeof(uint64_t), af->fp, path);
		}
		/* Only the units stay: the records need no memory here. */
		cp.n = 0;
		if (ferror(af->fp))
			die(EXIT_IOERR, "write error: %s:", path);
		progress_update(pg, ++nrec, in->bytes);
	}
	progress_done(pg);
	afile_commit(af);
	corpus_free(&cp);
}

/* Grow a signature store of cp by one slot; return its index. */
static uint32_t
sig_slot(struct corpus *cp)
{
	if (cp->nsig == cp->sigcap) {
		cp->sigcap = cp->sigcap ? 2 * cp->sigcap : 1024;
		cp->sig = erealloc(cp->sig, cp->sigcap * SIG_BYTES);
		cp->empty = erealloc(cp->empty, cp->sigcap * MASK_WORDS *
		    sizeof(*cp->empty));
	}
	if (cp->nsig == NONE)
		die(EXIT_OSERR, "more than %u signatures", NONE - 1);
	return (uint32_t)cp->nsig++;
}

/* Read the next entry of p ahead, its unit and signature into cp. */
static void
part_next(struct corpus *cp, struct part *p)
{
	uint32_t n;
	int i;

	p->have = eget(p, &p->e, sizeof(p->e), 1);
	if (!p->have)
		return;
	if (p->e.status != S_LIVE && p->e.status != S_MALFORMED)
		die(EXIT_DATAERR, "%s: entry %u: bad status", p->path,
		    p->nread + 1);
	if (p->e.status == S_MALFORMED && p->e.why > M_NO_SUB)
		die(EXIT_DATAERR, "%s: entry %u: bad reason", p->path,
		    p->nread + 1);
	for (i = 0; i < 4; i++) {
		eget(p, &n, sizeof(n), 0);
		if (n == NONE) {
			free(p->s[i]);
			p->s[i] = NULL;
			p->scap[i] = 0;
			continue;
		}
		if (n > RECORD_MAX_LINE)
			die(EXIT_DATAERR, "%s: entry %u: bad string length",
			    p->path, p->nread + 1);
		if (p->scap[i] < (size_t)n + 1) {
			p->scap[i] = (size_t)n + 1;
			p->s[i] = erealloc(p->s[i], p->scap[i]);
		}
		eget(p, p->s[i], n, 0);
		p->s[i][n] = '\0';
	}
	if (p->e.flags & E_NEWU) {
		if (p->e.unit != p->nu)
			die(EXIT_DATAERR, "%s: entry %u: units out of order",
			    p->path, p->nread + 1);
		if (p->nu == p->ucap) {
			p->ucap = p->ucap ? 2 * p->ucap : 1024;
			p->u = erealloc(p->u, p->ucap * sizeof(*p->u));
			p->usig = erealloc(p->usig, p->ucap * sizeof(*p->usig));
		}
		eget(p, &p->u[p->nu], sizeof(*p->u), 0);
		p->usig[p->nu] = NONE;
		if (p->e.flags & E_SIG) {
			p->usig[p->nu] = sig_slot(cp);
			eget(p, cp->sig + (size_t)p->usig[p->nu] * NBINS,
			    SIG_BYTES, 0);
			eget(p, cp->empty + (size_t)p->usig[p->nu] * MASK_WORDS,
			    MASK_WORDS * sizeof(uint64_t), 0);
		}
		p->nu++;
	} else if ((p->e.flags & E_UNIT) && p->e.unit >= p->nu) {
		die(EXIT_DATAERR, "%s: entry %u: unknown unit", p->path,
		    p->nread + 1);
	}
}

/*
 * The global unit of local unit lu of p, made on first use as one
 * process makes it on the first live record of its text.
 */
static uint32_t
global_unit(struct corpus *cp, const struct part *p, uint32_t lu,
    uint64_t *words, uint64_t *icu)
{
	const struct sig_unit *su = &p->u[lu];
	struct unit *u;
	size_t i, slot;

	if ((i = find_unit(cp, su->key, &slot)) != NONE)
		return (uint32_t)i;
	if (cp->nu == cp->ucap) {
		cp->ucap = cp->ucap ? 2 * cp->ucap : 1024;
		cp->u = erealloc(cp->u, cp->ucap * sizeof(*cp->u));
	}
	u = &cp->u[cp->nu];
	memset(u, 0, sizeof(*u));
	u->key[0] = su->key[0];
	u->key[1] = su->key[1];
	u->sig = p->usig[lu];
	*words += su->words;
	*icu += su->icu_bytes;
	cp->units.slot[slot] = (uint32_t)cp->nu;
	if (++cp->units.n * 2 > cp->units.cap)
		table_grow(&cp->units, cp, unit_hash);
	return (uint32_t)cp->nu++;
}

/* Take the entry p has read ahead as the next record of the stream. */
static void
take_entry(struct corpus *cp, struct rulings *rl, struct part *p,
    uint32_t k, uint64_t *words, uint64_t *icu)
{
	struct doc *d = new_doc(cp);
	struct ruling *r;

	d->off = (uint64_t)k << 32 | p->nread;
	d->len = p->e.len;
	d->lineno = (uint32_t)cp->n;
	d->file = 0;
	d->linehash = p->e.linehash;
	d->unit = NONE;
	d->other = NONE;
	d->id = p->s[0] ? arena_add(&cp->a, p->s[0], strlen(p->s[0])) : NONE;
	d->sub = p->s[1] ? arena_add(&cp->a, p->s[1], strlen(p->s[1])) : NONE;
	d->rev = p->s[2] ? arena_add(&cp->a, p->s[2], strlen(p->s[2])) : NONE;
	d->writer = p->s[3] ? intern_writer(cp, p->s[3], strlen(p->s[3])) :
	    NONE;
	d->days = p->e.days;
	d->status = p->e.status;
	if (d->status == S_MALFORMED) {
		d->other = p->e.why;
		return;
	}
	if ((r = ruling_find(rl, p->s[1])) != NULL) {
		r->matched = 1;
		if (!r->include) {
			d->status = S_RULING;
			d->other = (uint32_t)(r - rl->r);
			return;
		}
		d->flags |= D_INCLUDED;
	}
	if (!(p->e.flags & E_UNIT))
		die(EXIT_DATAERR, "%s: entry %u: a live record without a text",
		    p->path, p->nread + 1);
	d->unit = global_unit(cp, p, p->e.unit, words, icu);
}

/* Order of the stream: by submission id, an absent one first. */
static int
part_before(const struct part *a, const struct part *b)
{
	return strcmp(a->s[1] ? a->s[1] : "", b->s[1] ? b->s[1] : "") < 0;
}

/*
 * -D: read the npart signature files in stream order into cp.  The
 * words and ICU bytes of the texts are added to *words and *icu.
 */
static struct part *
read_parts(struct corpus *cp, struct rulings *rl, char **paths, int npart,
    uint64_t *words, uint64_t *icu)
{
	struct part *parts = ecalloc((size_t)npart, sizeof(*parts));
	struct part *p;
	char magic[sizeof(SIG_MAGIC) - 1];
	uint32_t hdr[2];
	int k, best;

	for (k = 0; k < npart; k++) {
		p = &parts[k];
		p->path = paths[k];
		if ((p->fp = fopen(p->path, "rb")) == NULL)
			die(EXIT_NOINPUT, "%s:", p->path);
		if (!eget(p, magic, sizeof(magic), 1) ||
		    memcmp(magic, SIG_MAGIC, sizeof(magic)) != 0)
			die(EXIT_DATAERR, "%s: not a signature file of this "
			    "version of quire-dedupe", p->path);
		eget(p, hdr, sizeof(hdr), 0);
		if (hdr[0] != (uint32_t)shingle ||
		    hdr[1] != (uint32_t)word_floor)
			die(EXIT_CONFIG, "%s: made with -k %u -w %u, not "
			    "-k %d -w %ld", p->path, hdr[0], hdr[1], shingle,
			    word_floor);
		part_next(cp, p);
	}
	cp->names = erealloc(cp->names, sizeof(*cp->names));
	cp->names[0] = "<stdin>";
	cp->nnames = 1;
	for (;;) {
		best = -1;
		for (k = 0; k < npart; k++)
			if (parts[k].have && (best < 0 ||
			    part_before(&parts[k], &parts[best])))
				best = k;
		if (best < 0)
			break;
		p = &parts[best];
		if (cp->n >= UINT32_MAX - 1)
			die(EXIT_DATAERR, "more than %u records",
			    UINT32_MAX - 1);
		take_entry(cp, rl, p, (uint32_t)best, words, icu);
		p->nread++;
		part_next(cp, p);
	}
	for (k = 0; k < npart; k++) {
		if (fclose(parts[k].fp) != 0)
			die(EXIT_IOERR, "%s:", parts[k].path);
		parts[k].keep = emalloc(parts[k].nread + 1);
		memset(parts[k].keep, '0', parts[k].nread);
	}
	return parts;
}

/*
 * -D: the rejects of the whole stream in stream order, as one process
 * writes them, and the kept records marked in each partition's keep.
 */
static void
decide_out(const struct corpus *cp, const struct rulings *rl,
    struct part *parts, struct rejects *rj, struct stats *st)
{
	const struct doc *d;
	char *det;
	size_t i;

	for (i = 0; i < cp->n; i++) {
		d = &cp->d[i];
		st->bytes_in += (uint64_t)d->len + 1;
		if (d->status == S_KEEP) {
			parts[d->off >> 32].keep[d->off & UINT32_MAX] = '1';
			st->records_out++;
			st->bytes_out += (uint64_t)d->len + 1;
			continue;
		}
		det = detail(cp, rl, d);
		rej_row(rj, d->id == NONE ? NULL : str(cp, d->id),
		    d->sub == NONE ? NULL : str(cp, d->sub),
		    d->writer == NONE ? NULL : str(cp, cp->wname[d->writer]),
		    reason_name[d->status], det);
		free(det);
	}
}

/* -D: FILE.keep for each signature file, and the parts freed. */
static void
write_keeps(struct part *parts, int npart)
{
	struct afile *af;
	char *path;
	int k, i;

	for (k = 0; k < npart; k++) {
		path = easprintf("%s.keep", parts[k].path);
		af = afile_open(path);
		efwrite(KEEP_MAGIC, strlen(KEEP_MAGIC), af->fp, path);
		efwrite(parts[k].keep, parts[k].nread, af->fp, path);
		afile_commit(af);
		free(path);
		for (i = 0; i < 4; i++)
			free(parts[k].s[i]);
		free(parts[k].u);
		free(parts[k].usig);
		free(parts[k].keep);
	}
	free(parts);
}

/*
 * -A: copy the lines of in that keep_path marks kept, byte for byte as
 * one process writes them (a CR before the newline cut).  The file must
 * mark exactly as many records as in has lines.
 */
static void
run_apply(const char *keep_path, struct record_in *in)
{
	FILE *fp;
	char *keep = NULL, magic[sizeof(KEEP_MAGIC) - 1];
	size_t cap = 0, n = 0, i = 0, k;

	if ((fp = fopen(keep_path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", keep_path);
	if (fread(magic, 1, sizeof(magic), fp) != sizeof(magic) ||
	    memcmp(magic, KEEP_MAGIC, sizeof(magic)) != 0)
		die(EXIT_DATAERR, "%s: not a keep file of quire-dedupe",
		    keep_path);
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 65536;
			keep = erealloc(keep, cap);
		}
		if ((k = fread(keep + n, 1, cap - n, fp)) == 0)
			break;
		n += k;
	}
	if (ferror(fp) || fclose(fp) != 0)
		die(EXIT_IOERR, "read error: %s:", keep_path);
	while (record_next_line(in)) {
		/* keep is freed before each die(): a leak checker sees it. */
		if (i == n) {
			free(keep);
			die(EXIT_DATAERR, "%s: more records than %s marks "
			    "(%zu)", in->name, keep_path, n);
		}
		if (keep[i] == '1') {
			efwrite(in->line, in->len, stdout, "<stdout>");
			if (putc('\n', stdout) == EOF)
				die(EXIT_IOERR, "write error: <stdout>:");
		} else if (keep[i] != '0') {
			free(keep);
			die(EXIT_DATAERR, "%s: byte %zu is not 0 or 1",
			    keep_path, sizeof(magic) + i);
		}
		i++;
	}
	free(keep);
	if (i != n)
		die(EXIT_DATAERR, "%s: %zu records, but %s marks %zu",
		    in->name, i, keep_path, n);
	efshut(stdout, "<stdout>");
}

/* Parse -t: a decimal number in (0, 1]. */
static double
parse_threshold(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno != 0 || !(v > 0 && v <= 1))
		cli_usage_error(usage, "-t: threshold must be a number above 0 "
		    "and at most 1: %s", s);
	return v;
}

int
main(int argc, char *argv[])
{
	enum { OPT_CUTOFF = 0x200, OPT_REVIEW, OPT_RULINGS };
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "cutoff", required_argument, NULL, OPT_CUTOFF },
		{ "review", required_argument, NULL, OPT_REVIEW },
		{ "rulings", required_argument, NULL, OPT_RULINGS },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const figure[] = {
		"exact", "near", "revision", "cross_writer", "ruling",
		"malformed"
	};
	static const int figure_status[] = {
		S_EXACT, S_NEAR, S_REVISION, S_CROSS, S_RULING, S_MALFORMED
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct corpus cp;
	struct words w;
	struct rulings rl;
	struct json_object *rec;
	const char *cutoff_arg = NULL, *review_path = NULL,
	    *rulings_path = NULL, *spool_dir = NULL, *sig_path = NULL,
	    *keep_path = NULL;
	struct part *parts = NULL;
	uint64_t words = 0, icu = 0;
	int dflag = 0;
	char buf[32];
	uint64_t spool_off = 0, n;
	size_t i, k, nincl = 0;
	long cutoff = 0;
	FILE *spool = NULL;
	int ch;

	cli_init(argv, "quire-dedupe");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "A:DS:T:k:t:w:",
	    longopts, NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'A':
			keep_path = optarg;
			break;
		case 'D':
			dflag = 1;
			break;
		case 'S':
			sig_path = optarg;
			break;
		case 'T':
			spool_dir = optarg;
			break;
		case 'k':
			shingle = (int)estrtonum(optarg, 1, 16, "-k");
			break;
		case 't':
			threshold = parse_threshold(optarg);
			break;
		case 'w':
			word_floor = (long)estrtonum(optarg, 0, 1000000, "-w");
			break;
		case OPT_CUTOFF:
			cutoff_arg = optarg;
			break;
		case OPT_REVIEW:
			review_path = optarg;
			break;
		case OPT_RULINGS:
			rulings_path = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (rulings_path != NULL && cutoff_arg == NULL)
		cli_usage_error(usage, "--rulings needs --cutoff: rulings "
		    "dated after the cut-off do not apply");
	if (cutoff_arg != NULL && date_parse(cutoff_arg, &cutoff) != 0)
		cli_usage_error(usage, "--cutoff: not an ISO 8601 date: %s",
		    cutoff_arg);
	if ((sig_path != NULL) + (keep_path != NULL) + dflag > 1)
		cli_usage_error(usage, "-A, -D and -S exclude each other");
	if ((sig_path != NULL || keep_path != NULL) &&
	    (review_path != NULL || rulings_path != NULL ||
	    cli.rejects_path != NULL || cli.stats_path != NULL))
		cli_usage_error(usage, "-%c: rejects, review, rulings and "
		    "stats belong to -D", sig_path != NULL ? 'S' : 'A');
	if ((sig_path != NULL || keep_path != NULL) && argc - optind > 1)
		cli_usage_error(usage, "-%c reads one partition: one FILE at "
		    "most", sig_path != NULL ? 'S' : 'A');
	if (dflag && argc == optind)
		cli_usage_error(usage, "-D: signature files expected");
	choose_bands();
	if (keep_path != NULL) {
		record_in_init(&in, argc - optind, argv + optind);
		run_apply(keep_path, &in);
		record_in_free(&in);
		return EXIT_OK;
	}
	if (sig_path != NULL) {
		words_init(&w);
		progress_init(&pg, cli.qflag);
		record_in_init(&in, argc - optind, argv + optind);
		run_signatures(sig_path, &in, &w, &pg);
		record_in_free(&in);
		words_free(&w);
		return EXIT_OK;
	}

	/* The rulings first: a bad file stops before any record is read. */
	memset(&rl, 0, sizeof(rl));
	if (rulings_path != NULL)
		rulings_load(&rl, rulings_path, cutoff);

	stats_init(&st, "dedupe");
	snprintf(buf, sizeof(buf), "%g", threshold);
	stats_option(&st, "threshold", buf);
	stats_option_int(&st, "shingle", shingle);
	stats_option_int(&st, "word_floor", word_floor);
	stats_option_int(&st, "bins", NBINS);
	stats_option_int(&st, "bands", bands);
	stats_option_int(&st, "rows", rows);
	stats_option(&st, "cutoff", cutoff_arg != NULL ? cutoff_arg : "");
	stats_option(&st, "rulings", rulings_path != NULL ? rulings_path : "");
	stats_option(&st, "unicode_version", U_UNICODE_VERSION);
	rej_open(&rj, cli.rejects_path, "dedupe", &st);

	memset(&cp, 0, sizeof(cp));
	table_init(&cp.units);
	table_init(&cp.writers);
	if (dflag) {
		parts = read_parts(&cp, &rl, argv + optind, argc - optind,
		    &words, &icu);
		st.records_in = cp.n;
	} else {
		words_init(&w);
		spool = open_spool(spool_dir);
		progress_init(&pg, cli.qflag);
		record_in_init(&in, argc - optind, argv + optind);
		while ((rec = record_next(&in)) != NULL) {
			st.records_in++;
			st.bytes_in += in.len + 1;
			take(&cp, &w, &rl, rec, &in, spool, &spool_off);
			json_object_put(rec);
			progress_update(&pg, st.records_in, st.bytes_in);
		}
		progress_done(&pg);
		if (fflush(spool) != 0 || ferror(spool))
			die(EXIT_IOERR, "write error: spool:");
		words = w.words;
		icu = w.icu_bytes;
	}

	rank_docs(&cp);
	decide_revisions(&cp);
	list_members(&cp);
	find_pairs(&cp);
	decide_holds(&cp);
	decide_copies(&cp);
	number_groups(&cp);

	if (dflag) {
		decide_out(&cp, &rl, parts, &rj, &st);
		write_keeps(parts, argc - optind);
	} else {
		write_out(&cp, &rl, spool, &rj, &st);
		record_in_free(&in);
		fclose(spool);
		efshut(stdout, "<stdout>");
		words_free(&w);
	}
	rej_close(&rj);
	if (review_path != NULL)
		write_review(&cp, review_path);

	for (k = 0; k < sizeof(figure) / sizeof(*figure); k++) {
		for (i = 0, n = 0; i < cp.n; i++)
			n += cp.d[i].status == figure_status[k];
		stats_add(&st, figure[k], (int64_t)n);
	}
	for (i = 0; i < cp.n; i++)
		nincl += (cp.d[i].flags & D_INCLUDED) != 0;
	stats_add(&st, "review_groups", (int64_t)cp.groups);
	stats_add(&st, "candidate_pairs", (int64_t)cp.candidates);
	stats_add(&st, "verified_pairs", (int64_t)cp.verified);
	stats_add(&st, "distinct_texts", (int64_t)cp.nu);
	stats_add(&st, "short_works", (int64_t)cp.short_works);
	stats_add(&st, "words", (int64_t)words);
	stats_add(&st, "icu_bytes", (int64_t)icu);
	stats_add(&st, "revision_target_missing", (int64_t)cp.rev_missing);
	stats_add(&st, "revision_other_writer", (int64_t)cp.rev_foreign);
	stats_add(&st, "rulings_include", (int64_t)nincl);
	for (i = 0, n = 0; i < rl.n; i++)
		n += !rl.r[i].matched;
	stats_add(&st, "rulings_unmatched", (int64_t)n);
	stats_add(&st, "rulings_after_cutoff", (int64_t)rl.late);
	stats_write(&st, cli.stats_path);

	stats_free(&st);
	rulings_free(&rl);
	corpus_free(&cp);
	return EXIT_OK;
}
