/* sidecar: the facts assemble.c hands to the manifest and subtitle writers. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_SIDECAR_H
#define BOBAO_SIDECAR_H

#include <stdio.h>

#include "bobao.h"

/* What the audio file turned out to be; times are in seconds of the written audio. */
struct bb_audio_facts {
	const char *format;      /* "wav", "flac", ... */
	int sample_rate;
	double duration;
	double integrated;       /* LUFS of the output */
	double true_peak;        /* dBTP of the output */
	double range;            /* LU */
	double max_momentary;    /* LUFS of the output's loudest 400 ms (EBU Tech 3341) */
	double max_short_term;   /* LUFS of the output's loudest 3 s */
	double target;           /* the preset's loudness target, LUFS */
	double ceiling;          /* the preset's true peak ceiling, dBTP */
	double gain_db;          /* the one gain applied */
	double input_integrated; /* as synthesized, before the gain */
	double input_true_peak;
	double limiter_db;       /* deepest gain reduction of the true-peak limiter, 0 when idle */
	int settled;             /* 1: left below target to stay under the ceiling */
	const double *start, *end; /* per sentence of the script */
	/* where sentence i's units (bb_sentence.units) begin, in seconds (NAN: unknown):
	 * word_time[word_first[i] ... word_first[i] + word_count[i]); count 0: not known */
	const double *word_time;
	const size_t *word_first, *word_count;
};

/* The sentence's original text as shown (subtitles, manifest, cue labels), in a new string:
 * line breaks dropped (a paragraph cut by a page break joins back), runs of spaces made one,
 * both ends trimmed. NULL: no memory. */
char *bb_sidecar_sentence_text(const struct bb_script *sc, size_t i);

/* Each writes one sidecar to f; BB_EIO when writing fails, BB_ENOMEM. */
int bb_sidecar_json(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		    const struct bb_audio_facts *a, struct bb_error *err);
int bb_sidecar_vtt(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		   struct bb_error *err);
int bb_sidecar_srt(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		   struct bb_error *err);

/* One JSON line for a batch log: path, status, reason (why it was converted, or up-to-date),
 * code, seconds, audio_seconds, error (null when NULL). Returns BB_OK, or BB_ENOMEM/BB_EIO. */
int bb_sidecar_log_line(FILE *f, const char *path, const char *status, const char *reason,
			int code, double seconds, double audio_seconds, const char *error);

#endif
