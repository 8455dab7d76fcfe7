#!/bin/sh
# Runs each fuzz target (build/fuzz/fuzz_TARGET, from `make fuzz`) for FUZZ_TIME seconds from its
# corpus build/fuzz/corpus/TARGET (seeded from samples/, tests/cases/, voices/, tests/data/,
# kept between runs) and tests/fuzz/regressions/TARGET; prints the executions per target and
# fails when any target finds a crash, a leak, a timeout or runs out of memory.
#   sh tests/fuzz/run.sh [TARGET...]     FUZZ_TIME (30), FUZZ_BUILD (build/fuzz), FUZZ_FLAGS
# SPDX-License-Identifier: GPL-3.0-or-later
cd "$(dirname "$0")/../.." || exit 1
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
FUZZ_TIME=${FUZZ_TIME:-30}
targets=${*:-decode script pronounce voice userlex}

# Writes one seed file into dir $1 per case line of the files $3...: its input ($2 = in), or
# for text stages the spoken text a normalize case expects ($2 = out); \n, \xHH... unescaped,
# [ ] (the pronounce cases' marks) dropped.
case_seeds() {
	dir=$1 side=$2
	shift 2
	perl -e '
		my ($dir, $side) = (shift, shift);
		my %esc = (n => "\n", t => "\t", r => "\r");
		for my $file (@ARGV) {
			open my $fh, "<", $file or next;
			(my $name = $file) =~ s{^tests/cases/|\.txt$}{}g;
			$name =~ s{/}{-}g;
			while (my $line = <$fh>) {
				next if $line =~ /^\s*(#|$)/ or $line !~ /^\s*(.*?) =>(?: (.*?))?\s*$/;
				my $text = $side eq "in" ? $1 : $2;
				next unless defined $text and length $text;
				$text =~ s/\\(x([0-9A-Fa-f]{2})|.)/defined $2 ? chr hex $2 : $esc{$1} \/\/ $1/ge;
				$text =~ tr/[]//d if $file =~ m{/pronounce};
				open my $out, ">", "$dir/seed-$name-$." or die "$dir: $!";
				print $out $text;
			}
		}' "$dir" "$side" "$@"
}

# Fills the corpus of target $1 in $2 with its seeds (rewritten each run; found inputs stay).
seeds() {
	case $1 in
	decode)
		cp samples/*.txt "$2/" && case_seeds "$2" in tests/cases/decode/*.txt ;;
	script)
		cp samples/*.txt "$2/" &&
			case_seeds "$2" in tests/cases/article/*.txt tests/cases/normalize/*.txt \
				tests/cases/split/*.txt ;;
	pronounce)
		for f in samples/*.spoken; do
			split -l 1 "$f" "$2/seed-$(basename "$f" .spoken)-" || return 1
		done
		case_seeds "$2" in tests/cases/pronounce*/*.txt &&
			case_seeds "$2" out tests/cases/normalize/*.txt ;;
	voice)
		cp voices/*.ini "$2/" ;;
	userlex)
		cp tests/data/*.lex "$2/" ;;
	*)
		return 1 ;;
	esac
}

total=0 failed=0 ran=0
start_all=$(date +%s)
for t in $targets; do
	bin=$FUZZ_BUILD/fuzz_$t corpus=$FUZZ_BUILD/corpus/$t artifacts=$FUZZ_BUILD/artifacts/$t
	log=$FUZZ_BUILD/fuzz_$t.log
	if [ ! -x "$bin" ]; then
		echo "fuzz $t: $bin missing (run make fuzz)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$corpus" "$artifacts"
	if ! seeds "$t" "$corpus"; then
		echo "fuzz $t: cannot write its seeds"
		failed=$((failed + 1))
		continue
	fi
	regress=
	[ -d "tests/fuzz/regressions/$t" ] && regress=tests/fuzz/regressions/$t
	start=$(date +%s)
	# shellcheck disable=SC2086 # FUZZ_FLAGS and regress are lists of words
	"$bin" -max_total_time="$FUZZ_TIME" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" \
		$FUZZ_FLAGS "$corpus" $regress >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	execs=${execs:-0}
	total=$((total + execs)) ran=$((ran + 1))
	inputs=$(find "$corpus" -type f | wc -l)
	if [ "$rc" -eq 0 ]; then
		echo "fuzz $t: $execs executions in ${secs} s, corpus $inputs inputs: ok"
	else
		failed=$((failed + 1))
		echo "fuzz $t: $execs executions in ${secs} s: FAILED (exit $rc), log $log"
		grep -E 'ERROR: |SUMMARY: |check failed|runtime error|Test unit written to' "$log" |
			head -n 8 | sed 's/^/    /'
	fi
done
echo "fuzz: $ran targets run, $total executions in $(($(date +%s) - start_all)) s," \
	"$failed failed"
[ "$failed" -eq 0 ]
