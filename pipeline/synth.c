/* synth: sentences -> 16-bit PCM through the eSpeak NG C library. SPDX-License-Identifier: GPL-3.0-or-later */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#include "bobao.h"

struct bb_synth {
	struct bb_voice voice;
	const char *current; /* the eSpeak voice now selected */
	int rate;            /* eSpeak's output rate */
	struct bb_pcm *sink; /* where the callback appends */
	int failed;          /* the callback ran out of memory */
};

/* eSpeak hands each chunk of audio here; user_data carries the synth. */
static int on_audio(short *wav, int numsamples, espeak_EVENT *events)
{
	struct bb_synth *sy = events ? events->user_data : NULL;
	if (!sy || !wav || numsamples <= 0)
		return 0;
	struct bb_pcm *p = sy->sink;
	size_t need = p->n + (size_t)numsamples;
	if (need > p->cap) {
		size_t cap = p->cap ? p->cap : 65536;
		while (cap < need)
			cap *= 2;
		int16_t *s = realloc(p->samples, cap * sizeof *s);
		if (!s) {
			sy->failed = 1;
			return 1; /* stop this synthesis */
		}
		p->samples = s;
		p->cap = cap;
	}
	memcpy(p->samples + p->n, wav, (size_t)numsamples * sizeof *wav);
	p->n = need;
	return 0;
}

void bb_pcm_free(struct bb_pcm *p)
{
	if (!p)
		return;
	free(p->samples);
	memset(p, 0, sizeof *p);
}

static int select_voice(struct bb_synth *sy, const char *name, struct bb_error *err)
{
	if (sy->current == name)
		return BB_OK;
	if (espeak_SetVoiceByName(name) != EE_OK)
		return bb_fail(err, BB_ECONFIG, "eSpeak NG has no voice %s", name);
	const struct bb_voice *v = &sy->voice;
	espeak_SetParameter(espeakRATE, v->rate, 0);
	espeak_SetParameter(espeakPITCH, v->pitch, 0);
	espeak_SetParameter(espeakRANGE, v->range, 0);
	espeak_SetParameter(espeakVOLUME, v->volume, 0);
	sy->current = name;
	return BB_OK;
}

int bb_synth_open(struct bb_synth **out, const struct bb_voice *v, struct bb_error *err)
{
	*out = NULL;
	struct bb_synth *sy = calloc(1, sizeof *sy);
	if (!sy)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	sy->voice = *v;
	/* DONT_EXIT: a missing data folder is an error we report, not an exit inside eSpeak */
	sy->rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
	if (sy->rate <= 0) {
		free(sy);
		return bb_fail(err, BB_ESOFTWARE, "eSpeak NG failed to initialize (data missing?)");
	}
	espeak_SetSynthCallback(on_audio);
	int rc = select_voice(sy, sy->voice.espeak_voice, err);
	if (rc == BB_OK && espeak_SetVoiceByName(sy->voice.english_voice) != EE_OK)
		rc = bb_fail(err, BB_ECONFIG, "eSpeak NG has no voice %s", sy->voice.english_voice);
	sy->current = NULL;
	if (rc != BB_OK) {
		espeak_Terminate();
		free(sy);
		return rc;
	}
	*out = sy;
	return BB_OK;
}

void bb_synth_close(struct bb_synth *sy)
{
	if (!sy)
		return;
	espeak_Terminate();
	free(sy);
}

static void apply_gain(int16_t *s, size_t n, int db)
{
	double g = pow(10.0, db / 20.0);
	for (size_t i = 0; i < n; i++) {
		double x = s[i] * g;
		s[i] = (int16_t)(x > 32767 ? 32767 : x < -32768 ? -32768 : lrint(x));
	}
}

/* One synthesis call: text in voice `name`, appended to out. */
static int say(struct bb_synth *sy, const char *name, const char *text, struct bb_pcm *out,
	       struct bb_error *err)
{
	int rc = select_voice(sy, name, err);
	if (rc != BB_OK)
		return rc;
	size_t before = out->n;
	sy->sink = out;
	sy->failed = 0;
	espeak_ERROR e = espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
				      NULL, sy);
	sy->sink = NULL;
	if (sy->failed)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	if (e != EE_OK)
		return bb_fail(err, BB_ESOFTWARE, "eSpeak NG synthesis failed (status %d)", (int)e);
	if (name == sy->voice.english_voice && sy->voice.english_gain_db)
		apply_gain(out->samples + before, out->n - before, sy->voice.english_gain_db);
	return BB_OK;
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 2 > *cap) {
		size_t c = *cap ? *cap : 256;
		while (c < *len + n + 2)
			c *= 2;
		char *b = realloc(*buf, c);
		if (!b)
			return BB_ENOMEM;
		*buf = b;
		*cap = c;
	}
	if (*len)
		(*buf)[(*len)++] = ' ';
	memcpy(*buf + *len, s, n + 1);
	*len += n;
	return BB_OK;
}

int bb_synth_sentence(struct bb_synth *sy, const struct bb_sentence *s, struct bb_pcm *out,
		      struct bb_error *err)
{
	out->rate = sy->rate;
	if (s->nunits == 0) /* not pronounced: eSpeak reads the hanzi itself */
		return say(sy, sy->voice.espeak_voice, s->spoken, out, err);
	/* Runs of pinyin and pause marks go to the Chinese voice in one call; each Latin run
	 * is its own call to the English voice, joined without a gap. */
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = BB_OK;
	for (size_t i = 0; i < s->nunits && rc == BB_OK; i++) {
		const struct bb_unit *u = &s->units[i];
		if (u->lang == BB_EN) {
			if (len)
				rc = say(sy, sy->voice.espeak_voice, buf, out, err);
			len = 0;
			if (rc == BB_OK)
				rc = say(sy, sy->voice.english_voice, u->reading, out, err);
			continue;
		}
		if (u->reading[0] && append(&buf, &len, &cap, u->reading) != BB_OK)
			rc = bb_fail(err, BB_ENOMEM, "out of memory");
	}
	if (rc == BB_OK && len)
		rc = say(sy, sy->voice.espeak_voice, buf, out, err);
	free(buf);
	return rc;
}
