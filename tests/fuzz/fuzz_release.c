/*
 * libFuzzer target: lib/release.c, a finished release as quire-changes
 * and quire-statement read it (the previous version of a dataset, which
 * may be a copy from elsewhere): release_open on a directory whose
 * lineage.csv, rejects.csv and inputs.lock are the input's parts, cut at
 * lines "%%" (a missing inputs.lock part: no such file).  Checks: the
 * documents are sorted by submission, each found by release_doc; every
 * reject row of a submission is counted by release_reject, the first in
 * file order; every reject reason has words; no cell keeps the "'"
 * guard before a formula character.
 */
#define _GNU_SOURCE		/* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diejmp.h"
#include "release.h"

/* A directory that exists: its three files are served from memory. */
#define DIR "."

static int
guarded(const char *s)
{
	return s[0] == '\'' && s[1] != '\0' &&
	    strchr("=+-@\t\r", s[1]) != NULL;
}

static void
run(void)
{
	struct release *r;
	const struct rel_doc *d;
	const struct rel_reject *j, *first;
	size_t i, k, n, count;

	r = release_open(DIR);
	for (i = 0; i < r->ndocs; i++) {
		d = &r->docs[i];
		if (i > 0 && strcmp(r->docs[i - 1].submission,
		    d->submission) >= 0)
			abort();	/* sorted, each submission once */
		if (release_doc(r, d->submission) != d ||
		    strchr(d->shard, '/') != NULL || guarded(d->id) ||
		    guarded(d->writer))
			abort();
	}
	for (i = 0; i < r->nrejects; i++) {
		j = &r->rejects[i];
		if (release_reason(j->reason) == NULL)
			abort();
		(void)release_stage(j->stage);
		first = release_reject(r, j->submission, &n);
		for (k = count = 0; k < r->nrejects; k++)
			count += strcmp(r->rejects[k].submission,
			    j->submission) == 0;
		if (first == NULL || n != count || first->line > j->line ||
		    strcmp(first->submission, j->submission) != 0 ||
		    guarded(j->detail))
			abort();
	}
	if (release_doc(r, "") != NULL)
		abort();	/* lineage.csv has no empty submission */
	release_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *start[3], *p, *sep;
	size_t len[3];
	int n;

	for (n = 0, p = data; n < 3 && p != NULL; n++) {
		start[n] = p;
		sep = memmem(p, (size_t)(data + size - p), "\n%%\n", 4);
		len[n] = sep != NULL ? (size_t)(sep + 1 - p) :
		    (size_t)(data + size - p);
		p = sep != NULL ? sep + 4 : NULL;
	}
	fz_begin(data, size);
	fz_file(DIR "/lineage.csv", start[0], len[0]);
	fz_file(DIR "/rejects.csv", n > 1 ? start[1] : data, n > 1 ? len[1] :
	    0);
	fz_file(DIR "/inputs.lock", n > 2 ? start[2] : NULL, n > 2 ? len[2] :
	    0);
	if (setjmp(fz_jmp) != 0)
		fz_cleanup();
	else {
		run();
		fz_end();
	}
	return 0;
}
