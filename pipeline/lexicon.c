/* The pronunciation lexicon: the compiled lexicon.bin (mapped, not parsed) plus user entries.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bobao.h"
#include "lexicon.h"

struct user_entry {
	char *word, *reading;
	size_t word_len;
};

struct bb_lexicon {
	void *map;
	size_t map_size;
	const struct lex_header *h;
	const struct lex_entry *entries;
	const uint32_t *slots;
	const uint32_t *fold;
	const char *pool;
	double log_total;
	long model_bonus[4]; /* the context model's bonus for the prior, by kind "apdw" */
	struct user_entry *user; /* later files win: searched from the end */
	size_t nuser, capuser;
	size_t max_chars;
};

static int builtin_find(const struct bb_lexicon *lex, const char *word, size_t n,
			struct lex_word *out);

/* The context model's bonuses for the prior (LEX_CTX_KEY 'B': "20 60 40 160"), read once;
 * none without a model. */
static void read_model_bonus(struct bb_lexicon *lex)
{
	const char key[2] = {LEX_CTX_KEY, 'B'};
	struct lex_word w;
	if (!builtin_find(lex, key, 2, &w))
		return;
	const char *p = w.reading, *end = p + w.reading_len;
	for (size_t k = 0; k < 4 && p < end; k++, p++)
		for (; p < end && *p >= '0' && *p <= '9'; p++)
			lex->model_bonus[k] = 10 * lex->model_bonus[k] + (*p - '0');
}

/* Checks that the mapped file holds what its header says; 0 when it does not. */
static int lexicon_valid(const struct bb_lexicon *lex)
{
	const struct lex_header *h = lex->h;
	if (lex->map_size < sizeof *h || memcmp(h->magic, LEX_MAGIC, 8) != 0)
		return 0;
	uint64_t need = sizeof *h + (uint64_t)h->nentries * sizeof(struct lex_entry) +
			(uint64_t)h->nslots * 4 + (uint64_t)h->nfold * 8 + h->pool_size;
	if (need != lex->map_size || !h->nslots || (h->nslots & (h->nslots - 1)) ||
	    h->nslots < h->nentries || h->max_chars > LEX_MAX_CHARS)
		return 0;
	return 1; /* entries are checked when found, so that opening touches no more pages */
}

int bb_lexicon_open(struct bb_lexicon **out, const char *path, struct bb_error *err)
{
	char found[4096];
	*out = NULL;
	if (!path) {
		if (!bb_find_data("lexicon.bin", found, sizeof found))
			return bb_fail(err, BB_ENOINPUT, "lexicon.bin not found (set BOBAO_DATA, or "
				       "run make)");
		path = found;
	}
	struct bb_error why = {0};
	int fd = bb_open_regular(path, &why);
	if (fd < 0)
		return bb_fail(err, why.code, "%s: %s", path, why.msg);
	struct stat st;
	if (fstat(fd, &st) != 0 || st.st_size <= 0) {
		close(fd);
		return bb_fail(err, BB_ECONFIG, "%s: not a bobao lexicon", path);
	}
	struct bb_lexicon *lex = calloc(1, sizeof *lex);
	if (!lex) {
		close(fd);
		return bb_fail(err, BB_ENOMEM, "out of memory");
	}
	lex->map_size = (size_t)st.st_size;
	lex->map = mmap(NULL, lex->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (lex->map == MAP_FAILED) {
		free(lex);
		return bb_fail(err, BB_EIO, "%s: %s", path, strerror(errno));
	}
	const char *base = lex->map;
	lex->h = (const struct lex_header *)base;
	if (lex->map_size >= sizeof *lex->h) {
		lex->entries = (const struct lex_entry *)(base + sizeof *lex->h);
		lex->slots = (const uint32_t *)(lex->entries + lex->h->nentries);
		lex->fold = lex->slots + lex->h->nslots;
		lex->pool = (const char *)(lex->fold + 2 * (size_t)lex->h->nfold);
	}
	if (!lexicon_valid(lex)) {
		munmap(lex->map, lex->map_size);
		free(lex);
		return bb_fail(err, BB_ECONFIG, "%s: not a bobao lexicon (rebuild with make)", path);
	}
	lex->log_total = log((double)lex->h->total_freq + 1);
	lex->max_chars = lex->h->max_chars;
	read_model_bonus(lex);
	*out = lex;
	return BB_OK;
}

void bb_lexicon_close(struct bb_lexicon *lex)
{
	if (!lex)
		return;
	for (size_t i = 0; i < lex->nuser; i++) {
		free(lex->user[i].word);
		free(lex->user[i].reading);
	}
	free(lex->user);
	if (lex->map)
		munmap(lex->map, lex->map_size);
	free(lex);
}

static int builtin_find(const struct bb_lexicon *lex, const char *word, size_t n,
			struct lex_word *out)
{
	uint32_t mask = lex->h->nslots - 1;
	for (uint32_t s = lex_hash(word, n) & mask;; s = (s + 1) & mask) {
		uint32_t v = lex->slots[s];
		if (!v || v > lex->h->nentries)
			return 0;
		const struct lex_entry *e = &lex->entries[v - 1];
		if ((uint64_t)e->word_off + e->word_len > lex->h->pool_size ||
		    (uint64_t)e->read_off + e->read_len > lex->h->pool_size)
			return 0;
		if (e->word_len == n && memcmp(lex->pool + e->word_off, word, n) == 0) {
			out->reading = lex->pool + e->read_off;
			out->reading_len = e->read_len;
			out->freq = e->freq;
			out->flags = e->flags;
			out->pos = (enum lex_pos)e->pos;
			return 1;
		}
	}
}

/* A user entry for word, the last one added; NULL when none. */
static const struct user_entry *user_find(const struct bb_lexicon *lex, const char *word, size_t n)
{
	for (size_t i = lex->nuser; i-- > 0;) {
		const struct user_entry *u = &lex->user[i];
		if (u->word_len == n && memcmp(u->word, word, n) == 0)
			return u;
	}
	return NULL;
}

int lex_find(const struct bb_lexicon *lex, const char *word, size_t n, struct lex_word *out)
{
	struct lex_word bw;
	int in_builtin = builtin_find(lex, word, n, &bw);
	const struct user_entry *u = user_find(lex, word, n);
	if (u) {
		out->reading = u->reading;
		out->reading_len = strlen(u->reading);
		/* a user word wins the segmentation against its parts */
		out->freq = in_builtin && bw.freq > 1000000 ? bw.freq : 1000000;
		out->flags = LEX_USER;
		out->pos = in_builtin ? bw.pos : POS_NONE;
		return 1;
	}
	if (in_builtin)
		*out = bw;
	return in_builtin;
}

int lex_find_trad(const struct bb_lexicon *lex, const char *word, size_t n, struct lex_word *out)
{
	char key[1 + 4 * LEX_MAX_CHARS];
	if (n + 1 > sizeof key)
		return 0;
	if (user_find(lex, word, n)) /* a user entry as written wins */
		return lex_find(lex, word, n, out);
	key[0] = LEX_TRAD_KEY;
	memcpy(key + 1, word, n);
	return builtin_find(lex, key, n + 1, out);
}

int lex_trad_readings(const struct bb_lexicon *lex, const char *ch, size_t n, const char **r,
		      size_t *rn)
{
	char key[8];
	struct lex_word w;
	if (n + 1 > sizeof key)
		return 0;
	key[0] = LEX_TRAD_SET_KEY;
	memcpy(key + 1, ch, n);
	if (!builtin_find(lex, key, n + 1, &w))
		return 0;
	*r = w.reading;
	*rn = w.reading_len;
	return 1;
}

uint32_t lex_fold(const struct bb_lexicon *lex, uint32_t c, int *strong)
{
	size_t lo = 0, hi = lex->h->nfold;
	*strong = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t from = lex->fold[2 * mid];
		if (from == c) {
			uint32_t to = lex->fold[2 * mid + 1];
			*strong = (to & LEX_STRONG) != 0;
			to &= ~LEX_STRONG;
			return to && to < 0x110000 ? to : c;
		}
		if (from < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return c;
}

size_t lex_max_chars(const struct bb_lexicon *lex)
{
	return lex->max_chars;
}

double lex_log_total(const struct bb_lexicon *lex)
{
	return lex->log_total;
}

long lex_model_bonus(const struct bb_lexicon *lex, char kind)
{
	const char *at = strchr("apdw", kind);
	return kind && at ? lex->model_bonus[at - "apdw"] : 0;
}

/* Number of hanzi in s when it is all hanzi, else 0. */
static size_t hanzi_chars(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; count++) {
		uint32_t cp;
		size_t l = bb_utf8_decode(s + i, n - i, &cp);
		if (!l || !bb_is_hanzi(cp))
			return 0;
		i += l;
	}
	return count;
}

/* Rewrites a reading in place as lowercase syllables with a tone digit, one space apart;
 * returns the syllable count or 0 when a syllable is not letters + 1-5. */
static size_t clean_reading(char *r)
{
	char *o = r;
	size_t count = 0;
	for (char *tok = strtok(r, " \t"); tok; tok = strtok(NULL, " \t")) {
		size_t n = strlen(tok);
		if (n < 2 || n > 7 || tok[n - 1] < '1' || tok[n - 1] > '5')
			return 0;
		for (size_t i = 0; i + 1 < n; i++) {
			char c = tok[i];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c - 'A' + 'a');
			if (c < 'a' || c > 'z')
				return 0;
			tok[i] = c;
		}
		if (count)
			*o++ = ' ';
		memmove(o, tok, n);
		o += n;
		count++;
	}
	*o = '\0';
	return count;
}

static int user_add(struct bb_lexicon *lex, const char *word, size_t n, const char *reading)
{
	if (lex->nuser == lex->capuser) {
		size_t cap = lex->capuser ? lex->capuser * 2 : 16;
		struct user_entry *u = realloc(lex->user, cap * sizeof *u);
		if (!u)
			return BB_ENOMEM;
		lex->user = u;
		lex->capuser = cap;
	}
	struct user_entry *u = &lex->user[lex->nuser];
	u->word = strndup(word, n);
	u->reading = strdup(reading);
	u->word_len = n;
	if (!u->word || !u->reading) {
		free(u->word);
		free(u->reading);
		return BB_ENOMEM;
	}
	lex->nuser++;
	return BB_OK;
}

/* Parses one line of a user lexicon; BB_OK for an entry or a blank/comment line, else a
 * message in why. */
static int user_line(struct bb_lexicon *lex, char *line, const char **why)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (n >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		line += 3; /* a BOM on the first line */
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p || *p == '#')
		return BB_OK;
	char *tab = strchr(line, '\t');
	if (!tab) {
		*why = "expected: word, a tab, pinyin with tone digits";
		return BB_ECONFIG;
	}
	*tab = '\0';
	char *reading = tab + 1, *hash = strchr(reading, '#');
	if (hash)
		*hash = '\0'; /* a comment after the reading */
	size_t wl = strlen(line);
	while (wl && line[wl - 1] == ' ')
		line[--wl] = '\0';
	size_t nchars = hanzi_chars(line, wl);
	if (!nchars || nchars > LEX_MAX_CHARS) {
		*why = nchars ? "word too long" : "the word must be Chinese characters only";
		return BB_ECONFIG;
	}
	size_t nsyl = clean_reading(reading);
	if (!nsyl) {
		*why = "pinyin must be syllables with a tone digit 1-5, e.g. shan4";
		return BB_ECONFIG;
	}
	if (nsyl != nchars) {
		*why = "one syllable per character is needed";
		return BB_ECONFIG;
	}
	if (user_add(lex, line, wl, reading) != BB_OK) {
		*why = "out of memory";
		return BB_ENOMEM;
	}
	if (nchars > lex->max_chars)
		lex->max_chars = nchars;
	return BB_OK;
}

int bb_lexicon_add_user(struct bb_lexicon *lex, const char *path, struct bb_error *err)
{
	/* every failure is the configuration's, 78, as a bad preset is: missing, a folder, a
	 * FIFO or a device (never waited on), too large */
	char *text = NULL;
	size_t len = 0;
	struct bb_error why_read = {0};
	if (bb_read_config(path, BB_MAX_LEXICON_BYTES, &text, &len, &why_read) != BB_OK)
		return bb_fail(err, why_read.code == BB_ENOMEM ? BB_ENOMEM : BB_ECONFIG,
			       "%s: user lexicon: %s", path, why_read.msg);
	int rc = BB_OK;
	long lineno = 1;
	/* the whole file is in memory: a line of any length is one line, never two */
	for (char *line = text, *next; rc == BB_OK && line < text + len; line = next, lineno++) {
		char *nl = memchr(line, '\n', (size_t)(text + len - line));
		next = nl ? nl + 1 : text + len;
		size_t n = (size_t)(next - line);
		const char *why = NULL;
		if (memchr(line, '\0', n))
			rc = BB_ECONFIG, why = "NUL byte (not a text file)";
		else if (bb_utf8_check(line, n) != n)
			rc = BB_ECONFIG, why = "not UTF-8";
		else {
			if (nl)
				*nl = '\0';
			rc = user_line(lex, line, &why);
		}
		if (rc != BB_OK)
			bb_fail(err, rc, "%s:%ld: %s", path, lineno, why);
	}
	free(text);
	return rc;
}
