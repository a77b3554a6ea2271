#!/usr/bin/env bats
# make dataset RUNNER=slurm on a real single-node Slurm cluster that the
# suite starts itself (munged, slurmctld, slurmd), all state in a fresh
# directory under /tmp, stopped by PID at the end.  Where the cluster
# cannot start (not root, no slurm-wlm) every test is skipped with the
# reason.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

# Why the cluster is not there, for skip; empty when it is.
cluster_up() {
	local d=$1 port

	[ "$(id -u)" = 0 ] || { echo "needs root to start munged and slurmd"; return; }
	for c in munged mungekey slurmctld slurmd srun salloc sinfo; do
		command -v "$c" >/dev/null ||
		    { echo "$c not found: make deps-slurm installs slurm-wlm and munge"; return; }
	done
	# munge's socket directory and every folder above it must be
	# world-traversable: /tmp, not /root.
	chmod 755 "$d"
	mkdir -m 700 "$d/munge"
	mkdir "$d/state" "$d/spool"
	mungekey -c -k "$d/munge/munge.key" -b 1024 2>"$d/mungekey.log" ||
	    { echo "mungekey failed: $(head -n 1 "$d/mungekey.log")"; return; }
	munged --force --key-file="$d/munge/munge.key" \
	    --socket="$d/munge.sock" --pid-file="$d/munged.pid" \
	    --log-file="$d/munged.log" --seed-file="$d/munge/seed" \
	    2>"$d/munged.err" ||
	    { echo "munged failed: $(head -n 1 "$d/munged.err")"; return; }
	port=$((20000 + RANDOM % 20000))
	# batch_sched_delay etc.: no 3 s wait per wave of jobs; a fresh
	# StateSaveLocation replays no old jobs.
	cat >"$d/slurm.conf" <<-EOF
	ClusterName=quire
	SlurmctldHost=$(hostname)(127.0.0.1)
	SlurmctldPort=$port
	SlurmdPort=$((port + 1))
	SlurmUser=root
	SlurmdUser=root
	AuthType=auth/munge
	AuthInfo=socket=$d/munge.sock
	CredType=cred/munge
	StateSaveLocation=$d/state
	SlurmdSpoolDir=$d/spool
	SlurmctldPidFile=$d/slurmctld.pid
	SlurmdPidFile=$d/slurmd.pid
	SlurmctldLogFile=$d/slurmctld.log
	SlurmdLogFile=$d/slurmd.log
	ProctrackType=proctrack/linuxproc
	TaskPlugin=task/none
	SelectType=select/cons_tres
	SelectTypeParameters=CR_CPU
	SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
	ReturnToService=2
	MpiDefault=none
	JobAcctGatherType=jobacct_gather/none
	AccountingStorageType=accounting_storage/none
	NodeName=quire-node NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
	PartitionName=quire Nodes=quire-node Default=YES MaxTime=INFINITE State=UP
	EOF
	export SLURM_CONF=$d/slurm.conf
	slurmctld -c -f "$SLURM_CONF" 2>"$d/slurmctld.err" ||
	    { echo "slurmctld failed: $(head -n 1 "$d/slurmctld.err")"; return; }
	slurmd -N quire-node -f "$SLURM_CONF" 2>"$d/slurmd.err" ||
	    { echo "slurmd failed: $(head -n 1 "$d/slurmd.err")"; return; }
	for _ in $(seq 100); do
		[ "$(sinfo -h -o %t 2>/dev/null)" = idle ] && return
		sleep 0.2
	done
	echo "the node did not come up: $(tail -n 1 "$d/slurmctld.log" 2>/dev/null)"
}

setup_file() {
	SLURM_DIR=$(mktemp -d /tmp/quire-slurm.XXXXXX)
	export SLURM_DIR SLURM_CONF=$SLURM_DIR/slurm.conf
	cluster_up "$SLURM_DIR" >"$SLURM_DIR/skip"
	if [ -s "$SLURM_DIR/skip" ]; then
		echo "# slurm: skipped: $(cat "$SLURM_DIR/skip")" >&3
	fi
}

teardown_file() {
	local f pid

	[ -n "${SLURM_DIR:-}" ] || return 0
	if [ -s "$SLURM_DIR/slurmctld.pid" ]; then
		squeue -h -o %i 2>/dev/null | xargs -r scancel 2>/dev/null || :
	fi
	for f in slurmd slurmctld munged; do
		pid=$(cat "$SLURM_DIR/$f.pid" 2>/dev/null) || continue
		kill "$pid" 2>/dev/null || continue
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
	done
	rm -rf "$SLURM_DIR"
}

setup() {
	_common_setup
	[ ! -s "$SLURM_DIR/skip" ] || skip "$(cat "$SLURM_DIR/skip")"
	OUTDIR="$BATS_TEST_TMPDIR/releases"
	REL="$OUTDIR/sample/1.0.0"
	# Every program logs the job step it ran in.
	mkdir bin
	for f in "$QUIRE_BIN"/quire-*; do
		cat >"bin/${f##*/}" <<-EOF
		#!/bin/bash
		echo "\${SLURM_JOB_ID:-none}.\${SLURM_STEP_ID:-none} ${f##*/}" >>"$PWD/steps.log"
		exec "$f" "\$@"
		EOF
		chmod +x "bin/${f##*/}"
	done
}

dataset_into() {
	local out=$1
	shift
	make -s -C "$ROOT" --no-print-directory dataset OUT="$out" "$@"
}

@test "slurm: make dataset RUNNER=slurm gives the one-pipe release byte for byte" {
	run -0 dataset_into "$PWD/ref" BIN="$QUIRE_BIN" PARTITIONS=0
	: >steps.log
	run -0 dataset_into "$OUTDIR" BIN="$PWD/bin" RUNNER=slurm \
	    PARTITIONS=3 SLURM_JOBS=2
	assert_output --partial "released $REL"
	diff -r "$PWD/ref/sample/1.0.0" "$REL"
	# The stages ran as job steps of one allocation, one step a target;
	# the reports after them (datasheet, changes) ran in make itself.
	run -0 awk '$1 !~ /^none/ { print $1 }' steps.log
	[ "$(sed 's/\..*//' <<<"$output" | sort -u | wc -l)" = 1 ]
	[ "$(sort -u <<<"$output" | wc -l)" -ge 20 ]
	grep -q '^[0-9]*\.[0-9]* quire-ingest$' steps.log
	grep -q '^[0-9]*\.[0-9]* quire-dedupe$' steps.log
	grep -q '^[0-9]*\.[0-9]* quire-tokenize$' steps.log
	[ -z "$(squeue -h)" ]
}

@test "slurm: a step failing in one partition leaves no release and no job" {
	cat >bin/quire-scrub <<-EOF
	#!/bin/bash
	tee in.\$\$ | "$QUIRE_BIN/quire-scrub" "\$@"
	s=\$?
	if grep -q '"s0003"' in.\$\$; then rm in.\$\$; echo "quire-scrub: planted failure" >&2; exit 74; fi
	rm in.\$\$
	exit \$s
	EOF
	run ! dataset_into "$OUTDIR" BIN="$PWD/bin" RUNNER=slurm \
	    PARTITIONS=3 SLURM_JOBS=2
	assert_output --partial "planted failure"
	[ ! -e "$REL" ]
	[ "$(ls -A "$OUTDIR/sample")" = "" ]
	[ -z "$(squeue -h)" ]
}
