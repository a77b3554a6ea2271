/* The options every stage shares, parsed alike everywhere. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "record.h"
#include "util.h"

void
cli_init(char **argv, const char *name)
{
	progname = name;
	argv[0] = (char *)name;
	/*
	 * A write beyond the file size limit (ulimit -f) would kill us
	 * without a word; ignored, it fails with EFBIG like a full disk, and
	 * the write checks turn that into a message and EXIT_IOERR.
	 */
	signal(SIGXFSZ, SIG_IGN);
}

int
cli_common(int ch, struct cli *cli, void (*usage)(FILE *))
{
	switch (ch) {
	case 'h':
		usage(stdout);
		efshut(stdout, "<stdout>");
		exit(EXIT_OK);
	case 'q':
		cli->qflag = 1;
		return 1;
	case CLI_MAX_RECORD:
		/* 1 TiB: beyond any memory this is meant for. */
		record_set_max_line((size_t)estrtosize(optarg, 1,
		    (uint64_t)1 << 40, "--max-record"));
		return 1;
	case CLI_REJECTS:
		cli->rejects_path = optarg;
		return 1;
	case CLI_STATS:
		cli->stats_path = optarg;
		return 1;
	case CLI_VERSION:
		printf("%s %s\n", progname, VERSION);
		efshut(stdout, "<stdout>");
		exit(EXIT_OK);
	case ':':
	case '?':
		/* getopt has already said what was wrong. */
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return 0;
}

void
cli_usage_error(void (*usage)(FILE *), const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}
