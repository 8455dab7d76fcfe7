#!/bin/sh
# Pass rate of normalize on WeTextProcessing's test cases (../shared/peers/wetext.tsv, or $1).
# Each failure is listed with one word: `convention` where DESIGN.md reads it differently
# (kilograms as 公斤, 1 as 幺 in phone numbers, Chinese punctuation kept, no 儿/filler
# removal, no traditional-to-simplified, scores only with a context word ...), else `bug`.
# SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
tsv=${1:-../shared/peers/wetext.tsv}
if [ ! -f "$tsv" ]; then
	echo "wetext: $tsv not found, skipped"
	exit 0
fi
got=$(mktemp)
trap 'rm -f "$got"' EXIT
cut -f1 "$tsv" | "$BUILD/run_cases" --stage normalize > "$got" || exit 1
paste "$tsv" "$got" | awk -F'\t' '
# A difference is a convention when the peer expects what DESIGN.md decides otherwise.
function reason(input, want, got) {
	if (want ~ /[:!,".]/ && input ~ /[：！，“”。]/) return "convention"   # ASCII punctuation out
	if (want ~ /<oov>/) return "convention"                               # marks non-Chinese text
	if (want ~ /千克|千米/) return "convention"                           # kg 公斤, km² 平方公里
	if (want ~ /^每小时/) return "convention"                             # km/h 公里每小时
	if (want ~ /人民币/) return "convention"                              # CNY 元
	if (input ~ /儿|呃|啊/) return "convention"                           # no 儿化/filler removal
	if (input ~ /寶|貝/) return "convention"                              # no t2s conversion
	if (want ~ / to /) return "convention"                                # B2B: letters and a number
	if (input ~ /^0[0-9]+-[0-9]+$/ && got ~ /幺/) return "convention"      # 1 as 幺 in phone numbers
	if (want ~ /比/ && input !~ /比分|以|:|：/) return "convention"        # score needs a context
	return "bug"
}
{
	total++
	if ($2 == $3) { pass++; next }
	r = reason($1, $2, $3)
	if (r == "convention") conv++
	printf "%-10s %s\n           want: %s\n           got:  %s\n", r, $1, $2, $3
}
END {
	agree = total - conv
	printf "wetext: %d of %d exact (%.1f%%); %d of %d where conventions agree (%.1f%%); %d convention differences\n",
		pass, total, 100 * pass / total, pass, agree, agree ? 100 * pass / agree : 0, conv
}'
