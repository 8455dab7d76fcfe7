/* `bobao proof`: how each sentence will be read, as text, TSV or an HTML page with ruby (its
 * uncertain readings listed first, each with a user lexicon line to copy).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

/* ---- pinyin with tone marks, for people (the tone digit form is what eSpeak gets) ---- */

static const char *const marked[][4] = {
	{"ā", "á", "ǎ", "à"}, {"ē", "é", "ě", "è"}, {"ī", "í", "ǐ", "ì"},
	{"ō", "ó", "ǒ", "ò"}, {"ū", "ú", "ǔ", "ù"}, {"ǖ", "ǘ", "ǚ", "ǜ"},
};
static const char vowels[] = "aeiouv";

/* The vowel that carries the mark: a or e, the o of ou, else the last vowel. */
static size_t mark_position(const char *s, size_t n)
{
	size_t last = n;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == 'a' || s[i] == 'e')
			return i;
		if (s[i] == 'o' && i + 1 < n && s[i + 1] == 'u')
			return i;
		if (strchr(vowels, s[i]))
			last = i;
	}
	return last;
}

/* Writes "hang2" as "háng" (v as ü; tone 5 unmarked) into out. */
static void tone_marks(const char *syl, char *out, size_t size)
{
	size_t n = strlen(syl), len = 0;
	int tone = n && syl[n - 1] >= '1' && syl[n - 1] <= '5' ? syl[n - 1] - '0' : 0;
	if (!tone) {
		snprintf(out, size, "%s", syl);
		return;
	}
	n--;
	size_t at = mark_position(syl, n);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *piece;
		char one[2] = {syl[i], 0};
		size_t v = (size_t)(strchr(vowels, syl[i]) ? strchr(vowels, syl[i]) - vowels : 0);
		if (i == at && tone <= 4)
			piece = marked[v][tone - 1];
		else if (syl[i] == 'v')
			piece = "ü";
		else
			piece = one;
		len += (size_t)snprintf(out + len, size > len ? size - len : 0, "%s", piece);
	}
}

/* ---- the three formats ---- */

static void text_sentence(FILE *f, size_t num, const struct bb_sentence *s)
{
	fprintf(f, "%zu\t%s\n\t", num, s->spoken ? s->spoken : "");
	for (size_t i = 0; i < s->nunits; i++) {
		const struct bb_unit *u = &s->units[i];
		const char *sep = i ? " " : "";
		if (u->lang == BB_EN)
			fprintf(f, "%s[en: %s]", sep, u->text);
		else if (u->lang == BB_PUNCT)
			fprintf(f, "%s", u->reading);
		else if (u->reading[0])
			fprintf(f, "%s%s", sep, u->reading);
		else
			fprintf(f, "%s[%s: not read]", sep, u->text);
	}
	fputs("\n\n", f);
}

/* TSV: the units that are said (hanzi and Latin runs), not pause marks. A character that is
 * not read has an empty reading. */
static void tsv_sentence(FILE *f, size_t num, const struct bb_sentence *s)
{
	for (size_t i = 0; i < s->nunits; i++) {
		const struct bb_unit *u = &s->units[i];
		if (u->lang == BB_PUNCT)
			continue;
		fprintf(f, "%zu\t%s\t%s\n", num, u->text, u->lang == BB_EN ? "en" : u->reading);
	}
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<title>bobao proof: ";
static const char html_style[] =
	"</title>\n<style>\n"
	"body { font-family: \"Noto Sans CJK SC\", \"Source Han Sans SC\", sans-serif; "
	"max-width: 60em; margin: 2em auto; padding: 0 1em; line-height: 2.6; color: #222; }\n"
	"h1 { font-size: 1.2em; line-height: 1.4; }\n"
	".legend { font-size: 0.9em; line-height: 1.8; border: 1px solid #ccc; padding: 0.4em 0.8em; }\n"
	".legend span { padding: 0.1em 0.4em; margin-right: 0.8em; }\n"
	"ol { padding-left: 2.5em; }\n"
	"li { margin-bottom: 0.6em; font-size: 1.3em; }\n"
	"li.title, li.heading { font-weight: bold; }\n"
	"li .kind { font-size: 0.6em; color: #666; margin-right: 0.5em; }\n"
	"ruby { ruby-position: over; margin: 0 0.05em; }\n"
	"rt { font-size: 0.55em; color: #444; }\n"
	".user { background: #d8ecff; }\n"
	".sandhi { background: #fff1b8; }\n"
	".fallback { background: #ffe0e0; }\n"
	".model { background: #f3e0ff; }\n"
	"table.uncertain { border-collapse: collapse; font-size: 0.95em; line-height: 1.6; }\n"
	"table.uncertain td, table.uncertain th { border: 1px solid #ccc; padding: 0.2em 0.6em; "
	"text-align: left; }\n"
	"table.uncertain code { white-space: pre; user-select: all; }\n"
	".en { background: #e3f6df; padding: 0 0.2em; }\n"
	".silent { text-decoration: line-through; color: #999; }\n"
	".note { font-size: 0.8em; line-height: 1.4; color: #666; }\n"
	"</style>\n</head>\n<body>\n<h1>bobao proof: ";
static const char html_legend[] =
	"</h1>\n<p class=\"legend\"><span class=\"user\">user lexicon</span>"
	"<span class=\"sandhi\">tone changed (一, 不)</span>"
	"<span class=\"fallback\">usual reading of a character with several; or not read</span>"
	"<span class=\"model\">reading chosen by the context model</span>"
	"<span class=\"en\">English voice</span></p>\n";

static const char *unit_class(const struct bb_unit *u)
{
	if (u->flags & BB_UNIT_USER)
		return "user";
	if (u->flags & BB_UNIT_SANDHI)
		return "sandhi";
	if (u->flags & BB_UNIT_FALLBACK)
		return u->reading[0] ? "fallback" : "fallback silent";
	if (u->flags & BB_UNIT_MODEL)
		return "model";
	return NULL;
}

/* Why a unit's reading is uncertain, or NULL: a polyphone no word settles, read by its usual
 * reading or by the context model. */
static const char *uncertain(const struct bb_unit *u)
{
	if (u->lang != BB_ZH || !u->reading[0] || (u->flags & BB_UNIT_USER))
		return NULL;
	if (u->flags & BB_UNIT_MODEL)
		return "context model";
	if ((u->flags & BB_UNIT_FALLBACK) ||
	    (u->flags & (BB_UNIT_ALONE | BB_UNIT_POLY)) == (BB_UNIT_ALONE | BB_UNIT_POLY))
		return "usual reading of a polyphone";
	return NULL;
}

/* Whether a unit is a hanzi with a reading (for the lexicon lines). */
static int read_hanzi(const struct bb_unit *u)
{
	return u->lang == BB_ZH && u->reading[0] && (unsigned char)u->text[0] >= 0x80;
}

/* The uncertain readings, before the sentences: each with a ready user lexicon line for the
 * character and its next (else previous) neighbour, to correct and copy. */
static void html_uncertain(FILE *f, const struct bb_script *sc)
{
	size_t count = 0;
	for (size_t i = 0; i < sc->n; i++)
		for (size_t k = 0; k < sc->sentences[i].nunits; k++)
			count += uncertain(&sc->sentences[i].units[k]) != NULL;
	fprintf(f, "<h2>Uncertain readings: %zu</h2>\n", count);
	if (!count)
		return;
	fputs("<p>Each line is ready for a user lexicon (<code>--lexicon FILE</code>): correct the "
	      "reading where it is wrong and copy the line.</p>\n<table class=\"uncertain\">\n"
	      "<tr><th>sentence</th><th>character</th><th>reading</th><th>why</th>"
	      "<th>lexicon line</th></tr>\n", f);
	for (size_t i = 0; i < sc->n; i++) {
		const struct bb_sentence *s = &sc->sentences[i];
		for (size_t k = 0; k < s->nunits; k++) {
			const struct bb_unit *u = &s->units[k], *a = u, *b = NULL;
			const char *why = uncertain(u);
			if (!why)
				continue;
			if (k + 1 < s->nunits && read_hanzi(&s->units[k + 1]))
				b = &s->units[k + 1];
			else if (k > 0 && read_hanzi(&s->units[k - 1]))
				a = &s->units[k - 1], b = u;
			char shown[64];
			tone_marks(u->reading, shown, sizeof shown);
			fprintf(f, "<tr><td><a href=\"#s%zu\">%zu</a></td><td>", i + 1, i + 1);
			bb_xml_escape(f, u->text);
			fputs("</td><td>", f);
			bb_xml_escape(f, shown);
			fprintf(f, "</td><td>%s</td><td><code>", why);
			bb_xml_escape(f, a->text);
			if (b)
				bb_xml_escape(f, b->text);
			fputc('\t', f);
			bb_xml_escape(f, a->reading);
			if (b) {
				fputc(' ', f);
				bb_xml_escape(f, b->reading);
			}
			fputs("</code></td></tr>\n", f);
		}
	}
	fputs("</table>\n", f);
}

static void html_unit(FILE *f, const struct bb_unit *u)
{
	if (u->lang == BB_PUNCT) {
		bb_xml_escape(f, u->text);
		return;
	}
	if (u->lang == BB_EN) {
		fputs("<span class=\"en\" title=\"English: ", f);
		bb_xml_escape(f, u->reading);
		fputs("\">", f);
		bb_xml_escape(f, u->text);
		fputs("</span>", f);
		return;
	}
	const char *cls = unit_class(u);
	char shown[64];
	tone_marks(u->reading, shown, sizeof shown);
	fputs("<ruby", f);
	if (cls)
		fprintf(f, " class=\"%s\"", cls);
	fputs(" title=\"", f);
	bb_xml_escape(f, u->reading[0] ? u->reading : "not read");
	fputs("\">", f);
	bb_xml_escape(f, u->text);
	fputs("<rt>", f);
	bb_xml_escape(f, shown);
	fputs("</rt></ruby>", f);
}

static void html_sentence(FILE *f, size_t num, const struct bb_sentence *s)
{
	const char *kind = bb_kind_name(s->kind);
	fprintf(f, "<li id=\"s%zu\" class=\"", num);
	bb_xml_escape(f, kind);
	fputs("\">", f);
	if (s->kind != BB_BODY) {
		fputs("<span class=\"kind\">", f);
		bb_xml_escape(f, kind);
		fputs("</span>", f);
	}
	for (size_t i = 0; i < s->nunits; i++)
		html_unit(f, &s->units[i]);
	fputs("</li>\n", f);
}

int bb_proof_write(FILE *f, const struct bb_script *sc, const char *format,
		   struct bb_error *err)
{
	if (!format)
		format = "text";
	int html = strcmp(format, "html") == 0, tsv = strcmp(format, "tsv") == 0;
	if (!html && !tsv && strcmp(format, "text") != 0)
		return bb_fail(err, BB_EUSAGE, "unknown proof format '%s' (text, tsv, html)", format);
	const char *source = sc->article && sc->article->source ? sc->article->source : "-";
	if (html) {
		fputs(html_head, f);
		bb_xml_escape(f, source);
		fputs(html_style, f);
		bb_xml_escape(f, source);
		fputs(html_legend, f);
		/* the uncertain readings come first, so the page reads every sentence before it
		 * writes one (text and tsv read them one at a time) */
		for (size_t i = 0; i < sc->n; i++) {
			int rc = sc->lex && !sc->sentences[i].units
					 ? bb_pronounce(&sc->sentences[i], sc->lex, err) : BB_OK;
			if (rc != BB_OK)
				return rc;
		}
		html_uncertain(f, sc);
		fputs("<h2>Sentences</h2>\n<ol>\n", f);
	}
	for (size_t i = 0; i < sc->n; i++) {
		/* pronounced here when the script left it for later (BB_PRONOUNCE_LATER) */
		struct bb_sentence *late = sc->lex && !sc->sentences[i].units ? &sc->sentences[i] : NULL;
		int rc = late ? bb_pronounce(late, sc->lex, err) : BB_OK;
		if (rc != BB_OK)
			return rc;
		if (html)
			html_sentence(f, i + 1, &sc->sentences[i]);
		else if (tsv)
			tsv_sentence(f, i + 1, &sc->sentences[i]);
		else
			text_sentence(f, i + 1, &sc->sentences[i]);
		if (late) {
			free(late->units);
			late->units = NULL;
			late->nunits = 0;
		}
	}
	if (html)
		fputs("</ol>\n<p class=\"note\">This page needs a CJK font with pinyin tone marks, "
		      "such as Noto Sans CJK (Debian and Ubuntu: fonts-noto-cjk).</p>\n"
		      "</body>\n</html>\n", f);
	if (fflush(f) != 0 || ferror(f))
		return bb_fail(err, BB_EIO, "cannot write the proof");
	return BB_OK;
}
