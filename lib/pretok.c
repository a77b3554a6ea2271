/*
 * The pre-tokenizer: tiktoken's patterns, compiled by PCRE2, cut text into
 * the pieces that BPE merges; every stage that tokenizes or learns a
 * vocabulary cuts text here, so that they all meet the same pieces.
 *
 * PCRE2's JIT spends most of its time per piece setting up a match, and
 * pieces are short.  For the built-in patterns a scanner below follows
 * their alternatives by hand, with every branch and backtrack of PCRE2's
 * ordered alternation written out, on character classes that PCRE2
 * itself decides, one code point at a time, the first time it is seen:
 * so its Unicode tables are PCRE2's, not ours.  Where the scanner would
 * need case folding beyond ASCII (the contractions' "(?i)", which lets
 * U+017F match "s") it hands the piece to PCRE2.  The fuzz target
 * bpesplit and tests/tokenize.bats hold the scanner to PCRE2's pieces.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcre2.h>

#include "bpe.h"
#include "util.h"

#define JIT_STACK_MIN	((size_t)32 << 10)
#define JIT_STACK_MAX	((size_t)64 << 20)

/*
 * White space as tiktoken's regex engine (Rust's regex crate) reads \s:
 * the Unicode White_Space property.  PCRE2's \s with UCP also takes
 * U+180E MONGOLIAN VOWEL SEPARATOR, which is not White_Space since
 * Unicode 6.3, so the built-in patterns spell the class out.
 */
#define WS "\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}" \
	"\\x{2029}\\x{202F}\\x{205F}\\x{3000}"
#define SP "[" WS "]"
#define NOT_SP "[^" WS "]"
#define CONTRACTIONS "'s|'t|'re|'ve|'m|'ll|'d"
#define UPPERISH "[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]"
#define LOWERISH "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]"

/* Which scanner a pattern has: none, or the family of its encoding. */
enum scanner { SCAN_NONE, SCAN_GPT2, SCAN_CL100K, SCAN_O200K };

/*
 * tiktoken's patterns, as its npm package (the oracle of the tests) uses
 * them, with \s and \S spelled out.  The rank files hold no special
 * tokens: each name brings the ids OpenAI gives them.  quire-tokenize and
 * quire-bpe-train both split text by this table, so that a vocabulary
 * trained with a name meets the same pieces when it is used.
 */
static const struct {
	struct bpe_pattern p;
	enum scanner scan;
} patterns[] = {
	{ { "gpt2", CONTRACTIONS "| ?\\p{L}+| ?\\p{N}+| ?[^" WS
	    "\\p{L}\\p{N}]+|" SP "+(?!" NOT_SP ")|" SP "+",
	    { { "<|endoftext|>", 50256 } } }, SCAN_GPT2 },
	{ { "r50k_base", CONTRACTIONS "| ?\\p{L}+| ?\\p{N}+| ?[^" WS
	    "\\p{L}\\p{N}]+|" SP "+(?!" NOT_SP ")|" SP "+",
	    { { "<|endoftext|>", 50256 } } }, SCAN_GPT2 },
	{ { "cl100k_base", "(?i:" CONTRACTIONS ")|[^\\r\\n\\p{L}\\p{N}]?"
	    "\\p{L}+|\\p{N}{1,3}| ?[^" WS "\\p{L}\\p{N}]+[\\r\\n]*|"
	    SP "*[\\r\\n]+|" SP "+(?!" NOT_SP ")|" SP "+",
	    { { "<|endoftext|>", 100257 }, { "<|fim_prefix|>", 100258 },
	    { "<|fim_middle|>", 100259 }, { "<|fim_suffix|>", 100260 },
	    { "<|endofprompt|>", 100276 } } }, SCAN_CL100K },
	{ { "o200k_base", "[^\\r\\n\\p{L}\\p{N}]?" UPPERISH "*" LOWERISH
	    "+(?i:" CONTRACTIONS ")?|[^\\r\\n\\p{L}\\p{N}]?" UPPERISH "+"
	    LOWERISH "*(?i:" CONTRACTIONS ")?|\\p{N}{1,3}|"
	    " ?[^" WS "\\p{L}\\p{N}]+[\\r\\n/]*|" SP "*[\\r\\n]+|"
	    SP "+(?!" NOT_SP ")|" SP "+",
	    { { "<|endoftext|>", 199999 }, { "<|endofprompt|>", 200018 } } },
	    SCAN_O200K }
};
#define NPATTERNS (sizeof(patterns) / sizeof(patterns[0]))

const struct bpe_pattern *
bpe_pattern_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPATTERNS; i++)
		if (strcmp(patterns[i].p.name, name) == 0)
			return &patterns[i].p;
	return NULL;
}

/*
 * A code point's classes, as the patterns use them.  Every code point is
 * exactly one of C_L, C_N, C_WS and C_OTHER, so a class of 0 in the table
 * means "not asked yet".
 */
#define C_L	0x01	/* \p{L} */
#define C_N	0x02	/* \p{N} */
#define C_WS	0x04	/* WS above */
#define C_OTHER	0x08	/* none of the three: [^\s\p{L}\p{N}] */
#define C_UP	0x10	/* UPPERISH, o200k's */
#define C_LOW	0x20	/* LOWERISH, o200k's */
#define C_CRLF	0x40	/* \r or \n */
#define C_FOLD	0x80	/* beyond ASCII, yet caselessly one of "strevmld" */
#define C_END	0x100	/* past the text: no class at all */

#define NCODEPOINTS 0x110000

/*
 * The scanner's steps run once or more per piece, millions of times: a
 * call and its saved registers cost as much as a step's work.
 */
#if defined(__GNUC__)
#define STEP static inline __attribute__((always_inline))
#else
#define STEP static inline
#endif
#define NONE SIZE_MAX

/* Each class bit and the PCRE2 character class that decides it. */
static const struct {
	unsigned bit;
	const char *regex;
} probes[] = {
	{ C_L, "\\p{L}" },
	{ C_N, "\\p{N}" },
	{ C_WS, SP },
	{ C_UP, UPPERISH },
	{ C_LOW, LOWERISH },
	{ C_FOLD, "(?i)[strevmld]" },
};
#define NPROBES (sizeof(probes) / sizeof(probes[0]))

struct bpe_split {
	pcre2_code *re;
	pcre2_match_data *md;
	pcre2_match_context *mc;
	pcre2_jit_stack *stack;
	int	jit;		/* the JIT compiled the pattern */
	enum scanner scan;	/* SCAN_NONE: PCRE2 cuts every piece */
	uint8_t	*cls;		/* [code point]: its classes, 0 unknown */
	pcre2_code *probe[NPROBES];
	pcre2_match_data *probe_md;
};

static pcre2_code *
compile(const char *regex, int *rc, PCRE2_SIZE *off)
{
	return pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED, rc, off, NULL);
}

/*
 * Ask PCRE2 the classes of the code point cp, whose UTF-8 is p[0..n), and
 * remember them.
 */
static unsigned
classify(struct bpe_split *sp, const unsigned char *p, size_t n, uint32_t cp)
{
	unsigned k = 0;
	size_t i;
	int rc;

	for (i = 0; i < NPROBES; i++) {
		rc = sp->jit ? pcre2_jit_match(sp->probe[i], p, n, 0, 0,
		    sp->probe_md, NULL) : pcre2_match(sp->probe[i], p, n, 0,
		    PCRE2_NO_UTF_CHECK, sp->probe_md, NULL);
		if (rc >= 0)
			k |= probes[i].bit;
		else if (rc != PCRE2_ERROR_NOMATCH)
			die(EXIT_SOFTWARE, "pre-tokenizer: PCRE2 error %d "
			    "classifying U+%04X", rc, (unsigned)cp);
	}
	if (cp < 0x80)
		k &= ~C_FOLD;
	if (cp == '\r' || cp == '\n')
		k |= C_CRLF;
	if ((k & (C_L | C_N | C_WS)) == 0)
		k |= C_OTHER;
	sp->cls[cp] = (uint8_t)k;
	return k;
}

/*
 * The classes of the character at s[i], and its length in *n; C_END when
 * i is the end of the text.  s is valid UTF-8, so the lead byte tells the
 * length.
 */
static inline unsigned
class_at(struct bpe_split *sp, const unsigned char *s, size_t len, size_t i,
    size_t *n)
{
	uint32_t cp;
	unsigned c, k;

	if (i >= len) {
		*n = 0;
		return C_END;
	}
	c = s[i];
	if (c < 0x80) {
		*n = 1;
		return sp->cls[c];
	}
	if (c < 0xE0) {
		*n = 2;
		cp = (c & 0x1F) << 6 | (s[i + 1] & 0x3F);
	} else if (c < 0xF0) {
		*n = 3;
		cp = (c & 0x0F) << 12 | (s[i + 1] & 0x3F) << 6 |
		    (s[i + 2] & 0x3F);
	} else {
		*n = 4;
		cp = (c & 0x07) << 18 | (s[i + 1] & 0x3F) << 12 |
		    (s[i + 2] & 0x3F) << 6 | (s[i + 3] & 0x3F);
	}
	k = sp->cls[cp];
	return k != 0 ? k : classify(sp, s + i, *n, cp);
}

/* The end of the run of characters from i that have one of the bits. */
static inline size_t
run(struct bpe_split *sp, const unsigned char *s, size_t len, size_t i,
    unsigned bits)
{
	size_t n;

	while (class_at(sp, s, len, i, &n) & bits)
		i += n;
	return i;
}

/* Is c caselessly the ASCII letter lower (a lower-case letter)? */
#define IS(c, lower) (((c) | 0x20) == (lower))

/*
 * The length of the contraction ("'s", "'re", ...) at s[i], 0 when there
 * is none, -1 when only PCRE2's case folding can tell.
 */
STEP int
contraction(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t i, int caseless)
{
	unsigned c1, c2;
	size_t n;
	unsigned need;

	if (i + 1 >= len || s[i] != '\'')
		return 0;
	c1 = s[i + 1];
	if (c1 >= 0x80)
		return caseless && class_at(sp, s, len, i + 1, &n) & C_FOLD ?
		    -1 : 0;
	if (!caseless && (c1 < 'a' || c1 > 'z'))
		return 0;
	if (IS(c1, 's') || IS(c1, 't') || IS(c1, 'm') || IS(c1, 'd'))
		return 2;
	if (IS(c1, 'r') || IS(c1, 'v'))
		need = 'e';
	else if (IS(c1, 'l'))
		need = 'l';
	else
		return 0;
	if (i + 2 >= len)
		return 0;
	c2 = s[i + 2];
	if (c2 >= 0x80)
		return caseless && class_at(sp, s, len, i + 2, &n) & C_FOLD ?
		    -1 : 0;
	if (caseless ? IS(c2, need) : c2 == need)
		return 3;
	return 0;
}

/*
 * The tail the patterns share, at white space: cl100k's and o200k's
 * \s*[\r\n]+ (when newlines is set), then \s+(?!\S) and \s+.
 */
STEP size_t
white(struct bpe_split *sp, const unsigned char *s, size_t len, size_t off,
    int newlines)
{
	size_t e = off, n, last = off, nl = NONE;
	unsigned k;

	while ((k = class_at(sp, s, len, e, &n)) & C_WS) {
		if (k & C_CRLF)
			nl = e;
		last = e;
		e += n;
	}
	/* \s* gives back characters until [\r\n]+ can take the last one. */
	if (newlines && nl != NONE)
		return nl + 1;
	/* \s+ gives back one so that white space, not \S, follows. */
	if (e < len && last > off)
		return last;
	return e;
}

/* \p{N}{1,3} at off, whose character is a number. */
STEP size_t
digits(struct bpe_split *sp, const unsigned char *s, size_t len, size_t off)
{
	size_t e = off, n;
	int i;

	for (i = 0; i < 3 && class_at(sp, s, len, e, &n) & C_N; i++)
		e += n;
	return e;
}

/* " ?[^\s\p{L}\p{N}]+" then the tail [\r\n]* (or [\r\n/]*, o200k's). */
STEP size_t
other(struct bpe_split *sp, const unsigned char *s, size_t len, size_t i,
    int slash)
{
	size_t e = run(sp, s, len, i, C_OTHER);

	while (e < len && (s[e] == '\r' || s[e] == '\n' ||
	    (slash && s[e] == '/')))
		e++;
	return e;
}

/*
 * [^\s\p{L}\p{N}] after an optional space: the start of that run, or NONE
 * when the alternative cannot match at off.
 */
STEP size_t
other_start(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t off, unsigned k0)
{
	size_t n;

	if (s[off] == ' ' && class_at(sp, s, len, off + 1, &n) & C_OTHER)
		return off + 1;
	return k0 & C_OTHER ? off : NONE;
}

/*
 * The alternatives cl100k and o200k share after their letters, at off
 * (class k0): \p{N}{1,3}, then " ?[^\s\p{L}\p{N}]+" and its tail
 * ([\r\n]*, or with slash o200k's [\r\n/]*), then white space.
 */
STEP size_t
rest(struct bpe_split *sp, const unsigned char *s, size_t len, size_t off,
    unsigned k0, int slash)
{
	size_t i;

	if (k0 & C_N)
		return digits(sp, s, len, off);
	if ((i = other_start(sp, s, len, off, k0)) != NONE)
		return other(sp, s, len, i, slash);
	return white(sp, s, len, off, 1);
}

static int
scan_gpt2(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t off, size_t *end)
{
	size_t i = off, n;
	unsigned k;
	int c;

	if ((c = contraction(sp, s, len, off, 0)) > 0) {
		*end = off + (size_t)c;
		return 0;
	}
	k = class_at(sp, s, len, off, &n);
	/* " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": the space first. */
	if (s[off] == ' ') {
		unsigned k1 = class_at(sp, s, len, off + 1, &n);

		if (k1 & (C_L | C_N | C_OTHER)) {
			i = off + 1;
			k = k1;
		}
	}
	if (k & C_L)
		*end = run(sp, s, len, i, C_L);
	else if (k & C_N)
		*end = run(sp, s, len, i, C_N);
	else if (k & C_OTHER)
		*end = run(sp, s, len, i, C_OTHER);
	else
		*end = white(sp, s, len, off, 0);
	return 0;
}

static int
scan_cl100k(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t off, size_t *end)
{
	size_t n0, n1;
	unsigned k0;
	int c;

	if ((c = contraction(sp, s, len, off, 1)) != 0) {
		if (c < 0)
			return -1;
		*end = off + (size_t)c;
		return 0;
	}
	k0 = class_at(sp, s, len, off, &n0);
	/* [^\r\n\p{L}\p{N}]?\p{L}+ */
	if (k0 & C_L) {
		*end = run(sp, s, len, off, C_L);
		return 0;
	}
	if (!(k0 & (C_CRLF | C_N)) &&
	    class_at(sp, s, len, off + n0, &n1) & C_L) {
		*end = run(sp, s, len, off + n0, C_L);
		return 0;
	}
	*end = rest(sp, s, len, off, k0, 0);
	return 0;
}

/*
 * o200k's UPPERISH*LOWERISH+ at i: its end, or NONE.  Where the greedy
 * UPPERISH* leaves no LOWERISH to follow, PCRE2 gives characters back
 * until one it gave back is LOWERISH (a Lm, Lo or M is both).
 */
STEP size_t
upper_lower(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t i)
{
	size_t e = i, n, low_end = NONE;
	unsigned k;

	while ((k = class_at(sp, s, len, e, &n)) & C_UP) {
		if (k & C_LOW)
			low_end = e + n;
		e += n;
	}
	if (class_at(sp, s, len, e, &n) & C_LOW)
		return run(sp, s, len, e, C_LOW);
	return low_end;
}

/* o200k's UPPERISH+LOWERISH* at i: its end, or NONE. */
STEP size_t
upper_plus(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t i)
{
	size_t e = run(sp, s, len, i, C_UP);

	return e == i ? NONE : run(sp, s, len, e, C_LOW);
}

#define IS_UPPER(c) ((unsigned)(c) - 'A' < 26)
#define IS_LOWER(c) ((unsigned)(c) - 'a' < 26)

/*
 * o200k's letter alternatives on an ASCII word (most pieces of prose),
 * without classes: [A-Z]*[a-z]+ or [A-Z]+ after an optional ASCII
 * [^\r\n\p{L}\p{N}].  Return the end before the contraction, or NONE
 * when a character beyond ASCII might change the answer (or there is no
 * word), for the general scanner to decide.
 */
static inline size_t
ascii_word(const unsigned char *s, size_t len, size_t off)
{
	size_t i = off, j, k;
	unsigned c = s[off];

	if (c < 0x80 && c != '\r' && c != '\n' && !IS_UPPER(c) &&
	    !IS_LOWER(c) && (c < '0' || c > '9'))
		i++;
	for (j = i; j < len && IS_UPPER(s[j]); j++)
		continue;
	for (k = j; k < len && IS_LOWER(s[k]); k++)
		continue;
	if (k == i || (k < len && s[k] >= 0x80))
		return NONE;
	return k;
}

static int
scan_o200k(struct bpe_split *sp, const unsigned char *s, size_t len,
    size_t off, size_t *end)
{
	size_t n0, n1, e;
	unsigned k0;
	int prefix, c;

	if ((e = ascii_word(s, len, off)) != NONE)
		goto word;
	k0 = class_at(sp, s, len, off, &n0);
	/*
	 * The two letter alternatives, each after [^\r\n\p{L}\p{N}]? taken
	 * first and then left out, then the contraction they may end with.
	 */
	prefix = !(k0 & (C_CRLF | C_L | C_N));
	e = NONE;
	/* Neither start is UPPERISH or LOWERISH: no letter alternative. */
	if ((k0 | (prefix ? class_at(sp, s, len, off + n0, &n1) : 0)) &
	    (C_UP | C_LOW)) {
		if (prefix)
			e = upper_lower(sp, s, len, off + n0);
		if (e == NONE)
			e = upper_lower(sp, s, len, off);
		if (e == NONE && prefix)
			e = upper_plus(sp, s, len, off + n0);
		if (e == NONE)
			e = upper_plus(sp, s, len, off);
	}
	if (e != NONE) {
word:
		if ((c = contraction(sp, s, len, e, 1)) < 0)
			return -1;
		*end = e + (size_t)c;
		return 0;
	}
	*end = rest(sp, s, len, off, k0, 1);
	return 0;
}

/* Compile the probes and ask them about ASCII, the common case, now. */
static void
scanner_open(struct bpe_split *sp)
{
	PCRE2_SIZE off;
	unsigned char c;
	size_t i;
	int rc;

	for (i = 0; i < NPROBES; i++) {
		if ((sp->probe[i] = compile(probes[i].regex, &rc, &off)) ==
		    NULL)
			die(EXIT_SOFTWARE, "pre-tokenizer: probe %s does not "
			    "compile (error %d)", probes[i].regex, rc);
		/* The pattern's JIT worked, so the probes' does too. */
		if (sp->jit && pcre2_jit_compile(sp->probe[i],
		    PCRE2_JIT_COMPLETE) != 0)
			die(EXIT_SOFTWARE, "pre-tokenizer: probe %s: no JIT",
			    probes[i].regex);
	}
	sp->probe_md = pcre2_match_data_create(1, NULL);
	/* Untouched pages of the table cost nothing: most stay so. */
	sp->cls = ecalloc(NCODEPOINTS, 1);
	if (sp->probe_md == NULL)
		die(EXIT_OSERR, "out of memory");
	for (i = 0; i < 0x80; i++) {
		c = (unsigned char)i;
		classify(sp, &c, 1, (uint32_t)i);
	}
}

/*
 * Without a JIT (some platforms) the interpreter gives the same matches,
 * slower.  Anchored: a piece must start where the last one ended, so a
 * match is only tried there, never searched for further on.
 */
struct bpe_split *
bpe_split_new(const char *regex, char *err, size_t errlen)
{
	struct bpe_split *sp;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	size_t i;
	int rc;

	sp = ecalloc(1, sizeof(*sp));
	if ((sp->re = compile(regex, &rc, &off)) == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(err, errlen, "at offset %zu: %s", (size_t)off,
		    (char *)msg);
		free(sp);
		return NULL;
	}
	sp->md = pcre2_match_data_create_from_pattern(sp->re, NULL);
	sp->mc = pcre2_match_context_create(NULL);
	if (sp->md == NULL || sp->mc == NULL)
		die(EXIT_OSERR, "out of memory");
	sp->jit = pcre2_jit_compile(sp->re, PCRE2_JIT_COMPLETE) == 0;
	if (sp->jit) {
		sp->stack = pcre2_jit_stack_create(JIT_STACK_MIN,
		    JIT_STACK_MAX, NULL);
		if (sp->stack == NULL)
			die(EXIT_OSERR, "out of memory");
		pcre2_jit_stack_assign(sp->mc, NULL, sp->stack);
	}
	/* The same regex given by --regex gets the scanner too. */
	for (i = 0; i < NPATTERNS; i++)
		if (strcmp(patterns[i].p.regex, regex) == 0) {
			sp->scan = patterns[i].scan;
			scanner_open(sp);
			break;
		}
	return sp;
}

void
bpe_split_pcre2_only(struct bpe_split *sp)
{
	sp->scan = SCAN_NONE;
}

void
bpe_split_free(struct bpe_split *sp)
{
	size_t i;

	if (sp == NULL)
		return;
	for (i = 0; i < NPROBES; i++)
		pcre2_code_free(sp->probe[i]);
	pcre2_match_data_free(sp->probe_md);
	free(sp->cls);
	pcre2_jit_stack_free(sp->stack);
	pcre2_match_context_free(sp->mc);
	pcre2_match_data_free(sp->md);
	pcre2_code_free(sp->re);
	free(sp);
}

/*
 * pcre2_jit_match skips the UTF check of every call, which is why the
 * text must be valid already; the interpreter is told the same.
 */
int
bpe_split_next(struct bpe_split *sp, const char *s, size_t len, size_t off,
    size_t *end, char *err, size_t errlen)
{
	const unsigned char *u = (const unsigned char *)s;
	PCRE2_SIZE *ov;
	PCRE2_UCHAR msg[120];
	int rc = -1;

	switch (sp->scan) {
	case SCAN_GPT2:
		rc = scan_gpt2(sp, u, len, off, end);
		break;
	case SCAN_CL100K:
		rc = scan_cl100k(sp, u, len, off, end);
		break;
	case SCAN_O200K:
		rc = scan_o200k(sp, u, len, off, end);
		break;
	case SCAN_NONE:
		break;
	}
	if (rc == 0)
		return 0;
	if (sp->jit)
		rc = pcre2_jit_match(sp->re, (PCRE2_SPTR)s, len, off, 0,
		    sp->md, sp->mc);
	else
		rc = pcre2_match(sp->re, (PCRE2_SPTR)s, len, off,
		    PCRE2_NO_UTF_CHECK, sp->md, sp->mc);
	ov = pcre2_get_ovector_pointer(sp->md);
	if (rc == PCRE2_ERROR_NOMATCH || (rc >= 0 && (ov[0] != off ||
	    ov[1] == ov[0])))
		return BPE_SPLIT_UNMATCHED;
	if (rc < 0) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		snprintf(err, errlen, "%s", (char *)msg);
		return BPE_SPLIT_FAILED;
	}
	*end = ov[1];
	return 0;
}
