#!/usr/bin/env bats
# quire-credits: CREDITS.md from the final record stream.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	POL="$ROOT/policies"
}

# Run a command with standard output on a full disk (run sees no redirection).
full() {
	"$@" >/dev/full
}

# One tagged record: id/submission suffix, writer, credit, title, license
# (credit and title as JSON values).
rec() {
	printf '{"id":"d%s","source":{"submission":"s%s"},"writer":"%s","credit":%s,"title":%s,"license":"%s","text":"t"}\n' \
	    "$1" "$1" "$2" "$3" "$4" "$5"
}

@test "credits: writes the golden CREDITS.md of a fixture stream" {
	run -0 --separate-stderr quire-credits --policies "$POL" "$FIX/stream.jsonl"
	assert_output - <"$FIX/stream.expected"
	assert_equal "$stderr" ""
}

@test "credits: the same records in any order give the same bytes" {
	for seed in 1 2 3 4 5; do
		echo "seed $seed"
		shuf --random-source=<(yes "$seed") "$FIX/stream.jsonl" >shuffled.jsonl
		run -0 quire-credits -p "$POL" shuffled.jsonl
		assert_output - <"$FIX/stream.expected"
	done
}

@test "credits: every name shown is a credit of the records, or the writer id fallback" {
	run -0 quire-credits -p "$POL" "$FIX/stream.jsonl"
	grep '^## ' <<<"$output" | grep -v '^## Licenses$' | sed 's/^## //; s/\\\(.\)/\1/g' | sort -u >shown
	{ jq -r 'select(.credit != null) | .credit' "$FIX/stream.jsonl";
	  jq -r 'select(.credit == null) | "writer id \(.writer) (no credit name given)"' "$FIX/stream.jsonl"; } |
	    sort -u >credits
	diff shown credits
}

# The sample drop, tagged, then credited (the man page example).
sample_credits() {
	quire-ingest samples/drop 2>/dev/null |
	    quire-license-tag -p policies -u 'train;evaluate' 2>/dev/null |
	    quire-credits --policies policies >"$BATS_TEST_TMPDIR/CREDITS.md"
}

@test "credits: the sample's credits never show a private name or e-mail of the ledger" {
	cd "$ROOT"
	run -0 sample_credits
	cd "$BATS_TEST_TMPDIR"
	run -0 grep -c '^- ' CREDITS.md
	assert_output 25
	# The ledger's private columns: name and email.
	tail -n +2 "$ROOT/samples/drop/consent.csv" | cut -d, -f7,8 | tr ',' '\n' |
	    sort -u | while read -r private; do
		[ -n "$private" ] || continue
		echo "private: $private"
		run -1 grep -F -- "$private" CREDITS.md
	done
	run -0 grep '^## ' CREDITS.md
	assert_output - <<-'EOF'
	## Aiko Tanabe
	## Grey Heron
	## Ines Varga
	## Maren Holt
	## Tomás Ibarra
	## Vera Lanskaya
	## Élise Marchand
	## Licenses
	EOF
}

@test "credits: Markdown in credits and titles is escaped, line breaks become spaces" {
	# Rows are TITLE (a JSON value) % WHAT THE LIST ITEM SHOWS.
	while IFS='%' read -r title want; do
		echo "row: $title"
		rec 1 w1 '"C"' "$title" CC0-1.0 >in.jsonl
		run -0 quire-credits -p "$POL" in.jsonl
		assert_line "- $want (s1), CC0-1.0"
	done <<-'EOF'
	"[x](https://e.example)"%“\[x\](https\://e.example)”
	"![i](x.png)"%“\!\[i\](x.png)”
	"<a href=x>y</a>"%“\<a href=x\>y\</a\>”
	"*b* _i_ `c` ~s~"%“\*b\* \_i\_ \`c\` \~s\~”
	"# h #"%“\# h \#”
	"a\nb\r\nc\td"%“a b  c d”
	"&amp; &#91;"%“\&amp; \&\#91;”
	"| a | b |"%“\| a \| b \|”
	"$x$ \\"%“\$x\$ \\”
	"www.example.org"%“www\.example.org”
	"Harbour: at six (a poem)"%“Harbour: at six (a poem)”
	"Field Guide, Unfinished"%“Field Guide, Unfinished”
	null%Untitled
	""%Untitled
	EOF
}

@test "credits: a credit cannot open a heading, list or link either" {
	rec 1 w1 '"# [x](https://e.example)\n- y"' '"T"' CC0-1.0 >in.jsonl
	run -0 quire-credits -p "$POL" in.jsonl
	assert_line --index 4 '## \# \[x\](https\://e.example) - y'
}

@test "credits: the share-alike sentence is there exactly when a share-alike work is" {
	run -0 quire-credits -p "$POL" "$FIX/stream.jsonl"
	assert_line 'Share-alike: adaptations of works under CC-BY-SA-4.0 must be shared under the same license, CC-BY-SA-4.0.'
	run -0 quire-credits -p "$POL" "$FIX/no-sa.jsonl"
	refute_output --partial 'Share-alike'
	refute_output --partial 'CC-BY-SA-4.0'
	rec 1 w1 '"C"' '"T"' CC-BY-NC-SA-4.0 >in.jsonl
	run -0 quire-credits -p "$POL" in.jsonl
	assert_line 'Share-alike: adaptations of works under CC-BY-NC-SA-4.0 must be shared under the same license, CC-BY-NC-SA-4.0.'
}

@test "credits: attribution and courtesy are stated per license" {
	{ rec 1 w1 '"C"' '"T"' CC0-1.0; rec 2 w1 '"C"' '"U"' CC-BY-4.0; } >in.jsonl
	run -0 quire-credits -p "$POL" in.jsonl
	assert_line 'No attribution is required; the writers are credited here as a courtesy.'
	assert_line --partial 'Attribution: whoever shares a work under this license'
	assert_line '1 work in this release, under CC-BY-4.0 <https://spdx.org/licenses/CC-BY-4.0.html>.'
}

@test "credits: a LicenseRef license gets no SPDX link" {
	printf '%s\n' 'spdx,aliases,uses,attribution,share_alike' \
	    'LicenseRef-Coop-1.0,,*,yes,no' >licenses.csv
	mkdir pol && mv licenses.csv pol/
	rec 1 w1 '"C"' '"T"' LicenseRef-Coop-1.0 >in.jsonl
	run -0 quire-credits -p pol in.jsonl
	assert_line '1 work in this release, under LicenseRef-Coop-1.0.'
}

@test "credits: an empty stream says no work is in the release" {
	run -0 quire-credits -p "$POL" </dev/null
	assert_line --index 4 'No work is in this release.'
	refute_output --partial '## Licenses'
}

@test "credits: a record that cannot be credited is exit 65 naming file and line" {
	while IFS='|' read -r line want; do
		echo "row: $line"
		{ rec 1 w1 '"C"' '"T"' CC0-1.0; printf '%s\n' "$line"; } >in.jsonl
		run -65 --separate-stderr quire-credits -p "$POL" in.jsonl
		refute_output
		assert_equal "$stderr" "quire-credits: in.jsonl:2: $want"
	done <<-'EOF'
	{"source":{"submission":"s2"},"writer":"w1","license":"CC0-1.0"}|record without id: it cannot be credited
	{"id":"d2","writer":"w1","license":"CC0-1.0"}|record without source.submission: it cannot be credited
	{"id":"d2","source":{"submission":"s2"},"license":"CC0-1.0"}|record without writer: it cannot be credited
	{"id":"d2","source":{"submission":"s2"},"writer":"w1"}|record without license: it cannot be credited
	{"id":"d2","source":{"submission":"s2"},"writer":"w1","license":"cc-by"}|license "cc-by" is not an SPDX id of licenses.csv (did quire-license-tag run?)
	{"id":"d2",|malformed record: unexpected end of line
	EOF
}

@test "credits: a bad licenses.csv is exit 78, checked as quire-license-tag checks it" {
	mkdir pol
	# Rows are DATA ROWS (\n between them) | WHAT THE MESSAGE SAYS AFTER "pol/licenses.csv:".
	while IFS='|' read -r rows want; do
		echo "row: $rows"
		printf 'spdx,aliases,uses,attribution,share_alike\n%b\n' "$rows" >pol/licenses.csv
		run -78 --separate-stderr quire-credits -p pol </dev/null
		refute_output
		assert_equal "$stderr" "quire-credits: pol/licenses.csv:$want"
	done <<-'EOF'
	CC0-1.0,,*,no,perhaps|2: share_alike must be yes or no, not "perhaps"
	CC-BY-4.0,cc-by,*,yes,no\nCC-BY-SA-4.0,CC_BY,*,yes,yes|3: "CC_BY" of CC-BY-SA-4.0 and "cc-by" of CC-BY-4.0 (line 2) are one spelling
	CC-BY-4.0,,*,yes,no\nCC-BY-4.0,,train,yes,no|3: CC-BY-4.0 is listed twice (first at line 2)
	,,*,yes,no|2: spdx "" is not an SPDX id (letters, digits, '.', '-', '+')
	CC-BY-4.0,,*;train,yes,no|2: uses: "*" must stand alone
	CC-BY-4.0,cc-by;--,*,yes,no|2: alias "--" is empty once spaces, hyphens, underscores and dots are dropped
	CC-BY-4.0,,*,yes|2: 4 fields, header has 5
	EOF
	run -78 --separate-stderr quire-credits -p no-such-dir </dev/null
	assert_equal "$stderr" 'quire-credits: no-such-dir/licenses.csv: No such file or directory'
}

@test "credits: the uses column is not checked against uses.csv, which credits does not read" {
	mkdir pol
	printf '%s\n' 'spdx,aliases,uses,attribution,share_alike' 'CC0-1.0,,train;sell,no,no' >pol/licenses.csv
	rec 1 w1 '"C"' '"T"' CC0-1.0 >in.jsonl
	run -0 quire-credits -p pol in.jsonl
	assert_line '1 work in this release, under CC0-1.0 <https://spdx.org/licenses/CC0-1.0.html>.'
}

@test "credits: usage errors are exit 64, -h and --version exit 0" {
	run -64 --separate-stderr quire-credits
	assert_equal "${stderr%%$'\n'*}" "quire-credits: --policies DIR is required"
	run -0 quire-credits -h
	assert_line --index 0 --partial 'usage: quire-credits [-hq] --policies DIR'
	run -0 quire-credits --version
	assert_output --regexp '^quire-credits [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "credits: a missing input is exit 66" {
	run -66 --separate-stderr quire-credits -p "$POL" no-such.jsonl
	assert_equal "$stderr" "quire-credits: no-such.jsonl: No such file or directory"
}

@test "credits: a failed write is exit 74" {
	run -74 full quire-credits --version
	run -74 --separate-stderr full quire-credits -p "$POL" "$FIX/stream.jsonl"
	assert_equal "$stderr" "quire-credits: write error: <stdout>: No space left on device"
}

@test "credits: --stats counts names, works and works per license; --rejects stays empty" {
	run -0 quire-credits -q -p "$POL" --stats st.json --rejects rj.csv "$FIX/stream.jsonl"
	[ -e rj.csv ] && [ ! -s rj.csv ]
	run -0 jq -c '[.stage, .records_in, .records_out, .rejected, .options, .bytes_out]' st.json
	assert_output '["credits",14,14,{},{"policies":"'"$POL"'"},'"$(wc -c <"$FIX/stream.expected")"']'
	run -0 jq -c .figures st.json
	assert_output '{"names":9,"works":14,"license.CC0-1.0":3,"license.CC-BY-4.0":10,"license.CC-BY-SA-4.0":1,"license.CC-BY-NC-4.0":0,"license.CC-BY-NC-SA-4.0":0,"license.CC-BY-ND-4.0":0,"license.CC-BY-NC-ND-4.0":0,"license.LicenseRef-All-Rights-Reserved":0}'
}

@test "credits: no link but SPDX's survives a GitHub Markdown renderer" {
	command -v cmark-gfm >/dev/null || skip "cmark-gfm not installed"
	run -0 cmark-gfm -e autolink -e strikethrough -e table "$FIX/stream.expected"
	refute_output --partial '<script'
	refute_output --partial '<img'
	run -0 grep -o '<a href="[^"]*"' <<<"$output"
	assert_output - <<-'EOF'
	<a href="https://spdx.org/licenses/CC-BY-4.0.html"
	<a href="https://spdx.org/licenses/CC-BY-SA-4.0.html"
	<a href="https://spdx.org/licenses/CC0-1.0.html"
	EOF
}
