# Shared by the tests/t_*.sh suites (sourced): counters, checks and the closing line.
# SPDX-License-Identifier: GPL-3.0-or-later
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
	what=$1
	shift
	if "$@"; then ok; else bad "$what"; fi
}
status_is() { # status_is WANT DESCRIPTION COMMAND...: passes when the command exits WANT;
	# its output is kept in $tmp/stdout and $tmp/err
	want=$1 d=$2
	shift 2
	"$@" >"$tmp/stdout" 2>"$tmp/err"
	got=$?
	if [ "$got" = "$want" ]; then ok; else bad "$d: exit $got, want $want ($(head -c 300 "$tmp/err"))"; fi
}
finish() { # finish SUITE: the closing line, and the suite's exit status
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# Generated articles: sample_paragraphs FILE once, then make_article FILE N writes a title
# and two paragraphs of the sample article (from the repository root).
sample_paragraphs() {
	paras=$1
	grep -v '^[[:space:]]*$' samples/nantong-kaifaqu.txt | tail -n +2 >"$paras"
	np=$(wc -l <"$paras")
}
make_article() {
	mkdir -p "$(dirname "$1")"
	{
		echo "第$2篇 开发区动态"
		echo
		sed -n "$((2 * $2 % np + 1))p" "$paras"
		echo
		sed -n "$(((2 * $2 + 1) % np + 1))p" "$paras"
	} >"$1"
}
