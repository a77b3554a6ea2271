/*
 * licenses.csv: the licenses the board recognises, the spellings writers
 * use for them and what each permits.  licenses_load returns a table the
 * caller owns and frees with licenses_free; every license it hands out is
 * borrowed from that table and lives as long as it.
 */
#ifndef QUIRE_LICENSES_H
#define QUIRE_LICENSES_H

#include <stddef.h>

#include "policy.h"

/* One row of licenses.csv. */
struct license {
	char	*spdx;		/* its SPDX id */
	struct list uses;	/* the uses it permits, sorted; empty if anyuse */
	int	anyuse;		/* uses is "*": every use, present and future */
	int	attribution;	/* yes: reuse must credit the writer */
	int	share_alike;	/* yes: adaptations keep the license */
	size_t	line;		/* in licenses.csv, for messages */
};

struct license_alias;		/* a spelling's canonical key: licenses.c */

struct licenses {
	char	*path;		/* DIR/licenses.csv, for messages */
	struct license *v;	/* in the order of the file */
	size_t	n;
	struct license_alias *aliases;	/* ids and aliases, by key */
	size_t	naliases;
};

/*
 * Read and check DIR/licenses.csv: the columns spdx, aliases, uses,
 * attribution and share_alike (others are ignored), one SPDX id per row,
 * listed once, yes or no twice, uses that are "*", empty (none) or use ids
 * of known (policy_known_uses), and no spelling, id or alias, that two
 * licenses claim once canonical.  Pass NULL for known to take any use id,
 * in a stage that does not read uses.csv.  Any fault is fatal with
 * EXIT_CONFIG naming file, line and problem.  known is borrowed; the
 * table returned is the caller's (licenses_free).
 */
struct licenses *licenses_load(const char *dir, const struct list *known);

/*
 * Return the license whose id or alias the spelling s[0..len) names, or
 * NULL.  Spellings are compared by a canonical key: ASCII letters
 * lower-cased; ASCII white space, '-', '_' and '.' dropped, and so are
 * the no-break spaces and dashes word processors put in their place
 * (U+00A0, U+202F, U+2010 to U+2014, U+2212); every other byte as it is.
 * So "CC BY-SA 4.0", "cc_by_sa_4.0" and "CC-BY-SA-4.0" are one key, while
 * "GPL-2.0+" and "GPL-2.0" stay two.
 */
const struct license *licenses_lookup(const struct licenses *ls,
	    const char *s, size_t len);

/* Return the license whose SPDX id is exactly spdx, or NULL. */
const struct license *licenses_find(const struct licenses *ls,
	    const char *spdx);

/* Return nonzero if lic permits use. */
int	licenses_permits(const struct license *lic, const char *use);

/* Free ls and everything in it; NULL is allowed. */
void	licenses_free(struct licenses *ls);

#endif
