/* readfile: opening the files bobao reads, safely (never blocking, regular files only).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bobao.h"

int bb_open_regular(const char *path, struct bb_error *err)
{
	/* O_NONBLOCK: opening a FIFO with no writer (or a device) must not wait for ever; it is
	 * refused below, before anything is read */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		bb_fail(err, BB_ENOINPUT, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0) {
		bb_fail(err, BB_EIO, "cannot read: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		bb_fail(err, BB_ENOINPUT, S_ISDIR(st.st_mode) ? "is a directory" :
			"not a regular file (a FIFO, a device or a socket)");
		close(fd);
		return -1;
	}
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	return fd;
}

int bb_read_config(const char *path, size_t max, char **buf, size_t *len, struct bb_error *err)
{
	*buf = NULL;
	*len = 0;
	int fd = bb_open_regular(path, err);
	if (fd < 0)
		return err ? err->code : BB_ENOINPUT;
	struct stat st;
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > max) {
		close(fd);
		return bb_fail(err, BB_EDATA, "file too large (%llu bytes, limit %zu)",
			       (unsigned long long)st.st_size, max);
	}
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *b = malloc(cap);
	if (!b) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	for (;;) {
		/* one byte more than the limit tells a file that grew past it */
		if (n == cap - 1) {
			size_t ncap = cap * 2 > max + 2 ? max + 2 : cap * 2;
			char *nb = ncap > cap ? realloc(b, ncap) : NULL;
			if (!nb) {
				free(b);
				close(fd);
				return n > max ? bb_fail(err, BB_EDATA, "file too large (limit %zu)", max)
					       : bb_fail(err, BB_ENOMEM, "out of memory");
			}
			b = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, b + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int e = errno;
			free(b);
			close(fd);
			return bb_fail(err, BB_EIO, "read error: %s", strerror(e));
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			free(b);
			close(fd);
			return bb_fail(err, BB_EDATA, "file too large (limit %zu)", max);
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return BB_OK;
}
