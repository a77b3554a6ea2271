#!/usr/bin/env bats
# quire-shard: the record stream cut into zstd shards, train and validation,
# each record's line byte for byte.  Records are made by the helpers below
# in the test's scratch folder; hand-written ones are in tests/fixtures/shard.
bats_require_minimum_version 1.5.0
load test_helper/common-setup
setup() { _common_setup; }

# The split of ids doc-01..doc-12: XXH3-64 of the id modulo 1000000,
# computed once with libxxhash's XXH3_64bits (not with quire), so the rule
# is pinned.  Below 500000 (validation with -v 0.5): 01-07, 10, 12.
#   doc-01 369182  doc-02 369169  doc-03   1612  doc-04  96968
#   doc-05 438487  doc-06 178081  doc-07 409282  doc-08 942725
#   doc-09 771510  doc-10 156195  doc-11 954640  doc-12 118618
DOCS=$(printf 'doc-%02d ' $(seq 12))

# rec ID [TEXT]: one record line.
rec() {
	printf '{"id":"%s","text":"%s"}\n' "$1" "${2-t}"
}

# sized ID BYTES: a record line of exactly BYTES bytes, newline included.
sized() {
	local pad
	pad=$(printf "%$(($2 - 20 - ${#1}))s" '' | tr ' ' x)
	rec "$1" "$pad"
}

# docs ID...: one small record per id.
docs() {
	local id
	for id in "$@"; do
		rec "$id" "text of $id"
	done
}

# unzst SHARD...: the shards' lines, decompressed and concatenated.
unzst() {
	zstd -q -dc "$@"
}

# side_of LINEAGE: "id split" per document of a lineage file, sorted.
side_of() {
	tail -n +2 "$1" | awk -F, '{ split($4, p, "-"); print $1, p[2] }' |
	    sort
}

# prose N: N records of made-up words, about 2 KB each, deterministic.
prose() {
	awk -v n="$1" 'BEGIN {
		srand(3)
		for (i = 0; i < n; i++) {
			t = ""
			for (j = 0; j < 300; j++)
				t = t sprintf("%c%c%c ", 97 + int(rand() * 26),
				    97 + int(rand() * 26), 97 + int(rand() * 26))
			printf "{\"id\":\"p%05d\",\"text\":\"%s\"}\n", i, t
		}
	}'
}

# --- command line --------------------------------------------------------

@test "shard: -h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr quire-shard -h
	assert_line --index 0 --partial 'usage: quire-shard [-hq] -n NAME -d DIR'
	assert_equal "$stderr" ""
}

@test "shard: --version prints the name and version" {
	run -0 quire-shard --version
	assert_output --regexp '^quire-shard [0-9]+\.[0-9]+\.[0-9]+$'
}

# The version, and the records, written to a full disk.
version_to_full() { quire-shard --version >/dev/full; }
records_to_full() {
	quire-shard -n a -d out -l lin.csv "$FIX/records.jsonl" >/dev/full
}

@test "shard: --version to a full disk exits 74" {
	run -74 --separate-stderr version_to_full
	assert_equal "$stderr" "quire-shard: write error: <stdout>: No space left on device"
}

@test "shard: an unknown option exits 64 with the usage" {
	run -64 --separate-stderr quire-shard -Z -n a -d .
	assert_output ""
	assert_equal "$(sed -n 2p <<<"$stderr" | cut -c1-19)" "usage: quire-shard "
}

@test "shard: -n NAME is required" {
	run -64 --separate-stderr quire-shard -d . </dev/null
	assert_equal "$(head -n 1 <<<"$stderr")" \
	    "quire-shard: -n NAME is required"
}

@test "shard: -d DIR is required" {
	run -64 --separate-stderr quire-shard -n a </dev/null
	assert_equal "$(head -n 1 <<<"$stderr")" \
	    "quire-shard: -d DIR is required"
}

@test "shard: -n refuses a name that is not a safe file-name part" {
	local name
	mkdir out
	for name in '' .hidden ../up a/b 'a b' 'a*' é "$(printf 'a%.0s' {1..201})"; do
		echo "name: '$name'"
		run -64 quire-shard -n "$name" -d out </dev/null
		assert_output --partial 'quire-shard: -n: '
	done
	assert_equal "$(ls -A out)" ""
}

@test "shard: -n accepts letters, digits, dot, underscore and hyphen" {
	mkdir out
	rec a >in.jsonl
	run -0 quire-shard -n Ab9._-x -d out -v 0 in.jsonl
	assert_equal "$(ls out)" "Ab9._-x-train-00000.jsonl.zst"
}

@test "shard: -s refuses a size that is malformed or out of range" {
	local size
	for size in '' 0 -1 x 1T 10Q 1k5 1025G ' 1'; do
		echo "size: '$size'"
		run -64 quire-shard -n a -d . -s "$size" </dev/null
		assert_output --partial 'quire-shard: -s: '
	done
}

@test "shard: -s accepts k, M and G suffixes" {
	local size
	while read -r size bytes; do
		echo "size: $size"
		run -0 quire-shard -n a -d . -s "$size" --stats st.json </dev/null
		assert_equal "$(jq .options.shard_bytes st.json)" "$bytes"
	done <<-EOF
	1 1
	3k 3072
	2M 2097152
	1G 1073741824
	1024G 1099511627776
	EOF
}

@test "shard: -v refuses a share that is not a decimal fraction in [0,1]" {
	local share
	for share in '' . .5 0. 1. 1.1 2 10 -0.1 +0.1 ' 0.1' 0,5 1e-2 \
	    0.1234567 0.0000001 1.0000000 abc 0x1 1.000001; do
		echo "share: '$share'"
		run -64 quire-shard -n a -d . -v "$share" </dev/null
		assert_output --partial 'quire-shard: -v: '
	done
}

@test "shard: -v is read exactly, to the millionth" {
	# doc-03 hashes to 1612 ppm: below 0.001613, not below 0.001612.
	mkdir a b
	docs doc-03 >in.jsonl
	run -0 quire-shard -n x -d a -v 0.001612 in.jsonl
	run -0 quire-shard -n x -d b -v 0.001613 in.jsonl
	assert_equal "$(ls a)" "x-train-00000.jsonl.zst"
	assert_equal "$(ls b)" "x-validation-00000.jsonl.zst"
}

@test "shard: --stats shows -v as the shortest decimal of its value" {
	local share
	while read -r share want; do
		echo "share: $share"
		run -0 quire-shard -n a -d . -v "$share" --stats st.json </dev/null
		assert_equal "$(jq -r .options.validation_share st.json)" "$want"
	done <<-EOF
	0 0
	0.000000 0
	1 1
	1.000000 1
	0.01 0.01
	0.010 0.01
	00.5 0.5
	0.000001 0.000001
	0.999999 0.999999
	EOF
}

@test "shard: -z refuses a level outside 1..19" {
	local level
	for level in '' 0 20 -1 x 3x; do
		echo "level: '$level'"
		run -64 quire-shard -n a -d . -z "$level" </dev/null
		assert_output --partial 'quire-shard: -z: '
	done
}

@test "shard: -T refuses a thread count below 1 or beyond libzstd's limit" {
	local threads
	for threads in '' 0 -1 x 100000; do
		echo "threads: '$threads'"
		run -64 quire-shard -n a -d . -T "$threads" </dev/null
		assert_output --partial 'quire-shard: -T: '
	done
}

@test "shard: -q is accepted and shows nothing on stderr" {
	mkdir out
	run -0 --separate-stderr quire-shard -q -n a -d out \
	    "$FIX/records.jsonl"
	assert_equal "$stderr" ""
}

# --- shards ----------------------------------------------------------------

@test "shard: names shards NAME-SPLIT-NNNNN.jsonl.zst from 00000, per split" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n set -d out -v 0.5 -s 40 in.jsonl
	run -0 ls out
	assert_output - < <(printf 'set-train-%05d.jsonl.zst\n' 0 1 2
	    printf 'set-validation-%05d.jsonl.zst\n' 0 1 2 3 4 5 6 7 8)
}

@test "shard: every shard passes zstd -t" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d out -v 0.5 -s 100 in.jsonl
	run -0 zstd -t out/*
}

@test "shard: the shards give back exactly the input lines, in each split's order" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d out -v 0.5 -s 100 in.jsonl
	docs doc-08 doc-09 doc-11 >train.want
	docs doc-01 doc-02 doc-03 doc-04 doc-05 doc-06 doc-07 doc-10 doc-12 \
	    >validation.want
	unzst out/a-train-* | cmp - train.want
	unzst out/a-validation-* | cmp - validation.want
}

@test "shard: megabytes of records, one over 1 MiB, come back exactly" {
	mkdir out
	{ prose 1000; sized huge $((3 << 19)); prose 1000; } >in.jsonl
	run -0 quire-shard -n a -d out -v 0 in.jsonl
	unzst out/a-train-00000.jsonl.zst | cmp - in.jsonl
}

@test "shard: writes each record's line byte for byte" {
	mkdir out
	run -0 quire-shard -n a -d out -v 0 "$FIX/verbatim.jsonl"
	unzst out/a-train-00000.jsonl.zst | cmp - "$FIX/verbatim.jsonl"
}

@test "shard: each shard carries a content checksum" {
	mkdir out
	run -0 quire-shard -n a -d out -v 0.5 "$FIX/records.jsonl"
	for f in out/*; do
		echo "shard: $f"
		run -0 zstd -lv "$f"
		assert_line --regexp '^Check: XXH64 [0-9a-f]{8}$'
	done
}

@test "shard: a small shard is a multi-threaded frame too" {
	# zstd makes a frame given whole in one call single-threaded when it
	# is small, and such a frame records its size; ours never do.
	mkdir out
	run -0 quire-shard -n a -d out -v 0 "$FIX/records.jsonl"
	run -0 zstd -lv out/a-train-00000.jsonl.zst
	refute_line --partial 'Decompressed Size'
}

@test "shard: passes every record to stdout unchanged" {
	mkdir out
	run -0 --separate-stderr quire-shard -n a -d out "$FIX/records.jsonl"
	assert_output - <"$FIX/records.jsonl"
}

@test "shard: ends a last line that lacks a newline, in shard and on stdout" {
	mkdir out
	printf '{"id":"doc-08"}' >in.jsonl
	run -0 quire-shard -n a -d out -v 0 in.jsonl
	assert_equal "$(unzst out/a-train-00000.jsonl.zst | od -An -c | tr -s ' ')" \
	    "$(printf '{"id":"doc-08"}\n' | od -An -c | tr -s ' ')"
}

@test "shard: reads named files in turn, - as stdin" {
	mkdir out
	docs doc-08 >one.jsonl
	docs doc-09 >two.jsonl
	docs doc-11 | quire-shard -n a -d out -v 0 one.jsonl - two.jsonl >/dev/null
	docs doc-08 doc-11 doc-09 >want
	unzst out/a-train-00000.jsonl.zst | cmp - want
}

@test "shard: writes no file for an empty split" {
	mkdir out
	run -0 quire-shard -n a -d out -v 0 "$FIX/records.jsonl"
	assert_equal "$(ls out)" "a-train-00000.jsonl.zst"
}

@test "shard: writes no shard at all for an empty stream" {
	mkdir out
	run -0 quire-shard -n a -d out </dev/null
	assert_output ""
	assert_equal "$(ls -A out)" ""
}

# --- size ------------------------------------------------------------------

@test "shard: closes a shard when the next record would exceed SIZE" {
	# Six lines of 25 bytes: 50 fit exactly, 74 takes two and no more.
	local size
	for size in 50 74; do
		echo "size: $size"
		rm -rf out && mkdir out
		for i in 1 2 3 4 5 6; do sized "r$i" 25; done >in.jsonl
		run -0 quire-shard -n a -d out -v 0 -s "$size" in.jsonl
		assert_equal "$(ls out | wc -l)" 3
		for f in out/*; do
			assert_equal "$(unzst "$f" | wc -c)" 50
		done
	done
}

@test "shard: never lets a shard exceed SIZE uncompressed bytes" {
	mkdir out
	for i in $(seq 40); do sized "r$i" $((21 + i * 7 % 60)); done >in.jsonl
	run -0 quire-shard -n a -d out -v 0 -s 100 in.jsonl
	for f in out/*; do
		echo "shard: $f"
		[ "$(unzst "$f" | wc -c)" -le 100 ]
	done
	unzst out/* | cmp - in.jsonl
}

@test "shard: never splits a record across shards" {
	mkdir out
	for i in $(seq 30); do sized "r$i" $((30 + i * 13 % 50)); done >in.jsonl
	run -0 quire-shard -n a -d out -v 0 -s 64 in.jsonl
	for f in out/*; do
		echo "shard: $f"
		unzst "$f" >lines
		[ "$(tail -c 1 lines | od -An -c | tr -d ' ')" = '\n' ]
		run -1 grep -vxFf in.jsonl lines
	done
	unzst out/* | cmp - in.jsonl
}

@test "shard: gives a record larger than SIZE a shard of its own" {
	mkdir out
	{ sized small1 30; sized big 250; sized small2 30; sized small3 30; } >in.jsonl
	run -0 quire-shard -n a -d out -v 0 -s 100 in.jsonl
	assert_equal "$(ls out | wc -l)" 3
	sized small1 30 >want0
	sized big 250 >want1
	{ sized small2 30; sized small3 30; } >want2
	for i in 0 1 2; do
		unzst "out/a-train-0000$i.jsonl.zst" | cmp - "want$i"
	done
}

# --- split -----------------------------------------------------------------

@test "shard: -v 0 sends every document to train" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d out -v 0 in.jsonl
	assert_equal "$(ls out)" "a-train-00000.jsonl.zst"
	unzst out/a-train-00000.jsonl.zst | cmp - in.jsonl
}

@test "shard: -v 1 sends every document to validation" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d out -v 1 in.jsonl
	assert_equal "$(ls out)" "a-validation-00000.jsonl.zst"
	unzst out/a-validation-00000.jsonl.zst | cmp - in.jsonl
}

@test "shard: -v 0.5 splits by the hash of the id" {
	mkdir out
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d out -v 0.5 -l lin.csv in.jsonl
	run -0 side_of lin.csv
	assert_output - <<-EOF
	doc-01 validation
	doc-02 validation
	doc-03 validation
	doc-04 validation
	doc-05 validation
	doc-06 validation
	doc-07 validation
	doc-08 train
	doc-09 train
	doc-10 validation
	doc-11 train
	doc-12 validation
	EOF
}

@test "shard: a document keeps its side when the order or its neighbours change" {
	mkdir a b
	docs $DOCS >in.jsonl
	docs doc-12 new-1 doc-07 doc-03 new-2 doc-11 doc-09 doc-01 \
	    doc-05 new-3 doc-10 doc-02 doc-04 doc-06 doc-08 >in2.jsonl
	run -0 quire-shard -n a -d a -v 0.5 -s 60 -l a.csv in.jsonl
	run -0 quire-shard -n a -d b -v 0.5 -s 200 -l b.csv in2.jsonl
	side_of a.csv >a.sides
	side_of b.csv | grep '^doc-' >b.sides
	cmp a.sides b.sides
}

# --- determinism -------------------------------------------------------------

@test "shard: gives the same shard bytes with -T1 and -T2" {
	# About 3.6 MB at level 1: several of zstd's 2 MiB jobs per frame.
	mkdir t1 t2
	prose 3000 >in.jsonl
	run -0 quire-shard -n a -d t1 -z 1 -T1 -v 0.3 in.jsonl
	run -0 quire-shard -n a -d t2 -z 1 -T2 -v 0.3 in.jsonl
	assert_equal "$(ls t1)" "$(ls t2)"
	for f in t1/*; do
		echo "shard: $f"
		cmp "$f" "t2/${f#t1/}"
	done
	[ "$(unzst t1/a-train-00000.jsonl.zst | wc -c)" -gt $((2 << 20)) ]
}

@test "shard: gives the same bytes on every run" {
	mkdir a b
	docs $DOCS >in.jsonl
	run -0 quire-shard -n a -d a -v 0.5 -s 100 -l a/lin.csv \
	    --stats a/st.json in.jsonl
	run -0 quire-shard -n a -d b -v 0.5 -s 100 -l b/lin.csv \
	    --stats b/st.json in.jsonl
	run -0 diff -r a b
}

# --- rejects ---------------------------------------------------------------

@test "shard: rejects a record without a usable id as shard.no_id" {
	mkdir out
	{
		docs doc-08
		echo '{"text":"no id","source":{"submission":"s9"},"writer":"w9"}'
		echo '{"id":7,"writer":"w9"}'
		echo '{"id":null}'
		echo '{"id":""}'
		docs doc-09
	} >in.jsonl
	run -0 --separate-stderr quire-shard -n a -d out -v 0 --rejects rej.csv in.jsonl
	docs doc-08 doc-09 >want
	assert_output - <want
	assert_equal "$stderr" ""
	unzst out/* | cmp - want
	run -0 cat rej.csv
	assert_output - <<-EOF
	,s9,w9,shard,shard.no_id,in.jsonl:2: no id
	,,w9,shard,shard.no_id,in.jsonl:3: id is not a string
	,,,shard,shard.no_id,in.jsonl:4: id is not a string
	,,,shard,shard.no_id,in.jsonl:5: id is empty
	EOF
}

@test "shard: without --rejects a reject row goes to stderr" {
	mkdir out
	run -0 --separate-stderr quire-shard -n a -d out <<<'{"text":"x"}'
	assert_output ""
	assert_equal "$stderr" \
	    "quire-shard: reject: ,,,shard,shard.no_id,<stdin>:1: no id"
	assert_equal "$(ls -A out)" ""
}

@test "shard: a rejected record is not in the lineage" {
	mkdir out
	{ docs doc-08; echo '{"text":"x"}'; } >in.jsonl
	run -0 quire-shard -n a -d out -v 0 -l lin.csv --rejects rej.csv in.jsonl
	assert_equal "$(wc -l <lin.csv)" 2
	assert_equal "$(tail -n 1 lin.csv | cut -d, -f1)" doc-08
}

# --- lineage -----------------------------------------------------------------

@test "shard: -l writes one lineage row per document with its shard and index" {
	mkdir out
	run -0 quire-shard -n demo -d out -s 600 -v 0.1 -l lin.csv \
	    "$FIX/records.jsonl"
	cmp lin.csv "$FIX/lineage.expected"
}

@test "shard: -l leaves empty cells for absent fields and guards formulas" {
	mkdir out
	{
		docs doc-08
		echo '{"id":"doc-09","writer":"=1+1","source":{"submission":"@s","sha256":5}}'
	} >in.jsonl
	run -0 quire-shard -n a -d out -v 0 -l lin.csv in.jsonl
	run -0 cat lin.csv
	assert_output - <<-EOF
	id,submission_id,writer_id,shard,index,raw_sha256
	doc-08,,,a-train-00000.jsonl.zst,0,
	doc-09,'@s,'=1+1,a-train-00000.jsonl.zst,1,
	EOF
}

@test "shard: -l decodes escapes and takes the last of a repeated key, as json-c does" {
	mkdir out
	cat >in.jsonl <<-'EOF'
	{"id":"\u0064oc-08","writer":"w\"1\\","source":{"submission":"s\/1","sha256":"ab\u00e9"}}
	{"id":"a\u0000b","writer":"w\u0000x","source":{"submission":"s\ud83d\ude00","sha256":"\ud836\udc00"}}
	{"id":"dup","id":"doc-11","writer":"w1","writer":null,"source":{"submission":"s1"},"source":{"sha256":"x"}}
	{"id":"doc-12","source":"flat","writer":["w"]}
	{"id":"doc-13","source":{"submission":{"x":1},"sha256":"y","submission":"z"}}
	{"\u0069d":"doc-14","wr\u0069ter":"ww","source":{"sub\u006dission":"ss"}}
	{"id":"x","nested":{"id":"y","source":{"submission":"no"}},"source":{"submission":"yes"}}
	EOF
	run -0 quire-shard -n a -d out -v 0 -l lin.csv in.jsonl
	# A cell ends at an escaped NUL, as a C string of json-c's does.
	run -0 cat lin.csv
	assert_output - <<-'EOF'
	id,submission_id,writer_id,shard,index,raw_sha256
	doc-08,s/1,"w""1\",a-train-00000.jsonl.zst,0,abé
	a,s😀,w,a-train-00000.jsonl.zst,1,𝠀
	doc-11,,,a-train-00000.jsonl.zst,2,x
	doc-12,,,a-train-00000.jsonl.zst,3,
	doc-13,z,,a-train-00000.jsonl.zst,4,y
	doc-14,ss,ww,a-train-00000.jsonl.zst,5,
	x,yes,,a-train-00000.jsonl.zst,6,
	EOF
}

@test "shard: an escaped id splits as the string it stands for" {
	# "\u0064oc-08" is doc-08 (train with -v 0.5), "doc\u002d01" doc-01.
	mkdir out
	printf '%s\n' '{"id":"\u0064oc-08"}' '{"id":"doc\u002d01"}' >in.jsonl
	run -0 quire-shard -n a -d out -v 0.5 -l lin.csv in.jsonl
	run -0 side_of lin.csv
	assert_output - <<-EOF
	doc-01 validation
	doc-08 train
	EOF
}

@test "shard: -l with no document writes the header alone" {
	mkdir out
	run -0 quire-shard -n a -d out -l lin.csv </dev/null
	assert_equal "$(cat lin.csv)" \
	    "id,submission_id,writer_id,shard,index,raw_sha256"
}

# --- stats -------------------------------------------------------------------

@test "shard: --stats writes the documented counts, options and figures" {
	mkdir out
	{ docs $DOCS; echo '{"text":"x"}'; } >in.jsonl
	run -0 quire-shard -n a -d out -v 0.50 -s 100 -z 5 -T 3 \
	    --rejects rej.csv --stats st.json in.jsonl
	# Twelve lines of 40 bytes and one of 13; 3 train, 9 validation.
	run -0 jq 'del(.version, .figures.compressed_bytes)' st.json
	assert_output - <<-EOF
	{
	  "stage": "shard",
	  "records_in": 13,
	  "records_out": 12,
	  "rejected": {
	    "shard.no_id": 1
	  },
	  "bytes_in": 493,
	  "bytes_out": 480,
	  "options": {
	    "name": "a",
	    "shard_bytes": 100,
	    "validation_share": "0.5",
	    "level": 5,
	    "threads": 3
	  },
	  "figures": {
	    "shards": 7,
	    "train_documents": 3,
	    "train_bytes": 120,
	    "validation_documents": 9,
	    "validation_bytes": 360
	  }
	}
	EOF
	assert_equal "$(jq .figures.compressed_bytes st.json)" \
	    "$(cat out/* | wc -c)"
}

# --- failures ----------------------------------------------------------------

@test "shard: a malformed record exits 65 and leaves no shard behind" {
	mkdir out
	{ docs $DOCS; echo '{"id":"doc-13",'; } >in.jsonl
	run -65 --separate-stderr quire-shard -n a -d out -v 0.5 -s 40 \
	    -l lin.csv --stats st.json in.jsonl
	[[ $stderr == "quire-shard: in.jsonl:13: malformed record: "* ]]
	assert_equal "$(ls -A out)" ""
	[ ! -e lin.csv ] && [ ! -e st.json ]
}

@test "shard: a line that is not a JSON object exits 65" {
	mkdir out
	run -65 quire-shard -n a -d out <<<'["doc-01"]'
	assert_output --partial 'not a JSON object'
}

@test "shard: a missing input file exits 66" {
	mkdir out
	run -66 --separate-stderr quire-shard -n a -d out "$FIX/records.jsonl" nonesuch.jsonl
	assert_equal "$stderr" "quire-shard: nonesuch.jsonl: No such file or directory"
	assert_equal "$(ls -A out)" ""
}

@test "shard: a missing DIR exits 74 before reading" {
	run -74 --separate-stderr quire-shard -n a -d nonesuch </dev/null
	assert_equal "$stderr" \
	    "quire-shard: output folder nonesuch: No such file or directory"
}

@test "shard: a DIR that is not a folder exits 74" {
	touch file
	run -74 --separate-stderr quire-shard -n a -d file </dev/null
	assert_equal "$stderr" "quire-shard: output folder file: not a directory"
}

@test "shard: a DIR where no file can be created exits 74" {
	# /sys refuses new files, to root too (read-only or not).
	run -74 --separate-stderr quire-shard -n a -d /sys "$FIX/records.jsonl"
	assert_output ""
	assert_regex "$stderr" '^quire-shard: .*/sys.*: (Permission denied|Read-only file system)$'
}

@test "shard: an unwritable DIR exits 74 before reading" {
	[ "$(id -u)" != 0 ] || skip "root writes to any folder"
	mkdir out
	chmod 555 out
	run -74 --separate-stderr quire-shard -n a -d out </dev/null
	assert_equal "$stderr" "quire-shard: output folder out: Permission denied"
}

@test "shard: a failed write to stdout exits 74 and leaves no shard behind" {
	mkdir out
	run -74 --separate-stderr records_to_full
	assert_equal "$stderr" "quire-shard: write error: <stdout>: No space left on device"
	assert_equal "$(ls -A out)" ""
	[ ! -e lin.csv ]
}

@test "shard: leaves no temporary file after success" {
	mkdir out
	run -0 quire-shard -n a -d out -v 0.5 -s 100 -l out/lin.csv \
	    --stats out/st.json "$FIX/records.jsonl"
	run -0 find . -name '*.tmp.*'
	assert_output ""
	run -0 ls -A out
	refute_output --partial tmp
}

# --- the man page's examples -------------------------------------------------

@test "shard: example: cut a stream, read the first training shard back" {
	cp "$FIX/records.jsonl" .
	mkdir out
	quire-shard -n demo -d out < records.jsonl > /dev/null
	run -0 zstd -dc out/demo-train-00000.jsonl.zst
	assert_output - <records.jsonl
}

@test "shard: example: a tenth to validation, 1M shards, lineage and counts" {
	cp "$FIX/records.jsonl" .
	mkdir out
	quire-shard -n demo -d out -s 1M -v 0.1 -l lineage.csv \
	    --stats shard.json records.jsonl > /dev/null
	assert_equal "$(ls out | tr '\n' ' ')" \
	    "demo-train-00000.jsonl.zst demo-validation-00000.jsonl.zst "
	assert_equal "$(jq .figures.validation_documents shard.json)" 1
	assert_equal "$(wc -l <lineage.csv)" 6
	run -0 zstd -t out/*.jsonl.zst
}
