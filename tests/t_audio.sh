#!/bin/sh
# Audio property tests: real outputs of `bobao speak` read back (audio_check: libsndfile, libebur128).
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
B=$BUILD/bobao
AC=$BUILD/audio_check
ART=samples/nantong-kaifaqu.txt
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

get() { grep "^$2=" "$1" | head -n 1 | cut -d= -f2-; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'; }
atmost() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }'; }
eq() { [ "$1" = "$2" ]; }

if [ ! -x "$B" ] || [ ! -x "$AC" ]; then
	echo "audio: $B or $AC is missing (run make)"
	echo "audio: 0 passed, 1 failed"
	exit 1
fi

# ---- news preset, WAV with all sidecars ----
# --chapters sentence: a cue per sentence (the default is a cue per heading, tests/t_chapters.sh)
"$B" speak "$ART" -o "$tmp/x.wav" --json --vtt --srt -q --chapters sentence
check "speak wav exits 0" eq $? 0
"$AC" "$tmp/x.wav" "$tmp/x.json" >"$tmp/x.txt" 2>&1
check "wav reads back" eq $? 0
r="$tmp/x.txt"
check "wav rate 48000" eq "$(get $r rate)" 48000
check "wav mono" eq "$(get $r channels)" 1
check "wav loudness -23 +-0.5 LU (got $(get $r integrated))" near "$(get $r integrated)" -23 0.5
check "wav true peak <= -1 dBTP (got $(get $r true_peak))" atmost "$(get $r true_peak)" -1
check "wav 6-14 minutes" awk -v d="$(get $r duration)" 'BEGIN { exit !(d >= 360 && d <= 840) }'
check "pauses are digital silence" eq "$(get $r gaps_not_silent)" 0
check "manifest times at sound edges" eq "$(get $r edges_without_sound)" 0
check "manifest times in order" eq "$(get $r times_out_of_order)" 0
check "manifest duration = audio duration" near "$(get $r manifest_duration)" "$(get $r duration)" 0.002
check "manifest loudness = measured" near "$(get $r manifest_integrated)" "$(get $r integrated)" 0.3
n=$(get $r manifest_sentences)
check "manifest has sentences" awk -v n="$n" 'BEGIN { exit !(n > 10) }'
check "bext chunk present" eq "$(get $r bext)" 1
# bext's Description is ASCII (ISO 646): the title as read, in pinyin
check "bext description is ASCII ($(get $r bext_description))" eq "$(get $r bext_description_ascii)" 1
check "bext description is the title in pinyin" \
	test "$(get $r bext_description | cut -c 1-18)" = "nan tong kai fa qu"
check "LIST/INFO title is the manifest's (UTF-8)" eq "$(get $r tag_title)" "$(jq -r .title "$tmp/x.json")"
check "bext originator" eq "$(get $r bext_originator)" "bobao $(sed -n 's/^#define BOBAO_VERSION "\(.*\)"/\1/p' pipeline/bobao.h)"
check "bext version 2" eq "$(get $r bext_version)" 2
check "bext date set" test -n "$(get $r bext_date)"
check "bext loudness field" near "$(get $r bext_loudness)" "$(get $r integrated)" 0.3
check "bext true peak field" near "$(get $r bext_true_peak)" "$(get $r true_peak)" 0.5
check "bext coding history" awk -v n="$(get $r bext_coding_history_size)" 'BEGIN { exit !(n > 10) }'
check "one cue per sentence" eq "$(get $r cues)" "$n"
# each cue point labelled (LIST/adtl labl) with its sentence's text
check "first cue labelled with the title ($(get $r cue_first_label))" \
	eq "$(get $r cue_first_label)" "$(jq -r '.sentences[0].text' "$tmp/x.json")"
last_text=$(jq -r '.sentences[-1].text' "$tmp/x.json")
last_label=$(get $r cue_last_label)
check "last cue labelled with its sentence ($last_label)" \
	test -n "$last_label" -a "${last_text#"$last_label"}" != "$last_text"
ref_x=$(get $r bext_originator_reference)
check "bext OriginatorReference 32 characters ($ref_x)" test ${#ref_x} = 32
for key in title source voice sample_rate duration loudness integrated true_peak range sentences \
	index kind paragraph text spoken start end; do
	check "manifest key $key" grep -q "\"$key\":" "$tmp/x.json"
done
check "manifest sentence text is the original (ASCII 4+2 kept)" grep -q '"text": ".*4+2' "$tmp/x.json"

# ---- subtitles: cues of at most 2 lines of at most 18 hanzi and about 7 s ----
check "vtt header" eq "$(head -n 1 "$tmp/x.vtt")" WEBVTT
ncue=$(grep -c -- ' --> ' "$tmp/x.vtt")
check "vtt at least one cue per sentence ($ncue for $n)" test "$ncue" -ge "$n"
check "vtt times well formed" test "$(grep -- ' --> ' "$tmp/x.vtt" |
	grep -cvE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} --> [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}$')" = 0
check "srt the same cues" eq "$(grep -c -- ' --> ' "$tmp/x.srt")" "$ncue"
check "srt times well formed" test "$(grep -- ' --> ' "$tmp/x.srt" |
	grep -cvE '^[0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3} --> [0-9]{2}:[0-9]{2}:[0-9]{2},[0-9]{3}$')" = 0
check "srt cues numbered 1..n" eq "$(awk 'prev == "" && /^[0-9]+$/ { c++; if ($0 != c) badn = 1 } { prev = $0 } END { print badn ? "bad" : c }' "$tmp/x.srt")" "$ncue"
# cue_lines FILE: the most text lines in one cue; wide_lines FILE: lines over 36 columns
# (18 hanzi), VTT class tags aside; long_cues FILE: cues over 7 s; cue_times FILE: the
# start and end of each cue in seconds
cue_lines() { awk '/ --> / { k = 0; inc = 1; next } /^$/ { inc = 0 } inc { k++; if (k > m) m = k } END { print m + 0 }' "$1"; }
wide_lines() {
	perl -CSD -ne 'chomp; next if /-->|^\d+$|^$|^WEBVTT/; s/<[^>]*>//g; my $w = 0;
		$w += (ord($_) >= 0x1100 ? 2 : 1) for split //; $n++ if $w > 36; END { print $n + 0 }' "$1"
}
cue_times() { awk '/ --> / { gsub(",", ".", $0); split($1, a, ":"); split($3, b, ":"); print a[1] * 3600 + a[2] * 60 + a[3], b[1] * 3600 + b[2] * 60 + b[3] }' "$1"; }
long_cues() { cue_times "$1" | awk '$2 - $1 > 7.0 { k++ } END { print k + 0 }'; }
for f in vtt srt; do
	check "$f cues of at most 2 lines" test "$(cue_lines "$tmp/x.$f")" -le 2
	check "$f lines of at most 18 hanzi" eq "$(wide_lines "$tmp/x.$f")" 0
	check "$f cues of at most 7 s" eq "$(long_cues "$tmp/x.$f")" 0
	check "$f cues in order, none overlapping" eq "$(cue_times "$tmp/x.$f" |
		awk '$1 < prev - 0.0005 || $2 < $1 { k++ } { prev = $2 } END { print k + 0 }')" 0
done
# never broken inside a number or a Latin word: no line ends and the next begins with one
check "no line break inside a number" eq "$(awk '/ --> / { last = ""; next } /^$/ { last = ""; next }
	{ if (last ~ /[0-9A-Za-z.,%]$/ && $0 ~ /^[0-9A-Za-z.,%]/) k++; last = $0 } END { print k + 0 }' "$tmp/x.srt")" 0
check "vtt title marked (class)" grep -q '^<c\.title>' "$tmp/x.vtt"
check "srt without VTT classes" test "$(grep -c '<c\.' "$tmp/x.srt")" = 0
# a crafted article: a heading; a word a plain wrap cut (重|要); a long
# number, much longer spoken than written, which the word events time
printf '%s\n\n%s\n\n%s\n\n%s\n' "调查通报" \
	"全市共有1234567890123户家庭参与了本次大型入户调查活动，调查结果将在下个月由市统计局正式对外公布，欢迎广大市民关注。" \
	"发布安排" "今天上午我们在这里召开了一场重要新闻发布会，向大家介绍有关情况和下一步的工作安排。" \
	>"$tmp/sub.txt"
"$B" speak "$tmp/sub.txt" -o "$tmp/sub.wav" --vtt --srt --json -q
check "speak crafted subtitles exits 0" eq $? 0
check "vtt heading marked (class)" grep -q '^<c\.heading>发布安排</c>$' "$tmp/sub.vtt"
check "no line break inside a word (重要)" test "$(grep -c '重$' "$tmp/sub.srt")" = 0
check "the long sentence cut into cues" test "$(grep -c -- ' --> ' "$tmp/sub.srt")" -ge 5
# the first cue of the long sentence ends where eSpeak says 参与 (word events), well after
# where its share of the written characters would put it (the number is 13 digits written,
# 27 syllables read)
s2=$(jq '.sentences[1].start' "$tmp/sub.json")
e2=$(jq '.sentences[1].end' "$tmp/sub.json")
c2=$(cue_times "$tmp/sub.srt" | sed -n 2p | cut -d' ' -f2)
check "cue timed by the word events ($c2 in $s2..$e2)" \
	awk -v s="$s2" -v e="$e2" -v c="$c2" 'BEGIN { exit !(c > s + 0.4 * (e - s) && c < e) }'
check "every cue has text" test "$(awk '/ --> / { getline t; if (t == "") e++ } END { print e + 0 }' "$tmp/x.srt")" = 0

# ---- ffmpeg's own EBU R 128 meter ----
# ff_meter FILE: ffmpeg's ebur128 summary and readings into $tmp/ff.txt; fi fp fm fs fl: its
# integrated, true peak, loudest momentary and short-term (numeric readings only), range
ff_meter() {
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - >"$tmp/ff.txt" 2>&1
	fi=$(awk '/^ +I:/ { v = $2 } END { print v }' "$tmp/ff.txt")
	fp=$(awk '/^ +Peak:/ { v = $2 } END { print v }' "$tmp/ff.txt")
	fm=$(awk '/^\[Parsed_ebur128.* M: / { for (i = 1; i < NF; i++) if ($i == "M:" && $(i + 1) ~ /^-?[0-9.]+$/ && (m == "" || $(i + 1) + 0 > m + 0)) m = $(i + 1) } END { print m }' "$tmp/ff.txt")
	fs=$(awk '/^\[Parsed_ebur128.* S: / { for (i = 1; i < NF; i++) if ($i == "S:" && $(i + 1) ~ /^-?[0-9.]+$/ && (m == "" || $(i + 1) + 0 > m + 0)) m = $(i + 1) } END { print m }' "$tmp/ff.txt")
	fl=$(awk '/^ +LRA:/ { v = $2 } END { print v }' "$tmp/ff.txt")
}
# ff_fields LABEL MANIFEST: the manifest's loudest 400 ms and 3 s, and its range, against
# ffmpeg's own readings of the file last metered
ff_fields() {
	jm=$(jq .loudness.max_momentary "$2")
	js=$(jq .loudness.max_short_term "$2")
	jl=$(jq .loudness.range "$2")
	check "$1 manifest max momentary $jm = ffmpeg's $fm +-0.3" near "$jm" "$fm" 0.3
	check "$1 manifest max short-term $js = ffmpeg's $fs +-0.3" near "$js" "$fs" 0.3
	check "$1 manifest loudness range $jl = ffmpeg's $fl +-0.5" near "$jl" "$fl" 0.5
}
have_ffmpeg=0
command -v ffmpeg >/dev/null 2>&1 && have_ffmpeg=1
if [ $have_ffmpeg = 1 ]; then
	ff_meter "$tmp/x.wav"
	check "ffmpeg ebur128 integrated -23 +-0.5 (got $fi)" near "$fi" -23 0.5
	check "ffmpeg ebur128 true peak <= -1 (got $fp)" atmost "$fp" -1
	ff_fields news "$tmp/x.json"
else
	echo "audio: ffmpeg not installed: independent EBU R 128 cross-check skipped"
fi

# ---- podcast preset: -16 LUFS, limiter keeps the true peak under -1 dBTP ----
"$B" speak "$ART" -o "$tmp/p.wav" --voice podcast --json -q
check "speak podcast exits 0" eq $? 0
"$AC" "$tmp/p.wav" "$tmp/p.json" >"$tmp/p.txt" 2>&1
r="$tmp/p.txt"
check "podcast loudness -16 +-0.2 LU (got $(get $r integrated))" near "$(get $r integrated)" -16 0.2
# the limiter's loss is estimated at the final gain: the manifest tells the truth
check "podcast manifest loudness as measured +-0.1 LU ($(get $r manifest_integrated), $(get $r integrated))" \
	near "$(get $r manifest_integrated)" "$(get $r integrated)" 0.1
check "podcast true peak <= -1 dBTP (got $(get $r true_peak))" atmost "$(get $r true_peak)" -1
check "podcast pauses silent" eq "$(get $r gaps_not_silent)" 0
check "bext OriginatorReference unique per file ($ref_x, $(get $r bext_originator_reference))" \
	test -n "$ref_x" -a "$ref_x" != "$(get $r bext_originator_reference)"
if [ $have_ffmpeg = 1 ]; then
	# under the limiter the loudest blocks lose most: the fields are measured as limited
	ff_meter "$tmp/p.wav"
	ff_fields podcast "$tmp/p.json"
fi
# MP3: what the encoder takes off the loudness is made up (decoded by libsndfile and by
# ffmpeg)
"$B" speak "$ART" -o "$tmp/p.mp3" --voice podcast --json -q
check "speak podcast mp3 exits 0" eq $? 0
"$AC" "$tmp/p.mp3" "$tmp/p.json" >"$tmp/pm.txt" 2>&1
check "podcast mp3 loudness -16 +-0.3 LU (got $(get "$tmp/pm.txt" integrated))" \
	near "$(get "$tmp/pm.txt" integrated)" -16 0.3
if [ $have_ffmpeg = 1 ]; then
	ff_meter "$tmp/p.mp3"
	check "podcast mp3 ffmpeg loudness -16 +-0.3 LU (got $fi)" near "$fi" -16 0.3
	check "podcast mp3 ffmpeg true peak <= -1 dBTP (got $fp)" atmost "$fp" -1
fi

# ---- the other formats, by extension and by --format ----
# Each file's duration is checked against its own run's manifest, not the WAV run's: the
# other stages may change between two runs (a rebuild of normalize or pronounce while this
# runs once made the MP3 "differ" from the WAV by seconds). Lossless and Ogg formats must match
# to the sample's rounding; MP3 within one frame (1152 samples), for a decoder that does not
# honour the encoder delay and padding of the LAME header.
for f in flac ogg opus mp3; do
	"$B" speak "$ART" -o "$tmp/x.$f" --json -q
	check "speak $f exits 0" eq $? 0
	"$AC" "$tmp/x.$f" "$tmp/x.json" >"$tmp/$f.txt" 2>&1
	check "$f reads back" eq $? 0
	r="$tmp/$f.txt"
	check "$f rate 48000" eq "$(get $r rate)" 48000
	check "$f mono" eq "$(get $r channels)" 1
	tol=0.002
	[ "$f" = mp3 ] && tol=0.025
	check "$f duration matches its manifest ($(get $r duration) vs $(get $r manifest_duration))" \
		near "$(get $r duration)" "$(get $r manifest_duration)" $tol
	check "$f loudness -23 +-0.3 LU (got $(get $r integrated))" near "$(get $r integrated)" -23 0.3
	if [ $have_ffmpeg = 1 ] && [ $f = mp3 ]; then
		ff_meter "$tmp/x.$f"
		check "$f ffmpeg loudness -23 +-0.3 LU (got $fi)" near "$fi" -23 0.3
	fi
	check "$f title tag" test -n "$(get $r tag_title)"
	if [ $have_ffmpeg = 1 ]; then
		ffprobe -v error -show_entries format_tags:stream_tags -of default=nw=1 "$tmp/x.$f" \
			>"$tmp/tags.txt" 2>&1
		check "$f tags name the synthesizer" grep -q "eSpeak NG [0-9]" "$tmp/tags.txt"
		check "$f title tag is the manifest's" \
			grep -qxF "TAG:title=$(jq -r .title "$tmp/x.json")" "$tmp/tags.txt" -i
	fi
done
# MP3: one ID3v2.4 tag in UTF-8 (TagLib), the date in TDRC, no ID3v1 copy
check "mp3 tag is ID3v2.4" test "$(head -c 4 "$tmp/x.mp3" | od -An -tx1 | tr -d ' ')" = 49443304
check "mp3 has no ID3v1 tag" test "$(tail -c 128 "$tmp/x.mp3" | head -c 3)" != TAG
if [ $have_ffmpeg = 1 ]; then
	ffprobe -v error -show_entries format_tags -of default=nw=1 "$tmp/x.mp3" >"$tmp/tags.txt" 2>&1
	check "mp3 date tag is the date" grep -qE '^TAG:date=[0-9]{4}-[0-9]{2}-[0-9]{2}$' "$tmp/tags.txt"
	check "mp3 has no TYER" test "$(grep -c TYER "$tmp/tags.txt")" = 0
fi
if command -v mediainfo >/dev/null 2>&1; then
	title=$(jq -r .title "$tmp/x.json")
	check "mediainfo reads the mp3 title" eq "$(mediainfo --Output='General;%Track%' "$tmp/x.mp3")" "$title"
	check "mediainfo reads the wav title" eq "$(mediainfo --Output='General;%Track%' "$tmp/x.wav")" "$title"
	check "mediainfo reads the wav description (ASCII)" \
		eq "$(mediainfo --Output='General;%Description%' "$tmp/x.wav")" "$(get "$tmp/x.txt" bext_description)"
else
	echo "audio: mediainfo not installed: tag cross-check skipped"
fi
"$B" speak "$ART" -o "$tmp/y.audio" --format flac --json -q
check "--format flac exits 0" eq $? 0
"$AC" "$tmp/y.audio" "$tmp/y.json" >"$tmp/y.txt" 2>&1
check "--format flac pauses silent (lossless)" eq "$(get "$tmp/y.txt" gaps_not_silent)" 0

# ---- unwritable output folder: exit 73, nothing left ----
"$B" speak "$ART" -o "$tmp/missing/x.wav" --json -q 2>"$tmp/err.txt"
check "missing folder exits 73" eq $? 73
check "missing folder message names the path" grep -q "$tmp/missing/x.wav" "$tmp/err.txt"
mkdir "$tmp/ro"
chmod 555 "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	"$B" speak "$ART" -o "$tmp/ro/x.wav" --json --vtt --srt -q 2>/dev/null
	check "read-only folder exits 73" eq $? 73
else
	echo "audio: running as root: read-only folder case skipped (root writes anyway)"
fi
check "read-only folder left empty" test -z "$(ls -A "$tmp/ro")"
check "no temporary files left" test -z "$(ls -A "$tmp" | grep '^\.')"

finish audio
