/*
 * What the zip-based readers (lib/docx.c, lib/odt.c) share with
 * lib/doczip.c: reading a part of the container and parsing it as XML
 * safely.  Buffers and documents returned are the caller's to free.
 */
#ifndef QUIRE_DOCXML_H
#define QUIRE_DOCXML_H

#include <stddef.h>

#include <libxml/tree.h>
#include <zip.h>

#include "doctext.h"

/*
 * Read part name of za whole into *buf (NUL-terminated, the caller frees
 * it) and its length into *len, counting it against d->budget.  Return 1,
 * 0 when there is no such part, -1 with d->reason set (encrypted, too
 * large or too compressed, corrupt).
 */
int	doc_zip_part(struct doc *d, zip_t *za, const char *name, char **buf,
	    size_t *len);

/*
 * Parse an XML part with no network, no DTD loading and no entity
 * substitution; a part with a DOCTYPE is refused.  Return the document
 * (xmlFreeDoc it) or NULL with d->reason set.
 */
xmlDoc	*doc_xml(struct doc *d, const char *buf, size_t len, const char *name);

/* Nonzero if node n is the element ns:name (ns a namespace URI). */
int	doc_xml_is(const xmlNode *n, const char *ns, const char *name);

/*
 * The value of attribute ns:name of n, copied into val (truncated to
 * size); 0 if present, -1 if absent (val then "").
 */
int	doc_xml_attr(const xmlNode *n, const char *ns, const char *name,
	    char *val, size_t size);

/* The readers of the main parts. */
int	doc_docx(struct doc *d, zip_t *za);
int	doc_odt(struct doc *d, zip_t *za);

#endif
