/* batch_paths: small helpers: paths, folders walked without following links, file hashes. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"

/* ---- small helpers ----------------------------------------------------------------------- */

double batch_now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int batch_worse(int a, int b)
{
	return a > b ? a : b;
}

int batch_ends_with_txt(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".txt") == 0;
}

/* Writes "a/b" into out; -1 when it does not fit. */
int batch_join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s%s%s", a, *a && *b ? "/" : "", b);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The file name of the article at rel (its path under IN_DIR). */
const char *batch_base_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return slash ? slash + 1 : rel;
}

/* OUT_DIR/<rel without .txt>.<format>: the audio file, as messages name it. */
int batch_out_path(const struct batch *b, const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%.*s.%s", b->o.out_dir, (int)(strlen(rel) - 4), rel,
			 b->o.format);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The audio file's name in its folder. */
int batch_audio_name(const struct batch *b, const char *rel, char *out, size_t size)
{
	const char *base = batch_base_name(rel);
	int n = snprintf(out, size, "%.*s.%s", (int)(strlen(base) - 4), base, b->o.format);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The stamp's path under OUT_DIR. */
int batch_stamp_rel(const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, STATE_DIR "/%s", rel);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Creates dir and the folders leading to it (dir is the user's: links in it are followed). */
int batch_mkdir_all(const char *dir)
{
	char tmp[PATH_SIZE];
	if (batch_join(tmp, sizeof tmp, dir, "x") != 0)
		return -1;
	for (char *p = strchr(tmp + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Opens the folder holding root/rel's last component, walking down from root one folder at
 * a time without following symbolic links (root itself may be one: the user named it), so
 * a folder under IN_DIR or OUT_DIR that links elsewhere is never read or written through.
 * With create, missing folders are made. Returns the fd, or -1 with err set to code. */
int batch_open_parent(const char *root, const char *rel, int create, int code,
		      struct bb_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		bb_fail(err, code, "%s: %s", root, strerror(errno));
		return -1;
	}
	for (const char *p = rel, *slash; (slash = strchr(p, '/')); p = slash + 1) {
		char name[NAME_MAX + 1];
		size_t n = (size_t)(slash - p);
		int next = -1, e = EINVAL;
		/* rel comes from a folder walk, so never "." or "..": refused all the same */
		int dots = p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.'));
		if (n > 0 && n <= NAME_MAX && !dots) {
			memcpy(name, p, n);
			name[n] = '\0';
			int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
			if (!create || mkdirat(fd, name, 0777) == 0 || errno == EEXIST)
				next = openat(fd, name, flags);
			e = errno;
		}
		if (next < 0) {
			struct stat st;
			int link = e == ENOTDIR &&
				   fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				   S_ISLNK(st.st_mode);
			close(fd);
			bb_fail(err, code, "%s/%.*s: %s", root, (int)(slash - rel), rel,
				link ? "a symbolic link, not followed" : strerror(e));
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* Opens IN_DIR/rel for reading, refusing a symbolic link anywhere below IN_DIR; fills st. */
int batch_open_article(const struct batch *b, const char *rel, struct stat *st,
		       struct bb_error *err)
{
	int dir = batch_open_parent(b->o.in_dir, rel, 0, BB_ENOINPUT, err);
	if (dir < 0)
		return -1;
	/* O_NONBLOCK: a FIFO put in an article's place must not hang the open */
	int fd = openat(dir, batch_base_name(rel), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		bb_fail(err, BB_ENOINPUT, "%s", errno == ELOOP ? "a symbolic link, not followed"
							       : strerror(errno));
	else if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		bb_fail(err, BB_ENOINPUT, "not a regular file");
		close(fd);
		fd = -1;
	}
	close(dir);
	return fd;
}

int batch_hash_fd(int fd, struct bb_hash *h, uint64_t *size)
{
	char buf[65536];
	ssize_t r;
	*h = bb_hash_start();
	*size = 0;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		*h = bb_hash_add(*h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	return r < 0 ? -1 : 0;
}

int batch_hash_file(const char *path, struct bb_hash *h, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = batch_hash_fd(fd, h, size), e = errno;
	close(fd);
	errno = e;
	return rc;
}
