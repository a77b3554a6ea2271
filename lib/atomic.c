/*
 * Temp-and-rename output.  The list of open afiles is the one piece of
 * global state besides progname: exit() must be able to remove what a
 * failing stage left half-written, wherever it died.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "util.h"

static struct afile *open_files;
static int cleanup_registered;

static void
remove_open_files(void)
{
	struct afile *af;

	for (af = open_files; af != NULL; af = af->next)
		unlink(af->tmp);
}

static void
unlist(struct afile *af)
{
	struct afile **p;

	for (p = &open_files; *p != NULL; p = &(*p)->next)
		if (*p == af) {
			*p = af->next;
			break;
		}
}

struct afile *
afile_open(const char *path)
{
	struct afile *af;
	int fd;

	if (!cleanup_registered) {
		atexit(remove_open_files);
		cleanup_registered = 1;
	}
	af = ecalloc(1, sizeof(*af));
	af->path = estrdup(path);
	af->tmp = easprintf("%s.tmp.XXXXXX", path);
	fd = mkstemp(af->tmp);
	if (fd < 0)
		die(EXIT_IOERR, "cannot create %s:", af->tmp);
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		unlink(af->tmp);
		die(EXIT_OSERR, "fdopen:");
	}
	af->next = open_files;
	open_files = af;
	return af;
}

static void
afile_free(struct afile *af)
{
	unlist(af);
	free(af->path);
	free(af->tmp);
	free(af);
}

void
afile_commit(struct afile *af)
{
	mode_t um;
	int bad;

	bad = fflush(af->fp) != 0 || ferror(af->fp);
	if (fclose(af->fp) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		die(EXIT_IOERR, "write error: %s:", af->path);
	}
	/* mkstemp makes 0600; give the mode fopen would have. */
	um = umask(0);
	umask(um);
	if (chmod(af->tmp, 0666 & ~um) != 0)
		die(EXIT_IOERR, "chmod %s:", af->tmp);
	if (rename(af->tmp, af->path) != 0)
		die(EXIT_IOERR, "rename %s to %s:", af->tmp, af->path);
	afile_free(af);
}

void
afile_abort(struct afile *af)
{
	fclose(af->fp);
	unlink(af->tmp);
	afile_free(af);
}
