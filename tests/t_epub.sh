#!/bin/sh
# speak --epub, batch --epub: EPUB 3 with Media Overlays, validated by EPUBCheck (Debian
# epubcheck) with no error and no warning. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
A=tests/data/listen.txt
EPUBCHECK_JAR=${EPUBCHECK_JAR:-/usr/share/java/epubcheck.jar}

epubcheck_clean() { # epubcheck_clean FILE: EPUBCheck finds nothing at all
	if [ ! -f "$EPUBCHECK_JAR" ] || ! command -v java >/dev/null 2>&1; then
		echo "skip: EPUBCheck (Debian epubcheck) not installed"
		return 0
	fi
	java -jar "$EPUBCHECK_JAR" "$1" >"$tmp/check" 2>&1
	if [ $? = 0 ] && grep -q '^Messages: 0 fatals / 0 errors / 0 warnings / 0 infos' "$tmp/check" &&
		grep -q 'No errors or warnings detected' "$tmp/check"; then ok
	else bad "EPUBCheck on $1: $(grep -E 'ERROR|WARNING|FATAL|Messages' "$tmp/check" | head -5)"; fi
}
# secs CLOCK: H:MM:SS.mmm in seconds, as awk prints them
secs() { awk -F: '{ printf "%g\n", $1 * 3600 + $2 * 60 + $3 }'; }

mkdir "$tmp/o"
check "speak --epub --json (WAV audio)" $B speak -q $A -o "$tmp/o/a.wav" --epub --json
E=$tmp/o/a.epub
check "the book is written beside the audio" test -s "$E"
check "nothing else left in the folder (the MP3 temporary is gone)" \
	test "$(ls -A "$tmp/o" | tr '\n' ' ')" = "a.epub a.json a.wav "
epubcheck_clean "$E"
# OCF: mimetype first, stored, without extra field: its bytes at offset 30
check "mimetype first, stored, no extra field" \
	test "$(head -c 58 "$E" | tail -c 28)" = "mimetypeapplication/epub+zip"
check "mimetype stored (zipinfo)" sh -c "unzip -Z '$E' mimetype | grep -q ' stor '"
mkdir "$tmp/x" && (cd "$tmp/x" && unzip -q "$E")
X=$tmp/x/EPUB
check "the files of the book" test -s "$X/package.opf" -a -s "$X/nav.xhtml" -a -s "$X/text.xhtml" \
	-a -s "$X/text.smil" -a -s "$X/style.css" -a -s "$X/audio.mp3" -a -s "$tmp/x/META-INF/container.xml"

# the overlay: a par per heard sentence, clips from the manifest's times
jq -r '.sentences[] | select(.end > .start) | "s\(.index + 1) \(.start) \(.end)"' "$tmp/o/a.json" |
	awk '{ printf "%s %g %g\n", $1, $2, $3 }' >"$tmp/want"
grep -o '<par id="p[0-9]*"><text src="text.xhtml#s[0-9]*"/><audio src="audio.mp3" clipBegin="[0-9:.]*" clipEnd="[0-9:.]*"/></par>' \
	"$X/text.smil" | sed 's/.*#\(s[0-9]*\)".*clipBegin="\([0-9:.]*\)" clipEnd="\([0-9:.]*\)".*/\1 \2 \3/' |
	while read -r id b e; do echo "$id $(echo "$b" | secs) $(echo "$e" | secs)"; done >"$tmp/got"
check "SMIL: one par per sentence, clipBegin/clipEnd = manifest start/end" cmp -s "$tmp/got" "$tmp/want"
[ -s "$tmp/got" ] || bad "no par in the overlay"
check "every par's text is a sentence span of the text" sh -c "for id in \$(cut -d' ' -f1 '$tmp/got'); do grep -q \"<span id=\\\"\$id\\\">\" '$X/text.xhtml' || exit 1; done"
# the navigation: the title and each heading
for h in $(jq -r '.sentences[] | select(.kind == "heading" or .kind == "title") | .text' "$tmp/o/a.json"); do
	check "nav lists $h" grep -q "<li><a href=\"text.xhtml#b[0-9]*\">$h</a></li>" "$X/nav.xhtml"
done
check "nav is the toc" grep -q '<nav epub:type="toc" id="toc">' "$X/nav.xhtml"
# durations: total and the overlay's, the sum of the clips
sum=$(awk '{ s += $3 - $2 } END { printf "%.3f\n", s }' "$tmp/want")
total=$(sed -n 's|.*<meta property="media:duration">\([0-9:.]*\)</meta>.*|\1|p' "$X/package.opf" | secs)
one=$(sed -n 's|.*<meta property="media:duration" refines="#overlay">\([0-9:.]*\)</meta>.*|\1|p' "$X/package.opf" | secs)
check "media:duration total = the overlay's = the sum of the clips ($sum s)" \
	sh -c "[ -n '$total' ] && awk 'BEGIN { exit !($total - $sum < 0.002 && $sum - $total < 0.002 && \"$one\" == \"$total\") }'"
check "the text has the overlay" grep -q 'href="text.xhtml" media-type="application/xhtml+xml" media-overlay="overlay"' "$X/package.opf"
check "media:active-class, and its CSS" sh -c "grep -q '<meta property=\"media:active-class\">-epub-media-overlay-active</meta>' '$X/package.opf' && grep -q '^\.-epub-media-overlay-active{' '$X/style.css'"
check "the text escaped" grep -q 'A&amp;B公司已经签约，投资&lt;5亿元&gt;。' "$X/text.xhtml"
# the audio: MP3, as long as the WAV
if command -v ffprobe >/dev/null 2>&1; then
	codec=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 "$X/audio.mp3")
	check "the book's audio is MP3 ($codec)" test "$codec" = mp3
	d_mp3=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$X/audio.mp3")
	d_wav=$(jq .duration "$tmp/o/a.json")
	check "the MP3 as long as the audio ($d_mp3 s, $d_wav s)" \
		awk "BEGIN { d = $d_mp3 - $d_wav; exit !(d < 0.1 && d > -0.1) }"
fi

# MP3 output: the book holds the very file
mkdir "$tmp/m"
check "speak --epub into MP3" $B speak -q $A -o "$tmp/m/b.mp3" --epub
check "the book's audio is the MP3 written" sh -c "unzip -p '$tmp/m/b.epub' EPUB/audio.mp3 | cmp -s - '$tmp/m/b.mp3'"
check "... and nothing else left" test "$(ls -A "$tmp/m" | tr '\n' ' ')" = "b.epub b.mp3 "

# a rate no MP3 holds: refused before anything is written
sed 's/^sample_rate *=.*/sample_rate = 96000/' voices/news.ini >"$tmp/hi.ini"
grep -q '^sample_rate = 96000' "$tmp/hi.ini" || echo "sample_rate = 96000" >>"$tmp/hi.ini"
mkdir "$tmp/h"
$B speak -q --voice "$tmp/hi.ini" $A -o "$tmp/h/c.wav" --epub 2>"$tmp/err"
check "a rate MP3 cannot hold: 64 ($(cat "$tmp/err"))" test $? = 64
check "... one line naming the file" sh -c "[ \$(wc -l <'$tmp/err') = 1 ] && grep -q 'c.wav' '$tmp/err'"
check "... and nothing written" test -z "$(ls -A "$tmp/h")"

# batch writes them when asked; asked later, it makes them
mkdir -p "$tmp/in/sub" "$tmp/out"
cp $A "$tmp/in/sub/l.txt"
check "batch (no --epub)" $B batch -q -j 1 "$tmp/in" "$tmp/out"
check "... no book, no page" test ! -e "$tmp/out/sub/l.epub" -a ! -e "$tmp/out/sub/l.html"
check "batch -n --epub --html: outputs missing" sh -c "$B batch -n --epub --html '$tmp/in' '$tmp/out' 2>/dev/null | grep -q '^outputs'"
check "batch --epub --html" $B batch -q -j 1 --epub --html "$tmp/in" "$tmp/out"
check "... writes the book and the page" test -s "$tmp/out/sub/l.epub" -a -s "$tmp/out/sub/l.html"
check "batch -n --epub --html: then nothing to do" test -z "$($B batch -n --epub --html "$tmp/in" "$tmp/out" 2>/dev/null)"
rm "$tmp/out/sub/l.html"
check "a page removed: batch -n --html says outputs" sh -c "$B batch -n --html '$tmp/in' '$tmp/out' 2>/dev/null | grep -q '^outputs'"
check "batch --html makes it again" $B batch -q -j 1 --html "$tmp/in" "$tmp/out"
check "... the page" test -s "$tmp/out/sub/l.html"
rm "$tmp/out/sub/l.epub"
check "a book removed: batch -n --epub says outputs" sh -c "$B batch -n --epub '$tmp/in' '$tmp/out' 2>/dev/null | grep -q '^outputs'"
check "batch -n without --epub: nothing to do" test -z "$($B batch -n "$tmp/in" "$tmp/out" 2>/dev/null)"
check "batch --epub makes it again" $B batch -q -j 1 --epub "$tmp/in" "$tmp/out"
epubcheck_clean "$tmp/out/sub/l.epub"
finish t_epub
