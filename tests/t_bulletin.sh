#!/bin/sh
# bobao bulletin: a programme from a rundown: order, gaps, one loudness over the whole, a
# labelled cue per story, rundown and chapters JSON, --max-duration and --fit, bad rundown
# lines. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$(pwd)/$BUILD/bobao
AC=$(pwd)/$BUILD/audio_check
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
D=$tmp/news
mkdir "$D" "$D/out"
cp tests/data/bulletin/*.txt "$D/"

error_names() { # error_names DESCRIPTION TEXT: the error is one line holding TEXT
	if [ "$(wc -l <"$tmp/err")" = 1 ] && grep -qF -- "$2" "$tmp/err"; then ok
	else bad "$1: want one line with '$2', got: $(cat "$tmp/err")"; fi
}
near() { # near A B TOLERANCE
	awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}
# audio: a stereo 44.1 kHz intro and outro, a 48 kHz mono FLAC sting
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:duration=1.5" -ar 44100 -ac 2 \
	"$D/intro.wav" || bad "ffmpeg cannot make the intro"
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=880:duration=0.5" -ar 48000 \
	"$D/sting.flac" || bad "ffmpeg cannot make the sting"
cp "$D/intro.wav" "$D/outro.wav"
cat >"$D/rundown.txt" <<'EOF'
# morning bulletin
title: 早间新闻
intro: intro.wav
gap: 800

economy.txt
sting: sting.flac
weather.txt
sport.txt
outro: outro.wav
EOF

# --- the programme
status_is 0 "bulletin" $B bulletin -q "$D/rundown.txt" -o "$D/out/b.wav" --json --vtt --srt
O=$D/out
for f in b.wav b.json b.vtt b.srt b.rundown.json b.chapters.json; do
	check "bulletin writes $f" test -s "$O/$f"
done
check "no temporary file left" sh -c "[ \$(ls -A $O | grep -c '^\\.') = 0 ]"
"$AC" "$O/b.wav" "$O/b.json" >"$tmp/info" 2>&1
val() { sed -n "s/^$1=//p" "$tmp/info"; }
check "48000 Hz mono" sh -c "grep -q '^rate=48000$' $tmp/info && grep -q '^channels=1$' $tmp/info"
check "loudness of the whole programme -23 LUFS (got $(val integrated))" near "$(val integrated)" -23 0.3
check "true peak at most -1 dBTP (got $(val true_peak))" awk "BEGIN { exit !($(val true_peak) <= -1.0) }"
check "manifest loudness is the file's" near "$(val manifest_integrated)" "$(val integrated)" 0.3
check "one cue per story" test "$(val cues)" = 3
check "silence between items is digital silence" test "$(val gaps_not_silent)" = 0
check "manifest title is the rundown's" test "$(jq -r .title "$O/b.json")" = 早间新闻
check "LIST/INFO title is the rundown's" test "$(val tag_title)" = 早间新闻
check "bext description is ASCII" test "$(val bext_description_ascii)" = 1

R=$O/b.rundown.json
check "rundown: intro, story, sting, story, sting, story, outro" test \
	"$(jq -r '[.items[].kind] | join(",")' "$R")" = intro,story,sting,story,sting,story,outro
check "rundown: stories in order with their lines" test \
	"$(jq -r '[.items[] | select(.kind == "story") | "\(.line):\(.source)"] | join(",")' "$R")" \
	= 6:economy.txt,8:weather.txt,9:sport.txt
check "rundown: story titles" test \
	"$(jq -r '[.items[] | select(.kind == "story") | .title] | join(",")' "$R")" \
	= "一季度经济运行稳中有进,明天全市有小雨,市队2比1战胜对手"
check "rundown: items in time order, none overlapping" jq -e \
	'[.items[] | [.start, .start + .length]] | . as $s | all(range(1; length); $s[.][0] >= $s[. - 1][1]) and all(.[]; .[1] > .[0])' "$R"
check "rundown: 800 ms from the intro's end to the first story" jq -e \
	'(.items[1].start - .items[0].start - .items[0].length) | . > 0.799 and . < 0.801' "$R"
check "rundown: intro 1.5 s long, resampled from 44.1 kHz" jq -e \
	'.items[0].length | . > 1.49 and . < 1.51' "$R"
check "rundown: duration is the file's" near "$(jq .duration "$R")" "$(val duration)" 0.002
check "rundown: each story starts at its heading in the manifest" test \
	"$(jq -c '[.items[] | select(.kind == "story") | .start]' "$R")" = \
	"$(jq -c '[.sentences[] | select(.kind == "heading") | .start]' "$O/b.json")"
check "rundown: each story ends at its last sentence's end" jq -e --slurpfile m "$O/b.json" \
	'[.items[] | select(.kind == "story") | .start + .length] == ($m[0].sentences as $s | [range(0; $s | length) | select($s[.].kind != "title" and $s[.].kind != "clip" and (. + 1 == ($s | length) or $s[. + 1].kind == "clip" or $s[. + 1].kind == "heading")) | $s[.].end])' "$R"
# a cue's start inside a clip (intro, sting, outro) would be a subtitle for music
check "subtitles: no cue for the intro, stings and outro" awk -v clips="$(jq -r \
	'[.sentences[] | select(.kind == "clip") | "\(.start) \(.end)"] | join(",")' "$O/b.json")" '
	function secs(t, p) { split(t, p, ":"); return p[1] * 3600 + p[2] * 60 + p[3] }
	BEGIN { n = split(clips, c, ",") }
	/-->/ { cues++; s = secs($1); for (i = 1; i <= n; i++) { split(c[i], r, " ")
		if (s >= r[1] && s < r[2]) bad++ } }
	END { exit !(cues > 0 && !bad) }' "$O/b.vtt"

C=$O/b.chapters.json
check "chapters: JSON chapters 1.2" test "$(jq -r .version "$C")" = 1.2.0
check "chapters: one per story, at its start" test \
	"$(jq -c '[.chapters[] | [.startTime, .title]]' "$C")" = \
	"$(jq -c '[.items[] | select(.kind == "story") | [.start, .title]]' "$R")"
# the cues: at the stories' first samples, labelled with their titles (LIST adtl labl)
python3 - "$O/b.wav" >"$tmp/cues" <<'EOF' || bad "cannot read the WAV's chunks"
import struct, sys
d = open(sys.argv[1], 'rb').read()
assert d[:4] == b'RIFF' and struct.unpack('<I', d[4:8])[0] == len(d) - 8, 'RIFF size'
i, cues, labels = 12, {}, {}
while i + 8 <= len(d):
    cid, sz = d[i:i + 4], struct.unpack('<I', d[i + 4:i + 8])[0]
    body = d[i + 8:i + 8 + sz]
    if cid == b'cue ':
        for k in range(struct.unpack('<I', body[:4])[0]):
            ident, pos = struct.unpack('<II', body[4 + 24 * k:12 + 24 * k])
            cues[ident] = pos
    if cid == b'LIST' and body[:4] == b'adtl':
        j = 4
        while j < len(body):
            sid, ssz = body[j:j + 4], struct.unpack('<I', body[j + 4:j + 8])[0]
            if sid == b'labl':
                ident = struct.unpack('<I', body[j + 8:j + 12])[0]
                labels[ident] = body[j + 12:j + 8 + ssz].rstrip(b'\0').decode()
            j += 8 + ssz + (ssz & 1)
    i += 8 + sz + (sz & 1)
for ident in sorted(cues):
    print('%.3f %s' % (cues[ident] / 48000, labels.get(ident, '?')))
EOF
check "WAV cues: labelled with the story titles at the chapters' times" test "$(cat "$tmp/cues")" = \
	"$(jq -r '.chapters[] | "\(.startTime * 1000 | round / 1000 | tostring | if test("\\.") then . else . + ".0" end) \(.title)"' "$C" |
	awk '{ printf "%.3f %s\n", $1, $2 }')"

# each story sounds in the bulletin as it sounds alone: the same speech, one gain
status_is 0 "speak one story alone" $B speak -q "$D/weather.txt" -o "$tmp/alone.wav" --json
check "a story is as long in the bulletin as alone (speech from first to last sound)" near \
	"$(jq '.items[3].length' "$R")" \
	"$(jq '.sentences[-1].end - .sentences[0].start' "$tmp/alone.json")" 0.002

# one gain for the whole: the intro and a story come out at the manifest's one gain
python3 - "$O/b.wav" "$D/intro.wav" "$tmp/alone.wav" "$O/b.json" "$tmp/alone.json" "$R" \
	>"$tmp/gains" <<'EOF' || bad "cannot compare the gains"
import array, json, math, sys, wave
def pcm(path):
    w = wave.open(path)
    a = array.array('h', w.readframes(w.getnframes()))
    ch = w.getnchannels()
    return ([sum(a[i:i + ch]) / ch for i in range(0, len(a), ch)] if ch > 1 else a), w.getframerate()
def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x))
b, rate = pcm(sys.argv[1])
intro, _ = pcm(sys.argv[2])
alone, _ = pcm(sys.argv[3])
mb, ma = json.load(open(sys.argv[4])), json.load(open(sys.argv[5]))
items = json.load(open(sys.argv[6]))['items']
i0 = round(items[0]['start'] * rate)
got = 20 * math.log10(rms(b[i0 + 4800:i0 + 60000]) / rms(intro[4410:55125]))
print('intro %.3f %.3f' % (got, mb['loudness']['gain']))
s0, a0 = round(items[3]['start'] * rate), round(ma['sentences'][0]['start'] * rate)
n = round(items[3]['length'] * rate)
got = 20 * math.log10(rms(b[s0:s0 + n]) / rms(alone[a0:a0 + n]))
print('story %.3f %.3f' % (got, mb['loudness']['gain'] - ma['loudness']['gain']))
EOF
while read -r what got want; do
	check "one gain: the $what comes out at the programme's gain ($got dB, want $want)" \
		near "$got" "$want" 0.05
done <"$tmp/gains"
check "one gain: two parts compared" test "$(wc -l <"$tmp/gains")" = 2

# FLAC, the folder form of -o, the default name
status_is 0 "bulletin --format flac -o FOLDER" $B bulletin -q "$D/rundown.txt" -o "$O" --format flac
check "-o FOLDER names the file after the rundown" test -s "$O/rundown.flac"
"$AC" "$O/rundown.flac" >"$tmp/info" 2>&1
check "FLAC bulletin at -23 LUFS too (got $(val integrated))" near "$(val integrated)" -23 0.3
# the same chapters in every format: the stories (FLAC: CHAPTERxxx comments), as ffprobe reads them
check "FLAC bulletin: a chapter per story, titled, at its start (chapters.json)" test "$(ffprobe -v error \
	-show_chapters -of json "$O/rundown.flac" | jq -r '.chapters[] | "\(.start_time) \(.tags.title)"' |
	awk '{ printf "%.3f %s\n", $1, $2 }')" = "$(jq -r '.chapters[] | "\(.startTime) \(.title)"' "$C" |
	awk '{ printf "%.3f %s\n", $1, $2 }')"

# --- --max-duration and --fit
full=$(jq .duration "$R")
short=$(jq '.duration - .items[5].length - 2' "$R") # without sport, its sting and gaps: fits
rm -f "$O"/*
status_is 65 "over --max-duration" $B bulletin -q "$D/rundown.txt" -o "$O/b.wav" --max-duration "$short"
error_names "over --max-duration" "over --max-duration"
check "over --max-duration writes nothing" test -z "$(ls -A "$O")"
status_is 0 "--fit" $B bulletin -q "$D/rundown.txt" -o "$O/b.wav" --max-duration "$short" --fit
error_names "--fit warns of the dropped story" "rundown.txt:9: warning: sport.txt dropped"
check "--fit: the last story dropped, and the sting before it" test \
	"$(jq -r '[.items[].kind] | join(",")' "$R")" = intro,story,sting,story,outro
check "--fit: the dropped story listed" test "$(jq -r '.dropped[0].source' "$R")" = sport.txt
check "--fit: within --max-duration" awk "BEGIN { exit !($(jq .duration "$R") <= $short) }"
check "--fit: the file is as long as the rundown says" near \
	"$("$AC" "$O/b.wav" | sed -n 's/^duration=//p')" "$(jq .duration "$R")" 0.002
check "--fit: two cues" test "$("$AC" "$O/b.wav" | sed -n 's/^cues=//p')" = 2
status_is 0 "a long enough --max-duration (M:SS)" $B bulletin -q "$D/rundown.txt" -o "$O/c.wav" \
	--max-duration 10:00
check "nothing dropped when it fits" test "$(jq '.dropped | length' "$O/c.rundown.json")" = 0
check "max_duration recorded" test "$(jq .max_duration "$O/c.rundown.json")" = 600
status_is 64 "--fit without --max-duration" $B bulletin "$D/rundown.txt" --fit
status_is 64 "malformed --max-duration" $B bulletin "$D/rundown.txt" --max-duration 1:xx
status_is 64 "no rundown" $B bulletin
status_is 64 "unknown option" $B bulletin --bogus "$D/rundown.txt"
error_names "unknown option named" "--bogus"

# --- bad rundown lines: one line naming the rundown and the line, nothing written
rm -rf "$O"; mkdir "$O"
bad_rundown() { # bad_rundown CODE DESCRIPTION TEXT-IN-ERROR LINES...
	code=$1 d=$2 text=$3; shift 3
	printf '%s\n' "$@" >"$D/bad.txt"
	status_is "$code" "$d" $B bulletin -q "$D/bad.txt" -o "$O/x.wav"
	error_names "$d" "$text"
	check "$d: nothing written" test -z "$(ls -A "$O")"
}
bad_rundown 65 "unknown directive" "bad.txt:2: unknown directive 'music:'" economy.txt "music: a.wav"
bad_rundown 65 "gap not a number" "bad.txt:3: gap: needs milliseconds" "# c" economy.txt "gap: soon"
bad_rundown 65 "negative gap" "bad.txt:1: gap: needs milliseconds" "gap: -5" economy.txt
bad_rundown 65 "directive without value" "bad.txt:1: 'intro:' needs a value" "intro:" economy.txt
bad_rundown 65 "second intro" "bad.txt:3: a second intro: (the first is on line 1)" \
	"intro: intro.wav" economy.txt "intro: intro.wav"
bad_rundown 65 "second title" "bad.txt:2: a second title:" "title: a" "title: b" economy.txt
bad_rundown 66 "missing article" "bad.txt:2: nowhere.txt: No such file or directory" \
	economy.txt nowhere.txt
bad_rundown 66 "missing sting" "bad.txt:2: gone.wav: No such file or directory" economy.txt \
	"sting: gone.wav" weather.txt
bad_rundown 66 "a folder as an article" "bad.txt:1: out: is a folder" out
bad_rundown 65 "no story" "bad.txt: no story in the rundown" "title: x" "# nothing"
printf '\001\002\003\000\000\377\200binary\000\000\001' >"$D/binary.txt"
bad_rundown 65 "an article that is not text" "bad.txt:2: binary.txt:" economy.txt binary.txt
bad_rundown 65 "an intro that is not audio" "bad.txt:1: " "intro: economy.txt" weather.txt
check "an intro that is not audio: says so" grep -q "not an audio file" "$tmp/err"
printf 'economy.txt\n\377bad\n' >"$D/bad.txt"
status_is 65 "a rundown line not UTF-8" $B bulletin -q "$D/bad.txt" -o "$O/x.wav"
error_names "a rundown line not UTF-8" "bad.txt:2: not UTF-8 text"
printf '\357\273\277title: 午间\r\nweather.txt\r\n' >"$D/crlf.txt"
status_is 0 "a rundown with a byte order mark and CRLF lines" $B bulletin -q "$D/crlf.txt" -o "$O/crlf.wav"
check "a rundown with a byte order mark and CRLF lines: its title" \
	test "$(jq -r .title "$O/crlf.rundown.json")" = 午间
rm -f "$O"/crlf.*
status_is 66 "missing rundown" $B bulletin -q "$D/none.txt" -o "$O/x.wav"
error_names "missing rundown" "none.txt: cannot open"
check "no temporary file left after failures" test -z "$(ls -A "$O")"

finish bulletin
