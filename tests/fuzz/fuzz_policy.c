/*
 * libFuzzer target: the board's policy files as every stage reads them,
 * lib/policy.c (uses.csv, the intended uses, list_split) and
 * lib/licenses.c (licenses.csv, spellings by canonical key), and
 * lib/date.c's dates.  The input is up to five parts, each after a line
 * "%%": uses.csv, licenses.csv, the intended uses, the cut-off date, then
 * spellings to look up, one a line.  A part left out is a default.
 * Checks beyond the sanitizers: known uses are sorted and unique; every
 * license is found by its id and permits exactly its uses; a spelling
 * finds the license the same spelling upper-cased finds; the uses
 * policy_uses keeps are known; a date parsed prints back as itself.
 */
#define _GNU_SOURCE		/* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "diejmp.h"
#include "licenses.h"
#include "policy.h"

#define DIR "<fuzz-policies>"
#define NPARTS 5

static const char *const defaults[NPARTS] = {
	"use,description,approved,status\ntrain,t,2026-01-05,active\n",
	"spdx,aliases,uses,attribution,share_alike\nCC0-1.0,CC0,*,no,no\n",
	"train",
	"2026-06-01",
	"CC0\n",
};

/* YYYY-MM-DD of days since 1970-01-01 (H. Hinnant's civil_from_days). */
static void
civil(long z, char *buf, size_t n)
{
	long era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	snprintf(buf, n, "%04ld-%02ld-%02ld", y + (m <= 2), m, d);
}

/* date_parse, then the date printed back must be the input's first 10. */
static long
check_date(const char *s)
{
	char buf[32];
	long days, again;

	if (date_parse(s, &days) != 0)
		return -1;
	civil(days, buf, sizeof(buf));
	if (strncmp(buf, s, 10) != 0 || date_parse(buf, &again) != 0 ||
	    again != days) {
		fprintf(stderr, "date %.10s is day %ld, which is %s\n", s,
		    days, buf);
		abort();
	}
	return days;
}

static void
check_lookup(const struct licenses *ls, const char *s, size_t len)
{
	const struct license *a, *b;
	char *up;
	size_t i;

	a = licenses_lookup(ls, s, len);
	if (a != NULL && (a < ls->v || a >= ls->v + ls->n))
		abort();
	/* ASCII case is not part of the key. */
	up = malloc(len + 1);
	for (i = 0; i < len; i++)
		up[i] = s[i] >= 'a' && s[i] <= 'z' ? s[i] - 'a' + 'A' : s[i];
	b = licenses_lookup(ls, up, len);
	free(up);
	if (a != b) {
		fprintf(stderr, "\"%.*s\" finds %s, upper-cased %s\n",
		    (int)len, s, a ? a->spdx : "nothing",
		    b ? b->spdx : "nothing");
		abort();
	}
}

static void
run(char *part[NPARTS])
{
	struct list known, uses;
	struct licenses *ls;
	const struct license *lic;
	char *line, *nl;
	long cutoff;
	size_t i, j;

	policy_known_uses(DIR, &known);
	for (i = 1; i < known.n; i++)
		if (strcmp(known.items[i - 1], known.items[i]) >= 0)
			abort();	/* sorted, no repeats */

	ls = licenses_load(DIR, &known);
	for (i = 0; i < ls->n; i++) {
		lic = &ls->v[i];
		if (licenses_find(ls, lic->spdx) != lic ||
		    licenses_lookup(ls, lic->spdx, strlen(lic->spdx)) != lic)
			abort();
		for (j = 0; j < known.n; j++)
			if (licenses_permits(lic, known.items[j]) !=
			    (lic->anyuse || list_has(&lic->uses,
			    known.items[j])))
				abort();
		for (j = 0; j < lic->uses.n; j++)
			if (!list_has(&known, lic->uses.items[j]))
				abort();	/* licenses_load let it in */
	}
	for (line = part[4]; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL)
			nl = line + strlen(line);
		check_lookup(ls, line, (size_t)(nl - line));
		if (*nl == '\0')
			break;
	}

	cutoff = check_date(part[3]);
	policy_uses(DIR, part[2], cutoff, &uses);
	for (i = 0; i < uses.n; i++)
		if (!list_has(&known, uses.items[i]))
			abort();
	list_free(&uses);
	licenses_free(ls);
	list_free(&known);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *start[NPARTS], *p, *sep;
	size_t len[NPARTS];
	char *part[NPARTS];
	int i, n;

	/* Cut at each "\n%%\n" (the first newline stays with its part). */
	for (n = 0, p = data; n < NPARTS && p != NULL; n++) {
		start[n] = p;
		sep = memmem(p, (size_t)(data + size - p), "\n%%\n", 4);
		len[n] = sep != NULL ? (size_t)(sep + 1 - p) :
		    (size_t)(data + size - p);
		p = sep != NULL ? sep + 4 : NULL;
	}
	for (i = 0; i < NPARTS; i++) {
		if (i >= n) {
			start[i] = (const uint8_t *)defaults[i];
			len[i] = strlen(defaults[i]);
		}
		/* NUL-terminated copies; the uses and date are one line. */
		part[i] = malloc(len[i] + 1);
		memcpy(part[i], start[i], len[i]);
		part[i][len[i]] = '\0';
		if (i >= 2 && i <= 3 && (p = memchr(part[i], '\n', len[i])))
			part[i][p - (uint8_t *)part[i]] = '\0';
	}

	fz_begin(data, size);
	fz_file(DIR "/uses.csv", start[0], len[0]);
	fz_file(DIR "/licenses.csv", start[1], len[1]);
	if (setjmp(fz_jmp) != 0)
		fz_cleanup();
	else {
		run(part);
		fz_end();
	}
	for (i = 0; i < NPARTS; i++)
		free(part[i]);
	return 0;
}
