/* outputs: the one registry of what speak and batch write, audio formats and sidecars. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_OUTPUTS_H
#define BOBAO_OUTPUTS_H

#include <stddef.h>
#include <stdio.h>

#include "bobao.h"

struct bb_audio_facts;

enum bb_output_kind { BB_OUT_AUDIO, BB_OUT_SIDECAR };

#define BB_OUT_OFFERED 1u /* audio: a --format name, in the usage texts; batch prunes it */
#define BB_OUT_EVERY 2u   /* sidecar: batch writes it for every article (stamps, prune) */

/* One output: its name (--format FMT, or the option that asks for a sidecar), the extension
 * its file takes (with the dot), and how assemble writes it. */
struct bb_output_type {
	const char *name;
	const char *ext;
	enum bb_output_kind kind;
	unsigned flags;
	int sf;    /* audio: libsndfile's major format | subtype */
	int pcm16; /* audio: written as int16, else float */
	/* sidecar: writes it from the script and the facts of the audio written */
	int (*write)(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		     const struct bb_audio_facts *a, struct bb_error *err);
};

/* The registry's i-th entry (the sidecars, then the audio formats); NULL past the last. */
const struct bb_output_type *bb_output_at(size_t i);
/* The entry of that kind named name (case ignored), or NULL (also for a NULL name). */
const struct bb_output_type *bb_output_find(const char *name, enum bb_output_kind kind);
/* Writes into buf the names of the entries of that kind having every bit of flags, joined
 * by sep ("wav|flac|ogg|opus|mp3"), truncated to size (more than 0); returns buf. */
const char *bb_output_names(enum bb_output_kind kind, unsigned flags, const char *sep, char *buf,
			    size_t size);
/* Writes a usage text to f with every "{audio}" in it replaced by the audio formats --format
 * offers, "wav|flac|ogg|opus|mp3". fputs's result. */
int bb_output_usage(FILE *f, const char *text);

#endif
