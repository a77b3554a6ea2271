/* quire-normalize: normalize the text of each record, rule by rule. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "unorm8.h"
#include "util.h"

/* The rules, in the order they apply. */
enum rule {
	R_BOM,
	R_NEWLINES,
	R_CONTROLS,
	R_INVISIBLES,
	R_UNICODE,
	R_TRAILING,
	R_EDGES,
	R_BLANKS,
	NRULES
};

static const char *const rule_name[NRULES] = {
	"bom", "newlines", "controls", "invisibles", "unicode", "trailing",
	"edges", "blanks"
};
static const char *const records_key[NRULES] = {
	"bom_records", "newlines_records", "controls_records",
	"invisibles_records", "unicode_records", "trailing_records",
	"edges_records", "blanks_records"
};
static const char *const chars_key[NRULES] = {
	"bom_chars", "newlines_chars", "controls_chars", "invisibles_chars",
	"unicode_chars", "trailing_chars", "edges_chars", "blanks_chars"
};

static int kflag;			/* -k: NFKC instead of NFC */
static int disabled[NRULES];		/* -n RULE */

/* What the character pass does with a character. */
enum {
	KEEP,
	DROP,
	TO_LF
};

/*
 * Lead bytes below these start characters that are normal in every
 * context: everything below U+0300 is NFC_QC=Yes with combining class 0;
 * everything below U+0100 but U+00A0..U+00BF (lead byte C2) is NFKC_QC=Yes
 * too.  A text made only of such characters skips ICU.
 */
#define NFC_LEAD	0xCC	/* U+0300 */
#define NFKC_LEAD	0xC4	/* U+0100 */
#define NO_BYTE		0xFF	/* never in UTF-8 */

/* Sixteen bytes, and the per-byte truth values (0 or -1) of comparisons. */
typedef unsigned char vbytes __attribute__((vector_size(16)));
typedef signed char vmask __attribute__((vector_size(16)));

/* Counts of one record: characters each rule removed or changed. */
struct tally {
	uint64_t chars[NRULES];
	unsigned changed;	/* bit r: rule r changed the text */
	int	need_icu;	/* a kept character may not be normal */
};

/*
 * The output of a pass.  As long as everything kept is one contiguous span
 * of the pass's input, the output is that span (src + off, len) and no
 * byte is copied; the first gap or new byte copies the span into buf and
 * the pass goes on there.  A pass never makes its text longer, so buf is
 * sized once to the input's length.
 */
struct out {
	const char *src;
	size_t	srclen;
	char	**buf;		/* the caller's reused buffer */
	size_t	*cap;
	size_t	off;
	size_t	len;
	int	copying;
};

/* Work buffers reused from record to record, freed at the end. */
struct work {
	const struct unorm8 *un;	/* NULL when the unicode rule is off */
	int	nfkc;
	unsigned char lead;		/* NFC_LEAD or NFKC_LEAD */
	unsigned char c2;		/* 0xC2 with -k (U+00A0..), else NO_BYTE */
	char	*chars_buf;		/* output of the character pass */
	size_t	chars_cap;
	char	*lines_buf;		/* output of the line pass */
	size_t	lines_cap;
	struct unorm8_out uo;		/* output of the unicode rule */
	uint64_t records[NRULES];	/* totals for --stats */
	uint64_t chars[NRULES];
	uint64_t records_changed;
};

static void
out_init(struct out *o, const char *src, size_t srclen, char **buf,
    size_t *cap)
{
	o->src = src;
	o->srclen = srclen;
	o->buf = buf;
	o->cap = cap;
	o->off = 0;
	o->len = 0;
	o->copying = 0;
}

/* Leave the view: copy the span kept so far into the buffer. */
static void
out_copy(struct out *o)
{
	if (*o->cap < o->srclen) {
		free(*o->buf);
		*o->buf = emalloc(o->srclen);
		*o->cap = o->srclen;
	}
	memcpy(*o->buf, o->src + o->off, o->len);
	o->copying = 1;
}

static void
out_append(struct out *o, const char *p, size_t n)
{
	if (o->len + n > *o->cap)
		die(EXIT_SOFTWARE, "internal error: a pass lengthened a text");
	memcpy(*o->buf + o->len, p, n);
	o->len += n;
}

/* Keep src[pos..pos+n). */
static void
out_keep(struct out *o, size_t pos, size_t n)
{
	if (n == 0)
		return;
	if (!o->copying) {
		if (o->len == 0) {
			o->off = pos;
			o->len = n;
			return;
		}
		if (o->off + o->len == pos) {
			o->len += n;
			return;
		}
		out_copy(o);
	}
	out_append(o, o->src + pos, n);
}

/* Add n bytes that are not in the input. */
static void
out_put(struct out *o, const char *p, size_t n)
{
	if (!o->copying)
		out_copy(o);
	out_append(o, p, n);
}

static const char *
out_str(const struct out *o)
{
	return o->copying ? *o->buf : o->src + o->off;
}

/* Index of the first byte in memory order whose bit is set in mask m. */
static inline size_t
first_byte(uint64_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) >> 3;
#else
	return (size_t)__builtin_ctzll(m) >> 3;
#endif
}

/* Index of the first true byte of m, 16 when none is. */
static inline size_t
first_true(vmask m)
{
	uint64_t a, b;

	memcpy(&a, &m, 8);
	memcpy(&b, (const char *)&m + 8, 8);
	if (a != 0)
		return first_byte(a);
	if (b != 0)
		return 8 + first_byte(b);
	return 16;
}

/*
 * Look at the 16 bytes at p (17 readable) and return the index of the
 * first that starts a character some rule may act on, 16 when none does;
 * mark t for ICU when one of the others may start a character that is not
 * normal.  Printable ASCII is dismissed with two comparisons.  The second
 * byte is looked at too, so that of the lead bytes C2, E1, E2 and EF only
 * the sequences that may be a target stop the scan: C1 controls and
 * U+00AD, not Latin-1 letters and signs; U+18xx, not Vietnamese letters;
 * U+2000..U+207F, not arrows or mathematics; U+FExx, not full-width forms.
 * GCC vector extensions: SSE2 on x86-64, NEON on ARM, plain code elsewhere.
 */
static inline size_t
scan16(const struct work *w, const unsigned char *p, struct tally *t)
{
	vbytes v0, v1;
	vmask sp, hi;

	memcpy(&v0, p, 16);
	if (first_true((v0 < 0x20) | (v0 >= 0x7F)) == 16)
		return 16;
	memcpy(&v1, p + 1, 16);
	sp = ((v0 < 0x20) & (v0 != '\t') & (v0 != '\n')) | (v0 == 0x7F) |
	    ((v0 == 0xC2) & ((v1 < 0xA0) | (v1 == 0xAD))) |
	    ((v0 == 0xE1) & (v1 == 0xA0)) |
	    ((v0 == 0xE2) & ((v1 == 0x80) | (v1 == 0x81))) |
	    ((v0 == 0xEF) & (v1 == 0xBB));
	hi = ((v0 >= w->lead) | (v0 == w->c2)) & ~sp;
	if (first_true(hi) != 16)
		t->need_icu = 1;
	return first_true(sp);
}

/*
 * Decide the fate of the character starting at u[i], whose first byte is
 * special: KEEP, DROP or TO_LF.  Store its length in bytes in *n and the
 * rule that acts on it in *rule; mark t for ICU when a kept character may
 * not be normal.  Sequences cut short (never in valid UTF-8) are kept.
 */
static int
special(const struct work *w, const unsigned char *u, size_t i, size_t len,
    size_t *n, int *rule, struct tally *t)
{
	size_t left = len - i;
	unsigned char c1, c2;

	*n = 1;
	*rule = R_CONTROLS;
	switch (u[i]) {
	case '\r':
		*rule = R_NEWLINES;
		if (disabled[R_NEWLINES])
			return KEEP;
		return left > 1 && u[i + 1] == '\n' ? DROP : TO_LF;
	case 0x0B:	/* VT and FF force a line break (UAX #14 class BK) */
	case 0x0C:
		return disabled[R_CONTROLS] ? KEEP : TO_LF;
	case 0xC2:
		if (left < 2)
			return KEEP;
		*n = 2;
		c1 = u[i + 1];
		if (c1 <= 0x9F) {	/* C1 controls; NEL breaks a line */
			if (disabled[R_CONTROLS])
				return KEEP;
			return c1 == 0x85 ? TO_LF : DROP;
		}
		if (c1 == 0xAD) {	/* U+00AD SOFT HYPHEN */
			*rule = R_INVISIBLES;
			if (!disabled[R_INVISIBLES])
				return DROP;
		}
		if (w->nfkc)
			t->need_icu = 1;
		return KEEP;
	case 0xE1:
	case 0xE2:
	case 0xEF:
		if (left < 3)
			return KEEP;
		*n = 3;
		*rule = R_INVISIBLES;
		c1 = u[i + 1];
		c2 = u[i + 2];
		if (u[i] == 0xE2 && c1 == 0x80 && (c2 == 0xA8 || c2 == 0xA9)) {
			/* U+2028 LINE and U+2029 PARAGRAPH SEPARATOR */
			*rule = R_CONTROLS;
			if (!disabled[R_CONTROLS])
				return TO_LF;
		} else if (!disabled[R_INVISIBLES] &&
		    /* U+180E MONGOLIAN VOWEL SEPARATOR */
		    ((u[i] == 0xE1 && c1 == 0xA0 && c2 == 0x8E) ||
		    /* U+200B ZERO WIDTH SPACE */
		    (u[i] == 0xE2 && c1 == 0x80 && c2 == 0x8B) ||
		    /* U+2060 WORD JOINER, U+2061..U+2064 invisible operators */
		    (u[i] == 0xE2 && c1 == 0x81 && c2 >= 0xA0 && c2 <= 0xA4) ||
		    /* U+FEFF but a leading one, which is the bom rule's */
		    (u[i] == 0xEF && c1 == 0xBB && c2 == 0xBF && i > 0)))
			return DROP;
		/* U+2002..U+20CF (punctuation, currency) are NFC-inert. */
		if (w->nfkc || u[i] != 0xE2 || (c1 == 0x80 && c2 < 0x82) ||
		    (c1 == 0x83 && c2 >= 0x90) || c1 > 0x83)
			t->need_icu = 1;
		return KEEP;
	default:	/* the other C0 controls and DEL */
		return disabled[R_CONTROLS] ? KEEP : DROP;
	}
}

/*
 * The rules bom, newlines, controls and invisibles in one pass over
 * s[0..len), writing to o.  Most text is skipped 16 bytes at a time;
 * characters are looked at one by one only where scan16 stops.  A CR is
 * judged by the byte after it in s, so the result is that of the rules
 * applied one after the other.
 */
static void
pass_chars(const struct work *w, struct out *o, const char *s, size_t len,
    struct tally *t)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char tail[32];
	size_t i = 0, kept = 0, k, n;
	int act, rule;

	if (!disabled[R_BOM] && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
		t->chars[R_BOM]++;
		t->changed |= 1U << R_BOM;
		i = kept = 3;
	}
	while (i < len) {
		if (len - i > 16)
			k = scan16(w, u + i, t);
		else {
			/* The last bytes, padded with spaces, which stop nothing. */
			memset(tail, ' ', sizeof(tail));
			memcpy(tail, u + i, len - i);
			k = scan16(w, tail, t);
		}
		if (k == 16) {
			i += 16;
			continue;
		}
		i += k;
		act = special(w, u, i, len, &n, &rule, t);
		if (act != KEEP) {
			out_keep(o, kept, i - kept);
			if (act == TO_LF)
				out_put(o, "\n", 1);
			kept = i + n;
			t->chars[rule]++;
			t->changed |= 1U << rule;
		}
		i += n;
	}
	out_keep(o, kept, len - kept);
}

/* A run of blank lines, held until we know whether it leads or trails. */
struct run {
	size_t	n;		/* lines in the run */
	size_t	start;		/* where its first line starts */
	size_t	end;		/* where it ends, after its last LF if any */
	size_t	first_len;	/* its first line's length, trailing rule done */
	size_t	first_lf;	/* where the first line's LF is */
	int	first_has_lf;
	size_t	lfs;		/* LFs in the run */
	size_t	chars;		/* characters left in it by the trailing rule */
	int	trimmed;	/* the trailing rule emptied some of its lines */
};

static int
is_blank(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/*
 * Write out the pending run of blank lines: none of it when the edges rule
 * is on and the run leads or trails the text (edge), only its first line
 * when the blanks rule is on and it has two lines or more, all of it
 * otherwise.
 */
static void
flush_run(struct out *o, struct run *r, int edge, struct tally *t)
{
	static const char lfs[] = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";
	size_t k, left;

	if (r->n == 0)
		return;
	if (edge && !disabled[R_EDGES]) {
		t->chars[R_EDGES] += r->chars;
		t->changed |= 1U << R_EDGES;
	} else if (r->n >= 2 && !disabled[R_BLANKS]) {
		out_keep(o, r->start, r->first_len);
		if (r->first_has_lf)
			out_keep(o, r->first_lf, 1);
		t->chars[R_BLANKS] += r->chars - r->first_len -
		    r->first_has_lf;
		t->changed |= 1U << R_BLANKS;
	} else if (!r->trimmed)
		out_keep(o, r->start, r->end - r->start);
	else {
		/* The trailing rule emptied lines: only their LFs remain. */
		for (left = r->lfs; left > 0; left -= k) {
			k = left < sizeof(lfs) - 1 ? left : sizeof(lfs) - 1;
			out_put(o, lfs, k);
		}
	}
	r->n = 0;
}

/*
 * The rules trailing, edges and blanks in one pass over the lines of
 * s[0..len), writing to o.  A line ends at an LF or at the end of the
 * text; a final LF does not start another line.  Blank lines (nothing but
 * spaces and tabs) are held in a run until a line with text or the end
 * tells what to do with them.
 */
static void
pass_lines(struct out *o, const char *s, size_t len, struct tally *t)
{
	struct run r;
	const char *nl;
	size_t pos = 0, end, cend, lf;
	int blank, seen = 0;

	memset(&r, 0, sizeof(r));
	while (pos < len) {
		nl = memchr(s + pos, '\n', len - pos);
		end = nl != NULL ? (size_t)(nl - s) : len;
		lf = nl != NULL;
		cend = end;
		if (!disabled[R_TRAILING]) {
			while (cend > pos &&
			    (s[cend - 1] == ' ' || s[cend - 1] == '\t'))
				cend--;
			if (cend < end) {
				t->chars[R_TRAILING] += end - cend;
				t->changed |= 1U << R_TRAILING;
			}
			blank = cend == pos;
		} else
			blank = is_blank(s + pos, end - pos);
		if (blank) {
			if (r.n++ == 0) {
				r.start = pos;
				r.first_len = cend - pos;
				r.first_lf = end;
				r.first_has_lf = lf;
				r.lfs = r.chars = 0;
				r.trimmed = 0;
			}
			r.lfs += lf;
			r.chars += cend - pos + lf;
			r.trimmed |= cend < end;
			r.end = end + lf;
		} else {
			flush_run(o, &r, !seen, t);
			out_keep(o, pos, cend - pos);
			if (lf)
				out_keep(o, end, 1);
			seen = 1;
		}
		pos = end + lf;
	}
	flush_run(o, &r, 1, t);
	/* What is left ends with the last line of text: drop its LF. */
	if (!disabled[R_EDGES] && o->len > 0 &&
	    out_str(o)[o->len - 1] == '\n') {
		o->len--;
		t->chars[R_EDGES]++;
		t->changed |= 1U << R_EDGES;
	}
}

/*
 * Apply the rules to the text of rec, in place.  Return 1 if the record
 * goes on, 0 if it went to the rejects log; only records that go on count
 * in the totals of w.
 */
static int
normalize_record(struct work *w, struct json_object *rec,
    const struct record_in *in, struct rejects *rj)
{
	struct json_object *v;
	struct tally t;
	struct out o;
	const char *text, *s;
	char *detail;
	size_t tlen, len;
	int r, borrowed, found;

	found = json_object_object_get_ex(rec, "text", &v);
	if (!found || !json_object_is_type(v, json_type_string)) {
		detail = easprintf("%s:%zu: %s", in->name, in->lineno,
		    found ? "text is not a string" : "no text field");
		rej_record(rj, rec, "normalize.no_text", detail);
		free(detail);
		return 0;
	}
	text = json_object_get_string(v);
	tlen = (size_t)json_object_get_string_len(v);
	memset(&t, 0, sizeof(t));

	out_init(&o, text, tlen, &w->chars_buf, &w->chars_cap);
	pass_chars(w, &o, text, tlen, &t);
	s = out_str(&o);
	len = o.len;
	borrowed = !o.copying;		/* s points into the record */

	if (w->un != NULL && t.need_icu &&
	    unorm8_normalize(w->un, s, len, &w->uo)) {
		s = w->uo.buf;
		len = w->uo.len;
		borrowed = 0;
		t.chars[R_UNICODE] += w->uo.changed;
		t.changed |= 1U << R_UNICODE;
	}

	if (!disabled[R_TRAILING] || !disabled[R_EDGES] ||
	    !disabled[R_BLANKS]) {
		out_init(&o, s, len, &w->lines_buf, &w->lines_cap);
		pass_lines(&o, s, len, &t);
		s = out_str(&o);
		len = o.len;
		borrowed = borrowed && !o.copying;
	}

	if (len == 0) {
		detail = easprintf("%s:%zu", in->name, in->lineno);
		rej_record(rj, rec, "normalize.empty", detail);
		free(detail);
		return 0;
	}
	if (t.changed == 0)
		return 1;
	/* json-c copies with memcpy: s must not overlap its own string. */
	if (borrowed) {
		if (w->lines_cap < len) {
			free(w->lines_buf);
			w->lines_buf = emalloc(len);
			w->lines_cap = len;
		}
		memcpy(w->lines_buf, s, len);
		s = w->lines_buf;
	}
	record_set_str(rec, "text", s, len);
	w->records_changed++;
	for (r = 0; r < NRULES; r++) {
		w->chars[r] += t.chars[r];
		w->records[r] += (t.changed >> r) & 1;
	}
	return 1;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hkq] [-n rule[,rule...]] [--rejects FILE] "
	    "[--stats FILE] [--version] [FILE ...]\n", progname);
}

/* Switch off the rules named in arg, a comma-separated list. */
static void
disable_rules(const char *arg)
{
	const char *p = arg, *e;
	size_t n;
	int r;

	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (r = 0; r < NRULES; r++)
			if (strlen(rule_name[r]) == n &&
			    strncmp(p, rule_name[r], n) == 0)
				break;
		if (r == NRULES)
			cli_usage_error(usage, "-n: unknown rule '%.*s' (rules: "
			    "bom, newlines, controls, invisibles, unicode, "
			    "trailing, edges, blanks)", (int)n, p);
		disabled[r] = 1;
		if (e == NULL)
			break;
		p = e + 1;
	}
}

/* The disabled rules as a comma-separated list, in rule order. */
static char *
disabled_list(void)
{
	char *s = ecalloc(1, 128);
	int r;

	for (r = 0; r < NRULES; r++)
		if (disabled[r]) {
			if (s[0] != '\0')
				strcat(s, ",");
			strcat(s, rule_name[r]);
		}
	return s;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct work w;
	struct json_object *rec;
	char *list;
	uint64_t changed;
	int ch, r;

	cli_init(argv, "quire-normalize");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "kn:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'k':
			kflag = 1;
			break;
		case 'n':
			disable_rules(optarg);
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}

	memset(&w, 0, sizeof(w));
	w.nfkc = kflag;
	if (!disabled[R_UNICODE])
		w.un = unorm8_get(kflag ? UNORM8_NFKC : UNORM8_NFC);
	w.lead = kflag ? NFKC_LEAD : NFC_LEAD;
	w.c2 = kflag ? 0xC2 : NO_BYTE;

	stats_init(&st, "normalize");
	stats_option(&st, "form", kflag ? "NFKC" : "NFC");
	list = disabled_list();
	stats_option(&st, "disabled", list);
	free(list);
	stats_option(&st, "unicode_version", unorm8_unicode_version());
	stats_add(&st, "records_changed", 0);
	for (r = 0; r < NRULES; r++) {
		stats_add(&st, records_key[r], 0);
		stats_add(&st, chars_key[r], 0);
	}
	rej_open(&rj, cli.rejects_path, "normalize", &st);
	progress_init(&pg, cli.qflag);

	record_in_init(&in, argc - optind, argv + optind);
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in = in.bytes;
		changed = w.records_changed;
		if (normalize_record(&w, rec, &in, &rj)) {
			/* A record already normal leaves as it came. */
			if (w.records_changed == changed)
				st.bytes_out += record_write_line(stdout,
				    "<stdout>", &in);
			else
				st.bytes_out += record_write(stdout,
				    "<stdout>", rec);
			st.records_out++;
		}
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	progress_done(&pg);
	efshut(stdout, "<stdout>");
	rej_close(&rj);

	stats_add(&st, "records_changed", (int64_t)w.records_changed);
	for (r = 0; r < NRULES; r++) {
		stats_add(&st, records_key[r], (int64_t)w.records[r]);
		stats_add(&st, chars_key[r], (int64_t)w.chars[r]);
	}
	stats_write(&st, cli.stats_path);
	stats_free(&st);
	free(w.chars_buf);
	free(w.lines_buf);
	free(w.uo.buf);
	return EXIT_OK;
}
