/* Case adapters of the pronounce stage, included by run_cases.c. SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   pronounce:       "他在[银行]工作。" => "yin2 hang2": the readings of the bracketed characters;
 *                    without brackets, every unit: readings, pause marks, en(TEXT) for English
 *   pronounce_user:  the same with tests/data/user.lex added
 *   pronounce_alone: like pronounce, "*" after a reading no word settles (BB_UNIT_ALONE),
 *                    "*!" when that is a common polyphone's usual reading (BB_UNIT_POLY)
 *   pronounce_features: like pronounce_alone, then the context model's features of the
 *                    first bracketed character (for tests/train_polyphones.py)
 *   lexicon_file:    a user lexicon path => "ok N units" or the error message */
#include <stdlib.h>
#include <string.h>

static struct bb_lexicon *case_lex[2];

/* The built-in lexicon (user 0) or it plus tests/data/user.lex (user 1), opened once. */
static int case_lexicon(int user, struct bb_lexicon **lex, struct bb_error *err)
{
	if (!case_lex[user]) {
		int rc = bb_lexicon_open(&case_lex[user], NULL, err);
		if (rc == BB_OK && user)
			rc = bb_lexicon_add_user(case_lex[user], "tests/data/user.lex", err);
		if (rc != BB_OK) {
			bb_lexicon_close(case_lex[user]);
			case_lex[user] = NULL;
			return rc;
		}
	}
	*lex = case_lex[user];
	return BB_OK;
}

/* Renders the units covering bytes [from, to) of the sentence, or all of them. */
static int render_units(const struct bb_sentence *s, size_t from, size_t to, int all,
			int alone, struct bb_text *out)
{
	size_t pos = 0;
	int rc = BB_OK, first = 1;
	for (size_t i = 0; rc == BB_OK && i < s->nunits; i++) {
		const struct bb_unit *u = &s->units[i];
		const char *at = strstr(s->spoken + pos, u->text);
		size_t start = at ? (size_t)(at - s->spoken) : pos;
		pos = at ? start + strlen(u->text) : pos;
		if (!all && (start < from || start >= to || u->lang == BB_PUNCT))
			continue;
		if (!first)
			rc = bb_text_addc(out, " ", nowhere);
		first = 0;
		if (u->lang == BB_EN) {
			bb_text_addc(out, "en(", nowhere);
			bb_text_addc(out, u->reading, nowhere);
			rc = bb_text_addc(out, ")", nowhere);
		} else {
			rc = bb_text_addc(out, u->reading[0] ? u->reading : "?", nowhere);
			if (rc == BB_OK && alone && (u->flags & BB_UNIT_ALONE))
				rc = bb_text_addc(out, u->flags & BB_UNIT_POLY ? "*!" : "*", nowhere);
		}
	}
	return rc;
}

static int pronounce_features_case(int user, int alone, int features, const char *in, size_t n,
				   struct bb_text *out, struct bb_error *err)
{
	struct bb_lexicon *lex;
	int rc = case_lexicon(user, &lex, err);
	if (rc != BB_OK)
		return rc;
	struct bb_sentence s;
	memset(&s, 0, sizeof s);
	s.spoken = malloc(n + 1);
	if (!s.spoken)
		return BB_ENOMEM;
	size_t len = 0, from = 0, to = 0;
	int marked = 0;
	for (size_t i = 0; i < n; i++) {
		if (in[i] == '[')
			from = len, marked = 1;
		else if (in[i] == ']')
			to = len;
		else
			s.spoken[len++] = in[i];
	}
	s.spoken[len] = '\0';
	char feats[1024] = "";
	struct model_explain ex = {from, feats, sizeof feats};
	rc = bb_pronounce_features(&s, lex, features && marked ? &ex : NULL, err);
	if (rc == BB_OK)
		rc = render_units(&s, from, to, !marked, alone, out);
	if (rc == BB_OK && features)
		rc = bb_text_addc(out, feats, nowhere);
	free(s.units);
	free(s.spoken);
	return rc;
}

static int pronounce_case(int user, int alone, const char *in, size_t n, struct bb_text *out,
			  struct bb_error *err)
{
	return pronounce_features_case(user, alone, 0, in, n, out, err);
}

static int run_pronounce(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	return pronounce_case(0, 0, in, n, out, err);
}

/* The readings, "*" after those no word settles, "*!" when that is a common polyphone's
 * usual reading (for tests/train_polyphones.py). */
static int run_pronounce_alone(const char *in, size_t n, struct bb_text *out,
			       struct bb_error *err)
{
	return pronounce_case(0, 1, in, n, out, err);
}

static int run_pronounce_features(const char *in, size_t n, struct bb_text *out,
				  struct bb_error *err)
{
	return pronounce_features_case(0, 1, 1, in, n, out, err);
}

static int run_pronounce_user(const char *in, size_t n, struct bb_text *out,
			      struct bb_error *err)
{
	return pronounce_case(1, 0, in, n, out, err);
}

static int run_lexicon_file(const char *in, size_t n, struct bb_text *out, struct bb_error *err)
{
	struct bb_lexicon *lex;
	struct bb_error e = {0};
	char path[1024];
	snprintf(path, sizeof path, "%.*s", (int)n, in);
	int rc = bb_lexicon_open(&lex, NULL, err);
	if (rc != BB_OK)
		return rc;
	rc = bb_lexicon_add_user(lex, path, &e);
	bb_lexicon_close(lex);
	return bb_text_addc(out, rc == BB_OK ? "ok" : e.msg, nowhere);
}

#define PRONOUNCE_STAGES \
	{"pronounce", run_pronounce}, \
	{"pronounce_user", run_pronounce_user}, \
	{"pronounce_alone", run_pronounce_alone}, \
	{"pronounce_features", run_pronounce_features}, \
	{"lexicon_file", run_lexicon_file},
