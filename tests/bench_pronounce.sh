#!/bin/sh
# Pronounce stage: start-up time with the lexicon loaded, and throughput on news sentences.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
cases=$(mktemp)
trap 'rm -f "$cases"' EXIT
# one sentence a line, brackets removed, from the polyphone cases
grep -hv '^#' tests/cases/pronounce/polyphones_*.txt | sed 's/ => .*//; s/[][]//g' | grep . >"$cases"
n=$(wc -l <"$cases")
t0=$(date +%s%N)
echo 银行 | "$BUILD/run_cases" --stage pronounce >/dev/null
t1=$(date +%s%N)
echo "start-up with lexicon loaded: $(( (t1 - t0) / 1000000 )) ms (goal under 20 ms)"
rounds=20
t0=$(date +%s%N)
for i in $(seq $rounds); do cat "$cases"; done | "$BUILD/run_cases" --stage pronounce >/dev/null
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
chars=$(( $(for i in $(seq $rounds); do cat "$cases"; done | wc -m) ))
echo "pronounce: $((n * rounds)) sentences, $chars characters in $ms ms"
[ "$ms" -gt 0 ] && echo "pronounce: $(( chars * 1000 / ms )) characters/s"
