/*
 * libFuzzer target: lib/docx's mapping of WordprocessingML to text.  The
 * input is word/document.xml, and also word/footnotes.xml, of a .docx
 * built around it (stored, see xmlzip.h), read by doc_zip.
 */
#include <stdint.h>

#include "docfuzz.h"
#include "xmlzip.h"

static const char types[] = "<Types/>";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlzip_part parts[] = {
		{ "[Content_Types].xml", types, sizeof(types) - 1 },
		{ "word/document.xml", data, size },
		{ "word/footnotes.xml", data, size },
	};
	struct doc d;
	enum doc_format f;
	char *zip;
	size_t len;
	int r;

	xmlzip_build(parts, 3, &zip, &len);
	doc_init(&d);
	r = doc_zip(&d, zip, len, &f);
	docfuzz_check(&d, r);
	if (f != DOC_DOCX)
		abort();
	doc_free(&d);
	free(zip);
	return 0;
}
