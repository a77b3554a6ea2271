/* JSON Lines in and out through json-c, with one set of flags for all. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "utf8.h"
#include "util.h"

/* Plain output, and no "\/": json-c escapes '/' unless told not to. */
#define RECORD_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void
record_in_init(struct record_in *in, int npaths, char **paths)
{
	memset(in, 0, sizeof(*in));
	in->paths = paths;
	in->npaths = npaths;
	in->max_line = RECORD_MAX_LINE;
	in->tok = json_tokener_new();
	if (in->tok == NULL)
		die(EXIT_OSERR, "out of memory");
}

/* Open the next input; return 0 when there is none left. */
static int
open_next(struct record_in *in)
{
	const char *path;

	if (in->npaths == 0) {
		if (in->next++ > 0)
			return 0;
		in->fp = stdin;
		in->name = "<stdin>";
	} else {
		if (in->next >= in->npaths)
			return 0;
		path = in->paths[in->next++];
		if (strcmp(path, "-") == 0) {
			in->fp = stdin;
			in->name = "<stdin>";
		} else {
			in->fp = fopen(path, "r");
			if (in->fp == NULL)
				die(EXIT_NOINPUT, "%s:", path);
			in->name = path;
		}
	}
	in->lineno = 0;
	return 1;
}

static void
close_current(struct record_in *in)
{
	if (ferror(in->fp))
		die(EXIT_NOINPUT, "read error: %s", in->name);
	if (in->fp != stdin)
		fclose(in->fp);
	in->fp = NULL;
}

/*
 * json-c clamps integers outside 64 bits instead of failing; such a value
 * would leave changed, so refuse it.  The clamp values themselves are
 * refused too: they cannot be told apart.
 */
static int
has_clamped_int(struct json_object *o)
{
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_int:
		if (json_object_get_int64(o) == INT64_MIN)
			return 1;
		return json_object_get_uint64(o) == UINT64_MAX;
	case json_type_object: {
		json_object_object_foreach(o, k, v) {
			(void)k;
			if (has_clamped_int(v))
				return 1;
		}
		return 0;
	}
	case json_type_array:
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			if (has_clamped_int(json_object_array_get_idx(o, i)))
				return 1;
		return 0;
	default:
		return 0;
	}
}

/* Why the line did not parse, in words a steward can act on. */
static const char *
parse_error(struct record_in *in)
{
	enum json_tokener_error e = json_tokener_get_error(in->tok);

	if (in->len == 0)
		return "empty line";
	if (e == json_tokener_continue)
		return "unexpected end of line";
	if (e == json_tokener_success)
		return "text after the JSON value";
	return json_tokener_error_desc(e);
}

struct json_object *
record_next(struct record_in *in)
{
	struct json_object *o;
	ssize_t n;
	size_t bad;

	for (;;) {
		if (in->fp == NULL && !open_next(in))
			return NULL;
		errno = 0;
		n = getline(&in->line, &in->cap, in->fp);
		if (n < 0) {
			if (errno == ENOMEM)
				die(EXIT_OSERR, "out of memory");
			close_current(in);
			continue;
		}
		in->lineno++;
		in->bytes += n;
		if (n > 0 && in->line[n - 1] == '\n')
			n--;
		in->len = n;
		break;
	}
	if (in->len > in->max_line)
		die(EXIT_DATAERR, "%s:%zu: record of %zu bytes exceeds the "
		    "limit of %zu", in->name, in->lineno, in->len,
		    in->max_line);
	bad = utf8_valid_prefix(in->line, in->len);
	if (bad != in->len)
		die(EXIT_DATAERR, "%s:%zu: invalid UTF-8 at byte %zu",
		    in->name, in->lineno, bad + 1);
	json_tokener_reset(in->tok);
	o = json_tokener_parse_ex(in->tok, in->line, (int)in->len);
	if (o == NULL || json_tokener_get_error(in->tok) != json_tokener_success
	    || (size_t)json_tokener_get_parse_end(in->tok) != in->len) {
		if (o != NULL)
			json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: %s", in->name,
		    in->lineno, parse_error(in));
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: not a JSON object",
		    in->name, in->lineno);
	}
	if (has_clamped_int(o)) {
		json_object_put(o);
		die(EXIT_DATAERR, "%s:%zu: malformed record: integer outside "
		    "the 64-bit range", in->name, in->lineno);
	}
	return o;
}

void
record_in_free(struct record_in *in)
{
	if (in->fp != NULL)
		close_current(in);
	free(in->line);
	json_tokener_free(in->tok);
	in->line = NULL;
	in->tok = NULL;
}

size_t
record_write(FILE *fp, const char *name, struct json_object *o)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(o, RECORD_FLAGS, &len);
	if (s == NULL)
		die(EXIT_OSERR, "out of memory");
	efwrite(s, len, fp, name);
	if (putc('\n', fp) == EOF)
		die(EXIT_IOERR, "write error: %s:", name);
	return len + 1;
}

const char *
record_str(struct json_object *o, const char *key, size_t *len)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	if (len != NULL)
		*len = (size_t)json_object_get_string_len(v);
	return json_object_get_string(v);
}

const char *
record_path(struct json_object *o, const char *key, const char *sub)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return record_str(v, sub, NULL);
}

void
record_set_str(struct json_object *o, const char *key, const char *s,
    size_t len)
{
	struct json_object *v;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string)) {
		if (json_object_set_string_len(v, s, (int)len) == 0)
			die(EXIT_OSERR, "out of memory");
		return;
	}
	v = json_object_new_string_len(s, (int)len);
	if (v == NULL)
		die(EXIT_OSERR, "out of memory");
	/* json-c replaces an existing key in place, keeping its position. */
	json_object_object_add(o, key, v);
}
