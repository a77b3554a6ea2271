/* ISO 8601 calendar dates (YYYY-MM-DD), checked against the calendar. */
#ifndef QUIRE_DATE_H
#define QUIRE_DATE_H

/*
 * Parse s as YYYY-MM-DD (a time part "THH:MM[:SS][Z|±HH:MM]" is accepted
 * and ignored).  On success store the days since 1970-01-01 in *days and
 * return 0; return -1 if s is not a real date.
 */
int	date_parse(const char *s, long *days);

#endif
