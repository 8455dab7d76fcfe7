/* batch_stamps: what makes an output up to date (stamps), clashing outputs, --prune. SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "outputs.h"
#include "sidecar.h"
#include "tempfile.h"

/* ---- what makes an output up to date --------------------------------------------------- */

static struct bb_hash hash_file_into(struct bb_hash h, const char *path)
{
	struct bb_hash f;
	uint64_t size;
	if (!path || !path[0])
		return bb_hash_add(h, "-", 2);
	if (batch_hash_file(path, &f, &size) != 0)
		return bb_hash_add(h, "?", 2);
	return bb_hash_add(h, &f, sizeof f);
}

/* Everything besides the input bytes that changes an output: the synthesizer, voice,
 * options, lexicons. */
void batch_settings_hash(struct batch *b)
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

void batch_stamp_text(const struct batch *b, const char *input_hex, char *out, size_t size)
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
void batch_failure_text(const struct batch *b, int status, char *out, size_t size)
{
	snprintf(out, size, "failed %d lenient %d max_bytes %zu\n", status, b->o.read.lenient,
		 b->o.read.max_bytes);
}

/* Whether rel's outputs are up to date, and if not why; when they are, *audio_s is what its
 * stamp recorded. input_hex gets the hash of the article's bytes. */
enum article_state batch_article_state(const struct batch *b, const char *rel,
				       double *audio_s, uint64_t *size, char input_hex[33])
{
	char stamp[PATH_SIZE], audio[PATH_SIZE], want[256], have[512], hex[33], failed[128];
	struct bb_error err = {0};
	struct bb_hash h;
	struct stat st;
	*size = 0;
	int in = batch_open_article(b, rel, &st, &err);
	if (in < 0)
		return STALE_UNREADABLE;
	int hashed = batch_hash_fd(in, &h, size) == 0;
	close(in);
	if (!hashed || batch_stamp_rel(rel, stamp, sizeof stamp) ||
	    batch_audio_name(b, rel, audio, sizeof audio))
		return STALE_UNREADABLE;
	bb_hash_hex(h, hex);
	memcpy(input_hex, hex, sizeof hex);
	batch_stamp_text(b, hex, want, sizeof want);
	int dir = batch_open_parent(b->o.out_dir, stamp, 0, BB_ECANTCREAT, &err);
	/* O_NONBLOCK and a regular file only: a FIFO or a device in a stamp's place must not
	 * hang the run (nor -n, nor --watch); it means "convert again", as any damaged stamp */
	int fd = dir < 0 ? -1 : openat(dir, batch_base_name(rel),
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
		batch_failure_text(b, status, failed, sizeof failed);
		return strcmp(have + wl, failed) == 0 ? FAILED_BEFORE : STALE_SETTINGS;
	}
	if (strncmp(have, want, wl) != 0)
		return STALE_INPUT;
	if (sscanf(have + wl, "audio_seconds %lf", audio_s) != 1 || !isfinite(*audio_s) ||
	    *audio_s < 0 || *audio_s > 1e9)
		return STALE_NEW; /* a damaged stamp: convert again */
	dir = batch_open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
	int present = dir >= 0 && outputs_present(dir, audio, &b->o);
	if (dir >= 0)
		close(dir);
	return present ? UP_TO_DATE : STALE_OUTPUTS;
}

/* Removes name from folder dir, a folder with all it holds (links are removed, never
 * followed); depth bounds the walk. Returns 0, or -1 with errno. */
int batch_remove_tree(int dir, const char *name, int depth)
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
			batch_remove_tree(fd, e->d_name, depth - 1);
	closedir(d);
	return unlinkat(dir, name, AT_REMOVEDIR);
}

/* Writes the stamp name in folder dir whole, or not at all. */
int batch_write_stamp(int dir, const char *name, const char *text)
{
	char tmp[PATH_SIZE];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", name, (long)getpid());
	/* a new file: never written through a link or a hard link planted under that name */
	batch_remove_tree(dir, tmp, 1);
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
void batch_remove_stale_temps(int dir, const char *audio)
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
int batch_read_article(const struct batch *b, const char *rel, const char *in,
		       struct bb_article *art, struct bb_hash *h, struct bb_read_info *info,
		       struct bb_error *err)
{
	struct stat st;
	int fd = batch_open_article(b, rel, &st, err);
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
int batch_find_clashes(struct batch *b, const struct names *files, unsigned char *clash,
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
				if (clash[a] || !batch_in_shard(b, files->v[a]) ||
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

/* ---- --prune --------------------------------------------------------------------------- */

/* Removes what batch wrote for the article rel (its audio in any format, its sidecars, then
 * its stamp: a run stopped half way prunes the rest next time), never through a link. */
static void prune_outputs(struct batch *b, const char *rel)
{
	const struct bb_output_type *t;
	char name[PATH_SIZE], stamp[PATH_SIZE];
	struct bb_error err = {0};
	struct stat st;
	const char *base = batch_base_name(rel);
	int len = (int)strlen(base) - 4;
	int dir = batch_open_parent(b->o.out_dir, rel, 0, BB_ECANTCREAT, &err);
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
	if (batch_stamp_rel(rel, stamp, sizeof stamp) == 0 &&
	    (dir = batch_open_parent(b->o.out_dir, stamp, 0, BB_ECANTCREAT, &err)) >= 0) {
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
		if (e->d_name[0] == '.' || batch_join(sub, sizeof sub, rel, e->d_name) != 0 ||
		    fstatat(dir, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int child = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					   O_CLOEXEC);
			if (child >= 0) {
				find_gone(b, child, sub, gone);
				close(child);
			}
		} else if (S_ISREG(st.st_mode) && batch_ends_with_txt(e->d_name) && batch_in_shard(b, sub) &&
			   batch_join(in, sizeof in, b->o.in_dir, sub) == 0 && lstat(in, &st) != 0 &&
			   (errno == ENOENT || errno == ENOTDIR)) {
			batch_names_add(gone, sub);
		}
	}
	closedir(d);
}

/* --prune: the outputs of every article whose stamp is there but the article is not (of
 * this shard); a dry run lists them ("prune", TAB, path). An IN_DIR without a single article
 * prunes nothing: an unmounted or emptied drop folder must not wipe what was made. */
void batch_prune(struct batch *b)
{
	struct names gone = {0};
	struct bb_error err = {0};
	char state[PATH_SIZE];
	if (batch_join(state, sizeof state, STATE_DIR, "x") != 0)
		return;
	int dir = batch_open_parent(b->o.out_dir, state, 0, BB_ECANTCREAT, &err);
	if (dir < 0)
		return;
	find_gone(b, dir, "", &gone);
	close(dir);
	qsort(gone.v, gone.n, sizeof *gone.v, batch_by_name);
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
