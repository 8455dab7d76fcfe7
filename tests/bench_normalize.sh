#!/bin/sh
# Throughput of the normalize stage in MB/s on one core, over the sample article and the
# inputs of the normalize case files and the case inputs alone (worst case). Goal: at least 20 MB/s.
# SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
[ -x "$BUILD/bench_normalize_tool" ] || make -s "$BUILD/bench_normalize_tool" || exit 1
text=$(mktemp)
trap 'rm -f "$text"' EXIT
for i in 1 2 3 4 5 6 7 8 9 10; do cat samples/nantong-kaifaqu.txt; done > "$text"
grep -h ' => ' tests/cases/normalize/*.txt 2>/dev/null | grep -v '^#' | sed 's/ => .*//' >> "$text"
echo "article text:"
"$BUILD/bench_normalize_tool" samples/nantong-kaifaqu.txt 50
echo "article text x10 + every case input once:"
"$BUILD/bench_normalize_tool" "$text" 50
echo "case inputs alone (worst case: every line numbers and symbols):"
grep -h ' => ' tests/cases/normalize/*.txt | grep -v '^#' | sed 's/ => .*//' > "$text"
"$BUILD/bench_normalize_tool" "$text" 20
