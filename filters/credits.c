/* quire-credits: the release's CREDITS.md from its final record stream. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "licenses.h"
#include "markdown.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "util.h"

/* One work of the release: its record's metadata, never its text. */
struct work {
	char	*name;		/* the name shown, unescaped: the sort key */
	char	*credit;	/* NULL: the writer gave none */
	char	*writer;
	char	*title;		/* NULL: untitled */
	char	*submission;
	char	*id;
	const struct license *lic;
};

/* Counted output, so that --stats can give the bytes written. */
struct out {
	FILE	*fp;
	uint64_t bytes;
};

/* A copy of the string field key, or NULL when it is absent, null or "". */
static char *
opt_str(struct json_object *rec, const char *key)
{
	const char *s = record_str(rec, key, NULL);

	return s != NULL && s[0] != '\0' ? estrdup(s) : NULL;
}

/*
 * Keep what CREDITS.md needs of rec in w, and count its work in works[],
 * by license.  Return NULL, or why rec cannot be credited in a string the
 * caller owns: no id, submission, writer or license, or a license that
 * licenses.csv does not list by its SPDX id.  Such a record is
 * EXIT_DATAERR for the caller: it is already in the release, so leaving
 * it out would make the credits incomplete, and there is no stage after
 * this one to reject it.  w is filled only for a record that can be.
 */
static char *
keep(struct json_object *rec, const struct licenses *ls, uint64_t *works,
    struct work *w)
{
	static const char *const what[] = {
		"id", "source.submission", "writer", "license"
	};
	const char *v[4];
	size_t i;

	v[0] = record_str(rec, "id", NULL);
	v[1] = record_path(rec, "source", "submission");
	v[2] = record_str(rec, "writer", NULL);
	v[3] = record_str(rec, "license", NULL);
	for (i = 0; i < 4; i++)
		if (v[i] == NULL || v[i][0] == '\0')
			return easprintf("record without %s: it cannot be "
			    "credited", what[i]);
	if ((w->lic = licenses_find(ls, v[3])) == NULL)
		return easprintf("license \"%s\" is not an SPDX id of "
		    "licenses.csv (did quire-license-tag run?)", v[3]);
	works[w->lic - ls->v]++;
	w->id = estrdup(v[0]);
	w->submission = estrdup(v[1]);
	w->writer = estrdup(v[2]);
	w->credit = opt_str(rec, "credit");
	w->title = opt_str(rec, "title");
	w->name = w->credit != NULL ? estrdup(w->credit) :
	    easprintf("writer id %s", w->writer);
	return NULL;
}

static int
cmp_nullstr(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

/*
 * Writers by the name shown (a credit sorts as itself, no credit as
 * "writer id ..."), then writer id; their works by submission id, then
 * document id, then everything else shown.  Bytewise throughout: the same
 * in every locale.
 */
static int
cmp_work(const void *a, const void *b)
{
	const struct work *x = a, *y = b;
	int c;

	c = strcmp(x->name, y->name);
	if (c == 0)
		c = strcmp(x->writer, y->writer);
	if (c == 0)
		c = cmp_nullstr(x->credit, y->credit);
	if (c == 0)
		c = strcmp(x->submission, y->submission);
	if (c == 0)
		c = strcmp(x->id, y->id);
	/* Two records with one id: still an order that ignores input order. */
	if (c == 0)
		c = cmp_nullstr(x->title, y->title);
	if (c == 0)
		c = strcmp(x->lic->spdx, y->lic->spdx);
	return c;
}

static int
cmp_license(const void *a, const void *b)
{
	return strcmp((*(const struct license *const *)a)->spdx,
	    (*(const struct license *const *)b)->spdx);
}

static void
put(struct out *o, const char *s, size_t len)
{
	efwrite(s, len, o->fp, "<stdout>");
	o->bytes += len;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Write s as Markdown that shows exactly s (lib/markdown.h). */
static void
put_md(struct out *o, const char *s)
{
	char *esc = md_escape(s);

	put(o, esc, strlen(esc));
	free(esc);
}

static void
put_name(struct out *o, const struct work *w)
{
	if (w->credit != NULL)
		put_md(o, w->credit);
	else {
		puts_(o, "writer id ");
		put_md(o, w->writer);
		puts_(o, " (no credit name given)");
	}
}

/* SPDX's page about an id; LicenseRef ids are ours and have none. */
static void
put_license_ref(struct out *o, const struct license *lic)
{
	put_md(o, lic->spdx);
	if (strncmp(lic->spdx, "LicenseRef-", 11) != 0) {
		puts_(o, " <https://spdx.org/licenses/");
		puts_(o, lic->spdx);
		puts_(o, ".html>");
	}
}

static void
write_writers(struct out *o, const struct work *ws, size_t n)
{
	const struct work *w, *prev = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		w = &ws[i];
		if (prev == NULL || strcmp(prev->writer, w->writer) != 0 ||
		    cmp_nullstr(prev->credit, w->credit) != 0) {
			puts_(o, "\n## ");
			put_name(o, w);
			puts_(o, "\n\n");
		}
		puts_(o, "- ");
		if (w->title != NULL) {
			puts_(o, "\xE2\x80\x9C");	/* U+201C */
			put_md(o, w->title);
			puts_(o, "\xE2\x80\x9D");	/* U+201D */
		} else
			puts_(o, "Untitled");
		puts_(o, " (");
		put_md(o, w->submission);
		puts_(o, "), ");
		put_md(o, w->lic->spdx);
		puts_(o, "\n");
		prev = w;
	}
}

/*
 * What each license of the release (works[] counts its works by license of
 * ls) asks of whoever reuses them, in SPDX id order.
 */
static void
write_licenses(struct out *o, const struct licenses *ls,
    const uint64_t *works)
{
	const struct license **lics;
	char num[32];
	size_t i;
	uint64_t n;

	lics = ecalloc(ls->n, sizeof(*lics));
	for (i = 0; i < ls->n; i++)
		lics[i] = &ls->v[i];
	qsort(lics, ls->n, sizeof(*lics), cmp_license);
	puts_(o, "\n## Licenses\n");
	for (i = 0; i < ls->n; i++) {
		if ((n = works[lics[i] - ls->v]) == 0)
			continue;
		puts_(o, "\n### ");
		put_md(o, lics[i]->spdx);
		puts_(o, "\n\n");
		snprintf(num, sizeof(num), "%llu", (unsigned long long)n);
		puts_(o, num);
		puts_(o, n == 1 ? " work" : " works");
		puts_(o, " in this release, under ");
		put_license_ref(o, lics[i]);
		puts_(o, ".\n");
		if (lics[i]->attribution)
			puts_(o, "Attribution: whoever shares a work under this "
			    "license, or an adaptation of it, must credit its "
			    "writer by the name listed above, give its title, "
			    "name the license and say whether the work was "
			    "changed.\n");
		else
			puts_(o, "No attribution is required; the writers are "
			    "credited here as a courtesy.\n");
		if (lics[i]->share_alike) {
			puts_(o, "Share-alike: adaptations of works under ");
			put_md(o, lics[i]->spdx);
			puts_(o, " must be shared under the same license, ");
			put_md(o, lics[i]->spdx);
			puts_(o, ".\n");
		}
	}
	free(lics);
}

static void
write_credits(struct out *o, struct work *ws, size_t n,
    const struct licenses *ls, const uint64_t *works)
{
	puts_(o, "# Credits\n\n"
	    "These are the writers whose works are in this release, each by "
	    "the name they\nchose to be credited by, with the title, "
	    "submission id and license of every\nwork. "
	    "A writer who chose no name is listed by their pseudonymous "
	    "writer id.\n");
	if (n == 0) {
		puts_(o, "\nNo work is in this release.\n");
		return;
	}
	qsort(ws, n, sizeof(*ws), cmp_work);
	write_writers(o, ws, n);
	write_licenses(o, ls, works);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --policies DIR [--rejects FILE] "
	    "[--stats FILE] [--version]\n"
	    "       [FILE ...]\n", progname);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "policies", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct json_object *rec;
	struct licenses *ls;
	struct work *ws = NULL;
	uint64_t *works;
	struct out o = { stdout, 0 };
	const char *dir = NULL;
	char *fig, *why;
	size_t n = 0, cap = 0, i, names;
	int ch;

	cli_init(argv, "quire-credits");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "p:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'p':
			dir = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (dir == NULL)
		cli_usage_error(usage, "--policies DIR is required");
	/* The uses column is license-tag's concern: uses.csv is not read. */
	ls = licenses_load(dir, NULL);
	works = ecalloc(ls->n, sizeof(*works));

	stats_init(&st, "credits");
	stats_option(&st, "policies", dir);
	stats_add(&st, "names", 0);
	stats_add(&st, "works", 0);
	/* Nothing is ever rejected; the file is opened for uniformity. */
	rej_open(&rj, cli.rejects_path, "credits", &st);
	progress_init(&pg, cli.qflag);
	record_in_init(&in, argc - optind, argv + optind);
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in = in.bytes;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			ws = erealloc(ws, cap * sizeof(*ws));
		}
		why = keep(rec, ls, works, &ws[n]);
		/* Put before any exit, so that no record outlives the loop. */
		json_object_put(rec);
		if (why != NULL)
			die(EXIT_DATAERR, "%s:%zu: %s", in.name, in.lineno, why);
		n++;
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	progress_done(&pg);

	write_credits(&o, ws, n, ls, works);
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	for (i = 0, names = 0; i < n; i++)
		if (i == 0 || strcmp(ws[i].writer, ws[i - 1].writer) != 0 ||
		    cmp_nullstr(ws[i].credit, ws[i - 1].credit) != 0)
			names++;
	st.records_out = n;
	st.bytes_out = o.bytes;
	stats_add(&st, "names", (int64_t)names);
	stats_add(&st, "works", (int64_t)n);
	for (i = 0; i < ls->n; i++) {
		fig = easprintf("license.%s", ls->v[i].spdx);
		stats_add(&st, fig, (int64_t)works[i]);
		free(fig);
	}
	stats_write(&st, cli.stats_path);

	for (i = 0; i < n; i++) {
		free(ws[i].name);
		free(ws[i].credit);
		free(ws[i].writer);
		free(ws[i].title);
		free(ws[i].submission);
		free(ws[i].id);
	}
	free(ws);
	free(works);
	licenses_free(ls);
	stats_free(&st);
	return EXIT_OK;
}
