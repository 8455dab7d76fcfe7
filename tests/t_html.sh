#!/bin/sh
# speak --html: the listening page beside the audio, checked as text and then in Debian's
# chromium (tests/html_player.js: play, highlight, keys, clicks, speed, axe-core, a
# screenshot). SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
A=tests/data/listen.txt

# --- the page as text
mkdir "$tmp/o"
check "speak --html --json" $B speak -q $A -o "$tmp/o/a.wav" --html --json
P=$tmp/o/a.html
check "the page is written beside the audio" test -s "$P"
check "nothing else left in the folder" test "$(ls -A "$tmp/o" | tr '\n' ' ')" = "a.html a.json a.wav "
check "the page is Chinese (lang)" grep -q '^<html lang="zh">$' "$P"
check "the audio is the file beside it, by its name" grep -q '<audio id="audio" controls preload="auto" src="a.wav">' "$P"
check "no address outside the page (works without network)" sh -c "! grep -qiE 'https?://|src=\"/|href=\"/|@import' '$P'"
check "script and style inline" sh -c "grep -q '^<script>$' '$P' && grep -q '^<style>$' '$P' && ! grep -qE '<script src|<link ' '$P'"
check "the transcript in the original text, escaped" sh -c "grep -q 'A&amp;B公司已经签约，投资&lt;5亿元&gt;。' '$P' && ! grep -q '<5亿元>' '$P'"
check "title in <title> and as h1" sh -c "grep -q '<title>开发区发布新规划</title>' '$P' && grep -q '<h1><span class=\"s\" id=\"s1\"' '$P'"
check "headings are h2, marked for navigation" test "$(grep -o '<h2><span class="s" id="s[0-9]*" data-start="[0-9.]*" data-end="[0-9.]*" data-h="1">' "$P" | wc -l)" = 2
jq -r '.sentences[] | "\(.index + 1) \(.start) \(.end)"' "$tmp/o/a.json" >"$tmp/want"
grep -o 'id="s[0-9]*" data-start="[0-9.]*" data-end="[0-9.]*"' "$P" |
	sed 's/id="s\([0-9]*\)" data-start="\([0-9.]*\)" data-end="\([0-9.]*\)"/\1 \2 \3/' |
	awk '{ printf "%d %g %g\n", $1, $2, $3 }' >"$tmp/got"
awk '{ printf "%d %g %g\n", $1, $2, $3 }' "$tmp/want" >"$tmp/want2"
check "one span per sentence, with the manifest's times" cmp -s "$tmp/got" "$tmp/want2"
check "live region off by default" grep -q 'id="live" class="visually-hidden" aria-live="off"' "$P"
check "speed choices 0.75x to 2x" sh -c "grep -q 'value=\"0.75\"' '$P' && grep -q 'value=\"2\">2×' '$P'"
mkdir "$tmp/f"
check "speak -o FOLDER --format mp3 --html" $B speak -q $A -o "$tmp/f" --format mp3 --html
check "... names the audio by its name" grep -q 'src="listen.mp3"' "$tmp/f/listen.html"
mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
if [ "$(id -u)" != 0 ]; then
	$B speak -q $A -o "$tmp/ro/a.wav" --html 2>/dev/null
	check "an unwritable folder: 73" test $? = 73
	check "... and nothing in it" test -z "$(ls -A "$tmp/ro")"
fi

# --- the page in a real browser
NODE_MODULES=$BUILD/node/node_modules
if ! command -v node >/dev/null 2>&1 || [ ! -d "$NODE_MODULES/puppeteer-core" ] ||
	[ ! -d "$NODE_MODULES/axe-core" ] || [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
	echo "skip: browser test (needs node, chromium and build/node from make test)"
else
	NODE_PATH=$NODE_MODULES timeout 300 node tests/html_player.js "$P" "$tmp/o/a.json" \
		"$tmp/shot.png" >"$tmp/browser" 2>&1
	rc=$?
	if [ $rc = 2 ] && grep -q '^skip:' "$tmp/browser"; then
		grep '^skip:' "$tmp/browser"
	else
		while IFS= read -r line; do
			case $line in
			ok\ *) ok ;;
			FAIL\ *) bad "browser: ${line#FAIL }" ;;
			esac
		done <"$tmp/browser"
		check "browser test ran to its end" grep -q '^ok screenshot shows' "$tmp/browser"
		[ $rc = 0 ] || bad "browser test exit $rc: $(tail -n 3 "$tmp/browser")"
		check "screenshot saved, a PNG of some size" sh -c "head -c 8 '$tmp/shot.png' | od -An -c | grep -q 'P   N   G' && [ \$(wc -c <'$tmp/shot.png') -gt 20000 ]"
		if [ -n "$BOBAO_KEEP_SHOT" ]; then cp "$tmp/shot.png" "$BOBAO_KEEP_SHOT"; fi
	fi
fi
finish t_html
