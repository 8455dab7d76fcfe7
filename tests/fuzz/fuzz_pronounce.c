/* Fuzz target: bb_pronounce on arbitrary text (as one sentence's spoken text), with the built
 * lexicon (found as bobao finds it: $BOBAO_DATA/lexicon.bin, or build/lexicon.bin beside
 * build/fuzz/) and the test user lexicon tests/data/user.lex. SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

static struct bb_lexicon *pronounce_lex;

/* Opened once for the whole run; a missing lexicon is a setup error, not a finding. */
static const struct bb_lexicon *pronounce_lexicon(void)
{
	if (pronounce_lex)
		return pronounce_lex;
	struct bb_error err = {0};
	char user[4096];
	if (bb_lexicon_open(&pronounce_lex, NULL, &err) != BB_OK) {
		fprintf(stderr, "fuzz_pronounce: %s\n", err.msg);
		exit(2);
	}
	if (bb_find_data("tests/data/user.lex", user, sizeof user) &&
	    bb_lexicon_add_user(pronounce_lex, user, &err) != BB_OK) {
		fprintf(stderr, "fuzz_pronounce: %s\n", err.msg);
		exit(2);
	}
	return pronounce_lex;
}

/* A Chinese unit's reading is empty (not said) or one pinyin syllable with its tone digit. */
static int pronounce_syllable_ok(const char *r)
{
	size_t n = strlen(r), i = 0;
	while (i < n && r[i] >= 'a' && r[i] <= 'z')
		i++;
	return n == 0 || (i > 0 && i + 1 == n && r[i] >= '1' && r[i] <= '5');
}

static int fuzz_pronounce(const uint8_t *data, size_t size)
{
	const struct bb_lexicon *lex = pronounce_lexicon();
	struct bb_sentence s;
	struct bb_error err = {0};
	memset(&s, 0, sizeof s);
	s.spoken = malloc(size + 1);
	if (!s.spoken)
		return 0;
	memcpy(s.spoken, data, size);
	s.spoken[size] = '\0';
	if (bb_pronounce(&s, lex, &err) == BB_OK) {
		for (size_t i = 0; i < s.nunits; i++) {
			const struct bb_unit *u = &s.units[i];
			FUZZ_CHECK(memchr(u->text, 0, sizeof u->text) && memchr(u->reading, 0,
										 sizeof u->reading));
			FUZZ_CHECK(u->lang != BB_ZH || pronounce_syllable_ok(u->reading));
			FUZZ_CHECK(u->lang != BB_PUNCT || u->reading[0]);
		}
	}
	free(s.units);
	free(s.spoken);
	return 0;
}

FUZZ_ENTRY(fuzz_pronounce)
