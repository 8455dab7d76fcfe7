/* Tables for normalize.c: units, measure words, currencies, symbols and context words.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* An entry with its length counted by the compiler. */
#define U(text, reading, flags) {text, reading, flags, sizeof text - 1}
#define TABLE(var, label, arr) \
	static struct unit_index var##_index; \
	const struct unit_table var = {label, arr, sizeof arr / sizeof arr[0], &var##_index}

/* Written after a number (5km, 38℃, 120m²); longest match wins. */
static const struct unit after[] = {
	U("km/h", "公里每小时", UNIT_LIANG | UNIT_WORD),
	U("KM/H", "公里每小时", UNIT_LIANG | UNIT_WORD),
	U("km/s", "公里每秒", UNIT_LIANG | UNIT_WORD),
	U("m/s", "米每秒", UNIT_LIANG | UNIT_WORD),
	U("kg/m³", "公斤每立方米", UNIT_LIANG),
	U("μg/m³", "微克每立方米", UNIT_LIANG),
	U("µg/m³", "微克每立方米", UNIT_LIANG),
	U("ug/m3", "微克每立方米", UNIT_LIANG | UNIT_WORD),
	U("μg/m3", "微克每立方米", UNIT_LIANG | UNIT_WORD),
	U("mg/m³", "毫克每立方米", UNIT_LIANG),
	U("mg/L", "毫克每升", UNIT_LIANG | UNIT_WORD),
	U("mmol/L", "毫摩尔每升", UNIT_LIANG | UNIT_WORD),
	U("mol/L", "摩尔每升", UNIT_LIANG | UNIT_WORD),
	U("g/L", "克每升", UNIT_LIANG | UNIT_WORD),
	U("km²", "平方公里", UNIT_LIANG),
	U("km2", "平方公里", UNIT_LIANG | UNIT_WORD),
	U("m²", "平方米", UNIT_LIANG),
	U("m2", "平方米", UNIT_LIANG | UNIT_WORD),
	U("cm²", "平方厘米", UNIT_LIANG),
	U("m³", "立方米", UNIT_LIANG),
	U("m3", "立方米", UNIT_LIANG | UNIT_WORD),
	U("cm³", "立方厘米", UNIT_LIANG),
	U("km", "公里", UNIT_LIANG | UNIT_WORD),
	U("KM", "公里", UNIT_LIANG | UNIT_WORD),
	U("Km", "公里", UNIT_LIANG | UNIT_WORD),
	U("m", "米", UNIT_LIANG | UNIT_WORD),
	U("cm", "厘米", UNIT_LIANG | UNIT_WORD),
	U("mm", "毫米", UNIT_LIANG | UNIT_WORD),
	U("nm", "纳米", UNIT_LIANG | UNIT_WORD),
	U("μm", "微米", UNIT_LIANG | UNIT_WORD),
	U("µm", "微米", UNIT_LIANG | UNIT_WORD),
	U("kg", "公斤", UNIT_LIANG | UNIT_WORD),
	U("KG", "公斤", UNIT_LIANG | UNIT_WORD),
	U("Kg", "公斤", UNIT_LIANG | UNIT_WORD),
	U("g", "克", UNIT_LIANG | UNIT_WORD),
	U("mg", "毫克", UNIT_LIANG | UNIT_WORD),
	U("μg", "微克", UNIT_LIANG | UNIT_WORD),
	U("µg", "微克", UNIT_LIANG | UNIT_WORD),
	U("t", "吨", UNIT_LIANG | UNIT_WORD),
	U("L", "升", UNIT_LIANG | UNIT_WORD),
	U("ml", "毫升", UNIT_LIANG | UNIT_WORD),
	U("mL", "毫升", UNIT_LIANG | UNIT_WORD),
	U("ha", "公顷", UNIT_LIANG | UNIT_WORD),
	U("kW", "千瓦", UNIT_LIANG | UNIT_WORD),
	U("KW", "千瓦", UNIT_LIANG | UNIT_WORD),
	U("kw", "千瓦", UNIT_LIANG | UNIT_WORD),
	U("kWh", "千瓦时", UNIT_LIANG | UNIT_WORD),
	U("kW·h", "千瓦时", UNIT_LIANG | UNIT_WORD),
	U("KWh", "千瓦时", UNIT_LIANG | UNIT_WORD),
	U("kwh", "千瓦时", UNIT_LIANG | UNIT_WORD),
	U("Wh", "瓦时", UNIT_LIANG | UNIT_WORD),
	U("MW", "兆瓦", UNIT_LIANG | UNIT_WORD),
	U("MWh", "兆瓦时", UNIT_LIANG | UNIT_WORD),
	U("GW", "吉瓦", UNIT_LIANG | UNIT_WORD),
	U("GWh", "吉瓦时", UNIT_LIANG | UNIT_WORD),
	U("W", "瓦", UNIT_LIANG | UNIT_WORD),
	U("kV", "千伏", UNIT_LIANG | UNIT_WORD),
	U("kv", "千伏", UNIT_LIANG | UNIT_WORD),
	U("V", "伏", UNIT_LIANG | UNIT_WORD),
	U("mAh", "毫安时", UNIT_LIANG | UNIT_WORD),
	U("Hz", "赫兹", UNIT_LIANG | UNIT_WORD),
	U("kHz", "千赫兹", UNIT_LIANG | UNIT_WORD),
	U("MHz", "兆赫兹", UNIT_LIANG | UNIT_WORD),
	U("GHz", "吉赫兹", UNIT_LIANG | UNIT_WORD),
	U("kPa", "千帕", UNIT_LIANG | UNIT_WORD),
	U("MPa", "兆帕", UNIT_LIANG | UNIT_WORD),
	U("hPa", "百帕", UNIT_LIANG | UNIT_WORD),
	U("Pa", "帕", UNIT_LIANG | UNIT_WORD),
	U("dB", "分贝", UNIT_LIANG | UNIT_WORD),
	U("kcal", "千卡", UNIT_LIANG | UNIT_WORD),
	U("h", "小时", UNIT_LIANG | UNIT_WORD),
	U("min", "分钟", UNIT_LIANG | UNIT_WORD),
	U("s", "秒", UNIT_LIANG | UNIT_WORD),
	U("ms", "毫秒", UNIT_LIANG | UNIT_WORD),
	U("mph", "英里每小时", UNIT_LIANG | UNIT_WORD),
	U("ppm", "ppm", UNIT_WORD),
	U("w", "万", UNIT_LIANG | UNIT_WORD),
	U("RMB", "元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("CNY", "元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("USD", "美元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("HKD", "港元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("EUR", "欧元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("JPY", "日元", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("GBP", "英镑", UNIT_LIANG | UNIT_WORD | UNIT_MONEY),
	U("℃", "摄氏度", UNIT_TEMP),
	U("°C", "摄氏度", UNIT_TEMP),
	U("° C", "摄氏度", UNIT_TEMP),
	U("ºC", "摄氏度", UNIT_TEMP),
	U("℉", "华氏度", UNIT_TEMP),
	U("°F", "华氏度", UNIT_TEMP),
	U("°", "度", UNIT_TEMP),
	U("㎡", "平方米", UNIT_LIANG),
	U("㎢", "平方公里", UNIT_LIANG),
	U("㎞", "公里", UNIT_LIANG),
	U("㎏", "公斤", UNIT_LIANG),
	U("㎎", "毫克", UNIT_LIANG),
	U("㎝", "厘米", UNIT_LIANG),
	U("㎜", "毫米", UNIT_LIANG),
	U("㎥", "立方米", UNIT_LIANG),
	U("㏄", "毫升", UNIT_LIANG),
	U("′", "分", 0),
	U("″", "秒", 0),
};
TABLE(units_after, "after", after);

/* Measure words and units written in hanzi: the number 2 before them reads 两. */
static const struct unit measure[] = {
	U("个", "", 0), U("位", "", 0), U("名", "", 0), U("人", "", 0), U("口", "", 0),
	U("户", "", 0), U("家", "", 0), U("只", "", 0), U("条", "", 0), U("件", "", 0),
	U("次", "", 0), U("场", "", 0), U("轮", "", 0), U("届", "", 0), U("年", "", 0),
	U("天", "", 0), U("周", "", 0), U("星期", "", 0), U("小时", "", 0), U("分钟", "", 0),
	U("秒", "", 0), U("岁", "", 0), U("倍", "", 0), U("成", "", 0), U("台", "", 0),
	U("辆", "", 0), U("架", "", 0), U("艘", "", 0), U("列", "", 0), U("所", "", 0),
	U("座", "", 0), U("栋", "", 0), U("幢", "", 0), U("套", "", 0), U("间", "", 0),
	U("项", "", 0), U("种", "", 0), U("类", "", 0), U("批", "", 0), U("部", "", 0),
	U("本", "", 0), U("张", "", 0), U("份", "", 0), U("篇", "", 0), U("句", "", 0),
	U("块", "", 0), U("片", "", 0), U("支", "", 0), U("把", "", 0), U("根", "", 0),
	U("头", "", 0), U("匹", "", 0), U("棵", "", 0), U("颗", "", 0), U("粒", "", 0),
	U("笔", "", 0), U("处", "", 0), U("起", "", 0), U("例", "", 0), U("款", "", 0),
	U("组", "", 0), U("队", "", 0), U("方", "", 0), U("国", "", 0), U("省", "", 0),
	U("市", "", 0), U("县", "", 0), U("岸", "", 0), U("地", "", 0),
	U("大", "", 0), U("点", "", 0), U("趟", "", 0), U("遍", "", 0), U("回", "", 0),
	U("下", "", 0), U("声", "", 0), U("样", "", 0), U("层", "", 0), U("步", "", 0),
	U("面", "", 0), U("侧", "", 0), U("端", "", 0), U("只", "", 0), U("双", "", 0),
	U("对", "", 0), U("股", "", 0), U("道", "", 0), U("门", "", 0), U("份", "", 0),
	U("元", "", 0), U("块钱", "", 0), U("毛", "", 0), U("角", "", 0), U("美元", "", 0),
	U("欧元", "", 0), U("英镑", "", 0), U("港元", "", 0), U("日元", "", 0),
	U("米", "", 0), U("公里", "", 0), U("千米", "", 0), U("厘米", "", 0), U("毫米", "", 0),
	U("里", "", 0), U("公斤", "", 0), U("千克", "", 0), U("克", "", 0), U("斤", "", 0),
	U("吨", "", 0), U("亩", "", 0), U("公顷", "", 0), U("平方", "", 0), U("立方", "", 0),
	U("升", "", 0), U("千瓦", "", 0), U("度", "", 0), U("百", "", 0), U("千", "", 0),
	U("万", "", 0), U("亿", "", 0), U("分", "", 0), U("折", "", 0), U("码", "", 0),
	U("枚", "", 0), U("碗", "", 0), U("杯", "", 0), U("瓶", "", 0), U("箱", "", 0),
	U("袋", "", 0), U("盒", "", 0), U("包", "", 0), U("节", "", 0), U("集", "", 0),
	U("微克", "", 0), U("毫克", "", 0), U("纳米", "", 0), U("微米", "", 0), U("毫升", "", 0),
	U("千瓦时", "", 0), U("兆瓦", "", 0), U("千伏", "", 0), U("分贝", "", 0), U("赫兹", "", 0),
	U("摄氏度", "", 0), U("毫安", "", 0), U("海里", "", 0), U("英里", "", 0), U("英尺", "", 0),
	U("英寸", "", 0), U("毫摩尔", "", 0), U("千卡", "", 0), U("卡路里", "", 0),
	/* Taiwan and Hong Kong units and more measure words */
	U("公尺", "", 0), U("公分", "", 0), U("公克", "", 0), U("公升", "", 0),
	U("坪", "", 0), U("注", "", 0), U("票", "", 0), U("剂", "", 0), U("代", "", 0),
	U("局", "", 0), U("盘", "", 0), U("针", "", 0), U("顿", "", 0), U("剂次", "", 0),
	U("奈米", "", 0),
	/* casualties and streaks: 2死3伤 两死三伤, 2连胜 两连胜 */
	U("死", "", 0), U("伤", "", 0), U("连胜", "", 0), U("连败", "", 0), U("连负", "", 0),
	U("连平", "", 0), U("连冠", "", 0), U("连涨", "", 0), U("连跌", "", 0), U("连阳", "", 0),
	U("连阴", "", 0), U("连板", "", 0),
	U("瓦", "", 0), U("伏", "", 0), U("核", "", 0), U("像素", "", 0), U("帧", "", 0),
	U("寸", "", 0), U("尺", "", 0), U("GB", "", 0), U("TB", "", 0), U("MB", "", 0),
	U("PB", "", 0), U("兆", "", 0), U("席", "", 0), U("则", "", 0),
};
TABLE(units_measure, "measure", measure);

/* Currency signs and codes before a number: ¥48 四十八元, $300万 三百万美元. */
static const struct unit money[] = {
	U("HK$", "港元", 0), U("US$", "美元", 0), U("A$", "澳元", 0), U("AU$", "澳元", 0),
	U("NT$", "新台币", 0), U("S$", "新加坡元", 0), U("C$", "加元", 0), U("$", "美元", 0),
	U("¥", "元", 0), U("￥", "元", 0), U("€", "欧元", 0), U("£", "英镑", 0), U("￡", "英镑", 0),
	U("₩", "韩元", 0), U("₹", "卢比", 0), U("₽", "卢布", 0),
	U("RMB", "元", UNIT_WORD), U("CNY", "元", UNIT_WORD), U("USD", "美元", UNIT_WORD),
	U("HKD", "港元", UNIT_WORD), U("EUR", "欧元", UNIT_WORD), U("JPY", "日元", UNIT_WORD),
	U("GBP", "英镑", UNIT_WORD), U("AUD", "澳元", UNIT_WORD),
};
TABLE(units_money, "money", money);

/* Currency words that may already follow a number written with a sign. */
static const struct unit money_word[] = {
	U("元", "", 0), U("美元", "", 0), U("港元", "", 0), U("港币", "", 0), U("欧元", "", 0),
	U("英镑", "", 0), U("日元", "", 0), U("澳元", "", 0), U("人民币", "", 0), U("块", "", 0),
};
TABLE(units_money_word, "money_word", money_word);

/* Four digits before these are a year, read digit by digit. */
static const struct unit year[] = {
	U("年", "", 0), U("赛季", "", 0), U("财年", "", 0), U("学年", "", 0), U("年度", "", 0),
	U("届", "", 0), U("级", "", 0), U("款", "", 0), U("版", "", 0),
};
TABLE(units_year, "year", year);

/* Words before a number that make it a phone number or a code, read digit by digit. */
static const struct unit phone_before[] = {
	U("拨打", "", 0), U("电话", "", 0), U("热线", "", 0), U("手机", "", 0), U("手机号", "", 0),
	U("邮编", "", 0), U("邮政编码", "", 0), U("尾号", "", 0), U("号码", "", 0), U("致电", "", 0),
	U("传真", "", 0), U("客服", "", 0), U("短信", "", 0), U("QQ", "", 0), U("微信", "", 0),
	U("账号", "", 0), U("帐号", "", 0), U("卡号", "", 0), U("证号", "", 0), U("工号", "", 0),
	U("学号", "", 0), U("代码", "", 0), U("编号", "", 0), U("单号", "", 0), U("验证码", "", 0),
	U("车次", "", 0), U("航班", "", 0), U("报警", "", 0), U("急救", "", 0), U("打", "", 0),
	U("拨", "", 0), U("呼叫", "", 0), U("Tel", "", 0), U("TEL", "", 0), U("tel", "", 0),
	U("联系方式", "", 0), U("身份证", "", 0), U("房间", "", 0), U("ISBN", "", 0),
	U("ISSN", "", 0), U("书号", "", 0), U("订单号", "", 0), U("车牌号", "", 0),
	U("邮递区号", "", 0), U("区号", "", 0), U("简讯", "", 0), U("身分证", "", 0),
	U("专线", "", 0), U("电邮", "", 0), U("来电", "", 0), U("联络电话", "", 0),
};
TABLE(units_phone_before, "phone_before", phone_before);

/* Words before a number of three or more digits that make it a phone number even when a
 * measure word seems to follow (拨打1999市民热线: 市 is no measure word there). */
static const struct unit phone_strong[] = {
	U("拨打", "", 0), U("致电", "", 0), U("热线", "", 0), U("专线", "", 0), U("手机", "", 0),
	U("电话", "", 0), U("拨", "", 0), U("呼叫", "", 0), U("来电", "", 0),
};
TABLE(units_phone_strong, "phone_strong", phone_strong);

static const struct unit phone_after[] = {
	U("热线", "", 0), U("打电话", "", 0), U("打个电话", "", 0), U("电话", "", 0),
	U("服务热线", "", 0), U("平台", "", 0), U("网站", "", 0), U("客服", "", 0),
	U("报警", "", 0), U("急救", "", 0), U("求助", "", 0), U("次列车", "", 0),
	U("室", "", 0), U("房间", "", 0), U("号房", "", 0), /* 301室: room numbers */
};
TABLE(units_phone_after, "phone_after", phone_after);

/* Service numbers read digit by digit even without a context word (unless a unit follows). */
static const struct unit service[] = {
	U("110", "", 0), U("119", "", 0), U("120", "", 0), U("122", "", 0), U("114", "", 0),
	U("12345", "", 0), U("12306", "", 0), U("12315", "", 0), U("12348", "", 0),
	U("12369", "", 0), U("12333", "", 0), U("12320", "", 0), U("12358", "", 0),
	U("12365", "", 0), U("12366", "", 0), U("12380", "", 0), U("12388", "", 0),
	U("12110", "", 0), U("12121", "", 0), U("12122", "", 0), U("95588", "", 0),
	U("95533", "", 0), U("95599", "", 0), U("95566", "", 0), U("95555", "", 0),
	U("10086", "", 0),
};
TABLE(units_service, "service", service);

/* Words that make N:M or N-M a score (3:1 三比一). */
static const struct unit score_before[] = {
	U("比分", "", 0), U("以", "", 0), U("战胜", "", 0), U("击败", "", 0), U("负于", "", 0),
	U("爆冷", "", 0), U("战平", "", 0), U("打平", "", 0), U("逆转", "", 0), U("比", "", 0),
	U("大胜", "", 0), U("险胜", "", 0), U("力克", "", 0), U("总比分", "", 0), U("比赛", "", 0),
	U("投票", "", 0), U("票数", "", 0), U("表决", "", 0),
};
TABLE(units_score_before, "score_before", score_before);

static const struct unit score_after[] = {
	U("战胜", "", 0), U("击败", "", 0), U("获胜", "", 0), U("取胜", "", 0), U("胜出", "", 0),
	U("告负", "", 0), U("落败", "", 0), U("负于", "", 0), U("力克", "", 0), U("险胜", "", 0),
	U("大胜", "", 0), U("逆转", "", 0), U("战平", "", 0), U("打平", "", 0), U("击退", "", 0),
	U("胜", "", 0), U("负", "", 0), U("平", "", 0), U("的比分", "", 0), U("比分", "", 0),
	U("横扫", "", 0), U("淘汰", "", 0), U("赢", "", 0), U("输", "", 0),
	/* a ratio named after it: 按1:20的师生比 一比二十 */
	U("的比例", "", 0), U("比例", "", 0), U("的师生比", "", 0), U("师生比", "", 0),
	U("的配比", "", 0), U("配比", "", 0), U("的比值", "", 0),
};
TABLE(units_score_after, "score_after", score_after);

/* Before these a number is an ordinal: never 两. */
static const struct unit ordinal_before[] = {
	U("第", "", 0), U("初", "", 0), U("周", "", 0), U("星期", "", 0), U("礼拜", "", 0),
	U("No.", "", 0), U("NO.", "", 0), U("№", "", 0), U("#", "", 0),
};
TABLE(units_ordinal_before, "ordinal_before", ordinal_before);

/* After a time: a.m. / p.m. read before it. */
static const struct unit latin_words[] = {
	U("a.m.", "上午", 0), U("A.M.", "上午", 0), U("am", "上午", UNIT_WORD),
	U("AM", "上午", UNIT_WORD), U("p.m.", "下午", 0), U("P.M.", "下午", 0),
	U("pm", "下午", UNIT_WORD), U("PM", "下午", UNIT_WORD),
};
TABLE(units_latin_words, "latin_words", latin_words);

/* Words before H:MM that make it a time rather than a score. */
static const struct unit time_before[] = {
	U("时间", "", 0), U("于", "", 0), U("上午", "", 0), U("下午", "", 0), U("晚上", "", 0),
	U("早上", "", 0), U("凌晨", "", 0), U("中午", "", 0), U("傍晚", "", 0), U("晚", "", 0),
	U("早", "", 0), U("截至", "", 0), U("从", "", 0), U("当天", "", 0), U("今天", "", 0),
	U("明天", "", 0), U("昨天", "", 0), U("今晚", "", 0), U("日", "", 0), U("号", "", 0),
};
TABLE(units_time_before, "time_before", time_before);

static const struct unit time_after[] = {
	U("开始", "", 0), U("开幕", "", 0), U("举行", "", 0), U("起", "", 0), U("出发", "", 0),
	U("开赛", "", 0), U("开球", "", 0), U("结束", "", 0), U("之前", "", 0), U("以前", "", 0),
	U("前", "", 0), U("左右", "", 0), U("许", "", 0), U("进行", "", 0), U("打响", "", 0),
	U("至", "", 0), U("到", "", 0), U("截止", "", 0),
};
TABLE(units_time_after, "time_after", time_after);

/* Names of models written name-number: 歼-20 歼二十 (the dash is no minus sign). */
static const struct unit model[] = {
	U("歼", "", 0), U("运", "", 0), U("轰", "", 0), U("直", "", 0), U("东风", "", 0),
	U("红旗", "", 0), U("鹰击", "", 0), U("霹雳", "", 0), U("长剑", "", 0), U("巨浪", "", 0),
	U("枭龙", "", 0), U("翼龙", "", 0), U("彩虹", "", 0),
	U("歼轰", "", 0), U("空警", "", 0), U("鲲龙", "", 0),
};
TABLE(units_model, "model", model);

/* Fixed expressions written with digits, read as a whole. */
static const struct unit fixed[] = {
	U("24/7", "二十四乘七", 0), U("9/11", "九一一", 0),
};
TABLE(units_fixed, "fixed", fixed);

/* After the second number these make N-M a range, never a score (比1—2月份 比一到二月份). */
static const struct unit range_after[] = {
	U("月", "", 0), U("日", "", 0), U("号", "", 0), U("年", "", 0), U("岁", "", 0),
	U("天", "", 0), U("周", "", 0), U("小时", "", 0), U("倍", "", 0), U("%", "", 0),
	U("％", "", 0), U("℃", "", 0), U("度", "", 0), U("万", "", 0), U("亿", "", 0),
	U("个", "", 0), U("元", "", 0), U("时", "", 0), U("点", "", 0),
};
TABLE(units_range_after, "range_after", range_after);

/* Written between numbers after these, a range mark reads 到 (10月5日—10日). */
static const struct unit range_unit[] = {
	U("日", "", 0), U("号", "", 0), U("月", "", 0), U("时", "", 0), U("点", "", 0),
	U("分", "", 0), U("岁", "", 0), U("天", "", 0), U("年", "", 0), U("元", "", 0),
	U("万", "", 0), U("亿", "", 0), U("℃", "", 0), U("%", "", 0), U("％", "", 0),
	U("万元", "", 0), U("亿元", "", 0),
};
TABLE(units_range_unit, "range_unit", range_unit);

/* Exchange suffixes of a stock code (600519.SH): the code reads digit by digit. */
static const struct unit exchange[] = {
	U(".SH", "点SH", UNIT_WORD), U(".SZ", "点SZ", UNIT_WORD), U(".HK", "点HK", UNIT_WORD),
	U(".BJ", "点BJ", UNIT_WORD), U(".SS", "点SS", UNIT_WORD), U(".TW", "点TW", UNIT_WORD),
	U(".sh", "点sh", UNIT_WORD), U(".sz", "点sz", UNIT_WORD), U(".hk", "点hk", UNIT_WORD),
};
TABLE(units_exchange, "exchange", exchange);

/* Units after N in 2米33 (a height or a distance in athletics): N, the unit, then two
 * digits read one by one (两米三三, 一米八五). */
static const struct unit split_unit[] = {
	U("米", "", 0), U("秒", "", 0),
};
TABLE(units_split_unit, "split_unit", split_unit);

/* Names before a number that is read digit by digit (波音737 波音七三七). */
static const struct unit digit_name[] = {
	U("波音", "", 0), U("空客", "", 0), U("麦道", "", 0), U("图-", "", 0), U("台北", "", 0),
};
TABLE(units_digit_name, "digit_name", digit_name);

/* After a clause-initial four-digit year with no 年, these show the number is a count or
 * an amount, not a year before a name (2024北京马拉松 二零二四北京马拉松). */
static const struct unit year_name_stop[] = {
	U("多", "", 0), U("余", "", 0), U("来", "", 0), U("几", "", 0), U("左右", "", 0),
	U("上下", "", 0), U("以上", "", 0), U("以下", "", 0), U("以内", "", 0), U("以外", "", 0),
	U("至", "", 0), U("到", "", 0), U("和", "", 0), U("或", "", 0), U("及", "", 0),
	U("与", "", 0), U("兆", "", 0), U("新台币", "", 0), U("韩元", "", 0), U("卢布", "", 0),
	U("卢比", "", 0), U("加元", "", 0), U("瑞郎", "", 0), U("澳元", "", 0), U("港币", "", 0),
	U("人民币", "", 0), U("年代", "", 0), U("后", "", 0), U("号", "", 0),
};
TABLE(units_year_name_stop, "year_name_stop", year_name_stop);

/* A win-loss tally: 2胜1负 两胜一负, but a score stays 二 (1-2负 一比二负). */
static const struct unit tally[] = {
	U("胜", "", 0), U("负", "", 0), U("平", "", 0), U("败", "", 0),
};
TABLE(units_tally, "tally", tally);

/* Road words before a kilometre post K1032 (read as a count: K一千零三十二). */
static const struct unit road[] = {
	U("高速", "", 0), U("国道", "", 0), U("省道", "", 0), U("公路", "", 0), U("桩号", "", 0),
	U("路段", "", 0), U("县道", "", 0),
};
TABLE(units_road, "road", road);

/* Basis points after a number: LPR-20个基点 reads LPR减二十个基点. */
static const struct unit basis[] = {
	U("个基点", "", 0), U("基点", "", 0), U("BP", "", UNIT_WORD), U("bp", "", UNIT_WORD),
	U("bps", "", UNIT_WORD), U("BPs", "", UNIT_WORD),
};
TABLE(units_basis, "basis", basis);

/* Words before H:MM:SS that make it a duration (用时2:08:35 两小时八分三十五秒). */
static const struct unit duration_before[] = {
	U("用时", "", 0), U("耗时", "", 0), U("成绩", "", 0), U("历时", "", 0), U("时长", "", 0),
	U("跑出", "", 0), U("以", "", 0), U("成绩为", "", 0), U("用了", "", 0), U("全程", "", 0),
};
TABLE(units_duration_before, "duration_before", duration_before);

/* After a date-like code these name an event: 9.11事件 九一一事件, 930新政 九三零新政. */
static const struct unit event_after[] = {
	U("事件", "", 0), U("新政", "", 0), U("回归", "", 0), U("事变", "", 0), U("惨案", "", 0),
	U("大地震", "", 0), U("讲话", "", 0),
};
TABLE(units_event_after, "event_after", event_after);

/* Names after a number that is read digit by digit (6688商城 六六八八商城). */
static const struct unit digit_name_after[] = {
	U("商城", "", 0), U("商行", "", 0), U("论坛", "", 0), U("商贸", "", 0),
};
TABLE(units_digit_name_after, "digit_name_after", digit_name_after);

/* Acronyms written in lower case that are spelled, not read as words (vip VIP). */
static const struct unit acronym_lower[] = {
	U("iq", "IQ", UNIT_WORD), U("eq", "EQ", UNIT_WORD), U("vip", "VIP", UNIT_WORD),
	U("ceo", "CEO", UNIT_WORD), U("gdp", "GDP", UNIT_WORD), U("cpi", "CPI", UNIT_WORD),
	U("ppi", "PPI", UNIT_WORD), U("atm", "ATM", UNIT_WORD), U("dna", "DNA", UNIT_WORD),
	U("pk", "PK", UNIT_WORD), U("kol", "KOL", UNIT_WORD), U("mba", "MBA", UNIT_WORD),
	U("nba", "NBA", UNIT_WORD), U("cba", "CBA", UNIT_WORD), U("pvc", "PVC", UNIT_WORD),
	U("suv", "SUV", UNIT_WORD), U("vr", "VR", UNIT_WORD),
	U("diy", "DIY", UNIT_WORD), U("ktv", "KTV", UNIT_WORD),
};
TABLE(units_acronym_lower, "acronym_lower", acronym_lower);

const struct unit_table *const unit_tables[] = {
	&units_range_after, &units_range_unit, &units_exchange, &units_split_unit, &units_digit_name,
	&units_after, &units_measure, &units_money, &units_money_word, &units_year,
	&units_phone_before, &units_phone_strong, &units_phone_after, &units_score_before, &units_score_after,
	&units_ordinal_before, &units_latin_words, &units_service, &units_fixed,
	&units_time_before, &units_time_after, &units_model, &units_year_name_stop, &units_basis,
	&units_road, &units_tally, &units_duration_before, &units_event_after,
	&units_digit_name_after, &units_acronym_lower,
};
const size_t unit_tables_n = sizeof unit_tables / sizeof unit_tables[0];

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* The first n (at most 4) bytes of s as one number, for quick compares. */
static uint32_t head4(const char *s, size_t n)
{
	uint32_t v = 0;
	for (size_t i = 0; i < n && i < 4; i++)
		v |= (uint32_t)(unsigned char)s[i] << (8 * i);
	return v;
}

/* Counting sort of each table's entries by their first byte. */
static void build_indexes(void)
{
	for (size_t k = 0; k < unit_tables_n; k++) {
		const struct unit_table *t = unit_tables[k];
		struct unit_index *x = t->index;
		unsigned short count[256] = {0};
		for (size_t i = 0; i < t->n && i < 256; i++)
			count[(unsigned char)t->items[i].text[0]]++;
		x->start[0] = 0;
		for (int c = 0; c < 256; c++)
			x->start[c + 1] = (unsigned short)(x->start[c] + count[c]);
		unsigned short fill[256];
		memcpy(fill, x->start, sizeof fill);
		for (size_t i = 0; i < t->n && i < 256; i++)
			x->order[fill[(unsigned char)t->items[i].text[0]]++] = (unsigned short)i;
		for (size_t k2 = 0; k2 < t->n && k2 < 256; k2++) {
			const struct unit *u = &t->items[x->order[k2]];
			size_t l = u->len < 4 ? u->len : 4;
			x->head[k2] = head4(u->text, l);
			x->mask[k2] = l == 4 ? 0xFFFFFFFFu : (1u << (8 * l)) - 1;
		}
	}
}

const struct unit *unit_prefix(const struct unit_table *t, const char *s, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const struct unit *best = NULL;
	size_t bestlen = 0;
	if (n == 0)
		return NULL;
	pthread_once(&once, build_indexes);
	const struct unit_index *x = t->index;
	unsigned char c0 = (unsigned char)s[0];
	uint32_t w = head4(s, n);
	for (size_t k = x->start[c0]; k < x->start[c0 + 1]; k++) {
		/* cheap rejects first: this runs many times after every number */
		if ((w ^ x->head[k]) & x->mask[k])
			continue;
		const struct unit *u = &t->items[x->order[k]];
		size_t l = u->len;
		if (l <= bestlen || l > n || (l > 4 && memcmp(s + 4, u->text + 4, l - 4) != 0))
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
	if (n == 0)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct unit *u = &t->items[i];
		size_t l = u->len;
		if (l <= bestlen || l > n || s[n - 1] != u->text[l - 1] ||
		    memcmp(s + n - l, u->text, l) != 0)
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
	{0x00BC, "四分之一"}, {0x00BD, "二分之一"}, {0x00BE, "四分之三"},
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
	{0x2153, "三分之一"}, {0x2154, "三分之二"}, {0x2155, "五分之一"}, {0x215B, "八分之一"},
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

/* Traditional characters -> simplified, for the characters the tables and the classifier
 * look at (個 个, 萬 万, 號 号, 點 点 ...), sorted by the traditional code point. The pairs
 * were listed with OpenCC's s2t, s2tw and s2hk conversions (OpenCC data: Apache-2.0), plus a
 * few variants (臺 台, 裡 里, 隻 只, 週 周). Every pair is in the Basic Multilingual Plane, so
 * both sides are three bytes of UTF-8. */
static const struct t2s_pair {
	uint16_t trad, simp;
} t2s_pairs[] = {
	{0x4F86, 0x6765}, {0x500B, 0x4E2A}, {0x5074, 0x4FA7}, {0x50B3, 0x4F20}, {0x50B7, 0x4F24}, {0x5104, 0x4EBF}, {0x5169, 0x4E24},
	{0x5247, 0x5219}, {0x5283, 0x5212}, {0x528D, 0x5251}, {0x5291, 0x5242}, {0x52D9, 0x52A1}, {0x52DD, 0x80DC}, {0x5340, 0x533A},
	{0x55AE, 0x5355}, {0x5678, 0x5428}, {0x570B, 0x56FD}, {0x5831, 0x62A5}, {0x5834, 0x573A}, {0x584A, 0x5757},
	{0x5B78, 0x5B66}, {0x5C08, 0x4E13}, {0x5C0D, 0x5BF9}, {0x5C46, 0x5C4A}, {0x5C64, 0x5C42}, {0x5E33, 0x5E10},
	{0x5E63, 0x5E01}, {0x5F35, 0x5F20}, {0x5F8C, 0x540E}, {0x5F9E, 0x4ECE}, {0x6230, 0x6218}, {0x6236, 0x6237},
	{0x6383, 0x626B}, {0x64A5, 0x62E8}, {0x64CA, 0x51FB}, {0x651D, 0x6444}, {0x6557, 0x8D25}, {0x6578, 0x6570},
	{0x65BC, 0x4E8E}, {0x6642, 0x65F6}, {0x66F8, 0x4E66}, {0x6771, 0x4E1C}, {0x689D, 0x6761}, {0x689F, 0x67AD},
	{0x68DF, 0x680B}, {0x69D3, 0x6760}, {0x6A23, 0x6837}, {0x6A5F, 0x673A}, {0x6A6B, 0x6A2A}, {0x6B50, 0x6B27},
	{0x6B72, 0x5C81}, {0x6BB2, 0x6B7C}, {0x6C7A, 0x51B3}, {0x6E1B, 0x51CF}, {0x6F32, 0x6DA8}, {0x70BA, 0x4E3A}, {0x7121, 0x65E0},
	{0x71B1, 0x70ED}, {0x7232, 0x4E3A}, {0x723E, 0x5C14}, {0x7372, 0x83B7}, {0x746A, 0x739B}, {0x755D, 0x4EA9},
	{0x7576, 0x5F53}, {0x767C, 0x53D1}, {0x76E4, 0x76D8}, {0x76E7, 0x5362}, {0x78BC, 0x7801}, {0x79AE, 0x793C},
	{0x7A2E, 0x79CD}, {0x7AAE, 0x7A77}, {0x7B46, 0x7B14}, {0x7BC0, 0x8282}, {0x7C21, 0x7B80}, {0x7D04, 0x7EA6},
	{0x7D05, 0x7EA2}, {0x7D0D, 0x7EB3}, {0x7D1A, 0x7EA7}, {0x7D44, 0x7EC4}, {0x7D50, 0x7ED3}, {0x7D61, 0x7EDC},
	{0x7DB2, 0x7F51}, {0x7DDA, 0x7EBF}, {0x7DE8, 0x7F16}, {0x7E23, 0x53BF}, {0x7E3D, 0x603B}, {0x7E46, 0x7F2A},
	{0x806F, 0x8054}, {0x8072, 0x58F0}, {0x81FA, 0x53F0}, {0x8209, 0x4E3E}, {0x8332, 0x5179}, {0x83EF, 0x534E},
	{0x842C, 0x4E07}, {0x862D, 0x5170}, {0x8655, 0x5904}, {0x865F, 0x53F7}, {0x88CF, 0x91CC}, {0x88E1, 0x91CC},
	{0x8A02, 0x8BA2}, {0x8A0A, 0x8BAF}, {0x8A31, 0x8BB8}, {0x8A71, 0x8BDD}, {0x8B49, 0x8BC1}, {0x8C9D, 0x8D1D},
	{0x8CA0, 0x8D1F}, {0x8CA1, 0x8D22}, {0x8CB4, 0x8D35}, {0x8CEC, 0x8D26}, {0x8CFD, 0x8D5B}, {0x8D0F, 0x8D62},
	{0x8ECA, 0x8F66}, {0x8F1B, 0x8F86}, {0x8F2A, 0x8F6E}, {0x8F38, 0x8F93}, {0x8F49, 0x8F6C}, {0x8F5F, 0x8F70},
	{0x9023, 0x8FDE}, {0x9031, 0x5468}, {0x9032, 0x8FDB}, {0x904B, 0x8FD0}, {0x9054, 0x8FBE}, {0x905E, 0x9012}, {0x90F5, 0x90AE},
	{0x91D0, 0x5398}, {0x91DD, 0x9488}, {0x9322, 0x94B1}, {0x937E, 0x949F}, {0x938A, 0x9551}, {0x9418, 0x949F},
	{0x9577, 0x957F}, {0x9580, 0x95E8}, {0x958B, 0x5F00}, {0x9593, 0x95F4}, {0x968A, 0x961F}, {0x96AA, 0x9669},
	{0x96BB, 0x53EA}, {0x96D9, 0x53CC}, {0x96FB, 0x7535}, {0x9742, 0x96F3}, {0x97D3, 0x97E9}, {0x97FF, 0x54CD},
	{0x9803, 0x9877}, {0x9805, 0x9879}, {0x9813, 0x987F}, {0x982D, 0x5934}, {0x9846, 0x9897}, {0x985E, 0x7C7B},
	{0x98A8, 0x98CE}, {0x9918, 0x4F59}, {0x99AC, 0x9A6C}, {0x9A57, 0x9A8C}, {0x9BE4, 0x9CB2}, {0x9DF9, 0x9E70},
	{0x9EDE, 0x70B9}, {0x9F8D, 0x9F99},
};

/* One bit per code point of U+4E00..U+9FFF: is it a key of t2s_pairs? */
#define T2S_FIRST 0x4E00u
#define T2S_LAST 0x9FFFu
static uint8_t t2s_bits[(T2S_LAST - T2S_FIRST + 1) / 8 + 1];

static void build_t2s(void)
{
	for (size_t k = 0; k < sizeof t2s_pairs / sizeof t2s_pairs[0]; k++) {
		uint32_t c = t2s_pairs[k].trad;
		if (c >= T2S_FIRST && c <= T2S_LAST)
			t2s_bits[(c - T2S_FIRST) / 8] |= (uint8_t)(1u << ((c - T2S_FIRST) % 8));
	}
}

static int t2s_pair_cmp(const void *key, const void *item)
{
	uint32_t cp = *(const uint32_t *)key, other = ((const struct t2s_pair *)item)->trad;
	return cp < other ? -1 : cp > other;
}

/* Reads the three-byte UTF-8 character at s (lead byte 0xE4..0xE9), or 0. */
static uint32_t cjk_at(const unsigned char *s)
{
	if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
		return 0;
	return ((uint32_t)(s[0] & 0x0F) << 12) | ((uint32_t)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
}

static int t2s_has(uint32_t c)
{
	return c >= T2S_FIRST && c <= T2S_LAST &&
	       (t2s_bits[(c - T2S_FIRST) / 8] >> ((c - T2S_FIRST) % 8) & 1);
}

int t2s_needed(const char *s, size_t n)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	const unsigned char *p = (const unsigned char *)s;
	pthread_once(&once, build_t2s);
	for (size_t i = 0; i + 2 < n; i++)
		if (p[i] >= 0xE4 && p[i] <= 0xE9 && t2s_has(cjk_at(p + i)))
			return 1;
	return 0;
}

void t2s_fold(char *s, size_t n)
{
	unsigned char *p = (unsigned char *)s;
	for (size_t i = 0; i + 2 < n; i++) {
		if (p[i] < 0xE4 || p[i] > 0xE9)
			continue;
		uint32_t c = cjk_at(p + i);
		if (!t2s_has(c))
			continue;
		const struct t2s_pair *q = bsearch(&c, t2s_pairs, sizeof t2s_pairs / sizeof t2s_pairs[0],
						   sizeof t2s_pairs[0], t2s_pair_cmp);
		uint32_t v = q->simp;
		p[i] = (unsigned char)(0xE0 | (v >> 12));
		p[i + 1] = (unsigned char)(0x80 | ((v >> 6) & 0x3F));
		p[i + 2] = (unsigned char)(0x80 | (v & 0x3F));
		i += 2;
	}
}
