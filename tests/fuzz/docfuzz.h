/*
 * What every document fuzz target checks after a reader ran on an input:
 * a refusal has a dotted reason and a detail; an accepted text is valid
 * UTF-8, NUL-terminated at its length, and ends in a line end when not
 * empty; no count is negative.  Aborts (a finding) otherwise.
 */
#ifndef QUIRE_FUZZ_DOCFUZZ_H
#define QUIRE_FUZZ_DOCFUZZ_H

#include <stdlib.h>
#include <string.h>

#include "doctext.h"
#include "utf8.h"

static inline void
docfuzz_check(const struct doc *d, int r)
{
	int i;

	if (r != 0) {
		if (r != -1 || d->reason == NULL ||
		    strncmp(d->reason, "ingest.", 7) != 0)
			abort();
		return;
	}
	if (d->reason != NULL || d->body.s == NULL ||
	    strlen(d->body.s) > d->body.len ||
	    d->body.s[d->body.len] != '\0' ||
	    !utf8_valid(d->body.s, d->body.len))
		abort();
	if (d->body.len > 0 && d->body.s[d->body.len - 1] != '\n')
		abort();
	for (i = 0; i < DOC_NWARN; i++)
		if (d->warn[i] < 0)
			abort();
}

#endif
