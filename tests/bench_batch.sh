#!/bin/sh
# bobao batch: throughput against raw espeak-ng, no-change re-run, one-paragraph edit.
# SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
BUILD=${BUILD:-build}
case $BUILD in /*) B=$BUILD/bobao ;; *) B=$(pwd)/$BUILD/bobao ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
N=${N:-40}          # articles for the throughput runs
R=${R:-200}         # articles for the no-change re-run
CORES=$(nproc)
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc -l; }
fmt() { printf '%.3f' "$1"; }
min() { if [ -z "$1" ] || [ "$(echo "$2 < $1" | bc -l)" = 1 ]; then echo "$2"; else echo "$1"; fi; }

sample_paragraphs "$T/paras"
for i in $(seq 1 "$N"); do make_article "$T/in/d$((i % 4))/a$i.txt" "$i"; done

# Raw espeak-ng: exactly the text the pipeline sends it (the reading lines of `bobao proof`:
# pinyin with the article's punctuation, so the same pauses and clause intonation), at the
# preset's rate and pitch, one process per article, as a newsroom script would run it.
rate=$(sed -n 's/^rate *= *//p' voices/news.ini | head -n 1)
pitch=$(sed -n 's/^pitch *= *//p' voices/news.ini | head -n 1)
mkdir -p "$T/raw"
for f in $(find "$T/in" -name '*.txt'); do
	"$B" proof "$f" | sed -n 's/^\t//p' >"$T/raw/$(basename "$f")"
done
# This machine's speed varies from minute to minute, so the three runs alternate, ROUNDS
# times, and each keeps its best: the time the work needs, not the time it was kept waiting.
ROUNDS=${ROUNDS:-3}
raw_sum= j1= jn=
for round in $(seq 1 "$ROUNDS"); do
	sum=0
	for f in "$T"/raw/*.txt; do
		t=$(now)
		espeak-ng -v cmn-latn-pinyin ${rate:+-s "$rate"} ${pitch:+-p "$pitch"} -f "$f" -w "$T/raw.wav"
		sum=$(echo "$sum + $(since "$t")" | bc -l)
	done
	raw_sum=$(min "$raw_sum" "$sum")
	rm -rf "$T/out1" "$T/outn"
	t=$(now)
	"$B" batch -q -j 1 --no-cache "$T/in" "$T/out1"
	j1=$(min "$j1" "$(since "$t")")
	t=$(now)
	"$B" batch -q -j "$CORES" --no-cache "$T/in" "$T/outn"
	jn=$(min "$jn" "$(since "$t")")
done
raw_per_core=$(echo "$raw_sum / $CORES" | bc -l)
audio=$(cat $(find "$T/outn" -name '*.json') | jq -s 'map(.duration) | add')

echo "batch throughput, $N articles, $(fmt "$(echo "$audio / 60" | bc -l)") min of audio, $CORES cores (best of $ROUNDS):"
echo "  raw espeak-ng: $(fmt "$raw_sum") s summed over articles, $(fmt "$raw_per_core") s per core"
echo "  batch -j 1:    $(fmt "$j1") s ($(fmt "$(echo "$audio / $j1" | bc -l)")x real time)"
echo "  batch -j $CORES:    $(fmt "$jn") s ($(fmt "$(echo "$audio / $jn" | bc -l)")x real time," \
	"speed-up $(fmt "$(echo "$j1 / $jn" | bc -l)") over -j 1)"
echo "  -j $CORES against raw espeak-ng per core: $(fmt "$(echo "$jn / $raw_per_core" | bc -l)")x (goal <= 1.25)"

# A re-run with nothing changed over R articles.
for i in $(seq 1 "$R"); do make_article "$T/many/d$((i % 10))/m$i.txt" "$i"; done
"$B" batch -q "$T/many" "$T/manyout"
best=
for k in 1 2 3; do
	t=$(now)
	"$B" batch -q "$T/many" "$T/manyout"
	best=$(min "$best" "$(since "$t")")
done
echo "no-change re-run over $R articles: $(fmt "$best") s (best of 3; goal < 0.5 s)"

# One paragraph edited in the sample (29 paragraphs): redo time against the first conversion.
mkdir -p "$T/long"
cp samples/nantong-kaifaqu.txt "$T/long/article.txt"
t=$(now)
"$B" batch -q -j 1 "$T/long" "$T/longout"
first=$(since "$t")
# Best of 3 edits, each one paragraph, each new (the same word replaced by another).
best= was=开发区
for word in 经济开发区 新型开发区 国家级开发区; do
	sed -i "0,/$was/s//$word/" "$T/long/article.txt"
	was=$word
	t=$(now)
	"$B" batch -j 1 "$T/long" "$T/longout" 2>"$T/edit.err"
	best=$(min "$best" "$(since "$t")")
done
echo "one paragraph edited: $(fmt "$best") s (best of 3) against $(fmt "$first") s first," \
	"$(fmt "$(echo "100 * $best / $first" | bc -l)")% (goal <= 20%)"
sed -n 's/.*(\(.*sentences from the cache\)).*/  \1/p' "$T/edit.err"
