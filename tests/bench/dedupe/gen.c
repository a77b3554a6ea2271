/*
 * gen: write a deterministic record stream with planted duplicates for
 * quire-dedupe's benchmark, and the truth about them.
 *
 * usage: gen [-m words] [-s seed] size dir
 *
 * Writes dir/records.jsonl (the record stream, as quire-normalize leaves
 * it), dir/texts.txt (each text on one line, for `sort -u`) and
 * dir/truth.csv (kind,kept,dropped,rate: the pairs planted).  Every byte
 * comes from splitmix64 seeded by -s; the words are made of syllables,
 * not taken from any published text, and drawn with Zipf frequencies so
 * that unrelated works share common words and phrases as real ones do.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VOCAB		20000	/* words per language */
#define WORDMAX		48
#define ZIPF_S		1.0
#define NWRITERS	5000

enum lang { EN, FR, DE, ES, RU, ZH, JA, NLANG };

/* The share of works per language, in percent (as tests/bench/gendrop.c). */
static const int langshare[NLANG] = { 28, 20, 12, 10, 15, 8, 7 };

static const char *const en_c[] = { "b", "c", "d", "f", "g", "h", "k", "l",
	"m", "n", "p", "r", "s", "t", "v", "w", "y", "th", "sh", "ch", "st",
	NULL };
static const char *const en_v[] = { "a", "e", "i", "o", "u", "ea", "ou",
	"ai", "ee", "y", NULL };
static const char *const fr_c[] = { "b", "c", "d", "f", "g", "j", "l", "m",
	"n", "p", "r", "s", "t", "v", "qu", "ch", "ç", "gn", "tr", NULL };
static const char *const fr_v[] = { "a", "e", "i", "o", "u", "é", "è", "ê",
	"à", "ô", "ou", "eau", "ai", "e", "a", NULL };
static const char *const de_c[] = { "b", "d", "f", "g", "h", "k", "l", "m",
	"n", "p", "r", "s", "t", "w", "z", "sch", "ch", "ß", "st", NULL };
static const char *const de_v[] = { "a", "e", "i", "o", "u", "ä", "ö", "ü",
	"ei", "au", "ie", NULL };
static const char *const es_c[] = { "b", "c", "d", "f", "g", "j", "l", "m",
	"n", "p", "r", "s", "t", "v", "ll", "ñ", "rr", "ch", NULL };
static const char *const es_v[] = { "a", "e", "i", "o", "u", "á", "é", "í",
	"ó", "ú", "ue", "ie", NULL };
static const char *const ru_c[] = { "б", "в", "г", "д", "ж", "з", "к", "л",
	"м", "н", "п", "р", "с", "т", "х", "ч", "ш", NULL };
static const char *const ru_v[] = { "а", "е", "и", "о", "у", "ы", "я", "ё",
	"ой", NULL };

struct vocab {
	char	word[VOCAB][WORDMAX];
};

static struct vocab vocab[NLANG];
static double zipf_cdf[VOCAB];
static double max_words = 3000;	/* -m: the longest work, in words */

/* A token: a word (index into the vocabulary) or a mark. */
enum {
	T_COMMA = -1,	/* after the word before */
	T_STOP = -2,	/* end of sentence */
	T_LINE = -3,	/* line break */
	T_STANZA = -4,	/* blank line */
	T_DASH = -5	/* "— " opening an attribution */
};

struct doc {
	int	*t;
	size_t	n, cap;
	int	lang;
};

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static unsigned
below(uint64_t *s, unsigned n)
{
	return (unsigned)(rnd(s) % n);
}

static double
unit(uint64_t *s)
{
	return (rnd(s) >> 11) * (1.0 / 9007199254740992.0);
}

static void
fail(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static size_t
count(const char *const *v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

/* Append the UTF-8 of code point c to p; return the new end. */
static char *
put_cp(char *p, unsigned c)
{
	if (c < 0x80)
		*p++ = (char)c;
	else if (c < 0x800) {
		*p++ = (char)(0xC0 | c >> 6);
		*p++ = (char)(0x80 | (c & 0x3F));
	} else {
		*p++ = (char)(0xE0 | c >> 12);
		*p++ = (char)(0x80 | (c >> 6 & 0x3F));
		*p++ = (char)(0x80 | (c & 0x3F));
	}
	return p;
}

static void
make_vocab(uint64_t seed)
{
	static const char *const *const cons[] = { en_c, fr_c, de_c, es_c,
	    ru_c };
	static const char *const *const vow[] = { en_v, fr_v, de_v, es_v,
	    ru_v };
	uint64_t s = seed ^ 0x5EED;
	double sum = 0, acc = 0;
	char *p;
	int l, i, k, syl;

	for (l = 0; l < NLANG; l++)
		for (i = 0; i < VOCAB; i++) {
			p = vocab[l].word[i];
			if (l == ZH) {
				/*
				 * One ideograph: ICU's dictionary breaks text
				 * of random ideographs and kana mostly into
				 * single characters, so words of one character
				 * make "n % of words changed" what ICU sees.
				 */
				p = put_cp(p, 0x4E00 + below(&s, 3000));
			} else if (l == JA) {
				/* A kana, or a kanji one time in three. */
				if (i % 3 == 0)
					p = put_cp(p, 0x4E00 + below(&s, 2500));
				else
					p = put_cp(p, 0x3042 + below(&s, 80));
			} else {
				/* Frequent words are short. */
				syl = 1 + (i > 100) + (i > 2000) +
				    (int)below(&s, 2);
				for (k = 0; k < syl; k++) {
					p = stpcpy(p, cons[l][below(&s,
					    (unsigned)count(cons[l]))]);
					p = stpcpy(p, vow[l][below(&s,
					    (unsigned)count(vow[l]))]);
				}
				/* Make each word unique in its language. */
				if (i >= 400)
					p = stpcpy(p, cons[l][i %
					    count(cons[l])]);
			}
			*p = '\0';
		}
	for (i = 0; i < VOCAB; i++)
		sum += 1 / pow(i + 1, ZIPF_S);
	for (i = 0; i < VOCAB; i++) {
		acc += 1 / pow(i + 1, ZIPF_S) / sum;
		zipf_cdf[i] = acc;
	}
}

static int
zipf(uint64_t *s)
{
	double u = unit(s);
	int lo = 0, hi = VOCAB - 1, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (zipf_cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
push(struct doc *d, int t)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		d->t = realloc(d->t, d->cap * sizeof(*d->t));
		if (d->t == NULL)
			fail("realloc");
	}
	d->t[d->n++] = t;
}

/* A sentence of 4 to 22 words. */
static void
sentence(struct doc *d, uint64_t *s)
{
	int i, n = 4 + (int)below(s, 19);

	for (i = 0; i < n; i++) {
		push(d, zipf(s));
		if (i + 1 < n && below(s, 9) == 0)
			push(d, T_COMMA);
	}
	push(d, T_STOP);
}

/* Prose of about `words` words: paragraphs of sentences. */
static void
prose(struct doc *d, uint64_t *s, size_t words)
{
	size_t start = d->n;

	while (d->n - start < words) {
		sentence(d, s);
		if (below(s, 5) == 0)
			push(d, T_STANZA);
	}
}

/* A stanza: 3 to 6 lines of 3 to 9 words. */
static void
stanza(struct doc *d, uint64_t *s)
{
	int l, i, lines = 3 + (int)below(s, 4), n;

	for (l = 0; l < lines; l++) {
		n = 3 + (int)below(s, 7);
		for (i = 0; i < n; i++)
			push(d, zipf(s));
		push(d, l + 1 < lines ? T_LINE : T_STANZA);
	}
}

static void
poem(struct doc *d, uint64_t *s, size_t words)
{
	size_t start = d->n;

	while (d->n - start < words)
		stanza(d, s);
}

/* Append tokens t[0..n) to d. */
static void
append(struct doc *d, const int *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		push(d, t[i]);
}

/* Append d's text to buf, growing it; return its length. */
static size_t
render(const struct doc *d, char **buf, size_t *cap, int variant)
{
	const char *w;
	size_t i, len = 0, need;
	int cjk = d->lang == ZH || d->lang == JA, cap_next = 1, sp = 0;
	char *p;

	for (i = 0; i < d->n; i++) {
		need = len + 64;
		if (need > *cap) {
			*cap = 2 * need;
			if ((*buf = realloc(*buf, *cap)) == NULL)
				fail("realloc");
		}
		p = *buf + len;
		switch (d->t[i]) {
		case T_COMMA:
			p = stpcpy(p, cjk ? "，" : ",");
			break;
		case T_STOP:
			p = stpcpy(p, cjk ? "。" : ".");
			cap_next = 1;
			break;
		case T_LINE:
			p = stpcpy(p, variant ? "  \n" : "\n");
			sp = 0;
			cap_next = 1;
			break;
		case T_STANZA:
			p = stpcpy(p, variant ? "\n\n\n" : "\n\n");
			sp = 0;
			cap_next = 1;
			break;
		case T_DASH:
			p = stpcpy(p, "— ");
			sp = 0;
			break;
		default:
			w = vocab[d->lang].word[d->t[i]];
			if (sp && !cjk)
				*p++ = ' ';
			/* ASCII initials are capitalised at line starts. */
			if (cap_next && w[0] >= 'a' && w[0] <= 'z') {
				*p++ = (char)(w[0] - 'a' + (variant ? 'a' : 'A'));
				w++;
			}
			p = stpcpy(p, w);
			sp = 1;
			cap_next = 0;
			break;
		}
		if (d->t[i] == T_COMMA || d->t[i] == T_STOP)
			sp = 1;
		len = (size_t)(p - *buf);
	}
	while (len > 0 && ((*buf)[len - 1] == '\n' || (*buf)[len - 1] == ' '))
		len--;
	return len;
}

/* Replace each word of d with probability rate by another word. */
static void
mutate(struct doc *d, uint64_t *s, double rate)
{
	size_t i;
	int w;

	for (i = 0; i < d->n; i++)
		if (d->t[i] >= 0 && unit(s) < rate) {
			do
				w = zipf(s);
			while (w == d->t[i]);
			d->t[i] = w;
		}
}

struct out {
	FILE	*rec, *txt, *truth;
	unsigned next;		/* next submission number */
	char	*buf, *esc;
	size_t	cap, ecap;
	unsigned long long bytes, docs;
};

/* Write d as record number o->next of writer w, submitted on day. */
static unsigned
emit(struct out *o, const struct doc *d, unsigned writer, unsigned day,
    int variant)
{
	static const char *const code[] = { "en", "fr", "de", "es", "ru", "zh",
		"ja" };
	size_t len = render(d, &o->buf, &o->cap, variant), i, k = 0;
	unsigned sub = o->next++, m = 1 + day / 28, dd = 1 + day % 28;
	unsigned char c;

	if (o->ecap < 2 * len + 1) {
		o->ecap = 2 * len + 1;
		if ((o->esc = realloc(o->esc, o->ecap)) == NULL)
			fail("realloc");
	}
	for (i = 0; i < len; i++) {
		c = (unsigned char)o->buf[i];
		if (c == '\n' || c == '"' || c == '\\') {
			o->esc[k++] = '\\';
			o->esc[k++] = c == '\n' ? 'n' : (char)c;
		} else
			o->esc[k++] = (char)c;
	}
	fprintf(o->rec, "{\"id\":\"g%08x\",\"source\":{\"submission\":\"b%07u\"},"
	    "\"writer\":\"w%05u\",\"submitted\":\"2026-%02u-%02u\","
	    "\"language\":\"%s\",\"revision_of\":null,\"text\":\"%.*s\"}\n",
	    sub * 2654435761U, sub, writer, m > 12 ? 12 : m, dd,
	    code[d->lang], (int)k, o->esc);
	for (i = 0; i < len; i++)
		if (o->buf[i] == '\n')
			o->buf[i] = ' ';
	fwrite(o->buf, 1, len, o->txt);
	putc('\n', o->txt);
	o->bytes += len;
	o->docs++;
	return sub;
}

static int
pick_lang(uint64_t *s)
{
	int r = (int)below(s, 100), l;

	for (l = 0; l < NLANG - 1; l++) {
		if (r < langshare[l])
			return l;
		r -= langshare[l];
	}
	return NLANG - 1;
}

/*
 * Work lengths: log-uniform from 60 to 3000 words (-m), about 5 KB on
 * average.
 */
static size_t
length(uint64_t *s)
{
	return (size_t)(60 * exp(unit(s) * log(max_words / 60)));
}

int
main(int argc, char *argv[])
{
	static const double rates[] = { 0.01, 0.05, 0.10, 0.20, 0.40 };
	struct out o;
	struct doc a = { 0 }, b = { 0 }, refrain = { 0 };
	unsigned long long size, nwork = 0;
	uint64_t seed = 1, s;
	unsigned sa, sb, writer, day, kind;
	size_t i, words;
	char path[4096];
	int ch, k, reps;

	while ((ch = getopt(argc, argv, "m:s:")) != -1)
		if (ch == 'm' && atoi(optarg) >= 60)
			max_words = atoi(optarg);
		else if (ch == 's')
			seed = strtoull(optarg, NULL, 10);
		else
			goto usage;
	if (argc - optind != 2)
		goto usage;
	size = strtoull(argv[optind], NULL, 10);
	memset(&o, 0, sizeof(o));
	snprintf(path, sizeof(path), "%s/records.jsonl", argv[optind + 1]);
	if ((o.rec = fopen(path, "w")) == NULL)
		fail(path);
	snprintf(path, sizeof(path), "%s/texts.txt", argv[optind + 1]);
	if ((o.txt = fopen(path, "w")) == NULL)
		fail(path);
	snprintf(path, sizeof(path), "%s/truth.csv", argv[optind + 1]);
	if ((o.truth = fopen(path, "w")) == NULL)
		fail(path);
	fprintf(o.truth, "kind,kept,dropped,rate\n");
	make_vocab(seed);

	/*
	 * Works, each from its own generator state.  Of every 100: 2 pairs
	 * near-duplicated at each rate (one rate per pair), 2 pairs sharing a
	 * refrain, 2 sharing an epigraph, 1 exact copy with case and space
	 * changes; the rest stand alone.
	 */
	while (o.bytes < size) {
		s = seed * 0x100000001B3ULL + nwork++;
		rnd(&s);
		a.n = b.n = refrain.n = 0;
		a.lang = b.lang = refrain.lang = pick_lang(&s);
		writer = below(&s, NWRITERS);
		day = below(&s, 300);
		kind = below(&s, 100);
		words = length(&s);
		if (kind < 10) {
			/* A near duplicate at one of the rates, later. */
			if (below(&s, 3) == 0)
				poem(&a, &s, words);
			else
				prose(&a, &s, words);
			append(&b, a.t, a.n);
			mutate(&b, &s, rates[kind / 2]);
			sa = emit(&o, &a, writer, day, 0);
			sb = emit(&o, &b, writer, day + 1 + below(&s, 30), 0);
			fprintf(o.truth, "near,b%07u,b%07u,%g\n", sa, sb,
			    rates[kind / 2]);
		} else if (kind < 12) {
			/* Two poems, one refrain (one or two stanzas) after each stanza. */
			reps = 3 + (int)below(&s, 3);
			stanza(&refrain, &s);
			if (below(&s, 2) == 0)
				stanza(&refrain, &s);
			for (k = 0; k < reps; k++) {
				stanza(&a, &s);
				append(&a, refrain.t, refrain.n);
				stanza(&b, &s);
				append(&b, refrain.t, refrain.n);
			}
			sa = emit(&o, &a, writer, day, 0);
			sb = emit(&o, &b, writer, day + 1 + below(&s, 30), 0);
			fprintf(o.truth, "refrain,b%07u,b%07u,\n", sa, sb);
		} else if (kind < 14) {
			/* Two stories opening with one epigraph. */
			prose(&refrain, &s, 20 + below(&s, 41));
			push(&refrain, T_LINE);
			push(&refrain, T_DASH);
			push(&refrain, zipf(&s));
			push(&refrain, zipf(&s));
			push(&refrain, T_STANZA);
			append(&a, refrain.t, refrain.n);
			prose(&a, &s, words);
			append(&b, refrain.t, refrain.n);
			prose(&b, &s, length(&s));
			sa = emit(&o, &a, writer, day, 0);
			sb = emit(&o, &b, writer, day + 1 + below(&s, 30), 0);
			fprintf(o.truth, "epigraph,b%07u,b%07u,\n", sa, sb);
		} else if (kind < 15) {
			poem(&a, &s, words);
			sa = emit(&o, &a, writer, day, 0);
			sb = emit(&o, &a, writer, day + 1 + below(&s, 30), 1);
			fprintf(o.truth, "exact,b%07u,b%07u,\n", sa, sb);
		} else {
			if (below(&s, 3) == 0)
				poem(&a, &s, words);
			else
				prose(&a, &s, words);
			emit(&o, &a, writer, day, 0);
		}
	}
	for (i = 0; i < 3; i++) {
		FILE *fp = i == 0 ? o.rec : i == 1 ? o.txt : o.truth;

		if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0)
			fail("write");
	}
	printf("works %llu bytes %llu\n", o.docs, o.bytes);
	free(a.t);
	free(b.t);
	free(refrain.t);
	free(o.buf);
	free(o.esc);
	return 0;
usage:
	fprintf(stderr, "usage: gen [-m words] [-s seed] size dir\n");
	return 64;
}
