/* Pure number-to-hanzi expanders: cardinal, digits, year, decimal, fraction, percent.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <string.h>

#include "numwords.h"

static const char *const digit_word[10] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
static const char *const place_word[4] = {"", "十", "百", "千"};

/* A writer that remembers overflow, so callers check once at the end. */
struct sink {
	char *out;
	size_t len, size;
	int full;
};

static void put(struct sink *k, const char *s)
{
	size_t n = strlen(s);
	if (k->full || k->len + n + 1 > k->size) {
		k->full = 1;
		return;
	}
	memcpy(k->out + k->len, s, n);
	k->len += n;
	k->out[k->len] = '\0';
}

static size_t finish(struct sink *k)
{
	if (k->full) {
		if (k->size)
			k->out[0] = '\0';
		return 0;
	}
	return k->len;
}

static int all_zero(const char *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (d[i] != '0')
			return 0;
	return 1;
}

/* One group of at most four digits (no leading zeros, not all zero). first: the group
 * opens the whole number (a leading 十 drops its 一); outer: a 万 or 亿 follows it. */
static void group4(struct sink *k, const char *d, size_t n, int first, int outer, unsigned flags)
{
	int zero = 0;
	for (size_t i = 0; i < n; i++) {
		size_t place = n - 1 - i;
		int v = d[i] - '0';
		if (v == 0) {
			zero = 1;
			continue;
		}
		if (zero)
			put(k, "零");
		zero = 0;
		if (i == 0 && first && v == 1 && place == 1)
			; /* 十二, not 一十二 */
		else if (v == 2 && (flags & NW_LIANG) &&
			 ((i == 0 && first && (place >= 2 || (place == 0 && outer))) || place == 3))
			put(k, "两"); /* 两千 anywhere: 一万两千, 两万两千 */
		else
			put(k, digit_word[v]);
		put(k, place_word[place]);
	}
}

/* d has no leading zero and is not all zero. */
static void card(struct sink *k, const char *d, size_t n, int first, int outer, unsigned flags)
{
	size_t split = n > 8 ? 8 : n > 4 ? 4 : 0;
	if (!split) {
		group4(k, d, n, first, outer, flags);
		return;
	}
	size_t hi = n - split;
	card(k, d, hi, first, 1, flags);
	put(k, split == 8 ? "亿" : "万");
	const char *lo = d + hi;
	if (all_zero(lo, split))
		return;
	size_t skip = 0;
	while (lo[skip] == '0')
		skip++;
	if (skip)
		put(k, "零");
	card(k, lo + skip, split - skip, 0, 0, flags);
}

size_t nw_cardinal(const char *digits, size_t n, unsigned flags, char *out, size_t outsz)
{
	struct sink k = {out, 0, outsz, outsz == 0};
	if (outsz)
		out[0] = '\0';
	while (n && *digits == '0')
		digits++, n--;
	if (n > NW_MAX_DIGITS)
		return 0;
	if (n == 0)
		put(&k, "零");
	else if (n == 1 && *digits == '2' && (flags & NW_LIANG_ALONE))
		put(&k, "两");
	else
		card(&k, digits, n, 1, 0, flags);
	return finish(&k);
}

size_t nw_cardinal_u64(uint64_t v, unsigned flags, char *out, size_t outsz)
{
	char buf[24];
	size_t n = sizeof buf;
	do {
		buf[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return nw_cardinal(buf + n, sizeof buf - n, flags, out, outsz);
}

size_t nw_digits(const char *digits, size_t n, int yao, char *out, size_t outsz)
{
	struct sink k = {out, 0, outsz, outsz == 0};
	if (outsz)
		out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int v = digits[i] - '0';
		if (v < 0 || v > 9)
			return finish(&(struct sink){out, 0, outsz, 1});
		put(&k, v == 1 && yao ? "幺" : digit_word[v]);
	}
	return finish(&k);
}

size_t nw_year(const char *digits, size_t n, char *out, size_t outsz)
{
	return nw_digits(digits, n, 0, out, outsz);
}

size_t nw_decimal(const char *ip, size_t nip, const char *fp, size_t nfp, unsigned flags,
		  char *out, size_t outsz)
{
	/* the integer part of a decimal keeps 两千 (2185.8 两千一百八十五点八); 2.5 stays 二点五 */
	size_t a = nw_cardinal(ip, nip, nfp ? flags & ~(unsigned)NW_LIANG_ALONE : flags, out, outsz);
	if (!a || !nfp)
		return a;
	struct sink k = {out, a, outsz, 0};
	put(&k, "点");
	if (k.full)
		return finish(&k);
	size_t b = nw_digits(fp, nfp, 0, out + k.len, outsz - k.len);
	if (!b)
		return finish(&(struct sink){out, 0, outsz, 1});
	return k.len + b;
}

size_t nw_fraction(const char *num, size_t nnum, const char *den, size_t nden, char *out,
		   size_t outsz)
{
	size_t a = nw_cardinal(den, nden, NW_LIANG, out, outsz);
	if (!a)
		return 0;
	struct sink k = {out, a, outsz, 0};
	put(&k, "分之");
	if (k.full)
		return finish(&k);
	size_t b = nw_cardinal(num, nnum, 0, out + k.len, outsz - k.len);
	if (!b)
		return finish(&(struct sink){out, 0, outsz, 1});
	return k.len + b;
}

size_t nw_percent(const char *ip, size_t nip, const char *fp, size_t nfp, int per, char *out,
		  size_t outsz)
{
	struct sink k = {out, 0, outsz, outsz == 0};
	if (outsz)
		out[0] = '\0';
	put(&k, per == 1000 ? "千分之" : per == 10000 ? "万分之" : "百分之");
	if (k.full)
		return finish(&k);
	size_t b = nw_decimal(ip, nip, fp, nfp, NW_LIANG, out + k.len, outsz - k.len);
	if (!b)
		return finish(&(struct sink){out, 0, outsz, 1});
	return k.len + b;
}
