/* quire-changes: CHANGES.md and changes.csv of a release against the last. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "markdown.h"
#include "release.h"
#include "util.h"

#define OUT "<stdout>"

enum kind {
	ADDED,
	REMOVED,
	CHANGED,
	NKINDS
};

static const char *const kind_name[] = { "added", "removed", "changed" };

/*
 * One work that is not the same in both releases.  For a removed work,
 * stage and reason say why the new release left it out; for an added
 * one, why the old release did (both "" when it was not among the old
 * one's submissions); for a changed one, what changed.  All borrowed from
 * the releases.
 */
struct change {
	const char *submission;
	const char *writer;
	enum kind kind;
	const char *stage;
	const char *reason;
	const char *from;	/* changed.split: the old split, and the new */
	const char *to;
	char	*own;		/* what from and to point into, if anything */
};

struct diff {
	struct change *v;	/* by submission id */
	size_t	n, cap;
	size_t	count[NKINDS];
	size_t	unchanged;
};

/*
 * The split of a shard, from its name as shard writes it,
 * NAME-SPLIT-NNNNN.jsonl.zst: what lies between "NAME-" and the last '-'.
 * A new string the caller frees.
 */
static char *
split_of(const char *shard, const char *name)
{
	const char *end = strrchr(shard, '-'), *start = shard;
	size_t n = strlen(name);

	if (end == NULL)
		return estrdup(shard);
	if (strncmp(shard, name, n) == 0 && shard[n] == '-' &&
	    shard + n < end)
		start = shard + n + 1;
	return estrndup(start, (size_t)(end - start));
}

static struct change *
add(struct diff *d, enum kind k, const char *submission, const char *writer)
{
	struct change *c;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 64;
		d->v = erealloc(d->v, d->cap * sizeof(*d->v));
	}
	c = &d->v[d->n++];
	memset(c, 0, sizeof(*c));
	c->kind = k;
	c->submission = submission;
	c->writer = writer;
	c->stage = c->reason = "";
	d->count[k]++;
	return c;
}

/* Why rel left submission out: its first reject row's stage and reason. */
static void
why_out(struct change *c, const struct release *rel, int absent_code)
{
	const struct rel_reject *j = release_reject(rel, c->submission, NULL);

	if (j != NULL) {
		c->stage = j->stage;
		c->reason = j->reason;
	} else if (absent_code)
		c->reason = "drop.absent";
}

/* Is d, in both, changed?  Its bytes, else its split. */
static void
compare(struct diff *d, const struct release *old, const struct release *new,
    const struct rel_doc *o, const struct rel_doc *n)
{
	struct change *c;
	char *so, *sn;

	if (strcmp(o->raw_sha256, n->raw_sha256) != 0) {
		c = add(d, CHANGED, n->submission, n->writer);
		c->reason = "changed.bytes";
		return;
	}
	so = split_of(o->shard, old->name);
	sn = split_of(n->shard, new->name);
	if (strcmp(so, sn) == 0) {
		d->unchanged++;
		free(so);
		free(sn);
		return;
	}
	c = add(d, CHANGED, n->submission, n->writer);
	c->reason = "changed.split";
	/* One allocation holds both, so that one free releases them. */
	c->own = easprintf("%s%c%s", so, '\0', sn);
	c->from = c->own;
	c->to = c->own + strlen(so) + 1;
	free(so);
	free(sn);
}

/*
 * Walk both lineages, each sorted by submission id: a work only in the
 * old one was removed, only in the new one added, in both perhaps
 * changed.  Without old, every work is added.
 */
static void
diff_releases(struct diff *d, const struct release *old,
    const struct release *new)
{
	size_t i = 0, j = 0, no = old != NULL ? old->ndocs : 0;
	struct change *c;
	int cmp;

	while (i < no || j < new->ndocs) {
		if (i == no)
			cmp = 1;
		else if (j == new->ndocs)
			cmp = -1;
		else
			cmp = strcmp(old->docs[i].submission,
			    new->docs[j].submission);
		if (cmp < 0) {
			c = add(d, REMOVED, old->docs[i].submission,
			    old->docs[i].writer);
			why_out(c, new, 1);
			i++;
		} else if (cmp > 0) {
			c = add(d, ADDED, new->docs[j].submission,
			    new->docs[j].writer);
			if (old != NULL)
				why_out(c, old, 0);
			j++;
		} else {
			compare(d, old, new, &old->docs[i], &new->docs[j]);
			i++;
			j++;
		}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* How many writers have a work in r. */
static size_t
count_writers(const struct release *r)
{
	const char **w;
	size_t i, n = 0;

	w = ecalloc(r->ndocs, sizeof(*w));
	for (i = 0; i < r->ndocs; i++)
		w[i] = r->docs[i].writer;
	qsort(w, r->ndocs, sizeof(*w), cmp_str);
	for (i = 0; i < r->ndocs; i++)
		if (i == 0 || strcmp(w[i], w[i - 1]) != 0)
			n++;
	free(w);
	return n;
}

static int
cmp_reason(const void *a, const void *b)
{
	const struct change *x = *(const struct change *const *)a;
	const struct change *y = *(const struct change *const *)b;

	return strcmp(x->reason, y->reason);
}

static void
put_md(const char *s)
{
	md_text(stdout, OUT, s);
}

static void
put_release(const struct release *r)
{
	put_md(r->name);
	fputs(" ", stdout);
	put_md(r->version);
}

static const char *
works(size_t n)
{
	return n == 1 ? "work" : "works";
}

/*
 * How many submissions r left out: rejects.csv rows, less repeated rows
 * of one submission id (ingest rejects every row of a duplicated id).
 */
static size_t
count_out(const struct release *r)
{
	size_t i, n = 0;

	/* rejects are sorted by submission id; "" is a row of its own. */
	for (i = 0; i < r->nrejects; i++)
		if (i == 0 || r->rejects[i].submission[0] == '\0' ||
		    strcmp(r->rejects[i].submission,
		    r->rejects[i - 1].submission) != 0)
			n++;
	return n;
}

static void
put_first(const struct release *new, size_t writers)
{
	size_t out = count_out(new);

	fputs("# Changes in ", stdout);
	put_release(new);
	fputs("\n\nThis is the first version of ", stdout);
	put_md(new->name);
	printf(": there is no earlier version to\ncompare it with. "
	    "It holds %zu %s by %zu %s (lineage.csv lists them);\n%zu "
	    "%s left out (rejects.csv gives the reason for each).\n",
	    new->ndocs, works(new->ndocs), writers,
	    writers == 1 ? "writer" : "writers", out,
	    out == 1 ? "submission was" : "submissions were");
}

static void
put_counts(const struct release *old, const struct release *new,
    const struct diff *d)
{
	fputs("| | works |\n|---|--:|\n| in ", stdout);
	put_release(old);
	printf(" | %zu |\n| in ", old->ndocs);
	put_release(new);
	printf(" | %zu |\n| added | %zu |\n| removed | %zu |\n"
	    "| changed | %zu |\n| unchanged | %zu |\n", new->ndocs,
	    d->count[ADDED], d->count[REMOVED], d->count[CHANGED],
	    d->unchanged);
}

/*
 * Tell users of old to move on: a version that removes works is how a
 * writer's withdrawal reaches everyone who trains on the data, as
 * BigCode asked users of The Stack to move to the version without the
 * code its authors opted out.
 */
static void
put_move_on(const struct release *old, const struct release *new,
    const struct diff *d, int same_major)
{
	const struct change **rm;
	size_t i, j, n = 0;

	fputs("\n## Users of ", stdout);
	put_release(old);
	fputs(": move to ", stdout);
	put_release(new);
	fputs("\n\n", stdout);
	put_release(new);
	printf(" removes %zu %s that ", d->count[REMOVED],
	    works(d->count[REMOVED]));
	put_release(old);
	fputs(" holds:\n\n", stdout);
	rm = ecalloc(d->count[REMOVED], sizeof(*rm));
	for (i = 0; i < d->n; i++)
		if (d->v[i].kind == REMOVED)
			rm[n++] = &d->v[i];
	qsort(rm, n, sizeof(*rm), cmp_reason);
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && strcmp(rm[j]->reason, rm[i]->reason) == 0;
		    j++)
			;
		printf("- %zu %s: ", j - i, works(j - i));
		put_md(strcmp(rm[i]->reason, "drop.absent") == 0 ?
		    "no longer among the submissions" :
		    release_reason(rm[i]->reason)->summary);
		fputs(" (", stdout);
		put_md(rm[i]->reason);
		fputs(")\n", stdout);
	}
	free(rm);
	fputs("\nIf you use ", stdout);
	put_release(old);
	fputs(", move to ", stdout);
	put_release(new);
	fputs(": delete your copies of ", stdout);
	put_release(old);
	fputs("\n(its shards and token files) and train nothing new on "
	    "them. Where a writer\nwithdrew consent, this is how the "
	    "withdrawal reaches everyone who uses the\ndata, as BigCode "
	    "asked the users of The Stack to move to its new version\n"
	    "when its authors' opt-outs removed code from it.\n", stdout);
	if (same_major) {
		fputs("\nBy Croissant's versioning rule a version that "
		    "removes or changes records is a\nnew major version; ",
		    stdout);
		put_release(new);
		fputs(" keeps the major version of ", stdout);
		put_release(old);
		fputs(", so its number\nunderstates the change.\n", stdout);
	}
}

static void
put_removed(const struct diff *d, const struct release *new)
{
	const struct change *c;
	size_t i;

	printf("\n## Removed (%zu)\n\n", d->count[REMOVED]);
	if (d->count[REMOVED] == 0) {
		fputs("No work was removed.\n", stdout);
		return;
	}
	fputs("Why each work is not in ", stdout);
	put_release(new);
	fputs(" (its rejects.csv has the details):\n\n"
	    "| submission | writer | stage | reason | in words |\n"
	    "|---|---|---|---|---|\n", stdout);
	for (i = 0; i < d->n; i++) {
		c = &d->v[i];
		if (c->kind != REMOVED)
			continue;
		fputs("| ", stdout);
		put_md(c->submission);
		fputs(" | ", stdout);
		put_md(c->writer);
		fputs(" | ", stdout);
		put_md(c->stage);
		fputs(" | ", stdout);
		put_md(c->reason);
		fputs(" | ", stdout);
		if (strcmp(c->reason, "drop.absent") == 0)
			fputs("no longer among the submissions", stdout);
		else
			put_md(release_reason(c->reason)->summary);
		fputs(" |\n", stdout);
	}
}

static void
put_added(const struct diff *d, const struct release *old)
{
	const struct change *c;
	size_t i;

	printf("\n## Added (%zu)\n\n", d->count[ADDED]);
	if (d->count[ADDED] == 0) {
		fputs("No work was added.\n", stdout);
		return;
	}
	fputs("| submission | writer | before |\n|---|---|---|\n", stdout);
	for (i = 0; i < d->n; i++) {
		c = &d->v[i];
		if (c->kind != ADDED)
			continue;
		fputs("| ", stdout);
		put_md(c->submission);
		fputs(" | ", stdout);
		put_md(c->writer);
		fputs(" | ", stdout);
		if (c->reason[0] == '\0') {
			fputs("new: not among the submissions of ", stdout);
			put_release(old);
		} else {
			fputs("left out of ", stdout);
			put_release(old);
			fputs(" at ", stdout);
			put_md(c->stage);
			fputs(": ", stdout);
			put_md(c->reason);
			fputs(" (", stdout);
			put_md(release_reason(c->reason)->summary);
			fputs(")", stdout);
		}
		fputs(" |\n", stdout);
	}
}

static void
put_changed(const struct diff *d)
{
	const struct change *c;
	size_t i;

	printf("\n## Changed (%zu)\n\n", d->count[CHANGED]);
	if (d->count[CHANGED] == 0) {
		fputs("No work that is in both versions changed.\n", stdout);
		return;
	}
	fputs("Works in both versions whose submitted bytes differ (a new "
	    "file under the\nsame submission id), or that moved to another "
	    "split:\n\n"
	    "| submission | writer | what changed |\n|---|---|---|\n", stdout);
	for (i = 0; i < d->n; i++) {
		c = &d->v[i];
		if (c->kind != CHANGED)
			continue;
		fputs("| ", stdout);
		put_md(c->submission);
		fputs(" | ", stdout);
		put_md(c->writer);
		fputs(" | ", stdout);
		if (c->from == NULL)
			fputs("its submitted file (raw\\_sha256)", stdout);
		else {
			fputs("moved from split ", stdout);
			put_md(c->from);
			fputs(" to split ", stdout);
			put_md(c->to);
		}
		fputs(" |\n", stdout);
	}
}

static void
put_changes(const struct release *old, const struct release *new,
    const struct diff *d, int same_major)
{
	fputs("# Changes in ", stdout);
	put_release(new);
	fputs("\n\nCompared with ", stdout);
	put_release(old);
	fputs(", the previous version. Works are named by submission\n"
	    "id and writer id, never by their text; each version's "
	    "lineage.csv and\nrejects.csv have the rest.\n\n", stdout);
	put_counts(old, new, d);
	if (d->count[REMOVED] > 0)
		put_move_on(old, new, d, same_major);
	put_removed(d, new);
	put_added(d, old);
	put_changed(d);
}

/* changes.csv, written whole to a temporary file. */
static struct afile *
write_csv(const char *path, const struct diff *d)
{
	static const char *const header[] = {
		"submission_id", "writer_id", "change", "stage", "reason"
	};
	const char *cells[5];
	struct afile *af;
	size_t i;

	af = afile_open(path);
	csv_put(af->fp, path, header, 5);
	for (i = 0; i < d->n; i++) {
		cells[0] = d->v[i].submission;
		cells[1] = d->v[i].writer;
		cells[2] = kind_name[d->v[i].kind];
		cells[3] = d->v[i].stage;
		cells[4] = d->v[i].reason;
		csv_put(af->fp, path, cells, 5);
	}
	return af;
}

/* MAJOR.MINOR.PATCH, optionally followed by -PRERELEASE or +BUILD. */
static int
semver_major(const char *v, unsigned long long *major)
{
	const char *p = v;
	int part;

	*major = 0;
	for (part = 0; part < 3; part++) {
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++)
			if (part == 0) {
				if (*major > (~0ULL - 9) / 10)
					return -1;
				*major = *major * 10 + (unsigned)(*p - '0');
			}
		if (part < 2 && *p++ != '.')
			return -1;
	}
	if (*p == '\0')
		return 0;
	if (*p != '-' && *p != '+')
		return -1;
	/* Identifiers of [0-9A-Za-z-], dot-separated, none empty. */
	for (part = 0, p++; *p != '\0'; p++) {
		if (*p == '.' || *p == '+') {
			if (part == 0)
				return -1;
			part = 0;
		} else if ((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')
		    || (*p >= 'a' && *p <= 'z') || *p == '-')
			part++;
		else
			return -1;
	}
	return part > 0 ? 0 : -1;
}

/*
 * Croissant: a version that removes, edits or moves records across splits
 * is a new major version.  Say so when new's number does not; return
 * whether it does not.
 */
static int
check_version(const struct release *old, const struct release *new,
    const struct diff *d)
{
	unsigned long long om, nm;
	int same;

	if (d->count[REMOVED] == 0 && d->count[CHANGED] == 0)
		return 0;
	if (semver_major(old->version, &om) != 0 ||
	    semver_major(new->version, &nm) != 0) {
		warn("cannot check that %s is a new major version of %s: "
		    "versions are not MAJOR.MINOR.PATCH", new->version,
		    old->version);
		return 0;
	}
	if ((same = nm <= om)) {
		if (d->count[REMOVED] > 0)
			warn("%s removes %zu %s: its version should be a new "
			    "major version (%s -> %s)", new->version,
			    d->count[REMOVED], works(d->count[REMOVED]),
			    old->version, new->version);
		if (d->count[CHANGED] > 0)
			warn("%s changes %zu %s: its version should be a new "
			    "major version (%s -> %s)", new->version,
			    d->count[CHANGED], works(d->count[CHANGED]),
			    old->version, new->version);
	}
	return same;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] [-c FILE] [--version] OLD_RELEASE_DIR "
	    "NEW_RELEASE_DIR\n"
	    "       %s [-hq] [-c FILE] -f NEW_RELEASE_DIR\n",
	    progname, progname);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "csv", required_argument, NULL, 'c' },
		{ "first", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, CLI_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct release *old = NULL, *new;
	struct diff d;
	struct afile *af = NULL;
	const char *csv_path = NULL;
	size_t i;
	int ch, fflag = 0, same_major;

	cli_init(argv, "quire-changes");
	while ((ch = getopt_long(argc, argv, "c:f" CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'c':
			csv_path = optarg;
			break;
		case 'f':
			fflag = 1;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (fflag && argc != 1)
		cli_usage_error(usage, "-f takes one release directory");
	if (!fflag && argc != 2)
		cli_usage_error(usage, "two release directories are needed "
		    "(OLD as - for a first version)");
	if (csv_path != NULL && csv_path[0] == '\0')
		cli_usage_error(usage, "-c needs a file name");

	/* OLD as "-": the first version, as with -f. */
	if (!fflag && strcmp(argv[0], "-") != 0)
		old = release_open(argv[0]);
	new = release_open(argv[argc - 1]);

	memset(&d, 0, sizeof(d));
	diff_releases(&d, old, new);
	if (csv_path != NULL)
		af = write_csv(csv_path, &d);
	if (old == NULL)
		put_first(new, count_writers(new));
	else {
		same_major = check_version(old, new, &d);
		put_changes(old, new, &d, same_major);
	}
	/* stdout first: if it fails, the CSV is removed, not committed. */
	efshut(stdout, OUT);
	if (af != NULL)
		afile_commit(af);

	for (i = 0; i < d.n; i++)
		free(d.v[i].own);
	free(d.v);
	release_free(old);
	release_free(new);
	return EXIT_OK;
}
