/* voice: presets (voices/NAME.ini) and where data files live. SPDX-License-Identifier: GPL-3.0-or-later */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bobao.h"

#ifndef BOBAO_PREFIX
#define BOBAO_PREFIX "/usr/local"
#endif

enum key_type { KEY_INT, KEY_REAL, KEY_STRING };

/* Every key a preset may set: its field, type, allowed range and meaning. */
static const struct key {
	const char *name;
	enum key_type type;
	size_t offset, size;
	double min, max;
	const char *help;
} keys[] = {
#define INT(k, lo, hi, h) {#k, KEY_INT, offsetof(struct bb_voice, k), 0, lo, hi, h}
#define REAL(k, lo, hi, h) {#k, KEY_REAL, offsetof(struct bb_voice, k), 0, lo, hi, h}
#define STR(k, h) {#k, KEY_STRING, offsetof(struct bb_voice, k), sizeof(((struct bb_voice *)0)->k), 0, 0, h}
	STR(espeak_voice, "eSpeak NG voice for Chinese (pinyin input): cmn-latn-pinyin"),
	STR(english_voice, "eSpeak NG voice for English words and acronyms: en"),
	INT(rate, 80, 450, "speaking rate, eSpeak words per minute"),
	INT(pitch, 0, 100, "base pitch, 0-100"),
	INT(range, 0, 100, "pitch range, 0-100 (0 is monotone)"),
	INT(volume, 0, 200, "eSpeak amplitude, 0-200"),
	INT(english_gain_db, -12, 12, "gain in dB for English runs (the en voice is quieter)"),
	INT(heading_rate_percent, 50, 150, "rate of titles and headings, percent of rate"),
	INT(heading_pitch_offset, -50, 50, "added to pitch for titles and headings"),
	INT(pause_sentence_ms, 0, 5000, "silence after a sentence, ms"),
	INT(pause_paragraph_ms, 0, 5000, "silence after a paragraph, ms"),
	INT(pause_heading_ms, 0, 5000, "silence after a heading, ms"),
	INT(pause_title_ms, 0, 5000, "silence after the title, ms"),
	INT(edge_silence_ms, 0, 5000, "silence at the start and the end of the file, ms"),
	INT(sample_rate, 8000, 192000, "output sample rate, Hz"),
	REAL(loudness_lufs, -40, -5, "integrated loudness target, LUFS (EBU R 128: -23)"),
	REAL(true_peak_dbtp, -10, 0, "true peak ceiling, dBTP"),
	INT(mp3_kbps, 32, 320, "MP3 bit rate, kbit/s"),
	INT(opus_kbps, 6, 256, "Opus bit rate, kbit/s"),
	STR(lexicon, "user lexicon file (word TAB pinyin), relative to the preset's folder"),
#undef INT
#undef REAL
#undef STR
};

const char *bb_voice_key_name(size_t i)
{
	return i < sizeof keys / sizeof keys[0] ? keys[i].name : NULL;
}

const char *bb_voice_key_help(size_t i)
{
	return i < sizeof keys / sizeof keys[0] ? keys[i].help : NULL;
}

static void voice_defaults(struct bb_voice *v)
{
	memset(v, 0, sizeof *v);
	strcpy(v->espeak_voice, "cmn-latn-pinyin");
	strcpy(v->english_voice, "en");
	v->rate = 175;
	v->pitch = 50;
	v->range = 50;
	v->volume = 100;
	v->english_gain_db = 2;
	v->heading_rate_percent = 90;
	v->heading_pitch_offset = 6;
	v->pause_sentence_ms = 400;
	v->pause_paragraph_ms = 800;
	v->pause_heading_ms = 900;
	v->pause_title_ms = 1200;
	v->edge_silence_ms = 300;
	v->sample_rate = 48000;
	v->loudness_lufs = -23;
	v->true_peak_dbtp = -1;
	v->mp3_kbps = 128;
	v->opus_kbps = 64;
}

static char *strip(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int set_key(struct bb_voice *v, const char *name, const char *value)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		const struct key *k = &keys[i];
		if (strcmp(k->name, name) != 0)
			continue;
		char *field = (char *)v + k->offset, *end;
		if (k->type == KEY_STRING) {
			if (strlen(value) >= k->size)
				return 2;
			strcpy(field, value);
			return 0;
		}
		errno = 0;
		double x = strtod(value, &end);
		/* written so that NaN fails it too (every comparison with NaN is false) */
		if (errno || end == value || *end || !(x >= k->min && x <= k->max) ||
		    (k->type == KEY_INT && x != (int)x))
			return 2;
		if (k->type == KEY_INT)
			*(int *)field = (int)x;
		else
			*(double *)field = x;
		return 0;
	}
	return 1;
}

/* A name without a slash or .ini is looked up among the presets. */
static int resolve(const char *name_or_path, char *path, size_t size)
{
	if (strchr(name_or_path, '/') || strstr(name_or_path, ".ini")) {
		snprintf(path, size, "%s", name_or_path);
		return 1;
	}
	char rel[256];
	snprintf(rel, sizeof rel, "voices/%s.ini", name_or_path);
	return bb_find_data(rel, path, size);
}

int bb_voice_load(struct bb_voice *v, const char *name_or_path, struct bb_error *err)
{
	voice_defaults(v);
	char path[sizeof v->path];
	if (!resolve(name_or_path, path, sizeof path))
		return bb_fail(err, BB_ECONFIG, "no voice preset named %s (see: bobao voices)",
			       name_or_path);
	char *text = NULL;
	size_t len = 0;
	struct bb_error why = {0};
	if (bb_read_config(path, BB_MAX_PRESET_BYTES, &text, &len, &why) != BB_OK)
		return bb_fail(err, BB_ECONFIG, "%s: %s", path, why.msg);
	if (memchr(text, '\0', len)) {
		free(text);
		return bb_fail(err, BB_ECONFIG, "%s: not a text file (NUL byte)", path);
	}
	/* the whole file is in memory: a line of any length is one line */
	int rc = BB_OK, lineno = 1;
	for (char *line = text, *next; rc == BB_OK && *line; line = next, lineno++) {
		char *nl = strchr(line, '\n');
		next = nl ? nl + 1 : line + strlen(line);
		if (nl)
			*nl = '\0';
		char *s = strip(line), *eq;
		if (!*s || *s == '#' || *s == ';' || *s == '[')
			continue;
		if (!(eq = strchr(s, '='))) {
			rc = bb_fail(err, BB_ECONFIG, "%s:%d: expected key = value", path, lineno);
			break;
		}
		*eq = '\0';
		char *key = strip(s), *value = strip(eq + 1);
		char *hash = strstr(value, " #");
		if (hash)
			*hash = '\0', value = strip(value);
		int bad = set_key(v, key, value);
		if (bad == 1)
			rc = bb_fail(err, BB_ECONFIG, "%s:%d: unknown key %.64s", path, lineno, key);
		else if (bad == 2)
			rc = bb_fail(err, BB_ECONFIG, "%s:%d: bad value for %s: %.64s", path, lineno, key,
				     value);
	}
	free(text);
	if (rc != BB_OK)
		return rc;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(v->name, sizeof v->name, "%.*s", (int)(strcspn(base, ".")), base);
	snprintf(v->path, sizeof v->path, "%s", path);
	if (v->lexicon[0] && v->lexicon[0] != '/') {
		/* relative to the preset's own folder */
		char lex[sizeof v->lexicon];
		int dir = base > path ? (int)(base - path) : 0;
		if (snprintf(lex, sizeof lex, "%.*s%s", dir, path, v->lexicon) >= (int)sizeof lex)
			return bb_fail(err, BB_ECONFIG, "%s: lexicon path too long", path);
		strcpy(v->lexicon, lex);
	}
	return BB_OK;
}

#define RATE_PERCENT_MIN 50
#define RATE_PERCENT_MAX 200

int bb_parse_percent(const char *s)
{
	char *end;
	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*end == '%')
		end++;
	if (errno || *end || v < RATE_PERCENT_MIN || v > RATE_PERCENT_MAX)
		return -1;
	return (int)v;
}

int bb_voice_scale_rate(struct bb_voice *v, int percent, struct bb_error *err)
{
	const struct key *k = &keys[0];
	while (strcmp(k->name, "rate") != 0)
		k++;
	if (percent < RATE_PERCENT_MIN || percent > RATE_PERCENT_MAX)
		return bb_fail(err, BB_EUSAGE, "--rate %d: wants a percentage from %d to %d",
			       percent, RATE_PERCENT_MIN, RATE_PERCENT_MAX);
	long rate = ((long)v->rate * percent + 50) / 100;
	if (rate < (long)k->min || rate > (long)k->max)
		return bb_fail(err, BB_EUSAGE, "--rate %d%%: %s's rate %d would become %ld words a "
			       "minute, outside eSpeak NG's %.0f to %.0f", percent, v->name, v->rate,
			       rate, k->min, k->max);
	v->rate = (int)rate;
	return BB_OK;
}

static int readable(const char *path)
{
	return access(path, R_OK) == 0;
}

/* Looks for name in dir (a program's or the library's folder): dir itself and the source
 * tree above it (build/ and the tree), then an installed layout, dir/../share/bobao. */
static int find_beside(const char *dir, const char *name, char *out, size_t outsz)
{
	static const char *const under[] = {"", "/..", "/../..", "/../share/bobao"};
	for (size_t i = 0; i < sizeof under / sizeof under[0]; i++) {
		snprintf(out, outsz, "%s%s/%s", dir, under[i], name);
		if (readable(out))
			return 1;
	}
	return 0;
}

/* The folder of a file path, in place (its last '/' cut); 0 when it has none. */
static int cut_to_dir(char *path)
{
	char *slash = strrchr(path, '/');
	if (!slash)
		return 0;
	*slash = '\0';
	return 1;
}

int bb_find_data(const char *name, char *out, size_t outsz)
{
	const char *env = getenv("BOBAO_DATA");
	if (env && *env) {
		snprintf(out, outsz, "%s/%s", env, name);
		if (readable(out))
			return 1;
	}
	/* beside the program: build/ in the source tree, the tree itself, PREFIX/bin's share/ */
	char dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n > 0) {
		dir[n] = '\0';
		if (cut_to_dir(dir) && find_beside(dir, name, out, outsz))
			return 1;
	}
	/* beside libbobao.so, for a program linked with the installed library: LIBDIR/../share */
	Dl_info self;
	if (dladdr((void *)bb_find_data, &self) && self.dli_fname &&
	    snprintf(dir, sizeof dir, "%s", self.dli_fname) < (int)sizeof dir && cut_to_dir(dir) &&
	    find_beside(dir, name, out, outsz))
		return 1;
	snprintf(out, outsz, "%s/share/bobao/%s", BOBAO_PREFIX, name);
	return readable(out);
}
