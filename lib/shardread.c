/* zstd shards, streamed a line at a time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "shardread.h"
#include "util.h"

struct shardread *
shardread_open(const char *path, size_t max_line)
{
	struct shardread *sr;

	sr = ecalloc(1, sizeof(*sr));
	if ((sr->fp = fopen(path, "rb")) == NULL)
		die(EXIT_NOINPUT, "%s:", path);
	sr->path = estrdup(path);
	if ((sr->ds = ZSTD_createDStream()) == NULL)
		die(EXIT_OSERR, "out of memory");
	ZSTD_initDStream(sr->ds);
	sr->in = emalloc(ZSTD_DStreamInSize());
	sr->cap = ZSTD_DStreamOutSize();
	sr->buf = emalloc(sr->cap + 1);
	sr->max_line = max_line;
	return sr;
}

/*
 * Decompress more into buf[end..cap); return the bytes added, 0 at the
 * end of the shard.  There must be room.
 */
static size_t
fill(struct shardread *sr)
{
	ZSTD_inBuffer in;
	ZSTD_outBuffer out;
	size_t ret;

	for (;;) {
		if (sr->in_pos == sr->in_len && !sr->eof) {
			sr->in_len = fread(sr->in, 1, ZSTD_DStreamInSize(),
			    sr->fp);
			sr->in_pos = 0;
			if (sr->in_len == 0) {
				if (ferror(sr->fp))
					die(EXIT_NOINPUT, "read error: %s:",
					    sr->path);
				sr->eof = 1;
			} else
				sr->any = 1;
		}
		in.src = sr->in;
		in.size = sr->in_len;
		in.pos = sr->in_pos;
		out.dst = sr->buf + sr->end;
		out.size = sr->cap - sr->end;
		out.pos = 0;
		/* Nothing left to feed and nothing pending: the end. */
		if (sr->eof && in.pos == in.size && sr->last == 0 && sr->any)
			return 0;
		ret = ZSTD_decompressStream(sr->ds, &out, &in);
		if (ZSTD_isError(ret))
			die(EXIT_DATAERR, "%s: not a valid zstd shard: %s",
			    sr->path, ZSTD_getErrorName(ret));
		sr->in_pos = in.pos;
		sr->end += out.pos;
		sr->last = ret;
		if (out.pos > 0)
			return out.pos;
		if (sr->eof && in.pos == in.size) {
			if (!sr->any)
				die(EXIT_DATAERR, "%s: empty file, not a zstd "
				    "frame", sr->path);
			if (sr->last != 0)
				die(EXIT_DATAERR, "%s: truncated zstd frame",
				    sr->path);
			return 0;
		}
	}
}

const char *
shardread_line(struct shardread *sr, size_t *len)
{
	char *nl;
	size_t scanned = 0, n;

	for (;;) {
		nl = memchr(sr->buf + sr->start + scanned, '\n',
		    sr->end - sr->start - scanned);
		if (nl != NULL)
			break;
		scanned = sr->end - sr->start;
		if (scanned > sr->max_line)
			die(EXIT_DATAERR, "%s:%llu: line longer than %zu bytes",
			    sr->path, (unsigned long long)sr->lineno + 1,
			    sr->max_line);
		/* Make room: move the partial line down, or grow. */
		if (sr->end == sr->cap) {
			if (sr->start > 0) {
				memmove(sr->buf, sr->buf + sr->start, scanned);
				sr->start = 0;
				sr->end = scanned;
			} else {
				sr->cap *= 2;
				sr->buf = erealloc(sr->buf, sr->cap + 1);
			}
		}
		if (fill(sr) == 0) {
			if (scanned == 0)
				return NULL;
			/* The last line lacks its '\n'. */
			nl = sr->buf + sr->end;
			break;
		}
	}
	n = (size_t)(nl - (sr->buf + sr->start));
	if (n > sr->max_line)
		die(EXIT_DATAERR, "%s:%llu: line longer than %zu bytes",
		    sr->path, (unsigned long long)sr->lineno + 1, sr->max_line);
	/* buf has one byte beyond cap, so the NUL always fits. */
	*nl = '\0';
	*len = n;
	nl = sr->buf + sr->start;
	sr->start += n + (sr->start + n < sr->end ? 1 : 0);
	if (sr->start >= sr->end)
		sr->start = sr->end = 0;
	sr->lineno++;
	return nl;
}

void
shardread_close(struct shardread *sr)
{
	if (sr == NULL)
		return;
	fclose(sr->fp);
	ZSTD_freeDStream(sr->ds);
	free(sr->in);
	free(sr->buf);
	free(sr->path);
	free(sr);
}
