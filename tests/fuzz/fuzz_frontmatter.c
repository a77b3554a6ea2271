/*
 * libFuzzer target: lib/docmd's doc_front_matter on UTF-8 text (ingest
 * calls it only after decoding): what it removes lies inside the text and
 * ends at a line end, and a title is valid UTF-8.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doctext.h"
#include "utf8.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct doc d;
	size_t n;

	if (!utf8_valid((const char *)data, size))
		return 0;
	doc_init(&d);
	n = doc_front_matter(&d, (const char *)data, size);
	if (n > size || (n > 0 && n < size && data[n - 1] != '\n'))
		abort();
	if (n == 0 && d.title != NULL)
		abort();
	if (d.title != NULL && !utf8_valid(d.title, strlen(d.title)))
		abort();
	doc_free(&d);
	return 0;
}
