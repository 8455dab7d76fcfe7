#!/bin/sh
# make bench: time per stage, peak memory, and bobao against raw espeak-ng on the same
# article in the same run (median of 5, alternating). SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
S=${1:-samples/nantong-kaifaqu.txt}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
seconds() { # seconds COMMAND...: wall time of one run
	s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
	echo "$e - $s" | bc
}

echo "== stages ($S)"
"$BUILD/bench_stages" "$S" "$tmp/stages.wav" 20

echo "== bobao speak against raw espeak-ng -v cmn-latn-pinyin (median of 5, alternating)"
: >"$tmp/raw" && : >"$tmp/ours"
for i in 1 2 3 4 5; do
	seconds espeak-ng -v cmn-latn-pinyin -w "$tmp/raw.wav" -f "$S" >>"$tmp/raw"
	seconds "$BUILD/bobao" speak -q "$S" -o "$tmp/ours.wav" >>"$tmp/ours"
done
raw=$(median <"$tmp/raw") ours=$(median <"$tmp/ours")
printf 'espeak-ng %.3f s   bobao speak %.3f s   ratio %.2f (goal: at most 1.10 without mastering, 1.25 with)\n' \
	"$raw" "$ours" "$(echo "$ours / $raw" | bc -l)"

echo "== peak memory (max RSS)"
for cmd in "espeak-ng -v cmn-latn-pinyin -w $tmp/raw.wav -f $S" "$BUILD/bobao speak -q $S -o $tmp/ours.wav"; do
	/usr/bin/time -f "%M KB  $cmd" $cmd 2>&1 >/dev/null | tail -n 1
done

echo "== normalize against the peer cases of WeTextProcessing (../shared/peers/wetext.tsv)"
sh tests/wetext.sh ../shared/peers/wetext.tsv | tail -n 40

for b in tests/bench_*.sh; do
	[ -f "$b" ] && echo "== $b" && sh "$b"
done
