/* Property test: the cardinal reading of random integers 0..10^16 parses back to the same
 * number with a small reverse parser. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "numwords.h"

static const char *const digit_chars[10] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};

/* The value of one hanzi numeral word at s: digit (0-9), 10/100/1000 for 十百千,
 * 10^4 / 10^8 for 万亿; *len gets its byte length. -1 when s holds none. */
static int64_t token(const char *s, size_t *len)
{
	static const struct {
		const char *w;
		int64_t v;
	} units[] = {{"两", 2}, {"十", 10}, {"百", 100}, {"千", 1000}, {"万", 10000},
		     {"亿", 100000000}};
	*len = 3;
	for (int d = 0; d < 10; d++)
		if (strncmp(s, digit_chars[d], 3) == 0)
			return d;
	for (size_t k = 0; k < sizeof units / sizeof units[0]; k++)
		if (strncmp(s, units[k].w, 3) == 0)
			return units[k].v;
	return -1;
}

/* Reverse parser: digits set the pending digit, 十百千 multiply it into the section, 万
 * closes the section, 亿 closes everything so far (一亿亿 nests). */
static int parse(const char *s, uint64_t *out)
{
	uint64_t total = 0, section = 0, digit = 0;
	int have_digit = 0;
	while (*s) {
		size_t len;
		int64_t t = token(s, &len);
		if (t < 0)
			return 0;
		s += len;
		if (t < 10) {
			digit = (uint64_t)t, have_digit = 1;
		} else if (t <= 1000) {
			section += (have_digit ? digit : 1) * (uint64_t)t;
			digit = 0, have_digit = 0;
		} else if (t == 10000) {
			section = (section + digit) * 10000;
			digit = 0, have_digit = 0;
		} else {
			total = (total + section + digit) * 100000000ULL;
			section = digit = 0, have_digit = 0;
		}
	}
	*out = total + section + digit;
	return 1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random values of every length, with runs of zeros inside (where 零 matters). */
static uint64_t sample(void)
{
	static const uint64_t limit = 10000000000000000ULL;
	uint64_t v;
	switch (next_random() % 4) {
	case 0:
		return next_random() % (limit + 1);
	case 1: {
		uint64_t p = 1;
		for (int k = (int)(next_random() % 17); k > 0; k--)
			p *= 10;
		return next_random() % (p + 1);
	}
	default:
		v = 0;
		for (int k = 0; k < 16; k++)
			v = v * 10 + (next_random() % 3 ? 0 : next_random() % 10);
		return v;
	}
}

static int check(uint64_t v, unsigned flags, int *shown)
{
	char buf[512];
	uint64_t back = 0;
	if (!nw_cardinal_u64(v, flags, buf, sizeof buf) || !parse(buf, &back) || back != v) {
		if ((*shown)++ < 10)
			fprintf(stderr, "roundtrip: %llu -> %s -> %llu\n", (unsigned long long)v, buf,
				(unsigned long long)back);
		return 0;
	}
	return 1;
}

int main(void)
{
	int passed = 0, failed = 0, shown = 0;
	static const uint64_t fixed[] = {0, 1, 2, 10, 11, 20, 100, 101, 110, 1000, 1001, 1010,
					 10000, 10001, 10010, 100000, 100000000, 100010000,
					 200000000, 1000000000000ULL, 10000000000000000ULL};
	for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++) {
		check(fixed[k], 0, &shown) ? passed++ : failed++;
		check(fixed[k], NW_LIANG | NW_LIANG_ALONE, &shown) ? passed++ : failed++;
	}
	for (int k = 0; k < 200000; k++) {
		uint64_t v = sample();
		check(v, k % 2 ? NW_LIANG : 0, &shown) ? passed++ : failed++;
	}
	printf("roundtrip: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
