/* tags: ID3v2.4 tags (TagLib) for MP3 and Broadcast WAV, and WAV cue labels; used by assemble.c only. SPDX-License-Identifier: GPL-3.0-or-later
 *
 * C++ because TagLib's C binding (1.13) can neither leave a WAV's LIST/INFO alone when it
 * writes an ID3v2 tag, nor write TDRC or TSSE, nor keep a Latin-1 ID3v1 copy out of an MP3. */
#include <cstdio>
#include <cstring>
#include <exception>

#include <commentsframe.h>
#include <id3v2tag.h>
#include <mpegfile.h>
#include <textidentificationframe.h>
#include <wavfile.h>

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
