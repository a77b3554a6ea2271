/*
 * Office Open XML word-processing documents (.docx) as text: the main
 * part the package's relationships name (word/document.xml without them),
 * with its footnotes and endnotes parts, found the same way, and its
 * styles part for the styles that hide text.  Headers, footers, comments
 * and text boxes are not read.  See doctext.h for the rules.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/tree.h>

#include "docxml.h"
#include "util.h"

#define W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define WS "http://purl.oclc.org/ooxml/wordprocessingml/main"	/* Strict */
#define MC "http://schemas.openxmlformats.org/markup-compatibility/2006"
#define RELS "http://schemas.openxmlformats.org/package/2006/relationships"
#define MAX_FIELDS 32
#define PART_NAME 256
#define MAX_BASED_ON 32		/* styles followed up a w:basedOn chain */

enum { P_MAIN, P_FOOTNOTES, P_ENDNOTES, P_STYLES, NPARTS };

/* Whether a style hides text: its own w:vanish, or its base style's. */
enum vanish { V_UNSET, V_ON, V_OFF };

struct style {
	char	*id;
	char	*based_on;	/* NULL: none */
	enum vanish own;	/* its w:rPr/w:vanish */
	size_t	order;		/* its place in the part: the first id wins */
};

/* One open complex field (w:fldChar begin ... separate ... end). */
struct field {
	int	result;		/* past "separate": its displayed result */
	char	instr[16];	/* the start of its instruction */
};

struct docx {
	struct doc *d;
	zip_t	*za;
	xmlDoc	*notes[2];	/* footnotes, endnotes; loaded when needed */
	int	loaded[2];
	char	part[NPARTS][PART_NAME];	/* by P_*; "" none */
	struct field fields[MAX_FIELDS];
	int	nfields;	/* open complex fields, may exceed MAX_FIELDS */
	int	in_note;
	struct style *styles;	/* of the styles part, in its order */
	size_t	nstyles;
	enum vanish para;	/* the current paragraph's style's */
};

static void walk(struct docx *x, const xmlNode *n, int depth);

/* A W element in either the transitional or the strict namespace. */
static int
is_w(const xmlNode *n, const char *name)
{
	return doc_xml_is(n, W, name) || doc_xml_is(n, WS, name);
}

static int
w_attr(const xmlNode *n, const char *name, char *val, size_t size)
{
	if (doc_xml_attr(n, W, name, val, size) == 0)
		return 0;
	return doc_xml_attr(n, WS, name, val, size);
}

/* An on/off property (w:vanish, w:del ...): on unless w:val says off. */
static int
is_on(const xmlNode *n)
{
	char v[8];

	if (w_attr(n, "val", v, sizeof(v)) != 0)
		return 1;
	return !(strcmp(v, "0") == 0 || strcmp(v, "false") == 0 ||
	    strcmp(v, "off") == 0);
}

/* The child element of n named name, or NULL. */
static const xmlNode *
child(const xmlNode *n, const char *name)
{
	const xmlNode *c;

	for (c = n->children; c != NULL; c = c->next)
		if (is_w(c, name))
			return c;
	return NULL;
}

static int
is_hyperlink(const char *instr)
{
	while (*instr == ' ')
		instr++;
	return strncasecmp(instr, "HYPERLINK", 9) == 0;
}

/* Is text now inside a field whose result is dropped? */
static int
suppressed(const struct docx *x)
{
	int i, n = x->nfields < MAX_FIELDS ? x->nfields : MAX_FIELDS;

	if (x->nfields > MAX_FIELDS)
		return 1;
	for (i = 0; i < n; i++)
		if (!x->fields[i].result || !is_hyperlink(x->fields[i].instr))
			return 1;
	return 0;
}

static void
text(struct docx *x, const xmlNode *t)
{
	const xmlNode *c;

	if (suppressed(x))
		return;
	for (c = t->children; c != NULL; c = c->next)
		if (c->type == XML_TEXT_NODE && c->content != NULL)
			doc_put(x->d, (const char *)c->content,
			    strlen((const char *)c->content));
}

static void
field_char(struct docx *x, const xmlNode *n)
{
	char type[16];
	struct field *f;

	w_attr(n, "fldCharType", type, sizeof(type));
	if (strcmp(type, "begin") == 0) {
		if (x->nfields < MAX_FIELDS) {
			f = &x->fields[x->nfields];
			f->result = 0;
			f->instr[0] = '\0';
		}
		x->nfields++;
	} else if (x->nfields > 0 && strcmp(type, "separate") == 0) {
		if (x->nfields <= MAX_FIELDS)
			x->fields[x->nfields - 1].result = 1;
	} else if (x->nfields > 0 && strcmp(type, "end") == 0) {
		if (x->nfields > MAX_FIELDS ||
		    !is_hyperlink(x->fields[x->nfields - 1].instr))
			x->d->warn[DOC_W_FIELDS]++;
		x->nfields--;
	}
}

static void
field_instr(struct docx *x, const xmlNode *n)
{
	struct field *f;
	const xmlNode *c;
	size_t len;

	if (x->nfields == 0 || x->nfields > MAX_FIELDS)
		return;
	f = &x->fields[x->nfields - 1];
	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_TEXT_NODE && c->content != NULL) {
			len = strlen(f->instr);
			snprintf(f->instr + len, sizeof(f->instr) - len, "%s",
			    (const char *)c->content);
		}
}

/*
 * A footnote or endnote reference: "[N]" here, and the note's paragraphs
 * into the notes.  A reference inside a note is dropped.
 */
static void
note_ref(struct docx *x, const xmlNode *ref, int kind)
{
	static const char *const elem[2] = { "footnote", "endnote" };
	struct docx sub;
	const xmlNode *root, *c;
	char id[32], cid[32], mark[32];
	char *buf;
	size_t len;
	int n;

	if (x->in_note || suppressed(x) || w_attr(ref, "id", id, sizeof(id)))
		return;
	if (!x->loaded[kind]) {
		x->loaded[kind] = 1;
		if (doc_zip_part(x->d, x->za, x->part[kind + 1], &buf,
		    &len) > 0) {
			x->notes[kind] = doc_xml(x->d, buf, len,
			    x->part[kind + 1]);
			free(buf);
		}
	}
	if (x->notes[kind] == NULL)
		return;
	root = xmlDocGetRootElement(x->notes[kind]);
	for (c = root ? root->children : NULL; c != NULL; c = c->next)
		if (is_w(c, elem[kind]) &&
		    w_attr(c, "id", cid, sizeof(cid)) == 0 &&
		    strcmp(id, cid) == 0)
			break;
	if (c == NULL)
		return;
	n = ++x->d->nnotes;
	snprintf(mark, sizeof(mark), "[%d]", n);
	doc_put(x->d, mark, strlen(mark));
	sub = *x;
	sub.in_note = 1;
	sub.nfields = 0;
	doc_note_begin(x->d, n);
	walk(&sub, c, 1);
	doc_note_end(x->d);
}

/* The w:vanish (or w:webHidden) of the properties rpr, if they say. */
static enum vanish
vanish_of(const xmlNode *rpr)
{
	const xmlNode *v;

	if (rpr == NULL || ((v = child(rpr, "vanish")) == NULL &&
	    (v = child(rpr, "webHidden")) == NULL))
		return V_UNSET;
	return is_on(v) ? V_ON : V_OFF;
}

/* The first style whose id is id (sorted by id, then order), or nstyles. */
static size_t
find_style(const struct docx *x, const char *id)
{
	size_t lo = 0, hi = x->nstyles, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(x->styles[mid].id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < x->nstyles && strcmp(x->styles[lo].id, id) == 0 ? lo :
	    x->nstyles;
}

static int
cmp_style(const void *a, const void *b)
{
	const struct style *p = a, *q = b;
	int c = strcmp(p->id, q->id);

	return c != 0 ? c : (p->order > q->order) - (p->order < q->order);
}

/*
 * Does the style named by the w:val of n (a w:rStyle or w:pStyle) hide
 * text?  Its own w:vanish, else its base style's, up to MAX_BASED_ON
 * styles (a loop of w:basedOn ends there).
 */
static enum vanish
style_vanish(const struct docx *x, const xmlNode *n)
{
	char id[128];
	const char *want = id;
	size_t i;
	int hops;

	if (n == NULL || x->nstyles == 0 || w_attr(n, "val", id, sizeof(id)))
		return V_UNSET;
	for (hops = 0; want != NULL && hops < MAX_BASED_ON; hops++) {
		if ((i = find_style(x, want)) == x->nstyles)
			return V_UNSET;
		if (x->styles[i].own != V_UNSET)
			return x->styles[i].own;
		want = x->styles[i].based_on;
	}
	return V_UNSET;
}

/*
 * A run: its text, unless its properties hide it: its own w:vanish, else
 * its character style's, else its paragraph style's, as Word ranks them.
 */
static void
run(struct docx *x, const xmlNode *r, int depth)
{
	const xmlNode *rpr = child(r, "rPr");
	enum vanish v = vanish_of(rpr);

	if (v == V_UNSET && rpr != NULL)
		v = style_vanish(x, child(rpr, "rStyle"));
	if (v == V_UNSET)
		v = x->para;
	if (v == V_ON) {
		x->d->warn[DOC_W_HIDDEN]++;
		return;
	}
	walk(x, r, depth);
}

/*
 * A paragraph is one line.  A paragraph whose mark is a tracked deletion
 * joins the next one, as accepting the change does; a paragraph lying
 * wholly in a dropped field result (a table of contents) leaves no line.
 */
static void
paragraph(struct docx *x, const xmlNode *p, int depth)
{
	const xmlNode *ppr = child(p, "pPr"), *rpr = NULL, *del;
	size_t start = x->d->out->len;
	enum vanish outer = x->para, mark;
	int was = suppressed(x), joined = 0;

	if (ppr != NULL && (rpr = child(ppr, "rPr")) != NULL &&
	    (((del = child(rpr, "del")) != NULL && is_on(del)) ||
	    ((del = child(rpr, "moveFrom")) != NULL && is_on(del))))
		joined = 1;
	x->para = ppr != NULL ? style_vanish(x, child(ppr, "pStyle")) :
	    V_UNSET;
	/* The paragraph mark: its own properties, else the style's. */
	if ((mark = vanish_of(rpr)) == V_UNSET)
		mark = x->para;
	walk(x, p, depth);
	x->para = outer;
	if (joined) {
		x->d->warn[DOC_W_DELETIONS]++;
		return;
	}
	/* A hidden paragraph that showed nothing leaves no line. */
	if (x->d->out->len == start && (mark == V_ON || (was &&
	    suppressed(x))))
		return;
	doc_putc(x->d, '\n');
}

static void
walk(struct docx *x, const xmlNode *n, int depth)
{
	const xmlNode *c;
	char v[64];

	if (depth > DOC_MAX_DEPTH) {
		doc_fail(x->d, "ingest.corrupt", "elements nested deeper "
		    "than %d", DOC_MAX_DEPTH);
		return;
	}
	for (c = n->children; c != NULL && x->d->reason == NULL;
	    c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_w(c, "p")) {
			paragraph(x, c, depth + 1);
		} else if (is_w(c, "r")) {
			run(x, c, depth + 1);
		} else if (is_w(c, "t")) {
			text(x, c);
		} else if (is_w(c, "tab") || is_w(c, "ptab")) {
			if (!suppressed(x))
				doc_putc(x->d, '\t');
		} else if (is_w(c, "br")) {
			/* A page or column break is layout, not a line. */
			w_attr(c, "type", v, sizeof(v));
			if (!suppressed(x) && (v[0] == '\0' ||
			    strcmp(v, "textWrapping") == 0))
				doc_putc(x->d, '\n');
		} else if (is_w(c, "cr")) {
			if (!suppressed(x))
				doc_putc(x->d, '\n');
		} else if (is_w(c, "noBreakHyphen")) {
			if (!suppressed(x))
				doc_put(x->d, "\xE2\x80\x91", 3);
		} else if (is_w(c, "footnoteReference")) {
			note_ref(x, c, 0);
		} else if (is_w(c, "endnoteReference")) {
			note_ref(x, c, 1);
		} else if (is_w(c, "commentReference")) {
			x->d->warn[DOC_W_COMMENTS]++;
		} else if (is_w(c, "drawing") || is_w(c, "pict") ||
		    is_w(c, "object")) {
			x->d->warn[DOC_W_IMAGES]++;
		} else if (is_w(c, "fldChar")) {
			field_char(x, c);
		} else if (is_w(c, "instrText")) {
			field_instr(x, c);
		} else if (is_w(c, "fldSimple")) {
			w_attr(c, "instr", v, sizeof(v));
			if (is_hyperlink(v))
				walk(x, c, depth + 1);
			else
				x->d->warn[DOC_W_FIELDS]++;
		} else if (is_w(c, "del") || is_w(c, "moveFrom")) {
			x->d->warn[DOC_W_DELETIONS]++;
		} else if (is_w(c, "pPr") || is_w(c, "rPr") ||
		    is_w(c, "sectPr") || is_w(c, "sdtPr") ||
		    is_w(c, "sdtEndPr") || is_w(c, "tblPr") ||
		    is_w(c, "tblGrid") || is_w(c, "trPr") ||
		    is_w(c, "tcPr") || is_w(c, "footnoteRef") ||
		    is_w(c, "endnoteRef") || is_w(c, "annotationRef") ||
		    is_w(c, "delText") || is_w(c, "delInstrText") ||
		    is_w(c, "separator") ||
		    is_w(c, "continuationSeparator") ||
		    doc_xml_is(c, MC, "Fallback")) {
			continue;
		} else {
			/*
			 * Containers: insertions (accepted), hyperlinks,
			 * smart tags, content controls, tables, mc:Choice.
			 */
			walk(x, c, depth + 1);
		}
	}
}

/*
 * In the relationships part rels, find the first internal relationship
 * whose type ends in "/" type; write its target, resolved against the
 * folder dir ("" or "word/"), into out.  Return 0, or -1 (out then
 * undefined) when there is none, it leaves the package or its name is too
 * long; d->reason is set only when rels is there but cannot be read.
 */
static int
rel_target(struct doc *d, zip_t *za, const char *rels, const char *dir,
    const char *type, char out[PART_NAME])
{
	const xmlNode *root, *c;
	char t[256], mode[16], target[PART_NAME];
	xmlDoc *doc;
	char *buf;
	size_t len, n = strlen(type);
	int r = -1;

	if (doc_zip_part(d, za, rels, &buf, &len) <= 0)
		return -1;
	doc = doc_xml(d, buf, len, rels);
	free(buf);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	for (c = root ? root->children : NULL; c != NULL; c = c->next) {
		if (!doc_xml_is(c, RELS, "Relationship") ||
		    doc_xml_attr(c, NULL, "Type", t, sizeof(t)) != 0 ||
		    strlen(t) <= n || t[strlen(t) - n - 1] != '/' ||
		    strcmp(t + strlen(t) - n, type) != 0 ||
		    (doc_xml_attr(c, NULL, "TargetMode", mode,
		    sizeof(mode)) == 0 && strcmp(mode, "External") == 0) ||
		    doc_xml_attr(c, NULL, "Target", target,
		    sizeof(target)) != 0 || target[0] == '\0' ||
		    strstr(target, "..") != NULL)
			continue;
		if (snprintf(out, PART_NAME, "%s%s", target[0] == '/' ? "" :
		    dir, target + (target[0] == '/')) < PART_NAME)
			r = 0;
		break;
	}
	xmlFreeDoc(doc);
	return r;
}

/* The main part and its notes parts, by the package's relationships. */
static int
find_parts(struct docx *x)
{
	char dir[PART_NAME], rels[2 * PART_NAME];
	const char *slash;

	if (rel_target(x->d, x->za, "_rels/.rels", "", "officeDocument",
	    x->part[0]) != 0)
		snprintf(x->part[0], PART_NAME, "word/document.xml");
	if (x->d->reason != NULL)
		return -1;
	/* Names that do not fit are no parts of ours: notes are not read. */
	slash = strrchr(x->part[0], '/');
	if (snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash -
	    x->part[0] + 1) : 0, x->part[0]) >= (int)sizeof(dir) ||
	    snprintf(rels, sizeof(rels), "%s_rels/%s.rels", dir,
	    slash ? slash + 1 : x->part[0]) >= (int)sizeof(rels))
		return 0;
	if (rel_target(x->d, x->za, rels, dir, "footnotes", x->part[1]) != 0 &&
	    snprintf(x->part[1], PART_NAME, "%sfootnotes.xml", dir) >=
	    PART_NAME)
		x->part[1][0] = '\0';
	if (rel_target(x->d, x->za, rels, dir, "endnotes", x->part[2]) != 0 &&
	    snprintf(x->part[2], PART_NAME, "%sendnotes.xml", dir) >=
	    PART_NAME)
		x->part[2][0] = '\0';
	if (rel_target(x->d, x->za, rels, dir, "styles", x->part[3]) != 0 &&
	    snprintf(x->part[3], PART_NAME, "%sstyles.xml", dir) >=
	    PART_NAME)
		x->part[3][0] = '\0';
	return x->d->reason != NULL ? -1 : 0;
}

/*
 * Read the styles part, when there is one: each style's id, base and own
 * w:vanish.  A styles part that is not XML is corrupt like any part.
 */
static int
load_styles(struct docx *x)
{
	const xmlNode *root, *c, *b;
	char id[128], base[128];
	struct style *st;
	xmlDoc *doc;
	char *buf;
	size_t len;
	int r;

	if (x->part[P_STYLES][0] == '\0')
		return 0;
	if ((r = doc_zip_part(x->d, x->za, x->part[P_STYLES], &buf,
	    &len)) <= 0)
		return r;
	doc = doc_xml(x->d, buf, len, x->part[P_STYLES]);
	free(buf);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	for (c = root != NULL ? root->children : NULL; c != NULL;
	    c = c->next) {
		if (!is_w(c, "style") || w_attr(c, "styleId", id, sizeof(id)))
			continue;
		x->styles = erealloc(x->styles, (x->nstyles + 1) *
		    sizeof(*x->styles));
		st = &x->styles[x->nstyles++];
		st->id = estrdup(id);
		st->based_on = (b = child(c, "basedOn")) != NULL &&
		    w_attr(b, "val", base, sizeof(base)) == 0 ?
		    estrdup(base) : NULL;
		st->own = vanish_of(child(c, "rPr"));
		st->order = x->nstyles - 1;
	}
	xmlFreeDoc(doc);
	/* Runs look styles up by id: thousands of styles stay cheap. */
	if (x->nstyles > 0)
		qsort(x->styles, x->nstyles, sizeof(*x->styles), cmp_style);
	return 0;
}

static void
styles_free(struct docx *x)
{
	size_t i;

	for (i = 0; i < x->nstyles; i++) {
		free(x->styles[i].id);
		free(x->styles[i].based_on);
	}
	free(x->styles);
}

int
doc_docx(struct doc *d, zip_t *za)
{
	struct docx x;
	const xmlNode *root, *body;
	xmlDoc *doc;
	char *buf;
	size_t len;
	int r;

	memset(&x, 0, sizeof(x));
	x.d = d;
	x.za = za;
	if (find_parts(&x) != 0 || load_styles(&x) != 0) {
		styles_free(&x);
		return -1;
	}
	r = doc_zip_part(d, za, x.part[0], &buf, &len);
	if (r <= 0) {
		styles_free(&x);
		return r < 0 ? -1 : doc_fail(d, "ingest.corrupt",
		    "no main part %s", x.part[0]);
	}
	doc = doc_xml(d, buf, len, x.part[0]);
	free(buf);
	if (doc == NULL) {
		styles_free(&x);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	body = root != NULL && is_w(root, "document") ? child(root, "body") :
	    NULL;
	if (body == NULL)
		doc_fail(d, "ingest.corrupt", "%s has no w:document/w:body",
		    x.part[0]);
	else
		walk(&x, body, 1);
	xmlFreeDoc(doc);
	xmlFreeDoc(x.notes[0]);
	xmlFreeDoc(x.notes[1]);
	styles_free(&x);
	if (d->reason != NULL)
		return -1;
	doc_finish(d);
	return 0;
}
