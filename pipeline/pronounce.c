/* The pronounce stage: one sentence's spoken text -> units with the readings to synthesize.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hanzi runs are segmented into words (most probable path through the lexicon's words,
 * jieba-style), each word gives its characters their readings, and 一/不 change tone by the
 * next syllable. Latin runs go to the English voice (acronyms spelled as letters); pause
 * marks are kept as full-width marks; other symbols become silent fallback units. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"
#include "lexicon.h"

/* One code point of the sentence. */
struct cp {
	uint32_t c;
	size_t off, len;
};

struct units {
	struct bb_unit *v;
	size_t n, cap;
};

static struct bb_unit *unit_new(struct units *u)
{
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 32;
		struct bb_unit *v = realloc(u->v, cap * sizeof *v);
		if (!v)
			return NULL;
		u->v = v;
		u->cap = cap;
	}
	struct bb_unit *x = &u->v[u->n++];
	memset(x, 0, sizeof *x);
	return x;
}

static void copy_field(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- pause marks ---- */

/* Marks that make a pause, and what is sent for them; marks not listed (quotes, brackets,
 * book-title marks) are dropped silently. */
static const struct {
	uint32_t c;
	const char *mark;
} pauses[] = {
	{0xFF0C, "，"}, {0x3002, "。"}, {0xFF01, "！"}, {0xFF1F, "？"}, {0xFF1B, "；"},
	{0xFF1A, "："}, {0x3001, "、"}, {',', "，"}, {'.', "。"}, {'!', "！"}, {'?', "？"},
	{';', "；"}, {':', "："}, {0x2026, "，"}, {0x2014, "，"}, {0x2013, "，"}, {0xFF0E, "。"},
	{0xFF5E, "，"}, {0x00B7, "、"}, {0x30FB, "、"},
};

static const char *pause_mark(uint32_t c)
{
	for (size_t i = 0; i < sizeof pauses / sizeof pauses[0]; i++)
		if (pauses[i].c == c)
			return pauses[i].mark;
	return NULL;
}

/* Characters that are neither read nor shown: spacing, quotes, brackets, invisible marks. */
static int silent(uint32_t c)
{
	static const uint32_t marks[] = {
		'"', '\'', '(', ')', '[', ']', '{', '}', '<', '>', '`', 0x201C, 0x201D, 0x2018,
		0x2019, 0x300C, 0x300D, 0x300E, 0x300F, 0x300A, 0x300B, 0x3008, 0x3009, 0xFF08,
		0xFF09, 0x3010, 0x3011, 0xFF3B, 0xFF3D, 0xFF5B, 0xFF5D, 0x3014, 0x3015, 0x3016,
		0x3017, 0xFF02, 0xFF07, 0xFEFF, 0x3000, '*', '_', '#', '|', '\\', '/', 0xFF0F,
	};
	if (c <= ' ' || c == 0x7F || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F) ||
	    (c >= 0xE0100 && c <= 0xE01EF) || c == 0x2060)
		return 1;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++)
		if (marks[i] == c)
			return 1;
	return 0;
}

static int add_pause(struct units *u, const char *text, size_t n, const char *mark)
{
	if (u->n && u->v[u->n - 1].lang == BB_PUNCT)
		return BB_OK; /* one pause for a run of marks */
	if (!u->n)
		return BB_OK; /* nothing to pause after */
	struct bb_unit *x = unit_new(u);
	if (!x)
		return BB_ENOMEM;
	copy_field(x->text, sizeof x->text, text, n);
	copy_field(x->reading, sizeof x->reading, mark, strlen(mark));
	x->lang = BB_PUNCT;
	return BB_OK;
}

/* ---- Latin runs ---- */

static int is_latin(uint32_t c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Upper-case words that eSpeak's English voice reads as words; other capitals are spelled. */
static const char *const acronym_words[] = {
	"NASA", "NATO", "OPEC", "APEC", "COVID", "UNESCO", "UNICEF", "ASEAN", "FIFA", "SARS",
	"MERS", "AIDS", "NASDAQ", "LASIK", "RAM", "ROM", "LAN", "PIN", "SIM", "OK",
};

static int read_as_word(const char *w, size_t n)
{
	for (size_t i = 0; i < sizeof acronym_words / sizeof acronym_words[0]; i++)
		if (strlen(acronym_words[i]) == n && memcmp(acronym_words[i], w, n) == 0)
			return 1;
	return 0;
}

/* Appends the English voice's text for one word: capitals spelled "G.D.P.", words as is. */
static void english_word(const char *w, size_t n, char *out, size_t size, size_t *len)
{
	int caps = n <= 8;
	for (size_t i = 0; i < n; i++)
		if (!(w[i] >= 'A' && w[i] <= 'Z'))
			caps = 0;
	if (*len && *len + 1 < size)
		out[(*len)++] = ' ';
	for (size_t i = 0; i < n && *len + 2 < size; i++) {
		out[(*len)++] = w[i];
		if (caps && !read_as_word(w, n))
			out[(*len)++] = '.';
	}
	out[*len] = '\0';
}

/* Adds one Latin run [a, b) of the sentence as one or more English units (a unit holds up
 * to 63 bytes: longer runs are cut between words). */
static int add_latin(struct units *u, const char *s, size_t a, size_t b)
{
	while (a < b) {
		size_t end = b;
		if (end - a > 40) {
			end = a + 40;
			while (end > a && s[end] != ' ')
				end--;
			if (end == a)
				end = a + 40;
		}
		struct bb_unit *x = unit_new(u);
		if (!x)
			return BB_ENOMEM;
		copy_field(x->text, sizeof x->text, s + a, end - a);
		x->lang = BB_EN;
		size_t len = 0;
		for (size_t i = a; i < end;) {
			size_t j = i;
			while (j < end && s[j] != ' ' && s[j] != '-')
				j++;
			if (j > i)
				english_word(s + i, j - i, x->reading, sizeof x->reading, &len);
			i = j + 1;
		}
		a = end;
		while (a < b && s[a] == ' ')
			a++;
	}
	return BB_OK;
}

/* End of the Latin run starting at cps[i]: letters and digits, with single spaces, hyphens,
 * apostrophes, dots and ampersands inside. */
static size_t latin_end(const struct cp *cps, size_t n, size_t i)
{
	while (i < n) {
		if (is_latin(cps[i].c)) {
			i++;
			continue;
		}
		uint32_t c = cps[i].c;
		if ((c == ' ' || c == '-' || c == '\'' || c == '.' || c == '&') && i + 1 < n &&
		    is_latin(cps[i + 1].c) && i > 0 && is_latin(cps[i - 1].c)) {
			i++;
			continue;
		}
		break;
	}
	return i;
}

/* ---- hanzi runs ---- */

/* Words found in the run: best[i] is the best log probability of cps[i..n), len[i] the
 * characters of the first word on that path. */
static int segment(const struct bb_lexicon *lex, const char *s, const struct cp *cps, size_t n,
		   size_t *wlen)
{
	double *best = malloc((n + 1) * sizeof *best);
	if (!best)
		return BB_ENOMEM;
	double logt = lex_log_total(lex);
	size_t maxc = lex_max_chars(lex);
	best[n] = 0;
	for (size_t i = n; i-- > 0;) {
		best[i] = -INFINITY;
		wlen[i] = 1;
		for (size_t k = 1; k <= maxc && i + k <= n; k++) {
			struct lex_word w;
			size_t a = cps[i].off, b = cps[i + k - 1].off + cps[i + k - 1].len;
			double lp;
			if (lex_find(lex, s + a, b - a, &w))
				lp = log((double)w.freq + 1) - logt;
			else if (k == 1)
				lp = -logt; /* a character the lexicon lacks */
			else
				continue;
			if (lp + best[i + k] > best[i]) {
				best[i] = lp + best[i + k];
				wlen[i] = k;
			}
		}
	}
	free(best);
	return BB_OK;
}

/* The k-th syllable of a reading, copied into out. */
static void nth_syllable(const char *r, size_t rn, size_t k, char *out, size_t size)
{
	size_t i = 0;
	while (k && i < rn) {
		if (r[i++] == ' ')
			k--;
	}
	size_t j = i;
	while (j < rn && r[j] != ' ')
		j++;
	copy_field(out, size, r + i, j - i);
}

/* Per-unit facts the tone rules need. */
struct hz {
	uint32_t c;
	size_t word_pos, word_len; /* position in its word, and the word's length */
	unsigned lex_flags;
};

static int tone_of(const char *reading)
{
	size_t n = strlen(reading);
	return n && reading[n - 1] >= '1' && reading[n - 1] <= '5' ? reading[n - 1] - '0' : 0;
}

static int is_numeral(uint32_t c)
{
	static const char *const digits = "零〇一二三四五六七八九十百千万亿两";
	char buf[4];
	size_t n = bb_utf8_encode(c, buf);
	for (const char *p = digits; *p; p += 3)
		if (memcmp(p, buf, n) == 0 && n == 3)
			return 1;
	return 0;
}

static int is_digit_numeral(uint32_t c)
{
	return c == 0x96F6 || c == 0x3007 || c == 0x4E00 || c == 0x4E8C || c == 0x4E09 ||
	       c == 0x56DB || c == 0x4E94 || c == 0x516D || c == 0x4E03 || c == 0x516B ||
	       c == 0x4E5D;
}

/* Whether 一 at i is an ordinal or part of a number, read yi1 whatever follows:
 * 第一, 十一, 一九八四, 一月, 五月一日. */
static int yi_ordinal(const struct hz *h, size_t n, size_t i)
{
	uint32_t prev = i ? h[i - 1].c : 0, next = i + 1 < n ? h[i + 1].c : 0;
	if (prev == 0x7B2C || is_numeral(prev) || is_digit_numeral(next))
		return 1;
	if (next == 0x6708) /* 一月 (January) */
		return 1;
	if ((next == 0x65E5 || next == 0x53F7) && prev == 0x6708) /* 月一日, 月一号 */
		return 1;
	return 0;
}

/* 一 and 不 before another syllable of the same phrase: 一 yi2 before a fourth tone, yi4
 * before the others; 不 bu2 before a fourth tone. Readings the lexicon gives a whole word
 * are kept, except for words whose readings were guessed. */
static void tone_changes(struct bb_unit *u, const struct hz *h, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		int yi = h[i].c == 0x4E00, bu = h[i].c == 0x4E0D;
		if (!yi && !bu)
			continue;
		if (yi && yi_ordinal(h, n, i) && !(h[i].lex_flags & LEX_USER)) {
			strcpy(u[i].reading, "yi1");
			continue;
		}
		int from_word = h[i].word_len > 1 && !(h[i].lex_flags & LEX_DERIVED);
		int last_in_word = h[i].word_pos + 1 == h[i].word_len && h[i].word_len > 1;
		if (from_word || last_in_word || (h[i].lex_flags & LEX_USER))
			continue;
		if (yi && strcmp(u[i].reading, "yi1") != 0)
			continue;
		if (bu && strcmp(u[i].reading, "bu4") != 0)
			continue;
		int next = tone_of(u[i + 1].reading);
		if (!next)
			continue;
		if (yi)
			strcpy(u[i].reading, next == 4 || next == 5 ? "yi2" : "yi4");
		else if (next == 4)
			strcpy(u[i].reading, "bu2");
	}
	for (size_t i = 0; i < n; i++)
		if ((h[i].c == 0x4E00 && strcmp(u[i].reading, "yi1") != 0) ||
		    (h[i].c == 0x4E0D && strcmp(u[i].reading, "bu4") != 0))
			u[i].flags |= BB_UNIT_SANDHI;
}

static int add_hanzi_run(struct units *u, const struct bb_lexicon *lex, const char *s,
			 const struct cp *cps, size_t n)
{
	size_t *wlen = malloc(n * sizeof *wlen);
	struct hz *h = calloc(n, sizeof *h);
	int rc = wlen && h ? segment(lex, s, cps, n, wlen) : BB_ENOMEM;
	size_t first = u->n;
	for (size_t i = 0; rc == BB_OK && i < n; i += wlen[i]) {
		size_t k = wlen[i], a = cps[i].off, b = cps[i + k - 1].off + cps[i + k - 1].len;
		struct lex_word w;
		int found = lex_find(lex, s + a, b - a, &w);
		for (size_t j = 0; j < k; j++) {
			struct bb_unit *x = unit_new(u);
			if (!x) {
				rc = BB_ENOMEM;
				break;
			}
			copy_field(x->text, sizeof x->text, s + cps[i + j].off, cps[i + j].len);
			x->lang = BB_ZH;
			h[i + j].c = cps[i + j].c;
			h[i + j].word_pos = j;
			h[i + j].word_len = k;
			h[i + j].lex_flags = found ? w.flags : 0;
			if (!found) {
				x->flags |= BB_UNIT_FALLBACK; /* unknown character: silent */
				continue;
			}
			nth_syllable(w.reading, w.reading_len, j, x->reading, sizeof x->reading);
			if (w.flags & LEX_USER)
				x->flags |= BB_UNIT_USER;
			if (k == 1 && (w.flags & LEX_POLY))
				x->flags |= BB_UNIT_FALLBACK; /* a polyphone read by its usual reading */
		}
	}
	if (rc == BB_OK)
		tone_changes(u->v + first, h, n);
	free(wlen);
	free(h);
	return rc;
}

/* ---- the stage ---- */

static int decode_all(const char *s, struct cp **out, size_t *n)
{
	size_t len = strlen(s), count = 0;
	struct cp *cps = malloc((len + 1) * sizeof *cps);
	if (!cps)
		return BB_ENOMEM;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		size_t l = bb_utf8_decode(s + i, len - i, &c);
		if (!l)
			l = 1; /* a stray byte: U+FFFD, shown as a fallback */
		cps[count].c = c;
		cps[count].off = i;
		cps[count].len = l;
		count++;
		i += l;
	}
	*out = cps;
	*n = count;
	return BB_OK;
}

static int add_other(struct units *u, const char *s, const struct cp *c)
{
	struct bb_unit *x = unit_new(u);
	if (!x)
		return BB_ENOMEM;
	if (c->c == 0xFFFD)
		copy_field(x->text, sizeof x->text, "\xEF\xBF\xBD", 3);
	else
		copy_field(x->text, sizeof x->text, s + c->off, c->len);
	x->lang = BB_ZH;
	x->flags = BB_UNIT_FALLBACK; /* reading "": not said */
	return BB_OK;
}

int bb_pronounce(struct bb_sentence *s, const struct bb_lexicon *lex, struct bb_error *err)
{
	struct units u = {0};
	struct cp *cps = NULL;
	size_t n = 0;
	const char *text = s->spoken ? s->spoken : "";
	int rc = decode_all(text, &cps, &n);
	for (size_t i = 0; rc == BB_OK && i < n;) {
		uint32_t c = cps[i].c;
		const char *mark;
		size_t j = i + 1;
		if (bb_is_hanzi(c)) {
			while (j < n && bb_is_hanzi(cps[j].c))
				j++;
			rc = add_hanzi_run(&u, lex, text, cps + i, j - i);
		} else if (is_latin(c)) {
			j = latin_end(cps, n, i);
			rc = add_latin(&u, text, cps[i].off, cps[j - 1].off + cps[j - 1].len);
		} else if ((mark = pause_mark(c))) {
			rc = add_pause(&u, text + cps[i].off, cps[i].len, mark);
		} else if (!silent(c)) {
			rc = add_other(&u, text, &cps[i]);
		}
		i = j;
	}
	free(cps);
	if (rc != BB_OK) {
		free(u.v);
		return bb_fail(err, rc, "out of memory");
	}
	free(s->units);
	s->units = u.v;
	s->nunits = u.n;
	return BB_OK;
}
