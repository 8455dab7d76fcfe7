/* tags: ID3v2.4 tags (TagLib) for MP3 and Broadcast WAV, and WAV cue labels; used by assemble.c only. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_TAGS_H
#define BOBAO_TAGS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the tags say, UTF-8; NULL or "" leaves a field out. */
struct bb_tags {
	const char *title;
	const char *artist;
	const char *date;     /* YYYY-MM-DD */
	const char *comment;  /* the source */
	const char *software; /* the generator and the synthesizer */
	const char *const *labels; /* WAV: the text of each cue point 1..nlabels, NULL: none */
	size_t nlabels;
	/* MP3, FLAC, Ogg: chapter i from start[i] to end[i] seconds, titled titles[i], in order */
	const double *chapter_start, *chapter_end;
	const char *const *chapter_titles;
	size_t nchapters;
};

/* Adds the tags to the finished file at path, rewriting it in place:
 * - mp3: one ID3v2.4 tag in UTF-8 (TIT2, TPE1, TDRC, TSSE, COMM), every other tag removed;
 * - wav: an "ID3 " chunk with the same tag (what MediaInfo and others read for Unicode
 *   titles) and a LIST/adtl chunk with a labl for each cue point; the chunks already there
 *   (LIST/INFO, bext, cue) are kept as they are.
 * Returns 0, or -1 with a message in msg (msgsz bytes). Never throws. */
int bb_tags_write(const char *path, int wav, const struct bb_tags *t, char *msg, size_t msgsz);
/* MP3 (bb_tags_write): the chapters as ID3v2 CHAP frames (element ids chp1, chp2...; start and
 * end in ms, a TIT2 sub-frame with the title) under one top-level, ordered CTOC ("toc").
 * FLAC, Ogg Vorbis and Ogg Opus (format "flac", "ogg", "opus"): the chapters as Vorbis comments
 * CHAPTER001=HH:MM:SS.mmm and CHAPTER001NAME=title, added to the finished file's comments
 * (libsndfile writes only its own fields); the other fields are kept. Returns 0, or -1 with a
 * message in msg. Never throws. */
int bb_tags_write_xiph(const char *path, const char *format, const struct bb_tags *t, char *msg,
		       size_t msgsz);

#ifdef __cplusplus
}
#endif

#endif
