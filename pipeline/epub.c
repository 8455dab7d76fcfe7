/* epub: an EPUB 3 book with Media Overlays (libzip): the transcript, read aloud sentence by sentence. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zip.h>

#include "bobao.h"
#include "sidecar.h"

/* A growing string for one file of the book. */
struct buf {
	char *s;
	size_t len, cap;
	int bad;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->bad)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->s, cap);
		if (!p) {
			b->bad = 1;
			return;
		}
		b->s = p;
		b->cap = cap;
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = 0;
}

static void puts_b(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void printf_b(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_b(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		b->bad = 1;
	else
		put(b, tmp, (size_t)n);
}

/* XML text and attribute values: &, <, > and " escaped. */
static void put_xml(struct buf *b, const char *s)
{
	for (; *s; s++) {
		const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
				: *s == '"' ? "&quot;" : NULL;
		if (rep)
			puts_b(b, rep);
		else
			put(b, s, 1);
	}
}

/* Media Overlays clock values: H:MM:SS.mmm. */
static void put_clock(struct buf *b, double t)
{
	long ms = t > 0 ? (long)(t * 1000.0 + 0.5) : 0;
	printf_b(b, "%ld:%02ld:%02ld.%03ld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

static int heard(const struct bb_audio_facts *a, size_t i)
{
	return a->end[i] > a->start[i];
}

/* The original text of the block that sentence i begins (its sentences up to the next
 * paragraph or kind), escaped; returns the index past it. */
static size_t put_block_text(struct buf *b, const struct bb_script *sc, size_t i)
{
	size_t j = i;
	do {
		char *t = bb_sidecar_sentence_text(sc, j);
		if (!t) {
			b->bad = 1;
			return sc->n;
		}
		put_xml(b, t);
		free(t);
		j++;
	} while (j < sc->n && sc->sentences[j].paragraph == sc->sentences[i].paragraph &&
		 sc->sentences[j].kind == sc->sentences[i].kind);
	return j;
}

static const char xhtml_head[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
	"<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\""
	" xml:lang=\"zh\" lang=\"zh\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>";

static void put_title(struct buf *b, const struct bb_script *sc)
{
	int any = 0;
	for (size_t i = 0; i < sc->n && sc->sentences[i].kind == BB_TITLE; i++) {
		char *t = bb_sidecar_sentence_text(sc, i);
		if (!t) {
			b->bad = 1;
			return;
		}
		put_xml(b, t);
		any |= *t != 0;
		free(t);
	}
	if (!any) {
		const char *src = sc->article && sc->article->source ? sc->article->source : "";
		const char *slash = strrchr(src, '/');
		put_xml(b, *src && strcmp(src, "-") ? (slash ? slash + 1 : src) : "bobao");
	}
}

/* The text: title h1, headings h2, paragraphs p; one span per sentence, for the overlay. */
static void make_text(struct buf *b, const struct bb_script *sc)
{
	puts_b(b, xhtml_head);
	put_title(b, sc);
	puts_b(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n"
	       "</head>\n<body>\n<section id=\"article\" epub:type=\"bodymatter chapter\">\n");
	const char *open = NULL;
	for (size_t i = 0; i < sc->n; i++) {
		const struct bb_sentence *s = &sc->sentences[i];
		if (!i || s->paragraph != sc->sentences[i - 1].paragraph ||
		    s->kind != sc->sentences[i - 1].kind) {
			if (open)
				printf_b(b, "</%s>\n", open);
			open = s->kind == BB_TITLE ? "h1" : s->kind == BB_HEADING ? "h2" : "p";
			printf_b(b, "<%s id=\"b%zu\"%s>", open, i + 1, s->kind == BB_BYLINE ?
				 " class=\"byline\"" : s->kind == BB_CAPTION ? " class=\"caption\"" : "");
		}
		char *t = bb_sidecar_sentence_text(sc, i);
		if (!t) {
			b->bad = 1;
			return;
		}
		printf_b(b, "<span id=\"s%zu\">", i + 1);
		put_xml(b, t);
		puts_b(b, "</span>");
		free(t);
	}
	if (open)
		printf_b(b, "</%s>\n", open);
	puts_b(b, "</section>\n</body>\n</html>\n");
}

/* The navigation document: the title and every heading; the text itself when it has none. */
static void make_nav(struct buf *b, const struct bb_script *sc)
{
	puts_b(b, xhtml_head);
	puts_b(b, "目录</title>\n</head>\n<body>\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>目录</h1>\n"
	       "<ol>\n");
	int any = 0;
	for (size_t i = 0; i < sc->n;) {
		enum bb_kind k = sc->sentences[i].kind;
		if (k != BB_TITLE && k != BB_HEADING) {
			i++;
			continue;
		}
		printf_b(b, "<li><a href=\"text.xhtml#b%zu\">", i + 1);
		i = put_block_text(b, sc, i);
		puts_b(b, "</a></li>\n");
		any = 1;
	}
	if (!any)
		puts_b(b, "<li><a href=\"text.xhtml\">正文</a></li>\n");
	puts_b(b, "</ol>\n</nav>\n</body>\n</html>\n");
}

/* The overlay: a par per sentence that is heard, its clip from the manifest's times. */
static void make_smil(struct buf *b, const struct bb_script *sc, const struct bb_audio_facts *a)
{
	puts_b(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<smil xmlns=\"http://www.w3.org/ns/SMIL\" xmlns:epub=\"http://www.idpf.org/2007/ops\""
	       " version=\"3.0\">\n<body>\n<seq id=\"seq1\" epub:textref=\"text.xhtml#article\">\n");
	for (size_t i = 0; i < sc->n; i++) {
		if (!heard(a, i))
			continue;
		printf_b(b, "<par id=\"p%zu\"><text src=\"text.xhtml#s%zu\"/>"
			 "<audio src=\"audio.mp3\" clipBegin=\"", i + 1, i + 1);
		put_clock(b, a->start[i]);
		puts_b(b, "\" clipEnd=\"");
		put_clock(b, a->end[i]);
		puts_b(b, "\"/></par>\n");
	}
	puts_b(b, "</seq>\n</body>\n</smil>\n");
}

/* The overlay's duration: what its clips add up to (reading systems and EPUBCheck sum them). */
static double overlay_duration(const struct bb_script *sc, const struct bb_audio_facts *a)
{
	long ms = 0;
	for (size_t i = 0; i < sc->n; i++)
		if (heard(a, i))
			ms += (long)(a->end[i] * 1000.0 + 0.5) - (long)(a->start[i] * 1000.0 + 0.5);
	return ms / 1000.0;
}

/* A UUID (version 4 layout) from the book's text, so that the same article gives the same
 * identifier. */
static void make_uuid(const struct buf *text, char out[37])
{
	uint64_t h1 = 0xcbf29ce484222325u, h2 = 0x84222325cbf29ce4u;
	for (size_t i = 0; i < text->len; i++) {
		h1 = (h1 ^ (unsigned char)text->s[i]) * 0x100000001b3u;
		h2 = (h2 ^ (unsigned char)text->s[i]) * 0x1000193u + (h1 >> 29);
	}
	unsigned char u[16];
	for (int i = 0; i < 8; i++) {
		u[i] = (unsigned char)(h1 >> (8 * i));
		u[8 + i] = (unsigned char)(h2 >> (8 * i));
	}
	u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
	u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
		 u[13], u[14], u[15]);
}

static void make_opf(struct buf *b, const struct bb_script *sc, const struct bb_voice *v,
		     const struct bb_audio_facts *a, const struct buf *text)
{
	char uuid[37], modified[32];
	make_uuid(text, uuid);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(modified, sizeof modified, "%Y-%m-%dT%H:%M:%SZ", &tm);
	double dur = overlay_duration(sc, a);
	puts_b(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\""
	       " unique-identifier=\"uid\" xml:lang=\"zh\">\n"
	       "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n");
	printf_b(b, "<dc:identifier id=\"uid\">urn:uuid:%s</dc:identifier>\n<dc:title>", uuid);
	put_title(b, sc);
	puts_b(b, "</dc:title>\n<dc:language>zh</dc:language>\n<dc:creator>bobao</dc:creator>\n");
	printf_b(b, "<meta property=\"dcterms:modified\">%s</meta>\n", modified);
	puts_b(b, "<meta property=\"media:narrator\">");
	put_xml(b, bb_synth_engine());
	puts_b(b, " (");
	put_xml(b, v->name);
	puts_b(b, ")</meta>\n<meta property=\"media:duration\" refines=\"#overlay\">");
	put_clock(b, dur);
	puts_b(b, "</meta>\n<meta property=\"media:duration\">");
	put_clock(b, dur);
	puts_b(b, "</meta>\n"
	       "<meta property=\"media:active-class\">-epub-media-overlay-active</meta>\n"
	       "<meta property=\"schema:accessMode\">textual</meta>\n"
	       "<meta property=\"schema:accessMode\">auditory</meta>\n"
	       "<meta property=\"schema:accessModeSufficient\">textual</meta>\n"
	       "<meta property=\"schema:accessModeSufficient\">auditory</meta>\n"
	       "<meta property=\"schema:accessibilityFeature\">synchronizedAudioText</meta>\n"
	       "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>\n"
	       "<meta property=\"schema:accessibilityFeature\">readingOrder</meta>\n"
	       "<meta property=\"schema:accessibilityHazard\">none</meta>\n"
	       "<meta property=\"schema:accessibilitySummary\">全文朗读，与文字逐句同步。</meta>\n"
	       "</metadata>\n<manifest>\n"
	       "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\""
	       " properties=\"nav\"/>\n"
	       "<item id=\"text\" href=\"text.xhtml\" media-type=\"application/xhtml+xml\""
	       " media-overlay=\"overlay\"/>\n"
	       "<item id=\"overlay\" href=\"text.smil\" media-type=\"application/smil+xml\"/>\n"
	       "<item id=\"audio\" href=\"audio.mp3\" media-type=\"audio/mpeg\"/>\n"
	       "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n"
	       "</manifest>\n<spine>\n<itemref idref=\"text\"/>\n</spine>\n</package>\n");
}

static const char container_xml[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
	"<rootfiles><rootfile full-path=\"EPUB/package.opf\""
	" media-type=\"application/oebps-package+xml\"/></rootfiles>\n</container>\n";

/* The reading system adds the active class to the sentence being read. */
static const char style_css[] =
	"body{line-height:1.8}\n"
	"h1,h2{line-height:1.4}\n"
	".byline,.caption{font-size:.9em}\n"
	".-epub-media-overlay-active{background-color:#ffe58a;color:#000}\n";

/* Adds a file from memory (copied by libzip when the archive is closed), stored or deflated. */
static int add_mem(zip_t *za, const char *name, const char *data, size_t n, int store)
{
	zip_source_t *src = zip_source_buffer(za, data, n, 0);
	if (!src)
		return -1;
	zip_int64_t idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return -1;
	}
	return zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
}

/* The archive is written straight into the output file (libzip seeks back to finish each
 * entry's header), so that not even the MP3 is held in memory: a source that starts empty. */
struct sink {
	int fd;
	zip_error_t error;
};

static zip_int64_t sink_fail(struct sink *s, int ze, int e)
{
	zip_error_set(&s->error, ze, e);
	return -1;
}

static zip_int64_t sink_cb(void *ctx, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct sink *s = ctx;
	switch (cmd) {
	case ZIP_SOURCE_SUPPORTS:
		return ZIP_SOURCE_SUPPORTS_WRITABLE;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &s->error);
		if (!st)
			return -1;
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE;
		st->size = 0;
		return sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&s->error, data, len);
	case ZIP_SOURCE_WRITE:
		for (zip_uint64_t done = 0; done < len;) {
			ssize_t n = write(s->fd, (const char *)data + done, (size_t)(len - done));
			if (n < 0 && errno != EINTR)
				return sink_fail(s, ZIP_ER_WRITE, errno);
			done += n > 0 ? (zip_uint64_t)n : 0;
		}
		return (zip_int64_t)len;
	case ZIP_SOURCE_SEEK_WRITE: {
		zip_source_args_seek_t *to = ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len,
								 &s->error);
		if (!to)
			return -1;
		if (lseek(s->fd, (off_t)to->offset, to->whence) < 0)
			return sink_fail(s, ZIP_ER_SEEK, errno);
		return 0;
	}
	case ZIP_SOURCE_TELL_WRITE: {
		off_t at = lseek(s->fd, 0, SEEK_CUR);
		return at < 0 ? sink_fail(s, ZIP_ER_TELL, errno) : (zip_int64_t)at;
	}
	case ZIP_SOURCE_OPEN:
	case ZIP_SOURCE_READ: /* nothing to read: the archive starts empty */
	case ZIP_SOURCE_CLOSE:
	case ZIP_SOURCE_SEEK:
	case ZIP_SOURCE_TELL:
	case ZIP_SOURCE_FREE:
	case ZIP_SOURCE_BEGIN_WRITE:
	case ZIP_SOURCE_COMMIT_WRITE:
	case ZIP_SOURCE_ROLLBACK_WRITE: /* the caller removes the temporary */
	case ZIP_SOURCE_REMOVE:
		return 0;
	default:
		return sink_fail(s, ZIP_ER_OPNOTSUPP, 0);
	}
}

/* Writes the archive to f (mimetype first and stored, as OCF wants; the MP3 stored too). */
static int write_zip(FILE *f, const char *mp3_path, struct buf *files, struct bb_error *err)
{
	static const char *const names[] = {"META-INF/container.xml", "EPUB/package.opf",
		"EPUB/nav.xhtml", "EPUB/text.xhtml", "EPUB/text.smil", "EPUB/style.css"};
	if (fflush(f) != 0)
		return bb_fail(err, BB_EIO, "cannot write the EPUB: %s", strerror(errno));
	struct sink sink = {.fd = fileno(f)};
	zip_error_t ze;
	zip_error_init(&sink.error);
	zip_error_init(&ze);
	zip_source_t *out = zip_source_function_create(sink_cb, &sink, &ze);
	zip_t *za = out ? zip_open_from_source(out, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		int rc = bb_fail(err, BB_ESOFTWARE, "cannot start the EPUB: %s", zip_error_strerror(&ze));
		zip_source_free(out);
		zip_error_fini(&ze);
		zip_error_fini(&sink.error);
		return rc;
	}
	int bad = add_mem(za, "mimetype", "application/epub+zip", 20, 1);
	for (size_t k = 0; !bad && k < sizeof names / sizeof names[0]; k++)
		bad = add_mem(za, names[k], files[k].s, files[k].len, 0);
	if (!bad) {
		zip_source_t *audio = zip_source_file(za, mp3_path, 0, -1);
		zip_int64_t idx = audio ? zip_file_add(za, "EPUB/audio.mp3", audio, 0) : -1;
		if (audio && idx < 0)
			zip_source_free(audio);
		bad = idx < 0 || zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_STORE, 0);
	}
	int rc = BB_OK;
	if (bad || zip_close(za) != 0) {
		rc = bb_fail(err, BB_EIO, "cannot write the EPUB: %s", zip_strerror(za));
		zip_discard(za);
	}
	zip_error_fini(&ze);
	zip_error_fini(&sink.error);
	return rc;
}

int bb_sidecar_epub(FILE *f, const struct bb_script *sc, const struct bb_voice *v,
		    const struct bb_audio_facts *a, struct bb_error *err)
{
	if (!a->mp3_path)
		return bb_fail(err, BB_ESOFTWARE, "no MP3 for the EPUB");
	enum { CONTAINER, OPF, NAV, TEXT, SMIL, CSS, NFILES };
	struct buf files[NFILES] = {{0}};
	puts_b(&files[CONTAINER], container_xml);
	make_text(&files[TEXT], sc);
	make_nav(&files[NAV], sc);
	make_smil(&files[SMIL], sc, a);
	make_opf(&files[OPF], sc, v, a, &files[TEXT]);
	puts_b(&files[CSS], style_css);
	int bad = 0;
	for (int k = 0; k < NFILES; k++)
		bad |= files[k].bad;
	int rc = bad ? bb_fail(err, BB_ENOMEM, "out of memory building the EPUB")
		     : write_zip(f, a->mp3_path, files, err);
	for (int k = 0; k < NFILES; k++)
		free(files[k].s);
	return rc;
}
