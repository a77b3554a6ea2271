/*
 * libFuzzer target: lib/jscan's jscan_record on one line of arbitrary
 * bytes, with a few wanted fields, jscan_unescape on the strings found,
 * and json-c (strict, as lib/record.c sets it) as a one-way differential
 * oracle: a line jscan accepts must be one JSON object to json-c too.
 * jscan_record assumes valid UTF-8 (record_next_line checks it first), so
 * invalid input is skipped.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jscan.h"
#include "utf8.h"

static struct json_tokener *tok;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jscan_field want[] = {
		{ "id", NULL, 0, NULL, 0, 0 },
		{ "text", NULL, 0, NULL, 0, 0 },
		{ "source", "submission", 0, NULL, 0, 0 },
		{ "source", "path", 0, NULL, 0, 0 },
		{ "meta", "a\\u0000b", 0, NULL, 0, 0 },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct json_object *o;
	const char *err = NULL;
	char *line, *buf;
	size_t i, n;
	int ok;

	/* The reader cuts the newline and refuses lines json-c's int can't. */
	if (size > 1 << 20 || utf8_valid_prefix((const char *)data, size) != size)
		return -1;
	if (memchr(data, '\n', size) != NULL)
		return -1;
	/* An exact-size copy, so ASan sees any read past the line. */
	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	ok = jscan_record(line, size, want, nwant, &err) == 0;
	if (!ok && (err == NULL || *err == '\0'))
		abort();	/* a refusal must say why */
	if (ok)
		for (i = 0; i < nwant; i++) {
			if (want[i].type != JSCAN_STRING)
				continue;
			if (want[i].str < line ||
			    want[i].str + want[i].len > line + size)
				abort();	/* must point into the line */
			buf = malloc(want[i].len + 1);
			n = jscan_unescape(want[i].str, want[i].len, buf);
			if (n > want[i].len || buf[n] != '\0')
				abort();
			if (!want[i].escaped && (n != want[i].len ||
			    memcmp(buf, want[i].str, n) != 0))
				abort();
			free(buf);
		}
	if (ok && getenv("FUZZ_NO_JSONC") == NULL) {
		if (tok == NULL) {
			tok = json_tokener_new();
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		}
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, line, (int)size);
		if (o == NULL ||
		    json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(o, json_type_object)) {
			fprintf(stderr, "jscan accepts, json-c refuses: %s\n",
			    json_tokener_error_desc(json_tokener_get_error(tok)));
			abort();
		}
		json_object_put(o);
	}
	free(line);
	return 0;
}
