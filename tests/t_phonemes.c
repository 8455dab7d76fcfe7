/* End to end: the phonemes eSpeak makes from the pronounce stage's pinyin equal those of an
 * independently written reading of the same sentence. SPDX-License-Identifier: GPL-3.0-or-later */
#include <espeak-ng/speak_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"

static const struct {
	const char *sentence, *pinyin;
} cases[] = {
	{"银行业发展很快。", "yin2 hang2 ye4 fa1 zhan3 hen3 kuai4 。"},
	{"地球上的乐队还原了这首歌。", "di4 qiu2 shang4 de5 yue4 dui4 huan2 yuan2 le5 zhe4 shou3 ge1 。"},
	{"数据重复统计的问题，一定要解决。",
	 "shu4 ju4 chong2 fu4 tong3 ji4 de5 wen4 ti2 ， yi2 ding4 yao4 jie3 jue2 。"},
	{"他不是第一个来的。", "ta1 bu2 shi4 di4 yi1 ge5 lai2 de5 。"},
	{"累积降水量创新高。", "lei3 ji1 jiang4 shui3 liang4 chuang4 xin1 gao1 。"},
	{"这个孩子很调皮。", "zhe4 ge5 hai2 zi5 hen3 tiao2 pi2 。"},
	{"绿色发展，", "lv4 se4 fa1 zhan3 ，"},
};

/* The phonemes of text in the current voice, clauses joined by " | ". */
static void phonemes(const char *text, char *out, size_t size)
{
	const void *p = text;
	size_t len = 0;
	out[0] = '\0';
	while (p) {
		const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, 0);
		if (ph && len + 1 < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " | " : "", ph);
	}
}

/* The readings of the sentence's Chinese units, as synth.c joins them. */
static int stage_pinyin(const struct bb_lexicon *lex, const char *sentence, char *out, size_t size)
{
	struct bb_sentence s;
	struct bb_error err = {0};
	memset(&s, 0, sizeof s);
	s.spoken = (char *)sentence;
	if (bb_pronounce(&s, lex, &err) != BB_OK)
		return 0;
	size_t len = 0;
	out[0] = '\0';
	for (size_t i = 0; i < s.nunits; i++)
		if (s.units[i].lang != BB_EN && s.units[i].reading[0] && len + 1 < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s", len ? " " : "",
						s.units[i].reading);
	free(s.units);
	return 1;
}

int main(void)
{
	int passed = 0, failed = 0;
	struct bb_lexicon *lex;
	struct bb_error err = {0};
	if (bb_lexicon_open(&lex, NULL, &err) != BB_OK) {
		fprintf(stderr, "t_phonemes: %s\n", err.msg);
		printf("phonemes: 0 passed, 1 failed\n");
		return 1;
	}
	if (espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, 0) < 0 ||
	    espeak_SetVoiceByName("cmn-latn-pinyin") != EE_OK) {
		fprintf(stderr, "t_phonemes: eSpeak NG or its cmn-latn-pinyin voice is missing\n");
		printf("phonemes: 0 passed, 1 failed\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char pinyin[1024], got[4096], want[4096];
		if (!stage_pinyin(lex, cases[i].sentence, pinyin, sizeof pinyin)) {
			failed++;
			continue;
		}
		phonemes(pinyin, got, sizeof got);
		phonemes(cases[i].pinyin, want, sizeof want);
		if (strcmp(got, want) == 0) {
			passed++;
		} else {
			failed++;
			fprintf(stderr, "t_phonemes: %s\n  pinyin: %s\n  want: %s\n  got:  %s\n",
				cases[i].sentence, pinyin, want, got);
		}
	}
	espeak_Terminate();
	bb_lexicon_close(lex);
	printf("phonemes: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
