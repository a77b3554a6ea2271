/* quire-tokenize: byte-level BPE as tiktoken does it, into Megatron-LM shards. */
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomic.h"
#include "bpe.h"
#include "cli.h"
#include "csvio.h"
#include "hash.h"
#include "jscan.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "stats.h"
#include "utf8.h"
#include "util.h"

#define MAX_SPECIALS	1024
#define UINT16_LIMIT	65500	/* Megatron-LM's rule for a uint16 .bin */
#define DTYPE_UINT16	8	/* Megatron-LM's DType codes */
#define DTYPE_INT32	4
#define IDX_MAGIC	"MMIDIDX\0\0"
#define IDX_VERSION	1
#define STDIO_BUF	((size_t)1 << 17)
#define DETAIL_MAX	512
#define MAX_THREADS	64
#define BATCH_DOCS	4096		/* documents read at a time, at most */
#define BATCH_BYTES	((size_t)1 << 20)	/* and record bytes */
#define NBATCHES	3		/* batches in flight */

struct special {
	const char *text;	/* borrowed: a literal or argv */
	uint32_t id;
};

enum mode {
	M_NONE,
	M_OUTPUT,
	M_IDS,
	M_DECODE
};

/* Options. */
static const char *vocab_path;		/* --vocab */
static const struct bpe_pattern *pattern;	/* --pattern */
static const char *regex;		/* --regex, or the pattern's */
static const char *eod_name;		/* --eod; NULL: the default */
static const char *prefix;		/* --output */
static const char *doc_index_path;	/* --doc-index */
static enum mode mode;
static struct special specials[MAX_SPECIALS];
static size_t nspecials;
static int own_specials;		/* --own-specials */
static int nthreads = 1;		/* --threads */
static int pcre2_only;			/* --pcre2-only */

/* Why a text could not be tokenized, for the reject row. */
struct failure {
	const char *reason;
	char	detail[160];
};

/*
 * A record read, and then its tokens.  Its line, id and text live in the
 * batch's arena, by offset, since the arena may move as it grows.
 */
struct doc {
	size_t	line;		/* the record as read */
	size_t	linelen;
	size_t	id;		/* the id, unescaped, NUL-terminated */
	size_t	idlen;
	size_t	text;		/* the text, unescaped */
	size_t	textlen;
	const char *name;	/* file and line, for messages */
	size_t	lineno;
	const char *why;	/* refused before tokenizing: check_record */
	struct failure f;	/* f.reason: refused, or NULL */
	struct bpe_ids ids;	/* kept from batch to batch, for its room */
	uint64_t pieces;
};

/*
 * Documents are read, tokenized and written a batch at a time: read in
 * order, tokenized by any thread in any order (each on its own, never
 * cut), written in order, so that the output is the same for every
 * number of threads.
 */
struct batch {
	struct doc *docs;
	size_t	ndocs;
	size_t	cap;
	char	*arena;
	size_t	alen;
	size_t	acap;
	size_t	next;		/* the next document to claim: pool.mu */
	size_t	ndone;		/* documents tokenized: pool.mu */
};

/* One thread's pre-tokenizer (PCRE2's match data is per thread) and memo. */
struct worker {
	struct bpe_split *sp;
	struct bpe_work w;
	const struct bpe *b;
	struct pool *pool;
	pthread_t th;
};

/*
 * A ring of batches: the main thread reads into a free one and publishes
 * it, writes the oldest once all its documents are tokenized, and
 * tokenizes when it has nothing else to do; the other threads tokenize
 * whatever document of a published batch is unclaimed, oldest first.  No
 * thread waits for another at the end of a batch.
 */
struct pool {
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a batch was published, or quit */
	pthread_cond_t done;	/* a batch was finished */
	struct batch ring[NBATCHES];
	size_t	head;		/* the oldest published batch */
	size_t	count;		/* batches published, not yet written */
	int	quit;
	int	nworkers;	/* threads, the main one included */
	struct worker wk[MAX_THREADS];
};

/* The .bin and .idx being written, and what the .idx needs at the end. */
struct shard {
	struct afile *bin;
	struct afile *idx;
	char	*bin_path;
	char	*idx_path;
	int	dtype;		/* DTYPE_UINT16 or DTYPE_INT32 */
	size_t	itemsize;
	uint32_t *sizes;	/* tokens of each sequence */
	size_t	nseq;
	size_t	cap;
	unsigned char *buf;	/* one document's tokens as stored */
	size_t	bufcap;
};

static char stdin_buf[STDIO_BUF];
static char stdout_buf[STDIO_BUF];

/* Outputs renamed into place, removed at exit unless the run finished. */
static const char *committed[3];
static int ncommitted;
static int finished;

static void
remove_output(void)
{
	int i;

	if (finished)
		return;
	for (i = 0; i < ncommitted; i++)
		unlink(committed[i]);
}

static void
commit(struct afile *af, const char *path)
{
	afile_commit(af);
	committed[ncommitted++] = path;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] --vocab FILE (--pattern NAME | --regex RE) "
	    "[--special TOKEN=ID ...] [--own-specials]\n"
	    "       [--eod TOKEN | none] (--output PREFIX [--doc-index FILE] "
	    "| --ids | --decode)\n"
	    "       [--threads N] [--pcre2-only] [--rejects FILE] "
	    "[--stats FILE] [--version] [FILE ...]\n",
	    progname);
}

static const struct bpe_pattern *
find_pattern(const char *name)
{
	const struct bpe_pattern *p;

	if ((p = bpe_pattern_find(name)) == NULL)
		cli_usage_error(usage, "--pattern: unknown name '%s' (names: "
		    BPE_PATTERN_NAMES ")", name);
	return p;
}

/* Define or redefine the special token text as id. */
static void
set_special(const char *text, uint32_t id)
{
	size_t i;

	for (i = 0; i < nspecials; i++)
		if (strcmp(specials[i].text, text) == 0) {
			specials[i].id = id;
			return;
		}
	if (nspecials == MAX_SPECIALS)
		cli_usage_error(usage, "--special: more than %d tokens",
		    MAX_SPECIALS);
	specials[nspecials].text = text;
	specials[nspecials].id = id;
	nspecials++;
}

/* --special TOKEN=ID: the last '=' splits, so a token may hold one. */
static void
parse_special(char *arg)
{
	char *eq = strrchr(arg, '=');
	uint32_t id;

	if (eq == NULL || eq == arg)
		cli_usage_error(usage, "--special: expected TOKEN=ID: %s", arg);
	*eq = '\0';
	id = (uint32_t)estrtonum(eq + 1, 0, BPE_MAX_RANK, "--special");
	if (!utf8_valid(arg, strlen(arg)))
		cli_usage_error(usage, "--special: the token is not UTF-8");
	set_special(arg, id);
}

static const struct special *
special_by_text(const char *text)
{
	size_t i;

	for (i = 0; i < nspecials; i++)
		if (strcmp(specials[i].text, text) == 0)
			return &specials[i];
	return NULL;
}

static const struct special *
special_by_id(uint32_t id)
{
	size_t i;

	for (i = 0; i < nspecials; i++)
		if (specials[i].id == id)
			return &specials[i];
	return NULL;
}

/*
 * A special token's id must name nothing else: no rank of the vocabulary,
 * no other special token.  Return the number of ids in use (highest + 1).
 */
static uint32_t
check_specials(const struct bpe *b)
{
	uint32_t card = b->nranks;
	size_t i, j, len;

	for (i = 0; i < nspecials; i++) {
		if (bpe_bytes(b, specials[i].id, &len) != NULL)
			die(EXIT_CONFIG, "special token %s: id %u is a rank of "
			    "%s", specials[i].text, specials[i].id, b->path);
		for (j = 0; j < i; j++)
			if (specials[j].id == specials[i].id)
				die(EXIT_CONFIG, "special tokens %s and %s "
				    "have the same id %u", specials[j].text,
				    specials[i].text, specials[i].id);
		if (specials[i].id + 1 > card)
			card = specials[i].id + 1;
	}
	return card;
}

/*
 * Tokenize s[0..len), valid UTF-8, appending to ids: every match of the
 * pre-tokenizer is one piece, merged on its own.  The whole text goes to
 * PCRE2 at once, never cut, since a cut changes the pieces.  A match
 * never starts after the end of the one before with tiktoken's patterns;
 * if a --regex leaves text out or matches nothing, tiktoken would drop
 * that text silently: return -1 with the failure told in f instead.
 * Counts pieces in *npieces.
 */
static int
tokenize_text(struct bpe_split *sp, const struct bpe *b, struct bpe_work *w,
    const char *s, size_t len, struct bpe_ids *ids, uint64_t *npieces,
    struct failure *f)
{
	char msg[120];
	size_t off = 0, end;
	int rc;

	while (off < len) {
		rc = bpe_split_next(sp, s, len, off, &end, msg, sizeof(msg));
		if (rc == BPE_SPLIT_UNMATCHED) {
			f->reason = "tokenize.unmatched";
			snprintf(f->detail, sizeof(f->detail), "byte %zu is "
			    "in no match of the pattern", off);
			return -1;
		}
		if (rc != 0) {
			f->reason = "tokenize.regex";
			snprintf(f->detail, sizeof(f->detail), "at byte %zu: %s",
			    off, msg);
			return -1;
		}
		bpe_encode(b, w, (const unsigned char *)s + off, end - off,
		    ids);
		(*npieces)++;
		off = end;
	}
	return 0;
}

/* Store v at p, little-endian, in n bytes. */
static void
put_le(unsigned char *p, uint64_t v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
shard_open(struct shard *sh, uint32_t cardinality)
{
	memset(sh, 0, sizeof(*sh));
	sh->bin_path = easprintf("%s.bin", prefix);
	sh->idx_path = easprintf("%s.idx", prefix);
	if (cardinality < UINT16_LIMIT) {
		sh->dtype = DTYPE_UINT16;
		sh->itemsize = 2;
	} else {
		sh->dtype = DTYPE_INT32;
		sh->itemsize = 4;
	}
	sh->bin = afile_open(sh->bin_path);
	sh->idx = afile_open(sh->idx_path);
}

/* Append one sequence (a document and its end token) to the .bin. */
static void
shard_put(struct shard *sh, const struct bpe_ids *ids)
{
	size_t i, n = ids->n, need = n * sh->itemsize;
	const uint32_t *v;
	unsigned char *o;
	uint32_t x;

	if (ids->n > INT32_MAX)
		die(EXIT_SOFTWARE, "a document of %zu tokens: more than the "
		    ".idx can hold", ids->n);
	if (need > sh->bufcap) {
		free(sh->buf);
		sh->bufcap = need * 2;
		sh->buf = emalloc(sh->bufcap);
	}
	/*
	 * Two cases spelled out: put_le's loop per token is slow here.  Each
	 * id is read once into a local, so that the compiler, which must
	 * assume the byte stores may change any memory, needs to reload
	 * nothing and makes the bytes of a token one store (one with nothing
	 * to reorder on a little-endian machine).
	 */
	v = ids->v;
	o = sh->buf;
	if (sh->itemsize == 2)
		for (i = 0; i < n; i++) {
			x = v[i];
			o[2 * i] = (unsigned char)x;
			o[2 * i + 1] = (unsigned char)(x >> 8);
		}
	else
		for (i = 0; i < n; i++) {
			x = v[i];
			o[4 * i] = (unsigned char)x;
			o[4 * i + 1] = (unsigned char)(x >> 8);
			o[4 * i + 2] = (unsigned char)(x >> 16);
			o[4 * i + 3] = (unsigned char)(x >> 24);
		}
	efwrite(sh->buf, need, sh->bin->fp, sh->bin_path);
	if (sh->nseq == sh->cap) {
		sh->cap = sh->cap == 0 ? 4096 : sh->cap * 2;
		sh->sizes = erealloc(sh->sizes, sh->cap * sizeof(*sh->sizes));
	}
	sh->sizes[sh->nseq++] = (uint32_t)ids->n;
}

/*
 * The .idx on its way out: its numbers are gathered here and written a
 * buffer at a time, since a call to fwrite for each is slow.
 */
struct idx_out {
	struct shard *sh;
	unsigned char buf[8192];
	size_t	len;
};

/* Append v to the .idx, little-endian, in n bytes. */
static void
idx_put(struct idx_out *io, uint64_t v, size_t n)
{
	if (io->len + n > sizeof(io->buf)) {
		efwrite(io->buf, io->len, io->sh->idx->fp, io->sh->idx_path);
		io->len = 0;
	}
	put_le(io->buf + io->len, v, n);
	io->len += n;
}

/*
 * Write the .idx (Megatron-LM's MMIDIDX version 1, all little-endian):
 * magic, version u64, dtype code u8, sequence count u64, document count
 * u64 (the length of the document index array: documents + 1), sizes
 * int32[sequences], pointers int64[sequences] (byte offsets into the
 * .bin), document indices int64[documents + 1] (one sequence per
 * document: 0, 1, ..., sequences).  Then rename both files into place.
 */
static void
shard_close(struct shard *sh)
{
	struct idx_out io = { .sh = sh };
	uint64_t ptr = 0;
	size_t i;

	memcpy(io.buf, IDX_MAGIC, 9);
	io.len = 9;
	idx_put(&io, IDX_VERSION, 8);
	idx_put(&io, (uint64_t)sh->dtype, 1);
	idx_put(&io, sh->nseq, 8);
	idx_put(&io, sh->nseq + 1, 8);
	for (i = 0; i < sh->nseq; i++)
		idx_put(&io, sh->sizes[i], 4);
	for (i = 0; i < sh->nseq; i++) {
		idx_put(&io, ptr, 8);
		ptr += (uint64_t)sh->sizes[i] * sh->itemsize;
	}
	for (i = 0; i <= sh->nseq; i++)
		idx_put(&io, i, 8);
	efwrite(io.buf, io.len, sh->idx->fp, sh->idx_path);
	commit(sh->bin, sh->bin_path);
	commit(sh->idx, sh->idx_path);
}

static void
shard_free(struct shard *sh)
{
	free(sh->sizes);
	free(sh->buf);
	/* committed[] still names the paths until exit. */
}

/* Write v in decimal at p; return the end.  printf costs a fifth here. */
static char *
put_uint(char *p, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* Write one --ids line: {"id":ID,"tokens":[...]}. */
static size_t
write_ids(FILE *fp, struct json_object *id, const struct bpe_ids *ids,
    char **buf, size_t *cap)
{
	const char *js;
	size_t jlen, need, n, i;
	char *p;

	js = json_object_to_json_string_length(id, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE, &jlen);
	need = jlen + 32 + ids->n * 11;
	if (need > *cap) {
		free(*buf);
		*cap = need * 2;
		*buf = emalloc(*cap);
	}
	p = *buf;
	memcpy(p, "{\"id\":", 6);
	p += 6;
	memcpy(p, js, jlen);
	p += jlen;
	memcpy(p, ",\"tokens\":[", 11);
	p += 11;
	for (i = 0; i < ids->n; i++) {
		if (i > 0)
			*p++ = ',';
		p = put_uint(p, ids->v[i]);
	}
	memcpy(p, "]}\n", 3);
	p += 3;
	n = (size_t)(p - *buf);
	efwrite(*buf, n, fp, "<stdout>");
	return n;
}

/* Room for n more bytes in the batch's arena; return where they start. */
static size_t
arena_reserve(struct batch *bt, size_t n)
{
	if (bt->acap - bt->alen < n) {
		while (bt->acap - bt->alen < n)
			bt->acap = bt->acap == 0 ? 2 * BATCH_BYTES : 2 * bt->acap;
		bt->arena = erealloc(bt->arena, bt->acap);
	}
	return bt->alen;
}

/* Does s[0..n) hold ED A0..BF, the start of a surrogate's UTF-8? */
static int
surrogate_in(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;

	while ((p = memchr(p, 0xED, (size_t)(end - p))) != NULL)
		if (++p < end && *p >= 0xA0)
			return 1;
	return 0;
}

/*
 * Take the record in->line into d: the line itself, its id and its text
 * unescaped, or why it cannot be tokenized before its text is looked at
 * (a usable id, a non-empty string, and a string text are needed).  The
 * scanner checks the line as record_next does, without building objects.
 */
static void
read_doc(struct record_in *in, struct batch *bt, struct doc *d)
{
	struct jscan_field want[2] = { { .key = "id" }, { .key = "text" } };
	const char *text;

	record_scan(in, want, 2);
	/* The line, the id and the text, each NUL-terminated, fit here. */
	d->line = arena_reserve(bt, 2 * in->len + 3);
	memcpy(bt->arena + d->line, in->line, in->len);
	bt->arena[d->line + in->len] = '\0';
	bt->alen += in->len + 1;
	d->linelen = in->len;
	d->name = in->name;
	d->lineno = in->lineno;
	d->why = NULL;
	d->f.reason = NULL;
	d->ids.n = 0;
	d->pieces = 0;
	if (want[0].type == JSCAN_ABSENT)
		d->why = "no id";
	else if (want[0].type != JSCAN_STRING)
		d->why = "id is not a string";
	else {
		d->id = bt->alen;
		d->idlen = jscan_unescape(want[0].str, want[0].len,
		    bt->arena + d->id);
		bt->alen += d->idlen + 1;
		if (d->idlen == 0)
			d->why = "id is empty";
	}
	if (d->why != NULL) {
		d->f.reason = "tokenize.no_id";
		return;
	}
	if (want[1].type != JSCAN_STRING) {
		d->f.reason = "tokenize.no_text";
		d->why = want[1].type == JSCAN_ABSENT ? "no text field" :
		    "text is not a string";
		return;
	}
	if (want[1].escaped) {
		d->text = bt->alen;
		d->textlen = jscan_unescape(want[1].str, want[1].len,
		    bt->arena + d->text);
		bt->alen += d->textlen + 1;
	} else {
		d->text = d->line + (size_t)(want[1].str - in->line);
		d->textlen = want[1].len;
	}
	/*
	 * The line is valid UTF-8; only an escaped surrogate (decoded as
	 * ED A0..BF xx) could make the text invalid, so look only where an
	 * ED byte starts one (most ED bytes start Hangul syllables).
	 */
	text = bt->arena + d->text;
	if (want[1].escaped && surrogate_in(text, d->textlen) &&
	    !utf8_valid(text, d->textlen)) {
		d->f.reason = "tokenize.invalid_text";
		d->why = "text is not valid UTF-8 (an escaped lone surrogate?)";
	}
}

/*
 * Read records into bt until it holds BATCH_DOCS documents or bytes of
 * them, or the input ends (then bt->ndocs may be 0).
 */
static void
read_batch(struct record_in *in, struct batch *bt, size_t bytes,
    struct stats *st)
{
	bt->ndocs = 0;
	bt->alen = 0;
	while (bt->ndocs < BATCH_DOCS && bt->alen < bytes &&
	    record_next_line(in)) {
		st->records_in++;
		st->bytes_in += in->len + 1;
		if (bt->ndocs == bt->cap) {
			bt->cap = bt->cap == 0 ? 256 : 2 * bt->cap;
			bt->docs = erealloc(bt->docs, bt->cap *
			    sizeof(*bt->docs));
			memset(bt->docs + bt->ndocs, 0, (bt->cap - bt->ndocs) *
			    sizeof(*bt->docs));
		}
		read_doc(in, bt, &bt->docs[bt->ndocs++]);
	}
}

static void
batch_free(struct batch *bt)
{
	size_t i;

	for (i = 0; i < bt->cap; i++)
		free(bt->docs[i].ids.v);
	free(bt->docs);
	free(bt->arena);
}

/*
 * The oldest published batch with a document nobody claimed yet, or
 * NULL.  Called with pl->mu held.
 */
static struct batch *
claimable(struct pool *pl)
{
	struct batch *bt;
	size_t i;

	for (i = 0; i < pl->count; i++) {
		bt = &pl->ring[(pl->head + i) % NBATCHES];
		if (bt->next < bt->ndocs)
			return bt;
	}
	return NULL;
}

/*
 * Claim the next document of bt and tokenize it, with pl->mu held on
 * entry and on return but not while tokenizing.
 */
static void
tokenize_one(struct worker *wk, struct batch *bt)
{
	struct pool *pl = wk->pool;
	struct doc *d = &bt->docs[bt->next++];

	pthread_mutex_unlock(&pl->mu);
	if (d->f.reason == NULL)
		tokenize_text(wk->sp, wk->b, &wk->w, bt->arena + d->text,
		    d->textlen, &d->ids, &d->pieces, &d->f);
	pthread_mutex_lock(&pl->mu);
	if (++bt->ndone == bt->ndocs)
		pthread_cond_signal(&pl->done);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct pool *pl = wk->pool;
	struct batch *bt;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		while ((bt = claimable(pl)) == NULL && !pl->quit)
			pthread_cond_wait(&pl->work, &pl->mu);
		if (bt == NULL)
			break;
		tokenize_one(wk, bt);
	}
	pthread_mutex_unlock(&pl->mu);
	return NULL;
}

/*
 * Give every thread its own pre-tokenizer and memo; start the threads
 * beyond the calling one, which is wk[0].
 */
static void
pool_open(struct pool *pl, int n, const struct bpe *b)
{
	char err[160];
	int i, rc;

	memset(pl, 0, sizeof(*pl));
	pthread_mutex_init(&pl->mu, NULL);
	pthread_cond_init(&pl->work, NULL);
	pthread_cond_init(&pl->done, NULL);
	pl->nworkers = n;
	for (i = 0; i < n; i++) {
		pl->wk[i].b = b;
		pl->wk[i].pool = pl;
		/* It compiled once already: it compiles again. */
		if ((pl->wk[i].sp = bpe_split_new(regex, err,
		    sizeof(err))) == NULL)
			die(EXIT_SOFTWARE, "--regex: %s", err);
		if (pcre2_only)
			bpe_split_pcre2_only(pl->wk[i].sp);
	}
	for (i = 1; i < n; i++)
		if ((rc = pthread_create(&pl->wk[i].th, NULL, worker_main,
		    &pl->wk[i])) != 0)
			die(EXIT_OSERR, "pthread_create: %s", strerror(rc));
}

static void
pool_close(struct pool *pl)
{
	size_t k;
	int i;

	pthread_mutex_lock(&pl->mu);
	pl->quit = 1;
	pthread_cond_broadcast(&pl->work);
	pthread_mutex_unlock(&pl->mu);
	for (i = 1; i < pl->nworkers; i++)
		pthread_join(pl->wk[i].th, NULL);
	for (i = 0; i < pl->nworkers; i++) {
		bpe_split_free(pl->wk[i].sp);
		bpe_work_free(&pl->wk[i].w);
	}
	for (k = 0; k < NBATCHES; k++)
		batch_free(&pl->ring[k]);
	pthread_cond_destroy(&pl->done);
	pthread_cond_destroy(&pl->work);
	pthread_mutex_destroy(&pl->mu);
}

/* What the writing side holds: outputs, counts, the end token. */
struct out {
	struct shard sh;
	struct afile *dix;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	const struct special *eod;
	char	*linebuf;
	size_t	linecap;
	uint64_t pieces;
	uint64_t text_tokens;
	uint64_t eod_tokens;
	uint64_t max_tokens;
	uint64_t text_bytes;
};

/*
 * Write the documents of bt in order: a reject row for each refused one,
 * else its tokens (--ids) or its sequence, document-index row and record
 * passed on (--output).
 */
static void
write_batch(struct out *o, struct batch *bt)
{
	struct json_object *rec, *id;
	const char *cells[3];
	char detail[DETAIL_MAX], num[2][24];
	struct doc *d;
	size_t k;

	for (k = 0; k < bt->ndocs; k++) {
		d = &bt->docs[k];
		if (d->f.reason != NULL) {
			snprintf(detail, sizeof(detail), "%s:%zu: %s", d->name,
			    d->lineno, d->why != NULL ? d->why : d->f.detail);
			/* Rare: the object is built only for the row. */
			if ((rec = json_tokener_parse(bt->arena +
			    d->line)) == NULL)
				die(EXIT_SOFTWARE, "%s:%zu: the record does not "
				    "parse again", d->name, d->lineno);
			rej_record(&o->rj, rec, d->f.reason, detail);
			json_object_put(rec);
			continue;
		}
		o->pieces += d->pieces;
		o->text_tokens += d->ids.n;
		o->text_bytes += d->textlen;
		if (d->ids.n > o->max_tokens)
			o->max_tokens = d->ids.n;
		if (mode == M_IDS) {
			id = json_object_new_string_len(bt->arena + d->id,
			    (int)d->idlen);
			o->st.bytes_out += write_ids(stdout, id, &d->ids,
			    &o->linebuf, &o->linecap);
			json_object_put(id);
		} else {
			if (o->eod != NULL) {
				bpe_ids_push(&d->ids, o->eod->id);
				o->eod_tokens++;
			}
			if (o->dix != NULL) {
				snprintf(num[0], sizeof(num[0]), "%zu",
				    o->sh.nseq);
				snprintf(num[1], sizeof(num[1]), "%zu",
				    d->ids.n);
				cells[0] = num[0];
				cells[1] = bt->arena + d->id;
				cells[2] = num[1];
				csv_put(o->dix->fp, doc_index_path, cells, 3);
			}
			shard_put(&o->sh, &d->ids);
			efwrite(bt->arena + d->line, d->linelen, stdout,
			    "<stdout>");
			if (putc('\n', stdout) == EOF)
				die(EXIT_IOERR, "write error: <stdout>:");
			o->st.bytes_out += d->linelen + 1;
		}
		o->st.records_out++;
	}
	progress_update(&o->pg, o->st.records_in, o->st.bytes_in);
}

/*
 * Read, tokenize and write every document, in the order of this list:
 * write the oldest batch when it is done, else read into a free batch,
 * else tokenize, else wait for a batch to be done.  The first batches
 * are small and each twice the one before, up to BATCH_BYTES, so that
 * the other threads need not wait for a whole batch to start.
 */
static void
run_pool(struct pool *pl, struct record_in *in, struct out *o)
{
	struct batch *bt;
	size_t bytes = BATCH_BYTES / 16;
	int eof = 0;

	pthread_mutex_lock(&pl->mu);
	for (;;) {
		bt = &pl->ring[pl->head];
		if (pl->count > 0 && bt->ndone == bt->ndocs) {
			pthread_mutex_unlock(&pl->mu);
			write_batch(o, bt);
			pthread_mutex_lock(&pl->mu);
			pl->head = (pl->head + 1) % NBATCHES;
			pl->count--;
		} else if (!eof && pl->count < NBATCHES) {
			bt = &pl->ring[(pl->head + pl->count) % NBATCHES];
			pthread_mutex_unlock(&pl->mu);
			read_batch(in, bt, bytes, &o->st);
			if (bytes < BATCH_BYTES)
				bytes *= 2;
			pthread_mutex_lock(&pl->mu);
			if (bt->ndocs == 0) {
				eof = 1;
				continue;
			}
			bt->next = bt->ndone = 0;
			pl->count++;
			pthread_cond_broadcast(&pl->work);
		} else if (pl->count == 0)
			break;
		else if ((bt = claimable(pl)) != NULL)
			tokenize_one(&pl->wk[0], bt);
		else
			pthread_cond_wait(&pl->done, &pl->mu);
	}
	pthread_mutex_unlock(&pl->mu);
}

/* sha256 of the file at path, for --stats: which vocabulary was used. */
static void
file_sha256(const char *path, char hex[HASH_SHA256_HEX])
{
	struct hash_sha256 h;
	char buf[65536];
	FILE *fp;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	hash_sha256_init(&h);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		hash_sha256_update(&h, buf, n);
	if (ferror(fp))
		die(EXIT_NOINPUT, "%s: read error", path);
	fclose(fp);
	hash_sha256_hex(&h, hex);
}

/* file_sha256 of the rank file into hex, for pthread_create. */
static void *
vocab_sha256(void *hex)
{
	file_sha256(vocab_path, hex);
	return NULL;
}

/*
 * --decode: each record's "tokens" array back to text, written as
 * {"id":ID,"text":TEXT} (id only when the record has one).  Input that is
 * not such a record, an unknown id, or tokens whose bytes are not UTF-8
 * are fatal with EXIT_DATAERR naming file and line.
 */
static void
decode_stream(struct record_in *in, const struct bpe *b, struct stats *st,
    struct progress *pg)
{
	struct json_object *rec, *arr, *v, *id, *out;
	const unsigned char *tb;
	char *text = NULL;
	size_t cap = 0, n, i, k, tlen;
	int64_t t;

	while ((rec = record_next(in)) != NULL) {
		st->records_in++;
		st->bytes_in += in->len + 1;
		if (!json_object_object_get_ex(rec, "tokens", &arr) ||
		    !json_object_is_type(arr, json_type_array))
			die(EXIT_DATAERR, "%s:%zu: no tokens array", in->name,
			    in->lineno);
		n = json_object_array_length(arr);
		tlen = 0;
		for (i = 0; i < n; i++) {
			v = json_object_array_get_idx(arr, i);
			t = json_object_is_type(v, json_type_int) ?
			    json_object_get_int64(v) : -1;
			tb = t >= 0 && t <= BPE_MAX_RANK ?
			    bpe_bytes(b, (uint32_t)t, &k) : NULL;
			if (tb == NULL && t >= 0 && t <= BPE_MAX_RANK &&
			    special_by_id((uint32_t)t) != NULL) {
				tb = (const unsigned char *)
				    special_by_id((uint32_t)t)->text;
				k = strlen((const char *)tb);
			}
			if (tb == NULL)
				die(EXIT_DATAERR, "%s:%zu: token %zu is not an "
				    "id of the vocabulary", in->name,
				    in->lineno, i);
			if (tlen + k > cap) {
				cap = (tlen + k) * 2;
				text = erealloc(text, cap);
			}
			memcpy(text + tlen, tb, k);
			tlen += k;
		}
		if (!utf8_valid(text, tlen))
			die(EXIT_DATAERR, "%s:%zu: the tokens do not decode to "
			    "UTF-8 text", in->name, in->lineno);
		out = json_object_new_object();
		if (json_object_object_get_ex(rec, "id", &id))
			json_object_object_add(out, "id", json_object_get(id));
		json_object_object_add(out, "text",
		    json_object_new_string_len(tlen > 0 ? text : "",
		    (int)tlen));
		st->bytes_out += record_write(stdout, "<stdout>", out);
		st->records_out++;
		stats_add(st, "tokens", (int64_t)n);
		stats_add(st, "text_bytes", (int64_t)tlen);
		json_object_put(out);
		json_object_put(rec);
		progress_update(pg, st->records_in, st->bytes_in);
	}
	free(text);
}

int
main(int argc, char *argv[])
{
	enum {
		O_VOCAB = 0x200,
		O_PATTERN,
		O_REGEX,
		O_SPECIAL,
		O_EOD,
		O_OUTPUT,
		O_DOC_INDEX,
		O_IDS,
		O_DECODE,
		O_OWN_SPECIALS,
		O_PCRE2_ONLY,
		O_THREADS
	};
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ "decode", no_argument, NULL, O_DECODE },
		{ "doc-index", required_argument, NULL, O_DOC_INDEX },
		{ "eod", required_argument, NULL, O_EOD },
		{ "ids", no_argument, NULL, O_IDS },
		{ "output", required_argument, NULL, O_OUTPUT },
		{ "own-specials", no_argument, NULL, O_OWN_SPECIALS },
		{ "pattern", required_argument, NULL, O_PATTERN },
		{ "pcre2-only", no_argument, NULL, O_PCRE2_ONLY },
		{ "regex", required_argument, NULL, O_REGEX },
		{ "special", required_argument, NULL, O_SPECIAL },
		{ "threads", required_argument, NULL, O_THREADS },
		{ "vocab", required_argument, NULL, O_VOCAB },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const doc_header[] = { "index", "id", "tokens" };
	struct cli cli = { 0 };
	struct record_in in;
	static struct out o;
	static struct pool pool;
	struct bpe_split *sp = NULL;
	char rerr[160];
	struct bpe *b;
	const struct special *eod = NULL;
	char sha[HASH_SHA256_HEX];
	size_t i;
	uint32_t cardinality;
	pthread_t sha_th;
	int ch, regex_given = 0, sha_thread;

	cli_init(argv, "quire-tokenize");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS, longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case O_DECODE:
		case O_IDS:
		case O_OUTPUT:
			if (mode != M_NONE)
				cli_usage_error(usage, "--output, --ids and "
				    "--decode exclude each other");
			mode = ch == O_DECODE ? M_DECODE : ch == O_IDS ?
			    M_IDS : M_OUTPUT;
			if (ch == O_OUTPUT)
				prefix = optarg;
			break;
		case O_DOC_INDEX:
			doc_index_path = optarg;
			break;
		case O_EOD:
			eod_name = optarg;
			break;
		case O_PATTERN:
			if (pattern != NULL || regex_given)
				cli_usage_error(usage, "--pattern and --regex: "
				    "one, once");
			pattern = find_pattern(optarg);
			break;
		case O_REGEX:
			if (pattern != NULL || regex_given)
				cli_usage_error(usage, "--pattern and --regex: "
				    "one, once");
			regex = optarg;
			regex_given = 1;
			break;
		case O_SPECIAL:
			parse_special(optarg);
			break;
		case O_THREADS:
			nthreads = (int)estrtonum(optarg, 1, MAX_THREADS,
			    "--threads");
			break;
		case O_OWN_SPECIALS:
			own_specials = 1;
			break;
		case O_PCRE2_ONLY:
			pcre2_only = 1;
			break;
		case O_VOCAB:
			vocab_path = optarg;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (vocab_path == NULL)
		cli_usage_error(usage, "--vocab FILE is required");
	if (mode == M_NONE)
		cli_usage_error(usage, "one of --output PREFIX, --ids or "
		    "--decode is required");
	if (mode != M_DECODE && pattern == NULL && !regex_given)
		cli_usage_error(usage, "--pattern NAME or --regex RE is "
		    "required");
	if (doc_index_path != NULL && mode != M_OUTPUT)
		cli_usage_error(usage, "--doc-index goes with --output");
	if (mode == M_OUTPUT && *prefix == '\0')
		cli_usage_error(usage, "--output: empty prefix");

	/*
	 * The pattern's own special tokens first; --special overrides.  A
	 * vocabulary trained here has none of them: --own-specials.
	 */
	if (pattern != NULL && !own_specials) {
		struct special keep[MAX_SPECIALS];
		size_t nkeep = nspecials;

		memcpy(keep, specials, nspecials * sizeof(*specials));
		nspecials = 0;
		for (i = 0; i < BPE_PATTERN_SPECIALS &&
		    pattern->specials[i].text != NULL; i++)
			set_special(pattern->specials[i].text,
			    pattern->specials[i].id);
		for (i = 0; i < nkeep; i++)
			set_special(keep[i].text, keep[i].id);
	}
	if (pattern != NULL)
		regex = pattern->regex;
	if (eod_name == NULL)
		eod = special_by_text("<|endoftext|>");
	else if (strcmp(eod_name, "none") != 0 &&
	    (eod = special_by_text(eod_name)) == NULL)
		cli_usage_error(usage, "--eod: %s is not a special token "
		    "(define it with --special)", eod_name);
	if (regex != NULL &&
	    (sp = bpe_split_new(regex, rerr, sizeof(rerr))) == NULL)
		cli_usage_error(usage, "--regex: %s", rerr);

	/* With threads to spare, the rank file is hashed while it loads. */
	sha_thread = nthreads > 1 &&
	    pthread_create(&sha_th, NULL, vocab_sha256, sha) == 0;
	b = bpe_load(vocab_path);
	cardinality = check_specials(b);
	if (sha_thread)
		pthread_join(sha_th, NULL);
	else
		file_sha256(vocab_path, sha);

	stats_init(&o.st, "tokenize");
	stats_option(&o.st, "mode", mode == M_OUTPUT ? "output" :
	    mode == M_IDS ? "ids" : "decode");
	stats_option(&o.st, "vocab", vocab_path);
	stats_option(&o.st, "vocab_sha256", sha);
	stats_option_int(&o.st, "vocab_tokens", b->ntokens);
	stats_option_int(&o.st, "ids", cardinality);
	if (mode != M_DECODE) {
		stats_option(&o.st, "pattern", pattern != NULL ? pattern->name :
		    "regex");
		stats_option(&o.st, "regex", regex);
		stats_option(&o.st, "eod", eod != NULL ? eod->text : "none");
		if (eod != NULL)
			stats_option_int(&o.st, "eod_id", eod->id);
	}
	if (mode == M_OUTPUT)
		stats_option(&o.st, "dtype", cardinality < UINT16_LIMIT ?
		    "uint16" : "int32");
	stats_add(&o.st, "documents", 0);
	stats_add(&o.st, "tokens", 0);
	if (mode != M_DECODE) {
		stats_add(&o.st, "text_tokens", 0);
		stats_add(&o.st, "eod_tokens", 0);
		stats_add(&o.st, "pieces", 0);
		stats_add(&o.st, "max_document_tokens", 0);
	}
	stats_add(&o.st, "text_bytes", 0);

	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	if (atexit(remove_output) != 0)
		die(EXIT_OSERR, "atexit:");
	rej_open(&o.rj, cli.rejects_path, "tokenize", &o.st);
	if (mode == M_OUTPUT)
		shard_open(&o.sh, cardinality);
	if (doc_index_path != NULL) {
		o.dix = afile_open(doc_index_path);
		csv_put(o.dix->fp, doc_index_path, doc_header, 3);
	}
	o.eod = eod;
	progress_init(&o.pg, cli.qflag);
	record_in_init(&in, argc - optind, argv + optind);

	if (mode == M_DECODE) {
		decode_stream(&in, b, &o.st, &o.pg);
		goto done;
	}
	pool_open(&pool, nthreads, b);
	run_pool(&pool, &in, &o);
	pool_close(&pool);
	if (mode == M_OUTPUT)
		shard_close(&o.sh);
	if (o.dix != NULL)
		commit(o.dix, doc_index_path);
	stats_add(&o.st, "documents", (int64_t)o.st.records_out);
	stats_add(&o.st, "tokens", (int64_t)(o.text_tokens + o.eod_tokens));
	stats_add(&o.st, "text_tokens", (int64_t)o.text_tokens);
	stats_add(&o.st, "eod_tokens", (int64_t)o.eod_tokens);
	stats_add(&o.st, "pieces", (int64_t)o.pieces);
	stats_add(&o.st, "max_document_tokens", (int64_t)o.max_tokens);
	stats_add(&o.st, "text_bytes", (int64_t)o.text_bytes);
done:
	if (mode == M_DECODE)
		stats_add(&o.st, "documents", (int64_t)o.st.records_out);
	record_in_free(&in);
	progress_done(&o.pg);
	efshut(stdout, "<stdout>");
	rej_close(&o.rj);
	stats_write(&o.st, cli.stats_path);
	finished = 1;

	stats_free(&o.st);
	if (mode == M_OUTPUT)
		shard_free(&o.sh);
	if (regex != NULL)
		bpe_split_free(sp);
	bpe_free(b);
	free(o.linebuf);
	return EXIT_OK;
}
