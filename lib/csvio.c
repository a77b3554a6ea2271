/*
 * CSV through libcsv.  The file is fed to the parser a line at a time so
 * that each row knows the line it starts on, for messages an editor can
 * jump to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "csvio.h"
#include "utf8.h"
#include "util.h"

struct builder {
	struct csv_table *t;
	struct csv_row cur;
	size_t	cap;		/* of cur.cells */
	size_t	rowscap;
	size_t	line;		/* line being fed */
	size_t	start;		/* line the current row started on */
	int	have_header;
};

static void
on_field(void *s, size_t len, void *data)
{
	struct builder *b = data;

	if (b->cur.ncells == 0)
		b->cur.line = b->start;
	if (b->cur.ncells == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 8;
		b->cur.cells = erealloc(b->cur.cells,
		    b->cap * sizeof(*b->cur.cells));
	}
	b->cur.cells[b->cur.ncells++] = estrndup(s ? s : "", s ? len : 0);
}

static void
on_row(int c, void *data)
{
	struct builder *b = data;
	struct csv_table *t = b->t;

	(void)c;
	if (!b->have_header) {
		t->header = b->cur;
		b->have_header = 1;
	} else {
		if (t->nrows == b->rowscap) {
			b->rowscap = b->rowscap ? 2 * b->rowscap : 64;
			t->rows = erealloc(t->rows,
			    b->rowscap * sizeof(*t->rows));
		}
		t->rows[t->nrows++] = b->cur;
	}
	memset(&b->cur, 0, sizeof(b->cur));
	b->cap = 0;
	b->start = b->line + 1;
}

static int
no_space(unsigned char c)
{
	(void)c;
	return 0;
}

struct csv_table *
csvt_read(const char *path, int missing_status, int bad_status)
{
	struct csv_parser p;
	struct builder b;
	struct readahead ra = { NULL, 0, 0 };
	char *line = NULL;
	size_t cap = 0, bad;
	int64_t n;
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL)
		die(missing_status, "%s:", path);
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		die(EXIT_OSERR, "out of memory");
	/* RFC 4180: spaces are part of a field; libcsv trims by default. */
	csv_set_space_func(&p, no_space);
	memset(&b, 0, sizeof(b));
	b.t = ecalloc(1, sizeof(*b.t));
	b.t->path = estrdup(path);
	b.start = 1;
	while ((n = egetline(&line, &cap, CSV_MAX_LINE, &ra, fp)) >= 0) {
		b.line++;
		if ((uint64_t)n > CSV_MAX_LINE)
			die(bad_status, "%s:%zu: line of %lld bytes exceeds the "
			    "limit of %zu", path, b.line, (long long)n,
			    CSV_MAX_LINE);
		/* A NUL would end a cell early, losing the rest unseen. */
		if (memchr(line, '\0', (size_t)n) != NULL)
			die(bad_status, "%s:%zu: NUL byte", path, b.line);
		/* Blank lines make no row: a row starts where one begins. */
		if (b.cur.ncells == 0 && p.pstate == 0)
			b.start = b.line;
		bad = utf8_valid_prefix(line, (size_t)n);
		if (bad != (size_t)n)
			die(bad_status, "%s:%zu: invalid UTF-8", path, b.line);
		if (b.line == 1 && n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
			memmove(line, line + 3, (size_t)(n -= 3));
		if (csv_parse(&p, line, (size_t)n, on_field, on_row, &b) !=
		    (size_t)n)
			die(bad_status, "%s:%zu: malformed CSV: %s", path,
			    b.line, csv_strerror(csv_error(&p)));
	}
	if (ferror(fp))
		die(missing_status, "read error: %s:", path);
	fclose(fp);
	free(line);
	free(ra.buf);
	if (csv_fini(&p, on_field, on_row, &b) != 0)
		die(bad_status, "%s:%zu: malformed CSV: %s", path, b.line,
		    csv_strerror(csv_error(&p)));
	csv_free(&p);
	if (!b.have_header)
		die(bad_status, "%s: no header row", path);
	return b.t;
}

int
csvt_col(const struct csv_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->header.ncells; i++)
		if (strcmp(t->header.cells[i], name) == 0)
			return (int)i;
	return -1;
}

void
csvt_require(const struct csv_table *t, const char *const *required,
    int status)
{
	size_t i, j;

	for (i = 0; i < t->header.ncells; i++)
		for (j = i + 1; j < t->header.ncells; j++)
			if (strcmp(t->header.cells[i], t->header.cells[j]) == 0)
				die(status, "%s:1: column %s appears twice",
				    t->path, t->header.cells[i]);
	for (; *required != NULL; required++)
		if (csvt_col(t, *required) < 0)
			die(status, "%s:1: missing required column %s",
			    t->path, *required);
}

const char *
csvt_cell(const struct csv_row *row, int col)
{
	if (col < 0 || (size_t)col >= row->ncells)
		return "";
	return row->cells[col];
}

static void
free_row(struct csv_row *r)
{
	size_t i;

	for (i = 0; i < r->ncells; i++)
		free(r->cells[i]);
	free(r->cells);
}

void
csvt_free(struct csv_table *t)
{
	size_t i;

	if (t == NULL)
		return;
	free_row(&t->header);
	for (i = 0; i < t->nrows; i++)
		free_row(&t->rows[i]);
	free(t->rows);
	free(t->path);
	free(t);
}

char *
csv_format(const char *const *cells, size_t n, size_t *lenp)
{
	size_t i, len, cap = 64, used = 0, need;
	const char *c;
	char *out = emalloc(cap);
	int guard, quote;

	for (i = 0; i < n; i++) {
		c = cells[i] ? cells[i] : "";
		len = strlen(c);
		guard = strchr("=+-@\t\r", c[0]) != NULL && c[0] != '\0';
		quote = strpbrk(c, ",\"\r\n") != NULL;
		/* Worst case: every byte a quote, doubled, plus guard. */
		need = used + 2 * len + 6;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			out = erealloc(out, cap);
		}
		if (i > 0)
			out[used++] = ',';
		if (quote) {
			/* libcsv quotes and doubles quotes; guard goes inside. */
			char *tmp = emalloc(len + 2);

			tmp[0] = '\'';
			memcpy(tmp + 1, c, len + 1);
			used += csv_write(out + used, cap - used,
			    guard ? tmp : c, guard ? len + 1 : len);
			free(tmp);
		} else {
			if (guard)
				out[used++] = '\'';
			memcpy(out + used, c, len);
			used += len;
		}
	}
	out[used++] = '\n';
	out[used] = '\0';
	*lenp = used;
	return out;
}

void
csv_put(FILE *fp, const char *name, const char *const *cells, size_t n)
{
	size_t len;
	char *s = csv_format(cells, n, &len);

	efwrite(s, len, fp, name);
	free(s);
}
