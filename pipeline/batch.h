/* batch: the private header of the batch rooms (batch*.c). SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef BOBAO_BATCH_H
#define BOBAO_BATCH_H

#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "bobao.h"
#include "cache.h"
#include "hash.h"

#define MAX_JOBS 256
#define PATH_SIZE 4096
#define STATE_DIR ".bobao-state"
#define CACHE_DIR ".bobao-cache"
#define LOCK_FILE ".bobao-lock"

struct options {
	const char *in_dir, *out_dir, *voice, *format, *log, *cache_dir, *lexicon;
	struct bb_read_opts read; /* --encoding, --max-size, --lenient */
	long jobs, settle_ms, timeout_s;
	unsigned long shard_k, shard_n, cache_mb;
	int watch, keep_captions, quiet, wait_lock, no_cache, dry_run;
	int prune, log_skipped, rate_percent;
	int html, epub; /* --html, --epub: outputs beside the others */
	int chapters;   /* --chapters: enum bb_chapters */
};

/* Why an article would be converted, or that it would not. */
enum article_state {
	UP_TO_DATE,
	STALE_NEW,      /* no stamp: never converted, or its conversion did not finish */
	STALE_INPUT,    /* its bytes changed */
	STALE_SETTINGS, /* the voice, options, lexicons, bobao or eSpeak NG changed */
	STALE_OUTPUTS,  /* an output was removed */
	STALE_UNREADABLE,
	FAILED_BEFORE,  /* it failed, and neither it nor the settings changed since: not retried */
};
extern const char *const batch_state_name[];


struct job {
	char *rel; /* path under IN_DIR, '/'-separated */
	uint64_t size;
	enum article_state why;
	char input[33]; /* the hash of its bytes when it was planned ("": unknown) */
	int retried; /* once, after the disk was full and the cache trimmed */
};

/* Worker -> parent, one write each (smaller than PIPE_BUF, so never interleaved). */
struct reply {
	char type; /* 'P' progress, 'R' result, 'I' the worker could not start */
	int status;
	double seconds, audio_s;
	size_t hits, misses;
	int nospace; /* it failed for want of disk space */
	char msg[1024]; /* "PATH: what is wrong", or a warning when status is BB_OK */
};

struct worker {
	pid_t pid;
	int task_fd, reply_fd; /* task_fd -1: told to stop */
	struct job job;        /* in flight; rel NULL when idle */
	double audio_now;
};

struct batch {
	struct options o;
	struct bb_voice voice;
	char settings[33];
	char cache_dir[PATH_SIZE];
	FILE *log;
	struct bb_lexicon *lex;
	int lex_tried, stop_dispatch, show_progress;
	struct worker w[MAX_JOBS];
	size_t nw;
	struct job *queue;
	size_t qhead, qn, qcap;
	dev_t out_dev;
	ino_t out_ino;
	int one_thread; /* a worker process a core: the assembler's thread would only contend */
	int log_failed; /* said once */
	int scan_quiet; /* scanning again (watch): failures were said at the first scan */
	/* counts of this run */
	size_t todo, converted, skipped, failed, hits, misses, failed_before, pruned, scanned;
	size_t stale[STALE_UNREADABLE + 1]; /* --dry-run: articles that would be converted, by why */
	uint64_t bytes_todo, bytes_done;
	double audio_made, audio_skipped, t0, last_progress;
	int worst;
};

/* In a worker process. */
struct wstate {
	struct batch *b;
	struct bb_synth *sy;
	struct bb_disk_cache *cache;
	int reply_fd;
	double audio, last_sent;
};

/* The stop signals, and which of them were ignored when the batch started (a parent that
 * ignores SIGINT, as a background job of a script): the workers keep them ignored. */
extern const int batch_stop_signals[3];
extern int batch_stop_ignored[3];

struct names {
	char **v;
	size_t n, cap;
};

struct pending {
	char *rel;
	double due;
	int closed; /* the writer closed it (or moved it in) */
};

struct watch {
	int fd;
	int *wd;
	char **rel;
	size_t n, cap;
	struct pending *p;
	size_t np, pcap;
};

/* batch_paths.c */
int batch_audio_name(const struct batch *b, const char *rel, char *out, size_t size);
const char *batch_base_name(const char *rel);
int batch_ends_with_txt(const char *name);
int batch_hash_fd(int fd, struct bb_hash *h, uint64_t *size);
int batch_hash_file(const char *path, struct bb_hash *h, uint64_t *size);
int batch_join(char *out, size_t size, const char *a, const char *b);
int batch_mkdir_all(const char *dir);
double batch_now_s(void);
int batch_open_article(const struct batch *b, const char *rel, struct stat *st,
		       struct bb_error *err);
int batch_open_parent(const char *root, const char *rel, int create, int code,
		      struct bb_error *err);
int batch_out_path(const struct batch *b, const char *rel, char *out, size_t size);
int batch_stamp_rel(const char *rel, char *out, size_t size);
int batch_worse(int a, int b);

/* batch_stamps.c */
enum article_state batch_article_state(const struct batch *b, const char *rel,
				       double *audio_s, uint64_t *size, char input_hex[33]);
void batch_failure_text(const struct batch *b, int status, char *out, size_t size);
int batch_find_clashes(struct batch *b, const struct names *files, unsigned char *clash,
		       const char *only);
void batch_prune(struct batch *b);
int batch_read_article(const struct batch *b, const char *rel, const char *in,
		       struct bb_article *art, struct bb_hash *h, struct bb_read_info *info,
		       struct bb_error *err);
void batch_remove_stale_temps(int dir, const char *audio);
int batch_remove_tree(int dir, const char *name, int depth);
void batch_settings_hash(struct batch *b);
void batch_stamp_text(const struct batch *b, const char *input_hex, char *out, size_t size);
int batch_write_stamp(int dir, const char *name, const char *text);

/* batch_scan.c */
int batch_by_name(const void *a, const void *b);
int batch_in_shard(const struct batch *b, const char *rel);
int batch_lock_out(const struct batch *b, int fds[2], struct bb_error *err);
int batch_names_add(struct names *l, const char *s);
int batch_scan(struct batch *b, const char *rel, struct names *files, struct names *dirs);
void batch_warn_link(const char *path);

/* batch_workers.c */
int batch_busy(const struct batch *b);
void batch_clear_progress(struct batch *b);
void batch_dispatch(struct batch *b, int extra_fd);
int batch_enqueue(struct batch *b, const char *rel, uint64_t size, enum article_state why,
		  const char *input_hex);
int batch_in_flight(const struct batch *b, const char *rel);
void batch_log_line(struct batch *b, const char *rel, const char *status,
		    enum article_state why, int code, double seconds, double audio_s,
		    const char *error);
int batch_pump(struct batch *b, int extra_fd, int timeout_ms);
int batch_queued(const struct batch *b, const char *rel);
void batch_show_progress(struct batch *b, int force);

/* batch_watch.c */
int batch_being_written_rel(const struct batch *b, const char *rel);
void batch_watch_free(struct watch *wa);
void batch_watch_loop(struct batch *b, struct watch *wa);
void batch_watch_touch(struct watch *wa, const char *rel, int closed, double due);
void batch_watch_tree(struct batch *b, struct watch *wa, const char *rel, int files_due);

#endif
