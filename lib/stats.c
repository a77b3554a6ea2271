/* --stats: counts that the datasheets are made from. */
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "stats.h"
#include "util.h"

static struct json_object *
enew_int(int64_t v)
{
	struct json_object *o = json_object_new_int64(v);

	if (o == NULL)
		die(EXIT_OSERR, "out of memory");
	return o;
}

static struct json_object *
enew_object(void)
{
	struct json_object *o = json_object_new_object();

	if (o == NULL)
		die(EXIT_OSERR, "out of memory");
	return o;
}

void
stats_init(struct stats *st, const char *stage)
{
	memset(st, 0, sizeof(*st));
	st->stage = stage;
	st->rejected = enew_object();
	st->figures = enew_object();
	st->options = enew_object();
}

static void
count(struct json_object *obj, const char *name, int64_t delta)
{
	struct json_object *v;

	if (json_object_object_get_ex(obj, name, &v))
		json_object_int_inc(v, delta);
	else
		json_object_object_add(obj, name, enew_int(delta));
}

void
stats_reject(struct stats *st, const char *reason)
{
	count(st->rejected, reason, 1);
}

void
stats_reject_n(struct stats *st, const char *reason, int64_t n)
{
	count(st->rejected, reason, n);
}

void
stats_add(struct stats *st, const char *name, int64_t delta)
{
	count(st->figures, name, delta);
}

void
stats_option(struct stats *st, const char *name, const char *value)
{
	struct json_object *v = json_object_new_string(value);

	if (v == NULL)
		die(EXIT_OSERR, "out of memory");
	json_object_object_add(st->options, name, v);
}

void
stats_option_int(struct stats *st, const char *name, int64_t value)
{
	json_object_object_add(st->options, name, enew_int(value));
}

uint64_t
stats_rejected(const struct stats *st)
{
	uint64_t n = 0;

	json_object_object_foreach(st->rejected, k, v) {
		(void)k;
		n += (uint64_t)json_object_get_int64(v);
	}
	return n;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char **
stats_reasons(const struct stats *st, size_t *np)
{
	const char **keys;
	size_t n = 0;

	keys = ecalloc((size_t)json_object_object_length(st->rejected) + 1,
	    sizeof(*keys));
	json_object_object_foreach(st->rejected, k, val) {
		(void)val;
		keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), cmp_str);
	*np = n;
	return keys;
}

int64_t
stats_rejected_by(const struct stats *st, const char *reason)
{
	struct json_object *v;

	if (!json_object_object_get_ex(st->rejected, reason, &v))
		return 0;
	return json_object_get_int64(v);
}

/* A copy of the rejected counts with the reasons in byte order. */
static struct json_object *
sorted_rejects(const struct stats *st)
{
	struct json_object *out = enew_object();
	const char **keys;
	size_t i, n;

	keys = stats_reasons(st, &n);
	for (i = 0; i < n; i++) {
		json_object_object_add(out, keys[i],
		    enew_int(stats_rejected_by(st, keys[i])));
	}
	free(keys);
	return out;
}

void
stats_write(struct stats *st, const char *path)
{
	struct json_object *o;
	struct afile *af;
	const char *s;
	size_t len;

	if (path == NULL)
		return;
	o = enew_object();
	json_object_object_add(o, "stage", json_object_new_string(st->stage));
	json_object_object_add(o, "version", json_object_new_string(VERSION));
	json_object_object_add(o, "records_in", enew_int(st->records_in));
	json_object_object_add(o, "records_out", enew_int(st->records_out));
	json_object_object_add(o, "rejected", sorted_rejects(st));
	json_object_object_add(o, "bytes_in", enew_int(st->bytes_in));
	json_object_object_add(o, "bytes_out", enew_int(st->bytes_out));
	json_object_object_add(o, "options", json_object_get(st->options));
	json_object_object_add(o, "figures", json_object_get(st->figures));
	s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	af = afile_open(path);
	efwrite(s, len, af->fp, path);
	if (putc('\n', af->fp) == EOF)
		die(EXIT_IOERR, "write error: %s:", path);
	afile_commit(af);
	json_object_put(o);
}

void
stats_free(struct stats *st)
{
	json_object_put(st->rejected);
	json_object_put(st->figures);
	json_object_put(st->options);
	st->rejected = st->figures = st->options = NULL;
}
