/*
 * Unicode normalization of UTF-8 text through ICU's C++ UTF-8 normalizer,
 * which avoids the UTF-16 round trip of ICU's C API (FACTS.md: its main
 * cost).  A unorm8 is opened once and used for many texts; the caller owns
 * the output buffer and reuses it from text to text.
 */
#ifndef QUIRE_UNORM8_H
#define QUIRE_UNORM8_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum unorm8_form {
	UNORM8_NFC,
	UNORM8_NFKC
};

struct unorm8;

/* Where unorm8_normalize writes; zero it before first use. */
struct unorm8_out {
	char	*buf;		/* the normal form, not NUL-terminated */
	size_t	len;		/* its length in bytes */
	size_t	cap;		/* bytes allocated; buf is the caller's to free */
	size_t	changed;	/* characters of the input it rewrote */
};

/* Return the normalizer for form; it is ICU's and is never freed. */
const struct unorm8 *unorm8_get(enum unorm8_form form);

/*
 * Normalize s[0..len), UTF-8.  Return 0 when it already is normal (ICU's
 * quick check; nothing written).  Otherwise write the normal form to
 * out->buf, growing it with erealloc, set out->len, set out->changed to the
 * number of code points of s in the spans the normalizer rewrote, and
 * return 1.  An ICU failure is fatal (EXIT_SOFTWARE).
 */
int	unorm8_normalize(const struct unorm8 *n, const char *s, size_t len,
	    struct unorm8_out *out);

/* The Unicode version of ICU's data ("15.0"), a static string. */
const char *unorm8_unicode_version(void);

#ifdef __cplusplus
}
#endif

#endif
