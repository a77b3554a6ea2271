#!/usr/bin/env bats
# quire-license-tag: spellings to SPDX ids, the board's uses, attribution.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	POL="$ROOT/policies"
}

# One record with the given license value (a JSON value, as written).
rec() {
	printf '{"id":"r1","source":{"submission":"s1"},"writer":"w1","credit":"C","title":"T","license":%s,"text":"t"}\n' "$1"
}

# A policies folder in the scratch dir: licenses.csv from the fixture
# named, uses.csv from policies/ unless a second fixture is named.
policies_with() {
	mkdir -p pol
	cp "$FIX/$1" pol/licenses.csv
	if [ -n "${2:-}" ]; then
		cp "$FIX/$2" pol/uses.csv
	else
		cp "$POL/uses.csv" pol/uses.csv
	fi
}

# Run a command with standard output on a full disk (run sees no redirection).
full() {
	"$@" >/dev/full
}

# The SPDX id a spelling resolves to (the kept record's license, or the
# id a denial names), or "unknown" (a table row).
resolve() {
	rec "$(jq -n --arg s "$1" '$s')" |
	    quire-license-tag -p "$POL" -u research --rejects rj.csv >out.jsonl
	if [ -s out.jsonl ]; then
		jq -r .license out.jsonl
	elif [ "$(cut -d, -f5 rj.csv)" = license.denied ]; then
		cut -d, -f6 rj.csv | cut -d' ' -f1
	else
		echo unknown
	fi
	rm -f rj.csv
}

@test "license-tag: resolves the spellings writers type to SPDX ids" {
	while IFS='|' read -r spelling want; do
		echo "row: '$spelling' -> $want"
		got=$(resolve "$spelling")
		assert_equal "$got" "$want"
	done <<-'EOF'
	CC BY 4.0|CC-BY-4.0
	CC-BY-4.0|CC-BY-4.0
	cc by 4.0|CC-BY-4.0
	ccby4.0|CC-BY-4.0
	ccby40|CC-BY-4.0
	CC_BY_4.0|CC-BY-4.0
	  CC BY 4.0  |CC-BY-4.0
	cc-by|CC-BY-4.0
	CC BY|CC-BY-4.0
	Cc By|CC-BY-4.0
	Attribution 4.0|CC-BY-4.0
	Creative Commons Attribution 4.0 International|CC-BY-4.0
	CC BY–4.0|CC-BY-4.0
	CC BY 4.0|CC-BY-4.0
	CC-BY-SA-4.0|CC-BY-SA-4.0
	CC BY-SA 4.0|CC-BY-SA-4.0
	cc-by-sa|CC-BY-SA-4.0
	CC0-1.0|CC0-1.0
	CC0|CC0-1.0
	cc0 1.0|CC0-1.0
	Public domain|CC0-1.0
	PUBLIC DOMAIN|CC0-1.0
	public domain dedication|CC0-1.0
	CC BY-NC 4.0|CC-BY-NC-4.0
	cc-by-nc-sa|CC-BY-NC-SA-4.0
	CC BY-NC-SA 4.0|CC-BY-NC-SA-4.0
	CC BY-ND 4.0|CC-BY-ND-4.0
	cc-by-nc-nd|CC-BY-NC-ND-4.0
	All rights reserved|LicenseRef-All-Rights-Reserved
	ARR|LicenseRef-All-Rights-Reserved
	©|LicenseRef-All-Rights-Reserved
	(c)|LicenseRef-All-Rights-Reserved
	CC BY 3.0|unknown
	CC-BY-4.0+|unknown
	CC BY 4|unknown
	GPL-3.0|unknown
	©2026|unknown
	-|unknown
	|unknown
	EOF
}

@test "license-tag: keeps and edits what is permitted, rejects the rest, with reasons" {
	run -0 --separate-stderr quire-license-tag -p "$POL" -u 'train;evaluate' \
	    --rejects rejects.csv "$FIX/records.jsonl"
	assert_output - <"$FIX/tagged.expected"
	assert_equal "$stderr" ""
	run -0 cat rejects.csv
	assert_output - <"$FIX/rejects.expected"
}

@test "license-tag: an unknown spelling is license.unknown with the spelling as detail" {
	rec '"CC BY, please"' >in.jsonl
	run -0 --separate-stderr quire-license-tag -p "$POL" -u train --rejects rj.csv in.jsonl
	refute_output
	run -0 cat rj.csv
	assert_output 'r1,s1,w1,license-tag,license.unknown,"CC BY, please"'
}

@test "license-tag: a record without a license, or with a non-string one, is license.unknown" {
	printf '%s\n' '{"id":"a","writer":"w1","text":"t"}' \
	    '{"id":"b","license":null}' '{"id":"c","license":["CC0"]}' >in.jsonl
	run -0 quire-license-tag -p "$POL" -u train --rejects rj.csv in.jsonl
	refute_output
	run -0 cat rj.csv
	assert_output - <<-'EOF'
	a,,w1,license-tag,license.unknown,no license field
	b,,,license-tag,license.unknown,license is not a string
	c,,,license-tag,license.unknown,license is not a string
	EOF
}

@test "license-tag: without --rejects, reject rows go to stderr" {
	rec '"WTFPL"' >in.jsonl
	run -0 --separate-stderr quire-license-tag -p "$POL" -u train in.jsonl
	refute_output
	assert_equal "$stderr" "quire-license-tag: reject: r1,s1,w1,license-tag,license.unknown,WTFPL"
}

@test "license-tag: a denial depends on the intended uses" {
	while IFS='|' read -r license uses want; do
		echo "row: $license for $uses -> $want"
		rec "\"$license\"" >in.jsonl
		rm -f rj.csv
		quire-license-tag -p "$POL" -u "$uses" --rejects rj.csv in.jsonl >out.jsonl
		if [ -s out.jsonl ]; then got=kept; else got=$(cut -d, -f5- rj.csv); fi
		assert_equal "$got" "$want"
	done <<-'EOF'
	CC BY-NC 4.0|train|license.denied,CC-BY-NC-4.0 does not permit train
	CC BY-NC 4.0|research|kept
	CC BY-NC 4.0|evaluate;research|kept
	CC BY-NC 4.0|train;evaluate;research|license.denied,CC-BY-NC-4.0 does not permit train
	cc-by-nc-sa|train|license.denied,CC-BY-NC-SA-4.0 does not permit train
	cc-by-nc-sa|research|kept
	CC BY-ND 4.0|train|license.denied,CC-BY-ND-4.0 does not permit train
	CC BY-ND 4.0|evaluate|kept
	All rights reserved|research|license.denied,LicenseRef-All-Rights-Reserved does not permit research
	ARR|train;evaluate;research|license.denied,LicenseRef-All-Rights-Reserved does not permit evaluate;research;train
	CC BY 4.0|train;evaluate;research|kept
	CC-BY-SA-4.0|train|kept
	Public domain|train;evaluate;research|kept
	EOF
}

@test "license-tag: the attribution string, with and without title and credit" {
	while IFS='|' read -r fields want; do
		echo "row: {$fields} -> $want"
		printf '{"id":"a",%s,"text":"t"}\n' "$fields" >in.jsonl
		got=$(quire-license-tag -p "$POL" -u train in.jsonl | jq -r .attribution)
		assert_equal "$got" "$want"
	done <<-'EOF'
	"writer":"w01","credit":"Maren Holt","title":"Harbour at Six","license":"CC BY 4.0"|"Harbour at Six" by Maren Holt, CC-BY-4.0
	"writer":"w01","credit":"Maren Holt","title":null,"license":"CC BY 4.0"|Untitled by Maren Holt, CC-BY-4.0
	"writer":"w01","credit":"Maren Holt","license":"CC BY 4.0"|Untitled by Maren Holt, CC-BY-4.0
	"writer":"w01","credit":"Maren Holt","title":"","license":"CC BY 4.0"|Untitled by Maren Holt, CC-BY-4.0
	"writer":"w06","credit":null,"title":"Orchard","license":"CC BY 4.0"|"Orchard" by writer w06, CC-BY-4.0
	"writer":"w06","credit":"","title":"Orchard","license":"CC BY 4.0"|"Orchard" by writer w06, CC-BY-4.0
	"writer":"w06","credit":null,"title":null,"license":"CC-BY-SA-4.0"|Untitled by writer w06, CC-BY-SA-4.0
	"credit":null,"title":"Orchard","license":"CC BY 4.0"|"Orchard", CC-BY-4.0
	"writer":"w02","credit":"Élise Marchand","title":"Le pont","license":"Public domain"|"Le pont" by Élise Marchand, CC0-1.0
	"writer":"w02","credit":null,"title":"Le pont","license":"CC0"|"Le pont", CC0-1.0
	"writer":"w02","credit":null,"title":null,"license":"CC0"|Untitled, CC0-1.0
	"writer":"w07","credit":"R. Okafor","title":"Small Hours (\"for M.\")","license":"CC BY"|"Small Hours ("for M.")" by R. Okafor, CC-BY-4.0
	"writer":"w03","credit":"Grey Heron","title":"\u8336\u9986","license":"cc-by"|"茶馆" by Grey Heron, CC-BY-4.0
	"writer":"w03","credit":"Grey\/Heron","title":"A\tB","license":"cc-by"|"A	B" by Grey/Heron, CC-BY-4.0
	EOF
}

@test "license-tag: license is replaced in place and attribution follows it, key order kept" {
	rec '"cc-by"' >in.jsonl
	run -0 quire-license-tag -p "$POL" -u train in.jsonl
	run -0 jq -r -c 'keys_unsorted' <<<"$output"
	assert_output '["id","source","writer","credit","title","license","attribution","text"]'
}

@test "license-tag: foreign fields keep their values and places" {
	run -0 quire-license-tag -p "$POL" -u train "$FIX/foreign.jsonl"
	# json-c may re-spell (escapes, spacing, -0 read as the integer 0),
	# never change a value: jq's == compares values.
	run -0 jq -n --slurpfile in "$FIX/foreign.jsonl" --argjson out "$output" \
	    '($in[0] | del(.license)) == ($out | del(.license, .attribution))'
	assert_output true
	run -0 quire-license-tag -p "$POL" -u train "$FIX/foreign.jsonl"
	run -0 jq -c '[keys_unsorted, .license, .attribution]' <<<"$output"
	assert_output '[["id","source","writer","title","credit","license","attribution","z","text"],"CC-BY-4.0","\"Café \"Noir\"\" by A/B, CC-BY-4.0"]'
}

@test "license-tag: a key that appears twice has its last value, in its first place" {
	printf '%s\n' '{"license":"ARR","id":"a","license":"CC0"}' >in.jsonl
	run -0 quire-license-tag -p "$POL" -u train in.jsonl
	assert_output '{"license":"CC0-1.0","attribution":"Untitled, CC0-1.0","id":"a"}'
}

@test "license-tag: an attribution already in the record is replaced, so a second run changes nothing" {
	quire-license-tag -p "$POL" -u train "$FIX/records.jsonl" --rejects /dev/null >once.jsonl
	run -0 quire-license-tag -p "$POL" -u train once.jsonl
	assert_output - <once.jsonl
	printf '%s\n' '{"attribution":"old","id":"a","license":"CC0"}' \
	    '{"id":"b","attribution":"old","license":"CC0","x":1}' \
	    '{"id":"c","license":"CC0","x":1,"attribution":"old"}' >in.jsonl
	run -0 quire-license-tag -p "$POL" -u train in.jsonl
	assert_output - <<-'EOF'
	{"id":"a","license":"CC0-1.0","attribution":"Untitled, CC0-1.0"}
	{"id":"b","license":"CC0-1.0","attribution":"Untitled, CC0-1.0","x":1}
	{"id":"c","license":"CC0-1.0","attribution":"Untitled, CC0-1.0","x":1}
	EOF
}

@test "license-tag: reads named files in turn, - for stdin" {
	rec '"CC0"' >a.jsonl
	rec '"CC BY"' | sed 's/"r1"/"r2"/' >b.jsonl
	run -0 quire-license-tag -p "$POL" -u train a.jsonl - b.jsonl <"$FIX/records.jsonl" \
	    --rejects /dev/null
	assert_equal "$(jq -r .id <<<"$output" | tr '\n' ' ')" "r1 r01 r02 r03 r09 r2 "
}

@test "license-tag: --stats counts kept records per SPDX id and resolved aliases" {
	run -0 quire-license-tag -q -p "$POL" -u 'train;evaluate' -c 2026-11-01 \
	    --rejects /dev/null --stats st.json "$FIX/records.jsonl"
	run -0 jq -c '[.stage, .records_in, .records_out, .rejected, .options]' st.json
	assert_output '["license-tag",9,4,{"license.denied":2,"license.unknown":3},{"policies":"'"$POL"'","uses":"evaluate;train","cutoff":"2026-11-01"}]'
	run -0 jq -c '.figures' st.json
	assert_output '{"aliases_resolved":3,"license.CC0-1.0":1,"license.CC-BY-4.0":2,"license.CC-BY-SA-4.0":1,"license.CC-BY-NC-4.0":0,"license.CC-BY-NC-SA-4.0":0,"license.CC-BY-ND-4.0":0,"license.CC-BY-NC-ND-4.0":0,"license.LicenseRef-All-Rights-Reserved":0}'
	run -0 jq -r '.bytes_in == '"$(wc -c <"$FIX/records.jsonl")" st.json
	assert_output true
}

@test "license-tag: a board's own licenses.csv may reorder columns, add some, permit a retired use" {
	policies_with reordered.csv uses-retired.csv
	rec '"attribution, 4.0"' >in.jsonl
	run -0 quire-license-tag -p pol -u train in.jsonl
	assert_output --partial '"license":"CC-BY-4.0","attribution":"\"T\" by C, CC-BY-4.0"'
}

@test "license-tag: a bad licenses.csv is exit 78 naming file, line and problem" {
	while IFS='|' read -r file want; do
		echo "row: $file"
		policies_with "$file"
		run -78 --separate-stderr quire-license-tag -p pol -u train </dev/null
		refute_output
		assert_equal "$stderr" "quire-license-tag: pol/licenses.csv:$want"
	done <<-'EOF'
	bad-quote.csv|2: malformed CSV: error parsing data while strict checking enabled
	bad-yesno.csv|3: attribution must be yes or no, not "maybe"
	bad-use.csv|2: uses: sell is not in uses.csv
	dup-alias.csv|3: "CC_BY" of CC-BY-SA-4.0 and "cc-by" of CC-BY-4.0 (line 2) are one spelling
	dup-spdx.csv|4: CC-BY-4.0 is listed twice (first at line 2)
	star-mixed.csv|2: uses: "*" must stand alone
	missing-column.csv|1: missing required column share_alike
	short-row.csv|2: 4 fields, header has 5
	bad-spdx.csv|2: spdx "CC BY 4.0" is not an SPDX id (letters, digits, '.', '-', '+')
	empty-alias.csv|2: alias "--" is empty once spaces, hyphens, underscores and dots are dropped
	empty-alias-item.csv|2: aliases: empty item in "cc-by;;CC BY"
	EOF
}

@test "license-tag: a missing licenses.csv is exit 78" {
	mkdir pol
	cp "$POL/uses.csv" pol/
	run -78 --separate-stderr quire-license-tag -p pol -u train </dev/null
	assert_equal "$stderr" "quire-license-tag: pol/licenses.csv: No such file or directory"
}

@test "license-tag: an unknown, retired or not yet approved intended use is exit 78" {
	policies_with reordered.csv uses-retired.csv
	while IFS='|' read -r uses cutoff want; do
		echo "row: $uses $cutoff"
		run -78 --separate-stderr quire-license-tag -p pol -u "$uses" ${cutoff:+-c "$cutoff"} </dev/null
		refute_output
		assert_equal "$stderr" "quire-license-tag: $want"
	done <<-'EOF'
	train;sell||intended use sell is not in pol/uses.csv
	outreach||intended use outreach is retired (pol/uses.csv:5)
	research|2026-02-01|intended use research was approved after the cut-off (pol/uses.csv:4)
	train;;evaluate||intended uses: empty item in "train;;evaluate"
	EOF
}

@test "license-tag: usage errors are exit 64" {
	run -64 --separate-stderr quire-license-tag -u train
	assert_equal "${stderr%%$'\n'*}" "quire-license-tag: --policies DIR is required"
	run -64 --separate-stderr quire-license-tag -p "$POL"
	assert_equal "${stderr%%$'\n'*}" "quire-license-tag: --uses LIST is required"
	run -64 --separate-stderr quire-license-tag -p "$POL" -u train -c 2026-13-01
	assert_equal "$stderr" "quire-license-tag: --cutoff: not an ISO 8601 date: 2026-13-01"
	run -64 --separate-stderr quire-license-tag -Z
	refute_output
	assert_equal "${stderr%%$'\n'*}" "quire-license-tag: invalid option -- 'Z'"
	[[ "$stderr" == *"usage: quire-license-tag [-hq]"* ]]
}

@test "license-tag: -h prints usage on stdout, --version the version" {
	run -0 --separate-stderr quire-license-tag -h
	assert_line --index 0 --partial "usage: quire-license-tag [-hq] --policies DIR --uses LIST"
	assert_equal "$stderr" ""
	run -0 quire-license-tag --version
	assert_output --regexp '^quire-license-tag [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "license-tag: a malformed record is exit 65 naming file and line" {
	while IFS='|' read -r line want; do
		echo "row: $line"
		{ rec '"CC0"'; printf '%s\n' "$line"; } >in.jsonl
		run -65 --separate-stderr quire-license-tag -p "$POL" -u train in.jsonl
		assert_equal "$stderr" "quire-license-tag: in.jsonl:2: malformed record: $want"
	done <<-'EOF'
	{"license":"CC0",}|unexpected character
	{"license":"CC0"|unexpected end of line
	{"license":"CC0"} x|unexpected character
	["license","CC0"]|not a JSON object
	|empty line
	{"license":"CC0","n":01}|number expected
	{"license":"CC0","n":.5}|unexpected character
	{"license":"CC0","n":nul}|null expected
	{"license":"CC0","n":NaN}|a number JSON cannot carry unchanged (NaN, Infinity, 1., or beyond 64 bits)
	{"license":"CC0","t":"\x"}|invalid string sequence
	{"license":"CC0","t":"\u12"}|invalid string sequence
	{"license":"CC0","t":"open}|unexpected end of line
	EOF
}

@test "license-tag: invalid UTF-8 is exit 65" {
	printf '{"license":"CC0","t":"\xff"}\n' >in.jsonl
	run -65 --separate-stderr quire-license-tag -p "$POL" -u train in.jsonl
	assert_equal "$stderr" "quire-license-tag: in.jsonl:1: invalid UTF-8 at byte 23"
}

@test "license-tag: nesting is refused past 32 levels, json-c's limit" {
	deep() { printf '{"license":"CC0","d":'; printf '%*s' "$1" '' | tr ' ' '['; printf '%*s' "$1" '' | tr ' ' ']'; printf '}\n'; }
	deep 31 >ok.jsonl
	run -0 quire-license-tag -p "$POL" -u train ok.jsonl
	deep 32 >deep.jsonl
	run -65 --separate-stderr quire-license-tag -p "$POL" -u train deep.jsonl
	assert_equal "$stderr" "quire-license-tag: deep.jsonl:1: malformed record: nesting too deep"
}

@test "license-tag: a missing input file is exit 66" {
	run -66 --separate-stderr quire-license-tag -p "$POL" -u train no-such.jsonl
	assert_equal "$stderr" "quire-license-tag: no-such.jsonl: No such file or directory"
}

@test "license-tag: a failed write is exit 74" {
	run -74 full quire-license-tag --version
	run -74 --separate-stderr full quire-license-tag -p "$POL" -u train \
	    "$FIX/records.jsonl" --rejects /dev/null
	assert_equal "$stderr" "quire-license-tag: write error: <stdout>: No space left on device"
}

# The sample drop, for the default release's uses (man page example 1).
sample() {
	quire-ingest samples/drop 2>/dev/null |
	    quire-license-tag --policies policies --uses 'train;evaluate' \
	    --rejects "$BATS_TEST_TMPDIR/rejects.csv"
}

@test "license-tag: the sample drop for train;evaluate keeps open licenses, denies NC and all rights reserved" {
	cd "$ROOT"
	run -0 sample
	assert_equal "$(jq -r .source.submission <<<"$output" | tr '\n' ' ')" \
	    "s0001 s0002 s0003 s0004 s0005 s0006 s0007 s0009 s0010 s0011 s0012 s0013 s0014 s0016 s0017 s0019 s0020 s0021 s0022 s0023 s0026 s0029 s0030 s0031 s0032 "
	assert_equal "$(jq -r .license <<<"$output" | sort | uniq -c | awk '{ printf "%s %s, ", $2, $1 }')" \
	    "CC-BY-4.0 15, CC-BY-SA-4.0 4, CC0-1.0 6, "
	assert_equal "$(jq -r 'select(.source.submission == "s0011") | .attribution' <<<"$output")" \
	    '"Le pont" by Élise Marchand, CC0-1.0'
	run -0 cut -d, -f2,5,6 "$BATS_TEST_TMPDIR/rejects.csv"
	assert_output - <<-'EOF'
	s0008,license.denied,LicenseRef-All-Rights-Reserved does not permit evaluate;train
	s0015,license.denied,CC-BY-NC-4.0 does not permit train
	s0018,license.denied,CC-BY-NC-SA-4.0 does not permit train
	s0027,license.denied,LicenseRef-All-Rights-Reserved does not permit evaluate;train
	s0028,license.denied,CC-BY-NC-4.0 does not permit train
	EOF
}

# Man page example 2: a research release keeps the NC works too.
research() {
	quire-ingest samples/drop 2>/dev/null |
	    quire-license-tag -q -p policies -u research -c 2026-11-01 \
	    --rejects /dev/null --stats "$BATS_TEST_TMPDIR/stats.json" >/dev/null
}

@test "license-tag: the sample drop for research keeps the NC works (man page example)" {
	cd "$ROOT"
	run -0 research
	run -0 jq -c '[.records_out, .rejected, .figures["license.CC-BY-NC-4.0"], .figures["license.CC-BY-NC-SA-4.0"]]' "$BATS_TEST_TMPDIR/stats.json"
	assert_output '[28,{"license.denied":2},2,1]'
}
