#!/usr/bin/env bats
# quire-dedupe: exact and near duplicates, the no-transitive-chain rule,
# revisions, cross-writer collisions and review.csv, the board's rulings,
# CJK text, short works, determinism under shuffled input, exit statuses,
# statistics, the man page's examples and the sample drop.  The fixtures
# are made by tests/fixtures/dedupe/make-fixtures.

bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
}

# dedupe FILE [OPTION ...]: run quire-dedupe on FILE with its rejects in
# rejects.csv and its review rows in review.csv; print the submission ids
# of the records it keeps, on one line.
dedupe() {
	local in=$1

	shift
	set -o pipefail
	quire-dedupe --rejects rejects.csv --review review.csv "$@" <"$in" |
	    jq -r .source.submission | paste -sd ' '
}

# The reject rows of submission $1.
reject_of() {
	grep "^[^,]*,$1," rejects.csv
}

# A record of writer w1, submission s1, with text $1 (JSON-escaped).
record() {
	printf '{"id":"i1","source":{"submission":"s1"},"writer":"w1","text":"%s"}\n' "$1"
}

# Run a command with standard output on a full disk.
full() {
	"$@" >/dev/full
}

# --- the rules ------------------------------------------------------------

@test "dedupe: drops a later exact copy by the same writer, whatever its case and spacing" {
	run -0 dedupe "$FIX/base.jsonl"
	assert_output "s01 s03 s06 s11 s12 s13"
	run -0 reject_of s02
	assert_output "id-s02,s02,w1,dedupe,dedupe.exact,<stdin>:2: kept id-s01 (s01)"
}

@test "dedupe: drops a later near copy by the same writer, naming the kept one and the similarity" {
	run -0 dedupe "$FIX/base.jsonl"
	run -0 reject_of s04
	assert_output 'id-s04,s04,w1,dedupe,dedupe.near,"<stdin>:4: kept id-s03 (s03), similarity 0.83"'
}

@test "dedupe: -t above a pair's similarity keeps both" {
	# s04 is 0.83 like s03, s07 and s08 (two writers) 0.88 alike.
	run -0 dedupe "$FIX/base.jsonl" -t 0.9
	assert_output "s01 s03 s04 s06 s07 s08 s11 s12 s13"
}

@test "dedupe: never drops a work for one it is not itself similar to (no transitive chains)" {
	# c1~c2 and c2~c3 at about 0.5, c1 and c3 at about 0.2: c2 goes for c1,
	# and c3, unlike c1, stays.
	run -0 dedupe "$FIX/chain.jsonl"
	assert_output "c1 c3"
	run -0 cat rejects.csv
	assert_output 'id-c2,c2,w1,dedupe,dedupe.near,"<stdin>:2: kept id-c1 (c1), similarity 0.48"'
}

@test "dedupe: keeps the last of a chain of revisions" {
	run -0 dedupe "$FIX/revisions.jsonl"
	assert_output "r3 r4 r5 r6 q2 b3"
	run -0 reject_of r1
	assert_output "id-r1,r1,w1,dedupe,dedupe.revision,<stdin>:1: superseded by the latest revision id-r3 (r3)"
	run -0 reject_of r2
	assert_output "id-r2,r2,w1,dedupe,dedupe.revision,<stdin>:2: superseded by the latest revision id-r3 (r3)"
}

@test "dedupe: a revision outranks its original even when dated before it" {
	run -0 dedupe "$FIX/revisions.jsonl"
	run -0 reject_of q1
	assert_output "id-q1,q1,w4,dedupe,dedupe.revision,<stdin>:7: superseded by the latest revision id-q2 (q2)"
}

@test "dedupe: of two revisions of one work, keeps the later submitted" {
	run -0 dedupe "$FIX/revisions.jsonl"
	run -0 reject_of b1
	assert_output "id-b1,b1,w5,dedupe,dedupe.revision,<stdin>:9: superseded by the latest revision id-b3 (b3)"
	run -0 reject_of b2
	assert_output "id-b2,b2,w5,dedupe,dedupe.revision,<stdin>:10: superseded by the latest revision id-b3 (b3)"
}

@test "dedupe: ignores a revision_of naming another writer's work or no record" {
	run -0 dedupe "$FIX/revisions.jsonl" --stats stats.json
	run ! reject_of r4
	run ! reject_of r6
	run -0 jq -c '.figures | [.revision_other_writer, .revision_target_missing]' stats.json
	assert_output "[1,1]"
}

@test "dedupe: holds every work of a cross-writer collision, exact or near" {
	run -0 dedupe "$FIX/cross.jsonl"
	assert_output ""
	run -0 cut -d, -f2,5 rejects.csv
	assert_output - <<-'EOF'
	x1,dedupe.cross_writer
	x2,dedupe.cross_writer
	x3,dedupe.cross_writer
	x4,dedupe.cross_writer
	x5,dedupe.cross_writer
	EOF
	run -0 reject_of x5
	assert_output 'id-x5,x5,w3,dedupe,dedupe.cross_writer,"<stdin>:5: held for review, group 2: near 0.82 with id-x3 (x3) of writer w1"'
}

@test "dedupe: --review lists the held works by group, with ids and similarities only" {
	run -0 dedupe "$FIX/cross.jsonl"
	run -0 cat review.csv
	assert_output - <<-'EOF'
	group,submission_id,id,writer_id,similarity,kind,with_submission_id,with_writer_id
	1,x1,id-x1,w1,1.00,exact,x2,w2
	1,x2,id-x2,w2,1.00,exact,x1,w1
	2,x4,id-x4,w3,0.82,near,x3,w1
	2,x3,id-x3,w1,0.82,near,x4,w3
	2,x5,id-x5,w3,0.82,near,x3,w1
	EOF
}

@test "dedupe: review.csv and rejects hold no text of any work" {
	local w

	run -0 dedupe "$FIX/cross.jsonl"
	for w in $(jq -r .text "$FIX/cross.jsonl" | tr -s ' \n' '\n\n' | sort -u); do
		[ ${#w} -ge 4 ] || continue
		run ! grep -qw -- "$w" review.csv rejects.csv
	done
}

@test "dedupe: --review writes only the header when nothing is held" {
	run -0 dedupe "$FIX/chain.jsonl"
	run -0 cat review.csv
	assert_output "group,submission_id,id,writer_id,similarity,kind,with_submission_id,with_writer_id"
	run -0 find . -name 'review.csv.tmp*'
	assert_output ""
}

# --- rulings ----------------------------------------------------------------

@test "dedupe: applies the rulings dated on or before the cut-off" {
	# x1 excluded; x2 included (its earlier exclude overturned); x3's
	# exclude is dated after the cut-off, so x3 stays held against x4;
	# x4 and x5 included, and x5 still competes with x4, its writer's copy.
	run -0 dedupe "$FIX/cross.jsonl" --rulings "$FIX/rulings.csv" \
	    --cutoff 2026-11-01
	assert_output "x2 x4"
	run -0 cat rejects.csv
	assert_output - <<-EOF
	id-x1,x1,w1,dedupe,dedupe.ruling,<stdin>:1: excluded by the ruling of 2026-10-01 ($FIX/rulings.csv:3)
	id-x3,x3,w1,dedupe,dedupe.cross_writer,"<stdin>:3: held for review, group 1: near 0.82 with id-x4 (x4) of writer w3"
	id-x5,x5,w3,dedupe,dedupe.exact,<stdin>:5: kept id-x4 (x4)
	EOF
	run -0 cat review.csv
	assert_line --index 1 "1,x3,id-x3,w1,0.82,near,x4,w3"
}

@test "dedupe: counts the rulings applied, unmatched and dated after the cut-off" {
	run -0 dedupe "$FIX/cross.jsonl" --rulings "$FIX/rulings.csv" \
	    --cutoff 2026-11-01 --stats stats.json
	run -0 jq -c '.figures | [.ruling, .rulings_include, .rulings_unmatched, .rulings_after_cutoff]' stats.json
	assert_output "[1,3,1,1]"
}

@test "dedupe: a ruling dated after the cut-off does not apply" {
	# At 2026-09-15 only x2's first ruling (exclude, 2026-09-01) applies.
	run -0 dedupe "$FIX/cross.jsonl" --rulings "$FIX/rulings.csv" \
	    --cutoff 2026-09-15
	assert_output "x1"
	run -0 reject_of x2
	assert_output "id-x2,x2,w2,dedupe,dedupe.ruling,<stdin>:2: excluded by the ruling of 2026-09-01 ($FIX/rulings.csv:2)"
}

@test "dedupe: of two rulings on one day, the later line wins" {
	run -0 dedupe "$FIX/cross.jsonl" --rulings "$FIX/rulings-same-day.csv" \
	    --cutoff 2026-11-01
	assert_output "x1"
	run -0 reject_of x2
	assert_output 'id-x2,x2,w2,dedupe,dedupe.cross_writer,"<stdin>:2: held for review, group 2: exact copy with id-x1 (x1) of writer w1"'
}

# name|rulings file|message
BAD_RULINGS=(
	"a ruling other than include or exclude|bad-ruling.csv|bad-ruling.csv:3: ruling must be include or exclude"
	"a date that is not ISO 8601|bad-date.csv|bad-date.csv:3: date is not an ISO 8601 date"
	"an empty submission id|bad-empty.csv|bad-empty.csv:2: empty submission_id"
	"a row with too few fields|bad-fields.csv|bad-fields.csv:2: 3 fields, header has 4"
	"a missing column|bad-column.csv|bad-column.csv:1: missing required column ruling"
	"malformed CSV|bad-csv.csv|bad-csv.csv:2: malformed CSV"
	"no such file|no-such-file.csv|no-such-file.csv: No such file or directory"
)

@test "dedupe: a malformed rulings file is exit 78 naming file and line" {
	local row name file msg

	for row in "${BAD_RULINGS[@]}"; do
		IFS='|' read -r name file msg <<<"$row"
		echo "# $name"
		run -78 --separate-stderr quire-dedupe --rulings "$FIX/$file" \
		    --cutoff 2026-11-01 <"$FIX/cross.jsonl"
		assert_output ""
		[[ $stderr == "quire-dedupe: $FIX/$msg"* ]] ||
		    { echo "stderr: $stderr"; return 1; }
	done
}

@test "dedupe: --rulings without --cutoff is a usage error" {
	run -64 --separate-stderr quire-dedupe --rulings "$FIX/rulings.csv" \
	    <"$FIX/cross.jsonl"
	assert_equal "${stderr_lines[0]}" "quire-dedupe: --rulings needs --cutoff: rulings dated after the cut-off do not apply"
}

# --- words ------------------------------------------------------------------

@test "dedupe: finds near duplicates in Chinese and Japanese" {
	run -0 dedupe "$FIX/cjk.jsonl"
	assert_output "z1 j1"
	run -0 reject_of z2
	assert_output 'id-z2,z2,w1,dedupe,dedupe.near,"<stdin>:2: kept id-z1 (z1), similarity 0.80"'
	run -0 reject_of j2
	assert_output 'id-j2,j2,w2,dedupe,dedupe.near,"<stdin>:4: kept id-j1 (j1), similarity 0.80"'
}

@test "dedupe: its fast path finds the words ICU finds" {
	# p2 is p1 with an emoji after every word, which sends the whole of p2
	# to ICU's word breaker: the two texts have the same words.
	run -0 dedupe "$FIX/paths.jsonl"
	run -0 cat rejects.csv
	assert_output 'id-p2,p2,w1,dedupe,dedupe.near,"<stdin>:2: kept id-p1 (p1), similarity 1.00"'
}

@test "dedupe: only exact-deduplicates works under the word floor" {
	# s11 and s12 are 12 words apart by one: both kept by default.
	run -0 dedupe "$FIX/base.jsonl" --stats stats.json
	assert_output "s01 s03 s06 s11 s12 s13"
	run -0 jq .figures.short_works stats.json
	assert_output 2
	run -0 dedupe "$FIX/base.jsonl" -w 5
	assert_output "s01 s03 s06 s11 s13"
	run -0 reject_of s12
	assert_output --partial ",dedupe.near,"
}

@test "dedupe: folds case and white space runs for exact duplicates" {
	dup() {
		printf '%s\n' \
		    '{"id":"a","source":{"submission":"a"},"writer":"w","submitted":"2026-01-01","text":"The Tide\nturns  at six."}' \
		    '{"id":"b","source":{"submission":"b"},"writer":"w","submitted":"2026-01-02","text":"  THE TIDE turns\u00a0at\tsix. "}' \
		    '{"id":"c","source":{"submission":"c"},"writer":"w","submitted":"2026-01-03","text":"The Tide turns at six!"}' |
		    quire-dedupe --rejects rejects.csv
	}
	run -0 dup
	run -0 cut -d, -f2,5 rejects.csv
	assert_output "b,dedupe.exact"
}

# --- determinism --------------------------------------------------------------

@test "dedupe: makes the same decisions whatever the input order" {
	local f

	cat "$FIX"/{base,chain,revisions,cross,cjk}.jsonl >all.jsonl
	tac all.jsonl >reversed.jsonl
	shuf --random-source=all.jsonl all.jsonl >shuffled.jsonl
	for f in all reversed shuffled; do
		quire-dedupe --rejects "$f.rej" --review "$f.review" <"$f.jsonl" |
		    jq -r .id | sort >"$f.kept"
		cut -d, -f1,5 "$f.rej" | sort >"$f.decisions"
	done
	run -0 diff all.kept reversed.kept
	run -0 diff all.kept shuffled.kept
	run -0 diff all.decisions reversed.decisions
	run -0 diff all.decisions shuffled.decisions
	run -0 diff all.review reversed.review
	run -0 diff all.review shuffled.review
	run -0 wc -l <all.kept
	assert_output 16
}

@test "dedupe: gives the same bytes on a second run" {
	quire-dedupe --rejects r1 --review v1 --stats s1 <"$FIX/base.jsonl" >o1
	quire-dedupe --rejects r2 --review v2 --stats s2 <"$FIX/base.jsonl" >o2
	run -0 cmp o1 o2
	run -0 cmp r1 r2
	run -0 cmp v1 v2
	run -0 cmp s1 s2
}

# --- the stream ---------------------------------------------------------------

@test "dedupe: passes kept records through byte for byte, foreign fields included" {
	local in='{"z":1.50,"id":"a","source":{"submission":"a","x":[1,"\u00e9\/"]},"writer":"w","text":"caf\u00e9 au lait","meta":{"k":null,"n":-0.0e5}}'

	run -0 quire-dedupe <<<"$in"
	assert_output "$in"
}

@test "dedupe: keeps the input order of the records it keeps" {
	run -0 dedupe "$FIX/revisions.jsonl"
	assert_output "r3 r4 r5 r6 q2 b3"
}

@test "dedupe: rejects a record without text, writer or submission as malformed" {
	bad() {
		printf '%s\n' \
		    '{"id":"a","source":{"submission":"a"},"writer":"w"}' \
		    '{"id":"b","source":{"submission":"b"},"writer":"w","text":7}' \
		    '{"id":"c","source":{"submission":"c"},"text":"t"}' \
		    '{"id":"d","source":{"submission":"d"},"writer":["w"],"text":"t"}' \
		    '{"id":"e","writer":"w","text":"t"}' |
		    quire-dedupe --rejects rejects.csv
	}
	run -0 bad
	assert_output ""
	run -0 cat rejects.csv
	assert_output - <<-'EOF'
	a,a,w,dedupe,dedupe.malformed,<stdin>:1: no text
	b,b,w,dedupe,dedupe.malformed,<stdin>:2: text is not a string
	c,c,,dedupe,dedupe.malformed,<stdin>:3: no writer
	d,d,,dedupe,dedupe.malformed,<stdin>:4: writer is not a string
	e,,w,dedupe,dedupe.malformed,<stdin>:5: no source.submission
	EOF
}

@test "dedupe: reads named files in turn, - for standard input, and names them in details" {
	# The second c2 has no kept exact copy (the first went for c1): it
	# goes for c1 too, to which it is near.
	run -0 quire-dedupe --rejects rejects.csv "$FIX/chain.jsonl" - \
	    <"$FIX/chain.jsonl"
	assert_equal "${#lines[@]}" 2
	run -0 cat rejects.csv
	assert_output - <<-EOF
	id-c2,c2,w1,dedupe,dedupe.near,"$FIX/chain.jsonl:2: kept id-c1 (c1), similarity 0.48"
	id-c1,c1,w1,dedupe,dedupe.exact,<stdin>:1: kept id-c1 (c1)
	id-c2,c2,w1,dedupe,dedupe.near,"<stdin>:2: kept id-c1 (c1), similarity 0.48"
	id-c3,c3,w1,dedupe,dedupe.exact,<stdin>:3: kept id-c3 (c3)
	EOF
}

@test "dedupe: an empty stream gives no records and no rejects" {
	run -0 quire-dedupe --rejects rejects.csv --review review.csv </dev/null
	assert_output ""
	run -0 wc -c <rejects.csv
	assert_output 0
	run -0 wc -l <review.csv
	assert_output 1
}

@test "dedupe: leaves no spool behind in -T's directory" {
	mkdir spool
	run -0 dedupe "$FIX/base.jsonl" -T spool
	run -0 ls -A spool
	assert_output ""
}

# --- statistics -----------------------------------------------------------------

@test "dedupe: --stats gives counts, options and the stage's figures" {
	run -0 dedupe "$FIX/base.jsonl" --stats stats.json
	run -0 jq -c '[.stage, .records_in, .records_out, .rejected]' stats.json
	assert_output '["dedupe",13,6,{"dedupe.cross_writer":4,"dedupe.exact":1,"dedupe.near":1,"dedupe.revision":1}]'
	run -0 jq -c '.options | del(.unicode_version)' stats.json
	assert_output '{"threshold":"0.4","shingle":3,"word_floor":50,"bins":128,"bands":42,"rows":3,"cutoff":"","rulings":""}'
	run -0 jq -c '.figures | keys_unsorted' stats.json
	assert_output '["exact","near","revision","cross_writer","ruling","malformed","review_groups","candidate_pairs","verified_pairs","distinct_texts","short_works","words","icu_bytes","revision_target_missing","revision_other_writer","rulings_include","rulings_unmatched","rulings_after_cutoff"]'
	run -0 jq -c '.figures | [.exact, .near, .revision, .cross_writer, .review_groups, .verified_pairs, .distinct_texts]' stats.json
	assert_output "[1,1,1,4,2,3,11]"
}

@test "dedupe: derives bands and rows from the threshold" {
	run -0 dedupe "$FIX/chain.jsonl" -t 0.8 --stats stats.json
	run -0 jq -c '.options | [.threshold, .bands, .rows]' stats.json
	assert_output '["0.8",16,8]'
}

# --- exit statuses ----------------------------------------------------------------

# options|message (usage follows the message of an option getopt or the
# stage refuses; lib's number parser says only what was wrong)
BAD_USAGE=(
	"-Z|quire-dedupe: invalid option -- 'Z'"
	"-t 0|quire-dedupe: -t: threshold must be a number above 0 and at most 1: 0"
	"-t 1.5|quire-dedupe: -t: threshold must be a number above 0 and at most 1: 1.5"
	"-t x|quire-dedupe: -t: threshold must be a number above 0 and at most 1: x"
	"-k 0|quire-dedupe: -k: 0 is out of range 1..16"
	"-k 17|quire-dedupe: -k: 17 is out of range 1..16"
	"-w -1|quire-dedupe: -w: -1 is out of range 0..1000000"
	"--cutoff 2026-13-01|quire-dedupe: --cutoff: not an ISO 8601 date: 2026-13-01"
	"--review|quire-dedupe: option '--review' requires an argument"
)

@test "dedupe: a bad option is exit 64 with one message and usage" {
	local row opts msg

	for row in "${BAD_USAGE[@]}"; do
		IFS='|' read -r opts msg <<<"$row"
		echo "# $opts"
		# shellcheck disable=SC2086 # opts is a list of words
		run -64 --separate-stderr quire-dedupe $opts </dev/null
		assert_output ""
		assert_equal "${stderr_lines[0]}" "$msg"
	done
}

@test "dedupe: a bad option is followed by usage" {
	run -64 --separate-stderr quire-dedupe -t 2 </dev/null
	assert_equal "${stderr_lines[1]}" "usage: quire-dedupe [-hq] [-k shingle] [-T dir] [-t threshold] [-w words]"
}

@test "dedupe: -h prints usage on standard output" {
	run -0 quire-dedupe -h
	assert_line --index 0 --partial "usage: quire-dedupe [-hq] [-k shingle] [-T dir] [-t threshold]"
}

@test "dedupe: --version prints the version" {
	run -0 quire-dedupe --version
	assert_output --regexp '^quire-dedupe [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "dedupe: a malformed record is exit 65 naming the line" {
	run -65 --separate-stderr quire-dedupe <<<$'{"text":"a"}\n{"text":'
	assert_output ""
	assert_equal "$stderr" "quire-dedupe: <stdin>:2: malformed record: unexpected end of line"
}

@test "dedupe: a missing input file is exit 66" {
	run -66 --separate-stderr quire-dedupe no-such.jsonl
	assert_equal "$stderr" "quire-dedupe: no-such.jsonl: No such file or directory"
}

@test "dedupe: --version on a full disk is exit 74" {
	run -74 full quire-dedupe --version
}

@test "dedupe: records on a full disk are exit 74" {
	run -74 --separate-stderr full quire-dedupe --rejects rejects.csv \
	    "$FIX/base.jsonl"
	assert_equal "$stderr" "quire-dedupe: write error: <stdout>: No space left on device"
}

@test "dedupe: a spool directory that cannot be written is exit 74" {
	run -74 --separate-stderr quire-dedupe -T no-such-dir <"$FIX/base.jsonl"
	assert_equal "$stderr" "quire-dedupe: cannot create a spool in no-such-dir: No such file or directory"
}

# --- the man page and the sample drop ---------------------------------------------

@test "dedupe: man page example: the sample drop, with review.csv" {
	ex() {
		set -o pipefail
		cd "$ROOT"
		quire-ingest -q samples/drop 2>/dev/null | quire-normalize -q |
		    quire-dedupe --review "$BATS_TEST_TMPDIR/review.csv" \
		    --rejects "$BATS_TEST_TMPDIR/rejects.csv" \
		    >"$BATS_TEST_TMPDIR/records.jsonl"
	}
	run -0 ex
	run -0 jq -r .source.submission records.jsonl
	assert_output - <<-'EOF'
	s0001
	s0003
	s0004
	s0007
	s0008
	s0009
	s0010
	s0011
	s0014
	s0015
	s0016
	s0017
	s0018
	s0019
	s0020
	s0021
	s0022
	s0023
	s0026
	s0027
	s0028
	EOF
	run -0 cut -d, -f2,3,5 rejects.csv
	assert_output - <<-'EOF'
	s0002,w01,dedupe.exact
	s0005,w01,dedupe.cross_writer
	s0006,w01,dedupe.revision
	s0012,w02,dedupe.near
	s0013,w02,dedupe.cross_writer
	EOF
	run -0 reject_of s0002
	assert_output "94e26504912c06fa,s0002,w01,dedupe,dedupe.exact,<stdin>:2: kept 5be645e5fcbfb912 (s0001)"
	run -0 reject_of s0012
	assert_output --regexp 'kept dcc6ed35e9732565 \(s0011\), similarity 0\.[0-9][0-9]"$'
	run -0 cut -d, -f1,2,4,6,7,8 review.csv
	assert_output - <<-'EOF'
	group,submission_id,writer_id,kind,with_submission_id,with_writer_id
	1,s0005,w01,near,s0013,w02
	1,s0013,w02,near,s0005,w01
	EOF
}

@test "dedupe: man page example: the board's rulings at the release's cut-off" {
	quire-ingest -q "$ROOT/samples/drop" 2>/dev/null | quire-normalize -q \
	    >records.jsonl
	run -0 quire-dedupe --rulings "$ROOT/policies/rulings.csv" \
	    --cutoff 2026-11-01 --review review.csv --rejects rejects.csv \
	    <records.jsonl
	assert_equal "${#lines[@]}" 21
	run -0 wc -l <review.csv
	assert_output 3
}

@test "dedupe: man page example: a stricter threshold, counts only" {
	quire-ingest -q "$ROOT/samples/drop" 2>/dev/null | quire-normalize -q \
	    >records.jsonl
	run -0 quire-dedupe -q -t 0.9 --stats stats.json --rejects /dev/null \
	    <records.jsonl
	run -0 jq -c '.figures | [.exact, .near, .cross_writer]' stats.json
	assert_output "[1,0,0]"
}

@test "dedupe: the policies' rulings.csv is well-formed" {
	run -0 head -n 1 "$ROOT/policies/rulings.csv"
	assert_output "submission_id,ruling,date,note"
}

# --- partitioned runs (-S, -D, -A) ---------------------------------------

@test "dedupe: man page example: the same in two partitions" {
	quire-ingest -q "$ROOT/samples/drop" 2>/dev/null | quire-normalize -q \
	    >records.jsonl
	quire-dedupe --review review1.csv --rejects rejects1.csv \
	    <records.jsonl >kept1.jsonl
	quire-ingest -q -p 0/2 "$ROOT/samples/drop" 2>/dev/null |
	    quire-normalize -q >p0.jsonl
	quire-ingest -q -p 1/2 "$ROOT/samples/drop" 2>/dev/null |
	    quire-normalize -q >p1.jsonl
	run -0 quire-dedupe -S p0.sig p0.jsonl
	run -0 quire-dedupe -S p1.sig p1.jsonl
	run -0 quire-dedupe -D --review review.csv --rejects rejects.csv \
	    p0.sig p1.sig
	quire-dedupe -A p0.sig.keep p0.jsonl >k0.jsonl
	quire-dedupe -A p1.sig.keep p1.jsonl >k1.jsonl
	quire-merge k0.jsonl k1.jsonl >kept.jsonl
	cmp kept1.jsonl kept.jsonl
	cmp rejects1.csv rejects.csv
	cmp review1.csv review.csv
}

@test "dedupe: -A, -D and -S exclude each other; -S and -A take no rejects" {
	run -64 quire-dedupe -S a.sig -D x
	run -64 quire-dedupe -A a.keep -S a.sig
	run -64 quire-dedupe -S a.sig --rejects r.csv
	run -64 quire-dedupe -A a.keep --review r.csv
	run -64 quire-dedupe -S a.sig x y
	run -64 quire-dedupe -D
}

@test "dedupe: -D refuses signatures made with another -k" {
	quire-dedupe -S a.sig -k 4 <"$FIX/base.jsonl"
	run -78 --separate-stderr quire-dedupe -D a.sig
	assert_equal "$stderr" "quire-dedupe: a.sig: made with -k 4 -w 50, not -k 3 -w 50"
}

@test "dedupe: -D refuses a file that is not a signature file, or is cut short" {
	echo hello >bad.sig
	run -65 quire-dedupe -D bad.sig
	quire-dedupe -S a.sig <"$FIX/base.jsonl"
	head -c 100 a.sig >short.sig
	run -65 --separate-stderr quire-dedupe -D short.sig
	assert_equal "$stderr" "quire-dedupe: short.sig: signature file ends inside an entry"
	run -66 quire-dedupe -D no-such.sig
}

@test "dedupe: -A refuses a keep file for another number of records" {
	quire-dedupe -S a.sig <"$FIX/base.jsonl"
	run -0 quire-dedupe -D --rejects /dev/null a.sig
	head -n 1 "$FIX/base.jsonl" >one.jsonl
	run -65 --separate-stderr quire-dedupe -A a.sig.keep one.jsonl
	assert_equal "$stderr" "quire-dedupe: one.jsonl: 1 records, but a.sig.keep marks $(wc -l <"$FIX/base.jsonl")"
	run -65 quire-dedupe -A a.sig one.jsonl
	run -66 quire-dedupe -A no-such.keep one.jsonl
}

@test "dedupe: -A writes nothing on a full disk but exit 74" {
	quire-dedupe -S a.sig <"$FIX/base.jsonl"
	quire-dedupe -D --rejects /dev/null a.sig
	run -74 apply_to_full
}
apply_to_full() { quire-dedupe -A a.sig.keep "$FIX/base.jsonl" >/dev/full; }
