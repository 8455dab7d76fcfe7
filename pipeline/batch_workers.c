/* batch_workers: the worker processes, and the parent's side of them: log, progress, results. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch.h"
#include "outputs.h"
#include "sidecar.h"
#include "tempfile.h"

/* ---- the worker -------------------------------------------------------------------------- */

static void send_reply(struct wstate *w, const struct reply *r)
{
	if (bb_write_full(w->reply_fd, r, sizeof *r) != 0)
		_exit(0); /* the parent is gone */
}

static void worker_progress(size_t done, size_t total, double audio_s, void *ctx)
{
	struct wstate *w = ctx;
	w->audio = audio_s;
	double t = batch_now_s();
	if (t - w->last_sent < 0.25 || done == total)
		return;
	w->last_sent = t;
	struct reply r = {.type = 'P', .audio_s = audio_s};
	send_reply(w, &r);
}

/* One article: read, script, synthesize (through the cache), assemble, stamp. Runs in a
 * process of its own (convert_forked), which moves into the article's output folder. */
static int convert(struct wstate *w, const char *rel, struct reply *r)
{
	struct batch *b = w->b;
	char in[PATH_SIZE], out[PATH_SIZE], stamp[PATH_SIZE], audio[PATH_SIZE], hex[33], text[256];
	struct bb_error err = {0};
	struct bb_article art = {0};
	struct bb_script sc = {0};
	struct bb_read_info info = {0};
	struct bb_hash h;
	const char *where = in;
	int rc = BB_OK, audio_dir = -1, stamp_dir = -1;
	w->audio = 0;
	if (batch_join(in, sizeof in, b->o.in_dir, rel) || batch_out_path(b, rel, out, sizeof out) ||
	    batch_stamp_rel(rel, stamp, sizeof stamp) || batch_audio_name(b, rel, audio, sizeof audio))
		rc = bb_fail(&err, BB_ECANTCREAT, "path too long");
	else
		rc = batch_read_article(b, rel, in, &art, &h, &info, &err);
	if (rc == BB_OK)
		rc = bb_script_build(&sc, &art, b->lex, b->o.keep_captions ? BB_KEEP_CAPTIONS : 0,
				     &err);
	if (rc == BB_OK) {
		where = out;
		/* Into folders reached from OUT_DIR without following a link; entering the audio's
		 * folder keeps the assembler's relative names from being redirected later. */
		if ((stamp_dir = batch_open_parent(b->o.out_dir, stamp, 1, BB_ECANTCREAT, &err)) < 0 ||
		    (audio_dir = batch_open_parent(b->o.out_dir, rel, 1, BB_ECANTCREAT, &err)) < 0)
			rc = err.code;
		/* The old stamp goes first: a run killed from here on must not look complete. */
		else if (batch_remove_tree(stamp_dir, batch_base_name(rel), 64) != 0) /* a folder: repaired */
			rc = bb_fail(&err, BB_ECANTCREAT, "cannot remove its stamp: %s",
				     strerror(errno));
		else if (fchdir(audio_dir) != 0)
			rc = bb_fail(&err, BB_ECANTCREAT, "cannot enter its folder: %s",
				     strerror(errno));
	}
	if (rc == BB_OK) {
		batch_remove_stale_temps(audio_dir, audio);
		struct bb_output o = {.path = audio, .format = b->o.format, .json = 1, .vtt = 1,
				      .srt = 1, .one_thread = b->one_thread, .html = b->o.html,
				      .epub = b->o.epub};
		o.chapters = b->o.chapters;
		struct bb_sentence_cache hook = bb_cache_hook(w->cache);
		rc = bb_speak_cached(&sc, &b->voice, w->sy, &o, w->cache ? &hook : NULL,
				     worker_progress, w, &err);
	}
	if (rc == BB_OK) {
		bb_hash_hex(h, hex);
		batch_stamp_text(b, hex, text, sizeof text);
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "audio_seconds %.3f\n", w->audio);
		if (batch_write_stamp(stamp_dir, batch_base_name(rel), text) != 0)
			rc = bb_fail(&err, BB_ECANTCREAT, "cannot write its stamp in %s/" STATE_DIR
				     ": %s", b->o.out_dir, strerror(errno));
	}
	int n = 0;
	char warning[128];
	if (rc != BB_OK)
		n = snprintf(r->msg, sizeof r->msg, "%s: %s",
			     rc == BB_ECANTCREAT || rc == BB_EIO ? where : in,
			     err.msg[0] ? err.msg : bb_status_name(rc));
	else if (bb_read_warning(&info, warning, sizeof warning)) /* converted, with a warning */
		n = snprintf(r->msg, sizeof r->msg, "%s: warning: %s", in, warning);
	if (n >= (int)sizeof r->msg)
		strcpy(r->msg + sizeof r->msg - 4, "...");
	r->nospace = rc != BB_OK && strstr(err.msg, strerror(ENOSPC)) != NULL;
	if (audio_dir >= 0)
		close(audio_dir);
	if (stamp_dir >= 0)
		close(stamp_dir);
	bb_script_free(&sc);
	bb_article_free(&art);
	return rc;
}

/* Waits for a child's result on pipe fd for up to timeout_s (0: no limit): 1 when it came,
 * 0 when the child ended without one, -1 when the time ran out. */
static int wait_result(int fd, long timeout_s, struct reply *r)
{
	double end = batch_now_s() + (double)timeout_s;
	for (;;) {
		double left = end - batch_now_s();
		if (timeout_s > 0 && left <= 0)
			return -1;
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, timeout_s > 0 ? (int)(left * 1000) + 1 : -1) > 0)
			return bb_read_full(fd, r, sizeof *r) == 0;
	}
}

/* Converts one article in a child forked from the worker, so every article starts from the
 * state eSpeak has right after initialization: eSpeak NG 1.51 keeps state across calls that
 * no API resets (the pitch flutter phase and cycle counters in wavegen.c), so without this
 * an article's audio would depend on the articles converted before it by the same worker,
 * and would differ from a single `bobao speak`. The child only _exits, never runs eSpeak's
 * exit code, so the thread it lacks is never waited for. Its result comes back through
 * this worker, which kills it after --timeout and removes its temporaries; the worker
 * itself, untouched, then goes on with the next article. */
static void convert_forked(struct wstate *w, const char *rel)
{
	const struct batch *b = w->b;
	double t0 = batch_now_s();
	struct reply r = {.type = 'R'};
	int done[2] = {-1, -1}, got = 0, st = 0;
	pid_t pid = -1;
	if (pipe2(done, O_CLOEXEC) == 0 && (pid = fork()) == 0) {
		close(done[0]);
		/* SIGINT, SIGTERM, SIGHUP: its temporaries are removed, then it dies of the signal */
		bb_temp_install_signal_cleanup();
		r.status = convert(w, rel, &r);
		r.seconds = batch_now_s() - t0;
		r.audio_s = w->audio;
		bb_cache_take_counts(w->cache, &r.hits, &r.misses);
		_exit(bb_write_full(done[1], &r, sizeof r) == 0 ? 0 : 1);
	}
	int e = errno;
	if (done[1] >= 0)
		close(done[1]);
	if (pid > 0) {
		struct reply result;
		if ((got = wait_result(done[0], b->o.timeout_s, &result)) > 0)
			r = result;
		else if (got < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			continue;
	}
	if (done[0] >= 0)
		close(done[0]);
	int n = 0;
	if (pid < 0) {
		r.status = BB_ETEMPFAIL;
		n = snprintf(r.msg, sizeof r.msg, "%s/%s: cannot start its conversion: %s",
			     b->o.in_dir, rel, strerror(e));
	} else if (got < 0) {
		char audio[PATH_SIZE];
		struct bb_error err = {0};
		int dir = batch_audio_name(b, rel, audio, sizeof audio) ? -1
			  : batch_open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
		if (dir >= 0) {
			batch_remove_stale_temps(dir, audio);
			close(dir);
		}
		r.status = BB_ETEMPFAIL;
		n = snprintf(r.msg, sizeof r.msg, "%s/%s: timed out after %ld s", b->o.in_dir, rel,
			     b->o.timeout_s);
	} else if (got == 0) {
		r.status = BB_ESOFTWARE;
		n = snprintf(r.msg, sizeof r.msg, "%s/%s: its conversion crashed (%s %d)",
			     b->o.in_dir, rel, WIFSIGNALED(st) ? "signal" : "status",
			     WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	if (n >= (int)sizeof r.msg)
		strcpy(r.msg + sizeof r.msg - 4, "...");
	if (got <= 0)
		r.seconds = batch_now_s() - t0;
	send_reply(w, &r);
}

/* Reads "length, path" tasks until the parent closes the pipe. eSpeak starts here, once. */
static void worker_main(struct batch *b, int task_fd, int reply_fd)
{
	struct wstate w = {.b = b, .reply_fd = reply_fd};
	struct bb_error err = {0};
	struct reply r = {.type = 'I'};
	int rc = bb_synth_open(&w.sy, &b->voice, &err);
	if (rc == BB_OK && !b->o.no_cache)
		rc = bb_cache_open(&w.cache, b->cache_dir, &b->voice, &err);
	if (rc != BB_OK) {
		r.status = rc;
		snprintf(r.msg, sizeof r.msg, "%s", err.msg[0] ? err.msg : bb_status_name(rc));
		send_reply(&w, &r);
		_exit(0);
	}
	uint32_t len;
	char rel[PATH_SIZE];
	while (bb_read_full(task_fd, &len, sizeof len) == 0 && len < sizeof rel &&
	       bb_read_full(task_fd, rel, len) == 0) {
		rel[len] = '\0';
		convert_forked(&w, rel);
	}
	bb_synth_close(w.sy);
	bb_cache_close(w.cache);
	_exit(0);
}

/* ---- the parent: log, progress, results ----------------------------------------------- */

void batch_clear_progress(struct batch *b)
{
	if (b->show_progress && b->last_progress > 0)
		fputs("\r\033[K", stderr);
}

void batch_show_progress(struct batch *b, int force)
{
	double t = batch_now_s();
	if (!b->show_progress || (!force && t - b->last_progress < 0.1))
		return;
	b->last_progress = t;
	double audio = b->audio_made, elapsed = t - b->t0;
	for (size_t i = 0; i < b->nw; i++)
		audio += b->w[i].job.rel ? b->w[i].audio_now : 0;
	char left[32] = "";
	if (b->bytes_done > 0 && b->bytes_todo > b->bytes_done) {
		double s = elapsed * (double)(b->bytes_todo - b->bytes_done) / (double)b->bytes_done;
		snprintf(left, sizeof left, ", %d:%02d left", (int)(s / 60), (int)s % 60);
	}
	fprintf(stderr, "\r\033[Kbatch: %zu/%zu articles, %.1f min of audio, %.1fx real time%s",
		b->converted + b->failed, b->todo, audio / 60, elapsed > 0 ? audio / elapsed : 0,
		left);
}

void batch_log_line(struct batch *b, const char *rel, const char *status,
		    enum article_state why, int code, double seconds, double audio_s,
		    const char *error)
{
	if (!b->log)
		return;
	errno = 0;
	int rc = bb_sidecar_log_line(b->log, rel, status, batch_state_name[why], code, seconds, audio_s,
				     error);
	if ((fflush(b->log) != 0 || rc != BB_OK || ferror(b->log)) && !b->log_failed) {
		/* once: a log that cannot be written is an I/O error of the run (74) */
		b->log_failed = 1;
		b->worst = batch_worse(b->worst, BB_EIO);
		batch_clear_progress(b);
		fprintf(stderr, "bobao: %s: cannot write the log: %s\n", b->o.log,
			rc == BB_ENOMEM ? "out of memory" : strerror(errno ? errno : EIO));
	}
}

/* A failure that trying again would only repeat (bad data; a conversion that crashed) is
 * kept in the article's stamp with the hash of its bytes, so later runs skip it, quietly and
 * with exit 0, until the article or the settings change. A failure of the output side or
 * of time (73, 74, 75) is not kept: the next run tries again. */
static void record_failure(struct batch *b, const struct job *j, int status)
{
	char stamp[PATH_SIZE], text[384];
	struct bb_error err = {0};
	if ((status != BB_EDATA && status != BB_ESOFTWARE) || !j->input[0] ||
	    batch_stamp_rel(j->rel, stamp, sizeof stamp))
		return;
	batch_stamp_text(b, j->input, text, sizeof text);
	size_t n = strlen(text);
	batch_failure_text(b, status, text + n, sizeof text - n);
	int dir = batch_open_parent(b->o.out_dir, stamp, 1, BB_ECANTCREAT, &err);
	if (dir >= 0) {
		batch_write_stamp(dir, batch_base_name(j->rel), text); /* not kept: it is tried again, no more */
		close(dir);
	}
}

static void article_done(struct batch *b, const struct job *j, int status, double seconds,
			 double audio_s, const char *msg)
{
	b->bytes_done += j->size;
	if (status == BB_OK) {
		b->converted++;
		b->audio_made += audio_s;
		if (msg && msg[0]) { /* a warning */
			batch_clear_progress(b);
			fprintf(stderr, "bobao: %s\n", msg);
		}
		if (b->o.watch && !b->o.quiet)
			fprintf(stderr, "bobao: %s: converted, %.1f s of audio\n", j->rel, audio_s);
	} else {
		b->failed++;
		b->worst = batch_worse(b->worst, status);
		batch_clear_progress(b);
		fprintf(stderr, "bobao: %s\n", msg);
		record_failure(b, j, status);
	}
	batch_log_line(b, j->rel, status == BB_OK ? "converted" : "failed", j->why, status, seconds,
		 audio_s, status == BB_OK ? NULL : msg);
}

/* ---- the parent: workers ---------------------------------------------------------------- */

static int load_lexicon(struct batch *b)
{
	if (b->lex_tried)
		return b->lex ? BB_OK : BB_ECONFIG;
	b->lex_tried = 1;
	struct bb_error err = {0};
	int rc = bb_lexicon_open(&b->lex, NULL, &err);
	if (rc == BB_OK && b->voice.lexicon[0])
		rc = bb_lexicon_add_user(b->lex, b->voice.lexicon, &err);
	if (rc == BB_OK && b->o.lexicon)
		rc = bb_lexicon_add_user(b->lex, b->o.lexicon, &err);
	if (rc != BB_OK) {
		bb_lexicon_close(b->lex);
		b->lex = NULL;
		batch_clear_progress(b);
		fprintf(stderr, "bobao: %s\n", err.msg[0] ? err.msg : bb_status_name(rc));
		b->worst = batch_worse(b->worst, rc);
		b->stop_dispatch = 1;
	}
	return rc;
}

static struct worker *spawn(struct batch *b, int extra_fd)
{
	if (load_lexicon(b) != BB_OK)
		return NULL;
	int t[2], r[2];
	if (pipe2(t, O_CLOEXEC) != 0)
		return NULL;
	if (pipe2(r, O_CLOEXEC) != 0) {
		close(t[0]);
		close(t[1]);
		return NULL;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		/* Keep only this worker's ends: a sibling must see EOF when the parent closes. */
		for (size_t i = 0; i < b->nw; i++) {
			if (b->w[i].task_fd >= 0)
				close(b->w[i].task_fd);
			close(b->w[i].reply_fd);
		}
		if (extra_fd >= 0)
			close(extra_fd);
		close(t[1]);
		close(r[0]);
		/* the parent's handlers (watch) are not the worker's; ignored ones stay ignored */
		for (size_t k = 0; k < sizeof batch_stop_signals / sizeof batch_stop_signals[0]; k++)
			signal(batch_stop_signals[k], batch_stop_ignored[k] ? SIG_IGN : SIG_DFL);
		/* a file size limit is a write error of the article (74), not a crash */
		signal(SIGXFSZ, SIG_IGN);
		worker_main(b, t[0], r[1]);
	}
	close(t[0]);
	close(r[1]);
	if (pid < 0) {
		close(t[1]);
		close(r[0]);
		return NULL;
	}
	struct worker *w = &b->w[b->nw++];
	*w = (struct worker){.pid = pid, .task_fd = t[1], .reply_fd = r[0]};
	return w;
}

static int send_task(struct worker *w, const struct job *j)
{
	char buf[sizeof(uint32_t) + PATH_SIZE];
	uint32_t len = (uint32_t)strlen(j->rel);
	if (len >= PATH_SIZE)
		return -1;
	memcpy(buf, &len, sizeof len);
	memcpy(buf + sizeof len, j->rel, len);
	if (bb_write_full(w->task_fd, buf, sizeof len + len) != 0)
		return -1;
	w->job = *j;
	w->audio_now = 0;
	return 0;
}

int batch_in_flight(const struct batch *b, const char *rel)
{
	for (size_t i = 0; i < b->nw; i++)
		if (b->w[i].job.rel && strcmp(b->w[i].job.rel, rel) == 0)
			return 1;
	return 0;
}

int batch_busy(const struct batch *b)
{
	for (size_t i = 0; i < b->nw; i++)
		if (b->w[i].job.rel)
			return 1;
	return 0;
}

int batch_queued(const struct batch *b, const char *rel)
{
	for (size_t i = b->qhead; i < b->qn; i++)
		if (strcmp(b->queue[i].rel, rel) == 0)
			return 1;
	return 0;
}

int batch_enqueue(struct batch *b, const char *rel, uint64_t size, enum article_state why,
		  const char *input_hex)
{
	if (b->qn == b->qcap) {
		size_t cap = b->qcap ? b->qcap * 2 : 256;
		struct job *q = realloc(b->queue, cap * sizeof *q);
		if (!q)
			return BB_ENOMEM;
		b->queue = q;
		b->qcap = cap;
	}
	char *r = strdup(rel);
	if (!r)
		return BB_ENOMEM;
	b->queue[b->qn] = (struct job){.rel = r, .size = size, .why = why};
	snprintf(b->queue[b->qn++].input, sizeof b->queue->input, "%s", input_hex);
	b->todo++;
	b->bytes_todo += size;
	return BB_OK;
}

/* Hands queued articles to idle workers, forking new ones up to -j; in a plain batch, tells
 * idle workers to stop once the queue is empty. */
void batch_dispatch(struct batch *b, int extra_fd)
{
	while (!b->stop_dispatch && b->qhead < b->qn) {
		struct worker *w = NULL;
		for (size_t i = 0; i < b->nw && !w; i++)
			if (!b->w[i].job.rel && b->w[i].task_fd >= 0)
				w = &b->w[i];
		if (!w && b->nw < (size_t)b->o.jobs)
			w = spawn(b, extra_fd);
		if (!w)
			break;
		if (send_task(w, &b->queue[b->qhead]) != 0) {
			close(w->task_fd); /* it died; poll reaps it */
			w->task_fd = -1;
			continue;
		}
		b->qhead++;
	}
	if (b->qhead == b->qn)
		b->qhead = b->qn = 0;
	if (b->o.watch && !b->stop_dispatch)
		return;
	if (b->qhead < b->qn && !b->stop_dispatch)
		return;
	for (size_t i = 0; i < b->nw; i++)
		if (!b->w[i].job.rel && b->w[i].task_fd >= 0) {
			close(b->w[i].task_fd);
			b->w[i].task_fd = -1;
		}
}

/* A worker's pipe closed: collect it; an article it was converting fails alone. */
static void reap(struct batch *b, size_t i)
{
	struct worker *w = &b->w[i];
	int st = 0;
	waitpid(w->pid, &st, 0);
	if (w->job.rel) {
		char msg[PATH_SIZE + 64];
		if (WIFSIGNALED(st))
			snprintf(msg, sizeof msg, "%s/%s: the worker converting it died (signal %d)",
				 b->o.in_dir, w->job.rel, WTERMSIG(st));
		else
			snprintf(msg, sizeof msg, "%s/%s: the worker converting it stopped (status %d)",
				 b->o.in_dir, w->job.rel, WEXITSTATUS(st));
		article_done(b, &w->job, BB_ESOFTWARE, 0, 0, msg);
		free(w->job.rel);
	}
	if (w->task_fd >= 0)
		close(w->task_fd);
	close(w->reply_fd);
	b->w[i] = b->w[--b->nw];
}

/* The disk is full: the cache gives back half of what it holds (least recently used first)
 * and the article is queued once more, so the cache never starves the outputs. 1 when
 * queued. */
static int retry_after_trim(struct batch *b, const struct job *j)
{
	if (j->retried || b->o.no_cache || !b->cache_dir[0])
		return 0;
	uint64_t held = bb_cache_trim(b->cache_dir, UINT64_MAX);
	if (held == 0 || bb_cache_trim(b->cache_dir, held / 2) >= held)
		return 0;
	if (b->qn == b->qcap) {
		size_t cap = b->qcap ? b->qcap * 2 : 256;
		struct job *q = realloc(b->queue, cap * sizeof *q);
		if (!q)
			return 0;
		b->queue = q;
		b->qcap = cap;
	}
	b->queue[b->qn] = *j;
	b->queue[b->qn++].retried = 1;
	return 1;
}

static void handle_reply(struct batch *b, struct worker *w, const struct reply *r)
{
	if (r->type == 'P') {
		w->audio_now = r->audio_s;
		return;
	}
	if (r->type == 'I') { /* eSpeak or the cache would not start: nothing can be done */
		b->stop_dispatch = 1;
		b->worst = batch_worse(b->worst, r->status);
		batch_clear_progress(b);
		fprintf(stderr, "bobao: %s\n", r->msg);
		if (w->job.rel) { /* its article was never started */
			b->failed++;
			batch_log_line(b, w->job.rel, "failed", w->job.why, r->status, 0, 0, r->msg);
			free(w->job.rel);
			w->job.rel = NULL;
		}
		return;
	}
	b->hits += r->hits;
	b->misses += r->misses;
	if (r->status != BB_OK && r->nospace && retry_after_trim(b, &w->job)) {
		w->job.rel = NULL; /* queued again */
		return;
	}
	article_done(b, &w->job, r->status, r->seconds, r->audio_s, r->msg);
	free(w->job.rel);
	w->job.rel = NULL;
}

/* Waits up to timeout_ms for replies (and extra_fd); returns 1 when extra_fd is readable. */
int batch_pump(struct batch *b, int extra_fd, int timeout_ms)
{
	struct pollfd fds[MAX_JOBS + 1];
	size_t n = b->nw;
	for (size_t i = 0; i < n; i++)
		fds[i] = (struct pollfd){b->w[i].reply_fd, POLLIN, 0};
	fds[n] = (struct pollfd){extra_fd, POLLIN, 0};
	if (poll(fds, n + 1, timeout_ms) <= 0)
		return 0;
	pid_t gone[MAX_JOBS];
	size_t ngone = 0;
	for (size_t i = 0; i < n; i++) {
		if (!fds[i].revents)
			continue;
		struct reply r;
		if (bb_read_full(b->w[i].reply_fd, &r, sizeof r) == 0)
			handle_reply(b, &b->w[i], &r);
		else
			gone[ngone++] = b->w[i].pid;
	}
	for (size_t g = 0; g < ngone; g++)
		for (size_t i = 0; i < b->nw; i++)
			if (b->w[i].pid == gone[g]) {
				reap(b, i);
				break;
			}
	return extra_fd >= 0 && (fds[n].revents & POLLIN);
}
