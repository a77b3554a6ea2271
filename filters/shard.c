/* quire-shard: cut the record stream into zstd shards, train and validation. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zstd.h>
#include <zstd_errors.h>

#include "atomic.h"
#include "cli.h"
#include "csvio.h"
#include "jscan.h"
#include "progress.h"
#include "record.h"
#include "rejects.h"
#include "split.h"
#include "stats.h"
#include "util.h"

#define NAME_MAX_LEN	200	/* leaves room for "-validation-00000..." */
#define BATCH_SIZE	((size_t)1 << 20)	/* lines for zstd at once */
#define OUT_BLOCKS	8	/* output buffer, in ZSTD_CStreamOutSize()s */
/* A shard's path from DIR (its length first), NAME, split and number. */
#define SHARD_PATH	"%.*s/%s-%s-%05u.jsonl.zst"
#define STDIO_BUF	((size_t)1 << 17)	/* stdin and stdout buffers */

/*
 * One side of the split and the shard it is filling.  Lines gather in a
 * batch so zstd sees few large calls rather than one per record; what it
 * produces gathers in out and leaves with one fwrite per full buffer.
 */
struct split {
	const char *label;	/* "train" or "validation" */
	ZSTD_CCtx *cctx;	/* made with the split's first shard */
	struct afile *af;	/* the shard being filled, or NULL */
	char	*path;		/* its path, DIR/NAME-label-NNNNN.jsonl.zst */
	const char *file;	/* its file name: points into path */
	unsigned seq;		/* shards committed so far, and next number */
	uint64_t bytes;		/* uncompressed bytes in the open shard */
	uint64_t docs;		/* documents in the open shard */
	uint64_t total_docs;
	uint64_t total_bytes;
	uint64_t compressed;	/* bytes of all its shards */
	char	*batch;
	size_t	batchlen;
	ZSTD_outBuffer out;
};

static const char *dir;			/* -d */
static size_t dirlen;			/* dir without trailing slashes */
static const char *name;		/* -n */
static uint64_t shard_bytes = (uint64_t)64 << 20;	/* -s */
static uint32_t share_ppm = 10000;	/* -v, 0.01 */
static int level = 3;			/* -z */
static int threads = 2;			/* -T */
static const char *lineage_path;	/* -l */

static struct split splits[2] = { { .label = "train" },
    { .label = "validation" } };

/*
 * What shard reads of a record: the id, and where the document came from
 * for the lineage and reject rows.  The scanner checks the line and finds
 * them without building the record: with two cores, zstd's workers want
 * all the CPU there is, and the objects would be thrown away unread.
 */
enum { F_ID, F_WRITER, F_SUBMISSION, F_SHA256, NFIELDS };
static struct jscan_field fields[NFIELDS] = {
	[F_ID] = { .key = "id" },
	[F_WRITER] = { .key = "writer" },
	[F_SUBMISSION] = { .key = "source", .sub = "submission" },
	[F_SHA256] = { .key = "source", .sub = "sha256" },
};
/* Their decoded values, each in a buffer reused from record to record. */
static struct {
	char	*s;
	size_t	cap;
} values[NFIELDS];
/*
 * stdio's default 4 KiB buffers cost a system call for about every record
 * of prose; larger ones keep a pipe on either side cheap.
 */
static char stdin_buf[STDIO_BUF];
static char stdout_buf[STDIO_BUF];

static int lineage_done;		/* lineage file renamed into place */
static int finished;			/* everything written: keep it */

/*
 * At exit before the end of a run, remove the shards and the lineage file
 * already renamed into place: a failed run leaves none of its output, not
 * only no half-written file (lib/atomic.c removes those).  Shard names are
 * rebuilt from the counters, so nothing grows with the number of shards.
 */
static void
remove_output(void)
{
	char path[PATH_MAX];
	unsigned i;
	int k;

	if (finished)
		return;
	for (k = 0; k < 2; k++)
		for (i = 0; i < splits[k].seq; i++) {
			snprintf(path, sizeof(path), SHARD_PATH, (int)dirlen,
			    dir, name, splits[k].label, i);
			unlink(path);
		}
	if (lineage_done)
		unlink(lineage_path);
}

/* Return 1 if c is an ASCII digit; isdigit() would consult the locale. */
static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* NAME becomes part of file names: [A-Za-z0-9._-], not starting with '.'. */
static void
check_name(const char *s)
{
	const char *p;

	if (*s == '\0' || *s == '.')
		die(EXIT_USAGE, "-n: name must not be empty or start with "
		    "'.': %s", s);
	if (strlen(s) > NAME_MAX_LEN)
		die(EXIT_USAGE, "-n: name longer than %d bytes", NAME_MAX_LEN);
	for (p = s; *p != '\0'; p++)
		if (!(is_digit(*p) || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= 'a' && *p <= 'z') || *p == '.' || *p == '_' ||
		    *p == '-'))
			die(EXIT_USAGE, "-n: name may hold only A-Z a-z 0-9 "
			    ". _ -: %s", s);
}

/*
 * DIR must be a folder we may create files in.  Said up front, before any
 * record is read; a missing folder is an I/O error like an unwritable one,
 * since it is where output goes, not input.
 */
static void
check_dir(void)
{
	struct stat sb;

	if (stat(dir, &sb) != 0)
		die(EXIT_IOERR, "output folder %s:", dir);
	if (!S_ISDIR(sb.st_mode))
		die(EXIT_IOERR, "output folder %s: not a directory", dir);
	if (access(dir, W_OK | X_OK) != 0)
		die(EXIT_IOERR, "output folder %s:", dir);
	for (dirlen = strlen(dir); dirlen > 1 && dir[dirlen - 1] == '/';
	    dirlen--)
		;
}

/* A zstd return value: die naming what on error, else return it. */
static size_t
zcheck(size_t r, const char *what)
{
	if (ZSTD_isError(r))
		die(ZSTD_getErrorCode(r) == ZSTD_error_memory_allocation ?
		    EXIT_OSERR : EXIT_SOFTWARE, "zstd: %s: %s", what,
		    ZSTD_getErrorName(r));
	return r;
}

/*
 * A compression context with the run's parameters.  Always multi-threaded:
 * zstd's multi-threaded frames are the same bytes for any number of
 * workers but differ from single-threaded ones (FACTS.md), so -T1 and
 * -T8 give the same shards only if single-threaded mode is never used.
 */
static ZSTD_CCtx *
cctx_new(void)
{
	ZSTD_CCtx *c;

	if ((c = ZSTD_createCCtx()) == NULL)
		die(EXIT_OSERR, "out of memory");
	zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level),
	    "level");
	zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1), "checksum");
	zcheck(ZSTD_CCtx_setParameter(c, ZSTD_c_nbWorkers, threads),
	    "workers");
	return c;
}

/* Write what zstd produced so far to the shard. */
static void
out_flush(struct split *sp)
{
	efwrite(sp->out.dst, sp->out.pos, sp->af->fp, sp->path);
	sp->compressed += sp->out.pos;
	sp->out.pos = 0;
}

/*
 * Hand src[0..len) to zstd.  ZSTD_e_continue returns once all of it is
 * taken; ZSTD_e_end once the frame is complete.  In multi-threaded mode a
 * call that can make no progress waits for a worker, so the loop does
 * not spin.
 */
static void
compress(struct split *sp, const void *src, size_t len, ZSTD_EndDirective end)
{
	ZSTD_inBuffer in = { src, len, 0 };
	size_t left;

	for (;;) {
		left = zcheck(ZSTD_compressStream2(sp->cctx, &sp->out, &in,
		    end), sp->path);
		if (sp->out.pos == sp->out.size)
			out_flush(sp);
		if (end == ZSTD_e_end ? left == 0 : in.pos == in.size)
			break;
	}
}

/* Start shard number sp->seq of split sp under its temporary name. */
static void
shard_open(struct split *sp)
{
	sp->path = easprintf(SHARD_PATH, (int)dirlen, dir, name, sp->label,
	    sp->seq);
	sp->file = sp->path + dirlen + 1;
	if (sp->cctx == NULL) {
		sp->cctx = cctx_new();
		sp->batch = emalloc(BATCH_SIZE);
		sp->out.size = OUT_BLOCKS * ZSTD_CStreamOutSize();
		sp->out.dst = emalloc(sp->out.size);
	}
	sp->af = afile_open(sp->path);
	sp->bytes = 0;
	sp->docs = 0;
}

/*
 * End the frame, then rename the shard into place.  The last batch goes in
 * as ZSTD_e_continue first: zstd compresses a frame whose whole content
 * arrives with ZSTD_e_end in its first call single-threaded when it is
 * small, and every frame must be of the multi-threaded kind.
 */
static void
shard_close(struct split *sp)
{
	compress(sp, sp->batch, sp->batchlen, ZSTD_e_continue);
	compress(sp, sp->batch, 0, ZSTD_e_end);
	sp->batchlen = 0;
	out_flush(sp);
	afile_commit(sp->af);
	sp->af = NULL;
	sp->seq++;
	free(sp->path);
	sp->path = NULL;
	sp->file = NULL;
}

/* Add one record line, and the newline that ends it, to the open shard. */
static void
shard_put(struct split *sp, const char *line, size_t len)
{
	if (sp->batchlen + len + 1 > BATCH_SIZE) {
		compress(sp, sp->batch, sp->batchlen, ZSTD_e_continue);
		sp->batchlen = 0;
		if (len + 1 > BATCH_SIZE) {
			compress(sp, line, len, ZSTD_e_continue);
			compress(sp, "\n", 1, ZSTD_e_continue);
			goto count;
		}
	}
	memcpy(sp->batch + sp->batchlen, line, len);
	sp->batch[sp->batchlen + len] = '\n';
	sp->batchlen += len + 1;
count:
	sp->bytes += len + 1;
	sp->docs++;
	sp->total_bytes += len + 1;
	sp->total_docs++;
}

static void
split_free(struct split *sp)
{
	ZSTD_freeCCtx(sp->cctx);
	free(sp->batch);
	free(sp->out.dst);
	sp->cctx = NULL;
	sp->batch = NULL;
	sp->out.dst = NULL;
}

/*
 * Field k of the record just scanned, decoded, or NULL when it is not a
 * string; its length in *len when len is not NULL.  Like json-c's strings
 * it is NUL-terminated and may hold NULs (\u0000) of its own, where a CSV
 * cell ends.  It lives in values[k] until the next call for k.
 */
static const char *
field_value(int k, size_t *len)
{
	const struct jscan_field *f = &fields[k];
	size_t n;

	if (f->type != JSCAN_STRING)
		return NULL;
	n = record_unescape(f->str, f->len, f->escaped, &values[k].s,
	    &values[k].cap);
	if (len != NULL)
		*len = n;
	return values[k].s;
}

/*
 * The lineage row of a document about to go to sp's open shard: where it
 * is, and what it came from.
 */
static void
lineage_row(struct afile *lin, struct split *sp, const char *id)
{
	const char *cells[6];
	char index[24];

	snprintf(index, sizeof(index), "%llu", (unsigned long long)sp->docs);
	cells[0] = id;
	cells[1] = field_value(F_SUBMISSION, NULL);
	cells[2] = field_value(F_WRITER, NULL);
	cells[3] = sp->file;
	cells[4] = index;
	cells[5] = field_value(F_SHA256, NULL);
	csv_put(lin->fp, lineage_path, cells, 6);
}

/*
 * Why the record just scanned has no usable id, for the reject row's
 * detail; NULL when it has one (returned in *id, *idlen).
 */
static const char *
no_id_reason(const char **id, size_t *idlen)
{
	if (fields[F_ID].type == JSCAN_ABSENT)
		return "no id";
	if (fields[F_ID].type != JSCAN_STRING)
		return "id is not a string";
	*id = field_value(F_ID, idlen);
	if (*idlen == 0)
		return "id is empty";
	return NULL;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] -n NAME -d DIR [-s SIZE] [-v SHARE] "
	    "[-z LEVEL] [-T THREADS]\n"
	    "       [-l LINEAGE] [--rejects FILE] [--stats FILE] [--version] "
	    "[FILE ...]\n", progname);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const lineage_header[] = {
		"id", "submission_id", "writer_id", "shard", "index",
		"raw_sha256"
	};
	struct cli cli = { 0 };
	struct record_in in;
	struct rejects rj;
	struct stats st;
	struct progress pg;
	struct afile *lin = NULL;
	struct split *sp;
	ZSTD_bounds wb;
	const char *id, *why;
	char share[16], detail[PATH_MAX + 64];
	size_t idlen;
	int ch, k;

	cli_init(argv, "quire-shard");
	setvbuf(stdin, stdin_buf, _IOFBF, sizeof(stdin_buf));
	setvbuf(stdout, stdout_buf, _IOFBF, sizeof(stdout_buf));
	wb = ZSTD_cParam_getBounds(ZSTD_c_nbWorkers);
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "d:l:n:s:T:v:z:",
	    longopts, NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'l':
			lineage_path = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 's':
			shard_bytes = estrtosize(optarg, 1, (uint64_t)1 << 40,
			    "-s");
			break;
		case 'T':
			if (ZSTD_isError(wb.error) || wb.upperBound < 1)
				die(EXIT_SOFTWARE, "libzstd was built without "
				    "multi-threading");
			threads = (int)estrtonum(optarg, 1, wb.upperBound,
			    "-T");
			break;
		case 'v':
			share_ppm = split_share(optarg, "-v");
			break;
		case 'z':
			level = (int)estrtonum(optarg, 1, 19, "-z");
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (name == NULL)
		cli_usage_error(usage, "-n NAME is required");
	if (dir == NULL)
		cli_usage_error(usage, "-d DIR is required");
	check_name(name);
	check_dir();
	split_share_format(share_ppm, share);

	stats_init(&st, "shard");
	stats_option(&st, "name", name);
	stats_option_int(&st, "shard_bytes", (int64_t)shard_bytes);
	stats_option(&st, "validation_share", share);
	stats_option_int(&st, "level", level);
	stats_option_int(&st, "threads", threads);
	stats_add(&st, "shards", 0);
	stats_add(&st, "train_documents", 0);
	stats_add(&st, "train_bytes", 0);
	stats_add(&st, "validation_documents", 0);
	stats_add(&st, "validation_bytes", 0);
	stats_add(&st, "compressed_bytes", 0);
	if (atexit(remove_output) != 0)
		die(EXIT_OSERR, "atexit:");
	rej_open(&rj, cli.rejects_path, "shard", &st);
	if (lineage_path != NULL) {
		lin = afile_open(lineage_path);
		csv_put(lin->fp, lineage_path, lineage_header, 6);
	}
	progress_init(&pg, cli.qflag);

	record_in_init(&in, argc - optind, argv + optind);
	while (record_next_line(&in)) {
		record_scan(&in, fields, NFIELDS);
		st.records_in++;
		st.bytes_in = in.bytes;
		if ((why = no_id_reason(&id, &idlen)) != NULL) {
			snprintf(detail, sizeof(detail), "%s:%zu: %s",
			    in.name, in.lineno, why);
			rej_row(&rj, field_value(F_ID, NULL),
			    field_value(F_SUBMISSION, NULL),
			    field_value(F_WRITER, NULL), "shard.no_id", detail);
			continue;
		}
		/* The id alone decides the side: stable across versions. */
		sp = &splits[split_is_validation(id, idlen, share_ppm)];
		if (sp->af != NULL && sp->bytes + in.len + 1 > shard_bytes)
			shard_close(sp);
		if (sp->af == NULL)
			shard_open(sp);
		if (lin != NULL)
			lineage_row(lin, sp, id);
		shard_put(sp, in.line, in.len);
		st.bytes_out += record_write_line(stdout, "<stdout>", &in);
		st.records_out++;
		progress_update(&pg, st.records_in, st.bytes_in);
	}
	record_in_free(&in);
	for (k = 0; k < 2; k++)
		if (splits[k].af != NULL)
			shard_close(&splits[k]);
	progress_done(&pg);
	if (lin != NULL) {
		afile_commit(lin);
		lineage_done = 1;
	}
	efshut(stdout, "<stdout>");
	rej_close(&rj);

	stats_add(&st, "shards", (int64_t)splits[0].seq + splits[1].seq);
	stats_add(&st, "train_documents", (int64_t)splits[0].total_docs);
	stats_add(&st, "train_bytes", (int64_t)splits[0].total_bytes);
	stats_add(&st, "validation_documents", (int64_t)splits[1].total_docs);
	stats_add(&st, "validation_bytes", (int64_t)splits[1].total_bytes);
	stats_add(&st, "compressed_bytes",
	    (int64_t)(splits[0].compressed + splits[1].compressed));
	stats_write(&st, cli.stats_path);
	finished = 1;

	stats_free(&st);
	for (k = 0; k < 2; k++)
		split_free(&splits[k]);
	for (k = 0; k < NFIELDS; k++)
		free(values[k].s);
	return EXIT_OK;
}
