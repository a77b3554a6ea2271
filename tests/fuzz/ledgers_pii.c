/*
 * quire-scrub's pii.csv reader and its matching, for fuzz_ledgers.c.
 * apply() skips lines by literal and digit prefilters (SIMD blocks); a
 * plain apply here matches every line and checks the match with naive
 * loops, and the two must replace the same.
 */
#define main scrub_main
#include "../../filters/scrub.c"
#undef main

#include "diejmp.h"
#include "ledgers.h"
#include "utf8.h"

#define PII_DIR "<fuzz-pii>"

static int
plain_qualifies(const struct pattern *p, const char *m, size_t len)
{
	size_t i, k, digits = 0;

	for (i = 0; i < len; i++)
		digits += m[i] >= '0' && m[i] <= '9';
	if (digits < p->min_digits)
		return 0;
	if (p->nreq == 0)
		return 1;
	for (k = 0; k < p->nreq; k++)
		for (i = 0; i + p->req[k].len <= len; i++)
			if (memcmp(m + i, p->req[k].s, p->req[k].len) == 0)
				return 1;
	return 0;
}

/* apply() without the prefilters: every line, every match checked. */
static long
plain_apply(struct scrubber *sc, const struct pattern *p, const char *s,
    size_t len, struct buf *out)
{
	PCRE2_SIZE *ov;
	size_t ls, le, off, copied = 0;
	long n = 0;
	int rc;

	out->len = 0;
	for (ls = 0; ls < len; ls = le + 1) {
		le = line_end(s, len, ls);
		for (off = ls; off < le;) {
			rc = match(sc, p, s, le, off);
			if (rc == PCRE2_ERROR_NOMATCH)
				break;
			if (rc < 0)
				return -1;
			ov = pcre2_get_ovector_pointer(sc->md);
			if (ov[1] <= ov[0])
				return -2;
			if (!plain_qualifies(p, s + ov[0], ov[1] - ov[0])) {
				off = ov[0] + 1;
				while (off < le && ((unsigned char)s[off] &
				    0xC0) == 0x80)
					off++;
				continue;
			}
			buf_add(out, s + copied, ov[0] - copied);
			buf_add(out, p->repl, p->repllen);
			copied = off = ov[1];
			n++;
		}
	}
	if (n > 0)
		buf_add(out, s + copied, len - copied);
	return n;
}

/* Static, so that fz_pii_abandon can reach it after a die(). */
static struct scrubber sc;

void
fz_pii_abandon(void)
{
	size_t i;

	/* JIT code is mmap'd, out of diejmp's sight: free it here. */
	for (i = 0; i < sc.npats; i++)
		if (sc.pats[i].code != NULL)
			pcre2_code_free(sc.pats[i].code);
	memset(&sc, 0, sizeof(sc));
}

void
fz_pii(const uint8_t *data, size_t size)
{
	struct buf ref = { 0 };
	const uint8_t *sep, *text;
	size_t i, tlen, digits, csvlen;
	long n, m;

	sep = memmem(data, size, "\n%%\n", 4);
	csvlen = sep != NULL ? (size_t)(sep + 1 - data) : size;
	text = sep != NULL ? sep + 4 : data + size;
	tlen = (size_t)(data + size - text);
	fz_file(PII_DIR "/pii.csv", data, csvlen);

	memset(&sc, 0, sizeof(sc));
	load_policy(&sc, PII_DIR);
	scrubber_init(&sc);
	/* Records are valid UTF-8 by the time scrub sees them. */
	if (tlen > 0 && utf8_valid_prefix((const char *)text, tlen) == tlen)
		for (i = 0; i < sc.npats; i++) {
			digits = SIZE_MAX;
			sc.error = 0;
			n = apply(&sc, &sc.pats[i], (const char *)text, tlen,
			    &digits, &sc.b[0]);
			m = plain_apply(&sc, &sc.pats[i], (const char *)text,
			    tlen, &ref);
			if (getenv("FUZZ_VERBOSE") != NULL)
				fprintf(stderr, "pattern %s: %ld replaced\n",
				    sc.pats[i].name, n);
			if (m == -2)
				break;	/* apply dies on it too, or never met it */
			if (n < 0 || m < 0)
				continue;	/* a PCRE2 limit */
			if (n != m || (n > 0 && (sc.b[0].len != ref.len ||
			    memcmp(sc.b[0].p, ref.p, ref.len) != 0))) {
				fprintf(stderr, "pattern %s: apply replaced "
				    "%ld, a plain scrub %ld\n", sc.pats[i].name,
				    n, m);
				abort();
			}
		}
	free(ref.p);
	scrubber_free(&sc);
}
