/* batch: many articles: worker processes, stamps, sentence cache, lock, progress, shards, watch. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent never starts eSpeak: it scans IN_DIR, skips articles whose stamp (input hash,
 * settings hash, version) matches and whose outputs stand, and only when there is work it
 * loads the lexicon (shared with the workers by fork) and forks up to -j workers, each of
 * which opens eSpeak once and converts the articles it is sent over its pipe. Uses jansson
 * for the --log lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bobao.h"
#include "cache.h"
#include "outputs.h"
#include "sidecar.h"
#include "tempfile.h"

#define MAX_JOBS 256
#define PATH_SIZE 4096
#define STATE_DIR ".bobao-state"
#define CACHE_DIR ".bobao-cache"
#define LOCK_FILE ".bobao-lock"

static const char usage_text[] =
	"usage: bobao batch [OPTIONS] IN_DIR OUT_DIR\n"
	"  every IN_DIR/**/*.txt -> OUT_DIR/<same path>.<format> + .json .vtt .srt\n"
	"  -j N               worker processes (default: the number of cores)\n"
	"  --shard K/N        only the articles whose path hashes to K (0 <= K < N)\n"
	"  --voice NAME|FILE  voice preset (default: news)\n"
	"  --format FMT       {audio} (default: wav)\n"
	"  --log FILE         append one JSON line per article converted or failed\n"
	"  --log-skipped      --log: also a line per article skipped\n"
	"  --cache DIR        sentence cache (default: OUT_DIR/.bobao-cache)\n"
	"  --cache-size MB    cache bound, least recently used evicted (default: 4096)\n"
	"  --no-cache         synthesize every sentence\n"
	"  --watch            keep running, convert articles as they land in IN_DIR\n"
	"  --settle MS        watch: quiet time after a file is closed (default: 1000)\n"
	"  --wait             wait for another batch on OUT_DIR instead of exiting 75\n"
	"  --timeout S        seconds one article may take, then it fails with 75; 0: no limit\n"
	"                     (default: 600)\n"
	"  --max-size BYTES   larger articles fail (K, M, G suffixes; default: 16M)\n"
	"  --lenient          drop invalid UTF-8 (with a warning) instead of failing the article\n"
	"  -n, --dry-run      list what would be converted: why (new, input, settings, outputs,\n"
	"                     unreadable), TAB, path; and what --prune would remove; change nothing\n"
	"  --prune            remove the outputs of articles no longer in IN_DIR\n"
	"  --rate PERCENT     the preset's speaking rate scaled, 50 to 200 (%)\n"
	"  --chapters AT      chapters (and WAV cues) at each heading (default), paragraph or\n"
	"                     sentence\n"
	"  --html --epub      also a listening page (.html) and an EPUB 3 with Media Overlays\n"
	"  --lexicon FILE --encoding NAME --keep-captions -q\n"
	"an article that failed (bad data, or its conversion crashed) is not tried again until it\n"
	"changes, or the settings do\n"
	"symbolic links under IN_DIR are skipped (with a warning), and outputs are never written\n"
	"through a link under OUT_DIR\n"
	"exit: 0 ok, 64 usage, 65 bad article, 66 no input, 73 cannot write, 75 locked or timed\n"
	"      out: retry, 78 bad configuration; with several failures, the highest code\n";

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
static const char *const state_name[] = {"up-to-date", "new", "input", "settings", "outputs",
					 "unreadable", "failed"};

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

static volatile sig_atomic_t stop_requested;

/* The stop signals, and which of them were ignored when the batch started (a parent that
 * ignores SIGINT, as a background job of a script): the workers keep them ignored. */
static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static int stop_ignored[3];

/* ---- small helpers ----------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int worse(int a, int b)
{
	return a > b ? a : b;
}

static int ends_with_txt(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && strcasecmp(name + n - 4, ".txt") == 0;
}

/* Writes "a/b" into out; -1 when it does not fit. */
static int join(char *out, size_t size, const char *a, const char *b)
{
	int n = snprintf(out, size, "%s%s%s", a, *a && *b ? "/" : "", b);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The file name of the article at rel (its path under IN_DIR). */
static const char *base_name(const char *rel)
{
	const char *slash = strrchr(rel, '/');
	return slash ? slash + 1 : rel;
}

/* OUT_DIR/<rel without .txt>.<format>: the audio file, as messages name it. */
static int out_path(const struct batch *b, const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, "%s/%.*s.%s", b->o.out_dir, (int)(strlen(rel) - 4), rel,
			 b->o.format);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The audio file's name in its folder. */
static int audio_name(const struct batch *b, const char *rel, char *out, size_t size)
{
	const char *base = base_name(rel);
	int n = snprintf(out, size, "%.*s.%s", (int)(strlen(base) - 4), base, b->o.format);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* The stamp's path under OUT_DIR. */
static int stamp_rel(const char *rel, char *out, size_t size)
{
	int n = snprintf(out, size, STATE_DIR "/%s", rel);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Creates dir and the folders leading to it (dir is the user's: links in it are followed). */
static int mkdir_all(const char *dir)
{
	char tmp[PATH_SIZE];
	if (join(tmp, sizeof tmp, dir, "x") != 0)
		return -1;
	for (char *p = strchr(tmp + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* Opens the folder holding root/rel's last component, walking down from root one folder at
 * a time without following symbolic links (root itself may be one: the user named it), so
 * a folder under IN_DIR or OUT_DIR that links elsewhere is never read or written through.
 * With create, missing folders are made. Returns the fd, or -1 with err set to code. */
static int open_parent(const char *root, const char *rel, int create, int code,
		       struct bb_error *err)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		bb_fail(err, code, "%s: %s", root, strerror(errno));
		return -1;
	}
	for (const char *p = rel, *slash; (slash = strchr(p, '/')); p = slash + 1) {
		char name[NAME_MAX + 1];
		size_t n = (size_t)(slash - p);
		int next = -1, e = EINVAL;
		/* rel comes from a folder walk, so never "." or "..": refused all the same */
		int dots = p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.'));
		if (n > 0 && n <= NAME_MAX && !dots) {
			memcpy(name, p, n);
			name[n] = '\0';
			int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
			if (!create || mkdirat(fd, name, 0777) == 0 || errno == EEXIST)
				next = openat(fd, name, flags);
			e = errno;
		}
		if (next < 0) {
			struct stat st;
			int link = e == ENOTDIR &&
				   fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
				   S_ISLNK(st.st_mode);
			close(fd);
			bb_fail(err, code, "%s/%.*s: %s", root, (int)(slash - rel), rel,
				link ? "a symbolic link, not followed" : strerror(e));
			return -1;
		}
		close(fd);
		fd = next;
	}
	return fd;
}

/* Opens IN_DIR/rel for reading, refusing a symbolic link anywhere below IN_DIR; fills st. */
static int open_article(const struct batch *b, const char *rel, struct stat *st,
			struct bb_error *err)
{
	int dir = open_parent(b->o.in_dir, rel, 0, BB_ENOINPUT, err);
	if (dir < 0)
		return -1;
	/* O_NONBLOCK: a FIFO put in an article's place must not hang the open */
	int fd = openat(dir, base_name(rel), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		bb_fail(err, BB_ENOINPUT, "%s", errno == ELOOP ? "a symbolic link, not followed"
							       : strerror(errno));
	else if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		bb_fail(err, BB_ENOINPUT, "not a regular file");
		close(fd);
		fd = -1;
	}
	close(dir);
	return fd;
}

static int hash_fd(int fd, struct bb_hash *h, uint64_t *size)
{
	char buf[65536];
	ssize_t r;
	*h = bb_hash_start();
	*size = 0;
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		*h = bb_hash_add(*h, buf, (size_t)r);
		*size += (uint64_t)r;
	}
	return r < 0 ? -1 : 0;
}

static int hash_file(const char *path, struct bb_hash *h, uint64_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = hash_fd(fd, h, size), e = errno;
	close(fd);
	errno = e;
	return rc;
}

/* ---- what makes an output up to date --------------------------------------------------- */

static struct bb_hash hash_file_into(struct bb_hash h, const char *path)
{
	struct bb_hash f;
	uint64_t size;
	if (!path || !path[0])
		return bb_hash_add(h, "-", 2);
	if (hash_file(path, &f, &size) != 0)
		return bb_hash_add(h, "?", 2);
	return bb_hash_add(h, &f, sizeof f);
}

/* Everything besides the input bytes that changes an output: the synthesizer, voice,
 * options, lexicons. */
static void settings_hash(struct batch *b)
{
	const struct bb_voice *v = &b->voice;
	char text[512];
	/* not --lenient nor --max-size: they decide whether an article is read, not how */
	int n = snprintf(text, sizeof text, "bobao %s\n%s\nformat %s captions %d encoding %s\n",
			 BOBAO_VERSION, bb_synth_engine_id(), b->o.format, b->o.keep_captions,
			 b->o.read.encoding ? b->o.read.encoding : "-");
	struct bb_hash h = bb_hash_add(bb_hash_start(), text, (size_t)n);
	h = bb_hash_add(h, &b->o.chapters, sizeof b->o.chapters); /* --chapters */
	/* every preset key: the struct is zeroed before loading, so equal presets hash equal */
	h = bb_hash_add(h, v, sizeof *v);
	h = hash_file_into(h, v->lexicon);
	h = hash_file_into(h, b->o.lexicon);
	/* The built-in lexicon: its size and time are enough, and cost no read. */
	char lexbin[PATH_SIZE];
	struct stat st;
	if (bb_find_data("lexicon.bin", lexbin, sizeof lexbin) && stat(lexbin, &st) == 0) {
		long long facts[3] = {(long long)st.st_size, (long long)st.st_mtim.tv_sec,
				      (long long)st.st_mtim.tv_nsec};
		h = bb_hash_add(h, facts, sizeof facts);
	}
	bb_hash_hex(h, b->settings);
}

static void stamp_text(const struct batch *b, const char *input_hex, char *out, size_t size)
{
	snprintf(out, size, "bobao-stamp 1\nversion %s\nsettings %s\ninput %s\n", BOBAO_VERSION,
		 b->settings, input_hex);
}

/* The audio file (named audio in folder dir) and its sidecars stand, as files: the three,
 * and the page and the book when asked. */
static int outputs_present(int dir, const char *audio, const struct options *o)
{
	struct stat st;
	if (fstatat(dir, audio, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return 0;
	const char *dot = strrchr(audio, '.');
	const struct bb_output_type *t;
	for (size_t i = 0; (t = bb_output_at(i)) != NULL; i++) {
		char p[PATH_SIZE];
		if (t->kind != BB_OUT_SIDECAR ||
		    !((t->flags & BB_OUT_EVERY) || (o->html && strcmp(t->name, "html") == 0) ||
		      (o->epub && strcmp(t->name, "epub") == 0)))
			continue;
		snprintf(p, sizeof p, "%.*s%s", (int)(dot - audio), audio, t->ext);
		if (fstatat(dir, p, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
			return 0;
	}
	return 1;
}

/* The failure record a stamp ends with: the status, and the reading options, as they decide
 * whether an article is read at all (--lenient, --max-size) but are not in the settings. */
static void failure_text(const struct batch *b, int status, char *out, size_t size)
{
	snprintf(out, size, "failed %d lenient %d max_bytes %zu\n", status, b->o.read.lenient,
		 b->o.read.max_bytes);
}

/* Whether rel's outputs are up to date, and if not why; when they are, *audio_s is what its
 * stamp recorded. input_hex gets the hash of the article's bytes. */
static enum article_state article_state(const struct batch *b, const char *rel,
					double *audio_s, uint64_t *size, char input_hex[33])
{
	char stamp[PATH_SIZE], audio[PATH_SIZE], want[256], have[512], hex[33], failed[128];
	struct bb_error err = {0};
	struct bb_hash h;
	struct stat st;
	*size = 0;
	int in = open_article(b, rel, &st, &err);
	if (in < 0)
		return STALE_UNREADABLE;
	int hashed = hash_fd(in, &h, size) == 0;
	close(in);
	if (!hashed || stamp_rel(rel, stamp, sizeof stamp) ||
	    audio_name(b, rel, audio, sizeof audio))
		return STALE_UNREADABLE;
	bb_hash_hex(h, hex);
	memcpy(input_hex, hex, sizeof hex);
	stamp_text(b, hex, want, sizeof want);
	int dir = open_parent(b->o.out_dir, stamp, 0, BB_ECANTCREAT, &err);
	/* O_NONBLOCK and a regular file only: a FIFO or a device in a stamp's place must not
	 * hang the run (nor -n, nor --watch); it means "convert again", as any damaged stamp */
	int fd = dir < 0 ? -1 : openat(dir, base_name(rel),
				       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
		close(fd);
		fd = -1;
	}
	ssize_t n = fd < 0 ? -1 : read(fd, have, sizeof have - 1);
	if (fd >= 0)
		close(fd);
	if (dir >= 0)
		close(dir);
	if (n <= 0)
		return STALE_NEW;
	have[n] = '\0';
	/* the stamp's lines: version and settings, then the input's hash */
	const char *input = strstr(want, "\ninput ");
	size_t head = input ? (size_t)(input - want) : 0, wl = strlen(want);
	if (strncmp(have, want, head) != 0)
		return STALE_SETTINGS;
	int status;
	if (strncmp(have, want, wl) == 0 && sscanf(have + wl, "failed %d", &status) == 1) {
		failure_text(b, status, failed, sizeof failed);
		return strcmp(have + wl, failed) == 0 ? FAILED_BEFORE : STALE_SETTINGS;
	}
	if (strncmp(have, want, wl) != 0)
		return STALE_INPUT;
	if (sscanf(have + wl, "audio_seconds %lf", audio_s) != 1 || !isfinite(*audio_s) ||
	    *audio_s < 0 || *audio_s > 1e9)
		return STALE_NEW; /* a damaged stamp: convert again */
	dir = open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
	int present = dir >= 0 && outputs_present(dir, audio, &b->o);
	if (dir >= 0)
		close(dir);
	return present ? UP_TO_DATE : STALE_OUTPUTS;
}

/* Removes name from folder dir, a folder with all it holds (links are removed, never
 * followed); depth bounds the walk. Returns 0, or -1 with errno. */
static int remove_tree(int dir, const char *name, int depth)
{
	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM) /* EPERM: POSIX's word for a folder */
		return -1;
	int fd = depth > 0 ? openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1;
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			remove_tree(fd, e->d_name, depth - 1);
	closedir(d);
	return unlinkat(dir, name, AT_REMOVEDIR);
}

/* Writes the stamp name in folder dir whole, or not at all. */
static int write_stamp(int dir, const char *name, const char *text)
{
	char tmp[PATH_SIZE];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", name, (long)getpid());
	/* a new file: never written through a link or a hard link planted under that name */
	remove_tree(dir, tmp, 1);
	int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	int ok = bb_write_full(fd, text, strlen(text)) == 0;
	ok = close(fd) == 0 && ok && renameat(dir, tmp, dir, name) == 0;
	if (!ok)
		unlinkat(dir, tmp, 0);
	return ok ? 0 : -1;
}

/* Whether name is a temporary the assembler made for audio (NAME.EXT) or one of its sidecars
 * (NAME.json .vtt .srt): BB_TEMP_PREFIX "PID." NAME "." EXT ".XXXXXX"; *pid is its writer. */
static int is_our_temp(const char *name, const char *audio, long *pid)
{
	const struct bb_output_type *t;
	const char *dot = strrchr(audio, '.');
	size_t sl = (size_t)(dot - audio), pl = strlen(BB_TEMP_PREFIX);
	if (strncmp(name, BB_TEMP_PREFIX, pl) != 0)
		return 0;
	char *end;
	errno = 0;
	*pid = strtol(name + pl, &end, 10);
	if (errno || end == name + pl || *end != '.' || *pid <= 0 || *pid > INT_MAX)
		return 0;
	const char *n = end + 1;
	if (strncmp(n, audio, sl) != 0 || n[sl] != '.')
		return 0;
	const char *ext = n + sl + 1, *x = strrchr(ext, '.');
	if (!x || strlen(x) != 7) /* ".XXXXXX" from mkstemp */
		return 0;
	size_t el = (size_t)(x - ext);
	if (el == strlen(dot + 1) && strncmp(ext, dot + 1, el) == 0)
		return 1;
	for (size_t i = 0; (t = bb_output_at(i)) != NULL; i++)
		if (t->kind == BB_OUT_SIDECAR && (t->flags & BB_OUT_EVERY) &&
		    el == strlen(t->ext + 1) && strncmp(ext, t->ext + 1, el) == 0)
			return 1;
	return 0;
}

/* Whether process pid is gone: no such process, or a zombie (killed with its run, and not
 * reaped yet where the container's init is slow to reap). */
static int process_gone(long pid)
{
	if (kill((pid_t)pid, 0) != 0)
		return errno == ESRCH;
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "re");
	size_t n = f ? fread(line, 1, sizeof line - 1, f) : 0;
	if (f)
		fclose(f);
	line[n] = '\0';
	const char *paren = strrchr(line, ')'); /* the command name may hold spaces */
	return paren && paren[1] == ' ' && paren[2] == 'Z';
}

/* Removes from folder dir what a killed conversion left of the output audio (named audio)
 * and its sidecars: the assembler's temporaries, by their distinctive names, and only those
 * whose writer is gone (the lock keeps other runs out of OUT_DIR; a live writer is another
 * program's bobao speak). Anything else, a user's file or an upload in progress, stays. */
static void remove_stale_temps(int dir, const char *audio)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	long pid;
	while ((e = readdir(d))) {
		struct stat st;
		if (is_our_temp(e->d_name, audio, &pid) &&
		    process_gone(pid) &&
		    fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
			unlinkat(dir, e->d_name, 0);
	}
	closedir(d);
}

/* Reads IN_DIR/rel (opened here, never through a symbolic link) and parses it; *h is the
 * hash of the very bytes converted. */
static int read_article(const struct batch *b, const char *rel, const char *in,
			struct bb_article *art, struct bb_hash *h, struct bb_read_info *info,
			struct bb_error *err)
{
	struct stat st;
	int fd = open_article(b, rel, &st, err);
	if (fd < 0)
		return err->code;
	char *buf = NULL;
	size_t len = 0;
	int rc = bb_read_fd(fd, b->o.read.max_bytes, &buf, &len, err);
	close(fd);
	if (rc == BB_OK) {
		*h = bb_hash_add(bb_hash_start(), buf, len);
		rc = bb_article_from_bytes(art, buf, len, in, &b->o.read, info, err);
	}
	free(buf);
	return rc;
}

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
	double t = now_s();
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
	if (join(in, sizeof in, b->o.in_dir, rel) || out_path(b, rel, out, sizeof out) ||
	    stamp_rel(rel, stamp, sizeof stamp) || audio_name(b, rel, audio, sizeof audio))
		rc = bb_fail(&err, BB_ECANTCREAT, "path too long");
	else
		rc = read_article(b, rel, in, &art, &h, &info, &err);
	if (rc == BB_OK)
		rc = bb_script_build(&sc, &art, b->lex, b->o.keep_captions ? BB_KEEP_CAPTIONS : 0,
				     &err);
	if (rc == BB_OK) {
		where = out;
		/* Into folders reached from OUT_DIR without following a link; entering the audio's
		 * folder keeps the assembler's relative names from being redirected later. */
		if ((stamp_dir = open_parent(b->o.out_dir, stamp, 1, BB_ECANTCREAT, &err)) < 0 ||
		    (audio_dir = open_parent(b->o.out_dir, rel, 1, BB_ECANTCREAT, &err)) < 0)
			rc = err.code;
		/* The old stamp goes first: a run killed from here on must not look complete. */
		else if (remove_tree(stamp_dir, base_name(rel), 64) != 0) /* a folder: repaired */
			rc = bb_fail(&err, BB_ECANTCREAT, "cannot remove its stamp: %s",
				     strerror(errno));
		else if (fchdir(audio_dir) != 0)
			rc = bb_fail(&err, BB_ECANTCREAT, "cannot enter its folder: %s",
				     strerror(errno));
	}
	if (rc == BB_OK) {
		remove_stale_temps(audio_dir, audio);
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
		stamp_text(b, hex, text, sizeof text);
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, "audio_seconds %.3f\n", w->audio);
		if (write_stamp(stamp_dir, base_name(rel), text) != 0)
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
	double end = now_s() + (double)timeout_s;
	for (;;) {
		double left = end - now_s();
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
	double t0 = now_s();
	struct reply r = {.type = 'R'};
	int done[2] = {-1, -1}, got = 0, st = 0;
	pid_t pid = -1;
	if (pipe2(done, O_CLOEXEC) == 0 && (pid = fork()) == 0) {
		close(done[0]);
		/* SIGINT, SIGTERM, SIGHUP: its temporaries are removed, then it dies of the signal */
		bb_temp_install_signal_cleanup();
		r.status = convert(w, rel, &r);
		r.seconds = now_s() - t0;
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
		int dir = audio_name(b, rel, audio, sizeof audio) ? -1
			  : open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
		if (dir >= 0) {
			remove_stale_temps(dir, audio);
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
		r.seconds = now_s() - t0;
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

static void clear_progress(struct batch *b)
{
	if (b->show_progress && b->last_progress > 0)
		fputs("\r\033[K", stderr);
}

static void show_progress(struct batch *b, int force)
{
	double t = now_s();
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

static void log_line(struct batch *b, const char *rel, const char *status,
		     enum article_state why, int code, double seconds, double audio_s,
		     const char *error)
{
	if (!b->log)
		return;
	errno = 0;
	int rc = bb_sidecar_log_line(b->log, rel, status, state_name[why], code, seconds, audio_s,
				     error);
	if ((fflush(b->log) != 0 || rc != BB_OK || ferror(b->log)) && !b->log_failed) {
		/* once: a log that cannot be written is an I/O error of the run (74) */
		b->log_failed = 1;
		b->worst = worse(b->worst, BB_EIO);
		clear_progress(b);
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
	    stamp_rel(j->rel, stamp, sizeof stamp))
		return;
	stamp_text(b, j->input, text, sizeof text);
	size_t n = strlen(text);
	failure_text(b, status, text + n, sizeof text - n);
	int dir = open_parent(b->o.out_dir, stamp, 1, BB_ECANTCREAT, &err);
	if (dir >= 0) {
		write_stamp(dir, base_name(j->rel), text); /* not kept: it is tried again, no more */
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
			clear_progress(b);
			fprintf(stderr, "bobao: %s\n", msg);
		}
		if (b->o.watch && !b->o.quiet)
			fprintf(stderr, "bobao: %s: converted, %.1f s of audio\n", j->rel, audio_s);
	} else {
		b->failed++;
		b->worst = worse(b->worst, status);
		clear_progress(b);
		fprintf(stderr, "bobao: %s\n", msg);
		record_failure(b, j, status);
	}
	log_line(b, j->rel, status == BB_OK ? "converted" : "failed", j->why, status, seconds,
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
		clear_progress(b);
		fprintf(stderr, "bobao: %s\n", err.msg[0] ? err.msg : bb_status_name(rc));
		b->worst = worse(b->worst, rc);
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
		for (size_t k = 0; k < sizeof stop_signals / sizeof stop_signals[0]; k++)
			signal(stop_signals[k], stop_ignored[k] ? SIG_IGN : SIG_DFL);
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

static int in_flight(const struct batch *b, const char *rel)
{
	for (size_t i = 0; i < b->nw; i++)
		if (b->w[i].job.rel && strcmp(b->w[i].job.rel, rel) == 0)
			return 1;
	return 0;
}

static int busy(const struct batch *b)
{
	for (size_t i = 0; i < b->nw; i++)
		if (b->w[i].job.rel)
			return 1;
	return 0;
}

static int queued(const struct batch *b, const char *rel)
{
	for (size_t i = b->qhead; i < b->qn; i++)
		if (strcmp(b->queue[i].rel, rel) == 0)
			return 1;
	return 0;
}

static int enqueue(struct batch *b, const char *rel, uint64_t size, enum article_state why,
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
static void dispatch(struct batch *b, int extra_fd)
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
		b->worst = worse(b->worst, r->status);
		clear_progress(b);
		fprintf(stderr, "bobao: %s\n", r->msg);
		if (w->job.rel) { /* its article was never started */
			b->failed++;
			log_line(b, w->job.rel, "failed", w->job.why, r->status, 0, 0, r->msg);
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
static int pump(struct batch *b, int extra_fd, int timeout_ms)
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

/* ---- scanning, lock ---------------------------------------------------------------------- */

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	if (!(l->v[l->n] = strdup(s)))
		return -1;
	l->n++;
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Links under IN_DIR are never followed: they may lead out of it, or round in a loop. */
static void warn_link(const char *path)
{
	fprintf(stderr, "bobao: %s: a symbolic link: skipped (not followed)\n", path);
}

/* A folder or an article that the scan cannot reach fails alone, named; the others go on.
 * Said when planning (files wanted), not while only setting watches. */
static void scan_failed(struct batch *b, const char *path, const char *rel, const char *why)
{
	if (b->scan_quiet)
		return;
	char msg[PATH_SIZE + 128];
	snprintf(msg, sizeof msg, "%s: %s", path, why);
	clear_progress(b);
	fprintf(stderr, "bobao: %s\n", msg);
	b->failed++;
	b->worst = worse(b->worst, BB_ENOINPUT);
	log_line(b, rel, "failed", STALE_UNREADABLE, BB_ENOINPUT, 0, 0, msg);
}

/* Adds every *.txt under IN_DIR/rel; skips hidden names, OUT_DIR when it is inside, and
 * symbolic links, with a warning for those that look like articles or folders. A subfolder
 * that cannot be read (gone, no permission) or a path too long fails alone; -1 only when IN_DIR
 * itself cannot be read, or out of memory. */
static int scan(struct batch *b, const char *rel, struct names *files, struct names *dirs)
{
	char dir[PATH_SIZE];
	if (join(dir, sizeof dir, b->o.in_dir, rel) != 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d && rel[0]) {
		if (files)
			scan_failed(b, dir, rel, errno == ENOENT ? "the folder vanished while it was read"
				    : strerror(errno));
		return 0;
	}
	if (!d)
		return -1;
	if (dirs && names_add(dirs, rel) != 0) {
		closedir(d);
		return -1;
	}
	struct dirent *e;
	int rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		char sub[PATH_SIZE], full[PATH_SIZE];
		struct stat st;
		if (e->d_name[0] == '.' ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		int wanted = S_ISDIR(st.st_mode) || (S_ISREG(st.st_mode) && ends_with_txt(e->d_name));
		if (join(sub, sizeof sub, rel, e->d_name) != 0 ||
		    join(full, sizeof full, dir, e->d_name) != 0) {
			if (wanted && files)
				scan_failed(b, dir, rel, "a name in it makes a path over 4096 bytes: not "
					    "converted");
			continue;
		}
		if (S_ISLNK(st.st_mode)) {
			if (files && (ends_with_txt(e->d_name) ||
				      (stat(full, &st) == 0 && S_ISDIR(st.st_mode))))
				warn_link(full);
		} else if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != b->out_dev || st.st_ino != b->out_ino)
				rc = scan(b, sub, files, dirs);
		} else if (wanted) {
			rc = files ? names_add(files, sub) : 0;
		}
	}
	closedir(d);
	return rc;
}

static int in_shard(const struct batch *b, const char *rel)
{
	return b->o.shard_n <= 1 || bb_fnv1a64(rel) % b->o.shard_n == b->o.shard_k;
}

/* Shard K/N's share of OUT_DIR/.bobao-lock (fd, at path), which records N: the first shard
 * in (the lock free) writes it; the others, sharing the lock, must have the same N, else
 * their articles would overlap (0/2 and 0/3 both convert some). A sibling holds the lock
 * exclusively only for that write: a moment, waited for. */
static int lock_shards(const struct batch *b, int fd, const char *path, struct bb_error *err)
{
	for (int tries = 0;; tries++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			char text[64];
			int n = snprintf(text, sizeof text, "shards %lu\n", b->o.shard_n);
			if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
				return bb_fail(err, BB_ECANTCREAT, "%s: cannot write: %s", path,
					       strerror(errno));
			if (flock(fd, LOCK_SH | LOCK_NB) == 0)
				return BB_OK;
		} else if (flock(fd, LOCK_SH | (b->o.wait_lock ? 0 : LOCK_NB)) == 0) {
			char text[64] = "";
			unsigned long n = 0;
			ssize_t got = pread(fd, text, sizeof text - 1, 0);
			text[got > 0 ? got : 0] = '\0';
			if (sscanf(text, "shards %lu", &n) == 1 && n != b->o.shard_n) {
				/* alone after all (the N of a run that is over): record ours */
				if (flock(fd, LOCK_EX | LOCK_NB) == 0)
					continue;
				flock(fd, LOCK_UN);
				return bb_fail(err, BB_ETEMPFAIL, "%s: shards of %lu are converting into "
					       "this folder; --shard %lu/%lu would overlap them (wait for "
					       "them, or use N = %lu)", b->o.out_dir, n, b->o.shard_k,
					       b->o.shard_n, n);
			}
			return BB_OK;
		} else if (errno != EWOULDBLOCK && errno != EINTR) {
			return bb_fail(err, BB_ECANTCREAT, "%s: cannot lock: %s", path,
				       strerror(errno));
		}
		if (tries == 40) /* held exclusively for 2 s: a whole run */
			return bb_fail(err, BB_ETEMPFAIL, "%s: another bobao batch is converting "
				       "into this folder (%s is locked); try again later",
				       b->o.out_dir, path);
		struct timespec pause = {0, 50 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
}

/* A whole run locks OUT_DIR/.bobao-lock exclusively; shard K/N shares it and locks
 * .bobao-lock.K.N alone, so the shards of one run may share a folder. Returns the fds. */
static int lock_out(const struct batch *b, int fds[2], struct bb_error *err)
{
	char path[PATH_SIZE];
	int wait = b->o.wait_lock ? 0 : LOCK_NB, sharded = b->o.shard_n > 1;
	fds[0] = fds[1] = -1;
	for (int k = 0; k < 1 + sharded; k++) {
		int n = k ? snprintf(path, sizeof path, "%s/" LOCK_FILE ".%lu.%lu", b->o.out_dir,
				     b->o.shard_k, b->o.shard_n)
			  : snprintf(path, sizeof path, "%s/" LOCK_FILE, b->o.out_dir);
		if (n < 0 || (size_t)n >= sizeof path)
			return bb_fail(err, BB_ECANTCREAT, "%s: path too long", b->o.out_dir);
		fds[k] = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fds[k] < 0)
			return bb_fail(err, BB_ECANTCREAT, "%s: %s", path, strerror(errno));
		if (sharded && k == 0) {
			int rc = lock_shards(b, fds[0], path, err);
			if (rc != BB_OK)
				return rc;
			continue;
		}
		int how = LOCK_EX | wait;
		while (flock(fds[k], how) != 0) {
			if (errno == EINTR)
				continue;
			if (errno == EWOULDBLOCK)
				return bb_fail(err, BB_ETEMPFAIL, "%s: another bobao batch is converting "
					       "into this folder (%s is locked); try again later",
					       b->o.out_dir, path);
			return bb_fail(err, BB_ECANTCREAT, "%s: cannot lock: %s", path,
				       strerror(errno));
		}
	}
	return BB_OK;
}

static int clashes_now(struct batch *b, const char *rel);

/* ---- watch mode -------------------------------------------------------------------------- */

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

/* Whether some process has the file at path open for writing: a read lease is refused
 * then (fcntl(2) F_SETLEASE; 0 when that cannot be told, as for another user's file). */
static int being_written(const char *path)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int busy = fcntl(fd, F_SETLEASE, F_RDLCK) != 0 && errno == EAGAIN;
	if (!busy)
		fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
	return busy;
}

static void watch_touch(struct watch *wa, const char *rel, int closed, double due)
{
	for (size_t i = 0; i < wa->np; i++)
		if (strcmp(wa->p[i].rel, rel) == 0) {
			wa->p[i].closed = closed;
			wa->p[i].due = due;
			return;
		}
	if (wa->np == wa->pcap) {
		size_t cap = wa->pcap ? wa->pcap * 2 : 64;
		struct pending *p = realloc(wa->p, cap * sizeof *p);
		if (!p)
			return;
		wa->p = p;
		wa->pcap = cap;
	}
	char *r = strdup(rel);
	if (r)
		wa->p[wa->np++] = (struct pending){r, due, closed};
}

/* Watches IN_DIR/rel and every folder below; with files_due, its articles become pending. */
static void watch_tree(struct batch *b, struct watch *wa, const char *rel, int files_due)
{
	struct names dirs = {0}, files = {0};
	scan(b, rel, files_due ? &files : NULL, &dirs);
	for (size_t i = 0; i < dirs.n; i++) {
		char path[PATH_SIZE];
		int wd = -1;
		if (join(path, sizeof path, b->o.in_dir, dirs.v[i]) == 0)
			wd = inotify_add_watch(wa->fd, path, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE |
					       IN_MODIFY | IN_ONLYDIR | IN_DELETE_SELF |
					       IN_MOVE_SELF);
		if (wd >= 0 && wa->n == wa->cap) {
			size_t cap = wa->cap ? wa->cap * 2 : 64;
			int *w = realloc(wa->wd, cap * sizeof *w);
			char **r = w ? realloc(wa->rel, cap * sizeof *r) : NULL;
			if (w)
				wa->wd = w;
			if (r)
				wa->rel = r, wa->cap = cap;
		}
		if (wd >= 0 && wa->n < wa->cap) {
			wa->wd[wa->n] = wd;
			wa->rel[wa->n++] = dirs.v[i];
		} else {
			free(dirs.v[i]);
		}
	}
	double due = now_s() + b->o.settle_ms / 1000.0;
	for (size_t i = 0; i < files.n; i++) {
		watch_touch(wa, files.v[i], 1, due);
		free(files.v[i]);
	}
	free(dirs.v);
	free(files.v);
}

static void watch_events(struct batch *b, struct watch *wa)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t len = read(wa->fd, buf, sizeof buf);
	double due = now_s() + b->o.settle_ms / 1000.0;
	for (ssize_t off = 0; off < len;) {
		const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
		off += (ssize_t)(sizeof *ev + ev->len);
		if (ev->mask & IN_Q_OVERFLOW) { /* events were lost: look at everything again */
			watch_tree(b, wa, "", 1);
			continue;
		}
		if ((ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) && wa->n &&
		    wa->wd[0] == ev->wd) {
			/* IN_DIR itself went: a folder made again in its place would go unwatched */
			clear_progress(b);
			fprintf(stderr, "bobao: %s: the folder was removed or moved: stopped watching "
				"(start again to watch the new one)\n", b->o.in_dir);
			b->worst = worse(b->worst, BB_ENOINPUT);
			b->stop_dispatch = 1;
			return;
		}
		if (!ev->len || ev->name[0] == '.')
			continue;
		const char *dir = NULL;
		for (size_t i = 0; i < wa->n && !dir; i++)
			if (wa->wd[i] == ev->wd)
				dir = wa->rel[i];
		char rel[PATH_SIZE];
		if (!dir || join(rel, sizeof rel, dir, ev->name) != 0)
			continue;
		if (ev->mask & IN_ISDIR) {
			if (ev->mask & (IN_CREATE | IN_MOVED_TO))
				watch_tree(b, wa, rel, 1);
		} else if (ends_with_txt(ev->name)) {
			/* a hard link made to a finished file is created whole: no writer to wait for */
			struct stat st;
			char full[PATH_SIZE];
			int linked = (ev->mask & IN_CREATE) && join(full, sizeof full, b->o.in_dir, rel) == 0 &&
				     lstat(full, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink > 1 &&
				     !being_written(full);
			watch_touch(wa, rel, linked || (ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) != 0,
				    due);
		}
	}
}

/* Moves settled files to the queue; returns the milliseconds until the next one settles. */
static int watch_settle(struct batch *b, struct watch *wa)
{
	double t = now_s(), next = 1.0;
	for (size_t i = 0; i < wa->np;) {
		struct pending *p = &wa->p[i];
		if (!p->closed || p->due > t) {
			if (p->closed && p->due - t < next)
				next = p->due - t;
			i++;
			continue;
		}
		if (in_flight(b, p->rel) || queued(b, p->rel)) { /* changed again meanwhile */
			p->due = t + b->o.settle_ms / 1000.0;
			i++;
			continue;
		}
		double audio;
		enum article_state state;
		uint64_t size;
		char full[PATH_SIZE], hex[33] = "";
		struct stat st;
		int there = join(full, sizeof full, b->o.in_dir, p->rel) == 0 && lstat(full, &st) == 0;
		if (there && S_ISREG(st.st_mode) && being_written(full)) {
			p->closed = 0; /* opened again for writing: wait for it to be closed */
			i++;
			continue;
		}
		if (!there) {
			/* gone before it settled (a temporary of its writer): nothing to convert */
		} else if (S_ISLNK(st.st_mode)) {
			warn_link(full); /* moved in */
		} else if (in_shard(b, p->rel) && !clashes_now(b, p->rel) &&
			   (state = article_state(b, p->rel, &audio, &size, hex)) != UP_TO_DATE &&
			   state != FAILED_BEFORE) {
			enqueue(b, p->rel, size, state, hex);
		}
		free(p->rel);
		wa->p[i] = wa->p[--wa->np];
	}
	return (int)(next * 1000) + 1;
}

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Runs until SIGINT or SIGTERM, converting articles as they settle in IN_DIR. */
static void watch_loop(struct batch *b, struct watch *wa)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_stop_signal;
	for (size_t k = 0; k < 2; k++) /* SIGINT, SIGTERM; an ignored one stays ignored */
		if (!stop_ignored[k])
			sigaction(stop_signals[k], &sa, NULL);
	while (!stop_requested && !b->stop_dispatch) {
		int timeout = watch_settle(b, wa);
		dispatch(b, wa->fd);
		if (pump(b, wa->fd, timeout))
			watch_events(b, wa);
	}
}

static void watch_free(struct watch *wa)
{
	if (wa->fd >= 0)
		close(wa->fd);
	for (size_t i = 0; i < wa->n; i++)
		free(wa->rel[i]);
	for (size_t i = 0; i < wa->np; i++)
		free(wa->p[i].rel);
	free(wa->wd);
	free(wa->rel);
	free(wa->p);
}

/* ---- options and the whole run ------------------------------------------------------- */

static int default_jobs(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

static int parse_number(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* One line, as every error; --help has the rest. */
static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "bobao: batch: %s%s%s (see bobao batch --help)\n", what, arg ? ": " : "",
		arg ? arg : "");
	return BB_EUSAGE;
}

/* The option getopt refused: -x for a short one, else as written on the command line. */
static int option_error(char **argv, const char *what)
{
	char name[3] = {'-', (char)optopt, 0};
	return usage_error(what, optopt > 0 && optopt < 256 ? name : argv[optind - 1]);
}

static int parse_options(struct options *o, int argc, char **argv)
{
	enum { OPT_SHARD = 256, OPT_VOICE, OPT_FORMAT, OPT_LOG, OPT_CACHE, OPT_CACHE_SIZE,
	       OPT_NO_CACHE, OPT_WATCH, OPT_SETTLE, OPT_WAIT, OPT_TIMEOUT, OPT_LEXICON,
	       OPT_ENCODING, OPT_MAX_SIZE, OPT_LENIENT, OPT_KEEP, OPT_HELP, OPT_PRUNE,
	       OPT_LOG_SKIPPED, OPT_RATE,
	       OPT_HTML, OPT_EPUB, OPT_CHAPTERS };
	static const struct option longopts[] = {
		{"shard", required_argument, 0, OPT_SHARD},
		{"voice", required_argument, 0, OPT_VOICE},
		{"format", required_argument, 0, OPT_FORMAT},
		{"log", required_argument, 0, OPT_LOG},
		{"cache", required_argument, 0, OPT_CACHE},
		{"cache-size", required_argument, 0, OPT_CACHE_SIZE},
		{"no-cache", no_argument, 0, OPT_NO_CACHE},
		{"watch", no_argument, 0, OPT_WATCH},
		{"settle", required_argument, 0, OPT_SETTLE},
		{"wait", no_argument, 0, OPT_WAIT},
		{"timeout", required_argument, 0, OPT_TIMEOUT},
		{"lexicon", required_argument, 0, OPT_LEXICON},
		{"encoding", required_argument, 0, OPT_ENCODING},
		{"max-size", required_argument, 0, OPT_MAX_SIZE},
		{"lenient", no_argument, 0, OPT_LENIENT},
		{"keep-captions", no_argument, 0, OPT_KEEP},
		{"html", no_argument, 0, OPT_HTML},
		{"epub", no_argument, 0, OPT_EPUB},
		{"dry-run", no_argument, 0, 'n'},
		{"prune", no_argument, 0, OPT_PRUNE},
		{"log-skipped", no_argument, 0, OPT_LOG_SKIPPED},
		{"rate", required_argument, 0, OPT_RATE},
		{"chapters", required_argument, 0, OPT_CHAPTERS},
		{"help", no_argument, 0, OPT_HELP},
		{0, 0, 0, 0},
	};
	*o = (struct options){.format = "wav", .voice = "news", .jobs = default_jobs(),
			      .settle_ms = 1000, .cache_mb = 4096, .timeout_s = 600};
	long v;
	int opt;
	optind = 1;
	opterr = 0; /* our own one-line messages */
	while ((opt = getopt_long(argc, argv, ":j:qn", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			if (parse_number(optarg, 1, MAX_JOBS, &o->jobs) != 0)
				return usage_error("-j wants 1 to 256", optarg);
			break;
		case 'q': o->quiet = 1; break;
		case 'n': o->dry_run = 1; break;
		case OPT_SHARD: {
			char *end;
			o->shard_k = strtoul(optarg, &end, 10);
			if (*end != '/' || end == optarg ||
			    (o->shard_n = strtoul(end + 1, &end, 10)) == 0 || *end ||
			    o->shard_k >= o->shard_n || o->shard_n > 1000000)
				return usage_error("--shard wants K/N with 0 <= K < N", optarg);
			break;
		}
		case OPT_VOICE: o->voice = optarg; break;
		case OPT_FORMAT: {
			const struct bb_output_type *t = bb_output_find(optarg, BB_OUT_AUDIO);
			if (!t || !(t->flags & BB_OUT_OFFERED) || strcmp(t->name, optarg) != 0)
				return usage_error("unknown format", optarg);
			o->format = t->name;
			break;
		}
		case OPT_LOG: o->log = optarg; break;
		case OPT_CACHE: o->cache_dir = optarg; break;
		case OPT_CACHE_SIZE:
			if (parse_number(optarg, 1, 1L << 30, &v) != 0)
				return usage_error("--cache-size wants megabytes", optarg);
			o->cache_mb = (unsigned long)v;
			break;
		case OPT_NO_CACHE: o->no_cache = 1; break;
		case OPT_WATCH: o->watch = 1; break;
		case OPT_SETTLE:
			if (parse_number(optarg, 0, 3600000, &o->settle_ms) != 0)
				return usage_error("--settle wants milliseconds", optarg);
			break;
		case OPT_WAIT: o->wait_lock = 1; break;
		case OPT_TIMEOUT:
			if (parse_number(optarg, 0, 1000000, &o->timeout_s) != 0)
				return usage_error("--timeout wants seconds (0: no limit)", optarg);
			break;
		case OPT_LEXICON: o->lexicon = optarg; break;
		case OPT_ENCODING: o->read.encoding = optarg; break;
		case OPT_MAX_SIZE:
			if (bb_parse_size(optarg, &o->read.max_bytes) != 0)
				return usage_error("--max-size wants a size, as 16M", optarg);
			break;
		case OPT_LENIENT: o->read.lenient = 1; break;
		case OPT_KEEP: o->keep_captions = 1; break;
		case OPT_PRUNE: o->prune = 1; break;
		case OPT_LOG_SKIPPED: o->log_skipped = 1; break;
		case OPT_RATE:
			if ((o->rate_percent = bb_parse_percent(optarg)) < 0)
				return usage_error("--rate wants a percentage from 50 to 200", optarg);
			break;
		case OPT_HTML: o->html = 1; break;
		case OPT_EPUB: o->epub = 1; break;
		case OPT_CHAPTERS:
			if ((o->chapters = bb_parse_chapters(optarg)) < 0)
				return usage_error("--chapters wants heading, paragraph or sentence", optarg);
			break;
		case OPT_HELP: bb_output_usage(stdout, usage_text); return -1;
		case ':': return option_error(argv, "option needs an argument");
		default: return option_error(argv, "unknown option");
		}
	}
	if (argc - optind != 2)
		return usage_error("wants IN_DIR and OUT_DIR", NULL);
	if (o->dry_run && o->watch)
		return usage_error("--dry-run and --watch do not go together", NULL);
	o->in_dir = argv[optind];
	o->out_dir = argv[optind + 1];
	return BB_OK;
}

static int find_clashes(struct batch *b, const struct names *files, unsigned char *clash,
			const char *only);

/* Watch: whether the article rel, just settled, would write an output of another article
 * now in IN_DIR; if so it fails, said and logged (73), as in a first scan. */
static int clashes_now(struct batch *b, const char *rel)
{
	struct names files = {0};
	b->scan_quiet = 1;
	int rc = scan(b, "", &files, NULL);
	b->scan_quiet = 0;
	unsigned char *clash = rc == 0 ? calloc(files.n + 1, 1) : NULL;
	int hit = 0;
	if (clash && find_clashes(b, &files, clash, rel) == 0)
		for (size_t i = 0; i < files.n; i++)
			hit |= clash[i];
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	free(clash);
	if (hit) {
		b->failed++;
		b->worst = worse(b->worst, BB_ECANTCREAT);
		log_line(b, rel, "failed", STALE_NEW, BB_ECANTCREAT, 0, 0,
			 "its output is also another article's: neither is converted");
	}
	return hit;
}

static int being_written_rel(const struct batch *b, const char *rel)
{
	char full[PATH_SIZE];
	return join(full, sizeof full, b->o.in_dir, rel) == 0 && being_written(full);
}

/* ---- articles whose outputs would be one file ----------------------------------------- */

/* One path an article writes under OUT_DIR (an output or its stamp: a file) or needs there
 * as a folder. */
struct out_key {
	char *path;
	size_t article;
	int folder;
};

static int by_key(const void *a, const void *b)
{
	const struct out_key *x = a, *y = b;
	int c = strcmp(x->path, y->path);
	return c ? c : x->folder - y->folder;
}

static int key_add(struct out_key **k, size_t *n, size_t *cap, size_t article, int folder,
		   const char *fmt, const char *s, int len, const char *ext)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 1024;
		struct out_key *q = realloc(*k, c * sizeof *q);
		if (!q)
			return -1;
		*k = q;
		*cap = c;
	}
	char *p = NULL;
	if (asprintf(&p, fmt, len, s, ext) < 0)
		return -1;
	(*k)[(*n)++] = (struct out_key){p, article, folder};
	return 0;
}

/* Marks in clash[] the articles of files (sorted) that would write one file under OUT_DIR
 * (x.txt and x.TXT both make x.wav; a.txt makes the file a.wav that a.wav/b.txt needs as a
 * folder; a.txt's stamp is the folder of a.txt/b.txt's), and says so, one line each: none of
 * them is converted, so no output is lost to a race between two workers. With only, just
 * that article is marked and said. Returns 0, or -1 when out of memory (then nothing is
 * marked). */
static int find_clashes(struct batch *b, const struct names *files, unsigned char *clash,
			const char *only)
{
	const struct bb_output_type *t;
	struct out_key *k = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	for (size_t i = 0; i < files->n && rc == 0; i++) {
		const char *rel = files->v[i];
		int stem = (int)strlen(rel) - 4;
		rc |= key_add(&k, &n, &cap, i, 0, "%.*s.%s", rel, stem, b->o.format);
		for (size_t e = 0; (t = bb_output_at(e)) != NULL; e++)
			if (t->kind == BB_OUT_SIDECAR && (t->flags & BB_OUT_EVERY))
				rc |= key_add(&k, &n, &cap, i, 0, "%.*s%s", rel, stem, t->ext);
		rc |= key_add(&k, &n, &cap, i, 0, STATE_DIR "/%.*s%s", rel, stem + 4, "");
		for (const char *p = strchr(rel, '/'); p && rc == 0; p = strchr(p + 1, '/')) {
			rc |= key_add(&k, &n, &cap, i, 1, "%.*s%s", rel, (int)(p - rel), "");
			rc |= key_add(&k, &n, &cap, i, 1, STATE_DIR "/%.*s%s", rel, (int)(p - rel), "");
		}
	}
	if (rc == 0)
		qsort(k, n, sizeof *k, by_key);
	for (size_t g = 0; rc == 0 && g < n;) {
		size_t end = g + 1;
		while (end < n && strcmp(k[end].path, k[g].path) == 0)
			end++;
		/* a file two articles write, or a file one writes where another needs a folder */
		if (!k[g].folder && end - g > 1)
			for (size_t i = g; i < end; i++) {
				size_t other = i == g ? g + 1 : g;
				if (k[other].article == k[i].article)
					continue;
				size_t a = k[i].article;
				if (clash[a] || !in_shard(b, files->v[a]) ||
				    (only && strcmp(only, files->v[a]) != 0))
					continue;
				clash[a] = 1;
				fprintf(stderr, "bobao: %s/%s: %s/%s is also %s %s/%s: neither is converted "
					"(rename one)\n", b->o.in_dir, files->v[a], b->o.out_dir,
					k[i].path, k[other].folder ? "a folder for the outputs of"
					: "the output of", b->o.in_dir, files->v[k[other].article]);
			}
		g = end;
	}
	for (size_t i = 0; i < n; i++)
		free(k[i].path);
	free(k);
	return rc;
}

/* Scans, skips what is up to date, queues the rest (largest first, for an even finish). */
static int plan(struct batch *b, struct watch *wa)
{
	struct names files = {0};
	if (scan(b, "", &files, NULL) != 0) {
		fprintf(stderr, "bobao: %s: cannot read the folder: %s\n", b->o.in_dir,
			strerror(errno));
		return BB_ENOINPUT;
	}
	qsort(files.v, files.n, sizeof *files.v, by_name);
	b->scanned = files.n;
	int rc = BB_OK;
	unsigned char *clash = calloc(files.n + 1, 1);
	if (!clash || find_clashes(b, &files, clash, NULL) != 0)
		rc = BB_ENOMEM;
	for (size_t i = 0; i < files.n; i++) {
		double audio = 0;
		uint64_t size;
		char hex[33] = "";
		if (rc == BB_OK && in_shard(b, files.v[i]) && clash[i]) {
			b->failed++;
			b->worst = worse(b->worst, BB_ECANTCREAT);
			log_line(b, files.v[i], "failed", STALE_NEW, BB_ECANTCREAT, 0, 0,
				 "its output is also another article's: neither is converted");
		} else if (rc == BB_OK && in_shard(b, files.v[i])) {
			enum article_state state = article_state(b, files.v[i], &audio, &size, hex);
			if (state == UP_TO_DATE || state == FAILED_BEFORE) {
				b->skipped += state == UP_TO_DATE;
				b->failed_before += state == FAILED_BEFORE;
				b->audio_skipped += audio;
				if (b->o.log_skipped)
					log_line(b, files.v[i], "skipped", state, 0, 0, audio, NULL);
			} else if (b->o.dry_run) {
				printf("%s\t%s\n", state_name[state], files.v[i]);
				b->stale[state]++;
			} else if (wa && being_written_rel(b, files.v[i])) {
				/* still being written when the watch starts: once it is closed */
				watch_touch(wa, files.v[i], 0, now_s());
			} else {
				rc = enqueue(b, files.v[i], size, state, hex);
			}
		}
		free(files.v[i]);
	}
	free(files.v);
	free(clash);
	if (rc == BB_ENOMEM)
		fprintf(stderr, "bobao: %s: out of memory listing the articles\n", b->o.in_dir);
	return rc;
}

static int by_size_desc(const void *a, const void *b)
{
	const struct job *x = a, *y = b;
	return (x->size < y->size) - (x->size > y->size);
}

static void summary(struct batch *b)
{
	clear_progress(b);
	b->last_progress = 0;
	if (b->o.quiet)
		return;
	double wall = now_s() - b->t0;
	fprintf(stderr, "batch: %zu converted, %zu skipped, %zu failed", b->converted, b->skipped,
		b->failed);
	if (b->failed_before)
		fprintf(stderr, ", %zu failed before (not tried again until changed)",
			b->failed_before);
	if (b->pruned)
		fprintf(stderr, ", %zu pruned", b->pruned);
	fprintf(stderr, "; %.1f min of audio made in %.2f s", b->audio_made / 60, wall);
	if (b->hits + b->misses)
		fprintf(stderr, " (%zu of %zu sentences from the cache)", b->hits,
			b->hits + b->misses);
	fputc('\n', stderr);
}

static int prepare(struct batch *b, int lock_fds[2])
{
	struct bb_error err = {0};
	struct stat st;
	int rc;
	if (stat(b->o.in_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "bobao: %s: not a folder\n", b->o.in_dir);
		return BB_ENOINPUT;
	}
	/* a dry run reads OUT_DIR, if it is there, and writes nothing: no folder, no lock */
	int out_stands = (b->o.dry_run || mkdir_all(b->o.out_dir) == 0) &&
			 stat(b->o.out_dir, &st) == 0;
	if (!out_stands && !b->o.dry_run) {
		fprintf(stderr, "bobao: %s: cannot create: %s\n", b->o.out_dir, strerror(errno));
		return BB_ECANTCREAT;
	}
	if (out_stands) {
		b->out_dev = st.st_dev;
		b->out_ino = st.st_ino;
	}
	if ((!b->o.dry_run && (rc = lock_out(b, lock_fds, &err)) != BB_OK) ||
	    (rc = bb_voice_load(&b->voice, b->o.voice, &err)) != BB_OK ||
	    (b->o.rate_percent &&
	     (rc = bb_voice_scale_rate(&b->voice, b->o.rate_percent, &err)) != BB_OK)) {
		fprintf(stderr, "bobao: %s\n", err.msg[0] ? err.msg : bb_status_name(rc));
		return rc;
	}
	settings_hash(b);
	if (b->o.dry_run)
		return BB_OK;
	if (b->o.log && !(b->log = fopen(b->o.log, "a"))) {
		fprintf(stderr, "bobao: %s: %s\n", b->o.log, strerror(errno));
		return BB_ECANTCREAT;
	}
	/* The default cache is not written through a link; the path is made absolute, as each
	 * conversion runs in its output folder. */
	char cwd[PATH_SIZE] = "", cache[PATH_SIZE];
	if (b->o.cache_dir)
		snprintf(cache, sizeof cache, "%s", b->o.cache_dir);
	else if (join(cache, sizeof cache, b->o.out_dir, CACHE_DIR) == 0 &&
		 lstat(cache, &st) == 0 && S_ISLNK(st.st_mode)) {
		fprintf(stderr, "bobao: %s: a symbolic link, not followed\n", cache);
		return BB_ECANTCREAT;
	}
	if ((cache[0] != '/' && !getcwd(cwd, sizeof cwd)) ||
	    join(b->cache_dir, sizeof b->cache_dir, cwd, cache) != 0) {
		fprintf(stderr, "bobao: %s: %s\n", cache, strerror(errno ? errno : ENAMETOOLONG));
		return BB_ECANTCREAT;
	}
	return BB_OK;
}

static void dry_run_summary(const struct batch *b)
{
	if (b->o.quiet)
		return;
	size_t n = 0;
	for (int k = STALE_NEW; k <= STALE_UNREADABLE; k++)
		n += b->stale[k];
	fprintf(stderr, "batch: dry run: %zu to convert", n);
	const char *sep = " (";
	for (int k = STALE_NEW; k <= STALE_UNREADABLE; k++)
		if (b->stale[k]) {
			fprintf(stderr, "%s%s %zu", sep, state_name[k], b->stale[k]);
			sep = ", ";
		}
	fprintf(stderr, "%s, %zu up to date", n ? ")" : "", b->skipped);
	if (b->failed_before)
		fprintf(stderr, ", %zu failed before", b->failed_before);
	if (b->pruned)
		fprintf(stderr, ", %zu to prune", b->pruned);
	fputs("; nothing changed\n", stderr);
}

/* ---- --prune --------------------------------------------------------------------------- */

/* Removes what batch wrote for the article rel (its audio in any format, its sidecars, then
 * its stamp: a run stopped half way prunes the rest next time), never through a link. */
static void prune_outputs(struct batch *b, const char *rel)
{
	const struct bb_output_type *t;
	char name[PATH_SIZE], stamp[PATH_SIZE];
	struct bb_error err = {0};
	struct stat st;
	const char *base = base_name(rel);
	int len = (int)strlen(base) - 4;
	int dir = open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
	/* its audio in every format batch offers, then the sidecars it writes for every article */
	for (int pass = 0; dir >= 0 && pass < 2; pass++)
		for (size_t i = 0; (t = bb_output_at(i)) != NULL; i++) {
			if (pass == 0 ? t->kind != BB_OUT_AUDIO || !(t->flags & BB_OUT_OFFERED)
				      : t->kind != BB_OUT_SIDECAR || !(t->flags & BB_OUT_EVERY))
				continue;
			int n = snprintf(name, sizeof name, "%.*s%s", len, base, t->ext);
			if (n > 0 && (size_t)n < sizeof name &&
			    fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
				unlinkat(dir, name, 0);
		}
	if (dir >= 0)
		close(dir);
	if (stamp_rel(rel, stamp, sizeof stamp) == 0 &&
	    (dir = open_parent(b->o.out_dir, stamp, 0, BB_ECANTCREAT, &err)) >= 0) {
		unlinkat(dir, base, 0);
		close(dir);
	}
}

/* Adds every stamp under the state folder dir (rel: its path there) whose article is gone
 * from IN_DIR to gone. */
static void find_gone(const struct batch *b, int dir, const char *rel, struct names *gone)
{
	int fd = dup(dir);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		char sub[PATH_SIZE], in[PATH_SIZE];
		struct stat st;
		if (e->d_name[0] == '.' || join(sub, sizeof sub, rel, e->d_name) != 0 ||
		    fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int child = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
			if (child >= 0) {
				find_gone(b, child, sub, gone);
				close(child);
			}
		} else if (S_ISREG(st.st_mode) && ends_with_txt(e->d_name) && in_shard(b, sub) &&
			   join(in, sizeof in, b->o.in_dir, sub) == 0 && lstat(in, &st) != 0 &&
			   (errno == ENOENT || errno == ENOTDIR)) {
			names_add(gone, sub);
		}
	}
	closedir(d);
}

/* --prune: the outputs of every article whose stamp is there but the article is not (of
 * this shard); a dry run lists them ("prune", TAB, path). An IN_DIR without a single article
 * prunes nothing: an unmounted or emptied drop folder must not wipe what was made. */
static void prune(struct batch *b)
{
	struct names gone = {0};
	struct bb_error err = {0};
	char state[PATH_SIZE];
	if (join(state, sizeof state, STATE_DIR, "x") != 0)
		return;
	int dir = open_parent(b->o.out_dir, state, 0, BB_ECANTCREAT, &err);
	if (dir < 0)
		return;
	find_gone(b, dir, "", &gone);
	close(dir);
	qsort(gone.v, gone.n, sizeof *gone.v, by_name);
	if (gone.n && !b->scanned)
		fprintf(stderr, "bobao: %s: no article at all: nothing pruned\n", b->o.in_dir);
	for (size_t i = 0; i < gone.n; i++) {
		if (b->scanned) {
			if (b->o.dry_run)
				printf("prune\t%s\n", gone.v[i]);
			else
				prune_outputs(b, gone.v[i]);
			b->pruned++;
			if (!b->o.dry_run && b->log) {
				bb_sidecar_log_line(b->log, gone.v[i], "pruned", "deleted", 0, 0, 0,
						    NULL);
				fflush(b->log);
			}
		}
		free(gone.v[i]);
	}
	free(gone.v);
}

int bb_batch_main(int argc, char **argv)
{
	static struct batch b; /* large (the worker table); one per process */
	memset(&b, 0, sizeof b);
	int rc = parse_options(&b.o, argc, argv);
	if (rc != BB_OK)
		return rc < 0 ? 0 : rc;
	b.t0 = now_s();
	b.one_thread = !b.o.watch && b.o.jobs >= default_jobs();
	b.show_progress = !b.o.quiet && !b.o.watch && isatty(2);
	signal(SIGPIPE, SIG_IGN);
	for (size_t k = 0; k < sizeof stop_signals / sizeof stop_signals[0]; k++) {
		struct sigaction old;
		stop_ignored[k] = sigaction(stop_signals[k], NULL, &old) == 0 &&
				  old.sa_handler == SIG_IGN;
	}
	int lock_fds[2] = {-1, -1};
	struct watch wa = {.fd = -1};
	rc = prepare(&b, lock_fds);
	if (rc == BB_OK && b.o.watch) {
		/* Before the scan, so nothing landing during the first pass is missed. */
		wa.fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
		if (wa.fd < 0) {
			fprintf(stderr, "bobao: inotify: %s\n", strerror(errno));
			rc = BB_ESOFTWARE;
		} else {
			watch_tree(&b, &wa, "", 0);
		}
	}
	if (rc == BB_OK)
		rc = plan(&b, b.o.watch ? &wa : NULL);
	if (rc == BB_OK && b.o.prune)
		prune(&b);
	if (rc == BB_OK && b.o.dry_run) {
		dry_run_summary(&b);
	} else if (rc == BB_OK) {
		qsort(b.queue + b.qhead, b.qn - b.qhead, sizeof *b.queue, by_size_desc);
		for (;;) {
			dispatch(&b, wa.fd);
			int more = b.qhead < b.qn && !b.stop_dispatch;
			if (more && b.nw == 0) {
				fprintf(stderr, "bobao: cannot start a worker process: %s\n",
					strerror(errno));
				b.worst = worse(b.worst, BB_ESOFTWARE);
				b.stop_dispatch = 1;
				more = 0;
			}
			if (!more && !busy(&b) && (b.o.watch || b.nw == 0))
				break;
			pump(&b, -1, 200);
			show_progress(&b, 0);
		}
		if (b.o.watch && !b.stop_dispatch) {
			summary(&b);
			watch_loop(&b, &wa);
		}
		for (size_t i = 0; i < b.nw; i++)
			if (b.w[i].task_fd >= 0) {
				close(b.w[i].task_fd);
				b.w[i].task_fd = -1;
			}
		while (b.nw)
			pump(&b, -1, 1000);
		for (size_t i = b.qhead; i < b.qn; i++) { /* never started: the workers could not */
			struct job *j = &b.queue[i];
			b.failed++;
			log_line(&b, j->rel, "failed", j->why, b.worst, 0, 0, "not converted: see above");
		}
		if (b.converted && !b.o.no_cache)
			bb_cache_trim(b.cache_dir, (uint64_t)b.o.cache_mb << 20);
		summary(&b);
		rc = b.worst;
	}
	for (size_t i = b.qhead; i < b.qn; i++) /* the others went to workers, who freed them */
		free(b.queue[i].rel);
	free(b.queue);
	watch_free(&wa);
	bb_lexicon_close(b.lex);
	if (b.log && fclose(b.log) != 0 && !b.log_failed) {
		fprintf(stderr, "bobao: %s: cannot write the log: %s\n", b.o.log, strerror(errno));
		rc = worse(rc, BB_EIO);
	}
	for (int k = 0; k < 2; k++)
		if (lock_fds[k] >= 0)
			close(lock_fds[k]);
	return rc;
}
