#!/bin/sh
# End-to-end tests of the command line: spoken text of the samples, the foundation's
# must-haves, bad input and exit codes. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

one_line_error() { # the error is one line that names the file
	d=$1 file=$2
	if [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "^bobao: .*$file" "$tmp/err"; then ok
	else bad "$d: error is not one line naming $file: $(cat "$tmp/err")"; fi
}

# --- the spoken text of every sample equals its expected file
for f in samples/*.txt; do
	want=${f%.txt}.spoken
	[ -f "$want" ] || want=$(echo "$want" | sed 's/-gb18030//')
	if $B text "$f" >"$tmp/spoken" 2>"$tmp/err" && cmp -s "$tmp/spoken" "$want"; then ok
	else bad "text $f differs from $want"; diff "$tmp/spoken" "$want" | head -10; fi
done
S=samples/nantong-kaifaqu.txt
$B text $S >"$tmp/s.txt"
check "GB18030 copy reads the same" sh -c "$B text samples/nantong-kaifaqu-gb18030.txt | cmp -s - $tmp/s.txt"
for w in 六千亩 两千七百亩 八十斤 一百斤 五十亿级 四加二 三加一 为已签约项目的顺利落户; do
	check "sample says $w" grep -q "$w" "$tmp/s.txt"
done
check "no digit in the spoken text" sh -c "! grep -q -e '[0-9]' -e '[０１２３４５６７８９]' $tmp/s.txt"
check "caption left out" sh -c "! grep -q 陆忠伟摄 $tmp/s.txt"
check "title first" sh -c "head -n 1 $tmp/s.txt | grep -q '^南通开发区：对标先进'"
check "blank line between paragraphs" sh -c "sed -n 2p $tmp/s.txt | grep -q '^$'"
$B text --keep-captions $S >"$tmp/cap.txt"
check "--keep-captions speaks the caption" grep -q 陆忠伟摄 "$tmp/cap.txt"
check "text reads stdin" sh -c "echo '标题
增长12.5%。' | $B text - | grep -q 百分之十二点五"

# --- speak: a mono file of the preset's rate and a plausible length
status_is 0 "speak the sample" $B speak -q $S -o "$tmp/a.wav"
if [ -x "$BUILD/audio_check" ]; then
	"$BUILD/audio_check" "$tmp/a.wav" >"$tmp/info" 2>&1
	check "speak: one channel" grep -q '^channels=1$' "$tmp/info"
	check "speak: 48000 Hz (news preset)" grep -q '^rate=48000$' "$tmp/info"
	dur=$(sed -n 's/^duration=//p' "$tmp/info")
	check "speak: 6 to 14 minutes (got ${dur}s)" awk "BEGIN{exit !($dur >= 360 && $dur <= 840)}"
else
	bad "no $BUILD/audio_check tool"
fi
mkdir "$tmp/folder"
status_is 0 "speak -o FOLDER" $B speak -q $S -o "$tmp/folder" --format flac
check "speak -o FOLDER names the file after the article" test -s "$tmp/folder/nantong-kaifaqu.flac"
check "speak leaves no temporary file" sh -c "[ \$(ls -A $tmp | grep -c '^\\.') = 0 ]"

# --- bad input: one line naming the file, sysexits code, nothing written
status_is 66 "missing input" $B speak -q "$tmp/nope.txt" -o "$tmp/nope.wav"
one_line_error "missing input" nope.txt
head -c 4096 /dev/urandom >"$tmp/junk.txt"
status_is 65 "binary junk" $B speak -q "$tmp/junk.txt" -o "$tmp/junk.wav"
one_line_error "binary junk" junk.txt
check "binary junk leaves no output" test ! -e "$tmp/junk.wav"
: >"$tmp/empty.txt"
status_is 65 "empty file" $B text "$tmp/empty.txt"
one_line_error "empty file" empty.txt
printf '\326\320\316\304\377\377\377' >"$tmp/broken.txt"
status_is 65 "invalid in every encoding" $B text "$tmp/broken.txt"
check "the error gives the byte offset" grep -q 'offset 4' "$tmp/err"
status_is 65 "wrong forced encoding" $B text --encoding UTF-8 samples/nantong-kaifaqu-gb18030.txt
check "the error gives the byte offset" grep -q 'byte [0-9]' "$tmp/err"
status_is 0 "forced GB18030" $B text --encoding GB18030 samples/nantong-kaifaqu-gb18030.txt
yes '中文新闻稿件的一句话。' | head -c 70000000 >"$tmp/huge.txt"
status_is 65 "huge file" $B text "$tmp/huge.txt"
check "huge file: says too large" grep -q 'too large' "$tmp/err"
rm -f "$tmp/huge.txt"
if [ -w /dev/full ]; then
	$B text $S >/dev/full 2>"$tmp/err"
	code=$?
	if [ $code = 74 ]; then ok; else bad "full standard output: exit $code, want 74"; fi
fi
mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
if [ "$(id -u)" = 0 ] && touch "$tmp/ro/probe" 2>/dev/null; then
	rm -f "$tmp/ro/probe"
	status_is 73 "unwritable output" $B speak -q $S -o "/proc/bobao-test.wav"
else
	status_is 73 "unwritable output" $B speak -q $S -o "$tmp/ro/a.wav"
fi
one_line_error "unwritable output" .wav
status_is 73 "output folder missing" $B speak -q $S -o "$tmp/no/such/dir/a.wav"
printf 'rate = 190\nbogus = 1\n' >"$tmp/v.ini"
status_is 78 "unknown voice key" $B text --voice "$tmp/v.ini" $S
check "voice error names the line" grep -q 'v.ini:2:' "$tmp/err"
printf 'rate = fast\n' >"$tmp/v2.ini"
status_is 78 "bad voice value" $B text --voice "$tmp/v2.ini" $S
status_is 78 "unknown preset" $B text --voice nosuchvoice $S
status_is 64 "unknown option" $B text --bogus $S
status_is 64 "unknown command" $B sing $S
status_is 64 "speak without an article" $B speak
status_is 0 "--version" $B --version
status_is 0 "--help" $B --help
status_is 0 "voices" $B voices
check "voices lists news and slow" sh -c "$B voices | grep -q '^news' && $B voices | grep -q '^slow'"
check "voices lists every key" sh -c "$B voices | grep -q pause_paragraph_ms"
status_is 0 "slow preset" $B text --voice slow $S

# --- -o for text and proof: honoured (temporary, then renamed) or refused; --format and -o
status_is 0 "text -o FILE" $B text $S -o "$tmp/spoken.txt"
check "text -o FILE holds the spoken text" cmp -s "$tmp/spoken.txt" "$tmp/s.txt"
check "text -o FILE prints nothing" test ! -s "$tmp/stdout"
status_is 0 "proof -o FILE.html" $B proof $S -o "$tmp/proof.html"
check "proof -o FILE.html writes the html page" grep -q '^<!DOCTYPE html>' "$tmp/proof.html"
status_is 0 "proof -o FILE.tsv --format tsv" $B proof $S -o "$tmp/proof.tsv" --format tsv
check "proof -o FILE.tsv is tsv" sh -c "head -1 '$tmp/proof.tsv' | grep -q '^1	'"
check "text and proof -o leave no temporary file" sh -c "[ \$(ls -A $tmp | grep -c '^\\.') = 0 ]"
status_is 64 "proof --format contradicting -o" $B proof $S -o "$tmp/p2.tsv" --format html
check "--format contradicting -o writes nothing" test ! -e "$tmp/p2.tsv"
status_is 64 "speak --format contradicting -o" $B speak -q $S -o "$tmp/a2.mp3" --format wav
check "speak --format contradicting -o says so" grep -q 'contradicts -o' "$tmp/err"
check "speak --format contradicting -o writes nothing" test ! -e "$tmp/a2.mp3"
status_is 64 "text --format" $B text --format html $S
status_is 64 "text --json" $B text --json $S
status_is 64 "text -o FOLDER" $B text $S -o "$tmp/folder"
cp $S "$tmp/own.txt"
status_is 73 "text -o the article itself" $B text "$tmp/own.txt" -o "$tmp/own.txt"
check "-o the article leaves it alone" cmp -s "$tmp/own.txt" $S
status_is 73 "text -o in a missing folder" $B text $S -o "$tmp/no/such/t.txt"
one_line_error "text -o in a missing folder" t.txt
# -o naming a FIFO (or a device, /dev/stdout) writes into it: never replaced by a file
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
status_is 0 "text -o FIFO" $B text $S -o "$tmp/fifo"
wait
check "text -o FIFO: still a FIFO" test -p "$tmp/fifo"
check "text -o FIFO: the text went through it" cmp -s "$tmp/from-fifo" "$tmp/s.txt"
mkfifo "$tmp/fifo.wav"
status_is 73 "speak -o FIFO is refused (it would be replaced)" $B speak -q $S -o "$tmp/fifo.wav"
check "speak -o FIFO: still a FIFO" test -p "$tmp/fifo.wav"
rm -f "$tmp/fifo" "$tmp/fifo.wav"

# --- text checks a user lexicon as speak does
printf '南通\tnan2 tong1\n这行不对\n' >"$tmp/badlex.txt"
status_is 78 "text --lexicon with a bad line" $B text --lexicon "$tmp/badlex.txt" $S
check "text --lexicon error names the line" grep -q 'badlex.txt:2:' "$tmp/err"
status_is 78 "text --lexicon missing" $B text --lexicon "$tmp/nolex.txt" $S
printf '南通\tnan2 tong1\n' >"$tmp/goodlex.txt"
status_is 0 "text --lexicon good" $B text --lexicon "$tmp/goodlex.txt" $S

# --- --rate PERCENT: the preset's rate scaled, range checked
printf '天气预报\n\n今天白天晴，最高气温十八摄氏度，明天多云转小雨，请市民出行注意安全。\n' >"$tmp/short.txt"
status_is 0 "speak at the preset's rate" $B speak -q "$tmp/short.txt" -o "$tmp/r100.wav"
status_is 0 "speak --rate 150" $B speak -q --rate 150 "$tmp/short.txt" -o "$tmp/r150.wav"
status_is 0 "speak --rate 70%" $B speak -q --rate 70% "$tmp/short.txt" -o "$tmp/r70.wav"
if [ -x "$BUILD/audio_check" ]; then
	d100=$("$BUILD/audio_check" "$tmp/r100.wav" | sed -n 's/^duration=//p')
	d150=$("$BUILD/audio_check" "$tmp/r150.wav" | sed -n 's/^duration=//p')
	d70=$("$BUILD/audio_check" "$tmp/r70.wav" | sed -n 's/^duration=//p')
	check "--rate 150 is quicker (${d150}s against ${d100}s)" awk "BEGIN{exit !($d150 < 0.85 * $d100)}"
	check "--rate 70 is slower (${d70}s against ${d100}s)" awk "BEGIN{exit !($d70 > 1.2 * $d100)}"
fi
status_is 64 "--rate 300" $B speak -q --rate 300 "$tmp/short.txt" -o "$tmp/r300.wav"
status_is 64 "--rate fast" $B speak -q --rate fast "$tmp/short.txt" -o "$tmp/r300.wav"
status_is 64 "--rate 50 of slow is below eSpeak's 80" $B speak -q --rate 50 --voice slow "$tmp/short.txt" -o "$tmp/r300.wav"
check "--rate below eSpeak's range says so" grep -q '80 to 450' "$tmp/err"
check "a refused --rate writes nothing" test ! -e "$tmp/r300.wav"
status_is 64 "text --rate" $B text --rate 80 "$tmp/short.txt"

# --- the proof page names the CJK font it needs, which make deps installs
$B proof --format html "$tmp/short.txt" >"$tmp/p.html"
check "proof html names fonts-noto-cjk" grep -q 'fonts-noto-cjk' "$tmp/p.html"
check "fonts-noto-cjk in the Makefile's deps" \
	sh -c "sed -n '/^DEB_PKGS/,/[^\\\\]\$/p' Makefile | grep -q fonts-noto-cjk"
if command -v fc-list >/dev/null; then
	check "a Noto Sans CJK SC font is installed" sh -c "fc-list :lang=zh family | grep -q 'Noto Sans CJK SC'"
fi

# --- the manual page has every command and every option of bobao and bobao batch
for cmd in speak text proof batch voices; do
	check "bobao.1 describes $cmd" grep -q "^\.B $cmd\$" bobao.1
done
for opt in $($B --help | grep -oE -- '--[a-z][a-z-]+|(^| )-[a-z]( |,)' | tr -d ' ,' | sort -u) \
	$($B batch --help | grep -oE -- '--[a-z][a-z-]+|(^| )-[a-z]( |,)' | tr -d ' ,' | sort -u); do
	man=$(echo "$opt" | sed 's/-/\\\\-/g')
	check "bobao.1 has $opt" grep -q -- "^\.[BI]*R* *$man\b\|^\.B[IR]* .*$man\b" bobao.1
done

finish cli
