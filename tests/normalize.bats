#!/usr/bin/env bats
# quire-normalize: its rules one by one, on and off, its rejects, options,
# exit statuses, statistics, man page examples and Unicode's own
# normalization conformance test.

bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
}

# Every rule but unicode, to test one rule alone or Unicode's data.
ALL_BUT_UNICODE=bom,newlines,controls,invisibles,trailing,edges,blanks
NORMALIZATION_TEST=/usr/share/unicode/NormalizationTest.txt.bz2

# Run quire-normalize with the given options on standard input and show
# each character of its output outside printable ASCII as a JSON \u escape
# (surrogate pairs above U+FFFF), so tests can spell invisible characters.
normalize_u() {
	set -o pipefail
	quire-normalize "$@" | perl -CS -pe '
		sub u {
			my $c = shift;
			return sprintf("\\u%04x", $c) if $c < 0x10000;
			$c -= 0x10000;
			return sprintf("\\u%04x\\u%04x", 0xd800 + ($c >> 10),
			    0xdc00 + ($c & 0x3ff));
		}
		s/([^\x00-\x7e])/u(ord $1)/ge'
}

# --- the rules, each on and off -----------------------------------------

@test "normalize: keeps a poem's indentation and stanza breaks" {
	run -0 quire-normalize "$FIX/poem.jsonl"
	assert_output - < "$FIX/poem.expected"
}

@test "normalize: removes a leading byte order mark" {
	run -0 normalize_u -n invisibles <<< '{"text":"\ufeffOne\ufefftwo"}'
	assert_output '{"text":"One\ufefftwo"}'
}

@test "normalize: removes only the first of two leading byte order marks" {
	run -0 normalize_u -n invisibles <<< '{"text":"\ufeff\ufeffa"}'
	assert_output '{"text":"\ufeffa"}'
}

@test "normalize: -n bom keeps a leading byte order mark" {
	run -0 normalize_u -n bom <<< '{"text":"\ufeffa\ufeffb"}'
	assert_output '{"text":"\ufeffab"}'
}

@test "normalize: turns CRLF and a lone CR into LF" {
	run -0 quire-normalize <<< '{"text":"a\r\nb\rc\r\n\rd"}'
	assert_output '{"text":"a\nb\nc\n\nd"}'
}

@test "normalize: -n newlines keeps CR, which the controls rule leaves alone" {
	run -0 quire-normalize -n newlines <<< '{"text":"a\r\nb\rc"}'
	assert_output '{"text":"a\r\nb\rc"}'
}

@test "normalize: judges a CR by the character after it before removals" {
	run -0 quire-normalize -n blanks <<< '{"text":"a\r\u200b\nb"}'
	assert_output '{"text":"a\n\nb"}'
}

@test "normalize: removes C0 and C1 controls and DEL but keeps TAB and LF" {
	run -0 normalize_u <<< '{"text":"a\u0000b\u0007c\u001b[1m\u007fd\u0080e\u009ff\tg\nh"}'
	assert_output '{"text":"abc[1mdef\tg\nh"}'
}

@test "normalize: turns U+2028, U+2029, NEL, VT and FF into LF" {
	run -0 normalize_u -n blanks <<< '{"text":"a\u2028b\u2029c\u0085d\u000be\u000cf"}'
	assert_output '{"text":"a\nb\nc\nd\ne\nf"}'
}

@test "normalize: -n controls keeps control characters" {
	run -0 normalize_u -n controls <<< '{"text":"a\u0007b\u0085c\u2028d\u007f"}'
	assert_output '{"text":"a\u0007b\u0085c\u2028d\u007f"}'
}

@test "normalize: removes zero-width and invisible format characters" {
	run -0 normalize_u <<< '{"text":"a\u200bb\u00adc\u2060d\ufeffe\u180ef\u2061g\u2062h\u2063i\u2064j"}'
	assert_output '{"text":"abcdefghij"}'
}

@test "normalize: keeps ZWNJ in Persian and ZWJ in emoji sequences" {
	run -0 normalize_u <<< '{"text":"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \ud83d\udc69\u200d\ud83d\udcbb"}'
	assert_output '{"text":"\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \ud83d\udc69\u200d\ud83d\udcbb"}'
}

@test "normalize: keeps bidi marks and embeddings in right-to-left text" {
	run -0 normalize_u <<< '{"text":"\u05e9\u05dc\u05d5\u05dd 2026\u200f! \u200eA\u202bB\u202c\u2067C\u2069"}'
	assert_output '{"text":"\u05e9\u05dc\u05d5\u05dd 2026\u200f! \u200eA\u202bB\u202c\u2067C\u2069"}'
}

@test "normalize: -n invisibles keeps invisible characters" {
	run -0 normalize_u -n invisibles <<< '{"text":"a\u200bb\u00adc\u2060d\ufeffe"}'
	assert_output '{"text":"a\u200bb\u00adc\u2060d\ufeffe"}'
}

@test "normalize: composes decomposed accents (NFC)" {
	run -0 normalize_u <<< '{"text":"Cafe\u0301, A\u030angstro\u0308m, \u1100\u1161"}'
	assert_output '{"text":"Caf\u00e9, \u00c5ngstr\u00f6m, \uac00"}'
}

@test "normalize: NFC reorders combining marks and keeps compatibility characters" {
	run -0 normalize_u <<< '{"text":"q\u0307\u0323 \ufb01 \u00bd \u2460"}'
	assert_output '{"text":"q\u0323\u0307 \ufb01 \u00bd \u2460"}'
}

@test "normalize: normalizes after removals bring combining marks together" {
	run -0 normalize_u <<< '{"text":"e\u200b\u0301 o\u00ad\u0308"}'
	assert_output '{"text":"\u00e9 \u00f6"}'
}

@test "normalize: -k applies NFKC" {
	run -0 normalize_u -k <<< '{"text":"\ufb01ne \u00bd \u2460 x\u00b2 \uff21 Cafe\u0301"}'
	assert_output '{"text":"fine 1\u20442 1 x2 A Caf\u00e9"}'
}

@test "normalize: -k trims the spaces that NFKC makes at line ends" {
	run -0 normalize_u -k <<< '{"text":"a\u00a0\n\u3000\n\n\u2003b"}'
	assert_output '{"text":"a\n\n b"}'
}

@test "normalize: finds what to change anywhere in a long line" {
	local pre='The harbour lanterns swing on their hooks,'
	run -0 normalize_u <<< "{\"text\":\"$pre\u2000$pre\u200b$pre\u00ad$pre\u0085$pre\r${pre}e\u0301$pre\u0007$pre\ufeff$pre\u2126\"}"
	assert_output "{\"text\":\"$pre\u2002$pre$pre$pre\n$pre\n${pre}\u00e9$pre$pre$pre\u03a9\"}"
}

@test "normalize: leaves Latin-1 signs, Vietnamese and full-width forms alone" {
	run -0 normalize_u <<< '{"text":"\u00ab\u00a0caf\u00e9\u00a0\u00bb \u00a9 Vi\u1ec7t Nam \uff0c\u3002 \u20ac5"}'
	assert_output '{"text":"\u00ab\u00a0caf\u00e9\u00a0\u00bb \u00a9 Vi\u1ec7t Nam \uff0c\u3002 \u20ac5"}'
}

@test "normalize: -n unicode leaves decomposed accents" {
	run -0 normalize_u -n unicode <<< '{"text":"Cafe\u0301"}'
	assert_output '{"text":"Cafe\u0301"}'
}

@test "normalize: trims spaces and tabs at line ends but not at line starts" {
	run -0 quire-normalize <<< '{"text":"\t  a \t\n    b\t\n\tc  "}'
	assert_output '{"text":"\t  a\n    b\n\tc"}'
}

@test "normalize: -n trailing keeps spaces at line ends" {
	run -0 quire-normalize -n trailing <<< '{"text":"a \t\nb  \nc "}'
	assert_output '{"text":"a \t\nb  \nc "}'
}

@test "normalize: trims blank lines at both edges and the final newline" {
	run -0 quire-normalize <<< '{"text":"\n  \n\t\n  first\nlast\n\n \n"}'
	assert_output '{"text":"  first\nlast"}'
}

@test "normalize: -n edges keeps blank lines at the edges" {
	run -0 quire-normalize -n edges <<< '{"text":"\n  first\nlast\n"}'
	assert_output '{"text":"\n  first\nlast\n"}'
}

@test "normalize: collapses runs of blank lines to one blank line" {
	run -0 quire-normalize <<< '{"text":"a\n\n\n\nb\n \t\n  \nc\n\nd"}'
	assert_output '{"text":"a\n\nb\n\nc\n\nd"}'
}

@test "normalize: -n blanks keeps runs of blank lines" {
	run -0 quire-normalize -n blanks <<< '{"text":"a\n\n\n\nb"}'
	assert_output '{"text":"a\n\n\n\nb"}'
}

@test "normalize: with -n trailing a collapsed run keeps its first blank line as it was" {
	run -0 quire-normalize -n trailing <<< '{"text":"a\n  \n\t\n\nb"}'
	assert_output '{"text":"a\n  \nb"}'
}

@test "normalize: line rules combine as if applied one after the other (table)" {
	local opts in want got
	# options|input text|output text, as JSON string contents; - for none
	while IFS='|' read -r opts in want; do
		[ "$opts" = - ] && opts=
		echo "[$opts] \"$in\" -> \"$want\""
		# shellcheck disable=SC2086
		got=$(printf '{"text":"%s"}\n' "$in" | quire-normalize $opts)
		assert_equal "$got" "{\"text\":\"$want\"}"
	done <<- 'EOF'
		-|a\n\n\n|a
		-n edges|a\n\n\n|a\n\n
		-n edges|a\n\n|a\n\n
		-n edges|\n\n\na\n\n\n|\na\n\n
		-n edges|\ta\n  \n  \n\tb \n|\ta\n\n\tb\n
		-n edges,blanks|a\n|a\n
		-n edges,blanks|\n\n\na\n\n\n|\n\n\na\n\n\n
		-n blanks|a\n\n \n\nb|a\n\n\n\nb
		-n trailing,edges| \n \na \n \n \n| \na \n \n
		-n trailing,blanks| \n \na\t\n\n \n|a\t
		-n edges,trailing,blanks|a \n \n|a \n \n
	EOF
}

@test "normalize: leaves the text alone with every rule off" {
	run -0 normalize_u -n bom,newlines,controls,invisibles,unicode,trailing,edges,blanks \
	    <<< '{"text":"\ufeffa\r\n\u0007\u200be\u0301 \n\n\n"}'
	assert_output '{"text":"\ufeffa\r\n\u0007\u200be\u0301 \n\n\n"}'
}

@test "normalize: -n takes a comma list and can be repeated" {
	run -0 quire-normalize -n trailing,edges -n blanks <<< '{"text":"a \n\n\n"}'
	assert_output '{"text":"a \n\n\n"}'
}

# --- records -------------------------------------------------------------

@test "normalize: passes foreign fields through untouched" {
	run -0 quire-normalize "$FIX/foreign.jsonl"
	assert_output - < "$FIX/foreign.expected"
}

@test "normalize: passes escaped surrogate pairs of U+1D800..U+1DFFF through" {
	# json-c 0.16 alone turns these into U+FFFD; lib/record.c works around it.
	run -0 normalize_u <<< '{"text":"a","sign":"\ud836\udc00","cjk":"\ud876\udc00"}'
	assert_output '{"text":"a","sign":"\ud836\udc00","cjk":"\ud876\udc00"}'
}

@test "normalize: writes a record that needs nothing byte for byte" {
	run -0 quire-normalize "$FIX/poem.expected"
	assert_output - < "$FIX/poem.expected"
}

@test "normalize: keeps the order of records from several files and -" {
	run -0 quire-normalize "$FIX/poem.jsonl" - "$FIX/foreign.jsonl" \
	    <<< '{"id":"middle","text":"x\r\n"}'
	assert_equal "${#lines[@]}" 3
	assert_line --index 0 "$(cat "$FIX/poem.expected")"
	assert_line --index 1 '{"id":"middle","text":"x"}'
	assert_line --index 2 "$(cat "$FIX/foreign.expected")"
}

@test "normalize: gives the same bytes on every run" {
	quire-normalize -k "$FIX/poem.jsonl" "$FIX/foreign.jsonl" > one
	quire-normalize -k "$FIX/poem.jsonl" "$FIX/foreign.jsonl" > two
	cmp one two
}

# --- rejects -------------------------------------------------------------

@test "normalize: rejects a record without text as normalize.no_text" {
	run -0 quire-normalize --rejects rejects.csv <<< \
	    '{"id":"r1","source":{"submission":"s1"},"writer":"w1","title":"x"}'
	refute_output
	run -0 cat rejects.csv
	assert_output 'r1,s1,w1,normalize,normalize.no_text,<stdin>:1: no text field'
}

@test "normalize: rejects a record whose text is not a string as normalize.no_text" {
	printf '%s\n' '{"id":"ok","text":"fine"}' '{"id":"r2","text":["a"]}' \
	    '{"id":"r3","text":null}' > in.jsonl
	run -0 quire-normalize --rejects rejects.csv in.jsonl
	assert_output '{"id":"ok","text":"fine"}'
	run -0 cat rejects.csv
	assert_line --index 0 'r2,,,normalize,normalize.no_text,in.jsonl:2: text is not a string'
	assert_line --index 1 'r3,,,normalize,normalize.no_text,in.jsonl:3: text is not a string'
}

@test "normalize: rejects a text left empty as normalize.empty" {
	printf '%s\n' '{"id":"e1","text":""}' '{"id":"e2","text":" \r\n\t\n"}' \
	    '{"id":"e3","text":"\u200b\ufeff\u0007"}' > in.jsonl
	run -0 quire-normalize --rejects rejects.csv in.jsonl
	refute_output
	run -0 cat rejects.csv
	assert_output - <<- 'EOF'
		e1,,,normalize,normalize.empty,in.jsonl:1
		e2,,,normalize,normalize.empty,in.jsonl:2
		e3,,,normalize,normalize.empty,in.jsonl:3
	EOF
}

@test "normalize: reports rejects on standard error without --rejects" {
	run -0 --separate-stderr quire-normalize <<< '{"id":"e1","text":"  "}'
	refute_output
	assert_equal "$stderr" 'quire-normalize: reject: e1,,,normalize,normalize.empty,<stdin>:1'
}

@test "normalize: appends to an existing rejects file" {
	echo 'x,,,ingest,ingest.empty,manifest.csv:2' > rejects.csv
	run -0 quire-normalize --rejects rejects.csv <<< '{"id":"e1","text":""}'
	run -0 cat rejects.csv
	assert_output - <<- 'EOF'
		x,,,ingest,ingest.empty,manifest.csv:2
		e1,,,normalize,normalize.empty,<stdin>:1
	EOF
}

# --- statistics ----------------------------------------------------------

@test "normalize: --stats counts records and characters per rule" {
	printf '%s\n' '{"id":"a","text":"\ufeffa\r\nb\u0007\u200b \n\n\ne\u0301\n"}' \
	    '{"id":"b","text":"clean"}' '{"id":"c"}' > in.jsonl
	run -0 quire-normalize --stats stats.json --rejects rejects.csv in.jsonl
	run -0 grep -v -e '"version"' -e '"unicode_version"' stats.json
	assert_output - < "$FIX/stats.expected"
}

@test "normalize: --stats records the form, the rules off and the Unicode version" {
	run -0 quire-normalize -k -n blanks,edges -n bom --stats stats.json < /dev/null
	run -0 perl -ne 'print if /"(form|disabled|unicode_version)"/' stats.json
	assert_line --index 0 '    "form": "NFKC",'
	assert_line --index 1 '    "disabled": "bom,edges,blanks",'
	assert_line --index 2 --regexp '^    "unicode_version": "[0-9]+\.[0-9]+"$'
}

# --- options and exit statuses ------------------------------------------

@test "normalize: -h prints usage on standard output and exits 0" {
	run -0 --separate-stderr quire-normalize -h
	assert_output 'usage: quire-normalize [-hkq] [-n rule[,rule...]] [--rejects FILE] [--stats FILE] [--version] [FILE ...]'
	assert_equal "$stderr" ''
}

@test "normalize: --help is -h" {
	run -0 quire-normalize --help
	assert_output "$(quire-normalize -h)"
}

@test "normalize: --version prints the version" {
	run -0 quire-normalize --version
	assert_output "quire-normalize $(cat "$ROOT/VERSION")"
}

@test "normalize: -q shows no progress and changes nothing else" {
	run -0 --separate-stderr quire-normalize -q "$FIX/poem.jsonl"
	assert_output - < "$FIX/poem.expected"
	assert_equal "$stderr" ''
}

@test "normalize: an unknown option is a usage error (64)" {
	run -64 --separate-stderr quire-normalize -x
	refute_output
	assert_equal "${stderr_lines[0]}" 'quire-normalize: invalid option -- '"'x'"
	assert_equal "${stderr_lines[1]}" 'usage: quire-normalize [-hkq] [-n rule[,rule...]] [--rejects FILE] [--stats FILE] [--version] [FILE ...]'
}

@test "normalize: an unknown rule is a usage error (64)" {
	run -64 --separate-stderr quire-normalize -n trailing,tabs
	refute_output
	assert_equal "${stderr_lines[0]}" "quire-normalize: -n: unknown rule 'tabs' (rules: bom, newlines, controls, invisibles, unicode, trailing, edges, blanks)"
}

@test "normalize: -n without a rule is a usage error (64)" {
	run -64 --separate-stderr quire-normalize -n
	refute_output
}

@test "normalize: a malformed JSON line exits 65 naming file and line" {
	printf '%s\n' '{"text":"ok"}' '{"text":' > in.jsonl
	run -65 --separate-stderr quire-normalize in.jsonl
	assert_output '{"text":"ok"}'
	[[ $stderr == 'quire-normalize: in.jsonl:2: malformed record: '* ]]
}

@test "normalize: a missing input file exits 66" {
	run -66 --separate-stderr quire-normalize no-such.jsonl
	assert_equal "$stderr" 'quire-normalize: no-such.jsonl: No such file or directory'
}

@test "normalize: a failed write of --version exits 74" {
	run -74 --separate-stderr bash -c 'quire-normalize --version > /dev/full'
	assert_equal "$stderr" 'quire-normalize: write error: <stdout>: No space left on device'
}

@test "normalize: a failed write of records exits 74 and writes no stats" {
	run -74 --separate-stderr bash -c \
	    'quire-normalize --stats stats.json "$1" > /dev/full' - "$FIX/poem.jsonl"
	assert_equal "$stderr" 'quire-normalize: write error: <stdout>: No space left on device'
	[ ! -e stats.json ]
}

@test "normalize: a rejects file that cannot be opened exits 74" {
	run -74 --separate-stderr quire-normalize --rejects no-such-dir/rejects.csv \
	    "$FIX/poem.jsonl"
	refute_output
	assert_equal "$stderr" 'quire-normalize: no-such-dir/rejects.csv: No such file or directory'
}

# --- the manual ---------------------------------------------------------

@test "normalize: man page example: normalize a file, keeping the rejects" {
	cp "$FIX/poem.jsonl" records.jsonl
	echo '{"id":"blank","text":"\r\n"}' >> records.jsonl
	run -0 sh -c 'quire-normalize --rejects rejects.csv records.jsonl > normal.jsonl'
	run -0 cat normal.jsonl
	assert_output - < "$FIX/poem.expected"
	run -0 cat rejects.csv
	assert_output 'blank,,,normalize,normalize.empty,records.jsonl:2'
}

@test "normalize: man page example: NFKC, blank lines kept, statistics" {
	cp "$FIX/poem.jsonl" records.jsonl
	run -0 sh -c 'quire-normalize -k -n blanks,edges --stats stats.json < records.jsonl > normal.jsonl'
	run -0 grep -c '\\n\\n\\n' normal.jsonl
	run -0 grep '"records_changed"' stats.json
	assert_output '    "records_changed": 1,'
}

# Write each example of the rendered man page as ex.N.sh, its command, and
# ex.N.out, the output it shows: an example is a "$ " line in a display,
# the lines after it ending in "\" or "|" continue it, the rest of the
# display is its output.  Perl, not col(1), strips the overstrikes: col
# mangles UTF-8 in the C locale.
man_examples() {
	mandoc -Tutf8 "$ROOT/filters/normalize.1" | perl -CS -pe 's/.\x08//g' |
	    perl -ne '
		if (/^[A-Z]/) { $on = /^EXAMPLES/; next }
		next unless $on;
		if (/^ {8,}\$ (.*)/) {
			$n++;
			open $sh, ">", "ex.$n.sh" or die;
			open $out, ">", "ex.$n.out" or die;
			print $sh "$1\n";
			$more = /[\\|]$/;
		} elsif ($n && /^ {8,}(.*)/) {
			if ($more) {
				print $sh "$1\n";
				$more = /[\\|]$/;
			} else {
				print $out "$1\n";
			}
		} else {
			$more = 0;
		}
		END { print "$n\n" }'
}

@test "normalize: the man page's examples give the output they show" {
	local n k
	cp "$FIX/poem.jsonl" records.jsonl
	n=$(man_examples)
	assert_equal "$n" 4
	for k in $(seq "$n"); do
		echo "example $k: $(cat "ex.$k.sh")"
		run -0 sh "ex.$k.sh"
		assert_output - < "ex.$k.out"
	done
}

@test "normalize: the man page passes mandoc -Tlint" {
	run -0 mandoc -Tlint -Wwarning "$ROOT/filters/normalize.1"
	refute_output
}

# --- Unicode's conformance test -----------------------------------------

# Turn NormalizationTest.txt into records: for each line and each column
# cK of c1..c5, {"id":"LINE.K","text":cK,"want":W}, W being the column that
# the form must give: for NFC c2 from c1..c3 and c4 from c4..c5, for NFKC
# c4 from all five.  Characters go in as UTF-8, not as \u escapes: json-c
# 0.16 decodes the escaped pairs of U+xD800..U+xDFFF as U+FFFD (see the
# skipped test above).  Then normalize with every other rule off (some
# lines hold characters that they would touch) and compare text with want:
# json-c spells both, so equal strings are equal bytes.
conformance() {
	local form=$1 opts=
	[ "$form" = NFKC ] && opts=-k
	bzcat "$NORMALIZATION_TEST" | FORM=$form perl -ne '
		BEGIN { binmode STDOUT, ":utf8" }
		next if /^[#@]/;
		my @c = map {
			join "", map {
				my $c = hex;
				$c < 0x20 || $c == 0x22 || $c == 0x5c ?
				    sprintf("\\u%04x", $c) : chr $c;
			} split / /
		} (split /;/)[0 .. 4];
		for my $k (0 .. 4) {
			my $w = $ENV{FORM} eq "NFKC" ? $c[3] :
			    $k < 3 ? $c[1] : $c[3];
			printf "{\"id\":\"%d.%d\",\"text\":\"%s\",\"want\":\"%s\"}\n",
			    $., $k + 1, $c[$k], $w;
		}' > conformance.jsonl
	quire-normalize $opts -n "$ALL_BUT_UNICODE" --rejects rejects.csv \
	    conformance.jsonl > normal.jsonl
	[ ! -s rejects.csv ]
	perl -ne '
		my $s = qr/"(?:[^"\\]|\\.)*"/;
		/^\{"id":"([0-9.]+)","text":($s),"want":($s)\}$/ or die "odd: $_";
		$n++;
		if ($2 ne $3) {
			print "line $1: got $2, want $3\n" if ++$bad <= 10;
		}
		END { printf "%d records, %d wrong\n", $n, $bad }' normal.jsonl
}

@test "normalize: passes Unicode's NFC conformance test on every line" {
	local n
	n=$(bzcat "$NORMALIZATION_TEST" | grep -c -v '^[#@]')
	run -0 conformance NFC
	assert_output "$((5 * n)) records, 0 wrong"
}

@test "normalize: passes Unicode's NFKC conformance test on every line" {
	local n
	n=$(bzcat "$NORMALIZATION_TEST" | grep -c -v '^[#@]')
	run -0 conformance NFKC
	assert_output "$((5 * n)) records, 0 wrong"
}

@test "normalize: escapes a changed text exactly as json-c would" {
	# lib/record.c writes "text" with its own serializer; "t" goes
	# through json-c's.  Both must spell the same characters alike.
	run -0 quire-normalize -n controls,invisibles <<< \
	    '{"text":"a\r\n\u0001\b\f\t\"\\/\u001f\u007f é","t":"\u0001\b\f\t\"\\/\u001f\u007f é"}'
	# DEL (U+007F) is no JSON escape: both write it raw.
	assert_output "$(printf '%s\177%s\177%s' '{"text":"a\n\u0001\b\f\t\"\\/\u001f' \
	    ' é","t":"\u0001\b\f\t\"\\/\u001f' ' é"}')"
}
