/* decode: article bytes in any supported encoding -> UTF-8 (iconv). SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bobao.h"

/* The most frequent characters of Chinese news text, simplified and traditional forms.
 * A legacy double-byte text decoded with the right table is full of them; decoded with the
 * wrong one (Big5 read as GBK, or GBK as Big5) it is mostly rare characters, kana and
 * symbols. Used only to choose between GB18030 and Big5. */
static const char common_hanzi[] =
	"的一是在不了有和人这這中大为為上个個国國我以要他时時来來用们們生到作地于於出就分对對"
	"成会會可主发發年动動同工也能下过過子说說产產种種面而方后後多定行学學法所民得经經十三"
	"之进進着著等部度家电電力里裡如水化高自二理起小物现現实實加量都两兩体體制机機当當使点"
	"點从從业業本去把性好应應开開它合还還因由其些然前外天政四日那社义義事平形相全表间間样"
	"樣与與关關各重新线線内內数數正心反你明看原又么麼利比或但质質气氣第向道命此变變条條只"
	"没沒结結解问問意建月公无無系军軍很情者最立代想已通并並提直题題党黨程展五果料象员員革"
	"位入常文总總次品式活设設及管特件长長求老头頭基资資边邊流路级級少图圖山统統接知较較将"
	"將组組见見计計别別她手角期根论論运運农農指几幾九区區强強放决決西被干做必战戰先回则則"
	"任取据據处處府研信记記者报報市区省县縣企项項目经济濟发展务務区域服务务"
	/* written Cantonese of Hong Kong papers, most of it only in Big5-HKSCS */
	"嘅咗喺啲㗎冇佢哋嚟係唔睇嘢咁噉乜嗰畀揸餸攰𨋢埗嘥嚿啱咪嘞喎";

/* A set of the common hanzi of the Basic Multilingual Plane, one bit each. */
struct common_set {
	unsigned char bits[0x10000 / 8];
};

static void common_set_fill(struct common_set *set)
{
	memset(set, 0, sizeof *set);
	for (size_t i = 0; common_hanzi[i];) {
		uint32_t cp;
		size_t l = bb_utf8_decode(common_hanzi + i, sizeof common_hanzi - 1 - i, &cp);
		if (!l)
			break;
		if (cp < 0x10000)
			set->bits[cp >> 3] |= (unsigned char)(1u << (cp & 7));
		i += l;
	}
}

static int is_common(const struct common_set *set, uint32_t cp)
{
	return cp < 0x10000 && (set->bits[cp >> 3] >> (cp & 7) & 1);
}

/* In order of preference on a tie; CP936 is GBK as Windows writes it (0x80 is €). Plain Big5
 * decodes the same in CP950 and BIG5-HKSCS, and CP950 wins the tie; a Hong Kong text with
 * characters only HKSCS holds (嘅 咗 㗎) is invalid CP950 and goes to BIG5-HKSCS. */
static const char *const candidates[] = {"GB18030", "CP936", "CP950", "BIG5-HKSCS"};

/* Converts n bytes from encoding `from` into out; on a conversion error returns BB_EDATA
 * with *bad_at set to the offset of the offending input byte. */
static int convert(const char *bytes, size_t n, const char *from, struct bb_text *out,
		   size_t *bad_at)
{
	iconv_t cd = iconv_open("UTF-8", from);
	if (cd == (iconv_t)-1)
		return BB_ECONFIG;
	int rc = BB_OK;
	char *in = (char *)bytes;
	size_t inleft = n;
	while (inleft > 0) {
		char buf[4096];
		char *o = buf;
		size_t oleft = sizeof buf;
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (bb_text_add(out, buf, sizeof buf - oleft, (struct bb_span){0, 0}) != BB_OK) {
			rc = BB_ENOMEM;
			break;
		}
		if (r == (size_t)-1 && errno != E2BIG) {
			*bad_at = (size_t)(in - bytes);
			rc = BB_EDATA;
			break;
		}
	}
	if (rc == BB_OK) {
		/* flush a stateful encoding's pending output */
		char buf[64], *o = buf;
		size_t oleft = sizeof buf;
		iconv(cd, NULL, NULL, &o, &oleft);
		rc = bb_text_add(out, buf, sizeof buf - oleft, (struct bb_span){0, 0});
	}
	iconv_close(cd);
	return rc;
}

/* C0 controls but tab, newline, carriage return, form feed and escape (terminal colour
 * codes, dropped later); NUL included. */
static int is_control(uint32_t c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1B;
}

/* 1 + how many common hanzi t holds; 0 when it holds control characters, which a legacy
 * table yields only for bytes that were never text in that encoding. */
static size_t text_score(const struct bb_text *t, const struct common_set *set)
{
	size_t hits = 1;
	for (size_t i = 0; i < t->len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(t->s + i, t->len - i, &cp);
		if (!l)
			l = 1;
		if ((cp >= 0x80 && cp < 0xA0) || is_control(cp))
			return 0;
		hits += is_common(set, cp);
		i += l;
	}
	return hits;
}

/* A character that a right decoding of Chinese news seldom gives, unless it is common: any
 * ideograph (the wrong table still lands on real but rare hanzi), kana, hangul, private use
 * and compatibility characters. */
static int is_rare(const struct common_set *set, uint32_t cp)
{
	if (is_common(set, cp))
		return 0;
	return bb_is_hanzi(cp) || (cp >= 0x3040 && cp <= 0x30FF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
	       (cp >= 0xE000 && cp <= 0xF8FF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x3100 && cp <= 0x33FF) || (cp >= 0x2460 && cp <= 0x24FF) || cp == 0xFFFD ||
	       (cp >= 0xF0000);
}

/* Garbage a wrong table makes of a legacy text: a run of GARBLED_RUN rare characters (in
 * right Chinese text the commonest few hundred hanzi are three in four; eight uncommon ones in
 * a row are a name or a term at most), or over GARBLED_MIN hanzi of which less than one in
 * seven is common. Returns the 1-based line where it shows, or 0. */
#define GARBLED_RUN 10
#define GARBLED_MIN 40
static size_t garbled_line(const struct bb_text *t, const struct common_set *set)
{
	size_t run = 0, line = 1, run_line = 1, hanzi = 0, common = 0, first_rare_line = 0;
	for (size_t i = 0; i < t->len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(t->s + i, t->len - i, &cp);
		if (!l)
			l = 1, cp = 0xFFFD;
		i += l;
		if (cp == '\n')
			line++;
		if (cp == ' ' || cp == 0x3000)
			continue;
		hanzi += bb_is_hanzi(cp);
		common += is_common(set, cp);
		if (!is_rare(set, cp)) {
			run = 0;
			continue;
		}
		if (!first_rare_line)
			first_rare_line = line;
		if (!run++)
			run_line = line;
		if (run >= GARBLED_RUN)
			return run_line;
	}
	if (hanzi >= GARBLED_MIN && common * 7 < hanzi)
		return first_rare_line ? first_rare_line : 1;
	return 0;
}

/* Many NUL bytes or control characters mean a file is not text (UTF-16 is checked first);
 * a few NULs are bad bytes in a text, refused or replaced like invalid UTF-8. */
static int looks_binary(const unsigned char *b, size_t n)
{
	size_t controls = 0;
	for (size_t i = 0; i < n; i++)
		controls += is_control(b[i]);
	return controls > 8 && controls * 100 > n;
}

/* UTF-16 without a byte order mark: the NUL high bytes of its ASCII characters (newlines,
 * digits) mostly on one side of the pairs (a few low bytes are NUL too: 一 is U+4E00), in at
 * least one pair in a hundred. *all_ascii: every pair has its NUL. */
static const char *utf16_by_nuls(const unsigned char *b, size_t n, int *all_ascii)
{
	if (n < 2 || n % 2)
		return NULL;
	size_t nul[2] = {0, 0};
	for (size_t i = 0; i < n; i++)
		nul[i % 2] += b[i] == 0;
	int high = nul[1] > nul[0]; /* the side of the high bytes: 1 little endian */
	if (nul[high] < 3 * nul[!high] || nul[high] * 100 < n / 2)
		return NULL;
	*all_ascii = nul[high] == n / 2;
	return high ? "UTF-16LE" : "UTF-16BE";
}

/* Length of the UTF-8 character at s, or 0 when it is not one; NUL counts as not one. */
static size_t utf8_char(const char *s, size_t n)
{
	uint32_t cp;
	size_t l = bb_utf8_decode(s, n, &cp);
	return cp == 0 ? 0 : l;
}

/* Offset of the first bad byte (or n); *wide counts the 3- and 4-byte characters (Chinese
 * in UTF-8), *bad_runs the runs of bad bytes. A legacy text scores about one wide character
 * in twenty bad runs; a UTF-8 text with a few damaged bytes, the other way round. */
static size_t utf8_survey(const char *s, size_t n, size_t *wide, size_t *bad_runs)
{
	size_t first_bad = n, i = 0;
	*wide = *bad_runs = 0;
	while (i < n) {
		size_t l = utf8_char(s + i, n - i);
		if (l) {
			*wide += l >= 3;
			i += l;
			continue;
		}
		if (first_bad == n)
			first_bad = i;
		(*bad_runs)++;
		while (i < n && !utf8_char(s + i, n - i))
			i++;
	}
	return first_bad;
}

/* Takes bytes as UTF-8: refuses the first bad byte, or (lenient) replaces each run of bad
 * bytes by one U+FFFD and counts them in info. */
static int take_utf8(const char *bytes, size_t n, size_t first_bad, int lenient,
		     struct bb_text *out, struct bb_read_info *info, struct bb_error *err)
{
	if (first_bad < n && !lenient)
		return bb_fail(err, BB_EDATA, bytes[first_bad] ? "invalid UTF-8 at byte %zu"
			       : "NUL byte at byte %zu (binary data?)", first_bad);
	const struct bb_span none = {0, 0};
	for (size_t i = 0; i < n;) {
		size_t j = i, l;
		while (j < n && (l = utf8_char(bytes + j, n - j)))
			j += l;
		if (bb_text_add(out, bytes + i, j - i, none) != BB_OK)
			return bb_fail(err, BB_ENOMEM, "out of memory");
		if (j == n)
			break;
		if (!info->invalid++)
			info->first_invalid = j;
		if (bb_text_add(out, "\xEF\xBF\xBD", 3, none) != BB_OK)
			return bb_fail(err, BB_ENOMEM, "out of memory");
		for (i = j; i < n && !utf8_char(bytes + i, n - i); i++)
			;
	}
	return BB_OK;
}

/* Drops a terminal escape sequence starting at s[i] (ESC); returns the index after it. CSI
 * (ESC [ ... final) and OSC (ESC ] ... BEL or ESC \) are read to their end, but never past
 * the line; other sequences are ESC, intermediates and one final byte. */
static size_t skip_escape(const char *s, size_t i, size_t n)
{
	i++;
	if (i < n && s[i] == '[') {
		for (i++; i < n && s[i] >= 0x20 && s[i] <= 0x3F; i++)
			;
		return i < n && s[i] >= 0x40 && s[i] <= 0x7E ? i + 1 : i;
	}
	if (i < n && s[i] == ']') {
		for (i++; i < n && s[i] != '\a' && s[i] != '\n' && s[i] != 0x1B; i++)
			;
		if (i < n && s[i] == 0x1B && i + 1 < n && s[i + 1] == '\\')
			return i + 2;
		return i < n && s[i] == '\a' ? i + 1 : i;
	}
	while (i < n && s[i] >= 0x20 && s[i] <= 0x2F)
		i++;
	return i < n && s[i] >= 0x30 && s[i] <= 0x7E ? i + 1 : i;
}

/* Folds \r\n and \r to \n, drops a leading BOM, terminal escape sequences and control
 * characters (C0 but tab, newline and form feed; DEL; C1), in place. */
static void tidy(struct bb_text *t)
{
	size_t o = 0, i = 0;
	char *s = t->s;
	if (t->len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < t->len) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\r') {
			s[o++] = '\n';
			i += i + 1 < t->len && s[i + 1] == '\n' ? 2 : 1;
		} else if (c == 0x1B) {
			i = skip_escape(s, i, t->len);
		} else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\f') || c == 0x7F) {
			i++;
		} else if (c == 0xC2 && i + 1 < t->len && (unsigned char)s[i + 1] < 0xA0) {
			i += 2; /* U+0080..U+009F */
		} else {
			s[o++] = s[i++];
		}
	}
	t->len = o;
	if (s)
		s[o] = '\0';
}

static int is_utf8_name(const char *name)
{
	return strcasecmp(name, "UTF-8") == 0 || strcasecmp(name, "UTF8") == 0;
}

/* Decodes with a forced, non-UTF-8 encoding; info->garbled_line tells of garbage. */
static int decode_forced(const char *bytes, size_t n, const char *encoding, struct bb_text *out,
			 struct bb_read_info *info, struct bb_error *err)
{
	size_t bad = 0;
	int rc = convert(bytes, n, encoding, out, &bad);
	if (rc == BB_ECONFIG)
		return bb_fail(err, BB_EUSAGE, "unknown encoding %s", encoding);
	if (rc == BB_EDATA)
		return bb_fail(err, BB_EDATA, "not valid %s at byte %zu", encoding, bad);
	if (rc != BB_OK)
		return bb_fail(err, rc, "out of memory");
	if (bb_utf8_check(out->s, out->len) != out->len)
		return bb_fail(err, BB_EDATA, "not valid %s", encoding);
	if (memchr(out->s, 0, out->len))
		return bb_fail(err, BB_EDATA, "binary data, not text");
	struct common_set *set = malloc(sizeof *set);
	if (!set)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	common_set_fill(set);
	info->garbled_line = garbled_line(out, set);
	free(set);
	return BB_OK;
}

/* Finds the encoding and decodes: UTF-16 by its BOM or its NULs, UTF-8, else the legacy
 * double-byte encoding whose decoding holds the most common hanzi. */
static int detect_legacy(const char *bytes, size_t n, int lenient, const struct common_set *set,
			 struct bb_text *out, struct bb_read_info *info, struct bb_error *err);

static int detect_and_decode(const char *bytes, size_t n, int lenient, struct bb_text *out,
			     struct bb_read_info *info, struct bb_error *err)
{
	const unsigned char *b = (const unsigned char *)bytes;
	size_t bad = 0;
	int rc;

	if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
		info->encoding = b[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
		rc = convert(bytes + 2, n - 2, info->encoding, out, &bad);
		if (rc == BB_EDATA)
			return bb_fail(err, rc, "not valid %s at byte %zu", info->encoding, bad + 2);
		if (rc != BB_OK)
			return bb_fail(err, rc, "cannot convert from %s", info->encoding);
		if (memchr(out->s, 0, out->len))
			return bb_fail(err, BB_EDATA, "binary data, not text");
		return BB_OK;
	}
	struct common_set *set = malloc(sizeof *set);
	if (!set)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	common_set_fill(set);
	rc = detect_legacy(bytes, n, lenient, set, out, info, err);
	free(set);
	return rc;
}

/* detect_and_decode past a byte order mark. */
static int detect_legacy(const char *bytes, size_t n, int lenient, const struct common_set *set,
			 struct bb_text *out, struct bb_read_info *info, struct bb_error *err)
{
	const unsigned char *b = (const unsigned char *)bytes;
	size_t bad = 0;
	int rc, all_ascii = 0;
	const char *utf16 = NULL;
	if ((utf16 = utf16_by_nuls(b, n, &all_ascii))) {
		struct bb_text t = {0};
		rc = convert(bytes, n, utf16, &t, &bad);
		size_t score = rc == BB_OK && !memchr(t.s, 0, t.len) ? text_score(&t, set) : 0;
		if (score > 1 || (score == 1 && all_ascii)) {
			*out = t;
			info->encoding = utf16;
			return BB_OK;
		}
		bb_text_free(&t);
		if (rc == BB_ENOMEM)
			return bb_fail(err, rc, "out of memory");
	}
	if (looks_binary(b, n))
		return bb_fail(err, BB_EDATA, "binary data, not text");

	size_t wide, bad_runs, utf8_bad = utf8_survey(bytes, n, &wide, &bad_runs);
	if (utf8_bad == n || (wide > 0 && wide >= 2 * bad_runs)) {
		info->encoding = "UTF-8";
		return take_utf8(bytes, n, utf8_bad, lenient, out, info, err);
	}

	/* A legacy double-byte encoding: keep the valid decoding with the most common hanzi. */
	struct bb_text best = {0};
	const char *best_name = NULL;
	size_t best_score = 0, furthest_bad = utf8_bad;
	for (size_t c = 0; c < sizeof candidates / sizeof candidates[0]; c++) {
		struct bb_text t = {0};
		rc = convert(bytes, n, candidates[c], &t, &bad);
		if (rc == BB_ENOMEM) {
			bb_text_free(&t);
			bb_text_free(&best);
			return bb_fail(err, rc, "out of memory");
		}
		size_t score = rc == BB_OK ? text_score(&t, set) : 0;
		if (rc == BB_EDATA && bad > furthest_bad)
			furthest_bad = bad;
		if (score > best_score) {
			bb_text_free(&best);
			best = t;
			best_name = candidates[c];
			best_score = score;
		} else {
			bb_text_free(&t);
		}
	}
	if (best_name) {
		size_t line = garbled_line(&best, set);
		if (line && !lenient) {
			bb_text_free(&best);
			return bb_fail(err, BB_EDATA, "decodes (as %s) into rare characters on line %zu: "
				       "not GB18030 or Big5 text? (see --encoding)", best_name, line);
		}
		*out = best;
		info->encoding = best_name;
		info->garbled_line = line;
		return BB_OK;
	}
	if (lenient) { /* nothing fits: the bytes as UTF-8, whatever is not replaced */
		info->encoding = "UTF-8";
		return take_utf8(bytes, n, utf8_bad, lenient, out, info, err);
	}
	if (utf8_bad < n && !bytes[utf8_bad])
		return bb_fail(err, BB_EDATA, "NUL byte at byte %zu (binary data?)", utf8_bad);
	return bb_fail(err, BB_EDATA, "not UTF-8, GB18030 or Big5 text (invalid byte at offset %zu)",
		       furthest_bad);
}

int bb_decode(const char *bytes, size_t n, const struct bb_read_opts *opts, struct bb_text *out,
	      struct bb_read_info *info, struct bb_error *err)
{
	static const struct bb_read_opts defaults = {0};
	struct bb_read_info scratch;
	if (!opts)
		opts = &defaults;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	memset(out, 0, sizeof *out);
	int rc;
	if (opts->encoding && !is_utf8_name(opts->encoding)) {
		info->encoding = opts->encoding;
		rc = decode_forced(bytes, n, opts->encoding, out, info, err);
	} else if (opts->encoding) {
		info->encoding = "UTF-8";
		size_t wide, bad_runs, first_bad = utf8_survey(bytes, n, &wide, &bad_runs);
		rc = take_utf8(bytes, n, first_bad, opts->lenient, out, info, err);
	} else {
		rc = detect_and_decode(bytes, n, opts->lenient, out, info, err);
	}
	if (rc == BB_OK && !out->s && bb_text_add(out, "", 0, (struct bb_span){0, 0}) != BB_OK)
		rc = bb_fail(err, BB_ENOMEM, "out of memory");
	if (rc != BB_OK) {
		bb_text_free(out);
		memset(info, 0, sizeof *info);
		return rc;
	}
	tidy(out);
	return BB_OK;
}
