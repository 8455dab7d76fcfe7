/* sidecar: JSON manifest (jansson), WebVTT and SRT subtitles next to the audio. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bobao.h"
#include "sidecar.h"

#define LINE_WIDTH 40 /* display columns per subtitle line: 20 hanzi */

/* ---- the original text of a sentence, cleaned for display ------------------------------ */

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0;
}

/* Copies the sentence's original text into a new string: line breaks dropped (a paragraph cut
 * by a page break joins back), runs of spaces made one, both ends trimmed. NULL: no memory. */
static char *sentence_text(const struct bb_script *sc, size_t i)
{
	const struct bb_sentence *s = &sc->sentences[i];
	const char *src = sc->article ? sc->article->original.s : NULL;
	size_t a = s->orig.start, b = s->orig.end;
	if (!src || b < a || b > sc->article->original.len)
		a = b = 0;
	char *out = malloc(b - a + 1);
	if (!out)
		return NULL;
	size_t n = 0;
	int space = 0;
	for (size_t k = a; k < b;) {
		uint32_t cp;
		size_t len = bb_utf8_decode(src + k, b - k, &cp);
		if (!len)
			len = 1;
		if (is_space_cp(cp)) {
			/* a line break between hanzi joins them; other spaces count as one */
			if (cp != '\n' && cp != '\r')
				space = 1;
		} else {
			if (space && n)
				out[n++] = ' ';
			space = 0;
			memcpy(out + n, src + k, len);
			n += len;
		}
		k += len;
	}
	out[n] = 0;
	return out;
}

/* ---- line wrapping for subtitles ------------------------------------------------------ */

static int cp_width(uint32_t cp)
{
	return cp < 0x1100 ? 1 : 2;
}

/* Marks that may not begin a line (closing punctuation). */
static int no_line_start(uint32_t cp)
{
	static const uint32_t marks[] = {0xFF0C, 0x3002, 0x3001, 0xFF1B, 0xFF1A, 0xFF01, 0xFF1F,
		0xFF09, 0x300D, 0x300F, 0x201D, 0x2019, 0x300B, 0x3009, 0x3011, 0x2026, ',', '.',
		';', ':', '!', '?', ')', '%', 0xFF05};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (marks[i] == cp)
			return 1;
	return 0;
}

static int is_word_cp(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

/* Writes text into f wrapped into balanced lines of at most about LINE_WIDTH columns:
 * breaks after punctuation where one is near, never inside a Latin word, never before a
 * closing mark. */
static void write_wrapped(FILE *f, const char *text)
{
	size_t len = strlen(text), total = 0;
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(text + k, len - k, &cp);
		total += (size_t)cp_width(cp);
		k += l ? l : 1;
	}
	size_t lines = (total + LINE_WIDTH - 1) / LINE_WIDTH;
	size_t target = lines > 1 ? (total + lines - 1) / lines : total;
	size_t start = 0, width = 0, best = 0, best_width = 0;
	uint32_t prev = 0;
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(text + k, len - k, &cp);
		if (!l)
			l = 1;
		int w = cp_width(cp);
		int can_break = k > start && !no_line_start(cp) && !(is_word_cp(cp) && is_word_cp(prev));
		if (can_break && width + (size_t)w > target + 2) {
			/* after the last mark when it leaves at least half a line, else here */
			size_t at = best > start && best_width * 2 >= target ? best : k;
			size_t moved = at == k ? 0 : width - best_width;
			fwrite(text + start, 1, at - start, f);
			fputc('\n', f);
			while (at < k && text[at] == ' ')
				at++;
			start = at;
			width = moved;
			best = start;
			best_width = 0;
		}
		width += (size_t)w;
		prev = cp;
		k += l;
		if (no_line_start(cp) && k < len) {
			best = k;
			best_width = width;
		}
	}
	fwrite(text + start, 1, len - start, f);
	fputc('\n', f);
}

/* ---- subtitles ------------------------------------------------------------------------ */

static void format_time(char *out, size_t outsz, double t, char sep)
{
	long ms = lrint(t * 1000.0);
	if (ms < 0)
		ms = 0;
	snprintf(out, outsz, "%02ld:%02ld:%02ld%c%03ld", ms / 3600000, ms / 60000 % 60,
		 ms / 1000 % 60, sep, ms % 1000);
}

/* WebVTT text may not hold "-->" and needs &, < and > escaped. */
static char *vtt_escape(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 5 + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : NULL;
		if (rep) {
			size_t l = strlen(rep);
			memcpy(o, rep, l);
			o += l;
		} else {
			*o++ = *s;
		}
	}
	*o = 0;
	return out;
}

static int write_cues(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		      int vtt, struct bb_error *err)
{
	if (vtt)
		fputs("WEBVTT\n\n", f);
	size_t cue = 0;
	for (size_t i = 0; i < sc->n; i++) {
		if (!(a->end[i] > a->start[i]))
			continue; /* nothing was heard */
		char *text = sentence_text(sc, i);
		char *shown = text && vtt ? vtt_escape(text) : text;
		if (!shown) {
			free(text);
			return bb_fail(err, BB_ENOMEM, "out of memory");
		}
		char t0[32], t1[32];
		format_time(t0, sizeof t0, a->start[i], vtt ? '.' : ',');
		format_time(t1, sizeof t1, a->end[i], vtt ? '.' : ',');
		cue++;
		fprintf(f, "%zu\n%s --> %s\n", cue, t0, t1);
		write_wrapped(f, *shown ? shown : "…");
		fputc('\n', f);
		if (shown != text)
			free(shown);
		free(text);
	}
	if (ferror(f))
		return bb_fail(err, BB_EIO, "cannot write subtitles: %s", strerror(errno));
	return BB_OK;
}

int bb_sidecar_vtt(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		   struct bb_error *err)
{
	return write_cues(f, sc, a, 1, err);
}

int bb_sidecar_srt(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		   struct bb_error *err)
{
	return write_cues(f, sc, a, 0, err);
}

/* ---- the JSON manifest --------------------------------------------------------------- */

/* Seconds and dB to the millisecond / hundredth, as numbers; null when not finite. */
static json_t *num(double x, double step)
{
	return isfinite(x) ? json_real(round(x / step) * step) : json_null();
}

static int set(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

/* s as a JSON string; bytes that are not UTF-8 (a file name may hold any) become U+FFFD
 * each, and *lossy says so. NULL when out of memory. */
static json_t *text_lossy(const char *s, int *lossy)
{
	size_t n = strlen(s);
	*lossy = bb_utf8_check(s, n) != n;
	if (!*lossy)
		return json_stringn(s, n);
	char *t = malloc(3 * n + 1), *o = t;
	if (!t)
		return NULL;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		o += bb_utf8_encode(cp, o);
		i += l ? l : 1;
	}
	json_t *j = json_stringn(t, (size_t)(o - t));
	free(t);
	return j;
}

static json_t *loudness_object(const struct bb_audio_facts *a)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	int bad = 0;
	bad |= set(o, "integrated", num(a->integrated, 0.01));
	bad |= set(o, "true_peak", num(a->true_peak, 0.01));
	bad |= set(o, "range", num(a->range, 0.01));
	bad |= set(o, "max_momentary", num(a->max_momentary, 0.01));
	bad |= set(o, "max_short_term", num(a->max_short_term, 0.01));
	bad |= set(o, "target", num(a->target, 0.01));
	bad |= set(o, "ceiling", num(a->ceiling, 0.01));
	bad |= set(o, "gain", num(a->gain_db, 0.01));
	bad |= set(o, "measured_integrated", num(a->input_integrated, 0.01));
	bad |= set(o, "measured_true_peak", num(a->input_true_peak, 0.01));
	bad |= set(o, "limiter", num(a->limiter_db, 0.01));
	bad |= set(o, "settled_below_target", json_boolean(a->settled));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *sentence_object(const struct bb_script *sc, size_t i, const struct bb_audio_facts *a)
{
	const struct bb_sentence *s = &sc->sentences[i];
	char *text = sentence_text(sc, i);
	json_t *o = json_object();
	int bad = !text || !o;
	if (!bad) {
		bad |= set(o, "index", json_integer((json_int_t)i));
		bad |= set(o, "kind", json_string(bb_kind_name(s->kind)));
		bad |= set(o, "paragraph", json_integer((json_int_t)s->paragraph));
		bad |= set(o, "text", json_string(text));
		bad |= set(o, "spoken", json_string(s->spoken ? s->spoken : ""));
		bad |= set(o, "start", num(a->start[i], 0.001));
		bad |= set(o, "end", num(a->end[i], 0.001));
	}
	free(text);
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int bb_sidecar_json(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		    const struct bb_audio_facts *a, struct bb_error *err)
{
	json_t *root = json_object(), *list = json_array();
	char *title = NULL;
	int bad = !root || !list;
	for (size_t i = 0; !bad && i < sc->n; i++) {
		json_t *s = sentence_object(sc, i, a);
		bad = !s || json_array_append_new(list, s);
	}
	/* the title: the original text of the title sentences */
	size_t tlen = 0;
	for (size_t i = 0; !bad && i < sc->n && sc->sentences[i].kind == BB_TITLE; i++) {
		char *t = sentence_text(sc, i);
		char *nt = t ? realloc(title, tlen + strlen(t) + 1) : NULL;
		bad = !nt;
		if (nt) {
			title = nt;
			memcpy(title + tlen, t, strlen(t) + 1);
			tlen += strlen(t);
		}
		free(t);
	}
	if (!bad) {
		const char *src = sc->article && sc->article->source ? sc->article->source : "";
		bad |= set(root, "title", json_string(title ? title : ""));
		int lossy;
		bad |= set(root, "source", text_lossy(src, &lossy));
		if (lossy) /* the name is not UTF-8: said so, beside the readable form */
			bad |= set(root, "source_lossy", json_true());
		bad |= set(root, "voice", json_string(v->name));
		bad |= set(root, "format", json_string(a->format ? a->format : ""));
		bad |= set(root, "sample_rate", json_integer(a->sample_rate));
		bad |= set(root, "duration", num(a->duration, 0.001));
		bad |= set(root, "loudness", loudness_object(a));
		bad |= set(root, "generator", json_string("bobao " BOBAO_VERSION));
		bad |= set(root, "synthesizer", json_string(bb_synth_engine()));
		bad |= json_object_set(root, "sentences", list);
	}
	free(title);
	json_decref(list);
	if (bad) {
		json_decref(root);
		return bb_fail(err, BB_ENOMEM, "out of memory building the manifest");
	}
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(root);
	fputc('\n', f);
	if (rc || ferror(f))
		return bb_fail(err, BB_EIO, "cannot write the manifest: %s", strerror(errno));
	return BB_OK;
}

int bb_sidecar_log_line(FILE *f, const char *path, const char *status, const char *reason,
			int code, double seconds, double audio_seconds, const char *error)
{
	int lossy = 0, elossy;
	/* a path that is not UTF-8 is written lossily, and says so; numbers not finite: null */
	json_t *o = json_pack("{s:o, s:s, s:s?, s:i, s:o, s:o, s:o}", "path", text_lossy(path, &lossy),
			      "status", status, "reason", reason, "code", code, "seconds",
			      num(seconds, 0.000001), "audio_seconds", num(audio_seconds, 0.000001),
			      "error", error ? text_lossy(error, &elossy) : json_null());
	if (o && lossy && json_object_set_new(o, "path_lossy", json_true()) != 0) {
		json_decref(o);
		o = NULL;
	}
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(o);
	if (!line)
		return BB_ENOMEM;
	int rc = fprintf(f, "%s\n", line) < 0 ? BB_EIO : BB_OK;
	free(line);
	return rc;
}
