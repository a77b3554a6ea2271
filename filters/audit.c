/* quire-audit: check one promise of DESIGN.md on a release; print a verdict. */
#define _XOPEN_SOURCE 700	/* realpath */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "csvio.h"
#include "hash.h"
#include "jscan.h"
#include "progress.h"
#include "record.h"
#include "shardread.h"
#include "unorm8.h"
#include "utf8.h"
#include "util.h"

#define OUT		"<stdout>"
#define NAMES_SHOWN	10	/* items of one problem named in a verdict */
#define MIN_PRIVATE	4	/* shorter private values are not looked for */

/* A scanned string field for "%.*s", "?" when the record lacks it. */
#define FIELD_LEN(f)	((f).type == JSCAN_STRING ? (int)(f).len : 1)
#define FIELD_STR(f)	((f).type == JSCAN_STRING ? (f).str : "?")

static const char *sums_path;		/* -c: what sha256sum -c printed */
static const char *drop_dir;		/* -d */
static const char *records_path;	/* -i: the release's records */
static const char *ledger_path;		/* -l */
static const char *lock_now_path;	/* -n: lock lines of today's inputs */
static const char *output_path;		/* -o: a stage's output over -i */
static const char *replay_dir;		/* -p */
static const char *rejects_path;	/* -r: that stage's rejects */
static const char *stats_path;		/* -s: that stage's --stats */
static int qflag;

static void usage(FILE *);

/* The ledger columns DESIGN.md names; every other one is private. */
static const char *const public_columns[] = {
	"writer_id", "event", "date", "uses", "works", "form_version", NULL
};

/*
 * The verdict of one check under way: its problems, "; "-separated, in a
 * memory stream.  report_end prints it and frees it.
 */
struct report {
	const char *check;
	FILE	*fp;
	char	*buf;
	size_t	len;
	size_t	nproblems;
};

/* The items of one kind of problem: the first NAMES_SHOWN, and a count. */
struct names {
	char	*v[NAMES_SHOWN];
	size_t	n;
};

/* A file or directory of a tree, by its path below the root. */
struct entry {
	char	*path;
	int	dir;
	int	regular;
};

struct tree {
	struct entry *v;	/* sorted by path, bytewise */
	size_t	n, cap;
};

/*
 * An inputs.lock: each line as a key and a value.  "option K=V" is key
 * "option K", value V; "KIND HASH  PATH" is key "KIND PATH", value HASH;
 * "quire V" is key "quire", value V; any other line is its own key.
 */
struct lockent {
	char	*key;
	char	*value;
	size_t	line;
	int	file;		/* a "KIND HASH  PATH" line */
};

struct lock {
	char	*path;
	struct lockent *v;	/* sorted by key */
	size_t	n;
};

/* A private ledger value, or another spelling of it. */
struct pvalue {
	char	*s;
	size_t	len;
	const char *column;	/* borrowed from the ledger's header */
	size_t	line;		/* of the ledger */
	uint32_t seen;		/* number of the last file it was found in */
};

/*
 * Aho-Corasick over bytes, so that every file is read once whatever the
 * number of ledger values.  Node 0 is the root, whose transitions are a
 * table; other nodes keep their children in a list, since most have one.
 */
struct ac_node {
	uint32_t child;		/* first child, 0 for none */
	uint32_t sibling;	/* next child of the same parent */
	uint32_t fail;		/* longest proper suffix that is a node */
	uint32_t dict;		/* nearest node on the fail chain ending a value */
	uint32_t value;		/* value index + 1 when one ends here */
	unsigned char c;
};

struct ac {
	struct ac_node *v;
	size_t	n, cap;
	uint32_t root[256];
	uint32_t state;
};

/* One submission id as the manifest, lineage.csv or rejects.csv has it. */
struct occ {
	const char *sub;
	int	where;		/* 0 manifest, 1 lineage, 2 rejects */
	size_t	line;
};

/* A lineage.csv row and whether a shard document matched it. */
struct lrow {
	const struct csv_row *row;
	const char *shard;
	uint64_t index;
	int	used;
};

static void
report_init(struct report *rp, const char *check)
{
	memset(rp, 0, sizeof(*rp));
	rp->check = check;
	if ((rp->fp = open_memstream(&rp->buf, &rp->len)) == NULL)
		die(EXIT_OSERR, "open_memstream:");
}

static void
report_problem(struct report *rp, const char *fmt, ...)
{
	va_list ap;

	if (rp->nproblems++ > 0)
		fputs("; ", rp->fp);
	va_start(ap, fmt);
	vfprintf(rp->fp, fmt, ap);
	va_end(ap);
}

/* Keep one more item of g, formatted; only the first NAMES_SHOWN are. */
static void
names_add(struct names *g, const char *fmt, ...)
{
	va_list ap, aq;
	char *s;
	int len;

	if (g->n < NAMES_SHOWN) {
		va_start(ap, fmt);
		va_copy(aq, ap);
		len = vsnprintf(NULL, 0, fmt, ap);
		va_end(ap);
		if (len < 0)
			die(EXIT_SOFTWARE, "vsnprintf:");
		s = emalloc((size_t)len + 1);
		vsnprintf(s, (size_t)len + 1, fmt, aq);
		va_end(aq);
		g->v[g->n] = s;
	}
	g->n++;
}

/*
 * Add g to the report as one problem, "N one: a, b" (many when N > 1),
 * unless it is empty; free its items.
 */
static void
report_names(struct report *rp, struct names *g, const char *one,
    const char *many)
{
	size_t i, shown;

	if (g->n == 0)
		return;
	report_problem(rp, "%zu %s: ", g->n, g->n == 1 ? one : many);
	shown = g->n < NAMES_SHOWN ? g->n : NAMES_SHOWN;
	for (i = 0; i < shown; i++) {
		fprintf(rp->fp, "%s%s", i > 0 ? ", " : "", g->v[i]);
		free(g->v[i]);
	}
	if (g->n > shown)
		fprintf(rp->fp, ", and %zu more", g->n - shown);
	g->n = 0;
}

/*
 * Print the verdict: "PASS check: " and the summary fmt when the report
 * has no problem, "FAIL check: " and the problems otherwise.  Return 0 or
 * 1, the exit status.
 */
static int
report_end(struct report *rp, const char *fmt, ...)
{
	va_list ap;
	int failed = rp->nproblems > 0;

	if (fclose(rp->fp) != 0)
		die(EXIT_OSERR, "open_memstream:");
	printf("%s %s: ", failed ? "FAIL" : "PASS", rp->check);
	if (failed) {
		fputs(rp->buf, stdout);
	} else {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	free(rp->buf);
	return failed;
}

static const char *
plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* --- trees ------------------------------------------------------------ */

static void
tree_add(struct tree *t, char *path, const struct stat *sb)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->v = erealloc(t->v, t->cap * sizeof(*t->v));
	}
	t->v[t->n].path = path;
	t->v[t->n].dir = S_ISDIR(sb->st_mode);
	t->v[t->n].regular = S_ISREG(sb->st_mode);
	t->n++;
}

/* Add what is below root/rel (rel "" for root itself), recursively. */
static void
tree_walk(struct tree *t, const char *root, const char *rel)
{
	struct dirent *de;
	struct stat sb;
	char *dir, *path, *full;
	DIR *dp;

	dir = rel[0] ? easprintf("%s/%s", root, rel) : estrdup(root);
	if ((dp = opendir(dir)) == NULL)
		die(EXIT_NOINPUT, "%s:", dir);
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		path = rel[0] ? easprintf("%s/%s", rel, de->d_name) :
		    estrdup(de->d_name);
		full = easprintf("%s/%s", root, path);
		if (lstat(full, &sb) != 0)
			die(EXIT_NOINPUT, "%s:", full);
		free(full);
		tree_add(t, path, &sb);
		if (S_ISDIR(sb.st_mode))
			tree_walk(t, root, path);
	}
	if (errno != 0)
		die(EXIT_NOINPUT, "%s:", dir);
	closedir(dp);
	free(dir);
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path,
	    ((const struct entry *)b)->path);
}

/* Read every entry below root into t, sorted. */
static void
tree_read(struct tree *t, const char *root)
{
	memset(t, 0, sizeof(*t));
	tree_walk(t, root, "");
	qsort(t->v, t->n, sizeof(*t->v), entry_cmp);
}

static const struct entry *
tree_find(const struct tree *t, const char *path)
{
	struct entry key;

	key.path = (char *)path;
	return bsearch(&key, t->v, t->n, sizeof(*t->v), entry_cmp);
}

static void
tree_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	free(t->v);
}

/* --- small readers ---------------------------------------------------- */

/* The SHA-256 of the file at path as hex into hex; -1 if unreadable. */
static int
file_sha256(const char *path, char *hex)
{
	struct hash_sha256 h;
	char buf[65536];
	size_t n;
	FILE *fp;
	int ret;

	if ((fp = fopen(path, "rb")) == NULL)
		return -1;
	hash_sha256_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		hash_sha256_update(&h, buf, n);
	ret = ferror(fp) ? -1 : 0;
	fclose(fp);
	hash_sha256_hex(&h, hex);
	return ret;
}

/*
 * Undo sha256sum's escaping of a name in place: a line that starts with
 * a backslash spells "\\" and "\n" in its name.
 */
static void
unescape_name(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*w++ = '\n';
			s++;
		} else if (s[0] == '\\' && s[1] == '\\') {
			*w++ = '\\';
			s++;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

/*
 * Split "HASH  NAME" (or "HASH *NAME", sha256sum's binary mark) at s into
 * *hash and *name, pointers into s, which is changed; an escaped line
 * ("\HASH  NAME") is unescaped.  Return -1 if s is not such a line.
 */
static int
split_sum(char *s, char **hash, char **name)
{
	int escaped = 0;
	size_t i;

	if (s[0] == '\\') {
		escaped = 1;
		s++;
	}
	for (i = 0; i < 64; i++)
		if (strchr("0123456789abcdefABCDEF", s[i]) == NULL ||
		    s[i] == '\0')
			return -1;
	if (s[64] != ' ' || (s[65] != ' ' && s[65] != '*') || s[66] == '\0')
		return -1;
	s[64] = '\0';
	*hash = s;
	*name = s + 66;
	if (escaped)
		unescape_name(*name);
	return 0;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
lockent_cmp(const void *a, const void *b)
{
	const struct lockent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/*
 * Read the inputs.lock at path; NULL when it is missing and missing_ok,
 * else missing is fatal with EXIT_NOINPUT.  The caller frees it with
 * lock_free.
 */
static struct lock *
lock_read(const char *path, int missing_ok)
{
	struct lock *lk;
	struct lockent *e;
	struct readahead ra = { NULL, 0, 0 };
	char *line = NULL, *sp, *hash, *name;
	size_t cap = 0, lineno = 0, alloc = 0;
	int64_t n;
	FILE *fp;

	if ((fp = fopen(path, "r")) == NULL) {
		if (missing_ok && errno == ENOENT)
			return NULL;
		die(EXIT_NOINPUT, "%s:", path);
	}
	lk = ecalloc(1, sizeof(*lk));
	lk->path = estrdup(path);
	while ((n = etextline(&line, &cap, &ra, fp, path, lineno + 1)) >= 0) {
		lineno++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (lk->n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			lk->v = erealloc(lk->v, alloc * sizeof(*lk->v));
		}
		e = &lk->v[lk->n++];
		memset(e, 0, sizeof(*e));
		e->line = lineno;
		sp = strchr(line, ' ');
		if (strncmp(line, "option ", 7) == 0 &&
		    strchr(line + 7, '=') != NULL) {
			sp = strchr(line + 7, '=');
			e->key = estrndup(line, (size_t)(sp - line));
			e->value = estrdup(sp + 1);
		} else if (strncmp(line, "quire ", 6) == 0) {
			e->key = estrdup("quire");
			e->value = estrdup(line + 6);
		} else if (sp != NULL && split_sum(sp + 1, &hash, &name) == 0) {
			*sp = '\0';
			e->key = easprintf("%s %s", line, name);
			e->value = estrdup(hash);
			e->file = 1;
		} else {
			e->key = estrdup(line);
			e->value = estrdup("");
		}
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "%s:", path);
	fclose(fp);
	free(line);
	free(ra.buf);
	qsort(lk->v, lk->n, sizeof(*lk->v), lockent_cmp);
	return lk;
}

static void
lock_free(struct lock *lk)
{
	size_t i;

	if (lk == NULL)
		return;
	for (i = 0; i < lk->n; i++) {
		free(lk->v[i].key);
		free(lk->v[i].value);
	}
	free(lk->v);
	free(lk->path);
	free(lk);
}

/* The value of "option name" in lk, or NULL. */
static const char *
lock_option(const struct lock *lk, const char *name)
{
	size_t i;

	for (i = 0; i < lk->n; i++)
		if (strncmp(lk->v[i].key, "option ", 7) == 0 &&
		    strcmp(lk->v[i].key + 7, name) == 0)
			return lk->v[i].value;
	return NULL;
}

/* The release's own inputs.lock; missing is fatal. */
static struct lock *
release_lock(const char *release)
{
	struct lock *lk;
	char *path;

	path = easprintf("%s/inputs.lock", release);
	lk = lock_read(path, 0);
	free(path);
	return lk;
}

/* The value of option name in the release's lock, or die naming it. */
static char *
locked(const char *release, const char *name)
{
	struct lock *lk = release_lock(release);
	const char *v = lock_option(lk, name);
	char *s;

	if (v == NULL)
		die(EXIT_DATAERR, "%s: no option %s", lk->path, name);
	s = estrdup(v);
	lock_free(lk);
	return s;
}

/* Read a CSV file with the required columns and undo formula guards. */
static struct csv_table *
read_csv(const char *path, const char *const *required)
{
	struct csv_table *t;
	size_t i, j;
	char *c;

	t = csvt_read(path, EXIT_NOINPUT, EXIT_DATAERR);
	csvt_require(t, required, EXIT_DATAERR);
	/* A cell a spreadsheet would run was written with a leading "'". */
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->rows[i].ncells; j++) {
			c = t->rows[i].cells[j];
			if (c[0] == '\'' && c[1] != '\0' &&
			    strchr("=+-@\t\r", c[1]) != NULL)
				memmove(c, c + 1, strlen(c));
		}
	return t;
}

/* Unless value (option opt) is set, exit 64: check needs it. */
static void
need(const char *value, const char *opt, const char *check)
{
	if (value == NULL)
		cli_usage_error(usage, "%s needs %s", check, opt);
}

/* --- integrity -------------------------------------------------------- */

/*
 * The names sha256sum -c said OK about, from its output at path, sorted;
 * their number in *n.
 */
static char **
read_oks(const char *path, size_t *n)
{
	struct readahead ra = { NULL, 0, 0 };
	char **v = NULL, *line = NULL;
	size_t cap = 0, alloc = 0, lineno = 0;
	int64_t len;
	FILE *fp;

	*n = 0;
	if ((fp = fopen(path, "r")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	while ((len = etextline(&line, &cap, &ra, fp, path, ++lineno)) >= 0) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len < 5 || strcmp(line + len - 4, ": OK") != 0)
			continue;
		line[len - 4] = '\0';
		if (*n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			v = erealloc(v, alloc * sizeof(*v));
		}
		if (line[0] == '\\') {
			unescape_name(line + 1);
			v[(*n)++] = estrdup(line + 1);
		} else {
			v[(*n)++] = estrdup(line);
		}
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "%s:", path);
	fclose(fp);
	free(line);
	free(ra.buf);
	if (*n > 0)
		qsort(v, *n, sizeof(*v), str_cmp);
	return v;
}

/* A listed name that would make sha256sum read outside the release. */
static int
outside(const char *name)
{
	const char *p = name;

	if (name[0] == '/')
		return 1;
	for (;;) {
		if (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0'))
			return 1;
		if ((p = strchr(p, '/')) == NULL)
			return 0;
		p++;
	}
}

/*
 * Every file of the release is listed in SHA256SUMS, once, and nothing
 * else is; sha256sum -c (its output in -c) said OK about each.
 */
static int
check_integrity(const char *release)
{
	struct report rp;
	struct names bad = { 0 }, gone = { 0 }, unlisted = { 0 },
	    twice = { 0 }, out = { 0 }, malformed = { 0 };
	struct tree t;
	const struct entry *e;
	struct readahead ra = { NULL, 0, 0 };
	char **oks, **listed = NULL, *path, *line = NULL, *hash, *name;
	size_t i, noks, nlisted = 0, alloc = 0, cap = 0, lineno = 0, nfiles = 0;
	int64_t len;
	FILE *fp;

	need(sums_path, "-c", "integrity");
	report_init(&rp, "integrity");
	oks = read_oks(sums_path, &noks);
	tree_read(&t, release);
	path = easprintf("%s/SHA256SUMS", release);
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno != ENOENT)
			die(EXIT_NOINPUT, "%s:", path);
		report_problem(&rp, "no SHA256SUMS");
	}
	while (fp != NULL &&
	    (len = etextline(&line, &cap, &ra, fp, path, lineno + 1)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (split_sum(line, &hash, &name) != 0) {
			names_add(&malformed, "line %zu", lineno);
			continue;
		}
		if (nlisted == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			listed = erealloc(listed, alloc * sizeof(*listed));
		}
		listed[nlisted++] = estrdup(name);
	}
	if (fp != NULL) {
		if (ferror(fp))
			die(EXIT_NOINPUT, "%s:", path);
		fclose(fp);
	}
	if (nlisted > 0)
		qsort(listed, nlisted, sizeof(*listed), str_cmp);

	for (i = 0; i < nlisted; i++) {
		if (i > 0 && strcmp(listed[i], listed[i - 1]) == 0) {
			if (i < 2 || strcmp(listed[i], listed[i - 2]) != 0)
				names_add(&twice, "%s", listed[i]);
			continue;
		}
		if (outside(listed[i])) {
			names_add(&out, "%s", listed[i]);
			continue;
		}
		e = tree_find(&t, listed[i]);
		if (e == NULL || e->dir)
			names_add(&gone, "%s", listed[i]);
		else if (noks == 0 || bsearch(&listed[i], oks, noks,
		    sizeof(*oks), str_cmp) == NULL)
			names_add(&bad, "%s", listed[i]);
	}
	for (i = 0; i < t.n; i++) {
		if (t.v[i].dir || strcmp(t.v[i].path, "SHA256SUMS") == 0)
			continue;
		nfiles++;
		if (nlisted == 0 || bsearch(&t.v[i].path, listed, nlisted,
		    sizeof(*listed), str_cmp) == NULL)
			names_add(&unlisted, "%s", t.v[i].path);
	}
	report_names(&rp, &bad, "file does not match SHA256SUMS",
	    "files do not match SHA256SUMS");
	report_names(&rp, &gone, "listed file is missing",
	    "listed files are missing");
	report_names(&rp, &unlisted, "file not listed in SHA256SUMS",
	    "files not listed in SHA256SUMS");
	report_names(&rp, &twice, "file listed twice", "files listed twice");
	report_names(&rp, &out, "listed name outside the release",
	    "listed names outside the release");
	report_names(&rp, &malformed, "SHA256SUMS line not in sha256sum's "
	    "format", "SHA256SUMS lines not in sha256sum's format");

	for (i = 0; i < noks; i++)
		free(oks[i]);
	free(oks);
	for (i = 0; i < nlisted; i++)
		free(listed[i]);
	free(listed);
	free(line);
	free(ra.buf);
	free(path);
	tree_free(&t);
	return report_end(&rp, "%zu %s match SHA256SUMS", nfiles,
	    plural(nfiles, "file", "files"));
}

/* --- inputs ----------------------------------------------------------- */

/* How an entry of the lock is named in a verdict. */
static void
name_input(struct names *g, const struct lockent *e, const char *how)
{
	names_add(g, "%s (%s)", e->key, how);
}

/*
 * The lock lines of today's inputs (-n), made with the release's own
 * settings, are those of its inputs.lock.  "previous" lines are left to
 * the reproducibility and immutability checks.
 */
static int
check_inputs(const char *release)
{
	struct report rp;
	struct names diff = { 0 };
	struct lock *was, *now;
	const struct lockent *a, *b;
	const char *quire = NULL;
	size_t i = 0, j = 0, nopts = 0, nfiles = 0;
	int c;

	need(lock_now_path, "-n", "inputs");
	report_init(&rp, "inputs");
	was = release_lock(release);
	now = lock_read(lock_now_path, 0);
	while (i < was->n || j < now->n) {
		a = i < was->n ? &was->v[i] : NULL;
		b = j < now->n ? &now->v[j] : NULL;
		if (a != NULL && strncmp(a->key, "previous ", 9) == 0) {
			i++;
			continue;
		}
		if (b != NULL && strncmp(b->key, "previous ", 9) == 0) {
			j++;
			continue;
		}
		c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->key, b->key);
		if (c < 0) {
			name_input(&diff, a, a->file ? "gone" : "not made any more");
			i++;
		} else if (c > 0) {
			name_input(&diff, b, "new");
			j++;
		} else {
			if (strcmp(a->value, b->value) != 0) {
				if (a->file)
					name_input(&diff, a, "changed");
				else
					names_add(&diff, "%s (%s, now %s)",
					    a->key, a->value, b->value);
			} else if (a->file) {
				nfiles++;
			} else if (strncmp(a->key, "option ", 7) == 0) {
				nopts++;
			} else if (strcmp(a->key, "quire") == 0) {
				quire = a->value;
			}
			i++;
			j++;
		}
	}
	report_names(&rp, &diff, "input differs from inputs.lock",
	    "inputs differ from inputs.lock");
	c = report_end(&rp, "quire %s, %zu %s and %zu %s match inputs.lock",
	    quire != NULL ? quire : "(no version)", nopts,
	    plural(nopts, "option", "options"), nfiles,
	    plural(nfiles, "file", "files"));
	lock_free(was);
	lock_free(now);
	return c;
}

/* --- reproducibility -------------------------------------------------- */

/* Whether the files a and b hold the same bytes (symbolic links: target). */
static int
same_file(const char *a, const char *b, const struct entry *ea,
    const struct entry *eb)
{
	char ba[65536], bb[65536];
	size_t na, nb;
	ssize_t la, lb;
	FILE *fa, *fb;
	int same = 1;

	if (!ea->regular || !eb->regular) {
		if (ea->regular || eb->regular)
			return 0;
		la = readlink(a, ba, sizeof(ba));
		lb = readlink(b, bb, sizeof(bb));
		return la >= 0 && la == lb && memcmp(ba, bb, (size_t)la) == 0;
	}
	if ((fa = fopen(a, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", a);
	if ((fb = fopen(b, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", b);
	do {
		na = fread(ba, 1, sizeof(ba), fa);
		nb = fread(bb, 1, sizeof(bb), fb);
		if (na != nb || memcmp(ba, bb, na) != 0)
			same = 0;
	} while (same && na > 0);
	if (ferror(fa))
		die(EXIT_NOINPUT, "%s:", a);
	if (ferror(fb))
		die(EXIT_NOINPUT, "%s:", b);
	fclose(fa);
	fclose(fb);
	return same;
}

/* Every file of the replay (-p) is the release's, byte for byte. */
static int
check_reproducibility(const char *release)
{
	struct report rp;
	struct names differ = { 0 }, only_rel = { 0 }, only_rep = { 0 };
	struct tree tr, tp;
	const struct entry *a, *b;
	char *pa, *pb;
	size_t i = 0, j = 0, nfiles = 0;
	int c;

	need(replay_dir, "-p", "reproducibility");
	report_init(&rp, "reproducibility");
	tree_read(&tr, release);
	tree_read(&tp, replay_dir);
	while (i < tr.n || j < tp.n) {
		a = i < tr.n ? &tr.v[i] : NULL;
		b = j < tp.n ? &tp.v[j] : NULL;
		c = a == NULL ? 1 : b == NULL ? -1 : strcmp(a->path, b->path);
		if (c < 0) {
			names_add(&only_rel, "%s%s", a->path, a->dir ? "/" : "");
			i++;
			continue;
		}
		if (c > 0) {
			names_add(&only_rep, "%s%s", b->path, b->dir ? "/" : "");
			j++;
			continue;
		}
		if (!a->dir)
			nfiles++;
		if (a->dir != b->dir) {
			names_add(&differ, "%s", a->path);
		} else if (!a->dir) {
			pa = easprintf("%s/%s", release, a->path);
			pb = easprintf("%s/%s", replay_dir, b->path);
			if (!same_file(pa, pb, a, b))
				names_add(&differ, "%s", a->path);
			free(pa);
			free(pb);
		}
		i++;
		j++;
	}
	report_names(&rp, &differ, "file differs from the replay",
	    "files differ from the replay");
	report_names(&rp, &only_rel, "file the replay does not make",
	    "files the replay does not make");
	report_names(&rp, &only_rep, "file of the replay missing from the "
	    "release", "files of the replay missing from the release");
	tree_free(&tr);
	tree_free(&tp);
	return report_end(&rp, "%zu %s replayed byte for byte", nfiles,
	    plural(nfiles, "file", "files"));
}

/* --- conservation ----------------------------------------------------- */

static int
occ_cmp(const void *a, const void *b)
{
	const struct occ *x = a, *y = b;
	int c = strcmp(x->sub, y->sub);

	if (c != 0)
		return c;
	if (x->where != y->where)
		return x->where - y->where;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int
lrow_cmp(const void *a, const void *b)
{
	const struct lrow *x = a, *y = b;
	int c = strcmp(x->shard, y->shard);

	if (c != 0)
		return c;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Add every row's submission of t (column col) as occurrences in where. */
static void
add_occs(struct occ *v, size_t *n, const struct csv_table *t, int where)
{
	int col = csvt_col(t, "submission_id");
	size_t i;

	for (i = 0; i < t->nrows; i++) {
		v[*n].sub = csvt_cell(&t->rows[i], col);
		v[*n].where = where;
		v[*n].line = t->rows[i].line;
		(*n)++;
	}
}

/*
 * Each manifest row is in lineage.csv or rejects.csv exactly once: the
 * multisets of submission ids agree, and no id is in lineage.csv twice.
 */
static void
conserve_rows(struct report *rp, const struct csv_table *m,
    const struct csv_table *l, const struct csv_table *r)
{
	struct names neither = { 0 }, stranger = { 0 }, uneven = { 0 };
	struct occ *v;
	size_t i, j, n = 0, cnt[3];

	v = ecalloc(m->nrows + l->nrows + r->nrows + 1, sizeof(*v));
	add_occs(v, &n, m, 0);
	add_occs(v, &n, l, 1);
	add_occs(v, &n, r, 2);
	qsort(v, n, sizeof(*v), occ_cmp);
	for (i = 0; i < n; i = j) {
		cnt[0] = cnt[1] = cnt[2] = 0;
		for (j = i; j < n && strcmp(v[j].sub, v[i].sub) == 0; j++)
			cnt[v[j].where]++;
		if (cnt[1] + cnt[2] == cnt[0] && cnt[1] <= 1)
			continue;
		if (cnt[0] == 0)
			names_add(&stranger, "%s (%s:%zu)", v[i].sub,
			    v[i].where == 1 ? "lineage.csv" : "rejects.csv",
			    v[i].line);
		else if (cnt[1] + cnt[2] == 0)
			names_add(&neither, "%s (manifest line %zu)",
			    v[i].sub, v[i].line);
		else
			names_add(&uneven, "%s (%zu in the manifest, %zu in "
			    "lineage.csv, %zu in rejects.csv)", v[i].sub,
			    cnt[0], cnt[1], cnt[2]);
	}
	report_names(rp, &neither, "manifest row in neither lineage.csv nor "
	    "rejects.csv", "manifest rows in neither lineage.csv nor "
	    "rejects.csv");
	report_names(rp, &uneven, "submission not once per manifest row in "
	    "lineage.csv or rejects.csv", "submissions not once per manifest "
	    "row in lineage.csv or rejects.csv");
	report_names(rp, &stranger, "submission not in the manifest",
	    "submissions not in the manifest");
	free(v);
}

/* Parse a decimal index; -1 if cell is not one. */
static int
parse_index(const char *cell, uint64_t *index)
{
	uint64_t x = 0;
	const char *p;

	if (cell[0] == '\0')
		return -1;
	for (p = cell; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*p - '0');
	}
	*index = x;
	return 0;
}

/* Whether the JSON string field f holds exactly s. */
static int
field_is(const struct jscan_field *f, const char *s)
{
	char *buf;
	size_t n;
	int same;

	if (f->type != JSCAN_STRING)
		return 0;
	if (!f->escaped)
		return f->len == strlen(s) && memcmp(f->str, s, f->len) == 0;
	buf = emalloc(f->len + 1);
	n = jscan_unescape(f->str, f->len, buf);
	same = n == strlen(s) && memcmp(buf, s, n) == 0;
	free(buf);
	return same;
}

/*
 * lineage.csv is exactly the documents of the shards: each line of each
 * shard is the document its row names (id, submission, writer, raw
 * sha256) at that shard and index, and each row has its line.  Returns
 * the number of shards read; *ndocs counts their documents.
 */
static size_t
conserve_shards(struct report *rp, const char *release,
    const struct csv_table *l, uint64_t *ndocs)
{
	struct names notin = { 0 }, disagree = { 0 }, nodoc = { 0 },
	    bad = { 0 }, badrow = { 0 };
	struct jscan_field f[4] = {
		{ "id", NULL, 0, NULL, 0, 0 },
		{ "source", "submission", 0, NULL, 0, 0 },
		{ "writer", NULL, 0, NULL, 0, 0 },
		{ "source", "sha256", 0, NULL, 0, 0 }
	};
	struct lrow *rows, key, *hit;
	struct shardread *sr;
	struct progress pg;
	struct tree t;
	const char *line, *err, *sub;
	char *dir, *path, *shown;
	size_t i, n = 0, len, nshards = 0;
	int cid, csub, cwr, csh, cidx, csha;
	uint64_t bytes = 0;

	cid = csvt_col(l, "id");
	csub = csvt_col(l, "submission_id");
	cwr = csvt_col(l, "writer_id");
	csh = csvt_col(l, "shard");
	cidx = csvt_col(l, "index");
	csha = csvt_col(l, "raw_sha256");
	rows = ecalloc(l->nrows + 1, sizeof(*rows));
	for (i = 0; i < l->nrows; i++) {
		rows[n].row = &l->rows[i];
		rows[n].shard = csvt_cell(&l->rows[i], csh);
		if (parse_index(csvt_cell(&l->rows[i], cidx),
		    &rows[n].index) != 0) {
			names_add(&badrow, "lineage.csv:%zu", l->rows[i].line);
			continue;
		}
		n++;
	}
	qsort(rows, n, sizeof(*rows), lrow_cmp);

	*ndocs = 0;
	progress_init(&pg, qflag);
	dir = easprintf("%s/shards", release);
	memset(&t, 0, sizeof(t));
	if (access(dir, F_OK) == 0)
		tree_read(&t, dir);
	for (i = 0; i < t.n; i++) {
		len = strlen(t.v[i].path);
		if (t.v[i].dir || strchr(t.v[i].path, '/') != NULL ||
		    len < 10 || strcmp(t.v[i].path + len - 10, ".jsonl.zst") != 0)
			continue;
		nshards++;
		path = easprintf("%s/%s", dir, t.v[i].path);
		shown = easprintf("shards/%s", t.v[i].path);
		sr = shardread_open(path, record_max_line());
		while ((line = shardread_line(sr, &len)) != NULL) {
			(*ndocs)++;
			bytes += len + 1;
			progress_update(&pg, *ndocs, bytes);
			if (!utf8_valid(line, len) ||
			    jscan_record(line, len, f, 4, &err) != 0) {
				names_add(&bad, "%s line %llu", shown,
				    (unsigned long long)sr->lineno);
				continue;
			}
			key.shard = t.v[i].path;
			key.index = sr->lineno - 1;
			hit = bsearch(&key, rows, n, sizeof(*rows), lrow_cmp);
			if (hit == NULL) {
				names_add(&notin, "%.*s (%s line %llu)",
				    FIELD_LEN(f[1]), FIELD_STR(f[1]), shown,
				    (unsigned long long)sr->lineno);
				continue;
			}
			hit->used = 1;
			sub = csvt_cell(hit->row, csub);
			if (!field_is(&f[0], csvt_cell(hit->row, cid)) ||
			    !field_is(&f[1], sub) ||
			    !field_is(&f[2], csvt_cell(hit->row, cwr)) ||
			    (csha >= 0 &&
			    !field_is(&f[3], csvt_cell(hit->row, csha))))
				names_add(&disagree, "lineage.csv:%zu (%s)",
				    hit->row->line, sub);
		}
		shardread_close(sr);
		free(path);
		free(shown);
	}
	progress_done(&pg);
	for (i = 0; i < n; i++)
		if (!rows[i].used)
			names_add(&nodoc, "lineage.csv:%zu (%s)",
			    rows[i].row->line, csvt_cell(rows[i].row, csub));
	report_names(rp, &notin, "document of the shards not in lineage.csv",
	    "documents of the shards not in lineage.csv");
	report_names(rp, &nodoc, "lineage.csv row without its document",
	    "lineage.csv rows without their documents");
	report_names(rp, &disagree, "lineage.csv row that disagrees with "
	    "its document", "lineage.csv rows that disagree with their "
	    "documents");
	report_names(rp, &badrow, "lineage.csv row with a bad index",
	    "lineage.csv rows with a bad index");
	report_names(rp, &bad, "shard line that is not a JSON object",
	    "shard lines that are not JSON objects");
	tree_free(&t);
	free(dir);
	free(rows);
	return nshards;
}

static int
check_conservation(const char *release)
{
	static const char *const mreq[] = { "submission_id", NULL };
	static const char *const lreq[] = { "id", "submission_id",
	    "writer_id", "shard", "index", NULL };
	static const char *const rreq[] = { "submission_id", NULL };
	struct csv_table *m, *l, *r;
	struct report rp;
	char *drop, *path;
	size_t nshards;
	uint64_t ndocs;
	int ret;

	report_init(&rp, "conservation");
	drop = drop_dir != NULL ? estrdup(drop_dir) : locked(release, "DROP");
	path = easprintf("%s/manifest.csv", drop);
	m = read_csv(path, mreq);
	free(path);
	path = easprintf("%s/lineage.csv", release);
	l = read_csv(path, lreq);
	free(path);
	path = easprintf("%s/rejects.csv", release);
	r = read_csv(path, rreq);
	free(path);
	conserve_rows(&rp, m, l, r);
	nshards = conserve_shards(&rp, release, l, &ndocs);
	ret = report_end(&rp, "%zu manifest %s: %zu in lineage.csv, %zu in "
	    "rejects.csv, each once; lineage.csv places the %llu %s of %zu %s",
	    m->nrows, plural(m->nrows, "row", "rows"), l->nrows, r->nrows,
	    (unsigned long long)ndocs, plural(ndocs, "document", "documents"),
	    nshards, plural(nshards, "shard", "shards"));
	csvt_free(m);
	csvt_free(l);
	csvt_free(r);
	free(drop);
	return ret;
}

/* --- a stage replayed over the release's records ----------------------- */

/* What a stage's run over the records (-i, -o, -r) found. */
struct rerun {
	struct names dropped;	/* "s0017 (consent.withdrawn)" */
	struct names changed;	/* submission ids */
	uint64_t records;	/* in -i */
	int	extra;		/* -o has records that -i has not */
};

/*
 * Walk the release's records (-i) beside the stage's output over them
 * (-o), which keeps input order and leaves rejected ones out: a record
 * missing from the output was rejected (its reason from -r), one that
 * comes out other than it went in was changed.
 */
static void
rerun_read(struct rerun *rr, const char *rejects)
{
	static const char *const req[] = { "id", "reason", NULL };
	struct csv_table *rj = NULL;
	struct record_in in, out;
	struct jscan_field fi[2] = {
		{ "id", NULL, 0, NULL, 0, 0 },
		{ "source", "submission", 0, NULL, 0, 0 }
	};
	struct jscan_field fo[1] = { { "id", NULL, 0, NULL, 0, 0 } };
	const char *reason;
	char *paths[2];
	size_t i;
	int have, rid = -1, rreason = -1;

	memset(rr, 0, sizeof(*rr));
	if (rejects != NULL) {
		rj = read_csv(rejects, req);
		rid = csvt_col(rj, "id");
		rreason = csvt_col(rj, "reason");
	}
	paths[0] = (char *)records_path;
	paths[1] = (char *)output_path;
	record_in_init(&in, 1, &paths[0]);
	record_in_init(&out, 1, &paths[1]);
	if ((have = record_next_line(&out)))
		record_scan(&out, fo, 1);
	while (record_next_line(&in)) {
		rr->records++;
		record_scan(&in, fi, 2);
		if (have && fi[0].type == JSCAN_STRING &&
		    fo[0].type == JSCAN_STRING && fi[0].len == fo[0].len &&
		    memcmp(fi[0].str, fo[0].str, fi[0].len) == 0) {
			if (in.len != out.len ||
			    memcmp(in.line, out.line, in.len) != 0)
				names_add(&rr->changed, "%.*s",
				    FIELD_LEN(fi[1]), FIELD_STR(fi[1]));
			if ((have = record_next_line(&out)))
				record_scan(&out, fo, 1);
			continue;
		}
		reason = "no reject row";
		for (i = 0; rj != NULL && i < rj->nrows; i++)
			if (fi[0].type == JSCAN_STRING &&
			    strlen(csvt_cell(&rj->rows[i], rid)) == fi[0].len &&
			    memcmp(csvt_cell(&rj->rows[i], rid), fi[0].str,
			    fi[0].len) == 0) {
				reason = csvt_cell(&rj->rows[i], rreason);
				break;
			}
		names_add(&rr->dropped, "%.*s (%s)", FIELD_LEN(fi[1]),
		    FIELD_STR(fi[1]), reason);
	}
	rr->extra = have;
	record_in_free(&in);
	record_in_free(&out);
	if (rj != NULL)
		csvt_free(rj);
}

/*
 * consent and license: the stage, run again over the release's records
 * with the locked ledger, policies, uses and cut-off, rejects none and
 * changes none.
 */
static int
check_stage(const char *release, const char *check)
{
	struct report rp;
	struct rerun rr;
	char *uses, *cutoff;
	int ret, consent = strcmp(check, "consent") == 0;

	need(records_path, "-i", check);
	need(output_path, "-o", check);
	need(rejects_path, "-r", check);
	report_init(&rp, check);
	uses = locked(release, "USES");
	cutoff = locked(release, "CUTOFF");
	rerun_read(&rr, rejects_path);
	if (consent) {
		report_names(&rp, &rr.dropped, "document not covered by the "
		    "ledger", "documents not covered by the ledger");
		report_names(&rp, &rr.changed, "document whose consent "
		    "differs from the ledger's", "documents whose consent "
		    "differs from the ledger's");
	} else {
		report_names(&rp, &rr.dropped, "document whose license does "
		    "not allow the uses", "documents whose license does not "
		    "allow the uses");
		report_names(&rp, &rr.changed, "document whose license or "
		    "attribution differs from the policies'", "documents "
		    "whose license or attribution differs from the "
		    "policies'");
	}
	if (rr.extra)
		report_problem(&rp, "%s wrote records that are not the "
		    "release's", output_path);
	if (consent)
		ret = report_end(&rp, "%llu %s covered by the ledger for "
		    "%s at %s", (unsigned long long)rr.records,
		    plural(rr.records, "document", "documents"), uses, cutoff);
	else
		ret = report_end(&rp, "%llu %s under licenses that allow "
		    "%s, attribution complete", (unsigned long long)rr.records,
		    plural(rr.records, "document", "documents"), uses);
	free(uses);
	free(cutoff);
	return ret;
}

static int
check_consent(const char *release)
{
	return check_stage(release, "consent");
}

static int
check_license(const char *release)
{
	return check_stage(release, "license");
}

/* --- privacy ---------------------------------------------------------- */

static uint32_t
ac_child(const struct ac *a, uint32_t s, unsigned char c)
{
	uint32_t t;

	if (s == 0)
		return a->root[c];
	for (t = a->v[s].child; t != 0; t = a->v[t].sibling)
		if (a->v[t].c == c)
			return t;
	return 0;
}

static uint32_t
ac_node_new(struct ac *a, unsigned char c)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 256;
		a->v = erealloc(a->v, a->cap * sizeof(*a->v));
	}
	if (a->n >= UINT32_MAX)
		die(EXIT_OSERR, "too many private values");
	memset(&a->v[a->n], 0, sizeof(a->v[a->n]));
	a->v[a->n].c = c;
	return (uint32_t)a->n++;
}

/* Build the automaton of the n values. */
static void
ac_build(struct ac *a, const struct pvalue *pv, size_t n)
{
	uint32_t *queue, s, t, u, f;
	size_t i, k, head = 0, tail = 0;
	unsigned char c;

	memset(a, 0, sizeof(*a));
	ac_node_new(a, 0);
	for (i = 0; i < n; i++) {
		s = 0;
		for (k = 0; k < pv[i].len; k++) {
			c = (unsigned char)pv[i].s[k];
			if ((t = ac_child(a, s, c)) == 0) {
				t = ac_node_new(a, c);
				a->v[t].sibling = a->v[s].child;
				a->v[s].child = t;
				if (s == 0)
					a->root[c] = t;
			}
			s = t;
		}
		if (a->v[s].value == 0)
			a->v[s].value = (uint32_t)i + 1;
	}
	/*
	 * Breadth first, so a node's fail link (a shorter suffix) is done
	 * before the node: the link of u's child on c is the c-child of the
	 * longest suffix of u that has one.
	 */
	queue = emalloc(a->n * sizeof(*queue));
	for (t = a->v[0].child; t != 0; t = a->v[t].sibling)
		queue[tail++] = t;
	while (head < tail) {
		u = queue[head++];
		for (t = a->v[u].child; t != 0; t = a->v[t].sibling) {
			c = a->v[t].c;
			f = a->v[u].fail;
			for (;;) {
				if ((s = ac_child(a, f, c)) != 0 || f == 0)
					break;
				f = a->v[f].fail;
			}
			a->v[t].fail = s;
			a->v[t].dict = a->v[s].value != 0 ? s : a->v[s].dict;
			queue[tail++] = t;
		}
	}
	free(queue);
}

/* Feed p[0..len) on from the automaton's state; mark found values. */
static void
ac_feed(struct ac *a, const char *p, size_t len, struct pvalue *pv,
    uint32_t mark)
{
	uint32_t s = a->state, t, d;
	unsigned char c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		while ((t = ac_child(a, s, c)) == 0 && s != 0)
			s = a->v[s].fail;
		s = t;
		if (a->v[s].value != 0)
			pv[a->v[s].value - 1].seen = mark;
		for (d = a->v[s].dict; d != 0; d = a->v[d].dict)
			pv[a->v[d].value - 1].seen = mark;
	}
	a->state = s;
}

static int
pvalue_cmp(const void *a, const void *b)
{
	const struct pvalue *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static size_t
codepoints(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Append a spelling s[0..len) of a ledger value to *v. */
static void
pv_add(struct pvalue **v, size_t *n, size_t *cap, const char *s, size_t len,
    const char *column, size_t line)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = erealloc(*v, *cap * sizeof(**v));
	}
	(*v)[*n].s = estrndup(s, len);
	(*v)[*n].len = len;
	(*v)[*n].column = column;
	(*v)[*n].line = line;
	(*v)[*n].seen = 0;
	(*n)++;
}

/*
 * The value s as JSON and as CSV spell it inside a string or a quoted
 * field, when that differs from s: json-c's escapes for '"', '\\' and
 * control characters; CSV's doubled quote.
 */
static void
pv_add_escaped(struct pvalue **v, size_t *n, size_t *cap, const char *s,
    const char *column, size_t line)
{
	char *j, *q, *w;
	const unsigned char *p;

	j = emalloc(strlen(s) * 6 + 1);
	q = emalloc(strlen(s) * 2 + 1);
	for (w = j, p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			*w++ = '\\';
			*w++ = (char)*p;
		} else if (*p == '\n') {
			w += sprintf(w, "\\n");
		} else if (*p == '\r') {
			w += sprintf(w, "\\r");
		} else if (*p == '\t') {
			w += sprintf(w, "\\t");
		} else if (*p < 0x20) {
			w += sprintf(w, "\\u%04x", *p);
		} else {
			*w++ = (char)*p;
		}
	}
	*w = '\0';
	if (strcmp(j, s) != 0)
		pv_add(v, n, cap, j, strlen(j), column, line);
	for (w = q, p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"')
			*w++ = '"';
		*w++ = (char)*p;
	}
	*w = '\0';
	if (strcmp(q, s) != 0)
		pv_add(v, n, cap, q, strlen(q), column, line);
	free(j);
	free(q);
}

/*
 * The values of the ledger's private columns, of MIN_PRIVATE characters
 * or more, with their NFC, JSON and CSV spellings; sorted, each spelling
 * once (with its first ledger line).  Their names go to cols.
 */
static struct pvalue *
private_values(const struct csv_table *ledger, size_t *np, char **cols)
{
	struct unorm8_out nfc = { 0 };
	struct pvalue *v = NULL;
	const char *s, *name;
	size_t i, j, k, n = 0, cap = 0, clen = 0;
	int pub;

	*cols = estrdup("");
	for (j = 0; j < ledger->header.ncells; j++) {
		name = ledger->header.cells[j];
		for (pub = 0, k = 0; public_columns[k] != NULL; k++)
			if (strcmp(name, public_columns[k]) == 0)
				pub = 1;
		if (pub)
			continue;
		*cols = erealloc(*cols, clen + strlen(name) + 3);
		clen += (size_t)sprintf(*cols + clen, "%s%s",
		    clen > 0 ? ", " : "", name);
		for (i = 0; i < ledger->nrows; i++) {
			s = csvt_cell(&ledger->rows[i], (int)j);
			if (codepoints(s) < MIN_PRIVATE)
				continue;
			pv_add(&v, &n, &cap, s, strlen(s), name,
			    ledger->rows[i].line);
			if (unorm8_normalize(unorm8_get(UNORM8_NFC), s,
			    strlen(s), &nfc)) {
				pv_add(&v, &n, &cap, nfc.buf, nfc.len, name,
				    ledger->rows[i].line);
				s = v[n - 1].s;
			}
			pv_add_escaped(&v, &n, &cap, s, name,
			    ledger->rows[i].line);
		}
	}
	free(nfc.buf);
	if (n > 0)
		qsort(v, n, sizeof(*v), pvalue_cmp);
	for (i = j = 0; i < n; i++) {
		if (j > 0 && v[i].len == v[j - 1].len &&
		    memcmp(v[i].s, v[j - 1].s, v[i].len) == 0) {
			free(v[i].s);
			continue;
		}
		v[j++] = v[i];
	}
	*np = j;
	return v;
}

/*
 * Feed the file at path through the automaton; a zstd shard is fed
 * decompressed.  Counts bytes for progress.
 */
static void
scan_file(struct ac *a, const char *path, struct pvalue *pv, uint32_t mark,
    struct progress *pg, uint64_t *bytes, uint64_t nfiles)
{
	struct shardread *sr;
	const char *line;
	char buf[65536];
	size_t len, n;
	FILE *fp;

	a->state = 0;
	len = strlen(path);
	if (len > 4 && strcmp(path + len - 4, ".zst") == 0) {
		sr = shardread_open(path, record_max_line());
		while ((line = shardread_line(sr, &n)) != NULL) {
			ac_feed(a, line, n, pv, mark);
			ac_feed(a, "\n", 1, pv, mark);
			*bytes += n + 1;
			progress_update(pg, nfiles, *bytes);
		}
		shardread_close(sr);
		return;
	}
	if ((fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
		ac_feed(a, buf, n, pv, mark);
		*bytes += n;
		progress_update(pg, nfiles, *bytes);
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "%s:", path);
	fclose(fp);
}

/*
 * quire-scrub over the release's records (-i, -o, -s) replaced nothing:
 * it changed no record and its figures count no match.  Returns the
 * number of records.
 */
static uint64_t
scrub_clean(struct report *rp)
{
	struct json_object *st, *fig, *n;
	struct rerun rr;
	struct names matches = { 0 };
	const char *dot;
	size_t changed;
	int64_t k;

	need(output_path, "-o", "privacy with -i");
	need(stats_path, "-s", "privacy with -i");
	rerun_read(&rr, rejects_path);
	changed = rr.changed.n;
	report_names(rp, &rr.changed, "document in which quire-scrub finds "
	    "personal data", "documents in which quire-scrub finds personal "
	    "data");
	report_names(rp, &rr.dropped, "document quire-scrub rejects",
	    "documents quire-scrub rejects");
	if (rr.extra)
		report_problem(rp, "%s has records that are not the release's",
		    output_path);
	if ((st = json_object_from_file(stats_path)) == NULL)
		die(EXIT_NOINPUT, "%s: %s", stats_path,
		    json_util_get_last_err());
	if (!json_object_object_get_ex(st, "figures", &fig) ||
	    !json_object_is_type(fig, json_type_object))
		die(EXIT_DATAERR, "%s: no figures", stats_path);
	/* Figures "PATTERN.FIELD" count matches; records_scrubbed, records. */
	json_object_object_foreach(fig, key, val) {
		k = json_object_get_int64(val);
		dot = strrchr(key, '.');
		if (k == 0 || strcmp(key, "records_scrubbed") == 0)
			continue;
		if (dot != NULL)
			names_add(&matches, "%.*s in %s (%lld)",
			    (int)(dot - key), key, dot + 1, (long long)k);
		else
			names_add(&matches, "%s (%lld)", key, (long long)k);
	}
	/* Only a stage at odds with its own figures gets here. */
	if (changed == 0 && json_object_object_get_ex(fig,
	    "records_scrubbed", &n) && json_object_get_int64(n) != 0)
		report_problem(rp, "quire-scrub counts %lld scrubbed records",
		    (long long)json_object_get_int64(n));
	report_names(rp, &matches, "kind of personal data found",
	    "kinds of personal data found");
	json_object_put(st);
	return rr.records;
}

/*
 * No value of a private ledger column appears in any file of the release,
 * shards decompressed; with -i, quire-scrub finds nothing in the records.
 */
static int
check_privacy(const char *release)
{
	static const char *const req[] = { "writer_id", NULL };
	struct csv_table *ledger;
	struct report rp;
	struct names found = { 0 };
	struct progress pg;
	struct pvalue *pv;
	struct tree t;
	struct ac a;
	char *lpath, *cols, *path, *scrubbed;
	size_t i, j, npv, nfiles = 0;
	uint64_t bytes = 0, records = 0;
	int ret;

	report_init(&rp, "privacy");
	lpath = ledger_path != NULL ? estrdup(ledger_path) :
	    locked(release, "CONSENT");
	ledger = read_csv(lpath, req);
	pv = private_values(ledger, &npv, &cols);
	ac_build(&a, pv, npv);
	tree_read(&t, release);
	progress_init(&pg, qflag);
	for (i = 0; i < t.n; i++) {
		if (!t.v[i].regular)
			continue;
		nfiles++;
		path = easprintf("%s/%s", release, t.v[i].path);
		scan_file(&a, path, pv, (uint32_t)nfiles, &pg, &bytes, nfiles);
		free(path);
		for (j = 0; j < npv; j++)
			if (pv[j].seen == (uint32_t)nfiles)
				names_add(&found, "column %s (ledger line %zu) "
				    "in %s", pv[j].column, pv[j].line,
				    t.v[i].path);
	}
	progress_done(&pg);
	report_names(&rp, &found, "private ledger value found",
	    "private ledger values found");
	if (records_path != NULL)
		records = scrub_clean(&rp);
	scrubbed = records_path == NULL ? estrdup("") :
	    easprintf("; quire-scrub finds no personal data in %llu %s",
	    (unsigned long long)records, plural(records, "document",
	    "documents"));
	if (cols[0] == '\0')
		ret = report_end(&rp, "the ledger has no private column%s",
		    scrubbed);
	else
		ret = report_end(&rp, "no value of the private ledger %s %s in "
		    "%zu %s, shards decompressed%s",
		    strchr(cols, ',') != NULL ? "columns" : "column", cols,
		    nfiles, plural(nfiles, "file", "files"), scrubbed);
	free(scrubbed);
	for (i = 0; i < npv; i++)
		free(pv[i].s);
	free(pv);
	free(a.v);
	free(cols);
	free(lpath);
	tree_free(&t);
	csvt_free(ledger);
	return ret;
}

/* --- immutability ----------------------------------------------------- */

/*
 * Nothing half-made beside the version (a .tmp- or .work- directory of
 * make dataset's), and every later version that names it as previous
 * recorded the hash its SHA256SUMS has now.
 */
static int
check_immutability(const char *release)
{
	struct report rp;
	struct names stray = { 0 }, rewritten = { 0 };
	struct dirent *de;
	struct stat sb;
	struct lock *lk;
	DIR *dp;
	char *dir, *base, *p, *tmp, *work, *key, *path, hex[HASH_SHA256_HEX];
	size_t i, nlater = 0;
	int have, ret;

	report_init(&rp, "immutability");
	/* The real path has a last component whatever the one given says. */
	if ((dir = realpath(release, NULL)) == NULL)
		die(EXIT_NOINPUT, "%s:", release);
	p = strrchr(dir, '/');
	base = estrdup(p + 1);
	if (p == dir)
		p[1] = '\0';
	else
		*p = '\0';
	path = easprintf("%s/SHA256SUMS", release);
	have = file_sha256(path, hex) == 0;
	free(path);
	tmp = easprintf(".tmp-%s.", base);
	work = easprintf(".work-%s.", base);
	key = easprintf("previous %s/SHA256SUMS", base);
	if ((dp = opendir(dir)) == NULL)
		die(EXIT_NOINPUT, "%s:", dir);
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (strncmp(de->d_name, tmp, strlen(tmp)) == 0 ||
		    strncmp(de->d_name, work, strlen(work)) == 0) {
			names_add(&stray, "%s", de->d_name);
			continue;
		}
		if (de->d_name[0] == '.' || strcmp(de->d_name, base) == 0)
			continue;
		path = easprintf("%s/%s", dir, de->d_name);
		if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			free(path);
			continue;
		}
		free(path);
		path = easprintf("%s/%s/inputs.lock", dir, de->d_name);
		lk = lock_read(path, 1);
		free(path);
		for (i = 0; lk != NULL && i < lk->n; i++) {
			if (strcmp(lk->v[i].key, key) != 0)
				continue;
			if (have && strcmp(lk->v[i].value, hex) == 0) {
				nlater++;
			} else {
				names_add(&rewritten, "%s (inputs.lock line "
				    "%zu)", de->d_name, lk->v[i].line);
			}
		}
		lock_free(lk);
	}
	if (errno != 0)
		die(EXIT_NOINPUT, "%s:", dir);
	closedir(dp);
	report_names(&rp, &stray, "temporary directory beside the version",
	    "temporary directories beside the version");
	report_names(&rp, &rewritten, "later version recorded another "
	    "SHA256SUMS", "later versions recorded another SHA256SUMS");
	ret = report_end(&rp, "no temporary directory beside %s; %s", base,
	    nlater == 0 ? "no later version names it as previous" :
	    nlater == 1 ? "its SHA256SUMS is the one the next version "
	    "recorded" : "its SHA256SUMS is the one the later versions "
	    "recorded");
	free(tmp);
	free(work);
	free(key);
	free(base);
	free(dir);
	return ret;
}

/* --- main --------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*run)(const char *);
} checks[] = {
	{ "conservation", check_conservation },
	{ "consent", check_consent },
	{ "immutability", check_immutability },
	{ "inputs", check_inputs },
	{ "integrity", check_integrity },
	{ "license", check_license },
	{ "privacy", check_privacy },
	{ "reproducibility", check_reproducibility }
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] [-c sums] [-d drop] [-i records] "
	    "[-l ledger] [-n lock]\n"
	    "                   [-o records] [-p replay] [-r rejects] "
	    "[-s stats] [--version]\n"
	    "                   check release\n", progname);
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
	struct stat sb;
	const char *check, *release;
	size_t i;
	int ch, status;

	cli_init(argv, "quire-audit");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "c:d:i:l:n:o:p:r:s:",
	    longopts, NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'c':
			sums_path = optarg;
			break;
		case 'd':
			drop_dir = optarg;
			break;
		case 'i':
			records_path = optarg;
			break;
		case 'l':
			ledger_path = optarg;
			break;
		case 'n':
			lock_now_path = optarg;
			break;
		case 'o':
			output_path = optarg;
			break;
		case 'p':
			replay_dir = optarg;
			break;
		case 'r':
			rejects_path = optarg;
			break;
		case 's':
			stats_path = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	qflag = cli.qflag;
	if (argc - optind != 2)
		cli_usage_error(usage, "a check and a release are required");
	check = argv[optind];
	release = argv[optind + 1];
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (strcmp(checks[i].name, check) == 0)
			break;
	if (i == sizeof(checks) / sizeof(checks[0]))
		cli_usage_error(usage, "unknown check: %s", check);
	if (stat(release, &sb) != 0)
		die(EXIT_NOINPUT, "%s:", release);
	if (!S_ISDIR(sb.st_mode))
		die(EXIT_NOINPUT, "%s: not a directory", release);

	status = checks[i].run(release);
	efshut(stdout, OUT);
	return status;
}
