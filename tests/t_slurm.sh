#!/bin/sh
# The README's Slurm job array (tests/slurm/bobao-array.sh) run for real: a one-node cluster
# on localhost (munged, slurmctld and slurmd started here with their configuration in a
# temporary folder, stopped at the end), its outputs compared with one local batch run.
# Where the daemons cannot start (not root, not installed) it says why in one line and
# counts as skipped. SPDX-License-Identifier: GPL-3.0-or-later
BUILD=${BUILD:-build}
ROOT=$(pwd)
B=$ROOT/$BUILD/bobao
SCRIPT=$ROOT/tests/slurm/bobao-array.sh
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
chmod 700 "$T"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT
skip() {
	echo "slurm: skipped: $*"
	finish slurm
	exit 0
}

# --- the README shows the script this suite runs, line for line
awk '/tests\/slurm\/bobao-array\.sh/ { on = 1; next }
     on && /^    / { print substr($0, 5); seen = 1; next }
     on && seen && !/^$/ { exit }' README.md >"$T/readme.sh"
check "README's Slurm job array is tests/slurm/bobao-array.sh" cmp -s "$T/readme.sh" "$SCRIPT"

[ "$(id -u)" = 0 ] || skip "not root: this suite starts munged, slurmctld and slurmd itself"
PATH=$PATH:/usr/sbin:/sbin
for p in munged mungekey munge slurmctld slurmd sbatch sinfo; do
	command -v "$p" >/dev/null 2>&1 || skip "$p is not installed (make deps installs slurm-wlm and munge)"
done

# --- munge, on a socket and key of its own
mkdir -m 700 "$T/munge" "$T/state" "$T/spool" "$T/work"
mungekey --create --keyfile="$T/munge/munge.key" >/dev/null 2>&1 ||
	dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$T/munge/munge.key"
munged -F --force --socket="$T/munge/sock" --key-file="$T/munge/munge.key" \
	--log-file="$T/munge/log" --pid-file="$T/munge/pid" --seed-file="$T/munge/seed" \
	>/dev/null 2>&1 &
pids="$pids $!"
n=0
until munge -S "$T/munge/sock" -n 2>/dev/null | unmunge -S "$T/munge/sock" >/dev/null 2>&1; do
	n=$((n + 1))
	[ $n -lt 50 ] || skip "munged did not start: $(tail -n 1 "$T/munge/log" 2>/dev/null)"
	sleep 0.1
done

# --- a one-node cluster on this machine
host=$(hostname -s)
cpus=$(nproc)
port=$((17000 + $$ % 2000 * 2))
cat >"$T/slurm.conf" <<EOF
ClusterName=bobaotest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$T/munge/sock
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$T/slurm.conf"
slurmctld -D -c -f "$SLURM_CONF" >"$T/slurmctld.out" 2>&1 &
pids="$pids $!"
slurmd -D -f "$SLURM_CONF" >"$T/slurmd.out" 2>&1 &
pids="$pids $!"
n=0
until [ "$(sinfo -h -o %T 2>/dev/null)" = idle ]; do
	n=$((n + 1))
	[ $n -lt 150 ] || skip "the one-node cluster did not come up: $(tail -n 1 "$T/slurmctld.log" \
		"$T/slurmd.log" 2>/dev/null | grep -v '^==' | grep . | tail -n 1)"
	sleep 0.2
done
ok # the cluster is up

# --- eight articles, converted by a job array of four shards and by one local run
paras=$T/paras
sample_paragraphs "$paras"
for i in 1 2 3 4 5 6; do make_article "$T/in/a$i.txt" "$i"; done
for i in 7 8; do make_article "$T/in/sub/b$i.txt" "$i"; done
check "one local batch run" $B batch -q -j 2 "$T/in" "$T/local"
mkdir "$T/work/logs"
(cd "$T/work" && PATH=$ROOT/$BUILD:$PATH sbatch --wait --quiet --array=0-3 \
	--cpus-per-task=1 "$SCRIPT" "$T/in" "$T/array" >"$T/sbatch.out" 2>&1)
rc=$?
if [ $rc = 0 ]; then ok; else
	bad "sbatch --wait: exit $rc: $(cat "$T/sbatch.out" "$T"/work/logs/*.out 2>/dev/null | head -5)"
fi

# every shard ran as an array task and logged its own articles; together, each article once
check "four task logs" test "$(ls "$T"/work/logs/bobao-*.jsonl 2>/dev/null | wc -l)" = 4
cat "$T"/work/logs/bobao-*.jsonl >"$T/all.jsonl" 2>/dev/null
check "the shards converted every article once" test \
	"$(jq -r 'select(.status == "converted") | .path' "$T/all.jsonl" | sort | tr '\n' ' ')" = \
	"a1.txt a2.txt a3.txt a4.txt a5.txt a6.txt sub/b7.txt sub/b8.txt "
check "more than one shard had work" test \
	"$(for f in "$T"/work/logs/bobao-*.jsonl; do [ -s "$f" ] && echo "$f"; done | wc -l)" -ge 2
check "no task wrote to its .out file" sh -c "! cat $T/work/logs/*.out | grep -q ."

# the same outputs: the same files, the sidecars byte for byte, the audio sample for sample
(cd "$T/local" && find . -type f ! -path './.bobao*' | sort) >"$T/local.list"
(cd "$T/array" && find . -type f ! -path './.bobao*' | sort) >"$T/array.list"
check "the same files as the local run ($(wc -l <"$T/local.list") files)" cmp -s "$T/local.list" "$T/array.list"
check "32 outputs (audio, manifest, VTT, SRT each)" test "$(wc -l <"$T/local.list")" = 32
for f in $(grep -v '\.wav$' "$T/local.list"); do
	check "$f is the same" cmp -s "$T/local/$f" "$T/array/$f"
done
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
for f in $(grep '\.wav$' "$T/local.list"); do
	check "$f: the same samples, rate and channels" $PY -c '
import sys, wave
a, b = wave.open(sys.argv[1]), wave.open(sys.argv[2])
same = a.getparams() == b.getparams() and a.readframes(a.getnframes()) == b.readframes(b.getnframes())
sys.exit(0 if same and a.getnframes() > 48000 else 1)' "$T/local/$f" "$T/array/$f"
done

finish slurm
