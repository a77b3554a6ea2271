/*
 * OpenDocument text (.odt) as text: office:text of content.xml, with its
 * automatic styles for hidden text.  Notes are inline in ODF.  See
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

struct odt {
	struct doc *d;
	char	**hidden;	/* automatic style names that hide text */
	size_t	nhidden;
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

/* Is n's style (text:style-name) one that hides its text? */
static int
hidden_style(const struct odt *o, const xmlNode *n)
{
	char name[256];
	size_t i;

	if (o->nhidden == 0 ||
	    doc_xml_attr(n, TEXT, "style-name", name, sizeof(name)) != 0)
		return 0;
	for (i = 0; i < o->nhidden; i++)
		if (strcmp(o->hidden[i], name) == 0)
			return 1;
	return 0;
}

/* Collect the automatic styles whose text properties say display none. */
static void
find_hidden(struct odt *o, const xmlNode *styles)
{
	const xmlNode *s, *p;
	char v[16], name[256];

	for (s = styles->children; s != NULL; s = s->next) {
		if (!doc_xml_is(s, STYLE, "style"))
			continue;
		for (p = s->children; p != NULL; p = p->next)
			if (doc_xml_is(p, STYLE, "text-properties") &&
			    doc_xml_attr(p, TEXT, "display", v,
			    sizeof(v)) == 0 && strcmp(v, "none") == 0 &&
			    doc_xml_attr(s, STYLE, "name", name,
			    sizeof(name)) == 0) {
				o->hidden = erealloc(o->hidden,
				    (o->nhidden + 1) * sizeof(*o->hidden));
				o->hidden[o->nhidden++] = estrdup(name);
				break;
			}
	}
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
	if (hidden_style(o, p)) {
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
		    strcmp(v, "none") == 0) || hidden_style(o, c))) {
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
	size_t len, i;
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
	root = xmlDocGetRootElement(doc);
	t = NULL;
	if (root != NULL && doc_xml_is(root, OFFICE, "document-content"))
		for (c = root->children; c != NULL; c = c->next) {
			if (doc_xml_is(c, OFFICE, "automatic-styles"))
				find_hidden(&o, c);
			if (doc_xml_is(c, OFFICE, "body"))
				for (t = c->children; t != NULL; t = t->next)
					if (doc_xml_is(t, OFFICE, "text"))
						break;
		}
	if (t == NULL)
		doc_fail(d, "ingest.corrupt", "content.xml has no office:text");
	else
		walk(&o, t, 1);
	xmlFreeDoc(doc);
	for (i = 0; i < o.nhidden; i++)
		free(o.hidden[i]);
	free(o.hidden);
	if (d->reason != NULL)
		return -1;
	doc_finish(d);
	return 0;
}
