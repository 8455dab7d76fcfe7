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

/* Unspoken text joined to the sentence before it, at most (more is dropped: it says nothing,
 * and joining without a bound would make a line of marks quadratic). */
#define STRAY_MAX_BYTES 32

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
		if (b - a > STRAY_MAX_BYTES || plen > 4 * BB_SENTENCE_MAX_CHARS + STRAY_MAX_BYTES)
			return BB_OK;
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

/* Where a long piece may break: the byte offset of each character and the characters that
 * follow a clause mark, all found in one pass so that breaking stays linear. */
struct breaks {
	size_t *at;      /* at[k]: offset of character k; at[chars] is the end */
	size_t chars;
	size_t *clause;  /* ascending character indexes k (0 < k < chars) after a clause mark */
	size_t nclause;
};

static int find_breaks(struct breaks *br, const struct bb_text *t, size_t a, size_t b,
		       size_t chars)
{
	br->chars = chars;
	br->nclause = 0;
	br->at = malloc((chars + 1) * sizeof *br->at);
	br->clause = malloc((chars + 1) * sizeof *br->clause);
	if (!br->at || !br->clause)
		return BB_ENOMEM;
	size_t k = 0;
	for (size_t i = a; i < b; k++) {
		uint32_t cp;
		br->at[k] = i;
		i += cp_at(t, i, &cp);
		if (is_clause(cp) && i < b)
			br->clause[br->nclause++] = k + 1;
	}
	br->at[k] = b;
	return BB_OK;
}

/* The clause break in characters (lo, hi) nearest their middle (the earlier of two as near),
 * or 0 when there is none. */
static size_t clause_near_middle(const struct breaks *br, size_t lo, size_t hi)
{
	size_t middle = lo + (hi - lo) / 2 + 1, l = 0, r = br->nclause;
	while (l < r) { /* the first break at or after the middle */
		size_t m = l + (r - l) / 2;
		if (br->clause[m] < middle)
			l = m + 1;
		else
			r = m;
	}
	size_t after = l < br->nclause && br->clause[l] < hi ? br->clause[l] : 0;
	size_t before = l > 0 && br->clause[l - 1] > lo ? br->clause[l - 1] : 0;
	if (before && (!after || middle - before <= after - middle))
		return before;
	return after;
}

/* Breaks characters [lo, hi) that hold no clause mark into pieces of at most
 * BB_SENTENCE_MAX_CHARS, of even length, after a space when one is near (Latin words). */
static int emit_hard(struct sentences *out, const struct bb_text *t, const struct breaks *br,
		     size_t lo, size_t hi, enum bb_kind kind, size_t paragraph, size_t first)
{
	int rc = BB_OK;
	while (rc == BB_OK && hi - lo > BB_SENTENCE_MAX_CHARS) {
		size_t pieces = (hi - lo + BB_SENTENCE_MAX_CHARS - 1) / BB_SENTENCE_MAX_CHARS;
		size_t cut = lo + (hi - lo + pieces - 1) / pieces;
		for (size_t k = cut; k > cut - BB_SENTENCE_MAX_CHARS / 4; k--) {
			if (t->s[br->at[k] - 1] == ' ') {
				cut = k;
				break;
			}
		}
		rc = emit(out, t, br->at[lo], br->at[cut], kind, paragraph, first);
		lo = cut;
	}
	return rc ? rc : emit(out, t, br->at[lo], br->at[hi], kind, paragraph, first);
}

/* Emits [a, b), breaking it at the clause mark nearest its middle while it is too long, and
 * anywhere between characters when a part too long has no clause mark: nothing longer than
 * BB_SENTENCE_MAX_CHARS reaches the synthesizer. */
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
	struct breaks br;
	int rc = find_breaks(&br, t, a, b, chars);
	/* parts still to emit, the next one on top; their ends are distinct clause breaks */
	struct part {
		size_t lo, hi;
	} *stack = rc ? NULL : malloc((br.nclause + 1) * sizeof *stack);
	size_t depth = 0;
	if (stack)
		stack[depth++] = (struct part){0, chars};
	else
		rc = BB_ENOMEM;
	while (rc == BB_OK && depth > 0) {
		struct part p = stack[--depth];
		size_t cut = 0;
		if (p.hi - p.lo > BB_SENTENCE_MAX_CHARS)
			cut = clause_near_middle(&br, p.lo, p.hi);
		if (cut) {
			stack[depth++] = (struct part){cut, p.hi};
			stack[depth++] = (struct part){p.lo, cut};
		} else {
			rc = emit_hard(out, t, &br, p.lo, p.hi, kind, paragraph, first);
		}
	}
	free(stack);
	free(br.at);
	free(br.clause);
	return rc;
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
