/*
 * Unicode normalization of UTF-8 text through ICU's C++ UTF-8 normalizer,
 * which avoids the UTF-16 round trip of ICU's C API (FACTS.md: its main
 * cost).  A unorm8 is opened once and used for many texts.
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

/* Return the normalizer for form; it is ICU's and is never freed. */
const struct unorm8 *unorm8_get(enum unorm8_form form);

/*
 * Normalize s[0..len), valid UTF-8.  Return 0 when it already is normal
 * (nothing written); otherwise store a new NUL-terminated string in *out,
 * which the caller frees, its length in *outlen, and return 1.  Exits
 * through die() on an ICU error.
 */
int	unorm8_normalize(const struct unorm8 *n, const char *s, size_t len,
	    char **out, size_t *outlen);

#ifdef __cplusplus
}
#endif

#endif
