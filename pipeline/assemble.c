/* assemble: sentences' speech -> one broadcast-ready file (trim, resample, loudness, BWF, sidecars). SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two passes, bounded memory, little work per sample (the budget is a fifth of eSpeak's own
 * time). While the synthesizer runs, a worker thread takes each sentence, trims eSpeak's own
 * near-silence and fades its edges (in int16), feeds it to libebur128 in one call at the
 * synthesizer's rate (integrated loudness and range only), resamples it alone with libsoxr
 * (int16 in, int16 out at half scale for headroom) and appends it to an unlinked temporary
 * file, noting its sample peak and checking for true peaks only near the running peak.
 * Pauses are counts, not samples: exact digital silence, and the meter skips whole 100 ms
 * blocks of them once they can no longer touch a gating block. finish() picks the one gain
 * (with a linear-time look-ahead limiter on the sentences that need it), then streams the
 * temporary file through it into the output (libsndfile) and writes the sidecars.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ebur128.h>
#include <sndfile.h>
#include <soxr.h>

#include "bobao.h"
#include "sidecar.h"

#define TRIM_LEVEL 96        /* int16: below about -51 dBFS counts as eSpeak's near-silence */
#define TRIM_KEEP_MS 12      /* kept before the first and after the last loud sample */
#define FADE_MS 6            /* raised-cosine fade at both ends of each sentence */
#define QUEUE_MAX 6          /* sentences waiting for the worker */
#define CHUNK 16384          /* frames per read/write in the output pass */
#define TP_MARGIN_DB 0.3     /* kept under the ceiling for what the estimate may miss */
#define LIMIT_MARGIN_DB 0.6  /* the limiter works on samples; inter-sample peaks need room */
#define LIMIT_MAX_DB 6.0     /* the most the limiter may take off the peaks */
#define TP_TAPS 12           /* taps per phase of the 4x true-peak interpolator */
#define TP_BLOCK 64
#define TP_NEAR 1.585f       /* blocks whose sample peak is 4 dB under the running peak are skipped */
#define STORE_SCALE 0.5      /* resampled speech is kept as int16 at half scale: room for overshoot */
#define METER_SKIP_MS 500    /* silence the meter is fed before whole blocks are skipped */

/* Output formats: name, libsndfile format, written as int16 (else float). */
static const struct format {
	const char *name;
	int sf;
	int pcm16;
} formats[] = {
	{"wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1},
	{"flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 1},
	{"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0},
	{"oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0},
	{"opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 0},
	{"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0},
};

/* Rates each codec takes; 0 ends a list. An empty list takes any rate. */
static const int opus_rates[] = {8000, 12000, 16000, 24000, 48000, 0};
static const int mp3_rates[] = {8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 0};

struct job {
	size_t index;
	int16_t *pcm;
	size_t n;
	int pause_ms;
};

enum sidecar_kind { SC_JSON, SC_VTT, SC_SRT, SC_COUNT };
static const char *const sidecar_ext[SC_COUNT] = {".json", ".vtt", ".srt"};

struct bb_assembler {
	const struct bb_script *sc;
	struct bb_voice voice;
	const struct format *fmt;
	char *path;                 /* final audio path */
	char *side_path[SC_COUNT];  /* final sidecar paths, NULL when not wanted */
	char *tmp_path[1 + SC_COUNT]; /* temporaries under construction (audio, sidecars) */
	int rate_in, rate_out;
	int finished;

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

	/* worker state */
	soxr_t soxr;
	ebur128_state *meter;
	FILE *raw;                  /* unlinked temporary: resampled speech, int16 at STORE_SCALE */
	uint64_t pos;               /* output frames so far (speech and pauses) */
	uint64_t pending_pause;     /* frames of silence owed after the last sentence */
	uint64_t *seg_start, *seg_len; /* per sentence, output frames */
	int *seg_max;               /* per sentence, sample peak of the stored speech */
	uint64_t quiet;             /* silent frames fed to the meter since the last sound */
	int16_t *sbuf;              /* one sentence, resampled (worker) or read back (finish) */
	size_t sbuf_cap;
	float *fbuf, *fenv;         /* finish: one sentence in float and the limiter's envelope */
	size_t fbuf_cap, fenv_cap;
	float *fh;                  /* finish: the limiter's sliding-maximum scratch */
	size_t fh_cap;
	double peak;                /* true peak of the stored speech, in int16 units */
	double out_peak;            /* finish, with the limiter: true peak of the output, linear */
	float limit_deepest;        /* the limiter's deepest gain, linear */
	float tp_coef[3][TP_TAPS];
};

/* ---- small helpers -------------------------------------------------------------------- */

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

static const struct format *format_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof formats / sizeof formats[0]; i++)
		if (!strcasecmp(formats[i].name, name))
			return &formats[i];
	return NULL;
}

static int rate_in_list(int rate, const int *list)
{
	for (; *list; list++)
		if (*list == rate)
			return 1;
	return 0;
}

/* The rate the codec will take: the preset's, or 48000 when the codec refuses it. */
static int codec_rate(const struct format *f, int want)
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

/* Creates "DIR/.BASE.XXXXXX" next to final; returns its fd and path, or -1 with errno. */
static int temp_create(const char *final, char **tmp)
{
	const char *slash = strrchr(final, '/');
	size_t dirlen = slash ? (size_t)(slash - final) + 1 : 0;
	const char *base = final + dirlen;
	size_t n = dirlen + strlen(base) + 16;
	char *t = malloc(n);
	if (!t) {
		errno = ENOMEM;
		return -1;
	}
	snprintf(t, n, "%.*s.%s.XXXXXX", (int)dirlen, final, base);
	int fd = mkstemp(t);
	if (fd < 0) {
		int e = errno;
		free(t);
		errno = e;
		return -1;
	}
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0) {
		/* not fatal: the file stays private */
	}
	*tmp = t;
	return fd;
}

/* The folder is named: the CLI puts the output path in front already. */
static int cant_create(struct bb_error *err, const char *path, int e)
{
	const char *slash = strrchr(path, '/');
	int dirlen = slash ? (int)(slash - path) : 1;
	return bb_fail(err, BB_ECANTCREAT, "cannot create a file in folder %.*s: %s", dirlen,
		       slash ? (slash == path ? "/" : path) : ".", strerror(e));
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

/* Raises peak to the loudest of the 3 points between x[i] and x[i+1] (4x oversampling). */
#define TP_INTERP(x, i, n, coef, peak)                                                      \
	do {                                                                                \
		for (int p_ = 0; p_ < 3; p_++) {                                            \
			float y_ = 0;                                                       \
			for (int k_ = 0; k_ < TP_TAPS; k_++) {                              \
				ptrdiff_t j_ = (ptrdiff_t)(i) - (TP_TAPS / 2 - 1) + k_;     \
				if (j_ >= 0 && (size_t)j_ < (n))                            \
					y_ += (coef)[p_][k_] * (float)(x)[j_];              \
			}                                                                   \
			y_ = fabsf(y_);                                                     \
			if (y_ > (peak))                                                    \
				(peak) = y_;                                                \
		}                                                                           \
	} while (0)

/* Raises *peak to the true peak of the int16 x (surrounded by silence); returns its sample
 * peak. Blocks whose sample peak is more than 4 dB under the running peak cannot hold it and
 * are skipped, so only the few blocks near the loudest peaks are interpolated. */
static int tp_scan_s16(const struct bb_assembler *as, const int16_t *x, size_t n, double *peak)
{
	float pk = (float)*peak;
	int smax = 0;
	for (size_t b = 0; b < n; b += TP_BLOCK) {
		size_t e = b + TP_BLOCK < n ? b + TP_BLOCK : n;
		int sp = 0;
		for (size_t i = b; i < e; i++) {
			int v = x[i] < 0 ? -x[i] : x[i];
			sp = v > sp ? v : sp;
		}
		smax = sp > smax ? sp : smax;
		if ((float)sp > pk)
			pk = (float)sp;
		if ((float)sp * TP_NEAR < pk)
			continue;
		for (size_t i = b; i < e; i++)
			TP_INTERP(x, i, n, as->tp_coef, pk);
	}
	*peak = pk;
	return smax;
}

/* The same over float samples (the limited output). */
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
		for (size_t i = b; i < e; i++)
			TP_INTERP(x, i, n, as->tp_coef, pk);
	}
	*peak = pk;
}

/* ---- the worker: one sentence at a time ---------------------------------------------- */

/* Feeds n frames of int16 speech to the meter in one call. */
static int meter_speech(struct bb_assembler *as, const int16_t *x, size_t n)
{
	if (!n)
		return 0;
	as->quiet = 0;
	return ebur128_add_frames_short(as->meter, x, n) == EBUR128_SUCCESS ? 0 : -1;
}

/* Feeds n frames of digital silence. Once METER_SKIP_MS of it has gone in, every 400 ms
 * gating block that holds speech is complete and the filter has rung out: further whole
 * 100 ms blocks of silence would only add blocks under the absolute gate, so they are
 * skipped (keeping the block grid; integrated loudness is unchanged, loudness range sees
 * pauses no longer than that). */
static int meter_silence(struct bb_assembler *as, size_t n)
{
	static const short zeros[4096];
	size_t block = (size_t)as->rate_in / 10;
	size_t lead = (size_t)as->rate_in * METER_SKIP_MS / 1000;
	while (n) {
		if (as->quiet >= lead && n >= block) {
			n %= block; /* skipped: whole blocks */
			continue;
		}
		size_t k = n < sizeof zeros / sizeof zeros[0] ? n : sizeof zeros / sizeof zeros[0];
		if (as->quiet < lead && k > lead - as->quiet)
			k = (size_t)(lead - as->quiet);
		if (ebur128_add_frames_short(as->meter, zeros, k) != EBUR128_SUCCESS)
			return -1;
		as->quiet += k;
		n -= k;
	}
	return 0;
}

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

/* Resamples x[0..n) into as->sbuf (int16 at STORE_SCALE); returns the frame count, or -1. */
static long resample(struct bb_assembler *as, const int16_t *x, size_t n)
{
	if (as->rate_in == as->rate_out) {
		for (size_t i = 0; i < n; i++)
			as->sbuf[i] = (int16_t)(x[i] / 2); /* STORE_SCALE */
		return (long)n;
	}
	size_t done = 0, used = 0;
	for (;;) {
		size_t idone = 0, odone = 0;
		const int16_t *in = used < n ? x + used : NULL;
		soxr_error_t e = soxr_process(as->soxr, in, in ? n - used : 0, &idone,
					      as->sbuf + done, as->sbuf_cap - done, &odone);
		if (e)
			return -1;
		used += idone;
		done += odone;
		if (!in && odone == 0)
			break;
		if (done == as->sbuf_cap &&
		    grow((void **)&as->sbuf, &as->sbuf_cap, done + 4096, sizeof(int16_t)))
			return -1;
	}
	soxr_clear(as->soxr);
	return (long)done;
}

static int process_sentence(struct bb_assembler *as, struct job *j)
{
	size_t a, b;
	if (j->index >= as->sc->n)
		return bb_fail(&as->werr, BB_ESOFTWARE, "sentence %zu of %zu", j->index, as->sc->n);
	trim_span(j->pcm, j->n, as->rate_in, &a, &b);
	size_t n = b - a;
	int16_t *x = j->pcm + a;
	fade_edges(x, n, as->rate_in);

	if (meter_speech(as, x, n) ||
	    meter_silence(as, (size_t)j->pause_ms * (size_t)as->rate_in / 1000))
		return bb_fail(&as->werr, BB_ESOFTWARE, "loudness meter failed");

	size_t want = (size_t)((double)n * as->rate_out / as->rate_in) + 256;
	if (grow((void **)&as->sbuf, &as->sbuf_cap, want, sizeof(int16_t)))
		return bb_fail(&as->werr, BB_ENOMEM, "out of memory for %zu samples", want);
	long m = n ? resample(as, x, n) : 0;
	if (m < 0)
		return bb_fail(&as->werr, BB_ESOFTWARE, "resampling failed");
	int smax = tp_scan_s16(as, as->sbuf, (size_t)m, &as->peak);
	if (m && fwrite(as->sbuf, sizeof(int16_t), (size_t)m, as->raw) != (size_t)m)
		return bb_fail(&as->werr, BB_EIO, "%s: cannot write temporary audio: %s",
			       as->path, strerror(errno));

	if (as->seg_start[j->index] == UINT64_MAX) {
		as->pos += as->pending_pause;
		as->seg_start[j->index] = as->pos;
		as->seg_len[j->index] = 0;
		as->pending_pause = 0;
	}
	as->seg_len[j->index] += (uint64_t)m;
	if (smax > as->seg_max[j->index])
		as->seg_max[j->index] = smax;
	as->pos += (uint64_t)m;
	as->pending_pause += (uint64_t)j->pause_ms * (uint64_t)as->rate_out / 1000;
	return 0;
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
			process_sentence(as, &j);
		free(j.pcm);
	}
	return NULL;
}

/* Hands the collected sentence to the worker (waits while the queue is full). */
static int queue_push(struct bb_assembler *as, struct bb_error *err)
{
	if (!as->have_cur)
		return BB_OK;
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
		     const struct bb_voice *v, const struct bb_script *sc, struct bb_error *err)
{
	*asp = NULL;
	const char *fname = out->format ? out->format : path_ext(out->path);
	const struct format *f = format_find(fname);
	if (!f)
		return bb_fail(err, BB_EUSAGE, "%s: unknown output format \"%s\" (wav, flac, ogg, opus, mp3)",
			       out->path, fname ? fname : "");
	SF_INFO probe = {.samplerate = codec_rate(f, v->sample_rate), .channels = 1, .format = f->sf};
	if (!sf_format_check(&probe))
		return bb_fail(err, BB_EUSAGE, "%s: this libsndfile cannot write %s at %d Hz",
			       out->path, f->name, probe.samplerate);

	struct bb_assembler *as = calloc(1, sizeof *as);
	if (!as)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	as->sc = sc;
	as->voice = *v;
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
	const int want[SC_COUNT] = {out->json, out->vtt, out->srt};
	for (int k = 0; k < SC_COUNT; k++)
		if (want[k] && !(as->side_path[k] = str_cat(out->path, stem, sidecar_ext[k])))
			return bb_fail(err, BB_ENOMEM, "out of memory");

	size_t n = sc->n ? sc->n : 1;
	as->seg_start = malloc(n * sizeof *as->seg_start);
	as->seg_len = calloc(n, sizeof *as->seg_len);
	as->seg_max = calloc(n, sizeof *as->seg_max);
	if (!as->seg_start || !as->seg_len || !as->seg_max)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		as->seg_start[i] = UINT64_MAX;
	as->pos = (uint64_t)v->edge_silence_ms * (uint64_t)as->rate_out / 1000;

	/* The temporary speech file, in the target folder: proves it is writable, and is
	 * unlinked at once so that nothing is left behind whatever happens. */
	char *tmp = NULL;
	int fd = temp_create(out->path, &tmp);
	if (fd < 0)
		return cant_create(err, out->path, errno);
	unlink(tmp);
	free(tmp);
	as->raw = fdopen(fd, "w+b");
	if (!as->raw) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	if (pthread_create(&as->worker, NULL, worker_main, as) != 0)
		return bb_fail(err, BB_ESOFTWARE, "cannot start the assemble thread");
	as->worker_running = 1;
	return BB_OK;
}

/* Sets up the rate-dependent parts on the first call. */
static int start_rate(struct bb_assembler *as, int rate, struct bb_error *err)
{
	as->rate_in = rate;
	/* only what is reported: momentary and short-term maxima would cost more than the
	 * whole meter (bext says "not set" for them) */
	as->meter = ebur128_init(1, (unsigned long)rate, EBUR128_MODE_I | EBUR128_MODE_LRA);
	if (!as->meter)
		return bb_fail(err, BB_ENOMEM, "cannot start the loudness meter");
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

static void fill_bext(SF_BROADCAST_INFO *bi, struct bb_assembler *as, const char *title,
		      const struct bb_audio_facts *a)
{
	memset(bi, 0, sizeof *bi);
	/* Description: the title, cut at a character boundary. */
	size_t n = strlen(title);
	if (n >= sizeof bi->description) {
		n = sizeof bi->description - 1;
		while (n && ((unsigned char)title[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(bi->description, title, n);
	snprintf(bi->originator, sizeof bi->originator, "bobao %s", BOBAO_VERSION);
	snprintf(bi->originator_reference, sizeof bi->originator_reference, "bobao-%.24s",
		 as->voice.name);
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
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
	/* not measured: they would cost more than the whole meter */
	bi->max_momentary_loudness = 0x7fff;
	bi->max_shortterm_loudness = 0x7fff;
	int hn = snprintf(bi->coding_history, sizeof bi->coding_history,
			  "A=PCM,F=%d,W=16,M=mono,T=bobao %s eSpeak NG %s\r\n", as->rate_out,
			  BOBAO_VERSION, as->voice.espeak_voice);
	if (hn < 0)
		hn = 0;
	if ((size_t)hn >= sizeof bi->coding_history)
		hn = (int)sizeof bi->coding_history - 1;
	bi->coding_history_size = (uint32_t)hn;
}

typedef SF_CUES_VAR(1) cues_one;

/* One cue point per sentence, at its first sample. */
static int set_cues(SNDFILE *sf, struct bb_assembler *as)
{
	size_t n = as->sc->n;
	if (!n)
		return 0;
	size_t sz = offsetof(cues_one, cue_points) + n * sizeof(SF_CUE_POINT);
	cues_one *c = calloc(1, sz);
	if (!c)
		return -1;
	c->cue_count = (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		SF_CUE_POINT *p = &c->cue_points[i];
		p->indx = (int32_t)(i + 1);
		p->position = (uint32_t)as->seg_start[i];
		p->fcc_chunk = 0x61746164; /* "data" */
		p->sample_offset = (uint32_t)as->seg_start[i];
		snprintf(p->name, sizeof p->name, "%zu", i + 1);
	}
	int ok = sf_command(sf, SFC_SET_CUE, c, (int)sz) == SF_TRUE;
	free(c);
	return ok ? 0 : -1;
}

static void set_tags(SNDFILE *sf, struct bb_assembler *as, const char *title)
{
	char date[16], artist[96];
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d", &tm);
	snprintf(artist, sizeof artist, "bobao (%s)", as->voice.name);
	if (*title)
		sf_set_string(sf, SF_STR_TITLE, title);
	sf_set_string(sf, SF_STR_ARTIST, artist);
	sf_set_string(sf, SF_STR_DATE, date);
	sf_set_string(sf, SF_STR_SOFTWARE, "bobao " BOBAO_VERSION);
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

/* Reads sentence i's stored speech (at file offset off, in frames) into as->sbuf. */
static int read_stored(struct bb_assembler *as, size_t i, uint64_t off)
{
	size_t n = (size_t)as->seg_len[i], bytes = n * sizeof(int16_t), got = 0;
	if (grow((void **)&as->sbuf, &as->sbuf_cap, n + 1, sizeof(int16_t)))
		return -1;
	char *p = (char *)as->sbuf;
	while (got < bytes) {
		ssize_t k = pread(fileno(as->raw), p + got, bytes - got,
				  (off_t)(off * sizeof(int16_t) + got));
		if (k <= 0) {
			if (k < 0 && errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

/* Sentence i (already in as->sbuf) in float through the gain and the limiter, into
 * as->fbuf; adds its energy before and after to e[2] when e is not NULL. */
static int limit_segment(struct bb_assembler *as, size_t i, struct gain_plan g, double *e)
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
	double before = 0, after = 0;
	if (e)
		for (size_t t = 0; t < n; t++)
			before += (double)y[t] * y[t];
	float deepest = limit(y, as->fenv, as->fh, n, (float)g.threshold, as->rate_out);
	if (e) {
		for (size_t t = 0; t < n; t++)
			after += (double)y[t] * y[t];
		e[0] += before;
		e[1] += after;
	}
	if (deepest < as->limit_deepest)
		as->limit_deepest = deepest;
	return 0;
}

/* The loudness the limiter takes off with plan g, in dB (<= 0), from a dry run over the
 * sentences it acts on: their energy lost against the energy of all the speech. */
static double limiter_loss(struct bb_assembler *as, struct gain_plan g, double total_energy)
{
	double e[2] = {0, 0};
	uint64_t off = 0;
	float k = (float)stored_to_out(g);
	for (size_t i = 0; i < as->sc->n; i++) {
		uint64_t len = as->seg_len[i];
		if (len && (float)as->seg_max[i] * k > (float)g.threshold &&
		    (read_stored(as, i, off) || limit_segment(as, i, g, e)))
			return 0;
		off += len;
	}
	double all = total_energy * k * k;
	if (!(all > 0) || e[0] - e[1] >= all)
		return 0;
	return 10.0 * log10((all - (e[0] - e[1])) / all);
}

/* The energy of all the stored speech (int16 units squared). */
static double stored_energy(struct bb_assembler *as)
{
	double sum = 0;
	uint64_t off = 0;
	for (size_t i = 0; i < as->sc->n; i++) {
		size_t n = (size_t)as->seg_len[i];
		if (n && !read_stored(as, i, off)) {
			int64_t s = 0;
			for (size_t t = 0; t < n; t++)
				s += (int32_t)as->sbuf[t] * as->sbuf[t];
			sum += (double)s;
		}
		off += n;
	}
	return sum;
}

/* Sentence i (in as->sbuf) through gain k (stored int16 to output int16), into out. */
static void scale_s16(const int16_t *x, short *out, size_t n, float k)
{
	for (size_t t = 0; t < n; t++) {
		float f = x[t] * k;
		f = f > 32767.0f ? 32767.0f : f < -32768.0f ? -32768.0f : f;
		out[t] = (short)(f + (f >= 0 ? 0.5f : -0.5f));
	}
}

static void float_to_s16(const float *y, short *out, size_t n)
{
	for (size_t t = 0; t < n; t++) {
		float f = y[t] * 32768.0f;
		f = f > 32767.0f ? 32767.0f : f < -32768.0f ? -32768.0f : f;
		out[t] = (short)(f + (f >= 0 ? 0.5f : -0.5f));
	}
}

/* Writes sentence i, read into as->sbuf, through plan g: int16 in place, or float. */
static int write_segment(SNDFILE *sf, struct bb_assembler *as, size_t i, struct gain_plan g)
{
	size_t n = (size_t)as->seg_len[i];
	int pcm16 = as->fmt->pcm16;
	if (g.threshold > 0 || !pcm16) {
		if (limit_segment(as, i, g, NULL))
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

/* Streams the temporary speech through the gain into sf, silence between sentences. */
static int output_pass(SNDFILE *sf, struct bb_assembler *as, struct gain_plan g, uint64_t total)
{
	uint64_t at = 0, off = 0;
	int bad = 0;
	if (fflush(as->raw) != 0)
		return -1;
	for (size_t i = 0; i < as->sc->n && !bad; i++) {
		if (!as->seg_len[i])
			continue;
		write_zeros(sf, as->seg_start[i] - at, &bad);
		if (bad || read_stored(as, i, off) || write_segment(sf, as, i, g))
			return -1;
		off += as->seg_len[i];
		at = as->seg_start[i] + as->seg_len[i];
	}
	if (!bad && total > at)
		write_zeros(sf, total - at, &bad);
	return bad ? -1 : 0;
}

static int write_audio(struct bb_assembler *as, struct gain_plan g, struct bb_audio_facts *a,
		       uint64_t total, struct bb_error *err)
{
	int fd = temp_create(as->path, &as->tmp_path[0]);
	if (fd < 0)
		return cant_create(err, as->path, errno);
	SF_INFO info = {.samplerate = as->rate_out, .channels = 1, .format = as->fmt->sf};
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
	if ((as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV) {
		SF_BROADCAST_INFO bi;
		fill_bext(&bi, as, title, a);
		if (sf_command(sf, SFC_SET_BROADCAST_INFO, &bi, sizeof bi) != SF_TRUE)
			rc = bb_fail(err, BB_ESOFTWARE, "%s: cannot set the bext chunk: %s", as->path,
				     sf_strerror(sf));
		else if (set_cues(sf, as))
			rc = bb_fail(err, BB_ESOFTWARE, "%s: cannot set the cue chunk: %s", as->path,
				     sf_strerror(sf));
	}
	if (!rc && output_pass(sf, as, g, total))
		rc = bb_fail(err, BB_EIO, "%s: write failed: %s", as->path, sf_strerror(sf));
	if (!rc && g.threshold > 0) {
		/* the limiter's work is known now: record it (bext may be updated once set) */
		a->true_peak = lin_to_db(as->out_peak);
		a->limiter_db = -lin_to_db(as->limit_deepest);
		if ((as->fmt->sf & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV) {
			SF_BROADCAST_INFO bi;
			fill_bext(&bi, as, title, a);
			sf_command(sf, SFC_SET_BROADCAST_INFO, &bi, sizeof bi);
		}
	}
	if (sf_close(sf) != 0 && !rc)
		rc = bb_fail(err, BB_EIO, "%s: write failed on close", as->path);
	return rc;
}

typedef int (*sidecar_fn)(FILE *, const struct bb_script *, const struct bb_voice *,
			  const struct bb_audio_facts *, struct bb_error *);

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

static const sidecar_fn sidecar_writers[SC_COUNT] = {json_fn, vtt_fn, srt_fn};

static int write_sidecar(struct bb_assembler *as, int k, const struct bb_audio_facts *a,
			 struct bb_error *err)
{
	int fd = temp_create(as->side_path[k], &as->tmp_path[1 + k]);
	if (fd < 0)
		return cant_create(err, as->side_path[k], errno);
	FILE *f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	int rc = sidecar_writers[k](f, as->sc, &as->voice, a, err);
	if (fclose(f) != 0 && !rc)
		rc = bb_fail(err, BB_EIO, "%s: write failed: %s", as->side_path[k], strerror(errno));
	return rc;
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
	if (as->meter) {
		ebur128_loudness_global(as->meter, &a.input_integrated);
		ebur128_loudness_range(as->meter, &a.range);
	}
	struct gain_plan g = plan_gain(as, &a);
	if (g.threshold > 0) {
		/* the limiter shaves some loudness: estimate it from a dry run over the sentences
		 * it acts on and make it up (again, since more gain means a little more limiting) */
		if (fflush(as->raw) != 0)
			return bb_fail(err, BB_EIO, "%s: cannot read temporary audio", as->path);
		double energy = stored_energy(as), want = a.integrated, loss = 0;
		for (int round = 0; round < 2; round++) {
			loss = limiter_loss(as, g, energy);
			double more = want - (a.input_integrated + a.gain_db + loss);
			if (fabs(more) < 0.05 ||
			    a.gain_db + more > a.target - a.input_integrated + LIMIT_MAX_DB)
				break;
			a.gain_db += more;
			g.gain = db_to_lin(a.gain_db);
		}
		a.integrated = a.input_integrated + a.gain_db + loss;
		as->limit_deepest = 1.0f;
		as->out_peak = 0;
		/* the output pass measures the limited peaks again */
	}

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

	rc = write_audio(as, g, &a, total, err);
	for (int k = 0; !rc && k < SC_COUNT; k++)
		if (as->side_path[k])
			rc = write_sidecar(as, k, &a, err);
	free(times);
	if (rc)
		return rc;

	/* Sidecars first, the audio last: a watcher of the folder sees the audio complete. */
	for (int k = 0; k < SC_COUNT; k++) {
		if (!as->tmp_path[1 + k])
			continue;
		if (rename(as->tmp_path[1 + k], as->side_path[k]) != 0)
			return cant_create(err, as->side_path[k], errno);
		free(as->tmp_path[1 + k]);
		as->tmp_path[1 + k] = NULL;
	}
	if (rename(as->tmp_path[0], as->path) != 0)
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
	for (size_t i = 0; i < as->qlen; i++)
		free(as->queue[(as->qhead + i) % QUEUE_MAX].pcm);
	for (int k = 0; k <= SC_COUNT; k++) {
		if (as->tmp_path[k])
			unlink(as->tmp_path[k]);
		free(as->tmp_path[k]);
	}
	for (int k = 0; k < SC_COUNT; k++)
		free(as->side_path[k]);
	if (as->raw)
		fclose(as->raw);
	if (as->soxr)
		soxr_delete(as->soxr);
	if (as->meter)
		ebur128_destroy(&as->meter);
	pthread_mutex_destroy(&as->mu);
	pthread_cond_destroy(&as->cv);
	free(as->cur.pcm);
	free(as->seg_start);
	free(as->seg_len);
	free(as->seg_max);
	free(as->sbuf);
	free(as->fbuf);
	free(as->fenv);
	free(as->fh);
	free(as->path);
	free(as);
}
