/* ISO 8601 dates to day numbers, so dates compare as integers. */
#include <string.h>

#include "date.h"

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/* The time part, checked for shape only: a date is what quire compares. */
static int
time_ok(const char *s)
{
	int h, m, sec;

	if (*s == '\0')
		return 0;
	if (*s != 'T' || digits(s + 1, 2, &h) || s[3] != ':' ||
	    digits(s + 4, 2, &m) || h > 23 || m > 59)
		return -1;
	s += 6;
	if (*s == ':') {
		if (digits(s + 1, 2, &sec) || sec > 60)
			return -1;
		s += 3;
	}
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		if (digits(s + 1, 2, &h) || s[3] != ':' ||
		    digits(s + 4, 2, &m) || h > 23 || m > 59)
			return -1;
		s += 6;
	}
	return *s == '\0' ? 0 : -1;
}

int
date_parse(const char *s, long *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, leap;
	long era, yoe, doy, doe, yy;

	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &m) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    time_ok(s + 10) != 0)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m < 1 || m > 12 || d < 1 ||
	    d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	/* Days from civil, after H. Hinnant's public-domain algorithm. */
	yy = y - (m <= 2);
	/* Floor division: January and February of year 0 are in era -1. */
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*days = era * 146097 + doe - 719468;
	return 0;
}
