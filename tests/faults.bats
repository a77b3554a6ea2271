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
	big_streams "$FAULT_BASE/big"
}

# big_streams DIR: DIR/drop, 1500 works of 150 writers (about 2 MB), and
# the stream after each stage (DIR/ingest, DIR/consent-filter, ...), so
# that every stage writes more than a pipe holds.
big_streams() {
	local dir=$1 pol="$ROOT/policies" b="$QUIRE_BIN"
	mkdir -p "$dir/drop"
	awk -v dir="$dir/drop" 'BEGIN {
		srand(7)
		m = dir "/manifest.csv"; c = dir "/consent.csv"
		print "submission_id,writer_id,file,license,submitted,title" > m
		print "writer_id,event,date,uses,works,form_version" > c
		for (w = 0; w < 150; w++) {
			printf "g%03d,grant,2026-01-01,*,*,2026-01\n", w > c
			system("mkdir -p " dir "/works/g" sprintf("%03d", w))
		}
		for (i = 0; i < 1500; i++) {
			w = sprintf("g%03d", i % 150)
			f = sprintf("works/%s/t%04d.txt", w, i)
			printf "b%04d,%s,%s,CC BY 4.0,2026-02-01,Title %d\n", \
			    i, w, f, i > m
			t = ""
			for (j = 0; j < 200; j++)
				t = t sprintf("%c%c%c%c ", 97 + int(rand() * 26),
				    97 + int(rand() * 26), 97 + int(rand() * 26),
				    97 + int(rand() * 26))
			print t > (dir "/" f)
			close(dir "/" f)
		}
	}'
	"$b/quire-ingest" -q "$dir/drop" >"$dir/ingest"
	"$b/quire-consent-filter" -q --ledger "$dir/drop/consent.csv" \
	    --policies "$pol" --uses 'train;evaluate' --cutoff 2026-11-01 \
	    "$dir/ingest" >"$dir/consent-filter"
	"$b/quire-license-tag" -q --policies "$pol" --uses 'train;evaluate' \
	    --cutoff 2026-11-01 "$dir/consent-filter" >"$dir/license-tag"
	"$b/quire-normalize" -q "$dir/license-tag" >"$dir/normalize"
	"$b/quire-scrub" -q --policies "$pol" "$dir/normalize" >"$dir/scrub"
	"$b/quire-dedupe" -q "$dir/scrub" >"$dir/dedupe"
	"$b/quire-tokenize" -q --vocab "$FAULT_BASE/ref/sample/1.0.0/tokenizer.tiktoken" \
	    --pattern cl100k_base --ids "$dir/dedupe" >"$dir/ids"
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
exec 8>>"$FAULT_DIR/lock"
/usr/bin/flock 8
n=0
[ ! -e "$FAULT_DIR/calls" ] || n=$(<"$FAULT_DIR/calls")
n=$((n + 1))
echo "$n" >"$FAULT_DIR/calls"
exec 8>&-
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
	# The next run gives the reference bytes and removes what the killed
	# run left (.tmp-*, .work-*).
	run -0 dataset
	diff -r "$REF" "$OUTDIR/sample/1.0.0"
	run -0 ls -A "$OUTDIR/sample"
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

@test "faults: a killed run's leftovers are removed by the next run, which the audit then passes" {
	export FAULT_PROG=quire-shard FAULT_PHASE=bytes=8000 FAULT_N=1 \
	    FAULT_MATCH=. FAULT_DIR="$BATS_TEST_TMPDIR/fault"
	mkdir -p "$FAULT_DIR"
	PATH="$FAULT_BASE/shims/path:$PATH" setsid make -s -C "$ROOT" \
	    --no-print-directory dataset BIN="$FAULT_BASE/shims/bin" \
	    OUT="$OUTDIR" PIPELINE="$FAULT_BASE/p.mk" >/dev/null 2>&1 || :
	unset FAULT_PROG
	[ -e "$FAULT_DIR/fired" ]
	run -0 ls -A "$OUTDIR/sample"
	assert_line --regexp '^\.tmp-1\.0\.0\.'
	assert_line --regexp '^\.work-1\.0\.0\.'
	run -0 dataset
	run -0 ls -A "$OUTDIR/sample"
	assert_output 1.0.0
	run -0 quire-audit immutability "$OUTDIR/sample/1.0.0"
	assert_output --partial 'PASS immutability'
}

@test "faults: a second make dataset of the same name at once is refused" {
	mkdir -p "$OUTDIR/sample"
	exec 7<"$OUTDIR/sample"
	flock -n 7
	run ! dataset
	exec 7<&-
	assert_output --partial "quire: another make dataset of sample is running in $OUTDIR"
	run -0 ls -A "$OUTDIR/sample"
	refute_output
}

# --- full disks, unwritable folders, readers that leave -------------------

# writer NAME: run the stage or tool NAME on its input of the big streams,
# in the current folder (named outputs go to ./out), standard output as
# the caller redirects it.  Each writes more than a pipe holds but for
# changes, statement and audit, which write a page.
writer() {
	local big="$FAULT_BASE/big" pol="$ROOT/policies" rel="$REF"
	local vocab="$REF/tokenizer.tiktoken"
	mkdir -p out
	case $1 in
	ingest) quire-ingest -q "$big/drop" ;;
	consent-filter) quire-consent-filter -q --ledger "$big/drop/consent.csv" \
	    --policies "$pol" --uses 'train;evaluate' --cutoff 2026-11-01 \
	    "$big/ingest" ;;
	license-tag) quire-license-tag -q --policies "$pol" \
	    --uses 'train;evaluate' --cutoff 2026-11-01 "$big/consent-filter" ;;
	normalize) quire-normalize -q "$big/license-tag" ;;
	scrub) quire-scrub -q --policies "$pol" "$big/normalize" ;;
	dedupe) quire-dedupe -q -T out --review out/review.csv "$big/scrub" ;;
	shard) quire-shard -q -n big -d out -l out/lineage.csv -s 256k \
	    "$big/dedupe" ;;
	credits) quire-credits -q --policies "$pol" "$big/license-tag" ;;
	tokenize) quire-tokenize -q --vocab "$vocab" --pattern cl100k_base \
	    --ids "$big/dedupe" ;;
	tokenize-decode) quire-tokenize -q --vocab "$vocab" --decode \
	    "$big/ids" ;;
	changes) quire-changes -q -c out/changes.csv -f "$rel" ;;
	statement) quire-statement -q -w w01 "$rel" ;;
	audit) quire-audit -q conservation "$rel" ;;
	esac
}
WRITERS="ingest consent-filter license-tag normalize scrub dedupe shard
	credits tokenize tokenize-decode changes statement audit"
# The writers whose output is larger than a pipe.
STREAMS="ingest consent-filter license-tag normalize scrub dedupe shard
	credits tokenize tokenize-decode"

# leftovers: files the writers left in ./out (empty: none).
leftovers() {
	find out -type f | LC_ALL=C sort
}

@test "faults: every writer on /dev/full exits 74 with a message and leaves no file" {
	for w in $WRITERS; do
		echo "# $w"
		rm -rf out
		run -74 --separate-stderr writer_to_full "$w"
		assert_equal "$stderr" \
		    "quire-${w%-decode}: write error: <stdout>: No space left on device"
		run -0 leftovers
		refute_output
	done
}
writer_to_full() { writer "$1" >/dev/full; }

@test "faults: every writer over ulimit -f exits 74 with a message and leaves no file" {
	for w in $WRITERS; do
		echo "# $w"
		rm -rf out
		# A kilobyte stops the streams midway; the pages need 0.
		blocks=0
		[[ " $(echo $STREAMS) " != *" $w "* ]] || blocks=1
		run -74 --separate-stderr writer_limited "$w" "$blocks"
		echo "# $stderr"
		# Standard output, or a named output that fills first.
		[[ $stderr =~ ^quire-${w%-decode}:\ write\ error:\ [^:]+:\ File\ too\ large$ ]]
		run -0 leftovers
		refute_output
	done
}
# writer_limited NAME BLOCKS: writer NAME into a file, under ulimit -f;
# its messages leave through a pipe, which the limit does not cover.
writer_limited() {
	local -
	set -o pipefail
	mkdir -p out
	(ulimit -f "$2"; writer "$1" 2>&1 >stdout.txt) | cat >&2
}

@test "faults: make dataset over ulimit -f fails with a message and leaves no release" {
	for kb in 8 16; do
		echo "# ulimit -f $kb"
		rm -rf "$OUTDIR"
		run ! dataset_limited "$kb"
		assert_output --regexp 'File too large|File size limit exceeded'
		run -0 find "$OUTDIR/sample" -mindepth 1
		refute_output
	done
}
# dataset_limited BLOCKS: make dataset under ulimit -f (its output goes
# to bats through a pipe, which the limit does not cover).
dataset_limited() {
	(ulimit -f "$1"; dataset 2>&1)
}

# small_fs DIR KB: a tmpfs of KB kilobytes mounted on DIR (unmounted by
# teardown), or skip saying why.
small_fs() {
	mkdir -p "$1"
	[ "$(id -u)" = 0 ] ||
	    skip "mounting a small file system needs root (not $(id -un))"
	mount -t tmpfs -o size="$2k" quire-faults "$1" 2>mount.err ||
	    skip "cannot mount a tmpfs: $(cat mount.err)"
	MOUNTED="${MOUNTED:-} $1"
}

teardown() {
	local m
	for m in ${MOUNTED:-}; do
		umount "$m"
	done
}

@test "faults: make dataset on a full file system fails with a message and leaves no release" {
	small_fs "$OUTDIR" 128
	for kb in 16 32 64 96 128; do
		echo "# a file system of ${kb}k"
		mount -o remount,size="${kb}k" "$OUTDIR"
		run ! dataset
		assert_output --partial 'No space left on device'
		run -0 find "$OUTDIR/sample" -mindepth 1
		refute_output
	done
}

@test "faults: a stage's named outputs on a full file system exit 74 and leave no file" {
	small_fs out 16
	run -74 --separate-stderr writer shard
	[[ $stderr =~ ^quire-shard:\ write\ error:\ out/[^:]*:\ No\ space\ left\ on\ device$ ]]
	run -0 leftovers
	refute_output
	run -74 bpe_train_to out/vocab.tiktoken
	assert_output 'quire-bpe-train: write error: out/vocab.tiktoken: No space left on device'
	run -0 leftovers
	refute_output
	run -74 --separate-stderr quire-tokenize -q \
	    --vocab "$REF/tokenizer.tiktoken" --pattern cl100k_base \
	    --output out/big "$FAULT_BASE/big/dedupe"
	[[ $stderr =~ ^quire-tokenize:\ write\ error:\ out/big\.(bin|idx):\ No\ space\ left\ on\ device$ ]]
	run -0 leftovers
	refute_output
}
# bpe_train_to FILE: a vocabulary trained on the big stream, into FILE.
bpe_train_to() {
	quire-bpe-train -q --size 2000 --pattern cl100k_base --output "$1" \
	    "$FAULT_BASE/big/dedupe"
}

# unprivileged CMD...: CMD without root's licence to write anywhere.
unprivileged() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --bounding-set=-dac_override,-dac_read_search "$@"
	else
		"$@"
	fi
}

@test "faults: an unwritable release folder is a clear error and no release" {
	mkdir -p "$OUTDIR/sample"
	chmod 555 "$OUTDIR/sample"
	run ! unprivileged make -s -C "$ROOT" --no-print-directory dataset \
	    BIN="$QUIRE_BIN" OUT="$OUTDIR" PIPELINE="$FAULT_BASE/p.mk"
	assert_output --partial "$OUTDIR/sample"
	assert_output --partial 'Permission denied'
	run -0 find "$OUTDIR/sample" -mindepth 1
	refute_output
}

@test "faults: an unwritable output folder of a stage exits 74 naming it" {
	mkdir out
	chmod 555 out
	run -74 unprivileged quire-shard -q -n big -d out -l lineage.csv \
	    "$FAULT_BASE/big/dedupe"
	assert_output 'quire-shard: output folder out: Permission denied'
	run -74 --separate-stderr unprivileged quire-normalize \
	    --rejects out/rejects.csv "$FAULT_BASE/big/license-tag"
	assert_equal "$stderr" 'quire-normalize: out/rejects.csv: Permission denied'
	run -74 --separate-stderr unprivileged quire-normalize \
	    --stats out/stats.json "$FAULT_BASE/big/license-tag"
	[[ $stderr =~ ^quire-normalize:\ cannot\ create\ out/stats\.json\.tmp\.[A-Za-z0-9]{6}:\ Permission\ denied$ ]]
	run -0 find . -name '*.tmp.*'
	refute_output
}

# head1 NAME: writer NAME piped into head -1; prints the writer's status.
head1() {
	writer "$1" | head -1 >/dev/null
	echo "${PIPESTATUS[0]}"
}

@test "faults: quire-X | head -1 ends quietly for every stream" {
	for w in $STREAMS; do
		echo "# $w | head -1"
		rm -rf out
		run -0 --separate-stderr head1 "$w"
		assert_equal "$stderr" ""
		# Killed by SIGPIPE (128 + 13), or done before head left.
		assert_output --regexp '^(141|0)$'
		run -0 leftovers
		refute_output
	done
}

# closed NAME [ignore]: writer NAME with standard output on a pipe whose
# reader has already left; SIGPIPE at its default, or ignored.
closed() {
	python3 -c 'import os, signal, subprocess, sys
r, w = os.pipe()
os.close(r)
p = subprocess.run(sys.argv[2:], stdout=w, restore_signals=sys.argv[1] != "ignore")
sys.exit(128 - p.returncode if p.returncode < 0 else p.returncode)' \
	    "${2:-default}" bash -c "$(declare -p ROOT REF PATH FAULT_BASE)
	    $(declare -f writer); writer $1"
}

@test "faults: a writer whose reader has left dies of SIGPIPE without a word" {
	for w in $WRITERS; do
		echo "# $w"
		rm -rf out
		run -141 --separate-stderr closed "$w"
		assert_equal "$stderr" ""
		run -0 leftovers
		refute_output
	done
}

@test "faults: with SIGPIPE ignored, a writer whose reader has left exits 74" {
	for w in $WRITERS; do
		echo "# $w"
		rm -rf out
		run -74 --separate-stderr closed "$w" ignore
		assert_equal "$stderr" \
		    "quire-${w%-decode}: write error: <stdout>: Broken pipe"
		run -0 leftovers
		refute_output
	done
}
