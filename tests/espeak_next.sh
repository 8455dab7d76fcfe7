#!/bin/sh
# The whole test suite again on eSpeak NG 1.52 (Debian 13's, and bookworm-backports'), which
# bobao must work on as well as on Debian 12's 1.51. Debian's packages are fetched from the
# machine's own Debian mirror (its backports suite) with a private apt state and unpacked into
# $BUILD/espeak-1.52: the system's sources, lists and eSpeak stay as they are. Where they
# cannot be fetched (no network), says so on one line and counts nothing.
# SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) D=$BUILD/espeak-1.52 ;; *) D=$(pwd)/$BUILD/espeak-1.52 ;; esac
LIB=$D/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
version() { LD_LIBRARY_PATH=$LIB ESPEAK_DATA_PATH=$LIB "$D/usr/bin/espeak-ng" --version 2>/dev/null; }

case $(espeak-ng --version 2>/dev/null) in
*" 1.52"*) echo "espeak 1.52: the system's eSpeak NG is 1.52 already; make test covers it"; exit 0 ;;
esac

if ! version | grep -q ' 1\.52'; then
	rm -rf "$D" "$D.apt"
	A=$D.apt
	mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/debs"
	# the mirror the system already uses, in either sources format
	mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v security | head -n 1)
	[ -n "$mirror" ] || mirror=$(sed -n 's/^deb  *\(\[[^]]*\] *\)\{0,1\}\([^ ]*\) .*/\2/p' \
		/etc/apt/sources.list 2>/dev/null | grep -v security | head -n 1)
	codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
	echo "deb $mirror $codename-backports main" >"$A/sources.list"
	set -- -o Dir::Etc::SourceList="$A/sources.list" -o Dir::Etc::SourceParts=/dev/null \
		-o Dir::State::Lists="$A/lists" -o Dir::Cache="$A/cache" -o APT::Sandbox::User="$(id -un)"
	if ! { apt-get "$@" -qq update && (cd "$A/debs" &&
		apt-get "$@" -qq download libespeak-ng1 espeak-ng-data espeak-ng); } >"$A/log" 2>&1; then
		echo "espeak 1.52: SKIPPED: cannot fetch $codename-backports' eSpeak NG packages" \
			"($(grep -m 1 -E '^(E|W):' "$A/log" || echo 'no packages'))"
		exit 0
	fi
	for deb in "$A"/debs/*.deb; do dpkg-deb -x "$deb" "$D" || exit 1; done
	if ! version | grep -q ' 1\.52'; then
		echo "espeak 1.52: $codename-backports has $(version | head -n 1), not 1.52: not tested"
		exit 0
	fi
fi
echo "espeak 1.52: $(version)"
LD_LIBRARY_PATH=$LIB ESPEAK_DATA_PATH=$LIB PATH=$D/usr/bin:$PATH BUILD=$BUILD sh tests/run.sh
