/*
 * The board's rules that several stages read: uses.csv and the release's
 * intended uses.  A malformed policy file is fatal with EXIT_CONFIG naming
 * file, line and problem.  Lists returned are the caller's (list_free).
 */
#ifndef QUIRE_POLICY_H
#define QUIRE_POLICY_H

#include <stddef.h>

struct list {
	char	**items;
	size_t	n;
};

/*
 * Split s at ';' into trimmed, non-empty items, sorted and without
 * repeats.  Returns -1 (list empty) if an item is empty.
 */
int	list_split(const char *s, struct list *out);

/* Return nonzero if the sorted list l holds item. */
int	list_has(const struct list *l, const char *item);

void	list_free(struct list *l);

/*
 * Check the release's intended uses against DIR/uses.csv: each must be
 * listed, active, and approved on or before cutoff (days since the epoch;
 * pass a negative value to skip the date check).  Any failure is fatal
 * with EXIT_CONFIG.  The uses are stored in *uses, sorted.
 */
void	policy_uses(const char *dir, const char *list, long cutoff,
	    struct list *uses);

/*
 * Store in *known every use DIR/uses.csv lists, active or retired, sorted
 * and without repeats: the uses a policy or a ledger may name.  The file
 * is checked as policy_uses checks it; any fault is fatal with
 * EXIT_CONFIG.
 */
void	policy_known_uses(const char *dir, struct list *known);

/* Parse a --cutoff date or die with EXIT_USAGE; return days. */
long	policy_cutoff(const char *s);

#endif
