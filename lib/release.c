/*
 * A finished release, read back for the reports.  Both tables are read
 * whole: a release's lineage and rejects hold one short row per
 * submission, never text.
 */
#define _XOPEN_SOURCE 700	/* realpath(3) is XSI in glibc */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csvio.h"
#include "release.h"
#include "util.h"

/*
 * Every reason the stages document in their man pages, in stage order.
 * "summary" is for the users of a release (CHANGES.md); "you" speaks to
 * the writer whose work it is (quire-statement), without jargon.  A code
 * added to a stage belongs here too; until then the fallbacks of its
 * prefix explain it in general words.
 */
static const struct reason_words reasons[] = {
	{ "ingest.row", "malformed manifest row",
	    "The row for this work in the submission form's export has more "
	    "or fewer fields than it should, so quire could not read it. The "
	    "stewards can correct the export." },
	{ "ingest.field", "required manifest value missing",
	    "A required value of this submission (its id, your writer id, "
	    "the file, the license or the submission date) is empty." },
	{ "ingest.duplicate_id", "submission id used twice",
	    "Its submission id appears on more than one row of the manifest. "
	    "quire cannot tell which row is right, so it left out every row "
	    "with this id." },
	{ "ingest.date", "invalid submission date",
	    "Its submission date is not a valid date (YYYY-MM-DD)." },
	{ "ingest.path", "file path outside the drop",
	    "The file's path points outside the folder of submissions, so "
	    "quire did not read it." },
	{ "ingest.missing", "file missing",
	    "The file of this submission was not found among the submitted "
	    "files." },
	{ "ingest.unreadable", "file unreadable",
	    "The file of this submission could not be read." },
	{ "ingest.not_file", "not a file",
	    "What was submitted is a folder or another kind of entry, not a "
	    "file." },
	{ "ingest.too_large", "file too large",
	    "The file is larger than the largest work this release accepts." },
	{ "ingest.empty", "empty file",
	    "The file is empty: there was no text to include." },
	{ "ingest.binary", "not a text file",
	    "The file holds binary data, so it is not a text file quire can "
	    "read." },
	{ "ingest.encoding", "unknown character encoding",
	    "quire could not tell how the file's characters are encoded, so "
	    "it could not read the text without garbling it." },
	{ "consent.missing", "no consent",
	    "No consent of yours on record covers this work as of the "
	    "release's cut-off date. If you want it used, sign the consent "
	    "form for it." },
	{ "consent.withdrawn", "consent withdrawn",
	    "You withdrew your consent for this work before the release's "
	    "cut-off date, so it is not used." },
	{ "consent.scope", "consent does not cover the release's uses",
	    "Your consent covers this work, but not every use this release "
	    "is made for; a work is included only if you allowed all of "
	    "them." },
	{ "consent.future", "consent dated after the cut-off",
	    "Your consent for this work is dated after the release's cut-off "
	    "date, so it counts from the first release made after it." },
	{ "license.unknown", "license not recognised",
	    "The license you chose is not one the cooperative's board has "
	    "listed, and a license that is not listed allows nothing." },
	{ "license.denied", "license does not allow the release's uses",
	    "The license you chose does not allow every use this release is "
	    "made for." },
	{ "normalize.no_text", "record without text",
	    "The work had no text when quire came to tidy it. This is a fault "
	    "on quire's side: the stewards can look into it." },
	{ "normalize.empty", "no text left after tidying",
	    "Once invisible and control characters and blank lines were "
	    "removed, no text was left." },
	{ "scrub.no_text", "record without text",
	    "The work had no text when quire came to remove personal data "
	    "from it. This is a fault on quire's side: the stewards can look "
	    "into it." },
	{ "scrub.field", "title, credit or metadata in an unexpected form",
	    "Its title, credit or another field was in a form quire could "
	    "not check for personal data, so to be safe the work was left "
	    "out." },
	{ "scrub.limit", "personal-data check could not finish",
	    "quire could not finish checking this work for personal data "
	    "(such as e-mail addresses or phone numbers), so to be safe it "
	    "was left out." },
	{ "dedupe.malformed", "record incomplete at the duplicate check",
	    "The work's record was incomplete when quire looked for "
	    "duplicates. This is a fault on quire's side: the stewards can "
	    "look into it." },
	{ "dedupe.ruling", "excluded by a ruling of the board",
	    "The cooperative's board ruled that this work is to be left "
	    "out." },
	{ "dedupe.revision", "replaced by a later revision",
	    "You submitted a later revision of this work; only the latest "
	    "revision is used." },
	{ "dedupe.cross_writer", "held for review: matches another writer's "
	    "work",
	    "Its text is the same as, or very close to, a work submitted by "
	    "another writer. It is held out until the board decides about "
	    "it." },
	{ "dedupe.exact", "exact duplicate",
	    "The same text is already in this release as another work, which "
	    "was kept instead." },
	{ "dedupe.near", "near duplicate",
	    "A very similar text is already in this release as another work, "
	    "which was kept instead." },
	{ "shard.no_id", "record without id",
	    "The work had no document id when the shards were cut. This is a "
	    "fault on quire's side: the stewards can look into it." },
	{ "tokenize.no_id", "record without id",
	    "The work had no document id when it was tokenized. This is a "
	    "fault on quire's side: the stewards can look into it." },
	{ "tokenize.no_text", "record without text",
	    "The work had no text when it was tokenized. This is a fault on "
	    "quire's side: the stewards can look into it." },
	{ "tokenize.invalid_text", "text not valid UTF-8",
	    "Its text could not be turned into tokens because it is not "
	    "valid Unicode text." },
	{ "tokenize.regex", "tokenizer failed",
	    "The tokenizer failed on its text. This is a fault on quire's "
	    "side: the stewards can look into it." },
	{ "tokenize.unmatched", "tokenizer failed",
	    "The tokenizer could not split its text. This is a fault on "
	    "quire's side: the stewards can look into it." },
};

/* For codes a stage added after this table: their prefix's words. */
static const struct reason_words fallbacks[] = {
	{ "ingest.", "file or manifest row not readable",
	    "quire could not take the work in from the submissions." },
	{ "consent.", "consent does not cover the release",
	    "Your consent on record does not cover this release." },
	{ "license.", "license does not allow the release's uses",
	    "Its license does not allow what this release is made for." },
	{ "normalize.", "left out while tidying the text",
	    "It was left out while quire tidied its text." },
	{ "scrub.", "left out by the personal-data check",
	    "It was left out by the check for personal data." },
	{ "dedupe.", "left out by the duplicate check",
	    "It was left out by the check for duplicate works." },
	{ "shard.", "left out while cutting the shards",
	    "It was left out while the shards were cut." },
	{ "tokenize.", "left out by the tokenizer",
	    "It was left out while its text was turned into tokens." },
	{ "", "left out",
	    "It was left out for a reason this version of quire does not "
	    "describe; the reason code and the detail say more." },
};

static const struct {
	const char *stage;
	const char *words;
} stages[] = {
	{ "ingest", "reading the submission" },
	{ "consent-filter", "the consent check" },
	{ "license-tag", "the license check" },
	{ "normalize", "tidying the text" },
	{ "scrub", "the personal-data check" },
	{ "dedupe", "the duplicate check" },
	{ "shard", "cutting the shards" },
	{ "tokenize", "tokenizing" },
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const struct reason_words *
release_reason(const char *code)
{
	size_t i, n;

	for (i = 0; i < NELEM(reasons); i++)
		if (strcmp(reasons[i].code, code) == 0)
			return &reasons[i];
	for (i = 0; i < NELEM(fallbacks); i++) {
		n = strlen(fallbacks[i].code);
		if (strncmp(fallbacks[i].code, code, n) == 0)
			return &fallbacks[i];
	}
	/* Not reached: the last fallback's prefix is "". */
	return &fallbacks[NELEM(fallbacks) - 1];
}

const char *
release_stage(const char *stage)
{
	size_t i;

	for (i = 0; i < NELEM(stages); i++)
		if (strcmp(stages[i].stage, stage) == 0)
			return stages[i].words;
	return NULL;
}

/*
 * Undo csv_format's guard: a cell that a spreadsheet would run as a
 * formula was written with a leading "'".
 */
static void
unguard(struct csv_table *t)
{
	struct csv_row *row;
	size_t i, j;
	char *c;

	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		for (j = 0; j < row->ncells; j++) {
			c = row->cells[j];
			if (c[0] == '\'' && c[1] != '\0' &&
			    strchr("=+-@\t\r", c[1]) != NULL)
				memmove(c, c + 1, strlen(c));
		}
	}
}

/*
 * Read path into *tp with the required columns, every row as wide as the
 * header; fatal as release_open says.  Returns *tp.
 */
static struct csv_table *
read_table(struct csv_table **tp, const char *path,
    const char *const *required)
{
	struct csv_table *t;
	size_t i;

	/* Owned by the release before anything can fail. */
	*tp = t = csvt_read(path, EXIT_NOINPUT, EXIT_DATAERR);
	csvt_require(t, required, EXIT_DATAERR);
	for (i = 0; i < t->nrows; i++)
		if (t->rows[i].ncells != t->header.ncells)
			die(EXIT_DATAERR, "%s:%zu: %zu fields, the header has "
			    "%zu", path, t->rows[i].line, t->rows[i].ncells,
			    t->header.ncells);
	unguard(t);
	return t;
}

/* Die unless the cell named col of row is not empty. */
static const char *
need(const struct csv_table *t, const struct csv_row *row, const char *col)
{
	const char *s = csvt_cell(row, csvt_col(t, col));

	if (s[0] == '\0')
		die(EXIT_DATAERR, "%s:%zu: empty %s", t->path, row->line, col);
	return s;
}

static uint64_t
parse_index(const struct csv_table *t, const struct csv_row *row,
    const char *s)
{
	uint64_t v = 0;
	const char *p;

	for (p = s; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			break;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || *p != '\0')
		die(EXIT_DATAERR, "%s:%zu: index \"%s\" is not a decimal "
		    "number", t->path, row->line, s);
	return v;
}

static int
cmp_doc(const void *a, const void *b)
{
	const struct rel_doc *x = a, *y = b;
	int c = strcmp(x->submission, y->submission);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static int
cmp_reject(const void *a, const void *b)
{
	const struct rel_reject *x = a, *y = b;
	int c = strcmp(x->submission, y->submission);

	return c != 0 ? c : (x->line > y->line) - (x->line < y->line);
}

static void
load_lineage(struct release *r)
{
	static const char *const cols[] = {
		"id", "submission_id", "writer_id", "shard", "index",
		"raw_sha256", NULL
	};
	const struct csv_table *t;
	const struct csv_row *row;
	struct rel_doc *d;
	size_t i;

	read_table(&r->lt, r->lineage_path, cols);
	t = r->lt;
	r->ndocs = t->nrows;
	r->docs = ecalloc(t->nrows, sizeof(*r->docs));
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		d = &r->docs[i];
		d->id = need(t, row, "id");
		d->submission = need(t, row, "submission_id");
		d->writer = need(t, row, "writer_id");
		d->shard = need(t, row, "shard");
		/* The name is joined to shards/: it must stay inside. */
		if (strchr(d->shard, '/') != NULL ||
		    strcmp(d->shard, ".") == 0 || strcmp(d->shard, "..") == 0)
			die(EXIT_DATAERR, "%s:%zu: shard \"%s\" is not a file "
			    "name", t->path, row->line, d->shard);
		d->index = parse_index(t, row, need(t, row, "index"));
		d->raw_sha256 = need(t, row, "raw_sha256");
		d->line = row->line;
	}
	qsort(r->docs, r->ndocs, sizeof(*r->docs), cmp_doc);
	for (i = 1; i < r->ndocs; i++)
		if (strcmp(r->docs[i].submission, r->docs[i - 1].submission)
		    == 0)
			die(EXIT_DATAERR, "%s:%zu: submission %s is also on "
			    "line %zu: a work is in a release once",
			    t->path, r->docs[i].line, r->docs[i].submission,
			    r->docs[i - 1].line);
}

static void
load_rejects(struct release *r)
{
	static const char *const cols[] = {
		"id", "submission_id", "writer_id", "stage", "reason",
		"detail", NULL
	};
	const struct csv_table *t;
	const struct csv_row *row;
	struct rel_reject *j;
	size_t i;

	read_table(&r->rt, r->rejects_path, cols);
	t = r->rt;
	r->nrejects = t->nrows;
	r->rejects = ecalloc(t->nrows, sizeof(*r->rejects));
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		j = &r->rejects[i];
		j->id = csvt_cell(row, csvt_col(t, "id"));
		j->submission = csvt_cell(row, csvt_col(t, "submission_id"));
		j->writer = csvt_cell(row, csvt_col(t, "writer_id"));
		j->stage = need(t, row, "stage");
		j->reason = need(t, row, "reason");
		j->detail = csvt_cell(row, csvt_col(t, "detail"));
		j->line = row->line;
	}
	qsort(r->rejects, r->nrejects, sizeof(*r->rejects), cmp_reject);
}

/* The last component of path (without trailing '/'s) as a new string. */
static char *
last_component(const char *path, size_t end)
{
	size_t start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	for (start = end; start > 0 && path[start - 1] != '/'; start--)
		;
	return estrndup(path + start, end - start);
}

/*
 * Take NAME, VERSION, CUTOFF and USES from dir's inputs.lock, when it
 * exists: lines "option KEY=VALUE".  Other lines are not ours to judge.
 */
static void
read_lock(struct release *r)
{
	static const char *const keys[] = {
		"option NAME=", "option VERSION=", "option CUTOFF=",
		"option USES="
	};
	char **dst[4];
	struct readahead ra = { NULL, 0, 0 };
	char *path, *line = NULL;
	size_t cap = 0, i, n, lineno = 0;
	int64_t len;
	FILE *fp;

	dst[0] = &r->name;
	dst[1] = &r->version;
	dst[2] = &r->cutoff;
	dst[3] = &r->uses;
	path = easprintf("%s/inputs.lock", r->dir);
	fp = fopen(path, "r");
	if (fp == NULL) {
		free(path);
		return;
	}
	while ((len = etextline(&line, &cap, &ra, fp, path, ++lineno)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		for (i = 0; i < 4; i++) {
			n = strlen(keys[i]);
			if (strncmp(line, keys[i], n) == 0 && line[n] != '\0' &&
			    *dst[i] == NULL)
				*dst[i] = estrdup(line + n);
		}
	}
	free(path);
	free(line);
	free(ra.buf);
	fclose(fp);
}

struct release *
release_open(const char *dir)
{
	struct release *r;
	struct stat sb;
	char *real, *slash;

	if (stat(dir, &sb) != 0)
		die(EXIT_NOINPUT, "%s:", dir);
	if (!S_ISDIR(sb.st_mode))
		die(EXIT_NOINPUT, "%s: not a release directory", dir);
	if ((real = realpath(dir, NULL)) == NULL) {
		if (errno == ENOMEM)
			die(EXIT_OSERR, "out of memory");
		die(EXIT_NOINPUT, "%s:", dir);
	}
	r = ecalloc(1, sizeof(*r));
	r->dir = estrdup(dir);
	read_lock(r);
	/* Only the last two components: the same on every machine. */
	if (r->version == NULL)
		r->version = last_component(real, strlen(real));
	slash = strrchr(real, '/');
	if (r->name == NULL)
		r->name = slash != NULL && slash != real ?
		    last_component(real, (size_t)(slash - real)) :
		    estrdup("");
	free(real);
	r->lineage_path = easprintf("%s/lineage.csv", dir);
	r->rejects_path = easprintf("%s/rejects.csv", dir);
	load_lineage(r);
	load_rejects(r);
	return r;
}

void
release_free(struct release *r)
{
	if (r == NULL)
		return;
	csvt_free(r->lt);
	csvt_free(r->rt);
	free(r->docs);
	free(r->rejects);
	free(r->dir);
	free(r->name);
	free(r->version);
	free(r->cutoff);
	free(r->uses);
	free(r->lineage_path);
	free(r->rejects_path);
	free(r);
}

const struct rel_doc *
release_doc(const struct release *r, const char *submission)
{
	size_t lo = 0, hi = r->ndocs, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(r->docs[mid].submission, submission);
		if (c == 0)
			return &r->docs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct rel_reject *
release_reject(const struct release *r, const char *submission, size_t *n)
{
	size_t lo = 0, hi = r->nrejects, mid, end;

	/* The first row not below submission. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(r->rejects[mid].submission, submission) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < r->nrejects &&
	    strcmp(r->rejects[end].submission, submission) == 0; end++)
		;
	if (n != NULL)
		*n = end - lo;
	return end > lo ? &r->rejects[lo] : NULL;
}
