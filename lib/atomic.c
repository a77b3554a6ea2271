/*
 * Temp-and-rename output.  The list of open afiles is the one piece of
 * global state besides progname: exit() must be able to remove what a
 * failing stage left half-written, wherever it died, and so must the
 * signals that end a stage from outside.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "util.h"

#define AFILE_BUF	((size_t)1 << 17)	/* bytes of an output's buffer */

/*
 * The signals that end a stage from outside: a reader that left
 * (`quire-shard | head -1`), ^C, kill, a closed terminal.
 */
static const int fatal_signals[] = { SIGHUP, SIGINT, SIGPIPE, SIGTERM };
#define NFATAL	(sizeof(fatal_signals) / sizeof(fatal_signals[0]))

static struct afile *volatile open_files;
static int cleanup_registered;

static void
remove_open_files(void)
{
	struct afile *af;

	for (af = open_files; af != NULL; af = af->next)
		unlink(af->tmp);
}

/*
 * Remove the temporary files, then die of the signal as if it had not
 * been caught: quietly for SIGPIPE, with the status a shell expects.
 * unlink, signal and raise are async-signal-safe.
 */
static void
on_fatal_signal(int sig)
{
	remove_open_files();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Install on_fatal_signal for each signal not ignored by our parent. */
static void
catch_fatal_signals(void)
{
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < NFATAL; i++) {
		if (sigaction(fatal_signals[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(fatal_signals[i], &sa, NULL);
	}
}

/* Block the fatal signals; old gets the mask to restore with sigprocmask. */
static void
hold_signals(sigset_t *old)
{
	sigset_t set;
	size_t i;

	sigemptyset(&set);
	for (i = 0; i < NFATAL; i++)
		sigaddset(&set, fatal_signals[i]);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void
unlist(struct afile *af)
{
	struct afile *volatile *p;
	sigset_t old;

	hold_signals(&old);
	for (p = &open_files; *p != NULL; p = &(*p)->next)
		if (*p == af) {
			*p = af->next;
			break;
		}
	sigprocmask(SIG_SETMASK, &old, NULL);
}

struct afile *
afile_open(const char *path)
{
	struct afile *af;
	sigset_t old;
	int fd;

	if (!cleanup_registered) {
		atexit(remove_open_files);
		catch_fatal_signals();
		cleanup_registered = 1;
	}
	af = ecalloc(1, sizeof(*af));
	af->path = estrdup(path);
	af->tmp = easprintf("%s.tmp.XXXXXX", path);
	/* From its creation on, the file is on the list a signal removes. */
	hold_signals(&old);
	fd = mkstemp(af->tmp);
	if (fd < 0)
		die(EXIT_IOERR, "cannot create %s:", af->tmp);
	af->next = open_files;
	open_files = af;
	sigprocmask(SIG_SETMASK, &old, NULL);
	af->fp = fdopen(fd, "w");
	if (af->fp == NULL)
		die(EXIT_OSERR, "fdopen:");
	/* stdio's 4 KiB would make a system call of every 4 KiB written. */
	af->buf = emalloc(AFILE_BUF);
	setvbuf(af->fp, af->buf, _IOFBF, AFILE_BUF);
	return af;
}

static void
afile_free(struct afile *af)
{
	unlist(af);
	free(af->path);
	free(af->tmp);
	free(af->buf);
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
