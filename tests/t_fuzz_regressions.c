/* Replays what the fuzzers found (tests/fuzz/regressions/TARGET/) and the seeds every target
 * starts from through the fuzz targets, built without libFuzzer: an input passes when it runs
 * without a sanitizer report or a failed check (which abort). SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_REPLAY
#include "fuzz/fuzz_decode.c"
#include "fuzz/fuzz_script.c"
#include "fuzz/fuzz_pronounce.c"
#include "fuzz/fuzz_voice.c"
#include "fuzz/fuzz_userlex.c"

static const struct {
	const char *name;
	int (*run)(const uint8_t *data, size_t size);
	const char *seeds[3]; /* a few real inputs, so the replay holds more than crash cases */
} targets[] = {
	{"decode", fuzz_decode, {"samples/nantong-kaifaqu-gb18030.txt", "samples/nantong-kaifaqu.txt"}},
	{"script", fuzz_script, {"samples/nantong-kaifaqu.txt"}},
	{"pronounce", fuzz_pronounce, {"samples/nantong-kaifaqu.spoken"}},
	{"voice", fuzz_voice, {"voices/news.ini", "voices/slow.ini"}},
	{"userlex", fuzz_userlex, {"tests/data/user.lex", "tests/data/bad_count.lex"}},
};

static int passed;

/* Runs one file through a target; a file that cannot be read is a failure. */
static int replay(int (*run)(const uint8_t *, size_t), const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		long size = ftell(f);
		rewind(f);
		buf = size >= 0 ? malloc((size_t)size + 1) : NULL;
		len = buf ? fread(buf, 1, (size_t)size, f) : 0;
		fclose(f);
	}
	if (!buf) {
		printf("FAIL: %s: cannot read\n", path);
		return 1;
	}
	run((const uint8_t *)buf, len);
	free(buf);
	passed++;
	return 0;
}

int main(void)
{
	int failed = 0;
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		for (size_t i = 0; i < 3 && targets[t].seeds[i]; i++)
			failed += replay(targets[t].run, targets[t].seeds[i]);
		char dir[256], path[512];
		snprintf(dir, sizeof dir, "tests/fuzz/regressions/%s", targets[t].name);
		DIR *d = opendir(dir);
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			failed += replay(targets[t].run, path);
		}
		if (d)
			closedir(d);
	}
	printf("fuzz regressions: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
