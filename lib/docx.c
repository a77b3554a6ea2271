/*
 * Office Open XML word-processing documents (.docx) as text: the main
 * part word/document.xml, with notes from word/footnotes.xml and
 * word/endnotes.xml.  Headers, footers, comments.xml and text boxes are
 * not read.  See doctext.h for the rules.
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
#define MAX_FIELDS 32

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
	struct field fields[MAX_FIELDS];
	int	nfields;	/* open complex fields, may exceed MAX_FIELDS */
	int	in_note;
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
	static const char *const part[2] = {
		"word/footnotes.xml", "word/endnotes.xml"
	};
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
		if (doc_zip_part(x->d, x->za, part[kind], &buf, &len) > 0) {
			x->notes[kind] = doc_xml(x->d, buf, len, part[kind]);
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

/* A run: its text, unless its properties hide it. */
static void
run(struct docx *x, const xmlNode *r, int depth)
{
	const xmlNode *rpr = child(r, "rPr"), *v;

	if (rpr != NULL && ((v = child(rpr, "vanish")) != NULL ||
	    (v = child(rpr, "webHidden")) != NULL) && is_on(v)) {
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
	const xmlNode *ppr = child(p, "pPr"), *rpr, *del;
	size_t start = x->d->out->len;
	int was = suppressed(x), joined = 0;

	if (ppr != NULL && (rpr = child(ppr, "rPr")) != NULL &&
	    (((del = child(rpr, "del")) != NULL && is_on(del)) ||
	    ((del = child(rpr, "moveFrom")) != NULL && is_on(del))))
		joined = 1;
	walk(x, p, depth);
	if (joined) {
		x->d->warn[DOC_W_DELETIONS]++;
		return;
	}
	if (was && suppressed(x) && x->d->out->len == start)
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
	r = doc_zip_part(d, za, "word/document.xml", &buf, &len);
	if (r <= 0)
		return r < 0 ? -1 : doc_fail(d, "ingest.corrupt",
		    "no word/document.xml");
	doc = doc_xml(d, buf, len, "word/document.xml");
	free(buf);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	body = root != NULL && is_w(root, "document") ? child(root, "body") :
	    NULL;
	if (body == NULL)
		doc_fail(d, "ingest.corrupt", "word/document.xml has no "
		    "w:document/w:body");
	else
		walk(&x, body, 1);
	xmlFreeDoc(doc);
	xmlFreeDoc(x.notes[0]);
	xmlFreeDoc(x.notes[1]);
	if (d->reason != NULL)
		return -1;
	doc_finish(d);
	return 0;
}
