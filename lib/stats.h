/*
 * The --stats object of a stage: records and bytes in and out, rejects by
 * reason, and the stage's own figures, written as one JSON object.  The
 * stats owns its json-c objects; stats_free releases them.
 */
#ifndef QUIRE_STATS_H
#define QUIRE_STATS_H

#include <stdint.h>

#include <json-c/json.h>

struct stats {
	const char *stage;	/* "ingest", borrowed */
	uint64_t records_in;
	uint64_t records_out;
	uint64_t bytes_in;
	uint64_t bytes_out;
	struct json_object *rejected;	/* reason -> count */
	struct json_object *figures;	/* the stage's own, in added order */
	struct json_object *options;	/* the options that shape output */
};

void	stats_init(struct stats *st, const char *stage);

/* Count one reject for reason; or n of them. */
void	stats_reject(struct stats *st, const char *reason);
void	stats_reject_n(struct stats *st, const char *reason, int64_t n);

/*
 * The reasons rejected so far, in byte order, *n of them: an array the
 * caller frees, of strings the stats owns.
 */
const char **stats_reasons(const struct stats *st, size_t *n);

/* How many records were rejected for reason. */
int64_t	stats_rejected_by(const struct stats *st, const char *reason);

/*
 * Add delta to the stage figure name, creating it at 0 first.  Declare
 * every figure at start (delta 0) so it appears even when nothing counted.
 */
void	stats_add(struct stats *st, const char *name, int64_t delta);

/* Record an option value as the datasheets will show it. */
void	stats_option(struct stats *st, const char *name, const char *value);
void	stats_option_int(struct stats *st, const char *name, int64_t value);

/* Total of all rejects. */
uint64_t stats_rejected(const struct stats *st);

/*
 * Write the stats to path atomically (nothing when path is NULL).  Keys:
 * stage, version, records_in, records_out, rejected (sorted by reason),
 * bytes_in, bytes_out, options, figures.
 */
void	stats_write(struct stats *st, const char *path);

void	stats_free(struct stats *st);

#endif
