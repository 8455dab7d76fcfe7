/* split: a block's spoken text -> sentences, long ones broken at clauses. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

static int is_final(uint32_t cp)
{
	return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF1B || cp == 0x2026 ||
	       cp == '!' || cp == '?' || cp == ';';
}

static int is_closer(uint32_t cp)
{
	return cp == 0x201D || cp == 0x2019 || cp == 0x300D || cp == 0x300F || cp == 0xFF09 ||
	       cp == 0x300B || cp == 0x3011 || cp == ')' || cp == '"' || cp == '\'';
}

static int is_clause(uint32_t cp)
{
	return cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1A || cp == ',' || cp == ':';
}

/* Something a listener hears: a hanzi or a Latin letter. */
static int is_spoken(uint32_t cp)
{
	return bb_is_hanzi(cp) || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z');
}

static size_t cp_at(const struct bb_text *t, size_t i, uint32_t *cp)
{
	size_t l = bb_utf8_decode(t->s + i, t->len - i, cp);
	return l ? l : 1;
}

struct sentences {
	struct bb_sentence **list;
	size_t *n, *cap;
};

/* Appends bytes [a, b) of t as one sentence, or to the previous one when nothing in them
 * is spoken (a stray quote or bracket). */
static int emit(struct sentences *out, const struct bb_text *t, size_t a, size_t b,
		enum bb_kind kind, size_t paragraph, size_t first_of_block)
{
	while (a < b && t->s[a] == ' ')
		a++;
	while (b > a && t->s[b - 1] == ' ')
		b--;
	if (a == b)
		return BB_OK;
	int spoken = 0;
	for (size_t i = a; i < b && !spoken;) {
		uint32_t cp;
		i += cp_at(t, i, &cp);
		spoken = is_spoken(cp);
	}
	struct bb_span span = bb_text_span(t, a, b);
	if (!spoken && *out->n > first_of_block) {
		struct bb_sentence *prev = &(*out->list)[*out->n - 1];
		size_t plen = strlen(prev->spoken);
		char *s = realloc(prev->spoken, plen + (b - a) + 1);
		if (!s)
			return BB_ENOMEM;
		memcpy(s + plen, t->s + a, b - a);
		s[plen + (b - a)] = '\0';
		prev->spoken = s;
		if (span.end > prev->orig.end)
			prev->orig.end = span.end;
		return BB_OK;
	}
	if (!spoken)
		return BB_OK;
	if (*out->n == *out->cap) {
		size_t ncap = *out->cap ? *out->cap * 2 : 64;
		struct bb_sentence *l = realloc(*out->list, ncap * sizeof *l);
		if (!l)
			return BB_ENOMEM;
		*out->list = l;
		*out->cap = ncap;
	}
	struct bb_sentence *s = &(*out->list)[*out->n];
	memset(s, 0, sizeof *s);
	s->spoken = strndup(t->s + a, b - a);
	if (!s->spoken)
		return BB_ENOMEM;
	s->kind = kind;
	s->paragraph = paragraph;
	s->orig = span;
	(*out->n)++;
	return BB_OK;
}

/* Emits [a, b), breaking it at the clause mark nearest its middle while it is too long. */
static int emit_broken(struct sentences *out, const struct bb_text *t, size_t a, size_t b,
		       enum bb_kind kind, size_t paragraph, size_t first)
{
	size_t chars = 0;
	for (size_t i = a; i < b; chars++) {
		uint32_t cp;
		i += cp_at(t, i, &cp);
	}
	if (chars <= BB_SENTENCE_MAX_CHARS)
		return emit(out, t, a, b, kind, paragraph, first);
	size_t middle = chars / 2, best = 0, best_dist = (size_t)-1, k = 0;
	for (size_t i = a; i < b; k++) {
		uint32_t cp;
		i += cp_at(t, i, &cp);
		size_t dist = k > middle ? k - middle : middle - k;
		if (is_clause(cp) && i < b && dist < best_dist) {
			best = i;
			best_dist = dist;
		}
	}
	if (!best)
		return emit(out, t, a, b, kind, paragraph, first);
	int rc = emit_broken(out, t, a, best, kind, paragraph, first);
	return rc ? rc : emit_broken(out, t, best, b, kind, paragraph, first);
}

int bb_split(const struct bb_text *spoken, enum bb_kind kind, size_t paragraph,
	     struct bb_sentence **list, size_t *n, size_t *cap, struct bb_error *err)
{
	struct sentences out = {list, n, cap};
	size_t first = *n, start = 0, i = 0;
	int rc = BB_OK;
	while (i < spoken->len && rc == BB_OK) {
		uint32_t cp;
		i += cp_at(spoken, i, &cp);
		if (!is_final(cp))
			continue;
		/* a run of final marks, then closing quotes and brackets, stays with the sentence */
		size_t j = i;
		while (j < spoken->len) {
			size_t l = cp_at(spoken, j, &cp);
			if (!is_final(cp) && !is_closer(cp))
				break;
			j += l;
		}
		rc = emit_broken(&out, spoken, start, j, kind, paragraph, first);
		start = i = j;
	}
	if (rc == BB_OK && start < spoken->len)
		rc = emit_broken(&out, spoken, start, spoken->len, kind, paragraph, first);
	return rc ? bb_fail(err, rc, "out of memory") : BB_OK;
}
