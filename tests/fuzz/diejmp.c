/*
 * die() as a longjmp, and the bookkeeping that makes it leak-free: see
 * diejmp.h.  Only allocations made while tracking is on are recorded, in
 * an open-addressing set of pointers (backward-shift deletion).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <csv.h>

#include "diejmp.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	__real_free(void *);
FILE	*__real_fopen(const char *, const char *);
int	__real_fclose(FILE *);
ssize_t	__real_getline(char **, size_t *, FILE *);
int	__real_csv_init(struct csv_parser *, unsigned char);

jmp_buf fz_jmp;
int	fz_status;

static int tracking;
static const uint8_t *in_data;
static size_t in_size;
static FILE *open_fp;
static void **set;
static size_t setcap, setn;

static size_t
slot(const void *p)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15u;
	return (size_t)(h >> 20) & (setcap - 1);
}

static void
set_add(void *p)
{
	size_t i, j;
	void **old;

	if (p == NULL || !tracking)
		return;
	if (2 * (setn + 1) > setcap) {
		old = set;
		j = setcap;
		setcap = setcap ? 2 * setcap : 1024;
		set = __real_calloc(setcap, sizeof(*set));
		if (set == NULL)
			abort();
		setn = 0;
		for (i = 0; i < j; i++)
			if (old[i] != NULL) {
				set_add(old[i]);
			}
		__real_free(old);
	}
	for (i = slot(p); set[i] != NULL; i = (i + 1) & (setcap - 1))
		;
	set[i] = p;
	setn++;
}

static void
set_del(void *p)
{
	size_t i, j, k;

	if (p == NULL || setn == 0)
		return;
	for (i = slot(p); set[i] != p; i = (i + 1) & (setcap - 1))
		if (set[i] == NULL)
			return;
	set[i] = NULL;
	setn--;
	/* Backward shift: move later entries of the run into the hole. */
	for (j = (i + 1) & (setcap - 1); set[j] != NULL;
	    j = (j + 1) & (setcap - 1)) {
		k = slot(set[j]);
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		set[i] = set[j];
		set[j] = NULL;
		i = j;
	}
}

void *
__wrap_malloc(size_t n)
{
	void *p = __real_malloc(n);

	set_add(p);
	return p;
}

void *
__wrap_calloc(size_t n, size_t m)
{
	void *p = __real_calloc(n, m);

	set_add(p);
	return p;
}

void *
__wrap_realloc(void *p, size_t n)
{
	void *q = __real_realloc(p, n);

	if (q != NULL) {
		set_del(p);
		set_add(q);
	}
	return q;
}

void
__wrap_free(void *p)
{
	set_del(p);
	__real_free(p);
}

/* libcsv allocates through these once csv_init is wrapped. */
static void *
csv_realloc(void *p, size_t n)
{
	return __wrap_realloc(p, n);
}

int
__wrap_csv_init(struct csv_parser *p, unsigned char options)
{
	int r = __real_csv_init(p, options);

	if (r == 0) {
		csv_set_realloc_func(p, csv_realloc);
		csv_set_free_func(p, __wrap_free);
	}
	return r;
}

FILE *
__wrap_fopen(const char *path, const char *mode)
{
	FILE *fp;

	if (strcmp(path, FZ_PATH) != 0)
		return __real_fopen(path, mode);
	/* fmemopen refuses a zero size in older glibc: give it one byte. */
	fp = fmemopen((void *)(in_size ? in_data : (const uint8_t *)""),
	    in_size ? in_size : 0, "r");
	if (fp == NULL && in_size == 0)
		fp = fopen("/dev/null", "r");
	open_fp = fp;
	return fp;
}

int
__wrap_fclose(FILE *fp)
{
	if (fp == open_fp)
		open_fp = NULL;
	return __real_fclose(fp);
}

ssize_t
__wrap_getline(char **line, size_t *cap, FILE *fp)
{
	ssize_t n;

	set_del(*line);
	n = __real_getline(line, cap, fp);
	set_add(*line);
	return n;
}

void
__wrap_die(int status, const char *fmt, ...)
{
	va_list ap;

	if (getenv("FUZZ_VERBOSE") != NULL) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	if (!tracking)
		abort();
	fz_status = status;
	longjmp(fz_jmp, 1);
}

void
fz_begin(const uint8_t *data, size_t size)
{
	in_data = data;
	in_size = size;
	tracking = 1;
}

void
fz_end(void)
{
	tracking = 0;
	if (setn > 0) {
		memset(set, 0, setcap * sizeof(*set));
		setn = 0;
	}
}

void
fz_cleanup(void)
{
	size_t i;

	tracking = 0;
	if (open_fp != NULL) {
		__real_fclose(open_fp);
		open_fp = NULL;
	}
	for (i = 0; i < setcap; i++)
		if (set[i] != NULL) {
			__real_free(set[i]);
			set[i] = NULL;
		}
	setn = 0;
}
