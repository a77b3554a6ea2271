/*
 * The readers fuzz_ledgers.c reaches inside filters: each ledgers_*.c
 * includes one filter's source, its main renamed, and exposes one call
 * that reads the fuzz input (diejmp's FZ_PATH) as that filter does.
 */
#ifndef QUIRE_FUZZ_LEDGERS_H
#define QUIRE_FUZZ_LEDGERS_H

#include <stddef.h>
#include <stdint.h>

/* The cut-off all three use: 2026-06-01. */
#define FZ_CUTOFF "2026-06-01"

/* quire-consent-filter's consent ledger, then a verdict for each event. */
void	fz_consent_ledger(void);
/* quire-dedupe's rulings.csv. */
void	fz_rulings(void);
/*
 * quire-scrub's pii.csv (data[0..size) up to a line "%%"), then the text
 * after it scrubbed by every pattern, checked against a plain scrub.
 */
void	fz_pii(const uint8_t *data, size_t size);
/* After fz_pii died: free what diejmp cannot (PCRE2's JIT code). */
void	fz_pii_abandon(void);

#endif
