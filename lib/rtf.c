/*
 * RTF as text.  Debian packages no C library that reads RTF (unrtf and
 * catdoc are programs, not libraries), so this is a small tokenizer of
 * the RTF 1.9.1 syntax: groups, control words and symbols, \'hh bytes in
 * the code page of the document or of the current font (ICU converts
 * them), \uN with its \ucN fallback, and \binN data.  It reads the body
 * and footnotes; it skips every destination it does not know (\* or not:
 * font and color tables, style sheets, pictures, headers, comments).  See
 * doctext.h for the rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ucnv.h>

#include "doctext.h"
#include "util.h"

#define MAX_FONTS 512
#define PENDING 512		/* bytes converted together */

enum dest {
	D_BODY,		/* text of the work */
	D_NOTE,		/* a footnote's text */
	D_SKIP,		/* a destination that is not text of the work */
	D_FONTTBL,	/* the font table: \fN \fcharsetN \cpgN */
	D_INSTR		/* a field's instruction */
};

/* What a group changes and restores: RTF scopes these by group. */
struct state {
	enum dest dest;
	int	uc;		/* fallback characters after \uN */
	int	hidden;		/* \v */
	int	deleted;	/* \deleted */
	int	font;		/* \fN; a codepage comes with it */
	int	field;		/* open fields when this group started */
	int	owns_field;	/* this group is a \field */
	int	owns_note;	/* this group is a \footnote */
	int	drop_result;	/* inside a \fldrslt that is dropped */
};

struct font {
	int	num;
	int	cp;		/* code page; 0: the document's */
};

struct rtf {
	struct doc *d;
	const char *p, *end;
	struct state st[DOC_MAX_DEPTH + 1];
	int	depth;
	int	star;		/* \* seen: an unknown destination is skipped */
	int	ucskip;		/* fallback characters left to skip */
	uint32_t high;		/* a high surrogate waiting for its pair */
	int	doc_cp;		/* \ansicpgN */
	struct font fonts[MAX_FONTS];
	int	nfonts;
	int	deffont;
	char	instr[16][16];	/* the start of each open field's instruction */
	int	nfield;
	int	chftn;		/* a "[N]" was written by \chftn for note N */
	char	pending[PENDING];
	size_t	npending;
	int	pending_cp;
	UConverter *cnv;
	int	cnv_cp;
	char	*conv;
	size_t	convcap;
};

/* ICU names of Windows code pages vary: try the usual spellings. */
static UConverter *
open_cp(int cp)
{
	static const char *const fmts[] = { "windows-%d", "cp%d", "ibm-%d" };
	UErrorCode err;
	UConverter *c;
	char name[32];
	size_t i;

	if (cp == 65001)
		snprintf(name, sizeof(name), "UTF-8");
	else if (cp == 10000)
		snprintf(name, sizeof(name), "macintosh");
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		if (cp != 65001 && cp != 10000)
			snprintf(name, sizeof(name), fmts[i], cp);
		err = U_ZERO_ERROR;
		c = ucnv_open(name, &err);
		if (U_SUCCESS(err))
			return c;
	}
	return NULL;
}

/* The Windows code page of an RTF \fcharset. */
static int
charset_cp(int cs)
{
	switch (cs) {
	case 77: return 10000;
	case 128: return 932;
	case 129: return 949;
	case 134: return 936;
	case 136: return 950;
	case 161: return 1253;
	case 162: return 1254;
	case 163: return 1258;
	case 177: return 1255;
	case 178: return 1256;
	case 186: return 1257;
	case 204: return 1251;
	case 222: return 874;
	case 238: return 1250;
	default: return 0;	/* ANSI, default, symbol: the document's */
	}
}

static struct state *
top(struct rtf *r)
{
	return &r->st[r->depth];
}

/* The code page text is in now: the current font's, else the document's. */
static int
current_cp(struct rtf *r)
{
	int i;

	for (i = 0; i < r->nfonts; i++)
		if (r->fonts[i].num == top(r)->font && r->fonts[i].cp != 0)
			return r->fonts[i].cp;
	return r->doc_cp;
}

static int
visible(struct rtf *r)
{
	struct state *s = top(r);

	return (s->dest == D_BODY || s->dest == D_NOTE) && !s->hidden &&
	    !s->deleted && !s->drop_result;
}

/* Convert and write the pending bytes. */
static void
flush(struct rtf *r)
{
	UErrorCode err = U_ZERO_ERROR;
	int32_t n;

	if (r->npending == 0)
		return;
	if (r->cnv == NULL || r->cnv_cp != r->pending_cp) {
		if (r->cnv != NULL)
			ucnv_close(r->cnv);
		r->cnv_cp = r->pending_cp;
		r->cnv = open_cp(r->pending_cp);
		if (r->cnv == NULL) {
			doc_fail(r->d, "ingest.encoding", "no converter for "
			    "code page %d", r->pending_cp);
			r->npending = 0;
			return;
		}
	}
	if (r->convcap < 4 * r->npending + 4) {
		r->convcap = 4 * PENDING + 4;
		r->conv = erealloc(r->conv, r->convcap);
	}
	n = ucnv_toAlgorithmic(UCNV_UTF8, r->cnv, r->conv,
	    (int32_t)r->convcap, r->pending, (int32_t)r->npending, &err);
	r->npending = 0;
	if (U_FAILURE(err)) {
		doc_fail(r->d, "ingest.encoding", "bytes not valid in code "
		    "page %d", r->cnv_cp);
		return;
	}
	doc_put(r->d, r->conv, (size_t)n);
}

static void
put_byte(struct rtf *r, unsigned char c)
{
	int cp;

	if (r->ucskip > 0) {
		r->ucskip--;
		return;
	}
	if (!visible(r)) {
		if (top(r)->dest == D_INSTR && r->nfield > 0 &&
		    r->nfield <= 16) {
			char *s = r->instr[r->nfield - 1];
			size_t len = strlen(s);

			if (len < 15) {
				s[len] = (char)c;
				s[len + 1] = '\0';
			}
		}
		return;
	}
	cp = current_cp(r);
	if (r->npending == PENDING || (r->npending > 0 && cp != r->pending_cp))
		flush(r);
	r->pending_cp = cp;
	r->pending[r->npending++] = (char)c;
}

static void
put_cp(struct rtf *r, uint32_t cp)
{
	flush(r);
	if (r->high != 0) {
		if (cp >= 0xDC00 && cp <= 0xDFFF) {
			cp = 0x10000 + ((r->high - 0xD800) << 10) +
			    (cp - 0xDC00);
			r->high = 0;
		} else {
			r->high = 0;
			if (visible(r))
				doc_put_cp(r->d, 0xFFFD);
		}
	}
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		r->high = cp;
		return;
	}
	if (visible(r))
		doc_put_cp(r->d, cp);
}

static void
put_str(struct rtf *r, const char *s)
{
	flush(r);
	if (visible(r))
		doc_put(r->d, s, strlen(s));
}

static int
hyperlink(const char *instr)
{
	while (*instr == ' ')
		instr++;
	return strncmp(instr, "HYPERLINK", 9) == 0;
}

/* Destinations that are not text of the work. */
static int
skipped(const char *w)
{
	static const char *const names[] = {
		"colortbl", "stylesheet", "info", "listtable",
		"listoverridetable", "revtbl", "rsidtbl", "generator",
		"xmlnstbl", "themedata", "colorschememapping", "latentstyles",
		"datastore", "pgdsctbl", "header", "headerl", "headerr",
		"headerf", "footer", "footerl", "footerr", "footerf",
		"nonshppict", "bkmkstart", "bkmkend", "listtext", "pntext",
		"pntxta", "pntxtb", "atnid", "atnauthor", "atrfstart",
		"atrfend", "atndate", "atnref", "xe", "tc", "template",
		"userprops", "docvar", "ftnsep", "ftnsepc", "aftnsep",
		"aftnsepc", "filetbl", "fchars", "lchars", "pgptbl",
		"protusertbl", "wgrffmtfilter", "mmathPr", "factoidname",
		"title", "subject", "author", "operator", "keywords",
		"comment", "doccomm", "hlinkbase", "defchp", "defpap",
		"passwordhash", "oldcprops", "oldpprops", "oldsprops",
		"oldtprops", "ts", "tsrowd", "blipuid", "panose",
		"falt", "fontemb", "fontfile", NULL
	};
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(w, names[i]) == 0)
			return 1;
	return 0;
}

static void
set_font_cp(struct rtf *r, int cp)
{
	if (r->nfonts > 0)
		r->fonts[r->nfonts - 1].cp = cp;
}

/* One control word with its parameter (has: a parameter was given). */
static void
control(struct rtf *r, const char *w, long param, int has)
{
	struct state *s = top(r);
	int star = r->star;
	char mark[32];

	r->star = 0;
	if (s->dest == D_FONTTBL) {
		if (strcmp(w, "f") == 0 && r->nfonts < MAX_FONTS) {
			r->fonts[r->nfonts].num = (int)param;
			r->fonts[r->nfonts++].cp = 0;
		} else if (strcmp(w, "fcharset") == 0) {
			set_font_cp(r, charset_cp((int)param));
		} else if (strcmp(w, "cpg") == 0) {
			set_font_cp(r, (int)param);
		}
		return;
	}
	/* A \uN's fallback may be a control word (\'hh is handled apart). */
	if (r->ucskip > 0 && strcmp(w, "u") != 0) {
		r->ucskip--;
		return;
	}
	if (strcmp(w, "par") == 0 || strcmp(w, "line") == 0 ||
	    strcmp(w, "sect") == 0) {
		put_str(r, "\n");
	} else if (strcmp(w, "tab") == 0 || strcmp(w, "cell") == 0 ||
	    strcmp(w, "nestcell") == 0) {
		put_str(r, "\t");
	} else if (strcmp(w, "row") == 0 || strcmp(w, "nestrow") == 0) {
		flush(r);
		if (visible(r)) {
			if (r->d->out->len > 0 &&
			    r->d->out->s[r->d->out->len - 1] == '\t')
				r->d->out->s[--r->d->out->len] = '\0';
			doc_putc(r->d, '\n');
		}
	} else if (strcmp(w, "u") == 0) {
		put_cp(r, (uint32_t)(param < 0 ? param + 65536 : param));
		r->ucskip = s->uc;
	} else if (strcmp(w, "uc") == 0) {
		s->uc = param < 0 ? 0 : param > 8 ? 8 : (int)param;
	} else if (strcmp(w, "emdash") == 0) {
		put_cp(r, 0x2014);
	} else if (strcmp(w, "endash") == 0) {
		put_cp(r, 0x2013);
	} else if (strcmp(w, "emspace") == 0) {
		put_cp(r, 0x2003);
	} else if (strcmp(w, "enspace") == 0) {
		put_cp(r, 0x2002);
	} else if (strcmp(w, "qmspace") == 0) {
		put_cp(r, 0x2005);
	} else if (strcmp(w, "bullet") == 0) {
		put_cp(r, 0x2022);
	} else if (strcmp(w, "lquote") == 0) {
		put_cp(r, 0x2018);
	} else if (strcmp(w, "rquote") == 0) {
		put_cp(r, 0x2019);
	} else if (strcmp(w, "ldblquote") == 0) {
		put_cp(r, 0x201C);
	} else if (strcmp(w, "rdblquote") == 0) {
		put_cp(r, 0x201D);
	} else if (strcmp(w, "zwj") == 0) {
		put_cp(r, 0x200D);
	} else if (strcmp(w, "zwnj") == 0) {
		put_cp(r, 0x200C);
	} else if (strcmp(w, "ltrmark") == 0) {
		put_cp(r, 0x200E);
	} else if (strcmp(w, "rtlmark") == 0) {
		put_cp(r, 0x200F);
	} else if (strcmp(w, "v") == 0) {
		flush(r);
		s->hidden = !has || param != 0;
		if (s->hidden && s->dest != D_SKIP)
			r->d->warn[DOC_W_HIDDEN]++;
	} else if (strcmp(w, "deleted") == 0) {
		flush(r);
		s->deleted = !has || param != 0;
		if (s->deleted && s->dest != D_SKIP)
			r->d->warn[DOC_W_DELETIONS]++;
	} else if (strcmp(w, "plain") == 0) {
		flush(r);
		s->hidden = 0;
		s->deleted = 0;
		s->font = r->deffont;
	} else if (strcmp(w, "f") == 0) {
		flush(r);
		s->font = (int)param;
	} else if (strcmp(w, "deff") == 0) {
		r->deffont = (int)param;
		s->font = (int)param;
	} else if (strcmp(w, "ansicpg") == 0) {
		r->doc_cp = (int)param;
	} else if (strcmp(w, "mac") == 0) {
		r->doc_cp = 10000;
	} else if (strcmp(w, "pc") == 0) {
		r->doc_cp = 437;
	} else if (strcmp(w, "pca") == 0) {
		r->doc_cp = 850;
	} else if (strcmp(w, "fonttbl") == 0) {
		s->dest = D_FONTTBL;
	} else if (strcmp(w, "chftn") == 0) {
		/* The automatic note number: ours in the body, none in a note. */
		if (s->dest == D_BODY && visible(r)) {
			flush(r);
			r->chftn = ++r->d->nnotes;
			snprintf(mark, sizeof(mark), "[%d]", r->chftn);
			doc_put(r->d, mark, strlen(mark));
		}
	} else if (strcmp(w, "footnote") == 0) {
		flush(r);
		if (s->dest != D_BODY || !visible(r)) {
			s->dest = D_SKIP;
			return;
		}
		if (r->chftn == 0) {
			r->chftn = ++r->d->nnotes;
			snprintf(mark, sizeof(mark), "[%d]", r->chftn);
			doc_put(r->d, mark, strlen(mark));
		}
		s->dest = D_NOTE;
		s->owns_note = 1;
		doc_note_begin(r->d, r->chftn);
		r->chftn = 0;
	} else if (strcmp(w, "annotation") == 0) {
		if (s->dest != D_SKIP)
			r->d->warn[DOC_W_COMMENTS]++;
		s->dest = D_SKIP;
	} else if (strcmp(w, "pict") == 0 || strcmp(w, "object") == 0 ||
	    strcmp(w, "shp") == 0 || strcmp(w, "shppict") == 0) {
		if (s->dest != D_SKIP)
			r->d->warn[DOC_W_IMAGES]++;
		s->dest = D_SKIP;
	} else if (strcmp(w, "field") == 0) {
		if (r->nfield < 16)
			r->instr[r->nfield][0] = '\0';
		r->nfield++;
		s->owns_field = 1;
	} else if (strcmp(w, "fldinst") == 0) {
		s->dest = s->dest == D_SKIP ? D_SKIP : D_INSTR;
	} else if (strcmp(w, "fldrslt") == 0) {
		if (r->nfield == 0 || r->nfield > 16 ||
		    !hyperlink(r->instr[r->nfield - 1]))
			s->drop_result = 1;
	} else if (skipped(w) || star) {
		s->dest = D_SKIP;
	}
}

/* Leave a group: close what it opened. */
static void
pop(struct rtf *r)
{
	struct state *s = top(r);

	flush(r);
	r->ucskip = 0;
	if (s->owns_field) {
		if (r->nfield > 0 && (r->nfield > 16 ||
		    !hyperlink(r->instr[r->nfield - 1])) &&
		    s->dest != D_SKIP && r->st[r->depth - 1].dest != D_SKIP)
			r->d->warn[DOC_W_FIELDS]++;
		r->nfield--;
	}
	/* The note ends with its group, whatever the group became since. */
	if (s->owns_note)
		doc_note_end(r->d);
	r->depth--;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A backslash sequence at r->p (just past the backslash). */
static void
escape(struct rtf *r)
{
	char word[33];
	long param = 0;
	int n = 0, has = 0, neg = 0, digits = 0, hi, lo;

	if (r->p == r->end)
		return;
	if ((*r->p >= 'a' && *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z')) {
		while (r->p < r->end && n < 32 && ((*r->p >= 'a' &&
		    *r->p <= 'z') || (*r->p >= 'A' && *r->p <= 'Z')))
			word[n++] = *r->p++;
		word[n] = '\0';
		/* The rest of an overlong word is not a word quire knows. */
		while (r->p < r->end && ((*r->p >= 'a' && *r->p <= 'z') ||
		    (*r->p >= 'A' && *r->p <= 'Z')))
			r->p++, word[0] = '?';
		if (r->p < r->end && *r->p == '-') {
			neg = 1;
			r->p++;
		}
		while (r->p < r->end && *r->p >= '0' && *r->p <= '9') {
			if (digits++ < 10)
				param = param * 10 + (*r->p - '0');
			has = 1;
			r->p++;
		}
		if (neg)
			param = -param;
		if (r->p < r->end && *r->p == ' ')
			r->p++;
		if (strcmp(word, "bin") == 0) {
			/* Binary data: never text. */
			if (param > 0 && param <= r->end - r->p)
				r->p += param;
			else if (param > 0)
				r->p = r->end;
			return;
		}
		control(r, word, param, has);
		return;
	}
	switch (*r->p++) {
	case '\'':
		if (r->end - r->p >= 2 && (hi = hexval(r->p[0])) >= 0 &&
		    (lo = hexval(r->p[1])) >= 0) {
			r->p += 2;
			put_byte(r, (unsigned char)(hi << 4 | lo));
		}
		return;
	case '*':
		r->star = 1;
		return;
	case '\n':
	case '\r':
		control(r, "par", 0, 0);
		return;
	}
	if (r->ucskip > 0) {
		r->ucskip--;
		return;
	}
	switch (r->p[-1]) {
	case '~':
		put_cp(r, 0xA0);
		break;
	case '_':
		put_cp(r, 0x2011);
		break;
	case '\\':
	case '{':
	case '}':
		put_byte(r, (unsigned char)r->p[-1]);
		break;
	default:
		/* \- optional hyphen, \| \: formula marks: nothing shown. */
		break;
	}
}

int
doc_rtf(struct doc *d, const char *buf, size_t len)
{
	struct rtf *r;
	int ret = 0;

	r = ecalloc(1, sizeof(*r));
	r->d = d;
	r->p = buf;
	r->end = buf + len;
	r->doc_cp = 1252;
	r->st[0].uc = 1;
	while (r->p < r->end && d->reason == NULL) {
		switch (*r->p) {
		case '{':
			r->p++;
			flush(r);
			r->ucskip = 0;
			if (r->depth == DOC_MAX_DEPTH) {
				doc_fail(d, "ingest.corrupt", "groups nested "
				    "deeper than %d", DOC_MAX_DEPTH);
				break;
			}
			r->st[r->depth + 1] = r->st[r->depth];
			r->depth++;
			top(r)->owns_field = 0;
			top(r)->owns_note = 0;
			r->star = 0;
			break;
		case '}':
			r->p++;
			/* A stray closing brace closes nothing. */
			if (r->depth > 0)
				pop(r);
			break;
		case '\\':
			r->p++;
			escape(r);
			break;
		case '\r':
		case '\n':
			r->p++;
			break;
		case '\t':
			r->p++;
			put_str(r, "\t");
			break;
		default:
			put_byte(r, (unsigned char)*r->p++);
			break;
		}
	}
	/* Word reads files missing their last braces: so do we. */
	while (r->depth > 0 && d->reason == NULL)
		pop(r);
	flush(r);
	if (r->cnv != NULL)
		ucnv_close(r->cnv);
	free(r->conv);
	snprintf(d->encoding, sizeof(d->encoding), "windows-%d", r->doc_cp);
	if (d->reason != NULL)
		ret = -1;
	else
		doc_finish(d);
	free(r);
	return ret;
}
