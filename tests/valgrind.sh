#!/bin/sh
# make check, second half: the normal (unsanitized) build end to end under valgrind memcheck:
# speak with every sidecar, text, proof, and a small batch (its workers and their per-article
# children are forked: each is checked, and reports to a log of its own). Any memory error
# or leak, definite, indirect or possible, fails. Memory still reachable at exit is not a
# leak and is not reported: eSpeak NG 1.51 keeps its tables and a PulseAudio connection in
# globals, and batch's children _exit on purpose. Then a bulletin and a feed. SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
B=$BUILD/bobao
T=$(mktemp -d)
[ -n "$KEEP" ] && echo "keeping $T" || trap 'rm -rf "$T"' EXIT

if ! command -v valgrind >/dev/null; then
	bad "valgrind is not installed (make deps installs it)"
	finish valgrind
	exit
fi

# vg WANT NAME COMMAND...: runs COMMAND under memcheck; passes when it exits WANT and no
# process wrote a report. Exit status 1 is memcheck's (bobao never exits 1).
run=0
vg() {
	want=$1 name=$2
	shift 2
	run=$((run + 1))
	logs=$T/vg$run
	mkdir -p "$logs"
	valgrind -q --trace-children=yes --error-exitcode=1 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--log-file="$logs/%p.log" "$@" >"$T/out$run" 2>"$T/err$run"
	rc=$?
	report=$(cat "$logs"/*.log 2>/dev/null)
	if [ $rc -eq "$want" ] && [ -z "$report" ]; then
		ok
	else
		bad "$name: exit $rc (want $want)"
		sed 's/^/    /' "$T/err$run" | head -n 5
		printf '%s\n' "$report" | head -n 60
	fi
}

# A short article: the title and the first two paragraphs of the sample.
grep -v '^[[:space:]]*$' samples/nantong-kaifaqu.txt | head -n 3 | sed G >"$T/short.txt"
vg 0 "speak --json --vtt --srt" "$B" speak -q --json --vtt --srt "$T/short.txt" -o "$T/short.wav"
check "speak: the audio and its sidecars are written" test -s "$T/short.wav" -a -s "$T/short.json" \
	-a -s "$T/short.vtt" -a -s "$T/short.srt"
# MP3: the encoder probe in memory and TagLib's ID3v2.4 tag
vg 0 "speak mp3" "$B" speak -q "$T/short.txt" -o "$T/short.mp3"
vg 0 "text" "$B" text samples/nantong-kaifaqu.txt
check "text: as without valgrind" cmp -s "$T/out$run" samples/nantong-kaifaqu.spoken
vg 0 "text (GB18030)" "$B" text samples/nantong-kaifaqu-gb18030.txt
vg 0 "proof" "$B" proof samples/nantong-kaifaqu.txt
vg 0 "proof --format html" "$B" proof --format html samples/nantong-kaifaqu.txt

# A small batch: two articles, one bad one (exit 65); then a re-run that skips the good ones
# and the bad one, recorded as failed (exit 0); then one that prunes a deleted article.
mkdir -p "$T/in/desk"
cp "$T/short.txt" "$T/in/a.txt"
sample_paragraphs "$T/paras"
make_article "$T/in/desk/b.txt" 3
head -c 2000 /dev/urandom >"$T/in/junk.txt"
vg 65 "batch -j 1" "$B" batch -j 1 --log "$T/log" "$T/in" "$T/out"
converted=$(jq -r 'select(.status == "converted") | .path' "$T/log" | sort | tr '\n' ' ')
check "batch: both articles converted ($converted)" test "$converted" = "a.txt desk/b.txt "
vg 0 "batch -j 1, again" "$B" batch -j 1 "$T/in" "$T/out"
rm "$T/in/a.txt"
vg 0 "batch -j 1 --prune" "$B" batch -j 1 --prune "$T/in" "$T/out"
check "batch --prune: the deleted article's outputs are gone" test ! -e "$T/out/a.wav"

# A bulletin (an intro, two stories, each synthesized in a child), then a feed of it.
mkdir -p "$T/rd" "$T/bulletin"
cp "$T/short.txt" "$T/rd/a.txt"
make_article "$T/rd/b.txt" 5
ffmpeg -loglevel error -y -f lavfi -i "sine=frequency=440:duration=0.5" -ar 44100 "$T/rd/intro.wav"
printf 'title: 测试\nintro: intro.wav\na.txt\nb.txt\n' >"$T/rd/rundown.txt"
vg 0 "bulletin --json --vtt" "$B" bulletin -q --json --vtt "$T/rd/rundown.txt" -o "$T/bulletin/b.wav"
check "bulletin: the programme and its rundown are written" test -s "$T/bulletin/b.wav" -a \
	-s "$T/bulletin/b.rundown.json"
vg 0 "feed" "$B" feed "$T/bulletin" --base-url https://example.org/audio --title 测试
check "feed: one episode" test "$(grep -c '<item>' "$T/out$run")" = 1

finish valgrind
