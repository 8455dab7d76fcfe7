/* The registry of outputs (outputs.h) holds together: names unique, extensions their names,
 * audio with a libsndfile format, sidecars with a writer, and the lists speak and batch offer
 * and write. SPDX-License-Identifier: GPL-3.0-or-later */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "outputs.h"

static int passed, failed;

static void check(int ok, const char *what, const char *name)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL: %s: %s\n", name ? name : "(registry)", what);
}

static void check_str(const char *got, const char *want, const char *what)
{
	check(strcmp(got, want) == 0, what, got);
	if (strcmp(got, want) != 0)
		printf("      wanted %s\n", want);
}

int main(void)
{
	const struct bb_output_type *t, *u;
	char buf[128];
	size_t n = 0;
	for (size_t i = 0; (t = bb_output_at(i)) != NULL; i++, n++) {
		check(t->name && t->ext && t->ext[0] == '.' && strcmp(t->ext + 1, t->name) == 0,
		      "the extension is a dot and the name", t->name);
		for (size_t j = 0; (u = bb_output_at(j)) != NULL; j++)
			if (j != i)
				check(strcasecmp(t->name, u->name) != 0, "a name given twice", t->name);
		if (t->kind == BB_OUT_AUDIO)
			check(t->sf != 0 && !t->write && !(t->flags & BB_OUT_EVERY),
			      "audio: a libsndfile format, no writer, not a sidecar", t->name);
		else
			check(t->kind == BB_OUT_SIDECAR && t->write && !t->sf && !t->pcm16 &&
			      !(t->flags & BB_OUT_OFFERED), "sidecar: a writer, no libsndfile format",
			      t->name);
		check(bb_output_find(t->name, t->kind) == t, "found by its name", t->name);
	}
	check(n >= 11, "all of them listed", NULL);
	check(bb_output_find("MP3", BB_OUT_AUDIO) == bb_output_find("mp3", BB_OUT_AUDIO),
	      "case ignored", "MP3");
	check(!bb_output_find("json", BB_OUT_AUDIO) && !bb_output_find("wav", BB_OUT_SIDECAR) &&
	      !bb_output_find(NULL, BB_OUT_AUDIO) && !bb_output_find("aiff", BB_OUT_AUDIO),
	      "nothing found of the wrong kind or unknown", "json, wav, NULL, aiff");
	check(bb_output_find("oga", BB_OUT_AUDIO) != NULL, "oga written (from -o's extension)", "oga");

	/* what --format offers and the usage texts list, and what batch writes for every article */
	check_str(bb_output_names(BB_OUT_AUDIO, BB_OUT_OFFERED, "|", buf, sizeof buf),
		  "wav|flac|ogg|opus|mp3", "the offered audio formats");
	check_str(bb_output_names(BB_OUT_SIDECAR, BB_OUT_EVERY, ", ", buf, sizeof buf),
		  "json, vtt, srt", "the sidecars of every batch article");
	check_str(bb_output_names(BB_OUT_SIDECAR, 0, " ", buf, sizeof buf), "json vtt srt html epub",
		  "the sidecars");
	check_str(bb_output_names(BB_OUT_AUDIO, BB_OUT_OFFERED, "|", buf, 8), "wav|fla",
		  "cut to the buffer");

	FILE *f = tmpfile();
	if (f) {
		bb_output_usage(f, "a {audio} b {audio}\n");
		rewind(f);
		if (!fgets(buf, sizeof buf, f))
			buf[0] = '\0';
		fclose(f);
		check_str(buf, "a wav|flac|ogg|opus|mp3 b wav|flac|ogg|opus|mp3\n", "a usage text");
	}
	printf("outputs: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
