/*
 * libFuzzer target: lib/unorm8.cc, quire-normalize's UTF-8 normalizer
 * (ICU's C++ Normalizer2 writing through its own ByteSink).  The first
 * byte's low bit picks NFC or NFKC, the rest is the text; like the
 * records normalize reads, it must be valid UTF-8 (else skipped).  The
 * normal form must be the one ICU's C API gives through UTF-16, must be
 * normal itself (a second call finds nothing to do), and the count of
 * changed characters must be within the input's and nonzero when the
 * text changed.  ICU failing is fatal in unorm8 (die): a crash here.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "unorm8.h"
#include "utf8.h"

/* The normal form by ICU's C API, UTF-8 to UTF-16 and back; malloc'd. */
static char *
reference(int nfkc, const char *s, size_t len, int32_t *outlen)
{
	UErrorCode err = U_ZERO_ERROR;
	const UNormalizer2 *n = nfkc ? unorm2_getNFKCInstance(&err) :
	    unorm2_getNFCInstance(&err);
	UChar *u, *v;
	int32_t ulen, vlen, cap;
	char *out;

	u = malloc((len + 1) * sizeof(*u));
	u_strFromUTF8(u, (int32_t)len + 1, &ulen, s, (int32_t)len, &err);
	cap = 4 * ulen + 16;
	v = malloc((size_t)cap * sizeof(*v));
	vlen = unorm2_normalize(n, u, ulen, v, cap, &err);
	if (err == U_BUFFER_OVERFLOW_ERROR) {
		err = U_ZERO_ERROR;
		cap = vlen;
		v = realloc(v, (size_t)cap * sizeof(*v));
		vlen = unorm2_normalize(n, u, ulen, v, cap, &err);
	}
	out = malloc((size_t)vlen * 3 + 1);
	u_strToUTF8(out, vlen * 3 + 1, outlen, v, vlen, &err);
	if (U_FAILURE(err)) {
		fprintf(stderr, "ICU C API: %s\n", u_errorName(err));
		abort();
	}
	free(u);
	free(v);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct unorm8_out out = { 0 }, again = { 0 };
	const struct unorm8 *un;
	const char *s = (const char *)data + 1, *got;
	size_t len, chars = 0, i, gotlen;
	int32_t reflen;
	char *ref;
	int nfkc;

	if (size == 0)
		return -1;
	nfkc = data[0] & 1;
	len = size - 1;
	if (utf8_valid_prefix(s, len) != len)
		return -1;
	un = unorm8_get(nfkc ? UNORM8_NFKC : UNORM8_NFC);
	if (unorm8_normalize(un, s, len, &out)) {
		got = out.buf;
		gotlen = out.len;
	} else {
		got = s;
		gotlen = len;
	}
	ref = reference(nfkc, s, len, &reflen);
	if ((size_t)reflen != gotlen || memcmp(ref, got, gotlen) != 0) {
		fprintf(stderr, "unorm8 and ICU's C API differ: %zu and %d "
		    "bytes\n", gotlen, reflen);
		abort();
	}
	free(ref);
	if (got == out.buf) {
		for (i = 0; i < len; i++)
			chars += ((unsigned char)s[i] & 0xC0) != 0x80;
		if (out.changed > chars ||
		    (out.changed == 0 && (gotlen != len ||
		    memcmp(got, s, len) != 0)))
			abort();
		/* Idempotent: the normal form is normal. */
		if (unorm8_normalize(un, got, gotlen, &again) &&
		    (again.len != gotlen || memcmp(again.buf, got, gotlen)))
			abort();
	}
	free(out.buf);
	free(again.buf);
	return 0;
}
