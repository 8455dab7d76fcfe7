#!/bin/sh
# make audit-readings stays at zero: every lexicon word with a syllable none of its
# character's mainland readings, and every neutral tone where bobao and pinyin-pro disagree,
# is fixed or explained in pipeline/readings_reviewed.txt. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
audit() { # audit REVIEWED OUT: the audit's summary line into $tmp/summary
	MAKEFLAGS= make -s --no-print-directory audit-readings BUILD="$BUILD" \
		READINGS_REVIEWED="$1" READINGS_AUDIT="$2" >"$tmp/log" 2>&1 || return 1
	tail -n 1 "$2" >"$tmp/summary"
}
[ -f "$BUILD/pinyin-pro/.installed" ] ||
	echo "note: pinyin-pro is not installed (npm): the neutral-tone half of the audit is skipped"

if audit pipeline/readings_reviewed.txt "$tmp/audit.txt"; then ok
else bad "make audit-readings failed: $(tail -n 3 "$tmp/log")"; fi
if grep -q ' 0 unexplained$' "$tmp/summary"; then ok
else bad "$(cat "$tmp/summary"): $(head -n 20 "$tmp/audit.txt")"; fi
# a reviewed entry the audit no longer lists (its reading was fixed) is to be removed
if [ ! -f "$BUILD/pinyin-pro/.installed" ] || ! grep -q 'no longer listed' "$tmp/log"; then ok
else bad "$(grep 'no longer listed' "$tmp/log") from pipeline/readings_reviewed.txt"; fi

# the audit can fail: with nothing reviewed, every entry is unexplained
: >"$tmp/empty.txt"
if audit "$tmp/empty.txt" "$tmp/all.txt" && grep -q ' 0 explained, [1-9][0-9]* unexplained$' \
	"$tmp/summary" && grep -q "^三战三北	san1 zhan4 san1 bei3	syllable	was san1 zhan4 san1 bo4$" "$tmp/all.txt"; then ok
else bad "the audit without a reviewed list: $(cat "$tmp/summary")"; fi
finish readings_audit
