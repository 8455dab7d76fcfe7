/* The compiled lexicon's file layout and lookups, shared by lexicon.c, pronounce.c and
 * lexicon_build.c (not public). SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lexicon.bin, native byte order (built on the machine that uses it):
 *   struct lex_header
 *   struct lex_entry  entries[nentries]
 *   uint32_t          slots[nslots]    open addressing, FNV-1a of the word; entry index + 1
 *   char              pool[pool_size]  words and readings ("hang2 ye4"), not NUL-terminated
 */
#ifndef BOBAO_LEXICON_H
#define BOBAO_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "bobao.h"

#define LEX_MAGIC "BBLEX03\n"
#define LEX_MAX_CHARS 16 /* longest word, in characters */

enum lex_flags {
	LEX_USER = 1,    /* from a user lexicon */
	LEX_DERIVED = 2, /* reading guessed from its characters and neighbours at build time */
	LEX_POLY = 4,    /* a single character with more than one common reading */
	LEX_FLAG_BITS = 3, /* the bits above hold the word's part of speech (enum lex_pos) */
};

/* A coarse part of speech, from jieba's tags (for the context rules of single characters). */
enum lex_pos {
	POS_NONE, POS_N, POS_NR, POS_NS, POS_V, POS_VN, POS_A, POS_AD, POS_D, POS_Z, POS_M,
	POS_Q, POS_R, POS_P, POS_C, POS_U, POS_F, POS_T, POS_I, POS_L, POS_OTHER,
};

struct lex_header {
	char magic[8];
	uint32_t nentries, nslots, pool_size, max_chars;
	uint64_t total_freq;
};

struct lex_entry {
	uint32_t word_off, read_off, freq;
	uint8_t word_len, read_len, nchars, flags;
};

/* One word found in the lexicon. */
struct lex_word {
	const char *reading; /* syllables separated by single spaces, one per character */
	size_t reading_len;
	uint32_t freq;
	unsigned flags;    /* enum lex_flags */
	enum lex_pos pos;
};

static inline uint32_t lex_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* Looks word (n bytes) up, user entries first; 1 and *out filled when found. */
int lex_find(const struct bb_lexicon *lex, const char *word, size_t n, struct lex_word *out);
/* Longest word in characters, and the log of the total frequency (for segmentation). */
size_t lex_max_chars(const struct bb_lexicon *lex);
double lex_log_total(const struct bb_lexicon *lex);

#endif
