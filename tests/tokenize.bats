#!/usr/bin/env bats
# quire-tokenize: byte-level BPE identical to tiktoken, Megatron-LM .bin/.idx.
# The command line, rejects and format tests use the small rank file
# tests/fixtures/tokenize/tiny.tiktoken (the 256 bytes as ranks 0..255, then
# a few merges).  The exactness tests compare with the npm package tiktoken
# (the WASM build of OpenAI's code), installed into tests/oracle, whose
# gpt2, cl100k_base and o200k_base ranks are exported to .tiktoken files.
bats_require_minimum_version 1.5.0
load test_helper/common-setup

setup_file() {
	local root oracle
	root="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
	oracle="$root/tests/oracle"
	export VOCABS="$BATS_FILE_TMPDIR/vocabs"
	mkdir -p "$VOCABS"
	# The oracle: installed once (npm), then its ranks exported.  Only a
	# registry that cannot be reached skips the exactness tests.
	export ORACLE=
	command -v node >/dev/null && command -v npm >/dev/null ||
	    { echo "node and npm are needed (Debian: nodejs, npm)" >&2; return 1; }
	if [ ! -d "$oracle/node_modules/tiktoken" ]; then
		npm install --prefix "$oracle" --no-audit --no-fund \
		    >"$BATS_FILE_TMPDIR/npm.log" 2>&1 || {
			ORACLE="skip: npm cannot install tiktoken (registry unreachable?): $(tail -n 1 "$BATS_FILE_TMPDIR/npm.log")"
			return 0
		}
	fi
	for enc in gpt2 cl100k_base o200k_base; do
		node "$oracle/export.js" "$enc" "$VOCABS/$enc.tiktoken"
	done
	ORACLE=yes
	# A few MB of generated mixed text, and the fixture cases.
	perl "$root/tests/fixtures/tokenize/gen-mixed.pl" 1 5000 \
	    >"$BATS_FILE_TMPDIR/mixed.jsonl"
}

setup() {
	_common_setup
	TINY="$FIX/tiny.tiktoken"
	ORACLE_DIR="$ROOT/tests/oracle"
}

need_oracle() {
	[ "$ORACLE" = yes ] || skip "${ORACLE#skip: }"
}

# tiny ARGS...: quire-tokenize on the tiny vocabulary, one character a piece.
tiny() {
	quire-tokenize --vocab "$TINY" --regex '(?s).' "$@"
}

rec() {
	printf '{"id":"%s","text":"%s"}\n' "$1" "$2"
}

# --- command line --------------------------------------------------------

@test "tokenize: -h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr quire-tokenize -h
	assert_line --index 0 --partial 'usage: quire-tokenize [-hq] --vocab FILE'
	assert_equal "$stderr" ""
}

@test "tokenize: --version prints the name and version" {
	run -0 quire-tokenize --version
	assert_output --regexp '^quire-tokenize [0-9]+\.[0-9]+\.[0-9]+$'
}

version_to_full() { quire-tokenize --version >/dev/full; }

@test "tokenize: --version to a full disk exits 74" {
	run -74 --separate-stderr version_to_full
	assert_equal "$stderr" "quire-tokenize: write error: <stdout>: No space left on device"
}

ids_to_full() { rec a hello | tiny --ids >/dev/full; }

@test "tokenize: --ids to a full disk exits 74" {
	run -74 ids_to_full
	assert_output --partial 'No space left on device'
}

@test "tokenize: an unknown option exits 64 with the usage" {
	run -64 --separate-stderr quire-tokenize -Z
	assert_equal "$(sed -n 2p <<<"$stderr" | cut -c1-22)" "usage: quire-tokenize "
}

@test "tokenize: usage errors exit 64 with a reason" {
	local args want
	while IFS='@' read -r args want; do
		echo "args: $args"
		eval "run -64 --separate-stderr quire-tokenize $args </dev/null"
		assert_equal "$(head -n 1 <<<"$stderr")" "quire-tokenize: $want"
	done <<-EOF
	--ids --pattern gpt2@--vocab FILE is required
	--vocab "$TINY" --pattern gpt2@one of --output PREFIX, --ids or --decode is required
	--vocab "$TINY" --ids@--pattern NAME or --regex RE is required
	--vocab "$TINY" --ids --decode --pattern gpt2@--output, --ids and --decode exclude each other
	--vocab "$TINY" --ids --pattern gpt2 --regex x@--pattern and --regex: one, once
	--vocab "$TINY" --ids --pattern gpt3@--pattern: unknown name 'gpt3' (names: gpt2, r50k_base, cl100k_base, o200k_base)
	--vocab "$TINY" --ids --pattern gpt2 --doc-index d.csv@--doc-index goes with --output
	--vocab "$TINY" --ids --regex . --eod '<|x|>'@--eod: <|x|> is not a special token (define it with --special)
	--vocab "$TINY" --ids --regex . --special '<|x|>'@--special: expected TOKEN=ID: <|x|>
	--vocab "$TINY" --ids --regex . --special '=5'@--special: expected TOKEN=ID: =5
	--vocab "$TINY" --ids --regex '(a'@--regex: at offset 2: missing closing parenthesis
	--vocab "$TINY" --output '' --regex .@--output: empty prefix
	EOF
}

@test "tokenize: --special refuses an id that is not a number in range" {
	run -64 quire-tokenize --vocab "$TINY" --ids --regex . --special 'x=-1'
	assert_output --partial 'quire-tokenize: --special: '
	run -64 quire-tokenize --vocab "$TINY" --ids --regex . --special 'x=2147483647'
	assert_output --partial 'quire-tokenize: --special: '
}

@test "tokenize: a missing rank file exits 66" {
	run -66 quire-tokenize --vocab nope.tiktoken --pattern gpt2 --ids </dev/null
	assert_output "quire-tokenize: nope.tiktoken: No such file or directory"
}

@test "tokenize: a missing input file exits 66" {
	run -66 tiny --ids nope.jsonl
	assert_output --partial 'nope.jsonl'
}

@test "tokenize: a malformed record exits 65 naming the line" {
	printf '{"id":"a","text":"x"}\nnot json\n' >in.jsonl
	run -65 tiny --ids in.jsonl
	assert_output --partial 'in.jsonl:2'
}

@test "tokenize: a malformed rank file exits 78 naming file and line" {
	local name line want
	while IFS='|' read -r name line want; do
		echo "case: $name"
		{ cat "$TINY"; printf '%b' "$line"; } >bad.tiktoken
		run -78 quire-tokenize --vocab bad.tiktoken --regex . --ids </dev/null
		assert_output "quire-tokenize: bad.tiktoken:290: $want"
	done <<-'EOF'
	no rank|eHk=\n|not a token and a rank
	not base64|e*k= 300\n|the token is not base64 of one byte or more
	bad padding|eHl= 300\n|the token is not base64 of one byte or more
	empty token| 300\n|the token is not base64 of one byte or more
	rank not a number|eHk= 3x\n|the rank is not a number from 0 to 2147483646
	rank too large|eHk= 2147483647\n|the rank is not a number from 0 to 2147483646
	two spaces|eHk=  300\n|the rank is not a number from 0 to 2147483646
	rank twice|eHk= 5\n|rank 5 is given twice
	token twice|dGg= 300\n|the token of rank 300 is also rank 256
	EOF
}

@test "tokenize: a rank file without a token for every byte exits 78" {
	grep -v '^QQ== ' "$TINY" >bad.tiktoken
	run -78 quire-tokenize --vocab bad.tiktoken --regex . --ids </dev/null
	assert_output "quire-tokenize: bad.tiktoken: no token for the byte 0x41"
}

@test "tokenize: an empty rank file exits 78" {
	: >empty.tiktoken
	run -78 quire-tokenize --vocab empty.tiktoken --regex . --ids </dev/null
	assert_output "quire-tokenize: empty.tiktoken: no tokens"
}

@test "tokenize: a rank file may have CRLF line ends and blank lines" {
	{ sed 's/$/\r/' "$TINY"; echo; } >crlf.tiktoken
	rec a 'the' >in.jsonl
	run -0 quire-tokenize --vocab crlf.tiktoken --regex '(?s).+' --ids in.jsonl
	assert_output '{"id":"a","tokens":[258]}'
}

@test "tokenize: a special token whose id is a rank exits 78" {
	run -78 tiny --ids --special '<|x|>=100' </dev/null
	assert_output "quire-tokenize: special token <|x|>: id 100 is a rank of $TINY"
}

@test "tokenize: two special tokens with one id exit 78" {
	run -78 tiny --ids --special '<|x|>=300' --special '<|y|>=300' </dev/null
	assert_output "quire-tokenize: special tokens <|x|> and <|y|> have the same id 300"
}

@test "tokenize: -q is accepted and shows nothing on stderr" {
	rec a hi >in.jsonl
	run -0 --separate-stderr tiny -q --ids in.jsonl
	assert_equal "$stderr" ""
}

# --- encoding ---------------------------------------------------------------

@test "tokenize: --ids writes each document's tokens, merges lowest rank first" {
	# "abcthe" is no token: th (256) merges first, then th+e (258, "the"),
	# then ab (286, before bc 287), then ab+c (288, "abc").  "the" is a
	# token as it is.
	printf '%s\n' '{"id":"a","text":"abcthe the"}' >in.jsonl
	run -0 quire-tokenize --vocab "$TINY" --regex '\S+|\s+' --ids in.jsonl
	assert_output '{"id":"a","tokens":[288,258,32,258]}'
}

@test "tokenize: --ids writes no end-of-document token" {
	rec a hi >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --ids in.jsonl
	assert_output '{"id":"a","tokens":[104,105]}'
}

@test "tokenize: text that looks like a special token is ordinary text" {
	rec a '<|endoftext|>' >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --ids in.jsonl
	refute_output --partial '300'
	run -0 tiny --special '<|endoftext|>=300' --decode <<<"$output"
	assert_output '{"id":"a","text":"<|endoftext|>"}'
}

@test "tokenize: long runs of one character round-trip (heap merge)" {
	local c
	for c in a ' ' 'é' '日' 0; do
		echo "char: $c"
		awk -v c="$c" 'BEGIN { s = c; while (length(s) < 100000) s = s s;
		    printf "{\"id\":\"r\",\"text\":\"%s\"}\n", s }' >in.jsonl
		quire-tokenize --vocab "$TINY" --regex '(?s).+' --ids in.jsonl >ids.jsonl
		run -0 quire-tokenize --vocab "$TINY" --decode ids.jsonl
		assert_output - <in.jsonl
	done
}

@test "tokenize: the heap merge of a long piece equals the merge of short ones" {
	# 200 copies of "abcthe": as one piece (heap) and as 200 pieces
	# (linear scan), the same tokens.
	local s
	s=$(printf 'abcthe%.0s' $(seq 200))
	rec a "$s" >in.jsonl
	run -0 quire-tokenize --vocab "$TINY" --regex '(?s).+' --ids in.jsonl
	local one=$output
	run -0 quire-tokenize --vocab "$TINY" --regex 'abcthe' --ids in.jsonl
	assert_equal "$one" "$output"
	assert_equal "$(jq -c '.tokens | unique' <<<"$one")" "[258,288]"
}

@test "tokenize: --decode turns --ids back into the records' text" {
	tiny --ids "$FIX/cases.jsonl" >ids.jsonl
	tiny --decode ids.jsonl >text.jsonl
	# jq spells both sides alike; json-c and Python escape differently.
	run -0 jq -c . text.jsonl
	assert_output - < <(jq -c '{id, text}' "$FIX/cases.jsonl")
}

@test "tokenize: --decode refuses an unknown id with 65" {
	echo '{"id":"a","tokens":[1,400]}' >ids.jsonl
	run -65 tiny --decode ids.jsonl
	assert_output "quire-tokenize: ids.jsonl:1: token 1 is not an id of the vocabulary"
}

@test "tokenize: --decode refuses tokens that are not UTF-8 text with 65" {
	echo '{"id":"a","tokens":[195]}' >ids.jsonl
	run -65 tiny --decode ids.jsonl
	assert_output "quire-tokenize: ids.jsonl:1: the tokens do not decode to UTF-8 text"
}

@test "tokenize: --decode refuses a record without a tokens array with 65" {
	echo '{"id":"a","tokens":"1 2"}' >ids.jsonl
	run -65 tiny --decode ids.jsonl
	assert_output "quire-tokenize: ids.jsonl:1: no tokens array"
}

@test "tokenize: --decode writes special tokens as their text" {
	echo '{"id":"a","tokens":[104,105,300]}' >ids.jsonl
	run -0 tiny --special '<|endoftext|>=300' --decode ids.jsonl
	assert_output '{"id":"a","text":"hi<|endoftext|>"}'
}

# --- rejects --------------------------------------------------------------

@test "tokenize: a record without text goes to the rejects as tokenize.no_text" {
	printf '%s\n' '{"id":"a","source":{"submission":"s1"},"writer":"w1"}' \
	    '{"id":"b","text":5}' '{"id":"c","text":"ok"}' >in.jsonl
	run -0 tiny --ids --rejects rej.csv in.jsonl
	assert_output '{"id":"c","tokens":[111,107]}'
	run cat rej.csv
	assert_output - <<-'EOF'
	a,s1,w1,tokenize,tokenize.no_text,in.jsonl:1: no text field
	b,,,tokenize,tokenize.no_text,in.jsonl:2: text is not a string
	EOF
}

@test "tokenize: a record without a usable id goes to the rejects as tokenize.no_id" {
	printf '%s\n' '{"text":"x"}' '{"id":7,"text":"x"}' '{"id":"","text":"x"}' \
	    >in.jsonl
	run -0 tiny --ids --rejects rej.csv in.jsonl
	assert_output ""
	run cut -d, -f5- rej.csv
	assert_output - <<-'EOF'
	tokenize.no_id,in.jsonl:1: no id
	tokenize.no_id,in.jsonl:2: id is not a string
	tokenize.no_id,in.jsonl:3: id is empty
	EOF
}

@test "tokenize: text a --regex leaves out goes to the rejects as tokenize.unmatched" {
	rec a 'ab c' >in.jsonl
	run -0 quire-tokenize --vocab "$TINY" --regex '[a-z]+' --ids \
	    --rejects rej.csv in.jsonl
	assert_output ""
	run cat rej.csv
	assert_output "a,,,tokenize,tokenize.unmatched,in.jsonl:1: byte 2 is in no match of the pattern"
}

@test "tokenize: a --regex that matches the empty string is tokenize.unmatched" {
	rec a 'ab' >in.jsonl
	run -0 quire-tokenize --vocab "$TINY" --regex 'x*' --ids --rejects rej.csv in.jsonl
	run cut -d, -f5- rej.csv
	assert_output "tokenize.unmatched,in.jsonl:1: byte 0 is in no match of the pattern"
}

@test "tokenize: a match the engine cannot finish is tokenize.regex" {
	# Nested quantifiers on a long subject exhaust PCRE2's match limit.
	awk 'BEGIN { s = "a"; while (length(s) < 40) s = s "a";
	    printf "{\"id\":\"a\",\"text\":\"%sbc\"}\n", s }' >in.jsonl
	run -0 quire-tokenize --vocab "$TINY" --regex '(?:(a+)+)+c|(?s).' --ids \
	    --rejects rej.csv in.jsonl
	run cut -d, -f5 rej.csv
	assert_output "tokenize.regex"
}

@test "tokenize: without --rejects, a reject row goes to stderr" {
	echo '{"id":"a"}' >in.jsonl
	run -0 --separate-stderr tiny --ids in.jsonl
	assert_equal "$stderr" "quire-tokenize: reject: a,,,tokenize,tokenize.no_text,in.jsonl:1: no text field"
}

# --- .bin and .idx -------------------------------------------------------------

@test "tokenize: --output writes a Megatron-LM dataset that an independent reader accepts" {
	tiny --special '<|endoftext|>=300' --ids "$FIX/cases.jsonl" >ids.jsonl
	run -0 tiny --special '<|endoftext|>=300' --output out "$FIX/cases.jsonl"
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
	assert_output - < <(jq -r '.tokens + [300] | map(tostring) | join(" ")' ids.jsonl)
	assert_equal "$stderr" "dtype=8 sequences=34 documents=34"
}

@test "tokenize: the .idx header is MMIDIDX version 1, uint16 for a small vocabulary" {
	rec a hi >in.jsonl
	run -0 tiny --output out in.jsonl
	run -0 od -An -tx1 -v out.idx
	assert_equal "$(echo $output)" "4d 4d 49 44 49 44 58 00 00 01 00 00 00 00 00 00 00 08 01 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00 00 00 00 00 00 00"
	assert_equal "$(od -An -tx1 out.bin | tr -d ' \n')" "68006900"
}

@test "tokenize: 65500 ids or more make an int32 .bin (Megatron-LM's rule)" {
	rec a hi >in.jsonl
	run -0 tiny --special '<|endoftext|>=65499' --output out --stats st.json in.jsonl
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
	assert_output "104 105 65499"
	assert_equal "$stderr" "dtype=4 sequences=1 documents=1"
	assert_equal "$(jq -r .options.dtype st.json)" int32
}

@test "tokenize: fewer than 65500 ids keep the .bin uint16" {
	rec a hi >in.jsonl
	run -0 tiny --special '<|endoftext|>=65498' --output out in.jsonl
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
	assert_equal "$stderr" "dtype=8 sequences=1 documents=1"
}

@test "tokenize: the end-of-document token ends every sequence; --eod none drops it" {
	{ rec a hi; rec b ''; } >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --output one in.jsonl
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" one
	assert_output - <<-'EOF'
	104 105 300
	300
	EOF
	run -0 tiny --special '<|endoftext|>=300' --eod none --output two in.jsonl
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" two
	assert_output - <<-'EOF'
	104 105

	EOF
}

@test "tokenize: --eod names any special token" {
	rec a hi >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --special '<|end|>=301' \
	    --eod '<|end|>' --output out in.jsonl
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
	assert_output "104 105 301"
}

@test "tokenize: no input makes an empty, valid dataset" {
	run -0 tiny --output out </dev/null
	run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
	assert_output ""
	assert_equal "$stderr" "dtype=8 sequences=0 documents=0"
}

@test "tokenize: --output passes every record through unchanged" {
	printf '%s\n' '{"z":1,"id":"a","text":"h\u00e9","x":{"y":[1.50,"\/"]}}' >in.jsonl
	run -0 tiny --output out in.jsonl
	assert_output - <in.jsonl
}

@test "tokenize: --doc-index maps each sequence to its document" {
	{ rec a hi; echo '{"id":"b"}'; rec 'c,d' there; } >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --output out --doc-index map.csv \
	    --rejects rej.csv in.jsonl
	run cat map.csv
	assert_output - <<-'EOF'
	index,id,tokens
	0,a,3
	1,"c,d",6
	EOF
}

@test "tokenize: --stats counts documents, tokens and options" {
	{ rec a hi; rec b the; echo '{"id":"c"}'; } >in.jsonl
	run -0 tiny --special '<|endoftext|>=300' --output out --stats st.json \
	    --rejects rej.csv in.jsonl
	run jq -c '[.records_in, .records_out, .rejected, .figures]' st.json
	assert_output '[3,2,{"tokenize.no_text":1},{"documents":2,"tokens":7,"text_tokens":5,"eod_tokens":2,"pieces":5,"max_document_tokens":3,"text_bytes":5}]'
	run jq -r '.options | "\(.mode) \(.eod) \(.eod_id) \(.dtype) \(.ids) \(.vocab_tokens) \(.pattern)"' st.json
	assert_output "output <|endoftext|> 300 uint16 301 289 regex"
	assert_equal "$(jq -r .options.vocab_sha256 st.json)" "$(sha256sum "$TINY" | cut -c1-64)"
}

# threaded ARGS...: mixed text with refused records here and there, through
# quire-tokenize on the tiny vocabulary with cl100k_base's pattern.
threaded_input() {
	perl "$FIX/gen-mixed.pl" 2 6000 |
	    awk 'NR % 997 == 0 { print "{\"id\":\"bad" NR "\"}" }
		NR % 1499 == 0 { print "{\"id\":7,\"text\":\"x\"}" } { print }'
}

@test "tokenize: --threads 2 and 3 write the same dataset, doc index, records, rejects and stats as one thread" {
	local n f
	threaded_input >in.jsonl
	for n in 1 2 3; do
		echo "threads: $n"
		quire-tokenize -q --vocab "$TINY" --pattern cl100k_base \
		    --special '<|endoftext|>=300' --threads "$n" --output "out$n" \
		    --doc-index "map$n.csv" --rejects "rej$n.csv" \
		    --stats "st$n.json" in.jsonl >"pass$n.jsonl"
	done
	# More than one batch of 1 MiB, and refused records among them.
	[ "$(stat -c %s in.jsonl)" -gt 3000000 ]
	[ "$(wc -l <rej1.csv)" -eq 10 ]
	for n in 2 3; do
		for f in out.bin out.idx map.csv rej.csv st.json pass.jsonl; do
			echo "threads $n: $f"
			cmp "${f%%.*}1.${f#*.}" "${f%%.*}$n.${f#*.}"
		done
	done
}

@test "tokenize: --threads 2 writes the same --ids lines as one thread" {
	threaded_input >in.jsonl
	quire-tokenize --vocab "$TINY" --pattern o200k_base --ids \
	    --rejects rej1.csv in.jsonl >ids1.jsonl
	quire-tokenize --vocab "$TINY" --pattern o200k_base --ids --threads 2 \
	    --rejects rej2.csv in.jsonl >ids2.jsonl
	[ "$(wc -l <ids1.jsonl)" -eq 6000 ]
	cmp ids1.jsonl ids2.jsonl
	cmp rej1.csv rej2.csv
}

@test "tokenize: --threads takes 1 to 64" {
	local n want
	while IFS=@ read -r n want; do
		echo "--threads $n"
		run -64 --separate-stderr tiny --ids --threads "$n" </dev/null
		assert_equal "$(head -n 1 <<<"$stderr")" "quire-tokenize: $want"
	done <<-'EOF'
	0@--threads: 0 is out of range 1..64
	65@--threads: 65 is out of range 1..64
	two@--threads: not a number: two
	EOF
	rec a hi | tiny --ids --threads 64 >ids.jsonl
	run -0 cat ids.jsonl
	assert_output '{"id":"a","tokens":[104,105]}'
}

@test "tokenize: a malformed record stops a run on two threads with 65 and no output files" {
	{ threaded_input; echo 'broken'; } >in.jsonl
	run -65 --separate-stderr tiny --threads 2 --output out --doc-index map.csv in.jsonl
	assert_equal "$(tail -n 1 <<<"$stderr")" "quire-tokenize: in.jsonl:6011: malformed record: unexpected character"
	run ls -A
	refute_line --regexp '^(out|map)'
	assert_line in.jsonl
}

@test "tokenize: a failed run leaves no .bin, .idx or doc index" {
	{ rec a hi; echo 'broken'; } >in.jsonl
	run -65 tiny --output out --doc-index map.csv in.jsonl
	run ls -A
	assert_output "in.jsonl"
}

@test "tokenize: an output folder that does not exist exits 74" {
	rec a hi >in.jsonl
	run -74 tiny --output nowhere/out in.jsonl
	assert_output --partial 'nowhere/out.bin'
}

# --- exactness against tiktoken ------------------------------------------------

@test "tokenize: gpt2 ids equal tiktoken's on the test cases, id for id" {
	need_oracle
	node "$ORACLE_DIR/encode.js" gpt2 <"$FIX/cases.jsonl" >want.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/gpt2.tiktoken" --pattern gpt2 \
	    --ids "$FIX/cases.jsonl"
	assert_output - <want.jsonl
}

@test "tokenize: r50k_base is gpt2's pattern and special token" {
	need_oracle
	node "$ORACLE_DIR/encode.js" gpt2 <"$FIX/cases.jsonl" >want.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/gpt2.tiktoken" --pattern r50k_base \
	    --ids "$FIX/cases.jsonl"
	assert_output - <want.jsonl
}

@test "tokenize: cl100k_base ids equal tiktoken's on the test cases, id for id" {
	need_oracle
	node "$ORACLE_DIR/encode.js" cl100k_base <"$FIX/cases.jsonl" >want.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/cl100k_base.tiktoken" \
	    --pattern cl100k_base --ids "$FIX/cases.jsonl"
	assert_output - <want.jsonl
}

@test "tokenize: o200k_base ids equal tiktoken's on the test cases, id for id" {
	need_oracle
	node "$ORACLE_DIR/encode.js" o200k_base <"$FIX/cases.jsonl" >want.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/o200k_base.tiktoken" \
	    --pattern o200k_base --ids "$FIX/cases.jsonl"
	assert_output - <want.jsonl
}

@test "tokenize: ids equal tiktoken's on the scanner's edge cases and megabytes of generated mixed text" {
	need_oracle
	local enc
	cat "$FIX/edges.jsonl" "$BATS_FILE_TMPDIR/mixed.jsonl" >all.jsonl
	for enc in gpt2 cl100k_base o200k_base; do
		echo "encoding: $enc"
		node "$ORACLE_DIR/encode.js" "$enc" <all.jsonl >want.jsonl
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --ids all.jsonl >got.jsonl
		cmp got.jsonl want.jsonl
	done
}

@test "tokenize: ids equal tiktoken's on the mixed text with --threads 2" {
	need_oracle
	local enc
	for enc in cl100k_base o200k_base; do
		echo "encoding: $enc"
		node "$ORACLE_DIR/encode.js" "$enc" <"$BATS_FILE_TMPDIR/mixed.jsonl" >want.jsonl
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --ids --threads 2 "$BATS_FILE_TMPDIR/mixed.jsonl" >got.jsonl
		cmp got.jsonl want.jsonl
	done
}

@test "tokenize: the built-in patterns' scanner cuts as PCRE2 does (--pcre2-only)" {
	need_oracle
	local enc
	cat "$FIX/cases.jsonl" "$FIX/edges.jsonl" "$BATS_FILE_TMPDIR/mixed.jsonl" >all.jsonl
	for enc in gpt2 cl100k_base o200k_base; do
		echo "encoding: $enc"
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --ids all.jsonl >got.jsonl
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --pcre2-only --ids all.jsonl >want.jsonl
		cmp got.jsonl want.jsonl
	done
}

@test "tokenize: --regex with a built-in pattern's text gives that pattern's ids" {
	need_oracle
	local re
	re=$(quire-tokenize -q --vocab "$TINY" --pattern o200k_base --ids \
	    --stats st.json </dev/null && jq -r .options.regex st.json)
	quire-tokenize --vocab "$VOCABS/o200k_base.tiktoken" --pattern o200k_base \
	    --ids "$FIX/edges.jsonl" >want.jsonl
	quire-tokenize --vocab "$VOCABS/o200k_base.tiktoken" --regex "$re" \
	    --eod none --ids "$FIX/edges.jsonl" >got.jsonl
	cmp got.jsonl want.jsonl
}

@test "tokenize: decode(encode(x)) == x on the cases and the mixed text" {
	need_oracle
	local enc
	cat "$FIX/cases.jsonl" "$BATS_FILE_TMPDIR/mixed.jsonl" >all.jsonl
	jq -c '{id, text}' all.jsonl >want.jsonl
	for enc in gpt2 cl100k_base o200k_base; do
		echo "encoding: $enc"
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --ids all.jsonl >ids.jsonl
		quire-tokenize --vocab "$VOCABS/$enc.tiktoken" --decode ids.jsonl |
		    jq -c . | cmp - want.jsonl
	done
}

@test "tokenize: .bin/.idx hold tiktoken's ids and the standard end token, read back independently" {
	need_oracle
	local enc eod dtype
	while read -r enc eod dtype; do
		echo "encoding: $enc"
		node "$ORACLE_DIR/encode.js" "$enc" <"$BATS_FILE_TMPDIR/mixed.jsonl" |
		    jq -r --argjson e "$eod" '.tokens + [$e] | map(tostring) | join(" ")' >want.txt
		quire-tokenize -q --vocab "$VOCABS/$enc.tiktoken" --pattern "$enc" \
		    --output out "$BATS_FILE_TMPDIR/mixed.jsonl" >/dev/null
		run -0 --separate-stderr perl "$FIX/read-megatron.pl" out
		assert_output - <want.txt
		assert_equal "$stderr" "dtype=$dtype sequences=5000 documents=5000"
	done <<-EOF
	gpt2 50256 8
	cl100k_base 100257 4
	o200k_base 199999 4
	EOF
}

@test "tokenize: the built-in names bring their special tokens for --decode" {
	need_oracle
	echo '{"id":"a","tokens":[100257,100258,100276]}' >ids.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/cl100k_base.tiktoken" \
	    --pattern cl100k_base --decode ids.jsonl
	assert_output '{"id":"a","text":"<|endoftext|><|fim_prefix|><|endofprompt|>"}'
}

@test "tokenize: U+180E is not white space, as in tiktoken" {
	need_oracle
	printf '{"id":"m","text":"a\\u180e b \\u180e\\u180e  c\\u180e"}\n' >in.jsonl
	node "$ORACLE_DIR/encode.js" cl100k_base <in.jsonl >want.jsonl
	run -0 quire-tokenize --vocab "$VOCABS/cl100k_base.tiktoken" \
	    --pattern cl100k_base --ids in.jsonl
	assert_output - <want.jsonl
}

# --- the man page's examples ---------------------------------------------------

@test "tokenize: the man page's examples run" {
	need_oracle
	cp "$VOCABS/cl100k_base.tiktoken" .
	rec w1 'The tide keeps the jar.' >shard.jsonl
	run -0 quire-tokenize --vocab cl100k_base.tiktoken --pattern cl100k_base \
	    --output shard --doc-index shard.csv --stats stats.json shard.jsonl
	[ -s shard.bin ] && [ -s shard.idx ]
	run -0 quire-tokenize --vocab cl100k_base.tiktoken --pattern cl100k_base --ids shard.jsonl
	assert_output '{"id":"w1","tokens":[791,43038,13912,279,30695,13]}'
	quire-tokenize --vocab cl100k_base.tiktoken --pattern cl100k_base --ids shard.jsonl >ids.jsonl
	run -0 quire-tokenize --vocab cl100k_base.tiktoken --decode ids.jsonl
	assert_output '{"id":"w1","text":"The tide keeps the jar."}'
	mkdir shards
	zstd -q shard.jsonl -o shards/sample-train-00000.jsonl.zst
	cp "$VOCABS/o200k_base.tiktoken" ranks.tiktoken
	zstd -dc shards/sample-train-00000.jsonl.zst |
	    quire-tokenize -q --vocab ranks.tiktoken --pattern o200k_base \
	    --threads 2 --output shards/sample-train-00000 >/dev/null
	run -0 perl "$FIX/read-megatron.pl" shards/sample-train-00000
	assert_output --partial ' 199999'
}

@test "tokenize: --own-specials drops the pattern's built-in special tokens" {
	rec='{"id":"a","text":"hi"}'
	# gpt2 brings <|endoftext|> = 50256: a small .bin needs it gone.
	run -0 quire-tokenize --vocab "$TINY" --pattern gpt2 --own-specials \
	    --special '<|endoftext|>=300' --output own <<<"$rec"
	run -0 od -A n -t u1 -j 17 -N 1 own.idx
	assert_equal "$(echo $output)" 8
	run -0 od -A n -t u2 own.bin
	assert_equal "$(echo $output)" "104 105 300"
	# Without --special no token ends a document.
	run -0 quire-tokenize --vocab "$TINY" --pattern gpt2 --own-specials \
	    --output none <<<"$rec"
	run -0 od -A n -t u2 none.bin
	assert_equal "$(echo $output)" "104 105"
}

@test "tokenize: a rank file of few tokens with a huge rank is refused (78), not a 16 GiB table" {
	# Found by tests/fuzz/fuzz_bpe: one token ranked 2147483646.
	run -78 quire-tokenize --vocab "$ROOT/tests/fuzz/crashes/bpe-oom-highest-rank" \
	    --pattern gpt2 --ids </dev/null
	assert_output --partial "the ranks leave too large a gap"
}
