/*
 * Byte-level BPE as OpenAI's tiktoken defines it: a rank file (.tiktoken:
 * base64 token, space, rank, one a line) and the merge of a pre-token
 * piece, adjacent pair of lowest rank first; and the pre-tokenizer that
 * cuts text into pieces, tiktoken's patterns run by PCRE2, one for every
 * stage that tokenizes or learns a vocabulary.  A bpe returned by bpe_load
 * is the caller's (bpe_free); the token bytes it hands out are borrowed
 * from it.  A bpe_work holds one thread's scratch space, owned by its
 * caller and released with bpe_work_free.  The built-in patterns are
 * static; a bpe_split is the caller's (bpe_split_free).  The merge is
 * lib/bpe.c, the pre-tokenizer lib/pretok.c.
 */
#ifndef QUIRE_BPE_H
#define QUIRE_BPE_H

#include <stddef.h>
#include <stdint.h>

#define BPE_NONE UINT32_MAX	/* no such token; also "no merge" */
#define BPE_MAX_RANK ((uint32_t)INT32_MAX - 1)	/* int32 ids, and room */
#define BPE_MAX_TOKEN_LEN 0xFFFF	/* bytes of the longest token loaded */

struct bpe_slot;		/* the hash table's: bpe.c */

struct bpe {
	char	*path;		/* for messages */
	unsigned char *bytes;	/* every token's bytes, one after another */
	uint64_t *span;		/* by rank: offset << 16 | length; 0: none */
	uint32_t nranks;	/* highest rank + 1 */
	uint32_t ntokens;	/* tokens in the file */
	size_t	maxlen;		/* the longest token, in bytes */
	struct bpe_slot *slots;	/* open addressing, keyed by a hash */
	void	*slots_mem;	/* the allocation slots lies in */
	size_t	mask;		/* slots - 1, a power of two minus one */
	uint64_t *filter;	/* a Bloom filter of the table: bpe.c */
	size_t	filter_mask;	/* its words - 1 */
	uint32_t *pair_rank;	/* [b0 << 8 | b1]: two-byte tokens, direct */
	uint32_t byte_rank[256];
};

/* A growing array of token ids; zero it before first use, free(v) after. */
struct bpe_ids {
	uint32_t *v;
	size_t	n;
	size_t	cap;
};

struct bpe_memo;		/* merged pieces remembered: bpe.c */

/*
 * Scratch space of the merge, grown on demand, and a memo of recently
 * merged pieces; zero it before first use.  One per thread.
 */
struct bpe_work {
	uint32_t *a, *b, *c, *d;	/* per byte of the piece, and one */
	uint64_t *heap;		/* rank << 32 | part: a binary min-heap */
	size_t	cap;		/* bytes of piece the arrays can take */
	struct bpe_memo *memo;
	uint16_t *memo_tags;	/* one an entry of the memo: bpe.c */
};

/*
 * Read the rank file at path.  A file that cannot be opened or read is
 * fatal with EXIT_NOINPUT; a malformed one (a line that is not base64,
 * one space and a decimal rank; an empty token; a rank above
 * BPE_MAX_RANK; a token or rank listed twice; a byte value without its
 * own one-byte token) is fatal with EXIT_CONFIG naming file and line.
 * Empty lines are skipped, a CR before the LF is allowed.
 */
struct bpe *bpe_load(const char *path);

void	bpe_free(struct bpe *b);

/* The rank of the token whose bytes are p[0..len), or BPE_NONE. */
uint32_t bpe_rank(const struct bpe *b, const void *p, size_t len);

/*
 * The bytes of the token of rank r (length in *len), borrowed from b, or
 * NULL when no token has that rank.
 */
const unsigned char *bpe_bytes(const struct bpe *b, uint32_t r, size_t *len);

/*
 * Append the tokens of one pre-token piece p[0..len), len > 0, to out, as
 * tiktoken does: the piece's own rank when it is a token, else its bytes
 * merged pair by pair, the adjacent pair whose joined bytes have the
 * lowest rank first and the leftmost of equal ranks first, until no
 * adjacent pair is a token.
 */
void	bpe_encode(const struct bpe *b, struct bpe_work *w,
	    const unsigned char *p, size_t len, struct bpe_ids *out);

/* Append id to ids, growing it. */
void	bpe_ids_push(struct bpe_ids *ids, uint32_t id);

void	bpe_work_free(struct bpe_work *w);

/*
 * Decode standard base64 (RFC 4648, padding required) s[0..n) into out,
 * which has room for n / 4 * 3 bytes; return the length, or -1 when s
 * is not canonical base64.
 */
long	bpe_base64_decode(const char *s, size_t n, unsigned char *out);

/* Encode p[0..n) as base64 into out (room for (n + 2) / 3 * 4 + 1). */
void	bpe_base64_encode(const unsigned char *p, size_t n, char *out);

/* A special token of a built-in pattern: its text and its id. */
struct bpe_special {
	const char *text;
	uint32_t id;
};

#define BPE_PATTERN_SPECIALS 6	/* room in a pattern's list */
#define BPE_PATTERN_NAMES "gpt2, r50k_base, cl100k_base, o200k_base"

/*
 * A built-in pre-tokenizer: tiktoken's pattern of an encoding, with \s
 * and \S spelled out (see bpe.c), and the special tokens OpenAI gives
 * that encoding, the list ending at a NULL text.  Static: nothing to free.
 */
struct bpe_pattern {
	const char *name;
	const char *regex;
	struct bpe_special specials[BPE_PATTERN_SPECIALS];
};

/* The built-in pattern called name (one of BPE_PATTERN_NAMES), or NULL. */
const struct bpe_pattern *bpe_pattern_find(const char *name);

struct bpe_split;		/* a compiled pre-tokenizer: bpe.c */

#define BPE_SPLIT_UNMATCHED (-1)	/* bpe_split_next: no piece at off */
#define BPE_SPLIT_FAILED (-2)		/* bpe_split_next: PCRE2 gave up */

/*
 * Compile regex as the pre-tokenizer, with PCRE2's UTF and UCP (so that
 * \p{L} and (?i) are Unicode's), then its JIT when the platform has one.
 * Return it, the caller's to bpe_split_free; or NULL with the reason
 * ("at offset 2: missing closing parenthesis") in err[0..errlen) when the
 * pattern does not compile.  Out of memory is fatal (EXIT_OSERR).
 */
struct bpe_split *bpe_split_new(const char *regex, char *err, size_t errlen);

void	bpe_split_free(struct bpe_split *sp);

/*
 * Cut every piece with PCRE2, leaving out the scanner that follows the
 * built-in patterns by hand (lib/pretok.c): the same pieces, slower; for
 * checking the scanner against PCRE2.
 */
void	bpe_split_pcre2_only(struct bpe_split *sp);

/*
 * Find the piece of s[0..len), valid UTF-8, that starts at off < len:
 * the match of the pattern anchored at off, which must not be empty.
 * Return 0 with the piece's end in *end; BPE_SPLIT_UNMATCHED when there
 * is no such match (tiktoken, which searches, would silently drop the
 * text up to a later match); BPE_SPLIT_FAILED when PCRE2 could not finish
 * (a match limit or the JIT stack), with its message in err[0..errlen).
 * The whole text goes in every call, never a chunk of it: a cut changes
 * the pieces.
 */
int	bpe_split_next(struct bpe_split *sp, const char *s, size_t len,
	    size_t off, size_t *end, char *err, size_t errlen);

#endif
