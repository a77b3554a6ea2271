#!/usr/bin/env bats
# The README's table of bad input ("Bad input"), row by row: each test is
# named "badinput: ROW: what quire does", ROW being the table's first
# column, and builds its own bad input.  Per-stage suites test the same
# behaviours in more detail; this suite makes sure that every row holds.
bats_require_minimum_version 1.5.0
load test_helper/common-setup
setup() { _common_setup; POL="$ROOT/policies"; }

REQUIRED=submission_id,writer_id,file,license,submitted

# drop ROW...: ./drop with works/a.txt and a manifest of the required
# columns and these rows.
drop() {
	mkdir -p drop/works
	printf 'The kettle sang before the house was up.\n' >drop/works/a.txt
	printf '%s\n' "$REQUIRED" "$@" >drop/manifest.csv
}

# ingest_rejects REASON DETAIL: quire-ingest on ./drop writes no record and
# one reject row of REASON, whose detail starts with DETAIL.
ingest_rejects() {
	rm -f rejects.csv
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	run -0 cut -d, -f2,4,5- rejects.csv
	assert_output --partial "s1,ingest,$1,$2"
	assert_equal "$(wc -l <rejects.csv)" 1
}

# stage NAME [ARG...]: run quire-NAME with the arguments the sample
# pipeline gives it and ARGs, reading standard input.
stage() {
	local name=$1
	shift
	case $name in
	consent-filter) quire-consent-filter --ledger "$FIX/ledger.csv" \
	    --policies "$POL" --uses 'train;evaluate' --cutoff 2026-11-01 "$@" ;;
	license-tag) quire-license-tag --policies "$POL" \
	    --uses 'train;evaluate' --cutoff 2026-11-01 "$@" ;;
	normalize) quire-normalize "$@" ;;
	scrub) quire-scrub --policies "$POL" "$@" ;;
	dedupe) quire-dedupe -T . "$@" ;;
	shard) quire-shard -n x -d . -l lineage.csv "$@" ;;
	credits) quire-credits --policies "$POL" "$@" ;;
	tokenize) quire-tokenize --vocab "$ROOT/tests/fixtures/tokenize/tiny.tiktoken" \
	    --pattern cl100k_base --ids "$@" ;;
	esac
}
STREAM_STAGES="consent-filter license-tag normalize scrub dedupe shard credits"

# stream_fails LINE STATUS MESSAGE: after a good record, LINE is line 2
# of every stage's input; each stops with STATUS and "<stdin>:2: MESSAGE".
stream_fails() {
	local s
	head -1 "$FIX/records.jsonl" >in.jsonl
	printf '%s\n' "$1" >>in.jsonl
	for s in $STREAM_STAGES; do
		echo "# $s"
		run -"$2" --separate-stderr stage "$s" <in.jsonl
		assert_equal "$stderr" "quire-$s: <stdin>:2: $3"
	done
}

# A release of the sample pipeline, for the shard rows.
release() {
	sample_dataset 1.0.0 >/dev/null 2>&1
	REL=$PWD/releases/sample/1.0.0
	SHARD=$REL/shards/sample-train-00000.jsonl.zst
}

# --- the manifest and the drop (quire-ingest) -----------------------------

@test "badinput: CSV row with too many or too few fields: ingest.row" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14,extra'
	ingest_rejects ingest.row '"manifest line 2: 6 fields, header has 5"'
}

@test "badinput: malformed CSV (stray or unterminated quote): exit 65" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,"2026-01-14'
	run -65 quire-ingest drop
	assert_output 'quire-ingest: drop/manifest.csv:2: malformed CSV: error parsing data while strict checking enabled'
}

@test "badinput: missing required manifest column: exit 78" {
	drop
	printf 'submission_id,writer_id,file,license\ns1,w1,works/a.txt,CC0-1.0\n' \
	    >drop/manifest.csv
	run -78 quire-ingest drop
	assert_output 'quire-ingest: drop/manifest.csv:1: missing required column submitted'
}

@test "badinput: empty required value: ingest.field" {
	drop 's1,,works/a.txt,CC-BY-4.0,2026-01-14'
	ingest_rejects ingest.field 'manifest line 2: empty writer_id'
}

@test "badinput: duplicate submission id: ingest.duplicate_id" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14' \
	    's1,w2,works/a.txt,CC-BY-4.0,2026-01-15'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_equal "$(grep -c ',s1,w[12],ingest,ingest.duplicate_id,' rejects.csv)" 2
}

@test "badinput: malformed date in the manifest: ingest.date" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-02-30'
	ingest_rejects ingest.date 'manifest line 2: submitted is not an ISO 8601 date'
}

@test "badinput: path escape (absolute or ..): ingest.path" {
	drop 's1,w1,../../etc/passwd,CC-BY-4.0,2026-01-14'
	ingest_rejects ingest.path 'path leaves the drop through ..'
	drop 's1,w1,/etc/passwd,CC-BY-4.0,2026-01-14'
	ingest_rejects ingest.path 'absolute path'
}

@test "badinput: path escape through a symbolic link: ingest.path" {
	drop 's1,w1,works/out.txt,CC-BY-4.0,2026-01-14'
	printf 'secret\n' >outside.txt
	ln -s ../../outside.txt drop/works/out.txt
	ingest_rejects ingest.path 'symlink leads outside the drop'
}

@test "badinput: symbolic link loop: ingest.path" {
	drop 's1,w1,works/loop1,CC-BY-4.0,2026-01-14'
	ln -s loop2 drop/works/loop1
	ln -s loop1 drop/works/loop2
	ingest_rejects ingest.path 'symlink loop'
}

@test "badinput: missing work file: ingest.missing" {
	drop 's1,w1,works/gone.txt,CC-BY-4.0,2026-01-14'
	ingest_rejects ingest.missing 'no such file'
}

@test "badinput: unreadable work file: ingest.unreadable" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	chmod 000 drop/works/a.txt
	# Root reads everything: take that power away for the run.
	if [ "$(id -u)" = 0 ]; then
		run -0 setpriv --bounding-set=-dac_override,-dac_read_search \
		    quire-ingest --rejects rejects.csv drop
	else
		run -0 quire-ingest --rejects rejects.csv drop
	fi
	refute_output
	run -0 cut -d, -f2,4- rejects.csv
	assert_output 's1,ingest,ingest.unreadable,Permission denied'
}

@test "badinput: a directory, FIFO or device named as a work: ingest.not_file" {
	drop 's1,w1,works,CC-BY-4.0,2026-01-14'
	ingest_rejects ingest.not_file 'not a regular file'
	drop 's1,w1,works/fifo,CC-BY-4.0,2026-01-14'
	mkfifo drop/works/fifo
	ingest_rejects ingest.not_file 'not a regular file'
}

@test "badinput: huge work file (1 GB, over MAX_WORK_BYTES): ingest.too_large, unread" {
	drop 's1,w1,works/huge.txt,CC-BY-4.0,2026-01-14'
	truncate -s 1000000000 drop/works/huge.txt
	ingest_rejects ingest.too_large '"1000000000 bytes, limit 16777216"'
}

@test "badinput: huge line in a work (1 MiB, no line break): kept as text" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	head -c 1048576 /dev/zero | tr '\0' a >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	[ ! -s rejects.csv ]
	assert_equal "$(jq -r '.text | length' <<<"$output")" 1048576
}

@test "badinput: empty work: ingest.empty" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	: >drop/works/a.txt
	ingest_rejects ingest.empty 'empty file'
}

@test "badinput: NUL bytes in a work: ingest.binary" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	printf 'half\0a poem' >drop/works/a.txt
	ingest_rejects ingest.binary 'NUL byte at offset 4'
}

@test "badinput: undecodable bytes in a work: ingest.encoding" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	printf 'caf\xc3\xa9 na\xc3\xafve \xff\xfe\n' >drop/works/a.txt
	ingest_rejects ingest.encoding 'UTF-8 with invalid bytes; first at byte 14'
}

@test "badinput: CSV file that is not UTF-8: exit 65" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	printf 's2,w1,works/\xe9t\xe9.txt,CC-BY-4.0,2026-01-14\n' >>drop/manifest.csv
	run -65 quire-ingest drop
	assert_output 'quire-ingest: drop/manifest.csv:3: invalid UTF-8'
}

@test "badinput: NUL byte in a CSV file: exit 65 (78 in the ledger and policies)" {
	drop 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14'
	printf 'title\0hidden' >>drop/manifest.csv
	run -65 quire-ingest drop
	assert_output 'quire-ingest: drop/manifest.csv:3: NUL byte'
	# The ledger and policies are configuration: 78.
	printf 'w1,grant,2026-01-10,*,*,2026-01\0\n' >ledger.csv
	run -78 quire-consent-filter --ledger ledger.csv --policies "$POL" \
	    --uses train --cutoff 2026-11-01 </dev/null
	assert_output --partial 'quire-consent-filter: ledger.csv:1: NUL byte'
}

@test "badinput: huge CSV line (over 1 MiB): exit 65, unread" {
	drop
	{ printf 's1,w1,works/a.txt,CC-BY-4.0,2026-01-14,'
	  head -c 100000000 /dev/zero | tr '\0' x; echo; } >>drop/manifest.csv
	sed -i 1s/\$/,title/ drop/manifest.csv
	# 100 MB read in bounded memory: in 64 MB of address space, where
	# the build allows a limit (a sanitizer build does not).
	if can_limit; then
		run -65 limited 65536 quire-ingest drop
	else
		run -65 quire-ingest drop
	fi
	assert_output 'quire-ingest: drop/manifest.csv:2: line of 100000040 bytes exceeds the limit of 1048576'
}

@test "badinput: missing manifest: exit 66" {
	mkdir drop
	run -66 quire-ingest drop
	assert_output 'quire-ingest: drop/manifest.csv: No such file or directory'
}

# --- the ledger and the policies ------------------------------------------

# ledger ROW: a ledger of the documented columns and ROW, checked by
# quire-consent-filter on a record of writer w1.
ledger() {
	printf 'writer_id,event,date,uses,works,form_version\n%s\n' "$1" >ledger.csv
	quire-consent-filter --ledger ledger.csv --policies "$POL" \
	    --rejects rejects.csv --uses train --cutoff 2026-11-01 \
	    "$FIX/records.jsonl"
}

@test "badinput: missing ledger column: exit 78" {
	printf 'writer_id,event,date,uses,works\nw1,grant,2026-01-10,*,*\n' >ledger.csv
	run -78 quire-consent-filter --ledger ledger.csv --policies "$POL" \
	    --uses train --cutoff 2026-11-01 </dev/null
	assert_output 'quire-consent-filter: ledger.csv:1: missing required column form_version'
}

@test "badinput: malformed date in the ledger: exit 78" {
	run -78 ledger 'w1,grant,2026-13-01,*,*,2026-01'
	assert_output 'quire-consent-filter: ledger.csv:2: date is not an ISO 8601 date'
}

@test "badinput: unknown ledger event: exit 78" {
	run -78 ledger 'w1,agree,2026-01-10,*,*,2026-01'
	assert_output 'quire-consent-filter: ledger.csv:2: event is neither grant nor withdraw'
}

@test "badinput: unknown use in the ledger: a warning, and consent.scope" {
	run -0 --separate-stderr ledger 'w1,grant,2026-01-10,dance,*,2026-01'
	refute_output
	assert_equal "${stderr%%$'\n'*}" "quire-consent-filter: ledger.csv:2: use dance is not in $POL/uses.csv: this grant cannot allow it"
	assert_equal "$(cut -d, -f1,4,5 rejects.csv)" \
	    "$(printf 'd1,consent-filter,consent.scope\nd2,consent-filter,consent.scope')"
}

@test "badinput: unknown intended use: exit 78" {
	run -78 quire-consent-filter --ledger "$FIX/ledger.csv" \
	    --policies "$POL" --uses 'train;dance' --cutoff 2026-11-01 </dev/null
	assert_output "quire-consent-filter: intended use dance is not in $POL/uses.csv"
}

@test "badinput: malformed cut-off date: exit 64" {
	run -64 --separate-stderr quire-license-tag --policies "$POL" \
	    --uses train --cutoff 2026-02-30 </dev/null
	assert_equal "${stderr%%$'\n'*}" 'quire-license-tag: --cutoff: not an ISO 8601 date: 2026-02-30'
}

@test "badinput: unknown license: license.unknown" {
	echo '{"id":"d1","source":{"submission":"s1"},"writer":"w1","license":"Do What You Like 9","text":"x"}' >in.jsonl
	run -0 quire-license-tag --rejects rejects.csv --policies "$POL" \
	    --uses train --cutoff 2026-11-01 in.jsonl
	refute_output
	assert_equal "$(cat rejects.csv)" 'd1,s1,w1,license-tag,license.unknown,Do What You Like 9'
}

@test "badinput: malformed policy file: exit 78" {
	mkdir pol
	cp "$POL"/*.csv pol/
	printf 'spdx,aliases,uses\nCC0-1.0,,*\n' >pol/licenses.csv
	run -78 quire-license-tag --policies pol --uses train \
	    --cutoff 2026-11-01 </dev/null
	assert_output 'quire-license-tag: pol/licenses.csv:1: missing required column attribution'
}

# --- the record stream between stages -------------------------------------

@test "badinput: malformed JSON line between stages: exit 65" {
	stream_fails '{"id":"d2","text":"x"' 65 'malformed record: unexpected end of line'
}

@test "badinput: invalid UTF-8 in the stream: exit 65" {
	stream_fails $'{"id":"d2","text":"\xff"}' 65 'invalid UTF-8 at byte 20'
}

@test "badinput: raw control character or NUL byte in a record: exit 65" {
	stream_fails $'{"id":"d2","text":"a\x01"}' 65 'malformed record: raw control character'
	head -1 "$FIX/records.jsonl" >in.jsonl
	printf '{"id":"d2","text":"a\0b"}\n' >>in.jsonl
	run -65 --separate-stderr quire-normalize in.jsonl
	assert_equal "$stderr" 'quire-normalize: in.jsonl:2: malformed record: raw control character'
}

@test "badinput: number JSON cannot carry unchanged: exit 65" {
	stream_fails '{"id":"d2","n":1e999,"text":"x"}' 65 'malformed record: a number JSON cannot carry unchanged (NaN, Infinity, 1., or beyond 64 bits)'
}

@test "badinput: record without text or id: a reject row" {
	echo '{"id":"d1","source":{"submission":"s1"},"writer":"w1"}' >in.jsonl
	run -0 quire-normalize --rejects rejects.csv in.jsonl
	refute_output
	assert_equal "$(cat rejects.csv)" 'd1,s1,w1,normalize,normalize.no_text,in.jsonl:1: no text field'
	echo '{"text":"x"}' >in.jsonl
	run -0 quire-shard -n x -d . -l lineage.csv --rejects rejects2.csv in.jsonl
	refute_output
	assert_equal "$(cat rejects2.csv)" ',,,shard,shard.no_id,in.jsonl:1: no id'
}

@test "badinput: huge record line (over --max-record): exit 65, in bounded memory" {
	{ printf '{"id":"d1","text":"'; head -c 2000000 /dev/zero | tr '\0' a
	  printf '"}\n'; } >in.jsonl
	for s in $STREAM_STAGES; do
		echo "# $s"
		run -65 --separate-stderr stage "$s" --max-record 1M <in.jsonl
		assert_equal "$stderr" "quire-$s: <stdin>:1: record of 2000022 bytes exceeds the limit of 1048576 (--max-record)"
	done
	run -0 stage normalize --max-record 2M <in.jsonl
}

@test "badinput: 1 GB record line: exit 65 at the default limit, without the memory to hold it" {
	can_limit || skip "this build cannot run under ulimit -v (a sanitizer build)"
	run -65 --separate-stderr huge_line_into normalize
	assert_equal "$stderr" "quire-normalize: <stdin>:1: record of 1000000022 bytes exceeds the limit of 268435456 (--max-record)"
}
# huge_line_into NAME: a one-record stream of 1e9 bytes of text into stage
# NAME, allowed 512 MiB of address space: the record cannot be held.
huge_line_into() {
	{ printf '{"id":"d1","text":"'; head -c 1000000000 /dev/zero | tr '\0' a
	  printf '"}\n'; } | limited 524288 stage "$1"
}

# can_limit: whether the build under test runs under ulimit -v (the
# sanitizers reserve terabytes of address space).
can_limit() {
	limited 1048576 quire-normalize --version >/dev/null 2>&1
}

# limited KB CMD...: CMD with at most KB kilobytes of address space.
limited() {
	(ulimit -v "$1"; shift; "$@")
}

# --- shards ---------------------------------------------------------------

@test "badinput: truncated zstd shard: exit 65" {
	release
	head -c 2000 "$SHARD" >short && mv short "$SHARD"
	run -65 quire-statement -w w01 "$REL"
	assert_output "quire-statement: $SHARD: truncated zstd frame"
	run -65 quire-audit -d drop conservation "$REL"
	assert_output "quire-audit: $SHARD: truncated zstd frame"
	# make audit's integrity verdict, from sha256sum -c's report.
	(cd "$REL" && sha256sum -c SHA256SUMS >"$BATS_TEST_TMPDIR/sums" 2>&1) || :
	run -1 quire-audit -c sums integrity "$REL"
	assert_output 'FAIL integrity: 1 file does not match SHA256SUMS: shards/sample-train-00000.jsonl.zst'
}

@test "badinput: corrupt zstd shard: exit 65" {
	release
	echo 'not zstd at all' >"$SHARD"
	run -65 quire-statement -w w01 "$REL"
	assert_output "quire-statement: $SHARD: not a valid zstd shard: Unknown frame descriptor"
	printf '{"id": 1,}\n' | zstd -q >"$SHARD"
	run -65 quire-statement -w w01 "$REL"
	assert_output --partial "quire-statement: $SHARD:1: malformed record"
}

@test "badinput: huge line in a release's SHA256SUMS or inputs.lock: exit 65, unread" {
	release
	head -c 2000000 /dev/zero | tr '\0' x >>"$REL/SHA256SUMS"
	(cd "$REL" && sha256sum -c SHA256SUMS >"$BATS_TEST_TMPDIR/sums" 2>&1) || :
	run -65 quire-audit -c sums integrity "$REL"
	assert_output "quire-audit: $REL/SHA256SUMS:22: line of 2000000 bytes exceeds the limit of 1048576"
	head -c 2000000 /dev/zero | tr '\0' x >>"$REL/inputs.lock"
	run -65 quire-statement -w w01 "$REL"
	assert_output --regexp "^quire-statement: $REL/inputs.lock:[0-9]+: line of 2000000 bytes exceeds the limit of 1048576\$"
}

@test "badinput: malformed tokenizer rank file: exit 78" {
	printf 'nonsense\n' >v.tiktoken
	run -78 quire-tokenize --vocab v.tiktoken --pattern cl100k_base --ids \
	    "$FIX/records.jsonl"
	assert_output 'quire-tokenize: v.tiktoken:1: not a token and a rank'
}

@test "badinput: truncated or corrupt counts file: exit 65" {
	quire-bpe-train -q --pattern cl100k_base --counts-out full.counts \
	    "$FIX/records.jsonl"
	head -c 100 full.counts >c.counts
	run -65 quire-bpe-train --counts-in --size 256 --pattern cl100k_base \
	    --output v.tiktoken c.counts
	assert_output 'quire-bpe-train: c.counts: truncated at byte 16 (of 100)'
	[ ! -e v.tiktoken ]
}

# --- the table itself -------------------------------------------------------

@test "badinput: every row of the README's table has its test here, in order" {
	awk '/^## Bad input/ { f = 1; next } /^## / { f = 0 }
	    f && /^\| / && !/^\| ROW / && !/^\|---/' "$ROOT/README.md" |
	    cut -d'|' -f2 | sed 's/^ //; s/ $//' >rows
	grep '^@test "badinput: ' "$BATS_TEST_FILENAME" |
	    grep -v "README's table" |
	    sed 's/^@test "badinput: //; s/: [^:]*" {$//' >tests
	[ -s rows ]
	diff rows tests
}
