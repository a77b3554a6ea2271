/*
 * JSON Lines records checked in one pass, without building an object.
 * String bodies, nearly all of a record, are skipped 32 or eight bytes at
 * a time; the rest is a recursive descent at most JSCAN_MAX_DEPTH deep.
 * Error messages are json-c's, so a record refused here reads the same in
 * every stage (lib/record.c scans every line before json-c parses it).
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define AVX2_PATH	1	/* skip_avx2, where the CPU has AVX2 */
#endif

#include "jscan.h"

#define ONES	0x0101010101010101ULL
#define HIGHS	0x8080808080808080ULL
/* Nonzero if some byte of w is below n (n <= 128), or equal to c. */
#define HAS_LESS(w, n)	(((w) - (n) * ONES) & ~(w) & HIGHS)
#define HAS_BYTE(w, c)	HAS_LESS((w) ^ ((c) * ONES), 1)

/*
 * The first byte that HAS_LESS or HAS_BYTE flagged.  Borrows only run
 * upward, so the lowest flag is always a true one; where the lowest byte
 * is not the first in memory, start from the word's first byte instead and
 * let the byte loop find it.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define FIRST_FLAGGED(m)	((size_t)__builtin_ctzll(m) >> 3)
#else
#define FIRST_FLAGGED(m)	((size_t)0)
#endif

/*
 * Escaped keys longer than this are not decoded to be compared with the
 * fields' keys: at six bytes an escape, a key of JSCAN_KEY_MAX fits.
 */
#define KEY_BUF		(6 * JSCAN_KEY_MAX)

/* The errors json-c names alike, in its words. */
static const char E_EMPTY[] = "empty line";
static const char E_END[] = "unexpected end of line";
static const char E_CHAR[] = "unexpected character";
static const char E_DEPTH[] = "nesting too deep";
static const char E_NULL[] = "null expected";
static const char E_BOOL[] = "boolean expected";
static const char E_NUMBER[] = "number expected";
static const char E_ARRAY_SEP[] = "array value separator ',' expected";
static const char E_KEY[] = "quoted object property name expected";
static const char E_COLON[] = "object property name separator ':' expected";
static const char E_OBJECT_SEP[] = "object value separator ',' expected";
static const char E_STRING[] = "invalid string sequence";
static const char E_NOT_OBJECT[] = "not a JSON object";
/* And what json-c takes but cannot carry unchanged. */
static const char E_CONTROL[] = "raw control character";
static const char E_SURROGATE[] = "unpaired surrogate in a \\u escape";
static const char E_KEY_NUL[] = "\\u0000 in a key, which json-c cuts short";
static const char E_BAD_NUMBER[] = "a number JSON cannot carry unchanged "
    "(NaN, Infinity, 1., or beyond 64 bits)";

/* The integers json-c keeps: its clamp values 2^64 - 1 and -2^63 are not. */
static const char MAX_POSITIVE[] = "18446744073709551614";
static const char MAX_NEGATIVE[] = "9223372036854775807";

struct scan {
	const unsigned char *p;	/* next byte */
	const unsigned char *end;
	const char *err;
	struct jscan_field *want;
	size_t	nwant;
	jscan_key_fn *key;	/* for the top-level keys, or NULL */
	void	*arg;
};

static int	scan_value(struct scan *, int);

static int
fail(struct scan *s, const char *err)
{
	s->err = err;
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_ws(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void
skip_ws(struct scan *s)
{
	while (s->p < s->end && is_ws(*s->p))
		s->p++;
}

static int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The four hex digits at p, in *u; the line may end before them. */
static int
hex4(struct scan *s, const unsigned char *p, unsigned *u)
{
	int i, d;

	*u = 0;
	for (i = 0; i < 4; i++) {
		if (p + i >= s->end)
			return fail(s, E_END);
		if ((d = hex_digit(p[i])) < 0)
			return fail(s, E_STRING);
		*u = *u << 4 | (unsigned)d;
	}
	return 0;
}

/*
 * Check the escape whose backslash is just before p; return the byte after
 * it, or NULL on error.  A high surrogate must come with its low one.
 */
static const unsigned char *
scan_escape(struct scan *s, const unsigned char *p, int is_key)
{
	unsigned u, lo;

	if (p == s->end) {
		fail(s, E_END);
		return NULL;
	}
	switch (*p) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r':
	case 't':
		return p + 1;
	case 'u':
		break;
	default:
		fail(s, E_STRING);
		return NULL;
	}
	if (hex4(s, p + 1, &u) != 0)
		return NULL;
	p += 5;
	if (u == 0 && is_key) {
		fail(s, E_KEY_NUL);
		return NULL;
	}
	if (u < 0xD800 || u > 0xDFFF)
		return p;
	if (u >= 0xDC00) {
		fail(s, E_SURROGATE);
		return NULL;
	}
	if ((p < s->end && *p != '\\') || (p + 1 < s->end && p[1] != 'u')) {
		fail(s, E_SURROGATE);
		return NULL;
	}
	if (hex4(s, p + 2, &lo) != 0)
		return NULL;
	if (lo < 0xDC00 || lo > 0xDFFF) {
		fail(s, E_SURROGATE);
		return NULL;
	}
	return p + 6;
}

/* Whether \c is one of JSON's two-byte escapes. */
static int
is_short_escape(int c)
{
	return c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
	    c == 'n' || c == 'r' || c == 't';
}

#ifdef AVX2_PATH
/*
 * Skip string bytes from p, 32 at a time with AVX2, up to the first quote,
 * control byte or backslash that is not a two-byte escape within the
 * block (prose has one of those every few dozen bytes), or to the last
 * 31 bytes; return where it stopped.  Set *escaped if it passed an escape.
 */
__attribute__((target("avx2")))
static const unsigned char *
skip_avx2(const unsigned char *p, const unsigned char *end, int *escaped)
{
	const __m256i quote = _mm256_set1_epi8('"');
	const __m256i slash = _mm256_set1_epi8('\\');
	const __m256i space = _mm256_set1_epi8(0x1F);
	__m256i v;
	unsigned mask, k;

	while (end - p >= 32) {
		v = _mm256_loadu_si256((const __m256i *)p);
		/* max(v, 0x1F) == 0x1F: a byte below 0x20. */
		mask = (unsigned)_mm256_movemask_epi8(_mm256_or_si256(
		    _mm256_or_si256(_mm256_cmpeq_epi8(v, quote),
		    _mm256_cmpeq_epi8(v, slash)),
		    _mm256_cmpeq_epi8(_mm256_max_epu8(v, space), space)));
		for (; mask != 0; mask &= ~(3u << k)) {
			k = (unsigned)__builtin_ctz(mask);
			if (p[k] != '\\' || k == 31 ||
			    !is_short_escape(p[k + 1]))
				return p + k;
			*escaped = 1;
		}
		p += 32;
	}
	return p;
}
#endif

/*
 * Skip the string whose opening quote is at s->p; its contents in *str,
 * *len, and in *escaped whether they hold escapes.  Blocks with no quote,
 * backslash or control byte are skipped whole: of 32 bytes with AVX2,
 * where the CPU has it, else words of eight.
 */
static int
scan_string(struct scan *s, int is_key, const char **str, size_t *len,
    int *escaped)
{
	const unsigned char *p = s->p + 1, *start = p, *end = s->end;
	uint64_t w, m;

	*escaped = 0;
	for (;;) {
#ifdef AVX2_PATH
		if (__builtin_cpu_supports("avx2"))
			p = skip_avx2(p, end, escaped);
#endif
		while (end - p >= 8) {
			memcpy(&w, p, 8);
			m = HAS_LESS(w, 0x20) | HAS_BYTE(w, '"') |
			    HAS_BYTE(w, '\\');
			if (m != 0) {
				p += FIRST_FLAGGED(m);
				break;
			}
			p += 8;
		}
		while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
			p++;
		if (p == end)
			return fail(s, E_END);
		if (*p == '"')
			break;
		if (*p < 0x20)
			return fail(s, E_CONTROL);
		*escaped = 1;
		if ((p = scan_escape(s, p + 1, is_key)) == NULL)
			return -1;
	}
	*str = (const char *)start;
	*len = (size_t)(p - start);
	s->p = p + 1;
	return 0;
}

/* Return 1 if the bytes at p spell lit, all of it before the line ends. */
static int
spells(const struct scan *s, const unsigned char *p, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(s->end - p) >= n && memcmp(p, lit, n) == 0;
}

/*
 * Whether the number at p, known to be of 10^308 or more, is beyond the
 * largest double: strtod decides, as for json-c, in the C locale whatever
 * the program's (json-c does the same).
 */
static int
overflows(const unsigned char *p)
{
	locale_t c, old = (locale_t)0;
	double d;

	c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c != (locale_t)0)
		old = uselocale(c);
	d = strtod((const char *)p, NULL);
	if (c != (locale_t)0) {
		uselocale(old);
		freelocale(c);
	}
	return isinf(d);
}

/*
 * A number: RFC 8259's grammar, then json-c's range.  It must be followed
 * by what may follow a value, except at the top level, where the line may
 * end (that value is refused later as not an object).
 */
static int
scan_number(struct scan *s, int top)
{
	const unsigned char *p = s->p, *end = s->end, *digits;
	const char *lim;
	int neg = 0, isint = 1, expneg = 0;
	long long exp = 0, magnitude;
	size_t ndigits;

	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (p == end)
		return fail(s, E_END);
	if (*p == 'I')
		return fail(s, spells(s, p, "Infinity") ? E_BAD_NUMBER :
		    E_CHAR);
	digits = p;
	if (!is_digit(*p))
		return fail(s, E_NUMBER);
	while (++p < end && is_digit(*p))
		;
	ndigits = (size_t)(p - digits);
	if (*digits == '0' && ndigits > 1)
		return fail(s, E_NUMBER);	/* a leading zero */
	if (p < end && *p == '.') {
		isint = 0;
		if (++p == end)
			return fail(s, E_END);
		if (!is_digit(*p))
			return fail(s, E_BAD_NUMBER);	/* "1." */
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		isint = 0;
		if (++p < end && (*p == '+' || *p == '-'))
			expneg = *p++ == '-';
		if (p == end)
			return fail(s, E_END);
		if (!is_digit(*p))
			return fail(s, E_NUMBER);
		for (; p < end && is_digit(*p); p++)
			if (exp < 1000000)
				exp = exp * 10 + (*p - '0');
	}
	if (p == end) {
		if (!top)
			return fail(s, E_END);
	} else if (!is_ws(*p) && *p != ',' && *p != ']' && *p != '}')
		return fail(s, E_NUMBER);
	else if (isint) {
		lim = neg ? MAX_NEGATIVE : MAX_POSITIVE;
		if (ndigits > strlen(lim) || (ndigits == strlen(lim) &&
		    memcmp(digits, lim, ndigits) > 0))
			return fail(s, E_BAD_NUMBER);
	} else {
		/* Below 10^magnitude; a double reaches past 10^308. */
		magnitude = (*digits == '0' ? 0 : (long long)ndigits) +
		    (expneg ? -exp : exp);
		if (magnitude > 308 && overflows(s->p))
			return fail(s, E_BAD_NUMBER);
	}
	s->p = p;
	return 0;
}

/* One of true, false, null; what follows is the container's to judge. */
static int
scan_literal(struct scan *s, const char *lit, const char *err)
{
	size_t i;

	for (i = 0; lit[i] != '\0'; i++) {
		if (s->p + i == s->end)
			return fail(s, E_END);
		if (s->p[i] != (unsigned char)lit[i])
			return fail(s, err);
	}
	s->p += i;
	return 0;
}

/*
 * The fields among whose key (sub, below the top level) is the key
 * key[0..len), escaped or not; returned as a mask of their indexes.
 */
static uint64_t
match_key(const struct scan *s, const char *key, size_t len, int escaped,
    uint64_t among, int top)
{
	char buf[KEY_BUF + 1];
	const char *name;
	uint64_t m = 0;
	size_t i;

	if (escaped) {
		if (len > KEY_BUF)
			return 0;
		len = jscan_unescape(key, len, buf);
		key = buf;
	}
	for (i = 0; i < s->nwant; i++) {
		if (!(among >> i & 1))
			continue;
		name = top ? s->want[i].key : s->want[i].sub;
		if (strlen(name) == len && memcmp(name, key, len) == 0)
			m |= (uint64_t)1 << i;
	}
	return m;
}

static int	scan_object(struct scan *, int, uint64_t);

/*
 * The value at level of a member that the fields in m name: at the top
 * level by their key, below it by their sub.  The last such member counts,
 * so each begins by forgetting an earlier one.
 */
static int
scan_wanted(struct scan *s, int level, uint64_t m, int top)
{
	struct jscan_field *f;
	uint64_t direct = 0, nested = 0;
	const char *str;
	size_t i, len;
	int escaped;

	for (i = 0; i < s->nwant; i++) {
		if (!(m >> i & 1))
			continue;
		f = &s->want[i];
		f->type = JSCAN_ABSENT;
		if (top && f->sub != NULL)
			nested |= (uint64_t)1 << i;
		else
			direct |= (uint64_t)1 << i;
	}
	if (s->p < s->end && *s->p == '"') {
		if (scan_string(s, 0, &str, &len, &escaped) != 0)
			return -1;
		for (i = 0; i < s->nwant; i++)
			if (direct >> i & 1) {
				f = &s->want[i];
				f->type = JSCAN_STRING;
				f->str = str;
				f->len = len;
				f->escaped = escaped;
			}
		return 0;
	}
	if (s->p < s->end && *s->p == '{' && nested != 0 &&
	    level <= JSCAN_MAX_DEPTH)
		return scan_object(s, level, nested);
	if (scan_value(s, level) != 0)
		return -1;
	for (i = 0; i < s->nwant; i++)
		if (direct >> i & 1)
			s->want[i].type = JSCAN_OTHER;
	return 0;
}

/*
 * The object at s->p, at level; among holds the fields whose keys (at
 * level 1) or subs (below) its members may be.
 */
static int
scan_object(struct scan *s, int level, uint64_t among)
{
	const char *key;
	size_t len;
	uint64_t m;
	int escaped;

	s->p++;
	skip_ws(s);
	if (s->p == s->end)
		return fail(s, E_END);
	if (*s->p == '}') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (*s->p != '"')
			return fail(s, E_KEY);
		if (scan_string(s, 1, &key, &len, &escaped) != 0)
			return -1;
		if (level == 1 && s->key != NULL)
			s->key(s->arg, key, len, escaped);
		skip_ws(s);
		if (s->p == s->end)
			return fail(s, E_END);
		if (*s->p != ':')
			return fail(s, E_COLON);
		s->p++;
		skip_ws(s);
		m = among == 0 ? 0 : match_key(s, key, len, escaped, among,
		    level == 1);
		if ((m != 0 ? scan_wanted(s, level + 1, m, level == 1) :
		    scan_value(s, level + 1)) != 0)
			return -1;
		skip_ws(s);
		if (s->p == s->end)
			return fail(s, E_END);
		if (*s->p == '}') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return fail(s, E_OBJECT_SEP);
		s->p++;
		skip_ws(s);
		if (s->p == s->end)
			return fail(s, E_END);
		if (*s->p == '}')
			return fail(s, E_CHAR);	/* a trailing comma */
	}
}

static int
scan_array(struct scan *s, int level)
{
	s->p++;
	skip_ws(s);
	if (s->p == s->end)
		return fail(s, E_END);
	if (*s->p == ']') {
		s->p++;
		return 0;
	}
	for (;;) {
		if (scan_value(s, level + 1) != 0)
			return -1;
		skip_ws(s);
		if (s->p == s->end)
			return fail(s, E_END);
		if (*s->p == ']') {
			s->p++;
			return 0;
		}
		if (*s->p != ',')
			return fail(s, E_ARRAY_SEP);
		s->p++;
		skip_ws(s);
		if (s->p == s->end)
			return fail(s, E_END);
		if (*s->p == ']')
			return fail(s, E_CHAR);	/* a trailing comma */
	}
}

/*
 * Any value at s->p, at level (the record is level 1).  json-c counts
 * every value, not only containers, against its depth limit.
 */
static int
scan_value(struct scan *s, int level)
{
	const char *str;
	size_t len;
	int escaped;

	if (s->p == s->end)
		return fail(s, E_END);
	if (level > JSCAN_MAX_DEPTH)
		return fail(s, E_DEPTH);
	switch (*s->p) {
	case '{':
		return scan_object(s, level, 0);
	case '[':
		return scan_array(s, level);
	case '"':
		return scan_string(s, 0, &str, &len, &escaped);
	case '-': case '0': case '1': case '2': case '3': case '4': case '5':
	case '6': case '7': case '8': case '9':
		return scan_number(s, level == 1);
	case 't':
		return scan_literal(s, "true", E_BOOL);
	case 'f':
		return scan_literal(s, "false", E_BOOL);
	case 'n':
		return scan_literal(s, "null", E_NULL);
	case 'T': case 'F':
		return fail(s, E_BOOL);
	case 'N':
		return fail(s, spells(s, s->p, "NaN") ? E_BAD_NUMBER : E_NULL);
	case 'I':
		return fail(s, spells(s, s->p, "Infinity") ? E_BAD_NUMBER :
		    E_CHAR);
	default:
		return fail(s, E_CHAR);
	}
}

int
jscan_record(const char *line, size_t len, struct jscan_field *want,
    size_t nwant, const char **err)
{
	return jscan_record_keys(line, len, want, nwant, NULL, NULL, err);
}

int
jscan_record_keys(const char *line, size_t len, struct jscan_field *want,
    size_t nwant, jscan_key_fn *key, void *arg, const char **err)
{
	struct scan s;
	size_t i;
	int object;

	/* A caller's mistake, not the data's: say so loudly. */
	if (nwant > JSCAN_MAX_FIELDS)
		abort();
	for (i = 0; i < nwant; i++) {
		want[i].type = JSCAN_ABSENT;
		want[i].str = NULL;
		want[i].len = 0;
		want[i].escaped = 0;
	}
	s.p = (const unsigned char *)line;
	s.end = s.p + len;
	s.err = NULL;
	s.want = want;
	s.nwant = nwant;
	s.key = key;
	s.arg = arg;
	if (len == 0) {
		*err = E_EMPTY;
		return -1;
	}
	skip_ws(&s);
	if (s.p == s.end) {
		*err = E_END;
		return -1;
	}
	object = *s.p == '{';
	if (object ? scan_object(&s, 1, nwant == JSCAN_MAX_FIELDS ? UINT64_MAX :
	    ((uint64_t)1 << nwant) - 1) : scan_value(&s, 1))
		goto bad;
	skip_ws(&s);
	if (s.p != s.end)
		fail(&s, E_CHAR);
	else if (!object)
		fail(&s, E_NOT_OBJECT);
	else
		return 0;
bad:
	*err = s.err;
	return -1;
}

/* Append code point u to o as UTF-8; return the byte after it. */
static char *
put_utf8(char *o, unsigned u)
{
	if (u < 0x80)
		*o++ = (char)u;
	else if (u < 0x800) {
		*o++ = (char)(0xC0 | u >> 6);
		*o++ = (char)(0x80 | (u & 0x3F));
	} else if (u < 0x10000) {
		*o++ = (char)(0xE0 | u >> 12);
		*o++ = (char)(0x80 | (u >> 6 & 0x3F));
		*o++ = (char)(0x80 | (u & 0x3F));
	} else {
		*o++ = (char)(0xF0 | u >> 18);
		*o++ = (char)(0x80 | (u >> 12 & 0x3F));
		*o++ = (char)(0x80 | (u >> 6 & 0x3F));
		*o++ = (char)(0x80 | (u & 0x3F));
	}
	return o;
}

/* The four hex digits at p, already checked. */
static unsigned
hex4_checked(const unsigned char *p)
{
	unsigned u = 0;
	int i;

	for (i = 0; i < 4; i++)
		u = u << 4 | (unsigned)hex_digit(p[i]);
	return u;
}

size_t
jscan_unescape(const char *str, size_t len, char *buf)
{
	const unsigned char *s = (const unsigned char *)str, *end = s + len;
	const unsigned char *q;
	char *o = buf;
	unsigned u;

	while (s < end) {
		if ((q = memchr(s, '\\', (size_t)(end - s))) == NULL)
			q = end;
		memcpy(o, s, (size_t)(q - s));
		o += q - s;
		if (q == end)
			break;
		s = q + 2;
		switch (q[1]) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u':
			u = hex4_checked(s);
			s += 4;
			if (u >= 0xD800 && u <= 0xDBFF) {
				u = 0x10000 + ((u - 0xD800) << 10) +
				    (hex4_checked(s + 2) - 0xDC00);
				s += 6;
			}
			o = put_utf8(o, u);
			break;
		default:	/* '"', '\\', '/' */
			*o++ = (char)q[1];
		}
	}
	*o = '\0';
	return (size_t)(o - buf);
}
