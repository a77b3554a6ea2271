/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef QUIRE_UTF8_H
#define QUIRE_UTF8_H

#include <stddef.h>

/* Return the length of the longest valid UTF-8 prefix of s; len if valid. */
size_t	utf8_valid_prefix(const char *s, size_t len);

/* Return nonzero if s[0..len) is valid UTF-8. */
#define utf8_valid(s, len) (utf8_valid_prefix((s), (len)) == (len))

#endif
