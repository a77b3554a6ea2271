/*
 * CSV (RFC 4180) in through libcsv and out with quoting only where needed.
 * A csv_table owns every string in it; csvt_free releases them all.
 */
#ifndef QUIRE_CSVIO_H
#define QUIRE_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/* Longest line of a CSV file read, in bytes; longer ones are refused. */
#define CSV_MAX_LINE	((size_t)1 << 20)

struct csv_row {
	char	**cells;
	size_t	ncells;
	size_t	line;		/* line of the file where the row starts */
};

struct csv_table {
	char	*path;		/* for messages */
	struct csv_row header;
	struct csv_row *rows;	/* data rows, header excluded */
	size_t	nrows;
};

/*
 * Read a whole CSV file with a header row.  A missing file is fatal with
 * missing_status (EXIT_NOINPUT or EXIT_CONFIG, as the caller's contract
 * says); malformed CSV (a stray quote, an unterminated field, invalid
 * UTF-8, a NUL byte, a line longer than CSV_MAX_LINE, no header) is fatal
 * with bad_status naming file and line.  Cells are NUL-terminated.
 */
struct csv_table *csvt_read(const char *path, int missing_status,
	    int bad_status);

/* Column index of name in the header, or -1. */
int	csvt_col(const struct csv_table *t, const char *name);

/*
 * Die with status naming the first header name that appears twice, or the
 * first of the required names (NULL-terminated) that is missing.
 */
void	csvt_require(const struct csv_table *t, const char *const *required,
	    int status);

/* Cell col of row, or "" when the row is short or col is -1. */
const char *csvt_cell(const struct csv_row *row, int col);

void	csvt_free(struct csv_table *t);

/*
 * Format one CSV line (with "\n") from n cells into a new string that the
 * caller frees; its length in *len.  Quotes a cell only when it holds a
 * comma, quote, CR or LF.  A cell that starts with = + - @ TAB or CR is
 * prefixed with "'" so a spreadsheet shows it as text, never runs it as a
 * formula.
 */
char	*csv_format(const char *const *cells, size_t n, size_t *len);

/* Write one CSV line to fp (named name in messages); EXIT_IOERR on error. */
void	csv_put(FILE *fp, const char *name, const char *const *cells,
	    size_t n);

#endif
