/* quire-datasheet: a release's datasheets, dataset card and Croissant file. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <unicode/uchar.h>
#include <unicode/uscript.h>
#include <zstd.h>

#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "hash.h"
#include "licenses.h"
#include "markdown.h"
#include "policy.h"
#include "progress.h"
#include "record.h"
#include "util.h"

#define CROISSANT_SPEC	"http://mlcommons.org/croissant/1.0"
#define SHARD_SUFFIX	".jsonl.zst"
#define JSON_FLAGS	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
	JSON_C_TO_STRING_NOSLASHESCAPE)
#define IDX_MAGIC	"MMIDIDX\0\0"
#define IDX_HEAD	34	/* magic, version, dtype, sequences, docs */
#define READ_CHUNK	((size_t)1 << 16)
#define MAX_THREADS	64
#define O_THREADS	(CLI_VERSION + 1)

/* A growing string: the files are built in memory, then written whole. */
struct buf {
	char	*s;
	size_t	len;
	size_t	cap;
};

/* How many works have each value of a field; key NULL: the value was absent. */
struct count {
	char	*key;
	uint64_t n;
	uint64_t doc;		/* tally_once: the last document counted, + 1 */
};

struct tally {
	struct count *v;	/* sorted by key, NULL last */
	size_t	n;
	size_t	cap;
};

struct vec {
	uint64_t *v;
	size_t	n;
	size_t	cap;
};

/* What a set of documents (a shard, or the release) is made of. */
struct facts {
	uint64_t docs;
	uint64_t bytes;		/* JSON Lines, uncompressed, with newlines */
	uint64_t compressed;	/* bytes of the .jsonl.zst files */
	uint64_t text_bytes;
	uint64_t chars;		/* code points of the texts */
	struct tally licenses;
	struct tally forms;	/* consent.form_version */
	struct tally languages;
	struct tally genres;
	struct tally fields;	/* top-level keys of the records */
	uint64_t *scripts;	/* characters per UScriptCode */
	int	nscripts;
	uint64_t (*ascii)[128];	/* LANES counts of each ASCII byte */
	uint64_t *lanes;	/* LANES counts of each script, nscripts apart */
	struct vec lchars;	/* each document's length */
	struct vec lbytes;
	char	**writers;	/* writer ids, sorted and unique by facts_end */
	size_t	nwriters;
	size_t	capwriters;
	int	tokenized;	/* every shard has a .idx */
	uint64_t tokens;
	uint64_t sequences;
};

/* A file of the release that Croissant lists, with its checksum. */
struct file_sum {
	char	*rel;		/* path relative to the release */
	uint64_t size;
	char	sha256[HASH_SHA256_HEX];
};

/* The string fields of a record that are counted (wanted, below). */
enum { F_ID, F_WRITER, F_LICENSE, F_LANGUAGE, F_GENRE, F_FORM, F_TEXT,
	NFIELDS };

struct shard {
	char	*file;		/* NAME-SPLIT-NNNNN.jsonl.zst */
	char	*base;		/* NAME-SPLIT-NNNNN */
	char	*split;
	char	*path;		/* the release folder's path joined */
	struct file_sum zst;
	int	has_tokens;
	struct file_sum bin;
	struct file_sum idx;
	const char **ids;	/* lineage.csv's id at each index, borrowed */
	size_t	nids;
	struct facts f;
	char	*str[NFIELDS];	/* a record's string fields, unescaped */
	size_t	cap[NFIELDS];
};

/* One stage's --stats object; the pointers are borrowed from o. */
struct stage {
	const char *name;
	struct json_object *o;
	const char *version;
	int64_t records_in;
	int64_t records_out;
	int64_t bytes_in;
	int64_t bytes_out;
	struct json_object *rejected;
	struct json_object *options;
	struct json_object *figures;
	uint64_t nrejected;
	struct tally csv_rejects;	/* rejects.csv rows of this stage */
};

/* "KIND SHA256  PATH" of inputs.lock. */
struct hashed {
	char	*sha256;
	char	*path;
};

struct lockfile {
	char	*quire;		/* quire's version */
	char	**optk;		/* "option K=V" lines, in file order */
	char	**optv;
	size_t	noptions;
	struct hashed ledger;
	struct hashed pipeline;
	struct hashed manifest;
	struct hashed previous;	/* the previous version's SHA256SUMS */
	struct hashed *policies;
	size_t	npolicies;
	size_t	drop_files;
};

/*
 * Progress across the shards, which threads read side by side: records
 * and uncompressed bytes so far, and the next shard to read, under mu.
 */
struct reading {
	pthread_mutex_t mu;
	struct progress pg;
	uint64_t records;
	uint64_t bytes;
	const struct release *r;
	size_t	next;
};

/* Everything the outputs are made from. */
struct release {
	const char *dir;
	const char *stats_dir;
	const char *policies;
	const char *name;
	const char *version;
	const char *uses_arg;
	const char *cutoff;
	const char *previous;
	const char *contact;
	const char *creator;
	const char *url;
	char	*lock_prev;	/* the previous version inputs.lock names */
	char	**stages;	/* in pipeline order */
	size_t	nstages;
	struct list uses;	/* sorted */
	char	**use_desc;	/* uses.csv's description of each use */
	struct licenses *ls;
	struct lockfile lock;
	struct stage *st;
	struct shard *sh;
	size_t	nsh;
	struct facts total;
	uint64_t nrejects;	/* rows of rejects.csv */
	uint64_t lineage_rows;
	int	has_credits;
	int	has_changes;
	int	nscripts;
	struct csv_table *lineage;
};

static int qflag;
static long nthreads = 1;	/* --threads */

/*
 * The outputs renamed into place so far.  Until the run finishes, exit
 * removes them: a failure part way (a full disk at the tenth file) leaves
 * none of this run's files, as lib/atomic.c leaves no half-written one.
 */
static char **committed;
static size_t ncommitted;
static int finished;

/* ---- strings --------------------------------------------------------- */

static void
buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		while (b->len + n + 1 > b->cap)
			b->cap = b->cap ? 2 * b->cap : 4096;
		b->s = erealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_puts(struct buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256], *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_SOFTWARE, "vsnprintf failed");
	if ((size_t)n < sizeof(small)) {
		buf_put(b, small, (size_t)n);
		return;
	}
	s = emalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf_put(b, s, (size_t)n);
	free(s);
}

static void
buf_free(struct buf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* Append s as Markdown that shows exactly s (lib/markdown.h). */
static void
buf_md(struct buf *b, const char *s)
{
	char *esc = md_escape(s);

	buf_put(b, esc, strlen(esc));
	free(esc);
}

/* Append s as a YAML double-quoted scalar (YAML 1.2, section 7.3.1). */
static void
buf_yaml(struct buf *b, const char *s)
{
	buf_put(b, "\"", 1);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			buf_put(b, "\\", 1);
			buf_put(b, s, 1);
		} else if ((unsigned char)*s < 0x20 || *s == 0x7F)
			buf_printf(b, "\\x%02X", (unsigned)(unsigned char)*s);
		else
			buf_put(b, s, 1);
	}
	buf_put(b, "\"", 1);
}

/* ---- counting -------------------------------------------------------- */

/* qsort, which must not be given a null array, even of no elements. */
static void
sort(void *base, size_t n, size_t size, int (*cmp)(const void *,
    const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static int
cmp_key(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == NULL) - (b == NULL);
	return strcmp(a, b);
}

/* key's count, made at 0 when new (key NULL: absent); key is copied. */
static struct count *
tally_slot(struct tally *t, const char *key)
{
	size_t lo = 0, hi = t->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_key(t->v[mid].key, key);
		if (c == 0)
			return &t->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 8;
		t->v = erealloc(t->v, t->cap * sizeof(*t->v));
	}
	memmove(&t->v[lo + 1], &t->v[lo], (t->n - lo) * sizeof(*t->v));
	t->v[lo].key = key != NULL ? estrdup(key) : NULL;
	t->v[lo].n = 0;
	t->v[lo].doc = 0;
	t->n++;
	return &t->v[lo];
}

static void
tally_add(struct tally *t, const char *key, uint64_t n)
{
	tally_slot(t, key)->n += n;
}

/* Count document doc under key once, however often it names the key. */
static void
tally_once(struct tally *t, const char *key, uint64_t doc)
{
	struct count *c = tally_slot(t, key);

	if (c->doc != doc + 1) {
		c->doc = doc + 1;
		c->n++;
	}
}

static uint64_t
tally_get(const struct tally *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (cmp_key(t->v[i].key, key) == 0)
			return t->v[i].n;
	return 0;
}

static void
tally_merge(struct tally *dst, const struct tally *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		tally_add(dst, src->v[i].key, src->v[i].n);
}

static void
tally_free(struct tally *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].key);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Most works first, then by key: the order a reader scans for "main". */
static int
cmp_count_desc(const void *a, const void *b)
{
	const struct count *x = *(const struct count *const *)a;
	const struct count *y = *(const struct count *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return cmp_key(x->key, y->key);
}

/* The counts of t by decreasing count, in an array the caller frees. */
static const struct count **
tally_by_count(const struct tally *t)
{
	const struct count **v;
	size_t i;

	v = ecalloc(t->n + 1, sizeof(*v));
	for (i = 0; i < t->n; i++)
		v[i] = &t->v[i];
	sort(v, t->n, sizeof(*v), cmp_count_desc);
	return v;
}

static void
vec_push(struct vec *v, uint64_t x)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 256;
		v->v = erealloc(v->v, v->cap * sizeof(*v->v));
	}
	v->v[v->n++] = x;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The script of every character of the BMP, looked up once. */
static uint16_t bmp_script[0x10000];

/*
 * Characters are tallied eight bytes at a time, each byte into a table of
 * its own (a lane), and only added up when a shard ends: one counter
 * bumped for every letter would wait on its own last store.  ASCII bytes
 * are tallied by byte, others by script.
 */
#define LANES 8

static void
facts_init(struct facts *f, int nscripts)
{
	memset(f, 0, sizeof(*f));
	f->nscripts = nscripts;
	f->scripts = ecalloc((size_t)nscripts, sizeof(*f->scripts));
	f->ascii = ecalloc(LANES, sizeof(*f->ascii));
	f->lanes = ecalloc((size_t)LANES * (size_t)nscripts,
	    sizeof(*f->lanes));
}

/*
 * Sort the lengths for the quartiles and the writer ids for the count of
 * writers, keeping each writer once.
 */
static void
facts_end(struct facts *f)
{
	size_t i, j;

	for (i = 0; i < LANES; i++) {
		for (j = 0; j < 128; j++) {
			f->scripts[bmp_script[j]] += f->ascii[i][j];
			f->ascii[i][j] = 0;
		}
		for (j = 0; j < (size_t)f->nscripts; j++) {
			f->scripts[j] += f->lanes[i * (size_t)f->nscripts + j];
			f->lanes[i * (size_t)f->nscripts + j] = 0;
		}
	}
	sort(f->lchars.v, f->lchars.n, sizeof(*f->lchars.v), cmp_u64);
	sort(f->lbytes.v, f->lbytes.n, sizeof(*f->lbytes.v), cmp_u64);
	sort(f->writers, f->nwriters, sizeof(*f->writers), cmp_str);
	for (i = j = 0; i < f->nwriters; i++) {
		if (j > 0 && strcmp(f->writers[j - 1], f->writers[i]) == 0) {
			free(f->writers[i]);
			continue;
		}
		f->writers[j++] = f->writers[i];
	}
	f->nwriters = j;
}

/* Add the facts of a shard (already ended) to the release's. */
static void
facts_merge(struct facts *dst, const struct facts *src, int nscripts)
{
	size_t i;
	int k;

	dst->docs += src->docs;
	dst->bytes += src->bytes;
	dst->compressed += src->compressed;
	dst->text_bytes += src->text_bytes;
	dst->chars += src->chars;
	tally_merge(&dst->licenses, &src->licenses);
	tally_merge(&dst->forms, &src->forms);
	tally_merge(&dst->languages, &src->languages);
	tally_merge(&dst->genres, &src->genres);
	tally_merge(&dst->fields, &src->fields);
	for (k = 0; k < nscripts; k++)
		dst->scripts[k] += src->scripts[k];
	for (i = 0; i < src->lchars.n; i++) {
		vec_push(&dst->lchars, src->lchars.v[i]);
		vec_push(&dst->lbytes, src->lbytes.v[i]);
	}
	for (i = 0; i < src->nwriters; i++) {
		if (dst->nwriters == dst->capwriters) {
			dst->capwriters = dst->capwriters ?
			    2 * dst->capwriters : 64;
			dst->writers = erealloc(dst->writers,
			    dst->capwriters * sizeof(*dst->writers));
		}
		dst->writers[dst->nwriters++] = estrdup(src->writers[i]);
	}
	dst->tokens += src->tokens;
	dst->sequences += src->sequences;
}

static void
facts_free(struct facts *f)
{
	size_t i;

	tally_free(&f->licenses);
	tally_free(&f->forms);
	tally_free(&f->languages);
	tally_free(&f->genres);
	tally_free(&f->fields);
	free(f->scripts);
	free(f->ascii);
	free(f->lanes);
	free(f->lchars.v);
	free(f->lbytes.v);
	for (i = 0; i < f->nwriters; i++)
		free(f->writers[i]);
	free(f->writers);
}

/*
 * The value at percentile p of the sorted v by the nearest-rank method:
 * the smallest value with at least p% of the values at or below it.
 */
static uint64_t
percentile(const struct vec *v, unsigned p)
{
	size_t rank = (v->n * p + 99) / 100;

	return v->v[rank > 0 ? rank - 1 : 0];
}

/* A share as a percentage with one decimal, rounded half up: "85.7". */
static void
percent(char *out, size_t size, uint64_t part, uint64_t whole)
{
	uint64_t t = whole ? (part * 1000 + whole / 2) / whole : 0;

	snprintf(out, size, "%llu.%llu", (unsigned long long)(t / 10),
	    (unsigned long long)(t % 10));
}

/* ---- JSON ------------------------------------------------------------ */

static struct json_object *
jcheck(struct json_object *o)
{
	if (o == NULL)
		die(EXIT_OSERR, "out of memory");
	return o;
}

static struct json_object *
jobj(void)
{
	return jcheck(json_object_new_object());
}

static struct json_object *
jarr(void)
{
	return jcheck(json_object_new_array());
}

/* A JSON string, or null for NULL. */
static struct json_object *
jstr(const char *s)
{
	return s != NULL ? jcheck(json_object_new_string(s)) : NULL;
}

static struct json_object *
jint(uint64_t v)
{
	return jcheck(json_object_new_int64((int64_t)v));
}

static struct json_object *
jbool(int b)
{
	return jcheck(json_object_new_boolean(b));
}

/* A percentage written as percent() spells it, not as json-c's %.17g. */
static struct json_object *
jpct(uint64_t part, uint64_t whole)
{
	char s[32];
	uint64_t t = whole ? (part * 1000 + whole / 2) / whole : 0;

	percent(s, sizeof(s), part, whole);
	return jcheck(json_object_new_double_s((double)t / 10, s));
}

/* Add v (taking it over; NULL is null) as key of o. */
static void
jadd(struct json_object *o, const char *key, struct json_object *v)
{
	if (json_object_object_add(o, key, v) != 0)
		die(EXIT_OSERR, "out of memory");
}

static void
jpush(struct json_object *a, struct json_object *v)
{
	if (json_object_array_add(a, v) != 0)
		die(EXIT_OSERR, "out of memory");
}

/* A reference to the object with @id id. */
static struct json_object *
jref(const char *id)
{
	struct json_object *o = jobj();

	jadd(o, "@id", jstr(id));
	return o;
}

/* ---- input files ----------------------------------------------------- */

/*
 * The whole file at path, NUL-terminated, in a string the caller frees;
 * its length in *len.  A file that cannot be opened is fatal with
 * missing_status.
 */
static char *
slurp(const char *path, int missing_status, size_t *len)
{
	struct buf b = { 0 };
	char chunk[8192];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		die(missing_status, "%s:", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_put(&b, chunk, n);
	if (ferror(fp))
		die(EXIT_NOINPUT, "read error: %s:", path);
	fclose(fp);
	if (b.s == NULL)
		buf_put(&b, "", 0);
	*len = b.len;
	return b.s;
}

/* Hash the file at path into fs (its size too); unreadable is EXIT_NOINPUT. */
static void
hash_file(const char *path, struct file_sum *fs)
{
	struct hash_sha256 h;
	unsigned char *chunk;
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	chunk = emalloc(READ_CHUNK);
	hash_sha256_init(&h);
	fs->size = 0;
	while ((n = fread(chunk, 1, READ_CHUNK, fp)) > 0) {
		hash_sha256_update(&h, chunk, n);
		fs->size += n;
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "read error: %s:", path);
	fclose(fp);
	free(chunk);
	hash_sha256_hex(&h, fs->sha256);
}

static int
is_dir(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int
exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* ---- the board's rules ----------------------------------------------- */

/*
 * Check uses.csv, the intended uses and licenses.csv as the stages do
 * (any fault is EXIT_CONFIG), and keep each intended use's description.
 */
static void
read_policies(struct release *r)
{
	struct csv_table *t;
	struct list known;
	char *path;
	size_t i, k;
	int cuse, cdesc;

	policy_known_uses(r->policies, &known);
	r->ls = licenses_load(r->policies, &known);
	list_free(&known);
	policy_uses(r->policies, r->uses_arg, policy_cutoff(r->cutoff),
	    &r->uses);
	path = easprintf("%s/uses.csv", r->policies);
	t = csvt_read(path, EXIT_CONFIG, EXIT_CONFIG);
	free(path);
	cuse = csvt_col(t, "use");
	cdesc = csvt_col(t, "description");
	r->use_desc = ecalloc(r->uses.n + 1, sizeof(*r->use_desc));
	for (k = 0; k < r->uses.n; k++)
		for (i = 0; i < t->nrows; i++)
			if (strcmp(csvt_cell(&t->rows[i], cuse),
			    r->uses.items[k]) == 0) {
				r->use_desc[k] = estrdup(csvt_cell(&t->rows[i],
				    cdesc));
				break;
			}
	csvt_free(t);
}

/* ---- inputs.lock ----------------------------------------------------- */

static int
is_sha256(const char *s, size_t n)
{
	size_t i;

	if (n != 64)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/*
 * Parse "SHA256  PATH" (sha256sum's format) at s into h; return -1 if s
 * is not of that form.
 */
static int
parse_hashed(const char *s, struct hashed *h)
{
	const char *sp = strchr(s, ' ');

	if (sp == NULL || !is_sha256(s, (size_t)(sp - s)) || sp[1] != ' ' ||
	    sp[2] == '\0')
		return -1;
	free(h->sha256);
	free(h->path);
	h->sha256 = estrndup(s, 64);
	h->path = estrdup(sp + 2);
	return 0;
}

/*
 * Read DIR/inputs.lock as the Makefile writes it: "quire VERSION",
 * "option K=V" and "KIND SHA256  PATH" lines for the pipeline, the
 * ledger, each policy file and each drop file.  Kinds it does not know
 * are skipped, so that a later quire may lock more.
 */
static void
read_lock(struct release *r)
{
	struct lockfile *lk = &r->lock;
	struct hashed h = { NULL, NULL };
	struct readahead ra = { NULL, 0, 0 };
	char *path, *line = NULL, *sp, *rest;
	size_t cap = 0, lineno = 0, len;
	int64_t n;
	FILE *fp;

	path = easprintf("%s/inputs.lock", r->dir);
	if ((fp = fopen(path, "r")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	while ((n = etextline(&line, &cap, &ra, fp, path, lineno + 1)) >= 0) {
		lineno++;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if ((sp = strchr(line, ' ')) == NULL)
			die(EXIT_DATAERR, "%s:%zu: malformed line", path,
			    lineno);
		*sp = '\0';
		rest = sp + 1;
		if (strcmp(line, "quire") == 0) {
			free(lk->quire);
			lk->quire = estrdup(rest);
		} else if (strcmp(line, "option") == 0) {
			if ((sp = strchr(rest, '=')) == NULL)
				die(EXIT_DATAERR, "%s:%zu: option without '='",
				    path, lineno);
			lk->optk = erealloc(lk->optk,
			    (lk->noptions + 1) * sizeof(*lk->optk));
			lk->optv = erealloc(lk->optv,
			    (lk->noptions + 1) * sizeof(*lk->optv));
			lk->optk[lk->noptions] = estrndup(rest,
			    (size_t)(sp - rest));
			lk->optv[lk->noptions++] = estrdup(sp + 1);
		} else if (strcmp(line, "ledger") == 0 ||
		    strcmp(line, "pipeline") == 0 ||
		    strcmp(line, "previous") == 0 ||
		    strcmp(line, "policy") == 0 || strcmp(line, "drop") == 0) {
			if (parse_hashed(rest, &h) != 0)
				die(EXIT_DATAERR, "%s:%zu: not \"%s SHA256  "
				    "PATH\"", path, lineno, line);
			if (strcmp(line, "ledger") == 0) {
				free(lk->ledger.sha256);
				free(lk->ledger.path);
				lk->ledger = h;
			} else if (strcmp(line, "pipeline") == 0) {
				free(lk->pipeline.sha256);
				free(lk->pipeline.path);
				lk->pipeline = h;
			} else if (strcmp(line, "previous") == 0) {
				free(lk->previous.sha256);
				free(lk->previous.path);
				lk->previous = h;
			} else if (strcmp(line, "policy") == 0) {
				lk->policies = erealloc(lk->policies,
				    (lk->npolicies + 1) *
				    sizeof(*lk->policies));
				lk->policies[lk->npolicies++] = h;
			} else {
				lk->drop_files++;
				if (strcmp(h.path, "manifest.csv") == 0) {
					free(lk->manifest.sha256);
					free(lk->manifest.path);
					lk->manifest = h;
				} else {
					free(h.sha256);
					free(h.path);
				}
			}
			h.sha256 = h.path = NULL;
		}
	}
	if (ferror(fp))
		die(EXIT_NOINPUT, "read error: %s:", path);
	fclose(fp);
	free(line);
	free(ra.buf);
	free(path);
}

/* The value of "option KEY=..." in inputs.lock, or NULL. */
static const char *
lock_option(const struct lockfile *lk, const char *key)
{
	size_t i;

	for (i = 0; i < lk->noptions; i++)
		if (strcmp(lk->optk[i], key) == 0)
			return lk->optv[i];
	return NULL;
}

/* Split s at blanks, ',' and ';' into a new array; its length in *n. */
static char **
split_words(const char *s, size_t *n)
{
	char **v = NULL;
	const char *p = s, *e;

	*n = 0;
	for (;;) {
		while (*p != '\0' && strchr(" \t\n,;", *p) != NULL)
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && strchr(" \t\n,;", *e) == NULL; e++)
			;
		v = erealloc(v, (*n + 1) * sizeof(*v));
		v[(*n)++] = estrndup(p, (size_t)(e - p));
		p = e;
	}
	return v;
}

static void
free_words(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/*
 * The previous version that inputs.lock names ("previous SHA256
 * VERSION/SHA256SUMS", as make dataset writes it), in a string the caller
 * frees, or NULL.
 */
static char *
lock_previous(const struct lockfile *lk)
{
	const char *p = lk->previous.path, *slash;

	if (p == NULL || (slash = strchr(p, '/')) == NULL || slash == p)
		return NULL;
	return estrndup(p, (size_t)(slash - p));
}

/*
 * The options name what inputs.lock already records: when both say, they
 * must agree, or the datasheets would describe another release.  The
 * previous version comes from inputs.lock when -P does not give it.
 */
static void
check_lock(struct release *r)
{
	const struct lockfile *lk = &r->lock;
	const char *v;
	struct list uses;
	char **words;
	size_t i, n;
	int same;

	if ((v = lock_option(lk, "NAME")) != NULL && strcmp(v, r->name) != 0)
		die(EXIT_CONFIG, "--name %s disagrees with inputs.lock "
		    "(NAME=%s)", r->name, v);
	if ((v = lock_option(lk, "VERSION")) != NULL &&
	    strcmp(v, r->version) != 0)
		die(EXIT_CONFIG, "--release-version %s disagrees with "
		    "inputs.lock (VERSION=%s)", r->version, v);
	if ((v = lock_option(lk, "CUTOFF")) != NULL &&
	    strcmp(v, r->cutoff) != 0)
		die(EXIT_CONFIG, "--cutoff %s disagrees with inputs.lock "
		    "(CUTOFF=%s)", r->cutoff, v);
	if ((v = lock_option(lk, "USES")) != NULL) {
		same = list_split(v, &uses) == 0 && uses.n == r->uses.n;
		for (i = 0; same && i < uses.n; i++)
			same = strcmp(uses.items[i], r->uses.items[i]) == 0;
		list_free(&uses);
		if (!same)
			die(EXIT_CONFIG, "--uses %s disagrees with inputs.lock "
			    "(USES=%s)", r->uses_arg, v);
	}
	if ((v = lock_option(lk, "STAGES")) != NULL) {
		words = split_words(v, &n);
		/* tokenize runs on the shards, after the stream's stages. */
		if (n > 0 && strcmp(words[n - 1], "tokenize") == 0)
			free(words[--n]);
		same = n == r->nstages;
		for (i = 0; same && i < n; i++)
			same = strcmp(words[i], r->stages[i]) == 0;
		free_words(words, n);
		if (!same)
			die(EXIT_CONFIG, "--stages disagrees with inputs.lock "
			    "(STAGES=%s)", v);
	}
	if ((r->lock_prev = lock_previous(lk)) != NULL) {
		if (r->previous != NULL && strcmp(r->previous,
		    r->lock_prev) != 0)
			die(EXIT_CONFIG, "--previous %s disagrees with "
			    "inputs.lock (previous %s)", r->previous,
			    r->lock_prev);
		r->previous = r->lock_prev;
	}
}

/* ---- the stages' statistics ------------------------------------------ */

/* The non-negative integer key of o, or die naming path. */
static int64_t
stats_count(struct json_object *o, const char *key, const char *path)
{
	struct json_object *v;
	int64_t n;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < 0)
		die(EXIT_DATAERR, "%s: %s is not a count", path, key);
	return n;
}

/* The object key of o, NULL when absent; anything else is fatal. */
static struct json_object *
stats_object(struct json_object *o, const char *key, const char *path,
    int required)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL) {
		if (required)
			die(EXIT_DATAERR, "%s: no %s object", path, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_object))
		die(EXIT_DATAERR, "%s: %s is not an object", path, key);
	return v;
}

/*
 * Read DIR/stats-STAGE.json: one JSON object (RFC 8259, strict) with the
 * keys of stats.h.  stage, records_in, records_out and rejected must be
 * there; version, bytes, options and figures may be missing, as a stage
 * written in another language might leave them out.
 */
static void
read_stage(const struct release *r, struct stage *s)
{
	struct json_tokener *tok;
	struct json_object *v;
	char *path, *text;
	const char *name;
	size_t len, end;
	int64_t n;

	path = easprintf("%s/stats-%s.json", r->stats_dir, s->name);
	text = slurp(path, EXIT_NOINPUT, &len);
	if ((tok = json_tokener_new()) == NULL)
		die(EXIT_OSERR, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	s->o = json_tokener_parse_ex(tok, text, (int)len);
	end = s->o != NULL ? (size_t)json_tokener_get_parse_end(tok) : 0;
	while (end < len && strchr(" \t\r\n", text[end]) != NULL)
		end++;
	if (s->o == NULL || json_tokener_get_error(tok) !=
	    json_tokener_success || end != len ||
	    !json_object_is_type(s->o, json_type_object))
		die(EXIT_DATAERR, "%s: not one JSON object", path);
	json_tokener_free(tok);
	free(text);
	if (!json_object_object_get_ex(s->o, "stage", &v) ||
	    !json_object_is_type(v, json_type_string))
		die(EXIT_DATAERR, "%s: no stage name", path);
	name = json_object_get_string(v);
	if (strcmp(name, s->name) != 0)
		die(EXIT_DATAERR, "%s: the statistics of stage %s, not %s",
		    path, name, s->name);
	s->version = "unknown";
	if (json_object_object_get_ex(s->o, "version", &v) &&
	    json_object_is_type(v, json_type_string))
		s->version = json_object_get_string(v);
	s->records_in = stats_count(s->o, "records_in", path);
	s->records_out = stats_count(s->o, "records_out", path);
	s->bytes_in = s->bytes_out = -1;
	if (json_object_object_get_ex(s->o, "bytes_in", &v))
		s->bytes_in = stats_count(s->o, "bytes_in", path);
	if (json_object_object_get_ex(s->o, "bytes_out", &v))
		s->bytes_out = stats_count(s->o, "bytes_out", path);
	s->rejected = stats_object(s->o, "rejected", path, 1);
	s->options = stats_object(s->o, "options", path, 0);
	s->figures = stats_object(s->o, "figures", path, 0);
	s->nrejected = 0;
	json_object_object_foreach(s->rejected, reason, count) {
		if (!json_object_is_type(count, json_type_int) ||
		    (n = json_object_get_int64(count)) < 0)
			die(EXIT_DATAERR, "%s: rejected.%s is not a count",
			    path, reason);
		s->nrejected += (uint64_t)n;
	}
	free(path);
}

/* The count of reason in s's statistics, 0 when absent. */
static uint64_t
stage_rejected(const struct stage *s, const char *reason)
{
	struct json_object *v;

	if (!json_object_object_get_ex(s->rejected, reason, &v))
		return 0;
	return (uint64_t)json_object_get_int64(v);
}

/* ---- lineage.csv and rejects.csv ------------------------------------- */

static int
cmp_shard_file(const void *key, const void *elem)
{
	return strcmp(key, ((const struct shard *)elem)->file);
}

static struct shard *
find_shard(const struct release *r, const char *file)
{
	return r->nsh == 0 ? NULL : bsearch(file, r->sh, r->nsh,
	    sizeof(*r->sh), cmp_shard_file);
}

/* A non-negative decimal number, or -1. */
static long long
parse_index(const char *s)
{
	long long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (1LL << 40))
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * Read lineage.csv into each shard's list of ids by index, so that every
 * record read can be checked against it.  The ids stay borrowed from the
 * table, which the release keeps.
 */
static void
read_lineage(struct release *r)
{
	static const char *const cols[] = { "id", "shard", "index", NULL };
	struct csv_table *t;
	const struct csv_row *row;
	struct shard *s;
	char *path;
	long long ix;
	size_t i, k;
	int cid, cshard, cindex;

	path = easprintf("%s/lineage.csv", r->dir);
	t = csvt_read(path, EXIT_NOINPUT, EXIT_DATAERR);
	free(path);
	csvt_require(t, cols, EXIT_DATAERR);
	cid = csvt_col(t, "id");
	cshard = csvt_col(t, "shard");
	cindex = csvt_col(t, "index");
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		if ((s = find_shard(r, csvt_cell(row, cshard))) == NULL)
			die(EXIT_DATAERR, "%s:%zu: shard \"%s\" is not in "
			    "shards/", t->path, row->line,
			    csvt_cell(row, cshard));
		if ((ix = parse_index(csvt_cell(row, cindex))) < 0)
			die(EXIT_DATAERR, "%s:%zu: index \"%s\" is not a "
			    "number", t->path, row->line,
			    csvt_cell(row, cindex));
		if ((size_t)ix >= s->nids) {
			s->ids = erealloc(s->ids, ((size_t)ix + 1) *
			    sizeof(*s->ids));
			for (k = s->nids; k <= (size_t)ix; k++)
				s->ids[k] = NULL;
			s->nids = (size_t)ix + 1;
		}
		if (s->ids[ix] != NULL)
			die(EXIT_DATAERR, "%s:%zu: index %lld of %s is listed "
			    "twice", t->path, row->line, ix, s->file);
		s->ids[ix] = csvt_cell(row, cid);
	}
	r->lineage_rows = t->nrows;
	r->lineage = t;
}

/*
 * Is the lineage cell c the id?  quire's CSV writer puts a "'" before a
 * cell that a spreadsheet would run as a formula, so "'-x" stands for "-x".
 */
static int
same_id(const char *c, const char *id)
{
	if (c == NULL)
		return 0;
	if (c[0] == '\'' && id[0] != '\0' && strchr("=+-@\t\r", id[0]) != NULL)
		c++;
	return strcmp(c, id) == 0;
}

/* Count rejects.csv's rows by stage and reason. */
static void
read_rejects(struct release *r)
{
	static const char *const cols[] = { "stage", "reason", NULL };
	struct csv_table *t;
	const struct csv_row *row;
	const char *stage;
	char *path;
	size_t i, k;
	int cstage, creason;

	path = easprintf("%s/rejects.csv", r->dir);
	t = csvt_read(path, EXIT_NOINPUT, EXIT_DATAERR);
	free(path);
	csvt_require(t, cols, EXIT_DATAERR);
	cstage = csvt_col(t, "stage");
	creason = csvt_col(t, "reason");
	for (i = 0; i < t->nrows; i++) {
		row = &t->rows[i];
		stage = csvt_cell(row, cstage);
		for (k = 0; k < r->nstages; k++)
			if (strcmp(r->stages[k], stage) == 0)
				break;
		if (k == r->nstages)
			die(EXIT_DATAERR, "%s:%zu: stage \"%s\" is not one of "
			    "--stages", t->path, row->line, stage);
		tally_add(&r->st[k].csv_rejects, csvt_cell(row, creason), 1);
	}
	r->nrejects = t->nrows;
	csvt_free(t);
}

/* ---- the shards ------------------------------------------------------- */

static int
cmp_shard(const void *a, const void *b)
{
	return strcmp(((const struct shard *)a)->file,
	    ((const struct shard *)b)->file);
}

/*
 * Split "NAME-SPLIT-NNNNN.jsonl.zst" into s; return -1 if file is not
 * named so (five digits or more; a split of a-z, 0-9 and '_').
 */
static int
parse_shard_name(const struct release *r, const char *file, struct shard *s)
{
	size_t len = strlen(file), nlen = strlen(r->name), slen, d, b;
	const char *sp;
	size_t i;

	slen = strlen(SHARD_SUFFIX);
	if (len <= nlen + 1 + slen || strncmp(file, r->name, nlen) != 0 ||
	    file[nlen] != '-' || strcmp(file + len - slen, SHARD_SUFFIX) != 0)
		return -1;
	b = len - slen;		/* end of the base */
	for (d = b; d > nlen + 1 && file[d - 1] >= '0' && file[d - 1] <= '9';
	    d--)
		;
	if (b - d < 5 || file[d - 1] != '-' || d - 1 <= nlen + 1)
		return -1;
	sp = file + nlen + 1;
	for (i = 0; i < d - 1 - (nlen + 1); i++)
		if (!((sp[i] >= 'a' && sp[i] <= 'z') ||
		    (sp[i] >= '0' && sp[i] <= '9') || sp[i] == '_'))
			return -1;
	s->file = estrdup(file);
	s->base = estrndup(file, b);
	s->split = estrndup(sp, d - 1 - (nlen + 1));
	s->path = easprintf("%s/shards/%s", r->dir, file);
	s->zst.rel = easprintf("shards/%s", file);
	return 0;
}

/* Find the shards in DIR/shards, in byte order of their names. */
static void
list_shards(struct release *r)
{
	struct dirent *de;
	struct shard s;
	char *dir, *bin, *idx;
	size_t cap = 0, i;
	DIR *dp;
	int hb, hi;

	dir = easprintf("%s/shards", r->dir);
	if ((dp = opendir(dir)) == NULL)
		die(EXIT_NOINPUT, "%s:", dir);
	while ((errno = 0, de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.' || strlen(de->d_name) <=
		    strlen(SHARD_SUFFIX) || strcmp(de->d_name +
		    strlen(de->d_name) - strlen(SHARD_SUFFIX),
		    SHARD_SUFFIX) != 0)
			continue;
		memset(&s, 0, sizeof(s));
		if (parse_shard_name(r, de->d_name, &s) != 0)
			die(EXIT_DATAERR, "%s/%s: not named %s-SPLIT-NNNNN%s",
			    dir, de->d_name, r->name, SHARD_SUFFIX);
		if (r->nsh == cap) {
			cap = cap ? 2 * cap : 16;
			r->sh = erealloc(r->sh, cap * sizeof(*r->sh));
		}
		r->sh[r->nsh++] = s;
	}
	if (errno != 0)
		die(EXIT_NOINPUT, "%s:", dir);
	closedir(dp);
	sort(r->sh, r->nsh, sizeof(*r->sh), cmp_shard);
	for (i = 0; i < r->nsh; i++) {
		facts_init(&r->sh[i].f, r->nscripts);
		bin = easprintf("%s/%s.bin", dir, r->sh[i].base);
		idx = easprintf("%s/%s.idx", dir, r->sh[i].base);
		hb = exists(bin);
		hi = exists(idx);
		if (hb != hi)
			die(EXIT_DATAERR, "%s: %s without its %s", dir,
			    hb ? bin : idx, hb ? ".idx" : ".bin");
		r->sh[i].has_tokens = hb;
		free(bin);
		free(idx);
	}
	free(dir);
}

static uint64_t
get_le(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

/*
 * The tokens of a shard: its .idx (Megatron-LM MMIDIDX version 1, as
 * quire-tokenize writes it) gives the sequence count and each sequence's
 * size; both files are hashed for Croissant.
 */
static void
read_tokens(const struct release *r, struct shard *s)
{
	unsigned char *p;
	char *path;
	size_t len, i;
	uint64_t nseq, sum = 0;

	s->bin.rel = easprintf("shards/%s.bin", s->base);
	s->idx.rel = easprintf("shards/%s.idx", s->base);
	path = easprintf("%s/%s", r->dir, s->bin.rel);
	hash_file(path, &s->bin);
	free(path);
	path = easprintf("%s/%s", r->dir, s->idx.rel);
	hash_file(path, &s->idx);
	p = (unsigned char *)slurp(path, EXIT_NOINPUT, &len);
	if (len < IDX_HEAD || memcmp(p, IDX_MAGIC, 9) != 0 ||
	    get_le(p + 9, 8) != 1)
		die(EXIT_DATAERR, "%s: not a Megatron-LM index (MMIDIDX "
		    "version 1)", path);
	nseq = get_le(p + 18, 8);
	if (nseq > (len - IDX_HEAD) / 4)
		die(EXIT_DATAERR, "%s: %llu sequences do not fit in the file",
		    path, (unsigned long long)nseq);
	for (i = 0; i < nseq; i++)
		sum += get_le(p + IDX_HEAD + 4 * i, 4);
	s->f.tokenized = 1;
	s->f.tokens = sum;
	s->f.sequences = nseq;
	free(p);
	free(path);
}

/*
 * The fields of a record that are counted, found by lib/jscan without
 * building the record: the shards are checked as strictly as by
 * record_next, at a fraction of the cost.
 */
static const struct jscan_field wanted[NFIELDS] = {
	[F_ID] = { "id", NULL, 0, NULL, 0, 0 },
	[F_WRITER] = { "writer", NULL, 0, NULL, 0, 0 },
	[F_LICENSE] = { "license", NULL, 0, NULL, 0, 0 },
	[F_LANGUAGE] = { "language", NULL, 0, NULL, 0, 0 },
	[F_GENRE] = { "genre", NULL, 0, NULL, 0, 0 },
	[F_FORM] = { "consent", "form_version", 0, NULL, 0, 0 },
	[F_TEXT] = { "text", NULL, 0, NULL, 0, 0 },
};

/*
 * Field k's string, unescaped into s's buffer for it (NUL-terminated,
 * length in *len when len is not NULL); NULL when it is no string.
 */
static const char *
field_str(struct shard *s, const struct jscan_field *f, int k, size_t *len)
{
	size_t n;

	if (f[k].type != JSCAN_STRING)
		return NULL;
	n = record_unescape(f[k].str, f[k].len, f[k].escaped, &s->str[k],
	    &s->cap[k]);
	if (len != NULL)
		*len = n;
	return s->str[k];
}

/* Field k's string, or NULL when it is absent, not a string or "". */
static const char *
opt_field(struct shard *s, const struct jscan_field *f, int k)
{
	const char *v = field_str(s, f, k, NULL);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* jscan_key_fn: tally a top-level key of the record being counted. */
static void
take_key(void *arg, const char *key, size_t len, int escaped)
{
	struct shard *s = arg;

	/* The buffer of F_TEXT is free until take(). */
	record_unescape(key, len, escaped, &s->str[F_TEXT], &s->cap[F_TEXT]);
	tally_once(&s->f.fields, s->str[F_TEXT], s->f.docs);
}

/* The script of code point c (-1: invalid UTF-8), by ICU. */
static int
script_of(int32_t c, int nscripts)
{
	UErrorCode err = U_ZERO_ERROR;
	int sc;

	if (c < 0)
		return USCRIPT_UNKNOWN;
	sc = uscript_getScript(c, &err);
	return U_FAILURE(err) || sc < 0 || sc >= nscripts ? USCRIPT_UNKNOWN :
	    sc;
}

/*
 * UTF-8 by the top five bits of a byte: the bytes of the sequence it
 * starts (1 for a continuation byte), the bits of its own it adds to the
 * code point, and how far the four bytes decoded as one must shift right.
 */
static const unsigned char seq_len[32] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 1
};
static const unsigned char lead_mask[5] = { 0, 0x7F, 0x1F, 0x0F, 0x07 };
static const unsigned char seq_shift[5] = { 0, 18, 12, 6, 0 };

/*
 * Count the character that byte p[0] starts, if it starts one, in lane,
 * by script; return 1 if it does.  p[1..3] must be readable.  Every
 * byte is decoded as if it began a character, without a branch (the
 * bytes of mixed scripts would defeat prediction), and counted 0 times
 * when it is a continuation byte.
 */
static inline unsigned
count_char(uint64_t *lane, int nscripts, const unsigned char *p)
{
	unsigned b = p[0], n = seq_len[b >> 3], start = (b & 0xC0) != 0x80;
	uint32_t cp;
	int sc;

	cp = ((uint32_t)(b & lead_mask[n]) << 18 | (uint32_t)(p[1] & 0x3F) <<
	    12 | (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F)) >> seq_shift[n];
	sc = n == 4 ? script_of((int32_t)cp, nscripts) : bmp_script[cp];
	lane[sc] += start;
	return start;
}

/*
 * Count the characters of text by script.  The text is valid UTF-8: the
 * record reader checked the line, and unescaping keeps it so.  Eight
 * bytes of ASCII go at once; other words byte by byte, each byte in its
 * lane.  The last bytes are copied where three more can be read.
 */
static void
count_text(struct facts *f, int nscripts, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char tail[8 + 3 + 8] = { 0 };
	size_t i = 0, j, n;
	uint64_t (*a)[128] = f->ascii, *lane = f->lanes, chars = 0, w;

	for (; len - i >= 8 + 3; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & 0x8080808080808080ULL) == 0) {
			a[0][s[i]]++, a[1][s[i + 1]]++;
			a[2][s[i + 2]]++, a[3][s[i + 3]]++;
			a[4][s[i + 4]]++, a[5][s[i + 5]]++;
			a[6][s[i + 6]]++, a[7][s[i + 7]]++;
			chars += 8;
			continue;
		}
		for (j = 0; j < 8; j++)
			chars += count_char(lane + j * (size_t)nscripts,
			    nscripts, s + i + j);
	}
	n = len - i;
	memcpy(tail, s + i, n);
	for (j = 0; j < n; j++)
		chars += count_char(lane + (j % 8) * (size_t)nscripts,
		    nscripts, tail + j);
	f->chars += chars;
	f->text_bytes += len;
	vec_push(&f->lchars, chars);
	vec_push(&f->lbytes, len);
}

/*
 * Count one record of shard s (read by in): its license, consent form,
 * language, genre, fields, writer and text.  It must be the document that
 * lineage.csv puts at this index, and have the fields every release
 * record has; anything else is EXIT_DATAERR naming the shard and line.
 */
static void
take(const struct release *r, struct shard *s, const struct jscan_field *fl,
    const struct record_in *in)
{
	struct facts *f = &s->f;
	const struct license *lic;
	const char *id, *writer, *spelling, *text;
	size_t ix = (size_t)f->docs, len = 0;

	if ((id = opt_field(s, fl, F_ID)) == NULL)
		die(EXIT_DATAERR, "%s:%zu: record without id", in->name,
		    in->lineno);
	if (ix >= s->nids || !same_id(s->ids[ix], id))
		die(EXIT_DATAERR, "%s:%zu: document %s is not the one "
		    "lineage.csv puts at index %zu of %s", in->name, in->lineno,
		    id, ix, s->file);
	if ((writer = opt_field(s, fl, F_WRITER)) == NULL)
		die(EXIT_DATAERR, "%s:%zu: record without writer", in->name,
		    in->lineno);
	if ((spelling = opt_field(s, fl, F_LICENSE)) == NULL)
		die(EXIT_DATAERR, "%s:%zu: record without license", in->name,
		    in->lineno);
	/* license-tag wrote the SPDX id; a spelling resolves as it did. */
	if ((lic = licenses_lookup(r->ls, spelling, strlen(spelling))) == NULL)
		die(EXIT_DATAERR, "%s:%zu: license \"%s\" is not in "
		    "licenses.csv", in->name, in->lineno, spelling);
	if (fl[F_TEXT].type != JSCAN_STRING)
		die(EXIT_DATAERR, "%s:%zu: record without text", in->name,
		    in->lineno);
	f->docs++;
	tally_add(&f->licenses, lic->spdx, 1);
	tally_add(&f->forms, opt_field(s, fl, F_FORM), 1);
	tally_add(&f->languages, opt_field(s, fl, F_LANGUAGE), 1);
	tally_add(&f->genres, opt_field(s, fl, F_GENRE), 1);
	if (f->nwriters == f->capwriters) {
		f->capwriters = f->capwriters ? 2 * f->capwriters : 64;
		f->writers = erealloc(f->writers,
		    f->capwriters * sizeof(*f->writers));
	}
	f->writers[f->nwriters++] = estrdup(writer);
	if (fl[F_TEXT].escaped)
		text = field_str(s, fl, F_TEXT, &len);
	else {
		text = fl[F_TEXT].str;
		len = fl[F_TEXT].len;
	}
	count_text(f, r->nscripts, text, len);
}

/*
 * Parse the complete lines p[0..n) through lib's record reader, so that
 * shards are held to the same strict JSON as every stage's input: the
 * reader takes a FILE, and fmemopen(3) makes one of the bytes at hand.
 * in->lineno runs on across calls.
 */
static void
take_lines(const struct release *r, struct shard *s, struct record_in *in,
    char *p, size_t n, struct reading *rd)
{
	struct jscan_field f[NFIELDS];
	uint64_t records = 0, bytes = in->bytes;

	if ((in->fp = fmemopen(p, n, "r")) == NULL)
		die(EXIT_OSERR, "fmemopen:");
	while (record_next_line(in)) {
		memcpy(f, wanted, sizeof(f));
		record_scan_keys(in, f, NFIELDS, take_key, s);
		take(r, s, f, in);
		records++;
	}
	pthread_mutex_lock(&rd->mu);
	rd->records += records;
	rd->bytes += in->bytes - bytes;
	progress_update(&rd->pg, rd->records, rd->bytes);
	pthread_mutex_unlock(&rd->mu);
}

/*
 * Hand every complete line of pending to take_lines; keep the rest.  The
 * bytes before from hold no newline (what was left last time), so only
 * the new ones are searched: a long line costs one pass, not one a chunk.
 */
static void
take_complete(const struct release *r, struct shard *s, struct record_in *in,
    struct buf *pending, size_t from, struct reading *rd)
{
	size_t k = pending->len;

	while (k > from && pending->s[k - 1] != '\n')
		k--;
	if (k == from)
		return;
	take_lines(r, s, in, pending->s, k, rd);
	memmove(pending->s, pending->s + k, pending->len - k);
	pending->len -= k;
}

/*
 * Read shard s: decompress it with libzstd's streaming API, a chunk at a
 * time, hashing the compressed bytes on the way, and count every record.
 * Memory is bounded by the chunk and the longest record.
 */
static void
read_shard(const struct release *r, struct shard *s, struct reading *rd)
{
	struct record_in in;
	struct hash_sha256 h;
	struct buf pending = { 0 };
	ZSTD_inBuffer zin;
	ZSTD_outBuffer zout;
	ZSTD_DCtx *dctx;
	unsigned char *chunk;
	size_t n, ret = 1, got, before, from, outsize = ZSTD_DStreamOutSize();
	FILE *fp;
	int k;

	if ((fp = fopen(s->path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", s->path);
	if ((dctx = ZSTD_createDCtx()) == NULL)
		die(EXIT_OSERR, "out of memory");
	chunk = emalloc(READ_CHUNK);
	hash_sha256_init(&h);
	record_in_init(&in, 0, NULL);
	in.next = 1;		/* no stdin after the last chunk */
	in.name = s->zst.rel;
	s->zst.size = 0;
	for (;;) {
		if ((n = fread(chunk, 1, READ_CHUNK, fp)) == 0) {
			if (ferror(fp))
				die(EXIT_NOINPUT, "read error: %s:", s->path);
			break;
		}
		hash_sha256_update(&h, chunk, n);
		s->zst.size += n;
		zin.src = chunk;
		zin.size = n;
		zin.pos = 0;
		from = pending.len;
		/*
		 * A full output buffer may leave data inside zstd: call
		 * again.  Only a call that moved data tells whether the frame
		 * is complete (0); an idle one asks for the next frame.
		 */
		do {
			if (pending.cap < pending.len + outsize + 1) {
				pending.cap = pending.len + outsize + 1;
				pending.s = erealloc(pending.s, pending.cap);
			}
			zout.dst = pending.s + pending.len;
			zout.size = outsize;
			zout.pos = 0;
			before = zin.pos;
			got = ZSTD_decompressStream(dctx, &zout, &zin);
			if (ZSTD_isError(got))
				die(EXIT_DATAERR, "%s: not a valid zstd "
				    "stream: %s", s->zst.rel,
				    ZSTD_getErrorName(got));
			if (zout.pos > 0 || zin.pos > before)
				ret = got;
			pending.len += zout.pos;
		} while (zin.pos < zin.size || zout.pos == zout.size);
		take_complete(r, s, &in, &pending, from, rd);
	}
	if (s->zst.size == 0)
		die(EXIT_DATAERR, "%s: empty file, not a zstd frame",
		    s->zst.rel);
	if (ret != 0)
		die(EXIT_DATAERR, "%s: truncated zstd frame", s->zst.rel);
	if (pending.len > 0)
		take_lines(r, s, &in, pending.s, pending.len, rd);
	s->f.bytes = in.bytes;
	s->f.compressed = s->zst.size;
	hash_sha256_hex(&h, s->zst.sha256);
	if (s->nids != s->f.docs)
		die(EXIT_DATAERR, "%s: lineage.csv lists %zu documents, the "
		    "shard holds %llu", s->zst.rel, s->nids,
		    (unsigned long long)s->f.docs);
	record_in_free(&in);
	for (k = 0; k < NFIELDS; k++) {
		free(s->str[k]);
		s->str[k] = NULL;
		s->cap[k] = 0;
	}
	buf_free(&pending);
	free(chunk);
	ZSTD_freeDCtx(dctx);
	fclose(fp);
}

/* ---- consistency ------------------------------------------------------ */

/*
 * The numbers the datasheets state must agree wherever they are found:
 * each stage passes on what it did not reject (records_in = records_out
 * + rejected), takes what the previous one passed on, and rejects.csv
 * holds exactly the rejects each stage counted; the last stage passes on
 * the documents in the shards.  So every manifest row is in the shards or
 * in rejects.csv, once (DESIGN.md, promise 1).  Any difference is
 * EXIT_DATAERR: a datasheet must not state what the release contradicts.
 */
static void
check_counts(const struct release *r)
{
	const struct stage *s, *prev = NULL;
	size_t k, i;
	uint64_t csv;

	for (k = 0; k < r->nstages; k++, prev = s) {
		s = &r->st[k];
		if ((uint64_t)s->records_in != (uint64_t)s->records_out +
		    s->nrejected)
			die(EXIT_DATAERR, "stats-%s.json: records_in %lld is "
			    "not records_out %lld + %llu rejected", s->name,
			    (long long)s->records_in, (long long)s->records_out,
			    (unsigned long long)s->nrejected);
		if (prev != NULL && s->records_in != prev->records_out)
			die(EXIT_DATAERR, "stats-%s.json: records_in %lld, but "
			    "%s passed on %lld", s->name,
			    (long long)s->records_in, prev->name,
			    (long long)prev->records_out);
		for (i = 0; i < s->csv_rejects.n; i++) {
			csv = s->csv_rejects.v[i].n;
			if (csv != stage_rejected(s, s->csv_rejects.v[i].key))
				die(EXIT_DATAERR, "rejects.csv has %llu rows "
				    "of %s,%s; stats-%s.json counts %llu",
				    (unsigned long long)csv, s->name,
				    s->csv_rejects.v[i].key, s->name,
				    (unsigned long long)stage_rejected(s,
				    s->csv_rejects.v[i].key));
		}
		json_object_object_foreach(s->rejected, reason, v) {
			if (json_object_get_int64(v) > 0 &&
			    tally_get(&s->csv_rejects, reason) == 0)
				die(EXIT_DATAERR, "stats-%s.json counts %lld "
				    "rejects of %s; rejects.csv has none",
				    s->name,
				    (long long)json_object_get_int64(v),
				    reason);
		}
	}
	if ((uint64_t)prev->records_out != r->total.docs)
		die(EXIT_DATAERR, "stats-%s.json: records_out %lld, but the "
		    "shards hold %llu documents", prev->name,
		    (long long)prev->records_out,
		    (unsigned long long)r->total.docs);
	if (r->lineage_rows != r->total.docs)
		die(EXIT_DATAERR, "lineage.csv has %llu rows for %llu "
		    "documents", (unsigned long long)r->lineage_rows,
		    (unsigned long long)r->total.docs);
}

/* ---- what the outputs say --------------------------------------------- */

/* What each known stage does, in a sentence. */
static const struct {
	const char *name;
	const char *what;
} stage_text[] = {
	{ "consent-filter", "Replays the consent ledger up to the cut-off and "
	    "keeps a work only if its writer's last covering event grants "
	    "every intended use." },
	{ "dedupe", "Drops exact and near duplicates, keeps the latest "
	    "revision of a work, and holds collisions between writers for the "
	    "board's review." },
	{ "ingest", "Reads the manifest and the works, checks paths, dates and "
	    "ids, converts every work to UTF-8 and emits one record per "
	    "submission." },
	{ "license-tag", "Resolves each license to its SPDX id, keeps a work "
	    "only if its license permits every intended use, and adds the "
	    "attribution line." },
	{ "normalize", "Unicode normalization, line endings, control and "
	    "invisible characters; keeps line breaks, indentation and stanza "
	    "breaks." },
	{ "scrub", "Replaces personal data (the patterns of the policies' "
	    "pii.csv: e-mail addresses, phone numbers, IBANs, card numbers) "
	    "with placeholders in the text and the free-text fields." },
	{ "shard", "Cuts the stream into zstd shards of bounded size and "
	    "splits train from validation by a hash of each id." },
	{ "tokenize", "Tokenizes each text with byte-level BPE into "
	    "Megatron-LM .bin/.idx files." }
};

/* The record fields the card and Croissant describe, when present. */
static const struct {
	const char *name;
	const char *type;	/* Croissant dataType */
	const char *what;
} field_text[] = {
	{ "id", "sc:Text", "Stable document id, derived from the submission "
	    "id." },
	{ "text", "sc:Text", "The work, normalized and with personal data "
	    "replaced by placeholders." },
	{ "writer", "sc:Text", "The writer's pseudonymous id." },
	{ "credit", "sc:Text", "The name the writer chose to be credited by, "
	    "or null." },
	{ "title", "sc:Text", "The work's title, or null." },
	{ "submitted", "sc:Date", "When the work was submitted (ISO 8601)." },
	{ "language", "sc:Text", "The language the writer gave for the "
	    "work." },
	{ "genre", "sc:Text", "The genre the writer gave for the work." },
	{ "revision_of", "sc:Text", "The submission id this work revises, or "
	    "null." },
	{ "license", "sc:Text", "The SPDX id of the work's license." },
	{ "attribution", "sc:Text", "The credit line that sharing the work "
	    "must carry." }
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static const char *
stage_what(const char *name)
{
	size_t i;

	for (i = 0; i < NELEM(stage_text); i++)
		if (strcmp(stage_text[i].name, name) == 0)
			return stage_text[i].what;
	return NULL;
}

static const struct stage *
find_stage(const struct release *r, const char *name)
{
	size_t k;

	for (k = 0; k < r->nstages; k++)
		if (strcmp(r->stages[k], name) == 0)
			return &r->st[k];
	return NULL;
}

/* The stage's figure key, or -1 when the stage or the figure is absent. */
static int64_t
figure(const struct release *r, const char *stage, const char *key)
{
	const struct stage *s = find_stage(r, stage);
	struct json_object *v;

	if (s == NULL || s->figures == NULL ||
	    !json_object_object_get_ex(s->figures, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* Replacements scrub made: the sum of its figures but records_scrubbed. */
static int64_t
scrub_replacements(const struct release *r)
{
	const struct stage *s = find_stage(r, "scrub");
	int64_t n = 0;

	if (s == NULL || s->figures == NULL)
		return -1;
	json_object_object_foreach(s->figures, k, v) {
		if (strcmp(k, "records_scrubbed") != 0 &&
		    json_object_is_type(v, json_type_int))
			n += json_object_get_int64(v);
	}
	return n;
}

/* A JSON value as text: strings as they are, others as JSON. */
static const char *
value_text(struct json_object *v)
{
	if (v == NULL)
		return "null";
	if (json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static void
md_u64(struct buf *b, uint64_t n)
{
	buf_printf(b, "%llu", (unsigned long long)n);
}

/* "a, b and c" of the intended uses. */
static void
md_uses_list(struct buf *b, const struct release *r)
{
	size_t k;

	for (k = 0; k < r->uses.n; k++) {
		if (k > 0)
			buf_puts(b, k + 1 == r->uses.n ? " and " : ", ");
		buf_md(b, r->uses.items[k]);
	}
}

/* A table of a tally: value, works, share; by count or by value. */
static void
md_tally(struct buf *b, const char *col, const struct tally *t,
    uint64_t docs, int by_count, const char *none)
{
	const struct count **v;
	char pct[32];
	size_t i;

	if (t->n == 0) {
		buf_puts(b, "None.\n");
		return;
	}
	buf_printf(b, "| %s | works | share |\n|---|---:|---:|\n", col);
	v = tally_by_count(t);
	for (i = 0; i < t->n; i++) {
		const struct count *c = by_count ? v[i] : &t->v[i];

		buf_puts(b, "| ");
		if (c->key != NULL)
			buf_md(b, c->key);
		else
			buf_puts(b, none);
		percent(pct, sizeof(pct), c->n, docs);
		buf_printf(b, " | %llu | %s%% |\n", (unsigned long long)c->n,
		    pct);
	}
	free(v);
}

/* Script codes by decreasing count of characters, then by code. */
static int *
scripts_by_count(const uint64_t *sc, int nscripts, int *n)
{
	int *v, i, j, k, t;

	v = ecalloc((size_t)nscripts + 1, sizeof(*v));
	for (i = k = 0; i < nscripts; i++)
		if (sc[i] > 0)
			v[k++] = i;
	/* Insertion sort: a text holds a handful of scripts. */
	for (i = 1; i < k; i++)
		for (j = i; j > 0 && (sc[v[j]] > sc[v[j - 1]] ||
		    (sc[v[j]] == sc[v[j - 1]] && strcmp(uscript_getShortName(
		    (UScriptCode)v[j]), uscript_getShortName(
		    (UScriptCode)v[j - 1])) < 0)); j--) {
			t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*n = k;
	return v;
}

static void
md_lengths(struct buf *b, const struct facts *f)
{
	static const unsigned p[] = { 25, 50, 75 };
	const struct vec *v;
	int row;
	size_t i;

	if (f->docs == 0) {
		buf_puts(b, "No documents.\n");
		return;
	}
	buf_puts(b, "| per document | min | Q1 | median | Q3 | max |\n"
	    "|---|---:|---:|---:|---:|---:|\n");
	for (row = 0; row < 2; row++) {
		v = row == 0 ? &f->lchars : &f->lbytes;
		buf_puts(b, row == 0 ? "| characters | " :
		    "| bytes (UTF-8) | ");
		md_u64(b, v->v[0]);
		for (i = 0; i < NELEM(p); i++) {
			buf_puts(b, " | ");
			md_u64(b, percentile(v, p[i]));
		}
		buf_puts(b, " | ");
		md_u64(b, v->v[v->n - 1]);
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\nQuartiles by the nearest-rank method: the smallest "
	    "length with at least a quarter, half or three quarters of the "
	    "documents at or below it.\n");
}

/* The Composition section of the facts f (a shard's or the release's). */
static void
md_composition(struct buf *b, const struct release *r, const struct facts *f)
{
	int *sc, nsc, i;
	char pct[32];

	buf_puts(b, "\n## Composition\n\n"
	    "Each document is one work a writer submitted (a poem, a story, "
	    "an essay), one JSON object per line.\n\n");
	buf_puts(b, "- **Documents:** ");
	md_u64(b, f->docs);
	buf_puts(b, "\n- **Writers:** ");
	md_u64(b, f->nwriters);
	buf_puts(b, " (counted by their pseudonymous ids, never listed)\n"
	    "- **Text:** ");
	md_u64(b, f->chars);
	buf_puts(b, " characters, ");
	md_u64(b, f->text_bytes);
	buf_puts(b, " bytes of UTF-8\n- **JSON Lines:** ");
	md_u64(b, f->bytes);
	buf_puts(b, " bytes, ");
	md_u64(b, f->compressed);
	buf_puts(b, " bytes compressed with zstd\n- **Tokens:** ");
	if (f->tokenized) {
		md_u64(b, f->tokens);
		buf_puts(b, " in ");
		md_u64(b, f->sequences);
		buf_puts(b, " sequences (Megatron-LM .bin/.idx)\n");
	} else
		buf_puts(b, "not tokenized\n");

	buf_puts(b, "\n### Works per license\n\n");
	md_tally(b, "license (SPDX)", &f->licenses, f->docs, 0, "none");
	buf_puts(b, "\n### Works per consent form version\n\n");
	md_tally(b, "form version", &f->forms, f->docs, 0,
	    "no consent recorded");
	buf_puts(b, "\n### Languages\n\nThe language each writer gave for "
	    "the work (the records' \"language\"), not detected.\n\n");
	md_tally(b, "language", &f->languages, f->docs, 1, "not given");
	buf_puts(b, "\n### Genres\n\n");
	md_tally(b, "genre", &f->genres, f->docs, 1, "not given");

	buf_puts(b, "\n### Scripts\n\nEvery character of the texts by its "
	    "Unicode script (ICU, Unicode " U_UNICODE_VERSION "). Common "
	    "holds spaces, punctuation and digits that all scripts share; "
	    "Inherited, combining marks.\n\n");
	sc = scripts_by_count(f->scripts, r->nscripts, &nsc);
	if (nsc == 0)
		buf_puts(b, "None.\n");
	else
		buf_puts(b, "| script | code | characters | share |\n"
		    "|---|---|---:|---:|\n");
	for (i = 0; i < nsc; i++) {
		percent(pct, sizeof(pct), f->scripts[sc[i]], f->chars);
		buf_printf(b, "| %s | %s | %llu | %s%% |\n",
		    uscript_getName((UScriptCode)sc[i]),
		    uscript_getShortName((UScriptCode)sc[i]),
		    (unsigned long long)f->scripts[sc[i]], pct);
	}
	free(sc);
	buf_puts(b, "\n### Length distribution\n\n");
	md_lengths(b, f);
}

static void
md_sha(struct buf *b, const char *label, const struct hashed *h)
{
	buf_puts(b, label);
	if (h->sha256 == NULL) {
		buf_puts(b, "not recorded in inputs.lock\n");
		return;
	}
	buf_md(b, h->path);
	buf_puts(b, ", SHA-256 ");
	buf_puts(b, h->sha256);
	buf_puts(b, "\n");
}

static void
md_collection(struct buf *b, const struct release *r)
{
	const struct lockfile *lk = &r->lock;
	const char *drop = lock_option(lk, "DROP");
	size_t i;

	buf_puts(b, "\n## Collection\n\n"
	    "Writers submitted their works to the cooperative through its "
	    "submission form and signed a consent form. The form's export is "
	    "a drop: a manifest with one row per work, the consent ledger "
	    "and the works' files. Nothing was collected from elsewhere. "
	    "inputs.lock holds the SHA-256 of every input.\n\n");
	buf_puts(b, "- **Drop:** ");
	if (drop != NULL)
		buf_md(b, drop);
	else
		buf_puts(b, "not recorded in inputs.lock");
	buf_printf(b, " (%zu files", lk->drop_files);
	if (lk->manifest.sha256 != NULL)
		buf_printf(b, "; manifest.csv SHA-256 %s", lk->manifest.sha256);
	buf_puts(b, ")\n");
	md_sha(b, "- **Consent ledger:** ", &lk->ledger);
	buf_puts(b, "- **Cut-off:** ");
	buf_md(b, r->cutoff);
	if (find_stage(r, "consent-filter") != NULL) {
		buf_puts(b, ". A work is in only if, replaying the ledger's "
		    "events dated on or before the cut-off, the last event "
		    "covering the work grants every intended use (");
		md_uses_list(b, r);
		buf_puts(b, ").\n");
	} else
		buf_puts(b, ". No consent-filter stage ran: the ledger was not "
		    "replayed for this release.\n");
	md_sha(b, "- **Pipeline:** ", &lk->pipeline);
	buf_puts(b, "- **quire:** ");
	buf_md(b, lk->quire != NULL ? lk->quire : "not recorded");
	buf_puts(b, "\n- **Policies:**");
	if (lk->npolicies == 0)
		buf_puts(b, " not recorded in inputs.lock");
	buf_puts(b, "\n");
	for (i = 0; i < lk->npolicies; i++) {
		buf_puts(b, "  - ");
		buf_md(b, lk->policies[i].path);
		buf_printf(b, ", SHA-256 %s\n", lk->policies[i].sha256);
	}
}

/* "k=v, k=v" of a JSON object; only non-zero numbers when nonzero. */
static void
md_object(struct buf *b, struct json_object *o, int nonzero)
{
	int first = 1;

	if (o != NULL) {
		json_object_object_foreach(o, k, v) {
			if (nonzero && json_object_is_type(v, json_type_int) &&
			    json_object_get_int64(v) == 0)
				continue;
			buf_puts(b, first ? "" : ", ");
			buf_md(b, k);
			buf_puts(b, "=");
			buf_md(b, value_text(v));
			first = 0;
		}
	}
	if (first)
		buf_puts(b, "none");
}

static void
md_preprocessing(struct buf *b, const struct release *r)
{
	const struct stage *s;
	const char *what;
	size_t k;

	buf_puts(b, "\n## Preprocessing\n\n"
	    "The stages that made the release, in order, with the version "
	    "and options each recorded (for the whole release). A stage "
	    "passes on every record it does not reject; each reject is a row "
	    "of rejects.csv with its reason. No text was added to a work.\n\n"
	    "| # | stage | version | records in | records out | rejected |\n"
	    "|---:|---|---|---:|---:|---:|\n");
	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		buf_printf(b, "| %zu | ", k + 1);
		buf_md(b, s->name);
		buf_puts(b, " | ");
		buf_md(b, s->version);
		buf_printf(b, " | %lld | %lld | %llu |\n",
		    (long long)s->records_in, (long long)s->records_out,
		    (unsigned long long)s->nrejected);
	}
	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		buf_printf(b, "\n### %zu. ", k + 1);
		buf_md(b, s->name);
		buf_puts(b, "\n\n");
		if ((what = stage_what(s->name)) != NULL) {
			buf_puts(b, what);
			buf_puts(b, "\n\n");
		}
		buf_puts(b, "- Options: ");
		md_object(b, s->options, 0);
		buf_puts(b, "\n- Rejected: ");
		md_object(b, s->rejected, 1);
		buf_puts(b, "\n- Figures: ");
		md_object(b, s->figures, 1);
		buf_puts(b, "\n");
	}
}

static void
md_uses(struct buf *b, const struct release *r)
{
	size_t k;

	buf_puts(b, "\n## Uses\n\n"
	    "The intended uses of the release, as the board describes them "
	    "in uses.csv.");
	if (find_stage(r, "consent-filter") != NULL)
		buf_puts(b, " Every work's writer granted each of them "
		    "(consent-filter).");
	if (find_stage(r, "license-tag") != NULL)
		buf_puts(b, " Every work's license permits each of them "
		    "(license-tag).");
	buf_puts(b, "\n\n");
	for (k = 0; k < r->uses.n; k++) {
		buf_puts(b, "- **");
		buf_md(b, r->uses.items[k]);
		buf_puts(b, "**: ");
		buf_md(b, r->use_desc[k] != NULL ? r->use_desc[k] : "");
		buf_puts(b, "\n");
	}
	buf_puts(b, "\nNo other use is covered: the writers consented to "
	    "these uses only. Using a work otherwise needs its writer's "
	    "permission and its license's.\n");
}

static const struct license *
license_of(const struct release *r, const char *spdx)
{
	return licenses_find(r->ls, spdx);
}

/* What lic permits, as words: "any use" or "evaluate, research". */
static void
md_permits(struct buf *b, const struct license *lic)
{
	size_t i;

	if (lic->anyuse) {
		buf_puts(b, "any use");
		return;
	}
	if (lic->uses.n == 0)
		buf_puts(b, "no use");
	for (i = 0; i < lic->uses.n; i++) {
		buf_puts(b, i > 0 ? ", " : "");
		buf_md(b, lic->uses.items[i]);
	}
}

static void
md_distribution(struct buf *b, const struct release *r,
    const struct facts *f)
{
	const struct license *lic;
	size_t i;
	int sa = 0, at = 0;

	buf_puts(b, "\n## Distribution\n\n"
	    "Each work keeps its writer's license; no one license covers the "
	    "release as a whole.\n\n");
	if (f->licenses.n == 0) {
		buf_puts(b, "No work, so no license.\n");
		return;
	}
	buf_puts(b, "| license | works | attribution | share-alike | "
	    "permits |\n|---|---:|---|---|---|\n");
	for (i = 0; i < f->licenses.n; i++) {
		lic = license_of(r, f->licenses.v[i].key);
		buf_puts(b, "| ");
		buf_md(b, lic->spdx);
		buf_printf(b, " | %llu | %s | %s | ",
		    (unsigned long long)f->licenses.v[i].n,
		    lic->attribution ? "required" : "no",
		    lic->share_alike ? "yes" : "no");
		md_permits(b, lic);
		buf_puts(b, " |\n");
		at |= lic->attribution;
		sa |= lic->share_alike;
	}
	buf_puts(b, "\n");
	if (at)
		buf_printf(b, "- Attribution: whoever shares a work under a "
		    "license that requires it, or an adaptation of it, must "
		    "credit its writer by the name they chose, give its title, "
		    "name the license and say whether the work was changed. "
		    "Each record carries its attribution line%s.\n",
		    r->has_credits ? "; CREDITS.md lists every writer's works" :
		    "");
	if (sa) {
		buf_puts(b, "- Share-alike: adaptations of works under ");
		for (i = 0; i < f->licenses.n; i++) {
			lic = license_of(r, f->licenses.v[i].key);
			if (!lic->share_alike)
				continue;
			buf_md(b, lic->spdx);
			buf_puts(b, " ");
		}
		buf_puts(b, "must be shared under the same license.\n");
	}
	buf_puts(b, "- SPDX ids link to their texts at "
	    "<https://spdx.org/licenses/>.\n");
}

static void
md_maintenance(struct buf *b, const struct release *r)
{
	buf_puts(b, "\n## Maintenance\n\n- **Release:** ");
	buf_md(b, r->name);
	buf_puts(b, ", version ");
	buf_md(b, r->version);
	buf_puts(b, "\n- **Previous version:** ");
	if (r->previous != NULL)
		buf_md(b, r->previous);
	else
		buf_puts(b, "none");
	buf_puts(b, "\n- **Contact:** ");
	if (r->contact != NULL)
		buf_md(b, r->contact);
	else
		buf_puts(b, "not given");
	buf_puts(b, "\n\nA published version is never rewritten. New "
	    "submissions, a withdrawn consent or a changed rule make a new "
	    "version, a new major version when works leave it; users of an "
	    "older version should move to the newest. SHA256SUMS lists every "
	    "file of the release.\n");
}

/* ---- the same facts as JSON ------------------------------------------- */

/* A tally as [{"<name>": value, "works": n, "percent": p}, ...]. */
static struct json_object *
json_tally(const struct tally *t, const char *name, uint64_t docs,
    int by_count)
{
	struct json_object *a = jarr(), *o;
	const struct count **v = tally_by_count(t);
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct count *c = by_count ? v[i] : &t->v[i];

		o = jobj();
		jadd(o, name, jstr(c->key));
		jadd(o, "works", jint(c->n));
		jadd(o, "percent", jpct(c->n, docs));
		jpush(a, o);
	}
	free(v);
	return a;
}

static struct json_object *
json_lengths(const struct vec *v)
{
	struct json_object *o = jobj();

	if (v->n == 0) {
		jadd(o, "min", NULL);
		jadd(o, "q1", NULL);
		jadd(o, "median", NULL);
		jadd(o, "q3", NULL);
		jadd(o, "max", NULL);
		return o;
	}
	jadd(o, "min", jint(v->v[0]));
	jadd(o, "q1", jint(percentile(v, 25)));
	jadd(o, "median", jint(percentile(v, 50)));
	jadd(o, "q3", jint(percentile(v, 75)));
	jadd(o, "max", jint(v->v[v->n - 1]));
	return o;
}

static struct json_object *
json_composition(const struct release *r, const struct facts *f)
{
	struct json_object *o = jobj(), *a, *x, *len;
	int *sc, nsc, i;

	jadd(o, "documents", jint(f->docs));
	jadd(o, "writers", jint(f->nwriters));
	jadd(o, "characters", jint(f->chars));
	jadd(o, "text_bytes", jint(f->text_bytes));
	jadd(o, "bytes", jint(f->bytes));
	jadd(o, "compressed_bytes", jint(f->compressed));
	if (f->tokenized) {
		x = jobj();
		jadd(x, "tokens", jint(f->tokens));
		jadd(x, "sequences", jint(f->sequences));
		jadd(o, "tokens", x);
	} else
		jadd(o, "tokens", NULL);
	jadd(o, "licenses", json_tally(&f->licenses, "spdx", f->docs, 0));
	jadd(o, "consent_forms", json_tally(&f->forms, "form_version",
	    f->docs, 0));
	jadd(o, "languages", json_tally(&f->languages, "language", f->docs,
	    1));
	jadd(o, "genres", json_tally(&f->genres, "genre", f->docs, 1));
	a = jarr();
	sc = scripts_by_count(f->scripts, r->nscripts, &nsc);
	for (i = 0; i < nsc; i++) {
		x = jobj();
		jadd(x, "script", jstr(uscript_getName((UScriptCode)sc[i])));
		jadd(x, "code", jstr(uscript_getShortName((UScriptCode)sc[i])));
		jadd(x, "characters", jint(f->scripts[sc[i]]));
		jadd(x, "percent", jpct(f->scripts[sc[i]], f->chars));
		jpush(a, x);
	}
	free(sc);
	jadd(o, "scripts", a);
	jadd(o, "unicode_version", jstr(U_UNICODE_VERSION));
	len = jobj();
	jadd(len, "method", jstr("nearest-rank"));
	jadd(len, "characters", json_lengths(&f->lchars));
	jadd(len, "bytes", json_lengths(&f->lbytes));
	jadd(o, "length", len);
	return o;
}

static struct json_object *
json_hashed(const struct hashed *h)
{
	struct json_object *o;

	if (h->sha256 == NULL)
		return NULL;
	o = jobj();
	jadd(o, "path", jstr(h->path));
	jadd(o, "sha256", jstr(h->sha256));
	return o;
}

static struct json_object *
json_uses(const struct release *r)
{
	struct json_object *a = jarr(), *o;
	size_t k;

	for (k = 0; k < r->uses.n; k++) {
		o = jobj();
		jadd(o, "use", jstr(r->uses.items[k]));
		jadd(o, "description", jstr(r->use_desc[k]));
		jpush(a, o);
	}
	return a;
}

static struct json_object *
json_collection(const struct release *r)
{
	const struct lockfile *lk = &r->lock;
	struct json_object *o = jobj(), *a;
	size_t i;

	jadd(o, "drop", jstr(lock_option(lk, "DROP")));
	jadd(o, "drop_files", jint(lk->drop_files));
	jadd(o, "manifest_sha256", jstr(lk->manifest.sha256));
	jadd(o, "ledger", json_hashed(&lk->ledger));
	jadd(o, "cutoff", jstr(r->cutoff));
	jadd(o, "pipeline", json_hashed(&lk->pipeline));
	jadd(o, "quire", jstr(lk->quire));
	a = jarr();
	for (i = 0; i < lk->npolicies; i++)
		jpush(a, json_hashed(&lk->policies[i]));
	jadd(o, "policies", a);
	return o;
}

static struct json_object *
json_preprocessing(const struct release *r)
{
	struct json_object *a = jarr(), *o;
	const struct stage *s;
	size_t k;

	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		o = jobj();
		jadd(o, "stage", jstr(s->name));
		jadd(o, "version", jstr(s->version));
		jadd(o, "description", jstr(stage_what(s->name)));
		jadd(o, "records_in", jint((uint64_t)s->records_in));
		jadd(o, "records_out", jint((uint64_t)s->records_out));
		jadd(o, "rejected", json_object_get(s->rejected));
		jadd(o, "bytes_in", s->bytes_in < 0 ? NULL :
		    jint((uint64_t)s->bytes_in));
		jadd(o, "bytes_out", s->bytes_out < 0 ? NULL :
		    jint((uint64_t)s->bytes_out));
		jadd(o, "options", s->options != NULL ?
		    json_object_get(s->options) : jobj());
		jadd(o, "figures", s->figures != NULL ?
		    json_object_get(s->figures) : jobj());
		jpush(a, o);
	}
	return a;
}

static struct json_object *
json_distribution(const struct release *r, const struct facts *f)
{
	struct json_object *a = jarr(), *o, *u;
	const struct license *lic;
	size_t i, k;

	for (i = 0; i < f->licenses.n; i++) {
		lic = license_of(r, f->licenses.v[i].key);
		o = jobj();
		jadd(o, "spdx", jstr(lic->spdx));
		jadd(o, "works", jint(f->licenses.v[i].n));
		jadd(o, "attribution", jbool(lic->attribution));
		jadd(o, "share_alike", jbool(lic->share_alike));
		u = jarr();
		if (lic->anyuse)
			jpush(u, jstr("*"));
		for (k = 0; k < lic->uses.n; k++)
			jpush(u, jstr(lic->uses.items[k]));
		jadd(o, "permits", u);
		jpush(a, o);
	}
	o = jobj();
	jadd(o, "licenses", a);
	jadd(o, "credits", jstr(r->has_credits ? "CREDITS.md" : NULL));
	return o;
}

static struct json_object *
json_maintenance(const struct release *r)
{
	struct json_object *o = jobj();

	jadd(o, "name", jstr(r->name));
	jadd(o, "version", jstr(r->version));
	jadd(o, "previous_version", jstr(r->previous));
	jadd(o, "contact", jstr(r->contact));
	jadd(o, "immutable", jbool(1));
	return o;
}

/* Serialize o, pretty, with a final newline, into b; o is put. */
static void
json_to_buf(struct buf *b, struct json_object *o)
{
	size_t len;
	const char *s;

	s = json_object_to_json_string_length(o, JSON_FLAGS, &len);
	if (s == NULL)
		die(EXIT_OSERR, "out of memory");
	buf_put(b, s, len);
	buf_puts(b, "\n");
	json_object_put(o);
}

/* ---- the files --------------------------------------------------------- */

static void
remove_committed(void)
{
	size_t i;

	for (i = 0; !finished && i < ncommitted; i++)
		unlink(committed[i]);
}

/* Forget the outputs: they stay.  Call when everything is written. */
static void
keep_committed(void)
{
	size_t i;

	finished = 1;
	for (i = 0; i < ncommitted; i++)
		free(committed[i]);
	free(committed);
	committed = NULL;
	ncommitted = 0;
}

/* Write b to DIR/rel, whole or not at all; see committed. */
static void
write_file(const struct release *r, const char *rel, const struct buf *b)
{
	struct afile *af;
	char *path;

	if (committed == NULL && atexit(remove_committed) != 0)
		die(EXIT_OSERR, "atexit failed");
	path = easprintf("%s/%s", r->dir, rel);
	committed = erealloc(committed, (ncommitted + 1) * sizeof(*committed));
	af = afile_open(path);
	efwrite(b->s, b->len, af->fp, path);
	afile_commit(af);
	committed[ncommitted++] = path;
}

static void
shard_md(struct buf *b, const struct release *r, const struct shard *s)
{
	buf_puts(b, "# Datasheet: ");
	buf_md(b, s->file);
	buf_puts(b, "\n\nShard ");
	buf_md(b, s->zst.rel);
	buf_puts(b, " of the ");
	buf_md(b, s->split);
	buf_puts(b, " split of release ");
	buf_md(b, r->name);
	buf_puts(b, " ");
	buf_md(b, r->version);
	buf_printf(b, ", SHA-256 %s. The sections are those of \"Datasheets "
	    "for Datasets\" (Gebru et al.) that apply to one shard; "
	    "datasheet.md covers the release. quire-datasheet made them from "
	    "the shard itself and the stages' statistics; %s.datasheet.json "
	    "holds the same facts.\n", s->zst.sha256, s->base);
	md_composition(b, r, &s->f);
	md_collection(b, r);
	md_preprocessing(b, r);
	md_uses(b, r);
	md_distribution(b, r, &s->f);
	md_maintenance(b, r);
}

static void
shard_json(struct buf *b, const struct release *r, const struct shard *s)
{
	struct json_object *o = jobj(), *x;

	jadd(o, "generator", jstr("quire-datasheet " VERSION));
	x = jobj();
	jadd(x, "file", jstr(s->zst.rel));
	jadd(x, "split", jstr(s->split));
	jadd(x, "sha256", jstr(s->zst.sha256));
	jadd(x, "compressed_bytes", jint(s->zst.size));
	jadd(o, "shard", x);
	jadd(o, "composition", json_composition(r, &s->f));
	jadd(o, "collection", json_collection(r));
	jadd(o, "preprocessing", json_preprocessing(r));
	jadd(o, "uses", json_uses(r));
	jadd(o, "distribution", json_distribution(r, &s->f));
	jadd(o, "maintenance", json_maintenance(r));
	json_to_buf(b, o);
}

/* The splits found, train first, then validation, then others by name. */
static int
split_rank(const char *s)
{
	if (strcmp(s, "train") == 0)
		return 0;
	if (strcmp(s, "validation") == 0)
		return 1;
	return 2;
}

static int
cmp_split(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int c = split_rank(x) - split_rank(y);

	return c != 0 ? c : strcmp(x, y);
}

/* The distinct splits of the shards, in cmp_split order; borrowed. */
static const char **
splits_of(const struct release *r, size_t *n)
{
	const char **v;
	size_t i, j;

	v = ecalloc(r->nsh + 1, sizeof(*v));
	*n = 0;
	for (i = 0; i < r->nsh; i++) {
		for (j = 0; j < *n; j++)
			if (strcmp(v[j], r->sh[i].split) == 0)
				break;
		if (j == *n)
			v[(*n)++] = r->sh[i].split;
	}
	sort(v, *n, sizeof(*v), cmp_split);
	return v;
}

/*
 * Append one list item per split: its documents and shards.  Return the
 * number of splits.
 */
static size_t
md_splits(struct buf *b, const struct release *r)
{
	const char **splits;
	uint64_t docs, nshards;
	size_t i, k, nsplits;

	splits = splits_of(r, &nsplits);
	for (k = 0; k < nsplits; k++) {
		for (i = docs = nshards = 0; i < r->nsh; i++)
			if (strcmp(r->sh[i].split, splits[k]) == 0) {
				docs += r->sh[i].f.docs;
				nshards++;
			}
		buf_puts(b, "- ");
		buf_md(b, splits[k]);
		buf_printf(b, ": %llu %s in %llu %s\n",
		    (unsigned long long)docs, plural(docs, "document",
		    "documents"), (unsigned long long)nshards,
		    plural(nshards, "shard", "shards"));
	}
	free(splits);
	return nsplits;
}

static void
release_md(struct buf *b, const struct release *r)
{
	const struct stage *s;
	size_t i, k;

	buf_puts(b, "# Datasheet: ");
	buf_md(b, r->name);
	buf_puts(b, " ");
	buf_md(b, r->version);
	buf_puts(b, "\n\nThe release's datasheet, in the sections of "
	    "\"Datasheets for Datasets\" (Gebru et al.). quire-datasheet made "
	    "it from the shards themselves, lineage.csv, rejects.csv, "
	    "inputs.lock and the stages' statistics; each shard has its own "
	    "beside it in shards/.\n");
	md_composition(b, r, &r->total);
	buf_puts(b, "\n### Shards\n\n");
	md_splits(b, r);
	if (r->nsh == 0)
		buf_puts(b, "No shards.\n");
	else
		buf_puts(b, "\n| shard | split | documents | writers | bytes | "
		    "compressed | tokens |\n"
		    "|---|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < r->nsh; i++) {
		buf_puts(b, "| ");
		buf_md(b, r->sh[i].file);
		buf_puts(b, " | ");
		buf_md(b, r->sh[i].split);
		buf_printf(b, " | %llu | %zu | %llu | %llu | ",
		    (unsigned long long)r->sh[i].f.docs, r->sh[i].f.nwriters,
		    (unsigned long long)r->sh[i].f.bytes,
		    (unsigned long long)r->sh[i].f.compressed);
		if (r->sh[i].f.tokenized)
			md_u64(b, r->sh[i].f.tokens);
		else
			buf_puts(b, "-");
		buf_puts(b, " |\n");
	}
	md_collection(b, r);
	md_preprocessing(b, r);

	buf_puts(b, "\n### Rejects\n\nEvery submission not in the shards, "
	    "counted from rejects.csv by stage and reason.\n\n");
	if (r->nrejects == 0)
		buf_puts(b, "None.\n");
	else
		buf_puts(b, "| stage | reason | works |\n|---|---|---:|\n");
	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		for (i = 0; i < s->csv_rejects.n; i++) {
			buf_puts(b, "| ");
			buf_md(b, s->name);
			buf_puts(b, " | ");
			buf_md(b, s->csv_rejects.v[i].key);
			buf_printf(b, " | %llu |\n",
			    (unsigned long long)s->csv_rejects.v[i].n);
		}
	}
	if (r->nrejects > 0)
		buf_printf(b, "| all | | %llu |\n",
		    (unsigned long long)r->nrejects);

	buf_puts(b, "\n### Conservation\n\nEvery manifest row is in the "
	    "shards or in rejects.csv, exactly once:\n\n- ");
	md_u64(b, (uint64_t)r->st[0].records_in);
	buf_puts(b, " manifest rows (the records ");
	buf_md(b, r->st[0].name);
	buf_puts(b, " read) = ");
	md_u64(b, r->total.docs);
	buf_puts(b, " documents in the shards + ");
	md_u64(b, r->nrejects);
	buf_puts(b, " rejects.\n- lineage.csv has ");
	md_u64(b, r->lineage_rows);
	buf_puts(b, " rows, one per document, each matched to the document "
	    "at its place in its shard.\n- Each stage passed on what it read "
	    "less what it rejected, and rejects.csv holds exactly the rejects "
	    "each stage counted.\n");
	md_uses(b, r);
	md_distribution(b, r, &r->total);
	md_maintenance(b, r);
	if (r->has_changes && r->previous != NULL)
		buf_puts(b, "\nCHANGES.md says what changed against the "
		    "previous version, and why.\n");
}

/* ---- the dataset card -------------------------------------------------- */

/* The Hub's license ids (huggingface.co/docs/hub/repositories-licenses). */
static const char *const hub_ids[] = {
	"afl-3.0", "agpl-3.0", "apache-2.0", "artistic-2.0", "bsd-2-clause",
	"bsd-3-clause", "bsd-3-clause-clear", "bsl-1.0", "c-uda",
	"cc-by-2.0", "cc-by-2.5", "cc-by-3.0", "cc-by-4.0", "cc-by-nc-2.0",
	"cc-by-nc-3.0", "cc-by-nc-4.0", "cc-by-nc-nd-3.0", "cc-by-nc-nd-4.0",
	"cc-by-nc-sa-2.0", "cc-by-nc-sa-3.0", "cc-by-nc-sa-4.0",
	"cc-by-nd-4.0", "cc-by-sa-3.0", "cc-by-sa-4.0", "cc0-1.0",
	"cdla-permissive-1.0", "cdla-permissive-2.0", "cdla-sharing-1.0",
	"ecl-2.0", "epl-1.0", "epl-2.0", "etalab-2.0", "eupl-1.1", "gfdl",
	"gpl-2.0", "gpl-3.0", "isc", "lgpl-2.1", "lgpl-3.0", "lgpl-lr",
	"lppl-1.3c", "mit", "mpl-2.0", "ms-pl", "ncsa", "odbl", "odc-by",
	"ofl-1.1", "osl-3.0", "pddl", "postgresql", "unlicense", "wtfpl",
	"zlib"
};

/* SPDX ids the Hub spells otherwise than by lower case alone. */
static const struct {
	const char *spdx;	/* lower case */
	const char *hub;
} hub_alias[] = {
	{ "c-uda-1.0", "c-uda" }, { "lgpllr", "lgpl-lr" },
	{ "odbl-1.0", "odbl" }, { "odc-by-1.0", "odc-by" },
	{ "pddl-1.0", "pddl" }
};

/*
 * The Hub's license id for an SPDX id: its lower case, without "-only"
 * or "-or-later" (the Hub has one id per GNU license version), the GFDL
 * as its family, a few renamings; "other" for what the Hub does not list,
 * LicenseRef ids included.  The result is static or borrowed.
 */
static const char *
hub_license(const char *spdx)
{
	static char low[128];
	const char *const *p;
	size_t n, i;

	n = strlen(spdx);
	if (n >= sizeof(low))
		return "other";
	for (i = 0; i <= n; i++)
		low[i] = (spdx[i] >= 'A' && spdx[i] <= 'Z') ?
		    (char)(spdx[i] - 'A' + 'a') : spdx[i];
	if (n > 5 && strcmp(low + n - 5, "-only") == 0)
		low[n - 5] = '\0';
	else if (n > 9 && strcmp(low + n - 9, "-or-later") == 0)
		low[n - 9] = '\0';
	if (strncmp(low, "gfdl-", 5) == 0)
		return "gfdl";
	for (i = 0; i < NELEM(hub_alias); i++)
		if (strcmp(low, hub_alias[i].spdx) == 0)
			return hub_alias[i].hub;
	p = bsearch(&(const char *){ low }, hub_ids, NELEM(hub_ids),
	    sizeof(*hub_ids), cmp_str);
	return p != NULL ? *p : "other";
}

/*
 * The ISO 639 code of a language tag as the Hub's metadata takes it: the
 * primary subtag, two or three ASCII letters, in lower case.  Return -1
 * for anything else ("English", "und" stays, being ISO 639-2).
 */
static int
lang_code(const char *s, char out[4])
{
	size_t i;

	for (i = 0; s[i] != '\0' && s[i] != '-' && s[i] != '_'; i++) {
		if (i == 3 || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z')))
			return -1;
		out[i] = (char)(s[i] | 0x20);
	}
	out[i] = '\0';
	return i >= 2 ? 0 : -1;
}

/* The languages of the records as ISO 639 codes, sorted, unique. */
static void
card_languages(const struct release *r, struct list *out)
{
	const struct tally *t = &r->total.languages;
	char code[4];
	size_t i, j;

	out->items = ecalloc(t->n + 1, sizeof(*out->items));
	out->n = 0;
	for (i = 0; i < t->n; i++) {
		if (t->v[i].key == NULL || lang_code(t->v[i].key, code) != 0)
			continue;
		for (j = 0; j < out->n; j++)
			if (strcmp(out->items[j], code) == 0)
				break;
		if (j == out->n)
			out->items[out->n++] = estrdup(code);
	}
	sort(out->items, out->n, sizeof(*out->items), cmp_str);
}

/* The Hub's license ids of the release's licenses, sorted, unique. */
static void
card_licenses(const struct release *r, struct list *out)
{
	const struct tally *t = &r->total.licenses;
	const char *id;
	size_t i, j;

	out->items = ecalloc(t->n + 1, sizeof(*out->items));
	out->n = 0;
	for (i = 0; i < t->n; i++) {
		id = hub_license(t->v[i].key);
		for (j = 0; j < out->n; j++)
			if (strcmp(out->items[j], id) == 0)
				break;
		if (j == out->n)
			out->items[out->n++] = estrdup(id);
	}
	sort(out->items, out->n, sizeof(*out->items), cmp_str);
}

/* The Hub's size category of a dataset of n examples. */
static const char *
size_category(uint64_t n)
{
	static const char *const cat[] = {
		"n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M",
		"10M<n<100M", "100M<n<1B", "1B<n<10B", "10B<n<100B",
		"100B<n<1T"
	};
	uint64_t limit = 1000;
	size_t i;

	for (i = 0; i < NELEM(cat); i++, limit *= 10)
		if (n < limit)
			return cat[i];
	return "n>1T";
}

static void
yaml_list(struct buf *b, const char *key, const struct list *l)
{
	size_t i;

	if (l->n == 0)
		return;
	buf_printf(b, "%s:\n", key);
	for (i = 0; i < l->n; i++) {
		buf_puts(b, "- ");
		buf_yaml(b, l->items[i]);
		buf_puts(b, "\n");
	}
}

/* The card's YAML front matter, which the Hub reads. */
static void
card_yaml(struct buf *b, const struct release *r)
{
	struct list lics, langs;
	const char **splits, *other = NULL;
	char *glob, *low;
	size_t i, k, nsplits, nother = 0;

	card_licenses(r, &lics);
	card_languages(r, &langs);
	buf_puts(b, "---\npretty_name: ");
	buf_yaml(b, r->name);
	buf_puts(b, "\n");
	yaml_list(b, "license", &lics);
	for (i = 0; i < r->total.licenses.n; i++)
		if (strcmp(hub_license(r->total.licenses.v[i].key),
		    "other") == 0) {
			other = r->total.licenses.v[i].key;
			nother++;
		}
	if (nother == 1) {
		/* The Hub wants a lower-case id for an "other" license. */
		low = estrdup(strncmp(other, "LicenseRef-", 11) == 0 ?
		    other + 11 : other);
		for (k = 0; low[k] != '\0'; k++)
			if (low[k] >= 'A' && low[k] <= 'Z')
				low[k] = (char)(low[k] - 'A' + 'a');
		buf_puts(b, "license_name: ");
		buf_yaml(b, low);
		buf_puts(b, "\n");
		free(low);
	}
	yaml_list(b, "language", &langs);
	buf_puts(b, "size_categories:\n- ");
	buf_yaml(b, size_category(r->total.docs));
	buf_puts(b, "\ntask_categories:\n- \"text-generation\"\n");
	splits = splits_of(r, &nsplits);
	if (nsplits > 0)
		buf_puts(b, "configs:\n- config_name: \"default\"\n"
		    "  data_files:\n");
	for (k = 0; k < nsplits; k++) {
		buf_puts(b, "  - split: ");
		buf_yaml(b, splits[k]);
		glob = easprintf("shards/%s-%s-*" SHARD_SUFFIX, r->name,
		    splits[k]);
		buf_puts(b, "\n    path: ");
		buf_yaml(b, glob);
		buf_puts(b, "\n");
		free(glob);
	}
	free(splits);
	buf_puts(b, "---\n");
	list_free(&lics);
	list_free(&langs);
}

/* "en 56.2%, fr 31.2%" of a tally by count, at most max entries. */
static void
md_shares(struct buf *b, const struct tally *t, uint64_t whole, size_t max,
    const char *none)
{
	const struct count **v = tally_by_count(t);
	char pct[32];
	size_t i;

	for (i = 0; i < t->n && i < max; i++) {
		buf_puts(b, i > 0 ? ", " : "");
		buf_md(b, v[i]->key != NULL ? v[i]->key : none);
		percent(pct, sizeof(pct), v[i]->n, whole);
		buf_printf(b, " %s%%", pct);
	}
	if (t->n > max)
		buf_printf(b, " and %zu more", t->n - max);
	if (t->n == 0)
		buf_puts(b, "none");
	free(v);
}

static void
card_body(struct buf *b, const struct release *r)
{
	const struct facts *f = &r->total;
	const struct stage *s, *cf;
	const struct license *lic;
	size_t i, k;
	uint64_t consent = 0;
	int64_t n, w;

	buf_puts(b, "\n# ");
	buf_md(b, r->name);
	buf_puts(b, " ");
	buf_md(b, r->version);
	buf_printf(b, "\n\n%llu %s by %zu %s of a writers' cooperative, for "
	    "the uses ", (unsigned long long)f->docs, plural(f->docs, "work",
	    "works"), f->nwriters, plural(f->nwriters, "writer", "writers"));
	md_uses_list(b, r);
	buf_puts(b, ". Every work is here because its writer submitted it");
	if (find_stage(r, "consent-filter") != NULL) {
		buf_puts(b, find_stage(r, "license-tag") != NULL ? ", " :
		    " and ");
		buf_puts(b, "signed the cooperative's consent form for these "
		    "uses");
	}
	if (find_stage(r, "license-tag") != NULL)
		buf_puts(b, " and chose a license that permits them");
	buf_puts(b, ". quire made the release from the submissions, with the "
	    "cut-off ");
	buf_md(b, r->cutoff);
	buf_puts(b, "; datasheet.md documents it in full.\n\n"
	    "- **Languages** (as the writers gave them): ");
	md_shares(b, &f->languages, f->docs, 8, "not given");
	buf_puts(b, "\n- **Licenses:** ");
	md_shares(b, &f->licenses, f->docs, 8, "none");
	buf_puts(b, "\n- **Size:** ");
	md_u64(b, f->chars);
	buf_puts(b, " characters, ");
	md_u64(b, f->bytes);
	buf_puts(b, " bytes of JSON Lines\n");

	buf_puts(b, "\n## Dataset structure\n\nThe shards are JSON Lines "
	    "compressed with zstd, one work per line. The `configs` above "
	    "give the Hub's loader each split's shards:\n\n");
	if (md_splits(b, r) == 0)
		buf_puts(b, "- no shards: no work is in this release\n");
	buf_puts(b, "\nFields of each record:\n\n");
	for (i = 0; i < NELEM(field_text); i++)
		if (tally_get(&f->fields, field_text[i].name) > 0)
			buf_printf(b, "- `%s`: %s\n", field_text[i].name,
			    field_text[i].what);
	buf_puts(b, "- objects: `source` (the submission id, file, SHA-256 "
	    "and encoding of the file as submitted), `consent` (the form "
	    "version and the uses granted) and `metadata` (the manifest's "
	    "other columns), where present.\n");

	buf_puts(b, "\n## How it was made\n\n");
	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		buf_printf(b, "%zu. **", k + 1);
		buf_md(b, s->name);
		buf_puts(b, "** ");
		buf_md(b, s->version);
		buf_puts(b, ": ");
		buf_puts(b, stage_what(s->name) != NULL ?
		    stage_what(s->name) : "a stage of the pipeline.");
		buf_printf(b, " %lld in, %lld out.\n", (long long)s->records_in,
		    (long long)s->records_out);
	}

	buf_puts(b, "\n## Consent\n\nWriters sign a consent form that "
	    "names the uses they allow, for all their works or for some; "
	    "the consent ledger records every grant and withdrawal.");
	if (find_stage(r, "consent-filter") != NULL)
		buf_puts(b, " A work is in only if, replaying the ledger's "
		    "events dated on or before the cut-off, the writer's last "
		    "event covering the work grants every intended use. A "
		    "withdrawal removes the writer's works from every later "
		    "version.");
	buf_puts(b, " Consent form versions: ");
	md_shares(b, &f->forms, f->docs, 8, "none recorded");
	buf_puts(b, ".");
	if ((cf = find_stage(r, "consent-filter")) != NULL) {
		consent = cf->nrejected;
		buf_printf(b, " %llu %s left out for want of consent.",
		    (unsigned long long)consent, plural(consent,
		    "submission was", "submissions were"));
	} else
		buf_puts(b, " No consent-filter stage ran for this release.");
	buf_puts(b, "\n");

	buf_puts(b, "\n## Licenses\n\nEach work keeps its writer's license."
	    "\n\n");
	if (f->licenses.n == 0)
		buf_puts(b, "None.\n");
	else
		buf_puts(b, "| license | works | attribution | share-alike |\n"
		    "|---|---:|---|---|\n");
	for (i = 0; i < f->licenses.n; i++) {
		lic = license_of(r, f->licenses.v[i].key);
		buf_puts(b, "| ");
		buf_md(b, lic->spdx);
		buf_printf(b, " | %llu | %s | %s |\n",
		    (unsigned long long)f->licenses.v[i].n,
		    lic->attribution ? "required" : "no",
		    lic->share_alike ? "yes" : "no");
	}
	if (r->has_credits)
		buf_puts(b, "\nCREDITS.md credits every writer, by the name "
		    "they chose, for each of their works.\n");

	buf_puts(b, "\n## Personal information\n\nWriters appear by "
	    "pseudonymous ids and by the credit names they chose to publish. "
	    "The consent ledger's private columns (names, e-mail addresses) "
	    "never reach a record.");
	w = figure(r, "scrub", "records_scrubbed");
	if ((n = scrub_replacements(r)) >= 0)
		buf_printf(b, " Personal data matching the board's patterns "
		    "(e-mail addresses, phone numbers, IBANs, card numbers) "
		    "was replaced by placeholders: %lld %s in %lld %s.",
		    (long long)n, plural((uint64_t)n, "replacement",
		    "replacements"), (long long)w, plural((uint64_t)w, "work",
		    "works"));
	else
		buf_puts(b, " No scrub stage ran for this release: personal "
		    "data in the texts was not replaced.");
	buf_puts(b, " The works are creative writing: what writers tell of "
	    "themselves or others is their own choice to publish.\n");

	buf_puts(b, "\n## Limitations\n\n"
	    "- The works are those of the cooperative's writers who chose to "
	    "submit and consent: they represent neither a language nor a "
	    "population.\n"
	    "- Languages and genres are as the writers gave them, not "
	    "detected; datasheet.md counts the scripts of the texts.\n"
	    "- Patterns cannot find every piece of personal data: a name or "
	    "an address in prose is left as written.\n");
	if (find_stage(r, "dedupe") == NULL)
		buf_puts(b, "- No dedupe stage ran: the release may hold "
		    "duplicates and several revisions of a work.\n");
	if (!f->tokenized)
		buf_puts(b, "- The shards are not tokenized.\n");

	buf_puts(b, "\n## Files\n\n"
	    "- `shards/`: the shards, each with its datasheet "
	    "(`.datasheet.md`, and `.datasheet.json` with the same facts)\n"
	    "- `datasheet.md`: the release's datasheet\n"
	    "- `croissant.json`: MLCommons Croissant 1.0 metadata with its "
	    "Responsible AI fields\n"
	    "- `lineage.csv`: every document, its writer id, shard and place; "
	    "`rejects.csv`: every submission left out, with the stage and "
	    "reason\n");
	if (r->has_credits)
		buf_puts(b, "- `CREDITS.md`: who is credited, for which works, "
		    "under which license\n");
	if (r->has_changes)
		buf_puts(b, "- `CHANGES.md`: what changed since the previous "
		    "version, if any\n");
	buf_puts(b, "- `inputs.lock`: the SHA-256 of every input; "
	    "`SHA256SUMS`: of every file, for `sha256sum -c`\n");
	md_maintenance(b, r);
}

/* ---- croissant.json ----------------------------------------------------- */

/* Croissant 1.0's JSON-LD context (its spec, appendix 1), with RAI's. */
static struct json_object *
croissant_context(void)
{
	static const char *const plain[][2] = {
		{ "@language", "en" },
		{ "@vocab", "https://schema.org/" },
		{ "citeAs", "cr:citeAs" },
		{ "column", "cr:column" },
		{ "conformsTo", "dct:conformsTo" },
		{ "cr", "http://mlcommons.org/croissant/" },
		{ "data", NULL },
		{ "dataType", NULL },
		{ "dct", "http://purl.org/dc/terms/" },
		{ "examples", NULL },
		{ "extract", "cr:extract" },
		{ "field", "cr:field" },
		{ "fileObject", "cr:fileObject" },
		{ "fileProperty", "cr:fileProperty" },
		{ "fileSet", "cr:fileSet" },
		{ "format", "cr:format" },
		{ "includes", "cr:includes" },
		{ "isLiveDataset", "cr:isLiveDataset" },
		{ "jsonPath", "cr:jsonPath" },
		{ "key", "cr:key" },
		{ "md5", "cr:md5" },
		{ "parentField", "cr:parentField" },
		{ "path", "cr:path" },
		{ "rai", "http://mlcommons.org/croissant/RAI/" },
		{ "recordSet", "cr:recordSet" },
		{ "references", "cr:references" },
		{ "regex", "cr:regex" },
		{ "repeated", "cr:repeated" },
		{ "replace", "cr:replace" },
		{ "sc", "https://schema.org/" },
		{ "separator", "cr:separator" },
		{ "source", "cr:source" },
		{ "subField", "cr:subField" },
		{ "transform", "cr:transform" }
	};
	struct json_object *c = jobj(), *t;
	size_t i;

	for (i = 0; i < NELEM(plain); i++) {
		if (plain[i][1] != NULL) {
			jadd(c, plain[i][0], jstr(plain[i][1]));
			continue;
		}
		/* data and examples hold JSON; dataType names a class. */
		t = jobj();
		jadd(t, "@id", jstr(strcmp(plain[i][0], "dataType") == 0 ?
		    "cr:dataType" : strcmp(plain[i][0], "data") == 0 ?
		    "cr:data" : "cr:examples"));
		jadd(t, "@type", jstr(strcmp(plain[i][0], "dataType") == 0 ?
		    "@vocab" : "@json"));
		jadd(c, plain[i][0], t);
	}
	return c;
}

static struct json_object *
file_object(const struct file_sum *fs, const char *format, const char *desc)
{
	struct json_object *o = jobj();
	const char *slash = strrchr(fs->rel, '/');
	char size[32];

	snprintf(size, sizeof(size), "%llu B", (unsigned long long)fs->size);
	jadd(o, "@type", jstr("cr:FileObject"));
	jadd(o, "@id", jstr(fs->rel));
	jadd(o, "name", jstr(slash != NULL ? slash + 1 : fs->rel));
	jadd(o, "description", jstr(desc));
	jadd(o, "contentUrl", jstr(fs->rel));
	jadd(o, "contentSize", jstr(size));
	jadd(o, "encodingFormat", jstr(format));
	jadd(o, "sha256", jstr(fs->sha256));
	return o;
}

static struct json_object *
croissant_distribution(const struct release *r)
{
	struct json_object *a = jarr(), *set, *in;
	const struct shard *s;
	char *desc;
	size_t i;

	for (i = 0; i < r->nsh; i++) {
		s = &r->sh[i];
		desc = easprintf("Shard of the %s split: %llu %s, JSON Lines "
		    "compressed with zstd.", s->split,
		    (unsigned long long)s->f.docs, plural(s->f.docs,
		    "document", "documents"));
		jpush(a, file_object(&s->zst, "application/zstd", desc));
		free(desc);
		if (!s->has_tokens)
			continue;
		desc = easprintf("Tokens of %s (Megatron-LM indexed dataset, "
		    ".bin).", s->file);
		jpush(a, file_object(&s->bin, "application/octet-stream",
		    desc));
		free(desc);
		desc = easprintf("Index of the tokens of %s (Megatron-LM "
		    "MMIDIDX, .idx).", s->file);
		jpush(a, file_object(&s->idx, "application/octet-stream",
		    desc));
		free(desc);
	}
	if (r->nsh == 0)
		return a;
	set = jobj();
	jadd(set, "@type", jstr("cr:FileSet"));
	jadd(set, "@id", jstr("records"));
	jadd(set, "name", jstr("records"));
	jadd(set, "description", jstr("The JSON Lines inside the shards, "
	    "one document per line."));
	in = jarr();
	for (i = 0; i < r->nsh; i++)
		jpush(in, jref(r->sh[i].zst.rel));
	jadd(set, "containedIn", in);
	jadd(set, "encodingFormat", jstr("application/jsonlines"));
	jadd(set, "includes", jstr("*.jsonl"));
	jpush(a, set);
	return a;
}

static struct json_object *
croissant_field(const char *name, const char *type, const char *desc)
{
	struct json_object *o = jobj(), *src, *x;
	char *id = easprintf("documents/%s", name);

	jadd(o, "@type", jstr("cr:Field"));
	jadd(o, "@id", jstr(id));
	jadd(o, "name", jstr(name));
	jadd(o, "description", jstr(desc));
	jadd(o, "dataType", jstr(type));
	src = jobj();
	jadd(src, "fileSet", jref("records"));
	x = jobj();
	jadd(x, "column", jstr(name));
	jadd(src, "extract", x);
	jadd(o, "source", src);
	free(id);
	return o;
}

/* The splits as Croissant's cr:Split enumeration. */
static struct json_object *
croissant_splits(const struct release *r)
{
	struct json_object *o = jobj(), *fields, *f, *data, *row;
	const char **splits;
	const char *url;
	size_t k, nsplits;

	jadd(o, "@type", jstr("cr:RecordSet"));
	jadd(o, "@id", jstr("splits"));
	jadd(o, "name", jstr("splits"));
	jadd(o, "dataType", jstr("cr:Split"));
	jadd(o, "key", jref("splits/name"));
	fields = jarr();
	f = jobj();
	jadd(f, "@type", jstr("cr:Field"));
	jadd(f, "@id", jstr("splits/name"));
	jadd(f, "name", jstr("name"));
	jadd(f, "dataType", jstr("sc:Text"));
	jpush(fields, f);
	f = jobj();
	jadd(f, "@type", jstr("cr:Field"));
	jadd(f, "@id", jstr("splits/url"));
	jadd(f, "name", jstr("url"));
	jadd(f, "dataType", jstr("sc:URL"));
	jpush(fields, f);
	jadd(o, "field", fields);
	data = jarr();
	splits = splits_of(r, &nsplits);
	for (k = 0; k < nsplits; k++) {
		row = jobj();
		jadd(row, "splits/name", jstr(splits[k]));
		url = strcmp(splits[k], "train") == 0 ? "cr:TrainingSplit" :
		    strcmp(splits[k], "validation") == 0 ?
		    "cr:ValidationSplit" : strcmp(splits[k], "test") == 0 ?
		    "cr:TestSplit" : NULL;
		if (url != NULL)
			jadd(row, "splits/url", jstr(url));
		jpush(data, row);
	}
	free(splits);
	jadd(o, "data", data);
	return o;
}

static struct json_object *
croissant_documents(const struct release *r)
{
	struct json_object *o = jobj(), *fields, *f, *src, *x;
	struct buf re = { 0 };
	const char *p;
	size_t i;

	jadd(o, "@type", jstr("cr:RecordSet"));
	jadd(o, "@id", jstr("documents"));
	jadd(o, "name", jstr("documents"));
	jadd(o, "description", jstr("One submitted work per record."));
	jadd(o, "key", jref("documents/id"));
	fields = jarr();
	for (i = 0; i < NELEM(field_text); i++)
		if (tally_get(&r->total.fields, field_text[i].name) > 0)
			jpush(fields, croissant_field(field_text[i].name,
			    field_text[i].type, field_text[i].what));
	/* The split is in the shard's name: NAME-SPLIT-NNNNN.jsonl.zst. */
	buf_puts(&re, "^(?:.*/)?");
	for (p = r->name; *p != '\0'; p++) {
		if (*p == '.')
			buf_puts(&re, "\\");
		buf_put(&re, p, 1);
	}
	buf_puts(&re, "-([a-z0-9_]+)-[0-9]+\\.jsonl(?:\\.zst)?$");
	f = jobj();
	jadd(f, "@type", jstr("cr:Field"));
	jadd(f, "@id", jstr("documents/split"));
	jadd(f, "name", jstr("split"));
	jadd(f, "description", jstr("The split of the shard that holds the "
	    "document."));
	jadd(f, "dataType", jstr("sc:Text"));
	jadd(f, "references", jref("splits/name"));
	src = jobj();
	jadd(src, "fileSet", jref("records"));
	x = jobj();
	jadd(x, "fileProperty", jstr("fullpath"));
	jadd(src, "extract", x);
	x = jobj();
	jadd(x, "regex", jstr(re.s));
	jadd(src, "transform", x);
	jadd(f, "source", src);
	jpush(fields, f);
	jadd(o, "field", fields);
	buf_free(&re);
	return o;
}

/* Plain text (JSON-escaped later, never Markdown) of the facts. */
static void
text_shares(struct buf *b, const struct tally *t, uint64_t whole,
    const char *none)
{
	const struct count **v = tally_by_count(t);
	char pct[32];
	size_t i;

	for (i = 0; i < t->n; i++) {
		percent(pct, sizeof(pct), v[i]->n, whole);
		buf_printf(b, "%s%s %s%%", i > 0 ? ", " : "",
		    v[i]->key != NULL ? v[i]->key : none, pct);
	}
	if (t->n == 0)
		buf_puts(b, "none");
	free(v);
}

static void
text_uses(struct buf *b, const struct release *r)
{
	size_t k;

	for (k = 0; k < r->uses.n; k++)
		buf_printf(b, "%s%s", k == 0 ? "" : k + 1 == r->uses.n ?
		    " and " : ", ", r->uses.items[k]);
}

/* The Responsible-AI properties (Croissant RAI 1.0), in words. */
static void
croissant_rai(struct json_object *o, const struct release *r)
{
	const struct facts *f = &r->total;
	const struct stage *s;
	struct buf b = { 0 };
	const char *what;
	int64_t n, w;
	size_t k;

	buf_puts(&b, "Writers of a cooperative submitted their own works "
	    "through its submission form, each under a license of their "
	    "choice, and signed a consent form naming the uses they allow. "
	    "The form's export (a drop: the manifest, the consent ledger and "
	    "the works' files) is the only source; nothing was scraped, "
	    "bought or generated.");
	if (find_stage(r, "consent-filter") != NULL) {
		buf_puts(&b, " Consent: a work is in only if, replaying the "
		    "consent ledger's events dated on or before the cut-off (");
		buf_puts(&b, r->cutoff);
		buf_puts(&b, "), its writer's last event covering it grants "
		    "every intended use (");
		text_uses(&b, r);
		buf_puts(&b, "); a withdrawal removes the writer's works from "
		    "every later version.");
	} else
		buf_puts(&b, " No consent-filter stage ran: consent was not "
		    "checked for this release.");
	buf_puts(&b, " Consent form versions: ");
	text_shares(&b, &f->forms, f->docs, "none recorded");
	buf_puts(&b, ".");
	if ((s = find_stage(r, "consent-filter")) != NULL)
		buf_printf(&b, " %llu %s left out for want of consent.",
		    (unsigned long long)s->nrejected, plural(s->nrejected,
		    "submission was", "submissions were"));
	jadd(o, "rai:dataCollection", jstr(b.s));
	jadd(o, "rai:dataCollectionType", jstr("User-generated content "
	    "data"));
	b.len = 0;
	buf_printf(&b, "The drop's %zu files as submitted, before any "
	    "processing; inputs.lock holds the SHA-256 of each.",
	    r->lock.drop_files);
	jadd(o, "rai:dataCollectionRawData", jstr(b.s));
	b.len = 0;
	for (k = 0; k < r->nstages; k++) {
		s = &r->st[k];
		what = stage_what(s->name);
		buf_printf(&b, "%s%zu. %s %s: %s %lld in, %lld out, %llu "
		    "rejected.", k > 0 ? " " : "", k + 1, s->name, s->version,
		    what != NULL ? what : "a stage of the pipeline.",
		    (long long)s->records_in, (long long)s->records_out,
		    (unsigned long long)s->nrejected);
	}
	jadd(o, "rai:dataPreprocessingProtocol", jstr(b.s));
	b.len = 0;
	buf_puts(&b, "No text was added, translated or generated.");
	if (find_stage(r, "normalize") != NULL)
		buf_puts(&b, " normalize made the texts' Unicode, line endings "
		    "and invisible characters uniform.");
	w = figure(r, "scrub", "records_scrubbed");
	if ((n = scrub_replacements(r)) >= 0)
		buf_printf(&b, " scrub replaced %lld %s of personal-data "
		    "patterns with placeholders in %lld %s.", (long long)n,
		    plural((uint64_t)n, "match", "matches"), (long long)w,
		    plural((uint64_t)w, "work", "works"));
	jadd(o, "rai:dataManipulationProtocol", jstr(b.s));
	b.len = 0;
	buf_puts(&b, "Writers appear by pseudonymous ids and by the credit "
	    "names they chose to publish. The consent ledger's private "
	    "columns (names, e-mail addresses) never reach a record.");
	if (scrub_replacements(r) >= 0)
		buf_puts(&b, " E-mail addresses, phone numbers, IBANs and card "
		    "numbers matching the board's patterns were replaced by "
		    "placeholders.");
	else
		buf_puts(&b, " No scrub stage ran: personal data in the texts "
		    "was not replaced.");
	buf_puts(&b, " The works are creative writing: what writers tell of "
	    "themselves or others is their own choice to publish.");
	jadd(o, "rai:personalSensitiveInformation", jstr(b.s));
	b.len = 0;
	for (k = 0; k < r->uses.n; k++)
		buf_printf(&b, "%s%s: %s.", k > 0 ? " " : "", r->uses.items[k],
		    r->use_desc[k] != NULL ? r->use_desc[k] : "");
	buf_puts(&b, " No other use is covered by the writers' consent.");
	jadd(o, "rai:dataUseCases", jstr(b.s));
	b.len = 0;
	buf_puts(&b, "Languages and genres are as the writers gave them, not "
	    "detected. Patterns cannot find every piece of personal data.");
	if (find_stage(r, "dedupe") == NULL)
		buf_puts(&b, " No deduplication ran: the release may hold "
		    "duplicates and several revisions of a work.");
	jadd(o, "rai:dataLimitations", jstr(b.s));
	b.len = 0;
	buf_puts(&b, "The works are those of the cooperative's writers who "
	    "chose to submit and consent; they represent neither a language "
	    "nor a population. Languages: ");
	text_shares(&b, &f->languages, f->docs, "not given");
	buf_puts(&b, ". Genres: ");
	text_shares(&b, &f->genres, f->docs, "not given");
	buf_printf(&b, ". %zu writers.", f->nwriters);
	jadd(o, "rai:dataBiases", jstr(b.s));
	b.len = 0;
	buf_puts(&b, "A published version is never rewritten: new "
	    "submissions, a withdrawn consent or a changed rule make a new "
	    "version, a new major version when works leave it.");
	if (r->previous != NULL)
		buf_printf(&b, " Previous version: %s.", r->previous);
	if (r->contact != NULL)
		buf_printf(&b, " Contact: %s.", r->contact);
	jadd(o, "rai:dataReleaseMaintenancePlan", jstr(b.s));
	jadd(o, "rai:hasSyntheticData", jbool(0));
	buf_free(&b);
}

static void
croissant(struct buf *out, const struct release *r)
{
	const struct facts *f = &r->total;
	struct json_object *o = jobj(), *a, *x;
	struct list langs;
	struct buf b = { 0 };
	const char *spdx;
	size_t i;

	jadd(o, "@context", croissant_context());
	jadd(o, "@type", jstr("sc:Dataset"));
	jadd(o, "name", jstr(r->name));
	buf_printf(&b, "%s %s: %llu %s by %zu %s of a writers' cooperative, "
	    "submitted by the writers themselves, for the uses ", r->name,
	    r->version, (unsigned long long)f->docs, plural(f->docs, "work",
	    "works"), f->nwriters, plural(f->nwriters, "writer", "writers"));
	text_uses(&b, r);
	buf_puts(&b, ". Each work keeps its writer's license (see license).");
	jadd(o, "description", jstr(b.s));
	buf_free(&b);
	jadd(o, "conformsTo", jstr(CROISSANT_SPEC));
	a = jarr();
	for (i = 0; i < f->licenses.n; i++) {
		spdx = f->licenses.v[i].key;
		if (strncmp(spdx, "LicenseRef-", 11) == 0)
			jpush(a, jstr(spdx));
		else {
			b.len = 0;
			buf_printf(&b, "https://spdx.org/licenses/%s.html",
			    spdx);
			x = jstr(b.s);
			jpush(a, x);
		}
	}
	buf_free(&b);
	jadd(o, "license", a);
	jadd(o, "url", jstr(r->url != NULL ? r->url : "README.md"));
	jadd(o, "version", jstr(r->version));
	jadd(o, "datePublished", jstr(r->cutoff));
	x = jobj();
	jadd(x, "@type", jstr("sc:Organization"));
	jadd(x, "name", jstr(r->creator));
	jadd(o, "creator", x);
	card_languages(r, &langs);
	a = jarr();
	for (i = 0; i < langs.n; i++)
		jpush(a, jstr(langs.items[i]));
	list_free(&langs);
	jadd(o, "inLanguage", a);
	jadd(o, "isLiveDataset", jbool(0));
	croissant_rai(o, r);
	jadd(o, "distribution", croissant_distribution(r));
	a = jarr();
	if (r->nsh > 0) {
		jpush(a, croissant_splits(r));
		jpush(a, croissant_documents(r));
	}
	jadd(o, "recordSet", a);
	json_to_buf(out, o);
}

/* ---- main ---------------------------------------------------------------- */

/* Stage names become file names (stats-STAGE.json): a-z, 0-9, '-', '_'. */
static void
check_stages(char **v, size_t n, void (*usage)(FILE *))
{
	const char *p;
	size_t i, j;

	if (n == 0)
		cli_usage_error(usage, "--stages: no stage named");
	for (i = 0; i < n; i++) {
		for (p = v[i]; *p != '\0'; p++)
			if (!((*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '-' ||
			    *p == '_'))
				cli_usage_error(usage, "--stages: \"%s\" is "
				    "not a stage name (a-z 0-9 - _)", v[i]);
		for (j = 0; j < i; j++)
			if (strcmp(v[i], v[j]) == 0)
				cli_usage_error(usage, "--stages: %s is named "
				    "twice", v[i]);
	}
}

/* The release name is part of the shards' names, as quire-shard's -n. */
static void
check_name(const char *s, void (*usage)(FILE *))
{
	const char *p;

	if (*s == '\0' || *s == '.')
		cli_usage_error(usage, "--name must not be empty or start with "
		    "'.': %s", s);
	for (p = s; *p != '\0'; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || *p == '.' || *p == '_' ||
		    *p == '-'))
			cli_usage_error(usage, "--name may hold only A-Z a-z "
			    "0-9 . _ -: %s", s);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] -r DIR -s DIR -S STAGES -p DIR -n NAME "
	    "-V VERSION\n"
	    "       -u USES -c DATE [-C CONTACT] [-o CREATOR] [-P VERSION] "
	    "[-U URL]\n"
	    "       [--threads N] [--version]\n", progname);
}

/*
 * A thread's work: the next shard not yet taken, until none is left.
 * Shards are independent: each thread fills only the facts of the shard
 * it took, and gather adds them up in order.
 */
static void *
read_shards(void *arg)
{
	struct reading *rd = arg;
	const struct release *r = rd->r;
	struct shard *s;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&rd->mu);
		i = rd->next++;
		pthread_mutex_unlock(&rd->mu);
		if (i >= r->nsh)
			return NULL;
		s = &r->sh[i];
		read_shard(r, s, rd);
		if (s->has_tokens)
			read_tokens(r, s);
		facts_end(&s->f);
	}
}

/* Read and check every input; fill r. */
static void
gather(struct release *r)
{
	struct reading rd = { .records = 0 };
	pthread_t *th;
	char *path;
	size_t i, k, nth;
	int rc;

	read_policies(r);
	if (!is_dir(r->dir))
		die(EXIT_NOINPUT, "%s: no such release folder", r->dir);
	if (!is_dir(r->stats_dir))
		die(EXIT_NOINPUT, "%s: no such statistics folder",
		    r->stats_dir);
	read_lock(r);
	check_lock(r);
	r->st = ecalloc(r->nstages, sizeof(*r->st));
	for (k = 0; k < r->nstages; k++) {
		r->st[k].name = r->stages[k];
		read_stage(r, &r->st[k]);
	}
	list_shards(r);
	read_lineage(r);
	read_rejects(r);
	path = easprintf("%s/CREDITS.md", r->dir);
	r->has_credits = exists(path);
	free(path);
	path = easprintf("%s/CHANGES.md", r->dir);
	r->has_changes = exists(path);
	free(path);

	progress_init(&rd.pg, qflag);
	rd.r = r;
	pthread_mutex_init(&rd.mu, NULL);
	nth = (size_t)nthreads < r->nsh ? (size_t)nthreads : r->nsh;
	th = ecalloc(nth > 1 ? nth - 1 : 1, sizeof(*th));
	for (i = 0; i + 1 < nth; i++)
		if ((rc = pthread_create(&th[i], NULL, read_shards, &rd)) != 0)
			die(EXIT_OSERR, "pthread_create: %s", strerror(rc));
	read_shards(&rd);
	for (i = 0; i + 1 < nth; i++)
		pthread_join(th[i], NULL);
	free(th);
	pthread_mutex_destroy(&rd.mu);
	progress_done(&rd.pg);
	/* In shard order, whichever thread read a shard. */
	for (i = 0; i < r->nsh; i++)
		facts_merge(&r->total, &r->sh[i].f, r->nscripts);
	/* Tokens are the release's only if every shard has them. */
	r->total.tokenized = r->nsh > 0;
	for (i = 0; i < r->nsh; i++)
		r->total.tokenized &= r->sh[i].f.tokenized;
	facts_end(&r->total);
	check_counts(r);
}

/* Write every output, each whole or not at all. */
static void
emit(const struct release *r)
{
	struct buf b = { 0 };
	char *rel;
	size_t i;

	for (i = 0; i < r->nsh; i++) {
		b.len = 0;
		shard_md(&b, r, &r->sh[i]);
		rel = easprintf("shards/%s.datasheet.md", r->sh[i].base);
		write_file(r, rel, &b);
		free(rel);
		b.len = 0;
		shard_json(&b, r, &r->sh[i]);
		rel = easprintf("shards/%s.datasheet.json", r->sh[i].base);
		write_file(r, rel, &b);
		free(rel);
	}
	b.len = 0;
	release_md(&b, r);
	write_file(r, "datasheet.md", &b);
	b.len = 0;
	card_yaml(&b, r);
	card_body(&b, r);
	write_file(r, "README.md", &b);
	b.len = 0;
	croissant(&b, r);
	write_file(r, "croissant.json", &b);
	buf_free(&b);
}

static void
release_free(struct release *r)
{
	struct lockfile *lk = &r->lock;
	struct shard *s;
	size_t i;

	for (i = 0; i < r->nsh; i++) {
		s = &r->sh[i];
		free(s->file);
		free(s->base);
		free(s->split);
		free(s->path);
		free(s->zst.rel);
		free(s->bin.rel);
		free(s->idx.rel);
		free(s->ids);
		facts_free(&s->f);
	}
	free(r->sh);
	for (i = 0; i < r->nstages; i++) {
		json_object_put(r->st[i].o);
		tally_free(&r->st[i].csv_rejects);
	}
	free(r->st);
	free_words(r->stages, r->nstages);
	for (i = 0; i < r->uses.n; i++)
		free(r->use_desc[i]);
	free(r->use_desc);
	list_free(&r->uses);
	licenses_free(r->ls);
	csvt_free(r->lineage);
	facts_free(&r->total);
	free(lk->quire);
	free_words(lk->optk, lk->noptions);
	free_words(lk->optv, lk->noptions);
	free(lk->ledger.sha256);
	free(lk->ledger.path);
	free(lk->pipeline.sha256);
	free(lk->pipeline.path);
	free(lk->manifest.sha256);
	free(lk->manifest.path);
	free(lk->previous.sha256);
	free(lk->previous.path);
	free(r->lock_prev);
	for (i = 0; i < lk->npolicies; i++) {
		free(lk->policies[i].sha256);
		free(lk->policies[i].path);
	}
	free(lk->policies);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "version", no_argument, NULL, CLI_VERSION },
		{ "contact", required_argument, NULL, 'C' },
		{ "cutoff", required_argument, NULL, 'c' },
		{ "creator", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "policies", required_argument, NULL, 'p' },
		{ "previous", required_argument, NULL, 'P' },
		{ "release", required_argument, NULL, 'r' },
		{ "release-version", required_argument, NULL, 'V' },
		{ "stages", required_argument, NULL, 'S' },
		{ "stats", required_argument, NULL, 's' },
		{ "url", required_argument, NULL, 'U' },
		{ "uses", required_argument, NULL, 'u' },
		{ "threads", required_argument, NULL, O_THREADS },
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	struct release r;
	const char *stages = NULL;
	int ch, i;

	cli_init(argv, "quire-datasheet");
	memset(&r, 0, sizeof(r));
	r.creator = "The writers' cooperative";
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS
	    "C:P:S:U:V:c:n:o:p:r:s:u:", longopts, NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'C':
			r.contact = optarg;
			break;
		case 'P':
			r.previous = optarg;
			break;
		case 'S':
			stages = optarg;
			break;
		case 'U':
			r.url = optarg;
			break;
		case 'V':
			r.version = optarg;
			break;
		case 'c':
			r.cutoff = optarg;
			break;
		case 'n':
			r.name = optarg;
			break;
		case 'o':
			r.creator = optarg;
			break;
		case 'p':
			r.policies = optarg;
			break;
		case 'r':
			r.dir = optarg;
			break;
		case 's':
			r.stats_dir = optarg;
			break;
		case 'u':
			r.uses_arg = optarg;
			break;
		case O_THREADS:
			nthreads = (long)estrtonum(optarg, 1, MAX_THREADS,
			    "--threads");
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	qflag = cli.qflag;
	if (optind < argc)
		cli_usage_error(usage, "unexpected argument: %s", argv[optind]);
	if (r.dir == NULL || r.stats_dir == NULL || stages == NULL ||
	    r.policies == NULL || r.name == NULL || r.version == NULL ||
	    r.uses_arg == NULL || r.cutoff == NULL)
		cli_usage_error(usage, "-r, -s, -S, -p, -n, -V, -u and -c are "
		    "required");
	check_name(r.name, usage);
	if (*r.version == '\0')
		cli_usage_error(usage, "--release-version must not be empty");
	(void)policy_cutoff(r.cutoff);
	r.stages = split_words(stages, &r.nstages);
	check_stages(r.stages, r.nstages, usage);

	r.nscripts = u_getIntPropertyMaxValue(UCHAR_SCRIPT) + 1;
	for (i = 0; i < 0x10000; i++)
		bmp_script[i] = (uint16_t)script_of(i, r.nscripts);
	facts_init(&r.total, r.nscripts);
	gather(&r);
	emit(&r);
	keep_committed();
	release_free(&r);
	return EXIT_OK;
}
