/* pipeline: one article through every stage, in order. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

void bb_script_free(struct bb_script *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < sc->n; i++) {
		free(sc->sentences[i].spoken);
		free(sc->sentences[i].units);
	}
	free(sc->sentences);
	memset(sc, 0, sizeof *sc);
}

int bb_script_build(struct bb_script *sc, const struct bb_article *art,
		    const struct bb_lexicon *lex, unsigned flags, struct bb_error *err)
{
	memset(sc, 0, sizeof *sc);
	sc->article = art;
	if (flags & BB_PRONOUNCE_LATER) {
		sc->lex = lex;
		lex = NULL;
	}
	int rc = BB_OK;
	for (size_t b = 0; b < art->nblocks && rc == BB_OK; b++) {
		const struct bb_block *blk = &art->blocks[b];
		if (blk->kind == BB_CAPTION && !(flags & BB_KEEP_CAPTIONS))
			continue;
		/* one block's folded text and map at a time: memory linear in the text alone */
		struct bb_text folded = {0}, spoken = {0};
		rc = bb_text_track(&folded);
		if (rc == BB_OK)
			rc = bb_block_text(art, b, &folded);
		if (rc == BB_OK)
			rc = bb_text_track(&spoken);
		if (rc == BB_OK)
			rc = bb_normalize(&folded, &spoken, err);
		bb_text_free(&folded);
		size_t first = sc->n;
		if (rc == BB_OK)
			rc = bb_split(&spoken, blk->kind, blk->paragraph, &sc->sentences, &sc->n, &sc->cap,
				      err);
		bb_text_free(&spoken);
		for (size_t i = first; lex && rc == BB_OK && i < sc->n; i++)
			rc = bb_pronounce(&sc->sentences[i], lex, err);
	}
	if (rc == BB_OK && sc->n == 0)
		rc = bb_fail(err, BB_EDATA, "nothing to read in the article");
	if (rc != BB_OK) {
		if (rc == BB_ENOMEM && !err->msg[0])
			bb_fail(err, rc, "out of memory");
		bb_script_free(sc);
	}
	return rc;
}

int bb_script_pause_ms(const struct bb_script *sc, size_t i, const struct bb_voice *v)
{
	if (i + 1 >= sc->n)
		return 0; /* the assembler adds the closing silence */
	const struct bb_sentence *s = &sc->sentences[i];
	if (sc->sentences[i + 1].paragraph == s->paragraph)
		return v->pause_sentence_ms;
	switch (s->kind) {
	case BB_TITLE: return v->pause_title_ms;
	case BB_HEADING: return v->pause_heading_ms;
	default: return v->pause_paragraph_ms;
	}
}

int bb_speak(const struct bb_script *sc, const struct bb_voice *v, struct bb_synth *sy,
	     const struct bb_output *out,
	     void (*progress)(size_t done, size_t total, double audio_s, void *ctx), void *ctx,
	     struct bb_error *err)
{
	return bb_speak_cached(sc, v, sy, out, NULL, progress, ctx, err);
}

int bb_speak_cached(const struct bb_script *sc, const struct bb_voice *v, struct bb_synth *sy,
		    const struct bb_output *out, const struct bb_sentence_cache *cache,
		    void (*progress)(size_t done, size_t total, double audio_s, void *ctx),
		    void *ctx, struct bb_error *err)
{
	struct bb_assembler *as = NULL;
	int rc = bb_assemble_open(&as, out, v, sc, cache, err);
	struct bb_pcm pcm = {0};
	struct bb_segment seg = {0};
	double audio_s = 0;
	for (size_t i = 0; rc == BB_OK && i < sc->n; i++) {
		int pause = bb_script_pause_ms(sc, i, v);
		/* pronounced late (BB_PRONOUNCE_LATER): its units live while it is spoken; kept when
		 * a cache may still key on them from the assembler's thread */
		struct bb_sentence *late = sc->lex && !sc->sentences[i].units ? &sc->sentences[i] : NULL;
		if (late && (rc = bb_pronounce(late, sc->lex, err)) != BB_OK)
			break;
		if (cache && cache->get(cache->ctx, &sc->sentences[i], bb_assemble_rate(as), &seg)) {
			audio_s += (double)seg.n / seg.rate + pause / 1000.0;
			rc = bb_assemble_add_segment(as, i, &seg, pause, err);
		} else {
			pcm.n = 0;
			rc = bb_synth_sentence(sy, &sc->sentences[i], &pcm, err);
			if (rc == BB_OK)
				rc = bb_assemble_add(as, i, pcm.samples, pcm.n, pcm.rate, pause, err);
			if (rc == BB_OK)
				rc = bb_assemble_words(as, i, pcm.words, pcm.nwords, err);
			audio_s += (double)pcm.n / (pcm.rate ? pcm.rate : 1) + pause / 1000.0;
		}
		/* kept where the outputs read them later: the subtitles' line breaks, the title's
		 * pinyin in the bext description */
		if (late && !cache && !out->vtt && !out->srt && late->kind != BB_TITLE) {
			free(late->units);
			late->units = NULL;
			late->nunits = 0;
		}
		if (rc == BB_OK && progress)
			progress(i + 1, sc->n, audio_s, ctx);
	}
	if (rc == BB_OK)
		rc = bb_assemble_finish(as, err);
	bb_assemble_close(as);
	bb_pcm_free(&pcm);
	bb_segment_free(&seg);
	return rc;
}
