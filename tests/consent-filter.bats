#!/usr/bin/env bats
# quire-consent-filter: the ledger's semantics, the consent field, privacy of
# the ledger's other columns, exit statuses, and the sample drop.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	POL="$FIX/policies"
}

# The filter with the fixture policies and the default release's options;
# extra arguments come first, so a test may add or repeat any option.
cf() {
	quire-consent-filter "$@" --policies "$POL" --uses 'train;evaluate' \
	    --cutoff 2026-11-01
}

# One record of writer w01, work s1, on standard output.
record() {
	printf '%s\n' '{"id":"r1","source":{"submission":"s1"},"writer":"w01","text":"t"}'
}

# Run a command with standard output on a full disk (run sees no redirection).
full() {
	"$@" >/dev/full
}

# The rows of the semantics table: case|ledger rows|uses|cut-off|expected.
# Ledger rows are writer,event,date,uses,works separated by " / "; row N
# gets form_version vN, so "KEEP vN" names the grant that decided.  The
# record is always writer w01, work s1.
SEMANTICS=(
	"one grant of every use for every work|w01,grant,2026-01-10,*,*|train;evaluate|2026-11-01|KEEP v1"
	"grant, then withdraw on a later date|w01,grant,2026-01-10,*,* / w01,withdraw,2026-03-01,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"re-grant after a withdraw|w01,grant,2026-01-10,*,* / w01,withdraw,2026-03-01,*,* / w01,grant,2026-05-01,train;evaluate,*|train;evaluate|2026-11-01|KEEP v3"
	"date order, not file order: a later grant on an earlier line|w01,grant,2026-05-01,*,* / w01,withdraw,2026-03-01,*,*|train;evaluate|2026-11-01|KEEP v1"
	"date order, not file order: a later withdraw on an earlier line|w01,withdraw,2026-05-01,*,* / w01,grant,2026-03-01,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"same day: grant then withdraw|w01,grant,2026-04-02,*,* / w01,withdraw,2026-04-02,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"same day: withdraw then grant|w01,withdraw,2026-04-02,*,* / w01,grant,2026-04-02,*,*|train;evaluate|2026-11-01|KEEP v2"
	"same day: grant then a narrower grant|w01,grant,2026-04-02,*,* / w01,grant,2026-04-02,train,*|train;evaluate|2026-11-01|consent.scope"
	"same day: narrow grant then a wider grant|w01,grant,2026-04-02,train,* / w01,grant,2026-04-02,*,*|train;evaluate|2026-11-01|KEEP v2"
	"same day: file order wins over a time of day|w01,grant,2026-04-02T18:00:00Z,*,* / w01,withdraw,2026-04-02T09:00:00Z,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"same day, earlier date on a later line still comes first|w01,withdraw,2026-04-02,*,* / w01,grant,2026-04-02,*,* / w01,withdraw,2026-04-01,*,*|train;evaluate|2026-11-01|KEEP v2"
	"works * covers the work|w01,grant,2026-01-10,*,*|train;evaluate|2026-11-01|KEEP v1"
	"works listed, holding the work|w01,grant,2026-01-10,*,s0;s1;s2|train;evaluate|2026-11-01|KEEP v1"
	"works listed with spaces around items|w01,grant,2026-01-10,*, s2 ; s1 |train;evaluate|2026-11-01|KEEP v1"
	"works listed, other works only|w01,grant,2026-01-10,*,s2;s3|train;evaluate|2026-11-01|consent.missing"
	"a work id that only starts like the work|w01,grant,2026-01-10,*,s10;s1x|train;evaluate|2026-11-01|consent.missing"
	"withdraw of other works only|w01,grant,2026-01-10,*,* / w01,withdraw,2026-03-01,*,s2|train;evaluate|2026-11-01|KEEP v1"
	"withdraw listing the work|w01,grant,2026-01-10,*,* / w01,withdraw,2026-03-01,*,s0;s1|train;evaluate|2026-11-01|consent.withdrawn"
	"withdraw of every work after a grant of listed works|w01,grant,2026-01-10,*,s1 / w01,withdraw,2026-03-01,,*|train;evaluate|2026-11-01|consent.withdrawn"
	"withdraw naming one use still allows none|w01,grant,2026-01-10,*,* / w01,withdraw,2026-03-01,research,*|train;evaluate|2026-11-01|consent.withdrawn"
	"uses * allows every use|w01,grant,2026-01-10,*,*|train;evaluate;research|2026-11-01|KEEP v1"
	"uses listed exactly|w01,grant,2026-01-10,evaluate;train,*|train;evaluate|2026-11-01|KEEP v1"
	"uses listed, a superset|w01,grant,2026-01-10,train;evaluate;research,*|train;evaluate|2026-11-01|KEEP v1"
	"uses listed, lacking one intended use|w01,grant,2026-01-10,train,*|train;evaluate|2026-11-01|consent.scope"
	"uses listed, lacking every intended use|w01,grant,2026-01-10,research,*|train;evaluate|2026-11-01|consent.scope"
	"a train-only grant is enough for a train-only release|w01,grant,2026-01-10,train,*|train|2026-11-01|KEEP v1"
	"a later, narrower grant narrows|w01,grant,2026-01-10,*,* / w01,grant,2026-06-01,train,*|train;evaluate|2026-11-01|consent.scope"
	"a later, wider grant widens|w01,grant,2026-01-10,train,* / w01,grant,2026-06-01,*,*|train;evaluate|2026-11-01|KEEP v2"
	"a narrower grant for other works leaves this one|w01,grant,2026-01-10,*,* / w01,grant,2026-06-01,train,s2|train;evaluate|2026-11-01|KEEP v1"
	"a narrower grant for this work only|w01,grant,2026-01-10,*,* / w01,grant,2026-06-01,train,s1|train;evaluate|2026-11-01|consent.scope"
	"a grant of an unknown use (a typo) lacks the real one|w01,grant,2026-01-10,train;evalute,*|train;evaluate|2026-11-01|consent.scope"
	"withdraw before the cut-off|w01,grant,2026-01-10,*,* / w01,withdraw,2026-10-31,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"withdraw on the cut-off date|w01,grant,2026-01-10,*,* / w01,withdraw,2026-11-01,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"withdraw after the cut-off|w01,grant,2026-01-10,*,* / w01,withdraw,2026-11-02,*,*|train;evaluate|2026-11-01|KEEP v1"
	"grant exactly on the cut-off date|w01,grant,2026-11-01,*,*|train;evaluate|2026-11-01|KEEP v1"
	"grant on the cut-off date with a time of day|w01,grant,2026-11-01T23:59:59+01:00,*,*|train;evaluate|2026-11-01|KEEP v1"
	"grant the day after the cut-off|w01,grant,2026-11-02,*,*|train;evaluate|2026-11-01|consent.future"
	"a later cut-off sees that grant|w01,grant,2026-11-02,*,*|train;evaluate|2026-12-31|KEEP v1"
	"an earlier cut-off sees nothing yet|w01,grant,2026-01-10,*,*|train;evaluate|2026-01-09|consent.future"
	"grant after the cut-off for this work, before it for others|w01,grant,2026-01-10,*,s2 / w01,grant,2026-12-01,*,s1|train;evaluate|2026-11-01|consent.future"
	"a narrower grant after the cut-off changes nothing|w01,grant,2026-01-10,*,* / w01,grant,2026-12-01,train,*|train;evaluate|2026-11-01|KEEP v1"
	"a re-grant after the cut-off does not undo a withdraw|w01,grant,2026-01-10,*,* / w01,withdraw,2026-06-01,*,* / w01,grant,2026-12-01,*,*|train;evaluate|2026-11-01|consent.withdrawn"
	"a withdraw after the cut-off only|w01,withdraw,2026-12-01,*,*|train;evaluate|2026-11-01|consent.missing"
	"unknown writer|w02,grant,2026-01-10,*,*|train;evaluate|2026-11-01|consent.missing"
	"another writer's grant naming this work|w02,grant,2026-01-10,*,s1|train;evaluate|2026-11-01|consent.missing"
	"a ledger with no events||train;evaluate|2026-11-01|consent.missing"
	"writers interleaved in the file|w02,withdraw,2026-01-10,*,* / w01,grant,2026-01-10,*,* / w03,withdraw,2026-01-10,*,* / w00,withdraw,2026-01-11,*,*|train;evaluate|2026-11-01|KEEP v2"
)

# Write the ledger of a table row to ledger.csv.
table_ledger() {
	local rows=$1 row n=0

	echo writer_id,event,date,uses,works,form_version,name >ledger.csv
	while [ -n "$rows" ]; do
		row=${rows%% / *}
		[ "$row" = "$rows" ] && rows= || rows=${rows#* / }
		n=$((n + 1))
		printf '%s,v%d,CANARY-PRIVATE-7f3a\n' "$row" "$n" >>ledger.csv
	done
}

# Run one table row; print the outcome as KEEP vN or the reject reason.
table_outcome() {
	: >rej.csv
	record | quire-consent-filter --ledger ledger.csv --policies "$POL" \
	    --uses "$1" --cutoff "$2" --rejects rej.csv >out.jsonl 2>err || {
		echo "exit $?: $(cat err)"
		return
	}
	if [ -s out.jsonl ]; then
		echo "KEEP $(jq -r .consent.form_version out.jsonl)"
	else
		cut -d, -f5 rej.csv
	fi
}

@test "consent-filter: the ledger semantics table" {
	local row name rows uses cutoff want got failed=0

	for row in "${SEMANTICS[@]}"; do
		IFS='|' read -r name rows uses cutoff want <<<"$row"
		echo "case: $name; expect $want"
		table_ledger "$rows"
		got=$(table_outcome "$uses" "$cutoff")
		if [ "$got" != "$want" ]; then
			echo "  FAILED: got $got"
			failed=$((failed + 1))
		fi
		if grep -q CANARY-PRIVATE out.jsonl rej.csv err; then
			echo "  FAILED: a private value leaked"
			failed=$((failed + 1))
		fi
	done
	echo "${#SEMANTICS[@]} cases, $failed failed"
	[ "$failed" = 0 ]
}

@test "consent-filter: the man page's worked example, consent field included" {
	run -0 --separate-stderr cf --ledger "$FIX/worked-example.csv" \
	    --rejects rej.csv "$FIX/records.jsonl"
	assert_output - <"$FIX/records.expected"
	assert_equal "$stderr" ""
	diff -u "$FIX/rejects.expected" rej.csv
}

@test "consent-filter: the consent field holds the deciding grant exactly" {
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    "$FIX/records.jsonl"
	assert_line --index 0 --partial ',"consent":{"form_version":"2026-01","granted":"2026-01-10","uses":["*"]}}'
	assert_line --index 1 --partial '"consent":{"form_version":"2026-06","granted":"2026-05-01","uses":["evaluate","train"]}'
}

@test "consent-filter: granted is the ledger's date as written" {
	printf '%s\n' writer_id,event,date,uses,works,form_version \
	    'w01,grant,2026-03-04T10:30:00Z,research ; train;evaluate,*,F-7' \
	    >ledger.csv
	run -0 cf --ledger ledger.csv < <(record)
	assert_output '{"id":"r1","source":{"submission":"s1"},"writer":"w01","text":"t","consent":{"form_version":"F-7","granted":"2026-03-04T10:30:00Z","uses":["evaluate","research","train"]}}'
}

@test "consent-filter: a consent field already there is replaced in its place" {
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    "$FIX/records.jsonl"
	run -0 jq -c 'keys_unsorted' <<<"${lines[1]}"
	assert_output '["id","source","writer","consent","title","text"]'
}

@test "consent-filter: foreign fields pass through unchanged, in order" {
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    "$FIX/records.jsonl"
	first=${lines[0]}
	# Same values, whatever json-c re-spells.
	diff <(head -n 1 "$FIX/records.jsonl" | jq -c .) \
	    <(echo "$first" | jq -c 'del(.consent)')
	run -0 jq -c 'keys_unsorted' <<<"$first"
	assert_output '["id","source","writer","title","zz_foreign","text","consent"]'
	run -0 jq -c '.zz_foreign' <<<"$first"
	assert_output '{"n":1500,"big":12345678901234,"list":[1,true,null,"x/y"]}'
}

@test "consent-filter: private ledger columns reach no output, reject, stats or message" {
	run -0 --separate-stderr cf --ledger "$FIX/private.csv" \
	    --rejects rej.csv --stats stats.json "$FIX/records.jsonl"
	# The private columns change nothing: same output as without them.
	assert_output - <"$FIX/records.expected"
	diff -u "$FIX/rejects.expected" rej.csv
	refute_output --partial CANARY
	err=$stderr
	run ! grep -qi canary rej.csv stats.json
	run ! grep -qi canary - <<<"$err"
}

@test "consent-filter: a bad ledger row's message names the line, not a private value" {
	{
		echo writer_id,event,date,uses,works,form_version,email
		echo w01,grant,2026-01-10,*,*,F,CANARY-PRIVATE-7f3a@example.org
		echo w01,grant,CANARY-PRIVATE-7f3a,*,*,F,CANARY-PRIVATE-7f3a@example.org
	} >ledger.csv
	run -78 --separate-stderr cf --ledger ledger.csv </dev/null
	assert_equal "$stderr" "quire-consent-filter: ledger.csv:3: date is not an ISO 8601 date"
}

@test "consent-filter: a grant of a use not in uses.csv warns and counts" {
	printf '%s\n' writer_id,event,date,uses,works,form_version \
	    'w01,grant,2026-01-10,train;evalute,*,F' \
	    'w01,grant,2026-01-11,train;CANARY PRIVATE,*,F' \
	    'w01,grant,2026-01-12,legacy;train,*,F' >ledger.csv
	run -0 --separate-stderr cf --ledger ledger.csv --stats stats.json \
	    --rejects rej.csv < <(record)
	refute_output
	assert_equal "$stderr" "quire-consent-filter: ledger.csv:2: use evalute is not in $POL/uses.csv: this grant cannot allow it
quire-consent-filter: ledger.csv:3: a use that is not a use id is not in $POL/uses.csv: this grant cannot allow it"
	run -0 jq -r '.figures.ledger_unknown_uses' stats.json
	assert_output 2
	run -0 cut -d, -f5- rej.csv
	assert_output 'consent.scope,the grant of 2026-01-12 (ledger line 4) lacks evaluate'
}

@test "consent-filter: records without writer or source.submission are consent.missing" {
	printf '%s\n' '{"id":"a","source":{"submission":"s1"},"text":"t"}' \
	    '{"id":"b","writer":"w01","text":"t"}' \
	    '{"id":"c","source":{"submission":7},"writer":"w01","text":"t"}' \
	    >in.jsonl
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv in.jsonl
	refute_output
	run -0 cat rej.csv
	assert_output "a,s1,,consent-filter,consent.missing,record has no writer
b,,w01,consent-filter,consent.missing,record has no source.submission
c,,w01,consent-filter,consent.missing,record has no source.submission"
}

@test "consent-filter: --stats counts records, reasons, options and ledger figures" {
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    --stats stats.json "$FIX/records.jsonl"
	run -0 jq -c '[.stage, .records_in, .records_out, .rejected, .options,
	    .figures]' stats.json
	assert_output "[\"consent-filter\",7,2,{\"consent.future\":1,\"consent.missing\":1,\"consent.scope\":1,\"consent.withdrawn\":2},{\"ledger\":\"$FIX/worked-example.csv\",\"policies\":\"$POL\",\"uses\":\"evaluate;train\",\"cutoff\":\"2026-11-01\"},{\"ledger_events\":7,\"ledger_writers\":3,\"events_after_cutoff\":1,\"ledger_unknown_uses\":0}]"
	run -0 jq -r '.bytes_in' stats.json
	assert_output "$(wc -c <"$FIX/records.jsonl")"
}

@test "consent-filter: warns when withdraws are dated after the cut-off" {
	printf '%s\n' writer_id,event,date,uses,works,form_version \
	    'w01,grant,2026-01-10,*,*,F' 'w01,withdraw,2026-12-01,*,*,F' \
	    >ledger.csv
	run -0 --separate-stderr cf --ledger ledger.csv < <(record)
	assert_line --partial '"consent":{"form_version":"F"'
	assert_equal "$stderr" "quire-consent-filter: ledger.csv: 1 withdraw event is dated after the cut-off 2026-11-01: not applied to this release"
}

@test "consent-filter: reads named files in turn, - for standard input" {
	record >a.jsonl
	sed s/r1/r2/ a.jsonl >b.jsonl
	run -0 cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    a.jsonl - a.jsonl <b.jsonl
	refute_output
	run -0 cut -d, -f1 rej.csv
	assert_output $'r1\nr2\nr1'
}

# Ledger problems: case|ledger (\n-separated rows)|expected message.
BAD_LEDGERS=(
	"missing column|writer_id,event,date,uses,works\nw01,grant,2026-01-10,*,*|ledger.csv:1: missing required column form_version"
	"column named twice|writer_id,event,date,uses,works,form_version,date\nw01,grant,2026-01-10,*,*,F,2026-01-10|ledger.csv:1: column date appears twice"
	"bad event|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,*,*,F\nw01,revoke,2026-01-10,*,*,F|ledger.csv:3: event is neither grant nor withdraw"
	"bad date|writer_id,event,date,uses,works,form_version\nw01,grant,2026-02-30,*,*,F|ledger.csv:2: date is not an ISO 8601 date"
	"date in another format|writer_id,event,date,uses,works,form_version\nw01,grant,10/01/2026,*,*,F|ledger.csv:2: date is not an ISO 8601 date"
	"too few fields|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,*,*|ledger.csv:2: 5 fields, header has 6"
	"empty writer|writer_id,event,date,uses,works,form_version\n,grant,2026-01-10,*,*,F|ledger.csv:2: empty writer_id"
	"empty uses on a grant|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10, ,*,F|ledger.csv:2: empty uses"
	"empty works on a grant|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,*,,F|ledger.csv:2: empty works"
	"empty works on a withdraw|writer_id,event,date,uses,works,form_version\nw01,withdraw,2026-01-10,*,,F|ledger.csv:2: empty works"
	"empty list item|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,train;;evaluate,*,F|ledger.csv:2: uses has an empty item"
	"* among other items|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,*,s1;*,F|ledger.csv:2: works: * must stand alone"
	"empty form_version on a grant|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,*,*,|ledger.csv:2: empty form_version on a grant"
	"malformed CSV|writer_id,event,date,uses,works,form_version\nw01,grant,2026-01-10,\"*,*,F|ledger.csv:2: malformed CSV: error parsing data while strict checking enabled"
	"no header||ledger.csv: no header row"
)

@test "consent-filter: a malformed ledger is exit 78 naming file and line" {
	local row name ledger want failed=0

	for row in "${BAD_LEDGERS[@]}"; do
		IFS='|' read -r name ledger want <<<"$row"
		echo "case: $name; expect $want"
		printf "${ledger:+$ledger\\n}" >ledger.csv
		run -78 --separate-stderr cf --ledger ledger.csv < <(record)
		if [ "$stderr" != "quire-consent-filter: $want" ] ||
		    [ -n "$output" ]; then
			echo "  FAILED: got $stderr"
			failed=$((failed + 1))
		fi
	done
	[ "$failed" = 0 ]
}

@test "consent-filter: a retired intended use is exit 78" {
	run -78 quire-consent-filter -l "$FIX/worked-example.csv" -p "$POL" \
	    -u 'train;legacy' -c 2026-11-01 </dev/null
	assert_output "quire-consent-filter: intended use legacy is retired ($POL/uses.csv:5)"
}

@test "consent-filter: an intended use not in uses.csv is exit 78" {
	run -78 quire-consent-filter -l "$FIX/worked-example.csv" -p "$POL" \
	    -u 'train;publish' -c 2026-11-01 </dev/null
	assert_output "quire-consent-filter: intended use publish is not in $POL/uses.csv"
}

@test "consent-filter: an intended use approved after the cut-off is exit 78" {
	run -78 quire-consent-filter -l "$FIX/worked-example.csv" -p "$POL" \
	    -u summarize -c 2026-11-01 </dev/null
	assert_output "quire-consent-filter: intended use summarize was approved after the cut-off ($POL/uses.csv:6)"
	# research was approved 2026-03-10: not yet at the start of March.
	run -78 quire-consent-filter -l "$FIX/worked-example.csv" -p "$POL" \
	    -u research -c 2026-03-09 </dev/null
}

@test "consent-filter: a policies folder without uses.csv is exit 78" {
	mkdir empty
	run -78 quire-consent-filter -l "$FIX/worked-example.csv" -p empty \
	    -u train -c 2026-11-01 </dev/null
	assert_output --partial "empty/uses.csv"
}

# Usage errors: case|arguments (one a line)|message.
BAD_USAGE=(
	"no options||missing required option: --ledger --policies --uses --cutoff"
	"no --ledger|-p\nP\n-u\ntrain\n-c\n2026-11-01|missing required option: --ledger"
	"no --policies|-l\nL\n-u\ntrain\n-c\n2026-11-01|missing required option: --policies"
	"no --uses|-l\nL\n-p\nP\n-c\n2026-11-01|missing required option: --uses"
	"no --cutoff|-l\nL\n-p\nP\n-u\ntrain|missing required option: --cutoff"
	"a cut-off that is no date|-l\nL\n-p\nP\n-u\ntrain\n-c\n2026-13-01|--cutoff: not an ISO 8601 date: 2026-13-01"
	"an unknown option|-x|invalid option -- 'x'"
	"an option without its argument|--ledger|option '--ledger' requires an argument"
)

@test "consent-filter: usage errors are exit 64 with a message and usage" {
	local row name args want failed=0
	local -a argv

	for row in "${BAD_USAGE[@]}"; do
		IFS='|' read -r name args want <<<"$row"
		echo "case: $name; expect $want"
		mapfile -t argv < <(printf -- "${args:+$args\\n}")
		run -64 --separate-stderr quire-consent-filter "${argv[@]}" \
		    </dev/null
		if [ "${stderr%%$'\n'*}" != "quire-consent-filter: $want" ] ||
		    [[ "$stderr" != *$'\nusage: quire-consent-filter [-hq] --ledger FILE'* ]] ||
		    [ -n "$output" ]; then
			echo "  FAILED: got $stderr"
			failed=$((failed + 1))
		fi
	done
	[ "$failed" = 0 ]
}

@test "consent-filter: -h prints usage on standard output" {
	run -0 --separate-stderr quire-consent-filter -h
	assert_line --index 0 "usage: quire-consent-filter [-hq] --ledger FILE --policies DIR --uses LIST --cutoff DATE"
	assert_equal "$stderr" ""
}

@test "consent-filter: --version prints the name and version" {
	run -0 quire-consent-filter --version
	assert_output --regexp '^quire-consent-filter [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "consent-filter: a missing ledger is exit 66" {
	run -66 cf --ledger no-such.csv </dev/null
	assert_output "quire-consent-filter: no-such.csv: No such file or directory"
}

@test "consent-filter: a missing input file is exit 66" {
	run -66 cf --ledger "$FIX/worked-example.csv" no-such.jsonl
	assert_output "quire-consent-filter: no-such.jsonl: No such file or directory"
}

@test "consent-filter: a malformed record is exit 65" {
	{ record; echo '{"id":}'; record; } >in.jsonl
	run -65 --separate-stderr cf --ledger "$FIX/worked-example.csv" \
	    --rejects rej.csv in.jsonl
	assert_equal "$stderr" "quire-consent-filter: in.jsonl:2: malformed record: unexpected character"
}

@test "consent-filter: --version on a full disk is exit 74" {
	run -74 full quire-consent-filter --version
	assert_output --partial "write error: <stdout>"
}

@test "consent-filter: records on a full disk are exit 74" {
	run -74 full cf --ledger "$FIX/worked-example.csv" --rejects rej.csv \
	    "$FIX/records.jsonl"
	assert_output --partial "write error: <stdout>"
}

@test "consent-filter: an unwritable --stats file is exit 74" {
	run -74 --separate-stderr cf --ledger "$FIX/worked-example.csv" \
	    --rejects rej.csv --stats no-dir/stats.json "$FIX/records.jsonl"
	assert_equal "${stderr%%.tmp.*}" "quire-consent-filter: cannot create no-dir/stats.json"
}

@test "consent-filter: an unwritable --rejects file is exit 74 before any record" {
	run -74 cf --ledger "$FIX/worked-example.csv" \
	    --rejects no-dir/rej.csv "$FIX/records.jsonl"
	assert_output "quire-consent-filter: no-dir/rej.csv: No such file or directory"
}

# The sample drop's pipeline, as the default release runs it.
sample() {
	quire-ingest -q --rejects ingest.csv "$ROOT/samples/drop" |
	    quire-consent-filter --ledger "$ROOT/samples/drop/consent.csv" \
	    --policies "$ROOT/policies" --uses 'train;evaluate' \
	    --cutoff 2026-11-01 --rejects rej.csv
}

@test "consent-filter: the sample drop keeps what its README expects" {
	run -0 --separate-stderr sample
	assert_equal "$stderr" ""
	# w01 all, w02 all, w05 its four listed works, w08 all (ingest dropped
	# s0024, s0025).
	run -0 jq -r '.source.submission' <<<"$output"
	assert_output "$(printf 's%04d\n' {1..13} {19..22} {29..32})"
	run -0 cut -d, -f2,3,5 rej.csv
	assert_output "s0014,w03,consent.scope
s0015,w03,consent.scope
s0016,w03,consent.scope
s0017,w04,consent.withdrawn
s0018,w04,consent.withdrawn
s0023,w05,consent.missing
s0026,w06,consent.future
s0027,w07,consent.missing
s0028,w07,consent.missing"
	# w02's later same-day grant wins: train;evaluate, not *.
	sample 2>/dev/null >out.jsonl
	run -0 jq -c 'select(.writer == "w02") | .consent' out.jsonl
	assert_equal "$(sort -u <<<"$output")" \
	    '{"form_version":"2026-01","granted":"2026-02-03","uses":["evaluate","train"]}'
}

@test "consent-filter: no private value of the sample ledger leaves the filter" {
	run -0 sample
	for v in 'Maren Louisa Holt' 'Marchand-Roux' 'Lin Qiuyue' \
	    'Vera Igorevna' 'Ibarra Goñi' '@example'; do
		refute_output --partial "$v"
		run ! grep -qF "$v" rej.csv
	done
}

# The man page's examples, run as written from a folder that has the
# repository's samples and policies.
examples_setup() {
	ln -s "$ROOT/samples" samples
	ln -s "$ROOT/policies" policies
}

@test "consent-filter: man page example: the default release's consent" {
	examples_setup
	run -0 bash -c "quire-ingest -q --rejects rejects.csv samples/drop |
	    quire-consent-filter --ledger samples/drop/consent.csv \
	    --policies policies --uses 'train;evaluate' \
	    --cutoff 2026-11-01 --rejects rejects.csv > records.jsonl"
	refute_output
	[ "$(wc -l <records.jsonl)" = 21 ]
	# Both stages append to one rejects file: 2 from ingest, 9 from us.
	[ "$(wc -l <rejects.csv)" = 11 ]
}

@test "consent-filter: man page example: a research release, short options" {
	examples_setup
	run -0 bash -c "quire-ingest -q --rejects /dev/null samples/drop |
	    quire-consent-filter -q -l samples/drop/consent.csv -p policies \
	    -u research -c 2026-11-01 --rejects /dev/null \
	    --stats stats.json > /dev/null"
	refute_output
	# w01 (*), w03, w05's four and w08 (*); w02's * was narrowed the same
	# day.
	run -0 jq -c '[.records_out, .rejected]' stats.json
	assert_output '[19,{"consent.future":1,"consent.missing":3,"consent.scope":5,"consent.withdrawn":2}]'
}

@test "consent-filter: man page example: why a writer's works are out" {
	examples_setup
	quire-ingest -q --rejects rejects.csv samples/drop |
	    quire-consent-filter --ledger samples/drop/consent.csv \
	    --policies policies --uses 'train;evaluate' \
	    --cutoff 2026-11-01 --rejects rejects.csv >records.jsonl
	run -0 grep ',w04,consent-filter,' rejects.csv
	assert_output "5cb14b7591fc6baf,s0017,w04,consent-filter,consent.withdrawn,withdrawn on 2026-08-10 (ledger line 8)
fd5c5a5908cfdefa,s0018,w04,consent-filter,consent.withdrawn,withdrawn on 2026-08-10 (ledger line 8)"
}
