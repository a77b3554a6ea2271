/*
 * libFuzzer target: lib/odt's mapping of OpenDocument text to text.  The
 * input is content.xml of an .odt built around it (stored, see
 * xmlzip.h), read by doc_zip.
 */
#include <stdint.h>

#include "docfuzz.h"
#include "xmlzip.h"

static const char mime[] = "application/vnd.oasis.opendocument.text";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlzip_part parts[] = {
		{ "mimetype", mime, sizeof(mime) - 1 },
		{ "content.xml", data, size },
	};
	struct doc d;
	enum doc_format f;
	char *zip;
	size_t len;
	int r;

	xmlzip_build(parts, 2, &zip, &len);
	doc_init(&d);
	r = doc_zip(&d, zip, len, &f);
	docfuzz_check(&d, r);
	if (f != DOC_ODT)
		abort();
	doc_free(&d);
	free(zip);
	return 0;
}
