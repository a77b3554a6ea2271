#!/usr/bin/env bats
# Injected faults: `make dataset` killed with SIGKILL at 20 points, a full
# disk, an unwritable release folder, and readers that leave early.
#
# The kills follow a schedule of events, not timers: shims stand in for the
# quire-* programs (through BIN) and for the tools the recipe runs (through
# PATH).  A shim counts the calls of its program whose arguments match a
# pattern; at the scheduled call it kills its whole process group (make,
# the recipe's shell and every stage) with SIGKILL, either as the call
# starts, after the real program has ended, or after the program has
# written N bytes on its standard output.  Points are named by program and
# call, never by recipe lines, so that the schedule survives changes to
# the recipe.  After each kill the release folder holds no version or a
# complete one, and the next run gives the reference bytes.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

# The reference release, built once without faults; every test makes its
# own release from the same drop and pipeline file (inputs.lock names
# them) into its own OUT.
setup_file() {
	bats_load_library bats-support
	TESTS="$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)"
	ROOT="$(dirname "$TESTS")"
	export QUIRE_BIN="${QUIRE_BIN:-$ROOT/build/bin}"
	export FAULT_BASE="$BATS_FILE_TMPDIR"
	cp -r "$ROOT/samples/drop" "$FAULT_BASE/drop"
	{ echo "include $ROOT/pipelines/sample.mk"
	  echo "DROP = $FAULT_BASE/drop"; } >"$FAULT_BASE/p.mk"
	make -s -C "$ROOT" --no-print-directory dataset BIN="$QUIRE_BIN" \
	    OUT="$FAULT_BASE/ref" PIPELINE="$FAULT_BASE/p.mk" 2>/dev/null
	make_shims "$FAULT_BASE/shims"
}

setup() {
	_common_setup
	OUTDIR="$BATS_TEST_TMPDIR/releases"
	REF="$FAULT_BASE/ref/sample/1.0.0"
}

# The programs the shims stand for: every quire-* program (BIN) and every
# tool the dataset recipe runs (PATH).
TOOLS="awk cat chmod cp diff find grep ls mkdir mktemp mv rm sed sha256sum
	sort xargs zstd"

# make_shims DIR: DIR/bin/quire-* and DIR/path/TOOL, each a script that
# knows its real program and runs fault_shim's body.
make_shims() {
	local dir=$1 real name
	mkdir -p "$dir/bin" "$dir/path"
	for real in "$QUIRE_BIN"/quire-*; do
		shim "$real" >"$dir/bin/${real##*/}"
	done
	for name in $TOOLS; do
		shim "$(command -v "$name")" >"$dir/path/$name"
	done
	chmod 755 "$dir"/bin/* "$dir"/path/*
}

# shim REAL: the script for REAL.  FAULT_PROG, FAULT_MATCH (an extended
# regular expression on the arguments), FAULT_N and FAULT_PHASE (start,
# end or bytes=N) say when to kill; FAULT_DIR holds the count and, once
# the kill is sent, the file "fired".  Tools are called by absolute path
# or as builtins: the shims stand in for cat and its kin.
shim() {
	printf '#!/bin/bash\nreal=%q\n' "$1"
	cat <<'EOF'
name=${0##*/}
if [ "$name" != "$FAULT_PROG" ] || ! [[ " $* " =~ $FAULT_MATCH ]]; then
	exec "$real" "$@"
fi
exec 9>>"$FAULT_DIR/lock"
/usr/bin/flock 9
n=0
[ ! -e "$FAULT_DIR/calls" ] || n=$(<"$FAULT_DIR/calls")
n=$((n + 1))
echo "$n" >"$FAULT_DIR/calls"
exec 9>&-
[ "$n" = "$FAULT_N" ] || exec "$real" "$@"
echo "$name $FAULT_PHASE #$n: $*" >"$FAULT_DIR/fired"
case $FAULT_PHASE in
start)	kill -KILL 0 ;;
end)	"$real" "$@" || :
	kill -KILL 0 ;;
bytes=*) "$real" "$@" | { /usr/bin/head -c "${FAULT_PHASE#bytes=}"; kill -KILL 0; } ;;
esac
# Never reached: the group, this shim included, is gone.
exit 1
EOF
}

# dataset [MAKEARG...]: the sample pipeline into OUTDIR, without faults.
dataset() {
	make -s -C "$ROOT" --no-print-directory dataset BIN="$QUIRE_BIN" \
	    OUT="$OUTDIR" PIPELINE="$FAULT_BASE/p.mk" "$@"
}

# versions: the versions in OUTDIR/sample (dot folders are not versions).
versions() {
	ls "$OUTDIR/sample"
}

# kill_at PROG PHASE N [MATCH]: run make dataset with the shims, in a
# session of its own so that the kill takes make and its children and
# nothing of bats; the kill must happen.  KILLED_VERSIONS is then what
# OUTDIR/sample holds.  Then check the release folder,
# run make dataset again without faults and compare with the reference.
kill_at() {
	local st=0
	export FAULT_PROG=$1 FAULT_PHASE=$2 FAULT_N=$3 FAULT_MATCH=${4:-.}
	export FAULT_DIR="$BATS_TEST_TMPDIR/fault"
	mkdir -p "$FAULT_DIR"
	PATH="$FAULT_BASE/shims/path:$PATH" setsid make -s -C "$ROOT" \
	    --no-print-directory dataset BIN="$FAULT_BASE/shims/bin" \
	    OUT="$OUTDIR" PIPELINE="$FAULT_BASE/p.mk" >"$FAULT_DIR/log" 2>&1 ||
	    st=$?
	unset FAULT_PROG
	echo "# killed at: $(cat "$FAULT_DIR/fired" 2>/dev/null)"
	[ -e "$FAULT_DIR/fired" ] || {
		echo "# the point was never reached; make said:"
		cat "$FAULT_DIR/log"
		return 1
	}
	assert_equal "$st" 137
	# No new version, or a complete one.
	run -0 versions
	KILLED_VERSIONS=$output
	case $output in
	'') ;;
	1.0.0)
		(cd "$OUTDIR/sample/1.0.0" && sha256sum -c --quiet SHA256SUMS)
		diff -r "$REF" "$OUTDIR/sample/1.0.0" ;;
	*) fail "unexpected versions after the kill: $output" ;;
	esac
	# The next run gives the reference bytes; what the killed run left
	# (.tmp-*, .work-*) is ignored.
	run -0 dataset
	diff -r "$REF" "$OUTDIR/sample/1.0.0"
	run -0 versions
	assert_output 1.0.0
}

# --- twenty kills, in the order a run meets them --------------------------

@test "faults: killed before the temporary release folder is made" {
	kill_at mktemp start 1
}

@test "faults: killed before the work folder is made" {
	kill_at mktemp start 2
}

@test "faults: killed as ingest starts" {
	kill_at quire-ingest start 1
}

@test "faults: killed after ingest wrote 3000 bytes" {
	kill_at quire-ingest bytes=3000 1
}

@test "faults: killed after consent-filter wrote 10000 bytes" {
	kill_at quire-consent-filter bytes=10000 1
}

@test "faults: killed as license-tag starts" {
	kill_at quire-license-tag start 1
}

@test "faults: killed after normalize wrote 5000 bytes" {
	kill_at quire-normalize bytes=5000 1
}

@test "faults: killed after scrub wrote 20000 bytes" {
	kill_at quire-scrub bytes=20000 1
}

@test "faults: killed after dedupe wrote 4000 bytes" {
	kill_at quire-dedupe bytes=4000 1
}

@test "faults: killed after shard wrote 8000 bytes, shards half written" {
	kill_at quire-shard bytes=8000 1
}

@test "faults: killed when CREDITS.md is written" {
	kill_at quire-credits end 1
}

@test "faults: killed as the tokenizer is trained" {
	kill_at quire-bpe-train start 1
}

@test "faults: killed after the first shard is tokenized" {
	kill_at quire-tokenize end 1
}

@test "faults: killed as the stages' rejects are joined" {
	kill_at cat start 1 'rejects-'
}

@test "faults: killed while inputs.lock hashes the ledger" {
	kill_at sha256sum start 1 'consent'
}

@test "faults: killed when CHANGES.md is written" {
	kill_at quire-changes end 1
}

@test "faults: killed as the datasheets are written" {
	kill_at quire-datasheet start 1
}

@test "faults: killed before SHA256SUMS is moved into the release" {
	kill_at mv start 1 'SHA256SUMS'
}

@test "faults: killed just before the release is renamed into place" {
	kill_at mv start 1 '/sample/1\.0\.0 $'
	assert_equal "$KILLED_VERSIONS" ""
}

@test "faults: killed just after the release is renamed into place" {
	kill_at mv end 1 '/sample/1\.0\.0 $'
	assert_equal "$KILLED_VERSIONS" 1.0.0
}

@test "faults: a killed run's leftovers stay out of releases and statements" {
	kill_at quire-shard bytes=8000 1
	ls -a "$OUTDIR/sample" | grep -q '^\.tmp-1\.0\.0\.'
	ls -a "$OUTDIR/sample" | grep -q '^\.work-1\.0\.0\.'
	run -0 make -s -C "$ROOT" --no-print-directory statement \
	    BIN="$QUIRE_BIN" OUT="$OUTDIR" WRITER=w01
	refute_output --partial '.tmp-'
	refute_output --partial '.work-'
}
