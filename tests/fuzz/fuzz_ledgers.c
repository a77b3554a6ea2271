/*
 * libFuzzer target: the CSV readers that live inside filters, reached
 * through ledgers_*.c: the first byte picks one, the rest is its file.
 *   0  quire-consent-filter's consent ledger (ledger_load), then the
 *      verdict (decide) for every event's writer on a few submissions
 *   1  quire-dedupe's rulings.csv (rulings_load)
 *   2  quire-scrub's pii.csv (load_policy: PCRE2 patterns, requires,
 *      min_digits), then, after a line "%%", a text scrubbed by each
 *      pattern and compared with a scrub without prefilters
 * A refusal is a die(), turned into a longjmp by diejmp.c.
 */
#include <stdint.h>
#include <stdlib.h>

#include "diejmp.h"
#include "ledgers.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int which;

	if (size == 0)
		return -1;
	which = data[0] % 3;
	fz_begin(data + 1, size - 1);
	if (setjmp(fz_jmp) != 0) {
		if (which == 2)
			fz_pii_abandon();
		fz_cleanup();
		return 0;
	}
	if (which == 0)
		fz_consent_ledger();
	else if (which == 1)
		fz_rulings();
	else
		fz_pii(data + 1, size - 1);
	fz_end();
	return 0;
}
