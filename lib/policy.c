/* uses.csv and the intended uses of a release, checked alike by stages. */
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "policy.h"
#include "util.h"

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort l and drop repeated items, for list_has(). */
static void
sort_uniq(struct list *l)
{
	size_t i, j;

	if (l->n == 0)
		return;
	qsort(l->items, l->n, sizeof(*l->items), cmp_str);
	for (i = j = 0; i < l->n; i++) {
		if (j > 0 && strcmp(l->items[j - 1], l->items[i]) == 0) {
			free(l->items[i]);
			continue;
		}
		l->items[j++] = l->items[i];
	}
	l->n = j;
}

int
list_split(const char *s, struct list *out)
{
	const char *p, *e;
	size_t n;

	out->items = NULL;
	out->n = 0;
	for (p = s;; p = e + 1) {
		e = strchr(p, ';');
		if (e == NULL)
			e = p + strlen(p);
		while (p < e && (*p == ' ' || *p == '\t'))
			p++;
		n = (size_t)(e - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0) {
			list_free(out);
			return -1;
		}
		out->items = erealloc(out->items,
		    (out->n + 1) * sizeof(*out->items));
		out->items[out->n++] = estrndup(p, n);
		if (*e == '\0')
			break;
	}
	sort_uniq(out);
	return 0;
}

int
list_has(const struct list *l, const char *item)
{
	return l->n > 0 && bsearch(&item, l->items, l->n, sizeof(*l->items),
	    cmp_str) != NULL;
}

void
list_free(struct list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

long
policy_cutoff(const char *s)
{
	long days;

	if (date_parse(s, &days) != 0)
		die(EXIT_USAGE, "--cutoff: not an ISO 8601 date: %s", s);
	return days;
}

/*
 * Read DIR/uses.csv and check every row: as many fields as the header, a
 * use, an ISO 8601 approval date and a status of active or retired.  Any
 * fault is fatal with EXIT_CONFIG.  The table is the caller's (csvt_free);
 * its path names the file in messages.
 */
static struct csv_table *
read_uses(const char *dir)
{
	static const char *const cols[] = {
		"use", "description", "approved", "status", NULL
	};
	struct csv_table *t;
	const struct csv_row *r;
	const char *status;
	char *path;
	long days;
	size_t i;

	path = easprintf("%s/uses.csv", dir);
	t = csvt_read(path, EXIT_CONFIG, EXIT_CONFIG);
	free(path);
	csvt_require(t, cols, EXIT_CONFIG);
	for (i = 0; i < t->nrows; i++) {
		r = &t->rows[i];
		if (r->ncells != t->header.ncells)
			die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu",
			    t->path, r->line, r->ncells, t->header.ncells);
		if (csvt_cell(r, csvt_col(t, "use"))[0] == '\0')
			die(EXIT_CONFIG, "%s:%zu: empty use", t->path, r->line);
		if (date_parse(csvt_cell(r, csvt_col(t, "approved")),
		    &days) != 0)
			die(EXIT_CONFIG, "%s:%zu: approved is not an ISO 8601 "
			    "date", t->path, r->line);
		status = csvt_cell(r, csvt_col(t, "status"));
		if (strcmp(status, "active") != 0 &&
		    strcmp(status, "retired") != 0)
			die(EXIT_CONFIG, "%s:%zu: status must be active or "
			    "retired, not \"%s\"", t->path, r->line, status);
	}
	return t;
}

void
policy_uses(const char *dir, const char *list, long cutoff,
    struct list *uses)
{
	struct csv_table *t;
	const struct csv_row *r;
	const char *use;
	long days;
	size_t i, k;
	int found;

	if (list_split(list, uses) != 0)
		die(EXIT_CONFIG, "intended uses: empty item in \"%s\"", list);
	t = read_uses(dir);
	for (k = 0; k < uses->n; k++) {
		found = 0;
		for (i = 0; i < t->nrows && !found; i++) {
			r = &t->rows[i];
			use = csvt_cell(r, csvt_col(t, "use"));
			if (strcmp(use, uses->items[k]) != 0)
				continue;
			found = 1;
			if (strcmp(csvt_cell(r, csvt_col(t, "status")),
			    "active") != 0)
				die(EXIT_CONFIG, "intended use %s is retired "
				    "(%s:%zu)", use, t->path, r->line);
			date_parse(csvt_cell(r, csvt_col(t, "approved")),
			    &days);
			if (cutoff >= 0 && days > cutoff)
				die(EXIT_CONFIG, "intended use %s was approved "
				    "after the cut-off (%s:%zu)", use, t->path,
				    r->line);
		}
		if (!found)
			die(EXIT_CONFIG, "intended use %s is not in %s",
			    uses->items[k], t->path);
	}
	csvt_free(t);
}

void
policy_known_uses(const char *dir, struct list *known)
{
	struct csv_table *t;
	size_t i;
	int col;

	t = read_uses(dir);
	col = csvt_col(t, "use");
	known->items = ecalloc(t->nrows, sizeof(*known->items));
	known->n = t->nrows;
	for (i = 0; i < t->nrows; i++)
		known->items[i] = estrdup(csvt_cell(&t->rows[i], col));
	sort_uniq(known);
	csvt_free(t);
}
