#!/bin/sh
# Polyphone accuracy on CPP (Chinese Polyphones with Pinyin, g2pM's data, Apache-2.0): the
# reading bobao gives each marked polyphone against its label. Every 5th sentence is held out
# (never looked at while tuning); the other four fifths are the tuning part. Not part of
# make test: the data live outside the repository (../shared/peers/cpp). Besides the exact figure
# against CPP's labels, the figure with the labels of tests/cases/pronounce/cpp_disagreements.txt
# (tuning sentences whose label disagrees with the dictionary, explained there) replaced by the
# dictionary's reading; the held-out part has no such file, so its second figure is only the
# automatic one (the dictionary's neutral tone where CPP has the full one counted as agreeing).
#   sh tests/bench_cpp.sh [--errors|--tuning]   the tuning part's wrong readings (--errors), or
#                                          all its readings with the model's features (--tuning,
#                                          for train_polyphones.py), a line each: line number,
#                                          label (the dictionary's reading where the disagreement
#                                          file explains CPP's), reading, sentence
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
CPP=${CPP:-../shared/peers/cpp}
if [ ! -f "$CPP/dev.sent" ] || [ ! -f "$CPP/dev.lb" ]; then
	echo "CPP polyphone set not found in $CPP: skipped"
	exit 0
fi
DISAGREE=tests/cases/pronounce/cpp_disagreements.txt
marked=$(mktemp)
tmp=$(mktemp)
trap 'rm -f "$marked" "$tmp"' EXIT
stage=pronounce
[ "$1" = --tuning ] && stage=pronounce_features # "*": a reading no word settles; then features
# ▁X▁ -> [X]; brackets already in a sentence would mark the wrong span: made round
sed 's/\[/（/g; s/\]/）/g; s/▁\([^▁]*\)▁/[\1]/' "$CPP/dev.sent" >"$marked"
"$BUILD/run_cases" --stage $stage <"$marked" >"$tmp"
# the disagreement file's "sentence => reading" lines first, then label, reading, sentence as
# in CPP, sentence as marked, a line each
{ grep -v '^#' "$DISAGREE" | grep ' => ' | sed 's/ => /\t/; s/^/D\t/'
  sed 's/u:/v/g' "$CPP/dev.lb" | paste -d '\t' - "$tmp" "$CPP/dev.sent" "$marked" | sed 's/^/S\t/'
} | awk -F '\t' -v errors="$1" '
$1 == "D" { dict[$2] = $3; next }
{ n++; held = n % 5 == 0; ok = $2 == $3 }
# the neutral tone of the dictionary where CPP has the full one (知识 zhi1 shi5; CPP shi2)
{ neutral = !ok && $3 ~ /5$/ && substr($3, 1, length($3) - 1) == substr($2, 1, length($2) - 1) }
held { hn++; hok += ok; hneu += neutral; next }
# an explained disagreement: the reading of the dictionary is the label (tuning sentences only)
$5 in dict { tdis++; tdok += $3 == dict[$5]; tdneu += neutral && $3 != dict[$5] }
!($5 in dict) { tdok += ok; tdneu += neutral }
{ tn++; tok += ok; tneu += neutral }
# what the trainer learns and --errors lists: the reading of the dictionary where explained
{ label = $5 in dict ? dict[$5] : $2 }
($3 != label && errors == "--errors") || errors == "--tuning" { print n "\t" label "\t" $3 "\t" $4 }
END {
	if (errors != "") exit
	printf "CPP dev, tuning part (4/5): %d/%d exact, %.2f%% (goal at least 98%%)\n", tok, tn, 100 * tok / tn
	printf "CPP dev, held-out part (every 5th): %d/%d exact, %.2f%% (goal at least 97.5%%; g2pM 97.31%% on the test split)\n", hok, hn, 100 * hok / hn
	printf "CPP dev, all: %d/%d exact, %.2f%%\n", tok + hok, tn + hn, 100 * (tok + hok) / (tn + hn)
	printf "tuning part with its %d explained disagreements (%s) read by the dictionary: %d/%d, %.2f%%\n", tdis, "'"$DISAGREE"'", tdok, tn, 100 * tdok / tn
	printf "counting, besides, the dictionary'"'"'s neutral tones where CPP has full ones as agreeing: tuning %.2f%%; held out (no explained disagreements: the neutral tones only) %.2f%%\n", 100 * (tdok + tdneu) / tn, 100 * (hok + hneu) / hn
}'
