/* Text normalization: written news text -> the words a news reader says. Every digit, unit
 * and symbol becomes hanzi (or is dropped); Latin letters stay ASCII for the English voice.
 * The pure expanders are in numwords.c, the tables in units.c; this file reads the context
 * around each number and chooses among them. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "bobao.h"
#include "numwords.h"
#include "units.h"

#define NONE ((size_t)-1)

struct norm {
	const struct bb_text *in;
	const char *s;             /* the text the classifier reads: traditional forms folded */
	const char *orig;          /* the text as written, which copy() copies */
	size_t n;
	struct bb_text *out;
	int rc;
	size_t num_start, num_end; /* the last number token read (NONE: none yet) */
	int arith;                 /* an operator was read since the last hanzi */
	int quote2, quote1;        /* ASCII quotes seen: odd means the next one closes */
	int trad;                  /* traditional-character text: a bare $ is local dollars, 元 */
	int space;                 /* whitespace seen after a Latin word */
	size_t score_end;          /* end of the last score read (21-15、21-18), NONE: none */
};

/* A number as written: integer digits (thousands separators removed), fraction digits. */
struct num {
	size_t start, end;
	char ip[NW_MAX_DIGITS + 1];
	size_t nip;
	const char *fp;
	size_t nfp;
	int commas, toolong;
};

/* ---- input helpers ------------------------------------------------------------------- */

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int byte(const struct norm *nm, size_t i)
{
	return i < nm->n ? (unsigned char)nm->s[i] : 0;
}

static inline int at(const struct norm *nm, size_t i, const char *lit)
{
	size_t l = __builtin_strlen(lit);
	/* the first byte rejects almost every call cheaply: this runs many times a number */
	return i < nm->n && nm->s[i] == lit[0] && nm->n - i >= l && memcmp(nm->s + i, lit, l) == 0;
}

static size_t digits_end(const struct norm *nm, size_t i)
{
	while (i < nm->n && is_digit((unsigned char)nm->s[i]))
		i++;
	return i;
}

/* Length of the whitespace at i (space, tab, newline, U+3000, no-break space), or 0. */
static size_t space_len(const struct norm *nm, size_t i)
{
	int c = byte(nm, i);
	if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
		return 1;
	if (at(nm, i, "\xe3\x80\x80"))
		return 3;
	if (at(nm, i, "\xc2\xa0"))
		return 2;
	return 0;
}

static size_t skip_spaces(const struct norm *nm, size_t i)
{
	size_t l;
	while ((l = space_len(nm, i)) != 0)
		i += l;
	return i;
}

/* The code point ending just before i, and where it starts. */
static uint32_t prev_cp(const struct norm *nm, size_t i, size_t *start)
{
	uint32_t cp = 0;
	size_t j = i;
	if (i == 0) {
		*start = 0;
		return 0;
	}
	j--;
	while (j > 0 && ((unsigned char)nm->s[j] & 0xC0) == 0x80 && i - j < 4)
		j--;
	if (!bb_utf8_decode(nm->s + j, i - j, &cp))
		cp = 0;
	*start = j;
	return cp;
}

/* A colon between digits: ASCII or full-width (1 or 3 bytes), 0 if none. */
static size_t colon_len(const struct norm *nm, size_t i)
{
	if (byte(nm, i) == ':')
		return 1;
	/* ： and the presentation forms ﹕ ︰ of CMS exports */
	return at(nm, i, "：") || at(nm, i, "﹕") || at(nm, i, "︰") ? 3 : 0;
}

/* A range mark between numbers: 1 for a symbol read 到 (- ~ — – 〜 ～), 2 for a word kept
 * as written (至 到); *len gets its length. */
static int range_mark(const struct norm *nm, size_t i, size_t *len)
{
	int c0 = byte(nm, i);
	if (c0 != '-' && c0 != '~' && c0 != 0xE2 && c0 != 0xE3 && c0 != 0xEF && c0 != 0xE8 &&
	    c0 != 0xE5)
		return 0;
	static const char *const marks[] = {"-", "~", "—", "–", "〜", "～", "－", "−"};
	static const char *const words[] = {"至", "到"};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (at(nm, i, marks[k])) {
			*len = strlen(marks[k]);
			return 1;
		}
	for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
		if (at(nm, i, words[k])) {
			*len = strlen(words[k]);
			return 2;
		}
	return 0;
}

/* Does the text before i end (past spaces and joining words such as 是, 为, ：) with an
 * entry of t? window > 0 also accepts entries of two or more hanzi within window bytes. */
static int before_has(const struct norm *nm, size_t i, const struct unit_table *t, size_t window)
{
	static const char *const joiners[] = {"是", "为", "：", ":", "、", "或", "和", "（", "(",
					      "“", "\"", "号"};
	static const unsigned char jlen[] = {3, 3, 3, 1, 3, 3, 3, 3, 1, 3, 1, 3};
	size_t end = i;
	for (int moved = 1; moved;) {
		moved = 0;
		size_t st;
		uint32_t cp = prev_cp(nm, end, &st);
		if (cp == ' ' || cp == 0x3000 || cp == '\t') {
			end = st, moved = 1;
			continue;
		}
		for (size_t k = 0; k < sizeof joiners / sizeof joiners[0]; k++) {
			size_t l = jlen[k];
			if (end >= l && nm->s[end - 1] == joiners[k][l - 1] && memcmp(nm->s + end - l, joiners[k], l) == 0 && end - l < i) {
				/* 号 joins only after a word (号码 is itself a context word) */
				if (k == sizeof joiners / sizeof joiners[0] - 1)
					continue;
				end -= l, moved = 1;
				break;
			}
		}
	}
	if (unit_suffix(t, nm->s, end) || unit_suffix(t, nm->s, i))
		return 1;
	if (!window)
		return 0;
	size_t from = i > window ? i - window : 0;
	for (size_t k = 0; k < t->n; k++) {
		const char *w = t->items[k].text;
		size_t l = t->items[k].len;
		if (l < 6)
			continue;
		for (size_t p = from; p + l <= i; p++)
			if (nm->s[p] == w[0] && nm->s[p + 1] == w[1] && nm->s[p + 2] == w[2] &&
			    memcmp(nm->s + p, w, l) == 0)
				return 1;
	}
	return 0;
}

static const struct unit *after_has(const struct norm *nm, size_t i, const struct unit_table *t)
{
	return i < nm->n ? unit_prefix(t, nm->s + i, nm->n - i) : NULL;
}

/* ---- output -------------------------------------------------------------------------- */

static struct bb_span span_of(const struct norm *nm, size_t a, size_t b)
{
	if (nm->in->src)
		return bb_text_span(nm->in, a, b);
	struct bb_span sp = {a, b};
	return sp;
}

/* Appends words that stand for input bytes [a, b). */
static void emit(struct norm *nm, const char *words, size_t a, size_t b)
{
	if (nm->rc || !*words)
		return;
	nm->rc = bb_text_add(nm->out, words, strlen(words), span_of(nm, a, b));
	nm->space = 0;
}

/* Copies input bytes [a, b) unchanged, each byte keeping its own source. */
static void copy(struct norm *nm, size_t a, size_t b)
{
	struct bb_text *o = nm->out;
	size_t at0 = o->len;
	struct bb_span zero = {0, 0};
	if (nm->rc || a >= b)
		return;
	nm->rc = bb_text_add(o, nm->orig + a, b - a, zero);
	nm->space = 0;
	if (nm->rc || !o->src)
		return;
	if (nm->in->src) {
		memcpy(o->src + at0, nm->in->src + a, (b - a) * sizeof *o->src);
		return;
	}
	for (size_t i = a; i < b;) {
		size_t j = i + 1;
		while (j < b && ((unsigned char)nm->s[j] & 0xC0) == 0x80)
			j++;
		for (size_t k = i; k < j; k++)
			o->src[at0 + k - a] = span_of(nm, i, j);
		i = j;
	}
}

/* ---- numbers ------------------------------------------------------------------------- */

/* A thousands separator at i (comma, space, no-break or thin space): its length, or 0. */
static size_t group_sep_len(const struct norm *nm, size_t i)
{
	/* the full-width comma too: Big5 text writes １，２３４ and the article stage folds only
	 * the digits */
	static const char *const seps[] = {",", " ", "\xc2\xa0", "\xe2\x80\x89", "\xe2\x80\xaf",
					   "\xef\xbc\x8c"};
	int c = byte(nm, i);
	if (c != ',' && c != ' ' && c != 0xC2 && c != 0xE2 && c != 0xEF)
		return 0;
	for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++)
		if (at(nm, i, seps[k]) && is_digit(byte(nm, i + strlen(seps[k]))))
			return strlen(seps[k]);
	return 0;
}

/* Reads digits at i: thousands separators (1,234,567) and a decimal fraction (3.14). */
static void parse_num(const struct norm *nm, size_t i, struct num *v)
{
	size_t e = digits_end(nm, i);
	memset(v, 0, sizeof *v);
	v->start = i;
	size_t first = e - i;
	char *o = v->ip;
	size_t room = NW_MAX_DIGITS;
	for (size_t k = i; k < e; k++)
		if (room) {
			*o++ = nm->s[k];
			room--;
		} else {
			v->toolong = 1;
		}
	/* 1,234 and 4 360 000: a separator followed by exactly three digits, when the first
	 * group is short and has no leading zero; one kind of separator in a number */
	size_t sl = first <= 3 && nm->s[i] != '0' ? group_sep_len(nm, e) : 0;
	const char *sep = nm->s + e;
	while (sl && e + sl <= nm->n && memcmp(nm->s + e, sep, sl) == 0 &&
	       digits_end(nm, e + sl) == e + sl + 3) {
		e += sl - 1;
		for (size_t k = e + 1; k < e + 4; k++)
			if (room) {
				*o++ = nm->s[k];
				room--;
			} else {
				v->toolong = 1;
			}
		v->commas = 1;
		e += 4;
	}
	v->nip = (size_t)(o - v->ip);
	*o = '\0';
	if (byte(nm, e) == '.' && is_digit(byte(nm, e + 1))) {
		size_t f = digits_end(nm, e + 1);
		v->fp = nm->s + e + 1;
		v->nfp = f - e - 1;
		e = f;
	}
	v->end = e;
}

static int num_is(const struct num *v, const char *digits)
{
	return !v->nfp && strcmp(v->ip, digits) == 0;
}

/* The value of a short digit string, or -1. */
static long small_value(const char *s, size_t n)
{
	long v = 0;
	if (n == 0 || n > 6)
		return -1;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* Emits the reading of a number: cardinal or decimal, or digits one by one when too long. */
static void say_num(struct norm *nm, const struct num *v, unsigned flags, size_t a, size_t b)
{
	char buf[512];
	if (v->toolong) {
		const char *p = nm->s + v->start;
		for (size_t k = v->start; k < v->end; k += 64) {
			size_t m = v->end - k < 64 ? v->end - k : 64;
			size_t w = 0;
			char chunk[64];
			for (size_t q = 0; q < m; q++)
				if (is_digit((unsigned char)p[k - v->start + q]))
					chunk[w++] = p[k - v->start + q];
			if (nw_digits(chunk, w, 1, buf, sizeof buf))
				emit(nm, buf, a, b);
		}
		return;
	}
	if (nw_decimal(v->ip, v->nip, v->fp, v->nfp, flags, buf, sizeof buf))
		emit(nm, buf, a, b);
}

static void say_digits(struct norm *nm, const char *d, size_t n, int yao, size_t a, size_t b)
{
	char buf[256];
	while (n) {
		size_t m = n > 64 ? 64 : n;
		if (nw_digits(d, m, yao, buf, sizeof buf))
			emit(nm, buf, a, b);
		d += m, n -= m;
	}
}

/* Digits of input [a, b) one by one, skipping separators (025-8345 6789). */
static void say_digit_span(struct norm *nm, size_t a, size_t b, int yao)
{
	char d[128];
	size_t w = 0;
	for (size_t k = a; k < b; k++) {
		if (!is_digit(byte(nm, k)))
			continue;
		d[w++] = nm->s[k];
		if (w == sizeof d) {
			say_digits(nm, d, w, yao, a, b);
			w = 0;
		}
	}
	say_digits(nm, d, w, yao, a, b);
}

static void say_card(struct norm *nm, const char *d, size_t n, unsigned flags, size_t a, size_t b)
{
	char buf[256];
	if (nw_cardinal(d, n, flags, buf, sizeof buf))
		emit(nm, buf, a, b);
	else
		say_digits(nm, d, n, 0, a, b);
}

static int valid_month(long m)
{
	return m >= 1 && m <= 12;
}

static int valid_day(long d)
{
	return d >= 1 && d <= 31;
}

static int year_like(const char *d, size_t n)
{
	long y = small_value(d, n);
	return n == 4 && y >= 1000 && y <= 2199;
}

/* Y年M月D日 (any of the parts may be absent: y or d NULL). */
static void say_date(struct norm *nm, const char *y, size_t ny, const char *m, size_t nm_,
		     const char *d, size_t nd, size_t a, size_t b)
{
	char buf[128];
	if (y && nw_year(y, ny, buf, sizeof buf)) {
		emit(nm, buf, a, b);
		emit(nm, "年", a, b);
	}
	if (m) {
		say_card(nm, m, nm_, 0, a, b);
		emit(nm, "月", a, b);
	}
	if (d) {
		say_card(nm, d, nd, 0, a, b);
		emit(nm, "日", a, b);
	}
}

/* Does a unit word that tells a date follow at i (then N-N is not a date)? */
static int measure_follows(const struct norm *nm, size_t i)
{
	i = skip_spaces(nm, i);
	return after_has(nm, i, &units_measure) || after_has(nm, i, &units_after) ||
	       byte(nm, i) == '%' || is_digit(byte(nm, i)) || at(nm, i, "多") || at(nm, i, "余");
}

/* Dates written with - / . : 2022-09-10, 2022/9/10, 2022.9.10, 08-08-2008, 2008-08, 08/2008,
 * 08-08. Returns the end, or 0 when the text at i is no date. */
static size_t try_date(struct norm *nm, size_t i)
{
	size_t a = digits_end(nm, i);
	int sep = byte(nm, a);
	if ((sep != '-' && sep != '/' && sep != '.') || !is_digit(byte(nm, a + 1)))
		return 0;
	size_t b = digits_end(nm, a + 1);
	const char *p1 = nm->s + i, *p2 = nm->s + a + 1;
	size_t n1 = a - i, n2 = b - a - 1;
	long v1 = small_value(p1, n1), v2 = small_value(p2, n2);
	if (byte(nm, b) == sep && is_digit(byte(nm, b + 1))) {
		size_t c = digits_end(nm, b + 1);
		const char *p3 = nm->s + b + 1;
		size_t n3 = c - b - 1;
		long v3 = small_value(p3, n3);
		if (is_digit(byte(nm, c)) || ((byte(nm, c) == sep) && is_digit(byte(nm, c + 1))))
			return 0;
		if (year_like(p1, n1) && n2 <= 2 && valid_month(v2) && n3 <= 2 && valid_day(v3)) {
			say_date(nm, p1, n1, p2, n2, p3, n3, i, c);
			return c;
		}
		/* 112/5/20, 112.05.20: a Taiwan (Minguo) year, read as a count: 一百一十二年 */
		if (n1 == 3 && v1 >= 100 && v1 <= 199 && sep != '-' && n2 <= 2 && valid_month(v2) &&
		    n3 <= 2 && valid_day(v3)) {
			say_card(nm, p1, n1, 0, i, a);
			emit(nm, "年", a, a + 1);
			say_date(nm, NULL, 0, p2, n2, p3, n3, a + 1, c);
			return c;
		}
		if (n1 <= 2 && n2 <= 2 && year_like(p3, n3) && valid_month(v1) && valid_day(v2)) {
			say_date(nm, p3, n3, p1, n1, p2, n2, i, c);
			return c;
		}
		if (n1 <= 2 && n2 <= 2 && year_like(p3, n3) && valid_month(v2) && valid_day(v1)) {
			say_date(nm, p3, n3, p2, n2, p1, n1, i, c);
			return c;
		}
		return 0;
	}
	if (is_digit(byte(nm, b)) || measure_follows(nm, b) || at(nm, b, "万") || at(nm, b, "亿"))
		return 0;
	if ((byte(nm, b) == '-' || byte(nm, b) == '/') && is_digit(byte(nm, b + 1)))
		return 0;
	/* 2008-08, 2008/08, 2008.08 (with '.', only a two-digit month: 2008.5 is a decimal) */
	if (year_like(p1, n1) && valid_month(v2) && (n2 == 2 || (sep != '.' && n2 == 1))) {
		say_date(nm, p1, n1, p2, n2, NULL, 0, i, b);
		return b;
	}
	/* 08-2008 */
	if (n1 == 2 && p1[0] == '0' && valid_month(v1) && year_like(p2, n2)) {
		say_date(nm, p2, n2, p1, n1, NULL, 0, i, b);
		return b;
	}
	/* 08-08, 05.12: both two digits and a leading zero */
	if (n1 == 2 && n2 == 2 && (p1[0] == '0' || p2[0] == '0') && valid_month(v1) &&
	    valid_day(v2)) {
		say_date(nm, NULL, 0, p1, n1, p2, n2, i, b);
		return b;
	}
	return 0;
}

/* Dotted runs of three or more parts (127.0.0.1, 3.5.1): each part digit by digit. */
static size_t try_dotted(struct norm *nm, size_t i)
{
	size_t e = digits_end(nm, i);
	size_t parts = 1;
	while (byte(nm, e) == '.' && is_digit(byte(nm, e + 1))) {
		e = digits_end(nm, e + 1);
		parts++;
	}
	if (parts < 3)
		return 0;
	for (size_t k = i; k < e;) {
		size_t f = digits_end(nm, k);
		say_digits(nm, nm->s + k, f - k, 0, i, e);
		if (f < e)
			emit(nm, "点", f, f + 1);
		k = f + 1;
	}
	return e;
}

/* Phone numbers written with dashes or parentheses: 025-83456789, 400-123-4567. */
static size_t try_phone_dashed(struct norm *nm, size_t i)
{
	size_t a = digits_end(nm, i);
	size_t n1 = a - i;
	if (byte(nm, a) != '-' || !is_digit(byte(nm, a + 1)))
		return 0;
	size_t b = digits_end(nm, a + 1), n2 = b - a - 1;
	size_t end = b, total = n1 + n2;
	while (byte(nm, end) == '-' && is_digit(byte(nm, end + 1))) {
		size_t c = digits_end(nm, end + 1);
		total += c - end - 1;
		end = c;
	}
	int landline = nm->s[i] == '0' && n1 >= 3 && n1 <= 4 && n2 >= 7 && n2 <= 8;
	int service = n1 == 3 && (nm->s[i] == '4' || nm->s[i] == '8') && end != b && total == 10;
	int grouped = end != b && total >= 10 && total <= 12 && (nm->s[i] == '0' || nm->s[i] == '1');
	int plain = n1 >= 3 && n1 <= 4 && n2 >= 7 && n2 <= 8;
	/* ISBN 978-7-5086-1234-5: three or more groups and many digits, or a code word before */
	int chain = end != b && total >= 9;
	int named = before_has(nm, i, &units_phone_before, 0);
	if (!landline && !service && !grouped && !plain && !chain && !named)
		return 0;
	say_digit_span(nm, i, end, 1);
	return end;
}

/* A phone number with its area code in brackets: (02)2345-6789, （0513）8359 1234. i is at
 * the opening bracket; returns the end, or 0. */
static size_t try_phone_paren(struct norm *nm, size_t i)
{
	size_t ol = byte(nm, i) == '(' ? 1 : at(nm, i, "（") ? 3 : 0;
	size_t a = i + ol;
	if (!ol || byte(nm, a) != '0')
		return 0;
	size_t b = digits_end(nm, a);
	size_t cl = byte(nm, b) == ')' ? 1 : at(nm, b, "）") ? 3 : 0;
	if (b - a < 2 || b - a > 4 || !cl)
		return 0;
	size_t e = skip_spaces(nm, b + cl), n = 0;
	while (is_digit(byte(nm, e)) || ((byte(nm, e) == '-' || byte(nm, e) == ' ') &&
					  is_digit(byte(nm, e + 1)) && n)) {
		n += is_digit(byte(nm, e));
		e++;
	}
	if (n < 6 || n > 8)
		return 0;
	say_digit_span(nm, a, e, 1);
	return e;
}

/* Is N:M or N-M between the number that began at start and the one ending at end a score? */
static int score_context(const struct norm *nm, size_t start, size_t end)
{
	return before_has(nm, start, &units_score_before, 24) ||
	       after_has(nm, skip_spaces(nm, end), &units_score_after);
}

/* A score word right at the number (以3:1, 3:1战胜), not only somewhere before it. */
static int score_adjacent(const struct norm *nm, size_t start, size_t end)
{
	return before_has(nm, start, &units_score_before, 0) ||
	       after_has(nm, skip_spaces(nm, end), &units_score_after);
}

/* Words around H:MM that make it a time even in a sports story (北京时间19:35, 19:35开始). */
static int time_context(const struct norm *nm, size_t start, size_t end)
{
	return before_has(nm, start, &units_time_before, 0) ||
	       after_has(nm, skip_spaces(nm, end), &units_time_after);
}

/* Times (7:45 七点四十五分, 13:10:36, 8:00 a.m.) and ratios or scores (3:1 三比一). */
static size_t try_colon(struct norm *nm, size_t i, size_t tok)
{
	size_t a = digits_end(nm, i);
	size_t cl = colon_len(nm, a);
	int ratio_mark = at(nm, a, "∶");
	if (ratio_mark)
		cl = 3;
	if (!cl || !is_digit(byte(nm, a + cl)))
		return 0;
	size_t b = digits_end(nm, a + cl);
	const char *h = nm->s + i, *m = nm->s + a + cl;
	size_t nh = a - i, nmin = b - a - cl;
	long hv = small_value(h, nh), mv = small_value(m, nmin);
	int decimal = byte(nm, b) == '.' && is_digit(byte(nm, b + 1)); /* 1:2.5 is a ratio */
	int score = score_adjacent(nm, tok, b) ||
		    (score_context(nm, tok, b) && !time_context(nm, tok, b));
	/* 用时2:08:35 两小时八分三十五秒: H:MM:SS after a duration word */
	size_t dl = colon_len(nm, b);
	if (!ratio_mark && !decimal && nh <= 2 && nmin == 2 && mv <= 59 && dl &&
	    digits_end(nm, b + dl) == b + dl + 2 && small_value(nm->s + b + dl, 2) <= 59 &&
	    !is_digit(byte(nm, b + dl + 2)) && before_has(nm, tok, &units_duration_before, 0)) {
		size_t end = b + dl + 2;
		long sv = small_value(nm->s + b + dl, 2);
		say_card(nm, h, nh, NW_LIANG_ALONE, i, a);
		emit(nm, "小时", a, a + cl);
		if (mv)
			say_card(nm, m, nmin, NW_LIANG_ALONE, a + cl, b);
		emit(nm, mv ? "分" : sv ? "零" : "", a + cl, b);
		if (sv) {
			say_card(nm, nm->s + b + dl, 2, NW_LIANG_ALONE, b, end);
			emit(nm, "秒", b, end);
		}
		return end;
	}
	if (!ratio_mark && !score && !decimal && nh <= 2 && hv <= 24 && nmin == 2 && mv <= 59) {
		size_t end = b, sl = colon_len(nm, b);
		const char *sec = NULL;
		size_t nsec = 0;
		if (sl && is_digit(byte(nm, b + sl))) {
			size_t c = digits_end(nm, b + sl);
			if (c - b - sl == 2 && small_value(nm->s + b + sl, 2) <= 59) {
				sec = nm->s + b + sl, nsec = 2;
				end = c;
			}
		}
		size_t k = skip_spaces(nm, end);
		const struct unit *ampm = after_has(nm, k, &units_latin_words);
		size_t stop = ampm ? k + ampm->len : end;
		if (ampm)
			emit(nm, ampm->reading, k, stop);
		say_card(nm, h, nh, hv == 2 ? NW_LIANG_ALONE : 0, i, end);
		emit(nm, "点", a, a + cl);
		if (mv || sec) {
			if (mv < 10 && mv)
				emit(nm, "零", a + cl, b);
			say_card(nm, m, nmin, 0, a + cl, b);
			emit(nm, "分", a + cl, b);
		}
		if (sec) {
			long sv = small_value(sec, nsec);
			if (sv < 10 && sv)
				emit(nm, "零", b, end);
			say_card(nm, sec, nsec, 0, b, end);
			emit(nm, "秒", b, end);
		}
		return stop;
	}
	/* a ratio or a score: the first number, 比; the second is read by the main loop */
	say_card(nm, h, nh, 0, i, a);
	emit(nm, "比", a, a + cl);
	return a + cl;
}

/* Where the words after a number at end begin: past spaces, and for a range (5-8天, 15~22℃)
 * past the second number, so that both numbers read with the unit written once. */
static size_t suffix_at(const struct norm *nm, size_t end, int *shared)
{
	size_t len, k;
	*shared = 0;
	if (range_mark(nm, end, &len)) {
		k = skip_spaces(nm, end + len);
		if (byte(nm, k) == '-')
			k++;
		if (is_digit(byte(nm, k))) {
			while (k < nm->n && (is_digit(byte(nm, k)) ||
					     ((byte(nm, k) == '.' || byte(nm, k) == ',') &&
					      is_digit(byte(nm, k + 1)))))
				k++;
			*shared = 1;
			return skip_spaces(nm, k);
		}
	}
	return skip_spaces(nm, end);
}

static int pct_at(const struct norm *nm, size_t i, size_t *len)
{
	if (byte(nm, i) == '%') {
		*len = 1;
		return 100;
	}
	if (at(nm, i, "％")) {
		*len = 3;
		return 100;
	}
	if (at(nm, i, "‰")) {
		*len = 3;
		return 1000;
	}
	if (at(nm, i, "‱")) {
		*len = 3;
		return 10000;
	}
	return 0;
}

static int ordinal_context(const struct norm *nm, size_t tok);
static int equals_ahead(const struct norm *nm, size_t i);

static const char *const quotes_open[] = {"“", "\"", "「", "‘", NULL};
static const char *const quotes_close[] = {"”", "\"", "」", "’", NULL};
static const char *const brackets_open[] = {"（", "(", NULL};
static const char *const brackets_close[] = {"）", ")", NULL};
static const char *const doc_open[] = {"〔", "[", "（", "(", "【", NULL};
static const char *const doc_close[] = {"〕", "]", "）", ")", "】", NULL};

/* Is input [a, b) directly between an opening mark of open and a closing mark of close? */
static int enclosed(const struct norm *nm, size_t a, size_t b, const char *const *open,
		    const char *const *close)
{
	int o = 0, c = 0;
	for (size_t k = 0; open[k]; k++) {
		size_t l = strlen(open[k]);
		o |= a >= l && memcmp(nm->s + a - l, open[k], l) == 0;
	}
	for (size_t k = 0; close[k]; k++)
		c |= at(nm, b, close[k]);
	return o && c;
}

/* Is the number at i (started by tok) a phone number or a code, read one digit at a time? */
static int is_code(const struct norm *nm, const struct num *v, size_t tok, size_t k)
{
	if (v->nfp || v->commas)
		return 0;
	if (v->toolong || v->nip >= 14)
		return 1;
	if (v->nip == 11 && v->ip[0] == '1' && v->ip[1] >= '3')
		return 1;
	if (v->nip >= 3 && v->ip[0] == '0')
		return 1;
	if (v->nip == 6 && strchr("0368", v->ip[0]) &&
	    enclosed(nm, tok, v->end, brackets_open, brackets_close))
		return 1; /* 贵州茅台（600519）: a stock code */
	if (v->nip < 3)
		return 0;
	if (after_has(nm, k, &units_phone_after))
		return 1;
	size_t st;
	int beside_bi = at(nm, k, "比") || prev_cp(nm, tok, &st) == 0x6BD4; /* 114比113: a score */
	if (!beside_bi && unit_prefix(&units_service, v->ip, v->nip) && strlen(unit_prefix(&units_service, v->ip,
	    v->nip)->text) == v->nip && !measure_follows(nm, k) && !ordinal_context(nm, tok) &&
	    !at(nm, k, "年") && !at(nm, k, "万") && !at(nm, k, "亿"))
		return 1;
	if (before_has(nm, tok, &units_phone_strong, 0) && !at(nm, k, "个") && !at(nm, k, "次") &&
	    !at(nm, k, "多") && !at(nm, k, "余") && !at(nm, k, "万") && !at(nm, k, "元"))
		return 1;
	if (after_has(nm, k, &units_measure) || at(nm, k, "多") || at(nm, k, "余"))
		return 0;
	return before_has(nm, tok, &units_phone_before, 0);
}

/* Q1 to Q4 standing alone: a quarter of the year. */
static int quarter_at(const struct norm *nm, size_t i)
{
	int c = byte(nm, i), d = byte(nm, i + 1);
	return (c == 'Q' || c == 'q') && d >= '1' && d <= '4' && !is_digit(byte(nm, i + 2)) &&
	       !is_letter(byte(nm, i + 2)) && (i == 0 || !is_letter(byte(nm, i - 1)));
}

/* Is the number an ordinal or a label (第2, 周2): then never 两. */
static int ordinal_context(const struct norm *nm, size_t tok)
{
	size_t st;
	uint32_t cp = prev_cp(nm, tok, &st);
	return cp == 0x7B2C /* 第 */ || before_has(nm, tok, &units_ordinal_before, 0);
}

/* After the hour or a label a 2 is 二: 8点2分, 3比2. */
static int no_liang_before(const struct norm *nm, size_t tok)
{
	static const uint32_t marks[] = {0x70B9 /* 点 */, 0x65F6 /* 时 */, 0x6BD4 /* 比 */,
					 0x6708 /* 月 */, '.', ':', 0x5206 /* 分 */};
	size_t st;
	uint32_t cp = prev_cp(nm, tok, &st);
	/* 时 点 分 only after a number (8时2分), not in 耗时2小时 */
	if ((cp == 0x65F6 || cp == 0x70B9 || cp == 0x5206) && !(st > 0 && is_digit(byte(nm, st - 1))))
		return 0;
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (cp == marks[k])
			return 1;
	return 0;
}

/* Does an acronym of two or more capitals and a space come just before i (ISO 9001)? */
static int acronym_before(const struct norm *nm, size_t i)
{
	size_t j = i;
	if (j == 0 || nm->s[j - 1] != ' ')
		return 0;
	while (j > 0 && nm->s[j - 1] == ' ')
		j--;
	size_t caps = 0;
	while (j > 0 && nm->s[j - 1] >= 'A' && nm->s[j - 1] <= 'Z')
		j--, caps++;
	return caps >= 2 && (j == 0 || !is_letter(byte(nm, j - 1)));
}

/* Is the number from i to e after a lone K a kilometre post on a road (G15沈海高速K1032处,
 * K1032+500), read as a count? */
static int kilometre_post(const struct norm *nm, size_t i, size_t e)
{
	if (i < 1 || nm->s[i - 1] != 'K' || (i >= 2 && is_letter(byte(nm, i - 2))) || at(nm, e, "次"))
		return 0;
	return (byte(nm, e) == '+' && is_digit(byte(nm, e + 1))) || before_has(nm, i - 1, &units_road, 30);
}

/* Does a range or score mark come just before tok (1-2负: a score, not a tally)? */
static int after_mark(const struct norm *nm, size_t tok)
{
	static const uint32_t marks[] = {'-', '~', ':', 0xFF5E /* ～ */, 0x2014 /* — */,
					 0x2013 /* – */, 0x2212 /* − */, 0xFF0D /* － */, 0xFF1A /* ： */,
					 0x2236 /* ∶ */};
	size_t st;
	uint32_t cp = prev_cp(nm, tok, &st);
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (cp == marks[k])
			return 1;
	return 0;
}

/* A season written 2024-25 or 2024/25 before 赛季, 学年 ...: where the short second year
 * ends, or 0. */
static size_t season_end(const struct norm *nm, const struct num *v, size_t e)
{
	size_t len = 1;
	if (v->nfp || v->commas || !year_like(v->ip, v->nip) ||
	    (byte(nm, e) != '/' && range_mark(nm, e, &len) != 1))
		return 0;
	size_t b = e + len;
	if (!is_digit(byte(nm, b)) || digits_end(nm, b) != b + 2 || !after_has(nm, b + 2, &units_year))
		return 0;
	return b + 2;
}

/* Is the number v from i to e the year of a document or case number: four digits in
 * brackets, with a hanzi just before the opening or just after the closing bracket? */
static int doc_year(const struct norm *nm, const struct num *v, size_t i, size_t e)
{
	size_t st, cl = e;
	uint32_t cp;
	if (v->nfp || v->commas || !year_like(v->ip, v->nip) || !enclosed(nm, i, e, doc_open, doc_close))
		return 0;
	if (i >= 3 && memcmp(nm->s + i - 3, "〔", 3) == 0)
		return 1; /* 〔 is the bracket of document numbers */
	size_t after = e + (byte(nm, e) == ']' || byte(nm, e) == ')' ? 1 : 3);
	if (is_digit(byte(nm, after)) && at(nm, digits_end(nm, after), "号"))
		return 1; /* 【2022】26号 */
	prev_cp(nm, i, &st);
	if (bb_is_hanzi(prev_cp(nm, st, &st)))
		return 1;
	while (cl < nm->n && (nm->s[cl] == ')' || nm->s[cl] == ']'))
		cl++;
	if (cl == e)
		cl += 3; /* a full-width closing bracket */
	return cl < nm->n && bb_utf8_decode(nm->s + cl, nm->n - cl, &cp) && bb_is_hanzi(cp);
}

/* Can a clause start just after the code point cp (the start of the text, a punctuation
 * mark, a quote or a bracket)? */
static int clause_start(uint32_t cp)
{
	if (cp == 0)
		return 1;
	if (cp < 0x80)
		return !is_letter((int)cp) && !is_digit((int)cp) && cp != '.' && cp != '-' && cp != '/';
	return (cp >= 0x2010 && cp <= 0x2027) || (cp >= 0x3000 && cp <= 0x303F) ||
	       (cp >= 0xFF01 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
	       (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65);
}

/* Is the number v (ending at e, after the code point before) a year written without 年
 * before a name: four digits 1900-2099 at the start of a clause, then a hanzi that is no
 * measure word, unit or approximation (2024北京马拉松, 《2023中国统计年鉴》)? */
static int year_before_name(const struct norm *nm, const struct num *v, uint32_t before, size_t e)
{
	uint32_t cp;
	if (v->nfp || v->commas || v->nip != 4 || !clause_start(before))
		return 0;
	long y = small_value(v->ip, v->nip);
	if (y < 1900 || y > 2099 || !bb_utf8_decode(nm->s + e, nm->n - e, &cp) || !bb_is_hanzi(cp))
		return 0;
	return !after_has(nm, e, &units_measure) && !after_has(nm, e, &units_after) &&
	       !after_has(nm, e, &units_year_name_stop) && !after_has(nm, e, &units_money_word) &&
	       !after_has(nm, e, &units_range_after);
}

/* One number as single() sees it: where its token starts (tok, at a minus sign when neg),
 * the number itself (i to e), the next non-space (k), the suffix a range shares (sk) and
 * the code point before (before, starting at st). */
struct single {
	struct norm *nm;
	struct num v;
	size_t tok, i, e, k, sk, st;
	int neg, shared, event;
	uint32_t before;
	const char *sign;
};

/* A rule of single(): reads the number its own way and returns the end of what it read,
 * or returns 0 having written nothing when the number is not its kind. */
typedef size_t single_rule(struct single *c);

/* -12345678901234567: past 16 digits a negative number reads digit by digit too */
static size_t rule_long_negative(struct single *c)
{
	struct norm *nm = c->nm;
	if (!c->neg || c->v.nfp || !(c->v.toolong || c->v.nip > 16))
		return 0;
	emit(nm, "负", c->tok, c->i);
	say_digit_span(nm, c->i, c->e, 0);
	return c->e;
}

/* letters and a number together: a model or a code (A380 A三八零, G20 G二十, PM2.5);
 * B2B, O2O read "B to B" */
static size_t rule_after_letter(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t i = c->i, e = c->e;
	if (c->neg || !is_letter((int)c->before))
		return 0;
	if (num_is(v, "2") && e == i + 1 && is_letter(byte(nm, e)) && !is_letter(byte(nm, e + 1)) &&
	    (i < 2 || !is_letter(byte(nm, i - 2)))) {
		emit(nm, " to ", i, e);
		return e;
	}
	if (!v->nfp && !v->commas && v->nip >= 3 && !kilometre_post(nm, i, e))
		say_digits(nm, v->ip, v->nip, 0, i, e);
	else
		say_num(nm, v, 0, i, e);
	return e;
}

/* 波音737 波音七三七: a model named by its digits */
static size_t rule_model_name(struct single *c)
{
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || v->nip < 3 || !unit_suffix(&units_digit_name, c->nm->s, c->i))
		return 0;
	say_digits(c->nm, v->ip, v->nip, 0, c->i, c->e);
	return c->e;
}

/* ISO 9001, GB 2760: a standard's number after an acronym and a space, digit by digit */
static size_t rule_standard(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || v->nip < 4 || !acronym_before(nm, c->i) ||
	    measure_follows(nm, c->e) || at(nm, c->k, "万") || at(nm, c->k, "亿"))
		return 0;
	say_digits(nm, v->ip, v->nip, 0, c->i, c->e);
	return c->e;
}

/* 1'30" 一分三十秒: minutes and seconds written with ASCII primes */
static size_t rule_primes(struct single *c)
{
	struct norm *nm = c->nm;
	size_t i = c->i, e = c->e;
	if (c->neg || c->v.nfp || byte(nm, e) != '\'' || !is_digit(byte(nm, e + 1)))
		return 0;
	struct num sec;
	parse_num(nm, e + 1, &sec);
	size_t q = at(nm, sec.end, "''") ? 2 : byte(nm, sec.end) == '"' ? 1 : 0;
	if (!q || sec.commas || sec.toolong)
		return 0;
	say_num(nm, &c->v, 0, i, e);
	emit(nm, "分", e, e + 1);
	say_num(nm, &sec, 0, e + 1, sec.end);
	emit(nm, "秒", sec.end, sec.end + q);
	return sec.end + q;
}

/* 9秒83, 2米33: hundredths after 秒 and centimetres after 米 read digit by digit */
static size_t rule_split_unit(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t plen;
	if (c->neg || !unit_suffix(&units_split_unit, nm->s, c->i) || c->st == 0 ||
	    !is_digit(byte(nm, c->st - 1)) || v->nfp || v->nip != 2 ||
	    after_has(nm, c->k, &units_measure) || after_has(nm, c->k, &units_after) ||
	    pct_at(nm, c->k, &plen))
		return 0;
	say_digits(nm, v->ip, v->nip, 0, c->i, c->e);
	return c->e;
}

/* “9.11”事件, 7.1回归: a date-like code of an event, digit by digit (九一一, 七一) */
static size_t rule_event_code(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (c->neg || !v->nfp || v->commas || v->nip > 2 || v->nfp > 2 ||
	    !valid_month(small_value(v->ip, v->nip)) || !valid_day(small_value(v->fp, v->nfp)) ||
	    !(c->event || enclosed(nm, c->tok, c->e, quotes_open, quotes_close)))
		return 0;
	say_digits(nm, v->ip, v->nip, 0, c->i, c->e);
	say_digits(nm, v->fp, v->nfp, 0, c->i, c->e);
	return c->e;
}

/* 930新政, 6688商城: a number naming an event or a shop, digit by digit */
static size_t rule_event_name(struct single *c)
{
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || v->nip < 3 || v->nip > 8 ||
	    !(c->event || after_has(c->nm, c->e, &units_digit_name_after)))
		return 0;
	say_digits(c->nm, v->ip, v->nip, 0, c->i, c->e);
	return c->e;
}

/* “618” “520”: a bare number of three or more digits in quotes is a name, digit by digit */
static size_t rule_quoted_name(struct single *c)
{
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || v->nip < 3 ||
	    !enclosed(c->nm, c->tok, c->e, quotes_open, quotes_close))
		return 0;
	say_digits(c->nm, v->ip, v->nip, 0, c->i, c->e);
	return c->e;
}

/* 600519.SH, 00700.HK: a stock code with its exchange, digit by digit with 幺 */
static size_t rule_stock_code(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || v->nip < 4 || v->nip > 6)
		return 0;
	const struct unit *xu = after_has(nm, c->e, &units_exchange);
	if (!xu)
		return 0;
	say_digit_span(nm, c->i, c->e, 1);
	emit(nm, xu->reading, c->e, c->e + xu->len);
	return c->e + xu->len;
}

/* 10086, 2860 5012, 8359-1234: a code or a phone number, digit by digit with 幺; the next
 * group of a phone number goes with it */
static size_t rule_code(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t e = c->e;
	if (c->neg || !is_code(nm, v, c->tok, c->k))
		return 0;
	if (v->toolong) {
		say_num(nm, v, 0, c->i, e);
		return e;
	}
	size_t total = v->nip, g;
	while ((byte(nm, e) == ' ' || byte(nm, e) == '-') && is_digit(byte(nm, e + 1)) &&
	       (g = digits_end(nm, e + 1) - e - 1) >= 3 && g <= 4 && total + g <= 12 &&
	       v->nip >= 3 && !is_digit(byte(nm, e + 1 + g)))
		e += 1 + g, total += g;
	say_digit_span(nm, c->i, e, 1);
	return e;
}

/* 20230404: eight digits that make a date of 1900-2099, read as one (10001111 stays a
 * count) */
static size_t rule_compact_date(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t k = c->k;
	if (c->neg || v->nfp || v->commas || v->nip != 8 ||
	    (memcmp(v->ip, "19", 2) != 0 && memcmp(v->ip, "20", 2) != 0) ||
	    !valid_month(small_value(v->ip + 4, 2)) || !valid_day(small_value(v->ip + 6, 2)) ||
	    measure_follows(nm, c->e) || at(nm, k, "万") || at(nm, k, "亿") ||
	    after_has(nm, k, &units_money_word))
		return 0;
	say_date(nm, v->ip, 4, v->ip + 4, 2, v->ip + 6, 2, c->i, c->e);
	return c->e;
}

/* 05年 零五年, 00年 零零年: a year written short */
static size_t rule_short_year(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->nip != 2 || v->ip[0] != '0' || !at(nm, c->k, "年") ||
	    at(nm, c->k, "年代"))
		return 0;
	say_digits(nm, v->ip, 2, 0, c->i, c->e);
	return c->e;
}

/* 90后, 00后: a generation, digit by digit */
static size_t rule_generation(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t e = c->e;
	if (c->neg || v->nfp || v->nip != 2 || (v->ip[1] != '0' && v->ip[1] != '5') ||
	    !at(nm, e, "后") || at(nm, e, "后来") || at(nm, e, "后面"))
		return 0;
	say_digits(nm, v->ip, 2, 0, c->i, e);
	return e;
}

/* 7.25% 百分之七点二五, ‰ 千分之; 5-8% reads 百分之五到百分之八 */
static size_t rule_percent(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	char buf[512];
	size_t plen, k = c->k, sk = c->sk;
	int per = pct_at(nm, k, &plen);
	if (!per && !(c->shared && (per = pct_at(nm, sk, &plen)) != 0))
		return 0;
	size_t stop = (k == sk || !c->shared) && pct_at(nm, k, &plen) ? k + plen : c->e;
	emit(nm, c->sign, c->tok, c->i);
	if (nw_percent(v->ip, v->nip, v->fp, v->nfp, per, buf, sizeof buf))
		emit(nm, buf, c->tok, stop);
	return stop;
}

/* a Latin unit after a magnitude: 3.5万㎡ 三点五万平方米, 2亿t 两亿吨 */
static size_t rule_magnitude_unit(struct single *c)
{
	struct norm *nm = c->nm;
	size_t k = c->k;
	size_t mag = at(nm, k, "万亿") ? 6 : at(nm, k, "万") || at(nm, k, "亿") ? 3 : 0;
	const struct unit *mu = mag ? after_has(nm, k + mag, &units_after) : NULL;
	if (!mu || c->shared)
		return 0;
	emit(nm, c->sign, c->tok, c->i);
	say_num(nm, &c->v, NW_LIANG | NW_LIANG_ALONE, c->i, c->e);
	copy(nm, k, k + mag);
	emit(nm, mu->reading, k + mag, k + mag + mu->len);
	return k + mag + mu->len;
}

/* a unit after the number: 5km 五公里, 38℃, 120m² */
static size_t rule_unit(struct single *c)
{
	struct norm *nm = c->nm;
	size_t e = c->e, k = c->k;
	const struct unit *u = after_has(nm, e, &units_after);
	if (!u && k != e) {
		u = after_has(nm, k, &units_after);
		if (u && (u->flags & UNIT_WORD) && u->len < 2)
			u = NULL;
	}
	if (!u)
		return 0;
	size_t us = after_has(nm, e, &units_after) ? e : k;
	size_t ulen = u->len;
	if (c->neg)
		emit(nm, (u->flags & UNIT_TEMP) ? "零下" : "负", c->tok, c->i);
	unsigned fl = NW_LIANG;
	if ((u->flags & UNIT_LIANG) && !ordinal_context(nm, c->tok))
		fl |= NW_LIANG_ALONE;
	say_num(nm, &c->v, fl, c->tok, e);
	emit(nm, u->reading, us, us + ulen);
	return us + ulen;
}

/* 2024-25赛季, 2024/25赛季: a season of two years, the second written short */
static size_t rule_season(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	char buf[512], y2[24];
	size_t send = !c->neg ? season_end(nm, v, c->e) : 0;
	if (!send)
		return 0;
	long first = small_value(v->ip, 4), last = small_value(nm->s + send - 2, 2);
	snprintf(y2, sizeof y2, "%04ld", first / 100 * 100 + last + (last < first % 100 ? 100 : 0));
	if (nw_year(v->ip, v->nip, buf, sizeof buf))
		emit(nm, buf, c->i, c->e);
	emit(nm, "到", c->e, send - 2);
	if (nw_year(y2, 4, buf, sizeof buf))
		emit(nm, buf, send - 2, send);
	return send;
}

/* The number read as a year, digit by digit: 二零二三 */
static size_t say_year(struct single *c)
{
	char buf[512];
	if (nw_year(c->v.ip, c->v.nip, buf, sizeof buf))
		emit(c->nm, buf, c->i, c->e);
	return c->e;
}

/* four digits before 年 (or 赛季, 届 ...) are a year: 二零二三年 */
static size_t rule_year(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || !year_like(v->ip, v->nip) ||
	    !(after_has(nm, c->k, &units_year) || (c->shared && after_has(nm, c->sk, &units_year))) ||
	    at(nm, c->k, "年代"))
		return 0;
	return say_year(c);
}

/* 国发〔2023〕5号, （2023）京01民终123号: the year of a document or case number */
static size_t rule_doc_year(struct single *c)
{
	if (c->neg || !doc_year(c->nm, &c->v, c->i, c->e))
		return 0;
	return say_year(c);
}

/* 2024北京马拉松: a year with no 年 at the start of a clause, before a name */
static size_t rule_year_before_name(struct single *c)
{
	if (c->neg || !year_before_name(c->nm, &c->v, c->before, c->e))
		return 0;
	return say_year(c);
}

/* 2023Q3 二零二三年第三季度: a year before a quarter */
static size_t rule_year_quarter(struct single *c)
{
	const struct num *v = &c->v;
	if (c->neg || v->nfp || v->commas || !year_like(v->ip, v->nip) || !quarter_at(c->nm, c->e))
		return 0;
	say_year(c);
	emit(c->nm, "年", c->i, c->e);
	return c->e;
}

/* 80年代 八零年代, 1990年代: a decade */
static size_t rule_decade(struct single *c)
{
	const struct num *v = &c->v;
	if (c->neg || v->nfp || !year_like(v->ip, v->nip) || !at(c->nm, c->k, "年代"))
		return 0;
	return say_year(c);
}

/* N/M: a fraction (2/3 三分之二), denominator first; a rate per 10万 (3.2/10万 十万分之
 * 三点二) takes the magnitude into the denominator and may have a decimal numerator */
static size_t rule_fraction(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	char buf[512];
	size_t tok = c->tok, i = c->i, e = c->e;
	size_t sl = skip_spaces(nm, e);
	if (v->commas || !(byte(nm, sl) == '/' || at(nm, sl, "／")))
		return 0;
	size_t d0 = skip_spaces(nm, sl + (byte(nm, sl) == '/' ? 1 : 3));
	if (!is_digit(byte(nm, d0)))
		return 0;
	struct num den;
	parse_num(nm, d0, &den);
	size_t dm = at(nm, den.end, "万") || at(nm, den.end, "亿") ? 3 : 0;
	if (!den.nfp && !den.commas && !den.toolong && dm) {
		emit(nm, c->sign, tok, i);
		say_card(nm, den.ip, den.nip, NW_LIANG | NW_LIANG_ALONE, d0, den.end);
		copy(nm, den.end, den.end + dm);
		emit(nm, "分之", sl, d0);
		say_num(nm, v, 0, i, e);
		return den.end + dm;
	}
	/* 1/0: a zero denominator makes no fraction; 一除以零 in arithmetic, else a ratio or a
	 * score, 一比零 */
	if (!den.nfp && !den.commas && !den.toolong && strspn(den.ip, "0") == den.nip &&
	    !(byte(nm, den.end) == '/' && is_digit(byte(nm, den.end + 1)))) {
		emit(nm, c->sign, tok, i);
		say_num(nm, v, 0, i, e);
		emit(nm, nm->arith || equals_ahead(nm, tok) ? "除以" : "比", sl, d0);
		say_card(nm, den.ip, den.nip, 0, d0, den.end);
		return den.end;
	}
	if (!v->nfp && !den.nfp && !den.commas && !den.toolong &&
	    !(byte(nm, den.end) == '/' && is_digit(byte(nm, den.end + 1)))) {
		emit(nm, c->sign, tok, i);
		if (nw_fraction(v->ip, v->nip, den.ip, den.nip, buf, sizeof buf))
			emit(nm, buf, tok, den.end);
		return den.end;
	}
	return 0;
}

/* The sign of a number read as a plain count: temperatures in a range read 零下
 * (-5~3℃ 零下五到三摄氏度; -3度 零下三度), anything else 负. */
static void say_plain_sign(struct single *c)
{
	struct norm *nm = c->nm;
	if (!c->neg)
		return;
	const struct unit *su = c->shared ? after_has(nm, c->sk, &units_after) : NULL;
	int temp = (su && (su->flags & UNIT_TEMP)) || at(nm, c->sk, "度");
	emit(nm, temp ? "零下" : "负", c->tok, c->i);
}

/* leading-zero two-digit numbers: 05月 五月, 08分 零八分 */
static size_t rule_leading_zero(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	if (v->nfp || v->nip != 2 || v->ip[0] != '0')
		return 0;
	say_plain_sign(c);
	if (at(nm, c->k, "分") || at(nm, c->k, "秒"))
		emit(nm, "零", c->i, c->e);
	say_card(nm, v->ip + 1, 1, 0, c->i, c->e);
	return c->e;
}

/* 140967万 十四亿零九百六十七万: five digits or more before 万 regroup into 亿 */
static size_t rule_regroup_wan(struct single *c)
{
	struct norm *nm = c->nm;
	const struct num *v = &c->v;
	size_t e = c->e;
	if (v->nfp || v->toolong || c->shared || v->nip < 5 || v->nip + 4 > NW_MAX_DIGITS ||
	    v->ip[0] == '0' || !at(nm, e, "万") || at(nm, e, "万亿"))
		return 0;
	char d[NW_MAX_DIGITS + 1];
	say_plain_sign(c);
	memcpy(d, v->ip, v->nip);
	memcpy(d + v->nip, "0000", 4);
	say_card(nm, d, v->nip + 4, NW_LIANG, c->i, e + 3);
	return e + 3;
}

/* anything else is a count or an ordinal, 两 before a measure word: 2个 两个, 第2 第二 */
static size_t rule_count(struct single *c)
{
	struct norm *nm = c->nm;
	size_t tok = c->tok, i = c->i, k = c->k;
	unsigned fl = NW_LIANG;
	say_plain_sign(c);
	if (ordinal_context(nm, c->neg ? tok : i))
		fl = 0;
	else if (num_is(&c->v, "2") && !no_liang_before(nm, c->neg ? tok : i) && !at(nm, k, "分之") &&
		 (after_has(nm, c->sk, &units_measure) || after_has(nm, k, &units_measure) ||
		  (after_has(nm, k, &units_tally) && !after_mark(nm, tok))))
		fl |= NW_LIANG_ALONE;
	say_num(nm, &c->v, fl, i, c->e);
	return c->e;
}

/* The readings of a number, first match wins; rule_count takes whatever is left. */
static single_rule *const single_rules[] = {
	rule_long_negative, rule_after_letter, rule_model_name, rule_standard, rule_primes,
	rule_split_unit, rule_event_code, rule_event_name, rule_quoted_name, rule_stock_code,
	rule_code, rule_compact_date, rule_short_year, rule_generation, rule_percent,
	rule_magnitude_unit, rule_unit, rule_season, rule_year, rule_doc_year,
	rule_year_before_name, rule_year_quarter, rule_decade, rule_fraction, rule_leading_zero,
	rule_regroup_wan, rule_count,
};

/* One number and what belongs to it: percent, unit, year, fraction, code. tok is where the
 * token starts (at a minus sign when neg). Returns the end of what was read. */
static size_t single(struct norm *nm, size_t tok, size_t i, int neg)
{
	struct single c = {.nm = nm, .tok = tok, .i = i, .neg = neg, .sign = neg ? "负" : ""};
	parse_num(nm, i, &c.v);
	c.e = c.v.end;
	c.k = skip_spaces(nm, c.e);
	c.sk = suffix_at(nm, c.e, &c.shared);
	c.before = prev_cp(nm, neg ? tok : i, &c.st);
	c.event = after_has(nm, c.e, &units_event_after) != NULL;

	/* 36.00元 三十六元: zero cents are not read (the digits may end the text: no NUL after
	 * them to stop a strspn) */
	size_t zeros = 0;
	while (zeros < c.v.nfp && c.v.fp[zeros] == '0')
		zeros++;
	if (c.v.nfp && zeros == c.v.nfp && after_has(nm, c.k, &units_money_word))
		c.v.nfp = 0, c.v.fp = NULL;
	size_t end = 0;
	for (size_t r = 0; !end && r < sizeof single_rules / sizeof single_rules[0]; r++)
		end = single_rules[r](&c);
	return end;
}

/* Fixed expressions written with digits (24/7 二十四乘七), from a table. */
static size_t try_fixed(struct norm *nm, size_t i)
{
	const struct unit *u = after_has(nm, i, &units_fixed);
	if (!u || is_digit(byte(nm, i + u->len)))
		return 0;
	emit(nm, u->reading, i, i + u->len);
	return i + u->len;
}

/* Events named by their date with a middle dot: 3·15 三一五, 9·11 九一一, 5·12 五一二. */
static size_t try_event_date(struct norm *nm, size_t i)
{
	static const char *const dots[] = {"·", "•", "・", "‧", "．"};
	size_t a = digits_end(nm, i);
	for (size_t k = 0; k < sizeof dots / sizeof dots[0]; k++) {
		size_t l = strlen(dots[k]);
		if (!at(nm, a, dots[k]) || !is_digit(byte(nm, a + l)))
			continue;
		size_t b = digits_end(nm, a + l);
		/* 2019·2·10: a date written with middle dots */
		if (year_like(nm->s + i, a - i) && b - a - l <= 2 &&
		    valid_month(small_value(nm->s + a + l, b - a - l)) && at(nm, b, dots[k]) &&
		    is_digit(byte(nm, b + l))) {
			size_t c = digits_end(nm, b + l);
			if (c - b - l > 2 || !valid_day(small_value(nm->s + b + l, c - b - l)))
				return 0;
			say_date(nm, nm->s + i, a - i, nm->s + a + l, b - a - l, nm->s + b + l,
				 c - b - l, i, c);
			return c;
		}
		if (!valid_month(small_value(nm->s + i, a - i)) ||
		    !valid_day(small_value(nm->s + a + l, b - a - l)) || b - a - l > 2)
			return 0;
		say_digits(nm, nm->s + i, a - i, 0, i, a);
		say_digits(nm, nm->s + a + l, b - a - l, 0, a, b);
		return b;
	}
	return 0;
}

/* A number starting at i (tok: where its token starts, at a minus sign when neg). */
static size_t number(struct norm *nm, size_t tok, size_t i, int neg)
{
	size_t end = 0;
	size_t a = digits_end(nm, i);
	int c = byte(nm, a);
	if (!neg && (c == '/' || c >= 0x80))
		end = c == '/' ? try_fixed(nm, i) : try_event_date(nm, i);
	if (!neg && !end && (c == '-' || c == '/' || c == '.'))
		end = try_date(nm, i);
	if (!neg && !end && c == '.')
		end = try_dotted(nm, i);
	if (!neg && !end && c == '-' && !before_has(nm, i, &units_score_before, 0))
		end = try_phone_dashed(nm, i);
	if (!neg && !end && (c == ':' || c >= 0x80))
		end = try_colon(nm, i, tok);
	if (!end)
		end = single(nm, tok, i, neg);
	nm->num_start = tok;
	nm->num_end = end;
	return end;
}

/* A currency sign or code before a number: ¥48 四十八元, $300万 三百万美元, HK$13.5. */
static size_t money(struct norm *nm, size_t i, const struct unit *u)
{
	static const char *const magnitudes[] = {"万亿", "千亿", "百亿", "千万", "百万", "十万",
						 "亿", "万", "千", "百"};
	size_t ulen = u->len;
	size_t k = skip_spaces(nm, i + ulen);
	for (int more = 1; more;) {
		struct num v;
		parse_num(nm, k, &v);
		unsigned fl = NW_LIANG | (num_is(&v, "2") ? NW_LIANG_ALONE : 0);
		say_num(nm, &v, fl, k, v.end);
		k = v.end;
		for (size_t m = 0; m < sizeof magnitudes / sizeof magnitudes[0]; m++)
			if (at(nm, k, magnitudes[m])) {
				copy(nm, k, k + strlen(magnitudes[m]));
				k += strlen(magnitudes[m]);
				break;
			}
		size_t len;
		more = 0;
		if (range_mark(nm, k, &len) == 1) {
			size_t j = skip_spaces(nm, k + len);
			if (at(nm, j, u->text))
				j = skip_spaces(nm, j + ulen);
			if (is_digit(byte(nm, j))) {
				emit(nm, "到", k, k + len);
				k = j;
				more = 1;
			}
		}
	}
	if (!after_has(nm, skip_spaces(nm, k), &units_money_word))
		emit(nm, nm->trad && strcmp(u->text, "$") == 0 ? "元" : u->reading, i, i + ulen);
	nm->num_start = i;
	nm->num_end = k;
	return k;
}

/* ---- everything else ---------------------------------------------------------------- */

/* Numbers written as one character: ① 一, ⑴ （一）, ⒈ 一、, Ⅲ 三, ❶ 一. */
static const struct {
	uint32_t first, last;
	int base;
	const char *open, *close;
} numeral_chars[] = {
	{0x2460, 0x2473, 1, "", ""},       /* ①-⑳ */
	{0x2474, 0x2487, 1, "（", "）"},   /* ⑴-⒇ */
	{0x2488, 0x249B, 1, "", "、"},     /* ⒈-⒛ */
	{0x24EB, 0x24F4, 11, "", ""},      /* ⓫-⓴ */
	{0x24F5, 0x24FE, 1, "", ""},       /* ⓵-⓾ */
	{0x2160, 0x216B, 1, "", ""},       /* Ⅰ-Ⅻ */
	{0x2170, 0x217B, 1, "", ""},       /* ⅰ-ⅻ */
	{0x2776, 0x277F, 1, "", ""},       /* ❶-❿ */
	{0x2780, 0x2789, 1, "", ""},       /* ➀-➉ */
	{0x278A, 0x2793, 1, "", ""},       /* ➊-➓ */
	{0x3220, 0x3229, 1, "（", "）"},   /* ㈠-㈩ */
	{0x3280, 0x3289, 1, "", ""},       /* ㊀-㊉ */
	{0x3251, 0x325F, 21, "", ""},      /* ㉑-㉟ */
	{0x32B1, 0x32BF, 36, "", ""},      /* ㊱-㊿ */
};

static int numeral_char(struct norm *nm, uint32_t cp, size_t a, size_t b)
{
	char buf[64];
	for (size_t k = 0; k < sizeof numeral_chars / sizeof numeral_chars[0]; k++) {
		if (cp < numeral_chars[k].first || cp > numeral_chars[k].last)
			continue;
		emit(nm, numeral_chars[k].open, a, b);
		if (nw_cardinal_u64(cp - numeral_chars[k].first + (uint64_t)numeral_chars[k].base, 0,
				    buf, sizeof buf))
			emit(nm, buf, a, b);
		emit(nm, numeral_chars[k].close, a, b);
		return 1;
	}
	return 0;
}

/* The digit of a superscript (⁶ ²) or subscript (₂) character, or -1. */
static int superscript_digit(uint32_t cp)
{
	if (cp == 0xB9)
		return 1;
	if (cp == 0xB2 || cp == 0xB3)
		return (int)cp - 0xB0;
	if (cp == 0x2070 || (cp >= 0x2074 && cp <= 0x2079))
		return (int)cp - 0x2070;
	if (cp >= 0x2080 && cp <= 0x2089)
		return (int)cp - 0x2080;
	return -1;
}

/* Latin-1 letters with accents, read as their base letter: é e. */
static const char latin1_base[] = "AAAAAAACEEEEIIIIDNOOOOO OUUUUYTsaaaaaaaceeeeiiiidnooooo ouuuuyty";

/* Is there an arithmetic expression going on: an = ahead before any hanzi? */
static int equals_ahead(const struct norm *nm, size_t i)
{
	for (size_t k = i; k < nm->n && k < i + 40; k++) {
		int c = byte(nm, k);
		if (c == '=')
			return 1;
		if (!is_digit(c) && !strchr(" .+-*/()", c))
			return 0;
	}
	return 0;
}

/* Does the number just read follow a score with only a list mark between (21-15、21-18)? */
static int score_continues(const struct norm *nm)
{
	static const char *const marks[] = {"、", "，", ",", " ", "和", "及"};
	size_t k = nm->score_end;
	if (k == NONE || nm->num_start == NONE || k >= nm->num_start)
		return 0;
	while (k < nm->num_start) {
		size_t m = 0;
		for (size_t q = 0; !m && q < sizeof marks / sizeof marks[0]; q++)
			if (at(nm, k, marks[q]))
				m = strlen(marks[q]);
		if (!m)
			return 0;
		k += m;
	}
	return k == nm->num_start;
}

/* A mark between two numbers: range 到, score 比, minus 减. */
static void between_numbers(struct norm *nm, size_t i, size_t len)
{
	size_t next = skip_spaces(nm, i + len);
	struct num v;
	parse_num(nm, next, &v);
	int range = after_has(nm, v.end, &units_range_after) != NULL;
	if ((score_context(nm, nm->num_start, v.end) && !range) || score_continues(nm)) {
		emit(nm, "比", i, i + len);
		nm->score_end = v.end;
	} else if (nm->arith || equals_ahead(nm, next))
		emit(nm, "减", i, i + len);
	else
		emit(nm, "到", i, i + len);
}

static int after_number(const struct norm *nm, size_t i)
{
	return nm->num_end != NONE && nm->num_end == i;
}

/* Opening or closing quote, alternating. */
static void quote(struct norm *nm, int *count, const char *open, const char *close, size_t i)
{
	emit(nm, (*count)++ % 2 ? close : open, i, i + 1);
}

static int is_web_char(int c)
{
	return is_letter(c) || is_digit(c) || (c && strchr("._-@/:~%?=&#+", c));
}

/* Top-level domains that make a dotted Latin word a web address without www or http. */
static int web_tld(const char *s, size_t n)
{
	static const char *const tlds[] = {"com", "cn", "net", "org", "gov", "edu", "int", "io",
					   "hk", "mo", "tw", "info", "top", "xyz", "biz"};
	for (size_t k = 0; k < sizeof tlds / sizeof tlds[0]; k++)
		if (strlen(tlds[k]) == n && memcmp(s, tlds[k], n) == 0)
			return 1;
	return 0;
}

/* Web addresses and e-mail (www.gov.cn, https://x.cn/a, abc@xinhua.net): Latin words kept
 * for the English voice, . read 点, @ at, / 斜杠, digits one by one; the scheme dropped.
 * Returns the end, or 0 when the text at i is not one. */
static size_t try_web(struct norm *nm, size_t i)
{
	size_t e = i;
	while (e < nm->n && is_web_char(byte(nm, e)))
		e++;
	while (e > i && strchr(".-_/:~%?=&#+", byte(nm, e - 1)))
		e--; /* trailing punctuation belongs to the sentence */
	size_t p = i, ld = 0;
	int at_sign = 0, dot = 0;
	for (size_t k = i; k < e; k++) {
		at_sign |= nm->s[k] == '@';
		if (nm->s[k] == '.')
			dot = 1, ld = k;
	}
	if (at(nm, i, "http://") || at(nm, i, "https://") || at(nm, i, "HTTP://") ||
	    at(nm, i, "HTTPS://"))
		p = i + (nm->s[i + 4] == ':' ? 7 : 8);
	int www = at(nm, p, "www.") || at(nm, p, "WWW.");
	if (!dot || (p == i && !www && !at_sign)) {
		/* a bare domain: the last part must be a known top-level domain */
		size_t te = ld + 1;
		while (te < e && is_letter(byte(nm, te)))
			te++;
		if (!dot || te != e || !web_tld(nm->s + ld + 1, te - ld - 1))
			return 0;
	}
	char sep[] = " 点 ";
	for (size_t k = p; k < e;) {
		int c = byte(nm, k);
		size_t m = k + 1;
		if (is_letter(c)) {
			while (m < e && is_letter(byte(nm, m)))
				m++;
			copy(nm, k, m);
		} else if (is_digit(c)) {
			m = digits_end(nm, k);
			const struct unit *sv = unit_prefix(&units_service, nm->s + k, m - k);
			say_digits(nm, nm->s + k, m - k, sv && sv->len == m - k, k, m);
		} else if (c == '.' || c == '@' || c == '/' || c == '_') {
			const char *w = c == '.' ? sep : c == '@' ? " at " : c == '/' ? " 斜杠 " : " 下划线 ";
			emit(nm, w, k, m);
		} else if (c == '-' && m < e) {
			emit(nm, " ", k, m);
		}
		k = m;
	}
	return e;
}

/* One ASCII character that is not a digit. */
static int unit_range_minus(const struct norm *nm, size_t i, size_t next);

/* Do basis points follow the number at i (LPR-20个基点, LPR-20BP)? */
static int basis_after(const struct norm *nm, size_t i)
{
	struct num v;
	parse_num(nm, i, &v);
	const struct unit *u = after_has(nm, skip_spaces(nm, v.end), &units_basis);
	return u != NULL;
}

static size_t ascii(struct norm *nm, size_t i)
{
	int c = byte(nm, i);
	size_t next = skip_spaces(nm, i + 1);
	int digit_next = is_digit(byte(nm, next));
	size_t st;
	uint32_t before = prev_cp(nm, i, &st);
	if (is_letter(c)) {
		const struct unit *cur = after_has(nm, i, &units_money);
		if (cur && is_digit(byte(nm, skip_spaces(nm, i + cur->len))))
			return money(nm, i, cur);
		size_t j = i;
		while (j < nm->n && is_letter(byte(nm, j)))
			j++;
		size_t w = try_web(nm, i);
		if (w)
			return w;
		/* No.1 第一, Q3 第三季度 */
		if (j - i == 2 && (at(nm, i, "No") || at(nm, i, "NO")) && byte(nm, j) == '.' &&
		    is_digit(byte(nm, skip_spaces(nm, j + 1)))) {
			emit(nm, "第", i, j + 1);
			return skip_spaces(nm, j + 1);
		}
		if (j - i == 1 && quarter_at(nm, i)) {
			/* Q1-Q3 第一季度到第三季度 */
			for (;;) {
				char d = nm->s[i + 1];
				emit(nm, "第", i, i + 1);
				say_card(nm, &d, 1, 0, i + 1, i + 2);
				emit(nm, "季度", i + 1, i + 2);
				size_t len;
				if (range_mark(nm, i + 2, &len) != 1 || !quarter_at(nm, i + 2 + len))
					return i + 2;
				emit(nm, "到", i + 2, i + 2 + len);
				i += 2 + len;
			}
		}
		if (nm->space && nm->out->len && is_letter((unsigned char)nm->out->s[nm->out->len - 1]))
			emit(nm, " ", i - 1, i);
		const struct unit *ac = after_has(nm, i, &units_acronym_lower);
		uint32_t after_word = 0;
		if (j < nm->n)
			bb_utf8_decode(nm->s + j, nm->n - j, &after_word);
		/* in Chinese text only: an English sentence keeps its words */
		if (ac && ac->len == j - i && (before >= 0x80 || after_word >= 0x80)) {
			emit(nm, ac->reading, i, j); /* vip VIP: spelled, not read as a word */
			return j;
		}
		copy(nm, i, j);
		return j;
	}
	if (space_len(nm, i)) {
		size_t j = skip_spaces(nm, i);
		if (after_number(nm, i))
			nm->num_end = j;
		nm->space = 1;
		return j;
	}
	switch (c) {
	case '(': {
		size_t ph = try_phone_paren(nm, i);
		if (ph)
			return ph;
		break;
	}
	case '-':
		if (is_digit(byte(nm, i + 1)) && is_letter((int)before) && basis_after(nm, i + 1)) {
			emit(nm, "减", i, i + 1); /* LPR-20个基点 LPR减二十个基点 */
			return i + 1;
		}
		if (is_digit(byte(nm, i + 1)) && is_letter((int)before))
			return i + 1; /* COVID-19: the number reads as part of the code */
		if (is_digit(byte(nm, i + 1)) && unit_suffix(&units_model, nm->s, i)) {
			nm->num_end = NONE;
			return i + 1; /* 歼-20 歼二十: a model name, not a minus */
		}
		if (after_number(nm, i) && digit_next) {
			between_numbers(nm, i, 1);
			return i + 1;
		}
		if (digit_next && bb_is_hanzi(before) && st > 0 && is_digit(byte(nm, st - 1))) {
			emit(nm, "到", i, i + 1); /* 10日-12日 */
			return i + 1;
		}
		if (digit_next || (byte(nm, next) == '.' && is_digit(byte(nm, next + 1))))
			return number(nm, i, next, 1);
		if (is_letter((int)before) && is_letter(byte(nm, i + 1))) {
			nm->space = 1;
			return i + 1;
		}
		if (at(nm, next, "百分之") || at(nm, next, "千分之")) {
			emit(nm, "负", i, i + 1); /* -百分之三 负百分之三 */
			return i + 1;
		}
		if (bb_is_hanzi(before) && !after_number(nm, i)) {
			uint32_t cp;
			if (bb_utf8_decode(nm->s + next, nm->n - next, &cp) && bb_is_hanzi(cp))
				emit(nm, "—", i, i + 1);
		}
		return i + 1;
	case '+':
		/* 20+ 二十多, but 1+N 一加N and 成绩*50% + 面试*50% 加 */
		if (after_number(nm, i) && !digit_next && !is_letter(byte(nm, next)) &&
		    !(space_len(nm, i + 1) && st > 0 && space_len(nm, st))) {
			emit(nm, "多", i, i + 1);
			return i + 1;
		}
		nm->arith = 1;
		emit(nm, "加", i, i + 1);
		return i + 1;
	case '=':
		nm->arith = 1;
		emit(nm, "等于", i, i + 1);
		return i + 1;
	case '<':
	case '>':
		if (byte(nm, i + 1) == '=') {
			emit(nm, c == '<' ? "小于等于" : "大于等于", i, i + 2);
			return i + 2;
		}
		if (after_number(nm, i) || digit_next)
			emit(nm, c == '<' ? "小于" : "大于", i, i + 1);
		return i + 1;
	case '*':
		if (digit_next && (after_number(nm, i) || bb_is_hanzi(before) || is_letter((int)before)))
			emit(nm, "乘", i, i + 1);
		return i + 1;
	case '~': {
		uint32_t cn = 0;
		if (after_number(nm, i) && digit_next)
			between_numbers(nm, i, 1);
		else if (unit_range_minus(nm, i, next))
			emit(nm, "到", i, i + 1);
		else if (bb_is_hanzi(before) && bb_utf8_decode(nm->s + i + 1, nm->n - i - 1, &cn) &&
			 bb_is_hanzi(cn))
			emit(nm, "到", i, i + 1); /* 中～大雨 中到大雨 */
		return i + 1;
	}
	case '/': {
		/* -9℃/0℃, 5元/6元: two temperatures or prices, 到 */
		const struct unit *ru = unit_suffix(&units_range_unit, nm->s, i);
		if ((after_number(nm, i) || (bb_is_hanzi(before) && st > 0 && is_digit(byte(nm, st - 1)))) &&
		    ru && (digit_next || (byte(nm, next) == '-' && is_digit(byte(nm, next + 1))))) {
			/* the same unit after the second number (5元/6元); else a rate, 10元/1公斤 */
			struct num v2;
			parse_num(nm, next + (byte(nm, next) == '-'), &v2);
			int same = at(nm, v2.end, ru->text);
			emit(nm, same ? "到" : "每", i, i + 1);
			return i + 1;
		}
		/* 400g/盒 四百克每盒: a quantity per package */
		if (after_number(nm, i) && !is_digit(byte(nm, i - 1)) && after_has(nm, i + 1, &units_measure) &&
		    !after_has(nm, i + 1, &units_after)) {
			emit(nm, "每", i, i + 1);
			return i + 1;
		}
		/* 元/吨 元每吨, 次/分钟: a unit per unit */
		const struct unit *u = after_has(nm, i + 1, &units_after);
		if (u && (after_number(nm, i) || unit_suffix(&units_measure, nm->s, i))) {
			emit(nm, "每", i, i + 1);
			emit(nm, u->reading, i + 1, i + 1 + u->len);
			return i + 1 + u->len;
		}
		if (unit_suffix(&units_measure, nm->s, i) && after_has(nm, i + 1, &units_measure))
			emit(nm, "每", i, i + 1);
		else if (is_letter((int)before) && is_letter(byte(nm, i + 1)))
			nm->space = 1;
		return i + 1;
	}
	case '.':
		if (at(nm, i, "...")) {
			emit(nm, "…", i, i + 3);
			return i + 3;
		}
		if (after_number(nm, i) && skip_spaces(nm, 0) == nm->num_start && !digit_next) {
			emit(nm, "、", i, i + 1); /* 1. at the start: a list number */
			return i + 1;
		}
		if (is_digit(byte(nm, i + 1)) && !is_digit((int)before) && !is_letter((int)before)) {
			size_t f = digits_end(nm, i + 1); /* .22口径 点二二口径 */
			emit(nm, "点", i, i + 1);
			say_digits(nm, nm->s + i + 1, f - i - 1, 0, i + 1, f);
			return f;
		}
		if (i + 1 >= nm->n && !is_letter((int)before))
			emit(nm, "。", i, i + 1);
		return i + 1;
	case '"':
		quote(nm, &nm->quote2, "“", "”", i);
		return i + 1;
	case '\'':
		if (is_letter((int)before) && is_letter(byte(nm, i + 1)))
			return i + 1; /* don't */
		quote(nm, &nm->quote1, "‘", "’", i);
		return i + 1;
	case '@':
		if (!is_letter(byte(nm, i + 1)) && !is_digit(byte(nm, i + 1)))
			return i + 1; /* @人民日报: a handle, the mark is not read */
		break;
	case '$': {
		const struct unit *cur = after_has(nm, i, &units_money);
		if (cur && digit_next)
			return money(nm, i, cur);
		return i + 1;
	}
	default:
		break;
	}
	const struct symbol *sym = symbol_find((uint32_t)c);
	if (sym)
		emit(nm, sym->reading, i, i + 1);
	return i + 1;
}

/* A range mark at i after a number (with or without its unit) and before a negative number
 * (next): -5℃～-10℃, -3~-8℃, which reads 到. */
static int unit_range_minus(const struct norm *nm, size_t i, size_t next)
{
	int minus = byte(nm, next) == '-' || at(nm, next, "−");
	size_t d = next + (byte(nm, next) == '-' ? 1 : 3);
	return minus && is_digit(byte(nm, d)) && after_number(nm, i) &&
	       (unit_suffix(&units_range_unit, nm->s, i) || (i > 0 && is_digit(byte(nm, i - 1))));
}

/* One non-ASCII character that is not a hanzi. */
static size_t other(struct norm *nm, size_t i, uint32_t cp, size_t len)
{
	size_t next = skip_spaces(nm, i + len);
	int digit_next = is_digit(byte(nm, next));
	size_t rl;
	if (space_len(nm, i))
		return ascii(nm, i);
	const struct unit *cur = after_has(nm, i, &units_money);
	if (cur && digit_next)
		return money(nm, i, cur);
	if (range_mark(nm, i, &rl) == 1 && unit_range_minus(nm, i, next)) {
		emit(nm, "到", i, i + rl); /* -5℃～-10℃ 零下五摄氏度到零下十摄氏度 */
		return i + rl;
	}
	if (range_mark(nm, i, &rl) == 1 && digit_next) {
		if (after_number(nm, i)) {
			between_numbers(nm, i, rl);
			return i + rl;
		}
		size_t st;
		prev_cp(nm, i, &st);
		if (unit_suffix(&units_range_unit, nm->s, i) && st > 0 && is_digit(byte(nm, st - 1))) {
			emit(nm, "到", i, i + rl); /* 11月5日—10日 */
			return i + rl;
		}
		if (cp == 0x2212 || cp == 0xFF0D)
			return number(nm, i, next, 1);
	}
	if (at(nm, i, "——") && after_number(nm, i) && is_digit(byte(nm, skip_spaces(nm, i + 6)))) {
		between_numbers(nm, i, 6); /* 6——6.5万 六到六点五万 */
		return i + 6;
	}
	if (cp == 0x2236 && after_number(nm, i)) { /* ∶ ratio */
		emit(nm, "比", i, i + len);
		return i + len;
	}
	if (cp == 0xFF08 && (rl = try_phone_paren(nm, i)) != 0)
		return rl;
	if (numeral_char(nm, cp, i, i + len))
		return i + len;
	int sup = superscript_digit(cp);
	uint32_t c1 = 0;
	size_t l1 = 0;
	if (cp == 0x207B && after_number(nm, i) && /* 10⁻⁶ 十的负六次方 */
	    (l1 = bb_utf8_decode(nm->s + i + len, nm->n - i - len, &c1)) != 0 &&
	    superscript_digit(c1) >= 0) {
		emit(nm, "的负", i, i + len);
		nm->num_end = i + len;
		return i + len;
	}
	if (sup >= 0) {
		/* 10⁶ 十的六次方; a stray superscript or subscript (H₂O) is its digit */
		int power = after_number(nm, i) && cp != 0x2080 + (uint32_t)sup;
		int neg_power = power && i >= 3 && at(nm, i - 3, "⁻");
		size_t j = i + len;
		char d[16];
		size_t nd = 0;
		d[nd++] = (char)('0' + sup);
		uint32_t c2;
		size_t l2;
		while (nd < sizeof d && (l2 = bb_utf8_decode(nm->s + j, nm->n - j, &c2)) != 0 &&
		       superscript_digit(c2) >= 0) {
			d[nd++] = (char)('0' + superscript_digit(c2));
			j += l2;
		}
		if (power && !neg_power)
			emit(nm, "的", i, j);
		if (power)
			say_card(nm, d, nd, 0, i, j);
		else
			say_digits(nm, d, nd, 0, i, j);
		if (power)
			emit(nm, "次方", i, j);
		return j;
	}
	if (cp >= 0xC0 && cp <= 0xFF && latin1_base[cp - 0xC0] != ' ') {
		char l[2] = {latin1_base[cp - 0xC0], 0};
		emit(nm, l, i, i + len);
		return i + len;
	}
	if (cp == 0xFF05 || cp == 0x2030) { /* stray ％ ‰ */
		emit(nm, cp == 0x2030 ? "千分号" : "百分号", i, i + len);
		return i + len;
	}
	const struct symbol *sym = symbol_find(cp);
	if (sym) {
		if (cp == 0x2014 && at(nm, i, "——")) {
			emit(nm, "—", i, i + 6);
			return i + 6;
		}
		emit(nm, sym->reading, i, i + len);
	}
	/* anything else (emoji, kana, box drawing) eSpeak cannot read: dropped */
	return i + len;
}

static int fullwidth_digit_at(const struct bb_text *in, size_t i)
{
	return i + 3 <= in->len && (unsigned char)in->s[i] == 0xEF &&
	       (unsigned char)in->s[i + 1] == 0xBC && (unsigned char)in->s[i + 2] >= 0x90 &&
	       (unsigned char)in->s[i + 2] <= 0x99;
}

/* Is the full-width comma at i a thousands separator: a full-width digit before it, exactly
 * three after it (１，２３４，５６７)? */
static int fullwidth_group(const struct bb_text *in, size_t i)
{
	if (i < 3 || !fullwidth_digit_at(in, i - 3))
		return 0;
	for (size_t k = 1; k <= 3; k++)
		if (!fullwidth_digit_at(in, i + 3 * k))
			return 0;
	return !fullwidth_digit_at(in, i + 12);
}

/* Is the full-width ． at i a decimal point: a digit (either width) on both sides? */
static int fullwidth_point(const struct bb_text *in, size_t i)
{
	int before = i >= 1 && in->s[i - 1] >= '0' && in->s[i - 1] <= '9';
	int after = i + 3 < in->len && in->s[i + 3] >= '0' && in->s[i + 3] <= '9';
	return (before || (i >= 3 && fullwidth_digit_at(in, i - 3))) &&
	       (after || fullwidth_digit_at(in, i + 3));
}

/* Folds full-width digits, letters and ASCII symbols (１２３ ＡＢ ％ ＋) to ASCII, keeping the
 * Chinese marks (，：！？（）) as they are. Only called when such characters occur. */
static int fold_fullwidth(const struct bb_text *in, struct bb_text *f)
{
	static const char keep[] = "!(),:;?";
	int rc = bb_text_track(f);
	for (size_t i = 0; rc == BB_OK && i < in->len;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(in->s + i, in->len - i, &cp);
		if (!l)
			l = 1, cp = 0xFFFD;
		struct bb_span sp = in->src ? bb_text_span(in, i, i + l) : (struct bb_span){i, i + l};
		if (cp == 0xFF0C && fullwidth_group(in, i)) {
			rc = bb_text_add(f, ",", 1, sp); /* １，２３４: a thousands separator */
		} else if (cp == 0xFF0E && !fullwidth_point(in, i)) {
			rc = bb_text_add(f, "。", 3, sp); /* 5%．下一句: a full stop */
		} else if (cp > 0xFF00 && cp < 0xFF5F && !strchr(keep, (int)(cp - 0xFEE0))) {
			char c = (char)(cp - 0xFEE0);
			rc = bb_text_add(f, &c, 1, sp);
		} else {
			rc = bb_text_add(f, in->s + i, l, sp);
		}
		i += l;
	}
	return rc;
}

static int has_fullwidth(const struct bb_text *in)
{
	static const char keep[] = "!(),:;?";
	for (size_t i = 0; i + 2 < in->len; i++) {
		unsigned char b0 = (unsigned char)in->s[i], b1 = (unsigned char)in->s[i + 1];
		if (b0 != 0xEF || (b1 != 0xBC && b1 != 0xBD))
			continue;
		uint32_t cp = 0xFF00 + (uint32_t)(b1 - 0xBC) * 64 + ((unsigned char)in->s[i + 2] & 0x3F);
		if (cp > 0xFF00 && cp < 0xFF5F && !strchr(keep, (int)(cp - 0xFEE0)))
			return 1;
	}
	return 0;
}

/* Chinese numerals that may stand before a percent sign: 二五％, 二十五%, 三点五%. */
static int cn_numeral(const struct norm *nm, size_t i)
{
	static const char *const numerals[] = {"〇", "零", "一", "二", "三", "四", "五", "六", "七",
					       "八", "九", "十", "百", "千", "点"};
	for (size_t k = 0; k < sizeof numerals / sizeof numerals[0]; k++)
		if (at(nm, i, numerals[k]))
			return (int)k;
	return -1;
}

/* Where the run of Chinese numerals ending at j (within [i, j)) begins; j if none. */
static size_t cn_numerals_start(const struct norm *nm, size_t i, size_t j)
{
	size_t q = j;
	while (q >= i + 3 && cn_numeral(nm, q - 3) >= 0)
		q -= 3;
	while (q < j && cn_numeral(nm, q) == 14)
		q += 3; /* 点 does not start a number */
	return q;
}

/* The Chinese numerals [q, j) before the percent sign at j, as 百分之 and the number:
 * 约二五％ 约百分之二十五 (digits written one by one are read as the number they write),
 * 二十五% 百分之二十五. Returns the end of the percent sign. */
static size_t cn_percent(struct norm *nm, size_t q, size_t j)
{
	char d[NW_MAX_DIGITS + 1], buf[256];
	size_t n = 0, end = j + (nm->s[j] == '%' ? 1 : 3);
	int plain = 1;
	for (size_t k = q; k < j; k += 3) {
		int v = cn_numeral(nm, k);
		if (v > 10)
			plain = 0; /* 十 百 千 点: the number is written out already */
		else if (n < NW_MAX_DIGITS)
			d[n++] = (char)('0' + (v <= 1 ? 0 : v - 1));
	}
	if (q >= 9 && memcmp(nm->s + q - 9, "百分之", 9) == 0) {
		copy(nm, q, j); /* 百分之五十%: the sign said twice */
		return end;
	}
	emit(nm, "百分之", j, end);
	if (plain && n >= 2 && d[0] != '0' && nw_cardinal(d, n, 0, buf, sizeof buf))
		emit(nm, buf, q, j);
	else
		copy(nm, q, j);
	return end;
}

static int normalize_text(const struct bb_text *in, struct bb_text *out)
{
	struct norm nm = {in, in->s, in->s, in->len, out, BB_OK, NONE, NONE, 0, 0, 0, 0, 0, NONE};
	char *view = NULL;
	size_t i = 0;
	/* Traditional-character text (個 萬 號 點): the classifier reads a copy with those
	 * characters folded to simplified, so every table matches both scripts; what is copied
	 * to the output stays as written, and number words come out simplified (两萬, 十時). */
	if (t2s_needed(in->s, in->len)) {
		view = malloc(in->len);
		if (!view)
			return BB_ENOMEM;
		memcpy(view, in->s, in->len);
		t2s_fold(view, in->len);
		nm.s = view;
		nm.trad = 1;
	}
	while (i < nm.n && nm.rc == BB_OK) {
		int c = byte(&nm, i);
		if (is_digit(c)) {
			i = number(&nm, i, i, 0);
			continue;
		}
		if (c < 0x80) {
			i = ascii(&nm, i);
			continue;
		}
		uint32_t cp;
		size_t l = bb_utf8_decode(nm.s + i, nm.n - i, &cp);
		if (!l) {
			i++; /* not UTF-8: dropped */
			continue;
		}
		if (!bb_is_hanzi(cp) && !(cp == 0xFF0C || cp == 0x3002 || cp == 0x3001)) {
			i = other(&nm, i, cp, l);
			continue;
		}
		/* a run of hanzi and common marks, copied as is */
		size_t j = i + l;
		while (j < nm.n && (unsigned char)nm.s[j] >= 0x80) {
			size_t m = bb_utf8_decode(nm.s + j, nm.n - j, &cp);
			if (!m || !(bb_is_hanzi(cp) || cp == 0xFF0C || cp == 0x3002 || cp == 0x3001))
				break;
			j += m;
		}
		size_t q = j < nm.n && (nm.s[j] == '%' || at(&nm, j, "％")) ? cn_numerals_start(&nm, i, j) : j;
		copy(&nm, i, q);
		if (q < j)
			j = cn_percent(&nm, q, j);
		nm.arith = 0;
		i = j;
	}
	free(view);
	return nm.rc;
}

int bb_normalize(const struct bb_text *in, struct bb_text *out, struct bb_error *err)
{
	int rc;
	if (!in->s || !in->len)
		return BB_OK;
	if (has_fullwidth(in)) {
		struct bb_text folded = {0};
		rc = fold_fullwidth(in, &folded);
		if (rc == BB_OK)
			rc = normalize_text(&folded, out);
		bb_text_free(&folded);
	} else {
		rc = normalize_text(in, out);
	}
	if (rc != BB_OK)
		return bb_fail(err, rc, "normalize: out of memory");
	return BB_OK;
}
