#!/usr/bin/env bats
# End to end: `make dataset` on the sample drop, into a scratch OUT.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	OUTDIR="$BATS_TEST_TMPDIR/releases"
	REL="$OUTDIR/sample/1.0.0"
}

# make dataset with the build under test; extra arguments are make's.
dataset() {
	make -s -C "$ROOT" --no-print-directory dataset BIN="$QUIRE_BIN" \
	    OUT="$OUTDIR" "$@"
}

# A pipeline file in the scratch folder: the sample one plus lines given.
pipeline() {
	{ echo "include $ROOT/pipelines/sample.mk"; printf '%s\n' "$@"; } \
	    >"$BATS_TEST_TMPDIR/p.mk"
	echo "$BATS_TEST_TMPDIR/p.mk"
}

@test "dataset: builds a release whose SHA256SUMS checks" {
	run -0 dataset
	assert_output --partial "released $OUTDIR/sample/1.0.0"
	[ -s "$REL/lineage.csv" ]
	[ -s "$REL/rejects.csv" ]
	ls "$REL"/shards/sample-train-00000.jsonl.zst
	cd "$REL"
	run -0 sha256sum -c --quiet SHA256SUMS
	# Every file of the release is listed, and nothing else.
	diff <(find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort) \
	    <(sed 's/^[0-9a-f]*  //' SHA256SUMS)
}

@test "dataset: every manifest row is in lineage.csv or rejects.csv exactly once" {
	run -0 dataset
	manifest=$(tail -n +2 "$ROOT/samples/drop/manifest.csv" | cut -d, -f1 | sort)
	got=$( { tail -n +2 "$REL/lineage.csv" | cut -d, -f2;
		 tail -n +2 "$REL/rejects.csv" | cut -d, -f2; } | sort)
	assert_equal "$got" "$manifest"
	[ "$(echo "$got" | uniq -d)" = "" ]
}

@test "dataset: every shard decompresses to valid JSON Lines matching lineage" {
	run -0 dataset
	n=0
	for s in "$REL"/shards/*.jsonl.zst; do
		zstd -q -t "$s"
		zstd -q -dc "$s" | jq -e -c 'select(.id and .text)' >/dev/null
		n=$((n + $(zstd -q -dc "$s" | wc -l)))
	done
	assert_equal "$n" "$(($(wc -l <"$REL/lineage.csv") - 1))"
}

@test "dataset: the bad sample files are rejected with their reasons" {
	run -0 dataset
	run -0 grep -c 'ingest,ingest.binary' "$REL/rejects.csv"
	assert_output 1
	run -0 grep -c 'ingest,ingest.empty' "$REL/rejects.csv"
	assert_output 1
	run -0 head -1 "$REL/rejects.csv"
	assert_output "id,submission_id,writer_id,stage,reason,detail"
}

@test "dataset: a second run rebuilds the same bytes and keeps the release" {
	run -0 dataset
	cp "$REL/SHA256SUMS" first
	run -0 dataset
	assert_output --partial "is up to date"
	cmp first "$REL/SHA256SUMS"
	[ "$(ls -A "$OUTDIR/sample")" = "1.0.0" ]
}

@test "dataset: a version is never rewritten with other content" {
	run -0 dataset
	cp "$REL/SHA256SUMS" first
	run ! dataset SHARD_BYTES=2k
	assert_output --partial "a version is never rewritten"
	cmp first "$REL/SHA256SUMS"
	[ "$(ls -A "$OUTDIR/sample")" = "1.0.0" ]
}

@test "dataset: a failing stage leaves no release and no temporary files" {
	# Only ingest fails: the ledger is still there for consent-filter.
	p=$(pipeline "DROP = $BATS_TEST_TMPDIR/no-such-drop" \
	    "CONSENT = $ROOT/samples/drop/consent.csv")
	run ! dataset PIPELINE="$p"
	assert_output --partial "quire-ingest: $BATS_TEST_TMPDIR/no-such-drop:"
	[ ! -e "$REL" ]
	[ "$(ls -A "$OUTDIR/sample")" = "" ]
}

@test "dataset: an unknown stage is a configuration error" {
	p=$(pipeline "STAGES = ingest frobnicate shard")
	run ! dataset PIPELINE="$p"
	assert_output --partial "unknown stage in STAGES: frobnicate"
	[ ! -e "$REL" ]
}

@test "dataset: small shards split the release and keep every document" {
	p=$(pipeline "SHARD_BYTES = 4k" "VALIDATION_SHARE = 0.5")
	run -0 dataset PIPELINE="$p"
	[ "$(ls "$REL"/shards/sample-train-*.jsonl.zst | wc -l)" -gt 1 ]
	ls "$REL"/shards/sample-validation-00000.jsonl.zst
	total=$(cat "$REL"/shards/*.zst | zstd -q -dc | wc -l)
	assert_equal "$total" "$(($(wc -l <"$REL/lineage.csv") - 1))"
}

@test "dataset: a drop file with a backslash in its name is locked under its name" {
	# sha256sum would escape the line, which the datasheet refuses.
	cp -r "$ROOT/samples/drop" drop
	printf 'notes\n' >'drop/odd\name.txt'
	run -0 dataset DROP="$PWD/drop"
	run grep '^drop ' "$REL/inputs.lock"
	assert_line "drop $(sha256sum <'drop/odd\name.txt' | cut -c1-64)  odd\name.txt"
	assert_equal "$(grep -c '^drop ' "$REL/inputs.lock")" \
	    "$(find drop -type f | wc -l)"
	(cd drop && grep '^drop ' "$REL/inputs.lock" | cut -d' ' -f2- |
	    sha256sum -c --quiet)
}

@test "dataset: inputs.lock hashes every drop and policy file, the ledger and the pipeline" {
	run -0 dataset
	lock="$REL/inputs.lock"
	(cd "$ROOT/samples/drop" && grep '^drop ' "$lock" | cut -d' ' -f2- |
	    sha256sum -c --quiet)
	assert_equal "$(grep -c '^drop ' "$lock")" \
	    "$(find "$ROOT/samples/drop" -type f | wc -l)"
	(cd "$ROOT/policies" && grep '^policy ' "$lock" | cut -d' ' -f2- |
	    sha256sum -c --quiet)
	assert_equal "$(grep -c '^policy ' "$lock")" \
	    "$(find "$ROOT/policies" -type f | wc -l)"
	(cd "$ROOT" && grep -E '^(ledger|pipeline) ' "$lock" | cut -d' ' -f2- |
	    sha256sum -c --quiet)
	grep -qx "quire $(cat "$ROOT/VERSION")" "$lock"
	grep -qx 'option USES=train;evaluate' "$lock"
}

@test "dataset: inputs.lock takes the sums of the works ingest read, and hashes the files it did not read" {
	cp -r "$ROOT/samples/drop" drop
	printf 'named by no row\n' >drop/unlisted.txt
	p=$(pipeline "MAX_WORK_BYTES = 2k")
	for parts in 2 0; do
		echo "# PARTITIONS=$parts"
		run -0 dataset DROP="$PWD/drop" PIPELINE="$p" \
		    PARTITIONS=$parts OUT="$PWD/out$parts"
		lock="$PWD/out$parts/sample/1.0.0/inputs.lock"
		# Works too large for ingest, which it does not read whole.
		grep -q ',ingest.too_large,' "$PWD/out$parts/sample/1.0.0/rejects.csv"
		grep -q '  unlisted.txt$' "$lock"
		(cd drop && grep '^drop ' "$lock" | cut -d' ' -f2- |
		    sha256sum -c --quiet)
		assert_equal "$(grep -c '^drop ' "$lock")" \
		    "$(find drop -type f | wc -l)"
		# In byte order of the paths, as the files are listed.
		assert_equal "$(grep "^drop " "$lock" | cut -c72-)" \
		    "$(cd drop && find . -type f -printf '%P\n' | LC_ALL=C sort)"
	done
	cmp out2/sample/1.0.0/inputs.lock out0/sample/1.0.0/inputs.lock
}

@test "dataset: a work that differs between two reads stops the run, naming it" {
	# Two rows name one file, in two partitions; the second
	# quire-ingest to run finds it changed.
	cp -r "$ROOT/samples/drop" drop
	f=works/w01/harbour.txt
	row=$(grep ",$f," drop/manifest.csv)
	for i in 1 2 3 4 5 6 7 8 9; do
		printf '%s\n' "${row/s0001/s9$i}" >>drop/manifest.csv
		a=$(quire-ingest -q -p 0/2 drop 2>/dev/null | grep -c '"s0001"' || :)
		b=$(quire-ingest -q -p 0/2 drop 2>/dev/null | grep -c "\"s9$i\"" || :)
		[ "$a" != "$b" ] && break
		sed -i '$d' drop/manifest.csv
	done
	[ "$a" != "$b" ]
	mkdir bin
	ln -s "$QUIRE_BIN"/quire-* bin/
	rm bin/quire-ingest
	cat >bin/quire-ingest <<-EOF
	#!/bin/sh
	if [ -e "$PWD/read-once" ]; then echo changed >>"$PWD/drop/$f"; fi
	touch "$PWD/read-once"
	exec "$QUIRE_BIN/quire-ingest" "\$@"
	EOF
	chmod +x bin/quire-ingest
	run -2 make -s -C "$ROOT" --no-print-directory dataset BIN="$PWD/bin" \
	    OUT="$OUTDIR" DROP="$PWD/drop" PARTITIONS=2 -j1
	assert_output --partial "quire: $PWD/drop/$f changed while quire-ingest read it"
	[ ! -e "$REL" ]
}

@test "dataset: every shard has tokens, one sequence per lineage row, from the release's own tokenizer" {
	run -0 dataset
	[ "$(grep -c . "$REL/tokenizer.tiktoken")" -eq 512 ]
	for s in "$REL"/shards/*.jsonl.zst; do
		p="${s%.jsonl.zst}"
		echo "# ${p##*/}"
		# MMIDIDX: 9-byte magic, u64 version, u8 dtype, u64 sequences.
		seqs=$(od -A n -t u8 -j 18 -N 8 "$p.idx" | tr -d ' ')
		rows=$(grep -c ",${p##*/}.jsonl.zst," "$REL/lineage.csv")
		assert_equal "$seqs" "$rows"
		[ -s "$p.bin" ]
	done
	# The tokens decode back to the shard's texts.
	p="$REL/shards/sample-train-00000"
	zstd -q -dc "$p.jsonl.zst" | quire-tokenize --vocab "$REL/tokenizer.tiktoken" \
	    --pattern cl100k_base --own-specials --ids >ids.jsonl
	quire-tokenize --vocab "$REL/tokenizer.tiktoken" --decode <ids.jsonl |
	    jq -r .text >decoded
	zstd -q -dc "$p.jsonl.zst" | jq -r .text >texts
	cmp decoded texts
}

@test "dataset: the same bytes under another locale, time zone, -j2 and clone path" {
	run -0 dataset
	cp "$REL/SHA256SUMS" first
	rm -rf "$OUTDIR"
	# Another clone path: the tree copied elsewhere, run with the same BIN.
	other="$PWD/other"
	mkdir "$other"
	git -C "$ROOT" ls-files -z | (cd "$ROOT" && xargs -0 cp --parents -t "$other")
	LC_ALL=C.UTF-8 TZ=Pacific/Auckland run -0 make -s -C "$other" -j2 \
	    --no-print-directory -o all dataset BIN="$QUIRE_BIN" OUT="$OUTDIR"
	cmp first "$REL/SHA256SUMS"
}
