/*
 * Run a lib function that may die() without leaving the fuzzer.  A target
 * is linked with -Wl,--wrap= for die, fopen, fclose, getline, csv_init,
 * malloc, calloc, realloc and free (see FUZZ_WRAP in the Makefile): die()
 * longjmps back to fz_run's caller instead of exiting, and everything the
 * lib allocated or opened since fz_begin() is released then, so that a
 * rejected input neither exits nor leaks.  fopen(FZ_PATH) opens the fuzz
 * input itself through fmemopen(), so no file is written.
 */
#ifndef QUIRE_FUZZ_DIEJMP_H
#define QUIRE_FUZZ_DIEJMP_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#define FZ_PATH "<fuzz-input>"

extern jmp_buf fz_jmp;
extern int fz_status;		/* die()'s status after a longjmp */

/* Serve data[0..size) at FZ_PATH and start tracking allocations. */
void	fz_begin(const uint8_t *data, size_t size);
/* Stop tracking: what lib returned is now the caller's to free. */
void	fz_end(void);
/* After a die(): free and close everything tracked, then fz_end(). */
void	fz_cleanup(void);

#endif
