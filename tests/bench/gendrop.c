/* gendrop: write a deterministic synthetic drop for quire's benchmarks. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Every byte comes from splitmix64 seeded by -s: the same seed and size
 * give the same drop on any machine.  Words are made of syllables, not
 * taken from any published text.  Each work gets its own generator state
 * derived from the seed and its number, so a work does not depend on the
 * works written before it.
 */

#define MIN_WORK	1024
#define MAX_WORK	(64 * 1024)
#define VOCAB		4096	/* words per language and form */
#define WORDMAX		64	/* bytes of the longest word */

enum lang { EN, FR, DE, ES, RU, ZH, JA, NLANG };
enum form { NFC, NFD };

static const char *const langcode[NLANG] = {
	"en", "fr", "de", "es", "ru", "zh", "ja"
};

/*
 * The share of works per language, in percent: mostly Latin script with
 * accents, then Cyrillic and CJK.
 */
static const int langshare[NLANG] = { 28, 20, 12, 10, 15, 8, 7 };

/* Syllable parts, NULL-terminated; written in NFC. */
static const char *const en_c[] = { "b", "c", "d", "f", "g", "h", "k", "l",
	"m", "n", "p", "r", "s", "t", "v", "w", "y", "th", "sh", "ch", "st",
	NULL };
static const char *const en_v[] = { "a", "e", "i", "o", "u", "ea", "ou",
	"ai", "ee", "y", NULL };
static const char *const fr_c[] = { "b", "c", "d", "f", "g", "j", "l", "m",
	"n", "p", "r", "s", "t", "v", "qu", "ch", "ç", "gn", "tr", NULL };
static const char *const fr_v[] = { "a", "e", "i", "o", "u", "é", "è", "ê",
	"à", "ô", "î", "û", "ë", "ou", "eau", "ai", "é", "é", NULL };
static const char *const de_c[] = { "b", "d", "f", "g", "h", "k", "l", "m",
	"n", "p", "r", "s", "t", "w", "z", "sch", "ch", "ß", "st", "pf",
	NULL };
static const char *const de_v[] = { "a", "e", "i", "o", "u", "ä", "ö", "ü",
	"ei", "au", "ie", "eu", "äu", NULL };
static const char *const es_c[] = { "b", "c", "d", "f", "g", "j", "l", "m",
	"n", "p", "r", "s", "t", "v", "ll", "ñ", "rr", "ch", NULL };
static const char *const es_v[] = { "a", "e", "i", "o", "u", "á", "é", "í",
	"ó", "ú", "ue", "ie", "ü", NULL };
static const char *const ru_c[] = { "б", "в", "г", "д", "ж", "з", "к", "л",
	"м", "н", "п", "р", "с", "т", "ф", "х", "ц", "ч", "ш", "щ", "й",
	NULL };
static const char *const ru_v[] = { "а", "е", "и", "о", "у", "ы", "э", "ю",
	"я", "ё", "ой", "ий", NULL };
static const char *const ja_kana[] = {
	"あ", "い", "う", "え", "お", "か", "き", "く", "け", "こ", "さ", "し",
	"す", "せ", "そ", "た", "ち", "つ", "て", "と", "な", "に", "ぬ", "ね",
	"の", "ま", "み", "む", "め", "も", "ら", "り", "る", "れ", "ろ", "を",
	"ん", "が", "ぎ", "ぐ", "げ", "ご", "ざ", "じ", "ず", "ぜ", "ぞ", "だ",
	"で", "ど", "ば", "び", "ぶ", "べ", "ぼ", "ぱ", "ぴ", "ぷ", NULL
};

/* NFC code point and its canonical decomposition, base then mark. */
static const uint32_t decomp[][3] = {
	{ 0xE0, 'a', 0x300 }, { 0xE1, 'a', 0x301 }, { 0xE4, 'a', 0x308 },
	{ 0xE7, 'c', 0x327 }, { 0xE8, 'e', 0x300 }, { 0xE9, 'e', 0x301 },
	{ 0xEA, 'e', 0x302 }, { 0xEB, 'e', 0x308 }, { 0xED, 'i', 0x301 },
	{ 0xEE, 'i', 0x302 }, { 0xF1, 'n', 0x303 }, { 0xF3, 'o', 0x301 },
	{ 0xF4, 'o', 0x302 }, { 0xF6, 'o', 0x308 }, { 0xFA, 'u', 0x301 },
	{ 0xFB, 'u', 0x302 }, { 0xFC, 'u', 0x308 },
	{ 0x439, 0x438, 0x306 }, { 0x451, 0x435, 0x308 },
	{ 0x304C, 0x304B, 0x3099 }, { 0x304E, 0x304D, 0x3099 },
	{ 0x3050, 0x304F, 0x3099 }, { 0x3052, 0x3051, 0x3099 },
	{ 0x3054, 0x3053, 0x3099 }, { 0x3056, 0x3055, 0x3099 },
	{ 0x3058, 0x3057, 0x3099 }, { 0x305A, 0x3059, 0x3099 },
	{ 0x305C, 0x305B, 0x3099 }, { 0x305E, 0x305D, 0x3099 },
	{ 0x3060, 0x305F, 0x3099 }, { 0x3067, 0x3066, 0x3099 },
	{ 0x3069, 0x3068, 0x3099 }, { 0x3070, 0x306F, 0x3099 },
	{ 0x3073, 0x3072, 0x3099 }, { 0x3076, 0x3075, 0x3099 },
	{ 0x3079, 0x3078, 0x3099 }, { 0x307C, 0x307B, 0x3099 },
	{ 0x3071, 0x306F, 0x309A }, { 0x3074, 0x3072, 0x309A },
	{ 0x3077, 0x3075, 0x309A },
};

/* A vocabulary: VOCAB words, each a NUL-terminated string. */
struct vocab {
	char	word[VOCAB][WORDMAX];
	unsigned char len[VOCAB];
};

static struct vocab vocab[NLANG][2];
static const char *progname = "gendrop";

static void
die(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", progname);
	fprintf(stderr, fmt, arg);
	if (errno != 0)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint32_t
below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rnd(s) >> 32) * n) >> 32);
}

/* True with probability percent / 100. */
static int
chance(uint64_t *s, uint32_t percent)
{
	return below(s, 100) < percent;
}

static size_t
count(const char *const *list)
{
	size_t n = 0;

	while (list[n] != NULL)
		n++;
	return n;
}

static size_t
put_utf8(char *p, uint32_t c)
{
	if (c < 0x80) {
		p[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		p[0] = (char)(0xC0 | c >> 6);
		p[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	p[0] = (char)(0xE0 | c >> 12);
	p[1] = (char)(0x80 | (c >> 6 & 0x3F));
	p[2] = (char)(0x80 | (c & 0x3F));
	return 3;
}

/* Decode one code point of at most three bytes at *p; advance *p. */
static uint32_t
get_utf8(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;

	if (s[0] < 0x80) {
		*p += 1;
		return s[0];
	}
	if (s[0] < 0xE0) {
		*p += 2;
		return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
	}
	*p += 3;
	return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 |
	    (s[2] & 0x3F);
}

/* Write the NFD form of the NFC string src into dst; return its length. */
static size_t
to_nfd(char *dst, const char *src)
{
	size_t n = 0, i;
	uint32_t c;

	while (*src != '\0') {
		c = get_utf8(&src);
		for (i = 0; i < sizeof(decomp) / sizeof(decomp[0]); i++)
			if (decomp[i][0] == c)
				break;
		if (i < sizeof(decomp) / sizeof(decomp[0])) {
			n += put_utf8(dst + n, decomp[i][1]);
			n += put_utf8(dst + n, decomp[i][2]);
		} else
			n += put_utf8(dst + n, c);
	}
	dst[n] = '\0';
	return n;
}

/* Make one NFC word of language l into w. */
static void
make_word(uint64_t *s, enum lang l, char *w)
{
	static const struct {
		const char *const *c, *const *v;
	} syl[] = {
		[EN] = { en_c, en_v }, [FR] = { fr_c, fr_v },
		[DE] = { de_c, de_v }, [ES] = { es_c, es_v },
		[RU] = { ru_c, ru_v },
	};
	size_t n = 0, k, parts;

	w[0] = '\0';
	switch (l) {
	case ZH:
		/* One to three ideographs from the most common block. */
		parts = 1 + below(s, 3);
		for (k = 0; k < parts; k++)
			n += put_utf8(w + n, 0x4E00 + below(s, 0x1800));
		w[n] = '\0';
		return;
	case JA:
		/* An ideograph or two, then kana. */
		parts = 1 + below(s, 2);
		for (k = 0; k < parts; k++)
			n += put_utf8(w + n, 0x4E00 + below(s, 0x1800));
		w[n] = '\0';
		parts = 1 + below(s, 3);
		for (k = 0; k < parts; k++)
			strcat(w, ja_kana[below(s, count(ja_kana))]);
		return;
	default:
		parts = 1 + below(s, 2) + below(s, 3);
		for (k = 0; k < parts; k++) {
			if (k > 0 || chance(s, 70))
				strcat(w, syl[l].c[below(s, count(syl[l].c))]);
			strcat(w, syl[l].v[below(s, count(syl[l].v))]);
		}
		if (chance(s, 30))
			strcat(w, syl[l].c[below(s, count(syl[l].c))]);
		return;
	}
}

static void
make_vocab(uint64_t seed)
{
	uint64_t s = seed ^ 0x766F636162ULL;
	char w[WORDMAX / 2];
	int l, i;

	for (l = 0; l < NLANG; l++)
		for (i = 0; i < VOCAB; i++) {
			make_word(&s, (enum lang)l, w);
			vocab[l][NFC].len[i] = (unsigned char)strlen(w);
			memcpy(vocab[l][NFC].word[i], w, strlen(w) + 1);
			vocab[l][NFD].len[i] = (unsigned char)
			    to_nfd(vocab[l][NFD].word[i], w);
		}
}

/* A growing text buffer. */
struct buf {
	char	*p;
	size_t	len, cap;
};

static void
grow(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	while (b->len + more > b->cap)
		b->cap = b->cap ? 2 * b->cap : 1 << 17;
	b->p = realloc(b->p, b->cap);
	if (b->p == NULL)
		die("%s", "out of memory");
}

static void
put(struct buf *b, const char *s, size_t n)
{
	grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* How one work is written. */
struct style {
	enum lang lang;
	enum form form;
	int	poem;
	int	crlf;
	int	invisible;	/* sprinkles soft hyphens, ZWSP, ligatures */
};

/* A word index, frequent words first (roughly Zipf). */
static uint32_t
pick(uint64_t *s)
{
	uint64_t u = rnd(s) >> 52;	/* 12 bits */

	return (uint32_t)((u * u) >> 12);
}

static void
newline(struct buf *b, const struct style *st)
{
	puts_(b, st->crlf ? "\r\n" : "\n");
}

/* Append one word, capitalized (ASCII only) when cap is set. */
static void
word(struct buf *b, uint64_t *s, const struct style *st, int cap)
{
	const struct vocab *v = &vocab[st->lang][st->form];
	uint32_t i = pick(s);

	put(b, v->word[i], v->len[i]);
	if (cap && b->p[b->len - v->len[i]] >= 'a' &&
	    b->p[b->len - v->len[i]] <= 'z')
		b->p[b->len - v->len[i]] -= 'a' - 'A';
	if (st->invisible && below(s, 400) == 0)
		puts_(b, below(s, 2) ? "\u00AD" : "\u200B");
	if (st->invisible && below(s, 2000) == 0)
		puts_(b, "\uFB01");
}

static int
cjk(enum lang l)
{
	return l == ZH || l == JA;
}

/* Append a sentence of n words. */
static void
sentence(struct buf *b, uint64_t *s, const struct style *st, int n)
{
	static const char *const end[] = { ".", ".", ".", ".", "?", "!", "…" };
	static const char *const cjk_end[] = { "。", "。", "。", "？", "！" };
	int i;

	for (i = 0; i < n; i++) {
		if (i > 0 && !cjk(st->lang))
			puts_(b, " ");
		word(b, s, st, i == 0);
		if (i + 1 < n && below(s, 9) == 0)
			puts_(b, cjk(st->lang) ? "、" : st->lang == FR ?
			    (below(s, 4) ? "," : "\u00A0;") : ",");
		else if (i + 1 < n && !cjk(st->lang) && below(s, 40) == 0)
			puts_(b, " —");
	}
	if (cjk(st->lang))
		puts_(b, cjk_end[below(s, 5)]);
	else {
		/* French sets a no-break space before ? and !. */
		const char *e = end[below(s, 7)];

		if (st->lang == FR && (e[0] == '?' || e[0] == '!'))
			puts_(b, "\u00A0");
		puts_(b, e);
	}
}

/* Append text to b until it holds about target bytes. */
static void
body(struct buf *b, uint64_t *s, const struct style *st, size_t target)
{
	int k, lines, n;

	while (b->len < target) {
		if (st->poem) {
			/* A stanza: short lines, some indented. */
			lines = 3 + below(s, 5);
			for (k = 0; k < lines && b->len < target; k++) {
				if (below(s, 5) == 0)
					puts_(b, below(s, 3) ? "    " : "\t");
				n = 2 + below(s, 6);
				if (below(s, 3) == 0)
					sentence(b, s, st, n);
				else
					for (int i = 0; i < n; i++) {
						if (i > 0 && !cjk(st->lang))
							puts_(b, " ");
						word(b, s, st, i == 0);
					}
				if (below(s, 30) == 0)
					puts_(b, " ");	/* trailing blank */
				newline(b, st);
			}
		} else {
			/* A paragraph on one line. */
			lines = 2 + below(s, 7);
			for (k = 0; k < lines; k++) {
				if (k > 0 && !cjk(st->lang))
					puts_(b, " ");
				sentence(b, s, st, 4 + below(s, 16));
			}
			newline(b, st);
		}
		if (b->len < target)
			newline(b, st);
	}
}

/*
 * Re-encode the NFC UTF-8 text of b in windows-1252 (Latin languages
 * only) or UTF-16LE with a byte order mark, into out.
 */
static void
legacy(struct buf *out, const struct buf *b, int utf16)
{
	const char *p = b->p, *end = b->p + b->len;
	uint32_t c;
	char u[2];

	out->len = 0;
	if (utf16)
		put(out, "\xFF\xFE", 2);
	while (p < end) {
		c = get_utf8(&p);
		if (utf16) {
			u[0] = (char)(c & 0xFF);
			u[1] = (char)(c >> 8);
			put(out, u, 2);
			continue;
		}
		if (c == 0x2014)
			c = 0x97;
		else if (c == 0x2026)
			c = 0x85;
		else if (c > 0xFF || (c >= 0x80 && c < 0xA0))
			c = '?';
		u[0] = (char)c;
		put(out, u, 1);
	}
}

static void
write_file(const char *path, const char *p, size_t n)
{
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("%s", path);
	while (n > 0) {
		w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("%s", path);
		p += w;
		n -= (size_t)w;
	}
	if (close(fd) != 0)
		die("%s", path);
}

/* Append s to the CSV line as one quoted field. */
static void
csv_field(struct buf *b, const char *s, size_t n)
{
	size_t i;

	puts_(b, "\"");
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			puts_(b, "\"");
		put(b, s + i, 1);
	}
	puts_(b, "\"");
}

/*
 * The consent ledger: one line per writer of the base grant, in writer
 * order, into con; later events (withdrawals, narrower grants, re-grants),
 * dated in 2026, into later, appended after every base grant so that the
 * filter has to replay them in date order.  The share of writers in each
 * case, in percent, keyed by one draw of the writer's own generator:
 *
 *   0-2    missing: no event at all               consent.missing
 *   3-4    a grant dated after the cut-off        consent.future
 *   5-8    a grant without train                  consent.scope
 *   9-12   a grant, then a withdraw of every work consent.withdrawn
 *   13     a grant, then a withdraw after cut-off kept
 *   14-16  a grant, then a withdraw of one work   that work withdrawn
 *   17-19  a grant, then evaluate only, one work  that work consent.scope
 *   20-21  withdraw and re-grant on the same day  kept
 *   22-29  train;evaluate, every work listed      kept
 *   30-49  train;evaluate                         kept
 *   50-59  train;evaluate;research                kept
 *   60-99  *                                     kept
 *
 * The bench's cut-off is 2026-11-01; name and email are private columns,
 * which the filter must never copy.  The writer's works are the
 * submissions first to first + n - 1.
 */
static void
ledger(struct buf *con, struct buf *later, uint64_t seed,
    unsigned long writer, unsigned long first, unsigned long n, int month,
    int day, const char *form)
{
	static const char *const scope[] = { "evaluate;research", "research",
		"evaluate", "research;evaluate" };
	uint64_t w = (seed ^ 0x6C6564676572ULL) * 0x9E3779B97F4A7C15ULL +
	    writer;
	char who[128], base[32], when[16], line[512];
	const char *uses = "*", *works = "*";
	struct buf list = { 0 };
	unsigned long k;
	uint32_t kind;

	rnd(&w);
	kind = below(&w, 100);
	if (kind < 3)
		return;
	snprintf(who, sizeof(who), "Legal Name %lu,w%06lu@example.org",
	    writer, writer);
	snprintf(base, sizeof(base), "2024-%02d-1%d", month, day);
	if (kind < 5)
		snprintf(base, sizeof(base), "2026-12-%02d",
		    1 + (int)below(&w, 28));
	else if (kind < 9)
		uses = scope[below(&w, 4)];
	else if (kind >= 22 && kind < 30) {
		uses = "train;evaluate";
		for (k = 0; k < n; k++) {
			snprintf(line, sizeof(line), "%ss%08lu",
			    k > 0 ? ";" : "", first + k);
			puts_(&list, line);
		}
		put(&list, "", 1);
		works = list.p;
	} else if (kind >= 22 && kind < 50)
		uses = "train;evaluate";
	else if (kind >= 50 && kind < 60)
		uses = "train;evaluate;research";
	snprintf(line, sizeof(line), "w%06lu,grant,%s,%s,", writer, base,
	    uses);
	puts_(con, line);
	puts_(con, works);
	snprintf(line, sizeof(line), ",%s,%s\n", form, who);
	puts_(con, line);
	free(list.p);
	if (kind < 9 || kind >= 22)
		return;

	/* A later event, before the cut-off but for kind 13. */
	snprintf(when, sizeof(when), "%s-%02d-%02d",
	    kind == 13 ? "2027" : "2026", 1 + (int)below(&w, 10),
	    1 + (int)below(&w, 28));
	if (kind <= 13)
		snprintf(line, sizeof(line), "w%06lu,withdraw,%s,*,*,v3,%s\n",
		    writer, when, who);
	else if (kind < 17)
		snprintf(line, sizeof(line), "w%06lu,withdraw,%s,*,s%08lu,"
		    "v3,%s\n", writer, when, first + below(&w, (uint32_t)n),
		    who);
	else if (kind < 20)
		snprintf(line, sizeof(line), "w%06lu,grant,%s,evaluate,"
		    "s%08lu,v3,%s\n", writer, when,
		    first + below(&w, (uint32_t)n), who);
	else
		snprintf(line, sizeof(line), "w%06lu,withdraw,%s,*,*,v3,%s\n"
		    "w%06lu,grant,%s,train;evaluate,*,v3,%s\n", writer, when,
		    who, writer, when, who);
	puts_(later, line);
}

/* An ASCII word for an address: an English pseudo-word. */
static const char *
ascii_word(uint64_t *p)
{
	return vocab[EN][NFC].word[below(p, VOCAB)];
}

/* Append n random digits. */
static void
digits(struct buf *b, uint64_t *p, int n)
{
	char d;

	while (n-- > 0) {
		d = (char)('0' + below(p, 10));
		put(b, &d, 1);
	}
}

/* Append one e-mail address or phone number, as writers type them. */
static void
pii_item(struct buf *b, uint64_t *p)
{
	static const char *const dom[] = { "example.org", "example.net",
		"mail.example.com", "example.co.uk", "post.example.de" };
	char tmp[160];

	switch (below(p, 10)) {
	case 0: case 1: case 2:		/* name.surname@domain */
		snprintf(tmp, sizeof(tmp), "%s.%s%s@%s", ascii_word(p),
		    ascii_word(p), below(p, 3) ? "" : "77", dom[below(p, 5)]);
		puts_(b, tmp);
		break;
	case 3:				/* spelled out */
		snprintf(tmp, sizeof(tmp), below(p, 2) ?
		    "%s [at] example [dot] org" : "%s (at) example (dot) net",
		    ascii_word(p));
		puts_(b, tmp);
		break;
	case 4:				/* +44 20 7946 0NNN */
		puts_(b, "+44 20 7946 0");
		digits(b, p, 3);
		break;
	case 5:				/* +33 1 23 45 67 NN */
		puts_(b, "+33 1 ");
		for (int k = 0; k < 4; k++) {
			digits(b, p, 2);
			puts_(b, k < 3 ? " " : "");
		}
		break;
	case 6:				/* (555) 010-NNNN */
		puts_(b, below(p, 2) ? "(555) 010-" : "1-800-555-");
		digits(b, p, 4);
		break;
	case 7:				/* 555-010-NNNN */
		puts_(b, "555-010-");
		digits(b, p, 4);
		break;
	case 8:				/* 030 NNNNNNN */
		puts_(b, "030 ");
		digits(b, p, 7);
		break;
	default:			/* 0049 89 NNNNNN */
		puts_(b, "0049 89 ");
		digits(b, p, 6);
		break;
	}
}

/*
 * Insert a line at a line boundary of the work in b: personal data (one
 * to three items) when pii is set, otherwise numbers, dates and @ signs
 * that are not personal data.
 */
static void
insert_line(struct buf *b, uint64_t *p, const struct style *st, int pii)
{
	static const char *const lead[] = { "Write to me: ", "Contact ",
		"Tel. ", "mail ", "— ", "call me on " };
	static const char *const plain[] = {
		"In 1987, at 6:30, the eleventh of May.",
		"page 214, line 12 — 3 @ 2 for a song",
		"meet me @ dawn, train 4417 at 05:45, platform 9",
		"12.03.1998 · 2024-07-14 · No. 38 · 1 000 000 stars",
		"tea @ 5:15, room 1204, 33 1/3 rpm, 1914-1918",
		"@Maren, 7 × 7 = 49; 0.5 mm of rain, 98.6 °F",
	};
	struct buf line = { 0 };
	size_t at, n;
	int k, items;

	if (pii) {
		puts_(&line, lead[below(p, 6)]);
		items = 1 + (int)below(p, 3);
		for (k = 0; k < items; k++) {
			if (k > 0)
				puts_(&line, below(p, 2) ? ", " : " / ");
			pii_item(&line, p);
		}
	} else
		puts_(&line, plain[below(p, 6)]);
	puts_(&line, st->crlf ? "\r\n" : "\n");

	/* After the first line end at or past a random offset, or at the end. */
	at = b->len == 0 ? 0 : below(p, (uint32_t)b->len);
	while (at < b->len && b->p[at] != '\n')
		at++;
	if (at < b->len)
		at++;
	else if (b->len > 0 && b->p[b->len - 1] != '\n') {
		newline(b, st);
		at = b->len;
	}
	n = line.len;
	grow(b, n);
	memmove(b->p + at + n, b->p + at, b->len - at);
	memcpy(b->p + at, line.p, n);
	b->len += n;
	free(line.p);
}

static unsigned long long
parse_num(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		die("bad %s", what);
	return v;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [-l PERMILLE] [-s SEED] BYTES DIR\n",
	    progname);
	exit(64);
}

int
main(int argc, char *argv[])
{
	/*
	 * The license column as writers type it: spellings of policies/
	 * licenses.csv (ids and aliases), with their weight in percent.  About
	 * 8 % are not permitted for training (NC, ND, all rights reserved) and
	 * 1 % is no license of licenses.csv.
	 */
	static const struct {
		const char *name;
		int weight;
	} licenses[] = {
		{ "CC-BY-4.0", 19 }, { "CC BY 4.0", 15 }, { "cc-by", 8 },
		{ "Attribution 4.0 International", 4 },
		{ "Creative Commons Attribution 4.0 International", 3 },
		{ "cc by 4.0", 2 }, { "CC0-1.0", 12 }, { "Public domain", 6 },
		{ "CC0", 3 }, { "CC-BY-SA-4.0", 10 }, { "CC BY-SA 4.0", 6 },
		{ "cc-by-sa", 3 }, { "CC BY-NC 4.0", 4 }, { "CC-BY-NC-4.0", 2 },
		{ "CC BY-ND 4.0", 1 }, { "All rights reserved", 1 },
		{ "CC BY 3.0", 1 },
	};
	struct buf text = { 0 }, enc = { 0 }, man = { 0 }, con = { 0 };
	struct buf later = { 0 };
	struct style st;
	uint64_t seed = 1, s, p, total = 0, target, size;
	unsigned long permille = 5;
	unsigned long nworks = 0, writer = 0, left = 0, nlegacy = 0;
	unsigned long npii = 0, nplain = 0;
	int month, day, form, li;
	char path[4096], line[512], title[256];
	const char *dir, *ext;
	int ch, l, k, pct, utf16;

	while ((ch = getopt(argc, argv, "l:s:")) != -1)
		switch (ch) {
		case 'l':
			permille = parse_num(optarg, "-l");
			break;
		case 's':
			seed = parse_num(optarg, "-s");
			break;
		default:
			usage();
		}
	if (argc - optind != 2)
		usage();
	size = parse_num(argv[optind], "BYTES");
	dir = argv[optind + 1];

	make_vocab(seed);
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		die("%s", dir);
	snprintf(path, sizeof(path), "%s/works", dir);
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		die("%s", path);
	puts_(&man, "submission_id,writer_id,file,license,submitted,title,"
	    "credit,language,genre,channel\n");
	puts_(&con, "writer_id,event,date,uses,works,form_version,name,"
	    "email\n");

	while (total < size) {
		s = seed * 0x2545F4914F6CDD1DULL + nworks;
		rnd(&s);
		/* Each writer submits one to fifteen works. */
		if (left == 0) {
			writer++;
			left = 1 + below(&s, 15);
			snprintf(path, sizeof(path), "%s/works/w%06lu", dir,
			    writer);
			if (mkdir(path, 0755) != 0 && errno != EEXIST)
				die("%s", path);
			/* Three draws, as ever: the works stay the same. */
			month = 1 + (int)below(&s, 9);
			day = (int)below(&s, 10);
			form = (int)below(&s, 2);
			ledger(&con, &later, seed, writer, nworks + 1, left,
			    month, day, form ? "v1" : "v2");
		}
		left--;
		nworks++;

		/* 1 KB to 64 KB, evenly spread on a log scale. */
		target = (uint64_t)(MIN_WORK * exp2(6.0 * (double)(rnd(&s)
		    >> 11) / 9007199254740992.0));
		if (target > size - total)
			target = size - total < MIN_WORK ? MIN_WORK :
			    size - total;
		pct = (int)below(&s, 100);
		for (l = 0; l < NLANG - 1 && pct >= langshare[l]; l++)
			pct -= langshare[l];
		st.lang = (enum lang)l;
		st.form = NFC;
		if (st.lang != EN && st.lang != ZH && chance(&s, 25))
			st.form = NFD;
		st.poem = chance(&s, 30);
		st.crlf = chance(&s, 15);
		st.invisible = chance(&s, 10);
		ext = chance(&s, 20) ? "md" : "txt";

		text.len = 0;
		if (ext[0] == 'm') {
			puts_(&text, "# ");
			for (k = 0; k < 3; k++) {
				if (k > 0 && !cjk(st.lang))
					puts_(&text, " ");
				word(&text, &s, &st, k == 0);
			}
			newline(&text, &st);
			newline(&text, &st);
		}
		body(&text, &s, &st, target);

		/* A few works arrive in a legacy encoding. */
		utf16 = -1;
		if (below(&s, 1000) < permille) {
			utf16 = st.lang > ES || below(&s, 2);
			if (!utf16)
				st.form = NFC;
		}
		if (utf16 >= 0 && st.form == NFD) {
			/* Regenerate in NFC: legacy charsets hold no marks. */
			st.form = NFC;
			text.len = 0;
			body(&text, &s, &st, target);
		}

		/*
		 * 2 % of the works hold e-mail addresses or phone numbers, 4 %
		 * numbers and @ signs that are not personal data; drawn from a
		 * generator of their own, so that every other work stays the
		 * same.
		 */
		p = (seed ^ 0x706969ULL) * 0xD1B54A32D192ED03ULL + nworks;
		rnd(&p);
		k = (int)below(&p, 100);
		if (k < 2) {
			insert_line(&text, &p, &st, 1);
			npii++;
		} else if (k < 6) {
			insert_line(&text, &p, &st, 0);
			nplain++;
		}
		snprintf(path, sizeof(path), "%s/works/w%06lu/s%08lu.%s", dir,
		    writer, nworks, ext);
		if (utf16 >= 0) {
			legacy(&enc, &text, utf16);
			write_file(path, enc.p, enc.len);
			total += enc.len;
			nlegacy++;
		} else {
			write_file(path, text.p, text.len);
			total += text.len;
		}

		/* A title: a few words of the work's language. */
		text.len = 0;
		st.form = NFC;
		st.invisible = 0;
		for (k = 0, l = 2 + (int)below(&s, 4); k < l; k++) {
			if (k > 0 && !cjk(st.lang))
				puts_(&text, k == 2 && below(&s, 3) == 0 ?
				    ", " : " ");
			word(&text, &s, &st, k == 0);
		}
		if (below(&s, 20) == 0)
			puts_(&text, " \"draft\"");
		snprintf(title, sizeof(title), "%.*s", (int)text.len, text.p);
		pct = (int)below(&s, 100);
		for (li = 0; pct >= licenses[li].weight; li++)
			pct -= licenses[li].weight;
		snprintf(line, sizeof(line), "s%08lu,w%06lu,works/w%06lu/"
		    "s%08lu.%s,%s,2025-%02d-%02d,", nworks, writer, writer,
		    nworks, ext, licenses[li].name, 1 + (int)below(&s, 12),
		    1 + (int)below(&s, 28));
		puts_(&man, line);
		csv_field(&man, title, strlen(title));
		snprintf(line, sizeof(line), ",Writer %lu,%s,%s,%s\n", writer,
		    langcode[st.lang], st.poem ? "poetry" : "prose",
		    below(&s, 4) ? "web" : "mail");
		puts_(&man, line);
	}

	snprintf(path, sizeof(path), "%s/manifest.csv", dir);
	write_file(path, man.p, man.len);
	snprintf(path, sizeof(path), "%s/consent.csv", dir);
	put(&con, later.p, later.len);
	write_file(path, con.p, con.len);
	printf("works %lu bytes %llu writers %lu legacy %lu pii %lu "
	    "numbers %lu\n", nworks, (unsigned long long)total, writer, nlegacy,
	    npii, nplain);
	free(text.p);
	free(enc.p);
	free(man.p);
	free(con.p);
	free(later.p);
	return 0;
}
