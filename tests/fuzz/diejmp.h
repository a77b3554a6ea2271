/*
 * Run a lib function that may die() without leaving the fuzzer.  A target
 * is linked with -Wl,--wrap= for die, warn, fopen, fclose, getline,
 * csv_init, malloc, calloc, realloc, free, strdup, strndup and vasprintf
 * (see FUZZ_WRAP in the Makefile), and with json-c, PCRE2 and zstd linked
 * statically so that their allocations are wrapped too: die() longjmps
 * back to the setjmp of the caller of fz_begin() instead of exiting, and
 * everything allocated or opened since fz_begin() is released then, so
 * that a rejected input neither exits nor leaks.  fopen(FZ_PATH) opens the
 * fuzz input itself through fmemopen(), and fopen of a path given to
 * fz_file() that part of it, so no file is written.  warn() is quiet
 * unless FUZZ_VERBOSE is set.
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
/*
 * Serve data[0..size) at path too, or instead of what path served (up to
 * 7 such files); after fz_begin.  With data NULL, fopen(path) fails with
 * ENOENT.
 */
void	fz_file(const char *path, const uint8_t *data, size_t size);
/* Stop tracking: what lib returned is now the caller's to free. */
void	fz_end(void);
/* After a die(): free and close everything tracked, then fz_end(). */
void	fz_cleanup(void);

#endif
