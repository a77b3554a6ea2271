/*
 * libFuzzer target: lib/doczip's doc_zip on arbitrary bytes as a zip
 * container (.docx, .odt or neither), with the size limits lowered so
 * that expansion checks are reached by small inputs.
 */
#include <stdint.h>

#include "docfuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc d;
	enum doc_format f;
	int r;

	doc_init(&d);
	d.max_expanded = 1 << 20;
	doc_reset(&d);
	r = doc_zip(&d, (const char *)data, size, &f);
	docfuzz_check(&d, r);
	if (r == 0 && f != DOC_DOCX && f != DOC_ODT)
		abort();
	doc_free(&d);
	return 0;
}
