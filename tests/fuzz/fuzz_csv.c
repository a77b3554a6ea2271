/*
 * libFuzzer target: lib/csvio's csvt_read on arbitrary bytes as a CSV
 * file, then csvt_col, csvt_cell and csvt_require on what it read, and
 * csv_format of every row.  csvt_read dies on malformed input; diejmp.c
 * turns that die into a longjmp and frees what the reader held, so a
 * rejection is an ordinary outcome, not a crash.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "diejmp.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const req[] = { "id", "writer_id", NULL };
	struct csv_table *volatile t = NULL;
	const char **cells;
	char *s;
	size_t r, c, len;
	int col;

	fz_begin(data, size);
	if (setjmp(fz_jmp) != 0) {
		fz_cleanup();
		return 0;
	}
	t = csvt_read(FZ_PATH, 66, 65);
	/* csvt_require may die too: still tracked, cleaned up above. */
	csvt_require(t, req, 78);
	fz_end();

	col = csvt_col(t, "id");
	for (r = 0; r < t->nrows; r++) {
		if (t->rows[r].line < 2)
			abort();	/* data rows start after the header */
		(void)strlen(csvt_cell(&t->rows[r], col));
		cells = malloc((t->rows[r].ncells + 1) * sizeof(*cells));
		for (c = 0; c < t->rows[r].ncells; c++)
			cells[c] = t->rows[r].cells[c];
		s = csv_format(cells, t->rows[r].ncells, &len);
		if (len != strlen(s) || len == 0 || s[len - 1] != '\n')
			abort();
		free(s);
		free(cells);
	}
	csvt_free(t);
	return 0;
}
