/* The pronounce stage: one sentence's spoken text -> units with the readings to synthesize.
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Hanzi runs are segmented into words (most probable path through the lexicon's words,
 * jieba-style), each word gives its characters their readings, a character standing alone
 * as a word may take another reading from its neighbouring words (context rules: 得 de5
 * after a verb, 地 de5 after an adverb, 只 zhi1 after a numeral, 曾 zeng1 before 先生...),
 * and 一/不 change tone by the next syllable. Traditional characters are read through their
 * simplified forms (the lexicon's character map), words the two scripts read differently
 * (頭髮, 乾隆) as written; units keep the characters as written. Latin runs go to the English voice (acronyms
 * spelled as letters); pause marks are kept as full-width marks; other symbols become
 * silent fallback units. */
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

/* A sentence as written and folded to simplified characters, code point for code point. */
struct run {
	const char *s, *f, *g;        /* as written, folded, folded but for 著 乾 (weak) */
	const struct cp *cps, *fcps, *gcps; /* the run's code points in each */
	int trad;                     /* traditional text: words looked up as written first */
	uint32_t before, after;       /* the code points beside the run, 0 at the sentence's edge */
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

/* Looks up the word of characters [i, i + k) of the run; 2 when found as written in
 * traditional characters, 1 otherwise, 0 when not found. Traditional text: the word as
 * written in traditional characters, else the most frequent of its simplified form, itself
 * and its simplified form but for the characters simplified text uses too (著作, 顯著 显著);
 * other text: as written, else folded. */
static int find_word(const struct bb_lexicon *lex, const struct run *r, size_t i, size_t k,
		     struct lex_word *w)
{
	size_t a = r->cps[i].off, b = r->cps[i + k - 1].off + r->cps[i + k - 1].len;
	size_t fa = r->fcps[i].off, fb = r->fcps[i + k - 1].off + r->fcps[i + k - 1].len;
	int same = b - a == fb - fa && memcmp(r->s + a, r->f + fa, b - a) == 0;
	if (r->trad && lex_find_trad(lex, r->s + a, b - a, w))
		return 2;
	if (same)
		return lex_find(lex, r->s + a, b - a, w);
	if (!r->trad)
		return lex_find(lex, r->s + a, b - a, w) || lex_find(lex, r->f + fa, fb - fa, w);
	size_t ga = r->gcps[i].off, gb = r->gcps[i + k - 1].off + r->gcps[i + k - 1].len;
	struct lex_word alt;
	int found = lex_find(lex, r->f + fa, fb - fa, w);
	if (lex_find(lex, r->s + a, b - a, &alt) && (!found || alt.freq > w->freq))
		*w = alt, found = 1;
	if (lex_find(lex, r->g + ga, gb - ga, &alt) && (!found || alt.freq > w->freq))
		*w = alt, found = 1;
	return found;
}

/* Whether syllable syl (n bytes) is one of the space-separated syllables of set, or the
 * neutral tone of one (頭髮 tou2 fa5). */
static int in_syllables(const char *set, size_t sn, const char *syl, size_t n)
{
	for (size_t i = 0; i < sn;) {
		size_t j = i;
		while (j < sn && set[j] != ' ')
			j++;
		if (j - i == n && memcmp(set + i, syl, n - (syl[n - 1] == '5')) == 0 &&
		    (set[j - 1] == syl[n - 1] || syl[n - 1] == '5'))
			return 1;
		i = j + 1;
	}
	return 0;
}

/* The reading of traditional character ch (n bytes) in a word found through its simplified
 * form, when that form merges characters and the word's syllable syl is not one ch has
 * (乾了 gan1 le5, though 干了 is gan4 le5); NULL to keep syl. */
static const char *merged_reading(const struct bb_lexicon *lex, const char *ch, size_t n,
				  const char *syl, size_t *len)
{
	struct lex_word t;
	const char *set;
	size_t sn;
	if (!lex_trad_readings(lex, ch, n, &set, &sn) || !lex_find_trad(lex, ch, n, &t) ||
	    (t.flags & LEX_USER) || in_syllables(set, sn, syl, strlen(syl)))
		return NULL;
	*len = t.reading_len;
	return memchr(t.reading, ' ', t.reading_len) ? NULL : t.reading;
}

/* Words found in the run: best[i] is the best log probability of cps[i..n), len[i] the
 * characters of the first word on that path. */
static int segment(const struct bb_lexicon *lex, const struct run *r, size_t n, size_t *wlen)
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
			double lp;
			if (find_word(lex, r, i, k, &w))
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

/* ---- the context model of polyphones ---- */

static int is_numeral(uint32_t c);

/* One word of a hanzi run, as segmented. */
struct seg {
	const char *text;
	size_t bytes, chars;
	enum lex_pos pos;
	int found;
};

/* What stands beside a hanzi run, as a feature: '^' the sentence's edge (c 0), '0' a
 * digit, 'a' a Latin letter, '_' a space, else the character itself. */
static size_t edge_token(uint32_t c, char *out)
{
	int latin = (c < 0x80 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')) ||
		    (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A);
	int digit = (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19);
	if (!c || c <= 0x20 || c == 0x3000 || digit || latin) {
		out[0] = !c ? '^' : latin ? 'a' : digit ? '0' : '_';
		return 1;
	}
	return bb_utf8_encode(c, out);
}

/* The neighbour at offset k (-1 or 1) of character i of a run of n, as text in out (its
 * code point in *cp): a character of the run, or what stands beside the run. */
static size_t neighbour(const struct run *r, size_t n, size_t i, int k, char *out, uint32_t *cp)
{
	if (k < 0 ? i == 0 : i + 1 >= n) {
		*cp = k < 0 ? r->before : r->after;
		return edge_token(*cp, out);
	}
	*cp = r->fcps[k < 0 ? i - 1 : i + 1].c;
	return bb_utf8_encode(*cp, out);
}

/* Characters of transliterated names (斯 of 塞斯, 尔 of 博尔), a neighbour feature. */
static const char translit[] = "斯尔克特亚拉阿伊利德尼罗布普马卡巴维达塔纳索萨莫米奥兰里洛诺泰乌"
			       "埃格吉基科莱蒂菲弗哈赫霍蒙鲁库贝佩波沃夫茨兹西希瓦缪舍谢耶约扎泽";

/* Features of the context model, appended to a buffer: their texts back to back, each
 * one's end in ends[]. */
struct features {
	char text[384];
	size_t ends[16], n;
};

static void feature(struct features *f, const char *name, const char *a, size_t al,
		    const char *b, size_t bl)
{
	size_t at = f->n ? f->ends[f->n - 1] : 0, nl = strlen(name);
	if (f->n == sizeof f->ends / sizeof f->ends[0] || at + nl + al + bl > sizeof f->text ||
	    nl + al + bl > 48)
		return; /* a key of at most 64 bytes */
	memcpy(f->text + at, name, nl);
	memcpy(f->text + at + nl, a, al);
	memcpy(f->text + at + nl + al, b, bl);
	f->ends[f->n++] = at + nl + al + bl;
}

/* A polyphone at least this frequent alone in jieba's dictionary (差 7254, 重 15718) is a
 * common one to the model; below it (剌 962, 镐 512) its leanings are learned from CPP:
 * 1000 gives nearly all of cross-validation's gain on CPP (tests/train_polyphones.py). */
#define COMMON_POLYPHONE_FREQ 1000

/* The features of character i of the run r of n characters, the j-th of word m of segs,
 * read prior so far; kind: 'w' in a word, 'd' in a guessed word (LEX_DERIVED), 'a' alone,
 * 'p' alone and a common polyphone (COMMON_POLYPHONE_FREQ).
 * The trainer reads them as pronounce_features prints them: what it learns is what is
 * scored here. */
static void model_features(const struct run *r, size_t n, size_t i, const struct seg *segs,
			   size_t nseg, size_t m, size_t j, const char *prior, char kind,
			   struct features *f)
{
	char nb[2][8]; /* the neighbours before and after */
	size_t nl[2], pl = strlen(prior);
	uint32_t cp[2];
	nl[0] = neighbour(r, n, i, -1, nb[0], &cp[0]);
	nl[1] = neighbour(r, n, i, 1, nb[1], &cp[1]);
	char kn[2] = {kind, '\0'}, bias[3] = {'b', kind, '\0'}, pk[3] = {'p', kind, '\0'};
	/* the character's leanings whatever its context (its kind, prior, word length and part
	 * of speech) only where no word settles a rare polyphone: CPP's sentences balance each
	 * character's readings, unlike news (差 is mostly cha4, 相 xiang1); the trainer learns
	 * no weight for the bias of the other kinds, there only to name the kind */
	int leanings = kind == 'a';
	f->n = 0;
	feature(f, bias, "", 0, "", 0);
	if (leanings)
		feature(f, pk, prior, pl, "", 0);
	/* characters two away and pairs of neighbours: as good in cross-validation without
	 * them, at twice the lookups */
	for (int k = 0; k < 2; k++) {
		feature(f, k ? "1>" : "1<", nb[k], nl[k], "", 0);
		nb[k][nl[k]] = '\0';
		if (nl[k] == 3 && strstr(translit, nb[k])) /* UTF-8: no match out of step */
			feature(f, k ? "t>" : "t<", "", 0, "", 0);
	}
	if (is_numeral(cp[0]) || (nl[0] == 1 && nb[0][0] == '0'))
		feature(f, "n<", "", 0, "", 0);
	/* the words around: the segmenter's, with their parts of speech */
	char len[3] = {(char)('0' + (segs[m].chars < 9 ? segs[m].chars : 9)), '.',
		       (char)('0' + (j < 9 ? j : 9))}, pos[2] = {0};
	if (leanings)
		feature(f, "L", len, 3, kn, 1);
	if (segs[m].chars > 1)
		feature(f, "W", segs[m].text, segs[m].bytes, "", 0);
	if (m > 0 && j == 0) {
		pos[0] = (char)('A' + segs[m - 1].pos);
		feature(f, "q<", pos, 1, "", 0);
	}
	if (m + 1 < nseg && j + 1 == segs[m].chars) {
		pos[0] = (char)('A' + segs[m + 1].pos);
		feature(f, "q>", pos, 1, "", 0);
	}
	pos[0] = (char)('A' + segs[m].pos);
	if (leanings)
		feature(f, "q", pos, 1, kn, 1);
}

struct candidate {
	const char *reading;
	size_t len;
	long score;
};

/* Adds the weights stored under key (its first base bytes) + feature ("wei2:12 wei4:-3")
 * to the scores of the candidates c[0..nc). */
static void add_weights(const struct bb_lexicon *lex, char *key, size_t base, const char *feat,
			size_t fl, struct candidate *c, size_t nc)
{
	struct lex_word w;
	memcpy(key + base, feat, fl);
	if (!lex_find(lex, key, base + fl, &w))
		return;
	for (const char *p = w.reading, *end = p + w.reading_len; p < end;) {
		const char *colon = memchr(p, ':', (size_t)(end - p)), *q;
		if (!colon)
			break;
		long x = 0, sign = 1;
		for (q = colon + 1; q < end && *q != ' '; q++) {
			if (*q == '-')
				sign = -1;
			else
				x = 10 * x + (*q - '0');
		}
		for (size_t k = 0; k < nc; k++)
			if (c[k].len == (size_t)(colon - p) && memcmp(c[k].reading, p, c[k].len) == 0)
				c[k].score += sign * x;
		p = q + 1;
	}
}

/* The reading the context model (pipeline/polyphone_model.txt, in the lexicon) gives
 * character i of the run r (the j-th of word m of segs), read prior so far, or NULL to keep
 * it: of the character's candidate readings, the one with the highest sum of weights over
 * the features of its context (model_features), the prior with its bonus winning ties. When
 * ex asks for this character (its byte offset), its features are written there. */
static const char *model_reading(const struct bb_lexicon *lex, const struct run *r, size_t n,
				 size_t i, const struct seg *segs, size_t nseg, size_t m, size_t j,
				 const char *prior, char kind, struct model_explain *ex, size_t *len)
{
	char key[2 + 4 + 64];
	struct lex_word w;
	struct candidate c[16];
	struct features f;
	size_t nc = 1, pl = strlen(prior), base;
	int explain = ex && ex->at == r->cps[i].off;
	key[0] = LEX_CTX_KEY;
	key[1] = 'M';
	base = 2 + bb_utf8_encode(r->fcps[i].c, key + 2);
	/* the dictionary's neutral tone stays (知识 zhi1 shi5, 姥姥 lao3 lao5) */
	int has = pl && prior[pl - 1] != '5' && lex_find(lex, key, base, &w);
	if (!has && !explain)
		return NULL;
	model_features(r, n, i, segs, nseg, m, j, prior, kind, &f);
	if (explain) {
		size_t o = 0;
		for (size_t k = 0; k < f.n && o + 1 < ex->size; k++) {
			size_t a = k ? f.ends[k - 1] : 0, l = f.ends[k] - a;
			if (o + l + 2 > ex->size)
				break;
			ex->out[o++] = ' ';
			memcpy(ex->out + o, f.text + a, l);
			o += l;
		}
		ex->out[o] = '\0';
	}
	if (!has)
		return NULL;
	c[0] = (struct candidate){prior, pl, 0};
	for (const char *p = w.reading, *end = p + w.reading_len; p < end && nc < 16;) {
		const char *sp = memchr(p, ' ', (size_t)(end - p));
		size_t l = (size_t)((sp ? sp : end) - p);
		if (l != pl || memcmp(p, prior, pl) != 0)
			c[nc++] = (struct candidate){p, l, 0};
		p += l + 1;
	}
	key[1] = 'W';
	for (size_t k = kind == 'a' ? 0 : 1; k < f.n; k++) { /* the bias weighs only alone */
		size_t a = k ? f.ends[k - 1] : 0;
		add_weights(lex, key, base, f.text + a, f.ends[k] - a, c, nc);
	}
	size_t top = 0;
	long topscore = c[0].score + lex_model_bonus(lex, kind);
	for (size_t k = 1; k < nc; k++)
		if (c[k].score > topscore)
			top = k, topscore = c[k].score;
	if (!top)
		return NULL;
	*len = c[top].len;
	return c[top].reading;
}

/* ---- context rules for single characters ---- */

enum ctx_kind {
	CTX_NONE,   /* always true */
	CTX_NEXT_W, /* the next word is one of words */
	CTX_PREV_W, /* the previous word is one of words */
	CTX_NEXT_P, /* the next word's part of speech is in pos */
	CTX_PREV_P, /* the previous word's part of speech is in pos */
	CTX_NEXT_NEAR, /* one of the next three words is one of words */
	CTX_PREV_NEAR, /* one of the previous three words is one of words */
	CTX_NEXT_LAST, /* the next word is one of words and ends the run */
	CTX_PREV_NUM,  /* the previous word is a number or a counting word (两, 几, 每, 这...) */
	CTX_PREV_REDUP, /* the previous word repeats its characters (悄悄, 慢慢, 认认真真) */
	CTX_PREV_LONG, /* the previous word has two characters or more and is no number */
	CTX_LAST,      /* the word ends the run (a clause's last word) */
	CTX_NEXT_TAIL, /* one of the next three words ends with one of words (好几圈) */
	CTX_NEXT_NP_VERB, /* one to three nominal words follow, then a word of pos (为农民提供) */
	CTX_NEXT_NP_LAST, /* a word before; one to three nominal words follow and end the run
			   * (主任为李明) */
};

struct ctx_cond {
	enum ctx_kind kind;
	const char *words; /* '|'-separated */
	unsigned pos;      /* bits of enum lex_pos */
};

#define P(x) (1u << POS_##x)
#define VERBAL (P(V) | P(VN) | P(P) | P(D) | P(AD))
#define NOMINAL (P(N) | P(NR) | P(NS) | P(R))

/* First matching rule wins; both conditions must hold. A rule marked measure also applies to
 * the last character of a numeral + measure word (一场, 两行). */
static const struct ctx_rule {
	const char *ch, *reading;
	struct ctx_cond a, b;
	int measure;
} ctx_rules[] = {
	/* 场 cháng for weather and events (一场大雨), chǎng otherwise (一场比赛) */
	{"场", "chang2", {CTX_NEXT_W, "雨|大雨|暴雨|透雨|小雨|雪|大雪|暴雪|病|大病|梦|噩梦|大战|虚惊|"
			  "空欢喜|误会|浩劫|冰雹|霜冻|寒潮", 0}, {0}, 1},
	/* 得: 得了/得 + number (obtain), V得 (complement), 得 + verb (must) */
	{"得", "de2", {CTX_NEXT_W, "了|过|到", 0}, {0}, 0},
	{"得", "de2", {CTX_NEXT_P, NULL, P(M)}, {0}, 0},
	{"得", "de2", {CTX_PREV_W, "未|没|没有|尚未|未曾|一无", 0}, {CTX_LAST, NULL, 0}, 0}, /* 一分未得 */
	{"得", "dei3", {CTX_PREV_W, "还是|还|就|也|总|都|又|可|才|只|非", 0},
	 {CTX_NEXT_P, NULL, VERBAL | P(L)}, 0}, /* 还是得靠 */
	{"得", "dei3", {CTX_PREV_P, NULL, NOMINAL | P(D) | P(T) | P(F)},
	 {CTX_NEXT_P, NULL, VERBAL | P(L)}, 0},
	{"得", "de5", {CTX_PREV_P, NULL, ~(NOMINAL | P(P) | P(C) | P(M) | P(Q))}, {0}, 0},
	/* 地 after an adverbial word before a verb: 积极地参与, 悄悄地走 */
	{"地", "de5", {CTX_PREV_REDUP, NULL, 0}, {0}, 0},
	{"地", "de5", {CTX_PREV_LONG, NULL, 0},
	 {CTX_NEXT_P, NULL, VERBAL | P(A) | P(C) | P(I) | P(L)}, 0},
	/* measure words after numerals */
	{"只", "zhi1", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"行", "hang2", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"行", "hang2", {CTX_PREV_W, "该|本|这一|那一|哪一|同|各", 0}, {0}, 0},
	{"种", "zhong3", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"种", "zhong3", {CTX_PREV_W, "这|那|哪|各|某|此|该|何|同|一", 0}, {0}, 0},
	{"种", "zhong4", {CTX_NONE, NULL, 0}, {0}, 0}, /* alone: the verb, 种了小麦 */
	{"处", "chu4", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"载", "zai3", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"载", "zai4", {CTX_NONE, NULL, 0}, {0}, 0}, /* alone: carry, 载着 */
	{"重", "chong2", {CTX_PREV_NUM, NULL, 0}, {0}, 0},
	{"重", "chong2", {CTX_NEXT_W, "回|返|返回|登|启|现|演|游|走|来|开|修|建|审|写|订|拾|温|获|"
			  "振|整|置|生|塑|蹈|逢|聚|上|归|入|组", 0}, {0}, 0},
	/* 长: long after degree words, grow before 得/了/出... */
	{"长", "chang2", {CTX_PREV_W, "很|太|更|最|较|过|挺|特别|比较|非常|这么|那么|多|全|越来越|"
			  "更加|有点|不", 0}, {0}, 0},
	{"长", "zhang3", {CTX_NEXT_W, "得|了|着|出|满|成|大|高|势|起来|出来|在|到|胖|肉|芽", 0}, {0}, 0},
	/* verbs read otherwise in their compounds */
	{"中", "zhong4", {CTX_NEXT_W, "了|过|弹|枪|奖|标|毒|招|签", 0}, {0}, 0},
	/* hit: 罚中, 投篮不中 */
	{"中", "zhong4", {CTX_PREV_W, "罚|射|投|猜|命|击|打|押|踢|抽|百发百|投篮|射门", 0}, {0}, 0},
	{"中", "zhong4", {CTX_PREV_NEAR, "投篮|射门|罚球|投|射|猜|罚|击|打|踢", 0}, {CTX_LAST, NULL, 0}, 0},
	{"不中", "zhong4", {CTX_PREV_W, "投|射|猜|击|打|押|踢|罚|投篮|射门|罚球|命", 0}, {0}, 0},
	/* 挣得很多: earns a lot (de5); 挣得一份工资 (de2) */
	{"挣得", "de5", {CTX_NEXT_W, "很|很多|太多|更多|太|非常|特别|比较|更|多|少|不少|越来越|真|挺|最|相当|不", 0},
	 {0}, 0},
	/* 把衣服当毛巾用: 当 dang4, taken as */
	{"当", "dang4", {CTX_NEXT_NEAR, "用|使|使用|看待|对待", 0}, {CTX_PREV_NEAR, "把|将", 0}, 0},
	/* 有选择地接受: the adverbial de5, not 选择地 the chosen site */
	{"选择地", "de5", {CTX_NEXT_P, NULL, VERBAL}, {0}, 0},
	{"系", "ji4", {CTX_NEXT_W, "好|上|紧|着|在|牢|住|鞋带|安全带|红领巾|领带", 0}, {0}, 0},
	{"空", "kong4", {CTX_NEXT_W, "出|出来|着|下|下来", 0}, {0}, 0},
	{"差", "cha1", {CTX_PREV_W, "之", 0}, {0}, 0},
	{"干", "gan1", {CTX_PREV_W, "晒|晾|烘|吹|擦|风|烤|蒸|榨|喝|烧|拧|抹|吸|熬|舔", 0}, {0}, 0},
	{"干", "gan1", {CTX_NEXT_LAST, "了", 0}, {CTX_PREV_W, "就|已经|已|早已|快|都|全|早就|也|还没", 0}, 0},
	{"结", "jie1", {CTX_NEXT_W, "满|出|果|籽|穗|瓜|果子|果实|出了", 0}, {0}, 0},
	{"背", "bei1", {CTX_NEXT_W, "着|起|起来|上|走|回|到|在|去|来", 0}, {0}, 0},
	{"教", "jiao1", {CTX_NONE, NULL, 0}, {0}, 0}, /* alone: teach, 教孩子 */
	{"还", "huan2", {CTX_NEXT_W, "清|给|钱|款|债|贷|本|书|回|贷款|欠款|借款|清了|上|完", 0}, {0}, 0},
	{"还", "huan2", {CTX_LAST, NULL, 0}, {0}, 0}, /* the adverb never ends a clause */
	/* verbs read otherwise than the character's usual reading */
	{"冲", "chong4", {CTX_PREV_W, "太|很|挺|真|特别|比较|有点|更|十分", 0}, {0}, 0},
	{"冲", "chong4", {CTX_NEXT_W, "着", 0}, {0}, 0},
	{"露", "lou4", {CTX_NEXT_W, "了|一手|馅|脸|马脚|怯|富|底", 0}, {0}, 0},
	{"倒", "dao4", {CTX_NEXT_W, "进|入|进去|出|出来|掉|满|上|水|茶|酒|垃圾|退", 0}, {0}, 0},
	{"转", "zhuan4", {CTX_NEXT_TAIL, "圈|圈儿", 0}, {0}, 0},
	{"扇", "shan4", {CTX_PREV_NUM, NULL, 0}, {0}, 1},
	{"扇", "shan1", {CTX_NEXT_W, "了|着|风|动|灭|耳光|巴掌|扇子", 0}, {0}, 0},
	{"咽", "yan4", {CTX_NEXT_W, "了|下|下去|不下|进|口水|气|回", 0}, {0}, 0},
	{"咽", "yan4", {CTX_LAST, NULL, 0}, {0}, 0},
	{"和", "huo2", {CTX_NEXT_W, "面|泥|了", 0}, {0}, 0},
	{"发", "fa1", {CTX_PREV_NUM, NULL, 0}, {0}, 1}, /* measure: 一发炮弹 */
	/* 穿着 + what is worn is the verb + zhe; 穿着朴素 (dress) stays zhuo */
	{"穿着", "zhe5", {CTX_NEXT_P, NULL, P(N) | P(R) | P(T) | P(Q)}, {0}, 0},
	{"穿着", "zhe5", {CTX_NEXT_W, "统一|一|一身|一件|一双|一套|一条|两件|整齐|厚厚|红色|白色|黑色|蓝色|绿色", 0},
	 {0}, 0},
	{"应", "ying4", {CTX_NEXT_NEAR, "邀|邀请|要求|请求|约|之邀", 0}, {0}, 0},
	{"量", "liang2", {CTX_NEXT_W, "体温|血压|身高|尺寸|体重|一下", 0}, {0}, 0},
	{"调", "diao4", {CTX_NEXT_W, "往|到|入|离|任|回|走|至|来|去|派|查", 0}, {0}, 0},
	{"数", "shu3", {CTX_NEXT_W, "了|一数|不清|不胜数|得上|得着|不过来|了数", 0}, {0}, 0},
	{"着", "zhao2", {CTX_NEXT_W, "火|凉|急|迷|慌", 0}, {0}, 0},
	{"为", "wei2", {CTX_NEXT_W, "主|辅|期|限|止|准|首|由|例", 0}, {0}, 0},
	/* 为 as "is": before a number (增幅为百分之五), in 以…为… and 为…所… */
	{"为", "wei2", {CTX_NEXT_P, NULL, P(M)}, {0}, 0},
	{"为", "wei2", {CTX_NEXT_W, "百分之|零下|负|约|零点", 0}, {0}, 0},
	{"为", "wei2", {CTX_PREV_NEAR, "以", 0}, {0}, 0},
	{"为", "wei2", {CTX_NEXT_NEAR, "所", 0}, {0}, 0},
	/* 为 "as" after a verb of naming or changing: 被任命为, 调整为, 更名为 */
	{"为", "wei2", {CTX_PREV_W, "任命|选|评|选举|推选|聘|聘请|聘任|命名|更名|改名|定|列|视|称|"
			  "译|誉|改|分|变|转化|升级|调整|划|确定|认定|提名|评选|任|指定|定性|简称|"
			  "统称|并称|奉|尊|拜|立|封|选定|修改|缩短|提高|降低|下调|上调|增加|减少", 0},
	 {0}, 0},
	{"调", "tiao2", {CTX_NEXT_W, "低|高|成|好|匀|和|至|整|控", 0}, {0}, 0},
	/* 过 after a noun, before a noun or number, is the verb: 行人过马路, 营业额过亿 (after a
	 * verb, the particle: 去过北京) */
	{"过", "guo4", {CTX_PREV_P, NULL, NOMINAL}, {CTX_NEXT_P, NULL, NOMINAL | P(M)}, 0},
	/* 为 with a noun phrase: "for" when a verb follows it (为农民提供补贴, 为人民服务),
	 * "is" when it ends the clause (主任为李明, 冠军为中国队) */
	{"为", "wei4", {CTX_NEXT_NP_VERB, NULL, VERBAL | P(L)}, {0}, 0},
	{"为", "wei2", {CTX_NEXT_NP_LAST, NULL, 0}, {0}, 0},
};

static int in_list(const char *list, const char *w, size_t n)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, "|");
		if (l == n && memcmp(p, w, n) == 0)
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

static int is_count_word(const struct seg *w)
{
	static const char *const count = "几两数每这那哪多半";
	if (w->pos == POS_M)
		return 1;
	for (size_t i = 0; i < w->bytes;) {
		uint32_t c;
		size_t l = bb_utf8_decode(w->text + i, w->bytes - i, &c);
		char buf[4];
		if (!l || bb_utf8_encode(c, buf) != 3)
			return 0;
		int ok = 0;
		for (const char *p = count; *p && !ok; p += 3)
			ok = memcmp(p, buf, 3) == 0;
		if (!ok && !is_numeral(c))
			return 0;
		i += l;
	}
	return 1;
}

/* Whether a word repeats: AA, AABB or ABB (悄悄, 认认真真, 静悄悄). */
static int is_redup(const struct seg *w)
{
	const char *t = w->text;
	if (w->bytes == 6 && w->chars == 2)
		return memcmp(t, t + 3, 3) == 0;
	if (w->bytes == 9 && w->chars == 3)
		return memcmp(t + 3, t + 6, 3) == 0;
	if (w->bytes == 12 && w->chars == 4)
		return memcmp(t, t + 3, 3) == 0 && memcmp(t + 6, t + 9, 3) == 0;
	return 0;
}

/* Whether a word ends with one of list's words. */
static int ends_with(const char *list, const struct seg *w)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, "|");
		if (l <= w->bytes && memcmp(p, w->text + w->bytes - l, l) == 0)
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

/* Whether a word of two characters or more starts with a number: 一发, 两扇. */
static int count_head(const struct seg *w)
{
	struct seg pre = {w->text, w->bytes - 3, w->chars - 1, POS_NONE, 1};
	return w->chars > 1 && w->bytes >= 6 && is_count_word(&pre);
}

/* Whether a word can be part of a noun phrase: a noun, name or pronoun, or a character
 * standing alone that is no verb (the given name of 李|明, 张|伟). */
static int is_nominal(const struct seg *w)
{
	return !w->found || w->pos == POS_NONE || (NOMINAL & (1u << w->pos)) ||
	       (w->chars == 1 && !(VERBAL & (1u << w->pos)));
}

static int ctx_holds(const struct ctx_cond *c, const struct seg *w, size_t n, size_t i)
{
	const struct seg *prev = i ? &w[i - 1] : NULL, *next = i + 1 < n ? &w[i + 1] : NULL;
	switch (c->kind) {
	case CTX_NONE:
		return 1;
	case CTX_NEXT_W:
		return next && in_list(c->words, next->text, next->bytes);
	case CTX_PREV_W:
		return prev && in_list(c->words, prev->text, prev->bytes);
	case CTX_NEXT_P:
		return next && next->found && (c->pos & (1u << next->pos));
	case CTX_PREV_P:
		return prev && prev->found && (c->pos & (1u << prev->pos));
	case CTX_NEXT_NEAR:
		for (size_t k = i + 1; k < n && k <= i + 3; k++)
			if (in_list(c->words, w[k].text, w[k].bytes))
				return 1;
		return 0;
	case CTX_PREV_NEAR:
		for (size_t k = i; k-- > 0 && k + 3 >= i;)
			if (in_list(c->words, w[k].text, w[k].bytes))
				return 1;
		return 0;
	case CTX_NEXT_LAST:
		return next && i + 2 == n && in_list(c->words, next->text, next->bytes);
	case CTX_PREV_NUM: /* or the word itself is numeral + measure */
		return (prev && is_count_word(prev)) || count_head(&w[i]);
	case CTX_PREV_REDUP:
		return prev && is_redup(prev);
	case CTX_LAST:
		return !next;
	case CTX_NEXT_TAIL:
		for (size_t k = i + 1; k < n && k <= i + 3; k++)
			if (ends_with(c->words, &w[k]))
				return 1;
		return 0;
	case CTX_PREV_LONG:
		return prev && prev->chars >= 2 && !is_count_word(prev) && prev->pos != POS_F &&
		       prev->pos != POS_Q;
	case CTX_NEXT_NP_VERB:
	case CTX_NEXT_NP_LAST: {
		size_t k = i + 1;
		while (k < n && k <= i + 3 && is_nominal(&w[k]))
			k++;
		if (k == i + 1)
			return 0;
		if (c->kind == CTX_NEXT_NP_LAST) /* "is" needs a subject before it */
			return k == n && i > 0;
		return k < n && w[k].found && (c->pos & (1u << w[k].pos));
	}
	}
	return 0;
}

/* The reading the context rules give word i's last character (a rule names the whole word,
 * or the measure of numeral + measure), or NULL. */
static const char *ctx_reading(const struct seg *w, size_t n, size_t i)
{
	size_t head = count_head(&w[i]) ? w[i].bytes - 3 : 0; /* for numeral + measure */
	for (size_t r = 0; r < sizeof ctx_rules / sizeof ctx_rules[0]; r++) {
		const struct ctx_rule *x = &ctx_rules[r];
		size_t len = strlen(x->ch);
		int whole = len == w[i].bytes && memcmp(x->ch, w[i].text, len) == 0;
		int measure = head && x->measure && len == w[i].bytes - head &&
			      memcmp(x->ch, w[i].text + head, len) == 0;
		if ((whole || measure) && ctx_holds(&x->a, w, n, i) && ctx_holds(&x->b, w, n, i))
			return x->reading;
	}
	return NULL;
}

/* ---- names: a surname's reading at the start of a person's name ---- */

/* Words after a person's name (葛文耀表示, 曾庆红说) and before one (记者肖林, 教授单文). */
#define AFTER_NAME "说|表示|指出|认为|介绍|告诉|称|强调|透露|回忆|坦言|解释|建议|希望|说道|" \
	"先生|女士|小姐|同志|教授|博士|医生|老师|书记|主任|所长|院长|局长|经理|董事长|总经理|" \
	"代表|委员|一行|等人|夫妇|同学|师傅|律师|记者|表态|发言|接受|出席|会见|当选|担任|获得|" \
	"院士|处长|科长|县长|市长|部长|主席|总裁|教练|研究员|工程师|报道"
#define BEFORE_NAME "记者|通讯员|主任|教授|总统|总理|主席|部长|市长|县长|省长|局长|书记|董事长|" \
	"总经理|经理|院长|校长|所长|队长|厂长|医生|律师|演员|导演|歌手|选手|作家|画家|村民|居民|" \
	"市民|网友|同学|老师|患者|司机|主持人|负责人|专家|学者|研究员|教练|队员|球员|编辑|工程师|" \
	"委员|代表|先生|女士|摄影|实习生|特约记者|本报记者|新华社记者|发言人|创始人|航天员|" \
	"运动员|区长|镇长|乡长|村长|处长|科长|行长|社长|会长|团长|组长|站长|馆长|总裁|院士|民警"
/* Titles after a surname alone (曾女士, 单先生, 解大爷, 曾某). */
#define TITLES "先生|女士|小姐|大爷|大妈|大娘|阿姨|老师|师傅|同学|医生|大夫|教授|律师|记者|书记|" \
	"主任|经理|局长|县长|市长|省长|部长|处长|科长|所长|院长|校长|队长|厂长|村长|某|某某|" \
	"老汉|老太|奶奶|爷爷|警官|博士|院士|总|老伯|大哥|大姐|大叔|婆婆|先生们|家族|姓"
/* Prepositions and conjunctions a name follows as a word of its own (据单霁翔介绍, 和仇志刚);
 * a word they start (据查, 对华, 和解) is not a name's. Not 同, "same" before 区 (同区居民);
 * and 华 after them is China (与华合作, 向华出口). */
#define PREP_BEFORE_NAME "据|由|与|和|向|对|给|跟"

/* Whether one of list's words starts text (n bytes). */
static int starts_with(const char *list, const char *text, size_t n)
{
	for (const char *p = list; *p;) {
		size_t l = strcspn(p, "|");
		if (l <= n && memcmp(p, text, l) == 0)
			return 1;
		p += l;
		if (*p)
			p++;
	}
	return 0;
}

/* Whether character k of the run starts a word of segs (or ends the run); word m starts at
 * character i. */
static int word_starts(const struct seg *segs, size_t nseg, size_t m, size_t i, size_t k)
{
	while (m < nseg && i < k)
		i += segs[m++].chars;
	return i == k;
}

/* Whether text, right after a name, is its age in parentheses: （45岁）, (四十五岁). */
static int age_follows(const char *text)
{
	const char *open = strncmp(text, "（", 3) == 0 ? text + 3 : *text == '(' ? text + 1 : NULL;
	const char *age = open ? strstr(open, "岁") : NULL;
	return age && age - open <= 12;
}

/* The surname reading of character i of the run (folded code points fcps, folded text f:
 * the whole sentence), the first of word m of the run's nseg words (segs, their lexicon
 * entries lws), when it starts a person's name; NULL otherwise. A name is a surname and a
 * given name of one or two characters (none of not_given): after a title or 记者 (记者肖林)
 * or a preposition (据单霁翔介绍); before a word of AFTER_NAME (葛文耀表示) or an age in
 * parentheses (曾志强（60岁）); a list's item (张明、曾华强、翟新民); or the surname alone
 * after 老, 小 or 姓, or before a title or 某 (老单, 曾女士, 曾某). The surname stands alone as
 * a word or starts a guessed name (POS nr): known words keep their readings (单位, 华为,
 * though tagged nr), so a preposition's or a list's neighbour is seldom misread; and a verb
 * of two characters or more after a surname that is also an adverb (曾) makes it the adverb
 * (记者曾参加; 华建新 stays a name). */
static const char *surname_reading(const struct bb_lexicon *lex, const char *f,
				   const struct cp *fcps, size_t n, size_t i, const struct seg *segs,
				   const struct lex_word *lws, size_t nseg, size_t m, size_t *len)
{
	const struct seg *w = &segs[m], *prev = m ? &segs[m - 1] : NULL;
	const struct seg *next = m + 1 < nseg ? &segs[m + 1] : NULL;
	int derived = !!(lws[m].flags & LEX_DERIVED);
	int adverb = w->pos == POS_D && next && next->pos == POS_V && next->chars >= 2;
	/* words that are not a given name's, the verbs after the adverb 曾 among them (曾任) */
	static const char *const not_given =
		"一了的是在不也都就和与下个这那把被将对从向多再又已曾经还很两我你他她它任获因为有以到"
		"去来";
	char key[8];
	struct lex_word lw;
	key[0] = LEX_CTX_KEY;
	key[1] = 'S';
	size_t cl = bb_utf8_encode(fcps[i].c, key + 2);
	if ((w->chars != 1 && !(w->pos == POS_NR && derived)) || !lex_find(lex, key, 2 + cl, &lw) ||
	    (w->chars == 1 && adverb))
		return NULL;
	size_t start = fcps[0].off, end = fcps[n - 1].off + fcps[n - 1].len;
	int alone = w->chars == 1;
	/* 老单, 姓曾, 单先生, 曾某: the surname is the whole name; a surname that is also a
	 * particle is the particle after a verb or a word of one character (当过老师, 见过医生) */
	int particle = w->pos == POS_U && prev && (prev->pos == POS_V || prev->chars == 1);
	int named = alone && ((prev && in_list("老|小|姓", prev->text, prev->bytes)) ||
			      (next && in_list(TITLES, next->text, next->bytes) && !particle));
	int titled = alone && prev &&
		     (in_list(BEFORE_NAME, prev->text, prev->bytes) || ends_with(BEFORE_NAME, prev));
	int prep = alone && prev && in_list(PREP_BEFORE_NAME, prev->text, prev->bytes) &&
		   !in_list("华|乐", w->text, w->bytes);
	/* a list's items after the first are whole runs, or end before 和, 等, with two given
	 * characters (张明、曾华强、翟新民, 李强、查文静和区冬梅): two-character items are mostly
	 * words (单料、双熬), and a first item may start with a verb (任鄱阳、奉新知县, 种水稻、) */
	int listed = alone && i == 0 && start >= 3 && memcmp(f + start - 3, "、", 3) == 0;
	for (size_t g = 1; g <= 2 && !named && i + g < n; g++) {
		char c[4];
		if (bb_utf8_encode(fcps[i + g].c, c) == 3 && strstr(not_given, (c[3] = 0, c)))
			break;
		if (g == 1 && starts_with(AFTER_NAME, f + fcps[i + 1].off, end - fcps[i + 1].off))
			break; /* 主任曾说: no given name */
		size_t at = i + g + 1 < n ? fcps[i + g + 1].off : end;
		int run_end = at == end, word_end = word_starts(segs, nseg, m, i, i + g + 1);
		/* after a preposition the name ends where a word does, with two given characters
		 * that are not a verb, or the run (和仇志刚一起, 和区冬; not 由单胺氧化酶, 和能划分) */
		int after_prep = prep && word_end &&
				 ((g == 2 && !(next->chars == 2 && next->pos == POS_V)) || run_end);
		/* before a word of AFTER_NAME that starts a word (not 任外交部长), or the age */
		int before = word_end && (starts_with(AFTER_NAME, f + at, end - at) ||
					  (run_end && age_follows(f + end)));
		int item = listed && g == 2 &&
			   (run_end || (word_end && starts_with("和|与|及|等", f + at, end - at)));
		named = titled || after_prep || (g + 1 >= w->chars && (item || before));
	}
	if (!named)
		return NULL;
	*len = lw.reading_len;
	return lw.reading;
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
	/* a numeral before, but not the end of a word such as 唯一, 统一 (唯一一个 yi2) */
	int prev_num = is_numeral(prev) && !(h[i - 1].word_len > 1 &&
					      h[i - 1].word_pos + 1 == h[i - 1].word_len &&
					      !is_numeral(h[i - 1 - h[i - 1].word_pos].c));
	if (prev == 0x7B2C || prev_num || is_digit_numeral(next))
		return 1;
	if (next == 0x70B9 && i + 2 < n && is_numeral(h[i + 2].c)) /* 一点五: a decimal */
		return 1;
	if (next == 0x6708) /* 一月 (January) */
		return 1;
	if (i == 0 && next == 0x662F) /* enumerating at a clause's start: 一是…，二是… */
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

/* Reads a run of hanzi; the context rules see the words in simplified characters. */
static int add_hanzi_run(struct units *u, const struct bb_lexicon *lex, const struct run *r,
			 size_t n, struct model_explain *ex)
{
	const struct cp *cps = r->cps, *fcps = r->fcps;
	size_t *wlen = malloc(n * sizeof *wlen);
	struct hz *h = calloc(n, sizeof *h);
	struct seg *segs = calloc(n, sizeof *segs);
	struct lex_word *lw = calloc(n, sizeof *lw);
	int rc = wlen && h && segs && lw ? segment(lex, r, n, wlen) : BB_ENOMEM;
	size_t first = u->n, nseg = 0;
	for (size_t i = 0; rc == BB_OK && i < n; i += wlen[i], nseg++) {
		size_t k = wlen[i], a = fcps[i].off, b = fcps[i + k - 1].off + fcps[i + k - 1].len;
		struct seg *g = &segs[nseg];
		g->text = r->f + a;
		g->bytes = b - a;
		g->chars = k;
		g->found = find_word(lex, r, i, k, &lw[nseg]);
		g->pos = g->found ? lw[nseg].pos : POS_NONE;
	}
	for (size_t i = 0, m = 0; rc == BB_OK && i < n; i += wlen[i], m++) {
		size_t k = wlen[i];
		struct lex_word w = lw[m];
		int found = segs[m].found;
		const char *ctx = NULL, *sur = NULL;
		size_t surlen = 0;
		char rd[64];
		if (found && !(w.flags & LEX_USER))
			sur = surname_reading(lex, r->f, fcps, n, i, segs, lw, nseg, m, &surlen);
		if (found && !(w.flags & LEX_USER) && (ctx = ctx_reading(segs, nseg, m))) {
			/* the rule's syllable replaces the word's last one */
			const char *sp = memrchr(w.reading, ' ', w.reading_len);
			size_t keep = sp ? (size_t)(sp - w.reading) + 1 : 0;
			if (keep + strlen(ctx) < sizeof rd) {
				memcpy(rd, w.reading, keep);
				strcpy(rd + keep, ctx);
				w.reading = rd;
				w.reading_len = strlen(rd);
				w.flags &= ~(unsigned)LEX_POLY;
			}
		}
		for (size_t j = 0; j < k; j++) {
			struct bb_unit *x = unit_new(u);
			if (!x) {
				rc = BB_ENOMEM;
				break;
			}
			copy_field(x->text, sizeof x->text, r->s + cps[i + j].off, cps[i + j].len);
			x->lang = BB_ZH;
			if (j)
				x->flags |= BB_UNIT_IN_WORD;
			h[i + j].c = fcps[i + j].c;
			h[i + j].word_pos = j;
			h[i + j].word_len = k;
			h[i + j].lex_flags = found ? w.flags : 0;
			if (!found) {
				x->flags |= BB_UNIT_FALLBACK; /* unknown character: silent */
				continue;
			}
			nth_syllable(w.reading, w.reading_len, j, x->reading, sizeof x->reading);
			const char *mr = NULL;
			size_t mlen = 0;
			if (segs[m].found == 1 && !(w.flags & LEX_USER) &&
			    cps[i + j].c != fcps[i + j].c && x->reading[0])
				mr = merged_reading(lex, x->text, strlen(x->text), x->reading, &mlen);
			if (mr)
				copy_field(x->reading, sizeof x->reading, mr, mlen);
			if (j == 0 && sur) { /* a person's name: the surname's reading */
				copy_field(x->reading, sizeof x->reading, sur, surlen);
				continue;
			}
			/* the model reads characters standing alone and those of guessed words */
			if (!(w.flags & LEX_USER) && !ctx && (k == 1 || (w.flags & LEX_DERIVED)))
				x->flags |= BB_UNIT_ALONE;
			struct lex_word cw;
			if ((x->flags & BB_UNIT_ALONE) &&
			    lex_find(lex, r->f + fcps[i + j].off, fcps[i + j].len, &cw) &&
			    (cw.flags & LEX_POLY))
				x->flags |= BB_UNIT_POLY;
			/* a rare polyphone (剌 媛 镐) is read like a character of one common
			 * reading ('a'), its leanings learned: CPP's balance of readings misleads
			 * only where news has many of each (差 重 相) */
			int common = (x->flags & BB_UNIT_POLY) && cw.freq >= COMMON_POLYPHONE_FREQ;
			char kind = !(x->flags & BB_UNIT_ALONE) ? 'w' : k > 1 ? 'd' : common ? 'p' : 'a';
			if (!(w.flags & (LEX_USER | LEX_OWN)) && !ctx &&
			    (mr = model_reading(lex, r, n, i + j, segs, nseg, m, j, x->reading, kind, ex,
						&mlen))) {
				copy_field(x->reading, sizeof x->reading, mr, mlen);
				x->flags |= BB_UNIT_MODEL;
			}
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
	free(segs);
	free(lw);
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

/* The sentence folded to simplified characters into f, all of them (full) or only those of
 * traditional text only; *trad set when there are any of those. */
static void fold_all(const struct bb_lexicon *lex, const struct cp *cps, size_t n, int full,
		     char *f, struct cp *fcps, int *trad)
{
	size_t len = 0;
	for (size_t i = 0; i < n; i++) {
		int strong = 0;
		uint32_t c = bb_is_hanzi(cps[i].c) ? lex_fold(lex, cps[i].c, &strong) : cps[i].c;
		*trad |= strong;
		if (!full && !strong)
			c = cps[i].c;
		fcps[i].c = c;
		fcps[i].off = len;
		fcps[i].len = bb_utf8_encode(c, f + len);
		len += fcps[i].len;
	}
	f[len] = '\0';
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

int bb_pronounce_features(struct bb_sentence *s, const struct bb_lexicon *lex,
			  struct model_explain *ex, struct bb_error *err)
{
	struct units u = {0};
	struct cp *cps = NULL;
	size_t n = 0;
	const char *text = s->spoken ? s->spoken : "";
	int trad = 0;
	int rc = decode_all(text, &cps, &n);
	char *folded = malloc(4 * n + 1), *weak = malloc(4 * n + 1);
	struct cp *fcps = malloc((n + 1) * sizeof *fcps), *gcps = malloc((n + 1) * sizeof *gcps);
	if (!folded || !weak || !fcps || !gcps)
		rc = BB_ENOMEM;
	if (rc == BB_OK) {
		fold_all(lex, cps, n, 1, folded, fcps, &trad);
		fold_all(lex, cps, n, 0, weak, gcps, &trad);
	}
	for (size_t i = 0; rc == BB_OK && i < n;) {
		uint32_t c = cps[i].c;
		const char *mark;
		size_t j = i + 1;
		if (bb_is_hanzi(c)) {
			while (j < n && bb_is_hanzi(cps[j].c))
				j++;
			struct run r = {text, folded, weak, cps + i, fcps + i, gcps + i, trad,
					 i ? cps[i - 1].c : 0, j < n ? cps[j].c : 0};
			rc = add_hanzi_run(&u, lex, &r, j - i, ex);
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
	free(folded);
	free(fcps);
	free(weak);
	free(gcps);
	if (rc != BB_OK) {
		free(u.v);
		return bb_fail(err, rc, "out of memory");
	}
	free(s->units);
	s->units = u.v;
	s->nunits = u.n;
	return BB_OK;
}

int bb_pronounce(struct bb_sentence *s, const struct bb_lexicon *lex, struct bb_error *err)
{
	return bb_pronounce_features(s, lex, NULL, err);
}
