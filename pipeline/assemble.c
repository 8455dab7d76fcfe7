/* assemble: sentences' speech -> one broadcast-ready file (trim, resample, loudness, BWF, sidecars). SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two passes, bounded memory, little work per sample (the budget is a fifth of eSpeak's own
 * time). While the synthesizer runs, a worker thread (or, for a caller that keeps every core
 * busy already, the calling thread) makes each sentence a segment (struct bb_segment): it
 * trims eSpeak's own near-silence and fades the edges (in int16), measures the K-weighted
 * energy of each 100 ms with libebur128 at the synthesizer's rate, resamples with libsoxr
 * (int16 in, int16 out at half scale for headroom) and notes the sample and true peaks.
 * Each sentence is measured alone, from silence to silence, so that its measurements
 * hold wherever it stands: the sentence cache keeps whole segments, and an article with one
 * sentence changed redoes one sentence's work. The segments go to an unlinked temporary file;
 * pauses are counts, not samples. finish() gates the 100 ms energies into integrated loudness
 * and loudness range (BS.1770 / EBU Tech 3342), picks the one gain (with a linear-time
 * look-ahead limiter on the sentences that need it), then streams the temporary file through
 * it into the output (libsndfile) and writes the sidecars.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ebur128.h>
#include <sndfile.h>
#include <soxr.h>

#include "bobao.h"
#include "hash.h"
#include "outputs.h"
#include "sidecar.h"
#include "tags.h"
#include "tempfile.h"

#define TRIM_LEVEL 96        /* int16: below about -51 dBFS counts as eSpeak's near-silence */
#define TRIM_KEEP_MS 12      /* kept before the first and after the last loud sample */
#define FADE_MS 6            /* raised-cosine fade at both ends of each sentence */
#define QUEUE_MAX 6          /* sentences waiting for the worker */
#define CHUNK 16384          /* frames per read/write in the output pass */
#define RESAMPLE_CHUNK 4096  /* samples per soxr_process call: keeps its buffers small, in cache */
#define TP_MARGIN_DB 0.3     /* kept under the ceiling for what the estimate may miss */
#define LIMIT_MARGIN_DB 0.6  /* the limiter works on samples; inter-sample peaks need room */
#define LIMIT_MAX_DB 6.0     /* the most the limiter may take off the peaks */
#define LIMIT_ROUNDS 4       /* gain corrections for what the limiter takes off (each a dry run) */
#define TP_TAPS 12           /* taps per phase of the 4x true-peak interpolator */
#define TP_BLOCK 64
#define TP_NEAR 1.585f       /* blocks whose sample peak is 4 dB under the running peak are skipped */
#define STORE_SCALE 0.5      /* resampled speech is kept as int16 at half scale: room for overshoot */
#define ENTRIES_OPEN_MAX 256 /* cache entries kept open (far below the usual 1024 fds); more are copied */
#define WAV_MAX_DATA 0xFFF00000u /* data bytes a RIFF WAV may hold, headers and chunks aside */
#define ABS_GATE_LUFS -70.0  /* BS.1770 absolute gate */
#define REL_GATE_LU -10.0    /* BS.1770 relative gate, integrated loudness */
#define LRA_REL_GATE_LU -20.0 /* EBU Tech 3342 relative gate, loudness range */

/* Rates each codec takes; 0 ends a list. An empty list takes any rate. */
static const int opus_rates[] = {8000, 12000, 16000, 24000, 48000, 0};
static const int mp3_rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 0};

/* A sentence for the worker: eSpeak's speech to make a segment of, or a finished segment. */
struct job {
	size_t index;
	int16_t *pcm;
	size_t n;
	struct bb_segment seg;
	int ready;              /* seg is finished (from the cache) */
	int pause_ms;
	uint32_t *words;        /* where each unit begins in pcm (bb_assemble_words), or NULL */
	size_t nwords;
};

enum sidecar_kind { SC_JSON, SC_VTT, SC_SRT, SC_HTML, SC_EPUB, SC_COUNT };

static int json_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		   const struct bb_audio_facts *a, struct bb_error *err);
static int vtt_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		  const struct bb_audio_facts *a, struct bb_error *err);
static int srt_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		  const struct bb_audio_facts *a, struct bb_error *err);
static int html_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		   const struct bb_audio_facts *a, struct bb_error *err);

/* The registry of outputs (outputs.h): the sidecars first, at their SC_ index, then the
 * audio formats with their libsndfile format and sample type. */
static const struct bb_output_type outputs[] = {
	[SC_JSON] = {.name = "json", .ext = ".json", .kind = BB_OUT_SIDECAR,
		.flags = BB_OUT_EVERY, .write = json_fn},
	[SC_VTT] = {.name = "vtt", .ext = ".vtt", .kind = BB_OUT_SIDECAR,
		.flags = BB_OUT_EVERY, .write = vtt_fn},
	[SC_SRT] = {.name = "srt", .ext = ".srt", .kind = BB_OUT_SIDECAR,
		.flags = BB_OUT_EVERY, .write = srt_fn},
	[SC_HTML] = {.name = "html", .ext = ".html", .kind = BB_OUT_SIDECAR,
		.flags = 0, .write = html_fn},
	[SC_EPUB] = {.name = "epub", .ext = ".epub", .kind = BB_OUT_SIDECAR,
		.flags = 0, .write = bb_sidecar_epub},
	[SC_COUNT] = {.name = "wav", .ext = ".wav", .kind = BB_OUT_AUDIO, .flags = BB_OUT_OFFERED,
		.sf = SF_FORMAT_WAV | SF_FORMAT_PCM_16, .pcm16 = 1},
	{.name = "flac", .ext = ".flac", .kind = BB_OUT_AUDIO, .flags = BB_OUT_OFFERED,
		.sf = SF_FORMAT_FLAC | SF_FORMAT_PCM_16, .pcm16 = 1},
	{.name = "ogg", .ext = ".ogg", .kind = BB_OUT_AUDIO, .flags = BB_OUT_OFFERED,
		.sf = SF_FORMAT_OGG | SF_FORMAT_VORBIS, .pcm16 = 0},
	{.name = "oga", .ext = ".oga", .kind = BB_OUT_AUDIO, .flags = 0,
		.sf = SF_FORMAT_OGG | SF_FORMAT_VORBIS, .pcm16 = 0},
	{.name = "opus", .ext = ".opus", .kind = BB_OUT_AUDIO, .flags = BB_OUT_OFFERED,
		.sf = SF_FORMAT_OGG | SF_FORMAT_OPUS, .pcm16 = 0},
	{.name = "mp3", .ext = ".mp3", .kind = BB_OUT_AUDIO, .flags = BB_OUT_OFFERED,
		.sf = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, .pcm16 = 0},
};
#define NOUTPUTS (sizeof outputs / sizeof outputs[0])

struct out_meter;

struct bb_assembler {
	const struct bb_script *sc;
	struct bb_voice voice;
	const struct bb_output_type *fmt;
	char *path;                 /* final audio path */
	char *side_path[SC_COUNT];  /* final sidecar paths, NULL when not wanted */
	char *tmp_path[1 + SC_COUNT]; /* temporaries under construction (audio, sidecars) */
	char *mp3_tmp;              /* the EPUB's MP3, when the audio itself is not MP3 */
	int rate_in, rate_out;
	int finished;
	const struct bb_chapter *chapters; /* the output's chapters (cues...), NULL: not yet made */
	size_t nchapters;
	int chapter_mode;           /* enum bb_chapters: the article's own, when none are set */
	struct bb_chapter *own_chapters; /* made by finish from the script (labels owned) */
	size_t nown;

	/* main thread: the sentence being collected */
	struct job cur;
	size_t cur_cap;
	int have_cur;

	/* queue to the worker */
	pthread_t worker;
	int worker_running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct job queue[QUEUE_MAX];
	size_t qhead, qlen;
	int closing;
	struct bb_error werr; /* the worker's first error */
	struct bb_sentence_cache cache; /* where new segments go; get == NULL: nowhere */

	/* worker state */
	soxr_t soxr;
	struct bb_segment made;     /* the segment being made (its buffers are reused) */
	int *bpk;                   /* the sample peak of each TP_BLOCK of made */
	size_t bpk_cap;
	FILE *raw;                  /* unlinked temporary: resampled speech, int16 at STORE_SCALE */
	uint64_t raw_bytes;         /* written to raw so far */
	size_t entries_open;        /* cache entries held open for the output pass */
	int *seg_fd;                /* per sentence, where its stored speech is: raw or an entry, */
	uint64_t *seg_at;           /* at this byte offset */
	uint64_t pos;               /* output frames so far (speech and pauses) */
	uint64_t pending_pause;     /* frames of silence owed after the last sentence */
	uint64_t *seg_start, *seg_len; /* per sentence, output frames */
	size_t *word_first, *word_count; /* per sentence, its units' starts in wordf */
	uint32_t *wordf;            /* where each unit begins, frames from its sentence's start */
	size_t nwordf, wordf_cap;
	int *seg_max;               /* per sentence, sample peak of the stored speech */
	size_t *seg_loud;           /* per sentence, its first 100 ms block in loud */
	float *loud;                /* K-weighted mean square per 100 ms of the whole programme */
	size_t nloud, loud_cap;
	int16_t *sbuf;              /* finish: one sentence read back */
	size_t sbuf_cap;
	float *fbuf, *fenv;         /* finish: one sentence in float and the limiter's envelope */
	size_t fbuf_cap, fenv_cap;
	float *fh;                  /* finish: the limiter's sliding-maximum scratch */
	size_t fh_cap;
	double peak;                /* true peak of the stored speech, in int16 units */
	double out_peak;            /* finish, with the limiter: true peak of the output, linear */
	float limit_deepest;        /* the limiter's deepest gain, linear */
	struct out_meter *meter;    /* finish: the output pass's own meter, NULL: none */
	double enc_comp_db;         /* finish, MP3: what is added for what LAME takes off, dB */
	float tp_coef[3][TP_TAPS];
	char origin_ref[32];        /* bext OriginatorReference, made once */
};

/* ---- small helpers -------------------------------------------------------------------- */

/* GCC's -O2 vectorizes only loops of a single width; the per-sample loops that mix widths
 * (int16 in, int32/int64 or float inside) ask for its full cost model. */
#if defined(__GNUC__) && !defined(__clang__)
#define VECTORIZE __attribute__((optimize("vect-cost-model=dynamic")))
#else
#define VECTORIZE
#endif

static int grow(void **p, size_t *cap, size_t want, size_t elem)
{
	if (want <= *cap)
		return 0;
	size_t n = *cap ? *cap : 1024;
	while (n < want)
		n *= 2;
	if (n > SIZE_MAX / elem)
		return -1;
	void *q = realloc(*p, n * elem);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

static char *str_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

static char *str_cat(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);
	char *d = malloc(alen + blen + 1);
	if (!d)
		return NULL;
	memcpy(d, a, alen);
	memcpy(d + alen, b, blen + 1);
	return d;
}

static const char *path_ext(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
		return NULL;
	return dot + 1;
}

const struct bb_output_type *bb_output_at(size_t i)
{
	return i < NOUTPUTS ? &outputs[i] : NULL;
}

const struct bb_output_type *bb_output_find(const char *name, enum bb_output_kind kind)
{
	for (size_t i = 0; name && i < NOUTPUTS; i++)
		if (outputs[i].kind == kind && !strcasecmp(outputs[i].name, name))
			return &outputs[i];
	return NULL;
}

const char *bb_output_names(enum bb_output_kind kind, unsigned flags, const char *sep, char *buf,
			    size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0, l = 0; i < NOUTPUTS; i++)
		if (outputs[i].kind == kind && (outputs[i].flags & flags) == flags && l < size) {
			snprintf(buf + l, size - l, "%s%s", l ? sep : "", outputs[i].name);
			l += strlen(buf + l);
		}
	return buf;
}

int bb_output_usage(FILE *f, const char *text)
{
	static const char mark[] = "{audio}";
	char names[64];
	bb_output_names(BB_OUT_AUDIO, BB_OUT_OFFERED, "|", names, sizeof names);
	for (const char *p; (p = strstr(text, mark)) != NULL; text = p + sizeof mark - 1)
		fprintf(f, "%.*s%s", (int)(p - text), text, names);
	return fputs(text, f);
}

static const struct bb_output_type *format_find(const char *name)
{
	return bb_output_find(name, BB_OUT_AUDIO);
}

static int rate_in_list(int rate, const int *list)
{
	for (; *list; list++)
		if (*list == rate)
			return 1;
	return 0;
}

/* The rate the codec will take: the preset's, or 48000 when the codec refuses it. */
static int codec_rate(const struct bb_output_type *f, int want)
{
	int major = f->sf & SF_FORMAT_TYPEMASK, sub = f->sf & SF_FORMAT_SUBMASK;
	if (sub == SF_FORMAT_OPUS && !rate_in_list(want, opus_rates))
		return 48000;
	if (major == SF_FORMAT_MPEG && !rate_in_list(want, mp3_rates))
		return 48000;
	return want;
}

static double db_to_lin(double db)
{
	return pow(10.0, db / 20.0);
}

static double lin_to_db(double lin)
{
	return lin > 0 ? 20.0 * log10(lin) : -HUGE_VAL;
}

/* The folder is named: the CLI puts the output path in front already. */
static int cant_create(struct bb_error *err, const char *path, int e)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) : 1;
	return bb_fail(err, BB_ECANTCREAT, "cannot create a file in folder %.*s: %s", dirlen,
		       slash ? (slash == path ? "/" : path) : ".", strerror(e));
}

/* Refuses to write over what is not an output: the article being read (same device and
 * inode: `speak a.txt -o a.txt`, `speak story.json --json`), or anything that is not a
 * regular file (a device node, /dev/null, a FIFO, a folder), which renaming would replace.
 * what is "" for the audio file (the caller names it) or the sidecar's name. */
static int check_target(const char *path, const char *what, const struct stat *input,
			struct bb_error *err)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return BB_OK; /* not there (or not reachable: creating it says why) */
	char name[64 + 4096] = ""; /* "manifest a.json " for a sidecar */
	if (*what)
		snprintf(name, sizeof name, "%s %s ", what, path);
	if (input && st.st_dev == input->st_dev && st.st_ino == input->st_ino)
		return bb_fail(err, BB_ECANTCREAT, "%sis the input file: not overwritten", name);
	if (!S_ISREG(st.st_mode))
		return bb_fail(err, BB_ECANTCREAT, "%snot a regular file (%s): not replaced", name,
			       S_ISDIR(st.st_mode) ? "a folder" : S_ISCHR(st.st_mode) ||
			       S_ISBLK(st.st_mode) ? "a device" : "a FIFO or socket");
	return BB_OK;
}

/* check_target for the audio file and every sidecar; the sidecars must differ from the
 * audio too (`-o a.json --json`). */
static int check_targets(const struct bb_assembler *as, struct bb_error *err)
{
	static const char *const side_name[SC_COUNT] = {"manifest", "subtitles", "subtitles"};
	struct stat in_st;
	const char *src = as->sc->article ? as->sc->article->source : NULL;
	int got = !src ? -1 : strcmp(src, "-") == 0 ? fstat(0, &in_st) : stat(src, &in_st);
	const struct stat *in = got == 0 ? &in_st : NULL; /* "-": the standard input read */
	int rc = check_target(as->path, "", in, err);
	for (int k = 0; rc == BB_OK && k < SC_COUNT; k++) {
		if (!as->side_path[k])
			continue;
		if (strcmp(as->side_path[k], as->path) == 0)
			return bb_fail(err, BB_ECANTCREAT, "the %s would be the audio file itself",
				       side_name[k]);
		rc = check_target(as->side_path[k], side_name[k], in, err);
	}
	return rc;
}

/* ---- true peak: 4x oversampling with a windowed-sinc polyphase interpolator ------------- */

static void tp_init(struct bb_assembler *as)
{
	for (int p = 1; p <= 3; p++) {
		double sum = 0, h[TP_TAPS];
		for (int k = 0; k < TP_TAPS; k++) {
			double d = p / 4.0 + (TP_TAPS / 2 - 1) - k; /* distance to tap k */
			double s = fabs(d) < 1e-9 ? 1.0 : sin(M_PI * d) / (M_PI * d);
			double w = fabs(d) < TP_TAPS / 2.0 ? 0.5 * (1 + cos(M_PI * d / (TP_TAPS / 2.0))) : 0;
			h[k] = s * w;
			sum += h[k];
		}
		for (int k = 0; k < TP_TAPS; k++)
			as->tp_coef[p - 1][k] = (float)(h[k] / sum);
	}
}

/* Raises pk to the loudest of the 3 points between each x[i] and x[i+1] of a block of m
 * samples (4x oversampling), where w holds the block with TP_TAPS / 2 - 1 samples before it
 * and TP_TAPS / 2 after (zero outside the signal). The loop runs across samples, so it
 * vectorizes. */
VECTORIZE static float tp_block(const float (*coef)[TP_TAPS], const float *w, size_t m, float pk)
{
	for (int p = 0; p < 3; p++) {
		float y[TP_BLOCK] = {0};
		for (int k = 0; k < TP_TAPS; k++)
			for (size_t i = 0; i < m; i++)
				y[i] += coef[p][k] * w[i + k];
		for (size_t i = 0; i < m; i++)
			pk = fabsf(y[i]) > pk ? fabsf(y[i]) : pk;
	}
	return pk;
}

/* Interpolates block k of x[0..n) (int16 or float samples) into pk. */
#define TP_SCAN_BLOCK(as, x, n, k, pk)                                                      \
	do {                                                                                \
		float w_[TP_BLOCK + TP_TAPS];                                               \
		size_t b_ = (k) * TP_BLOCK, m_ = (n) - b_ < TP_BLOCK ? (n) - b_ : TP_BLOCK; \
		for (size_t t_ = 0; t_ < m_ + TP_TAPS - 1; t_++) {                          \
			ptrdiff_t j_ = (ptrdiff_t)(b_ + t_) - (TP_TAPS / 2 - 1);            \
			w_[t_] = j_ >= 0 && (size_t)j_ < (n) ? (float)(x)[j_] : 0.0f;       \
		}                                                                           \
		(pk) = tp_block((as)->tp_coef, w_, m_, (pk));                               \
	} while (0)

/* The sample peak of each TP_BLOCK of x into bpk, in a pass that GCC vectorizes. */
VECTORIZE static void block_peaks(const int16_t *x, size_t n, int *bpk)
{
	for (size_t b = 0; b < n; b += TP_BLOCK) {
		size_t m = n - b < TP_BLOCK ? n - b : TP_BLOCK;
		const int16_t *y = x + b;
		int16_t hi = 0, lo = 0;
		for (size_t i = 0; i < m; i++) {
			hi = y[i] > hi ? y[i] : hi;
			lo = y[i] < lo ? y[i] : lo;
		}
		bpk[b / TP_BLOCK] = hi > -lo ? hi : -lo;
	}
}

/* The true peak of the int16 x (surrounded by silence), given its blocks' sample peaks bpk
 * and its sample peak smax. A block whose sample peak is more than 4 dB under the loudest
 * sample cannot hold the true peak and is skipped, so only the few blocks near the loudest
 * peaks are interpolated. */
static float tp_scan_s16(const struct bb_assembler *as, const int16_t *x, size_t n,
			 const int *bpk, int smax)
{
	float pk = (float)smax;
	for (size_t k = 0; k < (n + TP_BLOCK - 1) / TP_BLOCK; k++) {
		if ((float)bpk[k] * TP_NEAR < pk)
			continue;
		TP_SCAN_BLOCK(as, x, n, k, pk);
	}
	return pk;
}

/* Raises *peak to the true peak of float samples (the limited output), skipping the blocks
 * more than 4 dB under the running peak. */
static void tp_scan_f32(const struct bb_assembler *as, const float *x, size_t n, double *peak)
{
	float pk = (float)*peak;
	for (size_t b = 0; b < n; b += TP_BLOCK) {
		size_t e = b + TP_BLOCK < n ? b + TP_BLOCK : n;
		float sp = 0;
		for (size_t i = b; i < e; i++) {
			float v = fabsf(x[i]);
			sp = v > sp ? v : sp;
		}
		if (sp > pk)
			pk = sp;
		if (sp * TP_NEAR < pk)
			continue;
		TP_SCAN_BLOCK(as, x, n, b / TP_BLOCK, pk);
	}
	*peak = pk;
}

/* ---- the worker: one sentence at a time ---------------------------------------------- */

/* The span of pcm worth keeping: eSpeak's leading and trailing near-silence cut off. */
static void trim_span(const int16_t *pcm, size_t n, int rate, size_t *a, size_t *b)
{
	size_t first = 0, last = n;
	while (first < n && abs(pcm[first]) <= TRIM_LEVEL)
		first++;
	if (first == n) {
		*a = *b = 0;
		return;
	}
	while (last > first && abs(pcm[last - 1]) <= TRIM_LEVEL)
		last--;
	size_t keep = (size_t)rate * TRIM_KEEP_MS / 1000;
	*a = first > keep ? first - keep : 0;
	*b = n - last > keep ? last + keep : n;
}

/* Raised-cosine fade over both ends, in place. */
static void fade_edges(int16_t *x, size_t n, int rate)
{
	size_t f = (size_t)rate * FADE_MS / 1000;
	if (f > n / 2)
		f = n / 2;
	for (size_t i = 0; i < f; i++) {
		float g = (float)(0.5 - 0.5 * cos(M_PI * (i + 0.5) / f));
		x[i] = (int16_t)lrintf(x[i] * g);
		x[n - 1 - i] = (int16_t)lrintf(x[n - 1 - i] * g);
	}
}

void bb_segment_free(struct bb_segment *seg)
{
	if (seg->in_file)
		close(seg->fd);
	free(seg->audio);
	free(seg->loudness);
	free(seg->words);
	memset(seg, 0, sizeof *seg);
}

/* The K-weighted mean square of each 100 ms of x (the last one padded with silence) into
 * seg->loudness: libebur128's filter from rest, read out through its window query. */
static int measure_loudness(int rate, const int16_t *x, size_t n, struct bb_segment *seg)
{
	static const short zeros[4800];
	size_t block = (size_t)rate / 10, nb = (n + block - 1) / block;
	seg->nloud = 0;
	if (!nb)
		return 0;
	if (block > sizeof zeros / sizeof zeros[0] ||
	    grow((void **)&seg->loudness, &seg->loud_cap, nb, sizeof(float)))
		return -1;
	ebur128_state *m = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_M);
	if (!m)
		return -1;
	int bad = 0;
	for (size_t b = 0; b < nb && !bad; b++) {
		size_t k = n - b * block < block ? n - b * block : block;
		double lufs = -HUGE_VAL;
		bad = ebur128_add_frames_short(m, x + b * block, k) != EBUR128_SUCCESS ||
		      (k < block && ebur128_add_frames_short(m, zeros, block - k) != EBUR128_SUCCESS) ||
		      ebur128_loudness_window(m, 100, &lufs) != EBUR128_SUCCESS;
		/* loudness = -0.691 + 10 log10(mean square): back to the mean square */
		seg->loudness[b] = isfinite(lufs) ? (float)pow(10.0, (lufs + 0.691) / 10.0) : 0.0f;
	}
	ebur128_destroy(&m);
	seg->nloud = nb;
	return bad ? -1 : 0;
}

/* Resamples x[0..n) into seg->audio (int16 at STORE_SCALE); returns 0, or -1. */
static int resample(struct bb_assembler *as, const int16_t *x, size_t n, struct bb_segment *seg)
{
	size_t want = (size_t)((double)n * as->rate_out / as->rate_in) + 256;
	seg->n = 0;
	if (grow((void **)&seg->audio, &seg->cap, want, sizeof(int16_t)))
		return -1;
	if (as->rate_in == as->rate_out) {
		for (size_t i = 0; i < n; i++)
			seg->audio[i] = (int16_t)(x[i] / 2); /* STORE_SCALE */
		seg->n = n;
		return 0;
	}
	size_t done = 0, used = 0;
	for (;;) {
		size_t idone = 0, odone = 0;
		const int16_t *in = used < n ? x + used : NULL;
		size_t len = !in ? 0 : n - used < RESAMPLE_CHUNK ? n - used : RESAMPLE_CHUNK;
		soxr_error_t e = soxr_process(as->soxr, in, len, &idone, seg->audio + done,
					      seg->cap - done, &odone);
		if (e)
			return -1;
		used += idone;
		done += odone;
		if (!in && odone == 0)
			break;
		if (done == seg->cap &&
		    grow((void **)&seg->audio, &seg->cap, done + 4096, sizeof(int16_t)))
			return -1;
	}
	soxr_clear(as->soxr);
	seg->n = done;
	return 0;
}

/* The units' starts in eSpeak's speech (words[0..nw)) as frames of the segment: trimmed from
 * a, the speech n frames long in at rate_in, resampled. */
static int place_words(struct bb_assembler *as, struct bb_segment *seg, const uint32_t *words,
		       size_t nw, size_t a, size_t n)
{
	seg->nwords = 0;
	if (!nw)
		return 0;
	if (grow((void **)&seg->words, &seg->words_cap, nw, sizeof(uint32_t)))
		return -1;
	for (size_t k = 0; k < nw; k++) {
		if (words[k] == BB_NO_WORD) {
			seg->words[k] = BB_NO_WORD;
			continue;
		}
		size_t f = words[k] > a ? words[k] - a : 0;
		f = f < n ? f : n;
		double t = (double)f * as->rate_out / as->rate_in;
		seg->words[k] = (uint32_t)fmin(llround(t), (double)seg->n);
	}
	seg->nwords = nw;
	return 0;
}

/* Makes eSpeak's speech pcm[0..n) a segment in as->made. */
static int make_segment(struct bb_assembler *as, size_t index, int16_t *pcm, size_t n,
			const uint32_t *words, size_t nw)
{
	struct bb_segment *seg = &as->made;
	size_t a, b;
	trim_span(pcm, n, as->rate_in, &a, &b);
	int16_t *x = pcm + a;
	n = b - a;
	fade_edges(x, n, as->rate_in);
	if (measure_loudness(as->rate_in, x, n, seg))
		return bb_fail(&as->werr, BB_ESOFTWARE, "loudness meter failed");
	if (n && resample(as, x, n, seg))
		return bb_fail(&as->werr, BB_ESOFTWARE, "resampling failed");
	if (!n)
		seg->n = 0;
	seg->rate = as->rate_out;
	if (place_words(as, seg, words, nw, a, n))
		return bb_fail(&as->werr, BB_ENOMEM, "out of memory");
	if (grow((void **)&as->bpk, &as->bpk_cap, seg->n / TP_BLOCK + 1, sizeof(int)))
		return bb_fail(&as->werr, BB_ENOMEM, "out of memory");
	block_peaks(seg->audio, seg->n, as->bpk);
	seg->sample_peak = 0;
	for (size_t k = 0; k < (seg->n + TP_BLOCK - 1) / TP_BLOCK; k++)
		seg->sample_peak = as->bpk[k] > seg->sample_peak ? as->bpk[k] : seg->sample_peak;
	seg->true_peak = tp_scan_s16(as, seg->audio, seg->n, as->bpk, seg->sample_peak);
	if (as->cache.put)
		as->cache.put(as->cache.ctx, &as->sc->sentences[index], seg);
	return BB_OK;
}

/* Reads n samples at byte offset off of fd into buf. */
static int pread_samples(int fd, int16_t *buf, size_t n, uint64_t off)
{
	size_t bytes = n * sizeof(int16_t), got = 0;
	while (got < bytes) {
		ssize_t k = pread(fd, (char *)buf + got, bytes - got, (off_t)(off + got));
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

/* Places sentence index's segment: its speech where the output pass will find it (a cache
 * entry stays where it is, kept open; the rest goes to the temporary file), its
 * measurements into the programme's, then pause_ms of silence. Takes over seg's file. */
static int place_segment(struct bb_assembler *as, size_t index, struct bb_segment *seg,
			 int pause_ms)
{
	if (as->seg_start[index] != UINT64_MAX)
		return bb_fail(&as->werr, BB_ESOFTWARE, "sentence %zu added twice", index);
	if (seg->in_file && as->entries_open < ENTRIES_OPEN_MAX) {
		as->seg_fd[index] = seg->fd;
		as->seg_at[index] = seg->offset;
		seg->in_file = 0;
		as->entries_open++;
	} else {
		const int16_t *audio = seg->audio;
		if (seg->in_file) { /* too many open: copied (the worker's sbuf is free until finish) */
			if (grow((void **)&as->sbuf, &as->sbuf_cap, seg->n + 1, sizeof(int16_t)) ||
			    pread_samples(seg->fd, as->sbuf, seg->n, seg->offset))
				return bb_fail(&as->werr, BB_EIO, "cannot read a cached sentence");
			audio = as->sbuf;
		}
		if (seg->n && fwrite(audio, sizeof(int16_t), seg->n, as->raw) != seg->n)
			return bb_fail(&as->werr, BB_EIO, "%s: write error: %s", as->path,
				       strerror(errno));
		as->seg_fd[index] = fileno(as->raw);
		as->seg_at[index] = as->raw_bytes;
		as->raw_bytes += seg->n * sizeof(int16_t);
	}
	/* the meter's programme: the speech's 100 ms blocks, then the pause's (digital silence) */
	size_t quiet = (size_t)(pause_ms + 50) / 100;
	if (grow((void **)&as->loud, &as->loud_cap, as->nloud + seg->nloud + quiet + 1,
		 sizeof(float)))
		return bb_fail(&as->werr, BB_ENOMEM, "out of memory");
	as->seg_loud[index] = as->nloud;
	if (grow((void **)&as->wordf, &as->wordf_cap, as->nwordf + seg->nwords + 1, sizeof(uint32_t)))
		return bb_fail(&as->werr, BB_ENOMEM, "out of memory");
	as->word_first[index] = as->nwordf;
	as->word_count[index] = seg->nwords;
	if (seg->nwords)
		memcpy(as->wordf + as->nwordf, seg->words, seg->nwords * sizeof(uint32_t));
	as->nwordf += seg->nwords;
	if (seg->nloud)
		memcpy(as->loud + as->nloud, seg->loudness, seg->nloud * sizeof(float));
	as->nloud += seg->nloud;
	memset(as->loud + as->nloud, 0, quiet * sizeof(float));
	as->nloud += quiet;
	if (seg->true_peak > as->peak)
		as->peak = seg->true_peak;

	as->pos += as->pending_pause;
	as->seg_start[index] = as->pos;
	as->seg_len[index] = (uint64_t)seg->n;
	as->pending_pause = 0;
	as->seg_max[index] = seg->sample_peak;
	as->pos += (uint64_t)seg->n;
	as->pending_pause += (uint64_t)pause_ms * (uint64_t)as->rate_out / 1000;
	return 0;
}

static int process_job(struct bb_assembler *as, struct job *j)
{
	if (j->index >= as->sc->n)
		return bb_fail(&as->werr, BB_ESOFTWARE, "sentence %zu of %zu", j->index, as->sc->n);
	if (j->ready)
		return place_segment(as, j->index, &j->seg, j->pause_ms);
	if (make_segment(as, j->index, j->pcm, j->n, j->words, j->nwords))
		return -1;
	return place_segment(as, j->index, &as->made, j->pause_ms);
}

static int queue_pop(struct bb_assembler *as, struct job *j)
{
	pthread_mutex_lock(&as->mu);
	while (!as->qlen && !as->closing)
		pthread_cond_wait(&as->cv, &as->mu);
	int got = as->qlen > 0;
	if (got) {
		*j = as->queue[as->qhead];
		as->qhead = (as->qhead + 1) % QUEUE_MAX;
		as->qlen--;
		pthread_cond_broadcast(&as->cv);
	}
	pthread_mutex_unlock(&as->mu);
	return got;
}

static void *worker_main(void *arg)
{
	struct bb_assembler *as = arg;
	struct job j;
	while (queue_pop(as, &j)) {
		if (!as->werr.code)
			process_job(as, &j);
		free(j.pcm);
		free(j.words);
		bb_segment_free(&j.seg);
	}
	return NULL;
}

/* Hands the collected sentence to the worker (waits while the queue is full), or without
 * one (bb_output.one_thread) makes its segment here. */
static int queue_push(struct bb_assembler *as, struct bb_error *err)
{
	if (!as->have_cur)
		return BB_OK;
	if (!as->worker_running) {
		if (!as->werr.code)
			process_job(as, &as->cur);
		bb_segment_free(&as->cur.seg);
		free(as->cur.words);
		int16_t *pcm = as->cur.pcm; /* kept for the next sentence: no thread to hand it to */
		memset(&as->cur, 0, sizeof as->cur);
		as->cur.pcm = pcm;
		as->have_cur = 0;
		return as->werr.code ? bb_fail(err, as->werr.code, "%s", as->werr.msg) : BB_OK;
	}
	pthread_mutex_lock(&as->mu);
	while (as->qlen == QUEUE_MAX)
		pthread_cond_wait(&as->cv, &as->mu);
	as->queue[(as->qhead + as->qlen) % QUEUE_MAX] = as->cur;
	as->qlen++;
	pthread_cond_broadcast(&as->cv);
	int code = as->werr.code;
	pthread_mutex_unlock(&as->mu);
	memset(&as->cur, 0, sizeof as->cur);
	as->cur_cap = 0;
	as->have_cur = 0;
	if (code)
		return bb_fail(err, code, "%s", as->werr.msg);
	return BB_OK;
}

static void worker_stop(struct bb_assembler *as)
{
	if (!as->worker_running)
		return;
	pthread_mutex_lock(&as->mu);
	as->closing = 1;
	pthread_cond_broadcast(&as->cv);
	pthread_mutex_unlock(&as->mu);
	pthread_join(as->worker, NULL);
	as->worker_running = 0;
}

/* ---- open, add -------------------------------------------------------------------------- */

int bb_assemble_open(struct bb_assembler **asp, const struct bb_output *out,
		     const struct bb_voice *v, const struct bb_script *sc,
		     const struct bb_sentence_cache *cache, struct bb_error *err)
{
	*asp = NULL;
	const char *fname = out->format ? out->format : path_ext(out->path);
	const struct bb_output_type *f = format_find(fname);
	char names[64];
	if (!f)
		return bb_fail(err, BB_EUSAGE, "%s: unknown output format \"%s\" (%s)", out->path,
			       fname ? fname : "", bb_output_names(BB_OUT_AUDIO, BB_OUT_OFFERED, ", ",
								    names, sizeof names));
	SF_INFO probe = {.samplerate = codec_rate(f, v->sample_rate), .channels = 1, .format = f->sf};
	if (!sf_format_check(&probe))
		return bb_fail(err, BB_EUSAGE, "%s: this libsndfile cannot write %s at %d Hz",
			       out->path, f->name, probe.samplerate);

	if (out->chapters < BB_CHAPTERS_HEADING || out->chapters > BB_CHAPTERS_SENTENCE)
		return bb_fail(err, BB_EUSAGE, "%s: unknown chapters setting %d", out->path,
			       out->chapters);

	struct bb_assembler *as = calloc(1, sizeof *as);
	if (!as)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	as->sc = sc;
	as->chapter_mode = out->chapters;
	as->voice = *v;
	if (cache)
		as->cache = *cache;
	as->fmt = f;
	as->rate_out = probe.samplerate;
	pthread_mutex_init(&as->mu, NULL);
	pthread_cond_init(&as->cv, NULL);
	tp_init(as);
	*asp = as;

	as->path = str_dup(out->path);
	if (!as->path)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	const char *ext = path_ext(out->path);
	size_t stem = ext ? (size_t)(ext - 1 - out->path) : strlen(out->path);
	const int want[SC_COUNT] = {out->json, out->vtt, out->srt, out->html, out->epub};
	if (out->epub && (as->fmt->sf & SF_FORMAT_TYPEMASK) != SF_FORMAT_MPEG &&
	    !rate_in_list(as->rate_out, mp3_rates))
		return bb_fail(err, BB_EUSAGE, "%s: an EPUB's audio is MP3, which cannot be %d Hz"
			       " (48000 Hz or less)", out->path, as->rate_out);
	for (int k = 0; k < SC_COUNT; k++)
		if (want[k] && !(as->side_path[k] = str_cat(out->path, stem, outputs[k].ext)))
			return bb_fail(err, BB_ENOMEM, "out of memory");

	size_t n = sc->n ? sc->n : 1;
	as->seg_start = malloc(n * sizeof *as->seg_start);
	as->seg_len = calloc(n, sizeof *as->seg_len);
	as->seg_max = calloc(n, sizeof *as->seg_max);
	as->seg_loud = calloc(n, sizeof *as->seg_loud);
	as->seg_fd = malloc(n * sizeof *as->seg_fd);
	for (size_t i = 0; as->seg_fd && i < n; i++)
		as->seg_fd[i] = -1; /* before anything can fail: close() reads it */
	as->seg_at = calloc(n, sizeof *as->seg_at);
	as->word_first = calloc(n, sizeof *as->word_first);
	as->word_count = calloc(n, sizeof *as->word_count);
	if (!as->seg_start || !as->seg_len || !as->seg_max || !as->seg_loud || !as->seg_fd ||
	    !as->seg_at || !as->word_first || !as->word_count)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		as->seg_start[i] = UINT64_MAX;
	as->pos = (uint64_t)v->edge_silence_ms * (uint64_t)as->rate_out / 1000;

	int rc = check_targets(as, err);
	if (rc != BB_OK)
		return rc;
	/* The temporary speech file, in the target folder: proves it is writable, and is
	 * unlinked at once so that nothing is left behind whatever happens. */
	char *tmp = NULL;
	int fd = bb_temp_create(out->path, &tmp);
	if (fd < 0)
		return cant_create(err, out->path, errno);
	bb_temp_unlink(tmp);
	free(tmp);
	as->raw = fdopen(fd, "w+b");
	if (!as->raw) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	if (out->one_thread)
		return BB_OK;
	if (pthread_create(&as->worker, NULL, worker_main, as) != 0)
		return bb_fail(err, BB_ESOFTWARE, "cannot start the assemble thread");
	as->worker_running = 1;
	return BB_OK;
}

/* Sets up the rate-dependent parts on the first call. */
static int start_rate(struct bb_assembler *as, int rate, struct bb_error *err)
{
	if (rate < 10 || rate > 48000)
		return bb_fail(err, BB_ESOFTWARE, "speech at %d Hz", rate);
	as->rate_in = rate;
	if (rate != as->rate_out) {
		soxr_error_t e = NULL;
		/* HQ costs no more than MQ or LQ here (measured): the time goes to the polyphase
		 * stage, not the filter length. int16 in and out, no dither, half scale. */
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
		soxr_io_spec_t io = soxr_io_spec(SOXR_INT16_I, SOXR_INT16_I);
		io.scale = STORE_SCALE;
		io.flags |= SOXR_NO_DITHER;
		as->soxr = soxr_create(rate, as->rate_out, 1, &e, &io, &q, NULL);
		if (!as->soxr)
			return bb_fail(err, BB_ESOFTWARE, "resampler: %s", e ? e : "failed");
	}
	return BB_OK;
}

int bb_assemble_add(struct bb_assembler *as, size_t i, const int16_t *pcm, size_t n, int rate,
		    int pause_ms, struct bb_error *err)
{
	if (as->finished || rate <= 0 || pause_ms < 0)
		return bb_fail(err, BB_ESOFTWARE, "bb_assemble_add: bad call");
	if (!as->rate_in) {
		/* the worker has not touched rate state yet: nothing was queued */
		int rc = start_rate(as, rate, err);
		if (rc)
			return rc;
	} else if (rate != as->rate_in) {
		return bb_fail(err, BB_ESOFTWARE, "sentence %zu at %d Hz, others at %d Hz", i, rate,
			       as->rate_in);
	}
	if (as->have_cur && as->cur.index != i) {
		int rc = queue_push(as, err);
		if (rc)
			return rc;
	}
	if (!as->have_cur) {
		as->cur.index = i;
		as->have_cur = 1;
	}
	if (grow((void **)&as->cur.pcm, &as->cur_cap, as->cur.n + n + 1, sizeof(int16_t)))
		return bb_fail(err, BB_ENOMEM, "out of memory for sentence %zu", i);
	if (n)
		memcpy(as->cur.pcm + as->cur.n, pcm, n * sizeof(int16_t));
	as->cur.n += n;
	as->cur.pause_ms += pause_ms;
	return BB_OK;
}

int bb_assemble_words(struct bb_assembler *as, size_t i, const uint32_t *words, size_t n,
		      struct bb_error *err)
{
	if (as->finished || !as->have_cur || as->cur.index != i || as->cur.ready)
		return bb_fail(err, BB_ESOFTWARE, "bb_assemble_words: bad call");
	free(as->cur.words);
	as->cur.words = NULL;
	as->cur.nwords = 0;
	if (!n)
		return BB_OK;
	if (n > SIZE_MAX / sizeof *words || !(as->cur.words = malloc(n * sizeof *words)))
		return bb_fail(err, BB_ENOMEM, "out of memory for sentence %zu", i);
	memcpy(as->cur.words, words, n * sizeof *words);
	as->cur.nwords = n;
	return BB_OK;
}

int bb_assemble_rate(const struct bb_assembler *as)
{
	return as->rate_out;
}

int bb_assemble_add_segment(struct bb_assembler *as, size_t i, struct bb_segment *seg,
			    int pause_ms, struct bb_error *err)
{
	if (as->finished || pause_ms < 0 || seg->rate != as->rate_out)
		return bb_fail(err, BB_ESOFTWARE, "bb_assemble_add_segment: bad call");
	int rc = queue_push(as, err); /* the sentence before, if any */
	if (rc)
		return rc;
	as->cur = (struct job){.index = i, .pcm = as->cur.pcm, .seg = *seg, .ready = 1,
			       .pause_ms = pause_ms};
	as->have_cur = 1;
	memset(seg, 0, sizeof *seg);
	return queue_push(as, err);
}

/* ---- finish: gain, output pass, sidecars, renames ------------------------------------ */

struct gain_plan {
	double gain;       /* linear, from eSpeak's level to the output */
	double threshold;  /* limiter threshold on output samples, linear; 0: no limiter */
};

/* From the stored int16 (at STORE_SCALE) to output full scale 1.0. */
static double stored_to_out(struct gain_plan g)
{
	return g.gain / (32768.0 * STORE_SCALE);
}

/* Chooses the gain: the target, unless the true peak would pass the ceiling; then a
 * limiter takes the excess, or (past LIMIT_MAX_DB of limiting) the output settles below target. */
static struct gain_plan plan_gain(struct bb_assembler *as, struct bb_audio_facts *a)
{
	struct gain_plan g = {1.0, 0};
	double tp = lin_to_db(as->peak / (32768.0 * STORE_SCALE));
	a->target = as->voice.loudness_lufs;
	a->ceiling = as->voice.true_peak_dbtp;
	a->input_true_peak = tp;
	if (!isfinite(a->input_integrated) || !isfinite(tp)) {
		a->gain_db = 0;
		a->integrated = a->input_integrated;
		a->true_peak = tp;
		return g;
	}
	double gain_db = a->target - a->input_integrated;
	double room = a->ceiling - TP_MARGIN_DB - tp; /* the most gain the peaks allow */
	if (gain_db > room + LIMIT_MAX_DB) {
		a->settled = 1;
		gain_db = room + LIMIT_MAX_DB;
	}
	if (gain_db > room)
		g.threshold = db_to_lin(a->ceiling - LIMIT_MARGIN_DB);
	a->gain_db = gain_db;
	a->integrated = a->input_integrated + gain_db;
	a->true_peak = tp + gain_db;
	g.gain = db_to_lin(gain_db);
	return g;
}

#define LIMIT_A(rate) ((size_t)(rate) / 500 + 1) /* the limiter's look-ahead: 2 ms */

/* A look-ahead limiter over one sentence y[0..n) (silence around it), in linear time: gain
 * never above threshold/|y|, reaching it smoothly over 2*A samples before a peak (a sliding
 * maximum over +-A, van Herk / Gil-Werman: prefix and suffix maxima in blocks of 2A+1; then
 * a moving average of the same width, which stays under every minimum it spans), released
 * with a 60 ms time constant. env and h are scratch of n+2A floats. Returns the deepest gain. */
static float limit(float *y, float *env, float *h, size_t n, float threshold, int rate)
{
	size_t A = LIMIT_A(rate), B = 2 * A + 1, N = n + 2 * A;
	/* padded |y|: index j holds |y[j - A]|, 0 outside; env = prefix max, h = suffix max */
	for (size_t j = 0; j < N; j++)
		h[j] = j >= A && j - A < n ? fabsf(y[j - A]) : 0.0f;
	for (size_t b = 0; b < N; b += B) {
		size_t e = b + B < N ? b + B : N;
		float m = 0;
		for (size_t j = b; j < e; j++)
			env[j] = m = h[j] > m ? h[j] : m;
		m = 0;
		for (size_t j = e; j-- > b;)
			h[j] = m = h[j] > m ? h[j] : m;
	}
	/* the maximum over padded [c, c + 2A], i.e. y[c - A .. c + A] */
	for (size_t c = 0; c < n; c++) {
		float m = h[c] > env[c + 2 * A] ? h[c] : env[c + 2 * A];
		env[c] = m > threshold ? threshold / m : 1.0f;
	}
	/* moving average of width 2A+1 (edges padded with 1: silence needs no reduction) */
	double W = (double)(2 * A + 1), sum = 0;
	for (size_t k = 0; k <= 2 * A; k++)
		sum += k >= A && k - A < n ? env[k - A] : 1.0f;
	float release = (float)exp(-1.0 / (0.060 * rate)), r = 1.0f, deepest = 1.0f;
	for (size_t i = 0; i < n; i++) {
		float gavg = (float)(sum / W);
		size_t in = i + A + 1; /* slide: take env[i + A + 1], drop env[i - A] */
		sum += (in < n ? env[in] : 1.0f) - (i >= A ? env[i - A] : 1.0f);
		r = 1.0f - (1.0f - r) * release;
		if (r > gavg)
			r = gavg;
		y[i] *= r;
		if (r < deepest)
			deepest = r;
	}
	return deepest;
}

/* Appends s to out (len of outsz, NUL kept) as far as it fits whole; returns 0 when cut. */
static int put_ascii(char *out, size_t outsz, size_t *len, const char *s)
{
	size_t n = strlen(s);
	if (*len + n + 1 > outsz)
		return 0;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 1;
}

/* The title in ASCII for bext's Description (ISO 646, which players and editors show as
 * Latin-1): the title sentences as read, in pinyin without tone digits ("nan tong kai fa
 * qu"), Latin runs as written, clause marks as ASCII ones; cut at a syllable. A title that
 * was never read falls back to its ASCII characters, or the source name's. */
static void ascii_title(const struct bb_script *sc, const char *title, char *out, size_t outsz)
{
	static const char *const marks[][2] = {{"，", ","}, {"。", "."}, {"！", "!"}, {"？", "?"},
		{"：", ":"}, {"；", ";"}, {"、", ","}, {"…", "..."}};
	size_t len = 0;
	int room = 1;
	out[0] = 0;
	for (size_t i = 0; room && i < sc->n && sc->sentences[i].kind == BB_TITLE; i++) {
		const struct bb_sentence *s = &sc->sentences[i];
		for (size_t k = 0; room && k < s->nunits; k++) {
			const struct bb_unit *u = &s->units[k];
			char word[80];
			if (u->lang == BB_PUNCT) {
				for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++)
					if (!strcmp(u->reading, marks[m][0]))
						room = put_ascii(out, outsz, &len, marks[m][1]);
				continue;
			}
			const char *w = u->lang == BB_EN ? u->text : u->reading;
			size_t n = 0;
			for (; *w && n + 1 < sizeof word; w++)
				if ((unsigned char)*w >= 0x20 && (unsigned char)*w < 0x7F &&
				    !(u->lang == BB_ZH && *w >= '0' && *w <= '9'))
					word[n++] = *w;
			word[n] = 0;
			if (n && len)
				room = put_ascii(out, outsz, &len, " ");
			if (n && room)
				room = put_ascii(out, outsz, &len, word);
		}
	}
	while (len && out[len - 1] == ' ')
		out[--len] = 0;
	if (len)
		return;
	for (const char *t = *title ? title : sc->article && sc->article->source ? sc->article->source : "";
	     *t && len + 1 < outsz; t++)
		if ((unsigned char)*t >= 0x20 && (unsigned char)*t < 0x7F)
			out[len++] = *t;
	out[len] = 0;
}

/* OriginatorReference after EBU R 99: country, organisation, serial number (the file's own:
 * the clock in nanoseconds, the process and a counter), time of day, random number; 32
 * characters, unique per file. */
static void originator_reference(char ref[32], const struct tm *tm)
{
	static unsigned counter;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	char serial[64];
	snprintf(serial, sizeof serial, "%lld.%09ld %ld %u", (long long)ts.tv_sec, ts.tv_nsec,
		 (long)getpid(), __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED));
	uint64_t h = bb_fnv1a64(serial), r = 0;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
		r = h * 0x9E3779B97F4A7C15ull;
	char s[40];
	snprintf(s, sizeof s, "CNBOB%012llX%02d%02d%02d%09llu", (unsigned long long)(h >> 16),
		 tm->tm_hour, tm->tm_min, tm->tm_sec, (unsigned long long)(r % 1000000000ull));
	memcpy(ref, s, 32);
}

static void fill_bext(SF_BROADCAST_INFO *bi, struct bb_assembler *as, const char *title,
		      const struct bb_audio_facts *a)
{
	memset(bi, 0, sizeof *bi);
	ascii_title(as->sc, title, bi->description, sizeof bi->description);
	snprintf(bi->originator, sizeof bi->originator, "bobao %s", BOBAO_VERSION);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if (!as->origin_ref[0])
		originator_reference(as->origin_ref, &tm); /* the same when bext is written again */
	memcpy(bi->originator_reference, as->origin_ref, sizeof bi->originator_reference);
	char date[16], tod[16];
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	strftime(tod, sizeof tod, "%H:%M:%S", &tm);
	memcpy(bi->origination_date, date, sizeof bi->origination_date);
	memcpy(bi->origination_time, tod, sizeof bi->origination_time);
	bi->version = 2;
	/* BWF v2 loudness fields, in hundredths; 0x7fff means not known. */
	bi->loudness_value = isfinite(a->integrated) ? (short)lrint(a->integrated * 100) : 0x7fff;
	bi->loudness_range = isfinite(a->range) ? (short)lrint(a->range * 100) : 0x7fff;
	bi->max_true_peak_level = isfinite(a->true_peak) ? (short)lrint(a->true_peak * 100) : 0x7fff;
	bi->max_momentary_loudness =
		isfinite(a->max_momentary) ? (short)lrint(a->max_momentary * 100) : 0x7fff;
	bi->max_shortterm_loudness =
		isfinite(a->max_short_term) ? (short)lrint(a->max_short_term * 100) : 0x7fff;
	int hn = snprintf(bi->coding_history, sizeof bi->coding_history,
			  "A=PCM,F=%d,W=16,M=mono,T=bobao %s %s %s\r\n", as->rate_out,
			  BOBAO_VERSION, bb_synth_engine(), as->voice.espeak_voice);
	if (hn < 0)
		hn = 0;
	if ((size_t)hn >= sizeof bi->coding_history)
		hn = (int)sizeof bi->coding_history - 1;
	bi->coding_history_size = (uint32_t)hn;
}

typedef SF_CUES_VAR(1) cues_one;

/* One cue point per chapter, at its sentence's first sample. */
static int set_cues(SNDFILE *sf, struct bb_assembler *as)
{
	size_t n = as->chapters ? as->nchapters : as->sc->n;
	if (!n)
		return 0;
	size_t sz = offsetof(cues_one, cue_points) + n * sizeof(SF_CUE_POINT);
	cues_one *c = calloc(1, sz);
	if (!c)
		return -1;
	c->cue_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		SF_CUE_POINT *p = &c->cue_points[i];
		size_t s = as->chapters ? as->chapters[i].sentence : i;
		uint64_t at = s < as->sc->n ? as->seg_start[s] : 0;
		p->indx = (int32_t)(i + 1);
		p->position = (uint32_t)at;
		p->fcc_chunk = 0x61746164; /* "data" */
		p->sample_offset = (uint32_t)at;
		snprintf(p->name, sizeof p->name, "%zu", i + 1);
	}
	int ok = sf_command(sf, SFC_SET_CUE, c, (int)sz) == SF_TRUE;
	free(c);
	return ok ? 0 : -1;
}

static char software[128];
static pthread_once_t software_once = PTHREAD_ONCE_INIT;

static void software_init(void)
{
	snprintf(software, sizeof software, "bobao %s (%s)", BOBAO_VERSION, bb_synth_engine());
}

/* The generator and the synthesizer, for the tags: "bobao 0.1.0 (eSpeak NG 1.51)". */
static const char *software_name(void)
{
	pthread_once(&software_once, software_init);
	return software;
}

static void set_tags(SNDFILE *sf, struct bb_assembler *as, const char *title)
{
	char date[16], artist[96];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(artist, sizeof artist, "bobao (%s)", as->voice.name);
	if ((as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG)
		return; /* libsndfile's ID3v2.3 frames are Latin-1: TagLib writes them (write_tags) */
	if (*title)
		sf_set_string(sf, SF_STR_TITLE, title);
	sf_set_string(sf, SF_STR_ARTIST, artist);
	sf_set_string(sf, SF_STR_DATE, date);
	sf_set_string(sf, SF_STR_SOFTWARE, software_name());
	if (as->sc->article && as->sc->article->source)
		sf_set_string(sf, SF_STR_COMMENT, as->sc->article->source);
}

/* Bit rates from the preset, through libsndfile's 0..1 compression level. */
static void set_bitrate(SNDFILE *sf, struct bb_assembler *as)
{
	int sub = as->fmt->sf & SF_FORMAT_SUBMASK, major = as->fmt->sf & SF_FORMAT_TYPEMASK;
	double level = -1;
	if (major == SF_FORMAT_MPEG) {
		int mode = SF_BITRATE_MODE_CONSTANT;
		sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof mode);
		double top = as->rate_out >= 32000 ? 320 : as->rate_out >= 16000 ? 160 : 64;
		double low = as->rate_out >= 32000 ? 32 : 8;
		level = (top - as->voice.mp3_kbps) / (top - low);
	} else if (sub == SF_FORMAT_OPUS) {
		/* libsndfile maps level 0..1 to 256..6 kbit/s per channel */
		level = (256.0 - as->voice.opus_kbps) / (256.0 - 6.0);
	} else if (sub == SF_FORMAT_FLAC) {
		level = 0.6;
	}
	if (level >= 0) {
		level = level < 0 ? 0 : level > 1 ? 1 : level;
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
	}
}

/* The title: the original text of the title sentences, or the source name. */
static void article_title(const struct bb_script *sc, char *out, size_t outsz)
{
	size_t len = 0;
	out[0] = 0;
	const char *orig = sc->article ? sc->article->original.s : NULL;
	for (size_t i = 0; orig && i < sc->n && sc->sentences[i].kind == BB_TITLE; i++) {
		struct bb_span sp = sc->sentences[i].orig;
		for (size_t k = sp.start; k < sp.end && len + 1 < outsz; k++)
			if (orig[k] != '\n' && orig[k] != '\r')
				out[len++] = orig[k];
	}
	while (len && ((unsigned char)out[len - 1] & 0xC0) == 0x80 && len + 1 >= outsz)
		len--; /* a character cut at the end of the buffer */
	out[len] = 0;
	if (!len && sc->article && sc->article->source)
		snprintf(out, outsz, "%s", sc->article->source);
}

static void write_zeros(SNDFILE *sf, uint64_t n, int *bad)
{
	static const short zeros[CHUNK];
	while (n && !*bad) {
		sf_count_t k = n < CHUNK ? (sf_count_t)n : CHUNK;
		if (sf_write_short(sf, zeros, k) != k)
			*bad = 1;
		n -= (uint64_t)k;
	}
}

/* Reads sentence i's stored speech into as->sbuf. */
static int read_stored(struct bb_assembler *as, size_t i)
{
	size_t n = (size_t)as->seg_len[i];
	if (grow((void **)&as->sbuf, &as->sbuf_cap, n + 1, sizeof(int16_t)))
		return -1;
	return pread_samples(as->seg_fd[i], as->sbuf, n, as->seg_at[i]);
}

/* Sentence i (already in as->sbuf) in float through the gain and the limiter, into
 * as->fbuf. */
static int limit_segment(struct bb_assembler *as, size_t i, struct gain_plan g)
{
	size_t n = (size_t)as->seg_len[i];
	if (grow((void **)&as->fbuf, &as->fbuf_cap, n + 1, sizeof(float)) ||
	    grow((void **)&as->fenv, &as->fenv_cap, n + 2 * LIMIT_A(as->rate_out) + 1, sizeof(float)) ||
	    grow((void **)&as->fh, &as->fh_cap, n + 2 * LIMIT_A(as->rate_out) + 1, sizeof(float)))
		return -1;
	float k = (float)stored_to_out(g), *y = as->fbuf;
	for (size_t t = 0; t < n; t++)
		y[t] = as->sbuf[t] * k;
	if (!(g.threshold > 0) || (float)as->seg_max[i] * k <= (float)g.threshold)
		return 0; /* nothing over the threshold: the limiter would not act */
	float deepest = limit(y, as->fenv, as->fh, n, (float)g.threshold, as->rate_out);
	if (deepest < as->limit_deepest)
		as->limit_deepest = deepest;
	return 0;
}

/* ---- loudness: gating the programme's 100 ms mean squares ------------------------------- */

static double ms_to_lufs(double ms)
{
	return ms > 0 ? -0.691 + 10.0 * log10(ms) : -HUGE_VAL;
}

/* The mean squares of the blocks of w 100 ms steps, every hop steps (sliding sums). */
static size_t block_means(const float *ms, size_t n, size_t w, size_t hop, double *out)
{
	size_t nb = 0;
	for (size_t b = 0; b + w <= n; b += hop) {
		double sum = 0;
		for (size_t k = 0; k < w; k++)
			sum += ms[b + k];
		out[nb++] = sum / (double)w;
	}
	return nb;
}

/* The relative gate over blocks e[0..n): the mean of those over the absolute gate, rel_lu
 * lower; returns it as a mean square (HUGE_VAL when no block passes). */
static double relative_gate(const double *e, size_t n, double rel_lu)
{
	double abs_ms = pow(10.0, (ABS_GATE_LUFS + 0.691) / 10.0), sum = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (e[i] > abs_ms)
			sum += e[i], k++;
	return k ? sum / (double)k * pow(10.0, rel_lu / 10.0) : HUGE_VAL;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Integrated loudness (BS.1770-4: 400 ms blocks every 100 ms, gated at -70 LUFS and 10 LU
 * under the mean) and loudness range (EBU Tech 3342: 3 s blocks every second, gated at
 * -70 LUFS and 20 LU under the mean, the 95th percentile less the 10th; the blocks every
 * lra_hop 100 ms steps: 10 as libebur128 takes them, 1 as ffmpeg does). libebur128 gives
 * the K-weighted energies; the gating is done here because it runs over segments measured
 * apart, some of them from the cache. */
struct programme_loudness {
	double integrated, range;          /* LUFS, LU */
	double max_momentary, max_short_term; /* LUFS: the loudest 400 ms and 3 s */
};

static double max_of(const double *e, size_t n)
{
	double m = 0;
	for (size_t i = 0; i < n; i++)
		m = e[i] > m ? e[i] : m;
	return m;
}

static int gate_loudness(const float *loud, size_t n, struct programme_loudness *pl,
			 size_t lra_hop)
{
	double *integrated = &pl->integrated, *range = &pl->range;
	*integrated = -HUGE_VAL;
	*range = 0;
	double *e = malloc((n ? n : 1) * sizeof *e);
	if (!e)
		return -1;
	pl->max_short_term = ms_to_lufs(max_of(e, block_means(loud, n, 30, 1, e)));
	size_t nb = block_means(loud, n, 4, 1, e);
	pl->max_momentary = ms_to_lufs(max_of(e, nb));
	double gate = fmax(relative_gate(e, nb, REL_GATE_LU),
			   pow(10.0, (ABS_GATE_LUFS + 0.691) / 10.0)), sum = 0;
	size_t k = 0;
	for (size_t i = 0; i < nb; i++)
		if (e[i] > gate)
			sum += e[i], k++;
	if (k)
		*integrated = ms_to_lufs(sum / (double)k);

	nb = block_means(loud, n, 30, lra_hop, e);
	gate = fmax(relative_gate(e, nb, LRA_REL_GATE_LU), pow(10.0, (ABS_GATE_LUFS + 0.691) / 10.0));
	k = 0;
	for (size_t i = 0; i < nb; i++)
		if (e[i] > gate)
			e[k++] = e[i];
	if (k > 1) {
		qsort(e, k, sizeof *e, by_value);
		size_t lo = (size_t)((double)(k - 1) * 0.10 + 0.5);
		size_t hi = (size_t)((double)(k - 1) * 0.95 + 0.5);
		*range = ms_to_lufs(e[hi]) - ms_to_lufs(e[lo]);
	}
	free(e);
	return 0;
}

/* The loudness the limiter takes off with plan g, in dB (<= 0): a dry run over the sentences
 * it acts on scales each of their 100 ms K-weighted energies by what limiting leaves of that
 * block's energy, and the programme is gated again (the limiter acts on the loudest blocks,
 * which the gate keeps: an ungated estimate falls short). *out gets the whole programme's
 * loudness so limited, before the gain (its loudest 400 ms and 3 s and range are what the
 * limiter leaves of them: the gain alone would overstate them by up to the limiter's depth). */
static double limiter_loss(struct bb_assembler *as, struct gain_plan g, double integrated,
			   struct programme_loudness *out)
{
	float *loud = malloc((as->nloud ? as->nloud : 1) * sizeof *loud);
	if (!loud)
		return 0;
	memcpy(loud, as->loud, as->nloud * sizeof *loud);
	float k = (float)stored_to_out(g);
	size_t block = (size_t)as->rate_out / 10;
	for (size_t i = 0; i < as->sc->n; i++) {
		size_t n = (size_t)as->seg_len[i];
		if (!n || (float)as->seg_max[i] * k <= (float)g.threshold)
			continue;
		if (read_stored(as, i) || limit_segment(as, i, g)) {
			free(loud);
			return 0;
		}
		/* the sentence's blocks: up to the next sentence's (a pause's blocks are silent) */
		size_t end = i + 1 < as->sc->n ? as->seg_loud[i + 1] : as->nloud;
		for (size_t b = as->seg_loud[i], t = 0; b < end && t < n; b++) {
			double before = 0, after = 0;
			for (size_t stop = t + block < n ? t + block : n; t < stop; t++) {
				double x = (double)as->sbuf[t] * k, y = as->fbuf[t];
				before += x * x;
				after += y * y;
			}
			if (before > 0)
				loud[b] *= (float)(after / before);
		}
	}
	struct programme_loudness pl;
	int bad = gate_loudness(loud, as->nloud, &pl, 10);
	free(loud);
	if (bad || !isfinite(pl.integrated))
		return 0;
	*out = pl;
	return fmin(0.0, pl.integrated - integrated);
}

/* One sample to int16, rounded to nearest by the float adder itself (adding and taking away
 * 1.5 * 2^23 leaves an integer) and clamped as an integer, so that the loops below
 * vectorize. |f| stays far below 2^22: the gain never lifts the peaks more than LIMIT_MAX_DB
 * over the ceiling. */
static inline short to_s16(float f)
{
	const float magic = 12582912.0f;
	int v = (int)(f + magic - magic);
	v = v < 32767 ? v : 32767;
	return (short)(v > -32768 ? v : -32768);
}

/* Stored int16 through gain k into output int16. */
VECTORIZE static void scale_s16(const int16_t *x, short *out, size_t n, float k)
{
	for (size_t t = 0; t < n; t++)
		out[t] = to_s16(x[t] * k);
}

VECTORIZE static void float_to_s16(const float *y, short *out, size_t n)
{
	for (size_t t = 0; t < n; t++)
		out[t] = to_s16(y[t] * 32768.0f);
}

/* Writes sentence i, read into as->sbuf, through plan g: int16 in place, or float. */
static int write_segment(SNDFILE *sf, struct bb_assembler *as, size_t i, struct gain_plan g)
{
	size_t n = (size_t)as->seg_len[i];
	int pcm16 = as->fmt->pcm16;
	if (g.threshold > 0 || !pcm16) {
		if (limit_segment(as, i, g))
			return -1;
		if (g.threshold > 0)
			tp_scan_f32(as, as->fbuf, n, &as->out_peak);
		if (pcm16)
			float_to_s16(as->fbuf, as->sbuf, n);
		else
			return sf_write_float(sf, as->fbuf, (sf_count_t)n) == (sf_count_t)n ? 0 : -1;
	} else {
		scale_s16(as->sbuf, as->sbuf, n, (float)(g.gain / STORE_SCALE));
	}
	return sf_write_short(sf, as->sbuf, (sf_count_t)n) == (sf_count_t)n ? 0 : -1;
}

/* ---- the output's own meter: what is written, on the file's 100 ms grid ---------------- */

/* The programme's 100 ms blocks gated above come from the sentences measured apart, each
 * from its own first sample (at eSpeak's rate; its last block padded, the pauses rounded to
 * whole blocks): their grid is not the file's. A meter reading the file (BS.1770, EBU Tech
 * 3341 and 3342: ffmpeg's, libebur128's) puts its 400 ms and 3 s windows every 100 ms from
 * the file's first sample, and the loudest of them moves by tenths of a LU with the grid's
 * phase (the podcast sample's loudest 400 ms reads -12.5 to -13.2 LUFS as the grid slides in
 * 10 ms steps). So the output pass K-weights the very samples it writes (libebur128's two
 * biquads, in double, from rest at the file's start) and sums their squares into the file's
 * 100 ms blocks; through a pause (exact silence) the filter runs on only until its ringing
 * has died away (1e-10 of full scale), the rest of the pause is silent blocks. A long
 * sentence is filtered as two halves at once (two lanes of one vector: about twice as fast),
 * the second half's filter started from rest 100 ms before it, where the high-pass's state
 * has decayed to about 1e-9 of what it was by the half's first sample (1e-8 dB). */
typedef double v2d __attribute__((vector_size(16)));

struct out_meter {
	double c[7];     /* shelf b0 b1 b2 a1 a2, high-pass (b = 1 -2 1) a1 a2 */
	double z[4];     /* the filter's state after the last frame metered (transposed DF II) */
	size_t block;    /* frames per 100 ms */
	uint64_t at;     /* frames metered so far */
	double *acc;     /* per 100 ms block of the file, its K-weighted squares */
	size_t nacc;
};

static struct out_meter *meter_new(int rate, uint64_t total)
{
	struct out_meter *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->block = (size_t)rate / 10;
	m->nacc = (size_t)(total / m->block) + 1;
	m->acc = calloc(m->nacc, sizeof *m->acc);
	if (!m->acc) {
		free(m);
		return NULL;
	}
	/* libebur128's K-weighting at this rate (BS.1770's own coefficients at 48 kHz) */
	double f0 = 1681.974450955533, G = 3.999843853973347, Q = 0.7071752369554196;
	double K = tan(M_PI * f0 / rate), Vh = pow(10.0, G / 20.0);
	double Vb = pow(Vh, 0.4996667741545416), a0 = 1.0 + K / Q + K * K;
	m->c[0] = (Vh + Vb * K / Q + K * K) / a0;
	m->c[1] = 2.0 * (K * K - Vh) / a0;
	m->c[2] = (Vh - Vb * K / Q + K * K) / a0;
	m->c[3] = 2.0 * (K * K - 1.0) / a0;
	m->c[4] = (1.0 - K / Q + K * K) / a0;
	f0 = 38.13547087602444;
	Q = 0.5003270373238773;
	K = tan(M_PI * f0 / rate);
	a0 = 1.0 + K / Q + K * K;
	m->c[5] = 2.0 * (K * K - 1.0) / a0;
	m->c[6] = (1.0 - K / Q + K * K) / a0;
	return m;
}

static void meter_free(struct out_meter *m)
{
	if (m)
		free(m->acc);
	free(m);
}

/* One step of the K-weighting filter (type: double or v2d): x in, w out, state z0..z3. */
#define KW_STEP(c, x, w, z0, z1, z2, z3)                                                   \
	do {                                                                               \
		__typeof__(x) y_ = (c)[0] * (x) + z0; /* the shelf */                      \
		z0 = (c)[1] * (x) - (c)[3] * y_ + z1;                                      \
		z1 = (c)[2] * (x) - (c)[4] * y_;                                           \
		w = y_ + z2; /* the high-pass */                                           \
		z2 = -2.0 * y_ - (c)[5] * w + z3;                                          \
		z3 = y_ - (c)[6] * w;                                                      \
	} while (0)

#define KW_IN(s16, f, i) ((s16) ? (s16)[i] * (1.0 / 32768.0) : (double)(f)[i])

/* Filters frames [i, i + n) of s16 (int16) or else f (full scale 1.0) from state z, frame i
 * being the file's frame pos; with acc, their squares go to their blocks. */
static void meter_one(const struct out_meter *m, double z[4], const int16_t *s16, const float *f,
		      size_t i, size_t n, uint64_t pos, double *acc)
{
	double z0 = z[0], z1 = z[1], z2 = z[2], z3 = z[3];
	while (n) {
		size_t k = m->block - (size_t)(pos % m->block);
		k = n < k ? n : k;
		double sum = 0, w;
		for (size_t e = i + k; i < e; i++) {
			double x = KW_IN(s16, f, i);
			KW_STEP(m->c, x, w, z0, z1, z2, z3);
			sum += w * w;
		}
		if (acc)
			acc[pos / m->block] += sum;
		pos += k;
		n -= k;
	}
	z[0] = z0, z[1] = z1, z[2] = z2, z[3] = z3;
}

/* Meters n written frames, s16 (int16) or else f (full scale 1.0), the file's next ones. */
static void meter_frames(struct out_meter *m, const int16_t *s16, const float *f, size_t n)
{
	size_t W = m->block, h = n / 2;
	if (n < 4 * W) {
		meter_one(m, m->z, s16, f, 0, n, m->at, m->acc);
		m->at += n;
		return;
	}
	/* the second half's filter: from rest over the 100 ms before it */
	double zb[4] = {0, 0, 0, 0};
	meter_one(m, zb, s16, f, h - W, W, 0, NULL);
	v2d c[7];
	for (int k = 0; k < 7; k++)
		c[k] = (v2d){m->c[k], m->c[k]};
	v2d z0 = {m->z[0], zb[0]}, z1 = {m->z[1], zb[1]}, z2 = {m->z[2], zb[2]},
	    z3 = {m->z[3], zb[3]};
	uint64_t p0 = m->at, p1 = m->at + h; /* the lanes' frames in the file */
	size_t i = 0;
	while (i < h) {
		size_t k0 = m->block - (size_t)(p0 % m->block), k1 = m->block - (size_t)(p1 % m->block);
		size_t k = k0 < k1 ? k0 : k1;
		k = h - i < k ? h - i : k;
		v2d sum = {0, 0}, w;
		for (size_t e = i + k; i < e; i++) {
			v2d x = {KW_IN(s16, f, i), KW_IN(s16, f, h + i)};
			KW_STEP(c, x, w, z0, z1, z2, z3);
			sum += w * w;
		}
		m->acc[p0 / m->block] += sum[0];
		m->acc[p1 / m->block] += sum[1];
		p0 += k;
		p1 += k;
	}
	/* the lanes took 2h frames: an odd one is left to the second lane's state */
	double z[4] = {z0[1], z1[1], z2[1], z3[1]};
	meter_one(m, z, s16, f, 2 * h, n - 2 * h, p1, m->acc);
	memcpy(m->z, z, sizeof z);
	m->at += n;
}

/* Meters n frames of silence: the filter rings on until its state is far below any speech
 * (1e-10 of full scale: -200 dB), then the frames are only counted. */
static void meter_silence(struct out_meter *m, uint64_t n)
{
	static const float zeros[256];
	while (n && fmax(fmax(fabs(m->z[0]), fabs(m->z[1])), fmax(fabs(m->z[2]), fabs(m->z[3]))) > 1e-10) {
		size_t k = n < 256 ? (size_t)n : 256;
		meter_one(m, m->z, NULL, zeros, 0, k, m->at, m->acc);
		m->at += k;
		n -= k;
	}
	memset(m->z, 0, sizeof m->z);
	m->at += n;
}

/* The written programme's loudness: its whole 100 ms blocks (a meter of the file never
 * sees the last part of one) gated as above, the range from 3 s windows every 100 ms as
 * ffmpeg's meter takes them. */
static int meter_loudness(struct out_meter *m, struct programme_loudness *pl)
{
	size_t n = (size_t)(m->at / m->block);
	float *ms = malloc((n ? n : 1) * sizeof *ms);
	if (!ms)
		return -1;
	for (size_t b = 0; b < n; b++)
		ms[b] = (float)(m->acc[b] / (double)m->block);
	int bad = gate_loudness(ms, n, pl, 1);
	free(ms);
	return bad || !isfinite(pl->integrated) ? -1 : 0;
}

/* Streams the temporary speech through the gain into sf, silence between sentences. */
static int output_pass(SNDFILE *sf, struct bb_assembler *as, struct gain_plan g, uint64_t total)
{
	uint64_t at = 0;
	int bad = 0;
	if (fflush(as->raw) != 0)
		return -1;
	for (size_t i = 0; i < as->sc->n && !bad; i++) {
		if (!as->seg_len[i])
			continue;
		write_zeros(sf, as->seg_start[i] - at, &bad);
		if (bad || read_stored(as, i) || write_segment(sf, as, i, g))
			return -1;
		if (as->meter) { /* what write_segment wrote: int16 in sbuf, or float in fbuf */
			int s16 = as->fmt->pcm16;
			meter_silence(as->meter, as->seg_start[i] - at);
			meter_frames(as->meter, s16 ? as->sbuf : NULL, s16 ? NULL : as->fbuf,
				     (size_t)as->seg_len[i]);
		}
		at = as->seg_start[i] + as->seg_len[i];
	}
	if (!bad && total > at) {
		write_zeros(sf, total - at, &bad);
		if (as->meter)
			meter_silence(as->meter, total - at);
	}
	return bad ? -1 : 0;
}

/* ---- MP3: what the encoder takes off the loudness --------------------------------------- */

#define MP3_PROBE_SECONDS 8 /* speech encoded and decoded to learn what LAME takes off */

/* A growable memory file for libsndfile's virtual I/O. */
struct memfile {
	unsigned char *b;
	size_t len, cap, pos;
	int bad;
};

static sf_count_t mem_len(void *u)
{
	return (sf_count_t)((struct memfile *)u)->len;
}

static sf_count_t mem_seek(sf_count_t off, int whence, void *u)
{
	struct memfile *m = u;
	sf_count_t base = whence == SEEK_CUR ? (sf_count_t)m->pos : whence == SEEK_END ? (sf_count_t)m->len : 0;
	if (base + off < 0)
		return -1;
	m->pos = (size_t)(base + off);
	return (sf_count_t)m->pos;
}

static sf_count_t mem_read(void *p, sf_count_t n, void *u)
{
	struct memfile *m = u;
	size_t k = m->pos < m->len ? m->len - m->pos : 0;
	if ((size_t)n < k)
		k = (size_t)n;
	memcpy(p, m->b + m->pos, k);
	m->pos += k;
	return (sf_count_t)k;
}

static sf_count_t mem_write(const void *p, sf_count_t n, void *u)
{
	struct memfile *m = u;
	if (grow((void **)&m->b, &m->cap, m->pos + (size_t)n + 1, 1)) {
		m->bad = 1;
		return 0;
	}
	if (m->pos > m->len)
		memset(m->b + m->len, 0, m->pos - m->len);
	memcpy(m->b + m->pos, p, (size_t)n);
	m->pos += (size_t)n;
	if (m->pos > m->len)
		m->len = m->pos;
	return n;
}

static sf_count_t mem_tell(void *u)
{
	return (sf_count_t)((struct memfile *)u)->pos;
}

/* What LAME takes off the loudness of this programme, in dB (>= 0 when it takes some off),
 * and in *overshoot what it adds to the true peak (its ringing):
 * about MP3_PROBE_SECONDS of speech from the middle of the article go through the plan g and
 * the encoder into memory, are decoded again (libsndfile) and both are metered (libebur128,
 * integrated). The encoder's loss is much the same over all of one voice's speech, so this
 * costs a small part of the one full encoding rather than a second one. Returns 0 when it
 * cannot tell (the output is then left as planned). */
static double mp3_loss(struct bb_assembler *as, struct gain_plan g, double *overshoot)
{
	size_t n = as->sc->n, want = (size_t)as->rate_out * MP3_PROBE_SECONDS, have = 0, first = n / 2;
	while (first > 0) { /* back from the middle until the probe can be filled */
		size_t k = first, got = 0;
		for (; k < n && got < want; k++)
			got += (size_t)as->seg_len[k];
		if (got >= want)
			break;
		first--;
	}
	struct memfile m = {0};
	SF_VIRTUAL_IO io = {mem_len, mem_seek, mem_read, mem_write, mem_tell};
	SF_INFO info = {.samplerate = as->rate_out, .channels = 1, .format = as->fmt->sf};
	SNDFILE *sf = sf_open_virtual(&io, SFM_WRITE, &info, &m);
	int mode = EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK;
	ebur128_state *in = ebur128_init(1, (unsigned long)as->rate_out, mode);
	ebur128_state *out = ebur128_init(1, (unsigned long)as->rate_out, mode);
	*overshoot = 0;
	double peak = as->out_peak, loss = 0, lin = -HUGE_VAL, lout = -HUGE_VAL;
	float deepest = as->limit_deepest;
	int bad = !sf || !in || !out;
	if (!bad)
		set_bitrate(sf, as);
	for (size_t i = first; !bad && i < n && have < want; i++) {
		size_t len = (size_t)as->seg_len[i];
		if (!len)
			continue;
		/* the float path: fbuf holds what went to the encoder */
		bad = read_stored(as, i) || write_segment(sf, as, i, g) ||
		      ebur128_add_frames_float(in, as->fbuf, len) != EBUR128_SUCCESS;
		have += len;
	}
	if (sf && sf_close(sf) != 0)
		bad = 1;
	as->out_peak = peak; /* the probe is not the output */
	as->limit_deepest = deepest;
	if (!bad && !m.bad && ebur128_loudness_global(in, &lin) == EBUR128_SUCCESS) {
		m.pos = 0;
		SF_INFO rinfo = {0};
		SNDFILE *rf = sf_open_virtual(&io, SFM_READ, &rinfo, &m);
		float buf[4096];
		sf_count_t k;
		while (rf && rinfo.channels == 1 && (k = sf_read_float(rf, buf, 4096)) > 0)
			if (ebur128_add_frames_float(out, buf, (size_t)k) != EBUR128_SUCCESS)
				break;
		if (rf) {
			sf_close(rf);
			double tin = 0, tout = 0;
			if (ebur128_loudness_global(out, &lout) == EBUR128_SUCCESS && isfinite(lin) &&
			    isfinite(lout))
				loss = lin - lout;
			if (ebur128_true_peak(in, 0, &tin) == EBUR128_SUCCESS &&
			    ebur128_true_peak(out, 0, &tout) == EBUR128_SUCCESS && tin > 0 && tout > tin)
				*overshoot = 20 * log10(tout / tin);
		}
	}
	ebur128_destroy(&in);
	ebur128_destroy(&out);
	free(m.b);
	return loss;
}

/* The finished MP3's ID3v2.4 tag with its chapters (CHAP, CTOC), the WAV's "ID3 " chunk and
 * a label for each of its cue points (LIST/adtl labl), or the chapters of a FLAC, Ogg or Opus
 * file (xiph: Vorbis comments), through TagLib (tags.cc). RF64 is left as libsndfile wrote it. */
static int write_tags(struct bb_assembler *as, const char *title, int wav, int xiph,
		      uint64_t total, struct bb_error *err)
{
	char date[16], artist[96], msg[256];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(artist, sizeof artist, "bobao (%s)", as->voice.name);
	/* one label a cue point: a cue a chapter (a bulletin's stories, an article's headings...) */
	size_t n = !wav ? 0 : as->chapters ? as->nchapters : as->sc->n;
	char **text = calloc(n ? n : 1, sizeof *text);
	int bad = !text;
	for (size_t i = 0; !bad && i < n; i++)
		bad = !(text[i] = as->chapters ? strdup(as->chapters[i].label ? as->chapters[i].label : "")
					       : bb_sidecar_sentence_text(as->sc, i));
	/* the chapters: from their sentences' first samples to the next one's, the last to the end */
	size_t nc = wav ? 0 : as->nchapters;
	double *when = malloc((nc ? nc : 1) * 2 * sizeof *when);
	const char **names = malloc((nc ? nc : 1) * sizeof *names);
	bad = bad || !when || !names;
	for (size_t i = 0; !bad && i < nc; i++) {
		size_t s = as->chapters[i].sentence;
		when[i] = (double)(s < as->sc->n ? as->seg_start[s] : 0) / as->rate_out;
		if (i)
			when[nc + i - 1] = when[i];
		names[i] = as->chapters[i].label ? as->chapters[i].label : "";
	}
	if (!bad && nc)
		when[2 * nc - 1] = (double)total / as->rate_out;
	struct bb_tags t = {
		.title = title,
		.artist = artist,
		.date = date,
		.comment = as->sc->article ? as->sc->article->source : NULL,
		.software = software_name(),
		.labels = (const char *const *)text,
		.nlabels = n,
		.chapter_start = when,
		.chapter_end = when ? when + nc : NULL,
		.chapter_titles = names,
		.nchapters = nc,
	};
	int rc = bad ? bb_fail(err, BB_ENOMEM, "out of memory")
	     : (xiph ? bb_tags_write_xiph(as->tmp_path[0], as->fmt->name, &t, msg, sizeof msg)
		     : bb_tags_write(as->tmp_path[0], wav, &t, msg, sizeof msg))
		     ? bb_fail(err, BB_EIO, "%s: cannot write its tags: %s", as->path, msg)
		     : BB_OK;
	for (size_t i = 0; text && i < n; i++)
		free(text[i]);
	free(text);
	free(when);
	free(names);
	return rc;
}

/* Writes the audio through plan g; with meter, a's loudest 400 ms and 3 s and its range
 * become those of the samples written (the output pass meters them). */
static int write_audio(struct bb_assembler *as, struct gain_plan g, struct bb_audio_facts *a,
		       uint64_t total, int meter, struct bb_error *err)
{
	int fd = bb_temp_create(as->path, &as->tmp_path[0]);
	if (fd < 0)
		return cant_create(err, as->path, errno);
	/* WAV's chunk sizes are 32-bit: a longer programme (12 hours at 48 kHz) is written as
	 * RF64 (EBU Tech 3306), bext and all */
	int is_wav = (as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
	int format = as->fmt->sf;
	if (is_wav && total * sizeof(int16_t) > WAV_MAX_DATA)
		format = SF_FORMAT_RF64 | (format & SF_FORMAT_SUBMASK);
	SF_INFO info = {.samplerate = as->rate_out, .channels = 1, .format = format};
	SNDFILE *sf = sf_open_fd(fd, SFM_WRITE, &info, 1);
	if (!sf) {
		close(fd);
		return bb_fail(err, BB_EIO, "%s: %s", as->path, sf_strerror(NULL));
	}
	char title[1024];
	article_title(as->sc, title, sizeof title);
	set_tags(sf, as, title);
	set_bitrate(sf, as);
	int rc = BB_OK;
	if (is_wav) {
		SF_BROADCAST_INFO bi;
		fill_bext(&bi, as, title, a);
		if (sf_command(sf, SFC_SET_BROADCAST_INFO, &bi, sizeof bi) != SF_TRUE)
			rc = bb_fail(err, BB_ESOFTWARE, "%s: cannot set the bext chunk: %s", as->path,
				     sf_strerror(sf));
		else if (total <= UINT32_MAX && set_cues(sf, as)) /* cue positions are 32-bit */
			rc = bb_fail(err, BB_ESOFTWARE, "%s: cannot set the cue chunk: %s", as->path,
				     sf_strerror(sf));
	}
	as->meter = meter ? meter_new(as->rate_out, total) : NULL; /* none: the estimates stand */
	if (!rc && output_pass(sf, as, g, total)) {
		/* libsndfile keeps the system's error as text only: errno still says it plainly */
		int e = errno;
		rc = bb_fail(err, BB_EIO, "%s: write error: %s", as->path,
			     sf_error(sf) == SF_ERR_SYSTEM && e ? strerror(e) : sf_strerror(sf));
	}
	struct programme_loudness out;
	int metered = !rc && as->meter && !meter_loudness(as->meter, &out);
	meter_free(as->meter);
	as->meter = NULL;
	if (metered) {
		/* MP3: the encoder takes back what was added for it (as for the integrated) */
		double enc = (as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG ? as->enc_comp_db : 0;
		a->max_momentary = out.max_momentary - enc;
		a->max_short_term = out.max_short_term - enc;
		a->range = out.range;
	}
	if (!rc && (g.threshold > 0 || metered)) {
		/* the limiter's work and the written loudness are known now: record them (bext
		 * may be updated once set) */
		if (g.threshold > 0) {
			a->true_peak = lin_to_db(as->out_peak);
			a->limiter_db = -lin_to_db(as->limit_deepest);
		}
		if (is_wav) {
			SF_BROADCAST_INFO bi;
			fill_bext(&bi, as, title, a);
			sf_command(sf, SFC_SET_BROADCAST_INFO, &bi, sizeof bi);
		}
	}
	if (sf_close(sf) != 0 && !rc)
		rc = bb_fail(err, BB_EIO, "%s: write error on close", as->path);
	if (!rc && ((is_wav && format == as->fmt->sf) ||
		    (as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG))
		rc = write_tags(as, title, is_wav, 0, total, err);
	else if (!rc && !is_wav && as->nchapters) /* FLAC, Ogg Vorbis, Ogg Opus */
		rc = write_tags(as, title, 0, 1, total, err);
	return rc;
}

static int json_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		   const struct bb_audio_facts *a, struct bb_error *err)
{
	return bb_sidecar_json(f, sc, v, a, err);
}

static int vtt_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		  const struct bb_audio_facts *a, struct bb_error *err)
{
	(void)v;
	return bb_sidecar_vtt(f, sc, a, err);
}

static int srt_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		  const struct bb_audio_facts *a, struct bb_error *err)
{
	(void)v;
	return bb_sidecar_srt(f, sc, a, err);
}

static int html_fn(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		   const struct bb_audio_facts *a, struct bb_error *err)
{
	(void)v;
	return bb_sidecar_html(f, sc, a, err);
}


/* The EPUB's audio is MP3: the audio file itself when it is one, else the same programme
 * written again as MP3 into a temporary of its own. */
static int epub_audio(struct bb_assembler *as, struct gain_plan g, struct bb_audio_facts *a,
		      uint64_t total, struct bb_error *err)
{
	if ((as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
		a->mp3_path = as->tmp_path[0];
		return BB_OK;
	}
	const struct bb_output_type *keep = as->fmt;
	char *audio_tmp = as->tmp_path[0];
	struct bb_audio_facts copy = *a;
	as->fmt = format_find("mp3");
	as->tmp_path[0] = NULL;
	int rc = write_audio(as, g, &copy, total, 0, err);
	as->mp3_tmp = as->tmp_path[0];
	as->tmp_path[0] = audio_tmp;
	as->fmt = keep;
	a->mp3_path = as->mp3_tmp;
	return rc;
}

static int write_sidecar(struct bb_assembler *as, int k, const struct bb_audio_facts *a,
			 struct bb_error *err)
{
	int fd = bb_temp_create(as->side_path[k], &as->tmp_path[1 + k]);
	if (fd < 0)
		return cant_create(err, as->side_path[k], errno);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	int rc = outputs[k].write(f, as->sc, &as->voice, a, err);
	if (fclose(f) != 0 && !rc)
		rc = bb_fail(err, BB_EIO, "%s: write error: %s", as->side_path[k], strerror(errno));
	return rc;
}

/* Whether sentence i starts one of the article's chapters in mode (enum bb_chapters); headed:
 * the article has headings (else its headings' chapters are its paragraphs). */
static int starts_chapter(const struct bb_script *sc, size_t i, int mode, int headed)
{
	const struct bb_sentence *s = &sc->sentences[i];
	if (i == 0 || mode == BB_CHAPTERS_SENTENCE)
		return 1;
	if (s->paragraph == sc->sentences[i - 1].paragraph)
		return 0;
	return mode == BB_CHAPTERS_PARAGRAPH || !headed || s->kind == BB_TITLE || s->kind == BB_HEADING;
}

/* The article's chapters (as->chapter_mode) as the output's, when none were set: each labelled
 * with its first sentence's original text, a title's or heading's with all of its sentences
 * (a heading cut in two is one chapter). Returns 0, or -1 when out of memory. */
static int make_chapters(struct bb_assembler *as)
{
	const struct bb_script *sc = as->sc;
	int headed = 0;
	size_t n = 0;
	for (size_t i = 0; i < sc->n; i++)
		headed |= sc->sentences[i].kind == BB_HEADING;
	for (size_t i = 0; i < sc->n; i++)
		n += starts_chapter(sc, i, as->chapter_mode, headed);
	as->own_chapters = calloc(n ? n : 1, sizeof *as->own_chapters);
	if (!as->own_chapters)
		return -1;
	for (size_t i = 0; i < sc->n; i++) {
		if (!starts_chapter(sc, i, as->chapter_mode, headed))
			continue;
		char *label = bb_sidecar_sentence_text(sc, i);
		enum bb_kind kind = sc->sentences[i].kind;
		for (size_t k = i + 1; label && (kind == BB_TITLE || kind == BB_HEADING) && k < sc->n &&
		     sc->sentences[k].paragraph == sc->sentences[i].paragraph &&
		     !starts_chapter(sc, k, as->chapter_mode, headed); k++) {
			char *more = bb_sidecar_sentence_text(sc, k);
			char *both = more ? str_cat(label, strlen(label), more) : NULL;
			free(more);
			free(label);
			label = both;
		}
		if (!label)
			return -1;
		as->own_chapters[as->nown++] = (struct bb_chapter){i, label};
	}
	as->chapters = as->own_chapters;
	as->nchapters = as->nown;
	return 0;
}

int bb_assemble_finish(struct bb_assembler *as, struct bb_error *err)
{
	if (as->finished)
		return bb_fail(err, BB_ESOFTWARE, "bb_assemble_finish called twice");
	int rc = queue_push(as, err);
	worker_stop(as);
	if (rc)
		return rc;
	if (as->werr.code)
		return bb_fail(err, as->werr.code, "%s", as->werr.msg);

	/* Sentences that never came sit, empty, where they would have been. */
	uint64_t last = (uint64_t)as->voice.edge_silence_ms * (uint64_t)as->rate_out / 1000;
	for (size_t i = 0; i < as->sc->n; i++) {
		if (as->seg_start[i] == UINT64_MAX)
			as->seg_start[i] = last;
		last = as->seg_start[i] + as->seg_len[i];
	}
	uint64_t total = as->pos + (uint64_t)as->voice.edge_silence_ms * (uint64_t)as->rate_out / 1000;

	struct bb_audio_facts a = {0};
	a.format = as->fmt->name;
	a.sample_rate = as->rate_out;
	a.duration = (double)total / as->rate_out;
	a.input_integrated = -HUGE_VAL;
	a.range = 0;
	struct programme_loudness pl;
	if (gate_loudness(as->loud, as->nloud, &pl, 10))
		return bb_fail(err, BB_ENOMEM, "out of memory");
	a.input_integrated = pl.integrated;
	a.range = pl.range;
	struct gain_plan g = plan_gain(as, &a);
	if (g.threshold > 0) {
		/* the limiter shaves some loudness: estimate it from a dry run over the sentences
		 * it acts on and make it up, again at the new gain until it is within 0.05 LU */
		if (fflush(as->raw) != 0)
			return bb_fail(err, BB_EIO, "%s: cannot read temporary audio", as->path);
		struct programme_loudness limited = pl; /* in the units of pl: before the gain */
		double want = a.integrated, loss = limiter_loss(as, g, a.input_integrated, &limited);
		double prev_gain = 0, prev_short = 0; /* the round before: its gain and shortfall */
		for (int round = 0; round < LIMIT_ROUNDS; round++) {
			double short_db = want - (a.input_integrated + a.gain_db + loss);
			if (fabs(short_db) < 0.05)
				break;
			/* a dB of gain adds less than a dB of loudness where the limiter acts: after
			 * the first round, step by the slope the last two rounds measured */
			double slope = round ? (prev_short - short_db) / (a.gain_db - prev_gain) : 1;
			double more = short_db / (slope > 0.1 && slope < 1.5 ? slope : 1);
			if (a.gain_db + more > a.target - a.input_integrated + LIMIT_MAX_DB)
				break;
			prev_gain = a.gain_db;
			prev_short = short_db;
			a.gain_db += more;
			g.gain = db_to_lin(a.gain_db);
			loss = limiter_loss(as, g, a.input_integrated, &limited);
		}
		a.integrated = a.input_integrated + a.gain_db + loss; /* the loss at this very gain */
		as->limit_deepest = 1.0f;
		as->out_peak = 0;
		/* the output pass measures the limited peaks again, and meters the loudness it
		 * writes: the dry run's loudest 400 ms and 3 s and range stand until then */
		pl.max_momentary = limited.max_momentary;
		pl.max_short_term = limited.max_short_term;
		pl.range = limited.range;
		a.range = pl.range;
	}
	if ((as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG && isfinite(a.integrated)) {
		/* LAME takes some loudness off (about 0.4 LU of this speech at 96-128 kbit/s): made
		 * up by scaling the whole output, the limiter's threshold with it (the limiter is
		 * scale-invariant, so it takes off the same), within the peaks' margin; its ringing
		 * adds to the true peak (some 0.5 dB): the limiter's threshold stays that far under
		 * the ceiling's margins (0.1 dB for the peaks between samples), and without the
		 * limiter the room for the gain shrinks by it */
		if (fflush(as->raw) != 0)
			return bb_fail(err, BB_EIO, "%s: cannot read temporary audio", as->path);
		double over, loss = mp3_loss(as, g, &over);
		double room = g.threshold > 0 ? LIMIT_MARGIN_DB - 0.1 : a.ceiling - a.true_peak - over;
		double comp = fmax(-1.0, fmin(loss, room));
		g.gain *= db_to_lin(comp);
		if (g.threshold > 0)
			g.threshold *= db_to_lin(fmin(comp, LIMIT_MARGIN_DB - TP_MARGIN_DB - 0.1 - over));
		a.gain_db += comp;
		a.true_peak += comp;
		as->enc_comp_db = comp;
	}
	/* estimates, on the sentences' own 100 ms grids: the output pass meters what it writes
	 * on the file's grid and puts the readings in their place */
	a.max_momentary = pl.max_momentary + a.gain_db - as->enc_comp_db;
	a.max_short_term = pl.max_short_term + a.gain_db - as->enc_comp_db;

	double *times = malloc((as->sc->n ? as->sc->n : 1) * 2 * sizeof(double));
	if (!times)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	double *start = times, *end = times + as->sc->n;
	for (size_t i = 0; i < as->sc->n; i++) {
		start[i] = (double)as->seg_start[i] / as->rate_out;
		end[i] = (double)(as->seg_start[i] + as->seg_len[i]) / as->rate_out;
	}
	a.start = start;
	a.end = end;
	const char *slash = strrchr(as->path, '/');
	a.audio_name = slash ? slash + 1 : as->path;
	double *word_time = malloc((as->nwordf ? as->nwordf : 1) * sizeof(double));
	if (!word_time) {
		free(times);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < as->sc->n; i++)
		for (size_t k = as->word_first[i]; k < as->word_first[i] + as->word_count[i]; k++)
			word_time[k] = as->wordf[k] == BB_NO_WORD ? NAN
				     : (double)(as->seg_start[i] + as->wordf[k]) / as->rate_out;
	a.word_time = word_time;
	a.word_first = as->word_first;
	a.word_count = as->word_count;

	if (!as->chapters && make_chapters(as)) {
		free(times);
		free(word_time);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	rc = write_audio(as, g, &a, total, 1, err);
	if (!rc && as->side_path[SC_EPUB])
		rc = epub_audio(as, g, &a, total, err);
	for (int k = 0; !rc && k < SC_COUNT; k++)
		if (as->side_path[k])
			rc = write_sidecar(as, k, &a, err);
	free(times);
	if (as->mp3_tmp) {
		bb_temp_unlink(as->mp3_tmp);
		free(as->mp3_tmp);
		as->mp3_tmp = NULL;
	}
	free(word_time);
	if (rc)
		return rc;

	/* Checked again: the targets may have changed while the article was spoken. */
	if ((rc = check_targets(as, err)) != BB_OK)
		return rc;
	/* Sidecars first, the audio last: a watcher of the folder sees the audio complete. */
	for (int k = 0; k < SC_COUNT; k++) {
		if (!as->tmp_path[1 + k])
			continue;
		if (bb_temp_rename(as->tmp_path[1 + k], as->side_path[k]) != 0)
			return cant_create(err, as->side_path[k], errno);
		free(as->tmp_path[1 + k]);
		as->tmp_path[1 + k] = NULL;
	}
	if (bb_temp_rename(as->tmp_path[0], as->path) != 0)
		return cant_create(err, as->path, errno);
	free(as->tmp_path[0]);
	as->tmp_path[0] = NULL;
	as->finished = 1;
	return BB_OK;
}

void bb_assemble_close(struct bb_assembler *as)
{
	if (!as)
		return;
	worker_stop(as);
	for (size_t i = 0; i < as->qlen; i++) {
		free(as->queue[(as->qhead + i) % QUEUE_MAX].pcm);
		free(as->queue[(as->qhead + i) % QUEUE_MAX].words);
		bb_segment_free(&as->queue[(as->qhead + i) % QUEUE_MAX].seg);
	}
	for (int k = 0; k <= SC_COUNT; k++) {
		if (as->tmp_path[k])
			bb_temp_unlink(as->tmp_path[k]);
		free(as->tmp_path[k]);
	}
	for (int k = 0; k < SC_COUNT; k++)
		free(as->side_path[k]);
	if (as->mp3_tmp)
		bb_temp_unlink(as->mp3_tmp);
	free(as->mp3_tmp);
	for (size_t i = 0; as->seg_fd && i < as->sc->n; i++)
		if (as->seg_fd[i] >= 0 && (!as->raw || as->seg_fd[i] != fileno(as->raw)))
			close(as->seg_fd[i]); /* a cache entry */
	if (as->raw)
		fclose(as->raw);
	if (as->soxr)
		soxr_delete(as->soxr);
	bb_segment_free(&as->made);
	free(as->bpk);
	pthread_mutex_destroy(&as->mu);
	pthread_cond_destroy(&as->cv);
	free(as->cur.pcm);
	free(as->cur.words);
	free(as->word_first);
	free(as->word_count);
	free(as->wordf);
	free(as->seg_start);
	free(as->seg_len);
	free(as->seg_max);
	free(as->seg_loud);
	free(as->seg_fd);
	free(as->seg_at);
	free(as->loud);
	free(as->sbuf);
	free(as->fbuf);
	free(as->fenv);
	free(as->fh);
	for (size_t i = 0; i < as->nown; i++)
		free((char *)as->own_chapters[i].label);
	free(as->own_chapters);
	free(as->path);
	free(as);
}

void bb_assemble_set_chapters(struct bb_assembler *as, const struct bb_chapter *chapters,
			      size_t n)
{
	as->chapters = chapters;
	as->nchapters = chapters ? n : 0;
}

int bb_parse_chapters(const char *s)
{
	static const char *const names[] = {"heading", "paragraph", "sentence"};
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, names[i]))
			return i; /* enum bb_chapters */
	return -1;
}

int bb_assemble_flush(struct bb_assembler *as, struct bb_error *err)
{
	if (as->finished)
		return bb_fail(err, BB_ESOFTWARE, "bb_assemble_flush: bad call");
	return queue_push(as, err);
}

int bb_assemble_span(const struct bb_assembler *as, size_t i, double *start, double *end)
{
	if (!as->finished || i >= as->sc->n)
		return -1;
	*start = (double)as->seg_start[i] / as->rate_out;
	*end = (double)(as->seg_start[i] + as->seg_len[i]) / as->rate_out;
	return 0;
}

#define CLIP_MAX_S 3600 /* the longest intro, sting or outro */

/* The mono float samples of an audio file (channels averaged) into *out, *n at *rate. */
static int read_clip(const char *path, float **out, size_t *n, int *rate, struct bb_error *err)
{
	SF_INFO info = {0};
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	if (!sf)
		return bb_fail(err, BB_EDATA, "%s: not an audio file bobao can read (%s)", path,
			       sf_strerror(NULL));
	float *mono = NULL, *frame = NULL;
	int rc = BB_OK;
	if (info.channels < 1 || info.samplerate < 1000 || info.samplerate > 384000 ||
	    info.frames < 0 || info.frames > (sf_count_t)info.samplerate * CLIP_MAX_S)
		rc = bb_fail(err, BB_EDATA, "%s: audio longer than %d s or of an odd shape", path,
			     CLIP_MAX_S);
	size_t cap = rc ? 0 : (size_t)info.frames + 1, got = 0;
	if (!rc && (!(mono = malloc(cap * sizeof *mono)) ||
		    !(frame = malloc(4096 * (size_t)info.channels * sizeof *frame))))
		rc = bb_fail(err, BB_ENOMEM, "out of memory");
	while (!rc && got < cap) {
		sf_count_t want = cap - got < 4096 ? (sf_count_t)(cap - got) : 4096;
		sf_count_t k = sf_readf_float(sf, frame, want);
		if (k <= 0)
			break;
		for (sf_count_t t = 0; t < k; t++) {
			float sum = 0;
			for (int c = 0; c < info.channels; c++)
				sum += frame[t * info.channels + c];
			mono[got++] = sum / (float)info.channels;
		}
	}
	if (!rc && sf_error(sf))
		rc = bb_fail(err, BB_EDATA, "%s: %s", path, sf_strerror(sf));
	sf_close(sf);
	free(frame);
	if (rc) {
		free(mono);
		return rc;
	}
	*out = mono;
	*n = got;
	*rate = info.samplerate;
	return BB_OK;
}

int bb_assemble_clip(struct bb_segment *seg, const char *path, int rate, struct bb_error *err)
{
	memset(seg, 0, sizeof *seg);
	struct stat st;
	if (stat(path, &st) != 0)
		return bb_fail(err, BB_ENOINPUT, "%s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		return bb_fail(err, BB_ENOINPUT, "%s: is a folder, not an audio file", path);
	if (rate < 1000 || rate > 48000)
		return bb_fail(err, BB_ESOFTWARE, "clip at %d Hz", rate);
	float *x = NULL;
	size_t n = 0;
	int in_rate = 0;
	int rc = read_clip(path, &x, &n, &in_rate, err);
	if (rc)
		return rc;
	size_t want = (size_t)((double)n * rate / in_rate) + 256;
	struct bb_assembler *tp = calloc(1, sizeof *tp); /* for the true-peak coefficients */
	int *bpk = NULL;
	if (!tp || grow((void **)&seg->audio, &seg->cap, want, sizeof(int16_t)))
		rc = bb_fail(err, BB_ENOMEM, "out of memory");
	if (!rc && in_rate == rate) {
		for (size_t i = 0; i < n; i++) {
			float v = x[i] * (float)(32768.0 * STORE_SCALE);
			seg->audio[i] = (int16_t)lrintf(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
		}
		seg->n = n;
	} else if (!rc && n) {
		soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
		soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_INT16_I);
		io.scale = STORE_SCALE;
		io.flags |= SOXR_NO_DITHER;
		size_t odone = 0;
		soxr_error_t e = soxr_oneshot(in_rate, rate, 1, x, n, NULL, seg->audio, seg->cap,
					      &odone, &io, &q, NULL);
		if (e)
			rc = bb_fail(err, BB_ESOFTWARE, "%s: resampler: %s", path, e);
		seg->n = odone;
	}
	free(x);
	seg->rate = rate;
	if (!rc && measure_loudness(rate, seg->audio, seg->n, seg))
		rc = bb_fail(err, BB_ESOFTWARE, "%s: loudness meter failed", path);
	/* measured at STORE_SCALE: the mean squares of the audio at full scale */
	for (size_t b = 0; !rc && b < seg->nloud; b++)
		seg->loudness[b] *= (float)(1.0 / (STORE_SCALE * STORE_SCALE));
	if (!rc && !(bpk = malloc((seg->n / TP_BLOCK + 1) * sizeof *bpk)))
		rc = bb_fail(err, BB_ENOMEM, "out of memory");
	if (!rc) {
		tp_init(tp);
		block_peaks(seg->audio, seg->n, bpk);
		for (size_t k = 0; k < (seg->n + TP_BLOCK - 1) / TP_BLOCK; k++)
			seg->sample_peak = bpk[k] > seg->sample_peak ? bpk[k] : seg->sample_peak;
		seg->true_peak = tp_scan_s16(tp, seg->audio, seg->n, bpk, seg->sample_peak);
	}
	free(bpk);
	free(tp);
	if (rc)
		bb_segment_free(seg);
	return rc;
}
