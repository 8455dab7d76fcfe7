/* Pure number-to-hanzi expanders used by normalize.c. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every function writes UTF-8 hanzi into out (room for outsz bytes, NUL-terminated) and
 * returns the length written, or 0 when the input is not a number it can read or out is
 * too small. Digit strings are ASCII '0'-'9'. None of them allocates. */
#ifndef BOBAO_NUMWORDS_H
#define BOBAO_NUMWORDS_H

#include <stddef.h>
#include <stdint.h>

enum nw_flags {
	NW_LIANG = 1,       /* a leading 2 before 百/千/万/亿 and every 2 before 千 read 两
			    * (2000 两千, 2万 两万, 12000 一万两千, 22000 两万两千) */
	NW_LIANG_ALONE = 2, /* the number 2 by itself reads 两 (before a measure word: 两个) */
};

/* Longest digit string the cardinal reads (beyond it: digits one by one). */
#define NW_MAX_DIGITS 24

/* Cardinal with 万/亿 grouping and 零 for gaps: "20030" 两万零三十, "10" 十, "110" 一百一十.
 * Leading zeros are skipped; "0" and "" read 零. 0 when n > NW_MAX_DIGITS. */
size_t nw_cardinal(const char *digits, size_t n, unsigned flags, char *out, size_t outsz);
/* The same for a binary value. */
size_t nw_cardinal_u64(uint64_t v, unsigned flags, char *out, size_t outsz);
/* Digits one by one, 0 as 零, 1 as 幺 when yao: phone numbers, codes ("120" 幺二零). */
size_t nw_digits(const char *digits, size_t n, int yao, char *out, size_t outsz);
/* A year read digit by digit: "2019" 二零一九. */
size_t nw_year(const char *digits, size_t n, char *out, size_t outsz);
/* Integer part as cardinal (flags apply to it, but NW_LIANG_ALONE only without a fraction:
 * 2.5 二点五, 2185.8 两千一百八十五点八), fraction digit by digit: 七点二五. An empty
 * fraction reads only the integer. */
size_t nw_decimal(const char *ip, size_t nip, const char *fp, size_t nfp, unsigned flags,
		  char *out, size_t outsz);
/* num/den: 三分之二 (denominator first). */
size_t nw_fraction(const char *num, size_t nnum, const char *den, size_t nden, char *out,
		   size_t outsz);
/* Percent (per = 100) or permille (per = 1000) of a decimal: 百分之七点二五, 千分之三. */
size_t nw_percent(const char *ip, size_t nip, const char *fp, size_t nfp, int per, char *out,
		  size_t outsz);

#endif
