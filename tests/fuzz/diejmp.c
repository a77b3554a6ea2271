/*
 * die() as a longjmp, and the bookkeeping that makes it leak-free: see
 * diejmp.h.  Only allocations made while tracking is on are recorded, in
 * an open-addressing set of pointers (backward-shift deletion).
 */
#include <errno.h>
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
int	__real_vasprintf(char **, const char *, va_list);
char	*__wrap_strndup(const char *, size_t);

jmp_buf fz_jmp;
int	fz_status;

static int tracking;
/* The files fopen serves from memory, and what is open of them. */
#define FZ_MAXFILES 8
static struct {
	const char *path;
	const uint8_t *data;
	size_t	size;
} files[FZ_MAXFILES];
static size_t nfiles;
static FILE *open_fp[FZ_MAXFILES];
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
	size_t i, k;

	for (i = 0; i < nfiles; i++)
		if (strcmp(path, files[i].path) == 0)
			break;
	if (i == nfiles)
		return __real_fopen(path, mode);
	if (files[i].data == NULL) {
		errno = ENOENT;	/* fz_file(path, NULL, 0): no such file */
		return NULL;
	}
	for (k = 0; k < FZ_MAXFILES && open_fp[k] != NULL; k++)
		;
	if (k == FZ_MAXFILES)
		abort();	/* a target opens more than it should */
	/* fmemopen refuses a zero size in older glibc: /dev/null then. */
	fp = fmemopen((void *)(files[i].size ? files[i].data :
	    (const uint8_t *)""), files[i].size, "r");
	if (fp == NULL && files[i].size == 0)
		fp = __real_fopen("/dev/null", "r");
	open_fp[k] = fp;
	return fp;
}

int
__wrap_fclose(FILE *fp)
{
	size_t k;

	for (k = 0; k < FZ_MAXFILES; k++)
		if (open_fp[k] == fp)
			open_fp[k] = NULL;
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

/* strdup and friends allocate inside libc: count them here. */
char *
__wrap_strdup(const char *s)
{
	return __wrap_strndup(s, strlen(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *p = __wrap_malloc(len + 1);

	if (p != NULL) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

int
__wrap_vasprintf(char **sp, const char *fmt, va_list ap)
{
	int r = __real_vasprintf(sp, fmt, ap);

	if (r >= 0)
		set_add(*sp);
	return r;
}

/* Warnings are expected on bad input: quiet unless FUZZ_VERBOSE. */
void
__wrap_warn(const char *fmt, ...)
{
	va_list ap;

	if (getenv("FUZZ_VERBOSE") == NULL)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
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
	nfiles = 0;
	fz_file(FZ_PATH, data, size);
	tracking = 1;
}

void
fz_file(const char *path, const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < nfiles && strcmp(files[i].path, path) != 0; i++)
		;
	if (i == FZ_MAXFILES)
		abort();
	files[i].path = path;
	files[i].data = data;
	files[i].size = size;
	if (i == nfiles)
		nfiles++;
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
	for (i = 0; i < FZ_MAXFILES; i++)
		if (open_fp[i] != NULL) {
			__real_fclose(open_fp[i]);
			open_fp[i] = NULL;
		}
	for (i = 0; i < setcap; i++)
		if (set[i] != NULL) {
			__real_free(set[i]);
			set[i] = NULL;
		}
	setn = 0;
}
