/* batch: many articles: worker processes, stamps, sentence cache, lock, progress, shards, watch. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The parent never starts eSpeak: it scans IN_DIR, skips articles whose stamp (input hash,
 * settings hash, version) matches and whose outputs stand, and only when there is work it
 * loads the lexicon (shared with the workers by fork) and forks up to -j workers, each of
 * which opens eSpeak once and converts the articles it is sent over its pipe. Uses jansson
 * for the --log lines.
 *
 * This file is the CLI of batch: its options and the whole run. The rooms sharing batch.h:
 * batch_paths.c (small helpers), batch_stamps.c (up to date, stamps, clashes, --prune),
 * batch_scan.c (scanning, lock), batch_workers.c (the workers, log, progress) and
 * batch_watch.c (watch mode).
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "outputs.h"

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

const char *const batch_state_name[] = {"up-to-date", "new", "input", "settings", "outputs",
					"unreadable", "failed"};

const int batch_stop_signals[3] = {SIGINT, SIGTERM, SIGHUP};
int batch_stop_ignored[3];

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

/* Scans, skips what is up to date, queues the rest (largest first, for an even finish). */
static int plan(struct batch *b, struct watch *wa)
{
	struct names files = {0};
	if (batch_scan(b, "", &files, NULL) != 0) {
		fprintf(stderr, "bobao: %s: cannot read the folder: %s\n", b->o.in_dir,
			strerror(errno));
		return BB_ENOINPUT;
	}
	qsort(files.v, files.n, sizeof *files.v, batch_by_name);
	b->scanned = files.n;
	int rc = BB_OK;
	unsigned char *clash = calloc(files.n + 1, 1);
	if (!clash || batch_find_clashes(b, &files, clash, NULL) != 0)
		rc = BB_ENOMEM;
	for (size_t i = 0; i < files.n; i++) {
		double audio = 0;
		uint64_t size;
		char hex[33] = "";
		if (rc == BB_OK && batch_in_shard(b, files.v[i]) && clash[i]) {
			b->failed++;
			b->worst = batch_worse(b->worst, BB_ECANTCREAT);
			batch_log_line(b, files.v[i], "failed", STALE_NEW, BB_ECANTCREAT, 0, 0,
				 "its output is also another article's: neither is converted");
		} else if (rc == BB_OK && batch_in_shard(b, files.v[i])) {
			enum article_state state = batch_article_state(b, files.v[i], &audio, &size, hex);
			if (state == UP_TO_DATE || state == FAILED_BEFORE) {
				b->skipped += state == UP_TO_DATE;
				b->failed_before += state == FAILED_BEFORE;
				b->audio_skipped += audio;
				if (b->o.log_skipped)
					batch_log_line(b, files.v[i], "skipped", state, 0, 0, audio, NULL);
			} else if (b->o.dry_run) {
				printf("%s\t%s\n", batch_state_name[state], files.v[i]);
				b->stale[state]++;
			} else if (wa && batch_being_written_rel(b, files.v[i])) {
				/* still being written when the watch starts: once it is closed */
				batch_watch_touch(wa, files.v[i], 0, batch_now_s());
			} else {
				rc = batch_enqueue(b, files.v[i], size, state, hex);
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
	batch_clear_progress(b);
	b->last_progress = 0;
	if (b->o.quiet)
		return;
	double wall = batch_now_s() - b->t0;
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
	int out_stands = (b->o.dry_run || batch_mkdir_all(b->o.out_dir) == 0) &&
			 stat(b->o.out_dir, &st) == 0;
	if (!out_stands && !b->o.dry_run) {
		fprintf(stderr, "bobao: %s: cannot create: %s\n", b->o.out_dir, strerror(errno));
		return BB_ECANTCREAT;
	}
	if (out_stands) {
		b->out_dev = st.st_dev;
		b->out_ino = st.st_ino;
	}
	if ((!b->o.dry_run && (rc = batch_lock_out(b, lock_fds, &err)) != BB_OK) ||
	    (rc = bb_voice_load(&b->voice, b->o.voice, &err)) != BB_OK ||
	    (b->o.rate_percent &&
	     (rc = bb_voice_scale_rate(&b->voice, b->o.rate_percent, &err)) != BB_OK)) {
		fprintf(stderr, "bobao: %s\n", err.msg[0] ? err.msg : bb_status_name(rc));
		return rc;
	}
	batch_settings_hash(b);
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
	else if (batch_join(cache, sizeof cache, b->o.out_dir, CACHE_DIR) == 0 &&
		 lstat(cache, &st) == 0 && S_ISLNK(st.st_mode)) {
		fprintf(stderr, "bobao: %s: a symbolic link, not followed\n", cache);
		return BB_ECANTCREAT;
	}
	if ((cache[0] != '/' && !getcwd(cwd, sizeof cwd)) ||
	    batch_join(b->cache_dir, sizeof b->cache_dir, cwd, cache) != 0) {
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
			fprintf(stderr, "%s%s %zu", sep, batch_state_name[k], b->stale[k]);
			sep = ", ";
		}
	fprintf(stderr, "%s, %zu up to date", n ? ")" : "", b->skipped);
	if (b->failed_before)
		fprintf(stderr, ", %zu failed before", b->failed_before);
	if (b->pruned)
		fprintf(stderr, ", %zu to prune", b->pruned);
	fputs("; nothing changed\n", stderr);
}

int bb_batch_main(int argc, char **argv)
{
	static struct batch b; /* large (the worker table); one per process */
	memset(&b, 0, sizeof b);
	int rc = parse_options(&b.o, argc, argv);
	if (rc != BB_OK)
		return rc < 0 ? 0 : rc;
	b.t0 = batch_now_s();
	b.one_thread = !b.o.watch && b.o.jobs >= default_jobs();
	b.show_progress = !b.o.quiet && !b.o.watch && isatty(2);
	signal(SIGPIPE, SIG_IGN);
	for (size_t k = 0; k < sizeof batch_stop_signals / sizeof batch_stop_signals[0]; k++) {
		struct sigaction old;
		batch_stop_ignored[k] = sigaction(batch_stop_signals[k], NULL, &old) == 0 &&
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
			batch_watch_tree(&b, &wa, "", 0);
		}
	}
	if (rc == BB_OK)
		rc = plan(&b, b.o.watch ? &wa : NULL);
	if (rc == BB_OK && b.o.prune)
		batch_prune(&b);
	if (rc == BB_OK && b.o.dry_run) {
		dry_run_summary(&b);
	} else if (rc == BB_OK) {
		qsort(b.queue + b.qhead, b.qn - b.qhead, sizeof *b.queue, by_size_desc);
		for (;;) {
			batch_dispatch(&b, wa.fd);
			int more = b.qhead < b.qn && !b.stop_dispatch;
			if (more && b.nw == 0) {
				fprintf(stderr, "bobao: cannot start a worker process: %s\n",
					strerror(errno));
				b.worst = batch_worse(b.worst, BB_ESOFTWARE);
				b.stop_dispatch = 1;
				more = 0;
			}
			if (!more && !batch_busy(&b) && (b.o.watch || b.nw == 0))
				break;
			batch_pump(&b, -1, 200);
			batch_show_progress(&b, 0);
		}
		if (b.o.watch && !b.stop_dispatch) {
			summary(&b);
			batch_watch_loop(&b, &wa);
		}
		for (size_t i = 0; i < b.nw; i++)
			if (b.w[i].task_fd >= 0) {
				close(b.w[i].task_fd);
				b.w[i].task_fd = -1;
			}
		while (b.nw)
			batch_pump(&b, -1, 1000);
		for (size_t i = b.qhead; i < b.qn; i++) { /* never started: the workers could not */
			struct job *j = &b.queue[i];
			b.failed++;
			batch_log_line(&b, j->rel, "failed", j->why, b.worst, 0, 0, "not converted: see above");
		}
		if (b.converted && !b.o.no_cache)
			bb_cache_trim(b.cache_dir, (uint64_t)b.o.cache_mb << 20);
		summary(&b);
		rc = b.worst;
	}
	for (size_t i = b.qhead; i < b.qn; i++) /* the others went to workers, who freed them */
		free(b.queue[i].rel);
	free(b.queue);
	batch_watch_free(&wa);
	bb_lexicon_close(b.lex);
	if (b.log && fclose(b.log) != 0 && !b.log_failed) {
		fprintf(stderr, "bobao: %s: cannot write the log: %s\n", b.o.log, strerror(errno));
		rc = batch_worse(rc, BB_EIO);
	}
	for (int k = 0; k < 2; k++)
		if (lock_fds[k] >= 0)
			close(lock_fds[k]);
	return rc;
}
