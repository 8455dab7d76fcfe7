/* bobao: the command line, a thin driver over the pipeline library. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bobao.h"
#include "outputs.h"
#include "tempfile.h"

static const char usage_text[] =
	"usage: bobao speak [OPTIONS] ARTICLE [-o OUT]   one article to one audio file\n"
	"       bobao text  [OPTIONS] [ARTICLE|-]        the spoken text, a sentence a line\n"
	"       bobao proof [--format text|tsv|html] [OPTIONS] [ARTICLE|-]\n"
	"                                                how each sentence will be read\n"
	"       bobao batch [OPTIONS] IN_DIR OUT_DIR     many articles: parallel, incremental\n"
	"       bobao bulletin [OPTIONS] RUNDOWN [-o OUT]  one programme from several articles\n"
	"       bobao feed OUT_DIR --base-url URL --title T  a podcast feed (RSS) of OUT_DIR\n"
	"       bobao voices                             the voice presets and their keys\n"
	"options:\n"
	"  --voice NAME|FILE   voice preset (default: news)\n"
	"  --encoding NAME     input encoding (default: detect UTF-8/UTF-16/GB18030/Big5)\n"
	"  --lenient           drop invalid UTF-8 (with a warning) instead of refusing the file\n"
	"  --max-size BYTES    refuse larger articles (K, M, G suffixes; default: 16M)\n"
	"  --lexicon FILE      user lexicon (word TAB pinyin), wins over the built-in one\n"
	"  --keep-captions     also speak photo captions\n"
	"  -o OUT              speak: output file or folder (default: ARTICLE's name .wav);\n"
	"                      text, proof: output file (default: standard output)\n"
	"  --format FMT        speak: {audio}; proof: text|tsv|html\n"
	"                      (default: from -o's extension; one naming another is refused)\n"
	"  --rate PERCENT      speak: the preset's speaking rate scaled, 50 to 200 (%)\n"
	"  --json --vtt --srt  speak: write a manifest and subtitles next to the audio\n"
	"  --html              speak: a listening page beside the audio (synchronized transcript)\n"
	"  --epub              speak: an EPUB 3 with Media Overlays (text read aloud, MP3)\n"
	"  --chapters AT       speak: chapters (and WAV cues) at each heading (default; no\n"
	"                      headings: each paragraph), paragraph or sentence\n"
	"  -q                  no progress\n"
	"  --help, --version\n";

static const char *const proof_formats[] = {"text", "tsv", "html", NULL};

struct cli {
	const char *command, *input, *output, *voice, *lexicon, *format;
	struct bb_read_opts read;
	int keep_captions, quiet, json, vtt, srt, rate_percent;
	int html, epub;
	int chapters; /* enum bb_chapters; -1: not given */
};

/* The one place that prints errors: `bobao: FILE: what is wrong` (the file once, also when
 * the library's message starts with it). */
static int report(const char *file, int code, const struct bb_error *err)
{
	const char *msg = err->msg[0] ? err->msg : bb_status_name(code);
	char name[4 * 4096 + 1]; /* the file as the message has it: escaped (bb_fail) */
	if (file)
		bb_escape(file, name, sizeof name);
	size_t n = file ? strlen(name) : 0;
	if (file && strncmp(msg, name, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ')
		file = NULL;
	if (file)
		fprintf(stderr, "bobao: %s: %s\n", name, msg);
	else
		fprintf(stderr, "bobao: %s\n", msg);
	return code;
}

/* A usage error is one line too; --help has the rest. */
static int usage_error(const char *what)
{
	fprintf(stderr, "bobao: %s (see bobao --help)\n", what);
	return BB_EUSAGE;
}

/* The option getopt refused: -optopt for a short one, else argv[optind - 1] up to any '='
 * (getopt_long sets optopt to 0 for an unknown long option, to its code past 255 for a long
 * option without its argument). */
static int option_error(char **argv, int missing_argument)
{
	char what[256], name[128];
	const char *arg = argv[optind - 1];
	if (optopt > 0 && optopt < 256)
		snprintf(name, sizeof name, "-%c", optopt);
	else
		snprintf(name, sizeof name, "%.*s", (int)strcspn(arg, "="), arg);
	snprintf(what, sizeof what, missing_argument ? "option '%s' needs an argument"
		 : "unknown option '%s'", name);
	return usage_error(what);
}

static void show_progress(size_t done, size_t total, double audio_s, void *ctx)
{
	fprintf(stderr, "\rbobao: %s: %zu/%zu sentences, %.1f min of audio%s", (const char *)ctx,
		done, total, audio_s / 60, done == total ? "\n" : "");
}

static int cmd_voices(void)
{
	const char *names[] = {"news", "slow", "podcast"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct bb_voice v;
		struct bb_error err = {0};
		if (bb_voice_load(&v, names[i], &err) != BB_OK)
			continue;
		printf("%-8s %s: rate %d, pitch %d, pauses %d/%d/%d/%d ms, %d Hz, %.0f LUFS (%s)\n",
		       v.name, v.espeak_voice, v.rate, v.pitch, v.pause_sentence_ms,
		       v.pause_paragraph_ms, v.pause_heading_ms, v.pause_title_ms, v.sample_rate,
		       v.loudness_lufs, v.path);
	}
	printf("\nkeys of a preset (voices/*.ini; copy one and pass --voice FILE):\n");
	for (size_t i = 0; bb_voice_key_name(i); i++)
		printf("  %-20s %s\n", bb_voice_key_name(i), bb_voice_key_help(i));
	return 0;
}

/* Writes the spoken text: one sentence a line, a blank line between paragraphs. */
static int write_text(FILE *f, const struct bb_script *sc)
{
	for (size_t i = 0; i < sc->n; i++) {
		if (i && sc->sentences[i].paragraph != sc->sentences[i - 1].paragraph)
			putc('\n', f);
		fputs(sc->sentences[i].spoken, f);
		putc('\n', f);
	}
	return 0;
}

/* Default output: the article's base name with the format's extension, here. */
static void default_output(const char *input, const char *format, char *out, size_t size)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	size_t n = strcspn(base, ".");
	if (strcmp(input, "-") == 0 || n == 0)
		base = "bobao", n = 5;
	snprintf(out, size, "%.*s.%s", (int)n, base, format ? format : "wav");
}

/* The format an extension names, among names[] (NULL-terminated; "htm" counts as "html",
 * "txt" as "text"): NULL when path has no extension or one that names none of them. */
static const char *format_of_ext(const char *path, const char *const *names)
{
	const char *slash = strrchr(path, '/'), *dot = strrchr(path, '.');
	if (!dot || (slash && dot < slash) || dot == (slash ? slash + 1 : path))
		return NULL;
	const char *ext = dot + 1;
	if (!strcasecmp(ext, "htm"))
		ext = "html";
	else if (!strcasecmp(ext, "txt"))
		ext = "text";
	for (; *names; names++)
		if (!strcasecmp(ext, *names))
			return *names;
	return NULL;
}

/* The audio formats --format offers (outputs.h), NULL-terminated. */
static const char *const *audio_formats(void)
{
	static const char *names[16];
	const struct bb_output_type *t;
	size_t n = 0;
	for (size_t i = 0; (t = bb_output_at(i)) != NULL && n + 1 < sizeof names / sizeof names[0]; i++)
		if (t->kind == BB_OUT_AUDIO && (t->flags & BB_OUT_OFFERED))
			names[n++] = t->name;
	names[n] = NULL;
	return names;
}

/* -o and --format together: the format -o's extension names, if any, must be --format. */
static int check_format(const struct cli *c, const char *const *names)
{
	const char *ext = c->output ? format_of_ext(c->output, names) : NULL;
	char what[300];
	if (ext && c->format && strcasecmp(ext, c->format) != 0) {
		snprintf(what, sizeof what, "--format %.40s contradicts -o %.200s (its extension "
			 "says %s)", c->format, c->output, ext);
		return usage_error(what);
	}
	return BB_OK;
}

/* text and proof with -o FILE: written under a temporary beside FILE (bb_temp_create),
 * renamed into place by close_output; a FILE that is there and not a regular file (a device,
 * a FIFO: /dev/stdout) is written directly, never replaced (*tmp stays NULL). NULL with err
 * set when it cannot be created. */
static FILE *open_output(const char *path, char **tmp, struct bb_error *err)
{
	struct stat st;
	*tmp = NULL;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		bb_fail(err, BB_EUSAGE, "a folder: -o names a file for text and proof");
		return NULL;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		FILE *f = fopen(path, "w");
		if (!f)
			bb_fail(err, BB_ECANTCREAT, "cannot open: %s", strerror(errno));
		return f;
	}
	char *t;
	int fd = bb_temp_create(path, &t);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		bb_fail(err, BB_ECANTCREAT, "cannot create: %s", strerror(errno));
		if (fd >= 0) {
			close(fd);
			bb_temp_unlink(t);
			free(t);
		}
		return NULL;
	}
	*tmp = t;
	return f;
}

/* Closes f; on success (rc BB_OK) renames tmp to path, else removes it. Returns rc, or
 * BB_EIO / BB_ECANTCREAT when closing or renaming fails. */
static int close_output(FILE *f, char *tmp, const char *path, int rc, struct bb_error *err)
{
	if (!f)
		return rc;
	int e = 0;
	if ((fflush(f) != 0 || ferror(f) || (tmp && fsync(fileno(f)) != 0)) && rc == BB_OK)
		e = errno, rc = bb_fail(err, BB_EIO, "cannot write: %s", strerror(e ? e : EIO));
	if (fclose(f) != 0 && rc == BB_OK)
		rc = bb_fail(err, BB_EIO, "cannot write: %s", strerror(errno));
	if (rc == BB_OK && tmp && bb_temp_rename(tmp, path) != 0)
		rc = bb_fail(err, BB_ECANTCREAT, "cannot rename into place: %s", strerror(errno));
	if (rc != BB_OK && tmp)
		bb_temp_unlink(tmp);
	free(tmp);
	return rc;
}

static int run_article(const struct cli *c)
{
	struct bb_error err = {0};
	struct bb_voice voice;
	struct bb_article art = {0};
	struct bb_script sc = {0};
	struct bb_lexicon *lex = NULL;
	struct bb_synth *sy = NULL;
	const char *input = c->input ? c->input : "-";
	char path[4096];
	int rc = bb_voice_load(&voice, c->voice ? c->voice : "news", &err);
	if (rc == BB_OK && c->rate_percent)
		rc = bb_voice_scale_rate(&voice, c->rate_percent, &err);
	if (rc != BB_OK)
		return report(NULL, rc, &err);
	int speak = strcmp(c->command, "speak") == 0, proof = strcmp(c->command, "proof") == 0;
	/* text reads no pinyin, but its user lexicons are checked as speak and proof check them */
	if (speak || proof || voice.lexicon[0] || c->lexicon) {
		rc = bb_lexicon_open(&lex, NULL, &err);
		if (rc == BB_OK && voice.lexicon[0])
			rc = bb_lexicon_add_user(lex, voice.lexicon, &err);
		if (rc == BB_OK && c->lexicon)
			rc = bb_lexicon_add_user(lex, c->lexicon, &err);
		if (rc != BB_OK) {
			bb_lexicon_close(lex);
			return report(NULL, rc, &err);
		}
	}
	/* text and proof: -o FILE, checked before the article is read, as speak's output is */
	FILE *to = stdout;
	char *tmp = NULL;
	if (!speak && c->output && !(to = open_output(c->output, &tmp, &err))) {
		bb_lexicon_close(lex);
		return report(c->output, err.code, &err);
	}
	struct bb_read_info info;
	rc = bb_article_read(&art, input, &c->read, &info, &err);
	char warning[128];
	if (rc == BB_OK && bb_read_warning(&info, warning, sizeof warning)) {
		struct bb_error w = {0};
		bb_fail(&w, 0, "%s: warning: %s", input, warning);
		fprintf(stderr, "bobao: %s\n", w.msg);
	}
	if (rc == BB_OK)
		rc = bb_script_build(&sc, &art, speak || proof ? lex : NULL,
				     (c->keep_captions ? BB_KEEP_CAPTIONS : 0) |
				     (speak || proof ? BB_PRONOUNCE_LATER : 0), &err);
	if (rc == BB_OK && proof) {
		const char *fmt = c->format ? c->format
				  : c->output ? format_of_ext(c->output, proof_formats) : NULL;
		rc = bb_proof_write(to, &sc, fmt ? fmt : "text", &err);
	} else if (rc == BB_OK && speak) {
		struct stat st;
		if (c->output && stat(c->output, &st) == 0 && S_ISDIR(st.st_mode)) {
			/* -o FOLDER: the default name, in that folder */
			char name[1024];
			default_output(input, c->format, name, sizeof name);
			snprintf(path, sizeof path, "%s/%s", c->output, name);
		} else if (c->output) {
			snprintf(path, sizeof path, "%s", c->output);
		} else {
			default_output(input, c->format, path, sizeof path);
		}
		struct bb_output out = {.path = path, .format = c->format, .json = c->json, .vtt = c->vtt,
					.srt = c->srt, .html = c->html, .epub = c->epub};
		out.chapters = c->chapters < 0 ? BB_CHAPTERS_HEADING : c->chapters;
		rc = bb_synth_open(&sy, &voice, &err);
		if (rc == BB_OK) {
			int progress = !c->quiet && isatty(2);
			rc = bb_speak(&sc, &voice, sy, &out, progress ? show_progress : NULL,
				      (void *)input, &err);
		}
		if (rc != BB_OK && (rc == BB_ECANTCREAT || rc == BB_EIO))
			input = path; /* the message is about the output file */
	} else if (rc == BB_OK) {
		write_text(to, &sc);
	}
	if (to != stdout) {
		int before = rc;
		rc = close_output(to, tmp, c->output, rc, &err);
		if (before == BB_OK && rc != BB_OK)
			input = c->output; /* the message is about the output file */
	} else if (rc == BB_OK && (fflush(stdout) != 0 || ferror(stdout))) {
		rc = bb_fail(&err, BB_EIO, "cannot write to standard output");
	}
	if (rc != BB_OK)
		report(input, rc, &err);
	bb_synth_close(sy);
	bb_script_free(&sc);
	bb_article_free(&art);
	bb_lexicon_close(lex);
	return rc;
}

int main(int argc, char **argv)
{
	enum { OPT_VOICE = 256, OPT_ENCODING, OPT_LEXICON, OPT_KEEP, OPT_FORMAT, OPT_JSON, OPT_VTT,
	       OPT_SRT, OPT_HELP, OPT_VERSION, OPT_MAX_SIZE, OPT_LENIENT, OPT_RATE, OPT_HTML,
	       OPT_EPUB, OPT_CHAPTERS };
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
		{"rate", required_argument, 0, OPT_RATE},
		{"html", no_argument, 0, OPT_HTML},
		{"epub", no_argument, 0, OPT_EPUB},
		{"chapters", required_argument, 0, OPT_CHAPTERS},
		{"help", no_argument, 0, OPT_HELP},
		{"version", no_argument, 0, OPT_VERSION},
		{0, 0, 0, 0},
	};
	if (argc >= 2 && strcmp(argv[1], "batch") == 0)
		return bb_batch_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "bulletin") == 0)
		return bb_bulletin_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "feed") == 0)
		return bb_feed_main(argc - 1, argv + 1);
	struct cli c = {.chapters = -1};
	int opt;
	opterr = 0; /* our own one-line messages */
	while ((opt = getopt_long(argc, argv, ":o:q", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': c.output = optarg; break;
		case 'q': c.quiet = 1; break;
		case OPT_VOICE: c.voice = optarg; break;
		case OPT_ENCODING: c.read.encoding = optarg; break;
		case OPT_LENIENT: c.read.lenient = 1; break;
		case OPT_MAX_SIZE:
			if (bb_parse_size(optarg, &c.read.max_bytes) != 0)
				return usage_error("--max-size needs a size in bytes, like 16M");
			break;
		case OPT_LEXICON: c.lexicon = optarg; break;
		case OPT_KEEP: c.keep_captions = 1; break;
		case OPT_FORMAT: c.format = optarg; break;
		case OPT_JSON: c.json = 1; break;
		case OPT_VTT: c.vtt = 1; break;
		case OPT_SRT: c.srt = 1; break;
		case OPT_RATE:
			if ((c.rate_percent = bb_parse_percent(optarg)) < 0)
				return usage_error("--rate needs a percentage from 50 to 200, like 80");
			break;
		case OPT_HTML: c.html = 1; break;
		case OPT_EPUB: c.epub = 1; break;
		case OPT_CHAPTERS:
			if ((c.chapters = bb_parse_chapters(optarg)) < 0)
				return usage_error("--chapters takes heading, paragraph or sentence");
			break;
		case OPT_HELP: bb_output_usage(stdout, usage_text); return 0;
		case OPT_VERSION: printf("bobao %s\n", BOBAO_VERSION); return 0;
		case ':': return option_error(argv, 1);
		default: return option_error(argv, 0);
		}
	}
	if (optind >= argc)
		return usage_error("no command");
	c.command = argv[optind++];
	if (strcmp(c.command, "voices") == 0)
		return optind == argc ? cmd_voices() : usage_error("voices takes no argument");
	if (strcmp(c.command, "speak") && strcmp(c.command, "text") && strcmp(c.command, "proof"))
		return usage_error("unknown command (speak, text, proof, batch, bulletin, feed or voices)");
	if (argc - optind > 1)
		return usage_error("one article at a time (use bobao batch for many)");
	c.input = optind < argc ? argv[optind] : NULL;
	int speak = strcmp(c.command, "speak") == 0;
	if (speak && !c.input)
		return usage_error("speak needs an ARTICLE");
	if (!speak && (c.json || c.vtt || c.srt))
		return usage_error("--json, --vtt and --srt are for speak");
	if (!speak && c.rate_percent)
		return usage_error("--rate is for speak (and batch)");
	if (!speak && c.chapters >= 0)
		return usage_error("--chapters is for speak (and batch)");
	if (strcmp(c.command, "text") == 0 && c.format)
		return usage_error("text has no --format (it writes the spoken text)");
	int rc = check_format(&c, speak ? audio_formats() : proof_formats);
	if (rc != BB_OK)
		return rc;
	/* speak's outputs are checked by the library (never the article, never a device: 73);
	 * text and proof write here, so the same rule is kept here */
	struct stat in_st, out_st;
	if (!speak && c.output && c.input && stat(c.input, &in_st) == 0 &&
	    stat(c.output, &out_st) == 0 && in_st.st_dev == out_st.st_dev &&
	    in_st.st_ino == out_st.st_ino) {
		struct bb_error err = {0};
		bb_fail(&err, BB_ECANTCREAT, "is the article being read: not overwritten");
		return report(c.output, BB_ECANTCREAT, &err);
	}
	/* a full disk or a file size limit is a write error we report, not a silent death */
	signal(SIGXFSZ, SIG_IGN);
	bb_temp_install_signal_cleanup();
	return run_article(&c);
}
