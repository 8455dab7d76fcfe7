/* bulletin: a newsroom programme from a rundown of articles and audio: one file, one loudness, chapters, a rundown. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A rundown is a text file, one entry a line, in order of air:
 *
 *     title: 早间新闻                  the programme's title (default: the rundown's name)
 *     intro: jingles/intro.wav        audio before the first story
 *     gap: 1200                       silence between items from here on, ms (default 1000)
 *     sting: jingles/sting.wav        audio between stories from here on
 *     stories/economy.txt             an article (paths are relative to the rundown)
 *     outro: jingles/outro.wav        audio after the last story
 *
 * Blank lines and lines starting with # are ignored. Two passes: first every story is
 * synthesized sentence by sentence into segments (trimmed, resampled and metered as speak
 * does them, kept in an unlinked temporary file), which gives each story's exact length, so
 * that --max-duration can be checked and --fit can drop the last stories before anything is
 * written; then one assembler takes the intro, stories, stings and outro with their gaps as
 * one programme: one gain for the whole, measured over the whole (the preset's target).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bobao.h"
#include "cache.h"
#include "outputs.h"
#include "sidecar.h"
#include "tempfile.h"

#define DEFAULT_GAP_MS 1000
#define MAX_GAP_MS 60000

static const char usage_text[] =
	"usage: bobao bulletin [OPTIONS] RUNDOWN [-o OUT]\n"
	"  one programme from a rundown (one article a line, in order; title:, intro:, outro:,\n"
	"  sting: and gap: lines), at the preset's loudness measured over the whole; writes OUT\n"
	"  (default: RUNDOWN's name .wav) with a labelled cue per story (WAV), and beside it\n"
	"  OUT.rundown.json (each item's start and length) and OUT.chapters.json (JSON chapters)\n"
	"  -o OUT                output file or folder\n"
	"  --format FMT          {audio} (default: from OUT's extension, or wav)\n"
	"  --max-duration TIME   seconds, M:SS or H:MM:SS: a longer programme is refused (65)\n"
	"  --fit                 with --max-duration: drop the last stories until it fits\n"
	"  --json --vtt --srt    a manifest and subtitles next to the audio, as for speak\n"
	"  --voice NAME|FILE --lexicon FILE --encoding NAME --lenient --max-size BYTES\n"
	"  --keep-captions -q\n"
	"exit: 0 ok, 64 usage, 65 bad rundown line or article, or too long, 66 a file the rundown\n"
	"      names cannot be opened, 73/74 cannot write, 78 bad voice or lexicon\n";

enum item_kind { IT_INTRO, IT_STORY, IT_STING, IT_OUTRO };
static const char *const item_names[] = {"intro", "story", "sting", "outro"};

/* A story's sentence made in the first pass. */
struct stored {
	uint64_t offset; /* in the segments file, bytes */
	size_t n;
	int sample_peak;
	float true_peak;
	float *loud;
	size_t nloud;
	int made;
};

struct story {
	struct bb_article art;
	struct bb_script sc;
	struct stored *seg;
	char *title;
	uint64_t frames; /* its length in the programme, speech and the pauses inside it */
	int dropped;
};

/* An entry of the rundown: an article, or an audio file. */
struct entry {
	enum item_kind kind;
	char *name;   /* as the rundown writes it */
	char *path;   /* resolved against the rundown's folder */
	size_t line;
	int gap_ms;   /* silence before it (the gap in force at its line) */
	struct entry *sting; /* a story: the sting in force at its line, or NULL */
	struct story story;
	uint64_t frames; /* audio: its length at the output rate */
};

struct rundown {
	const char *file;
	char *title;
	struct entry *intro, *outro;
	struct entry **stories, **stings;
	size_t nstories, nstings;
	int end_gap_ms; /* the gap in force at the end: before the outro */
};

struct options {
	const char *rundown, *output, *voice, *lexicon, *format;
	struct bb_read_opts read;
	double max_duration; /* seconds, < 0: none */
	int fit, keep_captions, quiet, json, vtt, srt;
};

/* ---- messages -------------------------------------------------------------------------- */

static int say(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int say(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bobao: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return code;
}

static int usage_error(const char *what)
{
	return say(BB_EUSAGE, "%s (see bobao bulletin --help)", what);
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	return d ? memcpy(d, s, n) : NULL;
}

/* ---- the rundown file ------------------------------------------------------------------- */

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->story.seg && i < e->story.sc.n; i++)
		free(e->story.seg[i].loud);
	free(e->story.seg);
	free(e->story.title);
	bb_script_free(&e->story.sc);
	bb_article_free(&e->story.art);
	free(e->name);
	free(e->path);
	free(e);
}

static void rundown_free(struct rundown *r)
{
	entry_free(r->intro);
	entry_free(r->outro);
	for (size_t i = 0; i < r->nstories; i++)
		entry_free(r->stories[i]);
	for (size_t i = 0; i < r->nstings; i++)
		entry_free(r->stings[i]);
	free(r->stories);
	free(r->stings);
	free(r->title);
	memset(r, 0, sizeof *r);
}

/* A new entry for the file name at line; its path resolved against the rundown's folder and
 * checked (66 when it cannot be opened). */
static int entry_new(struct rundown *r, enum item_kind kind, const char *name, size_t line,
		     int gap_ms, struct entry **out)
{
	*out = NULL;
	struct entry *e = calloc(1, sizeof *e);
	const char *slash = strrchr(r->file, '/');
	size_t dir = name[0] == '/' || !slash ? 0 : (size_t)(slash - r->file) + 1;
	size_t n = dir + strlen(name) + 1;
	if (!e || !(e->name = dup_str(name)) || !(e->path = malloc(n))) {
		entry_free(e);
		return say(BB_ENOMEM, "out of memory");
	}
	snprintf(e->path, n, "%.*s%s", (int)dir, r->file, name);
	e->kind = kind;
	e->line = line;
	e->gap_ms = gap_ms;
	struct stat st;
	int found = stat(e->path, &st) == 0;
	if (!found || S_ISDIR(st.st_mode)) {
		int rc = say(BB_ENOINPUT, "%s:%zu: %s: %s", r->file, line, name,
			     found ? "is a folder" : strerror(errno));
		entry_free(e);
		return rc;
	}
	*out = e;
	return BB_OK;
}

static int push(struct entry ***list, size_t *n, struct entry *e)
{
	struct entry **l = realloc(*list, (*n + 1) * sizeof *l);
	if (!l) {
		entry_free(e);
		return say(BB_ENOMEM, "out of memory");
	}
	l[(*n)++] = e;
	*list = l;
	return BB_OK;
}

/* One line, trimmed: a "key: value" directive or a story. */
static int parse_line(struct rundown *r, char *s, size_t line, int *gap_ms, struct entry **sting)
{
	size_t k = 0;
	while (isalpha((unsigned char)s[k]))
		k++;
	if (k == 0 || s[k] != ':') { /* an article */
		struct entry *e;
		int rc = entry_new(r, IT_STORY, s, line, *gap_ms, &e);
		if (rc)
			return rc;
		e->sting = *sting;
		return push(&r->stories, &r->nstories, e);
	}
	s[k] = 0;
	const char *key = s;
	char *value = s + k + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	if (strcmp(key, "title") && strcmp(key, "intro") && strcmp(key, "outro") &&
	    strcmp(key, "sting") && strcmp(key, "gap"))
		return say(BB_EDATA, "%s:%zu: unknown directive '%s:' (title, intro, outro, sting, "
			   "gap; an article whose name has a colon: ./%s:%s)", r->file, line, key,
			   key, value);
	if (!*value)
		return say(BB_EDATA, "%s:%zu: '%s:' needs a value", r->file, line, key);
	if (!strcmp(key, "gap")) {
		char *end;
		errno = 0;
		long ms = strtol(value, &end, 10);
		if (errno || end == value || *end || ms < 0 || ms > MAX_GAP_MS)
			return say(BB_EDATA, "%s:%zu: gap: needs milliseconds from 0 to %d, not '%s'",
				   r->file, line, MAX_GAP_MS, value);
		*gap_ms = (int)ms;
		return BB_OK;
	}
	if (!strcmp(key, "title")) {
		if (r->title)
			return say(BB_EDATA, "%s:%zu: a second title:", r->file, line);
		r->title = dup_str(value);
		return r->title ? BB_OK : say(BB_ENOMEM, "out of memory");
	}
	if (!strcmp(key, "sting")) {
		struct entry *e;
		int rc = entry_new(r, IT_STING, value, line, 0, &e);
		if (rc)
			return rc;
		*sting = e;
		return push(&r->stings, &r->nstings, e);
	}
	struct entry **slot = !strcmp(key, "intro") ? &r->intro : &r->outro;
	if (*slot)
		return say(BB_EDATA, "%s:%zu: a second %s: (the first is on line %zu)", r->file, line,
			   key, (*slot)->line);
	return entry_new(r, !strcmp(key, "intro") ? IT_INTRO : IT_OUTRO, value, line, 0, slot);
}

/* Reads the rundown: every line checked, every file it names opened. */
static int rundown_read(struct rundown *r, const char *file)
{
	memset(r, 0, sizeof *r);
	r->file = file;
	FILE *f = fopen(file, "r");
	if (!f)
		return say(BB_ENOINPUT, "%s: cannot open: %s", file, strerror(errno));
	char *buf = NULL;
	size_t cap = 0, line = 0;
	ssize_t len;
	int rc = BB_OK, gap_ms = DEFAULT_GAP_MS;
	struct entry *sting = NULL;
	while (rc == BB_OK && (len = getline(&buf, &cap, f)) >= 0) {
		line++;
		if (memchr(buf, 0, (size_t)len) || bb_utf8_check(buf, (size_t)len) != (size_t)len) {
			rc = say(BB_EDATA, "%s:%zu: not UTF-8 text", file, line);
			break;
		}
		char *s = buf;
		if (line == 1 && len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
			s += 3, len -= 3; /* a byte order mark, as some editors write */
		while (len && isspace((unsigned char)s[len - 1]))
			s[--len] = 0;
		while (isspace((unsigned char)*s))
			s++;
		if (*s && *s != '#')
			rc = parse_line(r, s, line, &gap_ms, &sting);
	}
	if (rc == BB_OK && ferror(f))
		rc = say(BB_EIO, "%s: read error: %s", file, strerror(errno));
	free(buf);
	fclose(f);
	r->end_gap_ms = gap_ms;
	if (rc == BB_OK && r->nstories == 0)
		rc = say(BB_EDATA, "%s: no story in the rundown (one article file a line)", file);
	if (rc == BB_OK && !r->title) {
		const char *base = strrchr(file, '/');
		base = base ? base + 1 : file;
		size_t n = strcspn(base, ".");
		if (!(r->title = malloc(n + 1)))
			rc = say(BB_ENOMEM, "out of memory");
		else
			snprintf(r->title, n + 1, "%s", base);
	}
	if (rc != BB_OK)
		rundown_free(r);
	return rc;
}

/* ---- pass 1: every story's sentences made into segments --------------------------------- */

struct collector {
	struct story *story;
	int fd;            /* the unlinked segments file */
	uint64_t at;       /* its size */
	int failed;
};

/* The assembler's cache put: keeps the segment in the segments file. */
static void collect(void *ctx, const struct bb_sentence *s, const struct bb_segment *seg)
{
	struct collector *c = ctx;
	size_t i = (size_t)(s - c->story->sc.sentences);
	if (c->failed || i >= c->story->sc.n || seg->in_file)
		return;
	struct stored *st = &c->story->seg[i];
	size_t bytes = seg->n * sizeof(int16_t), done = 0;
	while (done < bytes) {
		ssize_t k = pwrite(c->fd, (const char *)seg->audio + done, bytes - done,
				   (off_t)(c->at + done));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			c->failed = errno ? errno : EIO;
			return;
		}
		done += (size_t)k;
	}
	st->loud = malloc((seg->nloud ? seg->nloud : 1) * sizeof *st->loud);
	if (!st->loud) {
		c->failed = ENOMEM;
		return;
	}
	if (seg->nloud)
		memcpy(st->loud, seg->loudness, seg->nloud * sizeof *st->loud);
	st->nloud = seg->nloud;
	st->offset = c->at;
	st->n = seg->n;
	st->sample_peak = seg->sample_peak;
	st->true_peak = seg->true_peak;
	st->made = 1;
	c->at += bytes;
}

static int never_cached(void *ctx, const struct bb_sentence *s, int rate, struct bb_segment *out)
{
	(void)ctx, (void)s, (void)rate, (void)out;
	return 0;
}

static uint64_t ms_frames(int ms, int rate)
{
	return (uint64_t)ms * (uint64_t)rate / 1000;
}

/* The story's title: its title block's text, on one line. */
static char *story_title(const struct bb_article *art, const char *fallback)
{
	struct bb_text title = {0};
	int has_title = art->nblocks && art->blocks[0].kind == BB_TITLE &&
			bb_block_text(art, 0, &title) == BB_OK && title.s;
	char *d = dup_str(has_title ? title.s : fallback);
	bb_text_free(&title);
	for (char *p = d; p && *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	return d;
}

static int synth_forked(struct story *st, const struct options *o, const struct bb_voice *v,
			struct bb_synth *sy, const char *out_path, struct collector *c, int *rate,
			struct bb_error *err);

/* Reads, builds and synthesizes one story into segments; sets its length. */
static int make_story(struct rundown *r, struct entry *e, const struct options *o,
		      const struct bb_voice *v, const struct bb_lexicon *lex, struct bb_synth *sy,
		      const char *out_path, struct collector *c, int *rate)
{
	struct story *st = &e->story;
	struct bb_error err = {0};
	struct bb_read_info info;
	int rc = bb_article_read(&st->art, e->path, &o->read, &info, &err);
	char warning[128];
	if (rc == BB_OK && bb_read_warning(&info, warning, sizeof warning))
		say(0, "%s:%zu: %s: warning: %s", r->file, e->line, e->name, warning);
	if (rc == BB_OK)
		rc = bb_script_build(&st->sc, &st->art, lex, o->keep_captions ? BB_KEEP_CAPTIONS : 0,
				     &err);
	if (rc != BB_OK)
		return say(rc, "%s:%zu: %s: %s", r->file, e->line, e->name, err.msg);
	st->seg = calloc(st->sc.n, sizeof *st->seg);
	st->title = story_title(&st->art, e->name);
	if (!st->seg || !st->title)
		return say(BB_ENOMEM, "out of memory");
	c->story = st;
	rc = synth_forked(st, o, v, sy, out_path, c, rate, &err);
	for (size_t i = 0; rc == BB_OK && i < st->sc.n; i++) {
		if (!st->seg[i].made)
			rc = bb_fail(&err, BB_ESOFTWARE, "sentence %zu was not made", i + 1);
		st->frames += st->seg[i].n;
		if (i + 1 < st->sc.n)
			st->frames += ms_frames(bb_script_pause_ms(&st->sc, i, v), *rate);
	}
	if (rc == BB_ECANTCREAT || rc == BB_EIO)
		return say(rc, "%s: %s", out_path, err.msg);
	if (rc != BB_OK)
		return say(rc, "%s:%zu: %s: %s", r->file, e->line, e->name, err.msg);
	return BB_OK;
}

/* Synthesizes the story's sentences into segments (collect keeps them). */
static int synth_story(struct story *st, const struct options *o, const struct bb_voice *v,
		       struct bb_synth *sy, const char *out_path, struct collector *c, int *rate,
		       struct bb_error *err)
{
	/* an assembler that is never finished: it makes the segments and hands them to collect */
	struct bb_output out = {.path = out_path, .format = o->format, .one_thread = 1};
	struct bb_sentence_cache cache = {never_cached, collect, c};
	struct bb_assembler *as = NULL;
	int rc = bb_assemble_open(&as, &out, v, &st->sc, &cache, err);
	struct bb_pcm pcm = {0};
	for (size_t i = 0; rc == BB_OK && i < st->sc.n; i++) {
		pcm.n = 0;
		rc = bb_synth_sentence(sy, &st->sc.sentences[i], &pcm, err);
		if (rc == BB_OK)
			rc = bb_assemble_add(as, i, pcm.samples, pcm.n, pcm.rate, 0, err);
	}
	if (rc == BB_OK)
		rc = bb_assemble_flush(as, err);
	if (rc == BB_OK)
		*rate = bb_assemble_rate(as);
	bb_assemble_close(as);
	bb_pcm_free(&pcm);
	if (rc == BB_OK && c->failed)
		rc = bb_fail(err, BB_EIO, "cannot keep the speech: %s", strerror(c->failed));
	return rc;
}

/* What the child sends back: its status, then each sentence's stored facts and energies. */
struct child_reply {
	int rc, rate;
	uint64_t at;
	struct bb_error err;
};

/* synth_story in a child process, so that every story starts from the state eSpeak has
 * right after initialization (as batch does: eSpeak keeps state across calls that no API
 * resets) and sounds in the bulletin exactly as `bobao speak` makes it alone. The child
 * writes the speech into the segments file and sends the rest back through a pipe. */
static int synth_forked(struct story *st, const struct options *o, const struct bb_voice *v,
			struct bb_synth *sy, const char *out_path, struct collector *c, int *rate,
			struct bb_error *err)
{
	int fds[2];
	if (pipe(fds) != 0)
		return bb_fail(err, BB_ESOFTWARE, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return bb_fail(err, BB_ESOFTWARE, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		close(fds[0]);
		struct child_reply rep = {0};
		rep.rc = synth_story(st, o, v, sy, out_path, c, rate, &rep.err);
		rep.rate = *rate;
		rep.at = c->at;
		int bad = bb_write_full(fds[1], &rep, sizeof rep);
		for (size_t i = 0; !bad && !rep.rc && i < st->sc.n; i++) {
			const struct stored *d = &st->seg[i];
			bad = bb_write_full(fds[1], d, sizeof *d) ||
			      (d->nloud && bb_write_full(fds[1], d->loud, d->nloud * sizeof(float)));
		}
		_exit(bad ? 1 : 0); /* never eSpeak's exit code: the parent's eSpeak is its own */
	}
	close(fds[1]);
	struct child_reply rep;
	int rc = BB_OK;
	if (bb_read_full(fds[0], &rep, sizeof rep))
		rc = bb_fail(err, BB_ESOFTWARE, "the synthesis process died");
	else if (rep.rc)
		*err = rep.err, rc = rep.rc;
	for (size_t i = 0; rc == BB_OK && i < st->sc.n; i++) {
		struct stored *d = &st->seg[i];
		int bad = bb_read_full(fds[0], d, sizeof *d);
		d->loud = bad ? NULL : malloc((d->nloud ? d->nloud : 1) * sizeof(float));
		if (!d->loud || (d->nloud && bb_read_full(fds[0], d->loud, d->nloud * sizeof(float)))) {
			free(d->loud);
			memset(d, 0, sizeof *d);
			rc = bb_fail(err, BB_ESOFTWARE, "the synthesis process died");
		}
	}
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (rc != BB_OK)
		return rc;
	*rate = rep.rate;
	c->at = rep.at;
	return BB_OK;
}

/* ---- the programme: the order of air ---------------------------------------------------- */

/* The items in order: intro, the stories kept with the stings between them, outro. */
static size_t programme(const struct rundown *r, struct entry **seq)
{
	size_t n = 0;
	if (r->intro)
		seq[n++] = r->intro;
	int first = 1;
	for (size_t i = 0; i < r->nstories; i++) {
		struct entry *e = r->stories[i];
		if (e->story.dropped)
			continue;
		if (!first && e->sting)
			seq[n++] = e->sting;
		seq[n++] = e;
		first = 0;
	}
	if (r->outro)
		seq[n++] = r->outro;
	return n;
}

/* The silence before item k of seq: a sting takes the gap of the story it opens. */
static int gap_before(const struct rundown *r, struct entry **seq, size_t n, size_t k)
{
	if (k == 0)
		return 0;
	if (seq[k]->kind == IT_OUTRO)
		return r->end_gap_ms;
	if (seq[k]->kind == IT_STING && k + 1 < n)
		return seq[k + 1]->gap_ms;
	return seq[k]->gap_ms;
}

static uint64_t programme_frames(const struct rundown *r, const struct bb_voice *v, int rate,
				 struct entry **seq)
{
	size_t n = programme(r, seq);
	uint64_t total = 2 * ms_frames(v->edge_silence_ms, rate);
	for (size_t k = 0; k < n; k++)
		total += ms_frames(gap_before(r, seq, n, k), rate) +
			 (seq[k]->kind == IT_STORY ? seq[k]->story.frames : seq[k]->frames);
	return total;
}

static void clock_text(double s, char *out, size_t size)
{
	long t = lround(s);
	if (t >= 3600)
		snprintf(out, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(out, size, "%ld:%02ld", t / 60, t % 60);
}

/* Checks the length against --max-duration; with --fit drops the last stories (and the
 * stings before them) until it fits. */
static int fit(struct rundown *r, const struct options *o, const struct bb_voice *v, int rate,
	       struct entry **seq)
{
	if (o->max_duration < 0)
		return BB_OK;
	uint64_t limit = (uint64_t)(o->max_duration * rate);
	uint64_t total = programme_frames(r, v, rate, seq);
	char have[32], want[32];
	clock_text(o->max_duration, want, sizeof want);
	if (total > limit && !o->fit) {
		clock_text((double)total / rate, have, sizeof have);
		return say(BB_EDATA, "%s: the bulletin runs %s (%.1f s), over --max-duration %s by "
			   "%.1f s (--fit drops the last stories)", r->file, have,
			   (double)total / rate, want, (double)(total - limit) / rate);
	}
	size_t kept = r->nstories;
	while (total > limit && kept > 1) {
		struct entry *e = r->stories[--kept];
		e->story.dropped = 1;
		say(0, "%s:%zu: warning: %s dropped to fit --max-duration %s", r->file, e->line,
		    e->name, want);
		total = programme_frames(r, v, rate, seq);
	}
	if (total > limit) {
		clock_text((double)total / rate, have, sizeof have);
		return say(BB_EDATA, "%s: even with one story the bulletin runs %s, over "
			   "--max-duration %s", r->file, have, want);
	}
	return BB_OK;
}

/* ---- pass 2: one assembler for the whole programme ------------------------------------ */

struct bulletin {
	struct bb_article art;   /* the title and every item's text, one after the other */
	struct bb_script sc;     /* the title, then every item's sentences */
	size_t *first, *last;    /* per item of seq: its sentences in sc */
	struct bb_chapter *chapters;
	size_t nchapters;
};

static char empty_text[1];

static int add_text(struct bb_text *t, const char *s, size_t n, struct bb_span *span)
{
	span->start = t->len;
	int rc = bb_text_add(t, s, n, (struct bb_span){0, 0});
	span->end = t->len;
	return rc ? rc : bb_text_add(t, "\n", 1, (struct bb_span){0, 0});
}

/* The programme as one script: a silent title sentence, then each item's sentences (a
 * story's title becomes a heading; an audio file is one clip sentence). */
static int bulletin_build(struct bulletin *b, const struct rundown *r, struct entry **seq,
			  size_t n)
{
	size_t count = 1;
	for (size_t k = 0; k < n; k++)
		count += seq[k]->kind == IT_STORY ? seq[k]->story.sc.n : 1;
	b->sc.sentences = calloc(count, sizeof *b->sc.sentences);
	b->first = calloc(n, sizeof *b->first);
	b->last = calloc(n, sizeof *b->last);
	b->chapters = calloc(n, sizeof *b->chapters);
	b->art.source = dup_str(r->file);
	if (!b->sc.sentences || !b->first || !b->last || !b->chapters || !b->art.source)
		return BB_ENOMEM;
	struct bb_text *t = &b->art.original;
	struct bb_sentence *s = &b->sc.sentences[0];
	*s = (struct bb_sentence){.kind = BB_TITLE, .paragraph = 0, .spoken = empty_text};
	if (add_text(t, r->title, strlen(r->title), &s->orig))
		return BB_ENOMEM;
	size_t m = 1, paragraph = 1;
	for (size_t k = 0; k < n; k++) {
		const struct entry *e = seq[k];
		b->first[k] = m;
		if (e->kind != IT_STORY) {
			s = &b->sc.sentences[m++];
			*s = (struct bb_sentence){.kind = BB_CLIP, .paragraph = paragraph++,
						  .spoken = empty_text};
			if (add_text(t, e->name, strlen(e->name), &s->orig))
				return BB_ENOMEM;
		} else {
			const struct story *st = &e->story;
			struct bb_span all;
			if (add_text(t, st->art.original.s, st->art.original.len, &all))
				return BB_ENOMEM;
			size_t base = paragraph;
			for (size_t i = 0; i < st->sc.n; i++) {
				s = &b->sc.sentences[m++];
				*s = st->sc.sentences[i]; /* shares spoken and units */
				s->orig.start += all.start;
				s->orig.end += all.start;
				s->paragraph += base;
				if (s->kind == BB_TITLE)
					s->kind = BB_HEADING;
				paragraph = s->paragraph + 1 > paragraph ? s->paragraph + 1 : paragraph;
			}
			b->chapters[b->nchapters++] = (struct bb_chapter){b->first[k], st->title};
		}
		b->last[k] = m - 1;
	}
	b->sc.n = b->sc.cap = m;
	b->sc.article = &b->art;
	return BB_OK;
}

static void bulletin_free(struct bulletin *b)
{
	free(b->sc.sentences); /* their strings belong to the stories */
	free(b->first);
	free(b->last);
	free(b->chapters);
	bb_article_free(&b->art);
}

/* Adds every item of seq, each followed by the gap before the next. */
static int bulletin_add(struct bb_assembler *as, const struct bulletin *b,
			const struct rundown *r, struct entry **seq, size_t n, int seg_fd,
			const struct bb_voice *v, int rate, struct bb_error *err)
{
	struct bb_segment seg = {.rate = rate};
	int rc = bb_assemble_add_segment(as, 0, &seg, 0, err); /* the title: silent */
	for (size_t k = 0; rc == BB_OK && k < n; k++) {
		const struct entry *e = seq[k];
		int gap = k + 1 < n ? gap_before(r, seq, n, k + 1) : 0;
		if (e->kind != IT_STORY) {
			rc = bb_assemble_clip(&seg, e->path, rate, err);
			if (rc == BB_OK)
				rc = bb_assemble_add_segment(as, b->first[k], &seg, gap, err);
			continue;
		}
		const struct story *st = &e->story;
		for (size_t i = 0; rc == BB_OK && i < st->sc.n; i++) {
			const struct stored *d = &st->seg[i];
			seg = (struct bb_segment){.in_file = 1, .fd = dup(seg_fd), .offset = d->offset,
				.n = d->n, .rate = rate, .sample_peak = d->sample_peak,
				.true_peak = d->true_peak, .nloud = d->nloud, .loud_cap = d->nloud};
			seg.loudness = malloc((d->nloud ? d->nloud : 1) * sizeof *seg.loudness);
			if (seg.fd < 0 || !seg.loudness) {
				bb_segment_free(&seg);
				rc = bb_fail(err, BB_ENOMEM, "out of memory or file descriptors");
				break;
			}
			if (d->nloud)
				memcpy(seg.loudness, d->loud, d->nloud * sizeof *seg.loudness);
			int pause = i + 1 < st->sc.n ? bb_script_pause_ms(&st->sc, i, v) : gap;
			rc = bb_assemble_add_segment(as, b->first[k] + i, &seg, pause, err);
		}
	}
	bb_segment_free(&seg);
	return rc;
}

/* ---- the rundown and chapters beside the audio ------------------------------------------ */

struct side {
	const struct rundown *r;
	const struct bulletin *b;
	const struct bb_assembler *as;
	struct entry **seq;
	size_t n;
	double duration, max_duration;
	struct bb_error err;
};

static int fill_rundown(FILE *f, void *ctx)
{
	struct side *sd = ctx;
	const struct rundown *r = sd->r;
	size_t total = sd->n + r->nstories, m = 0;
	struct bb_rundown_item *items = calloc(total ? total : 1, sizeof *items);
	if (!items)
		return bb_fail(&sd->err, BB_ENOMEM, "out of memory");
	for (size_t k = 0; k < sd->n; k++) {
		const struct entry *e = sd->seq[k];
		double a = 0, z = 0, a2, z2;
		bb_assemble_span(sd->as, sd->b->first[k], &a, &z);
		bb_assemble_span(sd->as, sd->b->last[k], &a2, &z2);
		items[m++] = (struct bb_rundown_item){item_names[e->kind], e->name,
			e->kind == IT_STORY ? e->story.title : NULL, e->line, 0, a, z2 - a};
	}
	for (size_t i = 0; i < r->nstories; i++)
		if (r->stories[i]->story.dropped)
			items[m++] = (struct bb_rundown_item){"story", r->stories[i]->name,
				r->stories[i]->story.title, r->stories[i]->line, 1, 0, 0};
	int rc = bb_sidecar_rundown(f, r->title, r->file, sd->duration, sd->max_duration, items,
				    m, &sd->err);
	free(items);
	return rc;
}

static int fill_chapters(FILE *f, void *ctx)
{
	struct side *sd = ctx;
	struct bb_chapter_mark *m = calloc(sd->b->nchapters + 1, sizeof *m);
	if (!m)
		return bb_fail(&sd->err, BB_ENOMEM, "out of memory");
	for (size_t i = 0; i < sd->b->nchapters; i++) {
		double end;
		bb_assemble_span(sd->as, sd->b->chapters[i].sentence, &m[i].start, &end);
		m[i].title = (char *)sd->b->chapters[i].label;
	}
	int rc = bb_sidecar_chapters(f, sd->r->title, m, sd->b->nchapters, &sd->err);
	free(m);
	return rc;
}

/* OUT without its extension, then suffix. */
static char *beside(const char *out, const char *suffix)
{
	const char *slash = strrchr(out, '/'), *dot = strrchr(out, '.');
	size_t stem = dot && (!slash || dot > slash + 1) && dot != out ? (size_t)(dot - out)
								       : strlen(out);
	size_t n = stem + strlen(suffix) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%.*s%s", (int)stem, out, suffix);
	return p;
}

static int write_beside(struct side *sd, const char *out, const char *suffix,
			int (*fill)(FILE *, void *))
{
	char *path = beside(out, suffix);
	if (!path)
		return say(BB_ENOMEM, "out of memory");
	sd->err = (struct bb_error){0};
	int rc = BB_OK;
	if (bb_temp_write(path, fill, sd) != 0)
		rc = sd->err.code ? say(sd->err.code, "%s: %s", path, sd->err.msg)
				  : say(BB_ECANTCREAT, "%s: cannot write: %s", path, strerror(errno));
	free(path);
	return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

/* Seconds from "90", "90.5", "1:30" or "1:02:03"; -1 when malformed. */
static double parse_clock(const char *s)
{
	double total = 0;
	int parts = 0;
	for (;;) {
		char *end;
		errno = 0;
		double x = strtod(s, &end);
		if (errno || end == s || x < 0 || !isfinite(x) || !isdigit((unsigned char)*s))
			return -1;
		total = total * 60 + x;
		parts++;
		if (*end == 0)
			break;
		const char *dot = strchr(s, '.');
		if (*end != ':' || parts == 3 || (dot && dot < end))
			return -1;
		s = end + 1;
	}
	return total > 0 ? total : -1;
}

static int run(const struct options *o)
{
	struct rundown r;
	int rc = rundown_read(&r, o->rundown);
	if (rc)
		return rc;
	struct bb_error err = {0};
	struct bb_voice voice;
	struct bb_lexicon *lex = NULL;
	struct bb_synth *sy = NULL;
	struct bb_assembler *as = NULL;
	struct bulletin b = {0};
	struct entry **seq = NULL;
	int seg_fd = -1;
	char out_path[4096], *tmp = NULL;
	struct stat st;
	if (o->output && stat(o->output, &st) == 0 && S_ISDIR(st.st_mode)) {
		const char *base = strrchr(o->rundown, '/');
		base = base ? base + 1 : o->rundown;
		snprintf(out_path, sizeof out_path, "%s/%.*s.%s", o->output, (int)strcspn(base, "."),
			 base, o->format ? o->format : "wav");
	} else if (o->output) {
		snprintf(out_path, sizeof out_path, "%s", o->output);
	} else {
		const char *base = strrchr(o->rundown, '/');
		base = base ? base + 1 : o->rundown;
		snprintf(out_path, sizeof out_path, "%.*s.%s", (int)strcspn(base, "."), base,
			 o->format ? o->format : "wav");
	}
	rc = bb_voice_load(&voice, o->voice ? o->voice : "news", &err);
	if (rc == BB_OK)
		rc = bb_lexicon_open(&lex, NULL, &err);
	if (rc == BB_OK && voice.lexicon[0])
		rc = bb_lexicon_add_user(lex, voice.lexicon, &err);
	if (rc == BB_OK && o->lexicon)
		rc = bb_lexicon_add_user(lex, o->lexicon, &err);
	if (rc == BB_OK)
		rc = bb_synth_open(&sy, &voice, &err);
	if (rc != BB_OK) {
		say(rc, "%s", err.msg);
		goto done;
	}
	/* the segments file: beside the output, unlinked at once */
	seg_fd = bb_temp_create(out_path, &tmp);
	if (seg_fd < 0) {
		rc = say(BB_ECANTCREAT, "%s: cannot create a file in its folder: %s", out_path,
			 strerror(errno));
		goto done;
	}
	bb_temp_unlink(tmp);

	struct collector c = {.fd = seg_fd};
	int rate = 0, progress = !o->quiet && isatty(2);
	for (size_t i = 0; rc == BB_OK && i < r.nstories; i++) {
		if (progress)
			fprintf(stderr, "\rbobao: %s: story %zu/%zu", r.file, i + 1, r.nstories);
		rc = make_story(&r, r.stories[i], o, &voice, lex, sy, out_path, &c, &rate);
	}
	if (progress)
		fputc('\n', stderr);
	struct entry *clips[2] = {r.intro, r.outro};
	for (size_t i = 0; rc == BB_OK && i < 2 + r.nstings; i++) {
		struct entry *e = i < 2 ? clips[i] : r.stings[i - 2];
		struct bb_segment seg;
		if (!e)
			continue;
		rc = bb_assemble_clip(&seg, e->path, rate, &err);
		if (rc != BB_OK)
			say(rc, "%s:%zu: %s", r.file, e->line, err.msg);
		e->frames = seg.n;
		bb_segment_free(&seg);
	}
	seq = calloc(2 * r.nstories + 2, sizeof *seq);
	if (rc == BB_OK && !seq)
		rc = say(BB_ENOMEM, "out of memory");
	if (rc == BB_OK)
		rc = fit(&r, o, &voice, rate, seq);
	if (rc != BB_OK)
		goto done;

	size_t n = programme(&r, seq);
	if (bulletin_build(&b, &r, seq, n) != BB_OK) {
		rc = say(BB_ENOMEM, "out of memory");
		goto done;
	}
	struct bb_output out = {.path = out_path, .format = o->format, .json = o->json,
				 .vtt = o->vtt, .srt = o->srt, .one_thread = 1};
	rc = bb_assemble_open(&as, &out, &voice, &b.sc, NULL, &err);
	if (rc == BB_OK) {
		bb_assemble_set_chapters(as, b.chapters, b.nchapters);
		rc = bulletin_add(as, &b, &r, seq, n, seg_fd, &voice, rate, &err);
	}
	if (rc == BB_OK)
		rc = bb_assemble_finish(as, &err);
	if (rc != BB_OK) {
		say(rc, "%s: %s", rc == BB_ECANTCREAT || rc == BB_EIO ? out_path : r.file, err.msg);
		goto done;
	}
	struct side sd = {&r, &b, as, seq, n, (double)programme_frames(&r, &voice, rate, seq) / rate,
			  o->max_duration, {0}};
	rc = write_beside(&sd, out_path, ".rundown.json", fill_rundown);
	if (rc == BB_OK)
		rc = write_beside(&sd, out_path, ".chapters.json", fill_chapters);
done:
	bb_assemble_close(as);
	bulletin_free(&b);
	free(seq);
	free(tmp);
	if (seg_fd >= 0)
		close(seg_fd);
	bb_synth_close(sy);
	bb_lexicon_close(lex);
	rundown_free(&r);
	return rc;
}

int bb_bulletin_main(int argc, char **argv)
{
	enum { OPT_VOICE = 256, OPT_ENCODING, OPT_LEXICON, OPT_KEEP, OPT_FORMAT, OPT_JSON, OPT_VTT,
	       OPT_SRT, OPT_HELP, OPT_MAX_SIZE, OPT_LENIENT, OPT_MAX_DURATION, OPT_FIT };
	static const struct option longopts[] = {
		{"voice", required_argument, 0, OPT_VOICE},
		{"encoding", required_argument, 0, OPT_ENCODING},
		{"lenient", no_argument, 0, OPT_LENIENT},
		{"max-size", required_argument, 0, OPT_MAX_SIZE},
		{"lexicon", required_argument, 0, OPT_LEXICON},
		{"keep-captions", no_argument, 0, OPT_KEEP},
		{"format", required_argument, 0, OPT_FORMAT},
		{"json", no_argument, 0, OPT_JSON},
		{"vtt", no_argument, 0, OPT_VTT},
		{"srt", no_argument, 0, OPT_SRT},
		{"max-duration", required_argument, 0, OPT_MAX_DURATION},
		{"fit", no_argument, 0, OPT_FIT},
		{"help", no_argument, 0, OPT_HELP},
		{0, 0, 0, 0},
	};
	struct options o = {.max_duration = -1};
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': o.output = optarg; break;
		case 'q': o.quiet = 1; break;
		case OPT_VOICE: o.voice = optarg; break;
		case OPT_ENCODING: o.read.encoding = optarg; break;
		case OPT_LENIENT: o.read.lenient = 1; break;
		case OPT_MAX_SIZE:
			if (bb_parse_size(optarg, &o.read.max_bytes) != 0)
				return usage_error("--max-size needs a size in bytes, like 16M");
			break;
		case OPT_LEXICON: o.lexicon = optarg; break;
		case OPT_KEEP: o.keep_captions = 1; break;
		case OPT_FORMAT: o.format = optarg; break;
		case OPT_JSON: o.json = 1; break;
		case OPT_VTT: o.vtt = 1; break;
		case OPT_SRT: o.srt = 1; break;
		case OPT_MAX_DURATION:
			if ((o.max_duration = parse_clock(optarg)) < 0)
				return usage_error("--max-duration needs seconds, M:SS or H:MM:SS");
			break;
		case OPT_FIT: o.fit = 1; break;
		case OPT_HELP: bb_output_usage(stdout, usage_text); return 0;
		case ':':
		default: {
			/* getopt_long: optopt is 0 for an unknown long option, a code past 255 for a
			 * long one without its argument */
			char what[256];
			const char *arg = argv[optind - 1];
			if (optopt > 0 && optopt < 256)
				snprintf(what, sizeof what, "%s '-%c'", opt == ':' ?
					 "option needs an argument:" : "unknown option", optopt);
			else
				snprintf(what, sizeof what, "%s '%.*s'", opt == ':' ?
					 "option needs an argument:" : "unknown option",
					 (int)strcspn(arg, "="), arg);
			return usage_error(what);
		}
		}
	}
	if (argc - optind != 1)
		return usage_error(optind < argc ? "one rundown at a time" : "bulletin needs a RUNDOWN");
	if (o.fit && o.max_duration < 0)
		return usage_error("--fit needs --max-duration");
	o.rundown = argv[optind];
	signal(SIGXFSZ, SIG_IGN);
	bb_temp_install_signal_cleanup();
	return run(&o);
}
