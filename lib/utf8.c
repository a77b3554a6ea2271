/*
 * UTF-8 validation by the table of RFC 3629 section 4.  ASCII runs, the bulk
 * of most text, are skipped eight bytes at a time.
 */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

size_t
utf8_valid_prefix(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;
	unsigned char c, lo, hi;
	uint64_t w;

	while (i < len) {
		while (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			if (w & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i >= len)
			break;
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF) {
			n = 2;
			if (c == 0xE0)
				lo = 0xA0;	/* overlong */
			else if (c == 0xED)
				hi = 0x9F;	/* surrogates */
		} else if (c >= 0xF0 && c <= 0xF4) {
			n = 3;
			if (c == 0xF0)
				lo = 0x90;	/* overlong */
			else if (c == 0xF4)
				hi = 0x8F;	/* above U+10FFFF */
		} else
			return i;
		if (i + n >= len)
			return i;
		if (s[i + 1] < lo || s[i + 1] > hi)
			return i;
		if (n >= 2 && (s[i + 2] & 0xC0) != 0x80)
			return i;
		if (n == 3 && (s[i + 3] & 0xC0) != 0x80)
			return i;
		i += n + 1;
	}
	return len;
}
