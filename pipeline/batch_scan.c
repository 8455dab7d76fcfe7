/* batch_scan: scanning IN_DIR, shards, the lock on OUT_DIR. SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

/* ---- scanning, lock ---------------------------------------------------------------------- */

int batch_names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

int batch_by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Links under IN_DIR are never followed: they may lead out of it, or round in a loop. */
void batch_warn_link(const char *path)
{
	fprintf(stderr, "bobao: %s: a symbolic link: skipped (not followed)\n", path);
}

/* A folder or an article that the scan cannot reach fails alone, named; the others go on.
 * Said when planning (files wanted), not while only setting watches. */
static void scan_failed(struct batch *b, const char *path, const char *rel, const char *why)
{
	if (b->scan_quiet)
		return;
	char msg[PATH_SIZE + 128];
	snprintf(msg, sizeof msg, "%s: %s", path, why);
	batch_clear_progress(b);
	fprintf(stderr, "bobao: %s\n", msg);
	b->failed++;
	b->worst = batch_worse(b->worst, BB_ENOINPUT);
	batch_log_line(b, rel, "failed", STALE_UNREADABLE, BB_ENOINPUT, 0, 0, msg);
}

/* Adds every *.txt under IN_DIR/rel; skips hidden names, OUT_DIR when it is inside, and
 * symbolic links, with a warning for those that look like articles or folders. A subfolder
 * that cannot be read (gone, no permission) or a path too long fails alone; -1 only when IN_DIR
 * itself cannot be read, or out of memory. */
int batch_scan(struct batch *b, const char *rel, struct names *files, struct names *dirs)
{
	char dir[PATH_SIZE];
	if (batch_join(dir, sizeof dir, b->o.in_dir, rel) != 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d && rel[0]) {
		if (files)
			scan_failed(b, dir, rel, errno == ENOENT ? "the folder vanished while it was read"
				    : strerror(errno));
		return 0;
	}
	if (!d)
		return -1;
	if (dirs && batch_names_add(dirs, rel) != 0) {
		closedir(d);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		char sub[PATH_SIZE], full[PATH_SIZE];
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		int wanted = S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && batch_ends_with_txt(e->d_name));
		if (batch_join(sub, sizeof sub, rel, e->d_name) != 0 ||
		    batch_join(full, sizeof full, dir, e->d_name) != 0) {
			if (wanted && files)
				scan_failed(b, dir, rel, "a name in it makes a path over 4096 bytes: not "
					    "converted");
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			if (files && (batch_ends_with_txt(e->d_name) ||
				      (stat(full, &st) == 0 && S_ISDIR(st.st_mode))))
				batch_warn_link(full);
		} else if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != b->out_dev || st.st_ino != b->out_ino)
				rc = batch_scan(b, sub, files, dirs);
		} else if (wanted) {
			rc = files ? batch_names_add(files, sub) : 0;
		}
	}
	closedir(d);
	return rc;
}

int batch_in_shard(const struct batch *b, const char *rel)
{
	return b->o.shard_n <= 1 || bb_fnv1a64(rel) % b->o.shard_n == b->o.shard_k;
}

/* Shard K/N's share of OUT_DIR/.bobao-lock (fd, at path), which records N: the first shard
 * in (the lock free) writes it; the others, sharing the lock, must have the same N, else
 * their articles would overlap (0/2 and 0/3 both convert some). A sibling holds the lock
 * exclusively only for that write: a moment, waited for. */
static int lock_shards(const struct batch *b, int fd, const char *path, struct bb_error *err)
{
	for (int tries = 0;; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			char text[64];
			int n = snprintf(text, sizeof text, "shards %lu\n", b->o.shard_n);
			if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
				return bb_fail(err, BB_ECANTCREAT, "%s: cannot write: %s", path,
					       strerror(errno));
			if (flock(fd, LOCK_SH | LOCK_NB) == 0)
				return BB_OK;
		} else if (flock(fd, LOCK_SH | (b->o.wait_lock ? 0 : LOCK_NB)) == 0) {
			char text[64] = "";
			unsigned long n = 0;
			ssize_t got = pread(fd, text, sizeof text - 1, 0);
			text[got > 0 ? got : 0] = '\0';
			if (sscanf(text, "shards %lu", &n) == 1 && n != b->o.shard_n) {
				/* alone after all (the N of a run that is over): record ours */
				if (flock(fd, LOCK_EX | LOCK_NB) == 0)
					continue;
				flock(fd, LOCK_UN);
				return bb_fail(err, BB_ETEMPFAIL, "%s: shards of %lu are converting into "
					       "this folder; --shard %lu/%lu would overlap them (wait for "
					       "them, or use N = %lu)", b->o.out_dir, n, b->o.shard_k,
					       b->o.shard_n, n);
			}
			return BB_OK;
		} else if (errno != EWOULDBLOCK && errno != EINTR) {
			return bb_fail(err, BB_ECANTCREAT, "%s: cannot lock: %s", path,
				       strerror(errno));
		}
		if (tries == 40) /* held exclusively for 2 s: a whole run */
			return bb_fail(err, BB_ETEMPFAIL, "%s: another bobao batch is converting "
				       "into this folder (%s is locked); try again later",
				       b->o.out_dir, path);
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

/* A whole run locks OUT_DIR/.bobao-lock exclusively; shard K/N shares it and locks
 * .bobao-lock.K.N alone, so the shards of one run may share a folder. Returns the fds. */
int batch_lock_out(const struct batch *b, int fds[2], struct bb_error *err)
{
	char path[PATH_SIZE];
	int wait = b->o.wait_lock ? 0 : LOCK_NB, sharded = b->o.shard_n > 1;
	fds[0] = fds[1] = -1;
	for (int k = 0; k < 1 + sharded; k++) {
		int n = k ? snprintf(path, sizeof path, "%s/" LOCK_FILE ".%lu.%lu", b->o.out_dir,
				     b->o.shard_k, b->o.shard_n)
			  : snprintf(path, sizeof path, "%s/" LOCK_FILE, b->o.out_dir);
		if (n < 0 || (size_t)n >= sizeof path)
			return bb_fail(err, BB_ECANTCREAT, "%s: path too long", b->o.out_dir);
		fds[k] = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fds[k] < 0)
			return bb_fail(err, BB_ECANTCREAT, "%s: %s", path, strerror(errno));
		if (sharded && k == 0) {
			int rc = lock_shards(b, fds[0], path, err);
			if (rc != BB_OK)
				return rc;
			continue;
		}
		int how = LOCK_EX | wait;
		while (flock(fds[k], how) != 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				return bb_fail(err, BB_ETEMPFAIL, "%s: another bobao batch is converting "
					       "into this folder (%s is locked); try again later",
					       b->o.out_dir, path);
			return bb_fail(err, BB_ECANTCREAT, "%s: cannot lock: %s", path,
				       strerror(errno));
		}
	}
	return BB_OK;
}
