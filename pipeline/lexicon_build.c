/* Compiles lexicon.bin from open data: jieba's word frequencies, Rime terra_pinyin readings
 * (and their OpenCC t2s conversion), and bobao's own corrections. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   lexicon_build [--audit FILE REVIEWED REFERENCE|-] OUT JIEBA_DICT TERRA_DICT
 *                 TERRA_SIMPLIFIED TERRA_BACK CHARS CHARS_T2S CHARS_HK2S CHARS_TW2S
 *                 MAINLAND [EXTRA...]
 *   lexicon_build --chars      (prints the CJK characters, one a line, for CHARS)
 *
 * JIEBA_DICT: "word freq pos" lines (simplified). TERRA_DICT: terra_pinyin.dict.yaml
 * (traditional, "word TAB reading [TAB weight%]"); TERRA_SIMPLIFIED: the same file through
 * `opencc -c t2s.json`, line for line; TERRA_BACK: that
 * through `opencc -c s2t.json` (to know a simplified character's usual traditional form).
 * CHARS: every CJK character one a line, and the same through opencc's t2s, hk2s and tw2s:
 * the character map that folds traditional text to simplified at reading time. MAINLAND:
 * pinyin-data's mainland readings of each character (go-pinyin's pinyin_dict.go): a syllable
 * of a terra word that is none of its character's mainland readings is changed to the one
 * with the same letters (研究 jiu4 -> jiu1), or the character's only one; --audit FILE lists
 * the words still holding such a syllable, and the neutral tones where bobao and REFERENCE
 * disagree, less those the REVIEWED list explains (make audit-readings; OUT "-" writes no
 * lexicon). EXTRA: "word TAB reading [TAB freq]" lines that replace every other reading of
 * that word (bobao's mainland news corrections); EXTRA lines "@字 TAB taiwan TAB mainland"
 * change that syllable of the traditional character 字 in every terra entry (髮 fa3 -> fa4),
 * for Taiwan readings that Putonghua does not have;
 * lines "%字 TAB reading" give 字's reading as a measure word after numerals (两只 zhi1);
 * lines "^word TAB reading" the reading of a word written in traditional characters, for
 * traditional text only (著 zhe5, where simplified 著 is zhu4);
 * lines "&字 TAB reading" its reading as a surname, in three-character names and before a
 * title (曾国藩, 仇先生); "&字 TAB reading TAB detected" only where pronounce's name detector
 * finds a name and before a title, for surnames whose jieba "names" are mostly words
 * (过小年, 蔚蓝色, 薄荷糖);
 * lines "=word TAB reading" a mainland reading of the word (pinyin-pro's, build/mainland_words.txt)
 * that wins over terra's where a syllable differs (see apply_mainland_words).
 *
 * Readings: a word keeps its terra reading (the most likely one when terra lists several);
 * a character's default is its most common reading (terra's percentage, else the reading
 * its words use most, weighted by jieba frequency); a jieba word terra lacks gets, for each
 * character, the reading that terra's words with the same neighbouring character use.
 * Traditional text is read through its simplified form, character by character; terra's
 * traditional words that would read otherwise that way (t2s merges 髮 fa4 and 發 fa1 into
 * 发; 乾隆 is no 干隆) are stored as written, under LEX_TRAD_KEY. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"
#include "lexicon.h"

struct cand {
	char *reading;
	double pct;   /* terra's percentage, -1 when not given */
	int forced;   /* from an EXTRA file */
	int order;
	int main;     /* its traditional form is the usual one for the simplified word */
};

struct word {
	char *text;
	size_t len, nchars;
	uint32_t freq;
	int in_jieba;
	struct cand *cands;
	size_t ncands, capcands;
	char *reading; /* chosen */
	unsigned flags;
	enum lex_pos pos; /* jieba's part of speech, coarsened */
	char *simp; /* a traditional word's: terra's simplified conversion */
	char *was; /* its reading before mainland_default changed a syllable (the audit) */
};

/* A string-keyed hash map to indices (words) or to weights (votes). */
struct map {
	char **keys;
	size_t *vals;
	double *weights;
	size_t n, cap;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q) {
		fprintf(stderr, "lexicon_build: out of memory\n");
		exit(71);
	}
	return q;
}

static char *xstrndup(const char *s, size_t n)
{
	char *d = xrealloc(NULL, n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static size_t map_slot(const struct map *m, const char *key, size_t n)
{
	size_t i = lex_hash(key, n) & (m->cap - 1);
	while (m->keys[i] && (strlen(m->keys[i]) != n || memcmp(m->keys[i], key, n) != 0))
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void map_grow(struct map *m)
{
	struct map old = *m;
	m->cap = old.cap ? old.cap * 2 : 1024;
	m->keys = calloc(m->cap, sizeof *m->keys);
	m->vals = calloc(m->cap, sizeof *m->vals);
	m->weights = calloc(m->cap, sizeof *m->weights);
	if (!m->keys || !m->vals || !m->weights)
		xrealloc(NULL, (size_t)-1);
	for (size_t i = 0; i < old.cap; i++) {
		if (!old.keys[i])
			continue;
		size_t j = map_slot(m, old.keys[i], strlen(old.keys[i]));
		m->keys[j] = old.keys[i];
		m->vals[j] = old.vals[i];
		m->weights[j] = old.weights[i];
	}
	free(old.keys);
	free(old.vals);
	free(old.weights);
}

/* The slot of key, created (value 0, weight 0) when absent; *created tells which. */
static size_t map_get(struct map *m, const char *key, size_t n, int *created)
{
	if ((m->n + 1) * 2 > m->cap)
		map_grow(m);
	size_t i = map_slot(m, key, n);
	*created = !m->keys[i];
	if (*created) {
		m->keys[i] = xstrndup(key, n);
		m->n++;
	}
	return i;
}

static int map_find(const struct map *m, const char *key, size_t n, size_t *slot)
{
	if (!m->cap)
		return 0;
	*slot = map_slot(m, key, n);
	return m->keys[*slot] != NULL;
}

static void map_add(struct map *m, const char *key, double w)
{
	int created;
	size_t i = map_get(m, key, strlen(key), &created);
	m->weights[i] += w;
}

static void map_free(struct map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->vals);
	free(m->weights);
	*m = (struct map){0};
}

static double map_weight(const struct map *m, const char *key)
{
	size_t i;
	return map_find(m, key, strlen(key), &i) ? m->weights[i] : 0;
}

static struct word *words;
static size_t nwords, capwords;
static struct map word_index;

/* Number of characters when s is all hanzi, else 0. */
static size_t hanzi_count(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		if (!l || !bb_is_hanzi(cp))
			return 0;
		i += l;
		count++;
	}
	return count;
}

/* The entry for text in a word list indexed by index, created (zeroed) when new. */
static struct word *list_get(struct map *index, struct word **list, size_t *n, size_t *cap,
			     const char *text, size_t len)
{
	int created;
	size_t slot = map_get(index, text, len, &created);
	if (created) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4096;
			*list = xrealloc(*list, *cap * sizeof **list);
		}
		struct word *w = &(*list)[*n];
		memset(w, 0, sizeof *w);
		w->text = index->keys[slot];
		w->len = len;
		w->nchars = hanzi_count(text, len);
		index->vals[slot] = (*n)++;
	}
	return &(*list)[index->vals[slot]];
}

static struct word *word_get(const char *text, size_t n)
{
	return list_get(&word_index, &words, &nwords, &capwords, text, n);
}

static struct word *word_find(const char *text, size_t n)
{
	size_t slot;
	return map_find(&word_index, text, n, &slot) ? &words[word_index.vals[slot]] : NULL;
}

/* Normalizes a reading in place to lowercase syllables with tone digits 1-5 separated by
 * one space ("u:" and "ü" become v, terra's erhua "r5" er5); returns its syllable count, 0
 * when malformed. */
static size_t normalize_reading(char *r)
{
	char buf[1024];
	char *o = buf;
	size_t count = 0;
	if (strlen(r) >= sizeof buf / 2)
		return 0;
	for (const char *p = r; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (count)
			*o++ = ' ';
		size_t letters = 0;
		while (*p && *p != ' ') {
			if (p[0] == 'u' && p[1] == ':') {
				*o++ = 'v', p += 2, letters++;
			} else if ((unsigned char)p[0] == 0xC3 && (unsigned char)p[1] == 0xBC) {
				*o++ = 'v', p += 2, letters++;
			} else if (isalpha((unsigned char)*p) && letters < 6) {
				*o++ = (char)tolower((unsigned char)*p++), letters++;
			} else if (*p >= '1' && *p <= '5' && letters && (p[1] == ' ' || !p[1])) {
				if (letters == 1 && o[-1] == 'r') /* terra's erhua "r5": er5 */
					o[-1] = 'e', *o++ = 'r';
				*o++ = *p++;
				letters = 99;
			} else {
				return 0;
			}
		}
		if (letters != 99)
			return 0;
		count++;
	}
	*o = '\0';
	strcpy(r, buf);
	return count;
}

static void add_cand(struct word *w, const char *reading, double pct, int forced, int main_form)
{
	for (size_t i = 0; i < w->ncands; i++)
		if (strcmp(w->cands[i].reading, reading) == 0) {
			if (main_form && !w->cands[i].main)
				w->cands[i].pct = pct;
			else if (main_form == w->cands[i].main && pct > w->cands[i].pct)
				w->cands[i].pct = pct;
			w->cands[i].main |= main_form;
			return;
		}
	if (w->ncands == w->capcands) {
		w->capcands = w->capcands ? w->capcands * 2 : 2;
		w->cands = xrealloc(w->cands, w->capcands * sizeof *w->cands);
	}
	struct cand c = {xstrndup(reading, strlen(reading)), pct, forced, (int)w->ncands, main_form};
	w->cands[w->ncands++] = c;
}

static FILE *open_or_die(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		exit(66);
	}
	return f;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* jieba's part-of-speech tags by their first letters, longest first. */
static const struct {
	const char *tag;
	enum lex_pos pos;
} pos_tags[] = {
	{"nr", POS_NR}, {"ns", POS_NS}, {"vn", POS_VN}, {"ad", POS_AD}, {"an", POS_N},
	{"n", POS_N}, {"v", POS_V}, {"a", POS_A}, {"d", POS_D}, {"z", POS_Z}, {"m", POS_M},
	{"q", POS_Q}, {"r", POS_R}, {"p", POS_P}, {"c", POS_C}, {"u", POS_U}, {"f", POS_F},
	{"t", POS_T}, {"i", POS_I}, {"l", POS_L},
};

static enum lex_pos pos_of(const char *tag)
{
	if (!tag)
		return POS_NONE;
	for (size_t i = 0; i < sizeof pos_tags / sizeof pos_tags[0]; i++)
		if (strncmp(tag, pos_tags[i].tag, strlen(pos_tags[i].tag)) == 0)
			return pos_tags[i].pos;
	return POS_OTHER;
}

static void load_jieba(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		char *sp = strchr(line, ' ');
		if (!sp)
			continue;
		size_t n = (size_t)(sp - line);
		if (!hanzi_count(line, n) || hanzi_count(line, n) > LEX_MAX_CHARS || n > 255)
			continue;
		struct word *w = word_get(line, n);
		unsigned long freq = strtoul(sp + 1, NULL, 10);
		w->freq = freq > 0xFFFFFFF ? 0xFFFFFFF : (uint32_t)freq;
		w->in_jieba = 1;
		char *tag = strchr(sp + 1, ' ');
		w->pos = pos_of(tag ? tag + 1 : NULL);
	}
	fclose(f);
}

/* Splits "word TAB reading [TAB more]" in place; 0 when the line is not an entry. */
static int split_entry(char *line, char **word, char **reading, char **more)
{
	chomp(line);
	char *t1 = strchr(line, '\t');
	if (!t1 || line[0] == '#')
		return 0;
	*t1 = '\0';
	*word = line;
	*reading = t1 + 1;
	char *t2 = strchr(*reading, '\t');
	*more = NULL;
	if (t2) {
		*t2 = '\0';
		*more = t2 + 1;
	}
	return 1;
}

static void syllable(const char *r, size_t i, char *out);

/* Taiwan readings of traditional characters and their Putonghua ones ("@" lines). */
struct taiwan {
	char ch[8], from[16], to[16];
};
static struct taiwan *taiwan;
static size_t ntaiwan;

/* Measure words' readings after numerals ("%" lines). */
struct measure {
	char ch[8], reading[16];
	int detected; /* a surname's reading only for the name detector and titles */
};
static struct measure *measures;
static size_t nmeasures;
static struct measure *surnames; /* same shape: character and reading */
static size_t nsurnames;

static void add_measure(const char *path, int lineno, char *w, char *r, const char *more,
			int surname)
{
	struct measure m = {0};
	if (hanzi_count(w, strlen(w)) != 1 || strlen(w) >= sizeof m.ch ||
	    strlen(r) >= sizeof m.reading || normalize_reading(r) != 1 ||
	    (more && !(surname && strcmp(more, "detected") == 0))) {
		fprintf(stderr, "%s:%d: bad %% entry\n", path, lineno);
		exit(78);
	}
	strcpy(m.ch, w);
	strcpy(m.reading, r);
	m.detected = more != NULL;
	if (surname) {
		surnames = xrealloc(surnames, (nsurnames + 1) * sizeof *surnames);
		surnames[nsurnames++] = m;
		return;
	}
	measures = xrealloc(measures, (nmeasures + 1) * sizeof *measures);
	measures[nmeasures++] = m;
}

/* Reads the "@" and "%" lines of an EXTRA file. */
static void load_char_rules(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		char *w, *r, *more;
		if (!strchr("@%&", line[0]) || !line[0] || !split_entry(line + 1, &w, &r, &more))
			continue;
		if (line[0] != '@') {
			add_measure(path, lineno, w, r, more, line[0] == '&');
			continue;
		}
		struct taiwan t;
		if (!more || hanzi_count(w, strlen(w)) != 1 || strlen(w) >= sizeof t.ch ||
		    strlen(r) >= sizeof t.from || strlen(more) >= sizeof t.to ||
		    normalize_reading(r) != 1 || normalize_reading(more) != 1) {
			fprintf(stderr, "%s:%d: bad @ entry\n", path, lineno);
			exit(78);
		}
		strcpy(t.ch, w);
		strcpy(t.from, r);
		strcpy(t.to, more);
		taiwan = xrealloc(taiwan, (ntaiwan + 1) * sizeof *taiwan);
		taiwan[ntaiwan++] = t;
	}
	fclose(f);
}

/* Replaces, in reading r (of the traditional word trad), the Taiwan syllables of the "@"
 * table by their Putonghua ones. */
static void mainland_reading(const char *trad, char *r)
{
	size_t n = strlen(trad);
	if (!ntaiwan || strlen(r) > 900)
		return;
	char out[1024];
	size_t len = 0, k = 0;
	for (size_t i = 0; i < n; k++) {
		uint32_t cp;
		size_t l = bb_utf8_decode(trad + i, n - i, &cp);
		char syl[16];
		syllable(r, k, syl);
		if (!l || !syl[0])
			return; /* not one syllable per character: left as it is */
		const char *pick = syl;
		for (size_t t = 0; t < ntaiwan; t++)
			if (strlen(taiwan[t].ch) == l && memcmp(taiwan[t].ch, trad + i, l) == 0 &&
			    strcmp(taiwan[t].from, syl) == 0)
				pick = taiwan[t].to;
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", pick);
		i += l;
	}
	char rest[16];
	syllable(r, k, rest);
	if (!rest[0] && len < sizeof out)
		strcpy(r, out);
}

/* ---- mainland readings of single characters ---- */

/* Each character's mainland (Putonghua) readings, from pinyin-data's table as go-pinyin ships
 * it (pinyin_dict.go: "0x4E3A: \"wèi,wéi\","), as "wei4 wei2"; indexed by code point. */
#define MAINLAND_MAX 0x32000
static char **mainland;

/* One toned pinyin syllable ("zhuā", "lǘ", "m̀") as letters and a tone digit ("zhua1",
 * "lv2", "m4"; 5 when it has no mark) into out (16 bytes); 0 when malformed. */
static int tone_digits(const char *s, size_t n, char *out)
{
	static const struct {
		uint32_t c;
		char base, tone;
	} marks[] = {
		{0x101, 'a', 1}, {0xE1, 'a', 2}, {0x1CE, 'a', 3}, {0xE0, 'a', 4},
		{0x113, 'e', 1}, {0xE9, 'e', 2}, {0x11B, 'e', 3}, {0xE8, 'e', 4},
		{0x12B, 'i', 1}, {0xED, 'i', 2}, {0x1D0, 'i', 3}, {0xEC, 'i', 4},
		{0x14D, 'o', 1}, {0xF3, 'o', 2}, {0x1D2, 'o', 3}, {0xF2, 'o', 4},
		{0x16B, 'u', 1}, {0xFA, 'u', 2}, {0x1D4, 'u', 3}, {0xF9, 'u', 4},
		{0x1D6, 'v', 1}, {0x1D8, 'v', 2}, {0x1DA, 'v', 3}, {0x1DC, 'v', 4}, {0xFC, 'v', 0},
		{0x144, 'n', 2}, {0x148, 'n', 3}, {0x1F9, 'n', 4}, {0x1E3F, 'm', 2}, {0xEA, 'e', 0},
		{0x1EBF, 'e', 2}, {0x1EC1, 'e', 4}, {0x304, 0, 1}, {0x301, 0, 2}, {0x30C, 0, 3},
		{0x300, 0, 4},
	};
	size_t len = 0;
	int tone = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		size_t l = bb_utf8_decode(s + i, n - i, &c);
		if (!l || len >= 14)
			return 0;
		i += l;
		if (c >= 'a' && c <= 'z') {
			out[len++] = (char)c;
			continue;
		}
		size_t m = 0;
		while (m < sizeof marks / sizeof marks[0] && marks[m].c != c)
			m++;
		if (m == sizeof marks / sizeof marks[0])
			return 0;
		if (marks[m].base)
			out[len++] = marks[m].base;
		if (marks[m].tone)
			tone = marks[m].tone;
	}
	if (!len)
		return 0;
	out[len++] = (char)('0' + (tone ? tone : 5));
	out[len] = '\0';
	return 1;
}

static void load_mainland(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	mainland = calloc(MAINLAND_MAX, sizeof *mainland);
	if (!mainland)
		exit(71);
	while (fgets(line, sizeof line, f)) {
		char *p = strstr(line, "0x"), *q = strchr(line, '"'), *e;
		if (!p || !q || !(e = strchr(q + 1, '"')))
			continue;
		unsigned long c = strtoul(p + 2, NULL, 16);
		if (c >= MAINLAND_MAX)
			continue;
		char out[512];
		size_t len = 0;
		for (char *s = q + 1; s < e;) {
			size_t n = strcspn(s, ",\"");
			char syl[16];
			if (tone_digits(s, n, syl) && len + strlen(syl) + 2 < sizeof out)
				len += (size_t)sprintf(out + len, "%s%s", len ? " " : "", syl);
			s += n + 1;
		}
		if (len)
			mainland[c] = xstrndup(out, len);
	}
	fclose(f);
}

/* The mainland readings of the character at s (n bytes), or NULL. */
static const char *mainland_set(const char *s, size_t n)
{
	uint32_t c;
	if (!mainland || !bb_utf8_decode(s, n, &c) || c >= MAINLAND_MAX)
		return NULL;
	return mainland[c];
}

/* Whether syllable syl is one of set's (its neutral tone counts: 头发 fa5). */
static int set_has(const char *set, const char *syl)
{
	size_t n = strlen(syl);
	for (const char *p = set; *p;) {
		size_t l = strcspn(p, " ");
		if (l == n && memcmp(p, syl, n - 1) == 0 && (p[n - 1] == syl[n - 1] || syl[n - 1] == '5'))
			return 1;
		p += l;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Whether syllable syl is one of set's, tone and all. */
static int set_has_exactly(const char *set, const char *syl)
{
	size_t n = strlen(syl);
	for (const char *p = set; *p;) {
		size_t l = strcspn(p, " ");
		if (l == n && memcmp(p, syl, n) == 0)
			return 1;
		p += l;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* The Putonghua syllable for syl, a character's syllable that is none of its mainland
 * readings set: the reading with the same letters (研究 jiu4 -> jiu1, 综合 zong4 -> zong1),
 * else its only reading; NULL when neither settles it (the audit lists those). */
static const char *putonghua_syllable(const char *set, const char *syl, char *out)
{
	size_t n = strlen(syl) - 1, count = 0;
	const char *only = NULL;
	for (const char *p = set; *p;) {
		size_t l = strcspn(p, " ");
		if (l == n + 1 && memcmp(p, syl, n) == 0) {
			memcpy(out, p, l);
			out[l] = '\0';
			return out;
		}
		only = p;
		count++;
		p += l;
		while (*p == ' ')
			p++;
	}
	if (count != 1)
		return NULL;
	size_t l = strcspn(only, " ");
	memcpy(out, only, l);
	out[l] = '\0';
	return out;
}

/* Changes, in reading r of the simplified word w, every syllable that is none of its
 * character's mainland readings to the Putonghua one (see putonghua_syllable). */
static void putonghua_reading(const char *w, char *r)
{
	char out[1024] = "";
	size_t len = 0, off = 0, nw = strlen(w);
	for (size_t k = 0; off < nw; k++) {
		uint32_t c;
		size_t l = bb_utf8_decode(w + off, nw - off, &c);
		char syl[16], fixed[16];
		syllable(r, k, syl);
		if (!l || !syl[0])
			return;
		const char *set = mainland_set(w + off, l), *p = syl;
		if (set && !set_has(set, syl) && putonghua_syllable(set, syl, fixed))
			p = fixed;
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", p);
		if (len >= sizeof out - 1)
			return;
		off += l;
	}
	strcpy(r, out);
}

/* ---- traditional to simplified, character by character ---- */

struct fold {
	uint32_t from, to;
	int strong;
};
static struct fold *folds;
static size_t nfolds;

/* The code point of a line holding one character; 0 when it holds anything else. */
static uint32_t line_char(char *line)
{
	chomp(line);
	uint32_t cp;
	size_t n = strlen(line), l = bb_utf8_decode(line, n, &cp);
	return l && l == n ? cp : 0;
}

static const struct fold *fold_find(uint32_t c)
{
	size_t lo = 0, hi = nfolds;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (folds[mid].from == c)
			return &folds[mid];
		if (folds[mid].from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static uint32_t fold_char(uint32_t c)
{
	const struct fold *f = fold_find(c);
	return f ? f->to : c;
}

/* s folded to simplified characters, in a new string. */
static char *fold_text(const char *s, size_t n)
{
	char *out = xrealloc(NULL, 4 * n + 1);
	size_t len = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		if (!l) {
			out[len++] = s[i++];
			continue;
		}
		len += bb_utf8_encode(fold_char(cp), out + len);
		i += l;
	}
	out[len] = '\0';
	return out;
}

static int cp_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* How much jieba's (simplified) words use each character: their frequencies summed. */
static struct map use;

static void count_use(void)
{
	for (size_t i = 0; i < nwords; i++) {
		const struct word *w = &words[i];
		for (size_t k = 0; w->in_jieba && k < w->len;) {
			uint32_t cp;
			size_t l = bb_utf8_decode(w->text + k, w->len - k, &cp);
			char key[8];
			key[bb_utf8_encode(cp, key)] = '\0';
			map_add(&use, key, (double)w->freq);
			k += l ? l : 1;
		}
	}
}

static double char_use(uint32_t c)
{
	char key[8];
	key[bb_utf8_encode(c, key)] = '\0';
	return map_weight(&use, key);
}

/* Reads the character list and its t2s, hk2s and tw2s conversions. A character folds to its
 * t2s form; one t2s keeps folds to its Hong Kong or Taiwan standard variant's (衞 卫, 著 着),
 * unless it is itself the simplified form of another (么 of 麼), or the variant is not
 * simplified or less used in simplified text than the character (抬 擡). */
static void load_folds(char *const *paths)
{
	FILE *f[4];
	for (int i = 0; i < 4; i++)
		f[i] = open_or_die(paths[i]);
	char line[4][64];
	uint32_t *targets = NULL;
	size_t ntargets = 0;
	struct fold *variants = NULL;
	size_t nvariants = 0;
	while (fgets(line[0], sizeof line[0], f[0]) && fgets(line[1], sizeof line[1], f[1]) &&
	       fgets(line[2], sizeof line[2], f[2]) && fgets(line[3], sizeof line[3], f[3])) {
		uint32_t c = line_char(line[0]), t2s = line_char(line[1]);
		uint32_t hk = line_char(line[2]), tw = line_char(line[3]);
		if (!c || !t2s)
			continue;
		if (t2s != c) {
			folds = xrealloc(folds, (nfolds + 1) * sizeof *folds);
			folds[nfolds++] = (struct fold){c, t2s, 0};
			targets = xrealloc(targets, (ntargets + 1) * sizeof *targets);
			targets[ntargets++] = t2s;
			continue;
		}
		uint32_t v = hk && hk != c ? hk : tw && tw != c ? tw : 0;
		if (v) {
			variants = xrealloc(variants, (nvariants + 1) * sizeof *variants);
			variants[nvariants++] = (struct fold){c, v, 0};
		}
	}
	for (int i = 0; i < 4; i++)
		fclose(f[i]);
	qsort(targets, ntargets, sizeof *targets, cp_cmp);
	size_t keep = 0;
	for (size_t i = 0; i < nvariants; i++) /* folds holds t2s's pairs only, in order */
		if (!bsearch(&variants[i].from, targets, ntargets, sizeof(uint32_t), cp_cmp) &&
		    !fold_find(variants[i].to) && char_use(variants[i].to) > char_use(variants[i].from))
			variants[keep++] = variants[i];
	folds = xrealloc(folds, (nfolds + keep) * sizeof *folds);
	memcpy(folds + nfolds, variants, keep * sizeof *variants);
	nfolds += keep;
	free(targets);
	free(variants);
	qsort(folds, nfolds, sizeof *folds, cp_cmp); /* from is the first member */
}

/* A traditional character is "strong" when jieba's words use it less than 1/STRONG_RATIO as
 * much as its simplified form, or less than STRONG_MIN in all. */
#define STRONG_RATIO 20
#define STRONG_MIN 100

/* Marks the characters of traditional text only: those that jieba's (simplified) words use
 * far less than their simplified forms (著 and 乾 are simplified characters too: 著名, 乾隆). */
static void mark_strong(void)
{
	for (size_t i = 0; i < nfolds; i++) {
		char a[8], b[8];
		a[bb_utf8_encode(folds[i].from, a)] = '\0';
		b[bb_utf8_encode(folds[i].to, b)] = '\0';
		double wa = char_use(folds[i].from), wb = char_use(folds[i].to);
		folds[i].strong = wa * STRONG_RATIO < wb || wa < STRONG_MIN;
		if (getenv("LEXICON_BUILD_DEBUG") && !folds[i].strong)
			fprintf(stderr, "weak: %s %s %.0f %.0f\n", a, b, wa, wb);
	}
}

/* Terra's entries in traditional characters that fold to another text (頭髮 头发). */
static struct word *trads;
static size_t ntrads, captrads;
static struct map trad_index;

/* Characters that terra's traditional words use (干 of 干涉 is one: 幹 and 乾 fold to it). */
static struct map trad_chars;

static struct word *trad_get_as(const char *wt, size_t n);

/* The traditional word wt (n bytes), created when new; NULL when it folds to itself. */
static struct word *trad_get(const char *wt, size_t n)
{
	char *folded = fold_text(wt, n);
	int same = strcmp(folded, wt) == 0;
	free(folded);
	return same ? NULL : trad_get_as(wt, n);
}

/* The traditional word wt, created when new. */
static struct word *trad_get_as(const char *wt, size_t n)
{
	return list_get(&trad_index, &trads, &ntrads, &captrads, wt, n);
}

/* "字 zi4": syllables of the characters of terra's traditional words. */
static struct map trad_syllables;

static void add_trad(const char *wt, const char *simp, const char *reading, double pct)
{
	size_t n = strlen(wt);
	for (size_t i = 0, k = 0; hanzi_count(wt, n) > 1 && i < n; k++) {
		uint32_t cp;
		size_t l = bb_utf8_decode(wt + i, n - i, &cp);
		char key[32], syl[16];
		key[bb_utf8_encode(cp, key)] = '\0';
		map_add(&trad_chars, key, 1);
		syllable(reading, k, syl);
		snprintf(key + strlen(key), sizeof key - strlen(key), " %s", syl);
		map_add(&trad_syllables, key, 1);
		i += l ? l : 1;
	}
	struct word *w = trad_get(wt, n);
	if (!w && strcmp(wt, simp) != 0) /* OpenCC's phrases convert it: 藉口 借口 */
		w = trad_get_as(wt, n);
	if (!w || (w->ncands && w->cands[0].forced))
		return;
	if (!w->simp)
		w->simp = xstrndup(simp, strlen(simp));
	add_cand(w, reading, pct, 0, 1);
}

/* Whether traditional character c folds to a character that other traditional characters
 * also fold to, or that is itself one (髮 and 發 to 发; 乾 to 干). */
static int merged(uint32_t c)
{
	const struct fold *f = fold_find(c);
	if (!f)
		return 0;
	size_t sources = 0;
	for (size_t i = 0; i < nfolds && sources < 2; i++)
		sources += folds[i].to == f->to;
	char key[8];
	key[bb_utf8_encode(f->to, key)] = '\0';
	return sources + (map_weight(&trad_chars, key) > 0) >= 2;
}

/* Reads terra_pinyin (traditional), its simplified conversion and that converted back, side
 * by side. An entry whose traditional form is what the simplified one converts back to is
 * "main": 發 for 发 (fa1), not 髮 (fa3); 樣 for 样 (yang4), not the rare tree name 样. */
static void load_terra(const char *trad_path, const char *simp_path, const char *back_path)
{
	FILE *ft = open_or_die(trad_path), *fs = open_or_die(simp_path), *fb = open_or_die(back_path);
	char lt[4096], ls[4096], lb[4096];
	int body = 0;
	while (fgets(lt, sizeof lt, ft) && fgets(ls, sizeof ls, fs) && fgets(lb, sizeof lb, fb)) {
		if (!body) {
			body = strncmp(lt, "...", 3) == 0;
			continue;
		}
		char *wt, *rt, *mt, *wsimp, *rs, *ms, *wb, *rb, *mb;
		if (!split_entry(lt, &wt, &rt, &mt) || !split_entry(ls, &wsimp, &rs, &ms) ||
		    !split_entry(lb, &wb, &rb, &mb))
			continue;
		size_t n = strlen(wsimp), nchars = hanzi_count(wsimp, n);
		if (!nchars || nchars > LEX_MAX_CHARS || n > 255)
			continue;
		if (normalize_reading(rs) != nchars)
			continue;
		mainland_reading(wt, rs);
		putonghua_reading(wsimp, rs);
		double pct = -1;
		if (ms && strchr(ms, '%'))
			pct = strtod(ms, NULL);
		add_cand(word_get(wsimp, n), rs, pct, 0, strcmp(wt, wb) == 0);
		add_trad(wt, wsimp, rs, pct);
	}
	fclose(ft);
	fclose(fs);
	fclose(fb);
}

static void load_extra(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		char *w, *r, *more;
		int trad = line[0] == '^'; /* a traditional word form only */
		if ((line[0] && strchr("@%&?=", line[0])) || !split_entry(line + trad, &w, &r, &more))
			continue;
		size_t n = strlen(w), nchars = hanzi_count(w, n);
		struct word *wd = trad ? trad_get(w, n) : NULL;
		if (!nchars || nchars > LEX_MAX_CHARS || normalize_reading(r) != nchars ||
		    (trad && !wd)) {
			fprintf(stderr, "%s:%d: bad entry\n", path, lineno);
			exit(78);
		}
		if (!trad)
			wd = word_get(w, n);
		for (size_t i = 0; i < wd->ncands; i++)
			free(wd->cands[i].reading);
		wd->ncands = 0;
		add_cand(wd, r, -1, 1, 1);
		if (more && atol(more) > 0)
			wd->freq = (uint32_t)atol(more);
	}
	fclose(f);
}

/* The i-th syllable of reading r copied into out (16 bytes). */
static void syllable(const char *r, size_t i, char *out)
{
	while (i--) {
		r = strchr(r, ' ');
		if (!r) {
			out[0] = '\0';
			return;
		}
		r++;
	}
	size_t n = strcspn(r, " ");
	if (n > 15)
		n = 15;
	memcpy(out, r, n);
	out[n] = '\0';
}

/* Byte offset of the i-th character of a hanzi word. */
static size_t char_off(const char *s, size_t i)
{
	size_t off = 0;
	while (i--) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + off, 4, &cp);
		off += l ? l : 1;
	}
	return off;
}

/* A candidate is used unless terra gives it 0% or, for a character, it belongs to a
 * traditional form that is not the usual one while the usual one is there. */
static int usable(const struct cand *c, const struct word *w)
{
	int any_main = 0, any_nonzero = 0;
	for (size_t i = 0; i < w->ncands; i++) {
		any_main |= w->cands[i].main;
		any_nonzero |= w->cands[i].pct != 0 && (w->cands[i].main || w->nchars > 1);
	}
	if (w->nchars == 1 && any_main && !c->main)
		return 0;
	return c->pct != 0 || !any_nonzero;
}

/* How much more than the usual reading's pair weight another reading needs to be guessed for
 * a character of a word terra lacks (measured: any more than "more" loses as many words as it
 * wins). */
#define PAIR_MARGIN 0.0
#define PAIR_FACTOR 1.0

static struct map votes;  /* "字 zi4": weight of words reading the character so */
static struct map pairs;  /* "L字甲 zi4" / "R甲字 zi4": the character's reading next to 甲 */

static double word_weight(const struct word *w)
{
	return 1 + log1p((double)w->freq);
}

static void vote_chars(void)
{
	for (size_t i = 0; i < nwords; i++) {
		struct word *w = &words[i];
		if (w->nchars < 2)
			continue;
		size_t n = 0;
		for (size_t c = 0; c < w->ncands; c++)
			n += usable(&w->cands[c], w);
		for (size_t c = 0; c < w->ncands; c++) {
			if (!usable(&w->cands[c], w))
				continue;
			for (size_t k = 0; k < w->nchars; k++) {
				char key[64], syl[16];
				size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
				syllable(w->cands[c].reading, k, syl);
				snprintf(key, sizeof key, "%.*s %s", (int)(b - a), w->text + a, syl);
				map_add(&votes, key, word_weight(w) / (double)n);
			}
		}
	}
}

static const char *char_reading(const char *ch, size_t n)
{
	struct word *w = word_find(ch, n);
	return w && w->reading ? w->reading : NULL;
}

/* A character's default: the forced reading, else terra's highest percentage, else the
 * reading its words use most (ties: terra's order). */
/* The share terra leaves to readings it gives no percentage when it gives others one: the
 * rest of 100% split between them (法 fa3, fa4 3%: fa3 97%); -1 when no reading has one. */
static double implicit_pct(const struct word *w)
{
	double given = 0;
	size_t with = 0, without = 0;
	for (size_t c = 0; c < w->ncands; c++) {
		if (!usable(&w->cands[c], w))
			continue;
		if (w->cands[c].pct >= 0)
			given += w->cands[c].pct, with++;
		else
			without++;
	}
	if (!with || !without || given >= 100)
		return -1;
	return (100 - given) / (double)without;
}

static void choose_char(struct word *w)
{
	const struct cand *best = NULL;
	double best_score = -1, share = implicit_pct(w);
	size_t common = 0;
	for (size_t c = 0; c < w->ncands; c++) {
		const struct cand *cd = &w->cands[c];
		if (!usable(cd, w))
			continue;
		char key[64];
		snprintf(key, sizeof key, "%s %s", w->text, cd->reading);
		double pct = cd->pct < 0 ? share : cd->pct;
		double score = cd->forced ? 1e12 : pct > 0 ? 1e9 * pct : map_weight(&votes, key);
		if (cd->pct > 5 || (cd->pct < 0 && map_weight(&votes, key) > 3))
			common++;
		if (score > best_score)
			best = cd, best_score = score;
	}
	if (best)
		w->reading = best->reading;
	/* bobao's chosen default of a polyphone (差 cha4) is one too */
	const char *set = best && best->forced ? mainland_set(w->text, w->len) : NULL;
	if (common > 1 || (set && strchr(set, ' ')))
		w->flags |= LEX_POLY;
}

static int is_yi_bu(const char *ch, size_t n)
{
	return (n == 3 && memcmp(ch, "一", 3) == 0) || (n == 3 && memcmp(ch, "不", 3) == 0);
}

/* A phrase's reading: forced, else highest percentage, else the one agreeing most with
 * its characters' defaults (一 and 不 do not count: terra marks their tone changes). */
static void choose_phrase(struct word *w)
{
	const struct cand *best = NULL;
	double best_score = -1, share = implicit_pct(w);
	for (size_t c = 0; c < w->ncands; c++) {
		const struct cand *cd = &w->cands[c];
		if (!usable(cd, w))
			continue;
		double pct = cd->pct < 0 ? share : cd->pct;
		double score = cd->forced ? 1e12 : pct > 0 ? 1e9 * pct : 0.5 * cd->main;
		for (size_t k = 0; k < w->nchars; k++) {
			size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
			const char *def = char_reading(w->text + a, b - a);
			char syl[16], dsyl[16];
			syllable(cd->reading, k, syl);
			if (!def || is_yi_bu(w->text + a, b - a))
				continue;
			syllable(def, 0, dsyl);
			score += strcmp(syl, dsyl) == 0;
		}
		if (score > best_score)
			best = cd, best_score = score;
	}
	if (best)
		w->reading = best->reading;
}

static void pair_votes(void)
{
	for (size_t i = 0; i < nwords; i++) {
		struct word *w = &words[i];
		if (w->nchars < 2 || !w->reading)
			continue;
		for (size_t k = 0; k + 1 < w->nchars; k++) {
			size_t a = char_off(w->text, k), c = char_off(w->text, k + 2);
			char key[80], sa[16], sb[16];
			syllable(w->reading, k, sa);
			syllable(w->reading, k + 1, sb);
			snprintf(key, sizeof key, "L%.*s %s", (int)(c - a), w->text + a, sa);
			double wt = word_weight(w) * (w->ncands && w->cands[0].forced ? 20 : 1);
			map_add(&pairs, key, wt);
			snprintf(key, sizeof key, "R%.*s %s", (int)(c - a), w->text + a, sb);
			map_add(&pairs, key, wt);
		}
	}
}

/* The longest word with a known reading (terra's, or guessed earlier: shorter) inside w
 * starting at character k, shorter than w; its length in characters (0: none). */
static size_t known_part(const struct word *w, size_t k, const char **reading)
{
	for (size_t len = w->nchars - k; len >= 2; len--) {
		if (len == w->nchars)
			continue;
		size_t a = char_off(w->text, k), b = char_off(w->text, k + len);
		const struct word *p = word_find(w->text + a, b - a);
		if (p && p->reading && (p->ncands || (p->flags & LEX_DERIVED))) {
			*reading = p->reading;
			return len;
		}
	}
	return 0;
}

/* Reading of a word terra lacks: the known words inside it (longest first, from the left),
 * and each remaining character as terra's words read it beside the same neighbour, else
 * its default. */
static void derive_reading(struct word *w)
{
	char out[256] = "";
	size_t len = 0;
	for (size_t k = 0; k < w->nchars; k++) {
		size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
		const char *part;
		size_t plen = known_part(w, k, &part);
		if (plen) {
			len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", part);
			if (len >= sizeof out - 1)
				return;
			k += plen - 1;
			continue;
		}
		struct word *ch = word_find(w->text + a, b - a);
		if (!ch || !ch->reading)
			return;
		const char *pick = ch->reading;
		double best = 0, def_score = 0;
		const char *alt = NULL;
		for (size_t c = 0; c < ch->ncands; c++) {
			if (!usable(&ch->cands[c], ch))
				continue;
			char key[80];
			double score = 0;
			if (k > 0) {
				size_t p = char_off(w->text, k - 1);
				snprintf(key, sizeof key, "R%.*s %s", (int)(b - p), w->text + p,
					 ch->cands[c].reading);
				score += map_weight(&pairs, key);
			}
			if (k + 1 < w->nchars) {
				size_t e = char_off(w->text, k + 2);
				snprintf(key, sizeof key, "L%.*s %s", (int)(e - a), w->text + a,
					 ch->cands[c].reading);
				score += map_weight(&pairs, key);
			}
			if (strcmp(ch->cands[c].reading, ch->reading) == 0)
				def_score = score;
			else if (score > best)
				best = score, alt = ch->cands[c].reading;
		}
		/* a neighbour's evidence must clearly outweigh the usual reading's */
		if (alt && best > PAIR_FACTOR * def_score + PAIR_MARGIN)
			pick = alt;
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", pick);
		if (len >= sizeof out - 1)
			return;
	}
	w->reading = xstrndup(out, len);
	w->flags |= LEX_DERIVED;
}

/* Makes r w's reading, freeing the old one unless a candidate owns it. */
static void replace_reading(struct word *w, char *r)
{
	int owned = 1;
	for (size_t c = 0; c < w->ncands; c++)
		owned &= w->cands[c].reading != w->reading;
	if (owned)
		free(w->reading);
	w->reading = r;
}

/* Replaces the last syllable of w's reading by syl. */
static void set_last_syllable(struct word *w, const char *syl)
{
	const char *sp = strrchr(w->reading, ' ');
	size_t keep = sp ? (size_t)(sp - w->reading) + 1 : 0;
	char *r = xrealloc(NULL, keep + strlen(syl) + 1);
	memcpy(r, w->reading, keep);
	strcpy(r + keep, syl);
	replace_reading(w, r);
}

/* The last resort for a syllable that is none of its character's mainland readings and that
 * putonghua_syllable could not settle (口吃 ji2, 融洽 xia2, 叶县 she4): the character's
 * default, when that is a mainland reading; for a character itself (also for a neutral tone
 * that its mainland readings lack), the mainland reading with the same letters, else the
 * first. bobao's own readings stay. Listed by the audit, to review. */
static void mainland_default(struct word *w)
{
	if (!w->reading || (w->ncands && w->cands[0].forced) || (unsigned char)w->text[0] < 0x80)
		return;
	char out[1024] = "";
	size_t len = 0;
	int changed = 0;
	for (size_t k = 0; k < w->nchars; k++) {
		size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
		const char *set = mainland_set(w->text + a, b - a), *def = NULL;
		char syl[16], first[16];
		syllable(w->reading, k, syl);
		if (set && (!set_has(set, syl) || (w->nchars == 1 && !set_has_exactly(set, syl)))) {
			if (w->nchars == 1) { /* 袮 mi5: no neutral tone in pinyin-data, mi2 */
				if (!putonghua_syllable(set, syl, first))
					syllable(set, 0, first);
				def = first;
			} else {
				const char *d = char_reading(w->text + a, b - a);
				if (d && set_has(set, d))
					def = d;
			}
		}
		if (def)
			changed = 1;
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", def ? def : syl);
		if (len >= sizeof out - 1)
			return;
	}
	if (changed) {
		w->was = xstrndup(w->reading, strlen(w->reading));
		replace_reading(w, xstrndup(out, len));
	}
}

/* Whether the first n bytes of s are all numerals or counting words (两, 几, 每, 这...). */
static int counting(const char *s, size_t n)
{
	static const char *const count = "零〇一二三四五六七八九十百千万亿两几数每多半这那哪";
	for (size_t i = 0; i < n; i += 3) {
		int ok = 0;
		for (const char *p = count; *p && !ok; p += 3)
			ok = memcmp(p, s + i, 3) == 0;
		if (!ok)
			return 0;
	}
	return n > 0;
}

/* Replaces syllable k of w's reading by syl. */
static void set_syllable(struct word *w, size_t k, const char *syl)
{
	char out[1024];
	size_t len = 0;
	for (size_t i = 0; i < w->nchars; i++) {
		char cur[16];
		syllable(w->reading, i, cur);
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", i ? " " : "",
					i == k ? syl : cur);
		if (len >= sizeof out)
			return;
	}
	replace_reading(w, xstrndup(out, len));
}

/* A numeral followed by a measure word reads it as a measure: 两只 zhi1, 数千只, and inside
 * guessed words 几行字 hang2. Forced readings are kept, and 一 + measure (一行 yi4 xing2, a
 * party) unless the word ends there and terra lacks it. */
static void measure_reading(struct word *w)
{
	if (w->nchars < 2 || !w->reading || (w->ncands && w->cands[0].forced))
		return;
	size_t k = 0, off = 0;
	while (k < w->nchars && counting(w->text + off, char_off(w->text, k + 1) - off))
		off = char_off(w->text, ++k);
	if (!k || k == w->nchars || (k + 1 < w->nchars && !(w->flags & LEX_DERIVED)))
		return;
	if (off == 3 && !memcmp(w->text, "一", 3) && (w->ncands || k + 1 < w->nchars))
		return;
	size_t end = char_off(w->text, k + 1);
	for (size_t m = 0; m < nmeasures; m++)
		if (strlen(measures[m].ch) == end - off &&
		    !memcmp(measures[m].ch, w->text + off, end - off))
			set_syllable(w, k, measures[m].reading);
}

/* 为 closing a word is the verb wéi (被选为, 题为, 实为, 亲力亲为), but for 因为, in words
 * whose reading was guessed. */
static void closing_wei(struct word *w)
{
	if (w->nchars < 2 || !w->reading || !(w->flags & LEX_DERIVED))
		return;
	size_t last = char_off(w->text, w->nchars - 1);
	if (strcmp(w->text + last, "为") == 0 && memcmp(w->text + last - 3, "因", 3) != 0)
		set_last_syllable(w, "wei2");
}

/* A repeated one-character verb takes a neutral tone the second time (谈谈 tan2 tan5), in
 * words terra lacks (terra has 说说 shuo1 shuo5 and 处处 chu4 chu4 right). */
static void verb_redup(struct word *w)
{
	if (w->nchars != 2 || w->len != 6 || !w->reading ||
	    (w->pos != POS_V && w->pos != POS_VN) || memcmp(w->text, w->text + 3, 3) != 0 ||
	    !(w->flags & LEX_DERIVED))
		return;
	char syl[16];
	syllable(w->reading, 1, syl);
	size_t n = strlen(syl);
	if (n > 1 && n < sizeof syl) {
		syl[n - 1] = '5';
		set_last_syllable(w, syl);
	}
}

/* Titles after a surname (仇先生). */
static const char *const titles[] = {
	"先生", "女士", "小姐", "老师", "师傅", "大爷", "大妈", "阿姨", "教授", "医生", "律师",
	"书记", "主任", "经理", "局长", "市长", "县长", "校长", "院长", "队长", "同学", "某某",
};

/* A surname's reading (曾 zeng1) in a three-character personal name of jieba (曾国藩) that
 * terra lacks, and in surname + title (仇先生). */
static void surname_reading(struct word *w)
{
	if (w->nchars < 2 || !w->reading || (w->ncands && w->cands[0].forced))
		return;
	size_t first = char_off(w->text, 1);
	int titled = 0;
	for (size_t t = 0; t < sizeof titles / sizeof titles[0]; t++)
		titled |= strcmp(w->text + first, titles[t]) == 0;
	int named = w->nchars == 3 && w->pos == POS_NR && (w->flags & LEX_DERIVED);
	if (!titled && !named)
		return;
	for (size_t m = 0; m < nsurnames; m++)
		if ((titled || !surnames[m].detected) && strlen(surnames[m].ch) == first &&
		    !memcmp(surnames[m].ch, w->text, first)) {
			const char *sp = strchr(w->reading, ' ');
			char *r = xrealloc(NULL, strlen(surnames[m].reading) + strlen(sp) + 1);
			strcpy(r, surnames[m].reading);
			strcat(r, sp);
			replace_reading(w, r);
		}
}

/* 地 after an adverb or a repeated word is the adverbial de5 (悄悄地, 重重地, 不断地), in
 * words whose reading was guessed. */
static void adverb_de(struct word *w)
{
	if (w->nchars < 3 || !w->reading || !(w->flags & LEX_DERIVED))
		return;
	size_t last = char_off(w->text, w->nchars - 1);
	if (strcmp(w->text + last, "地") != 0)
		return;
	const struct word *p = word_find(w->text, last);
	int redup = (last == 6 && !memcmp(w->text, w->text + 3, 3)) ||
		    (last == 12 && !memcmp(w->text, w->text + 3, 3) &&
		     !memcmp(w->text + 6, w->text + 9, 3));
	if (redup || (p && (p->pos == POS_AD || p->pos == POS_Z || p->pos == POS_D)))
		set_last_syllable(w, "de5");
}

/* Whether reading r is one of w's usable candidates. */
static int has_reading(const struct word *w, const char *r)
{
	for (size_t c = 0; c < w->ncands; c++)
		if (usable(&w->cands[c], w) && strcmp(w->cands[c].reading, r) == 0)
			return 1;
	return 0;
}

/* The share of a character's words that make a syllable one of its readings in words. */
#define SET_SHARE 0.1

/* Stores the syllables that traditional character t has in terra's words and its own
 * usable readings, under LEX_TRAD_SET_KEY. */
static void add_reading_set(const struct word *t)
{
	char set[256] = "";
	size_t len = 0;
	double total = 0;
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < trad_syllables.cap; i++) {
			const char *k = trad_syllables.keys[i];
			if (!k || strncmp(k, t->text, t->len) != 0 || k[t->len] != ' ')
				continue;
			if (!pass)
				total += trad_syllables.weights[i];
			else if (trad_syllables.weights[i] >= SET_SHARE * total &&
				 len + strlen(k + t->len) < sizeof set)
				len += (size_t)snprintf(set + len, sizeof set - len, "%s", k + t->len);
		}
	for (size_t c = 0; c < t->ncands; c++)
		if (usable(&t->cands[c], t) && len + strlen(t->cands[c].reading) + 2 < sizeof set)
			len += (size_t)snprintf(set + len, sizeof set - len, " %s", t->cands[c].reading);
	if (!len)
		return;
	char key[16];
	snprintf(key, sizeof key, "%c%s", LEX_TRAD_SET_KEY, t->text);
	struct word *w = word_get(key, strlen(key));
	w->nchars = 1;
	w->reading = xstrndup(set + 1, len - 1); /* without the first space */
	w->ncands = 0;
	w->freq = 1;
}

/* Whether readings a (of traditional word t) and b differ only in syllables of characters
 * that t2s merges (髮 fa4, 发 fa1): otherwise b is the Putonghua reading of a Taiwan one. */
static int merge_differs(const struct word *t, const char *a, const char *b)
{
	for (size_t k = 0, off = 0; k < t->nchars; k++) {
		char sa[16], sb[16];
		uint32_t cp;
		size_t l = bb_utf8_decode(t->text + off, t->len - off, &cp);
		syllable(a, k, sa);
		syllable(b, k, sb);
		if (strcmp(sa, sb) != 0 && !merged(cp))
			return 0;
		off += l ? l : 1;
	}
	return 1;
}

/* Stores the traditional words that their simplified form would read otherwise: its reading
 * is none of terra's for the traditional word (髮 fa4, 发 fa1), or the simplified form is no
 * word (乾隆, 著名: 干隆, 着名). bobao's corrections of a simplified word hold for its
 * traditional form. */
static void add_trad_words(void)
{
	size_t stored = 0;
	for (size_t i = 0; i < ntrads; i++) {
		struct word *t = &trads[i];
		char *folded = fold_text(t->text, t->len);
		const struct word *s = word_find(folded, strlen(folded));
		int forced = s && s->ncands && s->cands[0].forced;
		const char *sreading = s ? s->reading : NULL; /* word_get below moves words */
		int guessed = s && (s->flags & LEX_DERIVED); /* terra's word beats a guess */
		int own = t->ncands && t->cands[0].forced;
		int phrase = strcmp(folded, t->text) == 0; /* converted by OpenCC's phrases only */
		if (!own && (!t->nchars || (sreading && (has_reading(t, sreading) ||
							 (forced && t->nchars > 1))))) {
			free(folded);
			continue;
		}
		/* choose as for a simplified phrase, with the simplified characters' defaults */
		struct word tmp = *t;
		tmp.text = folded;
		tmp.len = strlen(folded);
		tmp.reading = NULL;
		choose_phrase(&tmp);
		if (!tmp.reading ||
		    (!own && !phrase && !guessed && sreading &&
		     !merge_differs(t, tmp.reading, sreading))) {
			free(folded);
			continue;
		}
		/* a word written alike in both scripts keeps one reading (藉口 jie4 kou3) */
		char key[256];
		snprintf(key, sizeof key, "%c%s", LEX_TRAD_KEY, t->text);
		if (phrase && forced) {
			free(folded);
			continue;
		}
		struct word *w = word_get(phrase ? key + 1 : key, strlen(key) - (size_t)phrase);
		if (phrase && w->freq) {
			replace_reading(w, tmp.reading);
			w->flags &= ~(unsigned)LEX_DERIVED;
			stored++;
			free(folded);
			continue;
		}
		w->nchars = t->nchars;
		w->reading = tmp.reading;
		w->ncands = 0;
		/* as frequent as its simplified form (terra's own conversion when folding fails) */
		const struct word *alt = word_find(folded, strlen(folded));
		w->freq = alt ? alt->freq : 0;
		w->pos = alt ? alt->pos : POS_NONE;
		w->flags = alt ? (alt->flags & LEX_POLY) : 0;
		if (!w->freq && t->simp && (alt = word_find(t->simp, strlen(t->simp)))) {
			w->freq = alt->freq;
			w->pos = alt->pos;
		}
		if (getenv("LEXICON_BUILD_DEBUG"))
			fprintf(stderr, "trad: %s %s (simplified %s: %s)\n", t->text, w->reading,
				folded, sreading ? sreading : "-");
		if (t->nchars == 1 && !own)
			add_reading_set(t);
		stored++;
		free(folded);
	}
	fprintf(stderr, "lexicon_build: %zu traditional characters fold, %zu traditional words "
			"of %zu stored as written\n", nfolds, stored, ntrads);
}

static int write_all(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static void write_lexicon(const char *path)
{
	size_t count = 0, pool = 0, max_chars = 1;
	uint64_t total = 0;
	for (size_t i = 0; i < nwords; i++) {
		struct word *w = &words[i];
		if (!w->reading)
			continue;
		if (!w->freq)
			w->freq = w->nchars == 1 ? 1 : 2; /* in terra only: a rare word */
		count++;
		pool += w->len + strlen(w->reading);
		total += w->freq;
		if (w->nchars > max_chars)
			max_chars = w->nchars;
	}
	size_t nslots = 1;
	while (nslots < count * 2)
		nslots *= 2;
	struct lex_entry *entries = calloc(count ? count : 1, sizeof *entries);
	uint32_t *slots = calloc(nslots, sizeof *slots);
	char *pbuf = xrealloc(NULL, pool);
	if (!entries || !slots)
		xrealloc(NULL, (size_t)-1);
	size_t e = 0, off = 0;
	for (size_t i = 0; i < nwords; i++) {
		struct word *w = &words[i];
		if (!w->reading)
			continue;
		size_t rl = strlen(w->reading);
		struct lex_entry *en = &entries[e];
		en->word_off = (uint32_t)off;
		memcpy(pbuf + off, w->text, w->len);
		off += w->len;
		en->read_off = (uint32_t)off;
		memcpy(pbuf + off, w->reading, rl);
		off += rl;
		en->freq = w->freq;
		en->word_len = (uint8_t)w->len;
		en->read_len = (uint8_t)rl;
		en->nchars = (uint8_t)w->nchars;
		en->flags = (uint8_t)w->flags;
		/* a word of lexicon_fixes.txt keeps its reading in every context */
		if (w->nchars > 1 && w->ncands && w->cands[0].forced)
			en->flags |= LEX_OWN;
		en->pos = (uint8_t)w->pos;
		size_t s = lex_hash(w->text, w->len) & (nslots - 1);
		while (slots[s])
			s = (s + 1) & (nslots - 1);
		slots[s] = (uint32_t)(e + 1);
		e++;
	}
	struct lex_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, LEX_MAGIC, 8);
	h.nentries = (uint32_t)count;
	h.nslots = (uint32_t)nslots;
	h.pool_size = (uint32_t)pool;
	h.max_chars = (uint32_t)max_chars;
	h.total_freq = total;
	h.nfold = (uint32_t)nfolds;
	uint32_t *fold = xrealloc(NULL, 2 * nfolds * sizeof *fold);
	for (size_t i = 0; i < nfolds; i++) {
		fold[2 * i] = folds[i].from;
		fold[2 * i + 1] = folds[i].to | (folds[i].strong ? LEX_STRONG : 0);
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "wb");
	if (!f || !write_all(f, &h, sizeof h) || !write_all(f, entries, count * sizeof *entries) ||
	    !write_all(f, slots, nslots * sizeof *slots) ||
	    !write_all(f, fold, 2 * nfolds * sizeof *fold) || !write_all(f, pbuf, pool) ||
	    fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(path);
		exit(73);
	}
	fprintf(stderr, "lexicon_build: %s: %zu words, %zu bytes\n", path, count,
		sizeof h + count * sizeof *entries + nslots * sizeof *slots + 8 * nfolds + pool);
	free(fold);
	free(entries);
	free(slots);
	free(pbuf);
}

/* The CJK characters that traditional text may use, one a line, for opencc. */
static int print_chars(void)
{
	static const uint32_t ranges[][2] = {
		{0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x2A6DF},
	};
	for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++)
		for (uint32_t c = ranges[r][0]; c <= ranges[r][1]; c++) {
			char buf[8];
			buf[bb_utf8_encode(c, buf)] = '\0';
			if (printf("%s\n", buf) < 0)
				return 74;
		}
	return fflush(stdout) == 0 ? 0 : 74;
}

/* ---- mainland word readings ("=" lines: pinyin-pro's words, pipeline/mainland_words.js) ---- */

struct mainland_word {
	char *text, *reading;
};
static struct mainland_word *mainland_words;
static size_t nmainland_words, capmainland_words;

/* Reads the "=word TAB reading" lines of an EXTRA file. */
static void load_mainland_words(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		char *w, *r, *more;
		if (line[0] != '=' || !split_entry(line + 1, &w, &r, &more))
			continue;
		size_t n = strlen(w), nchars = hanzi_count(w, n);
		if (nchars < 2 || nchars > LEX_MAX_CHARS || n > 255 || normalize_reading(r) != nchars) {
			fprintf(stderr, "%s:%d: bad = entry\n", path, lineno);
			exit(78);
		}
		if (nmainland_words == capmainland_words) {
			capmainland_words = capmainland_words ? capmainland_words * 2 : 4096;
			mainland_words = xrealloc(mainland_words,
						  capmainland_words * sizeof *mainland_words);
		}
		mainland_words[nmainland_words].text = xstrndup(w, n);
		mainland_words[nmainland_words++].reading = xstrndup(r, strlen(r));
	}
	fclose(f);
}

/* Whether the mainland table's syllable theirs replaces ours for the character at ch: it
 * differs, is one of the character's mainland readings, and is more than a neutral tone
 * against the same syllable's full one (neutral tones are the audit's: pinyin-pro's and
 * terra's differ by custom there); 一 and 不 keep their tone changes. */
static int mainland_syllable_wins(const char *ch, size_t n, const char *ours, const char *theirs)
{
	size_t lo = strlen(ours), lt = strlen(theirs);
	const char *set = mainland_set(ch, n);
	if (strcmp(ours, theirs) == 0 || is_yi_bu(ch, n) || !set || !set_has(set, theirs))
		return 0;
	return !(lo == lt && memcmp(ours, theirs, lo - 1) == 0 &&
		 (ours[lo - 1] == '5' || theirs[lt - 1] == '5'));
}

/* Merges reading r of the mainland table's word at character at of w into w's reading, syllable
 * by syllable (see mainland_syllable_wins); whether it changed anything. */
static int merge_mainland_reading(struct word *w, size_t at, const char *r, size_t nchars)
{
	char out[1024] = "", ours[LEX_MAX_CHARS][16], theirs[LEX_MAX_CHARS][16];
	int wins[LEX_MAX_CHARS + 1] = {0}, differs = 0;
	for (size_t k = 0; k < w->nchars; k++) {
		size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
		syllable(w->reading, k, ours[k]);
		strcpy(theirs[k], ours[k]);
		if (k >= at && k < at + nchars)
			syllable(r, k - at, theirs[k]);
		wins[k] = mainland_syllable_wins(w->text + a, b - a, ours[k], theirs[k]);
		differs |= wins[k];
	}
	if (!differs)
		return 0;
	size_t len = 0;
	for (size_t k = 0; k < w->nchars; k++) {
		size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
		const char *syl = wins[k] ? theirs[k] : ours[k];
		char changed[16];
		/* 一 and 不 change their tone by the syllable after them (一晃 yi4 huang3, 力不胜任
		 * bu2), unless terra keeps 一's own tone (一一, 一月) */
		if (k + 1 < w->nchars && wins[k + 1] && is_yi_bu(w->text + a, b - a) &&
		    strcmp(ours[k], "yi1") != 0) {
			char next = theirs[k + 1][strlen(theirs[k + 1]) - 1];
			snprintf(changed, sizeof changed, "%.2s%c", ours[k], next == '4' ? '2'
				 : next == '5' ? ours[k][2] : '4');
			syl = changed;
		}
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s", k ? " " : "", syl);
	}
	if (len >= sizeof out - 1)
		return 0;
	if (getenv("LEXICON_BUILD_DEBUG"))
		fprintf(stderr, "mainland: %s\t%s\t%s\n", w->text, w->reading, out);
	replace_reading(w, xstrndup(out, len));
	return 1;
}

/* The mainland table's readings over terra's and over those guessed for jieba's words (still
 * guesses: the context model may read them otherwise), except for bobao's own corrections;
 * then in the longer words made of a word it changed, or of one of bobao's own, and others
 * (比邻而居 as 比邻 bi3 lin2, 黄陂区 as 黄陂 huang2 pi2). Its words
 * that neither has are added as rare words (segmentation prefers jieba's). */
static void apply_mainland_words(void)
{
	size_t changed = 0, added = 0, inside = 0;
	struct map in_table = {0}, changed_words = {0};
	for (size_t i = 0; i < nmainland_words; i++) {
		const struct mainland_word *m = &mainland_words[i];
		size_t n = strlen(m->text);
		struct word *w = word_get(m->text, n);
		map_add(&in_table, m->text, 1);
		if (w->ncands && w->cands[0].forced)
			continue;
		if (!w->reading) { /* a candidate, as terra's words have: a known part of longer words */
			add_cand(w, m->reading, -1, 0, 1);
			w->reading = w->cands[w->ncands - 1].reading;
			added++;
			continue;
		}
		if (merge_mainland_reading(w, 0, m->reading, w->nchars)) {
			map_add(&changed_words, m->text, 1);
			changed++;
		}
	}
	/* bobao's own names of places and people too (黄陂 huang2 pi2 in 黄陂区, 朝鲜 in 朝鲜语):
	 * its other words are often senses of their own that a longer word does not share
	 * (所长 suo3 zhang3, not in 尽其所长; 便宜 pian2, not in 便宜处置) */
	for (size_t i = 0; i < nwords; i++)
		if (words[i].nchars >= 2 && words[i].reading && words[i].ncands &&
		    words[i].cands[0].forced && (words[i].pos == POS_NS || words[i].pos == POS_NR))
			map_add(&changed_words, words[i].text, 1);
	for (size_t i = 0; i < nwords && changed_words.n; i++) {
		struct word *w = &words[i];
		if (w->nchars < 3 || !w->reading || (w->ncands && w->cands[0].forced) ||
		    map_weight(&in_table, w->text) > 0)
			continue;
		int any = 0;
		/* its parts as derive_reading finds them: the longest known word from the left (启发|式,
		 * never 启|发式) */
		for (size_t k = 0; k + 1 < w->nchars; k++)
			for (size_t len = w->nchars - k - (k == 0); len >= 2; len--) {
				size_t a = char_off(w->text, k), b = char_off(w->text, k + len);
				char part[256];
				snprintf(part, sizeof part, "%.*s", (int)(b - a), w->text + a);
				const struct word *p = word_find(part, b - a);
				if (!p || !p->reading)
					continue;
				if (map_weight(&changed_words, part) > 0)
					any |= merge_mainland_reading(w, k, p->reading, len);
				k += len - 1;
				break;
			}
		inside += any;
	}
	fprintf(stderr, "lexicon_build: %zu mainland words: %zu readings changed, %zu added, %zu "
			"longer words holding a changed one\n", nmainland_words, changed, added, inside);
	map_free(&in_table);
	map_free(&changed_words);
}

/* ---- the context model of polyphones ---- */

/* The lines of an EXTRA file (pipeline/polyphone_model.txt, learned by
 * tests/train_polyphones.py) that begin with '?': "?M TAB X TAB readings", "?W TAB X TAB
 * FEATURE TAB READING:WEIGHT ...", "?B TAB the prior's bonus alone TAB alone and a common
 * polyphone TAB in a guessed word TAB in a word", stored under LEX_CTX_KEY + the letter + the rest (lexicon.h). */
static void load_model(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		if (line[0] != '?')
			continue;
		chomp(line);
		char *field[4] = {line + 3};
		size_t nf = 1;
		for (char *p = field[0]; nf < 4 && (p = strchr(p, '\t')); nf++) {
			*p++ = '\0';
			field[nf] = p;
		}
		char kind = line[1];
		size_t want = kind == 'B' ? 4 : kind == 'W' ? 3 : kind == 'M' ? 2 : 0;
		if (line[2] != '\t' || nf != want || (kind == 'W' && strchr(field[2], '\t')) ||
		    ((kind == 'M' || kind == 'W') && hanzi_count(field[0], strlen(field[0])) != 1)) {
			fprintf(stderr, "%s:%d: bad ? entry\n", path, lineno);
			exit(78);
		}
		char key[64];
		const char *value = field[nf - 1];
		size_t kl = (size_t)snprintf(key, sizeof key, "%c%c%s%s", LEX_CTX_KEY, kind,
					     kind == 'B' ? "" : field[0], kind == 'W' ? field[1] : "");
		if (kind == 'B') { /* the bonuses by kind of unit, a space between */
			for (size_t k = 0; k + 1 < nf; k++)
				field[k][strlen(field[k])] = ' ';
			value = field[0];
		}
		if (kl >= sizeof key || strlen(value) > 255) {
			fprintf(stderr, "%s:%d: ? entry too long\n", path, lineno);
			exit(78);
		}
		struct word *w = word_get(key, kl);
		w->nchars = 1;
		w->reading = xstrndup(value, strlen(value));
		w->freq = 1;
	}
	fclose(f);
}

/* ---- make audit-readings ---- */

/* The reviewed list (pipeline/readings_reviewed.txt): "word TAB reading" lines under a
 * "## reason" line, the entries that reason explains; "#" lines are comments. An entry
 * explains an audit entry of that word with that very reading, so a reading that changes
 * is reviewed again. */
static struct map reviewed; /* "word\treading" -> index into reasons; weight 1 once used */
static char **reasons;
static size_t nreasons, nused;

static void load_reviewed(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		chomp(line);
		if (strncmp(line, "## ", 3) == 0) {
			reasons = xrealloc(reasons, (nreasons + 1) * sizeof *reasons);
			reasons[nreasons++] = xstrndup(line + 3, strlen(line + 3));
			continue;
		}
		if (!line[0] || line[0] == '#')
			continue;
		char *tab = strchr(line, '\t');
		int created;
		if (!nreasons || !tab || strchr(tab + 1, '\t')) {
			fprintf(stderr, "%s:%d: not \"word TAB reading\" under a \"## reason\" line\n",
				path, lineno);
			exit(78);
		}
		size_t i = map_get(&reviewed, line, strlen(line), &created);
		reviewed.vals[i] = nreasons - 1;
	}
	fclose(f);
}

/* The reference's readings of words (build/neutral_reference.txt, "word TAB reading", 5 for
 * its neutral tone, "*" after a syllable it read as a character alone): the neutral-tone half
 * of the audit; empty when it is not given. */
static struct map reference;
static char **ref_readings;
static size_t nrefs, caprefs;

static void load_reference(const char *path)
{
	FILE *f = open_or_die(path);
	char line[1024];
	while (fgets(line, sizeof line, f)) {
		chomp(line);
		char *tab = strchr(line, '\t');
		int created;
		if (!tab)
			continue;
		size_t i = map_get(&reference, line, (size_t)(tab - line), &created);
		if (nrefs == caprefs) { /* doubling: one realloc a line is quadratic (under ASan) */
			caprefs = caprefs ? 2 * caprefs : 4096;
			ref_readings = xrealloc(ref_readings, caprefs * sizeof *ref_readings);
		}
		ref_readings[nrefs] = xstrndup(tab + 1, strlen(tab + 1));
		reference.vals[i] = nrefs++;
	}
	fclose(f);
}

static const char *reference_reading(const struct word *w)
{
	size_t i;
	return map_find(&reference, w->text, strlen(w->text), &i) ? ref_readings[reference.vals[i]]
								    : NULL;
}

/* Whether syllables a and b have the same letters (ü written v or u:) and differ in tone. */
static int tone_differs(const char *a, const char *b)
{
	size_t n = strlen(a);
	return n > 1 && n == strlen(b) && memcmp(a, b, n - 1) == 0 && a[n - 1] != b[n - 1];
}

/* The neutral tones where w and the reference disagree, as "字 zi5/zi3, ...": bobao's
 * neutral tones the reference does not mark when bobao_neutral, else the reference's that
 * bobao reads with a full tone. Syllables that differ in letters are not a tone question. */
static size_t neutral_disagreements(const struct word *w, const char *ref, int bobao_neutral,
				    char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (size_t k = 0; k < w->nchars && len < size - 64; k++) {
		char ours[16], theirs[16];
		syllable(w->reading, k, ours);
		syllable(ref, k, theirs);
		const char *neutral = bobao_neutral ? ours : theirs;
		if (strchr(theirs, '*'))
			continue; /* read as a character alone: no evidence for this word */
		if (!tone_differs(ours, theirs) || neutral[strlen(neutral) - 1] != '5')
			continue;
		size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
		len += (size_t)snprintf(out + len, size - len, "%s%.*s %s/%s", len ? ", " : "",
					(int)(b - a), w->text + a, ours, theirs);
	}
	return len;
}

/* The jieba frequency of the top-th most frequent jieba word: the "reference neutral, bobao
 * full" half of the audit covers the words at least as frequent, the ones that matter. */
static int freq_desc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

static uint32_t top_frequency(size_t top)
{
	uint32_t *f = xrealloc(NULL, nwords * sizeof *f), least = 0;
	size_t n = 0;
	for (size_t i = 0; i < nwords; i++)
		if (words[i].in_jieba)
			f[n++] = words[i].freq;
	qsort(f, n, sizeof *f, freq_desc);
	if (n)
		least = f[(top < n ? top : n) - 1];
	free(f);
	return least;
}

#define AUDIT_TOP_WORDS 50000

/* One audit entry: counted, and written to out unless the reviewed list explains it. */
static size_t nentries, nexplained;

static void audit_entry(FILE *out, const struct word *w, const char *kind, const char *detail)
{
	char key[1024];
	size_t i, n = (size_t)snprintf(key, sizeof key, "%s\t%s", w->text, w->reading);
	nentries++;
	if (n < sizeof key && map_find(&reviewed, key, n, &i)) {
		nexplained++;
		if (reviewed.weights[i] == 0)
			nused++;
		reviewed.weights[i] = 1;
		return;
	}
	fprintf(out, "%s\t%s\t%s\t%s\n", w->text, w->reading, kind, detail);
}

/* make audit-readings, into path: the entries that the reviewed list does not explain, a line
 * each (word, reading, kind, detail), then a summary line, also on stderr. Kinds:
 * "syllable": a syllable none of its character's mainland readings, or one that was changed
 * to the character's default (detail: the characters at fault with their mainland readings,
 * or the reading it had); "bobao neutral": a neutral tone the reference does not mark;
 * "reference neutral": one bobao reads with a full tone, among the AUDIT_TOP_WORDS most
 * frequent words (detail for both: the characters, bobao's syllable/the reference's). */
static void write_audit(const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "lexicon_build: %s: cannot create\n", path);
		exit(73);
	}
	uint32_t common = top_frequency(AUDIT_TOP_WORDS);
	for (size_t i = 0; i < nwords; i++) {
		const struct word *w = &words[i];
		if (!w->reading || w->nchars < 1 || (unsigned char)w->text[0] < 0x80)
			continue; /* keys of traditional forms and context rules */
		char why[512] = "";
		size_t len = 0;
		for (size_t k = 0; k < w->nchars; k++) {
			size_t a = char_off(w->text, k), b = char_off(w->text, k + 1);
			const char *set = mainland_set(w->text + a, b - a);
			char syl[16];
			syllable(w->reading, k, syl);
			if (set && !set_has(set, syl) && len < sizeof why - 64)
				len += (size_t)snprintf(why + len, sizeof why - len, "%s%.*s %s (%s)",
							len ? ", " : "", (int)(b - a), w->text + a, syl, set);
		}
		if (!len && w->was)
			snprintf(why, sizeof why, "was %s", w->was);
		if (len || w->was)
			audit_entry(f, w, w->ncands && w->cands[0].forced ? "syllable (fixes)" : "syllable",
				    why);
		const char *ref = reference_reading(w);
		if (ref && neutral_disagreements(w, ref, 1, why, sizeof why))
			audit_entry(f, w, "bobao neutral", why);
		if (ref && w->in_jieba && w->freq >= common &&
		    neutral_disagreements(w, ref, 0, why, sizeof why))
			audit_entry(f, w, "reference neutral", why);
	}
	fprintf(f, "readings audit: %zu entries, %zu explained, %zu unexplained\n", nentries,
		nexplained, nentries - nexplained);
	if (fclose(f) != 0) {
		fprintf(stderr, "lexicon_build: %s: write error\n", path);
		exit(74);
	}
	fprintf(stderr, "readings audit: %zu entries, %zu explained, %zu unexplained (%s)\n",
		nentries, nexplained, nentries - nexplained, path);
	if (nused < reviewed.n)
		fprintf(stderr, "readings audit: %zu reviewed entries no longer listed\n",
			reviewed.n - nused);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--chars") == 0)
		return print_chars();
	const char *audit = NULL;
	if (argc > 4 && strcmp(argv[1], "--audit") == 0) {
		audit = argv[2];
		load_reviewed(argv[3]);
		if (strcmp(argv[4], "-") != 0)
			load_reference(argv[4]);
		argv += 4;
		argc -= 4;
	}
	if (argc < 11) {
		fprintf(stderr, "usage: lexicon_build [--audit FILE REVIEWED REFERENCE|-] OUT JIEBA_DICT TERRA_DICT "
				"TERRA_SIMPLIFIED TERRA_BACK CHARS CHARS_T2S CHARS_HK2S CHARS_TW2S "
				"MAINLAND [EXTRA...]\n"
				"       lexicon_build --chars\n");
		return 64;
	}
	load_jieba(argv[2]);
	count_use();
	load_folds(argv + 6);
	mark_strong();
	load_mainland(argv[10]);
	for (int i = 11; i < argc; i++) {
		load_char_rules(argv[i]);
		load_mainland_words(argv[i]);
	}
	load_terra(argv[3], argv[4], argv[5]);
	for (int i = 11; i < argc; i++)
		load_extra(argv[i]);
	vote_chars();
	for (size_t i = 0; i < nwords; i++)
		if (words[i].nchars == 1) {
			choose_char(&words[i]);
			mainland_default(&words[i]);
		}
	for (size_t i = 0; i < nwords; i++)
		if (words[i].nchars > 1 && words[i].ncands)
			choose_phrase(&words[i]);
	pair_votes();
	for (size_t len = 2; len <= LEX_MAX_CHARS; len++) /* shorter words first: parts of longer */
		for (size_t i = 0; i < nwords; i++)
			if (words[i].nchars == len && !words[i].reading)
				derive_reading(&words[i]);
	apply_mainland_words();
	for (size_t i = 0; i < nwords; i++) {
		if (words[i].nchars > 1)
			mainland_default(&words[i]);
		measure_reading(&words[i]);
		adverb_de(&words[i]);
		closing_wei(&words[i]);
		verb_redup(&words[i]);
		surname_reading(&words[i]);
	}
	add_trad_words();
	for (int i = 11; i < argc; i++)
		load_model(argv[i]);
	for (size_t m = 0; m < nsurnames; m++) { /* for pronounce's name detector */
		char key[16];
		snprintf(key, sizeof key, "%cS%s", LEX_CTX_KEY, surnames[m].ch);
		struct word *w = word_get(key, strlen(key));
		w->nchars = 1;
		w->reading = xstrndup(surnames[m].reading, strlen(surnames[m].reading));
		w->freq = 1;
	}
	if (audit)
		write_audit(audit);
	if (!audit || strcmp(argv[1], "-") != 0) /* OUT "-": the audit only */
		write_lexicon(argv[1]);
	return 0;
}
