/*
 * Markdown front matter: a YAML mapping between "---" lines at the start
 * of the text, parsed with libyaml's event API (aliases are never
 * expanded).  The Markdown itself stays as written: it is already the
 * writer's plain text, and a CommonMark renderer would strip the leading
 * spaces of a poem's lines.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doctext.h"
#include "util.h"

/* Length of the line at p (without its end) and of its end, or 0. */
static size_t
line(const char *p, const char *end, size_t *eol)
{
	const char *q = memchr(p, '\n', (size_t)(end - p));

	if (q == NULL) {
		*eol = 0;
		return (size_t)(end - p);
	}
	*eol = 1;
	if (q > p && q[-1] == '\r') {
		*eol = 2;
		q--;
	}
	return (size_t)(q - p);
}

static int
is_line(const char *p, size_t n, const char *s)
{
	return n == strlen(s) && memcmp(p, s, n) == 0;
}

/*
 * Parse yaml[0..len): 0 and *title (the caller's) if it is one mapping,
 * -1 otherwise.
 */
static int
parse(const char *yaml, size_t len, char **title)
{
	yaml_parser_t ps;
	yaml_event_t ev;
	int depth = 0, key = 1, want = 0, r = -1, done = 0, n = 0;

	*title = NULL;
	if (!yaml_parser_initialize(&ps))
		die(EXIT_OSERR, "out of memory");
	yaml_parser_set_input_string(&ps, (const unsigned char *)yaml, len);
	while (!done) {
		if (!yaml_parser_parse(&ps, &ev))
			break;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			r = n == 1 ? 0 : -1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			n++;
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth == 0 && ev.type != YAML_MAPPING_START_EVENT)
				done = 1;
			if (depth == 1)
				key = !key;
			depth++;
			want = 0;
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
		case YAML_ALIAS_EVENT:
			if (depth == 0) {
				done = 1;	/* a scalar is not front matter */
				break;
			}
			if (depth == 1 && key) {
				want = ev.type == YAML_SCALAR_EVENT &&
				    strcmp((const char *)ev.data.scalar.value,
				    "title") == 0;
			} else if (depth == 1 && want &&
			    ev.type == YAML_SCALAR_EVENT && *title == NULL) {
				*title = estrndup(
				    (const char *)ev.data.scalar.value,
				    ev.data.scalar.length);
				want = 0;
			}
			if (depth == 1)
				key = !key;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&ps);
	if (r != 0) {
		free(*title);
		*title = NULL;
	}
	return r;
}

size_t
doc_front_matter(struct doc *d, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *yaml;
	size_t n, eol;
	char *title;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	n = line(p, end, &eol);
	if (!is_line(p, n, "---") || eol == 0)
		return 0;
	p += n + eol;
	yaml = p;
	for (;;) {
		if (p == end)
			return 0;
		n = line(p, end, &eol);
		if (is_line(p, n, "---") || is_line(p, n, "..."))
			break;
		p += n + eol;
	}
	if (parse(yaml, (size_t)(p - yaml), &title) != 0)
		return 0;
	p += n + eol;
	/* The empty lines that part the front matter from the work. */
	while (p < end && (n = line(p, end, &eol)) == 0 && eol > 0)
		p += eol;
	free(d->title);
	d->title = title;
	return (size_t)(p - text);
}
