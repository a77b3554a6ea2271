/*
 * libFuzzer target: lib/record's JSON Lines reader as the filters use it,
 * on the input as a file of records.  Two passes over it:
 *
 * - record_next (jscan, json-c, the surrogate-pair rewrite, the number
 *   checks) on every line until the end or a refusal; every record it
 *   returns is written with record_write, which must give json-c's own
 *   serialization byte for byte (record.c has its own string writer), and
 *   that line must read back as an equal object;
 * - record_next_line and record_scan with the fields stages ask for, as
 *   stages that need no object read; found strings must lie in the line.
 *
 * The two must refuse at the same line: record.c keeps json-c's refusals
 * only as a second opinion, so a line jscan takes and json-c refuses is a
 * finding.  A refusal is a die(), a longjmp by diejmp.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "diejmp.h"
#include "jscan.h"
#include "record.h"

#define OUT_PATH "<fuzz-output>"
#define MAX_LINE 3000		/* some inputs exceed it: the limit's path */

/* Lines each pass took, kept across a die(). */
static size_t nobjs, nlines;

/* Read back the line record_write made; it must be o again. */
static void
reread(struct json_object *o, const char *line, size_t len)
{
	static char *paths[] = { OUT_PATH };
	struct record_in in;
	struct json_object *p;

	fz_file(OUT_PATH, (const uint8_t *)line, len);
	record_in_init(&in, 1, paths);
	p = record_next(&in);	/* a refusal dies: a finding, see below */
	if (p == NULL || !json_object_equal(o, p)) {
		fprintf(stderr, "written record reads back different: %.*s\n",
		    (int)len, line);
		abort();
	}
	if (record_next(&in) != NULL)
		abort();	/* one record written, two read */
	json_object_put(p);
	record_in_free(&in);
}

/* Pass 1: whole records, counted in nobjs. */
static void
pass_objects(void)
{
	static char *paths[] = { FZ_PATH };
	struct record_in in;
	struct json_object *o;
	const char *ref;
	char *buf;
	size_t len, reflen;
	FILE *fp;
	jmp_buf outer;

	record_in_init(&in, 1, paths);
	in.max_line = MAX_LINE;
	while ((o = record_next(&in)) != NULL) {
		nobjs++;
		ref = json_object_to_json_string_length(o,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
		    &reflen);
		buf = NULL;
		len = 0;
		if ((fp = open_memstream(&buf, &len)) == NULL)
			abort();
		if (record_write(fp, "<memstream>", o) != reflen + 1)
			abort();
		fclose(fp);
		if (len != reflen + 1 || memcmp(buf, ref, reflen) != 0 ||
		    buf[reflen] != '\n') {
			fprintf(stderr, "record_write differs from json-c:\n"
			    "%s\n%.*s", ref, (int)len, buf);
			abort();
		}
		/* diejmp's fopen serves it; a refusal there is a finding. */
		memcpy(outer, fz_jmp, sizeof(outer));
		if (setjmp(fz_jmp) != 0) {
			fprintf(stderr, "written record refused: %s", buf);
			abort();
		}
		reread(o, buf, len);
		memcpy(fz_jmp, outer, sizeof(outer));
		free(buf);
		json_object_put(o);
	}
	record_in_free(&in);
}

/* Pass 2: lines checked by jscan only, counted in nlines. */
static void
pass_lines(void)
{
	static char *paths[] = { FZ_PATH };
	struct jscan_field want[] = {
		{ "id", NULL, 0, NULL, 0, 0 },
		{ "text", NULL, 0, NULL, 0, 0 },
		{ "writer", NULL, 0, NULL, 0, 0 },
		{ "source", "submission", 0, NULL, 0, 0 },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct record_in in;
	size_t i;

	record_in_init(&in, 1, paths);
	in.max_line = MAX_LINE;
	while (record_next_line(&in)) {
		record_scan(&in, want, nwant);
		nlines++;
		for (i = 0; i < nwant; i++)
			if (want[i].type == JSCAN_STRING &&
			    (want[i].str < in.line ||
			    want[i].str + want[i].len > in.line + in.len))
				abort();
	}
	record_in_free(&in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile int objs_died = 0, lines_died = 0;

	nobjs = nlines = 0;
	fz_begin(data, size);
	if (setjmp(fz_jmp) != 0) {
		fz_cleanup();
		objs_died = 1;
	} else {
		pass_objects();
		fz_end();
	}

	fz_begin(data, size);
	if (setjmp(fz_jmp) != 0) {
		fz_cleanup();
		lines_died = 1;
	} else {
		pass_lines();
		fz_end();
	}

	/*
	 * pass_objects counts a line once written and read back, pass_lines
	 * once scanned: both stop at the first refusal.
	 */
	if (nobjs != nlines || objs_died != lines_died) {
		fprintf(stderr, "record_next took %zu lines%s, record_scan "
		    "%zu%s\n", nobjs, objs_died ? " then refused" : "",
		    nlines, lines_died ? " then refused" : "");
		abort();
	}
	return 0;
}
