/* cache: the on-disk sentence cache of batch. SPDX-License-Identifier: GPL-3.0-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "tempfile.h"

/* ---- the sentence cache ------------------------------------------------------------------ */

/* Entry file: this header, then the segment's n samples, nloud loudness blocks and nwords
 * unit starts, native endian (the cache is this machine's). check is the checksum of all of
 * it (the header with check 0): an entry damaged anywhere, samples, measurements or header,
 * is a miss. */
struct entry_head {
	char magic[4]; /* ENTRY_MAGIC: changes whenever what an entry holds changes */
	uint32_t rate;
	uint64_t n, nloud;
	int32_t sample_peak;
	float true_peak;
	uint64_t nwords;
	uint64_t check;
};
#define ENTRY_MAGIC "BBS5"

/* A fast 64-bit checksum (multiply and fold, 8 bytes a step; against damage, not forgery). */
static uint64_t check_add(uint64_t h, const void *bytes, size_t n)
{
	const unsigned char *p = bytes;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15u;
		h ^= h >> 31;
	}
	for (; n; p++, n--)
		h = ((h ^ *p) * 0x100000001b3u) ^ (h >> 29);
	return h;
}

static uint64_t check_head(struct entry_head h)
{
	h.check = 0;
	return check_add(0x243f6a8885a308d3u, &h, sizeof h);
}

struct bb_disk_cache {
	char *dir;
	struct bb_voice voice;   /* what synthesis used */
	size_t hits, misses;     /* touched by get only (the caller's thread) */
	unsigned serial;         /* for temporary names; touched by put only (the assembler's) */
};

int bb_cache_open(struct bb_disk_cache **out, const char *dir, const struct bb_voice *v,
		  struct bb_error *err)
{
	*out = NULL;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return bb_fail(err, BB_ECANTCREAT, "%s: cannot create the cache folder: %s", dir,
			       strerror(errno));
	struct bb_disk_cache *c = calloc(1, sizeof *c);
	if (!c || !(c->dir = strdup(dir))) {
		free(c);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	c->voice = *v;
	*out = c;
	return BB_OK;
}

static void hash_feed(void *ctx, const void *bytes, size_t n)
{
	struct bb_hash *h = ctx;
	*h = bb_hash_add(*h, bytes, n);
}

/* DIR/ab/cdef....seg, keyed by all that decides the sentence's audio (see synth.c), the
 * output rate and the entry format. */
static void entry_path(const struct bb_disk_cache *c, const struct bb_sentence *s, int rate,
		       char *path, size_t size)
{
	struct bb_hash h = bb_hash_start();
	bb_synth_describe(&c->voice, s, hash_feed, &h);
	uint32_t r = (uint32_t)rate;
	h = bb_hash_add(h, &r, sizeof r);
	h = bb_hash_add(h, ENTRY_MAGIC, 4);
	char hex[33];
	bb_hash_hex(h, hex);
	snprintf(path, size, "%s/%.2s/%s.seg", c->dir, hex, hex + 2);
}

int bb_read_full(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int bb_write_full(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int read_array(int fd, void **p, size_t *cap, size_t n, size_t elem)
{
	if (n > *cap) {
		void *q = realloc(*p, n * elem);
		if (!q)
			return -1;
		*p = q;
		*cap = n;
	}
	return bb_read_full(fd, *p, n * elem);
}

/* The checksum of the n samples at the file's current offset, read in blocks. */
static int check_samples(int fd, uint64_t n, uint64_t *h)
{
	int16_t buf[16384];
	while (n) {
		size_t k = n < 16384 ? (size_t)n : 16384;
		if (bb_read_full(fd, buf, k * sizeof *buf) != 0)
			return -1;
		*h = check_add(*h, buf, k * sizeof *buf);
		n -= k;
	}
	return 0;
}

/* Reads the entry of s into out, all but the audio: out keeps the entry open and says where
 * the audio is, for the output pass to read once. The whole entry is checked first: one
 * that is damaged (truncated, rewritten, not a regular file) is a miss, and removed. Touches
 * the entry, so eviction sees it as recently used. */
static int cache_get(void *ctx, const struct bb_sentence *s, int rate, struct bb_segment *out)
{
	struct bb_disk_cache *c = ctx;
	char path[4096];
	entry_path(c, s, rate, path, sizeof path);
	/* O_NONBLOCK: a FIFO put in an entry's place must not hang the open; nor the read, as
	 * only a regular file is read */
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	struct entry_head h;
	struct stat st;
	int ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		 bb_read_full(fd, &h, sizeof h) == 0 &&
		 memcmp(h.magic, ENTRY_MAGIC, 4) == 0 && h.rate == (uint32_t)rate &&
		 h.n <= (uint64_t)st.st_size / sizeof(int16_t) &&
		 h.nloud <= (uint64_t)st.st_size / sizeof(float) &&
		 h.nwords <= (uint64_t)st.st_size / sizeof(uint32_t) &&
		 (uint64_t)st.st_size == sizeof h + h.n * sizeof(int16_t) + h.nloud * sizeof(float) +
						 h.nwords * sizeof(uint32_t);
	uint64_t sum = ok ? check_head(h) : 0;
	ok = ok && check_samples(fd, h.n, &sum) == 0 &&
	     read_array(fd, (void **)&out->loudness, &out->loud_cap, (size_t)h.nloud,
			sizeof(float)) == 0 &&
	     read_array(fd, (void **)&out->words, &out->words_cap, (size_t)h.nwords,
			sizeof(uint32_t)) == 0;
	if (ok) {
		sum = check_add(sum, out->loudness, (size_t)h.nloud * sizeof(float));
		sum = check_add(sum, out->words, (size_t)h.nwords * sizeof(uint32_t));
	}
	int damaged = fd >= 0 && !(ok && sum == h.check);
	ok = ok && !damaged;
	if (ok) {
		if (out->in_file)
			close(out->fd);
		out->in_file = 1;
		out->fd = fd;
		out->offset = sizeof h;
		out->n = (size_t)h.n;
		out->nloud = (size_t)h.nloud;
		out->nwords = (size_t)h.nwords;
		out->rate = (int)h.rate;
		out->sample_peak = h.sample_peak;
		out->true_peak = h.true_peak;
		futimens(fd, NULL);
		c->hits++;
	} else {
		if (fd >= 0)
			close(fd);
		if (damaged || (fd < 0 && errno == ELOOP)) /* made again by put; a link is not ours */
			unlink(path);
		c->misses++;
	}
	return ok;
}

/* Whether writing bytes more into folder dir leaves the outputs room: the cache never takes
 * the last tenth of a file system (at most 1 GiB of it). */
static int room_for(const char *dir, uint64_t bytes)
{
	struct statvfs fs;
	if (statvfs(dir, &fs) != 0)
		return 1;
	uint64_t unit = fs.f_frsize ? fs.f_frsize : fs.f_bsize;
	uint64_t total = (uint64_t)fs.f_blocks * unit, avail = (uint64_t)fs.f_bavail * unit;
	uint64_t reserve = total / 10 < (1u << 30) ? total / 10 : (1u << 30);
	return avail > bytes && avail - bytes > reserve;
}

/* Writes the entry under a temporary name and renames it: readers never see half of one. */
static void cache_put(void *ctx, const struct bb_sentence *s, const struct bb_segment *seg)
{
	struct bb_disk_cache *c = ctx;
	char path[4096], tmp[4200];
	entry_path(c, s, seg->rate, path, sizeof path);
	char *slash = strrchr(path, '/');
	*slash = '\0';
	struct stat st;
	if ((mkdir(path, 0777) != 0 && errno != EEXIST) || lstat(path, &st) != 0 ||
	    !S_ISDIR(st.st_mode))
		return; /* a link in place of a subfolder is not written through */
	struct entry_head h = {.rate = (uint32_t)seg->rate, .n = seg->n, .nloud = seg->nloud,
			       .sample_peak = seg->sample_peak, .true_peak = seg->true_peak,
			       .nwords = seg->nwords};
	memcpy(h.magic, ENTRY_MAGIC, 4);
	if (!room_for(path, sizeof h + seg->n * sizeof(int16_t) + seg->nloud * sizeof(float) +
				  seg->nwords * sizeof(uint32_t)))
		return; /* the disk is for the outputs first */
	snprintf(tmp, sizeof tmp, "%s/.tmp.%ld.%u", path, (long)getpid(), c->serial++);
	*slash = '/';
	/* registered: removed if a signal stops the process mid-write */
	int fd = bb_temp_open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return;
	h.check = check_add(check_head(h), seg->audio, seg->n * sizeof(int16_t));
	h.check = check_add(h.check, seg->loudness, seg->nloud * sizeof(float));
	h.check = check_add(h.check, seg->words, seg->nwords * sizeof(uint32_t));
	int ok = bb_write_full(fd, &h, sizeof h) == 0 &&
		 bb_write_full(fd, seg->audio, seg->n * sizeof(int16_t)) == 0 &&
		 bb_write_full(fd, seg->loudness, seg->nloud * sizeof(float)) == 0 &&
		 bb_write_full(fd, seg->words, seg->nwords * sizeof(uint32_t)) == 0;
	ok = close(fd) == 0 && ok && bb_temp_rename(tmp, path) == 0;
	if (!ok)
		bb_temp_unlink(tmp);
}

struct bb_sentence_cache bb_cache_hook(struct bb_disk_cache *c)
{
	return (struct bb_sentence_cache){cache_get, cache_put, c};
}

void bb_cache_take_counts(struct bb_disk_cache *c, size_t *hits, size_t *misses)
{
	*hits = c ? c->hits : 0;
	*misses = c ? c->misses : 0;
	if (c)
		c->hits = c->misses = 0;
}

void bb_cache_close(struct bb_disk_cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}

/* ---- eviction ------------------------------------------------------------------------------ */

struct cached_file {
	char *path;
	struct timespec used;
	uint64_t size;
};

static int by_oldest(const void *a, const void *b)
{
	const struct cached_file *x = a, *y = b;
	if (x->used.tv_sec != y->used.tv_sec)
		return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
	return (x->used.tv_nsec > y->used.tv_nsec) - (x->used.tv_nsec < y->used.tv_nsec);
}

/* Adds the entries of one two-hex-digit subfolder to the list; drops stale temporaries. */
static void list_entries(const char *sub, struct cached_file **list, size_t *n, size_t *cap,
			 uint64_t *total)
{
	struct stat sst;
	if (lstat(sub, &sst) != 0 || !S_ISDIR(sst.st_mode))
		return; /* a link in place of a subfolder: never evict through it */
	DIR *d = opendir(sub);
	if (!d)
		return;
	time_t now = time(NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		char path[4096];
		struct stat st;
		if (e->d_name[0] == '.' && strncmp(e->d_name, ".tmp.", 5) != 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", sub, e->d_name) >= sizeof path)
			continue;
		if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		if (e->d_name[0] == '.') {
			if (now - st.st_mtime > 3600)
				unlink(path);
			continue;
		}
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 1024;
			struct cached_file *l = realloc(*list, c * sizeof *l);
			if (!l)
				break;
			*list = l;
			*cap = c;
		}
		char *p = strdup(path);
		if (!p)
			break;
		(*list)[(*n)++] = (struct cached_file){p, st.st_mtim, (uint64_t)st.st_size};
		*total += (uint64_t)st.st_size;
	}
	closedir(d);
}

uint64_t bb_cache_trim(const char *dir, uint64_t max_bytes)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	struct cached_file *list = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
			continue;
		char sub[4096];
		if ((size_t)snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name) >= sizeof sub)
			continue;
		list_entries(sub, &list, &n, &cap, &total);
	}
	closedir(d);
	if (total > max_bytes) {
		qsort(list, n, sizeof *list, by_oldest);
		uint64_t goal = max_bytes / 10 * 9;
		for (size_t i = 0; i < n && total > goal; i++)
			if (unlink(list[i].path) == 0)
				total -= list[i].size;
	}
	for (size_t i = 0; i < n; i++)
		free(list[i].path);
	free(list);
	return total;
}
