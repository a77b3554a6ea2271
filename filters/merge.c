/* quire-merge: merge partitions of a stream back into submission id order. */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "csvio.h"
#include "progress.h"
#include "record.h"
#include "util.h"

/*
 * A partitioned run (make dataset with PARTITIONS) splits the drop by a
 * hash of submission_id; each partition's stream stays in submission id
 * order, as quire-ingest writes it.  Merging the partitions by that id
 * gives back the one stream a single process would have written.  Ids are
 * compared as bytes (strcmp), as quire-ingest sorts them.
 */

/* One input of a record merge. */
struct rin {
	struct record_in in;
	char	*path;		/* borrowed from argv */
	int	have;		/* a line is read ahead */
	char	*key;		/* its unescaped id */
	size_t	keycap;
	char	*last;		/* the previous id, to check the order */
	size_t	lastcap;
};

/* One reject log of a -r merge. */
struct cin {
	struct csv_table *t;
	int	col;		/* the submission_id column */
	size_t	next;
};

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-hq] [--version] FILE ...\n"
	    "       %s -r FILE ...\n", progname, progname);
}

/*
 * Read the next line of r ahead and find its submission id.  A line
 * without a submission id, or one that comes before the line ahead of it,
 * is EXIT_DATAERR: the input is not a partition.
 */
static void
rin_next(struct rin *r)
{
	struct jscan_field f = { "source", "submission", 0, NULL, 0, 0 };

	if (r->have) {
		if (r->lastcap < strlen(r->key) + 1) {
			r->lastcap = strlen(r->key) + 1;
			r->last = erealloc(r->last, r->lastcap);
		}
		strcpy(r->last, r->key);
	}
	r->have = record_next_line(&r->in);
	if (!r->have)
		return;
	record_scan(&r->in, &f, 1);
	if (f.type != JSCAN_STRING)
		die(EXIT_DATAERR, "%s:%zu: no source.submission string",
		    r->in.name, r->in.lineno);
	record_unescape(f.str, f.len, f.escaped, &r->key, &r->keycap);
	if (r->last != NULL && strcmp(r->last, r->key) > 0)
		die(EXIT_DATAERR, "%s:%zu: submission id %s comes before %s: "
		    "not in submission id order", r->in.name, r->in.lineno,
		    r->key, r->last);
}

/*
 * Merge the record files: each line goes out as it came (a CR before its
 * newline cut).  Ties between files (one id in two partitions) go to the
 * file named first.
 */
static void
merge_records(char **paths, int n, int qflag)
{
	struct rin *r = ecalloc((size_t)n, sizeof(*r));
	struct progress pg;
	uint64_t records = 0, bytes = 0;
	int k, best;

	for (k = 0; k < n; k++) {
		r[k].path = paths[k];
		record_in_init(&r[k].in, 1, &r[k].path);
		rin_next(&r[k]);
	}
	progress_init(&pg, qflag);
	for (;;) {
		best = -1;
		for (k = 0; k < n; k++)
			if (r[k].have && (best < 0 ||
			    strcmp(r[k].key, r[best].key) < 0))
				best = k;
		if (best < 0)
			break;
		bytes += record_write_line(stdout, "<stdout>", &r[best].in);
		if (ferror(stdout))
			die(EXIT_IOERR, "write error: <stdout>:");
		progress_update(&pg, ++records, bytes);
		rin_next(&r[best]);
	}
	progress_done(&pg);
	for (k = 0; k < n; k++) {
		record_in_free(&r[k].in);
		free(r[k].key);
		free(r[k].last);
	}
	free(r);
}

/*
 * The id of a reject row as the stage had it: a leading "'" that
 * csv_format added before = + - @ TAB or CR is taken off again.
 */
static const char *
reject_key(const char *cell)
{
	if (cell[0] == '\'' && cell[1] != '\0' && strchr("=+-@\t\r",
	    cell[1]) != NULL)
		return cell + 1;
	return cell;
}

/*
 * Merge reject logs, each with a header row (id,submission_id,...) and
 * its rows in submission id order; the rows go out without a header.
 */
static void
merge_rejects(char **paths, int n)
{
	struct cin *c = ecalloc((size_t)n, sizeof(*c));
	const struct csv_row *row;
	const char *kb, *kr;
	int k, best;

	for (k = 0; k < n; k++) {
		c[k].t = csvt_read(paths[k], EXIT_NOINPUT, EXIT_DATAERR);
		if ((c[k].col = csvt_col(c[k].t, "submission_id")) < 0)
			die(EXIT_DATAERR, "%s: no submission_id column",
			    paths[k]);
	}
	for (;;) {
		best = -1;
		for (k = 0; k < n; k++) {
			if (c[k].next == c[k].t->nrows)
				continue;
			if (best < 0)
				best = k;
			kb = reject_key(csvt_cell(&c[best].t->rows[
			    c[best].next], c[best].col));
			kr = reject_key(csvt_cell(&c[k].t->rows[c[k].next],
			    c[k].col));
			if (strcmp(kr, kb) < 0)
				best = k;
		}
		if (best < 0)
			break;
		row = &c[best].t->rows[c[best].next++];
		csv_put(stdout, "<stdout>", (const char *const *)row->cells,
		    row->ncells);
	}
	for (k = 0; k < n; k++)
		csvt_free(c[k].t);
	free(c);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		CLI_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct cli cli = { 0 };
	int ch, rflag = 0;

	cli_init(argv, "quire-merge");
	while ((ch = getopt_long(argc, argv, CLI_SHORTOPTS "r", longopts,
	    NULL)) != -1) {
		if (cli_common(ch, &cli, usage))
			continue;
		switch (ch) {
		case 'r':
			rflag = 1;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (cli.rejects_path != NULL || cli.stats_path != NULL)
		cli_usage_error(usage, "--rejects and --stats: quire-merge "
		    "drops nothing and has no figures");
	if (argc == optind)
		cli_usage_error(usage, "FILE expected");
	if (rflag)
		merge_rejects(argv + optind, argc - optind);
	else
		merge_records(argv + optind, argc - optind, cli.qflag);
	efshut(stdout, "<stdout>");
	return EXIT_OK;
}
