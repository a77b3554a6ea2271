/*
 * Diagnostics, allocation and number parsing.  Only functions whose name
 * starts with "e" (and die) exit; they never return on failure.  Strings they
 * return are the caller's to free.
 */
#ifndef QUIRE_UTIL_H
#define QUIRE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "exitcodes.h"

#ifndef VERSION
#define VERSION "0.0.0"
#endif

/* The program's name for messages ("quire-ingest"); set once by main. */
extern const char *progname;

/*
 * Print "progname: message" to stderr.  A format ending in ':' appends
 * strerror(errno).  die() then exits with status.
 */
void	die(int status, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void	*emalloc(size_t size);
void	*ecalloc(size_t nmemb, size_t size);
void	*erealloc(void *p, size_t size);
char	*estrdup(const char *s);
char	*estrndup(const char *s, size_t n);
/* asprintf that exits on failure; the result is the caller's. */
char	*easprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Parse a whole decimal number in [min, max]; on error die with EXIT_USAGE
 * naming what (an option name).
 */
long long estrtonum(const char *s, long long min, long long max,
	    const char *what);

/*
 * Parse a size: a decimal number optionally followed by k, M or G (powers
 * of 1024); in [min, max] or die with EXIT_USAGE naming what.
 */
uint64_t estrtosize(const char *s, uint64_t min, uint64_t max,
	    const char *what);

/*
 * Flush and close fp, named name in messages; a write error of any kind is
 * fatal with EXIT_IOERR.  Use it on stdout before exiting.
 */
void	efshut(FILE *fp, const char *name);

/* Write len bytes to fp or die with EXIT_IOERR naming name. */
void	efwrite(const void *p, size_t len, FILE *fp, const char *name);

/*
 * The read-ahead of egetline on one FILE: zero it before the first read,
 * free buf after the last.  Bytes of the FILE wait in it, so the FILE is
 * read only through egetline until egetline returns -1.
 */
struct readahead {
	char	*buf;
	size_t	pos, end;
};

/*
 * getline(3) in bounded memory: read the next line of fp (its newline
 * included) into *line, grown by erealloc as needed but never beyond
 * max + 1 bytes, NUL-terminated, the caller's to free.  A line longer
 * than max is read to its end but only its first max bytes are kept.
 * Return the line's full length, or -1 at the end of fp or on a read
 * error (ferror tells which).
 */
int64_t	egetline(char **line, size_t *cap, size_t max, struct readahead *ra,
	    FILE *fp);

/* Longest line of the text files read besides records and CSV. */
#define TEXT_MAX_LINE	((size_t)1 << 20)

/*
 * egetline of at most TEXT_MAX_LINE bytes from fp, the file path, whose
 * line lineno it reads: a longer line is fatal with EXIT_DATAERR naming
 * both.  For the short-lined files quire writes itself and reads back
 * (inputs.lock, SHA256SUMS, sha256sum's report).
 */
int64_t	etextline(char **line, size_t *cap, struct readahead *ra, FILE *fp,
	    const char *path, size_t lineno);

#endif
