/* A progress line for a terminal; the clock never reaches any output. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "util.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
progress_init(struct progress *p, int quiet)
{
	p->on = !quiet && isatty(STDERR_FILENO);
	p->tick = 0;
	p->seen = 0;
	p->start = p->last = p->on ? now() : 0;
}

void
progress_update(struct progress *p, uint64_t records, uint64_t bytes)
{
	double t;

	/* Look at the clock only every 256 records or 8 MB. */
	if (!p->on || ((++p->tick & 255) != 0 && bytes - p->seen < (8 << 20)))
		return;
	p->seen = bytes;
	t = now();
	if (t - p->last < 0.5)
		return;
	p->last = t;
	fprintf(stderr, "\r%s: %llu records, %.1f MB, %.1f MB/s\033[K",
	    progname, (unsigned long long)records, bytes / 1e6,
	    bytes / 1e6 / (t - p->start));
}

void
progress_done(struct progress *p)
{
	if (p->on && p->last > p->start)
		fprintf(stderr, "\r\033[K");
}
