/* tags: ID3v2.4 tags (TagLib) for MP3 and Broadcast WAV, WAV cue labels, chapters (ID3v2 CHAP/CTOC, Vorbis comments); used by assemble.c only. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * C++ because TagLib's C binding (1.13) can neither leave a WAV's LIST/INFO alone when it
 * writes an ID3v2 tag, nor write TDRC or TSSE, nor keep a Latin-1 ID3v1 copy out of an MP3. */
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>

#include <chapterframe.h>
#include <commentsframe.h>
#include <flacfile.h>
#include <id3v2tag.h>
#include <mpegfile.h>
#include <opusfile.h>
#include <tableofcontentsframe.h>
#include <textidentificationframe.h>
#include <vorbisfile.h>
#include <wavfile.h>
#include <xiphcomment.h>

#include "tags.h"

namespace {

void set_text(TagLib::ID3v2::Tag *tag, const char *id, const char *value)
{
	tag->removeFrames(id);
	if (!value || !*value)
		return;
	auto *f = new TagLib::ID3v2::TextIdentificationFrame(id, TagLib::String::UTF8);
	f->setText(TagLib::String(value, TagLib::String::UTF8));
	tag->addFrame(f);
}

void fill(TagLib::ID3v2::Tag *tag, const struct bb_tags *t)
{
	set_text(tag, "TIT2", t->title);
	set_text(tag, "TPE1", t->artist);
	set_text(tag, "TDRC", t->date); /* ID3v2.4: a timestamp, yyyy-MM-dd */
	set_text(tag, "TSSE", t->software);
	tag->removeFrames("COMM");
	if (t->comment && *t->comment) {
		auto *c = new TagLib::ID3v2::CommentsFrame(TagLib::String::UTF8);
		c->setLanguage("zho");
		c->setText(TagLib::String(t->comment, TagLib::String::UTF8));
		tag->addFrame(c);
	}
}

unsigned int to_ms(double s)
{
	double ms = std::floor(s * 1000 + 0.5);
	return ms <= 0 ? 0u : ms >= 4294967295.0 ? 4294967295u : static_cast<unsigned int>(ms);
}

/* ID3v2 chapters: a CHAP per chapter (chp1, chp2...: start and end in ms, byte offsets
 * unknown, a TIT2 inside) and one top-level, ordered CTOC listing them. */
void add_chapters(TagLib::ID3v2::Tag *tag, const struct bb_tags *t)
{
	tag->removeFrames("CHAP");
	tag->removeFrames("CTOC");
	if (!t->nchapters)
		return;
	TagLib::ByteVectorList ids;
	for (size_t i = 0; i < t->nchapters; i++) {
		char id[32];
		std::snprintf(id, sizeof id, "chp%zu", i + 1);
		TagLib::ByteVector eid(id);
		auto *title = new TagLib::ID3v2::TextIdentificationFrame("TIT2", TagLib::String::UTF8);
		const char *name = t->chapter_titles && t->chapter_titles[i] ? t->chapter_titles[i] : "";
		title->setText(TagLib::String(name, TagLib::String::UTF8));
		TagLib::ID3v2::FrameList sub;
		sub.append(title);
		tag->addFrame(new TagLib::ID3v2::ChapterFrame(eid, to_ms(t->chapter_start[i]),
							    to_ms(t->chapter_end[i]), 0xFFFFFFFFu,
							    0xFFFFFFFFu, sub));
		ids.append(eid);
	}
	auto *toc = new TagLib::ID3v2::TableOfContentsFrame("toc", ids);
	toc->setIsTopLevel(true);
	toc->setIsOrdered(true);
	tag->addFrame(toc);
}

/* Vorbis comment chapters (the "CHAPTERxxx" convention players and ffmpeg read). */
void add_xiph_chapters(TagLib::Ogg::XiphComment *c, const struct bb_tags *t)
{
	for (size_t i = 0; i < t->nchapters; i++) {
		char key[32], name[40], when[40];
		std::snprintf(key, sizeof key, "CHAPTER%03zu", i + 1);
		std::snprintf(name, sizeof name, "%sNAME", key);
		unsigned int ms = to_ms(t->chapter_start[i]);
		std::snprintf(when, sizeof when, "%02u:%02u:%02u.%03u", ms / 3600000u,
			      ms / 60000u % 60u, ms / 1000u % 60u, ms % 1000u);
		const char *title = t->chapter_titles && t->chapter_titles[i] ? t->chapter_titles[i] : "";
		c->addField(key, TagLib::String(when, TagLib::String::UTF8), true);
		c->addField(name, TagLib::String(title, TagLib::String::UTF8), true);
	}
}

void put_u32le(TagLib::ByteVector &v, unsigned long x)
{
	for (int i = 0; i < 4; i++)
		v.append(static_cast<char>((x >> (8 * i)) & 0xFF));
}

/* A WAV file that can add a chunk of its own (RIFF::File keeps that protected). */
class Wav : public TagLib::RIFF::WAV::File {
public:
	explicit Wav(const char *path) : TagLib::RIFF::WAV::File(path, false) {}

	/* LIST/adtl: one labl (cue point id, text, NUL, padded to even) a cue point. */
	void add_labels(const char *const *labels, size_t n)
	{
		TagLib::ByteVector list("adtl");
		for (size_t i = 0; i < n; i++) {
			const char *s = labels[i] ? labels[i] : "";
			size_t len = std::strlen(s) + 1;
			list.append(TagLib::ByteVector("labl"));
			put_u32le(list, 4 + len);
			put_u32le(list, i + 1);
			list.append(TagLib::ByteVector(s, static_cast<unsigned int>(len)));
			if (len & 1)
				list.append('\0');
		}
		setChunkData("LIST", list, true);
	}
};

} // namespace

extern "C" int bb_tags_write(const char *path, int wav, const struct bb_tags *t, char *msg,
			     size_t msgsz)
{
	try {
		if (wav) {
			Wav f(path);
			if (!f.isValid() || f.readOnly()) {
				std::snprintf(msg, msgsz, "TagLib cannot open it as WAV");
				return -1;
			}
			if (t->labels && t->nlabels)
				f.add_labels(t->labels, t->nlabels);
			fill(f.ID3v2Tag(), t);
			if (!f.save(TagLib::RIFF::WAV::File::ID3v2, TagLib::File::StripNone,
				    TagLib::ID3v2::v4)) {
				std::snprintf(msg, msgsz, "TagLib cannot write its tags");
				return -1;
			}
			return 0;
		}
		TagLib::MPEG::File f(path, false);
		if (!f.isValid() || f.readOnly()) {
			std::snprintf(msg, msgsz, "TagLib cannot open it as MP3");
			return -1;
		}
		fill(f.ID3v2Tag(true), t);
		add_chapters(f.ID3v2Tag(true), t);
		if (!f.save(TagLib::MPEG::File::ID3v2, TagLib::File::StripOthers, TagLib::ID3v2::v4,
			    TagLib::File::DoNotDuplicate)) {
			std::snprintf(msg, msgsz, "TagLib cannot write its tags");
			return -1;
		}
		return 0;
	} catch (const std::exception &e) {
		std::snprintf(msg, msgsz, "TagLib: %s", e.what());
	} catch (...) {
		std::snprintf(msg, msgsz, "TagLib failed");
	}
	return -1;
}

/* The Xiph comment a file of each kind carries (FLAC: made when missing). */
static TagLib::Ogg::XiphComment *xiph_of(TagLib::FLAC::File &f)
{
	return f.xiphComment(true);
}

template <class File> static TagLib::Ogg::XiphComment *xiph_of(File &f)
{
	return f.tag();
}

/* Opens the FLAC, Opus or Vorbis file at path, adds the chapter comments, saves it. */
template <class File> static bool save_xiph_chapters(const char *path, const struct bb_tags *t)
{
	File f(path, false);
	TagLib::Ogg::XiphComment *x = xiph_of(f);
	if (!f.isValid() || f.readOnly() || !x)
		return false;
	add_xiph_chapters(x, t);
	return f.save();
}

extern "C" int bb_tags_write_xiph(const char *path, const char *format, const struct bb_tags *t,
				  char *msg, size_t msgsz)
{
	try {
		bool ok = !std::strcmp(format, "flac")
				  ? save_xiph_chapters<TagLib::FLAC::File>(path, t)
			  : !std::strcmp(format, "opus")
				  ? save_xiph_chapters<TagLib::Ogg::Opus::File>(path, t)
				  : save_xiph_chapters<TagLib::Ogg::Vorbis::File>(path, t);
		if (!ok) {
			std::snprintf(msg, msgsz, "TagLib cannot write its chapters as %s", format);
			return -1;
		}
		return 0;
	} catch (const std::exception &e) {
		std::snprintf(msg, msgsz, "TagLib: %s", e.what());
	} catch (...) {
		std::snprintf(msg, msgsz, "TagLib failed");
	}
	return -1;
}
