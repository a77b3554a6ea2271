/*
 * The counts file of quire-bpe-train (--counts-out, --counts-in): the
 * distinct pre-tokenizer pieces of some records' text and how often each
 * occurs, with the figures --stats is made of, so that training on the
 * sum of several counts files gives the bytes of one run over all the
 * records.  The writer appends to a buffer the caller owns and frees; the
 * reader borrows the buffer it checks, and what it returns points into it.
 *
 * Format, version 1; every integer little-endian, u32 or u64:
 *
 *	magic		8 bytes "QBPECNT\n"
 *	version		u32, 1
 *	regex		u32 length, then the pre-tokenizer pattern's bytes
 *	records_in, records_out, bytes_in, text_bytes, pieces	u64 each
 *	reasons		u32 n, then n times: u32 length, the reject
 *			reason's bytes ([a-z0-9._-], 1 to 64), u64 count >= 1;
 *			sorted by bytes, each once
 *	distinct pieces	u64 n, then n times: u32 length >= 1, the bytes,
 *			u64 count >= 1; sorted by bytes (as memcmp, a prefix
 *			first), each once
 *	checksum	u64, XXH3-64 of every byte before it
 *
 * and nothing after.  Besides the checksum, a reader checks that the
 * figures add up: records_in is records_out and the rejects; pieces is
 * the sum of the counts, text_bytes the sum of length times count.
 */
#ifndef QUIRE_BPECOUNTS_H
#define QUIRE_BPECOUNTS_H

#include <stddef.h>
#include <stdint.h>

#define BPECNT_VERSION		1
#define BPECNT_REASON_MAX	64

/* The figures before the lists. */
struct bpecnt_head {
	const char *regex;	/* not NUL-terminated when read */
	size_t	regex_len;
	uint64_t records_in;
	uint64_t records_out;
	uint64_t bytes_in;
	uint64_t text_bytes;
	uint64_t pieces;	/* pre-tokenizer matches */
	uint32_t nreasons;
	uint64_t npieces;	/* distinct pieces; read, not written */
};

/* A growing buffer of bytes to write; zero it first, free p after. */
struct bpecnt_buf {
	unsigned char *p;
	size_t	n;
	size_t	cap;
};

/*
 * Append the file's parts in order: the head (its nreasons promises what
 * follows), each reason, the number of distinct pieces, each piece, then
 * the checksum.  The caller sorts reasons and pieces.
 */
void	bpecnt_put_head(struct bpecnt_buf *b, const struct bpecnt_head *h);
void	bpecnt_put_reason(struct bpecnt_buf *b, const char *name, size_t len,
	    uint64_t count);
void	bpecnt_put_npieces(struct bpecnt_buf *b, uint64_t n);
void	bpecnt_put_piece(struct bpecnt_buf *b, const unsigned char *p,
	    uint32_t len, uint64_t count);
void	bpecnt_put_end(struct bpecnt_buf *b);

/* Where the reader is in a checked file. */
struct bpecnt_cursor {
	const unsigned char *reason_at;
	const unsigned char *piece_at;
	uint32_t reasons_left;
	uint64_t pieces_left;
};

/*
 * Check all of buf[0..n) as a counts file.  Return NULL with the head
 * in *h and a cursor at the first reason in *c; or why it is not a
 * counts file, written into err[0..errlen).
 */
const char *bpecnt_check(const unsigned char *buf, size_t n,
	    struct bpecnt_head *h, struct bpecnt_cursor *c, char *err,
	    size_t errlen);

/*
 * The next reason, then the next piece, of a checked file: return 1 with
 * it in the arguments, 0 when there is none left.
 */
int	bpecnt_next_reason(struct bpecnt_cursor *c, const char **name,
	    size_t *len, uint64_t *count);
int	bpecnt_next_piece(struct bpecnt_cursor *c, const unsigned char **p,
	    uint32_t *len, uint64_t *count);

#endif
