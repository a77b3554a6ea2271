/* Reject rows: built in memory, appended with one write(2). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csvio.h"
#include "record.h"
#include "rejects.h"
#include "util.h"

void
rej_open(struct rejects *rj, const char *path, const char *stage,
    struct stats *st)
{
	rj->path = path;
	rj->stage = stage;
	rj->st = st;
	rj->fd = -1;
	if (path == NULL)
		return;
	rj->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (rj->fd < 0)
		die(EXIT_IOERR, "%s:", path);
}

void
rej_row(struct rejects *rj, const char *id, const char *submission,
    const char *writer, const char *reason, const char *detail)
{
	const char *cells[6];
	size_t len, off = 0;
	ssize_t n;
	char *row;

	cells[0] = id;
	cells[1] = submission;
	cells[2] = writer;
	cells[3] = rj->stage;
	cells[4] = reason;
	cells[5] = detail;
	row = csv_format(cells, 6, &len);
	if (rj->fd < 0)
		fprintf(stderr, "%s: reject: %s", progname, row);
	else
		while (off < len) {
			n = write(rj->fd, row + off, len - off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				die(EXIT_IOERR, "write error: %s:", rj->path);
			off += (size_t)n;
		}
	free(row);
	if (rj->st != NULL)
		stats_reject(rj->st, reason);
}

void
rej_record(struct rejects *rj, struct json_object *rec, const char *reason,
    const char *detail)
{
	rej_row(rj, record_str(rec, "id", NULL),
	    record_path(rec, "source", "submission"),
	    record_str(rec, "writer", NULL), reason, detail);
}

void
rej_close(struct rejects *rj)
{
	if (rj->fd >= 0 && close(rj->fd) != 0)
		die(EXIT_IOERR, "write error: %s:", rj->path);
	rj->fd = -1;
}
