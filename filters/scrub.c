/* quire-scrub: personal data in a work's free text becomes placeholders. */
#define _GNU_SOURCE		/* memmem, memrchr */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "cli.h"
#include "csvio.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "util.h"

/*
 * The record fields scrubbed, in the order their figures are listed:
 * every free-text field that reaches a release.  attribution is built
 * from title and credit by quire-license-tag, which may run earlier;
 * metadata holds the manifest's other columns (every string in it is
 * scrubbed).
 */
static const char *const fields[] = {
	"text", "title", "credit", "attribution", "metadata"
};
enum { F_TEXT, F_TITLE, F_CREDIT, F_ATTRIBUTION, F_METADATA, NFIELDS };

/*
 * PCRE2's limits for one match call: a pathological text (or pattern)
 * costs at most this much, then its record is rejected (scrub.limit)
 * rather than passed unscrubbed.  The default patterns stay far below
 * them, on a 10 MB line too.
 */
#define MATCH_LIMIT	10000000
#define DEPTH_LIMIT	100000
#define HEAP_LIMIT	(64 * 1024)	/* KiB, for the interpreter */
#define JIT_STACK_MAX	(4 << 20)

/*
 * Scrubbing repeats until a pass over every pattern replaces nothing, so
 * that the output holds no match of any pattern even where a replacement
 * joined what was around it; more passes than this reject the record.
 */
#define MAX_PASSES	4

#define MAX_MIN_DIGITS	1000
#define MAX_NAME	64	/* bytes of a pattern name */

/*
 * The columns of pii.csv, in col[] order; others (a note, say) are
 * ignored, as in licenses.csv.  requires and min_digits only ever narrow
 * what is replaced, so a misspelt one scrubs more, never less.
 */
static const char *const columns[] = {
	"name", "pattern", "replacement", "requires", "min_digits", NULL
};
static const char *const required[] = {
	"name", "pattern", "replacement", NULL
};

/* A literal of the requires column. */
struct literal {
	const char *s;		/* points into pattern.reqbuf */
	size_t	len;
};

/*
 * The first two bytes of the literals (one for a one-byte literal), for
 * skipping 16 bytes at a time where none starts: "dot" starts at each
 * 'd', but "do" is rare.  More pairs than this are checked byte by byte.
 */
#define MAX_PAIRS	16

/* GCC and Clang vectors: SSE2 on x86-64, whatever the target has else. */
typedef unsigned char vbytes __attribute__((vector_size(16)));
typedef signed char vmask __attribute__((vector_size(16)));

struct pattern {
	char	*name;
	size_t	line;		/* of pii.csv, for messages */
	pcre2_code *code;
	int	jit;		/* JIT-compiled: pcre2_jit_match is usable */
	char	*repl;
	size_t	repllen;
	char	*reqbuf;	/* the requires cell, ';' turned into NULs */
	struct literal *req;	/* a match holds one of these ... */
	size_t	nreq;
	unsigned char first[256];	/* bytes that start one of them */
	unsigned char pair[MAX_PAIRS][2];	/* their first two bytes */
	unsigned char pairlen[MAX_PAIRS];	/* 1 or 2 */
	size_t	npairs;		/* 0: too many to check 16 at a time */
	size_t	min_digits;	/* ... and this many digits 0-9 */
	uint64_t count[NFIELDS];	/* replacements in records written */
};

struct buf {
	char	*p;
	size_t	len;
	size_t	cap;
};

/* What every match shares: one match data, one context, two buffers. */
struct scrubber {
	char	*path;		/* of pii.csv, for messages */
	struct pattern *pats;
	size_t	npats;
	pcre2_match_data *md;
	pcre2_match_context *mctx;
	pcre2_jit_stack *jstack;
	struct buf b[2];	/* a pattern's output; the next one's input */
	int	error;		/* PCRE2 error of a failed match */
	const struct pattern *failed;
	/* per record: replacements by pattern and field */
	uint64_t *pending;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --policies DIR [--rejects FILE] "
	    "[--stats FILE] [--version]\n"
	    "       [FILE ...]\n", progname);
}

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (n == 0)
		return;
	if (b->cap - b->len < n) {
		if (n > SIZE_MAX / 2 - b->len)
			die(EXIT_OSERR, "out of memory");
		b->cap = 2 * (b->len + n) < 4096 ? 4096 : 2 * (b->len + n);
		b->p = erealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* Note the first two bytes of literal s in p's pairs, once. */
static void
add_pair(struct pattern *p, const char *s)
{
	size_t k, n = s[1] == '\0' ? 1 : 2;

	if (p->npairs == SIZE_MAX)
		return;
	for (k = 0; k < p->npairs; k++)
		if (p->pairlen[k] == n && p->pair[k][0] == (unsigned char)s[0]
		    && (n == 1 || p->pair[k][1] == (unsigned char)s[1]))
			return;
	if (p->npairs == MAX_PAIRS) {
		p->npairs = SIZE_MAX;
		return;
	}
	p->pair[k][0] = (unsigned char)s[0];
	p->pair[k][1] = (unsigned char)s[1];
	p->pairlen[k] = (unsigned char)n;
	p->npairs++;
}

/*
 * Split the requires cell at ';' into the pattern's literals; an empty
 * item is a policy error.
 */
static void
parse_requires(struct pattern *p, const char *cell, const char *path)
{
	char *s, *end;

	if (cell[0] == '\0')
		return;
	p->reqbuf = estrdup(cell);
	p->req = ecalloc(strlen(cell) + 1, sizeof(*p->req));
	for (s = p->reqbuf;; s = end + 1) {
		end = strchr(s, ';');
		if (end != NULL)
			*end = '\0';
		if (*s == '\0')
			die(EXIT_CONFIG, "%s:%zu: pattern %s: empty item in "
			    "requires", path, p->line, p->name);
		p->req[p->nreq].s = s;
		p->req[p->nreq++].len = strlen(s);
		p->first[(unsigned char)s[0]] = 1;
		add_pair(p, s);
		if (end == NULL)
			break;
	}
	if (p->npairs == SIZE_MAX)
		p->npairs = 0;
}

static size_t
parse_min_digits(const char *cell, const struct pattern *p, const char *path)
{
	char *end;
	long long v;

	if (cell[0] == '\0')
		return 0;
	errno = 0;
	v = strtoll(cell, &end, 10);
	if (errno != 0 || *end != '\0' || cell[0] < '0' || cell[0] > '9' ||
	    v > MAX_MIN_DIGITS)
		die(EXIT_CONFIG, "%s:%zu: pattern %s: min_digits is not a "
		    "number from 0 to %d", path, p->line, p->name,
		    MAX_MIN_DIGITS);
	return (size_t)v;
}

/* A name becomes part of stats keys ("email.text"): keep it plain. */
static int
good_name(const char *s)
{
	if (*s == '\0' || strlen(s) > MAX_NAME)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return 0;
	return 1;
}

static void
compile(struct pattern *p, const char *pat, pcre2_compile_context *cc,
    const char *path)
{
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE erroff;
	uint32_t minlen;
	int err;

	p->code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_MULTILINE | PCRE2_NEVER_BACKSLASH_C,
	    &err, &erroff, cc);
	if (p->code == NULL) {
		pcre2_get_error_message(err, msg, sizeof(msg));
		die(EXIT_CONFIG, "%s:%zu: pattern %s: %s at offset %zu", path,
		    p->line, p->name, (char *)msg, (size_t)erroff);
	}
	/*
	 * PCRE2's minimum length is a lower bound: 0 may mean it cannot
	 * tell.  Either way the pattern is refused, since an empty match
	 * would put replacements between characters.
	 */
	if (pcre2_pattern_info(p->code, PCRE2_INFO_MINLENGTH, &minlen) != 0 ||
	    minlen == 0)
		die(EXIT_CONFIG, "%s:%zu: pattern %s can match the empty "
		    "string", path, p->line, p->name);
	/* Without JIT (some platforms) the interpreter does the same. */
	p->jit = pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE) == 0;
}

/*
 * Read DIR/pii.csv into sc->pats; any problem with the file is fatal with
 * EXIT_CONFIG naming file, line and pattern.
 */
static void
load_policy(struct scrubber *sc, const char *dir)
{
	pcre2_compile_context *cc;
	struct csv_table *t;
	const struct csv_row *row;
	struct pattern *p;
	char *path;
	int col[5];
	size_t i, j, k;

	sc->path = path = easprintf("%s/pii.csv", dir);
	t = csvt_read(path, EXIT_CONFIG, EXIT_CONFIG);
	csvt_require(t, required, EXIT_CONFIG);
	for (k = 0; columns[k] != NULL; k++)
		col[k] = csvt_col(t, columns[k]);
	if (t->nrows == 0)
		die(EXIT_CONFIG, "%s: no patterns: nothing would be scrubbed",
		    path);
	cc = pcre2_compile_context_create(NULL);
	if (cc == NULL)
		die(EXIT_OSERR, "out of memory");
	/* Lines end at LF whatever PCRE2 was built with: ^ and $ agree. */
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	sc->pats = ecalloc(t->nrows, sizeof(*sc->pats));
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		p = &sc->pats[sc->npats++];
		p->line = row->line;
		if (row->ncells != t->header.ncells)
			die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu",
			    path, row->line, row->ncells, t->header.ncells);
		p->name = estrdup(csvt_cell(row, col[0]));
		if (!good_name(p->name))
			die(EXIT_CONFIG, "%s:%zu: pattern name %s: use up to "
			    "%d letters, digits, _ and -", path, row->line,
			    p->name, MAX_NAME);
		for (j = 0; j < i; j++)
			if (strcmp(sc->pats[j].name, p->name) == 0)
				die(EXIT_CONFIG, "%s:%zu: pattern %s already "
				    "named on line %zu", path, row->line,
				    p->name, sc->pats[j].line);
		if (csvt_cell(row, col[1])[0] == '\0')
			die(EXIT_CONFIG, "%s:%zu: pattern %s: empty pattern",
			    path, row->line, p->name);
		compile(p, csvt_cell(row, col[1]), cc, path);
		p->repl = estrdup(csvt_cell(row, col[2]));
		p->repllen = strlen(p->repl);
		parse_requires(p, csvt_cell(row, col[3]), path);
		p->min_digits = parse_min_digits(csvt_cell(row, col[4]), p,
		    path);
	}
	pcre2_compile_context_free(cc);
	csvt_free(t);
}

/*
 * The match context and stack every match uses, and the scratch arrays;
 * sc->pats must be loaded.
 */
static void
scrubber_init(struct scrubber *sc)
{
	sc->md = pcre2_match_data_create(1, NULL);
	sc->mctx = pcre2_match_context_create(NULL);
	sc->jstack = pcre2_jit_stack_create(32 * 1024, JIT_STACK_MAX, NULL);
	if (sc->md == NULL || sc->mctx == NULL || sc->jstack == NULL)
		die(EXIT_OSERR, "out of memory");
	pcre2_set_match_limit(sc->mctx, MATCH_LIMIT);
	pcre2_set_depth_limit(sc->mctx, DEPTH_LIMIT);
	pcre2_set_heap_limit(sc->mctx, HEAP_LIMIT);
	pcre2_jit_stack_assign(sc->mctx, NULL, sc->jstack);
	sc->pending = ecalloc(sc->npats * NFIELDS, sizeof(*sc->pending));
}

static void
scrubber_free(struct scrubber *sc)
{
	size_t i;

	for (i = 0; i < sc->npats; i++) {
		pcre2_code_free(sc->pats[i].code);
		free(sc->pats[i].name);
		free(sc->pats[i].repl);
		free(sc->pats[i].reqbuf);
		free(sc->pats[i].req);
	}
	free(sc->pats);
	pcre2_match_data_free(sc->md);
	pcre2_match_context_free(sc->mctx);
	pcre2_jit_stack_free(sc->jstack);
	free(sc->b[0].p);
	free(sc->b[1].p);
	free(sc->pending);
	free(sc->path);
}

/*
 * Count the ASCII digits of s[0..len), eight bytes at a time: most texts
 * have too few for any phone pattern and are done with here.
 */
static size_t
count_digits(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	uint64_t w, a, ge30, ge3a, d;
	size_t i = 0, n = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		/* Per byte, without carries: a < 0x80 so a + 0x50 < 0x100. */
		a = w & ~high;
		ge30 = (a + 0x50 * ones) & high;
		ge3a = (a + 0x46 * ones) & high;
		/* One per digit byte; the product sums them in the top byte. */
		d = (ge30 & ~ge3a & ~w & high) >> 7;
		n += (size_t)((d * ones) >> 56);
	}
	for (; i < len; i++)
		n += (unsigned char)(s[i] - '0') < 10;
	return n;
}

/* The end of the line holding s[at]: its '\n', or len. */
static size_t
line_end(const char *s, size_t len, size_t at)
{
	const char *q = memchr(s + at, '\n', len - at);

	return q != NULL ? (size_t)(q - s) : len;
}

/* The start of the line holding s[at], not before from. */
static size_t
line_start(const char *s, size_t from, size_t at)
{
	const char *q = memrchr(s + from, '\n', at - from);

	return q != NULL ? (size_t)(q - s) + 1 : from;
}

/* Return nonzero if s[0..16) holds a digit or a line feed. */
static int
block_has_digit_or_lf(const char *s)
{
	vbytes x;
	vmask m;
	uint64_t h[2];

	memcpy(&x, s, sizeof(x));
	m = (vmask)((vbytes)(x - (unsigned char)'0') < 10) |
	    (vmask)(x == '\n');
	memcpy(h, &m, sizeof(h));
	return (h[0] | h[1]) != 0;
}

/*
 * Find the first line at or after from (a line start) holding at least
 * need digits; store its bounds and return 1, or return 0.
 */
static int
digit_line(const char *s, size_t len, size_t from, size_t need, size_t *ls,
    size_t *le)
{
	size_t i, end, n = 0, start = from;
	unsigned char c;

	for (i = from; i < len;) {
		/* Blocks of prose without digit or line feed change nothing. */
		if (len - i >= 16 && !block_has_digit_or_lf(s + i)) {
			i += 16;
			continue;
		}
		end = len - i > 16 ? i + 16 : len;
		for (; i < end; i++) {
			c = (unsigned char)s[i];
			if (c == '\n') {
				n = 0;
				start = i + 1;
			} else if ((unsigned char)(c - '0') < 10 &&
			    ++n >= need) {
				*ls = start;
				*le = line_end(s, len, i);
				return 1;
			}
		}
	}
	return 0;
}

/*
 * Return nonzero if one of p's pairs starts in s[0..16), which must be
 * followed by one more byte.
 */
static int
block_may_hold(const struct pattern *p, const char *s)
{
	vbytes x, y;
	vmask m = { 0 };
	uint64_t h[2];
	size_t k;

	memcpy(&x, s, sizeof(x));
	memcpy(&y, s + 1, sizeof(y));
	for (k = 0; k < p->npairs; k++)
		if (p->pairlen[k] == 1)
			m |= (vmask)(x == p->pair[k][0]);
		else
			m |= (vmask)((x == p->pair[k][0]) &
			    (y == p->pair[k][1]));
	memcpy(h, &m, sizeof(h));
	return (h[0] | h[1]) != 0;
}

/* Return nonzero if one of p's literals starts at s[i]. */
static int
literal_at(const struct pattern *p, const char *s, size_t len, size_t i)
{
	const struct literal *l = p->req;
	size_t j, k;

	if (!p->first[(unsigned char)s[i]])
		return 0;
	for (k = 0; k < p->nreq; k++) {
		if (l[k].len > len - i)
			continue;
		for (j = 0; j < l[k].len && s[i + j] == l[k].s[j]; j++)
			;
		if (j == l[k].len)
			return 1;
	}
	return 0;
}

/*
 * Where one of p's literals occurs first in s[from..len), or SIZE_MAX.
 * One literal is memchr's or memmem's job; several are looked for in one
 * pass that skips the 16-byte blocks where none can start.
 */
static size_t
find_literal(const struct pattern *p, const char *s, size_t len, size_t from)
{
	const struct literal *l = p->req;
	const char *q;
	size_t i, end;

	if (p->nreq == 1) {
		if (l->len == 1)
			q = memchr(s + from, l->s[0], len - from);
		else
			q = memmem(s + from, len - from, l->s, l->len);
		return q != NULL ? (size_t)(q - s) : SIZE_MAX;
	}
	for (i = from; i < len;) {
		if (len - i > 16 && p->npairs > 0 && !block_may_hold(p, s + i)) {
			i += 16;
			continue;
		}
		end = len - i > 16 ? i + 16 : len;
		for (; i < end; i++)
			if (literal_at(p, s, len, i))
				return i;
	}
	return SIZE_MAX;
}

/* Digits in s[ls..le), stopping once need are seen. */
static int
has_digits(const char *s, size_t ls, size_t le, size_t need)
{
	size_t n = 0;

	for (; ls < le && n < need; ls++)
		n += (unsigned char)(s[ls] - '0') < 10;
	return n >= need;
}

/*
 * The next candidate line of s[0..len) for p at or after from (a line
 * start): one that holds a literal and enough digits.  *lit is where a
 * literal occurs next (SIZE_MAX: nowhere), so that the text is searched
 * once, not once a line.  Patterns never match across a line feed, so
 * the other lines cannot hold a match that qualifies.
 */
static int
next_line(const struct pattern *p, const char *s, size_t len, size_t from,
    size_t *lit, size_t *ls, size_t *le)
{
	while (from < len) {
		if (p->nreq > 0) {
			if (*lit != SIZE_MAX && *lit < from)
				*lit = find_literal(p, s, len, from);
			if (*lit == SIZE_MAX)
				return 0;
			*ls = line_start(s, from, *lit);
			*le = line_end(s, len, *lit);
			if (p->min_digits == 0 ||
			    has_digits(s, *ls, *le, p->min_digits))
				return 1;
		} else if (p->min_digits > 0) {
			return digit_line(s, len, from, p->min_digits, ls, le);
		} else {
			*ls = from;
			*le = line_end(s, len, from);
			return 1;
		}
		from = *le + 1;
	}
	return 0;
}

/*
 * Return nonzero if the match m[0..len) holds one of p's literals (when it
 * has any) and at least p->min_digits digits: only such a match is
 * replaced.  This is what makes skipping the lines without them sound.
 */
static int
qualifies(const struct pattern *p, const char *m, size_t len)
{
	if (p->min_digits > 0 && count_digits(m, len) < p->min_digits)
		return 0;
	return p->nreq == 0 || find_literal(p, m, len, 0) != SIZE_MAX;
}

static int
match(struct scrubber *sc, const struct pattern *p, const char *s,
    size_t end, size_t off)
{
	if (p->jit)
		return pcre2_jit_match(p->code, (PCRE2_SPTR)s, end, off, 0,
		    sc->md, sc->mctx);
	return pcre2_match(p->code, (PCRE2_SPTR)s, end, off,
	    PCRE2_NO_UTF_CHECK, sc->md, sc->mctx);
}

/*
 * Replace every match of p in s[0..len) that qualifies with p's
 * replacement, writing the result to out (emptied first) only if
 * something was replaced.  Each line is matched on its own: the subject
 * ends at the line's end, so no match spans a line feed.  Return the
 * number of replacements, or -1 with sc->error set when PCRE2 gave up (a
 * limit).  *digits is the number of digits in s, SIZE_MAX until counted.
 * s is valid UTF-8 (the record reader checked it), which pcre2_jit_match
 * needs.
 */
static long
apply(struct scrubber *sc, const struct pattern *p, const char *s,
    size_t len, size_t *digits, struct buf *out)
{
	PCRE2_SIZE *ov;
	size_t from, lit = 0, ls, le, off, copied = 0;
	long n = 0;
	int rc;

	out->len = 0;
	if (p->min_digits > 0) {
		if (*digits == SIZE_MAX)
			*digits = count_digits(s, len);
		if (*digits < p->min_digits)
			return 0;
	}
	if (p->nreq > 0)
		lit = find_literal(p, s, len, 0);
	for (from = 0; next_line(p, s, len, from, &lit, &ls, &le);
	    from = le + 1) {
		for (off = ls; off < le;) {
			rc = match(sc, p, s, le, off);
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (rc < 0) {
				sc->error = rc;
				sc->failed = p;
				return -1;
			}
			ov = pcre2_get_ovector_pointer(sc->md);
			/* \K can report an empty match; refuse the policy. */
			if (ov[1] <= ov[0])
				die(EXIT_CONFIG, "%s:%zu: pattern %s "
				    "reported an empty match", sc->path,
				    p->line, p->name);
			if (!qualifies(p, s + ov[0], ov[1] - ov[0])) {
				/* Not this one: search on from the next one. */
				off = ov[0] + 1;
				while (off < le && ((unsigned char)s[off] &
				    0xC0) == 0x80)
					off++;
				continue;
			}
			buf_add(out, s + copied, ov[0] - copied);
			buf_add(out, p->repl, p->repllen);
			copied = off = ov[1];
			n++;
		}
	}
	if (n > 0)
		buf_add(out, s + copied, len - copied);
	return n;
}

/*
 * Scrub s[0..len), field f, with every pattern in order, pass after pass
 * until nothing matches.  Return 0 when s is unchanged, 1 with the result
 * in *res (in one of sc's buffers), or -1 on a PCRE2 limit or when passes
 * do not settle (sc->error 0).  Counts go to sc->pending.
 */
static int
scrub_field(struct scrubber *sc, size_t f, const char *s, size_t len,
    struct buf **res)
{
	const char *cur = s;
	size_t i, curlen = len, digits = SIZE_MAX;
	int k = 0, pass, changed = 0, again;
	long n;

	for (pass = 0; pass < MAX_PASSES; pass++) {
		again = 0;
		for (i = 0; i < sc->npats; i++) {
			n = apply(sc, &sc->pats[i], cur, curlen, &digits,
			    &sc->b[k]);
			if (n < 0)
				return -1;
			if (n == 0)
				continue;
			sc->pending[i * NFIELDS + f] += (uint64_t)n;
			*res = &sc->b[k];
			cur = sc->b[k].p;
			curlen = sc->b[k].len;
			digits = SIZE_MAX;
			k ^= 1;
			again = changed = 1;
		}
		if (!again)
			return changed;
	}
	sc->error = 0;
	sc->failed = NULL;
	return -1;
}

/*
 * Scrub the string v, field f (in metadata, under key), in place.  Return 0, or
 * -1 with detail filled in when PCRE2 or the passes gave up.
 */
static int
scrub_value(struct scrubber *sc, size_t f, const char *key,
    struct json_object *v, const struct record_in *in, char *detail,
    size_t dsize)
{
	PCRE2_UCHAR msg[128];
	struct buf *res;
	const char *sep = key != NULL ? "." : "";
	int rc;

	rc = scrub_field(sc, f, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), &res);
	if (key == NULL)
		key = "";
	if (rc < 0 && sc->failed == NULL) {
		snprintf(detail, dsize, "%s:%zu: %s%s%s: replacements did not "
		    "settle after %d passes", in->name, in->lineno, fields[f],
		    sep, key, MAX_PASSES);
		return -1;
	}
	if (rc < 0) {
		pcre2_get_error_message(sc->error, msg, sizeof(msg));
		snprintf(detail, dsize, "%s:%zu: %s%s%s: pattern %s: %s",
		    in->name, in->lineno, fields[f], sep, key,
		    sc->failed->name, (char *)msg);
		return -1;
	}
	if (rc == 0)
		return 0;
	if (res->len > INT_MAX)
		die(EXIT_SOFTWARE, "%s:%zu: scrubbed %s too long", in->name,
		    in->lineno, fields[f]);
	/* The value changes in place: its key keeps its position. */
	if (json_object_set_string_len(v, res->p, (int)res->len) == 0)
		die(EXIT_OSERR, "out of memory");
	return 0;
}

/*
 * Scrub every string inside v (metadata), at any depth, in place.  Return
 * 0, or -1 with detail filled in.  json-c parses at most 32 levels, which
 * bounds the recursion.
 */
static int
scrub_tree(struct scrubber *sc, size_t f, const char *key,
    struct json_object *v, const struct record_in *in, char *detail,
    size_t dsize)
{
	size_t i, n;

	switch (json_object_get_type(v)) {
	case json_type_string:
		return scrub_value(sc, f, key, v, in, detail, dsize);
	case json_type_object: {
		json_object_object_foreach(v, k, val) {
			if (scrub_tree(sc, f, k, val, in, detail, dsize) != 0)
				return -1;
		}
		return 0;
	}
	case json_type_array:
		n = json_object_array_length(v);
		for (i = 0; i < n; i++)
			if (scrub_tree(sc, f, key, json_object_array_get_idx(v,
			    i), in, detail, dsize) != 0)
				return -1;
		return 0;
	default:
		return 0;
	}
}

/*
 * Scrub the fields of rec in place.  Return NULL, or the reject reason
 * with detail filled in; counts of a rejected record are dropped.
 */
static const char *
scrub_record(struct scrubber *sc, struct json_object *rec,
    const struct record_in *in, char *detail, size_t dsize)
{
	struct json_object *v;
	size_t f, i;

	memset(sc->pending, 0, sc->npats * NFIELDS * sizeof(*sc->pending));
	for (f = 0; f < NFIELDS; f++) {
		if (!json_object_object_get_ex(rec, fields[f], &v)) {
			if (f != F_TEXT)
				continue;
			snprintf(detail, dsize, "%s:%zu: no text", in->name,
			    in->lineno);
			return "scrub.no_text";
		}
		if (f == F_METADATA && json_object_is_type(v,
		    json_type_object)) {
			if (scrub_tree(sc, f, NULL, v, in, detail, dsize) != 0)
				return "scrub.limit";
			continue;
		}
		if (f != F_TEXT && v == NULL)
			continue;
		if (!json_object_is_type(v, f == F_METADATA ?
		    json_type_object : json_type_string)) {
			snprintf(detail, dsize, "%s:%zu: %s is not %s",
			    in->name, in->lineno, fields[f],
			    f == F_METADATA ? "an object" : "a string");
			return f == F_TEXT ? "scrub.no_text" : "scrub.field";
		}
		if (scrub_value(sc, f, NULL, v, in, detail, dsize) != 0)
			return "scrub.limit";
	}
	for (i = 0; i < sc->npats; i++)
		for (f = 0; f < NFIELDS; f++)
			sc->pats[i].count[f] += sc->pending[i * NFIELDS + f];
	return NULL;
}

/*
 * A replacement that some pattern matches would leave that pattern's
 * shape in the output (and never settle): refuse the policy.
 */
static void
check_replacements(struct scrubber *sc)
{
	size_t i, j, digits;
	long n;

	for (i = 0; i < sc->npats; i++)
		for (j = 0; j < sc->npats; j++) {
			digits = SIZE_MAX;
			n = apply(sc, &sc->pats[j], sc->pats[i].repl,
			    sc->pats[i].repllen, &digits, &sc->b[0]);
			if (n != 0)
				die(EXIT_CONFIG, "%s:%zu: the replacement "
				    "of pattern %s matches pattern %s",
				    sc->path, sc->pats[i].line,
				    sc->pats[i].name, sc->pats[j].name);
		}
}

/* Declare every figure up front, so that zero counts appear too. */
static void
declare_figures(struct stats *st, const struct scrubber *sc)
{
	char key[128];
	size_t i, f;

	stats_add(st, "records_scrubbed", 0);
	for (i = 0; i < sc->npats; i++)
		for (f = 0; f < NFIELDS; f++) {
			snprintf(key, sizeof(key), "%s.%s", sc->pats[i].name,
			    fields[f]);
			stats_add(st, key, 0);
		}
}

static void
add_figures(struct stats *st, const struct scrubber *sc)
{
	char key[128];
	size_t i, f;

	for (i = 0; i < sc->npats; i++)
		for (f = 0; f < NFIELDS; f++) {
			snprintf(key, sizeof(key), "%s.%s", sc->pats[i].name,
			    fields[f]);
			stats_add(st, key, (int64_t)sc->pats[i].count[f]);
		}
}

/* The pattern names in order, ';'-separated, for the stats options. */
static char *
pattern_names(const struct scrubber *sc)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < sc->npats; i++) {
		if (i > 0)
			buf_add(&b, ";", 1);
		buf_add(&b, sc->pats[i].name, strlen(sc->pats[i].name));
	}
	buf_add(&b, "", 1);
	return b.p;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "policies", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct scrubber sc = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct json_object *rec;
	const char *policies = NULL, *reason;
	char detail[512], *names;
	size_t i;
	uint64_t pending;
	int ch;

	cli_init(argv, "quire-scrub");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "p:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'p':
			policies = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (policies == NULL)
		cli_usage_error(usage, "--policies DIR is required");

	load_policy(&sc, policies);
	scrubber_init(&sc);
	check_replacements(&sc);

	stats_init(&st, "scrub");
	names = pattern_names(&sc);
	stats_option(&st, "patterns", names);
	free(names);
	stats_option_int(&st, "match_limit", MATCH_LIMIT);
	declare_figures(&st, &sc);
	rej_open(&rj, cli.rejects_path, "scrub", &st);
	progress_init(&pg, cli.qflag);
	record_in_init(&in, argc - optind, argv + optind);
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in = in.bytes;
		reason = scrub_record(&sc, rec, &in, detail, sizeof(detail));
		if (reason != NULL) {
			rej_record(&rj, rec, reason, detail);
		} else {
			for (pending = 0, i = 0; i < sc.npats * NFIELDS; i++)
				pending += sc.pending[i];
			if (pending > 0)
				stats_add(&st, "records_scrubbed", 1);
			st.bytes_out += record_write(stdout, "<stdout>", rec);
			st.records_out++;
		}
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	progress_done(&pg);
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	add_figures(&st, &sc);
	stats_write(&st, cli.stats_path);
	stats_free(&st);
	scrubber_free(&sc);
	return EXIT_OK;
}
