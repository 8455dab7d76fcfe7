/* Tables for normalize.c: units, measure words, currencies, symbols and context words.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdlib.h>
#include <string.h>

#include "units.h"

#define TABLE(var, label, arr) \
	const struct unit_table var = {label, arr, sizeof arr / sizeof arr[0]}

/* Written after a number (5km, 38℃, 120m²); longest match wins. */
static const struct unit after[] = {
	{"km/h", "公里每小时", UNIT_LIANG | UNIT_WORD},
	{"KM/H", "公里每小时", UNIT_LIANG | UNIT_WORD},
	{"km/s", "公里每秒", UNIT_LIANG | UNIT_WORD},
	{"m/s", "米每秒", UNIT_LIANG | UNIT_WORD},
	{"kg/m³", "公斤每立方米", UNIT_LIANG},
	{"μg/m³", "微克每立方米", UNIT_LIANG},
	{"µg/m³", "微克每立方米", UNIT_LIANG},
	{"ug/m3", "微克每立方米", UNIT_LIANG | UNIT_WORD},
	{"μg/m3", "微克每立方米", UNIT_LIANG | UNIT_WORD},
	{"mg/m³", "毫克每立方米", UNIT_LIANG},
	{"mg/L", "毫克每升", UNIT_LIANG | UNIT_WORD},
	{"km²", "平方公里", UNIT_LIANG},
	{"km2", "平方公里", UNIT_LIANG | UNIT_WORD},
	{"m²", "平方米", UNIT_LIANG},
	{"m2", "平方米", UNIT_LIANG | UNIT_WORD},
	{"cm²", "平方厘米", UNIT_LIANG},
	{"m³", "立方米", UNIT_LIANG},
	{"m3", "立方米", UNIT_LIANG | UNIT_WORD},
	{"cm³", "立方厘米", UNIT_LIANG},
	{"km", "公里", UNIT_LIANG | UNIT_WORD},
	{"KM", "公里", UNIT_LIANG | UNIT_WORD},
	{"Km", "公里", UNIT_LIANG | UNIT_WORD},
	{"m", "米", UNIT_LIANG | UNIT_WORD},
	{"cm", "厘米", UNIT_LIANG | UNIT_WORD},
	{"mm", "毫米", UNIT_LIANG | UNIT_WORD},
	{"nm", "纳米", UNIT_LIANG | UNIT_WORD},
	{"μm", "微米", UNIT_LIANG | UNIT_WORD},
	{"µm", "微米", UNIT_LIANG | UNIT_WORD},
	{"kg", "公斤", UNIT_LIANG | UNIT_WORD},
	{"KG", "公斤", UNIT_LIANG | UNIT_WORD},
	{"Kg", "公斤", UNIT_LIANG | UNIT_WORD},
	{"g", "克", UNIT_LIANG | UNIT_WORD},
	{"mg", "毫克", UNIT_LIANG | UNIT_WORD},
	{"μg", "微克", UNIT_LIANG | UNIT_WORD},
	{"µg", "微克", UNIT_LIANG | UNIT_WORD},
	{"t", "吨", UNIT_LIANG | UNIT_WORD},
	{"L", "升", UNIT_LIANG | UNIT_WORD},
	{"ml", "毫升", UNIT_LIANG | UNIT_WORD},
	{"mL", "毫升", UNIT_LIANG | UNIT_WORD},
	{"ha", "公顷", UNIT_LIANG | UNIT_WORD},
	{"kW", "千瓦", UNIT_LIANG | UNIT_WORD},
	{"KW", "千瓦", UNIT_LIANG | UNIT_WORD},
	{"kw", "千瓦", UNIT_LIANG | UNIT_WORD},
	{"kWh", "千瓦时", UNIT_LIANG | UNIT_WORD},
	{"kW·h", "千瓦时", UNIT_LIANG | UNIT_WORD},
	{"KWh", "千瓦时", UNIT_LIANG | UNIT_WORD},
	{"kwh", "千瓦时", UNIT_LIANG | UNIT_WORD},
	{"MW", "兆瓦", UNIT_LIANG | UNIT_WORD},
	{"MWh", "兆瓦时", UNIT_LIANG | UNIT_WORD},
	{"GW", "吉瓦", UNIT_LIANG | UNIT_WORD},
	{"GWh", "吉瓦时", UNIT_LIANG | UNIT_WORD},
	{"W", "瓦", UNIT_LIANG | UNIT_WORD},
	{"kV", "千伏", UNIT_LIANG | UNIT_WORD},
	{"kv", "千伏", UNIT_LIANG | UNIT_WORD},
	{"V", "伏", UNIT_LIANG | UNIT_WORD},
	{"mAh", "毫安时", UNIT_LIANG | UNIT_WORD},
	{"Hz", "赫兹", UNIT_LIANG | UNIT_WORD},
	{"kHz", "千赫兹", UNIT_LIANG | UNIT_WORD},
	{"MHz", "兆赫兹", UNIT_LIANG | UNIT_WORD},
	{"GHz", "吉赫兹", UNIT_LIANG | UNIT_WORD},
	{"kPa", "千帕", UNIT_LIANG | UNIT_WORD},
	{"MPa", "兆帕", UNIT_LIANG | UNIT_WORD},
	{"hPa", "百帕", UNIT_LIANG | UNIT_WORD},
	{"Pa", "帕", UNIT_LIANG | UNIT_WORD},
	{"dB", "分贝", UNIT_LIANG | UNIT_WORD},
	{"kcal", "千卡", UNIT_LIANG | UNIT_WORD},
	{"h", "小时", UNIT_LIANG | UNIT_WORD},
	{"min", "分钟", UNIT_LIANG | UNIT_WORD},
	{"s", "秒", UNIT_LIANG | UNIT_WORD},
	{"ms", "毫秒", UNIT_LIANG | UNIT_WORD},
	{"mph", "英里每小时", UNIT_LIANG | UNIT_WORD},
	{"ppm", "ppm", UNIT_WORD},
	{"w", "万", UNIT_LIANG | UNIT_WORD},
	{"RMB", "元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"CNY", "元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"USD", "美元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"HKD", "港元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"EUR", "欧元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"JPY", "日元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"GBP", "英镑", UNIT_LIANG | UNIT_WORD | UNIT_MONEY},
	{"℃", "摄氏度", UNIT_TEMP},
	{"°C", "摄氏度", UNIT_TEMP},
	{"° C", "摄氏度", UNIT_TEMP},
	{"ºC", "摄氏度", UNIT_TEMP},
	{"℉", "华氏度", UNIT_TEMP},
	{"°F", "华氏度", UNIT_TEMP},
	{"°", "度", UNIT_TEMP},
	{"㎡", "平方米", UNIT_LIANG},
	{"㎢", "平方公里", UNIT_LIANG},
	{"㎞", "公里", UNIT_LIANG},
	{"㎏", "公斤", UNIT_LIANG},
	{"㎎", "毫克", UNIT_LIANG},
	{"㎝", "厘米", UNIT_LIANG},
	{"㎜", "毫米", UNIT_LIANG},
	{"㎥", "立方米", UNIT_LIANG},
	{"㏄", "毫升", UNIT_LIANG},
	{"′", "分", 0},
	{"″", "秒", 0},
};
TABLE(units_after, "after", after);

/* Measure words and units written in hanzi: the number 2 before them reads 两. */
static const struct unit measure[] = {
	{"个", "", 0}, {"位", "", 0}, {"名", "", 0}, {"人", "", 0}, {"口", "", 0},
	{"户", "", 0}, {"家", "", 0}, {"只", "", 0}, {"条", "", 0}, {"件", "", 0},
	{"次", "", 0}, {"场", "", 0}, {"轮", "", 0}, {"届", "", 0}, {"年", "", 0},
	{"天", "", 0}, {"周", "", 0}, {"星期", "", 0}, {"小时", "", 0}, {"分钟", "", 0},
	{"秒", "", 0}, {"岁", "", 0}, {"倍", "", 0}, {"成", "", 0}, {"台", "", 0},
	{"辆", "", 0}, {"架", "", 0}, {"艘", "", 0}, {"列", "", 0}, {"所", "", 0},
	{"座", "", 0}, {"栋", "", 0}, {"幢", "", 0}, {"套", "", 0}, {"间", "", 0},
	{"项", "", 0}, {"种", "", 0}, {"类", "", 0}, {"批", "", 0}, {"部", "", 0},
	{"本", "", 0}, {"张", "", 0}, {"份", "", 0}, {"篇", "", 0}, {"句", "", 0},
	{"块", "", 0}, {"片", "", 0}, {"支", "", 0}, {"把", "", 0}, {"根", "", 0},
	{"头", "", 0}, {"匹", "", 0}, {"棵", "", 0}, {"颗", "", 0}, {"粒", "", 0},
	{"笔", "", 0}, {"处", "", 0}, {"起", "", 0}, {"例", "", 0}, {"款", "", 0},
	{"组", "", 0}, {"队", "", 0}, {"方", "", 0}, {"国", "", 0}, {"省", "", 0},
	{"市", "", 0}, {"县", "", 0}, {"区", "", 0}, {"岸", "", 0}, {"地", "", 0},
	{"大", "", 0}, {"点", "", 0}, {"趟", "", 0}, {"遍", "", 0}, {"回", "", 0},
	{"下", "", 0}, {"声", "", 0}, {"样", "", 0}, {"层", "", 0}, {"步", "", 0},
	{"面", "", 0}, {"侧", "", 0}, {"端", "", 0}, {"只", "", 0}, {"双", "", 0},
	{"对", "", 0}, {"股", "", 0}, {"道", "", 0}, {"门", "", 0}, {"份", "", 0},
	{"元", "", 0}, {"块钱", "", 0}, {"毛", "", 0}, {"角", "", 0}, {"美元", "", 0},
	{"欧元", "", 0}, {"英镑", "", 0}, {"港元", "", 0}, {"日元", "", 0},
	{"米", "", 0}, {"公里", "", 0}, {"千米", "", 0}, {"厘米", "", 0}, {"毫米", "", 0},
	{"里", "", 0}, {"公斤", "", 0}, {"千克", "", 0}, {"克", "", 0}, {"斤", "", 0},
	{"吨", "", 0}, {"亩", "", 0}, {"公顷", "", 0}, {"平方", "", 0}, {"立方", "", 0},
	{"升", "", 0}, {"千瓦", "", 0}, {"度", "", 0}, {"百", "", 0}, {"千", "", 0},
	{"万", "", 0}, {"亿", "", 0}, {"分", "", 0}, {"折", "", 0}, {"码", "", 0},
	{"枚", "", 0}, {"碗", "", 0}, {"杯", "", 0}, {"瓶", "", 0}, {"箱", "", 0},
	{"袋", "", 0}, {"盒", "", 0}, {"包", "", 0}, {"节", "", 0}, {"集", "", 0},
	{"期", "", 0}, {"级", "", 0}, {"线", "", 0}, {"路", "", 0}, {"代", "", 0},
};
TABLE(units_measure, "measure", measure);

/* Currency signs and codes before a number: ¥48 四十八元, $300万 三百万美元. */
static const struct unit money[] = {
	{"HK$", "港元", 0}, {"US$", "美元", 0}, {"A$", "澳元", 0}, {"AU$", "澳元", 0},
	{"NT$", "新台币", 0}, {"S$", "新加坡元", 0}, {"C$", "加元", 0}, {"$", "美元", 0},
	{"¥", "元", 0}, {"￥", "元", 0}, {"€", "欧元", 0}, {"£", "英镑", 0}, {"￡", "英镑", 0},
	{"₩", "韩元", 0}, {"₹", "卢比", 0}, {"₽", "卢布", 0},
	{"RMB", "元", UNIT_WORD}, {"CNY", "元", UNIT_WORD}, {"USD", "美元", UNIT_WORD},
	{"HKD", "港元", UNIT_WORD}, {"EUR", "欧元", UNIT_WORD}, {"JPY", "日元", UNIT_WORD},
	{"GBP", "英镑", UNIT_WORD}, {"AUD", "澳元", UNIT_WORD},
};
TABLE(units_money, "money", money);

/* Currency words that may already follow a number written with a sign. */
static const struct unit money_word[] = {
	{"元", "", 0}, {"美元", "", 0}, {"港元", "", 0}, {"港币", "", 0}, {"欧元", "", 0},
	{"英镑", "", 0}, {"日元", "", 0}, {"澳元", "", 0}, {"人民币", "", 0}, {"块", "", 0},
};
TABLE(units_money_word, "money_word", money_word);

/* Four digits before these are a year, read digit by digit. */
static const struct unit year[] = {
	{"年", "", 0}, {"赛季", "", 0}, {"财年", "", 0}, {"学年", "", 0}, {"年度", "", 0},
	{"届", "", 0}, {"级", "", 0}, {"款", "", 0}, {"版", "", 0},
};
TABLE(units_year, "year", year);

/* Words before a number that make it a phone number or a code, read digit by digit. */
static const struct unit phone_before[] = {
	{"拨打", "", 0}, {"电话", "", 0}, {"热线", "", 0}, {"手机", "", 0}, {"手机号", "", 0},
	{"邮编", "", 0}, {"邮政编码", "", 0}, {"尾号", "", 0}, {"号码", "", 0}, {"致电", "", 0},
	{"传真", "", 0}, {"客服", "", 0}, {"短信", "", 0}, {"QQ", "", 0}, {"微信", "", 0},
	{"账号", "", 0}, {"帐号", "", 0}, {"卡号", "", 0}, {"证号", "", 0}, {"工号", "", 0},
	{"学号", "", 0}, {"代码", "", 0}, {"编号", "", 0}, {"单号", "", 0}, {"验证码", "", 0},
	{"车次", "", 0}, {"航班", "", 0}, {"报警", "", 0}, {"急救", "", 0}, {"打", "", 0},
	{"拨", "", 0}, {"呼叫", "", 0}, {"Tel", "", 0}, {"TEL", "", 0}, {"tel", "", 0},
	{"联系方式", "", 0}, {"身份证", "", 0}, {"房间", "", 0},
};
TABLE(units_phone_before, "phone_before", phone_before);

static const struct unit phone_after[] = {
	{"热线", "", 0}, {"打电话", "", 0}, {"打个电话", "", 0}, {"电话", "", 0},
	{"服务热线", "", 0}, {"平台", "", 0}, {"网站", "", 0}, {"客服", "", 0},
	{"报警", "", 0}, {"急救", "", 0}, {"求助", "", 0}, {"次列车", "", 0},
};
TABLE(units_phone_after, "phone_after", phone_after);

/* Words that make N:M or N-M a score (3:1 三比一). */
static const struct unit score_before[] = {
	{"比分", "", 0}, {"以", "", 0}, {"战胜", "", 0}, {"击败", "", 0}, {"负于", "", 0},
	{"爆冷", "", 0}, {"战平", "", 0}, {"打平", "", 0}, {"逆转", "", 0}, {"比", "", 0},
	{"大胜", "", 0}, {"险胜", "", 0}, {"力克", "", 0}, {"总比分", "", 0}, {"比赛", "", 0},
	{"投票", "", 0}, {"票数", "", 0}, {"表决", "", 0},
};
TABLE(units_score_before, "score_before", score_before);

static const struct unit score_after[] = {
	{"战胜", "", 0}, {"击败", "", 0}, {"获胜", "", 0}, {"取胜", "", 0}, {"胜出", "", 0},
	{"告负", "", 0}, {"落败", "", 0}, {"负于", "", 0}, {"力克", "", 0}, {"险胜", "", 0},
	{"大胜", "", 0}, {"逆转", "", 0}, {"战平", "", 0}, {"打平", "", 0}, {"击退", "", 0},
	{"胜", "", 0}, {"负", "", 0}, {"平", "", 0}, {"的比分", "", 0}, {"比分", "", 0},
	{"横扫", "", 0}, {"淘汰", "", 0}, {"赢", "", 0}, {"输", "", 0}, {"的比分", "", 0},
};
TABLE(units_score_after, "score_after", score_after);

/* Before these a number is an ordinal: never 两. */
static const struct unit ordinal_before[] = {
	{"第", "", 0}, {"初", "", 0}, {"周", "", 0}, {"星期", "", 0}, {"礼拜", "", 0},
	{"No.", "", 0}, {"NO.", "", 0}, {"№", "", 0}, {"#", "", 0},
};
TABLE(units_ordinal_before, "ordinal_before", ordinal_before);

/* After a time: a.m. / p.m. read before it. */
static const struct unit latin_words[] = {
	{"a.m.", "上午", 0}, {"A.M.", "上午", 0}, {"am", "上午", UNIT_WORD},
	{"AM", "上午", UNIT_WORD}, {"p.m.", "下午", 0}, {"P.M.", "下午", 0},
	{"pm", "下午", UNIT_WORD}, {"PM", "下午", UNIT_WORD},
};
TABLE(units_latin_words, "latin_words", latin_words);

const struct unit_table *const unit_tables[] = {
	&units_after, &units_measure, &units_money, &units_money_word, &units_year,
	&units_phone_before, &units_phone_after, &units_score_before, &units_score_after,
	&units_ordinal_before, &units_latin_words,
};
const size_t unit_tables_n = sizeof unit_tables / sizeof unit_tables[0];

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const struct unit *unit_prefix(const struct unit_table *t, const char *s, size_t n)
{
	const struct unit *best = NULL;
	size_t bestlen = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct unit *u = &t->items[i];
		size_t l = strlen(u->text);
		if (l <= bestlen || l > n || memcmp(s, u->text, l) != 0)
			continue;
		if ((u->flags & UNIT_WORD) && l < n && is_letter((unsigned char)s[l]))
			continue;
		best = u, bestlen = l;
	}
	return best;
}

const struct unit *unit_suffix(const struct unit_table *t, const char *s, size_t n)
{
	const struct unit *best = NULL;
	size_t bestlen = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct unit *u = &t->items[i];
		size_t l = strlen(u->text);
		if (l <= bestlen || l > n || memcmp(s + n - l, u->text, l) != 0)
			continue;
		best = u, bestlen = l;
	}
	return best;
}

/* Stray symbols and punctuation by code point, sorted: the reading, or "" to drop. Chinese
 * punctuation that eSpeak pauses on is kept; other brackets and quotes become those. */
const struct symbol symbols[] = {
	{0x0021, "！"}, {0x0022, "\""}, {0x0023, ""}, {0x0024, "美元"}, {0x0025, "百分号"},
	{0x0026, "和"}, {0x0027, "'"}, {0x0028, "（"}, {0x0029, "）"}, {0x002A, ""},
	{0x002B, "加"}, {0x002C, "，"}, {0x002F, ""}, {0x003A, "："}, {0x003B, "；"},
	{0x003C, "小于"}, {0x003D, "等于"}, {0x003E, "大于"}, {0x003F, "？"}, {0x0040, "at"},
	{0x005B, "（"}, {0x005C, ""}, {0x005D, "）"}, {0x005E, ""}, {0x005F, ""},
	{0x0060, ""}, {0x007B, "（"}, {0x007C, ""}, {0x007D, "）"}, {0x007E, ""},
	{0x00A3, "英镑"}, {0x00A5, "元"}, {0x00A7, ""}, {0x00A9, ""}, {0x00AB, "《"},
	{0x00AE, ""}, {0x00B0, "度"}, {0x00B1, "正负"}, {0x00B7, ""}, {0x00BB, "》"},
	{0x00D7, "乘"}, {0x00F7, "除以"},
	{0x0394, "德尔塔"}, {0x03A3, "西格玛"}, {0x03A9, "欧米伽"}, {0x03B1, "阿尔法"},
	{0x03B2, "贝塔"}, {0x03B3, "伽马"}, {0x03B4, "德尔塔"}, {0x03B5, "艾普西隆"},
	{0x03B8, "西塔"}, {0x03BB, "兰布达"}, {0x03BC, "缪"}, {0x03C0, "派"},
	{0x03C3, "西格玛"}, {0x03C9, "欧米伽"},
	{0x2010, ""}, {0x2011, ""}, {0x2012, "—"}, {0x2013, "—"}, {0x2014, "—"},
	{0x2015, "—"}, {0x2016, ""}, {0x2018, "‘"}, {0x2019, "’"}, {0x201C, "“"},
	{0x201D, "”"}, {0x2022, ""}, {0x2025, "…"}, {0x2026, "…"}, {0x2027, ""},
	{0x2030, "千分号"}, {0x2032, "分"}, {0x2033, "秒"}, {0x203B, ""}, {0x20AC, "欧元"},
	{0x2103, "摄氏度"}, {0x2109, "华氏度"}, {0x2116, "第"}, {0x2122, ""},
	{0x2190, ""}, {0x2191, ""}, {0x2192, ""}, {0x2193, ""}, {0x2212, "负"},
	{0x221A, ""}, {0x221E, "无穷大"}, {0x2236, "比"}, {0x2248, "约等于"},
	{0x2260, "不等于"}, {0x2264, "小于等于"}, {0x2265, "大于等于"}, {0x2500, ""},
	{0x2501, ""}, {0x2550, ""}, {0x25A0, ""}, {0x25A1, ""}, {0x25B2, ""}, {0x25B3, ""},
	{0x25B6, ""}, {0x25BA, ""}, {0x25C6, ""}, {0x25C7, ""}, {0x25CB, "零"}, {0x25CE, ""},
	{0x25CF, ""}, {0x2605, ""}, {0x2606, ""}, {0x2713, ""}, {0x2714, ""},
	{0x3000, " "}, {0x3001, "、"}, {0x3002, "。"}, {0x3007, "零"}, {0x3008, "《"},
	{0x3009, "》"}, {0x300A, "《"}, {0x300B, "》"}, {0x300C, "“"}, {0x300D, "”"},
	{0x300E, "‘"}, {0x300F, "’"}, {0x3010, "（"}, {0x3011, "）"}, {0x3013, ""},
	{0x3014, "（"}, {0x3015, "）"}, {0x3016, "（"}, {0x3017, "）"}, {0x301C, ""},
	{0x301D, "“"}, {0x301E, "”"}, {0x301F, "”"}, {0x30FB, ""},
	{0xFE30, "："}, {0xFE31, "—"}, {0xFE4F, ""}, {0xFE50, "，"}, {0xFE51, "、"},
	{0xFE52, "。"}, {0xFE54, "；"}, {0xFE55, "："}, {0xFE56, "？"}, {0xFE57, "！"},
	{0xFF01, "！"}, {0xFF08, "（"}, {0xFF09, "）"}, {0xFF0C, "，"}, {0xFF1A, "："},
	{0xFF1B, "；"}, {0xFF1F, "？"}, {0xFF5F, "（"}, {0xFF60, "）"}, {0xFF61, "。"},
	{0xFF62, "“"}, {0xFF63, "”"}, {0xFF64, "、"}, {0xFFE0, ""}, {0xFFE1, "英镑"},
	{0xFFE5, "元"},
};
const size_t symbols_n = sizeof symbols / sizeof symbols[0];

static int symbol_cmp(const void *key, const void *item)
{
	uint32_t cp = *(const uint32_t *)key, other = ((const struct symbol *)item)->cp;
	return cp < other ? -1 : cp > other;
}

const struct symbol *symbol_find(uint32_t cp)
{
	return bsearch(&cp, symbols, symbols_n, sizeof symbols[0], symbol_cmp);
}
