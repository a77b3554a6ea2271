/* quire-statement: a writer's own statement: is my work in, and why not. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "markdown.h"
#include "record.h"
#include "release.h"
#include "shardread.h"
#include "util.h"

#define OUT "<stdout>"

/* What the shard record of one of the writer's works says; all owned. */
struct inrec {
	char	*title;		/* NULL: untitled */
	char	*license;	/* NULL: not recorded */
	char	*attribution;	/* NULL: none */
	int	consent;	/* the record has a consent object */
	char	*form_version;	/* of the consent; NULL: not recorded */
	char	*granted;
	char	*uses;		/* ", "-joined; NULL: not recorded */
	int	all_uses;	/* uses is "*" */
};

/*
 * One row of a release about one of the writer's submissions: its
 * document (in) or a reject row (out).  Pointers into the release.
 */
struct fact {
	const char *submission;
	const struct rel_doc *doc;
	const struct rel_reject *rej;
	struct inrec rec;	/* for doc */
};

/* A string of another writer's (id, document id, submission id). */
struct foreign {
	const char *s;
	int	writer;		/* a writer id, not a work's */
};

/* One release as the statement tells it. */
struct view {
	struct release *r;
	struct fact *facts;	/* by submission id, documents first */
	size_t	nfacts;
	struct foreign *fg;	/* sorted by s, unique */
	size_t	nfg;
};

static const char *writer;	/* -w */

static char *
opt_strdup(const char *s)
{
	return s != NULL && s[0] != '\0' ? estrdup(s) : NULL;
}

/*
 * Parse line (named path:lineno) as one JSON object, strictly (RFC 8259),
 * as lib/record.c does; anything else is fatal with EXIT_DATAERR.  The
 * caller puts the result.
 */
static struct json_object *
parse_line(struct json_tokener *tok, const char *line, size_t len,
    const char *path, uint64_t lineno)
{
	struct json_object *o;

	json_tokener_reset(tok);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != len ||
	    !json_object_is_type(o, json_type_object)) {
		if (o != NULL)
			json_object_put(o);
		die(EXIT_DATAERR, "%s:%llu: malformed record", path,
		    (unsigned long long)lineno);
	}
	return o;
}

/* Join the strings of the consent's uses array with ", ". */
static void
keep_uses(struct inrec *ir, struct json_object *uses)
{
	struct json_object *u;
	size_t i, n, len = 0;
	const char *s;
	char *out;

	if (uses == NULL || !json_object_is_type(uses, json_type_array))
		return;
	n = json_object_array_length(uses);
	for (i = 0; i < n; i++) {
		u = json_object_array_get_idx(uses, i);
		if (json_object_is_type(u, json_type_string))
			len += strlen(json_object_get_string(u)) + 2;
	}
	out = emalloc(len + 1);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		u = json_object_array_get_idx(uses, i);
		if (!json_object_is_type(u, json_type_string))
			continue;
		s = json_object_get_string(u);
		if (strcmp(s, "*") == 0)
			ir->all_uses = 1;
		if (out[0] != '\0')
			strcat(out, ", ");
		strcat(out, s);
	}
	ir->uses = out;
}

/*
 * Keep what the statement shows of rec, the shard record of doc, after
 * checking that it is doc's document: a shard that disagrees with its
 * lineage is fatal with EXIT_DATAERR.
 */
static void
keep_record(struct fact *f, struct json_object *rec, const char *path,
    uint64_t lineno)
{
	const struct rel_doc *d = f->doc;
	struct json_object *c, *uses;
	const char *id, *sub, *wr;

	id = record_str(rec, "id", NULL);
	sub = record_path(rec, "source", "submission");
	wr = record_str(rec, "writer", NULL);
	if (id == NULL || strcmp(id, d->id) != 0 || sub == NULL ||
	    strcmp(sub, d->submission) != 0 || wr == NULL ||
	    strcmp(wr, d->writer) != 0)
		die(EXIT_DATAERR, "%s:%llu: the record is not the document "
		    "lineage.csv:%zu places there", path,
		    (unsigned long long)lineno, d->line);
	f->rec.title = opt_strdup(record_str(rec, "title", NULL));
	f->rec.license = opt_strdup(record_str(rec, "license", NULL));
	f->rec.attribution = opt_strdup(record_str(rec, "attribution", NULL));
	if (json_object_object_get_ex(rec, "consent", &c) &&
	    json_object_is_type(c, json_type_object)) {
		f->rec.consent = 1;
		f->rec.form_version = opt_strdup(record_str(c, "form_version",
		    NULL));
		f->rec.granted = opt_strdup(record_str(c, "granted", NULL));
		uses = NULL;
		json_object_object_get_ex(c, "uses", &uses);
		keep_uses(&f->rec, uses);
	}
}

static int
cmp_fact_place(const void *a, const void *b)
{
	const struct fact *x = *(const struct fact *const *)a;
	const struct fact *y = *(const struct fact *const *)b;
	int c = strcmp(x->doc->shard, y->doc->shard);

	if (c != 0)
		return c;
	return (x->doc->index > y->doc->index) -
	    (x->doc->index < y->doc->index);
}

/*
 * Read the records of the writer's documents in v from their shards:
 * each shard once, front to back, parsing only the lines wanted.
 */
static void
read_records(struct view *v)
{
	struct fact **want;
	struct shardread *sr = NULL;
	struct json_tokener *tok;
	struct json_object *rec;
	const char *line;
	char *path = NULL;
	size_t i, n = 0, len;
	uint64_t at = 0;

	want = ecalloc(v->nfacts, sizeof(*want));
	for (i = 0; i < v->nfacts; i++)
		if (v->facts[i].doc != NULL)
			want[n++] = &v->facts[i];
	qsort(want, n, sizeof(*want), cmp_fact_place);
	if ((tok = json_tokener_new()) == NULL)
		die(EXIT_OSERR, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	for (i = 0; i < n; i++) {
		if (sr == NULL || strcmp(want[i]->doc->shard,
		    want[i - 1]->doc->shard) != 0) {
			shardread_close(sr);
			free(path);
			path = easprintf("%s/shards/%s", v->r->dir,
			    want[i]->doc->shard);
			sr = shardread_open(path, record_max_line());
			at = 0;
		}
		/* Lines before the one wanted are skipped unparsed. */
		for (;;) {
			if ((line = shardread_line(sr, &len)) == NULL)
				die(EXIT_DATAERR, "%s: no document at index "
				    "%llu, which lineage.csv:%zu names", path,
				    (unsigned long long)want[i]->doc->index,
				    want[i]->doc->line);
			if (at++ == want[i]->doc->index)
				break;
		}
		rec = parse_line(tok, line, len, path, at);
		keep_record(want[i], rec, path, at);
		json_object_put(rec);
	}
	shardread_close(sr);
	json_tokener_free(tok);
	free(path);
	free(want);
}

static int
cmp_fact(const void *a, const void *b)
{
	const struct fact *x = a, *y = b;
	size_t lx, ly;
	int c = strcmp(x->submission, y->submission);

	if (c != 0)
		return c;
	if ((x->doc != NULL) != (y->doc != NULL))
		return x->doc != NULL ? -1 : 1;
	lx = x->doc != NULL ? x->doc->line : x->rej->line;
	ly = y->doc != NULL ? y->doc->line : y->rej->line;
	return (lx > ly) - (lx < ly);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
cmp_foreign(const void *a, const void *b)
{
	const struct foreign *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	/* Of equal strings the work's sorts first and is the one kept. */
	return c != 0 ? c : x->writer - y->writer;
}

static int
cmp_foreign_key(const void *a, const void *b)
{
	return strcmp(((const struct foreign *)a)->s,
	    ((const struct foreign *)b)->s);
}

static int
is_own(const char *const *own, size_t nown, const char *s)
{
	return bsearch(&s, own, nown, sizeof(*own), cmp_str) != NULL;
}

static void
add_foreign(struct view *v, size_t *cap, const char *const *own,
    size_t nown, const char *s, int is_writer)
{
	if (s[0] == '\0' || is_own(own, nown, s))
		return;
	if (v->nfg == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		v->fg = erealloc(v->fg, *cap * sizeof(*v->fg));
	}
	v->fg[v->nfg].s = s;
	v->fg[v->nfg++].writer = is_writer;
}

/*
 * Everything of other writers that a detail could name: their writer
 * ids, document ids and submission ids, less any string that is also the
 * writer's own (a submission id two writers used, say).
 */
static void
collect_foreign(struct view *v)
{
	const struct release *r = v->r;
	const char **own;
	size_t i, j, nown = 0, cap = 0;

	own = ecalloc(2 * v->nfacts + 1, sizeof(*own));
	own[nown++] = writer;
	for (i = 0; i < v->nfacts; i++) {
		own[nown++] = v->facts[i].submission;
		own[nown++] = v->facts[i].doc != NULL ? v->facts[i].doc->id :
		    v->facts[i].rej->id;
	}
	qsort(own, nown, sizeof(*own), cmp_str);
	for (i = 0; i < r->ndocs; i++) {
		if (strcmp(r->docs[i].writer, writer) == 0)
			continue;
		add_foreign(v, &cap, own, nown, r->docs[i].id, 0);
		add_foreign(v, &cap, own, nown, r->docs[i].submission, 0);
		add_foreign(v, &cap, own, nown, r->docs[i].writer, 1);
	}
	for (i = 0; i < r->nrejects; i++) {
		if (strcmp(r->rejects[i].writer, writer) == 0)
			continue;
		add_foreign(v, &cap, own, nown, r->rejects[i].id, 0);
		add_foreign(v, &cap, own, nown, r->rejects[i].submission, 0);
		add_foreign(v, &cap, own, nown, r->rejects[i].writer, 1);
	}
	if (v->nfg > 0) {
		qsort(v->fg, v->nfg, sizeof(*v->fg), cmp_foreign);
		for (i = 1, j = 1; i < v->nfg; i++)
			if (strcmp(v->fg[i].s, v->fg[j - 1].s) != 0)
				v->fg[j++] = v->fg[i];
		v->nfg = j;
	}
	free(own);
}

/* The writer's rows of release r, their shard records, the others' ids. */
static void
view_load(struct view *v, const char *dir)
{
	struct release *r;
	size_t i, cap = 0;

	memset(v, 0, sizeof(*v));
	v->r = r = release_open(dir);
	for (i = 0; i < r->ndocs + r->nrejects; i++) {
		if (i < r->ndocs ? strcmp(r->docs[i].writer, writer) != 0 :
		    strcmp(r->rejects[i - r->ndocs].writer, writer) != 0)
			continue;
		if (v->nfacts == cap) {
			cap = cap ? 2 * cap : 16;
			v->facts = erealloc(v->facts, cap * sizeof(*v->facts));
		}
		memset(&v->facts[v->nfacts], 0, sizeof(*v->facts));
		if (i < r->ndocs) {
			v->facts[v->nfacts].doc = &r->docs[i];
			v->facts[v->nfacts].submission = r->docs[i].submission;
		} else {
			v->facts[v->nfacts].rej = &r->rejects[i - r->ndocs];
			v->facts[v->nfacts].submission =
			    r->rejects[i - r->ndocs].submission;
		}
		v->nfacts++;
	}
	if (v->nfacts > 0)
		qsort(v->facts, v->nfacts, sizeof(*v->facts), cmp_fact);
	read_records(v);
	collect_foreign(v);
}

static void
view_free(struct view *v)
{
	struct inrec *ir;
	size_t i;

	for (i = 0; i < v->nfacts; i++) {
		ir = &v->facts[i].rec;
		free(ir->title);
		free(ir->license);
		free(ir->attribution);
		free(ir->form_version);
		free(ir->granted);
		free(ir->uses);
	}
	free(v->facts);
	free(v->fg);
	release_free(v->r);
}

/* The first fact of submission in v, or NULL. */
static const struct fact *
find_fact(const struct view *v, const char *submission)
{
	size_t lo = 0, hi = v->nfacts, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(v->facts[mid].submission, submission) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < v->nfacts && strcmp(v->facts[lo].submission,
	    submission) == 0 ? &v->facts[lo] : NULL;
}

/*
 * The title of submission: that of the last release given that holds
 * the work, so that a work left out of one release is still recognised by
 * its title from another.  NULL when no release given holds it.
 */
static const char *
title_of(const struct view *vs, size_t nv, const char *submission)
{
	const struct fact *f;
	size_t i;

	for (i = nv; i-- > 0;)
		if ((f = find_fact(&vs[i], submission)) != NULL &&
		    f->doc != NULL && f->rec.title != NULL)
			return f->rec.title;
	return NULL;
}

static int
id_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c >= 0x80;
}

/* The longest foreign string that is the whole token at s[0..), or NULL. */
static const struct foreign *
foreign_at(const struct view *v, const char *s, size_t *len)
{
	const struct foreign *f, *best = NULL;
	struct foreign key;
	char *tok;
	size_t end, n = strlen(s);

	if (v->nfg == 0)
		return NULL;
	for (end = 1; end <= n; end++) {
		if (end < n && id_char((unsigned char)s[end]) &&
		    id_char((unsigned char)s[end - 1]))
			continue;
		tok = estrndup(s, end);
		key.s = tok;
		key.writer = 0;
		f = bsearch(&key, v->fg, v->nfg, sizeof(*v->fg),
		    cmp_foreign_key);
		free(tok);
		if (f != NULL) {
			best = f;
			*len = end;
		}
	}
	return best;
}

/*
 * Write a reject's detail with every id, document id and submission id of
 * another writer replaced by words that name no one: a duplicate check's
 * detail names the work that was kept, which may be someone else's.  An
 * id is replaced where it stands as a whole token: not inside a longer
 * run of letters, digits, '_' and '-'.
 */
static void
put_detail(const struct view *v, const char *d)
{
	const struct foreign *f;
	size_t i, start = 0, len;
	char *run;

	for (i = 0; d[i] != '\0'; i++) {
		if (i > 0 && id_char((unsigned char)d[i - 1]) &&
		    id_char((unsigned char)d[i]))
			continue;
		if ((f = foreign_at(v, d + i, &len)) == NULL)
			continue;
		run = estrndup(d + start, i - start);
		md_text(stdout, OUT, run);
		free(run);
		fputs(f->writer ? "another writer" : "another writer's work",
		    stdout);
		i += len - 1;
		start = i + 1;
	}
	md_text(stdout, OUT, d + start);
}

static void
put_heading(const char *submission, const char *title, const char *status)
{
	fputs("\n### ", stdout);
	md_text(stdout, OUT, submission);
	if (title != NULL) {
		fputs(" \xE2\x80\x9C", stdout);		/* U+201C */
		md_text(stdout, OUT, title);
		fputs("\xE2\x80\x9D", stdout);		/* U+201D */
	}
	printf(": %s\n\n", status);
}

static void
put_in(const struct fact *f)
{
	const struct inrec *ir = &f->rec;

	put_heading(f->submission, ir->title, "in this release");
	fputs("- Where: shard ", stdout);
	md_text(stdout, OUT, f->doc->shard);
	printf(", index %llu (line %llu of the shard), document id ",
	    (unsigned long long)f->doc->index,
	    (unsigned long long)f->doc->index + 1);
	md_text(stdout, OUT, f->doc->id);
	fputs("\n- License: ", stdout);
	md_text(stdout, OUT, ir->license != NULL ? ir->license :
	    "not recorded in the release");
	fputs("\n- Attribution: ", stdout);
	md_text(stdout, OUT, ir->attribution != NULL ? ir->attribution :
	    "none recorded");
	fputs("\n- Consent: ", stdout);
	if (!ir->consent)
		fputs("not recorded in the release", stdout);
	else {
		fputs("form ", stdout);
		md_text(stdout, OUT, ir->form_version != NULL ?
		    ir->form_version : "(version not recorded)");
		fputs(", granted on ", stdout);
		md_text(stdout, OUT, ir->granted != NULL ? ir->granted :
		    "(date not recorded)");
		if (ir->all_uses)
			fputs(", for every use", stdout);
		else if (ir->uses != NULL && ir->uses[0] != '\0') {
			fputs(", for these uses: ", stdout);
			md_text(stdout, OUT, ir->uses);
		} else
			fputs(", uses not recorded", stdout);
	}
	fputs("\n", stdout);
}

static void
put_out(const struct view *v, const struct fact *f, const char *title)
{
	const struct rel_reject *j = f->rej;
	const struct reason_words *w = release_reason(j->reason);
	const char *stage = release_stage(j->stage);

	put_heading(f->submission, title, "not in this release");
	fputs("- Left out at: ", stdout);
	if (stage != NULL)
		printf("%s (stage ", stage);
	else
		fputs("stage ", stdout);
	md_text(stdout, OUT, j->stage);
	fputs(stage != NULL ? ")\n" : "\n", stdout);
	printf("- Why: %s\n- Reason code: ", w->you);
	md_text(stdout, OUT, j->reason);
	fputs("\n", stdout);
	if (j->detail[0] != '\0') {
		fputs("- Detail: ", stdout);
		put_detail(v, j->detail);
		fputs("\n", stdout);
	}
}

/* "a;b" as "a, b" */
static void
put_list(const char *s)
{
	char *t = estrdup(s), *p, *semi;

	for (p = t; (semi = strchr(p, ';')) != NULL; p = semi + 1) {
		*semi = '\0';
		md_text(stdout, OUT, p);
		fputs(", ", stdout);
	}
	md_text(stdout, OUT, p);
	free(t);
}

static void
put_release_name(const struct release *r)
{
	md_text(stdout, OUT, r->name);
	fputs(" ", stdout);
	md_text(stdout, OUT, r->version);
}

/* One release's section; subs are every submission of the statement. */
static void
put_view(const struct view *vs, size_t nv, size_t k, const char *const *subs,
    size_t nsubs)
{
	const struct view *v = &vs[k];
	const struct release *r = v->r;
	const struct fact *f;
	size_t i, nin = 0, nout = 0;

	fputs("\n## ", stdout);
	put_release_name(r);
	fputs("\n\n", stdout);
	if (r->uses != NULL || r->cutoff != NULL) {
		fputs("This release was made", stdout);
		if (r->uses != NULL) {
			fputs(" for these uses: ", stdout);
			put_list(r->uses);
		}
		if (r->cutoff != NULL) {
			fputs(r->uses != NULL ? "; its" : " with", stdout);
			fputs(" cut-off date is ", stdout);
			md_text(stdout, OUT, r->cutoff);
		}
		fputs(".\n", stdout);
	}
	for (i = 0; i < v->nfacts; i++) {
		f = &v->facts[i];
		if (i > 0 && strcmp(f->submission, v->facts[i - 1].submission)
		    == 0)
			continue;
		if (f->doc != NULL)
			nin++;
		else
			nout++;
	}
	if (v->nfacts == 0) {
		fputs("You have no works in this release: none of the works "
		    "it holds or left out is yours.\n", stdout);
		return;
	}
	if (nin == 0)
		printf("None of your %zu %s is in this release.\n", nin + nout,
		    nin + nout == 1 ? "work" : "works");
	else if (nin == 1 && nout == 0)
		fputs("Your one work is in this release.\n", stdout);
	else if (nout == 0)
		printf("All %zu of your works are in this release.\n", nin);
	else
		printf("Of your %zu works, %zu %s in this release and %zu %s "
		    "not.\n", nin + nout, nin, nin == 1 ? "is" : "are", nout,
		    nout == 1 ? "is" : "are");
	for (i = 0; i < nsubs; i++) {
		if ((f = find_fact(v, subs[i])) == NULL) {
			put_heading(subs[i], title_of(vs, nv, subs[i]),
			    "not among this release's submissions");
			fputs("- This work was not among the submissions this "
			    "release was made from: it came later, or it was "
			    "not part of the release's drop.\n", stdout);
			continue;
		}
		/* A work in a release twice, or left out twice, shows each. */
		for (; f < v->facts + v->nfacts &&
		    strcmp(f->submission, subs[i]) == 0; f++)
			if (f->doc != NULL)
				put_in(f);
			else
				put_out(v, f, title_of(vs, nv, subs[i]));
	}
}

/*
 * The whole statement.  Every release lists every submission the writer
 * has in any release given, by submission id, so that a work that came
 * later or left the drop is accounted for in each.
 */
static void
put_statement(const struct view *vs, size_t nv)
{
	const char **subs;
	size_t i, j, n = 0, total = 0;

	for (i = 0; i < nv; i++)
		total += vs[i].nfacts;
	subs = ecalloc(total, sizeof(*subs));
	for (i = 0; i < nv; i++)
		for (j = 0; j < vs[i].nfacts; j++)
			subs[n++] = vs[i].facts[j].submission;
	qsort(subs, n, sizeof(*subs), cmp_str);
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || strcmp(subs[i], subs[j - 1]) != 0)
			subs[j++] = subs[i];
	n = j;

	fputs("# Statement for writer ", stdout);
	md_text(stdout, OUT, writer);
	fputs("\n\n"
	    "This statement answers one question for each release it "
	    "covers: is each of\nyour submitted works in it, and if not, "
	    "why. Your works are named by their\nsubmission id, the id the "
	    "submission form gave them, and by their title\nwhere a release "
	    "holds it. It says nothing about any other writer: where a\n"
	    "reason involves another writer's work, that work is not "
	    "named.\n\nReleases covered: ", stdout);
	for (i = 0; i < nv; i++) {
		if (i > 0)
			fputs(", ", stdout);
		put_release_name(vs[i].r);
	}
	fputs(".\n", stdout);
	for (i = 0; i < nv; i++) {
		put_view(vs, nv, i, subs, n);
		if (ferror(stdout))
			break;
	}
	free(subs);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] -w WRITER [--version] RELEASE_DIR ...\n",
	    progname);
}

int
main(int argc, char *argv[])
{
	/* The shared options but --rejects and --stats: not a stage. */
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, CLI_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct view *vs;
	size_t i, nv;
	int ch;

	cli_init(argv, "quire-statement");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "w:", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'w':
			writer = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (writer == NULL || writer[0] == '\0')
		cli_usage_error(usage, "-w WRITER is required");
	if (optind == argc)
		cli_usage_error(usage, "no release directory given");

	/* Every release is read before a word is written. */
	nv = (size_t)(argc - optind);
	vs = ecalloc(nv, sizeof(*vs));
	for (i = 0; i < nv; i++)
		view_load(&vs[i], argv[optind + (int)i]);
	put_statement(vs, nv);
	efshut(stdout, OUT);

	for (i = 0; i < nv; i++)
		view_free(&vs[i]);
	free(vs);
	return EXIT_OK;
}
