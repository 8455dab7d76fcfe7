/* Fuzz-style property test: random mixes of digits, symbols, units, Latin and hanzi through
 * normalize never leave a digit or a character eSpeak cannot read: the output holds only
 * hanzi, Chinese punctuation, ASCII letters and spaces. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

/* Pieces the random inputs are made of: what news text has around numbers, and worse. */
static const char *const pieces[] = {
	"0", "1", "2", "3", "5", "7", "9", "12", "20", "110", "2023", "12345", "600519",
	"13812345678", "0.5", "3.14", "1,234", "4 360 000", "00", "007", "99999999999999999999999999",
	"-", "+", "=", "*", "/", "\\", ".", ",", ":", ";", "!", "?", "%", "‰", "‱", "％", "~", "～",
	"—", "–", "−", "－", "·", "•", "×", "÷", "±", "@", "#", "$", "&", "^", "_", "|", "<", ">",
	"(", ")", "[", "]", "{", "}", "\"", "'", "`", "“", "”", "‘", "’", "《", "》", "（", "）", "【",
	"】", "「", "」", "…", "...", "：", "，", "。", "、", "？", "！", "；", " ", "\xe3\x80\x80",
	"\xc2\xa0", "\t", "℃", "°C", "°", "℉", "km", "m", "m²", "m³", "㎡", "kg", "t", "km/h", "kWh",
	"mg/L", "μg/m³", "GB", "¥", "￥", "$", "HK$", "€", "£", "RMB", "USD", "①", "⑴", "⒈", "Ⅲ",
	"ⅻ", "❶", "㈠", "〇", "１２３", "ＡＢ", "ａ", "Ｑ", "Q", "No.", "www.", ".cn", ".com", "http://",
	"https://", "a@b", "ISBN ", "iOS ", "PM", "G", "K", "COVID", "H", "N", "A", "x", "e", "é",
	"α", "π", "Ω", "ß", "ø", "ж", "の", "カ", "한", "😀", "→", "★", "■", "\xe2\x80\x8b", "\xef\xbb\xbf",
	"第", "年", "月", "日", "号", "时", "分", "秒", "点", "元", "万", "亿", "个", "多", "余", "约",
	"比分", "以", "战胜", "拨打", "电话", "热线", "尾号", "至", "到", "下降", "零下", "气温", "比赛",
	"北京时间", "室", "路", "次", "年代", "世纪", "季度", "赛季", "折", "成", "倍", "歼", "双",
	"新增", "人", "和", "的", "是", "为", "在", "½", "¾", "⅓", "²", "³", "¹", "⁶", "⁰", "₂",
	"H₂O", "10⁻⁶", "㎎", "㏄", "Ì", "ï¿½", "ÿ", "ä¸",
};

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 11);
}

/* Chinese punctuation the synthesizer pauses on. */
static int allowed_mark(uint32_t cp)
{
	static const uint32_t marks[] = {0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0xFF1A, 0x3001,
					 0x201C, 0x201D, 0x2018, 0x2019, 0x300A, 0x300B, 0xFF08,
					 0xFF09, 0x2014, 0x2026};
	for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++)
		if (cp == marks[k])
			return 1;
	return 0;
}

/* The first character of s (n bytes) that must not reach the synthesizer, or -1. */
static long bad_char(const char *s, size_t n, uint32_t *what)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		if (!l) {
			*what = (unsigned char)s[i];
			return (long)i;
		}
		int ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || cp == ' ' ||
			 bb_is_hanzi(cp) || allowed_mark(cp);
		if (!ok) {
			*what = cp;
			return (long)i;
		}
		i += l;
	}
	return -1;
}

int main(int argc, char **argv)
{
	long cases = argc > 1 ? atol(argv[1]) : 20000;
	size_t npieces = sizeof pieces / sizeof pieces[0];
	long passed = 0, failed = 0;
	char in[1024];
	for (long c = 0; c < cases; c++) {
		size_t len = 0, count = 1 + rng() % 12;
		for (size_t k = 0; k < count; k++) {
			const char *p = pieces[rng() % npieces];
			size_t l = strlen(p);
			if (len + l >= sizeof in)
				break;
			memcpy(in + len, p, l);
			len += l;
		}
		struct bb_text t = {0}, out = {0};
		struct bb_error err = {0};
		int ok = bb_text_add(&t, in, len, (struct bb_span){0, len}) == BB_OK &&
			 bb_normalize(&t, &out, &err) == BB_OK;
		uint32_t what = 0;
		long at = ok ? bad_char(out.s ? out.s : "", out.len, &what) : 0;
		if (ok && at < 0) {
			passed++;
		} else {
			if (failed < 10)
				fprintf(stderr, "normalize-clean: %.*s => %.*s (U+%04X at byte %ld)\n",
					(int)len, in, (int)out.len, out.s ? out.s : "", (unsigned)what, at);
			failed++;
		}
		bb_text_free(&t);
		bb_text_free(&out);
	}
	printf("normalize-clean: %ld passed, %ld failed\n", passed, failed);
	return failed != 0;
}
