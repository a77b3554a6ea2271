#!/usr/bin/env bats
# quire-merge: partitions of a stream back into submission id order.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
}

rec() {
	printf '{"id":"%s","source":{"submission":"%s","encoding":"%s"},"text":"t"}\n' \
	    "$1" "$2" "$3"
}

@test "merge: merges record files by submission id, each line as it came" {
	{ rec a s01 UTF-8; rec c s03 KOI8-R; printf '%s\r\n' "$(rec e s05 UTF-8)"; } >p0
	{ rec b s02 UTF-16LE; rec d s04 UTF-8; } >p1
	run -0 quire-merge -q p0 p1
	assert_output - <<-EOF
	$(rec a s01 UTF-8)
	$(rec b s02 UTF-16LE)
	$(rec c s03 KOI8-R)
	$(rec d s04 UTF-8)
	$(rec e s05 UTF-8)
	EOF
}

@test "merge: ids compare as bytes, escapes decoded" {
	{ rec a 'S\u00e9' x; } >p0
	{ rec b 'Sz' x; rec c 's' x; } >p1
	run -0 quire-merge -q p0 p1
	# Sz < S\u00e9 (0xC3) < s; the escape itself (a backslash) would
	# sort first.
	assert_line --index 0 --partial '"b"'
	assert_line --index 1 --partial '"a"'
	assert_line --index 2 --partial '"c"'
}

@test "merge: an input out of submission id order is exit 65" {
	{ rec a s02 x; rec b s01 x; } >p0
	run -65 --separate-stderr quire-merge -q p0
	assert_equal "$stderr" "quire-merge: p0:2: submission id s01 comes before s02: not in submission id order"
}

@test "merge: a record without source.submission is exit 65" {
	echo '{"id":"a"}' >p0
	run -65 --separate-stderr quire-merge -q p0
	assert_equal "$stderr" "quire-merge: p0:1: no source.submission string"
}

@test "merge: a line that is not JSON is exit 65" {
	echo '{"id":' >p0
	run -65 quire-merge -q p0
}

@test "merge: a missing input is exit 66" {
	run -66 quire-merge -q no-such-file
}

@test "merge: -r merges reject logs by submission id, without their headers" {
	h=id,submission_id,writer_id,stage,reason,detail
	# '=x is the stage's =x, which sorts after 0a.
	printf '%s\n' "$h" 'i0,0a,w1,scrub,x.y,"a, b"' 'i2,s02,w2,scrub,x.y,d' >r0.csv
	printf '%s\n' "$h" "i1,'=x,w1,scrub,x.y,d" 'i3,s03,w2,scrub,x.y,"q ""x"""' >r1.csv
	run -0 quire-merge -r r0.csv r1.csv
	assert_output - <<-'EOF'
	i0,0a,w1,scrub,x.y,"a, b"
	i1,'=x,w1,scrub,x.y,d
	i2,s02,w2,scrub,x.y,d
	i3,s03,w2,scrub,x.y,"q ""x"""
	EOF
}

@test "merge: -r without a submission_id column is exit 65" {
	printf 'a,b\n1,2\n' >r0.csv
	run -65 quire-merge -r r0.csv
}

@test "merge: usage errors are exit 64" {
	run -64 quire-merge
	run -64 quire-merge -f source.encoding p0
	run -64 quire-merge --rejects x p0
	run -64 quire-merge -Z
}

@test "merge: -h prints usage, --version the version" {
	run -0 quire-merge -h
	assert_line --index 0 --partial "usage: quire-merge"
	run -0 quire-merge --version
	assert_output "quire-merge $(cat "$ROOT/VERSION")"
}

to_full() { quire-merge "$@" >/dev/full; }

@test "merge: a full disk is exit 74" {
	run -74 to_full --version
	rec a s01 x >p0
	run -74 to_full -q p0
}

@test "merge: man page example: two partitions into shards" {
	quire-ingest -q -p 0/2 "$ROOT/samples/drop" 2>/dev/null >p0.jsonl
	quire-ingest -q -p 1/2 "$ROOT/samples/drop" 2>/dev/null >p1.jsonl
	quire-ingest -q "$ROOT/samples/drop" 2>/dev/null >all.jsonl
	quire-merge p0.jsonl p1.jsonl >merged.jsonl
	cmp all.jsonl merged.jsonl
	mkdir shards
	quire-merge p0.jsonl p1.jsonl | quire-shard -q -n sample -d shards >/dev/null
	ls shards/sample-train-00000.jsonl.zst
}

@test "merge: man page example: one stage's rejects over its partitions" {
	h=id,submission_id,writer_id,stage,reason,detail
	mkdir p0 p1
	echo "$h" >p0/rejects-scrub.csv
	echo "$h" >p1/rejects-scrub.csv
	run -0 quire-merge -r p0/rejects-scrub.csv p1/rejects-scrub.csv
	refute_output
}
