#!/usr/bin/env bats
# quire-bpe-train: a byte-level BPE vocabulary learned from the records'
# text, written as a .tiktoken rank file.  Tiny corpora check merges and
# ties by hand; fixtures/bpe-train/naive-train.js, a slow and obvious
# trainer, checks the incremental counts on larger ones; the npm package
# tiktoken (installed into tests/oracle, as tokenize.bats does) loads the
# trained ranks and must give quire-tokenize's ids.
bats_require_minimum_version 1.5.0
load test_helper/common-setup

setup_file() {
	local root oracle
	root="$(cd "$(dirname "$BATS_TEST_FILENAME")/.." && pwd)"
	oracle="$root/tests/oracle"
	# Only a registry that cannot be reached skips the oracle tests.
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
	ORACLE=yes
}

setup() {
	_common_setup
}

need_oracle() {
	[ "$ORACLE" = yes ] || skip "${ORACLE#skip: }"
}

rec() {
	printf '{"id":"%s","text":"%s"}\n' "$1" "$2"
}

# merges FILE: the learned tokens of a rank file (ranks 256 on), one a
# line as "RANK BYTES".
merges() {
	local b64 rank
	tail -n +257 "$1" | while read -r b64 rank; do
		printf '%s %s\n' "$rank" "$(printf '%s' "$b64" | base64 -d)"
	done
}

# words ARGS...: train on in.jsonl, pieces are runs of a-z and single spaces.
words() {
	quire-bpe-train --regex '[a-z]+| ' --output out.tiktoken "$@" in.jsonl
}

# The sample drop as the text to learn from.
drop_records() {
	quire-ingest "$ROOT/samples/drop" 2>/dev/null | quire-normalize
}

# --- command line --------------------------------------------------------

@test "bpe-train: -h prints the usage on stdout and exits 0" {
	run -0 --separate-stderr quire-bpe-train -h
	assert_line --index 0 'usage: quire-bpe-train [-hq] --size N (--pattern NAME | --regex RE) --output FILE'
	assert_equal "$stderr" ""
}

@test "bpe-train: --version prints the name and version" {
	run -0 quire-bpe-train --version
	assert_output --regexp '^quire-bpe-train [0-9]+\.[0-9]+\.[0-9]+$'
}

version_to_full() { quire-bpe-train --version >/dev/full; }

@test "bpe-train: --version to a full disk exits 74" {
	run -74 --separate-stderr version_to_full
	assert_equal "$stderr" "quire-bpe-train: write error: <stdout>: No space left on device"
}

@test "bpe-train: an unknown option exits 64 with the usage" {
	run -64 --separate-stderr quire-bpe-train -Z
	assert_equal "$(sed -n 2p <<<"$stderr" | cut -c1-23)" "usage: quire-bpe-train "
}

@test "bpe-train: usage errors exit 64 with a reason" {
	local args want
	while IFS='@' read -r args want; do
		echo "args: $args"
		eval "run -64 --separate-stderr quire-bpe-train $args </dev/null"
		assert_equal "$(head -n 1 <<<"$stderr")" "quire-bpe-train: $want"
	done <<-'EOF'
	--pattern gpt2 --output o.tiktoken@--size N is required
	--size 300 --output o.tiktoken@--pattern NAME or --regex RE is required
	--size 300 --pattern gpt2@--output FILE is required
	--size 300 --pattern gpt2 --output ''@--output: empty file name
	--size 300 --pattern gpt2 --regex x --output o@--pattern and --regex: one, once
	--size 300 --regex x --pattern gpt2 --output o@--pattern and --regex: one, once
	--size 300 --pattern gpt3 --output o@--pattern: unknown name 'gpt3' (names: gpt2, r50k_base, cl100k_base, o200k_base)
	--size 300 --regex '(a' --output o@--regex: at offset 2: missing closing parenthesis
	--size 255 --pattern gpt2 --output o@--size: 255 is out of range 256..2147483647
	--size 2147483648 --pattern gpt2 --output o@--size: 2147483648 is out of range 256..2147483647
	--size 3e4 --pattern gpt2 --output o@--size: not a number: 3e4
	--size 300 --min-count 0 --pattern gpt2 --output o@--min-count: 0 is out of range 1..4611686018427387903
	--pattern gpt2 --counts-out c --size 300@--counts-out only counts: no --size, --output or --min-count
	--pattern gpt2 --counts-out c --output o@--counts-out only counts: no --size, --output or --min-count
	--pattern gpt2 --counts-out c --min-count 3@--counts-out only counts: no --size, --output or --min-count
	--pattern gpt2 --counts-out ''@--counts-out: empty file name
	--counts-out c@--pattern NAME or --regex RE is required
	--counts-in --pattern gpt2 --output o@--size N is required
	--size 300 --pattern gpt2 --output o --threads 0@--threads: 0 is out of range 1..64
	--pattern gpt2 --counts-out c --train-split 1.5@--train-split: 1.5 is out of range 0..1
	--pattern gpt2 --counts-out c --train-split .5@--train-split: not a decimal fraction: .5
	--pattern gpt2 --counts-out c --train-split 0.0000001@--train-split: more than 6 decimals: 0.0000001
	--counts-in --pattern gpt2 --counts-out c --train-split 0.1@--train-split splits records, not counts files: no --counts-in
	EOF
}

@test "bpe-train: a missing input file exits 66" {
	run -66 quire-bpe-train --size 300 --pattern gpt2 --output out.tiktoken nope.jsonl
	assert_output --partial 'nope.jsonl'
	run ls -A
	assert_output ""
}

@test "bpe-train: a malformed record exits 65 naming the line, and writes nothing" {
	{ rec a 'ab ab'; echo 'not json'; } >in.jsonl
	run -65 words --size 257
	assert_output --partial 'in.jsonl:2'
	run ls -A
	assert_output "in.jsonl"
}

@test "bpe-train: an escaped lone surrogate is a malformed record (65)" {
	printf '%s\n' '{"id":"a","text":"ab\ud800"}' >in.jsonl
	run -65 words --size 257
	assert_output --partial 'in.jsonl:1'
}

@test "bpe-train: an output folder that does not exist exits 74" {
	rec a 'ab ab' >in.jsonl
	run -74 quire-bpe-train --regex '[a-z]+| ' --size 257 \
	    --output nowhere/out.tiktoken in.jsonl
	assert_output --partial 'nowhere/out.tiktoken'
}

@test "bpe-train: a text too small for --size exits 78 and writes nothing" {
	{ rec a 'ab ab cd'; } >in.jsonl
	run -78 words --size 258
	assert_output "quire-bpe-train: only 257 tokens: no pair left has a count of 2 or more (lower --size or --min-count)"
	run ls -A
	assert_output "in.jsonl"
}

@test "bpe-train: no input at all exits 78 unless --size is 256" {
	run -78 quire-bpe-train --pattern gpt2 --size 257 --output out.tiktoken </dev/null
	assert_output --partial 'only 256 tokens'
	run -0 quire-bpe-train --pattern gpt2 --size 256 --output out.tiktoken </dev/null
	assert_equal "$(wc -l <out.tiktoken)" 256
}

@test "bpe-train: -q is accepted and shows nothing on stderr" {
	rec a 'ab ab' >in.jsonl
	run -0 --separate-stderr words -q --size 257
	assert_equal "$stderr" ""
	assert_output ""
}

# --- the rank file -------------------------------------------------------

@test "bpe-train: the rank file starts with the 256 bytes in byte order" {
	rec a 'ab ab' >in.jsonl
	run -0 words --size 257
	run -0 head -n 256 out.tiktoken
	assert_output - < <(for b in $(seq 0 255); do
		printf '%s %d\n' "$(printf "\\x$(printf %02x "$b")" | base64)" "$b"
	done)
	assert_equal "$(sed -n 257p out.tiktoken)" "YWI= 256"
}

@test "bpe-train: merges are learned most frequent first, also across merged tokens" {
	# "abab" twice, "ab" once: (a,b) is seen 5 times, (b,a) twice; then
	# in "ab ab" twice, (ab,ab) twice.
	rec a 'abab abab ab' >in.jsonl
	run -0 words --size 258 --min-count 1
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 ab
	257 abab
	EOF
}

@test "bpe-train: ties go to the lowest left rank, then the lowest right rank" {
	# (a,c), (a,b) and (c,d) are each seen once: a before c, then b
	# before c.
	rec a 'ac ab cd' >in.jsonl
	run -0 words --size 259 --min-count 1
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 ab
	257 ac
	258 cd
	EOF
}

@test "bpe-train: the count comes before the ranks" {
	rec a 'zz zz ab' >in.jsonl
	run -0 words --size 258 --min-count 1
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 zz
	257 ab
	EOF
}

@test "bpe-train: a byte pair wins a tie against a pair with a learned token" {
	# (a,b), (b,c), (x,y) twice each: ab first; then (ab,c) = (256,99)
	# and (x,y) = (120,121) twice each: xy first, its left rank is lower.
	rec a 'abc abc xy xy' >in.jsonl
	run -0 words --size 259
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 ab
	257 xy
	258 abc
	EOF
}

@test "bpe-train: overlapping places count, and merge left to right" {
	# (a,a) is seen 3 + 2 = 5 times; "aaaa" becomes (aa,aa) and "aaa"
	# becomes (aa,a): a tie that a (97) wins over aa (256) on the right.
	rec a 'aaaa aaa' >in.jsonl
	run -0 words --size 259 --min-count 1 --stats st.json
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 aa
	257 aaa
	258 aaaa
	EOF
	assert_equal "$(jq .figures.last_merge_count st.json)" 1
}

@test "bpe-train: --min-count stops pairs seen fewer times" {
	rec a 'ab ab ab cd cd' >in.jsonl
	run -0 words --size 258 --min-count 2
	run -78 words --size 258 --min-count 3
	assert_output --partial 'only 257 tokens: no pair left has a count of 3 or more'
}

@test "bpe-train: pieces never merge across the pattern's edges" {
	# Per character, no piece has a pair: nothing to learn.
	rec a 'abab abab' >in.jsonl
	run -78 quire-bpe-train --regex '(?s).' --size 257 --min-count 1 \
	    --output out.tiktoken in.jsonl
	run -0 quire-bpe-train --regex '(?s).+' --size 258 --min-count 1 \
	    --output out.tiktoken in.jsonl
	run merges out.tiktoken
	assert_output - <<-'EOF'
	256 ab
	257 abab
	EOF
}

@test "bpe-train: no token is longer than quire-tokenize loads (65535 bytes)" {
	# 2^17 a's in one piece: aa, aaaa, ... up to 2^15 bytes; 2^16 is too
	# long, and nothing else is left.
	awk 'BEGIN { s = "a"; while (length(s) < 131072) s = s s;
	    printf "{\"id\":\"r\",\"text\":\"%s\"}\n", s }' >in.jsonl
	run -78 quire-bpe-train --regex '(?s).+' --min-count 1 --size 272 \
	    --output out.tiktoken in.jsonl
	assert_output "quire-bpe-train: only 271 tokens: no pair left has a count of 1 or more and at most 65535 bytes (lower --size or --min-count)"
	run -0 quire-bpe-train --regex '(?s).+' --min-count 1 --size 271 \
	    --output out.tiktoken in.jsonl
	run -0 quire-tokenize --vocab out.tiktoken --regex '(?s).+' --ids in.jsonl
	assert_output '{"id":"r","tokens":[270,270,270,270]}'
}

@test "bpe-train: the merges equal a naive trainer's on the sample drop" {
	local re='[A-Za-z]+| ?[0-9]+|[^A-Za-z0-9]'
	drop_records >in.jsonl
	node "$FIX/naive-train.js" 1000 2 "$re" <in.jsonl >want.tiktoken
	run -0 quire-bpe-train --size 1000 --regex "$re" --output out.tiktoken in.jsonl
	cmp out.tiktoken want.tiktoken
}

@test "bpe-train: the merges equal a naive trainer's on generated mixed text" {
	local re=' ?\p{L}+| ?\p{N}+| ?[^ \p{L}\p{N}]+| +'
	perl "$ROOT/tests/fixtures/tokenize/gen-mixed.pl" 3 300 >in.jsonl
	node "$FIX/naive-train.js" 800 2 "$re" <in.jsonl >want.tiktoken
	run -0 quire-bpe-train --size 800 --regex "$re" --output out.tiktoken in.jsonl
	cmp out.tiktoken want.tiktoken
}

# --- determinism ------------------------------------------------------------

@test "bpe-train: the same text gives the same bytes" {
	drop_records >in.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output one.tiktoken in.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output two.tiktoken in.jsonl
	cmp one.tiktoken two.tiktoken
}

@test "bpe-train: --threads shares the large merges out and learns the same ranks" {
	# 240,000 random words after four beginnings: the first merges visit
	# more distinct pieces than a merge needs to be shared out (16,384).
	perl -e 'srand(7); @p = qw(th an re in); for $i (1..800) {
	    print "{\"id\":\"d$i\",\"text\":\""; for (1..300) { $w = "";
	    $w .= chr(97 + int(rand(26))) for 1..(2 + int(rand(8)));
	    print " $p[rand 4]$w" } print "\"}\n" }' >in.jsonl
	quire-bpe-train --size 1500 --pattern cl100k_base --stats one.json \
	    --output one.tiktoken in.jsonl
	[ "$(jq .figures.shared_merges one.json)" = 0 ]
	for n in 2 3 8; do
		quire-bpe-train --size 1500 --pattern cl100k_base --threads $n \
		    --stats $n.json --output $n.tiktoken in.jsonl
		cmp one.tiktoken $n.tiktoken
		[ "$(jq .figures.shared_merges $n.json)" -gt 0 ]
		diff <(jq 'del(.figures.shared_merges)' one.json) \
		    <(jq 'del(.figures.shared_merges)' $n.json)
	done
	# More threads than pieces: the parts of the first count are empty.
	rec a 'abab abab ab' >tiny.jsonl
	quire-bpe-train --size 258 --min-count 1 --regex '[a-z]+| ' \
	    --output t1.tiktoken tiny.jsonl
	quire-bpe-train --size 258 --min-count 1 --regex '[a-z]+| ' \
	    --threads 64 --output t64.tiktoken tiny.jsonl
	cmp t1.tiktoken t64.tiktoken
}

@test "bpe-train: record order and files do not matter" {
	drop_records >in.jsonl
	tac in.jsonl >rev.jsonl
	head -n 10 in.jsonl >a.jsonl
	tail -n +11 in.jsonl >b.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output one.tiktoken in.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output two.tiktoken <rev.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output three.tiktoken b.jsonl - <a.jsonl
	cmp one.tiktoken two.tiktoken
	cmp one.tiktoken three.tiktoken
}

# --- rejects -----------------------------------------------------------------

@test "bpe-train: a record without text goes to the rejects as bpe-train.no_text" {
	printf '%s\n' '{"id":"a","source":{"submission":"s1"},"writer":"w1"}' \
	    '{"id":"b","text":5}' '{"id":"c","text":"ab ab"}' >in.jsonl
	run -0 words --size 257 --rejects rej.csv
	run cat rej.csv
	assert_output - <<-'EOF'
	a,s1,w1,bpe-train,bpe-train.no_text,in.jsonl:1: no text field
	b,,,bpe-train,bpe-train.no_text,in.jsonl:2: text is not a string
	EOF
}

@test "bpe-train: text a --regex leaves out is bpe-train.unmatched, and none of it counts" {
	# The first record's "ab ab" would make ab the first merge.
	{ rec a 'ab ab Z'; rec b 'cd'; } >in.jsonl
	run -0 words --size 257 --min-count 1 --rejects rej.csv
	run cat rej.csv
	assert_output "a,,,bpe-train,bpe-train.unmatched,in.jsonl:1: byte 6 is in no match of the pattern"
	run merges out.tiktoken
	assert_output "256 cd"
}

@test "bpe-train: a --regex that matches the empty string is bpe-train.unmatched" {
	rec a 'ab' >in.jsonl
	run -0 quire-bpe-train --regex 'x*' --size 256 --output out.tiktoken \
	    --rejects rej.csv in.jsonl
	run cut -d, -f5- rej.csv
	assert_output "bpe-train.unmatched,in.jsonl:1: byte 0 is in no match of the pattern"
}

@test "bpe-train: a match the engine cannot finish is bpe-train.regex" {
	# Nested quantifiers on a long subject exhaust PCRE2's match limit.
	awk 'BEGIN { s = "a"; while (length(s) < 40) s = s "a";
	    printf "{\"id\":\"a\",\"text\":\"%sbc\"}\n", s }' >in.jsonl
	run -0 quire-bpe-train --regex '(?:(a+)+)+c|(?s).' --size 256 \
	    --output out.tiktoken --rejects rej.csv in.jsonl
	run cut -d, -f5 rej.csv
	assert_output "bpe-train.regex"
}

@test "bpe-train: without --rejects, a reject row goes to stderr" {
	{ echo '{"id":"a"}'; rec b 'ab ab'; } >in.jsonl
	run -0 --separate-stderr words --size 257
	assert_equal "$stderr" "quire-bpe-train: reject: a,,,bpe-train,bpe-train.no_text,in.jsonl:1: no text field"
}

# --- statistics -----------------------------------------------------------------

@test "bpe-train: --stats counts records, pieces, pairs and merges" {
	{ rec a 'abab abab ab'; echo '{"id":"b"}'; } >in.jsonl
	run -0 words --size 258 --min-count 1 --stats st.json --rejects rej.csv
	run jq -c '[.records_in, .records_out, .rejected, .bytes_out, .figures]' st.json
	assert_output "[2,1,{\"bpe-train.no_text\":1},$(wc -c <out.tiktoken),{\"text_bytes\":12,\"pieces\":5,\"distinct_pieces\":3,\"distinct_piece_bytes\":7,\"pairs\":4,\"merges\":2,\"tokens\":258,\"last_merge_count\":2,\"long_pairs\":0,\"duplicate_pairs\":0,\"shared_merges\":0}]"
	run jq -c .options st.json
	assert_output '{"size":258,"min_count":1,"pattern":"regex","regex":"[a-z]+| "}'
}

# --- counts files: counting apart, training on the sums ----------------------

# deal K: in.jsonl's records dealt round-robin into part-1.jsonl ...
# part-K.jsonl (no file is empty for K up to 30).
deal() {
	awk -v k="$1" '{ print > ("part-" (NR - 1) % k + 1 ".jsonl") }' in.jsonl
}

# counts_of FILE: FILE's records counted into FILE.counts, rejects to rej.csv.
counts_of() {
	quire-bpe-train -q --pattern cl100k_base --counts-out "$1.counts" \
	    --rejects rej.csv "$1"
}

# the sample drop's records and one without text, for counts files.
counted_records() {
	drop_records >in.jsonl
	printf '%s\n' '{"id":"x","writer":"w9"}' >>in.jsonl
}

@test "bpe-train: training on the counts of split records gives one run's rank file, stats and rejects" {
	local k f
	counted_records
	quire-bpe-train --size 1000 --pattern cl100k_base --output one.tiktoken \
	    --stats one.json --rejects one.csv in.jsonl
	for k in 1 2 3 7; do
		echo "# $k parts"
		rm -f part-*.jsonl* rej.csv
		deal "$k"
		for f in part-*.jsonl; do
			counts_of "$f"
		done
		run -0 quire-bpe-train --counts-in --size 1000 \
		    --pattern cl100k_base --output split.tiktoken \
		    --stats split.json part-*.counts
		cmp one.tiktoken split.tiktoken
		cmp one.json split.json
		# The rows name the file and line the counting run read.
		assert_equal "$(cut -d, -f1-5 rej.csv)" "$(cut -d, -f1-5 one.csv)"
	done
}

@test "bpe-train: --train-split counts what quire-shard puts in the training shards" {
	local share
	counted_records
	for share in 0 0.3 0.5 1; do
		echo "# share $share"
		rm -rf shards && mkdir shards
		quire-shard -q -n s -d shards -v $share -s 4k --rejects shard-rej.csv \
		    <in.jsonl >/dev/null
		if compgen -G 'shards/s-train-*' >/dev/null; then
			zstd -q -dc shards/s-train-*.jsonl.zst >train.jsonl
		else
			: >train.jsonl
		fi
		quire-bpe-train -q --pattern cl100k_base --counts-out want.counts \
		    --rejects want-rej.csv train.jsonl
		quire-bpe-train -q --pattern cl100k_base --counts-out got.counts \
		    --train-split $share --stats st.json --rejects rej.csv in.jsonl
		cmp want.counts got.counts
		[ "$(jq .figures.validation_skipped st.json)" -eq \
		    "$(($(wc -l <in.jsonl) - $(wc -l <train.jsonl)))" ]
		run jq -r .options.train_split st.json
		assert_output "$share"
	done
	# quire-shard's reject of a record without an id, here too.
	printf '%s\n' '{"text":"no id"}' '{"id":"","text":"empty"}' >noid.jsonl
	run -0 quire-bpe-train -q --pattern cl100k_base --counts-out n.counts \
	    --train-split 0.5 --rejects noid-rej.csv noid.jsonl
	run cut -d, -f5,6 noid-rej.csv
	assert_output - <<-'EOF'
	bpe-train.no_id,noid.jsonl:1: no id (--train-split)
	bpe-train.no_id,noid.jsonl:2: id is empty (--train-split)
	EOF
}

@test "bpe-train: a counts file does not depend on the records' order" {
	counted_records
	tac in.jsonl >rev.jsonl
	counts_of in.jsonl
	counts_of rev.jsonl
	cmp in.jsonl.counts rev.jsonl.counts
}

@test "bpe-train: --counts-in with --counts-out adds counts files into one" {
	counted_records
	deal 3
	counts_of part-1.jsonl
	counts_of part-2.jsonl
	counts_of part-3.jsonl
	counts_of in.jsonl
	run -0 quire-bpe-train --counts-in --pattern cl100k_base \
	    --counts-out sum.counts part-3.jsonl.counts part-1.jsonl.counts \
	    part-2.jsonl.counts
	cmp sum.counts in.jsonl.counts
}

@test "bpe-train: --counts-in reads a counts file on stdin" {
	counted_records
	counts_of in.jsonl
	quire-bpe-train --size 1000 --pattern cl100k_base --output one.tiktoken in.jsonl
	run -0 quire-bpe-train --counts-in --size 1000 --pattern cl100k_base \
	    --output two.tiktoken <in.jsonl.counts
	cmp one.tiktoken two.tiktoken
}

@test "bpe-train: --counts-out --stats counts records and pieces" {
	{ rec a 'abab abab ab'; echo '{"id":"b"}'; } >in.jsonl
	run -0 quire-bpe-train --regex '[a-z]+| ' --counts-out c.counts \
	    --stats st.json --rejects rej.csv in.jsonl
	run jq -c '[.records_in, .records_out, .rejected, .bytes_out, .options, .figures]' st.json
	assert_output "[2,1,{\"bpe-train.no_text\":1},$(wc -c <c.counts),{\"pattern\":\"regex\",\"regex\":\"[a-z]+| \"},{\"text_bytes\":12,\"pieces\":5,\"distinct_pieces\":3,\"distinct_piece_bytes\":7}]"
}

@test "bpe-train: a missing counts file exits 66 and writes nothing" {
	run -66 quire-bpe-train --counts-in --size 300 --pattern gpt2 \
	    --output out.tiktoken nope.counts
	assert_output --partial 'nope.counts'
	run ls -A
	assert_output ""
}

@test "bpe-train: counts of another pattern exit 78" {
	counted_records
	counts_of in.jsonl
	run -78 quire-bpe-train --counts-in --size 300 --pattern gpt2 \
	    --output out.tiktoken in.jsonl.counts
	assert_output "quire-bpe-train: in.jsonl.counts: counted with another pre-tokenizer pattern than --pattern"
	assert [ ! -e out.tiktoken ]
}

# put FILE OFFSET HEX: overwrite FILE's byte at OFFSET.
put() {
	printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

@test "bpe-train: truncated or corrupt counts files exit 65 and write nothing" {
	local n name want
	{ rec a 'abab abab ab'; echo '{"id":"b"}'; } >in.jsonl
	quire-bpe-train --regex '[a-z]+| ' --counts-out c.counts in.jsonl 2>/dev/null
	n=$(wc -c <c.counts)
	# Layout, 156 bytes: magic 0, version 8, regex 12 (length) and 16,
	# records_in 24, records_out 32, bytes_in 40, text_bytes 48, pieces
	# 56, 1 reason at 64: length 68, name 72, count 89; 3 pieces at 97:
	# " " at 105 (count 110), "ab" at 118 (count 124), "abab" at 132
	# (bytes 136, count 140); the checksum at 148.
	assert_equal "$n" 156
	for cut in 0 5 8 11 20 40 66 100 126 147 155; do
		head -c "$cut" c.counts >"cut-$cut.counts"
	done
	cp c.counts v2.counts; put v2.counts 8 02
	cp c.counts sum.counts; put sum.counts 40 ff
	cp c.counts order.counts; put order.counts 136 00
	cp c.counts count.counts; put count.counts 140 05
	cp c.counts reason.counts; put reason.counts 72 41
	cp c.counts records.counts; put records.counts 32 07
	cp c.counts more.counts; printf x >>more.counts
	printf '{"id":"a","text":"ab"}\n' >json.counts
	while IFS='@' read -r name want; do
		echo "file: $name"
		run -65 quire-bpe-train --counts-in --regex '[a-z]+| ' --size 256 \
		    --output out.tiktoken "$name"
		assert_output "quire-bpe-train: $name: $want"
		assert [ ! -e out.tiktoken ]
	done <<-'EOF'
	cut-0.counts@not a counts file of quire-bpe-train (no QBPECNT header)
	cut-5.counts@not a counts file of quire-bpe-train (no QBPECNT header)
	cut-8.counts@truncated at byte 8 (of 8)
	cut-11.counts@truncated at byte 8 (of 11)
	cut-20.counts@truncated at byte 16 (of 20)
	cut-40.counts@truncated at byte 40 (of 40)
	cut-66.counts@truncated at byte 64 (of 66)
	cut-100.counts@truncated at byte 97 (of 100)
	cut-126.counts@truncated at byte 124 (of 126)
	cut-147.counts@truncated at byte 140 (of 147)
	cut-155.counts@truncated at byte 148 (of 155)
	v2.counts@counts file version 2; this quire-bpe-train reads version 1
	sum.counts@checksum mismatch: the file is corrupt
	order.counts@piece 3 is out of order
	count.counts@pieces do not add up: 8 pieces of 24 bytes counted, 5 of 12 in the header
	reason.counts@reason 1 is not a reject reason
	records.counts@records do not add up: 2 in, 7 out, 1 rejected
	more.counts@1 bytes after the end
	json.counts@not a counts file of quire-bpe-train (no QBPECNT header)
	EOF
}

@test "bpe-train: --counts-out to a folder that does not exist exits 74" {
	rec a 'ab ab' >in.jsonl
	run -74 quire-bpe-train --pattern gpt2 --counts-out nowhere/c.counts in.jsonl
	assert_output --partial 'nowhere/c.counts'
}

# --- against tiktoken ------------------------------------------------------------

@test "bpe-train: the trained ranks load in tiktoken and give quire-tokenize's ids on the sample drop" {
	need_oracle
	local enc
	drop_records >in.jsonl
	for enc in gpt2 cl100k_base o200k_base; do
		echo "encoding: $enc"
		quire-bpe-train --size 1000 --pattern "$enc" --output "$enc.tiktoken" in.jsonl
		node "$FIX/encode.js" "$enc.tiktoken" "$enc" <in.jsonl >want.jsonl
		quire-tokenize --vocab "$enc.tiktoken" --pattern "$enc" --ids in.jsonl >got.jsonl
		cmp got.jsonl want.jsonl
		# Learned tokens are used: fewer ids than bytes.
		[ "$(jq '.tokens | length' got.jsonl | paste -sd+ | bc)" -lt \
		    "$(jq -j .text in.jsonl | wc -c)" ]
	done
}

@test "bpe-train: ranks trained on mixed text give tiktoken's ids on it" {
	need_oracle
	perl "$ROOT/tests/fixtures/tokenize/gen-mixed.pl" 5 400 >in.jsonl
	quire-bpe-train --size 3000 --pattern cl100k_base --output r.tiktoken in.jsonl
	node "$FIX/encode.js" r.tiktoken cl100k_base <in.jsonl >want.jsonl
	quire-tokenize --vocab r.tiktoken --pattern cl100k_base --ids in.jsonl >got.jsonl
	cmp got.jsonl want.jsonl
}

# --- the man page's examples ---------------------------------------------------

@test "bpe-train: the man page's examples run" {
	mkdir shards
	drop_records | zstd -q -o shards/sample-train-00000.jsonl.zst
	zstd -dc shards/sample-train-00000.jsonl.zst |
	    quire-bpe-train --size 1000 --pattern cl100k_base \
	    --output ranks.tiktoken --stats train.json
	assert_equal "$(wc -l <ranks.tiktoken)" 1000
	assert_equal "$(jq .figures.tokens train.json)" 1000
	zstd -dc shards/sample-train-00000.jsonl.zst |
	    quire-tokenize -q --vocab ranks.tiktoken --pattern cl100k_base \
	    --special '<|endoftext|>=1000' --output shards/sample-train-00000 \
	    >/dev/null
	run -0 perl "$ROOT/tests/fixtures/tokenize/read-megatron.pl" shards/sample-train-00000
	assert_line --index 0 --regexp ' 1000$'
	quire-ingest "$ROOT/samples/drop" | quire-normalize |
	    quire-bpe-train --size 600 --min-count 5 \
	    --regex '[A-Za-z]+| ?[0-9]+|[^A-Za-z0-9]' --output drop.tiktoken
	assert_equal "$(wc -l <drop.tiktoken)" 600
	drop_records | head -n 12 | zstd -q -o shards/sample-train-00000.jsonl.zst -f
	drop_records | tail -n +13 | zstd -q -o shards/sample-train-00001.jsonl.zst
	for s in sample-train-00000 sample-train-00001; do
	    zstd -dc shards/$s.jsonl.zst |
	    quire-bpe-train --pattern cl100k_base --counts-out $s.counts
	done
	quire-bpe-train --counts-in --size 1000 --pattern cl100k_base \
	    --output ranks.tiktoken sample-train-*.counts
	zstd -dc shards/sample-train-0000[01].jsonl.zst |
	    quire-bpe-train --size 1000 --pattern cl100k_base --output both.tiktoken
	cmp ranks.tiktoken both.tiktoken
}
