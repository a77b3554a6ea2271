/*
 * Output files that appear whole or not at all: written under a temporary
 * name beside the target and renamed on a clean close.  An afile not yet
 * committed when the program exits (die included) is removed, and so is
 * one open when SIGHUP, SIGINT, SIGPIPE or SIGTERM ends the program (the
 * first afile_open installs the handler, which then dies of the signal
 * as if it had not been caught).  The afile
 * is freed by afile_commit or afile_abort.
 */
#ifndef QUIRE_ATOMIC_H
#define QUIRE_ATOMIC_H

#include <stdio.h>

struct afile {
	FILE	*fp;		/* write here */
	char	*path;		/* the target */
	char	*tmp;		/* the temporary name */
	struct afile *next;	/* in the list removed at exit */
	char	*buf;		/* fp's buffer, larger than stdio's own */
};

/* Create a temporary file for path; failure is fatal with EXIT_IOERR. */
struct afile *afile_open(const char *path);

/*
 * Flush, check, close and rename into place; any failure removes the
 * temporary file and is fatal with EXIT_IOERR.
 */
void	afile_commit(struct afile *af);

/* Close and remove the temporary file. */
void	afile_abort(struct afile *af);

#endif
