/* libFuzzer target: lib/rtf's doc_rtf on arbitrary bytes. */
#include <stdint.h>

#include "docfuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc d;

	doc_init(&d);
	docfuzz_check(&d, doc_rtf(&d, (const char *)data, size));
	doc_free(&d);
	return 0;
}
