/* Table-driven tests of the text stages: tests/cases/STAGE/NAME.txt, one `input => expected` a
 * line. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   run_cases FILE...        run case files; the stage is the name of the file's folder
 *   run_cases --stage STAGE  read lines from stdin, print the stage's output for each
 *
 * In inputs and expectations \n, \r, \t, \\ and \xHH stand for those bytes. An expectation
 * "ERR 65" means the stage must fail with that status. Prints `file:line` with input,
 * wanted and got for every failure, and ends with `N passed, N failed`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bobao.h"
#include "lexicon.h"

/* Each adapter runs one stage on input and writes a one-line rendering of its result. */
typedef int (*stage_fn)(const char *in, size_t n, struct bb_text *out, struct bb_error *err);

static const struct bb_span nowhere = {0, 0};

static int run_decode(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	struct bb_text t = {0};
	int rc = bb_decode(in, n, NULL, &t, NULL, err);
	if (rc == BB_OK)
		rc = bb_text_add(out, t.s, t.len, nowhere);
	bb_text_free(&t);
	return rc;
}

/* Blocks as "kind:text" joined by " | ". */
static int run_article(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	struct bb_text t = {0};
	struct bb_article art = {0};
	int rc = bb_text_add(&t, in, n, nowhere);
	if (rc == BB_OK)
		rc = bb_article_parse(&art, &t, "case", err);
	else
		bb_text_free(&t);
	for (size_t i = 0; rc == BB_OK && i < art.nblocks; i++) {
		if (i)
			bb_text_addc(out, " | ", nowhere);
		bb_text_addc(out, bb_kind_name(art.blocks[i].kind), nowhere);
		bb_text_addc(out, ":", nowhere);
		struct bb_text folded = {0};
		rc = bb_text_track(&folded);
		if (rc == BB_OK)
			rc = bb_block_text(&art, i, &folded);
		if (rc == BB_OK)
			rc = bb_text_addc(out, folded.s, nowhere);
		bb_text_free(&folded);
	}
	bb_article_free(&art);
	return rc;
}

static int normalize_line(const char *in, size_t n, struct bb_text *spoken, struct bb_error *err)
{
	struct bb_text t = {0};
	int rc = bb_text_track(&t);
	if (rc == BB_OK) {
		struct bb_span sp = {0, n};
		rc = bb_text_add(&t, in, n, sp);
	}
	if (rc == BB_OK)
		rc = bb_text_track(spoken);
	if (rc == BB_OK)
		rc = bb_normalize(&t, spoken, err);
	bb_text_free(&t);
	return rc;
}

static int run_normalize(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	struct bb_text spoken = {0};
	int rc = normalize_line(in, n, &spoken, err);
	if (rc == BB_OK)
		rc = bb_text_add(out, spoken.s, spoken.len, nowhere);
	bb_text_free(&spoken);
	return rc;
}

/* Sentences of one body block joined by " | ". */
static int run_split(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	struct bb_text t = {0};
	struct bb_sentence *list = NULL;
	size_t count = 0, cap = 0;
	int rc = bb_text_track(&t);
	for (size_t i = 0; rc == BB_OK && i < n; i++) {
		struct bb_span sp = {i, i + 1};
		rc = bb_text_add(&t, in + i, 1, sp);
	}
	if (rc == BB_OK)
		rc = bb_split(&t, BB_BODY, 1, &list, &count, &cap, err);
	for (size_t i = 0; rc == BB_OK && i < count; i++) {
		if (i)
			bb_text_addc(out, " | ", nowhere);
		rc = bb_text_addc(out, list[i].spoken, nowhere);
	}
	for (size_t i = 0; i < count; i++)
		free(list[i].spoken);
	free(list);
	bb_text_free(&t);
	return rc;
}

#include "pronounce_cases.h"

static const struct {
	const char *name;
	stage_fn fn;
} stages[] = {
	{"decode", run_decode},
	{"article", run_article},
	{"normalize", run_normalize},
	{"split", run_split},
	PRONOUNCE_STAGES
};

static stage_fn find_stage(const char *name)
{
	for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
		if (strcmp(stages[i].name, name) == 0)
			return stages[i].fn;
	return NULL;
}

/* Expands the escapes in s in place; returns the new length. */
static size_t unescape(char *s)
{
	char *o = s;
	for (const char *p = s; *p; p++) {
		if (*p != '\\' || !p[1]) {
			*o++ = *p;
			continue;
		}
		p++;
		if (*p == 'n')
			*o++ = '\n';
		else if (*p == 't')
			*o++ = '\t';
		else if (*p == 'r')
			*o++ = '\r';
		else if (*p == 'x' && p[1] && p[2]) {
			char hex[3] = {p[1], p[2], 0};
			*o++ = (char)strtol(hex, NULL, 16);
			p += 2;
		} else
			*o++ = *p;
	}
	*o = '\0';
	return (size_t)(o - s);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* The stage is the name of the folder holding the case file. */
static int stage_of(const char *path, char *name, size_t size)
{
	const char *end = strrchr(path, '/');
	if (!end)
		return 0;
	const char *start = end;
	while (start > path && start[-1] != '/')
		start--;
	size_t n = (size_t)(end - start);
	if (n == 0 || n >= size)
		return 0;
	memcpy(name, start, n);
	name[n] = '\0';
	return 1;
}

static void run_file(const char *path, int *passed, int *failed)
{
	char name[64];
	stage_fn fn = stage_of(path, name, sizeof name) ? find_stage(name) : NULL;
	FILE *f = fopen(path, "r");
	if (!fn || !f) {
		fprintf(stderr, "%s: %s\n", path, f ? "no stage of that name" : "cannot open");
		(*failed)++;
		if (f)
			fclose(f);
		return;
	}
	char line[8192];
	for (int lineno = 1; fgets(line, sizeof line, f); lineno++) {
		char *s = trim(line);
		char *arrow = strstr(s, " =>");
		while (arrow && arrow[3] && arrow[3] != ' ')
			arrow = strstr(arrow + 1, " =>");
		if (!*s || *s == '#')
			continue;
		if (!arrow) {
			fprintf(stderr, "%s:%d: no ' => ' in case line\n", path, lineno);
			(*failed)++;
			continue;
		}
		*arrow = '\0';
		char *input = trim(s), *want = trim(arrow + 3);
		char shown[8192];
		snprintf(shown, sizeof shown, "%s", input);
		size_t n = unescape(input);
		unescape(want);
		struct bb_text got = {0};
		struct bb_error err = {0};
		int rc = fn(input, n, &got, &err);
		char status[32];
		const char *result = got.s ? got.s : "";
		if (rc != BB_OK) {
			snprintf(status, sizeof status, "ERR %d", rc);
			result = status;
		}
		if (strcmp(result, want) == 0) {
			(*passed)++;
		} else {
			(*failed)++;
			fprintf(stderr, "%s:%d: %s\n  want: %s\n  got:  %s%s%s\n", path, lineno, shown,
				want, result, rc ? "  " : "", rc ? err.msg : "");
		}
		bb_text_free(&got);
	}
	fclose(f);
}

static int filter(const char *name)
{
	stage_fn fn = find_stage(name);
	if (!fn) {
		fprintf(stderr, "run_cases: no stage %s\n", name);
		return 64;
	}
	char line[8192];
	while (fgets(line, sizeof line, stdin)) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		struct bb_text got = {0};
		struct bb_error err = {0};
		int rc = fn(line, n, &got, &err);
		if (rc == BB_OK)
			printf("%s\n", got.s ? got.s : "");
		else
			printf("ERR %d %s\n", rc, err.msg);
		bb_text_free(&got);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--stage") == 0)
		return filter(argv[2]);
	int passed = 0, failed = 0;
	for (int i = 1; i < argc; i++)
		run_file(argv[i], &passed, &failed);
	printf("cases: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
