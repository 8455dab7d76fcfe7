/* The compiled lexicon's file layout and lookups, shared by lexicon.c, pronounce.c and
 * lexicon_build.c (not public). SPDX-License-Identifier: GPL-3.0-or-later
 *
 * lexicon.bin, native byte order (built on the machine that uses it):
 *   struct lex_header
 *   struct lex_entry  entries[nentries]
 *   uint32_t          slots[nslots]    open addressing, FNV-1a of the word; entry index + 1
 *   uint32_t          fold[2 * nfold]  traditional character, its simplified form (| LEX_STRONG
 *                                      when the character is not used in simplified text),
 *                                      sorted by the first
 *   char              pool[pool_size]  words and readings ("hang2 ye4"), not NUL-terminated
 *
 * Traditional text is read through its simplified form (fold[]). Words written in
 * traditional characters that read otherwise (髮 fa4, while 发 alone is fa1; 乾隆 qian2
 * long2, not 干隆) are stored under LEX_TRAD_KEY + the word as written; under
 * LEX_TRAD_SET_KEY + such a character, the syllables it has in terra's words ("gan1 qian2"
 * for 乾, so that 乾了 reads gan1 le5 though 干了 is gan4 le5). The context model of
 * polyphones (pipeline/polyphone_model.txt): under LEX_CTX_KEY + 'M' + a character, its
 * candidate readings ("wei2 wei4"); under LEX_CTX_KEY + 'W' + a character + a feature, the
 * weights of its readings ("wei2:12 wei4:-3"); under LEX_CTX_KEY + 'B', the prior's bonus
 * alone, alone and a common polyphone, in a guessed word and in a word ("20 60 40 160").
 * Under LEX_CTX_KEY + 'S' + a character, its reading as a surname (the name detector).
 */
#ifndef BOBAO_LEXICON_H
#define BOBAO_LEXICON_H

#include <stddef.h>
#include <stdint.h>

#include "bobao.h"

#define LEX_MAGIC "BBLEX05\n"
#define LEX_TRAD_KEY '\001' /* first byte of the key of a traditional word form */
#define LEX_TRAD_SET_KEY '\002' /* key of the readings a traditional character has in words */
#define LEX_CTX_KEY '\003' /* keys of the context model of polyphones (pronounce.c) */
#define LEX_STRONG 0x80000000u /* in fold[]: a character of traditional text only */
#define LEX_MAX_CHARS 16 /* longest word, in characters */

enum lex_flags {
	LEX_USER = 1,    /* from a user lexicon */
	LEX_DERIVED = 2, /* reading guessed from its characters and neighbours at build time */
	LEX_POLY = 4,    /* a single character with more than one common reading */
	LEX_OWN = 8,     /* a word of bobao's own readings (lexicon_fixes.txt): no model changes it */
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
	uint32_t nfold, reserved;
};

struct lex_entry {
	uint32_t word_off, read_off, freq;
	uint8_t word_len, read_len, nchars, flags;
	uint8_t pos, reserved[3]; /* pos: enum lex_pos */
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
/* Looks up the traditional form of a word (written in traditional characters), user
 * entries first; 1 and *out filled when the lexicon has one. */
int lex_find_trad(const struct bb_lexicon *lex, const char *word, size_t n, struct lex_word *out);
/* The syllables the traditional character ch (n bytes) has in words, space-separated, when
 * its simplified form merges it with others; 0 when the lexicon has none. */
int lex_trad_readings(const struct bb_lexicon *lex, const char *ch, size_t n, const char **r,
		      size_t *rn);
/* The simplified form of character c (c itself when it has none); *strong set when c is
 * only used in traditional text (經, 們), not in simplified text (乾, 著). */
uint32_t lex_fold(const struct bb_lexicon *lex, uint32_t c, int *strong);
/* Longest word in characters, and the log of the total frequency (for segmentation). */
size_t lex_max_chars(const struct bb_lexicon *lex);
double lex_log_total(const struct bb_lexicon *lex);
/* The context model's bonus for the prior reading of a unit of kind 'a' (alone), 'p' (alone,
 * a common polyphone), 'd' (in a guessed word) or 'w' (in a word); 0 without a model. */
long lex_model_bonus(const struct bb_lexicon *lex, char kind);

/* pronounce.c: bb_pronounce, and the features of the context model of polyphones for the
 * hanzi at byte offset at of s->spoken written to out (" feature feature ..."; unchanged when
 * no model reads it: user words, context rules), for tests/train_polyphones.py. */
struct model_explain {
	size_t at;
	char *out;
	size_t size;
};
int bb_pronounce_features(struct bb_sentence *s, const struct bb_lexicon *lex,
			  struct model_explain *ex, struct bb_error *err);

#endif
