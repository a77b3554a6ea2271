/*
 * licenses.csv, loaded and checked once for every stage that reads it.
 * Spellings are matched by a canonical key (see licenses.h), so the file
 * is checked strictly: a key two licenses claim would resolve two ways.
 */
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "licenses.h"
#include "policy.h"
#include "util.h"

/* A spelling that names a license, its id or an alias, by its key. */
struct license_alias {
	char	*key;		/* canonical key, not NUL-terminated */
	size_t	keylen;
	char	*spelling;	/* as licenses.csv has it, for messages */
	const struct license *lic;
	size_t	line;
};

/*
 * The next byte of the canonical key of u[0..len), reading from *i and
 * moving *i past what it consumed, or -1 at the end.  The one definition
 * of the key: loading and lookup both walk spellings through it.
 */
static int
canon_next(const unsigned char *u, size_t len, size_t *i)
{
	unsigned char c;

	while (*i < len) {
		c = u[(*i)++];
		if (c == ' ' || (c >= '\t' && c <= '\r') || c == '-' ||
		    c == '_' || c == '.')
			continue;
		/* U+00A0 */
		if (c == 0xC2 && *i < len && u[*i] == 0xA0) {
			(*i)++;
			continue;
		}
		/* U+2010 to U+2014, U+202F, U+2212 */
		if (c == 0xE2 && *i + 1 < len &&
		    ((u[*i] == 0x80 && u[*i + 1] >= 0x90 &&
		    u[*i + 1] <= 0x94) ||
		    (u[*i] == 0x80 && u[*i + 1] == 0xAF) ||
		    (u[*i] == 0x88 && u[*i + 1] == 0x92))) {
			*i += 2;
			continue;
		}
		return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
	}
	return -1;
}

/* Compare the key of spelling s[0..len) with key k[0..klen), bytewise. */
static int
cmp_key(const char *s, size_t len, const char *k, size_t klen)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, j;
	int c;

	for (j = 0;; j++) {
		c = canon_next(u, len, &i);
		if (j == klen)
			return c >= 0;
		if (c < 0)
			return -1;
		if (c != (unsigned char)k[j])
			return c < (unsigned char)k[j] ? -1 : 1;
	}
}

/* By key, then by line and spelling, so collisions sit side by side. */
static int
cmp_alias(const void *a, const void *b)
{
	const struct license_alias *x = a, *y = b;
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, n);

	if (c != 0)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return strcmp(x->spelling, y->spelling);
}

/* SPDX ids: letters, digits, '.', '-' and '+' (license-ref suffixes too). */
static int
valid_spdx(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' ||
		    *s == '+'))
			return 0;
	return 1;
}

static int
yes_no(const struct licenses *ls, const struct csv_row *r, const char *col,
    const char *v)
{
	if (strcmp(v, "yes") == 0)
		return 1;
	if (strcmp(v, "no") != 0)
		die(EXIT_CONFIG, "%s:%zu: %s must be yes or no, not \"%s\"",
		    ls->path, r->line, col, v);
	return 0;
}

static void
add_alias(struct licenses *ls, const struct license *lic,
    const char *spelling, size_t line)
{
	struct license_alias *a;
	size_t len = strlen(spelling), i = 0;
	int c;

	ls->aliases = erealloc(ls->aliases,
	    (ls->naliases + 1) * sizeof(*ls->aliases));
	a = &ls->aliases[ls->naliases++];
	a->key = emalloc(len + 1);
	a->keylen = 0;
	while ((c = canon_next((const unsigned char *)spelling, len, &i)) >= 0)
		a->key[a->keylen++] = (char)c;
	a->spelling = estrdup(spelling);
	a->lic = lic;
	a->line = line;
	if (a->keylen == 0)
		die(EXIT_CONFIG, "%s:%zu: alias \"%s\" is empty once spaces, "
		    "hyphens, underscores and dots are dropped", ls->path, line,
		    spelling);
}

/* Parse the uses cell v of row r into lic; any fault is EXIT_CONFIG. */
static void
parse_uses(const struct licenses *ls, const struct csv_row *r,
    const char *v, const struct list *known, struct license *lic)
{
	size_t i;

	if (v[0] == '\0')
		return;		/* permits nothing */
	if (list_split(v, &lic->uses) != 0)
		die(EXIT_CONFIG, "%s:%zu: uses: empty item in \"%s\"",
		    ls->path, r->line, v);
	if (list_has(&lic->uses, "*")) {
		if (lic->uses.n != 1)
			die(EXIT_CONFIG, "%s:%zu: uses: \"*\" must stand alone",
			    ls->path, r->line);
		list_free(&lic->uses);
		lic->anyuse = 1;
		return;
	}
	for (i = 0; known != NULL && i < lic->uses.n; i++)
		if (!list_has(known, lic->uses.items[i]))
			die(EXIT_CONFIG, "%s:%zu: uses: %s is not in uses.csv",
			    ls->path, r->line, lic->uses.items[i]);
}

/* Check and add row r of licenses.csv, whose columns are in c[]. */
static void
add_row(struct licenses *ls, const struct csv_table *t,
    const struct csv_row *r, const int *c, const struct list *known)
{
	struct license *lic;
	struct list al;
	size_t j;

	lic = &ls->v[ls->n++];
	lic->line = r->line;
	if (r->ncells != t->header.ncells)
		die(EXIT_CONFIG, "%s:%zu: %zu fields, header has %zu",
		    ls->path, r->line, r->ncells, t->header.ncells);
	lic->spdx = estrdup(csvt_cell(r, c[0]));
	if (!valid_spdx(lic->spdx))
		die(EXIT_CONFIG, "%s:%zu: spdx \"%s\" is not an SPDX id "
		    "(letters, digits, '.', '-', '+')", ls->path, r->line,
		    lic->spdx);
	for (j = 0; j + 1 < ls->n; j++)
		if (strcmp(ls->v[j].spdx, lic->spdx) == 0)
			die(EXIT_CONFIG, "%s:%zu: %s is listed twice (first at "
			    "line %zu)", ls->path, r->line, lic->spdx,
			    ls->v[j].line);
	parse_uses(ls, r, csvt_cell(r, c[2]), known, lic);
	lic->attribution = yes_no(ls, r, "attribution", csvt_cell(r, c[3]));
	lic->share_alike = yes_no(ls, r, "share_alike", csvt_cell(r, c[4]));
	add_alias(ls, lic, lic->spdx, r->line);
	if (csvt_cell(r, c[1])[0] == '\0')
		return;
	if (list_split(csvt_cell(r, c[1]), &al) != 0)
		die(EXIT_CONFIG, "%s:%zu: aliases: empty item in \"%s\"",
		    ls->path, r->line, csvt_cell(r, c[1]));
	for (j = 0; j < al.n; j++)
		add_alias(ls, lic, al.items[j], r->line);
	list_free(&al);
}

struct licenses *
licenses_load(const char *dir, const struct list *known)
{
	static const char *const cols[] = {
		"spdx", "aliases", "uses", "attribution", "share_alike", NULL
	};
	struct licenses *ls;
	struct csv_table *t;
	const struct license_alias *a, *b;
	size_t i;
	int c[5], k;

	ls = ecalloc(1, sizeof(*ls));
	ls->path = easprintf("%s/licenses.csv", dir);
	t = csvt_read(ls->path, EXIT_CONFIG, EXIT_CONFIG);
	csvt_require(t, cols, EXIT_CONFIG);
	for (k = 0; k < 5; k++)
		c[k] = csvt_col(t, cols[k]);
	/* Allocated once: aliases point into it. */
	ls->v = ecalloc(t->nrows, sizeof(*ls->v));
	for (i = 0; i < t->nrows; i++)
		add_row(ls, t, &t->rows[i], c, known);
	csvt_free(t);

	/* One key, one license: an alias two licenses claim is ambiguous. */
	if (ls->naliases > 0)
		qsort(ls->aliases, ls->naliases, sizeof(*ls->aliases),
		    cmp_alias);
	for (i = 1; i < ls->naliases; i++) {
		a = &ls->aliases[i - 1];
		b = &ls->aliases[i];
		if (a->keylen == b->keylen &&
		    memcmp(a->key, b->key, a->keylen) == 0 && a->lic != b->lic)
			die(EXIT_CONFIG, "%s:%zu: \"%s\" of %s and \"%s\" of "
			    "%s (line %zu) are one spelling", ls->path,
			    b->line, b->spelling, b->lic->spdx, a->spelling,
			    a->lic->spdx, a->line);
	}
	return ls;
}

/*
 * A binary search of the aliases, comparing keys as the spelling's key is
 * walked: no copy of the spelling is made, whatever its length.
 */
const struct license *
licenses_lookup(const struct licenses *ls, const char *s, size_t len)
{
	const struct license_alias *a;
	size_t lo = 0, hi = ls->naliases, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		a = &ls->aliases[mid];
		c = cmp_key(s, len, a->key, a->keylen);
		if (c == 0)
			return a->lic;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* An id is also a spelling of its license, so its key finds it. */
const struct license *
licenses_find(const struct licenses *ls, const char *spdx)
{
	const struct license *lic;

	lic = licenses_lookup(ls, spdx, strlen(spdx));
	if (lic == NULL || strcmp(lic->spdx, spdx) != 0)
		return NULL;
	return lic;
}

int
licenses_permits(const struct license *lic, const char *use)
{
	return lic->anyuse || list_has(&lic->uses, use);
}

void
licenses_free(struct licenses *ls)
{
	size_t i;

	if (ls == NULL)
		return;
	for (i = 0; i < ls->n; i++) {
		free(ls->v[i].spdx);
		list_free(&ls->v[i].uses);
	}
	for (i = 0; i < ls->naliases; i++) {
		free(ls->aliases[i].key);
		free(ls->aliases[i].spelling);
	}
	free(ls->v);
	free(ls->aliases);
	free(ls->path);
	free(ls);
}
