#!/bin/sh
# bobao proof --format html: the uncertain readings come first, each with a user lexicon
# line that, copied into a lexicon, makes that reading the one read. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=$BUILD/bobao
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 差 alone is a common polyphone read by its usual reading; 行业 is settled by its word
printf '质量检查\n\n这批产品质量太差。他在银行业工作。\n' >"$tmp/a.txt"
"$B" proof --format html "$tmp/a.txt" >"$tmp/a.html" 2>"$tmp/err"
check "proof html exits 0" [ $? -eq 0 ]
check "no message on stderr" [ ! -s "$tmp/err" ]
u=$(grep -n 'Uncertain readings' "$tmp/a.html" | head -n 1 | cut -d: -f1)
o=$(grep -n '<ol>' "$tmp/a.html" | head -n 1 | cut -d: -f1)
check "the uncertain readings come before the sentences" [ -n "$u" ] && [ -n "$o" ] && [ "$u" -lt "$o" ]
check "the count of uncertain readings is shown" grep -q 'Uncertain readings: [1-9]' "$tmp/a.html"
line=$(grep -o '<code>差[^<]*</code>\|<code>[^<]*差	[^<]*</code>' "$tmp/a.html" | head -n 1 | sed 's/<[^>]*>//g')
check "差 is listed with a lexicon line ($line)" [ -n "$line" ]
check "the line is word TAB readings" sh -c 'printf "%s\n" "$1" | grep -q "^[^	]*差[^	]*	[a-z1-5 ]*$"' - "$line"
check "the entry links to its sentence" grep -q '<a href="#s2">2</a></td><td>差' "$tmp/a.html"
check "the sentence has that anchor" grep -q '<li id="s2"' "$tmp/a.html"
check "行业 is not listed (a word settles it)" sh -c '! grep -q "<code>行业" "$1"' - "$tmp/a.html"

# the line, corrected and used as a lexicon, is read
word=$(printf '%s\n' "$line" | cut -f1)
n=$(printf '%s' "$word" | wc -m)
fixed=$(printf '%s\n' "$line" | cut -f2 | sed 's/cha[0-9]/cha1/')
printf '%s\t%s\n' "$word" "$fixed" >"$tmp/user.lex"
"$B" proof --format tsv --lexicon "$tmp/user.lex" "$tmp/a.txt" >"$tmp/a.tsv"
check "the copied line, corrected, is read (cha1)" grep -q '^2	差	cha1$' "$tmp/a.tsv"
"$B" proof --format html --lexicon "$tmp/user.lex" "$tmp/a.txt" >"$tmp/b.html"
check "a reading from the user lexicon is no longer uncertain" \
	sh -c '! grep -q "<a href=\"#s2\">2</a></td><td>差" "$1"' - "$tmp/b.html"

# no uncertain reading: the section says so
printf '标题\n\n他在银行工作。\n' >"$tmp/c.txt"
"$B" proof --format html "$tmp/c.txt" >"$tmp/c.html"
check "none: 'Uncertain readings: 0' and no table" sh -c 'grep -q "Uncertain readings: 0" "$1" && ! grep -q "<table" "$1"' - "$tmp/c.html"
[ "$n" -ge 1 ] || bad "lexicon line word empty"
finish proof
