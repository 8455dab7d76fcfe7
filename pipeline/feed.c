/* feed: a podcast feed (RSS 2.0 with the iTunes and Podcasting 2.0 namespaces) over a batch's outputs. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every audio file under OUT_DIR with its manifest (BASE.json) beside it is an episode:
 * title and duration from the manifest, an enclosure with the file's length and type, the
 * subtitles as podcast:transcript, and podcast:chapters pointing at BASE.chapters.json
 * (JSON chapters 1.2), which is written from the manifest when it is missing or older (a
 * bulletin writes its own). Newest first, by the audio file's time. Names starting with a
 * dot are skipped, and symbolic links are not followed.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "bobao.h"
#include "sidecar.h"
#include "tempfile.h"

static const char usage_text[] =
	"usage: bobao feed OUT_DIR --base-url URL --title TITLE [OPTIONS] > feed.xml\n"
	"  an RSS 2.0 podcast feed (iTunes and Podcasting 2.0 tags) of the audio files under\n"
	"  OUT_DIR that have a manifest (.json) beside them, newest first; OUT_DIR is published\n"
	"  at URL. Writes BASE.chapters.json (JSON chapters 1.2) beside each where missing.\n"
	"  --base-url URL       where OUT_DIR is served (enclosure, transcript, chapter URLs)\n"
	"  --title TITLE        the podcast's title\n"
	"  --description TEXT   (default: the title)\n"
	"  --link URL           the podcast's web page (default: the base URL)\n"
	"  --language CODE      (default: zh-cn)\n"
	"  --author NAME        (default: bobao)\n"
	"  --image URL          the podcast's artwork\n"
	"  --category NAME      iTunes category (default: News)\n"
	"  -o FILE              write the feed to FILE (through a temporary) instead of stdout\n"
	"exit: 0 ok, 64 usage, 65 some episode's manifest is unreadable (left out, the feed is\n"
	"      written), 66 OUT_DIR missing, 73/74 cannot write\n";

static const struct media {
	const char *ext, *type;
} media[] = {
	{"wav", "audio/wav"}, {"flac", "audio/flac"}, {"ogg", "audio/ogg"},
	{"oga", "audio/ogg"}, {"opus", "audio/ogg"}, {"mp3", "audio/mpeg"},
};

struct episode {
	char *rel;          /* path under OUT_DIR of the audio */
	const char *type;
	uint64_t bytes;
	struct timespec mtime;
	struct bb_manifest m;
	int vtt, srt, chapters; /* which files stand beside it */
};

struct feed {
	const char *dir, *base, *title, *description, *link, *language, *author, *image,
		*category, *output;
	struct episode *ep;
	size_t n, cap;
	int status;
};

static int say(int code, const char *what, const char *detail)
{
	fprintf(stderr, "bobao: %s: %s\n", what, detail);
	return code;
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s%s%s", a, *a && *b ? "/" : "", b);
	return p;
}

/* path's stem (without the extension) with suffix. */
static char *with_suffix(const char *path, const char *suffix)
{
	const char *dot = strrchr(path, '.');
	size_t stem = dot ? (size_t)(dot - path) : strlen(path), n = stem + strlen(suffix) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%.*s%s", (int)stem, path, suffix);
	return p;
}

static int exists(const char *path, struct stat *st)
{
	struct stat tmp;
	if (!st)
		st = &tmp;
	return lstat(path, st) == 0 && S_ISREG(st->st_mode);
}

static int newer(struct timespec a, struct timespec b)
{
	return a.tv_sec != b.tv_sec ? a.tv_sec > b.tv_sec : a.tv_nsec > b.tv_nsec;
}

struct chapters_ctx {
	const struct bb_manifest *m;
	struct bb_error err;
};

static int fill_chapters(FILE *f, void *ctx)
{
	struct chapters_ctx *c = ctx;
	return bb_sidecar_chapters(f, c->m->title, c->m->chapters, c->m->nchapters, &c->err);
}

/* Makes the episode of audio file rel (under fd->dir), when its manifest stands beside it. */
static int add_episode(struct feed *fd, const char *rel, const struct stat *st,
		       const struct media *md)
{
	char *path = join(fd->dir, rel), *manifest = path ? with_suffix(path, ".json") : NULL;
	char *vtt = path ? with_suffix(path, ".vtt") : NULL, *srt = path ? with_suffix(path, ".srt") : NULL;
	char *chap = path ? with_suffix(path, ".chapters.json") : NULL;
	struct episode e = {.type = md->type, .bytes = (uint64_t)st->st_size, .mtime = st->st_mtim};
	struct stat ms, cs;
	int rc = BB_OK;
	if (!path || !manifest || !vtt || !srt || !chap || !(e.rel = malloc(strlen(rel) + 1))) {
		rc = say(BB_ENOMEM, fd->dir, "out of memory");
		goto done;
	}
	strcpy(e.rel, rel);
	if (!exists(manifest, &ms))
		goto done; /* not one of bobao's: no manifest */
	struct bb_error err = {0};
	if (bb_manifest_read(manifest, &e.m, &err) != BB_OK) {
		say(0, err.msg, "left out of the feed");
		fd->status = BB_EDATA;
		goto done;
	}
	e.vtt = exists(vtt, NULL);
	e.srt = exists(srt, NULL);
	e.chapters = exists(chap, &cs) && !newer(ms.st_mtim, cs.st_mtim);
	if (!e.chapters) {
		struct chapters_ctx c = {&e.m, {0}};
		if (bb_temp_write(chap, fill_chapters, &c) == 0)
			e.chapters = 1;
		else
			say(0, chap, c.err.msg[0] ? c.err.msg : strerror(errno));
	}
	if (fd->n == fd->cap) {
		size_t cap = fd->cap ? 2 * fd->cap : 64;
		struct episode *p = realloc(fd->ep, cap * sizeof *p);
		if (!p) {
			rc = say(BB_ENOMEM, fd->dir, "out of memory");
			goto done;
		}
		fd->ep = p, fd->cap = cap;
	}
	fd->ep[fd->n++] = e;
	memset(&e, 0, sizeof e);
done:
	bb_manifest_free(&e.m);
	free(e.rel);
	free(path);
	free(manifest);
	free(vtt);
	free(srt);
	free(chap);
	return rc;
}

/* Walks dir/rel without following links. */
static int scan(struct feed *fd, const char *rel)
{
	char *path = join(fd->dir, rel);
	DIR *d = path ? opendir(path) : NULL;
	if (!d) {
		int rc = path ? say(*rel ? BB_EIO : BB_ENOINPUT, path, strerror(errno))
			      : say(BB_ENOMEM, fd->dir, "out of memory");
		free(path);
		return rc;
	}
	int rc = BB_OK;
	struct dirent *de;
	while (rc == BB_OK && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char *sub = join(rel, de->d_name), *full = sub ? join(fd->dir, sub) : NULL;
		struct stat st;
		if (!sub || !full) {
			rc = say(BB_ENOMEM, fd->dir, "out of memory");
		} else if (lstat(full, &st) != 0) {
			/* gone since readdir */
		} else if (S_ISDIR(st.st_mode)) {
			rc = scan(fd, sub);
		} else if (S_ISREG(st.st_mode)) {
			const char *dot = strrchr(de->d_name, '.');
			for (size_t i = 0; dot && i < sizeof media / sizeof media[0]; i++)
				if (!strcasecmp(dot + 1, media[i].ext))
					rc = add_episode(fd, sub, &st, &media[i]);
		}
		free(sub);
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

static int newest_first(const void *a, const void *b)
{
	const struct episode *x = a, *y = b;
	if (newer(x->mtime, y->mtime))
		return -1;
	if (newer(y->mtime, x->mtime))
		return 1;
	return strcmp(x->rel, y->rel);
}

/* ---- XML ------------------------------------------------------------------------------- */

static void element(FILE *f, const char *indent, const char *name, const char *text)
{
	fprintf(f, "%s<%s>", indent, name);
	bb_xml_escape(f, text);
	fprintf(f, "</%s>\n", name);
}

/* base/rel (rel's stem with suffix, when suffix is not NULL), rel's bytes percent-encoded
 * (slashes kept), XML-escaped. */
static void url(FILE *f, const char *base, const char *rel, const char *suffix)
{
	bb_xml_escape(f, base);
	fputc('/', f);
	char *p = suffix ? with_suffix(rel, suffix) : NULL;
	for (const unsigned char *s = (const unsigned char *)(p ? p : rel); *s; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		    strchr("-._~/", *s))
			fputc(*s, f);
		else
			fprintf(f, "%%%02X", *s);
	}
	free(p);
}

/* An RFC 822 date in UTC, in English whatever the locale. */
static void rfc822(char *out, size_t n, time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
					     "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
		 months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void transcript(FILE *f, const struct feed *fd, const struct episode *e,
		       const char *suffix, const char *type)
{
	fputs("    <podcast:transcript url=\"", f);
	url(f, fd->base, e->rel, suffix);
	fprintf(f, "\" type=\"%s\" language=\"", type);
	bb_xml_escape(f, fd->language);
	fputs("\"/>\n", f);
}

static int write_feed(FILE *f, void *ctx)
{
	const struct feed *fd = ctx;
	char date[64];
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	      "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"\n"
	      "     xmlns:podcast=\"https://podcastindex.org/namespace/1.0\">\n<channel>\n", f);
	element(f, "  ", "title", fd->title);
	element(f, "  ", "link", fd->link ? fd->link : fd->base);
	element(f, "  ", "description", fd->description ? fd->description : fd->title);
	element(f, "  ", "language", fd->language);
	element(f, "  ", "generator", "bobao " BOBAO_VERSION);
	if (fd->n) {
		rfc822(date, sizeof date, fd->ep[0].mtime.tv_sec);
		element(f, "  ", "lastBuildDate", date);
	}
	element(f, "  ", "itunes:author", fd->author);
	element(f, "  ", "itunes:explicit", "false");
	fputs("  <itunes:category text=\"", f);
	bb_xml_escape(f, fd->category);
	fputs("\"/>\n", f);
	if (fd->image) {
		fputs("  <itunes:image href=\"", f);
		bb_xml_escape(f, fd->image);
		fputs("\"/>\n", f);
	}
	for (size_t i = 0; i < fd->n; i++) {
		const struct episode *e = &fd->ep[i];
		long s = (long)(e->m.duration + 0.5);
		const char *title = *e->m.title ? e->m.title : e->rel;
		char dur[32];
		snprintf(dur, sizeof dur, "%02ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
		rfc822(date, sizeof date, e->mtime.tv_sec);
		fputs("  <item>\n", f);
		element(f, "    ", "title", title);
		element(f, "    ", "description", title);
		fputs("    <guid isPermaLink=\"false\">", f);
		bb_xml_escape(f, e->rel);
		fputs("</guid>\n", f);
		element(f, "    ", "pubDate", date);
		fputs("    <enclosure url=\"", f);
		url(f, fd->base, e->rel, NULL);
		fprintf(f, "\" length=\"%llu\" type=\"%s\"/>\n", (unsigned long long)e->bytes, e->type);
		element(f, "    ", "itunes:duration", dur);
		element(f, "    ", "itunes:episodeType", "full");
		if (e->vtt)
			transcript(f, fd, e, ".vtt", "text/vtt");
		if (e->srt)
			transcript(f, fd, e, ".srt", "application/x-subrip");
		if (e->chapters) {
			fputs("    <podcast:chapters url=\"", f);
			url(f, fd->base, e->rel, ".chapters.json");
			fputs("\" type=\"application/json+chapters\"/>\n", f);
		}
		fputs("  </item>\n", f);
	}
	fputs("</channel>\n</rss>\n", f);
	return ferror(f) ? -1 : 0;
}

int bb_feed_main(int argc, char **argv)
{
	enum { OPT_BASE = 256, OPT_TITLE, OPT_DESC, OPT_LINK, OPT_LANG, OPT_AUTHOR, OPT_IMAGE,
	       OPT_CATEGORY, OPT_HELP };
	static const struct option longopts[] = {
		{"base-url", required_argument, 0, OPT_BASE},
		{"title", required_argument, 0, OPT_TITLE},
		{"description", required_argument, 0, OPT_DESC},
		{"link", required_argument, 0, OPT_LINK},
		{"language", required_argument, 0, OPT_LANG},
		{"author", required_argument, 0, OPT_AUTHOR},
		{"image", required_argument, 0, OPT_IMAGE},
		{"category", required_argument, 0, OPT_CATEGORY},
		{"help", no_argument, 0, OPT_HELP},
		{0, 0, 0, 0},
	};
	struct feed fd = {.language = "zh-cn", .author = "bobao", .category = "News"};
	int opt;
	opterr = 0;
	optind = 1;
	while ((opt = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o': fd.output = optarg; break;
		case OPT_BASE: fd.base = optarg; break;
		case OPT_TITLE: fd.title = optarg; break;
		case OPT_DESC: fd.description = optarg; break;
		case OPT_LINK: fd.link = optarg; break;
		case OPT_LANG: fd.language = optarg; break;
		case OPT_AUTHOR: fd.author = optarg; break;
		case OPT_IMAGE: fd.image = optarg; break;
		case OPT_CATEGORY: fd.category = optarg; break;
		case OPT_HELP: fputs(usage_text, stdout); return 0;
		default:
			fprintf(stderr, "bobao: %s option '%s' (see bobao feed --help)\n",
				opt == ':' ? "missing the argument of" : "unknown", argv[optind - 1]);
			return BB_EUSAGE;
		}
	}
	const char *missing = argc - optind != 1 ? "feed needs one OUT_DIR"
			      : !fd.base || !*fd.base ? "feed needs --base-url URL"
			      : !fd.title ? "feed needs --title TITLE" : NULL;
	if (missing) {
		fprintf(stderr, "bobao: %s (see bobao feed --help)\n", missing);
		return BB_EUSAGE;
	}
	fd.dir = argv[optind];
	char *base = malloc(strlen(fd.base) + 1);
	if (!base)
		return say(BB_ENOMEM, fd.dir, "out of memory");
	strcpy(base, fd.base);
	for (size_t n = strlen(base); n && base[n - 1] == '/'; n--)
		base[n - 1] = 0; /* one slash between the base and the path */
	fd.base = base;
	int rc = scan(&fd, "");
	if (rc == BB_OK) {
		qsort(fd.ep, fd.n, sizeof *fd.ep, newest_first);
		if (fd.output) {
			if (bb_temp_write(fd.output, write_feed, &fd) != 0)
				rc = say(errno == EIO || errno == ENOSPC ? BB_EIO : BB_ECANTCREAT,
					 fd.output, strerror(errno));
		} else if (write_feed(stdout, &fd) || fflush(stdout) != 0) {
			rc = say(BB_EIO, "standard output", strerror(errno));
		}
	}
	for (size_t i = 0; i < fd.n; i++) {
		free(fd.ep[i].rel);
		bb_manifest_free(&fd.ep[i].m);
	}
	free(fd.ep);
	free(base);
	return rc ? rc : fd.status;
}
