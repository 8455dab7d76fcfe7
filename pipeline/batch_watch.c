/* batch_watch: watch mode: inotify on IN_DIR, articles converted as they settle. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"

static volatile sig_atomic_t stop_requested;

static int clashes_now(struct batch *b, const char *rel);

/* ---- watch mode -------------------------------------------------------------------------- */

/* Whether some process has the file at path open for writing: a read lease is refused
 * then (fcntl(2) F_SETLEASE; 0 when that cannot be told, as for another user's file). */
static int being_written(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int busy = fcntl(fd, F_SETLEASE, F_RDLCK) != 0 && errno == EAGAIN;
	if (!busy)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return busy;
}

void batch_watch_touch(struct watch *wa, const char *rel, int closed, double due)
{
	for (size_t i = 0; i < wa->np; i++)
		if (strcmp(wa->p[i].rel, rel) == 0) {
			wa->p[i].closed = closed;
			wa->p[i].due = due;
			return;
		}
	if (wa->np == wa->pcap) {
		size_t cap = wa->pcap ? wa->pcap * 2 : 64;
		struct pending *p = realloc(wa->p, cap * sizeof *p);
		if (!p)
			return;
		wa->p = p;
		wa->pcap = cap;
	}
	char *r = strdup(rel);
	if (r)
		wa->p[wa->np++] = (struct pending){r, due, closed};
}

/* Watches IN_DIR/rel and every folder below; with files_due, its articles become pending. */
void batch_watch_tree(struct batch *b, struct watch *wa, const char *rel, int files_due)
{
	struct names dirs = {0}, files = {0};
	batch_scan(b, rel, files_due ? &files : NULL, &dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		char path[PATH_SIZE];
		int wd = -1;
		if (batch_join(path, sizeof path, b->o.in_dir, dirs.v[i]) == 0)
			wd = inotify_add_watch(wa->fd, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
					       IN_MODIFY | IN_ONLYDIR | IN_DELETE_SELF |
					       IN_MOVE_SELF);
		if (wd >= 0 && wa->n == wa->cap) {
			size_t cap = wa->cap ? wa->cap * 2 : 64;
			int *w = realloc(wa->wd, cap * sizeof *w);
			char **r = w ? realloc(wa->rel, cap * sizeof *r) : NULL;
			if (w)
				wa->wd = w;
			if (r)
				wa->rel = r, wa->cap = cap;
		}
		if (wd >= 0 && wa->n < wa->cap) {
			wa->wd[wa->n] = wd;
			wa->rel[wa->n++] = dirs.v[i];
		} else {
			free(dirs.v[i]);
		}
	}
	double due = batch_now_s() + b->o.settle_ms / 1000.0;
	for (size_t i = 0; i < files.n; i++) {
		batch_watch_touch(wa, files.v[i], 1, due);
		free(files.v[i]);
	}
	free(dirs.v);
	free(files.v);
}

static void watch_events(struct batch *b, struct watch *wa)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len = read(wa->fd, buf, sizeof buf);
	double due = batch_now_s() + b->o.settle_ms / 1000.0;
	for (ssize_t off = 0; off < len;) {
		const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
		off += (ssize_t)(sizeof *ev + ev->len);
		if (ev->mask & IN_Q_OVERFLOW) { /* events were lost: look at everything again */
			batch_watch_tree(b, wa, "", 1);
			continue;
		}
		if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) && wa->n &&
		    wa->wd[0] == ev->wd) {
			/* IN_DIR itself went: a folder made again in its place would go unwatched */
			batch_clear_progress(b);
			fprintf(stderr, "bobao: %s: the folder was removed or moved: stopped watching "
				"(start again to watch the new one)\n", b->o.in_dir);
			b->worst = batch_worse(b->worst, BB_ENOINPUT);
			b->stop_dispatch = 1;
			return;
		}
		if (!ev->len || ev->name[0] == '.')
			continue;
		const char *dir = NULL;
		for (size_t i = 0; i < wa->n && !dir; i++)
			if (wa->wd[i] == ev->wd)
				dir = wa->rel[i];
		char rel[PATH_SIZE];
		if (!dir || batch_join(rel, sizeof rel, dir, ev->name) != 0)
			continue;
		if (ev->mask & IN_ISDIR) {
			if (ev->mask & (IN_CREATE | IN_MOVED_TO))
				batch_watch_tree(b, wa, rel, 1);
		} else if (batch_ends_with_txt(ev->name)) {
			/* a hard link made to a finished file is created whole: no writer to wait for */
			struct stat st;
			char full[PATH_SIZE];
			int linked = (ev->mask & IN_CREATE) && batch_join(full, sizeof full, b->o.in_dir, rel) == 0 &&
				     lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1 &&
				     !being_written(full);
			batch_watch_touch(wa, rel, linked || (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0,
				    due);
		}
	}
}

/* Moves settled files to the queue; returns the milliseconds until the next one settles. */
static int watch_settle(struct batch *b, struct watch *wa)
{
	double t = batch_now_s(), next = 1.0;
	for (size_t i = 0; i < wa->np;) {
		struct pending *p = &wa->p[i];
		if (!p->closed || p->due > t) {
			if (p->closed && p->due - t < next)
				next = p->due - t;
			i++;
			continue;
		}
		if (batch_in_flight(b, p->rel) || batch_queued(b, p->rel)) { /* changed again meanwhile */
			p->due = t + b->o.settle_ms / 1000.0;
			i++;
			continue;
		}
		double audio;
		enum article_state state;
		uint64_t size;
		char full[PATH_SIZE], hex[33] = "";
		struct stat st;
		int there = batch_join(full, sizeof full, b->o.in_dir, p->rel) == 0 && lstat(full, &st) == 0;
		if (there && S_ISREG(st.st_mode) && being_written(full)) {
			p->closed = 0; /* opened again for writing: wait for it to be closed */
			i++;
			continue;
		}
		if (!there) {
			/* gone before it settled (a temporary of its writer): nothing to convert */
		} else if (S_ISLNK(st.st_mode)) {
			batch_warn_link(full); /* moved in */
		} else if (batch_in_shard(b, p->rel) && !clashes_now(b, p->rel) &&
			   (state = batch_article_state(b, p->rel, &audio, &size, hex)) != UP_TO_DATE &&
			   state != FAILED_BEFORE) {
			batch_enqueue(b, p->rel, size, state, hex);
		}
		free(p->rel);
		wa->p[i] = wa->p[--wa->np];
	}
	return (int)(next * 1000) + 1;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Runs until SIGINT or SIGTERM, converting articles as they settle in IN_DIR. */
void batch_watch_loop(struct batch *b, struct watch *wa)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop_signal;
	for (size_t k = 0; k < 2; k++) /* SIGINT, SIGTERM; an ignored one stays ignored */
		if (!batch_stop_ignored[k])
			sigaction(batch_stop_signals[k], &sa, NULL);
	while (!stop_requested && !b->stop_dispatch) {
		int timeout = watch_settle(b, wa);
		batch_dispatch(b, wa->fd);
		if (batch_pump(b, wa->fd, timeout))
			watch_events(b, wa);
	}
}

void batch_watch_free(struct watch *wa)
{
	if (wa->fd >= 0)
		close(wa->fd);
	for (size_t i = 0; i < wa->n; i++)
		free(wa->rel[i]);
	for (size_t i = 0; i < wa->np; i++)
		free(wa->p[i].rel);
	free(wa->wd);
	free(wa->rel);
	free(wa->p);
}

/* Watch: whether the article rel, just settled, would write an output of another article
 * now in IN_DIR; if so it fails, said and logged (73), as in a first scan. */
static int clashes_now(struct batch *b, const char *rel)
{
	struct names files = {0};
	b->scan_quiet = 1;
	int rc = batch_scan(b, "", &files, NULL);
	b->scan_quiet = 0;
	unsigned char *clash = rc == 0 ? calloc(files.n + 1, 1) : NULL;
	int hit = 0;
	if (clash && batch_find_clashes(b, &files, clash, rel) == 0)
		for (size_t i = 0; i < files.n; i++)
			hit |= clash[i];
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	free(clash);
	if (hit) {
		b->failed++;
		b->worst = batch_worse(b->worst, BB_ECANTCREAT);
		batch_log_line(b, rel, "failed", STALE_NEW, BB_ECANTCREAT, 0, 0,
			 "its output is also another article's: neither is converted");
	}
	return hit;
}

int batch_being_written_rel(const struct batch *b, const char *rel)
{
	char full[PATH_SIZE];
	return batch_join(full, sizeof full, b->o.in_dir, rel) == 0 && being_written(full);
}
