/* Fuzz target: bytes -> bb_decode (detected and lenient, else LATIN1) -> bb_article_parse ->
 * bb_script_build without a lexicon (normalize and split, as `bobao text` does). SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

/* Every span must point into the original text: subtitles print from it. */
static void script_check_span(struct bb_span sp, size_t len)
{
	FUZZ_CHECK(sp.start <= sp.end && sp.end <= len);
}

static int fuzz_script(const uint8_t *data, size_t size)
{
	struct bb_text text;
	struct bb_article art;
	struct bb_script sc;
	struct bb_error err = {0};
	/* as leniently as bobao reads: what detection refuses as binary still gets through when
	 * the user names an encoding */
	static const struct bb_read_opts reads[] = {{NULL, 0, 1}, {"LATIN1", 0, 0}};
	int rc = BB_EDATA;
	for (size_t r = 0; rc != BB_OK && r < sizeof reads / sizeof reads[0]; r++)
		rc = bb_decode((const char *)data, size, &reads[r], &text, NULL, &err);
	if (rc != BB_OK)
		return 0;
	if (bb_article_parse(&art, &text, "fuzz", &err) != BB_OK) {
		FUZZ_CHECK(!art.nblocks && !art.blocks);
		return 0;
	}
	size_t len = art.original.len;
	for (size_t b = 0; b < art.nblocks; b++) {
		struct bb_text folded = {0}, *t = &folded;
		FUZZ_CHECK(art.blocks[b].start <= art.blocks[b].end && art.blocks[b].end <= len);
		if (bb_text_track(t) != BB_OK || bb_block_text(&art, b, t) != BB_OK) {
			bb_text_free(t);
			continue;
		}
		FUZZ_CHECK(t->s && t->s[t->len] == '\0' && t->src);
		for (size_t i = 0; i < t->len; i++)
			script_check_span(t->src[i], len);
		bb_text_free(t);
	}
	rc = bb_script_build(&sc, &art, NULL, BB_KEEP_CAPTIONS, &err);
	if (rc == BB_OK) {
		FUZZ_CHECK(sc.n > 0);
		for (size_t i = 0; i < sc.n; i++) {
			const struct bb_sentence *s = &sc.sentences[i];
			FUZZ_CHECK(s->spoken && s->spoken[0]);
			FUZZ_CHECK(i == 0 || s->paragraph >= sc.sentences[i - 1].paragraph);
			script_check_span(s->orig, len);
		}
	} else {
		FUZZ_CHECK(!sc.n && !sc.sentences && err.msg[0]);
	}
	bb_script_free(&sc);
	bb_article_free(&art);
	return 0;
}

FUZZ_ENTRY(fuzz_script)
