/* Document formats: sniffing, names, versions and the text buffer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <unicode/uversion.h>
#include <yaml.h>
#include <zip.h>

#include "doctext.h"
#include "util.h"

const char *const doc_warning_name[DOC_NWARN] = {
	"images", "fields", "comments", "hidden", "deletions", "macros"
};

void
doc_init(struct doc *d)
{
	memset(d, 0, sizeof(*d));
	d->out = &d->body;
	d->max_expanded = DOC_ZIP_MAX_EXPANDED;
	d->budget = d->max_expanded;
}

void
doc_reset(struct doc *d)
{
	d->body.len = 0;
	d->notes.len = 0;
	if (d->body.s != NULL)
		d->body.s[0] = '\0';
	d->out = &d->body;
	d->nnotes = 0;
	d->space = 0;
	d->lead = 0;
	memset(d->warn, 0, sizeof(d->warn));
	d->encoding[0] = '\0';
	free(d->title);
	d->title = NULL;
	d->budget = d->max_expanded;
	d->xml_encoding = 0;
	d->reason = NULL;
	d->detail[0] = '\0';
}

void
doc_free(struct doc *d)
{
	free(d->body.s);
	free(d->notes.s);
	free(d->title);
	memset(d, 0, sizeof(*d));
}

static int
has_prefix_ci(const char *buf, size_t len, const char *p)
{
	size_t n = strlen(p);

	return len >= n && strncasecmp(buf, p, n) == 0;
}

enum doc_format
doc_sniff(const char *buf, size_t len)
{
	/* An empty zip is PK\5\6: still a zip, and not a document. */
	if (len >= 4 && memcmp(buf, "PK", 2) == 0 &&
	    ((buf[2] == 3 && buf[3] == 4) || (buf[2] == 5 && buf[3] == 6)))
		return DOC_ZIP;
	if (len >= 8 && memcmp(buf, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) == 0)
		return DOC_OLE;
	if (len >= 5 && memcmp(buf, "%PDF-", 5) == 0)
		return DOC_PDF;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
		buf += 3;
		len -= 3;
	}
	if (len >= 5 && memcmp(buf, "{\\rtf", 5) == 0)
		return DOC_RTF;
	while (len > 0 && (*buf == ' ' || *buf == '\t' || *buf == '\r' ||
	    *buf == '\n')) {
		buf++;
		len--;
	}
	if (has_prefix_ci(buf, len, "<!doctype html") ||
	    has_prefix_ci(buf, len, "<html"))
		return DOC_HTML;
	if (has_prefix_ci(buf, len, "<?xml")) {
		/* XHTML: an XML declaration, then the html element soon. */
		size_t n = len < 1024 ? len : 1024, i;

		for (i = 0; i + 5 <= n; i++)
			if (has_prefix_ci(buf + i, n - i, "<html") ||
			    has_prefix_ci(buf + i, n - i, "<!doctype html"))
				return DOC_HTML;
	}
	return DOC_TEXT;
}

enum doc_format
doc_by_name(const char *path)
{
	static const struct {
		const char *ext;
		enum doc_format f;
	} exts[] = {
		{ "docx", DOC_DOCX }, { "docm", DOC_DOCX },
		{ "odt", DOC_ODT }, { "rtf", DOC_RTF },
		{ "html", DOC_HTML }, { "htm", DOC_HTML }, { "xhtml", DOC_HTML },
		{ "md", DOC_MARKDOWN }, { "markdown", DOC_MARKDOWN },
		{ "txt", DOC_TEXT }, { "text", DOC_TEXT },
	};
	const char *base = strrchr(path, '/'), *dot;
	size_t i;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base)
		return DOC_UNKNOWN;
	for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot + 1, exts[i].ext) == 0)
			return exts[i].f;
	return DOC_UNKNOWN;
}

const char *
doc_format_name(enum doc_format f)
{
	switch (f) {
	case DOC_TEXT:		return "text";
	case DOC_MARKDOWN:	return "markdown";
	case DOC_DOCX:		return "docx";
	case DOC_ODT:		return "odt";
	case DOC_RTF:		return "rtf";
	case DOC_HTML:		return "html";
	case DOC_ZIP:		return "zip";
	case DOC_OLE:		return "OLE2 compound file";
	case DOC_PDF:		return "PDF";
	case DOC_UNKNOWN:	break;
	}
	return "unknown";
}

const char *
doc_converter(enum doc_format f)
{
	static char icu[32], zipxml[96], xml[32], yaml[32], md[96];
	UVersionInfo v;
	char uv[U_MAX_VERSION_STRING_LENGTH];
	int x;

	if (icu[0] == '\0') {
		u_getVersion(v);
		u_versionToString(v, uv);
		snprintf(icu, sizeof(icu), "ICU %s", uv);
		/* libxml2 gives its run-time version as "20914". */
		x = atoi(xmlParserVersion);
		snprintf(xml, sizeof(xml), "libxml2 %d.%d.%d", x / 10000,
		    x / 100 % 100, x % 100);
		snprintf(zipxml, sizeof(zipxml), "libzip %s, %s",
		    zip_libzip_version(), xml);
		snprintf(yaml, sizeof(yaml), "libyaml %s",
		    yaml_get_version_string());
		snprintf(md, sizeof(md), "%s, %s", icu, yaml);
	}
	switch (f) {
	case DOC_DOCX:
	case DOC_ODT:
		return zipxml;
	case DOC_HTML:
		return xml;
	case DOC_MARKDOWN:
		return md;
	default:
		/* Text and RTF: our own reading, ICU for the code pages. */
		return icu;
	}
}

static void
dbuf_grow(struct dbuf *b, size_t n)
{
	if (b->cap - b->len > n)
		return;
	if (n > SIZE_MAX / 2 - b->len)
		die(EXIT_OSERR, "out of memory");
	b->cap = b->cap ? b->cap : 4096;
	while (b->cap - b->len <= n)
		b->cap *= 2;
	b->s = erealloc(b->s, b->cap);
}

void
doc_put(struct doc *d, const char *s, size_t n)
{
	struct dbuf *b = d->out;

	/* A note starts "[N] ": the blanks after the document's own mark go. */
	while (d->lead && n > 0) {
		if (*s == ' ' || *s == '\t' || *s == '\n') {
			s++;
			n--;
		} else if (n >= 2 && memcmp(s, "\xC2\xA0", 2) == 0) {
			s += 2;
			n -= 2;
		} else {
			d->lead = 0;
		}
	}
	if (n == 0)
		return;
	dbuf_grow(b, n);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void
doc_putc(struct doc *d, int c)
{
	char ch = (char)c;

	doc_put(d, &ch, 1);
}

void
doc_put_cp(struct doc *d, uint32_t cp)
{
	char u[4];

	if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
		cp = 0xFFFD;
	if (cp < 0x80) {
		doc_putc(d, (int)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xC0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3F));
		doc_put(d, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xE0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		doc_put(d, u, 3);
	} else {
		u[0] = (char)(0xF0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		u[3] = (char)(0x80 | (cp & 0x3F));
		doc_put(d, u, 4);
	}
}

static int
at_line_start(const struct doc *d)
{
	const struct dbuf *b = d->out;

	return b->len == 0 || b->s[b->len - 1] == '\n' ||
	    (d->lead && b == &d->notes);
}

void
doc_flush_space(struct doc *d)
{
	if (d->space && !at_line_start(d))
		doc_putc(d, ' ');
	d->space = 0;
}

void
doc_put_collapsed(struct doc *d, const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' ||
		    s[i] == '\r' || s[i] == '\f') {
			d->space = 1;
			i++;
			continue;
		}
		for (j = i; j < n && s[j] != ' ' && s[j] != '\t' &&
		    s[j] != '\n' && s[j] != '\r' && s[j] != '\f'; j++)
			;
		doc_flush_space(d);
		doc_put(d, s + i, j - i);
		i = j;
	}
}

void
doc_break(struct doc *d)
{
	d->space = 0;
	if (!at_line_start(d))
		doc_putc(d, '\n');
}

void
doc_note_begin(struct doc *d, int n)
{
	char mark[32];

	d->out = &d->notes;
	d->space = 0;
	d->lead = 0;
	snprintf(mark, sizeof(mark), "[%d] ", n);
	doc_put(d, mark, strlen(mark));
	d->lead = 1;
}

void
doc_note_end(struct doc *d)
{
	d->lead = 0;
	doc_break(d);
	d->out = &d->body;
}

void
doc_finish(struct doc *d)
{
	/* A note the markup never closed ends here. */
	if (d->out == &d->notes)
		doc_note_end(d);
	d->out = &d->body;
	doc_break(d);
	if (d->notes.len > 0) {
		if (d->body.len > 0)
			doc_putc(d, '\n');
		doc_put(d, d->notes.s, d->notes.len);
	}
	/* Nothing was written: an empty string rather than NULL. */
	if (d->body.s == NULL) {
		dbuf_grow(&d->body, 1);
		d->body.s[0] = '\0';
	}
}

int
doc_fail(struct doc *d, const char *reason, const char *fmt, ...)
{
	va_list ap;

	if (d->reason != NULL)
		return -1;
	d->reason = reason;
	va_start(ap, fmt);
	vsnprintf(d->detail, sizeof(d->detail), fmt, ap);
	va_end(ap);
	return -1;
}
