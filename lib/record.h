/*
 * The record stream: JSON Lines through json-c.  record_next() returns a
 * parsed object that the caller owns (json_object_put it); fields a stage
 * does not own are left as they were parsed, so they leave as the same JSON
 * values.  Every stage reads and writes through here so all use one set of
 * json-c flags, and holds records to one rule: lib/jscan.h's.  A stage
 * that needs no object reads lines with record_next_line() and checks them
 * with record_scan(); the line stays in the record_in, which owns it.
 */
#ifndef QUIRE_RECORD_H
#define QUIRE_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "jscan.h"
#include "util.h"

/*
 * Longest record line accepted by default (the shared option --max-record
 * changes it): a longer one is exit 65, found in bounded memory.  It is
 * well above what ingest makes of its largest work (16 MiB by default,
 * at most six bytes of JSON per byte of text when every one is escaped).
 */
#define RECORD_MAX_LINE ((size_t)256 << 20)

struct record_in {
	char	**paths;	/* files to read; none means stdin */
	int	npaths;
	int	next;		/* index of the next path to open */
	FILE	*fp;
	const char *name;	/* current file, "<stdin>" for stdin */
	char	*line;		/* the line read, reused */
	size_t	cap;
	struct readahead ra;	/* what egetline read ahead of it */
	size_t	len;		/* bytes of the last record, without '\n' */
	size_t	lineno;		/* line of the last record in name */
	size_t	max_line;
	uint64_t bytes;		/* bytes read so far, newlines included */
	struct json_tokener *tok;
};

/*
 * Set the max_line of every record_in made from now on (--max-record, in
 * lib/cli.c): one limit per program, as there is one progname.
 */
void	record_set_max_line(size_t max);

/* The limit record_set_max_line set, RECORD_MAX_LINE by default. */
size_t	record_max_line(void);

/*
 * Prepare to read the named files in turn ("-" is stdin), or stdin when
 * npaths is 0.  paths is borrowed and must outlive in.
 */
void	record_in_init(struct record_in *in, int npaths, char **paths);

/*
 * Return the next record, or NULL after the last one.  A line that is not
 * valid UTF-8, not one JSON object, or longer than max_line is fatal with
 * EXIT_DATAERR naming file and line; an unreadable file is EXIT_NOINPUT.
 */
struct json_object *record_next(struct record_in *in);

/*
 * Read the next line into in->line (in->len bytes, newline and CR cut)
 * and check it as record_next does before parsing: its length, UTF-8 and
 * raw control characters, fatal as there.  Escaped surrogate pairs are
 * rewritten as raw UTF-8 in the line (json-c decodes some wrong).  Return
 * 1, or 0 after the last line.  The line is not parsed: record_scan()
 * checks it as JSON.
 */
int	record_next_line(struct record_in *in);

/*
 * Check the line record_next_line() read with jscan_record(), filling in
 * the nwant fields of want (they point into in->line, valid until the next
 * read).  A line that is not one JSON object is fatal with EXIT_DATAERR,
 * in record_next's words.
 */
void	record_scan(const struct record_in *in, struct jscan_field *want,
	    size_t nwant);

/* record_scan, calling key(arg, ...) for each top-level key (jscan.h). */
void	record_scan_keys(const struct record_in *in,
	    struct jscan_field *want, size_t nwant, jscan_key_fn *key,
	    void *arg);

/*
 * Copy the string s[0..len) that jscan found, unescaped when escaped, into
 * *buf (grown to fit, *cap bytes) and NUL-terminate it; return its length
 * (it may hold NULs of its own, from \u0000).
 */
size_t	record_unescape(const char *s, size_t len, int escaped, char **buf,
	    size_t *cap);

/* Free what in holds. */
void	record_in_free(struct record_in *in);

/*
 * Write o as one line to fp (named name in messages); return the bytes
 * written, newline included.  A write error is fatal with EXIT_IOERR.
 */
size_t	record_write(FILE *fp, const char *name, struct json_object *o);

/*
 * Write the last record read by in, as it was read, to fp: for a stage
 * that changed nothing in it, which saves re-encoding it.  Returns the
 * bytes written; a write error is fatal with EXIT_IOERR.
 */
size_t	record_write_line(FILE *fp, const char *name,
	    const struct record_in *in);

/*
 * Field helpers.  record_str returns the string value of key (borrowed from
 * o, NUL-terminated, length in *len when len is not NULL) or NULL when key
 * is absent or not a string.  record_path looks up "a.b" one level deep.
 */
const char *record_str(struct json_object *o, const char *key, size_t *len);
const char *record_path(struct json_object *o, const char *key,
	    const char *sub);

/*
 * Replace the string value of key with s[0..len), keeping the key's place
 * in the object; add it at the end if absent.
 */
void	record_set_str(struct json_object *o, const char *key, const char *s,
	    size_t len);

#endif
