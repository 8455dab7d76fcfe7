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
};

/* Adds the tags to the finished file at path, rewriting it in place:
 * - mp3: one ID3v2.4 tag in UTF-8 (TIT2, TPE1, TDRC, TSSE, COMM), every other tag removed;
 * - wav: an "ID3 " chunk with the same tag (what MediaInfo and others read for Unicode
 *   titles) and a LIST/adtl chunk with a labl for each cue point; the chunks already there
 *   (LIST/INFO, bext, cue) are kept as they are.
 * Returns 0, or -1 with a message in msg (msgsz bytes). Never throws. */
int bb_tags_write(const char *path, int wav, const struct bb_tags *t, char *msg, size_t msgsz);

#ifdef __cplusplus
}
#endif

#endif
