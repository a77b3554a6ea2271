/*
 * The options every stage shares: -h/--help, -q/--quiet, --version,
 * --rejects FILE, --stats FILE, and --max-record SIZE, the longest record
 * line a stage reads (lib/record.h).  Strings point into argv; nothing to free.
 */
#ifndef QUIRE_CLI_H
#define QUIRE_CLI_H

#include <getopt.h>
#include <stdio.h>

enum {
	CLI_MAX_RECORD = 0x100,
	CLI_REJECTS,
	CLI_STATS,
	CLI_VERSION
};

/* Put these first in a stage's struct option array. */
#define CLI_LONGOPTS \
	{ "help", no_argument, NULL, 'h' }, \
	{ "max-record", required_argument, NULL, CLI_MAX_RECORD }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "rejects", required_argument, NULL, CLI_REJECTS }, \
	{ "stats", required_argument, NULL, CLI_STATS }, \
	{ "version", no_argument, NULL, CLI_VERSION }

/* Short options of the shared set, to prefix a stage's optstring. */
#define CLI_SHORTOPTS "hq"

struct cli {
	const char *rejects_path;	/* --rejects, or NULL */
	const char *stats_path;		/* --stats, or NULL */
	int qflag;			/* -q: no progress */
};

/*
 * Set progname to name and argv[0] too, so getopt's own messages carry
 * the same "quire-NAME:" prefix as ours.  Ignore SIGXFSZ, so that a file
 * size limit is a write error (EXIT_IOERR) rather than a silent death.
 */
void	cli_init(char **argv, const char *name);

/*
 * Handle option ch if it is one of the shared ones: -h prints usage to
 * stdout and exits 0; --version prints "progname VERSION" and exits 0; an
 * unknown option ('?', ':') prints usage to stderr and exits 64.  usage
 * prints the stage's synopsis to the stream it is given.  Returns 1 if ch
 * was handled, 0 if it belongs to the stage.
 */
int	cli_common(int ch, struct cli *cli, void (*usage)(FILE *));

/* Print "progname: msg" and usage to stderr, exit 64. */
void	cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

#endif
