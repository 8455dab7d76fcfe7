#!/bin/sh
# Bad input, hostile input and a hostile system, one case a row: the exit status, one line of
# error naming the file, nothing left in the output folder. Writes the table to
# $BUILD/badinput.md for the README. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
B=$BUILD/bobao
S=samples/nantong-kaifaqu.txt
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in=$tmp/in
mkdir "$in"
table=$BUILD/badinput.md
printf '| case | expected exit | result | seconds |\n|---|---|---|---|\n' >"$table"

# ---- the inputs, all generated here and deterministic
short() { printf '开发区新闻\n\n%s\n\n今年以来，全区完成投资120亿元，增长12.5%%。\n' "$1"; }
short '南通开发区对标先进，着力打造作风过硬队伍。' >"$in/short.txt"
: >"$in/empty.txt"
printf ' \n\t\n\343\200\200\n\n' >"$in/blank.txt"
printf '，。！？“”\n……\n——\n' >"$in/punct.txt"
# 4096 bytes from a small exact LCG (doubles in any awk; NULs included)
LC_ALL=C awk 'BEGIN { x = 7; for (i = 0; i < 4096; i++) { x = (x * 75 + 74) % 65537;
	printf "%c", x % 256 } }' >"$in/binary.dat"
# a NUL, then a stray 0xFF, at byte 29 (after 开发区新闻\n\n今天天气); a cut sequence at the end
short '今天天气很好。' >"$tmp/good"
{ head -c 29 "$tmp/good"; printf '\000'; tail -c +30 "$tmp/good"; } >"$in/nul.txt"
{ head -c 29 "$tmp/good"; printf '\377'; tail -c +30 "$tmp/good"; printf '\344\270'; } \
	>"$in/invalid.txt"
iconv -f UTF-8 -t UTF-16LE "$in/short.txt" >"$tmp/u16"
{ printf '\377\376'; cat "$tmp/u16"; } >"$in/utf16-bom.txt"
iconv -f UTF-8 -t UTF-16BE "$in/short.txt" >"$in/utf16-nobom.txt"
# 5 MB of hanzi on one line, not one mark
LC_ALL=C awk 'BEGIN { printf "长行\n\n"; for (i = 0; i < 110000; i++)
	printf "中文新闻稿件的一句话没有标点符号"; printf "\n" }' >"$in/line5m.txt"
head -n 2 "$in/line5m.txt" >"$in/line10k.txt"
sed -n 3p "$in/line5m.txt" | head -c 30000 >>"$in/line10k.txt"
LC_ALL=C awk 'BEGIN { printf "数字\n\n"; for (i = 0; i < 3000; i++) printf "%d", (i * 7 + 3) % 10;
	printf "\n" }' >"$in/digits3000.txt"
printf '编号\n\n编号1234567890123456789012345。\n' >"$in/digits25.txt"
LC_ALL=C awk 'BEGIN { printf "数字新闻\n\n"; for (i = 1; i <= 20000; i++) {
	printf "第%d项2019年增长12.5%%，收入3,456万元，电话025-83456789，比分2:0。", i;
	if (i % 20 == 0) printf "\n" } }' >"$in/numbers20000.txt"
short '今天天气很好😀，我们去𠮷野家吃饭🍜，𪚥𠀀也在。' >"$in/emoji.txt"
short "$(printf '今天\033[1;31m天气\033[0m很好，\033]0;title\007终端\033(B标题。')" >"$in/escapes.txt"
mkdir "$in/folder.txt"
printf 'rate = fast\n' >"$in/bad.ini"
: >"$in/regular"
mkfifo "$in/fifo.txt"
mkdir "$in/folder.lex"
# a preset and a user lexicon with a comment longer than any line buffer (5000 characters):
# a second line is not made of its end
long=$(LC_ALL=C awk 'BEGIN { for (i = 0; i < 5000; i++) printf "x" }')
printf '# %s rate = 90 bogus = 1\nrate = 190\n' "$long" >"$in/longcomment.ini"
printf '# %s \t南通\tnan2 tong1\n南通\tnan4 tong4\n' "$long" >"$in/longcomment.lex"
printf 'rate = 190\nlexicon = fifo.txt\n' >"$in/fifolex.ini"

# ---- the runner
n=0
now() { date +%s.%N; }
# expect CASE WANT NAMED WARNINGS COMMAND...: runs COMMAND with $o, a fresh output folder.
# Checks the exit status; on failure one line of error naming NAMED; on success WARNINGS
# lines on stderr; and that the folder holds nothing (failure) or no temporary (success).
expect() {
	what=$1 want=$2 named=$3 warnings=$4
	shift 4
	t0=$(now)
	"$@" >"$tmp/stdout" 2>"$tmp/stderr"
	got=$?
	verdict "$what" "$want" "$got" "$named" "$warnings" "$t0"
}
verdict() { # verdict CASE WANT GOT NAMED WARNINGS START
	secs=$(awk -v a="$6" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	fails=$fail err=$(head -c 300 "$tmp/stderr") left=$(ls -A "$o")
	lines=$(wc -l <"$tmp/stderr")
	if [ "$3" = "$2" ]; then ok; else bad "$1: exit $3, want $2: $err"; fi
	if [ "$2" = 0 ]; then
		if [ "$lines" = "$5" ]; then ok; else bad "$1: $lines lines on stderr, not $5: $err"; fi
		if ! echo "$left" | grep -q '^\.'; then ok; else bad "$1: temporary left: $left"; fi
	else
		if [ "$2" -ge 128 ]; then # killed: not a word
			if [ "$lines" = 0 ]; then ok; else bad "$1: stderr: $err"; fi
		elif [ "$lines" = 1 ] && grep -q '^bobao: ' "$tmp/stderr" &&
		     grep -qF -- "$4" "$tmp/stderr"; then ok
		else bad "$1: error is not one line naming $4: $err"; fi
		if [ -z "$left" ]; then ok; else bad "$1: left in the output folder: $left"; fi
	fi
	result="$3 ok"
	[ "$fail" = "$fails" ] || result="$3 FAIL"
	printf '| %s | %s | %s | %s |\n' "$1" "$2" "$result" "$secs" >>"$table"
}
case_dir() { n=$((n + 1)); o=$tmp/out$n; mkdir "$o"; }

# ---- the cases: empty and unreadable articles
case_dir; expect "empty file" 65 empty.txt 0 $B speak -q "$in/empty.txt" -o "$o/a.wav"
case_dir; expect "only white space" 65 blank.txt 0 $B speak -q "$in/blank.txt" -o "$o/a.wav"
case_dir; expect "only punctuation" 65 punct.txt 0 $B speak -q "$in/punct.txt" -o "$o/a.wav"
case_dir; expect "random binary" 65 binary.dat 0 $B speak -q "$in/binary.dat" -o "$o/a.wav"
check "random binary: says binary" grep -q 'binary data' "$tmp/stderr"
case_dir; expect "NUL byte inside text" 65 nul.txt 0 $B speak -q "$in/nul.txt" -o "$o/a.wav"
check "NUL byte: gives its offset" grep -q "NUL byte at byte 29" "$tmp/stderr"
case_dir; expect "NUL byte inside text, --lenient" 0 nul.txt 1 \
	$B speak -q --lenient "$in/nul.txt" -o "$o/a.wav"
case_dir; expect "invalid UTF-8 inside UTF-8" 65 invalid.txt 0 \
	$B speak -q "$in/invalid.txt" -o "$o/a.wav"
check "invalid UTF-8: gives the byte offset" grep -q 'invalid UTF-8 at byte 29$' "$tmp/stderr"
case_dir; expect "invalid UTF-8 inside UTF-8, --lenient" 0 invalid.txt 1 \
	$B speak -q --lenient "$in/invalid.txt" -o "$o/a.wav"
check "--lenient: warns once with the count and the first offset" \
	grep -q 'invalid.txt: warning: 2 invalid UTF-8 sequences .*byte 29)' "$tmp/stderr"
check "--lenient: audio written" test -s "$o/a.wav"
$B proof --format tsv --lenient "$in/invalid.txt" >"$tmp/tsv" 2>/dev/null
check "--lenient: every unit read, no replacement character" \
	awk -F '\t' '$3 == "" || $2 ~ /\357\277\275/ { bad = 1 } END { exit bad }' "$tmp/tsv"
$B text --encoding UTF-8 "$in/invalid.txt" >/dev/null 2>"$tmp/stderr"
check "--encoding UTF-8: the same offset" grep -q 'invalid UTF-8 at byte 29$' "$tmp/stderr"

# ---- other encodings and characters
$B text "$in/short.txt" >"$tmp/short.spoken"
case_dir; expect "UTF-16 LE with BOM" 0 - 0 $B speak -q "$in/utf16-bom.txt" -o "$o/a.wav"
check "UTF-16 LE with BOM: read as the UTF-8 copy" \
	sh -c "$B text '$in/utf16-bom.txt' | cmp -s - '$tmp/short.spoken'"
case_dir; expect "UTF-16 BE without BOM" 0 - 0 $B speak -q "$in/utf16-nobom.txt" -o "$o/a.wav"
check "UTF-16 without BOM: read as the UTF-8 copy" \
	sh -c "$B text '$in/utf16-nobom.txt' | cmp -s - '$tmp/short.spoken'"
case_dir; expect "emoji and CJK Extension B" 0 - 0 $B speak -q "$in/emoji.txt" -o "$o/a.wav"
check "emoji: not in the spoken text" sh -c "! $B text '$in/emoji.txt' | grep -q '😀'"
case_dir; expect "terminal escape codes" 0 - 0 $B speak -q "$in/escapes.txt" -o "$o/a.wav"
$B text "$in/escapes.txt" >"$tmp/esc.spoken"
check "escape codes: no control byte in the spoken text" \
	sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$tmp/esc.spoken'"
check "escape codes: nothing of them read" grep -q '^今天天气很好，终端标题。$' "$tmp/esc.spoken"

# ---- long and number-heavy articles: bounded sentences, every digit read, linear time
case_dir; expect "5 MB line without punctuation (text)" 0 - 0 $B text "$in/line5m.txt"
check "5 MB line: broken into sentences of at most 120 characters" \
	awk 'length($0) > 360 { exit 1 }' "$tmp/stdout"
check "5 MB line: all of it kept" test "$(tr -d '\n' <"$tmp/stdout" | wc -c)" -ge 5280000
case_dir; expect "10,000 hanzi without punctuation (speak)" 0 - 0 \
	$B speak -q "$in/line10k.txt" -o "$o/a.wav"
case_dir; expect "3000-digit number (speak)" 0 - 0 $B speak -q "$in/digits3000.txt" -o "$o/a.wav"
$B text "$in/digits3000.txt" >"$tmp/d.spoken"
check "3000 digits: read one by one, all of them (3000 hanzi of 3 bytes)" \
	test "$(sed -n '3,$p' "$tmp/d.spoken" | tr -d '\n' | sed 's/。//g' | LC_ALL=C wc -c)" -eq 9000
check "3000 digits: in sentences of at most 120 characters" \
	awk 'length($0) > 360 { exit 1 }' "$tmp/d.spoken"
$B proof --format tsv "$in/digits3000.txt" >"$tmp/tsv"
check "3000 digits: every unit has a reading" awk -F '\t' '$3 == "" { exit 1 }' "$tmp/tsv"
case_dir; expect "25-digit number" 0 - 0 $B text "$in/digits25.txt"
check "25 digits: digit by digit" \
	grep -q '^编号幺二三四五六七八九零幺二三四五六七八九零幺二三四五。$' "$tmp/stdout"
case_dir; expect "20000 sentences full of numbers (text)" 0 - 0 $B text "$in/numbers20000.txt"
check "20000 sentences: no digit left" sh -c "! grep -q '[0-9]' '$tmp/stdout'"
check "20000 sentences: all there" test "$(grep -c '比分二比零。$' "$tmp/stdout")" -eq 20000
case_dir; expect "20000 sentences full of numbers (proof)" 0 - 0 \
	$B proof --format tsv "$in/numbers20000.txt"
check "20000 sentences: every unit has a reading" awk -F '\t' '$3 == "" { exit 1 }' "$tmp/stdout"

# memory: the largest article accepted by default (16 MiB) is read in a small multiple of its
# size (text to its end; speak over its first 6 s: script built, synthesis under way). Not
# under AddressSanitizer (make check), whose shadow memory and quarantine say nothing of ours.
if ! grep -q __asan_init "$B"; then
	tail -n +2 $S >"$tmp/body"
	copies=$((16 * 1048576 / $(wc -c <"$tmp/body") - 1)) i=0
	{ head -n 1 $S; echo; while [ $i -lt $copies ]; do cat "$tmp/body"; i=$((i + 1)); done; } \
		>"$tmp/big.txt"
	kb=$(/usr/bin/time -f %M $B text "$tmp/big.txt" 2>&1 >/dev/null | tail -n 1)
	check "16 MiB article: text peaks under 128 MB (got $kb KB)" test "$kb" -lt 131072
	case_dir
	kb=$(/usr/bin/time -f %M timeout 6 $B speak -q "$tmp/big.txt" -o "$o/a.wav" 2>&1 | tail -n 1)
	check "16 MiB article: speak peaks under 256 MB (got $kb KB)" test "$kb" -lt 262144
	rm -f "$tmp/big.txt" "$tmp/body"
fi

# ---- files that are not there or not articles, outputs that cannot be
case_dir; expect "missing file" 66 nope.txt 0 $B speak -q "$in/nope.txt" -o "$o/a.wav"
case_dir; expect "a directory as the article" 66 folder.txt 0 \
	$B speak -q "$in/folder.txt" -o "$o/a.wav"
check "directory: says so" grep -q 'folder.txt: is a directory$' "$tmp/stderr"
case_dir; expect "output folder that does not exist" 73 "$o/no/such/a.wav" 0 \
	$B speak -q "$in/short.txt" -o "$o/no/such/a.wav"
case_dir; expect "output path under a regular file" 73 "$in/regular/a.wav" 0 \
	$B speak -q "$in/short.txt" -o "$in/regular/a.wav"
case_dir; expect "unknown voice" 78 nosuchvoice 0 \
	$B speak -q --voice nosuchvoice "$in/short.txt" -o "$o/a.wav"
case_dir; expect "malformed voice file" 78 bad.ini 0 \
	$B speak -q --voice "$in/bad.ini" "$in/short.txt" -o "$o/a.wav"
case_dir; expect "unknown option" 64 "'--bogus'" 0 $B speak -q --bogus "$in/short.txt" -o "$o/a.wav"
case_dir; expect "option without its argument" 64 "'--voice'" 0 $B speak -q "$in/short.txt" --voice
case_dir; expect "file over --max-size" 65 $S 0 $B speak -q --max-size 4K $S -o "$o/a.wav"
check "--max-size: size and limit in the message" \
	grep -qF "$S: file too large ($(wc -c <$S) bytes, limit 4 KB; see --max-size)" "$tmp/stderr"
case_dir; expect "malformed --max-size" 64 "--max-size" 0 $B text --max-size 12Q "$in/short.txt"

# ---- what is not a regular file is never waited on nor read: FIFOs, devices (timeout: the
# old code waited in open() or read a FIFO lexicon at 100% CPU for ever)
T="timeout 10"
case_dir; expect "a FIFO as the article (speak)" 66 fifo.txt 0 \
	$T $B speak -q "$in/fifo.txt" -o "$o/a.wav"
check "FIFO: says not a regular file" grep -q 'fifo.txt: not a regular file' "$tmp/stderr"
case_dir; expect "a FIFO as the article (text)" 66 fifo.txt 0 $T $B text "$in/fifo.txt"
case_dir; expect "/dev/zero as the article" 66 /dev/zero 0 $T $B text /dev/zero
case_dir; expect "a FIFO as --lexicon (speak)" 78 fifo.txt 0 \
	$T $B speak -q --lexicon "$in/fifo.txt" "$in/short.txt" -o "$o/a.wav"
case_dir; expect "/dev/zero as --lexicon (proof)" 78 /dev/zero 0 \
	$T $B proof --lexicon /dev/zero "$in/short.txt"
case_dir; expect "a FIFO as a preset's lexicon" 78 fifo.txt 0 \
	$T $B speak -q --voice "$in/fifolex.ini" "$in/short.txt" -o "$o/a.wav"
case_dir; expect "a FIFO as the preset" 78 fifo.txt 0 $T $B text --voice "$in/fifo.txt" "$in/short.txt"
# a user lexicon that cannot be read is bad configuration, as README says, in every command
for cmd in speak text proof; do
	case_dir; expect "missing --lexicon ($cmd)" 78 nope.lex 0 \
		$T $B $cmd -q --lexicon "$in/nope.lex" "$in/short.txt" -o "$o/a.wav"
	case_dir; expect "a folder as --lexicon ($cmd)" 78 folder.lex 0 \
		$T $B $cmd -q --lexicon "$in/folder.lex" "$in/short.txt" -o "$o/a.wav"
done
case_dir; expect "5000-character comment in a preset" 0 - 0 \
	$B text --voice "$in/longcomment.ini" "$in/short.txt"
case_dir; expect "5000-character comment in a user lexicon" 0 - 0 \
	$B proof --format tsv --lexicon "$in/longcomment.lex" "$in/short.txt"
check "long comment: the entry after it read" grep -q '	南	nan4$' "$tmp/stdout"
# presets: every numeric value finite and in its range, refused with its line
for v in "loudness_lufs = nan" "loudness_lufs = -nan" "true_peak_dbtp = NAN" \
	 "loudness_lufs = inf" "loudness_lufs = -infinity" "rate = 1e308" "rate = -175" \
	 "pause_sentence_ms = -1" "sample_rate = nan" "volume = 1e-9"; do
	printf '# a preset\n%s\n' "$v" >"$tmp/v.ini"
	case_dir; expect "preset $v" 78 "v.ini:2: bad value" 0 $B text --voice "$tmp/v.ini" "$in/short.txt"
done

# ---- outputs that are the input, or not regular files: refused, the input untouched
mkdir "$tmp/same"
top=$(pwd)
case $B in /*) top= ;; esac
for f in art.txt story.json news.srt clip.wav; do cp "$in/short.txt" "$tmp/same/$f"; done
same() { # same CASE ARTICLE ARGS...: exit 73, the article unchanged, nothing else written
	what=$1 art=$2
	shift 2
	o=$tmp/same
	rm -f "$tmp/same"/*.wav "$tmp/same"/*.json "$tmp/same"/*.srt "$tmp/same"/*.vtt
	for f in art.txt story.json news.srt clip.wav; do cp "$in/short.txt" "$tmp/same/$f"; done
	t0=$(now)
	(cd "$tmp/same" && exec "$top/$B" speak -q "$@") >"$tmp/stdout" 2>"$tmp/stderr"
	got=$?
	secs=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	fails=$fail
	if [ $got = 73 ] && [ "$(wc -l <"$tmp/stderr")" = 1 ] &&
	   grep -q 'is the input file' "$tmp/stderr"; then ok
	else bad "$what: exit $got, want 73 naming the input: $(cat "$tmp/stderr")"; fi
	if cmp -s "$in/short.txt" "$tmp/same/$art"; then ok; else bad "$what: the input changed"; fi
	if [ "$(ls -A "$tmp/same" | wc -l)" = 4 ]; then ok
	else bad "$what: left: $(ls -A "$tmp/same")"; fi
	result="$got ok"
	[ "$fail" = "$fails" ] || result="$got FAIL"
	printf '| %s | 73 | %s | %s |\n' "$what" "$result" "$secs" >>"$table"
}
same "-o onto the article" art.txt --format wav art.txt -o art.txt
same "--json onto the article" story.json story.json --json
same "--srt onto the article" news.srt news.srt --srt
same "default output onto the article" clip.wav clip.wav
same "-o onto the article by another name" art.txt --format wav art.txt -o ../same/./art.txt
same "-o onto the article read as standard input" art.txt --format wav - -o art.txt <"$tmp/same/art.txt"
# copies of /dev/null and /dev/full (the old code replaced them: never the real ones)
if [ "$(id -u)" = 0 ] && mknod "$tmp/null" c 1 3 2>/dev/null && mknod "$tmp/full" c 1 7; then
	for d in null full; do
		case_dir; expect "-o onto a device node (a copy of /dev/$d)" 73 "$tmp/$d" 0 \
			$B speak -q --format wav "$in/short.txt" -o "$tmp/$d"
		check "device node: still a device" test -c "$tmp/$d"
	done
fi
case_dir; expect "-o onto a FIFO" 73 fifo.txt 0 \
	$T $B speak -q --format wav "$in/short.txt" -o "$in/fifo.txt"
case_dir; expect "manifest onto the audio" 73 manifest 0 \
	$B speak -q --format wav "$in/short.txt" -o "$o/a.json" --json

# ---- messages: a path with a newline is escaped, the error stays one line
nl='a
b.txt'
case_dir; expect "a missing article named with a newline" 66 'a\nb.txt' 0 $B text "$in/$nl"
case_dir; expect "a user lexicon named with a newline" 78 'a\nb.txt' 0 \
	$B text --lexicon "$in/$nl" "$in/short.txt"

# ---- a hostile system: full disk, no writable home, interrupted runs. Nothing but bobao's own
# line reaches stderr: eSpeak never opens audio output (no PulseAudio client, whose shared
# memory file the file size limit cuts and which wants a folder in HOME)
case_dir; expect "full disk (ulimit -f)" 74 "$o/a.wav" 0 \
	sh -c "ulimit -f 200 && exec $B speak -q $S -o '$o/a.wav'"
check "full disk: says write error" grep -q 'a.wav: write error: File too large$' "$tmp/stderr"
case_dir; expect "HOME missing" 0 - 0 env HOME="$tmp/nohome" $B speak -q "$in/short.txt" -o "$o/a.wav"
check "HOME missing: not created" test ! -e "$tmp/nohome"
case_dir; expect "HOME a file" 0 - 0 env HOME="$in/short.txt" XDG_RUNTIME_DIR= \
	$B speak -q "$in/short.txt" -o "$o/a.wav"
# interrupted while the output is written: wait for the temporary file, then signal. A
# background job of a script starts with SIGINT ignored, which bobao keeps: env restores it.
interrupt() { # interrupt CASE SIGNAL WANT
	case_dir
	t0=$(now)
	env --default-signal=INT,TERM $B speak -q $S --format mp3 -o "$o/a.mp3" \
		>"$tmp/stdout" 2>"$tmp/stderr" &
	pid=$!
	tries=0
	while [ -z "$(ls -A "$o")" ] && [ $tries -lt 3000 ] && kill -0 $pid 2>/dev/null; do
		sleep 0.02
		tries=$((tries + 1))
	done
	seen=$(ls -A "$o")
	kill -s "$2" $pid 2>/dev/null
	{ wait $pid; } 2>/dev/null # no "Terminated" from the shell
	got=$?
	case $seen in
	.bobao-tmp.*.a.mp3.*) ok ;;
	*) bad "$1: no temporary file seen before the signal ($seen)" ;;
	esac
	verdict "$1" "$3" "$got" - 0 "$t0"
}
interrupt "SIGINT while writing" INT 130
interrupt "SIGTERM while writing" TERM 143

finish badinput
