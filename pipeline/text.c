/* Growable UTF-8 text with an optional map back to the original. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

void bb_text_free(struct bb_text *t)
{
	if (!t)
		return;
	free(t->s);
	free(t->src);
	memset(t, 0, sizeof *t);
}

static int grow(struct bb_text *t, size_t extra)
{
	if (t->len + extra + 1 <= t->cap)
		return BB_OK;
	if (extra > ((size_t)-1 / 2 - t->len) / sizeof(struct bb_span))
		return BB_ENOMEM;
	size_t cap = t->cap ? t->cap : 64;
	while (cap < t->len + extra + 1)
		cap *= 2;
	char *s = realloc(t->s, cap);
	if (!s)
		return BB_ENOMEM;
	t->s = s;
	if (t->src) {
		struct bb_span *src = realloc(t->src, cap * sizeof *src);
		if (!src)
			return BB_ENOMEM;
		t->src = src;
	}
	t->cap = cap;
	return BB_OK;
}

int bb_text_track(struct bb_text *t)
{
	if (t->src)
		return BB_OK;
	size_t cap = t->cap ? t->cap : 64;
	t->src = calloc(cap, sizeof *t->src);
	if (!t->src)
		return BB_ENOMEM;
	if (!t->cap) {
		t->s = calloc(cap, 1);
		if (!t->s) {
			free(t->src);
			t->src = NULL;
			return BB_ENOMEM;
		}
		t->cap = cap;
	}
	return BB_OK;
}

int bb_text_add(struct bb_text *t, const char *bytes, size_t n, struct bb_span from)
{
	if (grow(t, n) != BB_OK)
		return BB_ENOMEM;
	memcpy(t->s + t->len, bytes, n);
	if (t->src)
		for (size_t i = 0; i < n; i++)
			t->src[t->len + i] = from;
	t->len += n;
	t->s[t->len] = '\0';
	return BB_OK;
}

int bb_text_addc(struct bb_text *t, const char *cstr, struct bb_span from)
{
	return bb_text_add(t, cstr, strlen(cstr), from);
}

struct bb_span bb_text_span(const struct bb_text *t, size_t a, size_t b)
{
	struct bb_span sp = {0, 0};
	if (!t->src || a >= b || b > t->len)
		return sp;
	sp = t->src[a];
	for (size_t i = a + 1; i < b; i++) {
		if (t->src[i].start < sp.start)
			sp.start = t->src[i].start;
		if (t->src[i].end > sp.end)
			sp.end = t->src[i].end;
	}
	return sp;
}

size_t bb_utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	*cp = 0xFFFD;
	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2, c = u[0] & 0x1F, min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3, c = u[0] & 0x0F, min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3F);
	}
	/* overlong forms, surrogates and values past Unicode are not UTF-8 */
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t bb_utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t bb_utf8_check(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		if (!l)
			return i;
		i += l;
	}
	return n;
}

int bb_is_hanzi(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x3134F) || (cp >= 0xF900 && cp <= 0xFAFF);
}

void bb_xml_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n')
				fputc(*s, f);
		}
	}
}
