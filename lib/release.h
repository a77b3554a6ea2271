/*
 * A finished release as the reports read it (quire-statement,
 * quire-changes): its name, version, cut-off and uses, its lineage.csv
 * and rejects.csv, and the plain words that explain each reject reason.
 * A struct release owns every string it points to; release_free releases
 * them all.  Reason words are static.
 */
#ifndef QUIRE_RELEASE_H
#define QUIRE_RELEASE_H

#include <stddef.h>
#include <stdint.h>

#include "csvio.h"

/* A row of lineage.csv: one document in the shards. */
struct rel_doc {
	const char *id;
	const char *submission;
	const char *writer;
	const char *shard;	/* a file name in shards/, checked: no '/' */
	uint64_t index;		/* line of the document in its shard, from 0 */
	const char *raw_sha256;
	size_t	line;		/* line of lineage.csv */
};

/* A row of rejects.csv: one submission left out. */
struct rel_reject {
	const char *id;
	const char *submission;	/* may be "" (a manifest row without one) */
	const char *writer;	/* may be "" */
	const char *stage;
	const char *reason;
	const char *detail;
	size_t	line;		/* line of rejects.csv */
};

struct release {
	char	*dir;		/* as given */
	char	*name;		/* inputs.lock's NAME, or the path's .../NAME/ */
	char	*version;	/* inputs.lock's VERSION, or the last component */
	char	*cutoff;	/* inputs.lock's CUTOFF, or NULL */
	char	*uses;		/* inputs.lock's USES, or NULL */
	char	*lineage_path;
	char	*rejects_path;
	struct rel_doc *docs;	/* sorted by submission id, which is unique */
	size_t	ndocs;
	struct rel_reject *rejects;	/* by submission id, then line */
	size_t	nrejects;
	struct csv_table *lt, *rt;	/* own the strings above */
};

/* What a reject reason means, in words. */
struct reason_words {
	const char *code;	/* "consent.withdrawn"; "consent." for a fallback */
	const char *summary;	/* third person, short: "consent withdrawn" */
	const char *you;	/* to the writer, one or two sentences */
};

/*
 * Read the release in dir.  Its name and version are those inputs.lock
 * records ("option NAME=...", "option VERSION=..."), so that a release
 * still being assembled in a temporary directory, or copied elsewhere,
 * keeps them; without inputs.lock, the last two components of dir's real
 * path.  A missing dir, lineage.csv or rejects.csv is
 * fatal with EXIT_NOINPUT; malformed CSV, a missing column, a row with
 * another number of fields than the header, an empty required value, a
 * shard name with a '/', an index that is not a decimal number, or a
 * submission id twice in lineage.csv is fatal with EXIT_DATAERR naming
 * file and line.  Cells that CSV output guarded against spreadsheet
 * formulas (a leading "'" before = + - @ TAB CR) are read back unguarded.
 * The caller frees the result with release_free.
 */
struct release *release_open(const char *dir);

void	release_free(struct release *r);

/* The document of submission in r, or NULL. */
const struct rel_doc *release_doc(const struct release *r,
	    const char *submission);

/*
 * The first reject row of submission in r (rejects.csv is in stage order,
 * so the earliest stage), or NULL.  With n not NULL, *n is the number of
 * rows of that submission, which follow it in r->rejects.
 */
const struct rel_reject *release_reject(const struct release *r,
	    const char *submission, size_t *n);

/*
 * The words for a reject reason: the reason's own, or when quire does not
 * know the code, those of its stage prefix ("dedupe."), or general ones
 * (code "").  Never NULL.
 */
const struct reason_words *release_reason(const char *code);

/* A stage's job in a few words ("the consent check"), or NULL. */
const char *release_stage(const char *stage);

#endif
