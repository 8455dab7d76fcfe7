/* cache: the on-disk sentence cache of batch. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_CACHE_H
#define BOBAO_CACHE_H

#include <stdint.h>

#include "bobao.h"
#include "hash.h"

/* Reads or writes exactly n bytes, going on after EINTR; 0 on success, -1 on error or EOF. */
int bb_read_full(int fd, void *buf, size_t n);
int bb_write_full(int fd, const void *buf, size_t n);

/* An open cache folder: one file a sentence, named by the hash of the synthesis settings of
 * the voice and the sentence's readings, so any article with the same sentence finds it. */
struct bb_disk_cache;

/* Opens (creating) folder dir for voice v. BB_ECANTCREAT when it cannot be made. */
int bb_cache_open(struct bb_disk_cache **c, const char *dir, const struct bb_voice *v,
		  struct bb_error *err);
/* The hook to pass to bb_speak_cached. */
struct bb_sentence_cache bb_cache_hook(struct bb_disk_cache *c);
/* Sentences found and not found since the last call (the counters restart at 0). */
void bb_cache_take_counts(struct bb_disk_cache *c, size_t *hits, size_t *misses);
void bb_cache_close(struct bb_disk_cache *c);

/* Evicts the least recently used sentences of folder dir until it holds at most 90% of
 * max_bytes when it holds more than max_bytes; removes temporaries older than an hour.
 * Returns the bytes it now holds. A missing folder holds 0. */
uint64_t bb_cache_trim(const char *dir, uint64_t max_bytes);

#endif
