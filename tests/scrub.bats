#!/usr/bin/env bats
# quire-scrub: personal data in text, title and credit becomes placeholders.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	POL="$ROOT/policies"
}

# One record per line of stdin, the line as its text.
records() {
	jq -Rc '{id: "t", text: .}'
}

# Run a command with standard output on a full disk (run sees no redirection).
full() {
	"$@" >/dev/full
}

# The sample drop through ingest and scrub, as a pipeline.
drop_scrubbed() {
	quire-ingest "$ROOT/samples/drop" 2>/dev/null | quire-scrub -q --policies "$POL" "$@"
}

# Compare texts (one a line) with the table rows (input TAB expected, "="
# for unchanged), printing each row before checking it.
check_table() {
	local rows=$1 got=$2 n=0 bad=0 text want out
	while IFS=$'\t' read -r text want && IFS= read -r out <&3; do
		n=$((n + 1))
		[ "$want" = "=" ] && want=$text
		echo "row $n: $text"
		if [ "$out" != "$want" ]; then
			echo "  got:  $out"
			echo "  want: $want"
			bad=$((bad + 1))
		fi
	done <"$rows" 3<"$got"
	echo "$n rows, $bad wrong"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}

@test "scrub: every e-mail, phone, IBAN and card of the table becomes its placeholder" {
	grep -v '^#' "$FIX/texts.tsv" | awk -F'\t' '$2 != "="' >rows
	cut -f1 rows | records >in.jsonl
	run -0 quire-scrub --policies "$POL" in.jsonl
	printf '%s\n' "$output" | jq -r .text >got
	check_table rows got
}

@test "scrub: verse and prose full of numbers, dates and @ are left alone" {
	grep -v '^#' "$FIX/texts.tsv" | awk -F'\t' '$2 == "="' >rows
	cut -f1 rows | records >in.jsonl
	run -0 quire-scrub --policies "$POL" in.jsonl
	printf '%s\n' "$output" | jq -r .text >got
	check_table rows got
}

@test "scrub: whole poems with numbers and @ come out byte for byte" {
	for poem in "$FIX"/poem-*.txt; do
		echo "poem: ${poem##*/}"
		jq -Rsc '{id: "p", text: .}' "$poem" >in.jsonl
		quire-scrub -p "$POL" in.jsonl | jq -j .text >out.txt
		cmp "$poem" out.txt
	done
}

@test "scrub: the sample drop changes only the two works with personal data" {
	quire-ingest "$ROOT/samples/drop" 2>/dev/null >in.jsonl
	run -0 quire-scrub --policies "$POL" in.jsonl
	printf '%s\n' "$output" >out.jsonl
	# Same records in the same order; only s0004 and s0022 differ.
	assert_equal "$(jq -r .id out.jsonl)" "$(jq -r .id in.jsonl)"
	changed=$(paste -d '\n' in.jsonl out.jsonl | jq -sr \
	    '_nwise(2) | select(.[0] != .[1]) | .[0].source.submission')
	assert_equal "$changed" $'s0004\ns0022'
	# Unchanged records leave byte for byte as they came.
	diff <(grep -v -e s0004 -e s0022 in.jsonl) \
	    <(grep -v -e s0004 -e s0022 out.jsonl)
	# The changed texts differ in the expected lines only.
	jq -r 'select(.source.submission == "s0004" or
	    .source.submission == "s0022") | .source.submission as $s |
	    .text | split("\n")[] | select(test("<EMAIL>|<PHONE>")) |
	    "\($s)\t\(rtrimstr("\r"))"' out.jsonl >got
	diff "$FIX/sample.expected" got
	run ! grep -e harbourmaster@ -e readings@ -e '7946 0123' -e 555-0147 out.jsonl
}

@test "scrub: title, credit, attribution and metadata strings are scrubbed, null stays null, the rest passes through" {
	run -0 quire-scrub --policies "$POL" "$FIX/records.jsonl"
	assert_output - <"$FIX/records.expected"
	# Key order and the values of other fields are kept.
	filter='[keys_unsorted, (.metadata // {} | keys_unsorted, .n, .big, .e),
	    .zz_after, .source, .writer, .submitted]'
	assert_equal "$(printf '%s\n' "$output" | jq -c "$filter")" \
	    "$(jq -c "$filter" "$FIX/records.jsonl")"
	assert_equal "$(printf '%s\n' "$output" | jq -c 'select(.id == "r2") | [.title, .credit]')" \
	    '[null,null]'
}

@test "scrub: --stats counts replacements per pattern and field" {
	run -0 quire-scrub --policies "$POL" --stats stats.json "$FIX/records.jsonl"
	assert_equal "$(jq -c .figures stats.json)" "$(cat "$FIX/records.figures")"
	assert_equal "$(jq -c '[.stage, .records_in, .records_out, .rejected]' stats.json)" \
	    '["scrub",3,3,{}]'
	assert_equal "$(jq -r .options.patterns stats.json)" \
	    'email;email_spelled;iban;card;phone_intl;phone_us;phone_national'
}

@test "scrub: no matched text reaches stats, rejects or stderr" {
	{ cat "$FIX/records.jsonl"
	  echo '{"id":"x","text":["maren@example.org 020 7946 0123"],"title":"maren@example.org"}'
	  echo '{"id":"y","text":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac b maren@example.org"}'
	} >in.jsonl
	# The limit policy rejects y; the default one scrubs the rest.
	run -0 --separate-stderr quire-scrub --policies "$POL" --stats stats.json in.jsonl
	run -0 --separate-stderr quire-scrub --policies "$FIX/limit" --stats stats2.json \
	    --rejects rejects.csv in.jsonl
	for f in stats.json stats2.json rejects.csv; do
		echo "file: $f"
		run ! grep -e @example -e 7946 -e 555 -e aaaa "$f"
	done
	run -0 --separate-stderr quire-scrub --policies "$POL" in.jsonl
	assert_equal "$stderr" "quire-scrub: reject: x,,,scrub,scrub.no_text,in.jsonl:4: text is not a string"
}

@test "scrub: records without a text string are rejected as scrub.no_text, a bad title or metadata as scrub.field" {
	run -0 --separate-stderr quire-scrub --policies "$POL" --rejects rejects.csv \
	    --stats stats.json <"$FIX/rejects.jsonl"
	assert_output '{"id":"n5","source":{"submission":"s5"},"writer":"w3","text":"A poem that stays."}'
	assert_equal "$stderr" ""
	diff "$FIX/rejects.expected" rejects.csv
	assert_equal "$(jq -c '[.records_in, .records_out, .rejected]' stats.json)" \
	    '[6,1,{"scrub.field":2,"scrub.no_text":3}]'
}

@test "scrub: a text that exceeds PCRE2's match limit is rejected as scrub.limit, never passed" {
	printf '%s\n' '{"id":"l1","text":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac b"}' \
	    '{"id":"l2","text":"ab"}' >in.jsonl
	run -0 quire-scrub --policies "$FIX/limit" --rejects rejects.csv in.jsonl
	assert_output '{"id":"l2","text":"<B>"}'
	assert_equal "$(cat rejects.csv)" \
	    'l1,,,scrub,scrub.limit,in.jsonl:1: text: pattern nested: match limit exceeded'
}

@test "scrub: replacements repeat until nothing matches, or the record is rejected" {
	printf '%s\n' '{"id":"s1","text":"aaaXbbb"}' '{"id":"s2","text":"aaaaXbbbb"}' >in.jsonl
	run -0 quire-scrub --policies "$FIX/settle" --rejects rejects.csv --stats stats.json in.jsonl
	assert_output '{"id":"s1","text":"X"}'
	assert_equal "$(cat rejects.csv)" \
	    's2,,,scrub,scrub.limit,in.jsonl:2: text: replacements did not settle after 4 passes'
	assert_equal "$(jq '.figures."peel.text"' stats.json)" 3
}

@test "scrub: requires and min_digits narrow matches; ^ and \$ anchor lines; other columns are ignored" {
	printf '%s' 'AB12-34|AB1234|AB-1|xAB12-34|CD-5678' | tr '|' '\n' | jq -Rsc '{id: "c", text: .}' >in.jsonl
	run -0 quire-scrub --policies "$FIX/custom" in.jsonl
	assert_output '{"id":"c","text":"<CODE>\nAB1234\nAB-1\nxAB12-34\n<CODE>"}'
}

@test "scrub: a match never spans a line feed" {
	echo '{"id":"t","text":"ring +44 20\n7946 0123, or maren@\nexample.org"}' >in.jsonl
	run -0 quire-scrub --policies "$POL" in.jsonl
	assert_output '{"id":"t","text":"ring +44 20\n7946 0123, or maren@\nexample.org"}'
}

@test "scrub: scrubbing scrubbed output changes nothing" {
	drop_scrubbed >once.jsonl
	run -0 quire-scrub --policies "$POL" --stats stats.json once.jsonl
	assert_output - <once.jsonl
	assert_equal "$(jq .figures.records_scrubbed stats.json)" 0
}

@test "scrub: a pattern PCRE2 cannot compile is refused (78) with file, line, name and offset" {
	run -78 --separate-stderr quire-scrub --policies "$FIX/bad-regex" </dev/null
	assert_equal "$stderr" "quire-scrub: $FIX/bad-regex/pii.csv:3: pattern broken: missing closing parenthesis at offset 9"
	refute_output
}

@test "scrub: a pattern that can match the empty string is refused (78)" {
	run -78 --separate-stderr quire-scrub --policies "$FIX/bad-empty" </dev/null
	assert_equal "$stderr" "quire-scrub: $FIX/bad-empty/pii.csv:2: pattern maybe can match the empty string"
}

@test "scrub: a policy missing the replacement column is refused (78)" {
	run -78 --separate-stderr quire-scrub --policies "$FIX/bad-column" </dev/null
	assert_equal "$stderr" "quire-scrub: $FIX/bad-column/pii.csv:1: missing required column replacement"
}

@test "scrub: every malformed policy of the table is refused (78) naming file and line" {
	local n=0 dir msg
	while IFS=$'\t' read -r dir msg; do
		case $dir in '#'*) continue ;; esac
		n=$((n + 1))
		echo "row $n: $dir"
		run -78 --separate-stderr quire-scrub --policies "$FIX/$dir" \
		    <<<'{"id":"t","text":"banana"}'
		assert_equal "$stderr" "quire-scrub: $FIX/$dir/pii.csv$msg"
		refute_output
	done <"$FIX/bad-policies.tsv"
	[ "$n" = 13 ]
}

@test "scrub: a policies folder without pii.csv is refused (78)" {
	mkdir empty
	run -78 --separate-stderr quire-scrub --policies empty </dev/null
	assert_equal "$stderr" "quire-scrub: empty/pii.csv: No such file or directory"
}

@test "scrub: without --policies it is a usage error (64)" {
	run -64 --separate-stderr quire-scrub </dev/null
	refute_output
	assert_equal "${stderr_lines[0]}" "quire-scrub: --policies DIR is required"
	[[ "${stderr_lines[1]}" == "usage: quire-scrub [-hq] --policies DIR"* ]]
}

@test "scrub: an unknown option is a usage error (64)" {
	run -64 --separate-stderr quire-scrub -Z --policies "$POL"
	refute_output
	[[ "$stderr" == *"usage: quire-scrub"* ]]
}

@test "scrub: a missing input file is exit 66" {
	run -66 --separate-stderr quire-scrub --policies "$POL" nosuch.jsonl
	assert_equal "$stderr" "quire-scrub: nosuch.jsonl: No such file or directory"
}

@test "scrub: a malformed JSON line is exit 65 naming the line" {
	printf '%s\n' '{"id":"a","text":"fine"}' '{"id":"b","text":' >in.jsonl
	run -65 --separate-stderr quire-scrub --policies "$POL" in.jsonl
	assert_output '{"id":"a","text":"fine"}'
	[[ "$stderr" == "quire-scrub: in.jsonl:2: malformed record: "* ]]
}

@test "scrub: a failed write is exit 74" {
	run -74 full quire-scrub --version
	run -74 full quire-scrub --policies "$POL" "$FIX/records.jsonl"
	assert_output "quire-scrub: write error: <stdout>: No space left on device"
}

@test "scrub: -h prints usage on stdout, --version the version" {
	run -0 quire-scrub -h
	assert_output --partial "usage: quire-scrub [-hq] --policies DIR [--rejects FILE]"
	run -0 quire-scrub --version
	assert_output "quire-scrub $(cat "$ROOT/VERSION")"
}

@test "scrub: the same input gives the same bytes, from files or stdin" {
	quire-scrub -p "$POL" "$FIX/records.jsonl" "$FIX/records.jsonl" >a
	cat "$FIX/records.jsonl" "$FIX/records.jsonl" | quire-scrub -p "$POL" - >b
	cmp a b
	[ "$(wc -l <a)" = 6 ]
}

# The man page's EXAMPLES, run as written from a folder holding samples/
# and policies/.
@test "scrub: the man page examples run" {
	ln -s "$ROOT/samples" samples
	ln -s "$ROOT/policies" policies
	quire-ingest samples/drop 2>/dev/null |
	    quire-scrub --policies policies --stats stats.json >scrubbed.jsonl
	run -0 jq -c '.figures | with_entries(select(.value > 0))' stats.json
	assert_output '{"records_scrubbed":2,"email.text":2,"phone_intl.text":1,"phone_us.text":1}'
	run -0 bash -c "echo '{\"id\":\"t\",\"text\":\"ring +44 20 7946 0123 @ dawn\"}' | quire-scrub -p policies"
	assert_output '{"id":"t","text":"ring <PHONE> @ dawn"}'
	run -0 bash -c 'quire-scrub -q -p policies --stats again.json scrubbed.jsonl | cmp - scrubbed.jsonl'
	run -0 jq .figures.records_scrubbed again.json
	assert_output 0
}
