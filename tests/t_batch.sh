#!/bin/sh
# bobao batch: outputs equal to single runs, incremental, cache, kill -9, bad articles, shards,
# GNU parallel, the folder lock, watch. SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) B=$BUILD/bobao ;; *) B=$(pwd)/$BUILD/bobao ;; esac
T=$(mktemp -d)
[ -n "$KEEP" ] && echo "keeping $T" || trap 'rm -rf "$T"' EXIT
# Decoded samples, so the WAV header (which carries a date) does not matter.
samples() { ffmpeg -v error -i "$1" -f md5 - 2>/dev/null; }
# Paths of the articles a --log file says were converted / skipped, sorted.
logged() { jq -r "select(.status == \"$2\") | .path" "$1" | sort; }

sample_paragraphs "$T/paras"
IN=$T/in
for i in 1 2 3 4 5 6; do make_article "$IN/a$i.txt" "$i"; done
make_article "$IN/desk/b1.txt" 7
make_article "$IN/desk/late/b2.txt" 8
mkdir -p "$IN/.hidden" && make_article "$IN/.hidden/no.txt" 9
echo "not an article" >"$IN/notes.md"
all=$(cd "$IN" && find . -name '*.txt' -not -path './.*' | sed 's|^\./||' | sort)
n=$(echo "$all" | wc -l)

# 1. A batch: every article, with its sidecars; the summary; exit 0.
O=$T/out
"$B" batch -j 2 --log "$T/log1" "$IN" "$O" 2>"$T/err1"
check "first batch exits 0 ($(cat "$T/err1"))" test $? -eq 0
missing=0
for a in $all; do
	for ext in wav json vtt srt; do
		[ -s "$O/${a%.txt}.$ext" ] || { missing=1; echo "missing $O/${a%.txt}.$ext"; }
	done
done
check "all outputs and sidecars present" test $missing -eq 0
check "hidden folders and non-.txt files are left alone" test ! -e "$O/.hidden/no.wav" -a ! -e "$O/notes.wav"
check "log: all $n converted" test "$(logged "$T/log1" converted)" = "$all"
check "log: all converted as new" test "$(jq -r 'select(.status == "converted") | .reason' "$T/log1" | sort -u)" = new
check "summary line" grep -q "^batch: $n converted, 0 skipped, 0 failed" "$T/err1"

# 2. Equal to single `speak` runs (the same input path, so the manifest's source matches).
same=1
for a in a1.txt desk/late/b2.txt; do
	S=$T/single/${a%.txt}
	mkdir -p "$(dirname "$S")"
	"$B" speak -q --json --vtt --srt "$IN/$a" -o "$S.wav" || same=0
	for ext in json vtt srt; do
		cmp -s "$S.$ext" "$O/${a%.txt}.$ext" || { same=0; echo "differs: $a .$ext"; }
	done
	[ "$(samples "$S.wav")" = "$(samples "$O/${a%.txt}.wav")" ] || { same=0; echo "audio differs: $a"; }
done
check "outputs equal to single speak runs" test $same -eq 1

# 3. A re-run with nothing changed skips everything.
"$B" batch -j 2 --log "$T/log2" --log-skipped "$IN" "$O" 2>"$T/err2"
check "re-run exits 0" test $? -eq 0
check "re-run skips all" test "$(logged "$T/log2" skipped)" = "$all"
check "re-run converts none" test -z "$(logged "$T/log2" converted)"
check "log: skipped as up-to-date" test "$(jq -r 'select(.status == "skipped") | .reason' "$T/log2" | sort -u)" = up-to-date
# --dry-run lists what would be converted and why, and changes nothing.
out=$("$B" batch -n "$IN" "$O" 2>"$T/errn")
check "dry run, nothing changed: lists nothing" test -z "$out"
check "dry run: summary" grep -q "^batch: dry run: 0 to convert, $n up to date; nothing changed" "$T/errn"
"$B" batch --dry-run "$IN" "$T/none" >"$T/dryall" 2>/dev/null
check "dry run into a new folder: all new" test "$(cut -f 2 "$T/dryall" | sort)" = "$all" -a "$(cut -f 1 "$T/dryall" | sort -u)" = new
check "dry run into a new folder: the folder is not made" test ! -e "$T/none"
"$B" batch -n --watch "$IN" "$O" 2>/dev/null
check "dry run with --watch: usage error 64" test $? -eq 64

# 4. One edited article is redone, alone, mostly from the sentence cache.
echo "开发区今年新增项目三十个。" >>"$IN/a3.txt"
check "dry run: the edited article, for its input" test "$("$B" batch -n "$IN" "$O" 2>/dev/null)" = "$(printf 'input\ta3.txt')"
"$B" batch -j 2 --log "$T/log3" "$IN" "$O" 2>"$T/err3"
check "edit: exits 0" test $? -eq 0
check "edit: only a3 converted" test "$(logged "$T/log3" converted)" = "a3.txt"
check "edit: logged with its reason, input" test "$(jq -r 'select(.status == "converted") | .reason' "$T/log3")" = input
check "edit: the unchanged sentences come from the cache" grep -qE 'sentences from the cache' "$T/err3"
hits=$(sed -n 's/.*(\([0-9]*\) of \([0-9]*\) sentences from the cache).*/\1 \2/p' "$T/err3")
check "edit: one sentence synthesized, the rest cached ($hits)" test "$(echo "$hits" | awk '{print $2 - $1}')" = 1
# eSpeak NG 1.51 carries state from one sentence to the next (its pitch flutter phase), so a
# sentence from the cache is equivalent, not sample-identical: same text, same sentences,
# a duration within 1%.
S=$T/single/a3
"$B" speak -q --json --vtt --srt "$IN/a3.txt" -o "$S.wav"
check "edit: same subtitle text as a fresh single run" test "$(grep -v -- '-->' "$S.vtt")" = "$(grep -v -- '-->' "$O/a3.vtt")"
d1=$(jq .duration "$S.json")
d2=$(jq .duration "$O/a3.json")
check "edit: duration within 1% of a fresh single run ($d1 s, $d2 s)" test "$(echo "($d1 - $d2)^2 < ($d1 / 100)^2" | bc -l)" = 1
# Loudness is gated again over the kept 100 ms energies: the same as measuring afresh.
l1=$(jq .loudness.measured_integrated "$S.json")
l2=$(jq .loudness.measured_integrated "$O/a3.json")
check "edit: measured loudness within 0.2 LU of a fresh single run ($l1, $l2)" test "$(echo "($l1 - $l2)^2 < 0.04" | bc -l)" = 1
# Changed settings (another voice) redo everything.
"$B" batch -j 2 --voice slow --log "$T/log3b" "$IN" "$O" 2>/dev/null
check "another voice redoes all" test "$(logged "$T/log3b" converted)" = "$all"
check "another voice: logged with the reason settings" test "$(jq -r 'select(.status == "converted") | .reason' "$T/log3b" | sort -u)" = settings
# Another synthesizer (eSpeak NG upgraded, or its data patched) redoes all and takes nothing
# from the cache: here eSpeak's own data folder, but its cmn dictionary dated otherwise.
data=$(espeak-ng --version | sed -n 's/.*Data at: *//p')
E=$T/espeak
mkdir -p "$E/espeak-ng-data"
for f in "$data"/*; do ln -s "$f" "$E/espeak-ng-data/"; done
rm "$E/espeak-ng-data/cmn_dict" && cp "$data/cmn_dict" "$E/espeak-ng-data/" &&
	touch -d '2001-01-01' "$E/espeak-ng-data/cmn_dict"
"$B" batch -j 2 --voice slow --log "$T/log3c" --log-skipped "$IN" "$O" 2>"$T/err3c"
check "same synthesizer again: skips all" test "$(logged "$T/log3c" skipped)" = "$all"
ESPEAK_DATA_PATH=$E "$B" batch -n --voice slow "$IN" "$O" >"$T/dry3d" 2>/dev/null
check "dry run: another synthesizer's data: settings, for all" test "$(cut -f 2 "$T/dry3d" | sort)" = "$all" -a "$(cut -f 1 "$T/dry3d" | sort -u)" = settings
ESPEAK_DATA_PATH=$E "$B" batch -j 2 --voice slow --log "$T/log3d" "$IN" "$O" 2>"$T/err3d"
check "another synthesizer's data: redoes all" test "$(logged "$T/log3d" converted)" = "$all"
check "another synthesizer's data: nothing from the cache" grep -q '(0 of [0-9]* sentences from the cache)' "$T/err3d"

# An edit to an article of more sentences than the assembler keeps cache entries open for
# (256): the rest are copied, and the whole still measures as a fresh run does.
M=$T/many
mkdir -p "$M/in"
{ echo "三百句"; echo; for i in $(seq 1 300); do printf '第%d句话。' "$i"; done; echo; } >"$M/in/m.txt"
"$B" batch -q -j 1 "$M/in" "$M/out" && sed -i 's/第7句话/第七句/' "$M/in/m.txt" &&
	"$B" batch -q -j 1 "$M/in" "$M/out" && "$B" speak -q --json "$M/in/m.txt" -o "$M/fresh.wav"
check "300 sentences, edited: converted" test -s "$M/out/m.wav" -a -s "$M/fresh.json"
d1=$(jq .duration "$M/fresh.json") d2=$(jq .duration "$M/out/m.json")
l1=$(jq .loudness.measured_integrated "$M/fresh.json") l2=$(jq .loudness.measured_integrated "$M/out/m.json")
check "300 sentences, edited: duration ($d1, $d2) and loudness ($l1, $l2) as a fresh run" \
	test "$(echo "($d1 - $d2)^2 < ($d1 / 100)^2 && ($l1 - $l2)^2 < 0.04" | bc -l)" = 1
# A link in place of a cache subfolder: neither written through nor evicted through.
sub=$(ls "$M/out/.bobao-cache" | head -n 1)
mkdir -p "$M/outside" && echo keep >"$M/outside/old.seg" && touch -d '2 days ago' "$M/outside/old.seg"
rm -rf "$M/out/.bobao-cache/$sub" "$M/out/.bobao-state" && ln -s "$M/outside" "$M/out/.bobao-cache/$sub"
"$B" batch -q -j 1 --cache-size 1 "$M/in" "$M/out"
check "cache subfolder is a link: converted ($?), nothing written or evicted through it" \
	test "$(ls -A "$M/outside")" = old.seg

# 5. Bad articles fail alone, with one line each, and exit 65.
BAD=$T/bad
mkdir -p "$BAD"
cp "$IN/a1.txt" "$IN/a2.txt" "$BAD/"
head -c 3000 /dev/urandom >"$BAD/junk.txt"
: >"$BAD/empty.txt"
"$B" batch -j 2 --log "$T/log5" "$BAD" "$T/badout" 2>"$T/err5"
check "bad articles: exit 65" test $? -eq 65
check "bad articles: one error line each" test "$(grep -c '^bobao: .*\(junk\|empty\)\.txt: ' "$T/err5")" -eq 2
check "bad articles: the good ones are converted" test "$(logged "$T/log5" converted | tr '\n' ' ')" = "a1.txt a2.txt "
check "bad articles: logged failed with code 65" test "$(jq -r 'select(.status == "failed") | .code' "$T/log5" | sort -u)" = 65
check "bad articles: no output for them" test ! -e "$T/badout/junk.wav" -a ! -e "$T/badout/empty.wav"

# 6. Shards 0/2 and 1/2: disjoint, and together all.
"$B" batch -j 1 --shard 0/2 --log "$T/log6a" "$IN" "$T/sh0" 2>/dev/null
"$B" batch -j 1 --shard 1/2 --log "$T/log6b" "$IN" "$T/sh1" 2>/dev/null
s0=$(logged "$T/log6a" converted)
s1=$(logged "$T/log6b" converted)
check "shards are disjoint" test -z "$(printf '%s\n%s\n' "$s0" "$s1" | sort | uniq -d)"
check "shards cover all" test "$(printf '%s\n%s\n' "$s0" "$s1" | grep . | sort)" = "$all"
check "neither shard is empty" test -n "$s0" -a -n "$s1"

# 7. GNU parallel running the two shards into one folder = one run.
P=$T/par
if parallel --will-cite -j 2 "$B" batch -q -j 1 --shard {}/2 "$IN" "$P" ::: 0 1; then ok; else bad "parallel shards exit 0"; fi
"$B" batch -j 2 -q "$IN" "$T/one"
same=1
for a in $all; do
	for ext in json vtt srt; do
		cmp -s "$P/${a%.txt}.$ext" "$T/one/${a%.txt}.$ext" || { same=0; echo "differs: $a .$ext"; }
	done
	[ "$(samples "$P/${a%.txt}.wav")" = "$(samples "$T/one/${a%.txt}.wav")" ] || { same=0; echo "audio differs: $a"; }
done
check "GNU parallel shards give the same outputs as one run" test $same -eq 1

# 8. The lock: a second batch on a locked folder exits 75 at once; with --wait it waits.
flock "$T/one/.bobao-lock" sleep 2 &
holder=$!
sleep 0.3
"$B" batch -q "$IN" "$T/one" 2>"$T/err8"
check "locked folder: exit 75" test $? -eq 75
check "locked folder: a clear message" grep -q 'another bobao batch.*try again later' "$T/err8"
start=$(date +%s.%N)
"$B" batch -q --wait "$IN" "$T/one" 2>/dev/null
rc=$?
waited=$(echo "$(date +%s.%N) - $start" | bc)
check "--wait: waits for the lock, then exits 0 (rc $rc after $waited s)" test $rc -eq 0 -a "$(echo "$waited > 1" | bc)" = 1
wait $holder

# 9. kill -9 of the whole process group mid-run: nothing incomplete under a final name; a
# re-run completes the rest.
K=$T/kin
for i in $(seq 1 30); do make_article "$K/k$i.txt" "$i"; done
setsid "$B" batch -q -j 2 --no-cache "$K" "$T/kout" 2>/dev/null &
pg=$!
i=0
while [ "$(find "$T/kout" -name '*.wav' 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 -"$pg" 2>/dev/null
wait $pg 2>/dev/null
done_before=$(find "$T/kout" -name '*.wav' | wc -l)
check "kill -9: stopped mid-run ($done_before of 30 done)" test "$done_before" -lt 30
broken=0
for f in $(find "$T/kout" -name '*.wav' -o -name '*.json' | grep -v '/\.'); do
	case $f in
	*.json) jq -e .duration "$f" >/dev/null 2>&1 || { broken=1; echo "broken: $f"; } ;;
	*.wav) [ -n "$(ffmpeg -v error -i "$f" -f null - 2>&1)" ] && { broken=1; echo "broken: $f"; } ;;
	esac
done
check "kill -9: every file under a final name is complete" test $broken -eq 0
"$B" batch -j 2 --log "$T/log9" --log-skipped "$K" "$T/kout" 2>/dev/null
check "kill -9: the re-run exits 0" test $? -eq 0
check "kill -9: the re-run finishes all 30" test "$(find "$T/kout" -name '*.wav' | wc -l)" -eq 30
check "kill -9: no temporaries left for redone articles" test -z "$(find "$T/kout" -name '.bobao-tmp.*' | head -n 1)"
check "kill -9: the re-run skipped the finished ones" test "$(logged "$T/log9" skipped | wc -l)" -ge 1

# 10. --watch: a file is converted once closed and settled, not while being written.
W=$T/win
mkdir -p "$W"
"$B" batch --watch --settle 200 -q -j 1 "$W" "$T/wout" 2>"$T/err10" &
watcher=$!
sleep 0.5
exec 3>"$W/live.txt"
echo "第一篇 开发区动态" >&3
echo >&3
sleep 1.2
check "watch: a file still open is not picked up" test ! -e "$T/wout/live.wav"
sed -n 2p "$paras" >&3
exec 3>&-
make_article "$W/.drop.tmp" 5 && mv "$W/.drop.tmp" "$W/moved.txt"
ln -s "$paras" "$T/w.link" && mv "$T/w.link" "$W/linked.txt"
mkdir -p "$W/new/deep" && make_article "$W/new/deep/x.txt" 6
i=0
while [ ! -e "$T/wout/new/deep/x.srt" -o ! -e "$T/wout/live.srt" -o ! -e "$T/wout/moved.srt" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "watch: closed, moved-in and new-folder files are converted" test -s "$T/wout/live.wav" -a -s "$T/wout/moved.wav" -a -s "$T/wout/new/deep/x.wav"
check "watch: the whole live file was read" grep -q "$(sed -n 2p "$paras" | cut -c1-12)" "$T/wout/live.srt"
check "watch: a link moved in is skipped with a warning" grep -q "^bobao: $W/linked.txt: a symbolic link: skipped" "$T/err10"
kill -TERM $watcher
wait $watcher
check "watch: exits 0 on SIGTERM" test $? -eq 0

# 11. Usage errors.
"$B" batch "$IN" 2>/dev/null
check "one folder only: exit 64" test $? -eq 64
"$B" batch --shard 2/2 "$IN" "$O" 2>/dev/null
check "bad shard: exit 64" test $? -eq 64
"$B" batch "$T/nope" "$O" 2>/dev/null
check "missing IN_DIR: exit 66" test $? -eq 66
"$B" batch --shard ../1/2 "$IN" "$O" 2>/dev/null
check "a path in --shard: exit 64 (K/N are numbers; lock names are made of them)" test $? -eq 64
"$B" batch --timeout -1 "$IN" "$O" 2>/dev/null
check "negative --timeout: exit 64" test $? -eq 64

# 12. Symbolic links: under IN_DIR never followed (skipped, with a warning for articles and
# folders); under OUT_DIR never written through. The targets outside stay untouched.
L=$T/lin LO=$T/lout X=$T/outside
make_article "$L/real.txt" 1
make_article "$L/sub/s.txt" 3
make_article "$X/secret.txt" 2
ln -s "$X/secret.txt" "$L/leak.txt"
ln -s "$X" "$L/outdir"
ln -s .. "$L/sub/loop"
mkdir -p "$LO" "$T/elsewhere"
ln -s "$T/elsewhere" "$LO/sub"
ls -lR "$X" >"$T/outside.before"
"$B" batch -j 1 --log "$T/log12" "$L" "$LO" 2>"$T/err12"
rc=$?
check "links: the plain articles are tried, nothing else ($(logged "$T/log12" converted | tr '\n' ' '))" \
	test "$(jq -r .path "$T/log12" | sort | tr '\n' ' ')" = "real.txt sub/s.txt "
check "links: a link to a file outside is skipped with a warning" grep -q "^bobao: $L/leak.txt: a symbolic link: skipped" "$T/err12"
check "links: a link to a folder outside is skipped with a warning" grep -q "^bobao: $L/outdir: a symbolic link: skipped" "$T/err12"
check "links: a folder loop is skipped with a warning" grep -q "^bobao: $L/sub/loop: a symbolic link: skipped" "$T/err12"
check "links: nothing from outside IN_DIR is converted" test ! -e "$LO/leak.wav" -a ! -e "$LO/outdir"
check "links: the targets in IN_DIR's outside are untouched" test "$(ls -lR "$X")" = "$(cat "$T/outside.before")"
check "links: OUT_DIR/sub, a link to outside, is not written through" test -z "$(ls -A "$T/elsewhere")"
check "links: that article fails with 73 and says why" \
	test $rc -eq 73 -a "$(grep -c "^bobao: $LO/sub/s.wav: .*sub: a symbolic link, not followed" "$T/err12")" -eq 1
check "links: the others are converted" test -s "$LO/real.wav" -a -s "$LO/real.srt"
# The state and cache folders and the lock file are not written through a link either.
for f in .bobao-state .bobao-cache .bobao-lock; do
	mkdir -p "$T/l2/$f.out" "$T/elsewhere2"
	rm -rf "$T/elsewhere2"/* "$T/l2/$f.out"/*
	case $f in
	*lock) ln -s "$T/elsewhere2/lock" "$T/l2/$f.out/$f" ;;
	*) ln -s "$T/elsewhere2" "$T/l2/$f.out/$f" ;;
	esac
	"$B" batch -q -j 1 "$L" "$T/l2/$f.out" 2>/dev/null
	rc=$?
	check "links: $f as a link: exit 73, nothing written outside" test $rc -eq 73 -a -z "$(ls -A "$T/elsewhere2")"
done

# 13. --timeout: an article over its time fails alone with 75 and one line, leaves neither
# outputs nor temporaries, and the batch goes on (the biggest article goes first).
TI=$T/tin
mkdir -p "$TI"
for i in 1 2; do printf '第%s篇\n\n短讯。\n' $i >"$TI/s$i.txt"; done
for i in $(seq 40); do cat samples/nantong-kaifaqu.txt; done >"$TI/big.txt"
"$B" batch -j 1 --no-cache --timeout 1 --log "$T/log13" "$TI" "$T/tout" 2>"$T/err13"
rc=$?
check "timeout: exit 75 ($rc)" test $rc -eq 75
check "timeout: one line for it" test "$(grep -c "^bobao: $TI/big.txt: timed out after 1 s\$" "$T/err13")" -eq 1
check "timeout: logged failed with code 75" \
	test "$(jq -r 'select(.path == "big.txt") | "\(.status) \(.code)"' "$T/log13")" = "failed 75"
check "timeout: no outputs or temporaries for it" test -z "$(find "$T/tout" -name '*big*' ! -path '*/.bobao-state*')"
check "timeout: the next articles are converted after it" test "$(logged "$T/log13" converted | tr '\n' ' ')" = "s1.txt s2.txt "
setsid "$B" batch -q -j 1 --no-cache --timeout 0 "$TI" "$T/tout0" 2>/dev/null &
pg=$!
sleep 1.5
check "timeout 0: no limit (still converting after 1.5 s)" kill -0 $pg
kill -TERM -$pg 2>/dev/null
wait $pg 2>/dev/null

# 14. --max-size and --lenient, as for a single article; neither changes the settings, so
# neither redoes what is up to date.
M=$T/min
mkdir -p "$M"
printf '标题\n\n第一段。\n' >"$M/small.txt"
printf '标题\n\n坏\377字节。\n' >"$M/invalid.txt"
cp "$IN/a1.txt" "$M/large.txt"
"$B" batch -j 1 --max-size 100 --log "$T/log14" "$M" "$T/mout" 2>"$T/err14"
check "--max-size: exit 65" test $? -eq 65
check "--max-size: a larger article fails, saying so" grep -q "^bobao: $M/large.txt: file too large ([0-9]* bytes, limit 100 bytes; see --max-size)" "$T/err14"
check "without --lenient: invalid UTF-8 fails the article" grep -q "^bobao: $M/invalid.txt: invalid UTF-8 at byte" "$T/err14"
check "--max-size: the others are converted" test "$(logged "$T/log14" converted)" = "small.txt"
"$B" batch -j 1 --max-size 1K --lenient --log "$T/log14b" --log-skipped "$M" "$T/mout" 2>"$T/err14b"
check "--lenient: exit 0" test $? -eq 0
check "--lenient: one warning line" test "$(grep -c "^bobao: $M/invalid.txt: warning: 1 invalid UTF-8 sequence not read" "$T/err14b")" -eq 1
check "--lenient, --max-size 1K: both converted, the rest skipped" \
	test "$(logged "$T/log14b" converted | tr '\n' ' ')$(logged "$T/log14b" skipped)" = "invalid.txt large.txt small.txt"
"$B" batch -j 1 --max-size 0 "$M" "$T/mout" 2>/dev/null
check "--max-size 0: exit 64" test $? -eq 64

# 15. --log writes a line per article converted or failed; up-to-date ones only with
# --log-skipped.
"$B" batch -q -j 1 --log "$T/log15" "$M" "$T/mout" 2>/dev/null
check "--log: nothing to do, no line" test ! -s "$T/log15"
"$B" batch -q -j 1 --log "$T/log15b" --log-skipped "$M" "$T/mout" 2>/dev/null
check "--log-skipped: a line per article skipped" test "$(logged "$T/log15b" skipped | wc -l)" -eq 3

# 16. A failed article is recorded: reported once, not tried again (exit 0) until its bytes
# change; then it is tried, and reported, again.
"$B" batch -j 2 --log "$T/log16" "$BAD" "$T/badout" 2>"$T/err16"
check "failed before: the re-run exits 0" test $? -eq 0
check "failed before: no error line again" test -z "$(grep '^bobao: ' "$T/err16")"
check "failed before: the summary counts them" grep -q '2 failed before' "$T/err16"
check "failed before: not logged as failed again" test -z "$(logged "$T/log16" failed)"
"$B" batch -n "$BAD" "$T/badout" >"$T/dry16" 2>/dev/null
check "failed before: a dry run does not list them" test ! -s "$T/dry16"
head -c 3000 /dev/urandom >"$BAD/junk.txt"
"$B" batch -j 2 --log "$T/log16b" "$BAD" "$T/badout" 2>"$T/err16b"
check "changed after failing: tried again, exit 65" test $? -eq 65
check "changed after failing: that one only, reported once" \
	test "$(grep -c '^bobao: ' "$T/err16b")" -eq 1 -a "$(logged "$T/log16b" failed)" = junk.txt
check "changed after failing: logged with the reason input" \
	test "$(jq -r 'select(.status == "failed") | .reason' "$T/log16b")" = input
"$B" batch -j 2 --voice slow "$BAD" "$T/badout" 2>"$T/err16c"
check "other settings: the failed ones are tried again (exit 65)" test $? -eq 65

# 17. --prune removes the outputs of articles gone from IN_DIR (a dry run lists them);
# an IN_DIR without any article prunes nothing.
P=$T/pin PO=$T/pout
mkdir -p "$P/sub"
for a in p1 p2 sub/p3; do printf '第%s篇\n\n短讯。\n' "$a" >"$P/$a.txt"; done
"$B" batch -q -j 2 "$P" "$PO" 2>/dev/null
check "prune: converted" test -s "$PO/p2.wav" -a -s "$PO/sub/p3.srt"
rm "$P/p2.txt" "$P/sub/p3.txt"
"$B" batch -q -j 2 "$P" "$PO" 2>/dev/null
check "without --prune: outputs of deleted articles stay" test -s "$PO/p2.wav" -a -s "$PO/sub/p3.wav"
"$B" batch -n --prune "$P" "$PO" >"$T/dry17" 2>"$T/err17"
check "prune: the dry run lists them" test "$(cat "$T/dry17")" = "$(printf 'prune\tp2.txt\nprune\tsub/p3.txt')"
check "prune: the dry run counts them" grep -q '2 to prune' "$T/err17"
check "prune: the dry run removes nothing" test -s "$PO/p2.wav" -a -s "$PO/sub/p3.json"
"$B" batch -j 2 --prune --log "$T/log17" "$P" "$PO" 2>"$T/err17b"
check "prune: exit 0" test $? -eq 0
check "prune: the audio and sidecars of deleted articles are gone" \
	test -z "$(find "$PO" -name 'p2.*' -o -name 'p3.*')"
check "prune: their stamps too" test ! -e "$PO/.bobao-state/p2.txt" -a ! -e "$PO/.bobao-state/sub/p3.txt"
check "prune: the others stay" test -s "$PO/p1.wav" -a -s "$PO/p1.json" -a -s "$PO/.bobao-state/p1.txt"
check "prune: logged" test "$(jq -r 'select(.status == "pruned") | .path' "$T/log17" | tr '\n' ' ')" = "p2.txt sub/p3.txt "
check "prune: the summary counts them" grep -q '2 pruned' "$T/err17b"
rm "$P/p1.txt"
"$B" batch -q -j 1 --prune "$P" "$PO" 2>"$T/err17c"
check "prune: an IN_DIR without any article prunes nothing, saying so" \
	test -s "$PO/p1.wav" -a "$(grep -c 'no article at all: nothing pruned' "$T/err17c")" -eq 1

# 18. --rate PERCENT: the preset's rate scaled; a change of the settings; range checked.
printf '第一篇\n\n今天白天晴，最高气温十八摄氏度，明天多云转小雨，请市民出行注意安全。\n' >"$P/r.txt"
"$B" batch -q -j 1 "$P" "$T/rout" 2>/dev/null
d100=$("$BUILD/audio_check" "$T/rout/r.wav" | sed -n 's/^duration=//p')
"$B" batch -q -j 1 --rate 150 --log "$T/log18" "$P" "$T/rout" 2>/dev/null
d150=$("$BUILD/audio_check" "$T/rout/r.wav" | sed -n 's/^duration=//p')
check "--rate: redone as a change of settings" test "$(jq -r .reason "$T/log18")" = settings
check "--rate 150: quicker (${d150}s against ${d100}s)" awk "BEGIN{exit !($d150 < 0.85 * $d100)}"
"$B" batch -q --rate 300 "$P" "$T/rout" 2>/dev/null
check "--rate 300: exit 64" test $? -eq 64
"$B" batch -q --rate 50 --voice slow "$P" "$T/rout" 2>"$T/err18"
check "--rate 50 of slow: exit 64, saying why" test $? -eq 64 -a -n "$(grep '80 to 450' "$T/err18")"

# 19. --watch without a terminal: one line per article converted.
WN=$T/wn
mkdir -p "$WN"
printf '第一篇\n\n短讯。\n' >"$WN/w1.txt"
"$B" batch --watch --settle 100 -j 1 "$WN" "$T/wnout" 2>"$T/err19" </dev/null &
watcher=$!
i=0
while [ ! -e "$T/wnout/w1.srt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
printf '第二篇\n\n短讯。\n' >"$WN/w2.txt"
i=0
while [ ! -e "$T/wnout/w2.srt" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.3
kill -TERM $watcher
wait $watcher
check "watch without a terminal: one line per article ($(cat "$T/err19" | tr '\n' '|'))" \
	test "$(grep -c '^bobao: w[12].txt: converted, [0-9.]* s of audio$' "$T/err19")" -eq 2

finish batch
