/*
 * HTML as text, through libxml2's HTML parser: the body as a browser lays
 * it out in lines (blocks are lines, <br> is a line end, white space
 * collapses outside <pre>), without what it does not show.  Footnotes are
 * found by their DPUB-ARIA roles (doc-noteref, doc-endnotes, doc-footnote,
 * doc-backlink) or pandoc's classes.  See doctext.h for the rules.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "doctext.h"
#include "utf8.h"
#include "util.h"

struct note_id {
	char	*id;
	int	n;
};

struct html {
	struct doc *d;
	int	pre;		/* inside <pre>: white space kept */
	int	pre_start;	/* the newline right after <pre> goes */
	int	in_note;
	struct note_id *ids;
	size_t	nids;
};

static void walk(struct html *h, const xmlNode *n, int depth);

static int
named(const xmlNode *n, const char *const *names)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp((const char *)n->name, names[i]) == 0)
			return 1;
	return 0;
}

static const char *const blocks[] = {
	"address", "article", "aside", "blockquote", "body", "caption",
	"center", "dd", "details", "dialog", "dir", "div", "dl", "dt",
	"fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
	"h3", "h4", "h5", "h6", "header", "hgroup", "hr", "legend", "li",
	"main", "menu", "nav", "ol", "p", "pre", "section", "summary",
	"table", "tbody", "tfoot", "thead", "tr", "ul", NULL
};

/* Not shown as text: dropped without a count. */
static const char *const unseen[] = {
	"head", "script", "style", "template", "noscript", "title", "meta",
	"link", "select", "textarea", "input", "button", "datalist",
	"rp", NULL
};

/* Shown, but not as text: dropped and counted as images. */
static const char *const media[] = {
	"img", "picture", "svg", "canvas", "video", "audio", "object",
	"embed", "iframe", "frame", "frameset", "map", "applet", NULL
};

/* Copy attribute name of n into val; 0 if present. */
static int
attr(const xmlNode *n, const char *name, char *val, size_t size)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	val[0] = '\0';
	if (v == NULL)
		return -1;
	snprintf(val, size, "%s", (const char *)v);
	xmlFree(v);
	return 0;
}

/* Does the space-separated list in attribute name hold word? */
static int
has_token(const xmlNode *n, const char *name, const char *word)
{
	char v[256], *p, *save;

	if (attr(n, name, v, sizeof(v)) != 0)
		return 0;
	for (p = strtok_r(v, " \t\n", &save); p != NULL;
	    p = strtok_r(NULL, " \t\n", &save))
		if (strcasecmp(p, word) == 0)
			return 1;
	return 0;
}

/* The hidden attribute, or an inline style that hides. */
static int
hidden(const xmlNode *n)
{
	char v[512], w[512];
	size_t i, k = 0;

	if (xmlHasProp(n, (const xmlChar *)"hidden") != NULL)
		return 1;
	if (attr(n, "style", v, sizeof(v)) != 0)
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if (v[i] != ' ' && v[i] != '\t' && v[i] != '\n')
			w[k++] = (char)(v[i] >= 'A' && v[i] <= 'Z' ?
			    v[i] - 'A' + 'a' : v[i]);
	w[k] = '\0';
	return strstr(w, "display:none") != NULL ||
	    strstr(w, "visibility:hidden") != NULL;
}

/* The number of the note with this id: given at its reference. */
static int
note_number(struct html *h, const char *id, int create)
{
	size_t i;

	for (i = 0; i < h->nids; i++)
		if (strcmp(h->ids[i].id, id) == 0)
			return h->ids[i].n;
	if (!create)
		return 0;
	h->ids = erealloc(h->ids, (h->nids + 1) * sizeof(*h->ids));
	h->ids[h->nids].id = estrdup(id);
	h->ids[h->nids].n = ++h->d->nnotes;
	return h->ids[h->nids++].n;
}

static void
note_ref(struct html *h, const xmlNode *n)
{
	char href[256], mark[32];
	int k;

	attr(n, "href", href, sizeof(href));
	k = note_number(h, href[0] == '#' ? href + 1 : href, 1);
	doc_flush_space(h->d);
	snprintf(mark, sizeof(mark), "[%d]", k);
	doc_put(h->d, mark, strlen(mark));
}

static void
note_body(struct html *h, const xmlNode *n, int depth)
{
	char id[256];
	int k;

	attr(n, "id", id, sizeof(id));
	k = note_number(h, id, 1);
	h->in_note = 1;
	doc_note_begin(h->d, k);
	walk(h, n, depth + 1);
	doc_note_end(h->d);
	h->in_note = 0;
}

/* A notes section: each item with an id is a note; the rest is chrome. */
static void
notes(struct html *h, const xmlNode *n, int depth)
{
	const xmlNode *c;

	if (depth > DOC_MAX_DEPTH)
		return;
	for (c = n->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (xmlHasProp(c, (const xmlChar *)"id") != NULL &&
		    (strcmp((const char *)c->name, "li") == 0 ||
		    has_token(c, "role", "doc-footnote") ||
		    has_token(c, "role", "doc-endnote")))
			note_body(h, c, depth);
		else
			notes(h, c, depth + 1);
	}
}

static void
text(struct html *h, const xmlNode *n)
{
	const char *s = (const char *)n->content;
	size_t len;

	if (s == NULL)
		return;
	len = strlen(s);
	if (!h->pre) {
		doc_put_collapsed(h->d, s, len);
		return;
	}
	if (h->pre_start && len > 0 && s[0] == '\n') {
		s++;
		len--;
	}
	h->pre_start = 0;
	doc_flush_space(h->d);
	doc_put(h->d, s, len);
}

static void
walk(struct html *h, const xmlNode *n, int depth)
{
	const xmlNode *c, *p;
	int block;

	if (depth > DOC_MAX_DEPTH) {
		doc_fail(h->d, "ingest.corrupt", "elements nested deeper "
		    "than %d", DOC_MAX_DEPTH);
		return;
	}
	for (c = n->children; c != NULL && h->d->reason == NULL;
	    c = c->next) {
		if (c->type == XML_TEXT_NODE) {
			text(h, c);
			continue;
		}
		if (c->type != XML_ELEMENT_NODE || named(c, unseen))
			continue;
		if (named(c, media)) {
			h->d->warn[DOC_W_IMAGES]++;
			continue;
		}
		if (hidden(c)) {
			h->d->warn[DOC_W_HIDDEN]++;
			continue;
		}
		/* A deletion: gone once the changes are accepted. */
		if (strcmp((const char *)c->name, "del") == 0) {
			h->d->warn[DOC_W_DELETIONS]++;
			continue;
		}
		if (has_token(c, "role", "doc-backlink") ||
		    has_token(c, "class", "footnote-back"))
			continue;
		if (!h->in_note && (has_token(c, "role", "doc-noteref") ||
		    has_token(c, "class", "footnote-ref"))) {
			note_ref(h, c);
			continue;
		}
		if (!h->in_note && (has_token(c, "role", "doc-endnotes") ||
		    has_token(c, "role", "doc-footnotes") ||
		    has_token(c, "class", "footnotes"))) {
			notes(h, c, depth + 1);
			continue;
		}
		if (!h->in_note && has_token(c, "role", "doc-footnote") &&
		    xmlHasProp(c, (const xmlChar *)"id") != NULL) {
			note_body(h, c, depth);
			continue;
		}
		if (strcmp((const char *)c->name, "br") == 0) {
			h->d->space = 0;
			doc_putc(h->d, '\n');
			continue;
		}
		if (strcmp((const char *)c->name, "td") == 0 ||
		    strcmp((const char *)c->name, "th") == 0) {
			/* Cells of a row are one line, tab-separated. */
			for (p = c->prev; p != NULL &&
			    p->type != XML_ELEMENT_NODE; p = p->prev)
				;
			if (p != NULL) {
				h->d->space = 0;
				doc_putc(h->d, '\t');
			}
		}
		block = named(c, blocks);
		if (block)
			doc_break(h->d);
		if (strcmp((const char *)c->name, "pre") == 0) {
			h->pre++;
			h->pre_start = 1;
			walk(h, c, depth + 1);
			h->pre--;
		} else {
			walk(h, c, depth + 1);
		}
		if (block)
			doc_break(h->d);
	}
}

int
doc_html(struct doc *d, const char *buf, size_t len)
{
	struct html h;
	const xmlNode *root, *c, *body = NULL;
	const char *enc = NULL;
	htmlDocPtr doc;
	size_t i;

	memset(&h, 0, sizeof(h));
	h.d = d;
	if (len > INT32_MAX)
		return doc_fail(d, "ingest.too_large", "HTML over 2 GiB");
	/*
	 * Valid UTF-8 is read as UTF-8 whatever a meta tag claims (ASCII
	 * is UTF-8 too); otherwise libxml2 follows the document's charset.
	 */
	if (utf8_valid(buf, len))
		enc = "UTF-8";
	doc_xml_lock(d);
	doc = htmlReadMemory(buf, (int)len, NULL, enc, HTML_PARSE_NONET |
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	doc_xml_lock(NULL);
	if (doc == NULL)
		return doc_fail(d, "ingest.corrupt", "HTML the parser cannot "
		    "read");
	snprintf(d->encoding, sizeof(d->encoding), "%s",
	    enc ? enc : doc->encoding ? (const char *)doc->encoding :
	    "ISO-8859-1");
	root = xmlDocGetRootElement(doc);
	for (c = root ? root->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "body") == 0)
			body = c;
	if (body != NULL)
		walk(&h, body, 1);
	else if (root != NULL)
		walk(&h, root, 1);
	xmlFreeDoc(doc);
	for (i = 0; i < h.nids; i++)
		free(h.ids[i].id);
	free(h.ids);
	if (d->reason != NULL)
		return -1;
	/*
	 * Bytes the charset does not have stop libxml2's decoding (the rest
	 * is lost) or, in 2.9, can pass through undecoded: either way the
	 * text is refused, not kept.
	 */
	if (d->xml_encoding || !utf8_valid(d->body.s ? d->body.s : "",
	    d->body.len))
		return doc_fail(d, "ingest.encoding", "HTML whose bytes its "
		    "charset (%s) does not explain", d->encoding);
	doc_finish(d);
	return 0;
}
