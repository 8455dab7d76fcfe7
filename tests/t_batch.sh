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
"$B" batch -j 2 --log "$T/log2" "$IN" "$O" 2>"$T/err2"
check "re-run exits 0" test $? -eq 0
check "re-run skips all" test "$(logged "$T/log2" skipped)" = "$all"
check "re-run converts none" test -z "$(logged "$T/log2" converted)"

# 4. One edited article is redone, alone, mostly from the sentence cache.
echo "开发区今年新增项目三十个。" >>"$IN/a3.txt"
"$B" batch -j 2 --log "$T/log3" "$IN" "$O" 2>"$T/err3"
check "edit: exits 0" test $? -eq 0
check "edit: only a3 converted" test "$(logged "$T/log3" converted)" = "a3.txt"
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
# Changed settings (another voice) redo everything.
"$B" batch -j 2 --voice slow --log "$T/log3b" "$IN" "$O" 2>/dev/null
check "another voice redoes all" test "$(logged "$T/log3b" converted)" = "$all"

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
"$B" batch -j 2 --log "$T/log9" "$K" "$T/kout" 2>/dev/null
check "kill -9: the re-run exits 0" test $? -eq 0
check "kill -9: the re-run finishes all 30" test "$(find "$T/kout" -name '*.wav' | wc -l)" -eq 30
check "kill -9: no temporaries left for redone articles" test -z "$(find "$T/kout" -name '.k*' | head -n 1)"
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
mkdir -p "$W/new/deep" && make_article "$W/new/deep/x.txt" 6
i=0
while [ ! -e "$T/wout/new/deep/x.srt" -o ! -e "$T/wout/live.srt" -o ! -e "$T/wout/moved.srt" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "watch: closed, moved-in and new-folder files are converted" test -s "$T/wout/live.wav" -a -s "$T/wout/moved.wav" -a -s "$T/wout/new/deep/x.wav"
check "watch: the whole live file was read" grep -q "$(sed -n 2p "$paras" | cut -c1-12)" "$T/wout/live.srt"
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

finish batch
