/* The counts file of quire-bpe-train: writing it, and checking it whole. */
#include <stdio.h>
#include <string.h>

#include "bpecounts.h"
#include "hash.h"
#include "util.h"

static const unsigned char magic[8] = "QBPECNT\n";

/* Make room for need more bytes in b. */
static unsigned char *
room(struct bpecnt_buf *b, size_t need)
{
	size_t c = b->cap == 0 ? 4096 : b->cap;

	if (need > SIZE_MAX - b->n)
		die(EXIT_OSERR, "out of memory");
	while (c < b->n + need) {
		if (c > SIZE_MAX / 2)
			die(EXIT_OSERR, "out of memory");
		c *= 2;
	}
	if (c != b->cap) {
		b->p = erealloc(b->p, c);
		b->cap = c;
	}
	return b->p + b->n;
}

static void
put(struct bpecnt_buf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	memcpy(room(b, len), p, len);
	b->n += len;
}

static void
put_u32(struct bpecnt_buf *b, uint32_t v)
{
	unsigned char *q = room(b, 4);
	int i;

	for (i = 0; i < 4; i++)
		q[i] = (unsigned char)(v >> 8 * i);
	b->n += 4;
}

static void
put_u64(struct bpecnt_buf *b, uint64_t v)
{
	unsigned char *q = room(b, 8);
	int i;

	for (i = 0; i < 8; i++)
		q[i] = (unsigned char)(v >> 8 * i);
	b->n += 8;
}

void
bpecnt_put_head(struct bpecnt_buf *b, const struct bpecnt_head *h)
{
	put(b, magic, sizeof(magic));
	put_u32(b, BPECNT_VERSION);
	put_u32(b, (uint32_t)h->regex_len);
	put(b, h->regex, h->regex_len);
	put_u64(b, h->records_in);
	put_u64(b, h->records_out);
	put_u64(b, h->bytes_in);
	put_u64(b, h->text_bytes);
	put_u64(b, h->pieces);
	put_u32(b, h->nreasons);
}

void
bpecnt_put_reason(struct bpecnt_buf *b, const char *name, size_t len,
    uint64_t count)
{
	put_u32(b, (uint32_t)len);
	put(b, name, len);
	put_u64(b, count);
}

void
bpecnt_put_npieces(struct bpecnt_buf *b, uint64_t n)
{
	put_u64(b, n);
}

void
bpecnt_put_piece(struct bpecnt_buf *b, const unsigned char *p, uint32_t len,
    uint64_t count)
{
	put_u32(b, len);
	put(b, p, len);
	put_u64(b, count);
}

void
bpecnt_put_end(struct bpecnt_buf *b)
{
	put_u64(b, hash_xxh3_64(b->p, b->n));
}

/* --- reading ------------------------------------------------------------ */

/* A bounds-checked reader over the buffer. */
struct in {
	const unsigned char *p;
	const unsigned char *end;
};

static int
get(struct in *in, size_t len, const unsigned char **out)
{
	if ((size_t)(in->end - in->p) < len)
		return 0;
	*out = in->p;
	in->p += len;
	return 1;
}

static uint32_t
rd_u32(const unsigned char *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 |
	    (uint32_t)q[3] << 24;
}

static uint64_t
rd_u64(const unsigned char *q)
{
	return (uint64_t)rd_u32(q) | (uint64_t)rd_u32(q + 4) << 32;
}

static int
get_u32(struct in *in, uint32_t *v)
{
	const unsigned char *q;

	if (!get(in, 4, &q))
		return 0;
	*v = rd_u32(q);
	return 1;
}

static int
get_u64(struct in *in, uint64_t *v)
{
	const unsigned char *q;

	if (!get(in, 8, &q))
		return 0;
	*v = rd_u64(q);
	return 1;
}

/* Byte order of two strings, a prefix first: <0, 0 or >0. */
static int
order(const unsigned char *a, size_t alen, const unsigned char *b,
    size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return (alen > blen) - (alen < blen);
}

static int
reason_ok(const unsigned char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > BPECNT_REASON_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		    s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

#define FAIL(...) do {							\
	snprintf(err, errlen, __VA_ARGS__);				\
	return err;							\
} while (0)
#define TRUNCATED() FAIL("truncated at byte %zu (of %zu)",		\
	    (size_t)(in.p - buf), n)

const char *
bpecnt_check(const unsigned char *buf, size_t n, struct bpecnt_head *h,
    struct bpecnt_cursor *c, char *err, size_t errlen)
{
	struct in in = { buf, buf + n };
	const unsigned char *q, *prev = NULL;
	uint64_t count, sum = 0, bytes = 0, i, sumpieces = 0;
	uint32_t version, len, rlen, prevlen = 0, r;

	memset(h, 0, sizeof(*h));
	if (!get(&in, sizeof(magic), &q) || memcmp(q, magic,
	    sizeof(magic)) != 0)
		FAIL("not a counts file of quire-bpe-train (no QBPECNT "
		    "header)");
	if (!get_u32(&in, &version))
		TRUNCATED();
	if (version != BPECNT_VERSION)
		FAIL("counts file version %u; this quire-bpe-train reads "
		    "version %d", version, BPECNT_VERSION);
	if (!get_u32(&in, &rlen) || !get(&in, rlen, &q))
		TRUNCATED();
	h->regex = (const char *)q;
	h->regex_len = rlen;
	if (!get_u64(&in, &h->records_in) || !get_u64(&in, &h->records_out) ||
	    !get_u64(&in, &h->bytes_in) || !get_u64(&in, &h->text_bytes) ||
	    !get_u64(&in, &h->pieces) || !get_u32(&in, &h->nreasons))
		TRUNCATED();
	c->reason_at = in.p;
	c->reasons_left = h->nreasons;
	for (r = 0; r < h->nreasons; r++) {
		if (!get_u32(&in, &len) || !get(&in, len, &q) ||
		    !get_u64(&in, &count))
			TRUNCATED();
		if (!reason_ok(q, len))
			FAIL("reason %u is not a reject reason", r + 1);
		if (prev != NULL && order(prev, prevlen, q, len) >= 0)
			FAIL("reason %u is out of order", r + 1);
		if (count == 0 || count > UINT64_MAX - sum)
			FAIL("reason %u has a count of %llu", r + 1,
			    (unsigned long long)count);
		sum += count;
		prev = q;
		prevlen = len;
	}
	if (h->records_out > UINT64_MAX - sum ||
	    h->records_out + sum != h->records_in)
		FAIL("records do not add up: %llu in, %llu out, %llu rejected",
		    (unsigned long long)h->records_in,
		    (unsigned long long)h->records_out,
		    (unsigned long long)sum);
	if (!get_u64(&in, &h->npieces))
		TRUNCATED();
	c->piece_at = in.p;
	prev = NULL;
	for (i = 0; i < h->npieces; i++) {
		if (!get_u32(&in, &len) || !get(&in, len, &q) ||
		    !get_u64(&in, &count))
			TRUNCATED();
		if (len == 0)
			FAIL("piece %llu is empty", (unsigned long long)i + 1);
		if (prev != NULL && order(prev, prevlen, q, len) >= 0)
			FAIL("piece %llu is out of order",
			    (unsigned long long)i + 1);
		if (count == 0 || count > UINT64_MAX - sumpieces ||
		    count > (UINT64_MAX - bytes) / len)
			FAIL("piece %llu has a count of %llu",
			    (unsigned long long)i + 1,
			    (unsigned long long)count);
		sumpieces += count;
		bytes += count * len;
		prev = q;
		prevlen = len;
	}
	if (sumpieces != h->pieces || bytes != h->text_bytes)
		FAIL("pieces do not add up: %llu pieces of %llu bytes counted, "
		    "%llu of %llu in the header",
		    (unsigned long long)sumpieces, (unsigned long long)bytes,
		    (unsigned long long)h->pieces,
		    (unsigned long long)h->text_bytes);
	q = in.p;
	if (!get_u64(&in, &count))
		TRUNCATED();
	if (in.p != in.end)
		FAIL("%zu bytes after the end", (size_t)(in.end - in.p));
	if (count != hash_xxh3_64(buf, (size_t)(q - buf)))
		FAIL("checksum mismatch: the file is corrupt");
	c->pieces_left = h->npieces;
	return NULL;
}

int
bpecnt_next_reason(struct bpecnt_cursor *c, const char **name, size_t *len,
    uint64_t *count)
{
	const unsigned char *q = c->reason_at;

	if (c->reasons_left == 0)
		return 0;
	*len = rd_u32(q);
	*name = (const char *)q + 4;
	*count = rd_u64(q + 4 + *len);
	c->reason_at = q + 12 + *len;
	c->reasons_left--;
	return 1;
}

int
bpecnt_next_piece(struct bpecnt_cursor *c, const unsigned char **p,
    uint32_t *len, uint64_t *count)
{
	const unsigned char *q = c->piece_at;

	if (c->pieces_left == 0)
		return 0;
	*len = rd_u32(q);
	*p = q + 4;
	*count = rd_u64(q + 4 + *len);
	c->piece_at = q + 12 + *len;
	c->pieces_left--;
	return 1;
}
