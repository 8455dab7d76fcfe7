/* hash: content hashes (FNV-1a) for change detection, cache keys and shards. SPDX-License-Identifier: GPL-3.0-or-later */
#include "hash.h"

struct bb_hash bb_hash_start(void)
{
	return (struct bb_hash){0x6c62272e07bb0142u, 0x62b821756295c58du};
}

/* h * (2^88 + 0x13b) mod 2^128, split into 64-bit halves. */
static struct bb_hash fnv128_mul(struct bb_hash h)
{
	__extension__ unsigned __int128 lo = (unsigned __int128)h.lo * 0x13bu;
	uint64_t hi = h.hi * 0x13bu + (uint64_t)(lo >> 64) + (h.lo << 24);
	return (struct bb_hash){hi, (uint64_t)lo};
}

struct bb_hash bb_hash_add(struct bb_hash h, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	for (size_t i = 0; i < n; i++) {
		h.lo ^= p[i];
		h = fnv128_mul(h);
	}
	return h;
}

void bb_hash_hex(struct bb_hash h, char out[33])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		out[i] = digits[(h.hi >> (60 - 4 * i)) & 15];
		out[16 + i] = digits[(h.lo >> (60 - 4 * i)) & 15];
	}
	out[32] = '\0';
}

uint64_t bb_fnv1a64(const char *s)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3u;
	}
	return h;
}
