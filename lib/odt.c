/*
 * OpenDocument text (.odt) as text: office:text of content.xml; its
 * automatic styles and styles.xml's common styles, with their
 * style:parent-style-name chains, for hidden text.  Notes are inline in
 * ODF.  See
 * doctext.h for the rules; white space inside a paragraph collapses as
 * ODF 1.2 (section 6.1.2) says, text:s and text:tab being the kept ones.
 */
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

#include "docxml.h"
#include "util.h"

#define TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define STYLE "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
#define DRAW "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
#define MAX_SPACES 1024		/* text:c of one text:s */
#define MAX_PARENTS 32		/* styles followed up a parent chain */

/* Whether a style hides text: its own text:display, or its parent's. */
enum display { D_UNSET, D_NONE, D_SHOWN };

struct style {
	char	*family;	/* style:family: paragraph, text, section ... */
	char	*name;
	char	*parent;	/* NULL: none */
	enum display own;
	size_t	order;		/* read order: the first of a name wins */
};

struct odt {
	struct doc *d;
	struct style *styles;	/* sorted by family, name, order */
	size_t	nstyles;
	int	in_para;
	int	in_note;
};

static void walk(struct odt *o, const xmlNode *n, int depth);

static int
in_ns(const xmlNode *n, const char *ns)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

static int
is_text(const xmlNode *n, const char *name)
{
	return doc_xml_is(n, TEXT, name);
}

static int
cmp_style(const void *a, const void *b)
{
	const struct style *p = a, *q = b;
	int c = strcmp(p->family, q->family);

	if (c == 0)
		c = strcmp(p->name, q->name);
	return c != 0 ? c : (p->order > q->order) - (p->order < q->order);
}

/* The first style of family named name, or NULL. */
static const struct style *
find_style(const struct odt *o, const char *family, const char *name)
{
	struct style key = { (char *)family, (char *)name, NULL, D_UNSET, 0 };
	size_t lo = 0, hi = o->nstyles, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cmp_style(&o->styles[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < o->nstyles && strcmp(o->styles[lo].family, family) == 0 &&
	    strcmp(o->styles[lo].name, name) == 0 ? &o->styles[lo] : NULL;
}

/*
 * Is n's style (text:style-name, of family) one that hides its text?  Its
 * own text:display, else its parent's, up to MAX_PARENTS styles.
 */
static int
hidden_style(const struct odt *o, const xmlNode *n, const char *family)
{
	const struct style *st;
	const char *want;
	char name[256];
	int hops;

	if (o->nstyles == 0 ||
	    doc_xml_attr(n, TEXT, "style-name", name, sizeof(name)) != 0)
		return 0;
	for (want = name, hops = 0; want != NULL && hops < MAX_PARENTS;
	    hops++) {
		if ((st = find_style(o, family, want)) == NULL)
			return 0;
		if (st->own != D_UNSET)
			return st->own == D_NONE;
		want = st->parent;
	}
	return 0;
}

/* Add the style:style children of styles (automatic or common styles). */
static void
add_styles(struct odt *o, const xmlNode *styles)
{
	const xmlNode *s, *p;
	char v[16], family[32], name[256], parent[256];
	struct style *st;

	for (s = styles->children; s != NULL; s = s->next) {
		if (!doc_xml_is(s, STYLE, "style") ||
		    doc_xml_attr(s, STYLE, "name", name, sizeof(name)) != 0 ||
		    doc_xml_attr(s, STYLE, "family", family,
		    sizeof(family)) != 0)
			continue;
		o->styles = erealloc(o->styles, (o->nstyles + 1) *
		    sizeof(*o->styles));
		st = &o->styles[o->nstyles];
		st->family = estrdup(family);
		st->name = estrdup(name);
		st->parent = doc_xml_attr(s, STYLE, "parent-style-name",
		    parent, sizeof(parent)) == 0 ? estrdup(parent) : NULL;
		st->own = D_UNSET;
		st->order = o->nstyles++;
		for (p = s->children; p != NULL; p = p->next)
			if (doc_xml_is(p, STYLE, "text-properties") &&
			    doc_xml_attr(p, TEXT, "display", v,
			    sizeof(v)) == 0) {
				if (strcmp(v, "none") == 0)
					st->own = D_NONE;
				else if (strcmp(v, "true") == 0)
					st->own = D_SHOWN;
			}
	}
}

/*
 * The common styles of styles.xml, when the package has it: a styles.xml
 * that is not XML is corrupt like any part.
 */
static int
load_common_styles(struct odt *o, zip_t *za)
{
	const xmlNode *root, *c;
	xmlDoc *doc;
	char *buf;
	size_t len;
	int r;

	if ((r = doc_zip_part(o->d, za, "styles.xml", &buf, &len)) <= 0)
		return r;
	doc = doc_xml(o->d, buf, len, "styles.xml");
	free(buf);
	if (doc == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (root != NULL && doc_xml_is(root, OFFICE, "document-styles"))
		for (c = root->children; c != NULL; c = c->next)
			if (doc_xml_is(c, OFFICE, "styles"))
				add_styles(o, c);
	xmlFreeDoc(doc);
	return 0;
}

static void
styles_free(struct odt *o)
{
	size_t i;

	for (i = 0; i < o->nstyles; i++) {
		free(o->styles[i].family);
		free(o->styles[i].name);
		free(o->styles[i].parent);
	}
	free(o->styles);
}

static void
note(struct odt *o, const xmlNode *n, int depth)
{
	const xmlNode *c;
	char mark[32];
	int k, in_para = o->in_para;

	if (o->in_note)
		return;
	k = ++o->d->nnotes;
	doc_flush_space(o->d);
	snprintf(mark, sizeof(mark), "[%d]", k);
	doc_put(o->d, mark, strlen(mark));
	for (c = n->children; c != NULL; c = c->next)
		if (is_text(c, "note-body")) {
			o->in_note = 1;
			o->in_para = 0;
			doc_note_begin(o->d, k);
			walk(o, c, depth + 1);
			doc_note_end(o->d);
			o->in_note = 0;
			o->in_para = in_para;
		}
}

/* A tracked-changes region: deletions are counted, never read. */
static void
tracked(struct odt *o, const xmlNode *n)
{
	const xmlNode *r, *c;

	for (r = n->children; r != NULL; r = r->next)
		for (c = r->children; c != NULL; c = c->next)
			if (is_text(c, "deletion"))
				o->d->warn[DOC_W_DELETIONS]++;
}

static void
paragraph(struct odt *o, const xmlNode *p, int depth)
{
	if (hidden_style(o, p, "paragraph")) {
		o->d->warn[DOC_W_HIDDEN]++;
		return;
	}
	o->in_para = 1;
	o->d->space = 0;
	walk(o, p, depth + 1);
	o->d->space = 0;
	o->in_para = 0;
	doc_putc(o->d, '\n');
}

/* Elements of the text namespace that hold no text of their own. */
static int
marker(const xmlNode *c)
{
	static const char *const names[] = {
		"soft-page-break", "bookmark", "bookmark-start",
		"bookmark-end", "reference-mark", "reference-mark-start",
		"reference-mark-end", "toc-mark", "toc-mark-start",
		"toc-mark-end", "alphabetical-index-mark",
		"alphabetical-index-mark-start",
		"alphabetical-index-mark-end", "user-index-mark",
		"user-index-mark-start", "user-index-mark-end", "change",
		"change-start", "change-end", "number", "sequence-decls",
		"variable-decls", "user-field-decls", "dde-connection-decls",
		"note-citation", NULL
	};
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (is_text(c, names[i]))
			return 1;
	return 0;
}

static void
walk(struct odt *o, const xmlNode *n, int depth)
{
	const xmlNode *c;
	char v[16];
	long k;

	if (depth > DOC_MAX_DEPTH) {
		doc_fail(o->d, "ingest.corrupt", "elements nested deeper "
		    "than %d", DOC_MAX_DEPTH);
		return;
	}
	for (c = n->children; c != NULL && o->d->reason == NULL;
	    c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			if (o->in_para && c->content != NULL)
				doc_put_collapsed(o->d,
				    (const char *)c->content,
				    strlen((const char *)c->content));
			continue;
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_text(c, "p") || is_text(c, "h")) {
			paragraph(o, c, depth);
		} else if (is_text(c, "s")) {
			k = 1;
			if (doc_xml_attr(c, TEXT, "c", v, sizeof(v)) == 0)
				k = strtol(v, NULL, 10);
			k = k < 1 ? 1 : k > MAX_SPACES ? MAX_SPACES : k;
			doc_flush_space(o->d);
			while (k-- > 0)
				doc_putc(o->d, ' ');
		} else if (is_text(c, "tab")) {
			doc_flush_space(o->d);
			doc_putc(o->d, '\t');
		} else if (is_text(c, "line-break")) {
			o->d->space = 0;
			doc_putc(o->d, '\n');
		} else if (is_text(c, "note")) {
			note(o, c, depth);
		} else if (is_text(c, "tracked-changes")) {
			tracked(o, c);
		} else if (is_text(c, "hidden-text") ||
		    is_text(c, "hidden-paragraph")) {
			o->d->warn[DOC_W_HIDDEN]++;
		} else if (doc_xml_is(c, OFFICE, "annotation")) {
			o->d->warn[DOC_W_COMMENTS]++;
		} else if (doc_xml_is(c, OFFICE, "annotation-end") ||
		    doc_xml_is(c, OFFICE, "forms") || marker(c)) {
			continue;
		} else if (in_ns(c, DRAW)) {
			o->d->warn[DOC_W_IMAGES]++;
		} else if (is_text(c, "ruby-text")) {
			continue;
		} else if ((is_text(c, "section") || is_text(c, "span")) &&
		    ((doc_xml_attr(c, TEXT, "display", v, sizeof(v)) == 0 &&
		    strcmp(v, "none") == 0) || hidden_style(o, c,
		    is_text(c, "span") ? "text" : "section"))) {
			o->d->warn[DOC_W_HIDDEN]++;
		} else if (is_text(c, "span") || is_text(c, "a") ||
		    is_text(c, "list") || is_text(c, "list-item") ||
		    is_text(c, "list-header") || is_text(c, "section") ||
		    is_text(c, "ruby") || is_text(c, "ruby-base") ||
		    is_text(c, "meta") || is_text(c, "note-body")) {
			walk(o, c, depth + 1);
		} else if (in_ns(c, TEXT)) {
			/* Every other text element is a field or an index. */
			o->d->warn[DOC_W_FIELDS]++;
		} else {
			/* Tables and other containers. */
			walk(o, c, depth + 1);
		}
	}
}

int
doc_odt(struct doc *d, zip_t *za)
{
	struct odt o;
	const xmlNode *root, *c, *t;
	xmlDoc *doc;
	char *buf;
	size_t len;
	int r;

	memset(&o, 0, sizeof(o));
	o.d = d;
	r = doc_zip_part(d, za, "content.xml", &buf, &len);
	if (r <= 0)
		return r < 0 ? -1 : doc_fail(d, "ingest.corrupt",
		    "no content.xml");
	doc = doc_xml(d, buf, len, "content.xml");
	free(buf);
	if (doc == NULL)
		return -1;
	/* content.xml's automatic styles first: their names come first. */
	root = xmlDocGetRootElement(doc);
	t = NULL;
	if (root != NULL && doc_xml_is(root, OFFICE, "document-content"))
		for (c = root->children; c != NULL; c = c->next) {
			if (doc_xml_is(c, OFFICE, "automatic-styles"))
				add_styles(&o, c);
			if (doc_xml_is(c, OFFICE, "body"))
				for (t = c->children; t != NULL; t = t->next)
					if (doc_xml_is(t, OFFICE, "text"))
						break;
		}
	if (t == NULL)
		doc_fail(d, "ingest.corrupt", "content.xml has no office:text");
	else if (load_common_styles(&o, za) == 0) {
		if (o.nstyles > 0)
			qsort(o.styles, o.nstyles, sizeof(*o.styles),
			    cmp_style);
		walk(&o, t, 1);
	}
	xmlFreeDoc(doc);
	styles_free(&o);
	if (d->reason != NULL)
		return -1;
	doc_finish(d);
	return 0;
}
