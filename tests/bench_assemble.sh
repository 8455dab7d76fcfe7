#!/bin/sh
# Assemble benchmark: whole-pipeline time against raw espeak-ng (median of 5, alternating) on the
# sample, and peak memory on a generated 60-minute article. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
B=$BUILD/bobao
ART=samples/nantong-kaifaqu.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$tmp/b" && : >"$tmp/e"
for i in 1 2 3 4 5; do
	t0=$(now); "$B" speak "$ART" -o "$tmp/x.wav" -q; t1=$(now)
	espeak-ng -v cmn-latn-pinyin -w "$tmp/e.wav" -f "$ART"; t2=$(now)
	echo "$t1 - $t0" | bc -l >>"$tmp/b"
	echo "$t2 - $t1" | bc -l >>"$tmp/e"
done
mb=$(median <"$tmp/b") me=$(median <"$tmp/e")
printf 'sample: bobao speak %.3f s, espeak-ng %.3f s, ratio %.2f (goal <= 1.25)\n' "$mb" "$me" \
	"$(echo "$mb / $me" | bc -l)"

# A 60-minute article: the sample's paragraphs repeated under one title.
{ head -n 1 "$ART"; echo; for i in 1 2 3 4 5 6 7; do tail -n +2 "$ART"; echo; done; } >"$tmp/long.txt"
/usr/bin/time -v "$B" speak "$tmp/long.txt" -o "$tmp/long.wav" -q 2>"$tmp/time.txt"
kb=$(awk -F: '/Maximum resident set size/ { gsub(/ /, "", $2); print $2 }' "$tmp/time.txt")
wall=$(awk '/Elapsed \(wall clock\)/ { print $NF }' "$tmp/time.txt")
dur=$(soxi -D "$tmp/long.wav" 2>/dev/null || echo "?")
[ -x "$BUILD/audio_check" ] && dur=$("$BUILD/audio_check" "$tmp/long.wav" | sed -n 's/^duration=//p')
printf 'long article: %s s of audio, %s wall, peak memory %.1f MB (goal <= 64)\n' "$dur" "$wall" \
	"$(echo "$kb / 1024" | bc -l)"
