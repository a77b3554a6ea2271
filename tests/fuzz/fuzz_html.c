/* libFuzzer target: lib/html's doc_html on arbitrary bytes. */
#include <stdint.h>

#include "docfuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc d;

	doc_init(&d);
	docfuzz_check(&d, doc_html(&d, (const char *)data, size));
	doc_free(&d);
	return 0;
}
