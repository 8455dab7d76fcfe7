/* article: decoded text -> title, headings, paragraphs, bylines, captions. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bobao.h"

/* Longest line (in characters) that can be a heading, byline or caption. */
#define SHORT_LINE_CHARS 30

static const char *const kind_names[] = {"title", "heading", "body", "byline", "caption"};

const char *bb_kind_name(enum bb_kind kind)
{
	return (unsigned)kind < sizeof kind_names / sizeof kind_names[0] ? kind_names[kind] : "?";
}

/* Words that open a byline: 本报记者 陈可, 记者 X, 通讯员 X. */
static const char *const byline_openers[] = {
	"本报记者", "本报通讯员", "特约记者", "见习记者", "记者", "通讯员", "文/", "文／", "作者",
	"责任编辑", "编辑", "校对", "审核", "来源：", "（记者", "(记者",
};

/* A photo caption ends in 摄, perhaps inside a bracket: 开发区晨景 陆忠伟摄, （新华社发 X摄） */
static int is_caption_end(const char *p, size_t n)
{
	static const char *const ends[] = {"摄", "摄）", "摄)", "摄】"};
	for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t e = strlen(ends[i]);
		if (n >= e && memcmp(p + n - e, ends[i], e) == 0)
			return 1;
	}
	return 0;
}

/* Marks that end a sentence; a line ending in one is a paragraph, not a heading. */
static const uint32_t final_marks[] = {
	0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0x2026, '.', '!', '?', ';', 0xFF0E,
};

static int is_final_mark(uint32_t cp)
{
	for (size_t i = 0; i < sizeof final_marks / sizeof final_marks[0]; i++)
		if (final_marks[i] == cp)
			return 1;
	return 0;
}

/* Closing quotes and brackets that may follow the final mark of a sentence. */
static int is_closer(uint32_t cp)
{
	return cp == 0x201D || cp == 0x2019 || cp == 0x300D || cp == 0x300F || cp == 0xFF09 ||
	       cp == ')' || cp == '"' || cp == 0x300B || cp == 0x3011;
}

/* U+FFFD stands where decoding met bytes that were not text (a lenient read): a gap. */
static int is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\f' || cp == '\v' || cp == 0x3000 || cp == 0xA0 ||
	       cp == 0xFEFF || cp == 0xFFFD;
}

/* Chinese text for the purpose of turning ASCII punctuation full-width. */
static int is_cjk(uint32_t cp)
{
	return bb_is_hanzi(cp) || (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFFEF) ||
	       cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019 || cp == 0x2026;
}

/* Full-width forms kept as they are: they are Chinese punctuation, not folded text. */
static int keep_fullwidth(uint32_t cp)
{
	return cp == 0xFF0C || cp == 0xFF1B || cp == 0xFF1A || cp == 0xFF1F || cp == 0xFF01 ||
	       cp == 0xFF08 || cp == 0xFF09 || cp == 0xFF5E;
}

/* ASCII marks that become full-width inside Chinese text. */
static uint32_t fullwidth_of(uint32_t cp)
{
	switch (cp) {
	case ',': return 0xFF0C;
	case ':': return 0xFF1A;
	case ';': return 0xFF1B;
	case '?': return 0xFF1F;
	case '!': return 0xFF01;
	default: return 0;
	}
}

struct line {
	size_t start, end; /* trimmed, in the original */
	size_t chars;
	uint32_t last, first;
};

/* Code point before offset i within [lo, i), skipping spaces; 0 if none. */
static uint32_t prev_cp(const char *s, size_t lo, size_t i)
{
	while (i > lo) {
		size_t j = i - 1;
		while (j > lo && ((unsigned char)s[j] & 0xC0) == 0x80)
			j--;
		uint32_t cp;
		bb_utf8_decode(s + j, i - j, &cp);
		if (!is_space(cp))
			return cp;
		i = j;
	}
	return 0;
}

static uint32_t next_cp(const char *s, size_t i, size_t hi)
{
	while (i < hi) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, hi - i, &cp);
		if (!l)
			return 0;
		if (!is_space(cp))
			return cp;
		i += l;
	}
	return 0;
}

/* Appends the folded text of original[start, end) to block text t. */
static int fold_into(struct bb_text *t, const char *s, size_t start, size_t end)
{
	int rc = BB_OK;
	for (size_t i = start; i < end && rc == BB_OK;) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, end - i, &cp);
		if (!l)
			l = 1;
		struct bb_span from = {i, i + l};
		uint32_t out = cp;
		if (cp >= 0xFF01 && cp <= 0xFF5E && !keep_fullwidth(cp))
			out = cp - 0xFEE0; /* full-width ASCII forms: digits, letters, %, +, ... */
		else if (fullwidth_of(cp)) {
			uint32_t before = prev_cp(s, start, i), after = next_cp(s, i + l, end);
			int digits = before >= '0' && before <= '9' && after >= '0' && after <= '9';
			if (!digits && (is_cjk(before) || is_cjk(after) || !after))
				out = fullwidth_of(cp);
		}
		if (is_space(cp)) {
			/* one ASCII space, none right after Chinese punctuation */
			uint32_t before = t->len ? (uint32_t)(unsigned char)t->s[t->len - 1] : 0;
			if (!t->len || before == ' ')
				out = 0;
			else {
				uint32_t pc = prev_cp(t->s, 0, t->len);
				out = (pc >= 0x3000 && pc <= 0x303F) || (pc >= 0xFF00 && pc <= 0xFF65) ? 0 : ' ';
			}
		}
		if (out) {
			char buf[4];
			rc = bb_text_add(t, buf, bb_utf8_encode(out, buf), from);
		}
		i += l;
	}
	while (rc == BB_OK && t->len && t->s[t->len - 1] == ' ')
		t->s[--t->len] = '\0';
	return rc;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);
	return n >= p && memcmp(s, prefix, p) == 0;
}

static enum bb_kind classify(const char *s, const struct line *ln, int first)
{
	if (first)
		return BB_TITLE;
	const char *p = s + ln->start;
	size_t n = ln->end - ln->start;
	if (ln->chars <= 2 * SHORT_LINE_CHARS && is_caption_end(p, n))
		return BB_CAPTION;
	if (ln->chars <= SHORT_LINE_CHARS && !is_final_mark(ln->last)) {
		for (size_t i = 0; i < sizeof byline_openers / sizeof byline_openers[0]; i++)
			if (starts_with(p, n, byline_openers[i]))
				return BB_BYLINE;
		if (is_caption_end(p, n))
			return BB_CAPTION;
		if (!is_closer(ln->last))
			return BB_HEADING;
	}
	return BB_BODY;
}

static struct line measure(const char *s, size_t start, size_t end)
{
	struct line ln = {start, end, 0, 0, 0};
	uint32_t cp;
	size_t l;
	while (ln.start < ln.end && (l = bb_utf8_decode(s + ln.start, ln.end - ln.start, &cp)) &&
	       is_space(cp))
		ln.start += l;
	size_t last = ln.start;
	for (size_t i = ln.start; i < ln.end; i += l ? l : 1) {
		l = bb_utf8_decode(s + i, ln.end - i, &cp);
		if (!is_space(cp))
			last = i + (l ? l : 1);
	}
	ln.end = last;
	for (size_t i = ln.start; i < ln.end; i += l ? l : 1) {
		l = bb_utf8_decode(s + i, ln.end - i, &cp);
		if (!ln.chars)
			ln.first = cp;
		ln.chars++;
		ln.last = cp;
	}
	return ln;
}

/* A long paragraph that stops without closing its sentence was cut by a page break. */
static int is_cut(const struct line *ln, enum bb_kind kind)
{
	return kind == BB_BODY && !is_final_mark(ln->last) && !is_closer(ln->last);
}

void bb_article_free(struct bb_article *art)
{
	if (!art)
		return;
	free(art->blocks);
	free(art->source);
	bb_text_free(&art->original);
	memset(art, 0, sizeof *art);
}

static int add_block(struct bb_article *art, size_t *cap, enum bb_kind kind)
{
	if (art->nblocks == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;
		struct bb_block *b = realloc(art->blocks, ncap * sizeof *b);
		if (!b)
			return BB_ENOMEM;
		art->blocks = b;
		*cap = ncap;
	}
	struct bb_block *b = &art->blocks[art->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->paragraph = art->nblocks - 1;
	return BB_OK;
}

int bb_block_text(const struct bb_article *art, size_t b, struct bb_text *out)
{
	const char *s = art->original.s ? art->original.s : "";
	const struct bb_block *blk = &art->blocks[b];
	int rc = BB_OK;
	/* the lines of a joined paragraph, each trimmed as bb_article_parse trimmed it */
	for (size_t pos = blk->start; pos < blk->end && rc == BB_OK;) {
		const char *nl = memchr(s + pos, '\n', blk->end - pos);
		size_t end = nl ? (size_t)(nl - s) : blk->end;
		struct line ln = measure(s, pos, end);
		pos = end + 1;
		if (ln.chars)
			rc = fold_into(out, s, ln.start, ln.end);
	}
	return rc;
}

int bb_article_parse(struct bb_article *art, struct bb_text *original, const char *source,
		     struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	art->original = *original;
	memset(original, 0, sizeof *original);
	art->source = strdup(source ? source : "-");
	if (!art->source)
		return bb_fail(err, BB_ENOMEM, "out of memory");
	const char *s = art->original.s ? art->original.s : "";
	size_t n = art->original.len, cap = 0;
	int rc = BB_OK, joining = 0;
	for (size_t pos = 0; pos < n && rc == BB_OK;) {
		const char *nl = memchr(s + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - s) : n;
		struct line ln = measure(s, pos, end);
		pos = end + 1;
		if (!ln.chars)
			continue;
		enum bb_kind kind = joining ? BB_BODY : classify(s, &ln, art->nblocks == 0);
		if (!joining && (rc = add_block(art, &cap, kind)) == BB_OK)
			art->blocks[art->nblocks - 1].start = ln.start;
		if (rc == BB_OK)
			art->blocks[art->nblocks - 1].end = ln.end;
		joining = is_cut(&ln, kind) && ln.chars > SHORT_LINE_CHARS;
	}
	if (rc != BB_OK) {
		bb_article_free(art);
		return bb_fail(err, rc, "out of memory");
	}
	if (art->nblocks == 0) {
		bb_article_free(art);
		return bb_fail(err, BB_EDATA, "empty article: nothing to read");
	}
	return BB_OK;
}

/* "16 MB", "512 KB" or "1000 bytes": a limit as it was most likely given. */
static void format_size(size_t n, char *out, size_t size)
{
	static const char *const units[] = {"GB", "MB", "KB"};
	for (int i = 0; i < 3; i++) {
		size_t unit = (size_t)1 << (10 * (3 - i));
		if (n >= unit && n % unit == 0) {
			snprintf(out, size, "%zu %s", n / unit, units[i]);
			return;
		}
	}
	snprintf(out, size, "%zu bytes", n);
}

int bb_fail_too_large(struct bb_error *err, uint64_t size, size_t limit)
{
	char lim[32];
	format_size(limit, lim, sizeof lim);
	if (size)
		return bb_fail(err, BB_EDATA,
			       "file too large (%llu bytes, limit %s; see --max-size)",
			       (unsigned long long)size, lim);
	return bb_fail(err, BB_EDATA, "file too large (over the limit, %s; see --max-size)", lim);
}

int bb_read_warning(const struct bb_read_info *info, char *out, size_t size)
{
	if (!info->invalid)
		return 0;
	snprintf(out, size, "%zu invalid UTF-8 sequence%s not read (first at byte %zu)",
		 info->invalid, info->invalid == 1 ? "" : "s", info->first_invalid);
	return 1;
}

int bb_parse_size(const char *s, size_t *bytes)
{
	char *end;
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10, end++; break;
	case 'm': case 'M': shift = 20, end++; break;
	case 'g': case 'G': shift = 30, end++; break;
	}
	if (shift && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0))
		end += strlen(end);
	if (*end || errno || n == 0 || n > (SIZE_MAX >> shift))
		return -1;
	*bytes = (size_t)n << shift;
	return 0;
}

int bb_read_fd(int fd, size_t max, char **buf, size_t *len, struct bb_error *err)
{
	size_t cap = 0;
	*buf = NULL;
	*len = 0;
	if (!max)
		max = BB_MAX_ARTICLE_BYTES;
	/* a directory opens fine and fails only when read; a large file is refused unread */
	struct stat st;
	int known = fstat(fd, &st) == 0;
	if (known && S_ISDIR(st.st_mode))
		return bb_fail(err, BB_ENOINPUT, "is a directory");
	if (known && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max)
		return bb_fail_too_large(err, (uint64_t)st.st_size, max);
	for (;;) {
		if (*len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			char *nb = realloc(*buf, ncap);
			if (!nb)
				return bb_fail(err, BB_ENOMEM, "out of memory");
			*buf = nb;
			cap = ncap;
		}
		ssize_t got = read(fd, *buf + *len, cap - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return bb_fail(err, BB_EIO, "read error: %s", strerror(errno));
		if (got == 0)
			return *len ? BB_OK : bb_fail(err, BB_EDATA, "empty file");
		if ((*len += (size_t)got) > max)
			return bb_fail_too_large(err, 0, max); /* a pipe, or a file that grew */
	}
}

int bb_article_from_bytes(struct bb_article *art, const char *bytes, size_t n, const char *source,
			  const struct bb_read_opts *opts, struct bb_read_info *info,
			  struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	struct bb_text text = {0};
	int rc = bb_decode(bytes, n, opts, &text, info, err);
	if (rc == BB_OK)
		rc = bb_article_parse(art, &text, source, err);
	return rc;
}

int bb_article_read(struct bb_article *art, const char *path, const struct bb_read_opts *opts,
		    struct bb_read_info *info, struct bb_error *err)
{
	memset(art, 0, sizeof *art);
	int is_stdin = strcmp(path, "-") == 0;
	int fd = is_stdin ? 0 : bb_open_regular(path, err);
	if (fd < 0)
		return err ? err->code : BB_ENOINPUT;
	char *buf = NULL;
	size_t len = 0;
	int rc = bb_read_fd(fd, opts ? opts->max_bytes : 0, &buf, &len, err);
	if (!is_stdin)
		close(fd);
	if (rc == BB_OK)
		rc = bb_article_from_bytes(art, buf, len, path, opts, info, err);
	free(buf);
	return rc;
}
