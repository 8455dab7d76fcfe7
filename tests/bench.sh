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

echo "== peak memory (max RSS) against the article's size, up to the default --max-size (16 MiB)"
# the sample's body repeated; speak measured over its first 20 s (the script is built, the
# synthesis under way: what is held for the whole article is held by then), text and proof
# to their end
for mib in 1 4 16; do
	tail -n +2 "$S" >"$tmp/body"
	copies=$((mib * 1048576 / $(wc -c <"$tmp/body") - 1))
	{ head -n 1 "$S"; echo; i=0
	  while [ $i -lt $copies ]; do cat "$tmp/body"; i=$((i + 1)); done; } >"$tmp/big.txt"
	bytes=$(wc -c <"$tmp/big.txt")
	text=$(/usr/bin/time -f %M "$BUILD/bobao" text "$tmp/big.txt" 2>&1 >/dev/null | tail -n 1)
	proof=$(/usr/bin/time -f %M "$BUILD/bobao" proof --format tsv "$tmp/big.txt" 2>&1 >/dev/null |
		tail -n 1)
	speak=$(/usr/bin/time -f %M timeout 20 "$BUILD/bobao" speak -q "$tmp/big.txt" \
		-o "$tmp/big.wav" 2>&1 | tail -n 1)
	printf '%9d bytes: text %6d KB, proof %6d KB, speak %6d KB (first 20 s)   (goal: speak of 16 MiB under 256 MB)\n' \
		"$bytes" "$text" "$proof" "$speak"
done
rm -f "$tmp/big.txt" "$tmp/big.wav" "$tmp/body"

echo "== normalize against the peer cases of WeTextProcessing (../shared/peers/wetext.tsv)"
sh tests/wetext.sh ../shared/peers/wetext.tsv | tail -n 40

for b in tests/bench_*.sh; do
	[ -f "$b" ] && echo "== $b" && sh "$b"
done
