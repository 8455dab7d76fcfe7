/* Fuzz target: the voice preset parser (bb_voice_load) on an arbitrary .ini file, given to it
 * through a memory file. SPDX-License-Identifier: GPL-3.0-or-later */
#include "fuzz.h"

static int fuzz_voice(const uint8_t *data, size_t size)
{
	struct bb_voice v;
	struct bb_error err = {0};
	const char *path = fuzz_file(data, size);
	if (!path)
		return 0;
	if (bb_voice_load(&v, path, &err) != BB_OK) {
		FUZZ_CHECK(err.code == BB_ECONFIG && err.msg[0]);
		return 0;
	}
	/* what was accepted is within the ranges that `bobao voices` documents */
	FUZZ_CHECK(v.rate >= 80 && v.rate <= 450 && v.sample_rate >= 8000 &&
		   v.sample_rate <= 192000);
	FUZZ_CHECK(memchr(v.espeak_voice, 0, sizeof v.espeak_voice) &&
		   memchr(v.lexicon, 0, sizeof v.lexicon) && memchr(v.name, 0, sizeof v.name));
	return 0;
}

FUZZ_ENTRY(fuzz_voice)
