/* Time per stage for one article: bench_stages ARTICLE OUT.wav [REPEAT].
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bobao.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct bb_error *err)
{
	fprintf(stderr, "bench_stages: %s: %s\n", what, err->msg);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench_stages ARTICLE OUT.wav [REPEAT]\n");
		return 64;
	}
	int repeat = argc > 3 ? atoi(argv[3]) : 20;
	struct bb_error err = {0};
	struct bb_voice voice;
	if (bb_voice_load(&voice, "news", &err))
		die("voice", &err);
	FILE *f = fopen(argv[1], "rb");
	if (!f)
		return 66;
	static char bytes[1 << 24];
	size_t n = fread(bytes, 1, sizeof bytes, f);
	fclose(f);

	double t0 = now();
	struct bb_lexicon *lex = NULL;
	if (bb_lexicon_open(&lex, NULL, &err))
		die("lexicon", &err);
	double t_lex = now() - t0;

	double t_decode = 0, t_article = 0, t_normalize = 0, t_split = 0, t_pronounce = 0;
	struct bb_article art = {0};
	struct bb_script sc = {0};
	for (int r = 0; r < repeat; r++) {
		bb_script_free(&sc);
		bb_article_free(&art);
		struct bb_text text = {0};
		t0 = now();
		if (bb_decode(bytes, n, NULL, &text, NULL, &err))
			die("decode", &err);
		t_decode += now() - t0;
		t0 = now();
		if (bb_article_parse(&art, &text, argv[1], &err))
			die("article", &err);
		t_article += now() - t0;
		sc.article = &art;
		for (size_t b = 0; b < art.nblocks; b++) {
			if (art.blocks[b].kind == BB_CAPTION)
				continue;
			struct bb_text folded = {0}, spoken = {0};
			bb_text_track(&folded);
			bb_text_track(&spoken);
			t0 = now();
			if (bb_block_text(&art, b, &folded))
				die("article", &err);
			t_article += now() - t0;
			t0 = now();
			if (bb_normalize(&folded, &spoken, &err))
				die("normalize", &err);
			t_normalize += now() - t0;
			bb_text_free(&folded);
			size_t first = sc.n;
			t0 = now();
			if (bb_split(&spoken, art.blocks[b].kind, art.blocks[b].paragraph, &sc.sentences,
				     &sc.n, &sc.cap, &err))
				die("split", &err);
			t_split += now() - t0;
			bb_text_free(&spoken);
			t0 = now();
			for (size_t i = first; i < sc.n; i++)
				if (bb_pronounce(&sc.sentences[i], lex, &err))
					die("pronounce", &err);
			t_pronounce += now() - t0;
		}
	}
	/* synth and assemble, once: eSpeak dominates, the assembler is measured beside it */
	struct bb_synth *sy = NULL;
	if (bb_synth_open(&sy, &voice, &err))
		die("synth", &err);
	struct bb_output out = {.path = argv[2]};
	struct bb_assembler *as = NULL;
	if (bb_assemble_open(&as, &out, &voice, &sc, NULL, &err))
		die("assemble", &err);
	struct bb_pcm pcm = {0};
	double t_synth = 0, t_assemble = 0, audio = 0;
	double cpu_all = cpu(CLOCK_PROCESS_CPUTIME_ID), cpu_main = cpu(CLOCK_THREAD_CPUTIME_ID);
	for (size_t i = 0; i < sc.n; i++) {
		pcm.n = 0;
		t0 = now();
		if (bb_synth_sentence(sy, &sc.sentences[i], &pcm, &err))
			die("synth", &err);
		t_synth += now() - t0;
		audio += (double)pcm.n / pcm.rate;
		t0 = now();
		if (bb_assemble_add(as, i, pcm.samples, pcm.n, pcm.rate, bb_script_pause_ms(&sc, i, &voice),
				    &err))
			die("assemble", &err);
		t_assemble += now() - t0;
	}
	t0 = now();
	if (bb_assemble_finish(as, &err))
		die("assemble", &err);
	t_assemble += now() - t0;
	/* the assembler's worker thread (trim, meter, resample) runs beside eSpeak: its CPU
	 * time is the process's less this thread's */
	double t_worker = (cpu(CLOCK_PROCESS_CPUTIME_ID) - cpu_all) -
			  (cpu(CLOCK_THREAD_CPUTIME_ID) - cpu_main);
	bb_assemble_close(as);

	printf("stage        ms per article\n");
	printf("lexicon load %9.3f\n", t_lex * 1e3);
	printf("decode       %9.3f\n", t_decode * 1e3 / repeat);
	printf("article      %9.3f\n", t_article * 1e3 / repeat);
	printf("normalize    %9.3f\n", t_normalize * 1e3 / repeat);
	printf("split        %9.3f\n", t_split * 1e3 / repeat);
	printf("pronounce    %9.3f\n", t_pronounce * 1e3 / repeat);
	printf("synth        %9.3f  (%.0f s of speech)\n", t_synth * 1e3, audio);
	printf("assemble     %9.3f  (and %.3f ms CPU in its worker thread: %.0f%% of synth)\n",
	       t_assemble * 1e3, t_worker * 1e3, 100 * t_worker / t_synth);
	bb_pcm_free(&pcm);
	bb_synth_close(sy);
	bb_script_free(&sc);
	bb_article_free(&art);
	bb_lexicon_close(lex);
	return 0;
}
