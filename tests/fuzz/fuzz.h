/* Shared by the libFuzzer targets in tests/fuzz/ and the replay test tests/t_fuzz_regressions.c.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_FUZZ_H
#define BOBAO_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bobao.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The libFuzzer entry point calls target fn; the replay test (FUZZ_REPLAY) calls fn itself. */
#ifdef FUZZ_REPLAY
#define FUZZ_ENTRY(fn)
#else
#define FUZZ_ENTRY(fn) \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fn(data, size); }
#endif

/* A broken promise of the library: report it and abort, so that the fuzzer keeps the input. */
#define FUZZ_CHECK(cond) \
	((cond) ? (void)0 : (fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				     #cond), abort()))

/* A path whose file holds exactly data, for parsers that read files: a memory file, rewritten
 * for each input (no disk traffic). NULL when it cannot be made. */
static inline const char *fuzz_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("bobao-fuzz", 0);
		if (fd < 0)
			return NULL;
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || (size && pwrite(fd, data, size, 0) != (ssize_t)size))
		return NULL;
	return path;
}

#endif
