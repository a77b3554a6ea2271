#!/usr/bin/env bats
# The record reader (lib/record.c) and its scanner (lib/jscan.c): a stage
# that builds records with json-c (quire-normalize) and one that only scans
# them (quire-shard) must take the same lines and refuse the same lines,
# in the same words, and both must hold to RFC 8259 and the documented
# limits.  Lines are a table of tricky ones, then 2500 made by
# mutating tests/fixtures/record/seeds.jsonl, judged by JSON::PP as well.
bats_require_minimum_version 1.5.0
load test_helper/common-setup
setup() { _common_setup; }

# expand: the line on stdin with its placeholders made bytes: {TAB}, {CR},
# {SP}, {xHH}; {OPEN n} and {CLOSE n} for n '[' or ']'; {KEYS n} for n
# '{"k":' and {ENDS n} for n '}'.
expand() {
	perl -pe 's/\{x([0-9A-Fa-f]{2})\}/chr hex $1/ge;
	    s/\{TAB\}/\t/g; s/\{CR\}/\r/g; s/\{SP\}/ /g;
	    s/\{OPEN (\d+)\}/"[" x $1/ge; s/\{CLOSE (\d+)\}/"]" x $1/ge;
	    s/\{KEYS (\d+)\}/q({"k":) x $1/ge; s/\{ENDS (\d+)\}/"}" x $1/ge'
}

# The two readers, on the named files; stdout is not the point.
parse() {
	quire-normalize -q --rejects rej.csv "$@" >/dev/null
}
scan() {
	quire-shard -q -n t -d out -v 0 --rejects rej.csv "$@" >/dev/null
}

# verdicts READER: run READER (parse or scan) over line-*.jsonl, a
# hundred files at a time, starting again after each file it refuses;
# print "NNNNN STATUS MESSAGE" for each, the message without the
# program's name.  A refusal that names no such file is printed as
# "? STATUS MESSAGE".
verdicts() {
	local files=(line-*.jsonl) k=0 st msg name

	while ((k < ${#files[@]})); do
		st=0
		"$1" "${files[@]:k:100}" 2>"$1.err" || st=$?
		if ((st == 0)); then
			k=$((k + 100))
			continue
		fi
		read -r msg <"$1.err"
		msg=${msg#quire-*: }
		name=${msg%%.jsonl:*}
		if ! [[ $name =~ ^line-[0-9]+$ ]]; then
			echo "? $st $msg"
			break
		fi
		echo "${name#line-} $st ${msg#*.jsonl:1: }"
		k=$((10#${name#line-} + 1))
	done
}

@test "record: both readers take and refuse the lines of a table alike" {
	local want line st1 st2 err1 err2
	mkdir out
	while IFS='|' read -r want line; do
		echo "row: $want|$line"
		expand <<<"$line" >in.jsonl
		run --separate-stderr parse in.jsonl
		st1=$status err1=${stderr#quire-normalize: }
		run --separate-stderr scan in.jsonl
		st2=$status err2=${stderr#quire-shard: }
		assert_equal "$st2 $err2" "$st1 $err1"
		if [[ $want == ok ]]; then
			assert_equal "$st2 $err2" "0 "
		else
			assert_equal "$st2" 65
			[[ $err2 == "in.jsonl:1: "* ]]
		fi
	done <<-'EOF'
	ok|{}
	ok|{"id":"a"}
	ok|{SP}{TAB}{"id":"a"}{SP}{TAB}{CR}{CR}
	ok|{ "a" : [ 1 , { } , [ ] ] , "b" : { "c" : null } }
	ok|{"a":[],"b":{},"c":[{}],"d":null,"e":true,"f":false}
	ok|{"a":0,"b":-0,"c":-0.0e-0,"d":1E+5,"e":1e-5,"f":0.5,"g":10}
	ok|{"a":-9223372036854775807,"b":18446744073709551614,"c":9223372036854775808}
	ok|{"a":1.7976931348623157e308,"b":-1e308,"c":5e-400,"d":1e-99999999999}
	ok|{"a":123456789012345678901234567890.5,"b":0e99999,"c":1.797693134862315807e308}
	ok|{"a":"\u0000","b":"\ud83d\ude00","c":"\uD83D\uDE00","d":"\ud836\udc00"}
	ok|{"a":"\/\"\\\b\f\n\r\t","b":"\u00e9\u4E2D","c":"\\u","d":"\\ud800"}
	ok|{"a":"é中😀 ̈ ","b":"x{x7f}y"}
	ok|{"\u0069d":"x","":"","a":1,"a":2}
	ok|{"d":{OPEN 30}1{CLOSE 30}}
	ok|{"d":{OPEN 31}{CLOSE 31}}
	ok|{"d":{KEYS 30}"v"{ENDS 30}}
	ok|{"d":{KEYS 30}{}{ENDS 30}}
	ok|{"text":"a string longer than sixteen bytes, with é and 中 and 😀 across the blocks of sixteen"}
	65|
	65|{SP}{SP}{TAB}
	65|[1]
	65|"x"
	65|1
	65|null
	65|{"a":1}x
	65|{"a":1}{}
	65|{"a":1},
	65|{"a":1,}
	65|{"a":[1,]}
	65|{,}
	65|{"a"}
	65|{"a":}
	65|{"a" 1}
	65|{"a":1 "b":2}
	65|{"a":[1 2]}
	65|{"a":[1,2
	65|{"a":"open
	65|{"a":1
	65|{'a':1}
	65|{"a":'x'}
	65|{a:1}
	65|{"a":00}
	65|{"a":01}
	65|{"a":-01}
	65|{"a":01.5}
	65|{"a":-00.5}
	65|{"a":1.}
	65|{"a":1.e5}
	65|{"a":.5}
	65|{"a":+1}
	65|{"a":-}
	65|{"a":1e}
	65|{"a":1e+}
	65|{"a":0x10}
	65|{"a":1.5.5}
	65|{"a":--1}
	65|{"a":1-2}
	65|{"a":NaN}
	65|{"a":Infinity}
	65|{"a":-Infinity}
	65|{"a":nan}
	65|{"a":True}
	65|{"a":nul}
	65|{"a":nulls}
	65|{"a":truex}
	65|{"a":-9223372036854775808}
	65|{"a":-9223372036854775809}
	65|{"a":18446744073709551615}
	65|{"a":99999999999999999999}
	65|{"a":1e999}
	65|{"a":-1e999}
	65|{"a":1.7976931348623159e308}
	65|{"a":"\x"}
	65|{"a":"\u12"}
	65|{"a":"\u12G4"}
	65|{"a":"\U0041"}
	65|{"a":"\ud800"}
	65|{"a":"\udc00"}
	65|{"a":"\ud800\u0041"}
	65|{"a":"\ud800x"}
	65|{"a":"\udc00\ud800"}
	65|{"a":"\ud800\ud800"}
	65|{"a":"\ud800\\udc00"}
	65|{"a\u0000b":1}
	65|{"a":{"b\u0000":1}}
	65|{"a":"x{TAB}y"}
	65|{"a":"x{CR}y"}
	65|{"a":"x{x01}y"}
	65|{"a":1}{x0B}
	65|{"a":"{xFF}"}
	65|{"a":"{xC0}{xAF}"}
	65|{"a":"{xE0}{x80}{x80}"}
	65|{"a":"{xED}{xA0}{x80}"}
	65|{"a":"{xF4}{x90}{x80}{x80}"}
	65|{"a":"{xC3}"}
	65|{"text":"sixteen bytes and more, then {xE4}{xB8}"}
	65|{xEF}{xBB}{xBF}{"a":1}
	65|{"a":1}//
	65|{"a":/*c*/1}
	65|{"d":{OPEN 31}1{CLOSE 31}}
	65|{"d":{OPEN 32}{CLOSE 32}}
	65|{"d":{KEYS 31}"v"{ENDS 31}}
	EOF
}

@test "record: invalid UTF-8 is named at its byte, wherever it falls" {
	# The reader takes sixteen bytes at a time: put the bad byte at every
	# place in a block, after ASCII and after two-byte characters.
	local pre k bad at
	mkdir out
	for pre in a é aé; do
		for k in $(seq 0 $((17 / ${#pre}))); do
			for bad in '\xff' '\xc0\xaf' '\xe0\x9f\xbf' '\xed\xb0\x80' \
			    '\xf4\x90\x80\x80' '\x80' '\xe4\xb8'; do
				echo "row: $k x $pre, then $bad"
				{
					printf '{"text":"'
					printf "%${k}s" '' | sed "s/ /$pre/g"
					printf "$bad"'"}\n'
				} >in.jsonl
				at=$((10 + k * ${#pre}))
				run -65 --separate-stderr scan in.jsonl
				assert_equal "$stderr" \
				    "quire-shard: in.jsonl:1: invalid UTF-8 at byte $at"
			done
		done
	done
}

@test "record: both readers and JSON::PP agree on thousands of mutated records" {
	local n id
	mkdir out
	n=2500
	perl "$FIX/mutate.pl" "$FIX/seeds.jsonl" "$n" . >oracle.txt
	# In a shell of their own: bats traces every command of a test.
	bash -c "$(declare -f parse scan verdicts); verdicts parse" >parse.txt &
	bash -c "$(declare -f parse scan verdicts); verdicts scan" >scan.txt
	wait $!
	# One line per mutated line: NNNNN, the oracle's, parse's, scan's.
	awk 'FILENAME != "oracle.txt" { v[FILENAME, $1] = $2; next }
	    { print $1, $2, (("parse.txt", $1) in v) ? v["parse.txt", $1] : "ok",
		(("scan.txt", $1) in v) ? v["scan.txt", $1] : "ok" }' \
	    parse.txt scan.txt oracle.txt >all.txt
	awk '$2 != $3 || $3 != $4 { print "line " $1 ": want " $2 ", json-c " \
	    $3 ", jscan " $4 }' all.txt >bad.txt
	for id in $(head -n 10 bad.txt | cut -d ' ' -f 2 | tr -d :); do
		grep "^line $id:" bad.txt
		cut -c 1-300 "line-$id.jsonl"
	done
	# Every refusal named its line, and the two readers the same ones, in
	# the same words.
	run -1 grep -h '^?' parse.txt scan.txt
	run diff parse.txt scan.txt
	assert_success
	assert_equal "$(wc -l <bad.txt)" 0
	# Enough of both kinds to mean something.
	[ "$(grep -c ' ok ok ok$' all.txt)" -gt $((n / 4)) ]
	[ "$(grep -c ' 65 65 65$' all.txt)" -gt $((n / 4)) ]
}

@test "record: a line of escaped surrogate pairs reaches the shard as raw UTF-8" {
	# json-c decodes some escaped pairs wrong, so the reader rewrites every
	# pair as UTF-8 for both readers; the line's other escapes stay.
	mkdir out
	printf '%s\n' '{"id":"a","s":"\ud836\udc00 \ud83d\ude00 \u00e9 \\ud800"}' >in.jsonl
	run -0 scan in.jsonl
	run -0 zstd -q -dc out/t-train-00000.jsonl.zst
	assert_output '{"id":"a","s":"𝠀 😀 \u00e9 \\ud800"}'
}
