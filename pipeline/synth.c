/* synth: sentences -> 16-bit PCM through the eSpeak NG C library. SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include "bobao.h"
#include "hash.h"

struct bb_synth {
	struct bb_voice voice;
	const char *current; /* the eSpeak voice now selected */
	int rate, pitch;     /* the prosody now set */
	int sample_rate;     /* eSpeak's output rate */
	struct bb_pcm *sink; /* where the callback appends */
	int failed;          /* the callback ran out of memory */
	/* the call under way: its text's word starts (characters) and their units (borrowed
	 * from plan_calls), and where its speech began in sink */
	const size_t *wpos, *wunit;
	size_t wn;
	size_t call_start;
};

/* Titles and headings are read a little slower and higher, so a listener hears them as such. */
static void prosody_of(const struct bb_voice *v, enum bb_kind kind, int *rate, int *pitch)
{
	int heading = kind == BB_TITLE || kind == BB_HEADING;
	*rate = heading ? v->rate * v->heading_rate_percent / 100 : v->rate;
	*pitch = heading ? v->pitch + v->heading_pitch_offset : v->pitch;
	*pitch = *pitch < 0 ? 0 : *pitch > 100 ? 100 : *pitch;
}

/* A word event: the unit whose text starts at or before the event's character (1-based)
 * begins audio_position ms into the call's speech, unless an earlier event placed it. */
static void on_word(struct bb_synth *sy, const espeak_EVENT *e)
{
	struct bb_pcm *p = sy->sink;
	size_t at = e->text_position > 0 ? (size_t)e->text_position - 1 : 0, k = sy->wn;
	while (k > 0 && sy->wpos[k - 1] > at)
		k--;
	if (!k || sy->wunit[k - 1] >= p->nwords || p->words[sy->wunit[k - 1]] != BB_NO_WORD)
		return;
	uint64_t sample = sy->call_start + (uint64_t)(e->audio_position > 0 ? e->audio_position : 0) *
						(uint64_t)sy->sample_rate / 1000;
	p->words[sy->wunit[k - 1]] = sample < BB_NO_WORD ? (uint32_t)sample : BB_NO_WORD - 1;
}

/* eSpeak hands each chunk of audio here; user_data carries the synth. */
static int on_audio(short *wav, int numsamples, espeak_EVENT *events)
{
	struct bb_synth *sy = events ? events->user_data : NULL;
	if (!sy)
		return 0;
	for (const espeak_EVENT *e = events; e->type != espeakEVENT_LIST_TERMINATED; e++)
		if (e->type == espeakEVENT_WORD && sy->wn)
			on_word(sy, e);
	if (!wav || numsamples <= 0)
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

/* bobao only synthesizes: it never plays. eSpeak NG 1.51 asks pcaudiolib for an audio device
 * even in AUDIO_OUTPUT_SYNCHRONOUS mode (1.52 asks only when it plays), and pcaudiolib probes
 * PulseAudio by connecting to it: "Failed to create secure directory" when HOME is not
 * writable, "ftruncate() failed" under ulimit -f, a PulseAudio client in every process. This
 * definition of pcaudiolib's factory, in the program, is the one the dynamic linker gives
 * eSpeak: no device, so no audio output is ever opened (eSpeak and pcaudiolib accept a NULL
 * device: its close and destroy do nothing with it). */
struct audio_object;
struct audio_object *create_audio_device_object(const char *device, const char *application_name,
					       const char *description);
struct audio_object *create_audio_device_object(const char *device, const char *application_name,
					       const char *description)
{
	return NULL;
}

void bb_pcm_free(struct bb_pcm *p)
{
	if (!p)
		return;
	free(p->samples);
	free(p->words);
	memset(p, 0, sizeof *p);
}

/* Selects an eSpeak voice by name (which resets its parameters) with the given prosody. */
static int select_voice(struct bb_synth *sy, const char *name, int rate, int pitch,
			struct bb_error *err)
{
	if (sy->current == name && sy->rate == rate && sy->pitch == pitch)
		return BB_OK;
	if (sy->current != name) {
		if (espeak_SetVoiceByName(name) != EE_OK)
			return bb_fail(err, BB_ECONFIG, "eSpeak NG has no voice %s", name);
		espeak_SetParameter(espeakRANGE, sy->voice.range, 0);
		espeak_SetParameter(espeakVOLUME, sy->voice.volume, 0);
	}
	espeak_SetParameter(espeakRATE, rate, 0);
	espeak_SetParameter(espeakPITCH, pitch, 0);
	sy->current = name;
	sy->rate = rate;
	sy->pitch = pitch;
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
	sy->sample_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL,
					    espeakINITIALIZE_DONT_EXIT);
	if (sy->sample_rate <= 0) {
		free(sy);
		return bb_fail(err, BB_ESOFTWARE, "eSpeak NG failed to initialize (data missing?)");
	}
	espeak_SetSynthCallback(on_audio);
	int rc = select_voice(sy, sy->voice.english_voice, v->rate, v->pitch, err);
	if (rc == BB_OK)
		rc = select_voice(sy, sy->voice.espeak_voice, v->rate, v->pitch, err);
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
static int say(struct bb_synth *sy, const char *name, int rate, int pitch, const char *text,
	       struct bb_pcm *out, struct bb_error *err)
{
	int rc = select_voice(sy, name, rate, pitch, err);
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

/* Where each unit's text starts in one call's text (characters), for the word events. */
struct word_map {
	size_t *pos, *unit, n, cap;
	size_t chars; /* characters in the call's text so far */
};

static int map_word(struct word_map *m, size_t unit)
{
	if (m->n == m->cap) {
		size_t c = m->cap ? m->cap * 2 : 64;
		size_t *p = realloc(m->pos, c * sizeof *p);
		if (!p)
			return BB_ENOMEM;
		m->pos = p;
		size_t *u = realloc(m->unit, c * sizeof *u);
		if (!u)
			return BB_ENOMEM;
		m->unit = u;
		m->cap = c;
	}
	m->pos[m->n] = m->chars;
	m->unit[m->n++] = unit;
	return BB_OK;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* The synthesis calls for one sentence, in order, each given to call() with where its units'
 * text starts (m): runs of pinyin and pause marks go to the Chinese voice in one call; each
 * Latin run is its own call to the English voice, joined without a gap. A sentence without
 * units is read from its hanzi. */
static int plan_calls(const struct bb_voice *v, const struct bb_sentence *s,
		      int (*call)(void *ctx, const char *voice, const char *text,
				  const struct word_map *m),
		      void *ctx)
{
	struct word_map m = {0};
	if (s->nunits == 0)
		return call(ctx, v->espeak_voice, s->spoken, &m);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = BB_OK;
	for (size_t i = 0; i < s->nunits && rc == BB_OK; i++) {
		const struct bb_unit *u = &s->units[i];
		if (u->lang == BB_EN) {
			if (len)
				rc = call(ctx, v->espeak_voice, buf, &m);
			len = 0;
			m.n = m.chars = 0;
			if (rc == BB_OK)
				rc = map_word(&m, i);
			if (rc == BB_OK)
				rc = call(ctx, v->english_voice, u->reading, &m);
			m.n = m.chars = 0;
		} else if (u->reading[0]) {
			if (len)
				m.chars++; /* the space append puts before it */
			if (u->lang == BB_ZH)
				rc = map_word(&m, i);
			if (rc == BB_OK)
				rc = append(&buf, &len, &cap, u->reading);
			m.chars += utf8_chars(u->reading);
		}
	}
	if (rc == BB_OK && len)
		rc = call(ctx, v->espeak_voice, buf, &m);
	free(buf);
	free(m.pos);
	free(m.unit);
	return rc;
}

struct speaking {
	struct bb_synth *sy;
	int rate, pitch;
	struct bb_pcm *out;
	struct bb_error *err;
};

static int speak_call(void *ctx, const char *voice, const char *text, const struct word_map *m)
{
	struct speaking *sp = ctx;
	sp->sy->wpos = m->pos;
	sp->sy->wunit = m->unit;
	sp->sy->wn = m->n;
	sp->sy->call_start = sp->out->n;
	int rc = say(sp->sy, voice, sp->rate, sp->pitch, text, sp->out, sp->err);
	sp->sy->wpos = sp->sy->wunit = NULL; /* the map is the caller's */
	sp->sy->wn = 0;
	return rc;
}

int bb_synth_sentence(struct bb_synth *sy, const struct bb_sentence *s, struct bb_pcm *out,
		      struct bb_error *err)
{
	out->rate = sy->sample_rate;
	if (s->nunits > out->words_cap) {
		uint32_t *w = realloc(out->words, s->nunits * sizeof *w);
		if (!w)
			return bb_fail(err, BB_ENOMEM, "out of memory");
		out->words = w;
		out->words_cap = s->nunits;
	}
	out->nwords = s->nunits;
	for (size_t i = 0; i < s->nunits; i++)
		out->words[i] = BB_NO_WORD;
	struct speaking sp = {sy, 0, 0, out, err};
	prosody_of(&sy->voice, s->kind, &sp.rate, &sp.pitch);
	int rc = plan_calls(&sy->voice, s, speak_call, &sp);
	if (rc == BB_ENOMEM && !err->msg[0])
		bb_fail(err, rc, "out of memory");
	return rc;
}

struct describing {
	void (*feed)(void *ctx, const void *bytes, size_t n);
	void *ctx;
};

static int describe_call(void *ctx, const char *voice, const char *text, const struct word_map *m)
{
	(void)m;
	struct describing *d = ctx;
	d->feed(d->ctx, voice, strlen(voice) + 1);
	d->feed(d->ctx, text, strlen(text) + 1);
	return BB_OK;
}

/* The identity of eSpeak NG's data folder: name, size and time of its phoneme tables,
 * intonations and dictionaries, summed so that the order of the folder does not matter. */
static uint64_t data_identity(const char *dir)
{
	DIR *d = dir ? opendir(dir) : NULL;
	if (!d)
		return 0;
	uint64_t sum = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (strncmp(e->d_name, "phon", 4) != 0 && strcmp(e->d_name, "intonations") != 0 &&
		    (n < 5 || strcmp(e->d_name + n - 5, "_dict") != 0))
			continue;
		char path[4096], fact[512];
		struct stat st;
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path ||
		    stat(path, &st) != 0)
			continue;
		snprintf(fact, sizeof fact, "%s %lld %lld.%09ld", e->d_name, (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
		sum += bb_fnv1a64(fact);
	}
	closedir(d);
	return sum;
}

static char engine_name[64], engine_id[96];
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

/* Once per process, from any thread (the sentence cache keys on it beside the synthesis). */
static void engine_init(void)
{
	const char *data = NULL;
	const char *version = espeak_Info(&data);
	if (!data || !data[0]) { /* eSpeak not initialized yet: find the folder it will use */
		espeak_ng_InitializePath(NULL); /* sets the path only; starts nothing */
		version = espeak_Info(&data);
	}
	snprintf(engine_name, sizeof engine_name, "eSpeak NG %s", version ? version : "?");
	snprintf(engine_id, sizeof engine_id, "%s data %016llx", engine_name,
		 (unsigned long long)data_identity(data));
}

const char *bb_synth_engine(void)
{
	pthread_once(&engine_once, engine_init);
	return engine_name;
}

const char *bb_synth_engine_id(void)
{
	pthread_once(&engine_once, engine_init);
	return engine_id;
}

void bb_synth_describe(const struct bb_voice *v, const struct bb_sentence *s,
		       void (*feed)(void *ctx, const void *bytes, size_t n), void *ctx)
{
	int prosody[5];
	prosody_of(v, s->kind, &prosody[0], &prosody[1]);
	prosody[2] = v->range;
	prosody[3] = v->volume;
	prosody[4] = v->english_gain_db;
	feed(ctx, BOBAO_VERSION, sizeof BOBAO_VERSION);
	const char *engine = bb_synth_engine_id();
	feed(ctx, engine, strlen(engine) + 1);
	feed(ctx, prosody, sizeof prosody);
	struct describing d = {feed, ctx};
	plan_calls(v, s, describe_call, &d);
}
