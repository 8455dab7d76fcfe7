/* tempfile: outputs under construction, removed when SIGINT, SIGTERM or SIGHUP stops the process.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A writer registers each temporary file right after creating it and forgets it once it is
 * renamed into place or removed. Registering and forgetting are safe against the handler
 * (preallocated slots, atomic states) and may be called from any thread; the handler only
 * unlinks registered paths, so a program that never installs it loses nothing. */
#ifndef BOBAO_TEMPFILE_H
#define BOBAO_TEMPFILE_H

#include <stdio.h>

/* At most this many temporaries at once (an audio file, its sidecars, some to spare); paths
 * up to BB_TEMP_PATH_MAX - 1 bytes. A path that does not fit is not registered: it stays
 * behind after a signal, as it did before the registry. */
#define BB_TEMP_SLOTS 16
#define BB_TEMP_PATH_MAX 4096

/* Every temporary output is named BB_TEMP_PREFIX "PID." NAME ".XXXXXX" beside its final NAME
 * (PID: the process writing it), so a sweep of what a killed run left removes bobao's own
 * files only, and only those of processes gone. */
#define BB_TEMP_PREFIX ".bobao-tmp."

/* Remembers path; returns 0, or -1 when every slot is taken or the path is too long. */
int bb_temp_register(const char *path);
/* Creates a temporary and registers it with the stop signals blocked, so that no signal
 * comes between the two (a file made but not yet known to the handler would stay behind):
 * mkstemp(3) of tmpl, and open(2) of path with flags (O_CREAT | O_EXCL among them). The fd,
 * or -1 with errno. */
int bb_temp_mkstemp(char *tmpl);
int bb_temp_open(const char *path, int flags, unsigned mode);
/* Creates DIR/ BB_TEMP_PREFIX "PID.BASE.XXXXXX" beside final (readable as umask allows), registered;
 * its fd and *tmp (a new string), or -1 with errno. */
int bb_temp_create(const char *final, char **tmp);
/* Forgets path (no-op when it is not registered). */
void bb_temp_forget(const char *path);
/* rename(2) and unlink(2) of a registered temporary, which is forgotten when they succeed. */
int bb_temp_rename(const char *tmp, const char *final);
int bb_temp_unlink(const char *tmp);

/* Writes the file final through a temporary from bb_temp_create: fill
 * writes into f and returns 0 (or nonzero to give up); renamed into place once fill
 * succeeded and the file is closed. Returns 0, or -1 with errno set (EIO when fill failed
 * without saying why); nothing is left behind on failure. */
int bb_temp_write(const char *final, int (*fill)(FILE *f, void *ctx), void *ctx);

/* Installs a SIGINT, SIGTERM and SIGHUP handler that unlinks every registered temporary, then
 * dies of the same signal (exit status 130, 143 or 129 in a shell). A signal ignored when the program
 * started (a background job of a script) stays ignored. For single-article commands and
 * batch workers; batch's parent has its own handler. */
void bb_temp_install_signal_cleanup(void);

#endif
