/* Diagnostics, checked allocation, number parsing, checked stream close. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *progname = "quire";

static void
vwarn(const char *fmt, va_list ap)
{
	int saved = errno;
	size_t n = strlen(fmt);

	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	if (n > 0 && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(saved));
	fputc('\n', stderr);
}

/*
 * The first thread to die prints and exits; any other waits here, as
 * exit(3) must not run twice at once.
 */
static pthread_mutex_t dying = PTHREAD_MUTEX_INITIALIZER;

void
die(int status, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&dying);
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void
warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void *
emalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		die(EXIT_OSERR, "out of memory");
	return p;
}

void *
ecalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		die(EXIT_OSERR, "out of memory");
	return p;
}

void *
erealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (p == NULL)
		die(EXIT_OSERR, "out of memory");
	return p;
}

char *
estrdup(const char *s)
{
	return estrndup(s, strlen(s));
}

char *
estrndup(const char *s, size_t n)
{
	char *p = emalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
easprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die(EXIT_OSERR, "out of memory");
	return s;
}

long long
estrtonum(const char *s, long long min, long long max, const char *what)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno == ERANGE)
		die(EXIT_USAGE, "%s: not a number: %s", what, s);
	if (v < min || v > max)
		die(EXIT_USAGE, "%s: %s is out of range %lld..%lld", what, s,
		    min, max);
	return v;
}

uint64_t
estrtosize(const char *s, uint64_t min, uint64_t max, const char *what)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		die(EXIT_USAGE, "%s: not a size: %s", what, s);
	v = strtoull(s, &end, 10);
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		die(EXIT_USAGE, "%s: not a size: %s", what, s);
	}
	if (shift != 0 && end[1] != '\0')
		die(EXIT_USAGE, "%s: not a size: %s", what, s);
	if (errno == ERANGE || v > (ULLONG_MAX >> shift))
		die(EXIT_USAGE, "%s: size too large: %s", what, s);
	v <<= shift;
	if (v < min || v > max)
		die(EXIT_USAGE, "%s: %s is out of range %llu..%llu", what, s,
		    (unsigned long long)min, (unsigned long long)max);
	return v;
}

void
efshut(FILE *fp, const char *name)
{
	int bad = fflush(fp) != 0 || ferror(fp);

	if (fclose(fp) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		die(EXIT_IOERR, "write error: %s:", name);
	}
}

void
efwrite(const void *p, size_t len, FILE *fp, const char *name)
{
	if (len != 0 && fwrite(p, 1, len, fp) != len)
		die(EXIT_IOERR, "write error: %s:", name);
}

/* What egetline reads ahead at a time. */
#define READAHEAD	(64 * 1024)

int64_t
egetline(char **line, size_t *cap, size_t max, struct readahead *ra,
    FILE *fp)
{
	int64_t full = 0;
	size_t kept = 0, n, take, c;
	char *start, *nl;

	if (ra->buf == NULL)
		ra->buf = emalloc(READAHEAD);
	if (*line == NULL)
		*line = ecalloc(1, *cap = 1);
	for (;;) {
		if (ra->pos == ra->end) {
			ra->pos = 0;
			ra->end = fread(ra->buf, 1, READAHEAD, fp);
			if (ra->end == 0)
				break;
		}
		start = ra->buf + ra->pos;
		n = ra->end - ra->pos;
		if ((nl = memchr(start, '\n', n)) != NULL)
			n = (size_t)(nl - start) + 1;
		/* Keep what fits under max; count the rest, drop it. */
		take = kept < max ? (n < max - kept ? n : max - kept) : 0;
		if (take > 0) {
			if (*cap < kept + take + 1) {
				/* Doubling, as getline does, up to max + 1. */
				c = *cap * 2 < kept + take + 1 ? kept + take + 1 :
				    *cap * 2;
				*cap = c < max + 1 ? c : max + 1;
				*line = erealloc(*line, *cap);
			}
			memcpy(*line + kept, start, take);
			kept += take;
		}
		ra->pos += n;
		full += (int64_t)n;
		if (nl != NULL)
			break;
	}
	if (full == 0)
		return -1;
	(*line)[kept] = '\0';
	return full;
}

int64_t
etextline(char **line, size_t *cap, struct readahead *ra, FILE *fp,
    const char *path, size_t lineno)
{
	int64_t n;

	n = egetline(line, cap, TEXT_MAX_LINE, ra, fp);
	if (n > (int64_t)TEXT_MAX_LINE)
		die(EXIT_DATAERR, "%s:%zu: line of %lld bytes exceeds the "
		    "limit of %zu", path, lineno, (long long)n, TEXT_MAX_LINE);
	return n;
}
