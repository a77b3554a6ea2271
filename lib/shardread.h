/*
 * The lines of a zstd-compressed JSON Lines shard, decompressed as they
 * are read: memory holds one line and the buffers, never the shard.  A
 * struct shardread owns its buffers and file; a line it returns is
 * borrowed until the next call.
 */
#ifndef QUIRE_SHARDREAD_H
#define QUIRE_SHARDREAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <zstd.h>

struct shardread {
	FILE	*fp;
	char	*path;		/* for messages */
	ZSTD_DStream *ds;
	char	*in;		/* compressed bytes read, not yet decompressed */
	size_t	in_len, in_pos;
	char	*buf;		/* decompressed bytes: [start, end) unread */
	size_t	cap, start, end;
	size_t	max_line;
	size_t	last;		/* ZSTD_decompressStream's last hint: 0 at a frame end */
	uint64_t lineno;	/* of the last line returned, from 1 */
	int	eof;		/* no more compressed input */
	int	any;		/* some compressed input was read */
};

/*
 * Open the shard at path; a missing or unreadable file is fatal with
 * EXIT_NOINPUT.  Lines longer than max_line are fatal with EXIT_DATAERR.
 * Free it with shardread_close.
 */
struct shardread *shardread_open(const char *path, size_t max_line);

/*
 * Return the next line without its '\n' (NUL-terminated, length in *len),
 * or NULL after the last.  Bytes that are not zstd, an empty file, a
 * truncated frame and an overlong line are fatal with EXIT_DATAERR; a
 * read error with EXIT_NOINPUT.  A last line without '\n' is returned as
 * a line.
 */
const char *shardread_line(struct shardread *sr, size_t *len);

void	shardread_close(struct shardread *sr);

#endif
