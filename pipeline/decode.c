/* decode: article bytes in any supported encoding -> UTF-8 (iconv). SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

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
	"任取据據处處府研信记記者报報市区省县縣企项項目经济濟发展务務区域服务务";

/* In order of preference on a tie; CP936 is GBK as Windows writes it (0x80 is €). */
static const char *const candidates[] = {"GB18030", "CP936", "CP950"};

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

/* 1 + how many common hanzi t holds; 0 when it holds control characters, which a legacy
 * table yields only for bytes that were never text in that encoding. */
static size_t text_score(const struct bb_text *t)
{
	size_t hits = 1;
	for (size_t i = 0; i < t->len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(t->s + i, t->len - i, &cp);
		if (!l)
			l = 1;
		if ((cp >= 0x80 && cp < 0xA0) || (cp < 0x20 && !strchr("\t\n\r\f", (int)cp)))
			return 0;
		if (cp >= 0x80) {
			char c[5] = {0};
			memcpy(c, t->s + i, l);
			hits += strstr(common_hanzi, c) != NULL;
		}
		i += l;
	}
	return hits;
}

/* NUL bytes or many control characters mean a file is not text (UTF-16 is checked first). */
static int looks_binary(const unsigned char *b, size_t n)
{
	size_t controls = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0)
			return 1;
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' && b[i] != '\f')
			controls++;
	}
	return controls > 8 && controls * 100 > n;
}

/* Folds \r\n and \r to \n and drops a leading BOM, in place. */
static void tidy(struct bb_text *t)
{
	size_t o = 0, i = 0;
	if (t->len >= 3 && memcmp(t->s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (; i < t->len; i++) {
		if (t->s[i] == '\r') {
			t->s[o++] = '\n';
			if (i + 1 < t->len && t->s[i + 1] == '\n')
				i++;
		} else {
			t->s[o++] = t->s[i];
		}
	}
	t->len = o;
	if (t->s)
		t->s[o] = '\0';
}

static int finish(struct bb_text *out, const char *name, const char **detected)
{
	tidy(out);
	if (!out->s && bb_text_add(out, "", 0, (struct bb_span){0, 0}) != BB_OK)
		return BB_ENOMEM;
	if (detected)
		*detected = name;
	return BB_OK;
}

int bb_decode(const char *bytes, size_t n, const char *encoding, struct bb_text *out,
	      const char **detected, struct bb_error *err)
{
	const unsigned char *b = (const unsigned char *)bytes;
	size_t bad = 0;
	int rc;
	memset(out, 0, sizeof *out);

	if (encoding) {
		rc = convert(bytes, n, encoding, out, &bad);
		if (rc == BB_ECONFIG)
			rc = bb_fail(err, BB_EUSAGE, "unknown encoding %s", encoding);
		else if (rc == BB_EDATA)
			rc = bb_fail(err, BB_EDATA, "not valid %s at byte %zu", encoding, bad);
		else if (rc == BB_OK && bb_utf8_check(out->s, out->len) != out->len)
			rc = bb_fail(err, BB_EDATA, "not valid %s", encoding);
		if (rc != BB_OK) {
			bb_text_free(out);
			return rc == BB_ENOMEM ? bb_fail(err, rc, "out of memory") : rc;
		}
		return finish(out, encoding, detected);
	}

	if (n >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || (b[0] == 0xFE && b[1] == 0xFF))) {
		const char *name = b[0] == 0xFF ? "UTF-16LE" : "UTF-16BE";
		rc = convert(bytes + 2, n - 2, name, out, &bad);
		if (rc != BB_OK) {
			bb_text_free(out);
			return rc == BB_EDATA ? bb_fail(err, rc, "not valid %s at byte %zu", name, bad + 2)
					      : bb_fail(err, rc, "cannot convert from %s", name);
		}
		if (memchr(out->s, 0, out->len)) {
			bb_text_free(out);
			return bb_fail(err, BB_EDATA, "binary data, not text");
		}
		return finish(out, name, detected);
	}
	if (looks_binary(b, n))
		return bb_fail(err, BB_EDATA, "binary data, not text");

	size_t utf8_bad = bb_utf8_check(bytes, n);
	if (utf8_bad == n) {
		rc = bb_text_add(out, bytes, n, (struct bb_span){0, 0});
		if (rc != BB_OK)
			return bb_fail(err, rc, "out of memory");
		return finish(out, "UTF-8", detected);
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
		size_t score = rc == BB_OK ? text_score(&t) : 0;
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
	if (!best_name)
		return bb_fail(err, BB_EDATA, "not UTF-8, GB18030 or Big5 text (invalid byte at offset %zu)",
			       furthest_bad);
	*out = best;
	return finish(out, best_name, detected);
}
