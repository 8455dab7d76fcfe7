#!/bin/sh
# Legacy encodings of real newsroom files: Hong Kong articles in Big5-HKSCS (with characters
# only HKSCS holds: 嘅 咗 㗎 𨋢) and a Taiwan article in plain Big5 are detected and read like
# their UTF-8 text; a file in an encoding bobao does not detect (Shift_JIS, EUC-KR) decodes
# into rare characters and is refused, or read with a warning when forced or lenient.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
D=tests/data
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

same_as_utf8() { # same_as_utf8 LEGACY UTF8: same spoken text, exit 0, nothing on stderr
	if ! "$B" text "$1" >"$tmp/legacy" 2>"$tmp/err"; then
		bad "$1: exit $? ($(cat "$tmp/err"))"
		return
	fi
	"$B" text "$2" >"$tmp/utf8" 2>/dev/null
	if ! cmp -s "$tmp/legacy" "$tmp/utf8"; then
		bad "$1: not read like $2: $(diff "$tmp/legacy" "$tmp/utf8" | head -n 3 | tr '\n' ' ')"
	elif [ -s "$tmp/err" ]; then
		bad "$1: unexpected stderr: $(cat "$tmp/err")"
	else
		ok
	fi
}
for f in weather district market; do
	same_as_utf8 "$D/hk-$f.big5-hkscs.txt" "$D/hk-$f.utf8.txt"
done
same_as_utf8 "$D/tw-economy.big5.txt" "$D/tw-economy.utf8.txt"

# refused: exit 65, one line naming the file, no output file
for f in ja.shift_jis ko.euc-kr; do
	rm -f "$tmp/out.wav"
	"$B" speak -q "$D/$f.txt" -o "$tmp/out.wav" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 65 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	   grep -q "^bobao: $D/$f.txt: .*rare characters" "$tmp/err" && [ ! -e "$tmp/out.wav" ]; then
		ok
	else
		bad "$f: exit $rc, stderr: $(cat "$tmp/err")"
	fi
	# --lenient reads it, with one warning
	"$B" text --lenient "$D/$f.txt" >/dev/null 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "^bobao: $D/$f.txt: warning: .*rare characters" "$tmp/err"; then
		ok
	else
		bad "$f --lenient: exit $rc, stderr: $(cat "$tmp/err")"
	fi
done

# a forced wrong encoding is read as asked, with a warning naming the line
"$B" text --encoding GB18030 "$D/hk-weather.big5-hkscs.txt" >/dev/null 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "warning: text decodes (as GB18030) into rare characters on line" "$tmp/err"; then
	ok
else
	bad "forced GB18030: exit $rc, stderr: $(cat "$tmp/err")"
fi
# and the right one without any
check "forced BIG5-HKSCS" sh -c "'$B' text --encoding BIG5-HKSCS '$D/hk-market.big5-hkscs.txt' 2>&1 >/dev/null | grep -q . && exit 1 || exit 0"

finish t_hkscs
