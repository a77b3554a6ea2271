/*
 * Progress on stderr while a stage runs: records, bytes and rate, redrawn
 * at most every half second, only when stderr is a terminal and -q is off.
 */
#ifndef QUIRE_PROGRESS_H
#define QUIRE_PROGRESS_H

#include <stdint.h>

struct progress {
	int	on;
	unsigned tick;
	uint64_t seen;		/* bytes when the clock was last read */
	double	start;
	double	last;
};

void	progress_init(struct progress *p, int quiet);

/* Call once a record; cheap when nothing is to be drawn. */
void	progress_update(struct progress *p, uint64_t records, uint64_t bytes);

/* Erase the progress line, if one was drawn. */
void	progress_done(struct progress *p);

#endif
