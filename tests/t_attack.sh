#!/bin/sh
# bobao batch attacked as a hostile user would: colliding names, names that are not UTF-8,
# signals, foreign files beside the outputs, corrupt caches and stamps, FIFOs, full disks,
# many tiny articles, links planted in OUT_DIR, odd folders. SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) B=$BUILD/bobao ;; *) B=$(pwd)/$BUILD/bobao ;; esac
T=$(mktemp -d)
[ -n "$KEEP" ] && echo "keeping $T" || trap 'rm -rf "$T"' EXIT
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
	seen=$(ls -A "$T/gout" | grep -v '^\.bobao-\(state\|cache\|lock\)' | grep -c '^\.')
	kill -s $sig -- -$pg 2>/dev/null
	wait $pg 2>/dev/null
	check "SIG$sig: stopped while writing ($seen temporaries seen), none left: $(leftovers "$T/gout" | tr '\n' ' ')" \
		test "$seen" -gt 0 -a -z "$(leftovers "$T/gout")"
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

finish attack
