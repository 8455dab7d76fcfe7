#!/bin/sh
# Polyphone accuracy on CPP (Chinese Polyphones with Pinyin, g2pM's data, Apache-2.0): the
# reading bobao gives each marked polyphone against its label. Every 5th sentence is held out
# (never looked at while tuning); the other four fifths are the tuning part. Not part of
# make test: the data live outside the repository (../shared/peers/cpp).
#   sh tests/bench_cpp.sh [--errors|--tuning]   the tuning part's wrong readings (--errors), or
#                                          all its readings with the model's features (--tuning,
#                                          for train_polyphones.py), a line each: line number,
#                                          label, reading, sentence
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
CPP=${CPP:-../shared/peers/cpp}
if [ ! -f "$CPP/dev.sent" ] || [ ! -f "$CPP/dev.lb" ]; then
	echo "CPP polyphone set not found in $CPP: skipped"
	exit 0
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
stage=pronounce
[ "$1" = --tuning ] && stage=pronounce_features # "*": a reading no word settles; then features
# ▁X▁ -> [X]; brackets already in a sentence would mark the wrong span: made round
sed 's/\[/（/g; s/\]/）/g; s/▁\([^▁]*\)▁/[\1]/' "$CPP/dev.sent" |
	"$BUILD/run_cases" --stage $stage >"$tmp"
sed 's/u:/v/g' "$CPP/dev.lb" | paste -d '\t' - "$tmp" | paste -d '\t' - "$CPP/dev.sent" |
awk -F '\t' -v errors="$1" '
{ held = NR % 5 == 0; ok = $1 == $2 }
# the neutral tone of the dictionary where CPP has the full one (知识 zhi1 shi5; CPP shi2)
{ neutral = !ok && $2 ~ /5$/ && substr($2, 1, length($2) - 1) == substr($1, 1, length($1) - 1) }
held { hn++; hok += ok; hneu += neutral; next }
{ tn++; tok += ok; tneu += neutral }
(!ok && errors == "--errors") || errors == "--tuning" { print NR "\t" $1 "\t" $2 "\t" $3 }
END {
	if (errors != "") exit
	printf "CPP dev, tuning part (4/5): %d/%d exact, %.2f%% (goal at least 98%%)\n", tok, tn, 100 * tok / tn
	printf "CPP dev, held-out part (every 5th): %d/%d exact, %.2f%% (goal at least 97.5%%; g2pM 97.31%% on the test split)\n", hok, hn, 100 * hok / hn
	printf "CPP dev, all: %d/%d exact, %.2f%%\n", tok + hok, tn + hn, 100 * (tok + hok) / (tn + hn)
	printf "counting the dictionary'"'"'s neutral tones where CPP has full ones as agreeing: tuning %.2f%%, held out %.2f%%\n", 100 * (tok + tneu) / tn, 100 * (hok + hneu) / hn
}'
