/* hash: content hashes (FNV-1a) for change detection, cache keys and shards. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_HASH_H
#define BOBAO_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 128 bits: a content hash for change detection and cache keys (not for secrets). */
struct bb_hash {
	uint64_t hi, lo;
};
struct bb_hash bb_hash_start(void);
struct bb_hash bb_hash_add(struct bb_hash h, const void *bytes, size_t n);
/* Writes h as 32 lowercase hex digits and a NUL. */
void bb_hash_hex(struct bb_hash h, char out[33]);
/* FNV-1a, 64 bits, of a string: the stable shard hash of a relative path. */
uint64_t bb_fnv1a64(const char *s);

#endif
