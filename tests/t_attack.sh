#!/bin/sh
# bobao batch attacked as a hostile user would: colliding names, names that are not UTF-8,
# signals, foreign files beside the outputs, corrupt caches and stamps, FIFOs, full disks,
# many tiny articles, links planted in OUT_DIR, odd folders. SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) B=$BUILD/bobao ;; *) B=$(pwd)/$BUILD/bobao ;; esac
T=$(mktemp -d)
MNT=$T/mnt
[ -n "$KEEP" ] && echo "keeping $T" || trap 'umount "$MNT" 2>/dev/null; rm -rf "$T"' EXIT
samples() { ffmpeg -v error -i "$1" -f md5 - 2>/dev/null; }
logged() { jq -r "select(.status == \"$2\") | .path" "$1" | sort; }
# What bobao may leave in OUT_DIR besides outputs: its state, cache and locks.
leftovers() { find "$1" -name '.*' ! -name .bobao-state ! -name .bobao-cache ! -name '.bobao-lock*' \
	! -path '*/.bobao-state/*' ! -path '*/.bobao-cache/*'; find "$1" -path '*/.bobao-cache/*' -name '.tmp.*'; }
# The articles are short: a title and one sentence, or two paragraphs of the sample.
short() { mkdir -p "$(dirname "$1")" && printf '第%s篇\n\n开发区今年新增项目%s个。\n' "$2" "$2" >"$1"; }
sample_paragraphs "$T/paras"
# Signals sent to a process group started here (setsid) reach bobao with their default action.
bg() { setsid env --default-signal=INT,TERM,HUP "$@" & }
# gone PGID: every process of the group has ended (a worker's cleanup may outlive the parent)
gone() { ! pgrep -g "$1" >/dev/null; }
# wait_for COND...: up to 30 s for a shell condition
wait_for() { i=0; while ! eval "$*" && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done; }
# has_temp DIR: an output of bobao's under construction in DIR
has_temp() { ls -A "$1" 2>/dev/null | grep -v '^\.bobao-\(state\|cache\|lock\)' | grep -q '^\.'; }

# 1. Two articles with one output (x.txt and x.TXT; a.txt beside a folder a.wav/): both fail
# with 73, one line each naming the other, and nothing is written for them.
C=$T/coll
short "$C/x.txt" 1 && short "$C/x.TXT" 2 && short "$C/ok.txt" 3
short "$C/a.txt" 4 && short "$C/a.wav/b.txt" 5
"$B" batch -j 2 --log "$T/log1" "$C" "$T/cout" 2>"$T/err1"
check "collision: exit 73 ($?)" test $? -eq 73
check "collision: x.txt and x.TXT both fail, naming each other" \
	test "$(grep -c "^bobao: $C/x\.\(txt\|TXT\): .*also the output of .*x\.\(txt\|TXT\)" "$T/err1")" -eq 2
check "collision: a.txt and a.wav/b.txt both fail" \
	test "$(grep -c "^bobao: $C/\(a\.txt\|a\.wav/b\.txt\): .*also" "$T/err1")" -eq 2
check "collision: nothing written for them" test ! -e "$T/cout/x.wav" -a ! -e "$T/cout/a.wav"
check "collision: logged failed, 73" test "$(jq -r 'select(.status == "failed") | .code' "$T/log1" | sort -u)" = 73
check "collision: the others converted" test "$(logged "$T/log1" converted)" = ok.txt
# an existing output is not overwritten by either
rm "$C/x.TXT" && "$B" batch -q -j 1 "$C" "$T/cout" 2>/dev/null
md=$(samples "$T/cout/x.wav")
short "$C/x.TXT" 2 && "$B" batch -q -j 1 "$C" "$T/cout" 2>/dev/null
check "collision: an output made before is left as it was" test "$(samples "$T/cout/x.wav")" = "$md"

# 2. The sweep of what killed runs left removes bobao's own temporaries only, and only of a
# process that is gone: with IN == OUT, an upload in progress and a user's files stay.
S=$T/sweep
short "$S/a.txt" 1
dead=$(sh -c 'echo $$')
: >"$S/.a.txt.Xy12Ab" && : >"$S/.a.orig.2024ab" && : >"$S/.a.wav.Ab12Cd"
: >"$S/.bobao-tmp.$dead.a.wav.Ab12Cd" && : >"$S/.bobao-tmp.$$.a.json.Ab12Cd"
"$B" batch -q -j 1 "$S" "$S" 2>/dev/null
check "sweep: converted ($?)" test -s "$S/a.wav"
check "sweep: an upload in progress and the user's dot files stay" \
	test -e "$S/.a.txt.Xy12Ab" -a -e "$S/.a.orig.2024ab" -a -e "$S/.a.wav.Ab12Cd"
check "sweep: a live process's temporary stays" test -e "$S/.bobao-tmp.$$.a.json.Ab12Cd"
check "sweep: a dead run's temporary is removed" test ! -e "$S/.bobao-tmp.$dead.a.wav.Ab12Cd"

# 3. SIGINT, SIGTERM or SIGHUP to the process group while outputs are written: no temporary
# is left, in OUT_DIR or in the cache.
G=$T/sig
mkdir -p "$G"
for i in 1 2; do for k in 1 2 3; do cat samples/nantong-kaifaqu.txt; done >"$G/g$i.txt"; done
for sig in INT TERM HUP; do
	rm -rf "$T/gout"
	bg "$B" batch -q -j 2 --no-cache "$G" "$T/gout" 2>/dev/null
	pg=$!
	wait_for has_temp "$T/gout"
	kill -s $sig -- -$pg 2>/dev/null
	seen=$i
	wait $pg 2>/dev/null
	wait_for gone $pg
	check "SIG$sig: stopped while writing (after $seen polls), no temporary left: $(leftovers "$T/gout" | tr '\n' ' ')" \
		test "$seen" -lt 1500 -a -z "$(leftovers "$T/gout")"
done

# 4. A batch whose parent ignores SIGINT: its workers ignore it too, and finish (exit 0).
rm -rf "$T/gout"
setsid sh -c "trap '' INT; exec '$B' batch -q -j 2 '$G' '$T/gout'" 2>"$T/err4" &
pg=$!
wait_for has_temp "$T/gout"
kill -s INT -- -$pg 2>/dev/null
wait $pg
check "SIGINT ignored by the parent: the batch finishes, exit 0 ($? $(cat "$T/err4"))" \
	test $? -eq 0 -a "$(find "$T/gout" -name '*.wav' | wc -l)" -eq 2

# 5. A file size limit (ulimit -f) in batch: a write error, 74, not a crash (70).
printf 'enable-shm = no\nautospawn = no\n' >"$T/pulse.conf"
sh -c "ulimit -f 200 && PULSE_CLIENTCONFIG='$T/pulse.conf' exec '$B' batch -q -j 1 --no-cache '$G' '$T/fout'" 2>"$T/err5"
rc=$?
check "ulimit -f: exit 74 ($rc: $(head -n 1 "$T/err5"))" test $rc -eq 74
check "ulimit -f: no partial file" test -z "$(find "$T/fout" -name '*.wav' -o -name '.bobao-tmp.*')"

# 6. A file name that is not UTF-8 converts: the manifest's source and the log's path are
# written lossily (U+FFFD), and say so.
U=$T/names
mkdir -p "$U"
bad=$(printf 'bad\377.txt')
short "$U/$bad" 1
"$B" batch -q -j 1 --log "$T/log6" "$U" "$T/uout" 2>"$T/err6"
check "name not UTF-8: batch exits 0 ($? $(cat "$T/err6"))" test $? -eq 0
check "name not UTF-8: its log line, lossy and saying so" \
	test "$(jq -r '"\(.status) \(.path_lossy)"' "$T/log6")" = "converted true"
check "name not UTF-8: the manifest says its source is lossy" \
	test "$(jq -r .source_lossy "$T/uout/bad"*.json)" = true
(cd "$U" && "$B" speak -q --json "$bad" -o "$T/u1.wav") 2>"$T/err6b"
check "name not UTF-8: speak --json exits 0 ($(cat "$T/err6b"))" test $? -eq 0 -a -s "$T/u1.json"

# 7. Damaged cache entries (truncated, garbage in the samples or the measurements under an
# intact header, a FIFO) never change the audio: a miss each, removed, made again.
R=$T/cin
for i in 1 2; do make_article "$R/r$i.txt" "$i"; done
"$B" batch -q -j 1 "$R" "$T/cout1" && "$B" batch -q -j 1 --no-cache "$R" "$T/cref"
k=0
for e in $(find "$T/cout1/.bobao-cache" -name '*.seg' | sort); do
	size=$(stat -c %s "$e")
	case $((k % 3)) in
	0) truncate -s $((size / 2)) "$e" ;;
	1) head -c 64 /dev/urandom | dd of="$e" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null ;;
	2) head -c 4 /dev/urandom | dd of="$e" bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null ;;
	esac
	k=$((k + 1))
done
fifo=$(find "$T/cout1/.bobao-cache" -name '*.seg' | sort | head -n 1)
rm "$fifo" && mkfifo "$fifo"
rm -rf "$T/cout1/.bobao-state"
timeout 120 "$B" batch -j 1 "$R" "$T/cout1" 2>"$T/err7"
check "damaged cache: converted, no hang on a FIFO entry ($? $(tail -n 1 "$T/err7"))" test $? -eq 0
check "damaged cache ($k entries): nothing taken from it" grep -q "(0 of [0-9]* sentences from the cache)" "$T/err7"
same=1
for i in 1 2; do [ "$(samples "$T/cout1/r$i.wav")" = "$(samples "$T/cref/r$i.wav")" ] || same=0; done
check "damaged cache: the audio is as with --no-cache" test $same -eq 1
check "damaged cache: the FIFO entry was removed (a file again)" test -f "$fifo"
rm -rf "$T/cout1/.bobao-state"
"$B" batch -j 1 "$R" "$T/cout1" 2>"$T/err7b"
check "damaged cache: the entries made again are used" grep -q "(\([0-9]*\) of \1 sentences from the cache)" "$T/err7b"

# 8. Damaged stamps mean "convert again": garbage, cut short, a folder (empty or not), a FIFO
# (no hang, in a run or -n), audio_seconds nan; each keeps its log line.
D=$T/sin
for i in 1 2 3 4 5 6; do short "$D/s$i.txt" "$i"; done
"$B" batch -q -j 2 "$D" "$T/sout"
st=$T/sout/.bobao-state
head -c 300 /dev/urandom >"$st/s1.txt"
head -c 20 "$st/s2.txt" >"$T/cut" && mv "$T/cut" "$st/s2.txt"
rm "$st/s3.txt" && mkdir "$st/s3.txt"
rm "$st/s4.txt" && mkdir -p "$st/s4.txt/deep" && : >"$st/s4.txt/deep/f"
rm "$st/s5.txt" && mkfifo "$st/s5.txt"
sed -i 's/^audio_seconds .*/audio_seconds nan/' "$st/s6.txt"
timeout 60 "$B" batch -n "$D" "$T/sout" >"$T/dry8" 2>/dev/null
check "damaged stamps: -n lists all six, no hang ($?)" test "$(cut -f 2 "$T/dry8" | sort | tr '\n' ' ')" = "s1.txt s2.txt s3.txt s4.txt s5.txt s6.txt "
timeout 60 "$B" batch -j 2 --log "$T/log8" "$D" "$T/sout" 2>"$T/err8"
check "damaged stamps: exit 0 ($? $(head -n 1 "$T/err8"))" test $? -eq 0
check "damaged stamps: all six converted again, each logged" test "$(logged "$T/log8" converted | tr '\n' ' ')" = "s1.txt s2.txt s3.txt s4.txt s5.txt s6.txt "
timeout 60 "$B" batch -j 2 --log-skipped --log "$T/log8b" "$D" "$T/sout" 2>/dev/null
check "damaged stamps: repaired (the next run skips all)" test "$(logged "$T/log8b" skipped | wc -l)" -eq 6

# 9. A full disk (a small tmpfs, as root): the article that does not fit fails with 74 and
# leaves no partial file; a cache that filled the disk gives back room, and the articles
# are done on a second try.
mkdir -p "$MNT"
if mount -t tmpfs -o size=16m tmpfs "$MNT" 2>/dev/null; then
	F=$T/fin
	short "$F/small.txt" 1 && cp "$G/g1.txt" "$F/big.txt"
	"$B" batch -j 1 --no-cache --log "$T/log9" "$F" "$MNT/out" 2>"$T/err9"
	check "disk full: exit 74 ($? $(head -n 1 "$T/err9"))" test $? -eq 74
	check "disk full: the big article fails with 74, the small one is converted" \
		test "$(jq -r '"\(.path) \(.code)"' "$T/log9" | sort | tr '\n' ' ')" = "big.txt 74 small.txt 0 "
	check "disk full: no partial file" test ! -e "$MNT/out/big.wav" -a -z "$(leftovers "$MNT/out")"
	rm -rf "$MNT/out"
	# the cache, on the small disk, filled by other conversions; then the disk filled up
	"$B" batch -q -j 2 --cache "$MNT/cache" "$R" "$T/cout9" && "$B" batch -q -j 2 --cache "$MNT/cache" "$G" "$T/cout9"
	K=$T/kin
	for i in 1 2 3; do short "$K/k$i.txt" "$((i + 100))"; done
	dd if=/dev/zero of="$MNT/fill" bs=64k 2>/dev/null
	"$B" batch -j 1 --cache "$MNT/cache" --log "$T/log9b" "$K" "$MNT/out" 2>"$T/err9b"
	check "disk filled by the cache: trimmed, exit 0 ($? $(head -n 1 "$T/err9b"))" test $? -eq 0
	check "disk filled by the cache: the three articles converted" test "$(logged "$T/log9b" converted | wc -l)" -eq 3
	check "disk filled by the cache: no partial file" test -z "$(leftovers "$MNT/out")"
	umount "$MNT"
else
	echo "(no tmpfs: the full-disk cases are not run)"
fi

# 10. --log that cannot be written (/dev/full): said, and exit 74.
"$B" batch -q -j 1 --log-skipped --log /dev/full "$D" "$T/sout" 2>"$T/err10"
check "--log /dev/full: exit 74 ($?)" test $? -eq 74
check "--log /dev/full: one line saying so" test "$(grep -c '^bobao: /dev/full: cannot write the log' "$T/err10")" -eq 1

# 11. A subfolder that cannot be read fails alone, named (66); the others are converted. As
# root, the run is made as nobody, for whom mode 000 means something.
P=$(mktemp -d) && chmod 755 "$P"
short "$P/in/ok.txt" 1 && short "$P/in/locked/x.txt" 2 && short "$P/in/open/y.txt" 3
chmod 000 "$P/in/locked" && mkdir "$P/out" && chmod 777 "$P/out"
as=; [ "$(id -u)" = 0 ] && as="setpriv --reuid=65534 --regid=65534 --clear-groups"
HOME=/nonexistent $as "$B" batch -q -j 1 --no-cache --log "$P/out/log" "$P/in" "$P/out" 2>"$T/err11"
rc=$?
check "unreadable subfolder: exit 66 ($rc $(head -n 1 "$T/err11"))" test $rc -eq 66
check "unreadable subfolder: one line naming it" test "$(grep -c "^bobao: $P/in/locked: " "$T/err11")" -eq 1
check "unreadable subfolder: the others are converted" test -s "$P/out/ok.wav" -a -s "$P/out/open/y.wav"
chmod 755 "$P/in/locked" && rm -rf "$P"

# 12. An article deeper than PATH_MAX (4096 bytes) fails alone, named, not skipped silently.
N=$T/deep
short "$N/top.txt" 1
long=$(printf '%0200d' 0)
chain=$long && for i in $(seq 2 11); do chain=$chain/$long; done # 11 levels, 2211 bytes
mkdir -p "$N/$chain" "$T/x/$chain" && printf '标题\n\n深处。\n' >"$T/x/$chain/deep.txt" &&
	mv "$T/x/$long" "$N/$chain/" # 22 levels: each path made was under 4096 bytes
"$B" batch -q -j 1 --log "$T/log12" "$N" "$T/dout" 2>"$T/err12"
rc=$?
check "deep article: exit 66 ($rc)" test $rc -eq 66
check "deep article: one line saying the path is too long" test "$(grep -c 'path over 4096 bytes' "$T/err12")" -eq 1
check "deep article: the others are converted" test -s "$T/dout/top.wav"
rm -rf "$N"

# 13. Shards of one OUT_DIR must agree on N: while 0/2 converts, 0/3 is refused (75).
H=$T/hin
mkdir -p "$H"
for i in 1 2 3 4 5 6; do cp "$G/g1.txt" "$H/h$i.txt"; done
bg "$B" batch -q -j 1 --no-cache --shard 0/2 "$H" "$T/hout" 2>/dev/null
pg=$!
wait_for 'grep -q "shards 2" "$T/hout/.bobao-lock" 2>/dev/null'
"$B" batch -q -j 1 --no-cache --shard 0/3 "$H" "$T/hout" 2>"$T/err13"
rc=$?
check "--shard 0/3 beside a running 0/2: refused, 75 ($rc)" test $rc -eq 75
check "--shard 0/3 beside a running 0/2: says why" grep -q "shards of 2 are converting" "$T/err13"
kill -TERM -- -$pg 2>/dev/null
wait $pg 2>/dev/null
wait_for gone $pg
mkdir -p "$T/empty" && "$B" batch -q -j 1 --shard 0/3 "$T/empty" "$T/hout" 2>/dev/null
check "--shard 0/3 once 0/2 is done: allowed" test $? -eq 0

# 14. OUT_DIR inside IN_DIR: never read as articles, on the first run or the next.
I=$T/oin
short "$I/a.txt" 1 && short "$I/out/stray.txt" 2
"$B" batch -q -j 1 --log "$T/log14" "$I" "$I/out" 2>/dev/null
check "OUT inside IN: exit 0 ($?), only a.txt tried" test "$(jq -r .path "$T/log14" | tr '\n' ' ')" = "a.txt "
"$B" batch -q -j 1 --log-skipped --log "$T/log14b" "$I" "$I/out" 2>/dev/null
check "OUT inside IN: the next run skips a.txt, reads nothing of OUT" test "$(jq -r '"\(.path) \(.status)"' "$T/log14b")" = "a.txt skipped"

# 15. Links planted in OUT_DIR before the run, at the outputs' and the stamp's names: replaced
# or refused, never written through.
L=$T/lin
short "$L/a.txt" 1
mkdir -p "$T/lout/.bobao-state" "$T/victims"
for f in a.wav a.json a.vtt a.srt .bobao-state/a.txt; do
	v=$T/victims/v$(echo "$f" | tr / _)
	echo keep >"$v" && ln -s "$v" "$T/lout/$f"
done
"$B" batch -q -j 1 "$L" "$T/lout" 2>/dev/null
check "links planted in OUT: converted ($?)" test -f "$T/lout/a.wav" -a ! -L "$T/lout/a.wav"
check "links planted in OUT: nothing written through them" \
	test "$(cat "$T/victims"/* | sort -u)" = keep -a "$(cat "$T/victims"/* | wc -l)" -eq 5

# 16. 5,000 tiny articles (most of them empty: failing fast): the parent's and the workers'
# open files stay flat, its memory too; every article has its log line.
Y=$T/yin
mkdir -p "$Y"
for i in $(seq 1 5000); do
	if [ $((i % 50)) -eq 0 ]; then printf '短讯\n\n今天有雨。\n' >"$Y/t$i.txt"; else : >"$Y/t$i.txt"; fi
done
"$B" batch -q -j 2 --log "$T/log16" "$Y" "$T/yout" 2>/dev/null &
pid=$!
probe() { # open files of the parent and its workers, the parent's resident memory (kB):
	# the fewest files of five looks, as a worker between two articles holds a few more
	# for a moment (a leak grows in every look)
	# (none once the batch has ended, a zombie till waited for; its memory is read first)
	least= rss=$(awk '/VmRSS/ { print $2 }' /proc/$pid/status 2>/dev/null)
	for k in 1 2 3 4 5; do
		n=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
		for w in $(pgrep -P $pid); do n=$((n + $(ls /proc/$w/fd 2>/dev/null | wc -l))); done
		grep -q '^State:[[:space:]]*[RSD]' /proc/$pid/status 2>/dev/null || break
		if [ -z "$least" ] || [ "$n" -lt "$least" ]; then least=$n; fi
		sleep 0.02
	done
	echo "${least:-0} $rss"
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
wait_for '[ "$(lines "$T/log16")" -ge 1000 ]'
early=$(probe)
wait_for '[ "$(lines "$T/log16")" -ge 4000 ]' # not later: the rest takes a moment
late=$(probe)
wait $pid
rc=$?
check "5000 articles: exit 65, a log line each ($rc, $(wc -l <"$T/log16"))" test $rc -eq 65 -a "$(wc -l <"$T/log16")" -eq 5000
check "5000 articles: open files flat (at 1000: ${early% *}, at 4000: ${late% *})" test "${late% *}" -le "$((${early% *} + 2))"
# not under AddressSanitizer (make check): its quarantine grows by design and says nothing of ours
if ! grep -q __asan_init "$B"; then
	check "5000 articles: memory flat (at 1000: ${early#* } kB, at 4000: ${late#* } kB)" test "${late#* }" -le "$((${early#* } + 2048))"
fi
check "5000 articles: the 100 real ones converted" test "$(ls "$T/yout"/*.wav | wc -l)" -eq 100

# 17. --watch: a file hard-linked in is converted; one that vanishes before it settles is no
# failure (SIGTERM still exits 0); a file still open for writing when the watch starts waits
# for its writer; IN_DIR removed: the watcher says so and exits 66, never deaf.
W=$T/win
mkdir -p "$W"
short "$T/linked-src.txt" 7
"$B" batch --watch --settle 300 -q -j 1 "$W" "$T/wout" 2>"$T/err17" &
watcher=$!
sleep 0.5
ln "$T/linked-src.txt" "$W/hard.txt"
short "$W/gone.txt" 8 && rm "$W/gone.txt"
wait_for '[ -s "$T/wout/hard.srt" ]'
check "watch: a hard-linked file is converted" test -s "$T/wout/hard.wav"
sleep 0.5
kill -TERM $watcher
wait $watcher
check "watch: a file gone before settling is no failure; SIGTERM exits 0 ($?: $(cat "$T/err17"))" test $? -eq 0
W3=$T/win3
mkdir -p "$W3"
exec 4>"$W3/live.txt"
echo "第一篇 开发区动态" >&4
echo >&4
"$B" batch --watch --settle 200 -q -j 1 "$W3" "$T/wout3" 2>"$T/err17b" 4>&- &
watcher=$!
sleep 1.2
check "watch start: a file still open for writing is not converted" test ! -e "$T/wout3/live.wav"
sed -n 2p "$T/paras" >&4
exec 4>&-
wait_for '[ -s "$T/wout3/live.srt" ]'
check "watch start: converted whole once closed" grep -q "$(sed -n 2p "$T/paras" | cut -c1-12)" "$T/wout3/live.srt"
rm -rf "$W3"
wait_for '! kill -0 $watcher 2>/dev/null'
kill -TERM $watcher 2>/dev/null
wait $watcher
rc=$?
check "watch: IN_DIR removed: exit 66 ($rc)" test $rc -eq 66
check "watch: IN_DIR removed: says so" grep -q "^bobao: $W3: the folder was removed" "$T/err17b"

# A file landing beside an article with the same output: it fails (73), the output stays.
W4=$T/win4
short "$W4/x.txt" 1
"$B" batch --watch --settle 200 -q -j 1 "$W4" "$T/wout4" 2>"$T/err17c" &
watcher=$!
wait_for '[ -s "$T/wout4/x.srt" ]'
md=$(samples "$T/wout4/x.wav")
short "$W4/x.TXT" 2
wait_for 'grep -q "also the output of" "$T/err17c"'
kill -TERM $watcher
wait $watcher
rc=$?
check "watch: a colliding file fails with 73 ($rc), saying so" test $rc -eq 73 -a "$(grep -c "^bobao: $W4/x.TXT: .*also the output of $W4/x.txt" "$T/err17c")" -eq 1
check "watch: the first article's output stays as it was" test "$(samples "$T/wout4/x.wav")" = "$md"

finish attack
