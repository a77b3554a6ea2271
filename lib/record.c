/* JSON Lines in and out through json-c, with one set of flags for all. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define AVX2_PATH	1	/* scan_line takes it when the CPU has AVX2 */
#endif

#include <json-c/printbuf.h>

#include "jscan.h"
#include "record.h"
#include "utf8.h"
#include "util.h"

/* Plain output, and no "\/": json-c escapes '/' unless told not to. */
#define RECORD_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static size_t max_line = RECORD_MAX_LINE;

void
record_set_max_line(size_t max)
{
	max_line = max;
}

size_t
record_max_line(void)
{
	return max_line;
}

void
record_in_init(struct record_in *in, int npaths, char **paths)
{
	memset(in, 0, sizeof(*in));
	in->paths = paths;
	in->npaths = npaths;
	in->max_line = max_line;
	in->tok = json_tokener_new();
	if (in->tok == NULL)
		die(EXIT_OSERR, "out of memory");
	/* RFC 8259, not json-c's lenient dialect (quotes, commas, comments). */
	json_tokener_set_flags(in->tok, JSON_TOKENER_STRICT);
}

/* Open the next input; return 0 when there is none left. */
static int
open_next(struct record_in *in)
{
	const char *path;

	if (in->npaths == 0) {
		if (in->next++ > 0)
			return 0;
		in->fp = stdin;
		in->name = "<stdin>";
	} else {
		if (in->next >= in->npaths)
			return 0;
		path = in->paths[in->next++];
		if (strcmp(path, "-") == 0) {
			in->fp = stdin;
			in->name = "<stdin>";
		} else {
			in->fp = fopen(path, "r");
			if (in->fp == NULL)
				die(EXIT_NOINPUT, "%s:", path);
			in->name = path;
		}
	}
	in->lineno = 0;
	return 1;
}

static void
close_current(struct record_in *in)
{
	if (ferror(in->fp))
		die(EXIT_NOINPUT, "read error: %s", in->name);
	if (in->fp != stdin)
		fclose(in->fp);
	in->fp = NULL;
}

/*
 * json-c clamps integers outside 64 bits instead of failing; such a value
 * would leave changed, so refuse it.  The clamp values themselves are
 * refused too: they cannot be told apart.  Even in strict mode json-c
 * takes NaN and Infinity, which are not JSON.  jscan_record refuses all of
 * these first; this check stays as a second opinion, which the
 * differential tests (tests/record.bats) compare with jscan's.
 */
static int
has_bad_number(struct json_object *o)
{
	const char *t, *d;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_double:
		if (!isfinite(json_object_get_double(o)))
			return 1;
		/* json-c keeps "1." and "1.e5" as written: not JSON. */
		t = json_object_to_json_string(o);
		d = strchr(t, '.');
		return d != NULL && (d[1] < '0' || d[1] > '9');
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MIN)
			return 1;
		return json_object_get_uint64(o) == UINT64_MAX;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (has_bad_number(v))
				return 1;
		}
		return 0;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (has_bad_number(json_object_array_get_idx(o, i)))
				return 1;
		return 0;
	default:
		return 0;
	}
}

static int
hex4(const char *p, unsigned *v)
{
	int i, c;

	*v = 0;
	for (i = 0; i < 4; i++) {
		c = p[i];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return -1;
		*v = *v << 4 | (unsigned)c;
	}
	return 0;
}

/*
 * json-c 0.16 decodes some escaped surrogate pairs (high surrogates with
 * (H & 0x3E) == 0x36, e.g. U+1D800..U+1DFFF) to U+FFFD, changing values.
 * Rewrite every escaped pair as raw UTF-8, which JSON allows and json-c
 * reads right; return the new length.  Other escapes are left as they are.
 */
static size_t
unescape_pairs(char *s, size_t len)
{
	size_t i = 0, o = 0, run;
	const char *q;
	unsigned hi, lo, c;

	/*
	 * Text between escapes moves in runs, and not at all until the first
	 * pair: most lines have none.
	 */
	for (;;) {
		q = memchr(s + i, '\\', len - i);
		run = (q != NULL ? (size_t)(q - s) : len) - i;
		if (o != i)
			memmove(s + o, s + i, run);
		o += run;
		i += run;
		if (q == NULL)
			return o;
		if (i + 12 <= len && s[i + 1] == 'u' && hex4(s + i + 2, &hi) == 0
		    && hi >= 0xD800 && hi <= 0xDBFF && s[i + 6] == '\\' &&
		    s[i + 7] == 'u' && hex4(s + i + 8, &lo) == 0 &&
		    lo >= 0xDC00 && lo <= 0xDFFF) {
			c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
			s[o++] = (char)(0xF0 | c >> 18);
			s[o++] = (char)(0x80 | (c >> 12 & 0x3F));
			s[o++] = (char)(0x80 | (c >> 6 & 0x3F));
			s[o++] = (char)(0x80 | (c & 0x3F));
			i += 12;
			continue;
		}
		/* Any other escape: copy it whole, so "\\\\u" stays put. */
		s[o++] = s[i++];
		if (i < len)
			s[o++] = s[i++];
	}
}

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/* Nonzero if some byte of w is below n (n <= 128), or equal to c. */
#define HAS_LESS(w, n)	(((w) - (n) * ONES) & ~(w) & HIGHS)
#define HAS_BYTE(w, c)	HAS_LESS((w) ^ ((c) * ONES), 1)
/*
 * The first byte that HAS_LESS, HAS_BYTE or HIGHS flagged.  Borrows only
 * run upward, so the lowest flag is always a true one; where the lowest
 * byte is not the first in memory, start from the word's first byte and
 * let the byte loop find it.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m)	((size_t)__builtin_ctzll(m) >> 3)
#else
#define FIRST_FLAGGED(m)	((size_t)0)
#endif

enum {
	SCAN_CONTROL = 1,	/* a raw control byte other than TAB, CR */
	SCAN_UESCAPE = 2	/* a "\u" escape */
};

/*
 * One pass over a line: return the length of its valid UTF-8 prefix (len
 * when all of it is valid) and set *flags to what the parser must be
 * spared or helped with.  Words of plain ASCII are skipped eight bytes at
 * a time.
 */
static size_t
scan_bytes(const char *str, size_t len, int *flags)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, ok;
	uint64_t w, m;

	*flags = 0;
	while (i < len) {
		if (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			m = (w & HIGHS) | HAS_LESS(w, 0x20) | HAS_BYTE(w, '\\');
			if (m == 0) {
				i += 8;
				continue;
			}
			i += FIRST_FLAGGED(m);
		}
		if (s[i] >= 0x80) {
			/* Validate the non-ASCII run up to the next ASCII. */
			for (ok = i; ok < len && s[ok] >= 0x80; ok++)
				;
			ok = i + utf8_valid_prefix(str + i, ok - i);
			if (ok < len && s[ok] >= 0x80)
				return ok;
			i = ok;
			continue;
		}
		if (s[i] == '\\' && i + 1 < len) {
			if (s[i + 1] == 'u')
				*flags |= SCAN_UESCAPE;
			else if (s[i + 1] == '\\')
				i++;	/* "\\u" is no escape */
		} else if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\r')
			*flags |= SCAN_CONTROL;
		i++;
	}
	return len;
}

#ifdef AVX2_PATH
/* A compare's result as a bit per byte. */
#define MASK(v)		((unsigned)_mm256_movemask_epi8(v))
#define SPLAT(c)	_mm256_set1_epi8((char)(c))
/* Bytes of v from n back: the last n of prev, then v's first 32 - n. */
#define BACK(v, prev, n) _mm256_alignr_epi8(v, \
    _mm256_permute2x128_si256(prev, v, 0x21), 16 - (n))

/*
 * scan_bytes 32 bytes at a time with AVX2: a fifth of its time on prose in
 * Cyrillic, Chinese or Japanese, where it goes a character at a time.  A
 * block is valid UTF-8 when a continuation byte (80..BF) is where, and
 * only where, a lead wants one (one byte after C0..FF, two after E0..FF,
 * three after F0..FF) and the second byte of a sequence is in RFC 3629's
 * range; leads C0 C1 F5..FF never are.  A bad block sends the line to
 * scan_bytes, for the position and the flags; so does the tail, from the
 * last character boundary.  A "\u" after an escaped backslash raises
 * SCAN_UESCAPE here but not there: it costs unescape_pairs a look, no
 * more.
 */
__attribute__((target("avx2")))
static size_t
scan_avx2(const char *str, size_t len, int *flags)
{
	const unsigned char *s = (const unsigned char *)str;
	__m256i v, x, p1, p2, p3, prev = _mm256_setzero_si256(), bad, cont;
	__m256i lead;
	size_t i, j;
	unsigned high, slash, last_slash = 0, open = 0, big, wide = 0;
	int tail;

	*flags = 0;
	for (i = 0; i + 32 <= len; i += 32) {
		v = _mm256_loadu_si256((const __m256i *)(s + i));
		high = MASK(v);
		slash = MASK(_mm256_cmpeq_epi8(v, SPLAT('\\')));
		if ((slash | last_slash) != 0) {
			if (((slash << 1 | last_slash) &
			    MASK(_mm256_cmpeq_epi8(v, SPLAT('u')))) != 0)
				*flags |= SCAN_UESCAPE;
			last_slash = slash >> 31;
		}
		if ((MASK(_mm256_cmpgt_epi8(SPLAT(0x20), v)) & ~high & ~MASK(
		    _mm256_or_si256(_mm256_cmpeq_epi8(v, SPLAT('\t')),
		    _mm256_cmpeq_epi8(v, SPLAT('\r'))))) != 0)
			*flags |= SCAN_CONTROL;
		if ((high | open) == 0) {
			prev = v;
			wide = 0;
			continue;
		}
		/* Flipping the top bit makes signed compares unsigned ones. */
		x = _mm256_xor_si256(v, SPLAT(0x80));
		p1 = _mm256_xor_si256(BACK(v, prev, 1), SPLAT(0x80));
		lead = _mm256_cmpgt_epi8(x, SPLAT(0x3F));
		cont = _mm256_andnot_si256(lead, _mm256_cmpgt_epi8(x,
		    SPLAT(-1)));
		big = MASK(_mm256_cmpgt_epi8(x, SPLAT(0x5F)));
		if ((big | wide) == 0) {
			/* Characters of one or two bytes, as in most prose. */
			bad = _mm256_xor_si256(cont, _mm256_cmpgt_epi8(p1,
			    SPLAT(0x3F)));
			bad = _mm256_or_si256(bad, _mm256_cmpeq_epi8(
			    _mm256_and_si256(v, SPLAT(0xFE)), SPLAT(0xC0)));
			if (MASK(bad) != 0)
				return scan_bytes(str, len, flags);
			open = MASK(lead) >> 31;
			prev = v;
			continue;
		}
		p2 = _mm256_xor_si256(BACK(v, prev, 2), SPLAT(0x80));
		p3 = _mm256_xor_si256(BACK(v, prev, 3), SPLAT(0x80));
		bad = _mm256_xor_si256(cont, _mm256_or_si256(_mm256_or_si256(
		    _mm256_cmpgt_epi8(p1, SPLAT(0x3F)),
		    _mm256_cmpgt_epi8(p2, SPLAT(0x5F))),
		    _mm256_cmpgt_epi8(p3, SPLAT(0x6F))));
		bad = _mm256_or_si256(bad, _mm256_cmpeq_epi8(_mm256_and_si256(v,
		    SPLAT(0xFE)), SPLAT(0xC0)));
		bad = _mm256_or_si256(bad, _mm256_cmpgt_epi8(x, SPLAT(0x74)));
		/* E0 80..9F, ED A0..BF, F0 80..8F, F4 90..BF. */
		bad = _mm256_or_si256(bad, _mm256_and_si256(_mm256_cmpeq_epi8(
		    p1, SPLAT(0x60)), _mm256_cmpgt_epi8(SPLAT(0x20), x)));
		bad = _mm256_or_si256(bad, _mm256_and_si256(_mm256_cmpeq_epi8(
		    p1, SPLAT(0x6D)), _mm256_cmpgt_epi8(x, SPLAT(0x1F))));
		bad = _mm256_or_si256(bad, _mm256_and_si256(_mm256_cmpeq_epi8(
		    p1, SPLAT(0x70)), _mm256_cmpgt_epi8(SPLAT(0x10), x)));
		bad = _mm256_or_si256(bad, _mm256_and_si256(_mm256_cmpeq_epi8(
		    p1, SPLAT(0x74)), _mm256_cmpgt_epi8(x, SPLAT(0x0F))));
		if (MASK(bad) != 0)
			return scan_bytes(str, len, flags);
		/* A character the block's end cuts short: C0.. last, ... */
		open = MASK(_mm256_or_si256(_mm256_or_si256(lead,
		    _mm256_cmpgt_epi8(p1, SPLAT(0x5F))),
		    _mm256_cmpgt_epi8(p2, SPLAT(0x6F)))) >> 31;
		/* E0.. in the last three bytes: the next block looks back. */
		wide = big >> 29;
		prev = v;
	}
	/*
	 * The tail goes from the lead of a character cut short, or from the
	 * first of the backslashes before it: scan_bytes counts them anew.
	 */
	j = i;
	if (open) {
		while ((s[j - 1] & 0xC0) == 0x80)
			j--;
		j--;
	}
	while (j > 0 && s[j - 1] == '\\')
		j--;
	j += scan_bytes(str + j, len - j, &tail);
	*flags |= tail;
	return j;
}
#endif

/* scan_bytes, by AVX2 where the CPU has it. */
static size_t
scan_line(const char *str, size_t len, int *flags)
{
#ifdef AVX2_PATH
	if (__builtin_cpu_supports("avx2"))
		return scan_avx2(str, len, flags);
#endif
	return scan_bytes(str, len, flags);
}

/* Why json-c did not parse the line, in its words. */
static const char *
parse_error(struct record_in *in)
{
	enum json_tokener_error e = json_tokener_get_error(in->tok);

	if (in->len == 0)
		return "empty line";
	if (e == json_tokener_continue)
		return "unexpected end of line";
	if (e == json_tokener_success)
		return "text after the JSON value";
	return json_tokener_error_desc(e);
}

int
record_next_line(struct record_in *in)
{
	int64_t n;
	size_t bad, keep = in->max_line + 2;	/* room for CR LF */
	int flags;

	for (;;) {
		if (in->fp == NULL && !open_next(in))
			return 0;
		/* A line too long to take is read past, never held whole. */
		n = egetline(&in->line, &in->cap, keep, &in->ra, in->fp);
		if (n < 0) {
			close_current(in);
			continue;
		}
		in->lineno++;
		in->bytes += (uint64_t)n;
		in->len = (size_t)n;
		/* A CRLF line end leaves no CR behind in the line. */
		if ((uint64_t)n <= keep && in->len > 0 &&
		    in->line[in->len - 1] == '\n')
			in->len--;
		if ((uint64_t)n <= keep && in->len > 0 &&
		    in->line[in->len - 1] == '\r')
			in->len--;
		break;
	}
	/* The size given is the line's as read, its line end included. */
	if ((uint64_t)n > keep || in->len > in->max_line)
		die(EXIT_DATAERR, "%s:%zu: record of %lld bytes exceeds the "
		    "limit of %zu (--max-record)", in->name, in->lineno,
		    (long long)n, in->max_line);
	bad = scan_line(in->line, in->len, &flags);
	if (bad != in->len)
		die(EXIT_DATAERR, "%s:%zu: invalid UTF-8 at byte %zu",
		    in->name, in->lineno, bad + 1);
	if (flags & SCAN_CONTROL)
		die(EXIT_DATAERR, "%s:%zu: malformed record: raw control "
		    "character", in->name, in->lineno);
	if (flags & SCAN_UESCAPE)
		in->len = unescape_pairs(in->line, in->len);
	return 1;
}

void
record_scan(const struct record_in *in, struct jscan_field *want,
    size_t nwant)
{
	record_scan_keys(in, want, nwant, NULL, NULL);
}

void
record_scan_keys(const struct record_in *in, struct jscan_field *want,
    size_t nwant, jscan_key_fn *key, void *arg)
{
	const char *err;

	if (jscan_record_keys(in->line, in->len, want, nwant, key, arg,
	    &err) != 0)
		die(EXIT_DATAERR, "%s:%zu: malformed record: %s", in->name,
		    in->lineno, err);
}

size_t
record_unescape(const char *s, size_t len, int escaped, char **buf,
    size_t *cap)
{
	if (*cap < len + 1) {
		*cap = len + 1;
		*buf = erealloc(*buf, *cap);
	}
	if (escaped)
		return jscan_unescape(s, len, *buf);
	memcpy(*buf, s, len);
	(*buf)[len] = '\0';
	return len;
}

/*
 * jscan_record decides what is a record, json-c then builds it.  json-c's
 * own refusals below would mean the two disagree; they are kept so that a
 * line one refuses can never pass (tests/record.bats compares them).
 */
struct json_object *
record_next(struct record_in *in)
{
	struct json_object *o;

	if (!record_next_line(in))
		return NULL;
	record_scan(in, NULL, 0);
	json_tokener_reset(in->tok);
	o = json_tokener_parse_ex(in->tok, in->line, (int)in->len);
	if (o == NULL || json_tokener_get_error(in->tok) != json_tokener_success
	    || (size_t)json_tokener_get_parse_end(in->tok) != in->len) {
		if (o != NULL)
			json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: %s", in->name,
		    in->lineno, parse_error(in));
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: not a JSON object",
		    in->name, in->lineno);
	}
	if (has_bad_number(o)) {
		json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: a number JSON "
		    "cannot carry unchanged (NaN, Infinity, 1., or beyond 64 "
		    "bits)", in->name, in->lineno);
	}
	return o;
}

void
record_in_free(struct record_in *in)
{
	if (in->fp != NULL)
		close_current(in);
	free(in->line);
	free(in->ra.buf);
	json_tokener_free(in->tok);
	in->line = NULL;
	in->ra.buf = NULL;
	in->tok = NULL;
}

/*
 * A json-c string serializer that writes what json-c's own would (the
 * same escapes: \b \f \n \r \t \" \\, other controls as \u00XX, '/'
 * left alone as our flags ask) but copies unescaped spans whole: json-c
 * escapes a byte at a time, measured at 40% of a stage's time on long
 * texts.  A test pins the output to json-c's.
 */
static int
string_serializer(struct json_object *o, struct printbuf *pb, int level,
    int flags)
{
	static const char hex[] = "0123456789abcdef";
	const char *s = json_object_get_string(o);
	size_t len = (size_t)json_object_get_string_len(o), i = 0, j;
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	unsigned char c;
	uint64_t w;

	(void)level;
	(void)flags;
	printbuf_strappend(pb, "\"");
	while (i < len) {
		for (j = i; j + 8 <= len; j += 8) {
			memcpy(&w, s + j, 8);
			if (HAS_LESS(w, 0x20) || HAS_BYTE(w, '"') ||
			    HAS_BYTE(w, '\\'))
				break;
		}
		while (j < len && (unsigned char)s[j] >= 0x20 && s[j] != '"' &&
		    s[j] != '\\')
			j++;
		if (j > i)
			printbuf_memappend(pb, s + i, (int)(j - i));
		if (j == len)
			break;
		c = (unsigned char)s[j];
		switch (c) {
		case '\b': printbuf_strappend(pb, "\\b"); break;
		case '\f': printbuf_strappend(pb, "\\f"); break;
		case '\n': printbuf_strappend(pb, "\\n"); break;
		case '\r': printbuf_strappend(pb, "\\r"); break;
		case '\t': printbuf_strappend(pb, "\\t"); break;
		case '"': printbuf_strappend(pb, "\\\""); break;
		case '\\': printbuf_strappend(pb, "\\\\"); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			printbuf_memappend(pb, esc, 6);
		}
		i = j + 1;
	}
	printbuf_strappend(pb, "\"");
	return 0;
}

size_t
record_write(FILE *fp, const char *name, struct json_object *o)
{
	struct json_object *text;
	const char *s;
	size_t len;

	/* The text is nearly all of a record: serialize it fast. */
	if (json_object_object_get_ex(o, "text", &text) &&
	    json_object_is_type(text, json_type_string))
		json_object_set_serializer(text, string_serializer, NULL, NULL);

	s = json_object_to_json_string_length(o, RECORD_FLAGS, &len);
	if (s == NULL)
		die(EXIT_OSERR, "out of memory");
	efwrite(s, len, fp, name);
	if (putc('\n', fp) == EOF)
		die(EXIT_IOERR, "write error: %s:", name);
	return len + 1;
}

size_t
record_write_line(FILE *fp, const char *name, const struct record_in *in)
{
	efwrite(in->line, in->len, fp, name);
	if (putc('\n', fp) == EOF)
		die(EXIT_IOERR, "write error: %s:", name);
	return in->len + 1;
}

const char *
record_str(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

const char *
record_path(struct json_object *o, const char *key, const char *sub)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return record_str(v, sub, NULL);
}

void
record_set_str(struct json_object *o, const char *key, const char *s,
    size_t len)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string)) {
		if (json_object_set_string_len(v, s, (int)len) == 0)
			die(EXIT_OSERR, "out of memory");
		return;
	}
	v = json_object_new_string_len(s, (int)len);
	if (v == NULL)
		die(EXIT_OSERR, "out of memory");
	/* json-c replaces an existing key in place, keeping its position. */
	json_object_object_add(o, key, v);
}
