/* tempfile: a registry of temporary outputs, unlinked on SIGINT/SIGTERM/SIGHUP. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "tempfile.h"

/* A slot is claimed (FREE -> FILLING) before its path is written and published (-> LIVE)
 * after, so the handler, which reads LIVE slots only, never sees a half-written path. */
enum { FREE, FILLING, LIVE };

#if ATOMIC_INT_LOCK_FREE != 2
#error "the signal handler needs lock-free atomic int"
#endif

static _Atomic int slot_state[BB_TEMP_SLOTS];
static char slot_path[BB_TEMP_SLOTS][BB_TEMP_PATH_MAX];

int bb_temp_register(const char *path)
{
	size_t n = strlen(path);
	if (n >= BB_TEMP_PATH_MAX)
		return -1;
	for (int i = 0; i < BB_TEMP_SLOTS; i++) {
		int expected = FREE;
		if (!atomic_compare_exchange_strong(&slot_state[i], &expected, FILLING))
			continue;
		memcpy(slot_path[i], path, n + 1);
		atomic_store(&slot_state[i], LIVE);
		return 0;
	}
	return -1;
}

static void block_stop_signals(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

int bb_temp_mkstemp(char *tmpl)
{
	sigset_t old;
	block_stop_signals(&old);
	int fd = mkstemp(tmpl), e = errno;
	if (fd >= 0)
		bb_temp_register(tmpl);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

int bb_temp_open(const char *path, int flags, unsigned mode)
{
	sigset_t old;
	block_stop_signals(&old);
	int fd = open(path, flags, (mode_t)mode), e = errno;
	if (fd >= 0)
		bb_temp_register(path);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return fd;
}

int bb_temp_create(const char *final, char **tmp)
{
	const char *slash = strrchr(final, '/');
	size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
	const char *base = final + dirlen;
	size_t n = dirlen + strlen(base) + sizeof BB_TEMP_PREFIX + 32;
	char *t = malloc(n);
	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(t, n, "%.*s" BB_TEMP_PREFIX "%ld.%s.XXXXXX", (int)dirlen, final, (long)getpid(),
		 base);
	int fd = bb_temp_mkstemp(t);
	if (fd < 0) {
		int e = errno;
		free(t);
		errno = e;
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		/* not fatal: the file stays private */
	}
	*tmp = t;
	return fd;
}

void bb_temp_forget(const char *path)
{
	for (int i = 0; i < BB_TEMP_SLOTS; i++) {
		if (atomic_load(&slot_state[i]) == LIVE && strcmp(slot_path[i], path) == 0) {
			atomic_store(&slot_state[i], FREE);
			return;
		}
	}
}

/* Forgotten only after the call succeeds: a signal in between unlinks a name that is gone
 * (harmless) rather than leaving a file behind. */
int bb_temp_rename(const char *tmp, const char *final)
{
	int rc = rename(tmp, final);
	if (rc == 0)
		bb_temp_forget(tmp);
	return rc;
}

int bb_temp_unlink(const char *tmp)
{
	int rc = unlink(tmp);
	if (rc == 0 || errno == ENOENT)
		bb_temp_forget(tmp);
	return rc;
}

/* Async-signal-safe: atomic loads, unlink(2), signal(2) and raise(3) only. */
static void remove_temporaries_and_die(int sig)
{
	for (int i = 0; i < BB_TEMP_SLOTS; i++)
		if (atomic_load(&slot_state[i]) == LIVE)
			unlink(slot_path[i]);
	/* the signal is blocked while we run: it comes back, with the default action, on return */
	signal(sig, SIG_DFL);
	raise(sig);
}

void bb_temp_install_signal_cleanup(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = remove_temporaries_and_die;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue; /* ignored by whoever started us: keep it so */
		sigaction(sigs[i], &sa, NULL);
	}
}

int bb_temp_write(const char *final, int (*fill)(FILE *f, void *ctx), void *ctx)
{
	char *tmp;
	int fd = bb_temp_create(final, &tmp), e = 0;
	if (fd < 0)
		return -1;
	FILE *f = NULL;
	if (!(f = fdopen(fd, "w")))
		e = errno ? errno : ENOMEM, close(fd);
	if (f && fill(f, ctx) != 0)
		e = errno ? errno : EIO;
	if (f && fclose(f) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e && bb_temp_rename(tmp, final) != 0)
		e = errno;
	if (e)
		bb_temp_unlink(tmp);
	free(tmp);
	errno = e;
	return e ? -1 : 0;
}
