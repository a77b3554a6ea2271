/*
 * The rejects log: CSV rows id,submission_id,writer_id,stage,reason,detail
 * appended to --rejects FILE, one write(2) per row on an O_APPEND
 * descriptor so stages sharing a file never interleave within a row.  No
 * header is written (the release's rejects.csv adds one).  Without a file,
 * rows go to stderr: a reject is never silent.  Each row also counts in
 * the stage's stats.  Strings passed in are borrowed.
 */
#ifndef QUIRE_REJECTS_H
#define QUIRE_REJECTS_H

#include <json-c/json.h>

#include "stats.h"

struct rejects {
	int	fd;		/* -1: stderr */
	const char *path;
	const char *stage;
	struct stats *st;
};

/* Open path (NULL for stderr) for appending; failure is EXIT_IOERR. */
void	rej_open(struct rejects *rj, const char *path, const char *stage,
	    struct stats *st);

/* Append one row; any of id, submission, writer may be NULL (empty). */
void	rej_row(struct rejects *rj, const char *id, const char *submission,
	    const char *writer, const char *reason, const char *detail);

/*
 * Append the row for record rec, taking id, source.submission and writer
 * from it.
 */
void	rej_record(struct rejects *rj, struct json_object *rec,
	    const char *reason, const char *detail);

/* Close the file; a failure is EXIT_IOERR. */
void	rej_close(struct rejects *rj);

#endif
