/* The train/validation split by a hash of each id (split.h). */
#include <stdio.h>
#include <string.h>

#include "exitcodes.h"
#include "hash.h"
#include "split.h"
#include "util.h"

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Exactly, without floating point. */
uint32_t
split_share(const char *s, const char *opt)
{
	const char *p = s;
	uint32_t ppm = 0, scale;

	if (!is_digit(*p))
		goto bad;
	while (*p == '0')
		p++;
	if (*p == '1') {
		ppm = SPLIT_PPM;
		p++;
	}
	if (is_digit(*p))
		goto range;
	if (*p == '.') {
		if (!is_digit(*++p))
			goto bad;
		for (scale = SPLIT_PPM / 10; is_digit(*p); p++, scale /= 10) {
			if (scale == 0)
				die(EXIT_USAGE, "%s: more than 6 decimals: %s",
				    opt, s);
			ppm += (uint32_t)(*p - '0') * scale;
		}
	}
	if (*p != '\0')
		goto bad;
	if (ppm > SPLIT_PPM)
		goto range;
	return ppm;
bad:
	die(EXIT_USAGE, "%s: not a decimal fraction: %s", opt, s);
range:
	die(EXIT_USAGE, "%s: %s is out of range 0..1", opt, s);
}

void
split_share_format(uint32_t ppm, char buf[16])
{
	size_t n;

	if (ppm == 0 || ppm == SPLIT_PPM) {
		snprintf(buf, 16, "%u", ppm / SPLIT_PPM);
		return;
	}
	snprintf(buf, 16, "0.%06u", (unsigned)ppm);
	for (n = strlen(buf); buf[n - 1] == '0'; n--)
		buf[n - 1] = '\0';
}

int
split_is_validation(const char *id, size_t len, uint32_t ppm)
{
	return hash_xxh3_64(id, len) % SPLIT_PPM < ppm;
}
