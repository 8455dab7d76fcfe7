#!/bin/sh
# Chapters in every audio format (--chapters heading|paragraph|sentence), read back with ffprobe:
# WAV cues (cue + LIST/adtl labl), MP3 ID3v2 CHAP + CTOC, FLAC/Ogg/Opus CHAPTERxxx comments.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
B=$BUILD/bobao
ART=tests/data/chapters.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$B" ] || ! command -v ffprobe >/dev/null || ! command -v jq >/dev/null; then
	echo "chapters: $B, ffprobe or jq is missing (run make deps all)"
	echo "chapters: 0 passed, 1 failed"
	exit 1
fi

# chapters FILE: one line a chapter, "START END TITLE", as ffprobe reads them
chapters() { ffprobe -v error -show_chapters -of json "$1" |
	jq -r '.chapters[] | "\(.start_time) \(.end_time) \(.tags.title)"'; }
# want MANIFEST JQ_FILTER: "START TITLE" of the sentences the filter keeps
want() { jq -r ".sentences | $2 | .[] | \"\(.start) \(.text)\"" "$1"; }
# same_chapters GOT WANT: same count and titles in order, starts within 1 ms
same_chapters() {
	[ "$(wc -l <"$1")" = "$(wc -l <"$2")" ] && [ -s "$2" ] &&
		[ "$(cut -d' ' -f3- "$1")" = "$(cut -d' ' -f2- "$2")" ] &&
		paste -d' ' "$1" "$2" | awk '{ d = $1 - $4; if (d < 0) d = -d; if (d > 0.0011) bad = 1 }
			END { exit bad }'
}
# ends_follow GOT: each chapter ends where the next starts
ends_follow() { awk 'NR > 1 && $1 != end { bad = 1 } { end = $2 } END { exit bad }' "$1"; }

# ---- the default: a chapter at the title and at each heading, in every format ----
heads='map(select(.kind == "title" or .kind == "heading"))'
for f in wav mp3 flac ogg opus; do
	"$B" speak -q "$ART" -o "$tmp/a.$f" --json
	check "$f: speak exits 0" test $? = 0
	chapters "$tmp/a.$f" >"$tmp/got.$f"
	want "$tmp/a.json" "$heads" >"$tmp/want.$f"
	check "$f: a chapter at the title and each heading, titled, at its start ($(tr '\n' '|' <"$tmp/got.$f"))" \
		same_chapters "$tmp/got.$f" "$tmp/want.$f"
	check "$f: chapters end where the next begins" ends_follow "$tmp/got.$f"
done
check "three chapters (title and two headings)" test "$(wc -l <"$tmp/got.mp3")" = 3
last_end=$(tail -n 1 "$tmp/got.mp3" | cut -d' ' -f2)
check "mp3: the last chapter ends with the audio ($last_end)" awk -v e="$last_end" \
	-v d="$(jq .duration "$tmp/a.json")" 'BEGIN { d -= e; exit !(d < 0.002 && d > -0.002) }'

# MP3: one top-level, ordered CTOC listing chp1..chp3 (ID3v2.4 frame, syncsafe size)
python3 - "$tmp/a.mp3" >"$tmp/ctoc" <<'EOF' || bad "mp3: cannot read the ID3v2 tag"
import sys
d = open(sys.argv[1], 'rb').read()
assert d[:3] == b'ID3' and d[3] == 4, 'ID3v2.4'
size = (d[6] << 21) | (d[7] << 14) | (d[8] << 7) | d[9]
i, tocs, chaps = 10, [], 0
while i + 10 <= 10 + size and d[i] != 0:
    fid = d[i:i + 4]
    fsz = (d[i + 4] << 21) | (d[i + 5] << 14) | (d[i + 6] << 7) | d[i + 7]
    body = d[i + 10:i + 10 + fsz]
    if fid == b'CHAP':
        chaps += 1
    if fid == b'CTOC':
        eid, rest = body.split(b'\0', 1)
        flags, count = rest[0], rest[1]
        kids = rest[2:].split(b'\0')[:count]
        tocs.append('%s %d %s' % (eid.decode(), flags & 3, ','.join(k.decode() for k in kids)))
    i += 10 + fsz
print(chaps, '|'.join(tocs))
EOF
check "mp3: 3 CHAP frames, one CTOC, top-level and ordered ($(cat "$tmp/ctoc"))" \
	test "$(cat "$tmp/ctoc")" = "3 toc 3 chp1,chp2,chp3"
check "mp3: still one ID3v2.4 tag with its title" test \
	"$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 "$tmp/a.mp3")" = "城市绿道今天开放"
check "flac: its own tags kept beside the chapters" test \
	"$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 "$tmp/a.flac")" = "城市绿道今天开放"
check "opus: its own tags kept beside the chapters" test \
	"$(ffprobe -v error -show_entries stream_tags=title -of csv=p=0 "$tmp/a.opus")" = "城市绿道今天开放"
for f in flac ogg opus; do
	check "$f: decodes whole after the chapters were added" \
		ffmpeg -v error -nostdin -i "$tmp/a.$f" -f null -
done

# ---- --chapters paragraph and sentence ----
paras='[group_by(.paragraph)[] | .[0]] | sort_by(.start)'
for f in wav mp3 ogg; do
	"$B" speak -q "$ART" -o "$tmp/p.$f" --json --chapters paragraph
	chapters "$tmp/p.$f" >"$tmp/got"
	want "$tmp/p.json" "$paras" >"$tmp/want"
	check "$f --chapters paragraph: one a paragraph ($(wc -l <"$tmp/got"))" same_chapters "$tmp/got" "$tmp/want"
	"$B" speak -q "$ART" -o "$tmp/s.$f" --json --chapters sentence
	chapters "$tmp/s.$f" >"$tmp/got"
	want "$tmp/s.json" '.' >"$tmp/want"
	check "$f --chapters sentence: one a sentence ($(wc -l <"$tmp/got"))" same_chapters "$tmp/got" "$tmp/want"
done
check "paragraph chapters: 6" test "$(chapters "$tmp/p.mp3" | wc -l)" = 6
check "sentence chapters: 9" test "$(chapters "$tmp/s.mp3" | wc -l)" = 9

# an article without headings: its heading chapters are its paragraphs
printf '江边夜景\n\n滨江绿道的灯光今晚点亮。\n\n市民可以步行到江边观景台。\n' >"$tmp/flat.txt"
"$B" speak -q "$tmp/flat.txt" -o "$tmp/flat.mp3" --json
chapters "$tmp/flat.mp3" >"$tmp/got"
want "$tmp/flat.json" "$paras" >"$tmp/want"
check "no headings: a chapter a paragraph ($(wc -l <"$tmp/got"))" same_chapters "$tmp/got" "$tmp/want"
check "no headings: 3 chapters" test "$(wc -l <"$tmp/got")" = 3

# a title read as two sentences is one chapter, titled with its whole text
printf '暴雨来袭！全市停课\n\n今天全市中小学停课一天。\n\n交通情况\n\n地铁照常运营。\n' >"$tmp/two.txt"
"$B" speak -q "$tmp/two.txt" -o "$tmp/two.ogg" --json
check "a title of two sentences: one chapter with its whole text ($(chapters "$tmp/two.ogg" | tr '\n' '|'))" \
	test "$(chapters "$tmp/two.ogg" | cut -d' ' -f3- | tr '\n' '|')" = "暴雨来袭！全市停课|交通情况|"
check "a title of two sentences: its chapter at the first one's start" awk \
	-v a="$(chapters "$tmp/two.ogg" | head -n 1 | cut -d' ' -f1)" -v b="$(jq '.sentences[0].start' "$tmp/two.json")" \
	'BEGIN { d = a - b; exit !(a != "" && d < 0.0011 && d > -0.0011) }'

# ---- a bad value is a usage error, and nothing is written ----
mkdir "$tmp/bad"
"$B" speak -q "$ART" -o "$tmp/bad/x.mp3" --chapters chapter 2>"$tmp/err"
check "--chapters chapter: exit 64" test $? = 64
check "--chapters chapter: one line naming the values ($(cat "$tmp/err"))" test \
	"$(wc -l <"$tmp/err")" = 1 -a -n "$(grep 'heading, paragraph or sentence' "$tmp/err")"
check "--chapters chapter: nothing written" test -z "$(ls -A "$tmp/bad")"
"$B" text --chapters heading "$ART" >/dev/null 2>&1
check "text --chapters: exit 64" test $? = 64
"$B" batch --chapters "" "$tmp/in" "$tmp/bad" 2>/dev/null
check "batch --chapters '': exit 64" test $? = 64

# ---- bobao batch --chapters; a changed setting converts again ----
mkdir "$tmp/in"
cp "$ART" "$tmp/in/a.txt"
"$B" batch -q -j 1 --format mp3 "$tmp/in" "$tmp/out"
check "batch: exit 0" test $? = 0
chapters "$tmp/out/a.mp3" >"$tmp/got"
want "$tmp/out/a.json" "$heads" >"$tmp/want"
check "batch: heading chapters by default" same_chapters "$tmp/got" "$tmp/want"
"$B" batch -q -j 1 --format mp3 --chapters paragraph "$tmp/in" "$tmp/out"
check "batch --chapters paragraph: exit 0" test $? = 0
chapters "$tmp/out/a.mp3" >"$tmp/got"
want "$tmp/out/a.json" "$paras" >"$tmp/want"
check "batch --chapters paragraph: converted again, a chapter a paragraph ($(wc -l <"$tmp/got"))" \
	same_chapters "$tmp/got" "$tmp/want"

finish chapters
