/* quire-tokenize: byte-level BPE as tiktoken does it, into Megatron-LM shards. */
#include <getopt.h>
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

/* Why a text could not be tokenized, for the reject row. */
struct failure {
	const char *reason;
	char	detail[160];
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
	    "       [--rejects FILE] [--stats FILE] [--version] [FILE ...]\n",
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
	size_t i, need = ids->n * sh->itemsize;

	if (ids->n > INT32_MAX)
		die(EXIT_SOFTWARE, "a document of %zu tokens: more than the "
		    ".idx can hold", ids->n);
	if (need > sh->bufcap) {
		free(sh->buf);
		sh->bufcap = need * 2;
		sh->buf = emalloc(sh->bufcap);
	}
	for (i = 0; i < ids->n; i++)
		put_le(sh->buf + i * sh->itemsize, ids->v[i], sh->itemsize);
	efwrite(sh->buf, need, sh->bin->fp, sh->bin_path);
	if (sh->nseq == sh->cap) {
		sh->cap = sh->cap == 0 ? 4096 : sh->cap * 2;
		sh->sizes = erealloc(sh->sizes, sh->cap * sizeof(*sh->sizes));
	}
	sh->sizes[sh->nseq++] = (uint32_t)ids->n;
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
	unsigned char head[34], v[8];
	uint64_t ptr = 0;
	size_t i;

	memcpy(head, IDX_MAGIC, 9);
	put_le(head + 9, IDX_VERSION, 8);
	head[17] = (unsigned char)sh->dtype;
	put_le(head + 18, sh->nseq, 8);
	put_le(head + 26, sh->nseq + 1, 8);
	efwrite(head, sizeof(head), sh->idx->fp, sh->idx_path);
	for (i = 0; i < sh->nseq; i++) {
		put_le(v, sh->sizes[i], 4);
		efwrite(v, 4, sh->idx->fp, sh->idx_path);
	}
	for (i = 0; i < sh->nseq; i++) {
		put_le(v, ptr, 8);
		efwrite(v, 8, sh->idx->fp, sh->idx_path);
		ptr += (uint64_t)sh->sizes[i] * sh->itemsize;
	}
	for (i = 0; i <= sh->nseq; i++) {
		put_le(v, i, 8);
		efwrite(v, 8, sh->idx->fp, sh->idx_path);
	}
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

/*
 * Why rec cannot be tokenized before its text is looked at: a usable id
 * (a non-empty string) and a string text are needed.  Returns the reason
 * and writes the detail, or NULL.
 */
static const char *
check_record(struct json_object *rec, const struct record_in *in,
    struct json_object **id, const char **text, size_t *len, char *detail,
    size_t dlen)
{
	struct json_object *v;
	const char *why = NULL, *reason = NULL;

	if (!json_object_object_get_ex(rec, "id", id))
		why = "no id";
	else if (!json_object_is_type(*id, json_type_string))
		why = "id is not a string";
	else if (json_object_get_string_len(*id) == 0)
		why = "id is empty";
	if (why != NULL)
		reason = "tokenize.no_id";
	else if (!json_object_object_get_ex(rec, "text", &v)) {
		reason = "tokenize.no_text";
		why = "no text field";
	} else if (!json_object_is_type(v, json_type_string)) {
		reason = "tokenize.no_text";
		why = "text is not a string";
	} else {
		*text = json_object_get_string(v);
		*len = (size_t)json_object_get_string_len(v);
		/*
		 * record_next checked the line; only an escaped surrogate
		 * (json-c writes it as ED A0..BF xx) can make the decoded
		 * text invalid, so look only where an ED byte is.
		 */
		if (memchr(*text, 0xED, *len) != NULL &&
		    !utf8_valid(*text, *len)) {
			reason = "tokenize.invalid_text";
			why = "text is not valid UTF-8 (an escaped lone "
			    "surrogate?)";
		}
	}
	if (reason != NULL)
		snprintf(detail, dlen, "%s:%zu: %s", in->name, in->lineno, why);
	return reason;
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
		O_OWN_SPECIALS
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
		{ "regex", required_argument, NULL, O_REGEX },
		{ "special", required_argument, NULL, O_SPECIAL },
		{ "vocab", required_argument, NULL, O_VOCAB },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const doc_header[] = { "index", "id", "tokens" };
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct bpe_split *sp = NULL;
	char rerr[160];
	struct shard sh;
	struct bpe *b;
	struct bpe_work w = { 0 };
	struct bpe_ids ids = { 0 };
	struct failure f;
	struct afile *dix = NULL;
	struct json_object *rec, *id;
	const struct special *eod = NULL;
	const char *text, *reason, *cells[3];
	char detail[DETAIL_MAX], sha[HASH_SHA256_HEX], num[2][24];
	char *linebuf = NULL;
	size_t len, linecap = 0, i, ntext;
	uint64_t pieces = 0, text_tokens = 0, eod_tokens = 0, max_tokens = 0;
	uint64_t text_bytes = 0;
	uint32_t cardinality;
	int ch, regex_given = 0;

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
		case O_OWN_SPECIALS:
			own_specials = 1;
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

	b = bpe_load(vocab_path);
	cardinality = check_specials(b);
	file_sha256(vocab_path, sha);

	stats_init(&st, "tokenize");
	stats_option(&st, "mode", mode == M_OUTPUT ? "output" :
	    mode == M_IDS ? "ids" : "decode");
	stats_option(&st, "vocab", vocab_path);
	stats_option(&st, "vocab_sha256", sha);
	stats_option_int(&st, "vocab_tokens", b->ntokens);
	stats_option_int(&st, "ids", cardinality);
	if (mode != M_DECODE) {
		stats_option(&st, "pattern", pattern != NULL ? pattern->name :
		    "regex");
		stats_option(&st, "regex", regex);
		stats_option(&st, "eod", eod != NULL ? eod->text : "none");
		if (eod != NULL)
			stats_option_int(&st, "eod_id", eod->id);
	}
	if (mode == M_OUTPUT)
		stats_option(&st, "dtype", cardinality < UINT16_LIMIT ?
		    "uint16" : "int32");
	stats_add(&st, "documents", 0);
	stats_add(&st, "tokens", 0);
	if (mode != M_DECODE) {
		stats_add(&st, "text_tokens", 0);
		stats_add(&st, "eod_tokens", 0);
		stats_add(&st, "pieces", 0);
		stats_add(&st, "max_document_tokens", 0);
	}
	stats_add(&st, "text_bytes", 0);

	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	if (atexit(remove_output) != 0)
		die(EXIT_OSERR, "atexit:");
	rej_open(&rj, cli.rejects_path, "tokenize", &st);
	if (mode == M_OUTPUT)
		shard_open(&sh, cardinality);
	if (doc_index_path != NULL) {
		dix = afile_open(doc_index_path);
		csv_put(dix->fp, doc_index_path, doc_header, 3);
	}
	progress_init(&pg, cli.qflag);
	record_in_init(&in, argc - optind, argv + optind);

	if (mode == M_DECODE) {
		decode_stream(&in, b, &st, &pg);
		goto done;
	}
	while ((rec = record_next(&in)) != NULL) {
		st.records_in++;
		st.bytes_in += in.len + 1;
		reason = check_record(rec, &in, &id, &text, &len, detail,
		    sizeof(detail));
		ids.n = 0;
		if (reason == NULL && tokenize_text(sp, b, &w, text, len,
		    &ids, &pieces, &f) != 0) {
			reason = f.reason;
			snprintf(detail, sizeof(detail), "%s:%zu: %s", in.name,
			    in.lineno, f.detail);
		}
		if (reason != NULL) {
			rej_record(&rj, rec, reason, detail);
			json_object_put(rec);
			continue;
		}
		ntext = ids.n;
		text_tokens += ntext;
		text_bytes += len;
		if (ntext > max_tokens)
			max_tokens = ntext;
		if (mode == M_IDS)
			st.bytes_out += write_ids(stdout, id, &ids, &linebuf,
			    &linecap);
		else {
			if (eod != NULL) {
				bpe_ids_push(&ids, eod->id);
				eod_tokens++;
			}
			if (dix != NULL) {
				snprintf(num[0], sizeof(num[0]), "%zu", sh.nseq);
				snprintf(num[1], sizeof(num[1]), "%zu", ids.n);
				cells[0] = num[0];
				cells[1] = json_object_get_string(id);
				cells[2] = num[1];
				csv_put(dix->fp, doc_index_path, cells, 3);
			}
			shard_put(&sh, &ids);
			st.bytes_out += record_write_line(stdout, "<stdout>",
			    &in);
		}
		st.records_out++;
		json_object_put(rec);
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	if (mode == M_OUTPUT)
		shard_close(&sh);
	if (dix != NULL)
		commit(dix, doc_index_path);
	stats_add(&st, "documents", (int64_t)st.records_out);
	stats_add(&st, "tokens", (int64_t)(text_tokens + eod_tokens));
	stats_add(&st, "text_tokens", (int64_t)text_tokens);
	stats_add(&st, "eod_tokens", (int64_t)eod_tokens);
	stats_add(&st, "pieces", (int64_t)pieces);
	stats_add(&st, "max_document_tokens", (int64_t)max_tokens);
	stats_add(&st, "text_bytes", (int64_t)text_bytes);
done:
	if (mode == M_DECODE)
		stats_add(&st, "documents", (int64_t)st.records_out);
	record_in_free(&in);
	progress_done(&pg);
	efshut(stdout, "<stdout>");
	rej_close(&rj);
	stats_write(&st, cli.stats_path);
	finished = 1;

	stats_free(&st);
	if (mode == M_OUTPUT)
		shard_free(&sh);
	if (regex != NULL)
		bpe_split_free(sp);
	bpe_work_free(&w);
	bpe_free(b);
	free(ids.v);
	free(linebuf);
	return EXIT_OK;
}
