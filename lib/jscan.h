/*
 * A validating scanner for JSON Lines records that builds no object: it
 * checks that a line is exactly one RFC 8259 JSON object, held to the rules
 * every quire stage reads records by, and finds a few string fields on the
 * way.  It allocates nothing: what it returns points into the caller's
 * line and lives as long as the line does.
 */
#ifndef QUIRE_JSCAN_H
#define QUIRE_JSCAN_H

#include <stddef.h>

/* Nesting limit, json-c's default: the record itself is level 1. */
#define JSCAN_MAX_DEPTH	32
/* The most fields of one call, and the longest key or sub of a field. */
#define JSCAN_MAX_FIELDS	64
#define JSCAN_KEY_MAX		42

enum jscan_type {
	JSCAN_ABSENT,		/* no such key, or no object above it */
	JSCAN_STRING,
	JSCAN_OTHER		/* there but no string (null included) */
};

/*
 * A field the caller wants: key at the top level of the record, or sub
 * inside key's object when sub is not NULL ("source", "submission").  The
 * caller sets key and sub (at most JSCAN_KEY_MAX bytes each, found however
 * the record spells them), the scanner the rest.  When a key appears more
 * than once in an object the last one counts, as with json-c.
 */
struct jscan_field {
	const char *key;
	const char *sub;
	enum jscan_type type;
	const char *str;	/* JSCAN_STRING: the bytes between the quotes */
	size_t	len;		/* bytes of str */
	int	escaped;	/* str holds escapes: see jscan_unescape */
};

/*
 * Check that line[0..len) is exactly one JSON object, with optional
 * whitespace around it, and fill in the nwant fields of want (want may be
 * NULL when nwant is 0; more than JSCAN_MAX_FIELDS is a bug: abort).
 * Return 0 if it is; otherwise -1 with *err set to a static message in
 * json-c's words ("unexpected character"), and the fields undefined.
 * The line must already be valid UTF-8 (record_next_line checks it): bytes
 * from 0x80 are only looked at as string content.
 *
 * Beyond RFC 8259 it refuses what json-c cannot carry unchanged, as the
 * record reader does: integers below -(2^63 - 1) or above 2^64 - 2, numbers
 * that overflow a double, an unpaired surrogate in a \u escape, \u0000 in a
 * key, and nesting deeper than JSCAN_MAX_DEPTH values.
 */
int	jscan_record(const char *line, size_t len, struct jscan_field *want,
	    size_t nwant, const char **err);

/*
 * What jscan_record_keys calls for each member of the record's own object,
 * in order, duplicates included: the key's bytes between the quotes (len
 * of them, escapes as in struct jscan_field).
 */
typedef void	jscan_key_fn(void *arg, const char *key, size_t len,
		    int escaped);

/* jscan_record, calling key(arg, ...) for each top-level key on the way. */
int	jscan_record_keys(const char *line, size_t len,
	    struct jscan_field *want, size_t nwant, jscan_key_fn *key,
	    void *arg, const char **err);

/*
 * Decode the escapes of s[0..len), the contents of a string jscan_record
 * accepted, into buf, which must hold len + 1 bytes (a string never grows
 * when decoded).  Return the length of the result, which is also
 * NUL-terminated; it may hold NUL bytes of its own (\u0000).
 */
size_t	jscan_unescape(const char *s, size_t len, char *buf);

#endif
