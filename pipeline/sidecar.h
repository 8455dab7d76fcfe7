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
	const char *audio_name;  /* the audio's file name, for a page beside it */
	const char *mp3_path;    /* an MP3 of the same audio (for the EPUB); NULL: none */
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

/* html.c: one self-contained page (player, transcript in the original text with the spoken
 * sentence highlighted, keyboard navigation); the audio is a->audio_name beside it. */
int bb_sidecar_html(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		    struct bb_error *err);
/* epub.c (libzip): an EPUB 3 book with Media Overlays (a SMIL par per sentence), its audio
 * the MP3 file at a->mp3_path. f must be a new, seekable file: the archive goes straight to
 * its descriptor. BB_EIO when the MP3 cannot be read or f written; BB_ENOMEM. */
int bb_sidecar_epub(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		    const struct bb_audio_facts *a, struct bb_error *err);

/* One JSON line for a batch log: path, status, reason (why it was converted, or up-to-date),
 * code, seconds, audio_seconds, error (null when NULL). Returns BB_OK, or BB_ENOMEM/BB_EIO. */
int bb_sidecar_log_line(FILE *f, const char *path, const char *status, const char *reason,
			int code, double seconds, double audio_seconds, const char *error);

/* A chapter: where it starts, in seconds, and its title. */
struct bb_chapter_mark {
	double start;
	char *title;
};

/* Podcasting 2.0 JSON chapters (version 1.2.0): {"version", "title", "chapters": [{startTime,
 * title}]}. BB_EIO when writing fails, BB_ENOMEM. */
int bb_sidecar_chapters(FILE *f, const char *title, const struct bb_chapter_mark *m, size_t n,
			struct bb_error *err);

/* One entry of a bulletin's rundown. */
struct bb_rundown_item {
	const char *kind;     /* "intro", "story", "sting", "outro" */
	const char *source;   /* the article or audio file, as the rundown names it */
	const char *title;    /* a story's title; NULL for audio */
	size_t line;          /* in the rundown file */
	int dropped;          /* left out to fit --max-duration (start and length unset) */
	double start, length; /* in the programme, seconds */
};

/* The bulletin's rundown as JSON: title, rundown file, duration, max_duration (null when
 * < 0), items [{kind, line, source, title, start, length}] and dropped [{line, source,
 * title}]. BB_EIO when writing fails, BB_ENOMEM. */
int bb_sidecar_rundown(FILE *f, const char *title, const char *rundown, double duration,
		       double max_duration, const struct bb_rundown_item *items, size_t n,
		       struct bb_error *err);

/* What a feed needs of a manifest (--json): its title, duration, and chapters (the title at
 * 0, then each heading: a bulletin's stories). */
struct bb_manifest {
	char *title;
	double duration;
	struct bb_chapter_mark *chapters;
	size_t nchapters;
};
/* Reads the manifest at path. BB_ENOINPUT when it cannot be opened, BB_EDATA when it is not
 * a manifest (with jansson's line and column); m is empty on failure. */
int bb_manifest_read(const char *path, struct bb_manifest *m, struct bb_error *err);
void bb_manifest_free(struct bb_manifest *m);

#endif
