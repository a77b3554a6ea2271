/* quire-dedupe's rulings reader, for fuzz_ledgers.c. */
#define main dedupe_main
#include "../../filters/dedupe.c"
#undef main

#include "diejmp.h"
#include "ledgers.h"

void
fz_rulings(void)
{
	struct rulings rl;
	long cutoff;
	size_t i;

	if (date_parse(FZ_CUTOFF, &cutoff) != 0)
		abort();
	rulings_load(&rl, FZ_PATH, cutoff);
	for (i = 0; i < rl.n; i++) {
		/* One ruling a submission, sorted, none after the cut-off. */
		if (i > 0 && strcmp(rl.r[i - 1].sub, rl.r[i].sub) >= 0)
			abort();
		if (rl.r[i].days > cutoff ||
		    ruling_find(&rl, rl.r[i].sub) != &rl.r[i])
			abort();
	}
	rulings_free(&rl);
}
