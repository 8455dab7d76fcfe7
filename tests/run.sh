#!/bin/sh
# Runs every test suite; each prints a line "...: N passed, N failed", summed at the end.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
export BUILD
cd "$(dirname "$0")/.." || exit 1
total_pass=0 total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
run() {
	echo "== $*"
	"$@" 2>&1 | tee "$log"
	line=$(grep -E '[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "   (suite printed no result line: counted as one failure)"
		total_fail=$((total_fail + 1))
		return
	fi
	p=$(echo "$line" | grep -oE '[0-9]+ passed' | grep -oE '[0-9]+')
	f=$(echo "$line" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
}
run "$BUILD/run_cases" $(find tests/cases -name '*.txt' | sort)
for t in tests/t_*.sh; do
	[ -f "$t" ] && run sh "$t"
done
for t in "$BUILD"/t_*; do
	[ -x "$t" ] && run "$t"
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
