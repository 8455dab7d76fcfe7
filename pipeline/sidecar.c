/* sidecar: JSON manifest (jansson), WebVTT and SRT subtitles next to the audio. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bobao.h"
#include "sidecar.h"

/* ---- the original text of a sentence, cleaned for display ------------------------------ */

static int is_space_cp(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xA0;
}

char *bb_sidecar_sentence_text(const struct bb_script *sc, size_t i)
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

/* ---- subtitles ------------------------------------------------------------------------ */

static void format_time(char *out, size_t outsz, double t, char sep)
{
	long ms = lrint(t * 1000.0);
	if (ms < 0)
		ms = 0;
	snprintf(out, outsz, "%02ld:%02ld:%02ld%c%03ld", ms / 3600000, ms / 60000 % 60,
		 ms / 1000 % 60, sep, ms % 1000);
}

/* Writes s[0..n) escaped for WebVTT: &, < and > as entities (so no "-->" either). */
static void vtt_write(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *rep = s[i] == '&' ? "&amp;" : s[i] == '<' ? "&lt;" : s[i] == '>' ? "&gt;" : NULL;
		if (rep)
			fputs(rep, f);
		else
			fputc(s[i], f);
	}
}

/* ---- cues: a sentence cut into cues of at most CUE_LINES lines and about CUE_SECONDS ------ */

#define CUE_COLS 36     /* display columns a line: 18 hanzi */
#define CUE_LINES 2
#define CUE_SECONDS 7.0
#define ALIGN_WINDOW 256 /* units a written character is looked for ahead (a number read out) */

/* Marks after which a line may open (opening quotes and brackets: never before a break). */
static int no_line_end(uint32_t cp)
{
	static const uint32_t marks[] = {0x201C, 0x2018, 0x300C, 0x300E, 0x300A, 0x3008, 0x3010,
		0xFF08, '(', '[', 0x3014};
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (marks[i] == cp)
			return 1;
	return 0;
}

/* Part of a number, a code or a Latin word, which a break never splits. */
static int in_token(uint32_t cp)
{
	return is_word_cp(cp) || (cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
	       (cp >= 0xFF41 && cp <= 0xFF5A) || cp == '.' || cp == ',' || cp == ':' || cp == '%' ||
	       cp == '/' || cp == '-' || cp == '+' || cp == 0xFF05 || cp == 0xFF0E || cp == 0x00B7;
}

static int clause_end(uint32_t cp)
{
	return cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1B || cp == 0xFF1A || cp == 0x3002 ||
	       cp == 0xFF01 || cp == 0xFF1F || cp == 0x2026 || cp == 0x201D || cp == 0x300D ||
	       cp == ',' || cp == ';' || cp == ':' || cp == '!' || cp == '?'; /* ASCII, as written */
}

/* One character of a sentence's text: where it is, its width, whether a line may break before
 * it (and how well: 2 after a clause mark, 1 at a word boundary, 0 never) and when it is
 * heard (NAN: not matched to a unit). */
struct cue_char {
	size_t off, len;
	uint32_t cp;
	int width, brk;
	double t;
};

/* Matches the original text's hanzi to the spoken sentence's units, in order (numbers and
 * symbols, written differently, lie between matched characters), giving each matched one its
 * unit's time and word flag. */
static void align_units(const struct bb_sentence *s, const double *times, size_t ntimes,
			struct cue_char *c, size_t n, int *in_word)
{
	size_t u = 0;
	for (size_t i = 0; i < n; i++) {
		in_word[i] = 0;
		if (c[i].cp < 0x2E80 || c[i].width < 2)
			continue;
		for (size_t k = u; k < s->nunits && k < u + ALIGN_WINDOW; k++) {
			uint32_t cp = 0;
			const char *t = s->units[k].text;
			if (s->units[k].lang != BB_ZH || !bb_utf8_decode(t, strlen(t), &cp) || cp != c[i].cp)
				continue;
			if (k < ntimes)
				c[i].t = times[k];
			in_word[i] = (s->units[k].flags & BB_UNIT_IN_WORD) != 0;
			u = k + 1;
			break;
		}
	}
}

/* Splits text into characters with their break quality and times; returns the count, or
 * (size_t)-1 without memory. */
static size_t cue_chars(const struct bb_script *sc, size_t si, const struct bb_audio_facts *a,
			const char *text, struct cue_char **out)
{
	size_t len = strlen(text), n = 0;
	struct cue_char *c = malloc((len + 1) * sizeof *c);
	int *in_word = malloc((len + 1) * sizeof *in_word);
	if (!c || !in_word) {
		free(c);
		free(in_word);
		return (size_t)-1;
	}
	for (size_t k = 0; k < len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(text + k, len - k, &cp);
		if (!l)
			l = 1, cp = (unsigned char)text[k];
		c[n++] = (struct cue_char){k, l, cp, cp_width(cp), 0, NAN};
		k += l;
	}
	const double *times = a->word_time && a->word_count && a->word_count[si]
				      ? a->word_time + a->word_first[si] : NULL;
	align_units(&sc->sentences[si], times, times ? a->word_count[si] : 0, c, n, in_word);
	for (size_t i = 1; i < n; i++) {
		uint32_t p = c[i - 1].cp, x = c[i].cp;
		if (no_line_start(x) || no_line_end(p) || (in_token(p) && in_token(x)) || in_word[i])
			c[i].brk = 0;
		else
			c[i].brk = clause_end(p) ? 2 : 1;
	}
	free(in_word);
	*out = c;
	return n;
}

/* The time at character i: its own, else the next matched one's, else the end; kept between
 * t0 and t1. */
static double time_at(const struct cue_char *c, size_t n, size_t i, double t0, double t1)
{
	for (; i < n; i++)
		if (isfinite(c[i].t))
			return fmin(fmax(c[i].t, t0), t1);
	return t1;
}

/* Cuts c[0..n) into lines (breaks[k]: the first character of line k+1) of at most CUE_COLS,
 * balanced: the number of lines the width needs, each near an even share, breaking after a
 * clause mark when one leaves the line at least half full. Returns the number of lines. */
static size_t cut_lines(const struct cue_char *c, size_t n, size_t *breaks)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += (size_t)c[i].width;
	size_t lines = (total + CUE_COLS - 1) / CUE_COLS;
	size_t target = lines > 1 ? (total + lines - 1) / lines : total, nb = 0;
	size_t start = 0;
	while (start < n) {
		/* whole runs (a break candidate and what follows it up to the next one) */
		size_t w = 0, best = 0, best_w = 0, end = start;
		while (end < n) {
			size_t r = end + 1, rw = (size_t)c[end].width;
			for (; r < n && !c[r].brk; r++)
				rw += (size_t)c[r].width;
			if (end > start) {
				if (w > target + 2 || w + rw > CUE_COLS)
					break;
				if (c[end].brk == 2 && w * 2 >= target)
					best = end, best_w = w;
			}
			w += rw;
			end = r;
		}
		if (end >= n)
			break; /* the rest fits */
		/* after the last clause mark when that keeps most of the line, else here */
		size_t at = best && best_w * 3 >= w * 2 ? best : end;
		breaks[nb++] = at;
		start = at;
	}
	return nb + 1;
}

/* One line: characters a..b of text, spaces at its ends dropped, in a class span (VTT). */
static void write_span(FILE *f, const char *text, const struct cue_char *c, size_t a, size_t b,
		       int vtt, const char *cls)
{
	while (a < b && c[a].cp == ' ')
		a++;
	while (b > a && c[b - 1].cp == ' ')
		b--;
	size_t len = b > a ? c[b - 1].off + c[b - 1].len - c[a].off : 0;
	if (cls)
		fprintf(f, "<c.%s>", cls);
	if (vtt)
		vtt_write(f, text + c[a].off, len);
	else
		fwrite(text + c[a].off, 1, len, f);
	if (cls)
		fputs("</c>", f);
	fputc('\n', f);
}

/* Writes sentence si as one or more cues; *cue counts them. */
static int sentence_cues(FILE *f, const struct bb_script *sc, size_t si,
			 const struct bb_audio_facts *a, int vtt, const char *text, size_t *cue)
{
	struct cue_char *c = NULL;
	size_t n = cue_chars(sc, si, a, text, &c);
	if (n == (size_t)-1)
		return -1;
	size_t *brk = malloc((n + 2) * sizeof *brk);
	if (!brk) {
		free(c);
		return -1;
	}
	size_t lines = n ? cut_lines(c, n, brk) : 1;
	brk[lines - 1] = n; /* line k runs from brk[k - 1] (0 for the first) to brk[k] */
	double t0 = a->start[si], t1 = a->end[si];
	/* no word times: by the width of the text read so far */
	int timed = 0;
	for (size_t i = 0; i < n && !timed; i++)
		timed = isfinite(c[i].t);
	size_t total = 0, *col = malloc((n + 1) * sizeof *col);
	if (!col) {
		free(c);
		free(brk);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		col[i] = total;
		total += (size_t)c[i].width;
	}
	col[n] = total;
	const struct bb_sentence *s = &sc->sentences[si];
	const char *cls = !vtt ? NULL : s->kind == BB_TITLE ? "title" : s->kind == BB_HEADING ? "heading" : NULL;
	size_t k = 0;
	double prev = t0;
	while (k < lines) {
		/* two lines, unless they would be on screen much longer than CUE_SECONDS */
		size_t take = k + 1 < lines ? 2 : 1;
		double start = prev, end;
		for (;;) {
			size_t to = brk[k + take - 1];
			end = to >= n ? t1
			    : timed ? time_at(c, n, to, t0, t1)
				    : t0 + (t1 - t0) * (double)col[to] / (double)(total ? total : 1);
			if (take == 1 || end - start <= CUE_SECONDS)
				break;
			take--;
		}
		if (end < start)
			end = start;
		char s0[32], s1[32];
		format_time(s0, sizeof s0, start, vtt ? '.' : ',');
		format_time(s1, sizeof s1, end, vtt ? '.' : ',');
		(*cue)++;
		fprintf(f, "%zu\n%s --> %s\n", *cue, s0, s1);
		for (size_t l = k; l < k + take; l++)
			write_span(f, text, c, l ? brk[l - 1] : 0, brk[l], vtt, cls);
		fputc('\n', f);
		prev = end;
		k += take;
	}
	free(col);
	free(brk);
	free(c);
	return 0;
}

static int write_cues(FILE *f, const struct bb_script *sc, const struct bb_audio_facts *a,
		      int vtt, struct bb_error *err)
{
	if (vtt)
		fputs("WEBVTT\n\n", f);
	size_t cue = 0;
	for (size_t i = 0; i < sc->n; i++) {
		if (!(a->end[i] > a->start[i]) || sc->sentences[i].kind == BB_CLIP)
			continue; /* nothing was heard */
		char *text = bb_sidecar_sentence_text(sc, i);
		int bad = !text || sentence_cues(f, sc, i, a, vtt, *text ? text : "…", &cue);
		free(text);
		if (bad)
			return bb_fail(err, BB_ENOMEM, "out of memory");
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
	char *text = bb_sidecar_sentence_text(sc, i);
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
		char *t = bb_sidecar_sentence_text(sc, i);
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

/* ---- bulletins and feeds: chapters, rundown, manifests read back ----------------------- */

static int dump(json_t *root, FILE *f, const char *what, struct bb_error *err)
{
	if (!root)
		return bb_fail(err, BB_ENOMEM, "out of memory building the %s", what);
	int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12));
	json_decref(root);
	fputc('\n', f);
	if (rc || ferror(f))
		return bb_fail(err, BB_EIO, "cannot write the %s: %s", what, strerror(errno));
	return BB_OK;
}

int bb_sidecar_chapters(FILE *f, const char *title, const struct bb_chapter_mark *m, size_t n,
			struct bb_error *err)
{
	json_t *list = json_array();
	int bad = !list;
	for (size_t i = 0; !bad && i < n; i++)
		bad = json_array_append_new(list, json_pack("{s:o, s:s}", "startTime",
					    num(m[i].start, 0.001), "title", m[i].title ? m[i].title : ""));
	json_t *root = bad ? NULL : json_pack("{s:s, s:s, s:o}", "version", "1.2.0", "title",
					      title ? title : "", "chapters", list);
	if (!root)
		json_decref(list);
	return dump(root, f, "chapters", err);
}

int bb_sidecar_rundown(FILE *f, const char *title, const char *rundown, double duration,
		       double max_duration, const struct bb_rundown_item *items, size_t n,
		       struct bb_error *err)
{
	json_t *aired = json_array(), *dropped = json_array();
	int bad = !aired || !dropped;
	for (size_t i = 0; !bad && i < n; i++) {
		const struct bb_rundown_item *it = &items[i];
		json_t *o = it->dropped
			? json_pack("{s:s, s:I, s:s, s:s?}", "kind", it->kind, "line",
				    (json_int_t)it->line, "source", it->source, "title", it->title)
			: json_pack("{s:s, s:I, s:s, s:s?, s:o, s:o}", "kind", it->kind, "line",
				    (json_int_t)it->line, "source", it->source, "title", it->title,
				    "start", num(it->start, 0.001), "length", num(it->length, 0.001));
		bad = json_array_append_new(it->dropped ? dropped : aired, o);
	}
	json_t *root = bad ? NULL : json_pack("{s:s, s:s, s:o, s:o, s:s, s:O, s:O}", "title",
		title ? title : "", "rundown", rundown, "duration", num(duration, 0.001),
		"max_duration", max_duration >= 0 ? num(max_duration, 0.001) : json_null(),
		"generator", "bobao " BOBAO_VERSION, "items", aired, "dropped", dropped);
	json_decref(aired);
	json_decref(dropped);
	return dump(root, f, "rundown", err);
}

void bb_manifest_free(struct bb_manifest *m)
{
	if (!m)
		return;
	free(m->title);
	for (size_t i = 0; i < m->nchapters; i++)
		free(m->chapters[i].title);
	free(m->chapters);
	memset(m, 0, sizeof *m);
}

static char *dup_or_null(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

int bb_manifest_read(const char *path, struct bb_manifest *m, struct bb_error *err)
{
	memset(m, 0, sizeof *m);
	FILE *f = fopen(path, "rb");
	if (!f)
		return bb_fail(err, BB_ENOINPUT, "%s: %s", path, strerror(errno));
	json_error_t je;
	json_t *root = json_loadf(f, 0, &je);
	fclose(f);
	if (!root)
		return bb_fail(err, BB_EDATA, "%s:%d:%d: %s", path, je.line, je.column, je.text);
	json_t *title = json_object_get(root, "title"), *dur = json_object_get(root, "duration");
	json_t *sentences = json_object_get(root, "sentences");
	if (!json_is_string(title) || !json_is_number(dur) || !json_is_array(sentences)) {
		json_decref(root);
		return bb_fail(err, BB_EDATA, "%s: not a bobao manifest (title, duration, sentences)",
			       path);
	}
	m->duration = json_number_value(dur);
	size_t n = json_array_size(sentences);
	m->title = dup_or_null(json_string_value(title));
	m->chapters = malloc((n + 1) * sizeof *m->chapters);
	int bad = !m->title || !m->chapters;
	if (!bad) {
		m->chapters[0] = (struct bb_chapter_mark){0, dup_or_null(m->title)};
		bad = !m->chapters[0].title;
		m->nchapters = bad ? 0 : 1;
	}
	for (size_t i = 0; !bad && i < n; i++) {
		json_t *s = json_array_get(sentences, i);
		const char *kind = json_string_value(json_object_get(s, "kind"));
		const char *text = json_string_value(json_object_get(s, "text"));
		json_t *start = json_object_get(s, "start");
		if (!kind || strcmp(kind, "heading") || !text || !json_is_number(start))
			continue;
		/* a heading cut in two sentences is one chapter */
		if (i && m->nchapters > 1) {
			const char *pk = json_string_value(json_object_get(json_array_get(sentences,
				i - 1), "kind"));
			json_t *pp = json_object_get(json_array_get(sentences, i - 1), "paragraph");
			if (pk && !strcmp(pk, "heading") &&
			    json_equal(pp, json_object_get(s, "paragraph")))
				continue;
		}
		m->chapters[m->nchapters].start = json_number_value(start);
		bad = !(m->chapters[m->nchapters].title = dup_or_null(text));
		m->nchapters += !bad;
	}
	json_decref(root);
	if (bad) {
		bb_manifest_free(m);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	return BB_OK;
}
