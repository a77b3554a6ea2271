#!/usr/bin/env bats
# Partitioned runs: the release and dedupe's decisions do not depend on
# PARTITIONS or -j, and a failure in one partition leaves nothing.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	OUTDIR="$BATS_TEST_TMPDIR/releases"
	REL="$OUTDIR/sample/1.0.0"
}

# make dataset with the build under test into OUT=$1; more arguments are
# make's.
dataset_into() {
	local out=$1
	shift
	make -s -C "$ROOT" --no-print-directory dataset BIN="$QUIRE_BIN" \
	    OUT="$out" "$@"
}

@test "scale: the release is byte-identical for any PARTITIONS and -j to the one-pipe run" {
	run -0 dataset_into "$PWD/ref" PARTITIONS=0
	for pj in 1:1 2:2 3:2 7:1 7:2; do
		p=${pj%:*} j=${pj#*:}
		echo "# PARTITIONS=$p -j$j"
		run -0 dataset_into "$PWD/p$p-j$j" PARTITIONS="$p" -j"$j"
		assert_output --partial "released $PWD/p$p-j$j/sample/1.0.0"
		diff -r "$PWD/ref/sample/1.0.0" "$PWD/p$p-j$j/sample/1.0.0"
	done
	# Shards tokenized side by side, three threads each, as with one
	# after another (the default above).
	run -0 dataset_into "$PWD/tt" PARTITIONS=2 -j2 TOKENIZE_THREADS=3
	diff -r "$PWD/ref/sample/1.0.0" "$PWD/tt/sample/1.0.0"
}

@test "scale: each partition's work files are removed once read, before tokenize" {
	# quire-tokenize, which runs after shard and the tokenizer's
	# learning step, notes the partitions' files still there.
	mkdir bin
	ln -s "$QUIRE_BIN"/quire-* bin/
	rm bin/quire-tokenize
	cat >bin/quire-tokenize <<-EOF
	#!/bin/sh
	find "$PWD/out" -path '*/.work-*/p*' -type d >>"$PWD/parts"
	find "$PWD/out" -path '*/.work-*/p*/*.jsonl' >>"$PWD/left"
	exec "$QUIRE_BIN/quire-tokenize" "\$@"
	EOF
	chmod +x bin/quire-tokenize
	: >parts
	: >left
	run -0 make -s -C "$ROOT" --no-print-directory dataset BIN="$PWD/bin" \
	    OUT="$PWD/out" PARTITIONS=2 -j1
	run -0 sort -u parts
	assert_line --index 0 --regexp '/p0$'
	assert_line --index 1 --regexp '/p1$'
	run -0 cat left
	assert_output ""
}

@test "scale: rebuilding with other PARTITIONS finds the release up to date" {
	run -0 dataset_into "$OUTDIR" PARTITIONS=2
	run -0 dataset_into "$OUTDIR" PARTITIONS=5 -j2
	assert_output --partial "is up to date"
	run -1 grep -c PARTITIONS "$REL/inputs.lock"
	assert_output 0
}

# A stream of many works with planted copies, some of them made another
# writer's, revisions and rulings: tests/bench/dedupe's generator, with
# writers and revision links rewritten, in submission id order.
dedupe_stream() {
	${CC:-cc} -O2 -std=c11 -o gen "$ROOT/tests/bench/dedupe/gen.c" -lm
	mkdir g
	./gen -s 7 1500000 g >/dev/null
	jq -c --slurp 'sort_by(.source.submission) | to_entries[] |
	    .key as $i | .value |
	    .writer = (if $i % 37 == 1 or $i % 37 == 5 then "w1"
	    elif $i % 3 == 0 then "w0" else .writer end) |
	    .revision_of = (if $i % 37 == 5 then "b\($i - 4 | tostring |
	    ("0000000" + .)[-7:])" else null end)' g/records.jsonl >in.jsonl
	printf '%s\n' submission_id,ruling,date,note \
	    b0000009,exclude,2026-01-01,test b0000013,include,2026-01-01,test \
	    >rulings.csv
}

# Split in.jsonl into $1 partitions (any split that keeps each in order),
# dedupe them in three phases, merge the kept records.
dedupe_parts() {
	local n=$1 k sigs=()

	awk -v n="$n" '{ print > ("part" (NR * 7919 % n) ".jsonl") }' in.jsonl
	for ((k = 0; k < n; k++)); do
		[ -e "part$k.jsonl" ] || : >"part$k.jsonl"
		quire-dedupe -q -S "part$k.sig" "part$k.jsonl"
		sigs+=("part$k.sig")
	done
	quire-dedupe -q -D --rulings rulings.csv --cutoff 2026-11-01 \
	    --review "review-$n.csv" --rejects "rejects-$n.csv" \
	    --stats "stats-$n.json" "${sigs[@]}"
	for ((k = 0; k < n; k++)); do
		quire-dedupe -A "part$k.sig.keep" "part$k.jsonl" >"kept$k.jsonl"
	done
	quire-merge -q kept*.jsonl >"out-$n.jsonl"
	rm -f part* kept*
}

@test "scale: dedupe's decisions over partitions are one process's" {
	dedupe_stream
	quire-dedupe -q --rulings rulings.csv --cutoff 2026-11-01 \
	    --review review.csv --rejects rejects.csv --stats stats.json \
	    <in.jsonl >out.jsonl
	# The stream exercises every kind of decision.
	for r in exact near revision cross_writer ruling; do
		grep -q ",dedupe\\.$r," rejects.csv
	done
	for n in 1 2 3 7; do
		echo "# $n partitions"
		dedupe_parts "$n"
		cmp rejects.csv "rejects-$n.csv"
		cmp review.csv "review-$n.csv"
		cmp stats.json "stats-$n.json"
		cmp out.jsonl "out-$n.jsonl"
	done
}

@test "scale: the tokenizer learned shard by shard is one quire-bpe-train's over all the training shards" {
	local n
	# Small shards: each training shard's pieces are counted apart.
	run -0 dataset_into "$OUTDIR" PARTITIONS=2 -j2 SHARD_BYTES=8k
	n=$(ls "$REL"/shards/sample-train-*.jsonl.zst | wc -l)
	[ "$n" -ge 3 ]
	zstd -q -dc "$REL"/shards/sample-train-*.jsonl.zst |
	    quire-bpe-train --size 512 --pattern cl100k_base --output whole.tiktoken
	cmp whole.tiktoken "$REL/tokenizer.tiktoken"
	run -0 dataset_into "$PWD/one" PARTITIONS=0 -j1 SHARD_BYTES=8k
	diff -r "$PWD/one/sample/1.0.0" "$REL"
}

@test "scale: a release with no training shard to learn the tokenizer from stops" {
	# Told by the counts beside shard, or by the shards with no partitions.
	for p in 2 0; do
		run ! dataset_into "$OUTDIR" PARTITIONS=$p -j2 VALIDATION_SHARE=1
		assert_output --partial "quire: no training shard to learn the tokenizer from (TOKENIZER=train:512)"
		[ ! -e "$REL" ]
		[ "$(ls -A "$OUTDIR/sample")" = "" ]
	done
}

@test "scale: a stage failing in one partition leaves no release and no temporary files" {
	# A quire-scrub that fails only in the partition holding s0003.
	mkdir bin
	for f in "$QUIRE_BIN"/quire-*; do ln -s "$f" bin/; done
	rm bin/quire-scrub
	cat >bin/quire-scrub <<-EOF
	#!/bin/bash
	tee in.\$\$ | "$QUIRE_BIN/quire-scrub" "\$@"
	s=\$?
	if grep -q '"s0003"' in.\$\$; then rm in.\$\$; echo "quire-scrub: planted failure" >&2; exit 74; fi
	rm in.\$\$
	exit \$s
	EOF
	chmod +x bin/quire-scrub
	run ! make -s -C "$ROOT" --no-print-directory dataset BIN="$PWD/bin" \
	    OUT="$OUTDIR" PARTITIONS=3 -j2
	assert_output --partial "planted failure"
	[ ! -e "$REL" ]
	[ "$(ls -A "$OUTDIR/sample")" = "" ]
}

@test "scale: what a killed run leaves behind does not change the next run" {
	run -0 dataset_into "$PWD/ref" PARTITIONS=0
	# A killed run's directories, half written.
	mkdir -p "$OUTDIR/sample/.tmp-1.0.0.AAAAAA/shards" \
	    "$OUTDIR/sample/.work-1.0.0.BBBBBB/p0"
	echo '{"half' >"$OUTDIR/sample/.work-1.0.0.BBBBBB/p0/ingest.jsonl"
	echo junk >"$OUTDIR/sample/.tmp-1.0.0.AAAAAA/lineage.csv"
	run -0 dataset_into "$OUTDIR" PARTITIONS=2 -j2
	diff -r "$PWD/ref/sample/1.0.0" "$REL"
}

@test "scale: PARTITIONS must be a number" {
	run ! dataset_into "$OUTDIR" PARTITIONS=two
	assert_output --partial "PARTITIONS must be a number from 0 to 65536"
	[ ! -e "$REL" ]
}

@test "scale: a pipeline must begin with ingest" {
	{ echo "include $ROOT/pipelines/sample.mk"
	  echo "STAGES = normalize ingest shard"; } >p.mk
	run ! dataset_into "$OUTDIR" PIPELINE="$PWD/p.mk"
	assert_output --partial "STAGES must begin with ingest"
}

@test "scale: a pipeline without dedupe, and more partitions than works, give the one-pipe release" {
	{ echo "include $ROOT/pipelines/sample.mk"
	  echo "STAGES = ingest consent-filter license-tag scrub shard"; } >p.mk
	run -0 dataset_into "$PWD/ref" PIPELINE="$PWD/p.mk" PARTITIONS=0
	run -0 dataset_into "$OUTDIR" PIPELINE="$PWD/p.mk" PARTITIONS=40 -j2
	diff -r "$PWD/ref/sample/1.0.0" "$REL"
}

# quire-ingest -p (here, not in ingest.bats, which another branch edits).
@test "scale: ingest -p K/P: the partitions hold every row once, in submission id order" {
	quire-ingest -q --rejects all.csv "$ROOT/samples/drop" >all.jsonl
	for k in 0 1 2; do
		quire-ingest -q -p "$k/3" --rejects "r$k.csv" \
		    "$ROOT/samples/drop" >"p$k.jsonl"
		[ -s "p$k.jsonl" ]
	done
	run -0 quire-merge -q p0.jsonl p1.jsonl p2.jsonl
	assert_output - <all.jsonl
	run -0 sort r0.csv r1.csv r2.csv
	assert_output - < <(sort all.csv)
	# One partition of one is the whole drop.
	run -0 quire-ingest -q -p 0/1 --rejects /dev/null "$ROOT/samples/drop"
	assert_output - <all.jsonl
}

@test "scale: ingest -p refuses what is not K/P with K below P" {
	run -64 quire-ingest -p 3/3 "$ROOT/samples/drop"
	run -64 quire-ingest -p 1 "$ROOT/samples/drop"
	run -64 quire-ingest -p 0/0 "$ROOT/samples/drop"
	run -64 --separate-stderr quire-ingest -p x/2 "$ROOT/samples/drop"
	assert_equal "${stderr%%$'\n'*}" "quire-ingest: -p: not a number: x"
}
