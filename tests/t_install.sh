#!/bin/sh
# make install into a temporary prefix: the installed program runs from elsewhere without
# BOBAO_DATA, and README's library example builds with pkg-config and runs.
# SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$(pwd)
P=$tmp/prefix

if make --no-print-directory -s BUILD="$BUILD" PREFIX="$P" install >"$tmp/install.log" 2>&1; then ok
else bad "make install PREFIX=$P: $(tail -3 "$tmp/install.log")"; fi
for f in bin/bobao include/bobao.h lib/libbobao.a lib/libbobao.so.0.1.0 lib/pkgconfig/bobao.pc \
	share/bobao/lexicon.bin share/bobao/voices/news.ini share/man/man1/bobao.1; do
	check "installed $f" test -s "$P/$f"
done
check "libbobao.so.0 links to libbobao.so.0.1.0" \
	test "$(readlink "$P/lib/libbobao.so.0")" = libbobao.so.0.1.0
check "libbobao.so links to libbobao.so.0" test "$(readlink "$P/lib/libbobao.so")" = libbobao.so.0
check "the shared library's SONAME is libbobao.so.0" \
	sh -c "readelf -d '$P/lib/libbobao.so.0.1.0' | grep -q 'SONAME.*\\[libbobao.so.0\\]'"

# the installed program, from a folder outside the source tree, finds its installed data
mkdir "$tmp/elsewhere"
printf '测试标题\n\n今天气温12℃，增长2.5%%。\n' >"$tmp/elsewhere/a.txt"
(cd "$tmp/elsewhere" && env -u BOBAO_DATA "$P/bin/bobao" voices) >"$tmp/voices" 2>&1
check "installed bobao voices uses PREFIX/share/bobao ($(head -1 "$tmp/voices"))" \
	grep -q "^news .*$P/bin/../share/bobao/voices/news.ini" "$tmp/voices"
(cd "$tmp/elsewhere" && env -u BOBAO_DATA "$P/bin/bobao" speak -q a.txt --json) >"$tmp/speak" 2>&1
check "installed bobao speaks ($(cat "$tmp/speak"))" test -s "$tmp/elsewhere/a.wav"
check "installed bobao's manifest" grep -q 百分之二点五 "$tmp/elsewhere/a.json"
(cd "$tmp/elsewhere" && env -u BOBAO_DATA "$P/bin/bobao" proof --format tsv a.txt) >"$tmp/proof" 2>&1
check "installed bobao's lexicon (proof)" grep -q "	标	biao1" "$tmp/proof"

# A sanitizer build's library (make check) needs its runtime first in the program: the
# example is then built by the same command with the sanitizer flags after it.
asan=$(readelf -d "$P/lib/libbobao.so.0.1.0" | grep -c 'NEEDED.*libasan')
extra=
[ "$asan" -gt 0 ] && extra=" -fsanitize=address,undefined"

# README's example, exactly as written there, with exactly its build command
awk '/^## Installing, and the library/ { on = 1 } on && /^```c$/ { c = 1; next }
	c && /^```$/ { exit } c { print }' README.md >"$tmp/elsewhere/hello.c"
build_cmd=$(awk '/^## Installing, and the library/ { on = 1 } on && /^```sh$/ { s = 1; next }
	s { print; exit }' README.md)
check "README has the example and its build command" \
	sh -c "grep -q bb_speak '$tmp/elsewhere/hello.c' && echo '$build_cmd' | grep -q 'pkg-config --cflags --libs bobao'"
if (cd "$tmp/elsewhere" && env PKG_CONFIG_PATH="$P/lib/pkgconfig" sh -c "$build_cmd$extra") >"$tmp/cc" 2>&1
then ok; else bad "README example does not build with '$build_cmd': $(head -5 "$tmp/cc")"; fi
check "the example links the shared library" \
	sh -c "readelf -d '$tmp/elsewhere/hello' | grep -q 'NEEDED.*\\[libbobao.so.0\\]'"
(cd "$tmp/elsewhere" && env -u BOBAO_DATA LD_LIBRARY_PATH="$P/lib" timeout 300 ./hello a.txt) >"$tmp/hello" 2>&1
check "the example runs ($(head -3 "$tmp/hello"))" grep -q '百分之二点五' "$tmp/hello"
check "the example wrote hello.wav and hello.json" \
	test -s "$tmp/elsewhere/hello.wav" -a -s "$tmp/elsewhere/hello.json"
if [ -x "$BUILD/audio_check" ]; then
	"$BUILD/audio_check" "$tmp/elsewhere/hello.wav" >"$tmp/info" 2>&1
	check "the example's audio is 48 kHz mono" \
		sh -c "grep -q '^rate=48000$' '$tmp/info' && grep -q '^channels=1$' '$tmp/info'"
fi
(cd "$tmp/elsewhere" && env -u BOBAO_DATA LD_LIBRARY_PATH="$P/lib" timeout 300 ./hello) >"$tmp/hello" 2>&1
check "the example's usage error is exit 64" test $? = 64

if make --no-print-directory -s BUILD="$BUILD" PREFIX="$P" uninstall >/dev/null 2>&1 &&
	[ -z "$(find "$P" -type f)" ]; then ok
else bad "make uninstall leaves $(find "$P" -type f | head -3)"; fi
cd "$src" || exit 1
finish install
