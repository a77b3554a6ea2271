/*
 * Exit statuses of every quire program: DESIGN.md's table, numbered as in
 * sysexits(3).  The documented table is the contract, not the header.
 */
#ifndef QUIRE_EXITCODES_H
#define QUIRE_EXITCODES_H

enum {
	EXIT_OK = 0,		/* done, rejects included */
	EXIT_USAGE = 64,	/* bad command line */
	EXIT_DATAERR = 65,	/* malformed stream or data not rejectable per record */
	EXIT_NOINPUT = 66,	/* missing or unreadable input */
	EXIT_SOFTWARE = 70,	/* internal error */
	EXIT_OSERR = 71,	/* out of memory, system limits */
	EXIT_IOERR = 74,	/* failed write, full disk */
	EXIT_CONFIG = 78	/* bad configuration or policy */
};

#endif
