/* Fuzz target: the user lexicon parser (bb_lexicon_add_user) on an arbitrary file, given to it
 * through a memory file, then the file's own text read with the entries it added. Needs the
 * built lexicon (as fuzz_pronounce.c finds it). SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

static int fuzz_userlex(const uint8_t *data, size_t size)
{
	struct bb_lexicon *lex;
	struct bb_error err = {0};
	const char *path = fuzz_file(data, size);
	if (!path)
		return 0;
	if (bb_lexicon_open(&lex, NULL, &err) != BB_OK) {
		fprintf(stderr, "fuzz_userlex: %s\n", err.msg);
		exit(2);
	}
	int rc = bb_lexicon_add_user(lex, path, &err);
	FUZZ_CHECK(rc == BB_OK || (rc == err.code && err.msg[0]));
	if (rc == BB_OK) {
		struct bb_sentence s;
		memset(&s, 0, sizeof s);
		s.spoken = strndup((const char *)data, size);
		if (s.spoken && bb_pronounce(&s, lex, &err) == BB_OK)
			for (size_t i = 0; i < s.nunits; i++)
				FUZZ_CHECK(memchr(s.units[i].reading, 0, sizeof s.units[i].reading));
		free(s.units);
		free(s.spoken);
	}
	bb_lexicon_close(lex);
	return 0;
}

FUZZ_ENTRY(fuzz_userlex)
