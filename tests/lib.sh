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
finish() { # finish SUITE: the closing line, and the suite's exit status
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
