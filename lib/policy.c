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

int
list_split(const char *s, struct list *out)
{
	const char *p, *e;
	size_t n, i, j;

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
	qsort(out->items, out->n, sizeof(*out->items), cmp_str);
	for (i = j = 0; i < out->n; i++) {
		if (j > 0 && strcmp(out->items[j - 1], out->items[i]) == 0) {
			free(out->items[i]);
			continue;
		}
		out->items[j++] = out->items[i];
	}
	out->n = j;
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

void
policy_uses(const char *dir, const char *list, long cutoff,
    struct list *uses)
{
	static const char *const cols[] = {
		"use", "description", "approved", "status", NULL
	};
	struct csv_table *t;
	const struct csv_row *r;
	const char *use, *status;
	char *path;
	long days;
	size_t i, k;
	int found;

	if (list_split(list, uses) != 0)
		die(EXIT_CONFIG, "intended uses: empty item in \"%s\"", list);
	path = easprintf("%s/uses.csv", dir);
	t = csvt_read(path, EXIT_CONFIG, EXIT_CONFIG);
	csvt_require(t, cols, EXIT_CONFIG);
	for (i = 0; i < t->nrows; i++) {
		r = &t->rows[i];
		if (r->ncells != t->header.ncells)
			die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu",
			    path, r->line, r->ncells, t->header.ncells);
		if (csvt_cell(r, csvt_col(t, "use"))[0] == '\0')
			die(EXIT_CONFIG, "%s:%zu: empty use", path, r->line);
		if (date_parse(csvt_cell(r, csvt_col(t, "approved")),
		    &days) != 0)
			die(EXIT_CONFIG, "%s:%zu: approved is not an ISO 8601 "
			    "date", path, r->line);
		status = csvt_cell(r, csvt_col(t, "status"));
		if (strcmp(status, "active") != 0 &&
		    strcmp(status, "retired") != 0)
			die(EXIT_CONFIG, "%s:%zu: status must be active or "
			    "retired, not \"%s\"", path, r->line, status);
	}
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
				    "(%s:%zu)", use, path, r->line);
			date_parse(csvt_cell(r, csvt_col(t, "approved")),
			    &days);
			if (cutoff >= 0 && days > cutoff)
				die(EXIT_CONFIG, "intended use %s was approved "
				    "after the cut-off (%s:%zu)", use, path,
				    r->line);
		}
		if (!found)
			die(EXIT_CONFIG, "intended use %s is not in %s",
			    uses->items[k], path);
	}
	csvt_free(t);
	free(path);
}
