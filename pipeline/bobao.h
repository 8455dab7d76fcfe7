/* bobao: Chinese news articles to broadcast-ready speech. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Using the library, in ten lines:
 *
 *     struct bb_error err = {0};
 *     struct bb_voice voice;
 *     struct bb_lexicon *lex = NULL;
 *     struct bb_synth *synth = NULL;
 *     struct bb_article art = {0};
 *     struct bb_script script = {0};
 *     struct bb_output out = {.path = "out.wav", .json = 1, .vtt = 1, .srt = 1};
 *     if (bb_voice_load(&voice, "news", &err) || bb_lexicon_open(&lex, NULL, &err) ||
 *         bb_article_read(&art, "in.txt", NULL, NULL, &err) ||     // decode + article
 *         bb_script_build(&script, &art, lex, 0, &err) ||  // normalize, split, pronounce
 *         bb_synth_open(&synth, &voice, &err) ||
 *         bb_speak(&script, &voice, synth, &out, NULL, NULL, &err))  // synth + assemble
 *             fprintf(stderr, "%s\n", err.msg);
 *     bb_synth_close(synth); bb_script_free(&script); bb_article_free(&art);
 *     bb_lexicon_close(lex);
 *
 * Ownership: every struct is owned by the caller; a function that fills one leaves it
 * empty (zeroed, safe to free) when it fails. Every *_free accepts a zeroed struct.
 * Errors: functions return BB_OK (0) or one of enum bb_status, whose values are the
 * sysexits.h exit codes, and write a one-line detail into the caller's struct bb_error.
 * Library code never prints and never exits.
 * Threads: eSpeak NG is not thread-safe; use one process per concurrent synthesis.
 */
#ifndef BOBAO_H
#define BOBAO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BOBAO_VERSION "0.1.0"

/* ---- errors (error.c) ---------------------------------------------------------------- */

enum bb_status {
	BB_OK = 0,
	BB_EUSAGE = 64,    /* bad command line */
	BB_EDATA = 65,     /* input is not a readable article */
	BB_ENOINPUT = 66,  /* input cannot be opened */
	BB_ESOFTWARE = 70, /* internal error (a library refused) */
	BB_ENOMEM = 71,    /* out of memory (EX_OSERR) */
	BB_ECANTCREAT = 73,/* output cannot be created */
	BB_EIO = 74,       /* read or write failed */
	BB_ETEMPFAIL = 75, /* try again later (busy, locked) */
	BB_ECONFIG = 78,   /* bad voice preset or lexicon */
};

struct bb_error {
	int code;
	char msg[512];
};

/* Sets err (may be NULL) to code and a printf-style message, escaped by bb_escape so that it
 * is one line whatever the paths in it hold; returns code. */
int bb_fail(struct bb_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A short name for a status code ("bad input data"); never NULL. */
const char *bb_status_name(int code);
/* Copies s into out (size bytes, NUL-terminated) with control characters escaped: newline,
 * return and tab as \n \r \t, others as \xNN; the one escaping of every message, so that a
 * path holding a newline cannot make an error two lines. Cut at an escape boundary when out
 * is short; returns the length written. */
size_t bb_escape(const char *s, char *out, size_t size);
/* Writes s to f for XML or HTML, in text and attribute values alike: & < > " ' as
 * references, control characters but tab and newline dropped (XML 1.0 allows none). */
void bb_xml_escape(FILE *f, const char *s);

/* ---- files bobao reads (readfile.c) ------------------------------------------------- */

/* Opens path for reading without ever blocking (O_NONBLOCK: a FIFO or a device is not waited
 * on) and only when it is a regular file; the one way every reader opens a named file.
 * Returns the descriptor (blocking again), or -1 with err set: BB_ENOINPUT "cannot open: ...",
 * "is a directory" or "not a regular file (...)", BB_EIO when it cannot be examined. The
 * message does not name the file: the caller does. */
int bb_open_regular(const char *path, struct bb_error *err);
/* Reads a small regular file (a preset, a user lexicon) whole into *buf, NUL-terminated (an
 * empty file is fine); as bb_open_regular, and BB_EDATA "file too large" past max bytes,
 * BB_EIO when reading fails. *buf is NULL on failure; the caller frees it. */
int bb_read_config(const char *path, size_t max, char **buf, size_t *len, struct bb_error *err);
/* Size limits of the configuration files. */
#define BB_MAX_PRESET_BYTES ((size_t)1 << 20)
#define BB_MAX_LEXICON_BYTES ((size_t)64 << 20)

/* ---- text buffer and UTF-8 (text.c) ------------------------------------------------- */

/* A span of bytes [start, end) in the decoded article text. */
struct bb_span {
	size_t start, end;
};

/* A growable UTF-8 string; when src is non-NULL, src[i] is the span of the original
 * article that byte i came from, so spoken text can be traced back for subtitles. */
struct bb_text {
	char *s; /* NUL-terminated */
	size_t len, cap;
	struct bb_span *src;
};

void bb_text_free(struct bb_text *t);
/* Appends n bytes, all mapped to span from (a zero span when t has no map). BB_ENOMEM. */
int bb_text_add(struct bb_text *t, const char *bytes, size_t n, struct bb_span from);
int bb_text_addc(struct bb_text *t, const char *cstr, struct bb_span from);
/* Makes t carry a source map (each existing byte mapped to a zero span). */
int bb_text_track(struct bb_text *t);
/* Span covering bytes [a, b) of t (their union); {0,0} when t has no map or a == b. */
struct bb_span bb_text_span(const struct bb_text *t, size_t a, size_t b);

/* Decodes one code point at s (n bytes available); returns its length (1-4), or 0 when the
 * bytes are not valid UTF-8 (cp then holds 0xFFFD). */
size_t bb_utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Writes cp as UTF-8 into out (4 bytes room); returns the length. */
size_t bb_utf8_encode(uint32_t cp, char *out);
/* Offset of the first invalid UTF-8 byte in s, or n when all of it is valid. */
size_t bb_utf8_check(const char *s, size_t n);
int bb_is_hanzi(uint32_t cp);

/* ---- decode.c: bytes in any supported encoding -> UTF-8 ------------------------------ */

/* How to read an article; a zeroed struct (or NULL): detect the encoding, the default size
 * limit, refuse invalid UTF-8. */
struct bb_read_opts {
	const char *encoding; /* an iconv name to force, or NULL to detect */
	size_t max_bytes;     /* larger files are refused with BB_EDATA; 0: BB_MAX_ARTICLE_BYTES */
	int lenient;          /* invalid UTF-8 and NUL bytes become U+FFFD, which is not read */
};
#define BB_MAX_ARTICLE_BYTES ((size_t)16 << 20)

/* What reading found, for the caller to report (a lenient read warns once). */
struct bb_read_info {
	const char *encoding; /* the encoding used ("UTF-8", "GB18030", ...) */
	size_t invalid;       /* invalid sequences replaced (lenient only) */
	size_t first_invalid; /* byte offset of the first of them in the input */
	size_t garbled_line;  /* a legacy text decoded into a run of rare characters on this
			       * line (1-based; 0: none): forced, or lenient, so read with a warning */
};

/* Converts raw article bytes to UTF-8 (no BOM, \r\n and \r folded to \n, terminal escape
 * sequences and control characters other than tab, newline and form feed dropped).
 * Detects UTF-8, UTF-16 (with a BOM, or without one when its NULs say so), GB18030 and Big5.
 * opts and info may be NULL; only opts->encoding and opts->lenient matter here.
 * BB_EDATA: "invalid UTF-8 at byte N" for a UTF-8 text with bad bytes (unless lenient), the
 * byte offset of the first bad byte in a forced or legacy encoding, or "binary data, not
 * text"; BB_EUSAGE for an unknown encoding name. Big5-HKSCS is told from plain Big5 (CP950)
 * by the Hong Kong characters that only it holds. A detected legacy text that decodes into a
 * run of rare characters (the wrong table, or an encoding not supported) is refused with
 * BB_EDATA "decodes ... into rare characters on line N"; lenient or with a forced encoding it
 * is read and info->garbled_line says where. out is empty on failure. */
int bb_decode(const char *bytes, size_t n, const struct bb_read_opts *opts, struct bb_text *out,
	      struct bb_read_info *info, struct bb_error *err);

/* ---- article.c: text -> blocks --------------------------------------------------------- */

enum bb_kind { BB_TITLE, BB_HEADING, BB_BODY, BB_BYLINE, BB_CAPTION,
	       BB_CLIP /* a bulletin's intro, sting or outro audio: no text, no subtitle */ };
const char *bb_kind_name(enum bb_kind kind); /* "title", "heading", "body", ..., "clip" */

struct bb_block {
	enum bb_kind kind;
	size_t paragraph; /* 0 for the title, then one per block in order */
	size_t start, end; /* its lines in the original text (bb_block_text folds them) */
};

struct bb_article {
	char *source;           /* the file name, or "-" */
	struct bb_text original; /* the decoded UTF-8 text; spans point into it */
	struct bb_block *blocks;
	size_t nblocks;
};

/* Splits original (taken over: the article owns it afterwards, also on failure) into
 * blocks: title, headings, paragraphs, bylines, captions; joins paragraphs cut by a page
 * break; folds full-width digits and letters; ASCII ,:;?! between hanzi become full-width.
 * BB_EDATA when there is nothing to read. */
int bb_article_parse(struct bb_article *art, struct bb_text *original, const char *source,
		     struct bb_error *err);
/* Reads a file ("-" for stdin), decodes it (bb_decode) and parses it. opts and info may be
 * NULL. BB_ENOINPUT when it cannot be opened or is not a regular file (a directory, a FIFO, a
 * device: bb_open_regular; "-" reads standard input, a pipe too); BB_EDATA when it is empty or
 * larger than the limit ("file too large (N bytes, limit 16 MB; see --max-size)"); BB_EIO
 * when reading fails. */
int bb_article_read(struct bb_article *art, const char *path, const struct bb_read_opts *opts,
		    struct bb_read_info *info, struct bb_error *err);
/* The two halves of bb_article_read, for a caller that opens the file itself (batch, which
 * never follows a link): reads an open file whole, refusing a directory, an empty file and
 * more than max bytes (0: the default limit); then decodes and parses the bytes. */
int bb_read_fd(int fd, size_t max, char **buf, size_t *len, struct bb_error *err);
int bb_article_from_bytes(struct bb_article *art, const char *bytes, size_t n, const char *source,
			  const struct bb_read_opts *opts, struct bb_read_info *info,
			  struct bb_error *err);
/* Sets err to BB_EDATA "file too large (SIZE bytes, limit LIMIT; see --max-size)" (size 0:
 * unknown, read from a pipe) and returns BB_EDATA: the one wording for every reader. */
int bb_fail_too_large(struct bb_error *err, uint64_t size, size_t limit);
/* The one warning of a lenient read ("2 invalid UTF-8 sequences not read (first at byte
 * 29)", or "text decodes (as GB18030) into rare characters on line 3: wrong encoding? see
 * --encoding") into out; returns 0, writing nothing, when there is nothing to warn of. */
int bb_read_warning(const struct bb_read_info *info, char *out, size_t size);
/* Parses a size: digits with an optional K, M or G (powers of 1024; "16M", "512k", "2GB").
 * Returns 0 and sets *bytes, or -1 for anything else, zero, or an overflow. */
int bb_parse_size(const char *s, size_t *bytes);
void bb_article_free(struct bb_article *art);
/* The folded text of block b (full-width forms folded, marks made full-width, spaces tidied),
 * each byte mapped to the original: appended to out, which must track sources. Made when
 * asked, one block at a time, so that an article costs its text and not a map of all of it
 * (16 bytes a byte). BB_ENOMEM only. */
int bb_block_text(const struct bb_article *art, size_t b, struct bb_text *out);

/* ---- normalize.c: written text -> the words a news reader says ------------------------ */

/* Appends to out (which must track sources) the spoken form of in: every digit, unit and
 * symbol expanded into hanzi; Latin letters kept as ASCII for the pronounce stage. Each output
 * byte maps to the span of the input it came from. BB_ENOMEM only. */
int bb_normalize(const struct bb_text *in, struct bb_text *out, struct bb_error *err);

/* ---- split.c: spoken block text -> sentences ------------------------------------------- */

struct bb_sentence {
	enum bb_kind kind;
	size_t paragraph;
	struct bb_span orig; /* in the article's original text */
	char *spoken;        /* normalized text of this sentence, NUL-terminated */
	struct bb_unit *units; /* filled by pronounce */
	size_t nunits;
};

/* Appends the sentences of one block's spoken text to *list (count *n, capacity *cap). */
int bb_split(const struct bb_text *spoken, enum bb_kind kind, size_t paragraph,
	     struct bb_sentence **list, size_t *n, size_t *cap, struct bb_error *err);
/* Longest sentence before it is broken at a clause mark, in characters. */
#define BB_SENTENCE_MAX_CHARS 120

/* ---- pronounce.c / lexicon.c: sentence -> readings ------------------------------------- */

enum bb_lang { BB_ZH, BB_EN, BB_PUNCT };

enum bb_unit_flags {
	BB_UNIT_USER = 1,      /* reading from the user lexicon */
	BB_UNIT_SANDHI = 2,    /* 一/不 tone changed */
	BB_UNIT_FALLBACK = 4,  /* not in the lexicon: character fallback or skipped */
	BB_UNIT_MODEL = 8,     /* a polyphone read by the context model (learned), not a word */
	BB_UNIT_ALONE = 16,    /* no word settles its reading: read alone or in a guessed word */
	BB_UNIT_POLY = 32,     /* and it is a common polyphone (more than one common reading) */
	BB_UNIT_IN_WORD = 64,  /* continues the word of the unit before it (no line break before) */
};

/* One spoken unit: one hanzi (reading: pinyin with tone digit, "hang2"), one Latin run
 * (lang BB_EN, reading: the text given to the English voice), or one pause mark
 * (lang BB_PUNCT, reading: the full-width mark sent to the synthesizer). */
struct bb_unit {
	char text[64];    /* as in the sentence */
	char reading[64];
	enum bb_lang lang;
	unsigned flags;
};

struct bb_lexicon; /* opaque: built-in word lexicon plus user entries */

/* Loads the compiled lexicon from path (NULL: the installed/default one). */
int bb_lexicon_open(struct bb_lexicon **lex, const char *path, struct bb_error *err);
/* Adds a user lexicon file (word TAB pinyin, # comments); BB_ECONFIG with the line number. */
int bb_lexicon_add_user(struct bb_lexicon *lex, const char *path, struct bb_error *err);
void bb_lexicon_close(struct bb_lexicon *lex);

/* Fills s->units from s->spoken. */
int bb_pronounce(struct bb_sentence *s, const struct bb_lexicon *lex, struct bb_error *err);

/* ---- voice.c: presets ------------------------------------------------------------------ */

struct bb_voice {
	char name[64];
	char path[1024];          /* the .ini it was read from */
	char espeak_voice[64];    /* cmn-latn-pinyin */
	char english_voice[64];   /* en */
	int rate;                 /* eSpeak words per minute */
	int pitch, range;         /* 0-100 */
	int volume;               /* eSpeak amplitude, 0-200 */
	int english_gain_db;      /* added to English runs (the en voice is quieter) */
	int heading_rate_percent; /* titles and headings: rate as a percentage of rate */
	int heading_pitch_offset; /* titles and headings: added to pitch, so they stand out */
	int pause_sentence_ms, pause_paragraph_ms, pause_heading_ms, pause_title_ms;
	int edge_silence_ms;      /* silence kept at the start and end */
	int sample_rate;          /* output rate */
	double loudness_lufs;     /* integrated loudness target */
	double true_peak_dbtp;    /* true peak ceiling */
	int mp3_kbps, opus_kbps;
	char lexicon[1024];       /* user lexicon file, "" for none */
};

/* Loads a preset: a name (looked up in the voices folder) or a path to an .ini file.
 * BB_ECONFIG with file:line for an unknown key or a bad value, or when it is not found. */
int bb_voice_load(struct bb_voice *v, const char *name_or_path, struct bb_error *err);
/* --rate: scales v's speaking rate (and so its headings', a percentage of it) to percent of
 * the preset's, 50 to 200. BB_EUSAGE, v unchanged, when percent is outside that range or the
 * rate it gives is outside eSpeak NG's 80 to 450 words a minute. */
int bb_voice_scale_rate(struct bb_voice *v, int percent, struct bb_error *err);
/* Parses a percentage for --rate: digits with an optional '%'; returns it, or -1 for anything
 * else or outside 50 to 200. */
int bb_parse_percent(const char *s);
/* Finds a data file (e.g. "voices/news.ini", "lexicon.bin") in $BOBAO_DATA, beside the
 * program (build/ in the source tree and the tree itself), or PREFIX/share/bobao; writes its
 * path into out and returns 1, or returns 0 when it is nowhere. */
int bb_find_data(const char *name, char *out, size_t outsz);
/* The keys a preset may set, for `bobao voices`: name and meaning of key i, NULL past the end. */
const char *bb_voice_key_name(size_t i);
const char *bb_voice_key_help(size_t i);

/* ---- synth.c: eSpeak NG ------------------------------------------------------------- */

struct bb_pcm {
	int16_t *samples;
	size_t n, cap;
	int rate; /* 22050 from eSpeak */
	/* where each unit of the sentence begins, in samples of samples[] (eSpeak's word events),
	 * BB_NO_WORD when eSpeak gave none; nwords = the sentence's nunits */
	uint32_t *words;
	size_t nwords, words_cap;
};
#define BB_NO_WORD UINT32_MAX
void bb_pcm_free(struct bb_pcm *p);

struct bb_synth; /* opaque: eSpeak initialized once per process */

int bb_synth_open(struct bb_synth **sy, const struct bb_voice *v, struct bb_error *err);
/* Appends the speech of one sentence (its units) to out. */
int bb_synth_sentence(struct bb_synth *sy, const struct bb_sentence *s, struct bb_pcm *out,
		      struct bb_error *err);
void bb_synth_close(struct bb_synth *sy);
/* The synthesizer, for people: "eSpeak NG 1.51". */
const char *bb_synth_engine(void);
/* The synthesizer and its data (version, and the size and time of its phoneme tables and
 * dictionaries): changes when eSpeak NG is upgraded or its data patched, so that nothing made
 * by one synthesizer counts as made by another. */
const char *bb_synth_engine_id(void);
/* Feeds feed() everything that decides the audio of sentence s in voice v (the synthesizer,
 * voices, prosody, the text of every synthesis call), so a cache can key on it. */
void bb_synth_describe(const struct bb_voice *v, const struct bb_sentence *s,
		       void (*feed)(void *ctx, const void *bytes, size_t n), void *ctx);

/* ---- assemble.c: the sentences' audio -> one file (+ sidecars) ------------------------ */

/* A labelled mark in the output (a heading, a paragraph, a bulletin's story): at the start of
 * sentence `sentence`. */
struct bb_chapter {
	size_t sentence;
	const char *label;
};

/* Where an article's chapters start (bb_output.chapters): at the title and each heading (an
 * article without headings: each paragraph), each paragraph (every block: title, headings,
 * paragraphs, bylines), or each sentence. The first sentence always starts one. */
enum bb_chapters { BB_CHAPTERS_HEADING, BB_CHAPTERS_PARAGRAPH, BB_CHAPTERS_SENTENCE };
/* --chapters: "heading", "paragraph" or "sentence"; -1 for anything else. */
int bb_parse_chapters(const char *s);

struct bb_output {
	const char *path;   /* the final audio file */
	const char *format; /* "wav", "flac", "ogg", "opus", "mp3", or NULL: from the extension */
	int json, vtt, srt; /* sidecars next to it, same base name */
	int one_thread;     /* assemble on the calling thread, not beside it: for a caller that
			     * already keeps every core busy (batch with a process a core) */
	int html;           /* a page beside the audio: player and synchronized transcript */
	int epub;           /* an EPUB 3 with Media Overlays, its audio as MP3 */
	int chapters;       /* enum bb_chapters (0: at headings): the article's chapters, in every
			     * format (WAV cues, MP3 ID3v2 CHAP and CTOC, FLAC/Ogg/Opus CHAPTERxxx
			     * comments), unless bb_assemble_set_chapters sets others */
};

struct bb_assembler; /* opaque */
struct bb_script;
struct bb_sentence;

/* One sentence ready for the output file: eSpeak's speech trimmed, faded and resampled, with
 * what loudness and peaks need of it. The assembler makes it; the sentence cache keeps it, so
 * an unchanged sentence costs neither eSpeak, nor the resampler, nor the meter again. */
struct bb_segment {
	int16_t *audio;     /* at rate, int16 at half scale (room for the resampler's overshoot) */
	size_t n, cap;
	int in_file;        /* 1: audio is not loaded; its n samples are at byte offset of fd, */
	int fd;             /* an open cache entry that the segment owns */
	uint64_t offset;
	int rate;
	int sample_peak;    /* of audio */
	float true_peak;    /* of audio, 4x oversampled */
	float *loudness;    /* K-weighted mean square of each 100 ms of the speech (BS.1770) */
	size_t nloud, loud_cap;
	uint32_t *words;    /* where each unit begins, in samples of audio; BB_NO_WORD: unknown */
	size_t nwords, words_cap;
};
void bb_segment_free(struct bb_segment *seg);

/* A store of finished sentences that bb_speak_cached asks before eSpeak (batch's cache). */
struct bb_sentence_cache {
	/* Puts sentence s's segment made at rate into out; returns 1 if found, else 0. */
	int (*get)(void *ctx, const struct bb_sentence *s, int rate, struct bb_segment *out);
	/* Keeps the segment just made for s; a failure to keep it is not an error. Called on the
	 * assembler's thread, while get may run on the caller's. */
	void (*put)(void *ctx, const struct bb_sentence *s, const struct bb_segment *seg);
	void *ctx;
};

/* Starts an output for the script's sentences; the segments it makes go to cache (may be
 * NULL). Nothing appears under a final name before bb_assemble_finish succeeds.
 * BB_ECANTCREAT when the folder is not writable. */
int bb_assemble_open(struct bb_assembler **as, const struct bb_output *out,
		     const struct bb_voice *v, const struct bb_script *sc,
		     const struct bb_sentence_cache *cache, struct bb_error *err);
/* The output sample rate: what a segment added whole must be made at. */
int bb_assemble_rate(const struct bb_assembler *as);
/* Adds sentence i's speech (mono 16-bit at rate) and then pause_ms of silence. Sentences
 * come in order; a sentence may be added in several calls with pause_ms 0 between them. */
int bb_assemble_add(struct bb_assembler *as, size_t i, const int16_t *pcm, size_t n, int rate,
		    int pause_ms, struct bb_error *err);
/* Where sentence i's units begin (bb_pcm.words: samples of the speech given to
 * bb_assemble_add), for the subtitles' timing; after its bb_assemble_add calls. */
int bb_assemble_words(struct bb_assembler *as, size_t i, const uint32_t *words, size_t n,
		      struct bb_error *err);
/* Adds sentence i as a finished segment (from the cache), then pause_ms of silence; takes
 * over seg's buffers and leaves it empty. */
int bb_assemble_add_segment(struct bb_assembler *as, size_t i, struct bb_segment *seg,
			    int pause_ms, struct bb_error *err);
/* Writes everything under temporary names in the target folder, then renames into place. */
int bb_assemble_finish(struct bb_assembler *as, struct bb_error *err);
/* Frees; removes temporary files if not finished. Accepts NULL. */
void bb_assemble_close(struct bb_assembler *as);
/* The output's chapters instead of the article's (bb_output.chapters): a WAV cue per chapter
 * (at its sentence's start), labelled (LIST adtl labl), and the same chapters in MP3, FLAC,
 * Ogg and Opus. The chapters must stay valid until bb_assemble_finish. */
void bb_assemble_set_chapters(struct bb_assembler *as, const struct bb_chapter *chapters,
			      size_t n);
/* Makes the sentence being collected a segment now (it goes to the cache's put) instead of
 * when the next one comes: with bb_output.one_thread, every segment is made on return. */
int bb_assemble_flush(struct bb_assembler *as, struct bb_error *err);
/* After bb_assemble_finish: where sentence i's sound starts and ends in the output, in
 * seconds. Returns 0, or -1 when i is out of range or the output is not finished. */
int bb_assemble_span(const struct bb_assembler *as, size_t i, double *start, double *end);
/* Reads an audio file (any format libsndfile reads; channels mixed to mono) into seg, ready
 * for bb_assemble_add_segment at rate: resampled, measured and stored as a sentence's speech
 * is (no trim, no fade). BB_ENOINPUT when it cannot be opened, BB_EDATA when it is not audio
 * or longer than an hour; seg is empty on failure. */
int bb_assemble_clip(struct bb_segment *seg, const char *path, int rate, struct bb_error *err);

/* ---- the script: one article through normalize, split and pronounce (pipeline.c) ------- */

struct bb_script {
	const struct bb_article *article;
	struct bb_sentence *sentences;
	size_t n, cap;
	const struct bb_lexicon *lex; /* with BB_PRONOUNCE_LATER: pronounce as spoken */
};

enum bb_script_flags {
	BB_KEEP_CAPTIONS = 1, /* speak photo captions too */
	/* leave the units empty and keep lex: bb_speak (without a cache) and bb_proof_write
	 * pronounce each sentence as they reach it and free its units after, so that an article
	 * costs one sentence's units (136 bytes a character) and not all of them */
	BB_PRONOUNCE_LATER = 2,
};

/* Normalizes, splits and (when lex is not NULL) pronounces every block of art. */
int bb_script_build(struct bb_script *sc, const struct bb_article *art,
		    const struct bb_lexicon *lex, unsigned flags, struct bb_error *err);
void bb_script_free(struct bb_script *sc);
/* Pause after sentence i: the preset's title, heading, paragraph or sentence pause. */
int bb_script_pause_ms(const struct bb_script *sc, size_t i, const struct bb_voice *v);

/* Synthesizes the whole script into out (opened and finished here). progress (may be NULL)
 * is called after each sentence with the sentences done and audio seconds so far. */
int bb_speak(const struct bb_script *sc, const struct bb_voice *v, struct bb_synth *sy,
	     const struct bb_output *out, void (*progress)(size_t done, size_t total,
	     double audio_s, void *ctx), void *ctx, struct bb_error *err);

/* bb_speak, with sentences taken from cache (NULL: none) when it has them. */
int bb_speak_cached(const struct bb_script *sc, const struct bb_voice *v, struct bb_synth *sy,
		    const struct bb_output *out, const struct bb_sentence_cache *cache,
		    void (*progress)(size_t done, size_t total, double audio_s, void *ctx),
		    void *ctx, struct bb_error *err);

/* ---- proof.c: how each sentence will be read -------------------------------------- */

/* Writes the readings of every sentence of sc to f as "text" (sentence, pinyin under it),
 * "tsv" (sentence number, unit, reading as sent to the synthesizer) or "html" (ruby page).
 * BB_EUSAGE for an unknown format, BB_EIO when writing fails. */
int bb_proof_write(FILE *f, const struct bb_script *sc, const char *format, struct bb_error *err);

/* ---- batch.c: many articles ---------------------------------------------------------- */

/* `bobao batch [OPTIONS] IN_DIR OUT_DIR`: argv[0] is "batch". Returns the exit status. */
int bb_batch_main(int argc, char **argv);

/* ---- bulletin.c, feed.c: a programme of several articles; a podcast feed --------------- */

/* `bobao bulletin [OPTIONS] RUNDOWN`: argv[0] is "bulletin". Returns the exit status. */
int bb_bulletin_main(int argc, char **argv);
/* `bobao feed OUT_DIR --base-url URL --title T`: argv[0] is "feed". Returns the exit status. */
int bb_feed_main(int argc, char **argv);

#endif
