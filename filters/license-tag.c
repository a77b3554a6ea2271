/* quire-license-tag: resolve licenses, check them, attach attribution. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "licenses.h"
#include "policy.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "util.h"

/* What this release makes of one license of licenses.csv. */
struct terms {
	char	*figure;	/* "license.SPDX", the --stats key */
	char	*denial;	/* reject detail, or NULL: permits every use */
};

/* A growing byte buffer; lengths travel with the bytes. */
struct buf {
	char	*p;
	size_t	len;
	size_t	cap;
};

/*
 * The scratch of the record loop, reused from record to record: the
 * attribution being built, and the names of the fields that follow
 * "license" (NUL-terminated in names, each starting at an offset of off).
 */
struct work {
	struct buf attr;
	struct buf names;
	size_t	*off;
	size_t	noff;
	size_t	offcap;
};

static void
buf_add(struct buf *b, const char *s, size_t len)
{
	if (b->cap - b->len < len + 1) {
		while (b->cap - b->len < len + 1)
			b->cap = b->cap ? 2 * b->cap : 256;
		b->p = erealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';	/* room was made for it: a C string too */
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* The items of l joined by ';', in a string the caller frees. */
static char *
join(const struct list *l)
{
	struct buf b = { 0 };
	size_t i;

	buf_add(&b, "", 0);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_str(&b, ";");
		buf_str(&b, l->items[i]);
	}
	return b.p;
}

/*
 * The terms of each license of ls for the intended uses, in the order of
 * ls; the caller frees them with terms_free.  A license that lacks some
 * intended uses is denied, and its reject detail names them.
 */
static struct terms *
terms_new(const struct licenses *ls, const struct list *intended)
{
	struct terms *t;
	struct buf b;
	size_t i, k;

	t = ecalloc(ls->n, sizeof(*t));
	for (i = 0; i < ls->n; i++) {
		t[i].figure = easprintf("license.%s", ls->v[i].spdx);
		memset(&b, 0, sizeof(b));
		for (k = 0; k < intended->n; k++) {
			if (licenses_permits(&ls->v[i], intended->items[k]))
				continue;
			if (b.len == 0) {
				buf_str(&b, ls->v[i].spdx);
				buf_str(&b, " does not permit ");
			} else
				buf_str(&b, ";");
			buf_str(&b, intended->items[k]);
		}
		t[i].denial = b.p;
	}
	return t;
}

static void
terms_free(struct terms *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(t[i].figure);
		free(t[i].denial);
	}
	free(t);
}

/*
 * Build the attribution of a kept record into b: the title in double
 * quotes ("Untitled", unquoted, when there is none), " by " and the
 * credit, ", " and the SPDX id.  Without a credit the writer id stands in
 * ("by writer w06") when the license asks for attribution, and nothing
 * when it does not: a credit is a courtesy there, and only the name the
 * writer chose is ever used as one.
 */
static void
attribution(struct json_object *rec, const struct license *lic,
    struct buf *b)
{
	const char *s;
	size_t len;

	b->len = 0;
	if ((s = record_str(rec, "title", &len)) != NULL && len > 0) {
		buf_str(b, "\"");
		buf_add(b, s, len);
		buf_str(b, "\"");
	} else
		buf_str(b, "Untitled");
	if ((s = record_str(rec, "credit", &len)) != NULL && len > 0) {
		buf_str(b, " by ");
		buf_add(b, s, len);
	} else if (lic->attribution &&
	    (s = record_str(rec, "writer", &len)) != NULL && len > 0) {
		buf_str(b, " by writer ");
		buf_add(b, s, len);
	}
	buf_str(b, ", ");
	buf_str(b, lic->spdx);
}

/*
 * Set the attribution of rec to w->attr, right after "license", which rec
 * holds.  json-c adds a key only at the end, so an attribution already
 * there (from an earlier run) is deleted, the new one is added, and then
 * each field that followed "license" is deleted and added again: it goes
 * to the end, after the attribution, and they keep their order.  Their
 * names are copied first since deleting a field frees its name.
 */
static void
put_attribution(struct json_object *rec, struct work *w)
{
	struct json_object *v;
	const char *name;
	size_t i;
	int after = 0;

	json_object_object_del(rec, "attribution");
	w->names.len = 0;
	w->noff = 0;
	json_object_object_foreach(rec, key, val) {
		(void)val;
		if (!after) {
			after = strcmp(key, "license") == 0;
			continue;
		}
		if (w->noff == w->offcap) {
			w->offcap = w->offcap ? 2 * w->offcap : 16;
			w->off = erealloc(w->off, w->offcap * sizeof(*w->off));
		}
		w->off[w->noff++] = w->names.len;
		buf_add(&w->names, key, strlen(key) + 1);
	}
	record_set_str(rec, "attribution", w->attr.p, w->attr.len);
	for (i = 0; i < w->noff; i++) {
		name = w->names.p + w->off[i];
		/* Our own reference keeps v alive through the delete. */
		json_object_object_get_ex(rec, name, &v);
		json_object_get(v);
		json_object_object_del(rec, name);
		if (json_object_object_add(rec, name, v) != 0)
			die(EXIT_OSERR, "out of memory");
	}
}

/*
 * Decide the fate of rec: write it, edited, to stdout, or append a reject
 * row.  Return the bytes written.
 */
static size_t
tag(struct json_object *rec, const struct licenses *ls,
    const struct terms *terms, struct rejects *rj, struct stats *st,
    struct work *w)
{
	const struct license *lic;
	const struct terms *t;
	const char *spelling;
	size_t slen;

	if ((spelling = record_str(rec, "license", &slen)) == NULL) {
		rej_record(rj, rec, "license.unknown",
		    json_object_object_get_ex(rec, "license", NULL) ?
		    "license is not a string" : "no license field");
		return 0;
	}
	if ((lic = licenses_lookup(ls, spelling, slen)) == NULL) {
		rej_record(rj, rec, "license.unknown", spelling);
		return 0;
	}
	t = &terms[lic - ls->v];
	if (t->denial != NULL) {
		rej_record(rj, rec, "license.denied", t->denial);
		return 0;
	}
	if (slen != strlen(lic->spdx) || memcmp(spelling, lic->spdx, slen) != 0)
		stats_add(st, "aliases_resolved", 1);
	stats_add(st, t->figure, 1);
	attribution(rec, lic, &w->attr);
	/* spelling points into the value replaced: unused from here on. */
	record_set_str(rec, "license", lic->spdx, strlen(lic->spdx));
	put_attribution(rec, w);
	st->records_out++;
	return record_write(stdout, "<stdout>", rec);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --policies DIR --uses LIST "
	    "[--cutoff DATE]\n"
	    "       [--rejects FILE] [--stats FILE] [--version] [FILE ...]\n",
	    progname);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "cutoff", required_argument, NULL, 'c' },
		{ "policies", required_argument, NULL, 'p' },
		{ "uses", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct licenses *ls;
	struct terms *terms;
	struct list uses, known;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct work w;
	struct json_object *rec;
	const char *dir = NULL, *uses_arg = NULL, *cutoff_arg = NULL;
	char *joined;
	size_t i;
	int ch;

	cli_init(argv, "quire-license-tag");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "c:p:u:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'c':
			cutoff_arg = optarg;
			break;
		case 'p':
			dir = optarg;
			break;
		case 'u':
			uses_arg = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (dir == NULL)
		cli_usage_error(usage, "--policies DIR is required");
	if (uses_arg == NULL)
		cli_usage_error(usage, "--uses LIST is required");

	/* The board's rules, all checked before the first record. */
	policy_uses(dir, uses_arg, cutoff_arg != NULL ?
	    policy_cutoff(cutoff_arg) : -1, &uses);
	policy_known_uses(dir, &known);
	ls = licenses_load(dir, &known);
	list_free(&known);
	terms = terms_new(ls, &uses);

	stats_init(&st, "license-tag");
	stats_option(&st, "policies", dir);
	joined = join(&uses);
	stats_option(&st, "uses", joined);
	free(joined);
	if (cutoff_arg != NULL)
		stats_option(&st, "cutoff", cutoff_arg);
	stats_add(&st, "aliases_resolved", 0);
	for (i = 0; i < ls->n; i++)
		stats_add(&st, terms[i].figure, 0);
	rej_open(&rj, cli.rejects_path, "license-tag", &st);
	progress_init(&pg, cli.qflag);

	memset(&w, 0, sizeof(w));
	record_in_init(&in, argc - optind, argv + optind);
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in = in.bytes;
		st.bytes_out += tag(rec, ls, terms, &rj, &st, &w);
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	progress_done(&pg);
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	stats_write(&st, cli.stats_path);

	free(w.attr.p);
	free(w.names.p);
	free(w.off);
	stats_free(&st);
	terms_free(terms, ls->n);
	licenses_free(ls);
	list_free(&uses);
	return EXIT_OK;
}
