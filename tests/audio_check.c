/* audio_check: reads an audio file back and prints (and checks) its broadcast properties. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * usage: audio_check FILE [MANIFEST.json]
 * Prints key=value lines: rate, channels, frames, duration, integrated, true_peak, range
 * (libebur128, read back through libsndfile), bext fields, cue count; with a manifest, also
 * gaps_silent (every sample between one sentence's end and the next one's start is zero),
 * edges_sound (sound within 60 ms inside each sentence's start and end), manifest_sentences
 * and manifest_duration. Exit 0 when the file reads back, 1 otherwise.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ebur128.h>
#include <jansson.h>
#include <sndfile.h>

static float *read_all(const char *path, SF_INFO *info, SNDFILE **sfp)
{
	SNDFILE *sf = sf_open(path, SFM_READ, info);
	if (!sf) {
		fprintf(stderr, "audio_check: %s: %s\n", path, sf_strerror(NULL));
		return NULL;
	}
	/* frames may be unknown for compressed streams: read until the end */
	size_t cap = info->frames > 0 ? (size_t)info->frames * (size_t)info->channels : 1 << 20, n = 0;
	float *x = malloc(cap * sizeof *x);
	for (;;) {
		if (!x)
			return NULL;
		if (n == cap) {
			cap *= 2;
			float *y = realloc(x, cap * sizeof *x);
			if (!y) {
				free(x);
				return NULL;
			}
			x = y;
		}
		sf_count_t k = sf_read_float(sf, x + n, (sf_count_t)(cap - n));
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	info->frames = (sf_count_t)(n / (size_t)info->channels);
	*sfp = sf;
	return x;
}

static void print_bext(SNDFILE *sf)
{
	SF_BROADCAST_INFO bi;
	memset(&bi, 0, sizeof bi);
	if (sf_command(sf, SFC_GET_BROADCAST_INFO, &bi, sizeof bi) != SF_TRUE) {
		printf("bext=0\n");
		return;
	}
	printf("bext=1\n");
	printf("bext_description=%.256s\n", bi.description);
	int ascii = 1;
	for (size_t i = 0; i < sizeof bi.description && bi.description[i]; i++)
		ascii &= (unsigned char)bi.description[i] >= 0x20 && (unsigned char)bi.description[i] < 0x7F;
	printf("bext_description_ascii=%d\n", ascii);
	printf("bext_originator_reference=%.32s\n", bi.originator_reference);
	printf("bext_originator=%.32s\n", bi.originator);
	printf("bext_date=%.10s\n", bi.origination_date);
	printf("bext_time=%.8s\n", bi.origination_time);
	printf("bext_version=%d\n", bi.version);
	printf("bext_loudness=%.2f\n", bi.loudness_value / 100.0);
	printf("bext_range=%.2f\n", bi.loudness_range / 100.0);
	printf("bext_true_peak=%.2f\n", bi.max_true_peak_level / 100.0);
	printf("bext_coding_history_size=%u\n", bi.coding_history_size);
}

static void print_cues(SNDFILE *sf)
{
	uint32_t count = 0;
	if (sf_command(sf, SFC_GET_CUE_COUNT, &count, sizeof count) != SF_TRUE)
		count = 0;
	printf("cues=%u\n", count);
	if (!count)
		return;
	size_t sz = sizeof(uint32_t) * 2 + count * sizeof(SF_CUE_POINT);
	SF_CUES *c = calloc(1, sz > sizeof(SF_CUES) ? sz : sizeof(SF_CUES));
	if (c && sf_command(sf, SFC_GET_CUE, c, (int)(sz > sizeof(SF_CUES) ? sz : sizeof(SF_CUES))) == SF_TRUE)
	{
		const SF_CUE_POINT *last = &c->cue_points[count - 1 < c->cue_count ? count - 1 : 0];
		printf("cue_first=%u\ncue_last=%u\n", c->cue_points[0].sample_offset,
		       last->sample_offset);
		/* the labels (LIST/adtl labl), which libsndfile reads into the names */
		printf("cue_first_label=%.256s\ncue_last_label=%.256s\n", c->cue_points[0].name,
		       last->name);
	}
	free(c);
}

static void check_manifest(const char *path, const float *x, size_t frames, int rate)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root) {
		printf("manifest_error=%s:%d: %s\n", path, je.line, je.text);
		return;
	}
	json_t *list = json_object_get(root, "sentences");
	size_t n = json_array_size(list), bad_gaps = 0, bad_edges = 0, bad_order = 0;
	double prev_end = 0;
	size_t margin = (size_t)rate / 1000 + 1; /* times are rounded to the millisecond */
	size_t edge = (size_t)rate * 60 / 1000;
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(list, i);
		double st = json_number_value(json_object_get(s, "start"));
		double en = json_number_value(json_object_get(s, "end"));
		if (st < prev_end - 0.0005 || en < st)
			bad_order++;
		size_t a = (size_t)llround(prev_end * rate) + margin, b = (size_t)llround(st * rate);
		b = b > margin ? b - margin : 0;
		for (size_t k = a; k < b && k < frames; k++)
			if (x[k] != 0.0f) {
				bad_gaps++;
				break;
			}
		if (en > st) {
			size_t s0 = (size_t)llround(st * rate), e0 = (size_t)llround(en * rate);
			float m0 = 0, m1 = 0;
			for (size_t k = s0; k < s0 + edge && k < frames && k < e0; k++)
				m0 = fmaxf(m0, fabsf(x[k]));
			for (size_t k = e0 > edge ? e0 - edge : 0; k < e0 && k < frames; k++)
				m1 = fmaxf(m1, fabsf(x[k]));
			if (m0 < 1e-3f || m1 < 1e-3f)
				bad_edges++;
		}
		prev_end = en;
	}
	/* the tail after the last sentence is silence too */
	for (size_t k = (size_t)llround(prev_end * rate) + margin; k < frames; k++)
		if (x[k] != 0.0f) {
			bad_gaps++;
			break;
		}
	printf("manifest_sentences=%zu\n", n);
	printf("manifest_duration=%.3f\n", json_number_value(json_object_get(root, "duration")));
	printf("manifest_integrated=%.2f\n",
	       json_number_value(json_object_get(json_object_get(root, "loudness"), "integrated")));
	printf("gaps_not_silent=%zu\nedges_without_sound=%zu\ntimes_out_of_order=%zu\n", bad_gaps,
	       bad_edges, bad_order);
	json_decref(root);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: audio_check FILE [MANIFEST.json]\n");
		return 2;
	}
	SF_INFO info;
	memset(&info, 0, sizeof info);
	SNDFILE *sf = NULL;
	float *x = read_all(argv[1], &info, &sf);
	if (!x)
		return 1;
	printf("rate=%d\nchannels=%d\nframes=%lld\nduration=%.3f\n", info.samplerate, info.channels,
	       (long long)info.frames, (double)info.frames / info.samplerate);
	ebur128_state *st = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
					 EBUR128_MODE_I | EBUR128_MODE_LRA | EBUR128_MODE_TRUE_PEAK);
	double I = 0, lra = 0, tp = 0, sp = 0;
	ebur128_add_frames_float(st, x, (size_t)info.frames);
	ebur128_loudness_global(st, &I);
	ebur128_loudness_range(st, &lra);
	ebur128_true_peak(st, 0, &tp);
	ebur128_sample_peak(st, 0, &sp);
	ebur128_destroy(&st);
	printf("integrated=%.2f\ntrue_peak=%.2f\nsample_peak=%.2f\nrange=%.2f\n", I,
	       20 * log10(tp), 20 * log10(sp), lra);
	const char *v;
	if ((v = sf_get_string(sf, SF_STR_TITLE)))
		printf("tag_title=%s\n", v);
	if ((v = sf_get_string(sf, SF_STR_ARTIST)))
		printf("tag_artist=%s\n", v);
	if ((v = sf_get_string(sf, SF_STR_DATE)))
		printf("tag_date=%s\n", v);
	print_bext(sf);
	print_cues(sf);
	if (argc > 2 && info.channels == 1)
		check_manifest(argv[2], x, (size_t)info.frames, info.samplerate);
	sf_close(sf);
	free(x);
	return 0;
}
