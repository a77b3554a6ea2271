/*
 * The zip container of .docx and .odt: which of the two it is, encryption,
 * macros, size limits, and parsing its XML parts safely.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <zip.h>

#include "docxml.h"
#include "util.h"

#define ODT_MIME "application/vnd.oasis.opendocument.text"
#define ODF_MIME "application/vnd.oasis.opendocument."

/*
 * No XML part of a document may reach outside it: every external entity,
 * DTD or XInclude a parser could try to load is refused here, whatever the
 * options, as a second lock behind them.
 */
static xmlParserInputPtr
no_loader(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/* libxml2 reports some encoding errors whatever XML_PARSE_NOERROR says. */
static void
no_message(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* Errors are not printed; those of decoding are noted in the doc. */
static void
note_error(void *ctx, xmlErrorPtr err)
{
	struct doc *d = ctx;

	if (d != NULL && err != NULL && (err->domain == XML_FROM_I18N ||
	    (err->domain == XML_FROM_IO && err->code == XML_IO_ENCODER)))
		d->xml_encoding = 1;
}

void
doc_xml_lock(struct doc *d)
{
	xmlSetExternalEntityLoader(no_loader);
	xmlSetGenericErrorFunc(NULL, no_message);
	xmlSetStructuredErrorFunc(d, note_error);
}

int
doc_zip_part(struct doc *d, zip_t *za, const char *name, char **buf,
    size_t *len)
{
	zip_stat_t st;
	zip_file_t *zf;
	zip_int64_t n;
	char extra;
	char *b;

	*buf = NULL;
	*len = 0;
	zip_stat_init(&st);
	if (zip_stat(za, name, 0, &st) != 0)
		return 0;
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
	    st.encryption_method != ZIP_EM_NONE)
		return doc_fail(d, "ingest.encrypted", "%s is encrypted", name);
	if (!(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE))
		return doc_fail(d, "ingest.corrupt", "%s: no size", name);
	if (st.size > d->budget)
		return doc_fail(d, "ingest.zip_bomb", "%s expands to %llu "
		    "bytes: over the %llu bytes left of %llu", name,
		    (unsigned long long)st.size, (unsigned long long)d->budget,
		    (unsigned long long)d->max_expanded);
	if (st.size > DOC_ZIP_RATIO_FLOOR &&
	    st.size / DOC_ZIP_MAX_RATIO > st.comp_size)
		return doc_fail(d, "ingest.zip_bomb", "%s expands %llu bytes "
		    "to %llu: more than %d times", name,
		    (unsigned long long)st.comp_size,
		    (unsigned long long)st.size, DOC_ZIP_MAX_RATIO);
	zf = zip_fopen_index(za, st.index, 0);
	if (zf == NULL)
		return doc_fail(d, "ingest.corrupt", "%s: %s", name,
		    zip_strerror(za));
	b = emalloc((size_t)st.size + 1);
	*len = 0;
	while (*len < st.size) {
		n = zip_fread(zf, b + *len, st.size - *len);
		if (n <= 0)
			break;
		*len += (size_t)n;
	}
	/* The data must be exactly as long as the directory says. */
	if (*len != st.size || zip_fread(zf, &extra, 1) != 0) {
		doc_fail(d, "ingest.corrupt", "%s: %s", name,
		    zip_file_strerror(zf));
		zip_fclose(zf);
		free(b);
		*len = 0;
		return -1;
	}
	zip_fclose(zf);
	b[*len] = '\0';
	d->budget -= st.size;
	*buf = b;
	return 1;
}

xmlDoc *
doc_xml(struct doc *d, const char *buf, size_t len, const char *name)
{
	xmlDoc *x;

	doc_xml_lock(d);
	if (len > INT32_MAX) {
		doc_fail(d, "ingest.zip_bomb", "%s is too large", name);
		return NULL;
	}
	/* No XML_PARSE_NOENT, XML_PARSE_DTDLOAD or XML_PARSE_XINCLUDE. */
	x = xmlReadMemory(buf, (int)len, name, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
	doc_xml_lock(NULL);
	if (x == NULL && d->xml_encoding) {
		doc_fail(d, "ingest.encoding", "%s has bytes its declared "
		    "encoding does not have", name);
		return NULL;
	}
	if (x == NULL) {
		doc_fail(d, "ingest.corrupt", "%s is not well-formed XML",
		    name);
		return NULL;
	}
	if (x->intSubset != NULL || x->extSubset != NULL) {
		doc_fail(d, "ingest.xml_entity", "%s has a DOCTYPE: its "
		    "entities are never resolved", name);
		xmlFreeDoc(x);
		return NULL;
	}
	/* XML names encodings in any case: "utf-8" is UTF-8. */
	if (x->encoding != NULL && d->encoding[0] == '\0')
		snprintf(d->encoding, sizeof(d->encoding), "%s",
		    strcasecmp((const char *)x->encoding, "UTF-8") == 0 ?
		    "UTF-8" : (const char *)x->encoding);
	return x;
}

int
doc_xml_is(const xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->name, name) == 0 &&
	    strcmp((const char *)n->ns->href, ns) == 0;
}

int
doc_xml_attr(const xmlNode *n, const char *ns, const char *name, char *val,
    size_t size)
{
	const xmlAttr *a;
	const xmlNode *t;
	size_t len = 0, k;

	val[0] = '\0';
	for (a = n->properties; a != NULL; a = a->next) {
		if (strcmp((const char *)a->name, name) != 0)
			continue;
		if (ns != NULL && (a->ns == NULL ||
		    strcmp((const char *)a->ns->href, ns) != 0))
			continue;
		for (t = a->children; t != NULL; t = t->next)
			if (t->content != NULL) {
				k = strlen((const char *)t->content);
				if (k > size - 1 - len)
					k = size - 1 - len;
				memcpy(val + len, t->content, k);
				len += k;
			}
		val[len] = '\0';
		return 0;
	}
	return -1;
}

/* Count macro code (never run, never read) in the container. */
static void
count_macros(struct doc *d, zip_t *za)
{
	zip_int64_t i, n = zip_get_num_entries(za, 0);
	const char *name;

	for (i = 0; i < n; i++) {
		name = zip_get_name(za, (zip_uint64_t)i, 0);
		if (name == NULL)
			continue;
		if (strcmp(name, "word/vbaProject.bin") == 0 ||
		    strncmp(name, "Basic/", 6) == 0 ||
		    strncmp(name, "Scripts/", 8) == 0) {
			d->warn[DOC_W_MACROS]++;
			return;
		}
	}
}

/* ODF encrypts inside the zip and says so in its manifest. */
static int
odf_encrypted(struct doc *d, zip_t *za)
{
	char *m;
	size_t mlen;
	int r;

	r = doc_zip_part(d, za, "META-INF/manifest.xml", &m, &mlen);
	if (r <= 0)
		return r;
	r = strstr(m, "encryption-data") != NULL;
	free(m);
	if (r)
		return doc_fail(d, "ingest.encrypted", "the OpenDocument "
		    "manifest lists encrypted parts");
	return 0;
}

/* Do the package's content types name a word-processing main part? */
static int
word_types(struct doc *d, zip_t *za)
{
	char *t;
	size_t len;
	int r;

	if (doc_zip_part(d, za, "[Content_Types].xml", &t, &len) <= 0)
		return 0;
	r = strstr(t, "wordprocessingml.document.main+xml") != NULL ||
	    strstr(t, "ms-word.document.macroEnabled.main+xml") != NULL;
	free(t);
	return r;
}

int
doc_zip(struct doc *d, const char *buf, size_t len, enum doc_format *f)
{
	zip_error_t ze;
	zip_source_t *src;
	zip_t *za = NULL;
	zip_int64_t i, n;
	zip_stat_t st;
	char *mime = NULL;
	size_t mlen;
	int r = -1;

	*f = DOC_ZIP;
	zip_error_init(&ze);
	src = zip_source_buffer_create(buf, len, 0, &ze);
	if (src == NULL)
		die(EXIT_OSERR, "out of memory");
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (za == NULL) {
		zip_source_free(src);
		doc_fail(d, "ingest.corrupt", "not a readable zip archive: %s",
		    zip_error_strerror(&ze));
		zip_error_fini(&ze);
		return -1;
	}
	zip_error_fini(&ze);
	/* Any encrypted entry: the document cannot be read whole. */
	n = zip_get_num_entries(za, 0);
	for (i = 0; i < n; i++)
		if (zip_stat_index(za, (zip_uint64_t)i, 0, &st) == 0 &&
		    (st.valid & ZIP_STAT_ENCRYPTION_METHOD) &&
		    st.encryption_method != ZIP_EM_NONE) {
			doc_fail(d, "ingest.encrypted", "%s is encrypted",
			    st.name);
			goto out;
		}
	count_macros(d, za);
	r = doc_zip_part(d, za, "mimetype", &mime, &mlen);
	if (r < 0)
		goto out;
	if (r > 0) {
		r = -1;
		while (mlen > 0 && (mime[mlen - 1] == '\n' ||
		    mime[mlen - 1] == '\r' || mime[mlen - 1] == ' '))
			mime[--mlen] = '\0';
		if (strcmp(mime, ODT_MIME) == 0 ||
		    strcmp(mime, ODT_MIME "-template") == 0) {
			*f = DOC_ODT;
			if (odf_encrypted(d, za) == 0)
				r = doc_odt(d, za);
		} else if (strncmp(mime, ODF_MIME, strlen(ODF_MIME)) == 0) {
			r = doc_fail(d, "ingest.format", "an OpenDocument %.40s: "
			    "not a text document", mime + strlen(ODF_MIME));
		} else {
			r = doc_fail(d, "ingest.format", "a zip archive of type "
			    "%.60s", mime);
		}
	} else if (zip_name_locate(za, "[Content_Types].xml", 0) >= 0 &&
	    (zip_name_locate(za, "word/document.xml", 0) >= 0 ||
	    word_types(d, za))) {
		*f = DOC_DOCX;
		r = doc_docx(d, za);
	} else {
		r = doc_fail(d, "ingest.format", "a zip archive that is "
		    "neither .docx nor .odt");
	}
out:
	free(mime);
	zip_discard(za);
	return r;
}
