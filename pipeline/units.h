/* Tables for normalize.c: units, measure words, currencies, symbols, context words.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_UNITS_H
#define BOBAO_UNITS_H

#include <stddef.h>
#include <stdint.h>

enum unit_flags {
	UNIT_LIANG = 1, /* the number 2 before it reads 两 (2公里 两公里) */
	UNIT_TEMP = 2,  /* a temperature: a negative number reads 零下 */
	UNIT_WORD = 4,  /* a Latin unit that needs a non-letter after it */
	UNIT_MONEY = 8, /* a currency code after a number: USD, RMB */
};

/* One written form and its reading. */
struct unit {
	const char *text;
	const char *reading;
	unsigned flags;
	size_t len; /* strlen(text) */
};

/* Entries by first byte, built once on first use (lookups run after every number). */
struct unit_index {
	unsigned short start[257];
	unsigned short order[256];
	uint32_t head[256]; /* by position in order: the first (up to) four bytes of the text */
	uint32_t mask[256]; /* which bytes of head count */
};

/* A table with its length, so tests can iterate over every table. */
struct unit_table {
	const char *name;
	const struct unit *items;
	size_t n;
	struct unit_index *index;
};

extern const struct unit_table units_after;    /* km, ℃, m², % ... after a number */
extern const struct unit_table units_measure;  /* 个, 公里, 元 ... : 2 before them reads 两 */
extern const struct unit_table units_money;    /* ¥, HK$, USD ... before a number */
extern const struct unit_table units_money_word; /* 元, 美元 ... already after the number */
extern const struct unit_table units_year;     /* 年, 赛季 ...: four digits before them are a year */
extern const struct unit_table units_phone_before; /* 拨打, 电话, 尾号 ... */
extern const struct unit_table units_phone_strong; /* 拨打, 致电 ...: even before 市 */
extern const struct unit_table units_phone_after;  /* 热线, 打电话 ... */
extern const struct unit_table units_service;      /* 110, 12345 ...: digits even alone */
extern const struct unit_table units_score_before; /* 比分, 战胜 ... */
extern const struct unit_table units_score_after;  /* 战胜, 击败 ... */
extern const struct unit_table units_ordinal_before; /* 第 ...: never 两 */
extern const struct unit_table units_time_before; /* 北京时间, 于 ...: H:MM is a time */
extern const struct unit_table units_time_after;  /* 开始, 举行 ... */
extern const struct unit_table units_model;       /* 歼, 东风 ...: 歼-20 is a model name */
extern const struct unit_table units_fixed;       /* 24/7 ...: digits read as a whole */
extern const struct unit_table units_latin_words; /* am, pm ... read specially after a time */
extern const struct unit_table units_range_after; /* 月, 岁, % ...: N-M before them is a range */
extern const struct unit_table units_range_unit;  /* 日, 月 ...: 5日—10日 reads 到 */
extern const struct unit_table units_exchange;    /* .SH, .HK ...: after a stock code */
extern const struct unit_table units_split_unit;  /* 米, 秒: 2米33 两米三三, 9秒83 */
extern const struct unit_table units_digit_name;  /* 波音 ...: 波音737 波音七三七 */
extern const struct unit_table units_year_name_stop; /* 多, 以上 ...: 2000多 is no year */
extern const struct unit_table units_road;        /* 高速, 国道: K1032 is a kilometre post */
extern const struct unit_table units_tally;       /* 胜, 负: 2胜1负 两胜一负 */
extern const struct unit_table units_basis;       /* 个基点, BP: LPR-20个基点 LPR减二十个基点 */
extern const struct unit_table units_duration_before; /* 用时, 成绩 ...: H:MM:SS is a duration */
extern const struct unit_table units_event_after;  /* 事件, 新政 ...: 9.11事件 九一一事件 */
extern const struct unit_table units_digit_name_after; /* 商城 ...: 6688商城 六六八八商城 */
extern const struct unit_table units_acronym_lower; /* iq, vip ...: spelled IQ, VIP */
extern const struct unit_table *const unit_tables[];
extern const size_t unit_tables_n;

/* The longest entry of t that s (n bytes) starts with, or NULL; UNIT_WORD entries must not
 * be followed by an ASCII letter. */
const struct unit *unit_prefix(const struct unit_table *t, const char *s, size_t n);
/* The entry of t that s (n bytes) ends with (the longest), or NULL. */
const struct unit *unit_suffix(const struct unit_table *t, const char *s, size_t n);

/* A symbol by code point: its reading ("" to drop it), or NULL when it is not in the table. */
struct symbol {
	uint32_t cp;
	const char *reading;
};
const struct symbol *symbol_find(uint32_t cp);
extern const struct symbol symbols[];
extern const size_t symbols_n;

/* Traditional-character text: does s (n bytes of UTF-8) hold a traditional character that a
 * table or the classifier looks at (個 萬 號 點 ...)? t2s_fold rewrites those in place as their
 * simplified forms (same length: both are three bytes), for a view used only to read context. */
int t2s_needed(const char *s, size_t n);
void t2s_fold(char *s, size_t n);

#endif
