/* quire-consent-filter's ledger reader, for fuzz_ledgers.c. */
#define main consent_filter_main
#include "../../filters/consent-filter.c"
#undef main

#include "diejmp.h"
#include "ledgers.h"

void
fz_consent_ledger(void)
{
	static const char *const subs[] = { "s1", "s2", "*", "" };
	struct ledger lg;
	struct list known, uses;
	struct verdict v;
	struct event *e;
	long cutoff;
	size_t i, k, w;

	if (date_parse(FZ_CUTOFF, &cutoff) != 0 ||
	    list_split("train;evaluate;research", &known) != 0 ||
	    list_split("train;evaluate", &uses) != 0)
		abort();
	ledger_load(&lg, FZ_PATH, "<uses.csv>", &known, cutoff);
	for (i = w = 0; i < lg.n; i++) {
		if (i > 0 && cmp_event(&lg.ev[i - 1], &lg.ev[i]) > 0)
			abort();	/* the index is sorted */
		w += i == 0 || strcmp(lg.ev[i - 1].writer, lg.ev[i].writer);
	}
	if (w != lg.writers)
		abort();
	v.cap = 128 + 2 * DATE_MAX + strlen("evaluate;train") + 1;
	v.detail = emalloc(v.cap);
	for (i = 0; i < lg.n; i++)
		for (k = 0; k < sizeof(subs) / sizeof(subs[0]); k++) {
			decide(&lg, lg.ev[i].writer, k < 2 || lg.ev[i].works.n
			    == 0 ? subs[k] : lg.ev[i].works.items[0], cutoff,
			    &uses, &v);
			if (v.reason != NULL) {
				if (strlen(v.detail) >= v.cap)
					abort();
				continue;
			}
			e = v.grant;
			if (e == NULL || e->withdraw || e->days > cutoff ||
			    strcmp(e->writer, lg.ev[i].writer) != 0 ||
			    !covers(e, k < 2 || lg.ev[i].works.n == 0 ? subs[k]
			    : lg.ev[i].works.items[0]))
				abort();	/* kept by a grant that cannot */
			if (e->consent == NULL)
				consent_field(e);
		}
	free(v.detail);
	ledger_free(&lg);
	list_free(&known);
	list_free(&uses);
}
