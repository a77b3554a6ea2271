#!/usr/bin/env bats
# quire-ingest: a drop's manifest and works become records; every row that
# cannot is a reject row.  Each test builds its small drop in ./drop (the
# test's scratch folder); encoded works come from tests/fixtures/ingest/,
# made by its make-fixtures.sh.
bats_require_minimum_version 1.5.0
load test_helper/common-setup
setup() { _common_setup; }

# The required columns, in the order most tests list them.
REQUIRED=submission_id,writer_id,file,license,submitted

# The document id of a submission: XXH3-64 of the submission id, computed
# once with libxxhash's XXH3_64bits (not with quire), so the ids are pinned.
docid() {
	case $1 in
	s1)	echo 9a275e3f454930d1 ;;
	s2)	echo c74b0b91b3f34aba ;;
	s3)	echo 94fa3e8c1c0f2db4 ;;
	s4)	echo 092c31d02237613f ;;
	s5)	echo 61f3bab1242b2378 ;;
	s10)	echo e55eed2948a56e44 ;;
	s0001)	echo 5be645e5fcbfb912 ;;
	-s6)	echo 1fddeb2e30a60826 ;;
	'sub 7') echo af909e2f0fce8938 ;;
	é-1)	echo bcd95fd284d136c6 ;;
	2026/42) echo 6aea297d7f185bef ;;
	*)	echo "docid: no id known for $1" >&2; return 1 ;;
	esac
}

# manifest HEADER ROW...: write drop/manifest.csv, one line per argument.
manifest() {
	mkdir -p drop/works
	printf '%s\n' "$@" >drop/manifest.csv
}

# rows ROW...: a manifest of the required columns and these rows.
rows() {
	manifest "$REQUIRED" "$@"
}

# work PATH [TEXT]: a work at drop/PATH holding TEXT (default: one line).
work() {
	mkdir -p "drop/$(dirname "$1")"
	printf '%s' "${2-The kettle sang before the house was up.
}" >"drop/$1"
}

# fixture NAME: the one-row drop s1 whose work is $FIX/NAME.
fixture() {
	rows "s1,w1,works/$1,CC-BY-4.0,2026-01-14"
	cp "$FIX/$1" drop/works/
}

# assert_decoded FIXTURE ICONV ENCODING: $output is the record of FIXTURE,
# found to be ENCODING, whose text is what iconv makes of the same bytes.
assert_decoded() {
	assert_equal "$(jq -r .source.encoding <<<"$output")" "$3"
	iconv -f "$2" -t UTF-8 "$FIX/$1" >want
	jq -j .text <<<"$output" >got
	cmp want got
}

# assert_rejected REASON DETAIL: rejects.csv holds exactly one row, the
# reject of s1 (writer w1) for REASON with DETAIL.
assert_rejected() {
	assert_equal "$(cat rejects.csv)" "$(docid s1),s1,w1,ingest,$1,$2"
}

# --- records ------------------------------------------------------------

@test "ingest: writes a UTF-8 work as one record, fields in the documented order" {
	manifest "$REQUIRED,title,credit,language,genre,revision_of,channel" \
	    's1,w1,works/tide.txt,CC-BY-4.0,2026-01-14,"Tide, Low",Ana Lind,en,poem,s0,web'
	work works/tide.txt 'Low tide.
The gulls argue over nothing.
'
	sha=$(sha256sum <drop/works/tide.txt | cut -d' ' -f1)
	run -0 --separate-stderr quire-ingest drop
	icu=$(jq -r .source.converter <<<"$output")
	[[ $icu =~ ^ICU\ [0-9]+(\.[0-9]+)+$ ]]
	assert_output - <<EOF
{"id":"$(docid s1)","source":{"submission":"s1","file":"works/tide.txt","sha256":"$sha","encoding":"UTF-8","format":"text","converter":"$icu"},"writer":"w1","credit":"Ana Lind","title":"Tide, Low","submitted":"2026-01-14","language":"en","genre":"poem","revision_of":"s0","license":"CC-BY-4.0","metadata":{"channel":"web"},"text":"Low tide.\nThe gulls argue over nothing.\n"}
EOF
	assert_equal "$stderr" ""
}

@test "ingest: derives the id from the submission_id alone, 16 hex digits of XXH3-64" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's0001,w2,works/b.txt,CC0-1.0,2026-01-15' \
	    'sub 7,w3,works/a.txt,CC0-1.0,2026-01-16' \
	    'é-1,w4,works/b.txt,CC0-1.0,2026-01-17' \
	    '2026/42,w5,works/a.txt,CC0-1.0,2026-01-18'
	work works/a.txt
	work works/b.txt 'Another work entirely.
'
	run -0 quire-ingest drop
	assert_equal "${#lines[@]}" 5
	for line in "${lines[@]}"; do
		sub=$(jq -r .source.submission <<<"$line")
		echo "# submission $sub"
		assert_equal "$(jq -r .id <<<"$line")" "$(docid "$sub")"
	done
}

@test "ingest: records the sha256 of the raw bytes, as sha256sum prints it" {
	fixture cp1252-quotes.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.sha256 <<<"$output")" \
	    "$(sha256sum <"$FIX/cp1252-quotes.txt" | cut -d' ' -f1)"
}

@test "ingest: writes null for an empty or absent optional column" {
	manifest "$REQUIRED,title,credit" 's1,w1,works/a.txt,CC0-1.0,2026-01-14,,'
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -c '[.credit, .title, .language, .genre, .revision_of]' <<<"$output")" \
	    '[null,null,null,null,null]'
}

@test "ingest: keeps the manifest's other columns in metadata, in header order" {
	manifest "zeta,$REQUIRED,channel,note" \
	    'z1,s1,w1,works/a.txt,CC0-1.0,2026-01-14,mail,'
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -c .metadata <<<"$output")" \
	    '{"zeta":"z1","channel":"mail","note":""}'
}

@test "ingest: reads the manifest's columns in any order" {
	manifest "$REQUIRED,title,genre" 's1,w1,works/a.txt,CC0-1.0,2026-01-14,Kettle,poem'
	work works/a.txt
	quire-ingest drop >in-order.jsonl
	manifest "genre,submitted,title,file,license,writer_id,submission_id" \
	    'poem,2026-01-14,Kettle,works/a.txt,CC0-1.0,w1,s1'
	run -0 quire-ingest drop
	assert_output - <in-order.jsonl
}

@test "ingest: writes the records in submission_id byte order whatever the row order" {
	rows 's3,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's10,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's1,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's2,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.submission <<<"$output" | tr '\n' ' ')" \
	    's1 s10 s2 s3 '
}

@test "ingest: writes no record and exits 0 for a manifest with no rows" {
	rows
	run -0 --separate-stderr quire-ingest --rejects rejects.csv drop
	refute_output
	assert_equal "$stderr" ""
	[ -e rejects.csv ] && [ ! -s rejects.csv ]
}

@test "ingest: reads a manifest that starts with a UTF-8 byte order mark" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf '\357\273\277' | cat - drop/manifest.csv >m && mv m drop/manifest.csv
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.submission <<<"$output")" s1
}

@test "ingest: reads a manifest with CRLF line ends" {
	manifest "$REQUIRED,channel" 's1,w1,works/a.txt,CC0-1.0,2026-01-14,web'
	sed -i 's/$/\r/' drop/manifest.csv
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -c '[.submitted, .metadata]' <<<"$output")" \
	    '["2026-01-14",{"channel":"web"}]'
}

@test "ingest: keeps spaces around an unquoted manifest value, as RFC 4180 says" {
	manifest "$REQUIRED,title" 's1,w1,works/a.txt,CC0-1.0,2026-01-14,  Kettle  '
	work works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -r .title <<<"$output")" '  Kettle  '
}

@test "ingest: reads the manifest named by -M and the works from DROP" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	mv drop/manifest.csv elsewhere.csv
	work works/a.txt
	run -0 quire-ingest -M elsewhere.csv drop
	assert_equal "$(jq -r .text <<<"$output")" 'The kettle sang before the house was up.'
}

@test "ingest: writes nothing on stderr when all goes well off a terminal" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -0 --separate-stderr quire-ingest drop
	assert_equal "${#lines[@]}" 1
	assert_equal "$stderr" ""
}

# --- encodings ----------------------------------------------------------

@test "ingest: takes UTF-8 with a byte order mark as UTF-8, the mark kept as documented" {
	fixture utf8-bom.txt
	run -0 quire-ingest drop
	assert_decoded utf8-bom.txt UTF-8 UTF-8
	assert_equal "$(jq -r '.text | startswith("\ufeffGr")' <<<"$output")" true
}

@test "ingest: converts UTF-16LE with a byte order mark" {
	fixture utf16le-bom.txt
	run -0 quire-ingest drop
	assert_decoded utf16le-bom.txt UTF-16 UTF-16LE
}

@test "ingest: converts UTF-16BE with a byte order mark" {
	fixture utf16be-bom.txt
	run -0 quire-ingest drop
	assert_decoded utf16be-bom.txt UTF-16 UTF-16BE
}

@test "ingest: decodes Windows-1252 curly quotes 0x93 0x94 as U+201C U+201D" {
	fixture cp1252-quotes.txt
	run -0 quire-ingest drop
	assert_decoded cp1252-quotes.txt WINDOWS-1252 windows-1252
	assert_equal "$(jq -r '.text | test("^The mill.*say \u201cLeave")' <<<"$output")" true
	assert_equal "$(jq -r '.text | test("bench\\.\u201d\n$")' <<<"$output")" true
}

@test "ingest: decodes 0x93 0x94 as curly quotes when they come after the detector's 64 KiB" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	{
		yes 'The ferry left the quay at six and the gulls followed.' |
		    head -c 70000
		printf '\223Goodbye,\224 she said.\n'
	} >drop/works/a.txt
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.encoding <<<"$output")" windows-1252
	assert_equal "$(jq '.text | endswith("\u201cGoodbye,\u201d she said.\n")' <<<"$output")" true
}

@test "ingest: decodes ISO-8859-1 French" {
	fixture latin1-french.txt
	run -0 quire-ingest drop
	assert_decoded latin1-french.txt ISO-8859-1 ISO-8859-1
}

@test "ingest: decodes Windows-1251 Russian" {
	fixture cp1251-russian.txt
	run -0 quire-ingest drop
	assert_decoded cp1251-russian.txt WINDOWS-1251 windows-1251
}

@test "ingest: decodes KOI8-R Russian" {
	fixture koi8r-russian.txt
	run -0 quire-ingest drop
	assert_decoded koi8r-russian.txt KOI8-R KOI8-R
}

@test "ingest: -c 100 rejects a guessed encoding the detector is less sure of" {
	fixture cp1252-quotes.txt
	run -0 quire-ingest -c 100 --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "no encoding explains the bytes with confidence"
}

@test "ingest: bytes no charset matches at all are ingest.encoding, not an ICU error" {
	# Found by fuzz_encoding: ICU's detector answers "no match" as an
	# error code, which ingest took for an internal failure (exit 70).
	rows 's1,w1,works/odd.txt,CC0-1.0,2026-01-14'
	mkdir -p drop/works
	printf '\xef#\xbf' >drop/works/odd.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "no encoding explains the bytes"
}

# --- reject reasons -----------------------------------------------------

@test "ingest: rejects an absolute path" {
	rows 's1,w1,/etc/hostname,CC0-1.0,2026-01-14'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.path "absolute path"
}

@test "ingest: rejects a path that leaves the drop through .." {
	rows 's1,w1,works/../works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.path "path leaves the drop through .."
}

@test "ingest: rejects a symlink leading outside the drop" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	echo 'A secret kept outside the drop.' >outside.txt
	ln -s "$BATS_TEST_TMPDIR/outside.txt" drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.path "symlink leads outside the drop"
}

@test "ingest: rejects a symlink loop" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	ln -s b.txt drop/works/a.txt
	ln -s a.txt drop/works/b.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.path "symlink loop"
}

@test "ingest: accepts a symlink inside the drop that points inside the drop" {
	rows 's1,w1,works/link.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	ln -s a.txt drop/works/link.txt
	run -0 quire-ingest --rejects rejects.csv drop
	assert_equal "$(jq -c '[.source.file, .text]' <<<"$output")" \
	    '["works/link.txt","The kettle sang before the house was up.\n"]'
	[ ! -s rejects.csv ]
}

@test "ingest: rejects a work that is not there as ingest.missing" {
	rows 's1,w1,works/gone.txt,CC0-1.0,2026-01-14'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.missing "no such file"
}

@test "ingest: rejects a work it may not read as ingest.unreadable" {
	[ "$(id -u)" = 0 ] && skip "root reads everything"
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	chmod 000 drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.unreadable "Permission denied"
}

@test "ingest: rejects a directory as ingest.not_file" {
	rows 's1,w1,works,CC0-1.0,2026-01-14'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.not_file "not a regular file"
}

@test "ingest: rejects the drop folder itself, file \".\", as ingest.not_file" {
	rows 's1,w1,.,CC0-1.0,2026-01-14'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.not_file "not a regular file"
}

@test "ingest: rejects a named pipe as ingest.not_file without waiting for a writer" {
	rows 's1,w1,works/pipe,CC0-1.0,2026-01-14'
	mkfifo drop/works/pipe
	run -0 timeout 3 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.not_file "not a regular file"
}

@test "ingest: rejects a work larger than -m as ingest.too_large" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt 'eleven byte'
	run -0 quire-ingest -m 10 --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.too_large '"11 bytes, limit 10"'
}

@test "ingest: accepts a work of exactly -m bytes" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt 'ten bytes.'
	run -0 quire-ingest -m 10 --rejects rejects.csv drop
	assert_equal "$(jq -r .text <<<"$output")" 'ten bytes.'
	[ ! -s rejects.csv ]
}

@test "ingest: rejects an empty file as ingest.empty" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt ''
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.empty "empty file"
}

@test "ingest: rejects a file holding only a UTF-16 or UTF-32 byte order mark as ingest.empty" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	for bom in '\377\376' '\376\377' '\377\376\0\0' '\0\0\376\377'; do
		echo "# byte order mark $bom"
		printf "$bom" >drop/works/a.txt
		rm -f rejects.csv
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.empty "no text after the byte order mark"
	done
}

@test "ingest: rejects a file holding only a UTF-8 byte order mark as ingest.empty" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf '\357\273\277' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.empty "no text after the byte order mark"
}

@test "ingest: rejects a file with a NUL byte as ingest.binary" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	# A PNG's header (a zip's would be read as a broken zip).
	printf '\211PNG\r\n\32\n\0\0\0\rIHDR' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.binary "NUL byte at offset 8"
}

@test "ingest: rejects UTF-16 text holding U+0000 as ingest.binary" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf '\377\376h\0\0\0i\0' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.binary "NUL character in UTF-16LE text"
}

@test "ingest: rejects a UTF-8 byte order mark followed by invalid UTF-8 as ingest.encoding" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf '\357\273\277caf\351 au lait\n' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "UTF-8 BOM but invalid UTF-8 at byte 7"
}

@test "ingest: rejects UTF-8 damaged by a stray byte instead of guessing Latin-1" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf 'grand-m\303\250re, caf\303\251, \351t\303\251\n' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "UTF-8 with invalid bytes; first at byte 21"
}

@test "ingest: decodes Latin-1 that happens to hold no valid UTF-8 sequence" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf 'Le p\350re de ma m\350re habitait pr\350s de la for\352t, o\371 les arbres \351taient tr\350s hauts et tr\350s vieux. Chaque \351t\351 nous y allions.\n' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	assert_equal "$(jq -r .source.encoding <<<"$output")" ISO-8859-1
	assert_equal "$(jq -r .text <<<"$output" | head -c 8)" "Le père"
}

@test "ingest: rejects UTF-16LE with an unpaired surrogate as ingest.encoding" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	printf '\377\376h\0\0\330i\0' >drop/works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "bytes not valid in UTF-16LE"
}

@test "ingest: rejects a submitted value that is not an ISO 8601 date" {
	for date in 2026-02-30 yesterday 2025-02-29 2026-13-01 2026-00-10 \
	    2026-01-00 26-01-14 2026/01/14 20260114 2026-01-14T25:00 \
	    2026-01-14T10:00+ 2026-01-14x; do
		echo "# submitted $date"
		rows "s1,w1,works/a.txt,CC0-1.0,$date"
		work works/a.txt
		rm -f rejects.csv
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.date "manifest line 2: submitted is not an ISO 8601 date"
	done
}

@test "ingest: accepts an ISO 8601 date, with or without a time" {
	for date in 2024-02-29 2026-12-31 2026-01-14T10:30 2026-01-14T10:30:59Z \
	    2026-01-14T10:30:00+02:00; do
		echo "# submitted $date"
		rows "s1,w1,works/a.txt,CC0-1.0,$date"
		work works/a.txt
		run -0 quire-ingest --rejects rejects.csv drop
		assert_equal "$(jq -r .submitted <<<"$output")" "$date"
	done
	[ ! -s rejects.csv ]
}

@test "ingest: rejects every row of a duplicated submission_id as ingest.duplicate_id" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's2,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's1,w1,works/b.txt,CC0-1.0,2026-01-15'
	work works/a.txt
	work works/b.txt
	run -0 quire-ingest --rejects rejects.csv drop
	assert_equal "$(jq -r .source.submission <<<"$output")" s2
	assert_equal "$(cat rejects.csv)" \
"$(docid s1),s1,w1,ingest,ingest.duplicate_id,manifest line 2: submission_id used by more than one row
$(docid s1),s1,w1,ingest,ingest.duplicate_id,manifest line 4: submission_id used by more than one row"
}

@test "ingest: rejects a row with an empty required value as ingest.field" {
	work works/a.txt
	for col in submission_id writer_id file license submitted; do
		echo "# empty $col"
		row=s1,w1,works/a.txt,CC0-1.0,2026-01-14
		case $col in
		submission_id)	row=${row/s1/} ;;
		writer_id)	row=${row/w1/} ;;
		file)		row=${row/works\/a.txt/} ;;
		license)	row=${row/CC0-1.0/} ;;
		submitted)	row=${row/2026-01-14/} ;;
		esac
		# An empty submission_id leaves the row without an id too.
		id=$(docid s1) sub=s1 writer=w1
		[ "$col" = submission_id ] && id= sub=
		[ "$col" = writer_id ] && writer=
		rows "$row"
		rm -f rejects.csv
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_equal "$(cat rejects.csv)" \
		    "$id,$sub,$writer,ingest,ingest.field,manifest line 2: empty $col"
	done
}

@test "ingest: rejects a row with the wrong number of fields as ingest.row" {
	work works/a.txt
	for row in 's1,w1,works/a.txt,CC0-1.0,2026-01-14,extra:6' \
	    's1,w1,works/a.txt,CC0-1.0:4' 's1,w1:2'; do
		n=${row##*:}
		row=${row%:*}
		echo "# row $row"
		rows "$row"
		rm -f rejects.csv
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.row "\"manifest line 2: $n fields, header has 5\""
	done
}

@test "ingest: counts a blank manifest line in the line numbers of its details" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14' '' \
	    's2,w1,works/a.txt,CC0-1.0,yesterday'
	work works/a.txt
	run -0 quire-ingest --rejects rejects.csv drop
	assert_equal "$(cat rejects.csv)" \
	    "$(docid s2),s2,w1,ingest,ingest.date,manifest line 4: submitted is not an ISO 8601 date"
}

@test "ingest: reports reject rows on stderr when there is no --rejects" {
	rows 's1,w1,works/gone.txt,CC0-1.0,2026-01-14'
	run -0 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" \
	    "quire-ingest: reject: $(docid s1),s1,w1,ingest,ingest.missing,no such file"
}

@test "ingest: writes a formula-looking cell with a leading ' in the rejects" {
	rows 's1,=cmd,works/gone.txt,CC0-1.0,2026-01-14' \
	    's2,+cmd,works/gone.txt,CC0-1.0,2026-01-14' \
	    's3,-cmd,works/gone.txt,CC0-1.0,2026-01-14' \
	    's4,@cmd,works/gone.txt,CC0-1.0,2026-01-14' \
	    's5,"=HYPERLINK(""x"",1)",works/gone.txt,CC0-1.0,2026-01-14' \
	    '-s6,w1,works/gone.txt,CC0-1.0,2026-01-14'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_equal "$(cat rejects.csv)" \
"$(docid -s6),'-s6,w1,ingest,ingest.missing,no such file
$(docid s1),s1,'=cmd,ingest,ingest.missing,no such file
$(docid s2),s2,'+cmd,ingest,ingest.missing,no such file
$(docid s3),s3,'-cmd,ingest,ingest.missing,no such file
$(docid s4),s4,'@cmd,ingest,ingest.missing,no such file
$(docid s5),s5,\"'=HYPERLINK(\"\"x\"\",1)\",ingest,ingest.missing,no such file"
}

# --- exit statuses ------------------------------------------------------

@test "ingest: exits 64 on bad usage" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	# Arguments are split on spaces; "" is no argument at all.
	for args in '-Z drop' '' 'drop drop' '-m junk drop' '-m 0 drop' \
	    '-m 5T drop' '-c 101 drop' '-c -1 drop' '-c x drop' 'drop -c' \
	    '--bogus drop' 'drop --rejects'; do
		echo "# quire-ingest $args"
		run -64 --separate-stderr quire-ingest $args
		refute_output
		[[ $stderr == "quire-ingest: "* ]]
	done
}

@test "ingest: says why and shows usage on stderr when DROP is missing from the command line" {
	run -64 --separate-stderr quire-ingest
	refute_output
	assert_equal "$stderr" "quire-ingest: one DROP folder expected
$(quire-ingest -h)"
}

@test "ingest: exits 66 when DROP does not exist" {
	run -66 --separate-stderr quire-ingest nodrop
	refute_output
	assert_equal "$stderr" "quire-ingest: nodrop: No such file or directory"
}

@test "ingest: exits 66 when the drop has no manifest" {
	mkdir drop
	run -66 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" "quire-ingest: drop/manifest.csv: No such file or directory"
}

@test "ingest: exits 78 naming a missing required column" {
	manifest submission_id,writer_id,file,license 's1,w1,works/a.txt,CC0-1.0'
	work works/a.txt
	run -78 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" \
	    "quire-ingest: drop/manifest.csv:1: missing required column submitted"
}

@test "ingest: exits 78 naming a column that appears twice" {
	manifest "$REQUIRED,title,title" 's1,w1,works/a.txt,CC0-1.0,2026-01-14,A,B'
	work works/a.txt
	run -78 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" "quire-ingest: drop/manifest.csv:1: column title appears twice"
}

@test "ingest: exits 65 on a manifest with an unterminated quote" {
	rows 's1,w1,"works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -65 --separate-stderr quire-ingest drop
	refute_output
	[[ $stderr == "quire-ingest: drop/manifest.csv:2: malformed CSV"* ]]
}

@test "ingest: exits 65 on a manifest that is not UTF-8" {
	manifest "$REQUIRED,title" "s1,w1,works/a.txt,CC0-1.0,2026-01-14,Caf$(printf '\351')"
	work works/a.txt
	run -65 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" "quire-ingest: drop/manifest.csv:2: invalid UTF-8"
}

@test "ingest: exits 65 on an empty manifest, which has no header row" {
	mkdir drop
	: >drop/manifest.csv
	run -65 --separate-stderr quire-ingest drop
	refute_output
	assert_equal "$stderr" "quire-ingest: drop/manifest.csv: no header row"
}

# The version, and the records of ./drop, written to a full disk.
version_to_full() { quire-ingest --version >/dev/full; }
records_to_full() { quire-ingest drop >/dev/full; }
records_sums_to_full() { quire-ingest --sums sums drop >/dev/full; }

@test "ingest: exits 74 when --version cannot be written" {
	run -74 --separate-stderr version_to_full
	[[ $stderr == "quire-ingest: write error: <stdout>: "* ]]
}

@test "ingest: exits 74 when the records cannot be written" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -74 --separate-stderr records_to_full
	assert_equal "$stderr" "quire-ingest: write error: <stdout>: No space left on device"
}

@test "ingest: exits 74 when a reject row cannot be written" {
	rows 's1,w1,works/gone.txt,CC0-1.0,2026-01-14'
	run -74 --separate-stderr quire-ingest --rejects /dev/full drop
	assert_equal "$stderr" "quire-ingest: write error: /dev/full: No space left on device"
}

@test "ingest: -h prints usage on stdout and exits 0" {
	run -0 --separate-stderr quire-ingest -h
	assert_line --index 0 --regexp '^usage: quire-ingest \[-hq\] '
	assert_output --partial ' DROP'
	assert_equal "$stderr" ""
}

@test "ingest: --version prints the name and VERSION" {
	run -0 --separate-stderr quire-ingest --version
	assert_output "quire-ingest $(cat "$ROOT/VERSION")"
	assert_equal "$stderr" ""
}

# --- documents: .docx, .odt, .rtf, HTML, Markdown ------------------------

# doc NAME [AS]: the one-row drop s1 whose work is $FIX/NAME, named AS.
doc() {
	rows "s1,w1,works/${2-$1},CC-BY-4.0,2026-01-14"
	cp "$FIX/$1" "drop/works/${2-$1}"
}

@test "ingest: reads the known text in .docx, .odt, .rtf and HTML as exactly the expected text" {
	# known.* are pandoc's conversions of known-source.md (make-fixtures.sh).
	for f in known.docx known.odt known.rtf known.html; do
		echo "# $f"
		doc "$f"
		run -0 --separate-stderr quire-ingest drop
		jq -j .text <<<"$output" >got
		cmp got "$FIX/known.expected"
		assert_equal "$stderr" ""
	done
}

@test "ingest: tabs, changes, hidden text, comments, fields and images read alike in every format" {
	# format images fields comments hidden deletions
	while read -r f counts; do
		echo "# $f: $counts"
		doc "$f"
		run -0 quire-ingest --stats stats.json drop
		jq -j .text <<<"$output" >got
		cmp got "$FIX/features.expected"
		assert_equal "$(jq -r '[.figures["dropped.images"],
		    .figures["dropped.fields"], .figures["dropped.comments"],
		    .figures["dropped.hidden"], .figures["dropped.deletions"]] |
		    map(tostring) | join(" ")' stats.json)" "$counts"
	done <<'TABLE'
features.docx 1 2 1 1 2
features.odt 1 2 1 1 1
features.rtf 1 2 1 1 1
features.html 1 0 0 2 1
TABLE
}

@test "ingest: .docx and .odt hide text through their styles" {
	# styles.* (make-documents.py): character and paragraph styles that
	# hide text, inherited, shown again, a loop of parents; in .odt,
	# automatic styles whose parents are styles.xml's common styles, and
	# a paragraph style named as a hiding text style.
	doc styles.docx
	run -0 quire-ingest --stats stats.json drop
	jq -j .text <<<"$output" >got
	printf '%s\n' Shown. 'Also shown.' 'Plain text stays.' \
	    'Shown despite its style.' 'Loop shown.' End. >want
	cmp got want
	assert_equal "$(jq .figures[\"dropped.hidden\"] stats.json)" 3
	doc styles.odt
	run -0 quire-ingest --stats stats.json drop
	jq -j .text <<<"$output" >got
	printf '%s\n' Shown. 'Also shown.' 'Plain text stays.' \
	    'A paragraph style of the same name shows.' 'Loop shown.' End. >want
	cmp got want
	assert_equal "$(jq .figures[\"dropped.hidden\"] stats.json)" 3
}

@test "ingest: records the format, the encoding of the markup and the converter's library versions" {
	zipxml="libzip $(pkg-config --modversion libzip), libxml2 $(pkg-config --modversion libxml-2.0)"
	while IFS=, read -r f format encoding converter; do
		echo "# $f"
		doc "$f"
		run -0 quire-ingest --stats stats.json drop
		assert_equal "$(jq -r '.source | [.format, .encoding, .converter] | join(",")' <<<"$output")" \
		    "$format,$encoding,${converter/ZIPXML/$zipxml}"
		assert_equal "$(jq ".figures[\"format.$format\"]" stats.json)" 1
	done <<TABLE
known.docx,docx,UTF-8,ZIPXML
known.odt,odt,UTF-8,ZIPXML
known.html,html,UTF-8,libxml2 $(pkg-config --modversion libxml-2.0)
TABLE
	doc known.rtf
	run -0 quire-ingest drop
	assert_equal "$(jq -r '.source | [.format, .encoding] | join(",")' <<<"$output")" \
	    rtf,windows-1252
	[[ $(jq -r .source.converter <<<"$output") =~ ^ICU\ [0-9.]+$ ]]
}

@test "ingest: knows a document by its content when its name has no known extension" {
	while read -r f as format; do
		echo "# $f as $as"
		doc "$f" "$as"
		run -0 quire-ingest drop
		assert_equal "$(jq -r .source.format <<<"$output")" "$format"
		jq -j .text <<<"$output" >got
		cmp got "$FIX/known.expected"
	done <<'TABLE'
known.docx submission docx
known.odt poem.bin odt
known.rtf poem.doc.old rtf
known.html page.php html
TABLE
}

@test "ingest: rejects a file whose extension lies about its content as ingest.mismatch" {
	while read -r f as detail; do
		echo "# $f as $as"
		doc "$f" "$as"
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.mismatch "$detail"
		rm rejects.csv
	done <<'TABLE'
known.docx poem.odt named .odt but the content is docx
known.odt poem.docx named .docx but the content is odt
known.rtf poem.html named .html but the content is rtf
known.html poem.txt named .txt but the content is html
known.docx poem.md named .md but the content is docx
cp1252-quotes.txt poem.docx named .docx but the content is text
cp1252-quotes.txt poem.rtf named .rtf but the content is text
TABLE
}

@test "ingest: reads an HTML fragment when the file is named .html" {
	rows 's1,w1,works/a.html,CC0-1.0,2026-01-14'
	printf '<p>Rain on the <em>tin</em>\nroof,<br>all night.</p>\n<p>Dawn.</p>\n' >drop/works/a.html
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.format <<<"$output")" html
	assert_equal "$(jq .text <<<"$output")" '"Rain on the tin roof,\nall night.\nDawn.\n"'
}

@test "ingest: decodes HTML in the charset its meta tag names when it is not UTF-8" {
	rows 's1,w1,works/a.html,CC0-1.0,2026-01-14'
	printf '<html><head><meta charset="windows-1252"></head><body><p>\223Caf\351\224</p></body></html>\n' >drop/works/a.html
	run -0 quire-ingest drop
	assert_equal "$(jq -r .source.encoding <<<"$output")" windows-1252
	assert_equal "$(jq .text <<<"$output")" '"“Café”\n"'
}

@test "ingest: keeps white space inside <pre> and collapses it elsewhere" {
	rows 's1,w1,works/a.html,CC0-1.0,2026-01-14'
	printf '<!DOCTYPE html><body><p>  two   spaces\n\tcollapse </p><pre>\n  kept\n\ttab</pre></body>' >drop/works/a.html
	run -0 quire-ingest drop
	assert_equal "$(jq .text <<<"$output")" '"two spaces collapse\n  kept\n\ttab\n"'
}

@test "ingest: makes headings, list items, quotes and table rows plain lines, without markers" {
	rows 's1,w1,works/a.html,CC0-1.0,2026-01-14'
	printf '<html><body><h2>Pears</h2><ul><li>one</li><li>two\n  <ol><li>two a</li></ol></li></ul><blockquote><p>said she</p></blockquote><table><tr><th>k</th><td>v</td></tr><tr><td>x</td><td>y</td></tr></table></body></html>' >drop/works/a.html
	run -0 quire-ingest drop
	assert_equal "$(jq .text <<<"$output")" '"Pears\none\ntwo\ntwo a\nsaid she\nk\tv\nx\ty\n"'
}

@test "ingest: says nothing on stderr of bytes a document's encoding lacks, and rejects it as ingest.encoding" {
	python3 - <<'PY'
import zipfile
with zipfile.ZipFile('bad.docx', 'w') as z:
    z.writestr('[Content_Types].xml', '<Types/>')
    # Bytes Shift_JIS does not have: libxml2 would print to stderr.
    z.writestr('word/document.xml', b'<?xml version="1.0" encoding="Shift_JIS"?>'
               b'<w:document xmlns:w="http://schemas.openxmlformats.org/'
               b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>\x82\xff'
               b'</w:t></w:r></w:p></w:body></w:document>')
PY
	rows 's1,w1,works/bad.docx,CC0-1.0,2026-01-14' 's2,w1,works/bad.html,CC0-1.0,2026-01-14'
	cp bad.docx drop/works/
	printf '<html><head><meta charset="EUC-JP"></head><body><p>\377\376\241\216 &bogus; <b>unclosed</i></p>' >drop/works/bad.html
	run -0 --separate-stderr quire-ingest --rejects rejects.csv drop
	assert_equal "$stderr" ""
	assert_equal "$(cut -d, -f2,5,6 rejects.csv)" "s1,ingest.encoding,word/document.xml has bytes its declared encoding does not have
s2,ingest.encoding,HTML whose bytes its charset (EUC-JP) does not explain"
}

@test "ingest: finds a .docx's main part and notes through the package's relationships" {
	doc moved.docx
	run -0 quire-ingest drop
	assert_equal "$(jq -c '[.source.format, .text]' <<<"$output")" \
	    '["docx","Moved, with a note[1].\n\n[1] Found by its relationship.\n"]'
}

@test "ingest: reads macro-enabled documents without running or keeping the macros" {
	doc macro.docm
	run -0 quire-ingest --stats stats.json drop
	assert_equal "$(jq .text <<<"$output")" '"A short poem about rain.\n"'
	assert_equal "$(jq '.figures["dropped.macros"]' stats.json)" 1
}

@test "ingest: rejects encrypted documents as ingest.encrypted" {
	while read -r f detail; do
		echo "# $f"
		doc "$f"
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.encrypted "$detail"
		rm rejects.csv
	done <<'TABLE'
encrypted.docx an encrypted Office document (OLE2 EncryptedPackage)
encrypted.odt the OpenDocument manifest lists encrypted parts
zipcrypto.docx [Content_Types].xml is encrypted
TABLE
}

@test "ingest: rejects a corrupt zip or XML that is not well-formed as ingest.corrupt" {
	while read -r f detail; do
		echo "# $f"
		doc "$f"
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.corrupt "$detail"
		rm rejects.csv
	done <<'TABLE'
corrupt.docx not a readable zip archive: Not a zip archive
badxml.docx word/document.xml is not well-formed XML
TABLE
}

@test "ingest: rejects a part that expands more than 100 times as ingest.zip_bomb" {
	doc bomb.docx
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_equal "$(cut -d, -f5 rejects.csv)" ingest.zip_bomb
	[[ $(cat rejects.csv) =~ 'word/document.xml expands '[0-9]+' bytes to 8388'[0-9]+': more than 100 times' ]]
}

@test "ingest: rejects parts that expand beyond four times -m as ingest.zip_bomb" {
	# 200 kB of varied words compress about six times: under the ratio.
	python3 - <<'PY'
import random, zipfile
random.seed(7)
words = ['rain', 'tin', 'roof', 'kettle', 'dawn', 'pear', 'slate', 'gull']
text = ' '.join(random.choice(words) + str(random.randrange(10)) for _ in range(25000))
doc = ('<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
       '<w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>' % text)
with zipfile.ZipFile('big.docx', 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<Types/>')
    z.writestr('word/document.xml', doc)
PY
	rows 's1,w1,works/big.docx,CC0-1.0,2026-01-14'
	cp big.docx drop/works/
	size=$(unzip -l big.docx word/document.xml | awk 'NR == 4 { print $1 }')
	m=$(wc -c <big.docx)
	echo "# document.xml: $size bytes, zip: $m bytes"
	[ "$size" -gt $((4 * m)) ]
	run -0 quire-ingest -m "$m" --rejects rejects.csv drop
	assert_rejected ingest.zip_bomb "word/document.xml expands to $size bytes: over the $((4 * m)) bytes left of $((4 * m))"
	run -0 quire-ingest -m "$((size / 4 + 1))" drop
	assert_equal "$(jq -r .source.format <<<"$output")" docx
}

@test "ingest: rejects XML with a DOCTYPE as ingest.xml_entity and never resolves its entities" {
	doc xxe.docx
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.xml_entity "word/document.xml has a DOCTYPE: its entities are never resolved"
}

@test "ingest: rejects what is not a text document as ingest.format" {
	printf '%%PDF-1.4\n%%\342\343\n1 0 obj\n' >"$BATS_TEST_TMPDIR/paper.pdf"
	while read -r f detail; do
		echo "# $f"
		rows "s1,w1,works/$f,CC-BY-4.0,2026-01-14"
		cp "$FIX/$f" drop/works/ 2>/dev/null || cp "$BATS_TEST_TMPDIR/$f" drop/works/
		run -0 quire-ingest --rejects rejects.csv drop
		refute_output
		assert_rejected ingest.format "$detail"
		rm rejects.csv
	done <<'TABLE'
legacy.doc an OLE2 compound file (.doc or another legacy Office format)
photos.zip a zip archive that is neither .docx nor .odt
sheet.ods an OpenDocument spreadsheet: not a text document
paper.pdf a PDF file
TABLE
}

@test "ingest: rejects a document without text as ingest.empty" {
	doc blank.docx
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.empty "no text in the docx document"
}

@test "ingest: removes Markdown front matter and takes its title when the manifest has none" {
	manifest "$REQUIRED,title" 's1,w1,works/a.md,CC0-1.0,2026-01-14,' \
	    's2,w1,works/a.md,CC0-1.0,2026-01-14,Given Title'
	work works/a.md '---
title: "Pears, Ripe"
tags: [autumn, letters]
---

  Come home when the pears are ripe,
  she wrote.
'
	run -0 quire-ingest drop
	assert_equal "$(jq -c '[.source.format, .title, .text]' <<<"${lines[0]}")" \
	    '["markdown","Pears, Ripe","  Come home when the pears are ripe,\n  she wrote.\n"]'
	assert_equal "$(jq -c '[.title, .text]' <<<"${lines[1]}")" \
	    '["Given Title","  Come home when the pears are ripe,\n  she wrote.\n"]'
}

@test "ingest: keeps Markdown whose --- lines do not hold a YAML mapping as it is" {
	for text in $'---\nA poem between rules\n---\nand after.\n' \
	    $'---\ntitle: never closed\n' $'---\n: not [yaml\n---\n'; do
		echo "# $text"
		rows 's1,w1,works/a.md,CC0-1.0,2026-01-14'
		printf '%s' "$text" >drop/works/a.md
		run -0 quire-ingest drop
		jq -j .text <<<"$output" >got
		printf '%s' "$text" | cmp - got
		assert_equal "$(jq -r .title <<<"$output")" null
	done
}

@test "ingest: rejects Markdown holding nothing but front matter as ingest.empty" {
	rows 's1,w1,works/a.md,CC0-1.0,2026-01-14'
	work works/a.md $'---\ntitle: Only\n---\n\n'
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.empty "no text after the front matter"
}

@test "ingest: reads an RTF \\uN with its fallback, a surrogate pair and a code page font" {
	rows 's1,w1,works/a.rtf,CC0-1.0,2026-01-14'
	printf '%s' '{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Times;}{\f1\fcharset204 Cyr;}}\uc1 Caf\u233e \u-10179?\u-8704? {\f1 \'"'"'c4\'"'"'ee\'"'"'ec} \'"'"'93q\'"'"'94\par}' >drop/works/a.rtf
	run -0 quire-ingest drop
	assert_equal "$(jq .text <<<"$output")" '"Café 😀 Дом “q”\n"'
}

@test "ingest: rejects RTF nested deeper than 256 groups as ingest.corrupt" {
	rows 's1,w1,works/a.rtf,CC0-1.0,2026-01-14'
	{ printf '{\\rtf1 '; for i in $(seq 300); do printf '{'; done; printf 'x'; } >drop/works/a.rtf
	run -0 quire-ingest --rejects rejects.csv drop
	assert_rejected ingest.corrupt "groups nested deeper than 256"
}

@test "ingest: ends an RTF note the file never closes, before the text's end (fuzz finding)" {
	rows 's1,w1,works/a.rtf,CC0-1.0,2026-01-14' 's2,w1,works/b.rtf,CC0-1.0,2026-01-14'
	printf '%s' '{\rtf1 Rain}\chftn{\footnote\chftn  On tin.}\footnote A second' >drop/works/a.rtf
	# The fuzzer's input starts "{\rt\315F": given its "{\rtf" back and
	# without its NUL bytes (ingest.binary), ingest reads it as RTF too.
	{ printf '{\\rtf'; tail -c +6 "$TESTS/fuzz/crashes/rtf-note-group-redirected" |
	    tr -d '\000'; } >drop/works/b.rtf
	run -0 quire-ingest drop
	assert_equal "$(jq .text <<<"${lines[0]}")" '"Rain[1][2]\n\n[1] On tin.\n[2] A second\n"'
	[[ $(jq .text <<<"${lines[1]}") == *'\n"' ]]
}

@test "ingest: rejects HTML whose bytes its charset does not explain as ingest.encoding (fuzz finding)" {
	rows 's1,w1,works/a.html,CC0-1.0,2026-01-14'
	cp "$TESTS/fuzz/crashes/html-undecoded-bytes" drop/works/a.html
	run -0 quire-ingest --rejects rejects.csv drop
	refute_output
	assert_rejected ingest.encoding "HTML whose bytes its charset (ISO-8859-1) does not explain"
}

# --- stats, rejects log, the sample drop --------------------------------

@test "ingest: --stats counts records, rejects by reason, bytes and encodings (by name, whatever the records' order)" {
	rows 's1,w1,works/cp1252-quotes.txt,CC0-1.0,2026-01-14' \
	    's2,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's3,w1,works/gone.txt,CC0-1.0,2026-01-14' \
	    's4,w1,works/empty.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	work works/empty.txt ''
	cp "$FIX/cp1252-quotes.txt" drop/works/
	raw=$(($(wc -c <drop/works/a.txt) + $(wc -c <"$FIX/cp1252-quotes.txt")))
	run -0 quire-ingest --rejects rejects.csv --stats stats.json drop
	out=$(printf '%s\n' "$output" | wc -c)
	assert_equal "$(jq -c . stats.json)" \
	    "{\"stage\":\"ingest\",\"version\":\"$(cat "$ROOT/VERSION")\",\"records_in\":4,\"records_out\":2,\"rejected\":{\"ingest.empty\":1,\"ingest.missing\":1},\"bytes_in\":$raw,\"bytes_out\":$out,\"options\":{\"manifest\":\"manifest.csv\",\"max_bytes\":16777216,\"min_confidence\":20},\"figures\":{\"raw_bytes\":$raw,\"converted\":1,\"dropped.images\":0,\"dropped.fields\":0,\"dropped.comments\":0,\"dropped.hidden\":0,\"dropped.deletions\":0,\"dropped.macros\":0,\"format.text\":2,\"format.markdown\":0,\"format.docx\":0,\"format.odt\":0,\"format.rtf\":0,\"format.html\":0,\"encoding.UTF-8\":1,\"encoding.windows-1252\":1}}"
}

@test "ingest: --rejects appends to the file, run after run" {
	rows 's1,w1,works/gone.txt,CC0-1.0,2026-01-14'
	echo 'a row from an earlier stage' >rejects.csv
	quire-ingest --rejects rejects.csv drop
	run -0 quire-ingest --rejects rejects.csv drop
	row="$(docid s1),s1,w1,ingest,ingest.missing,no such file"
	assert_equal "$(cat rejects.csv)" "a row from an earlier stage
$row
$row"
}

@test "ingest: puts every row of the sample drop in the records or the rejects, once" {
	run -0 quire-ingest --rejects rejects.csv "$ROOT/samples/drop"
	want=$(tail -n +2 "$ROOT/samples/drop/manifest.csv" | cut -d, -f1 | LC_ALL=C sort)
	got=$( { jq -r .source.submission <<<"$output"; cut -d, -f2 rejects.csv; } |
	    LC_ALL=C sort)
	assert_equal "$got" "$want"
	[ "$(wc -l <rejects.csv)" -gt 0 ]
}

@test "ingest: gives the same bytes on every run" {
	for run in 1 2; do
		LC_ALL=$([ $run = 1 ] && echo C || echo C.UTF-8) quire-ingest \
		    --rejects "rejects$run.csv" --stats "stats$run.json" \
		    "$ROOT/samples/drop" >"records$run.jsonl"
	done
	cmp records1.jsonl records2.jsonl
	cmp rejects1.csv rejects2.csv
	cmp stats1.json stats2.json
	[ -s records1.jsonl ]
}

@test "ingest: the man page's first example runs" {
	cd "$ROOT"
	run -0 quire-ingest --rejects "$BATS_TEST_TMPDIR/rejects.csv" samples/drop
	assert_equal "${#lines[@]}" "$(($(wc -l <samples/drop/manifest.csv) - 1 - $(wc -l <"$BATS_TEST_TMPDIR/rejects.csv")))"
}

@test "ingest: the man page's second example runs" {
	cd "$ROOT"
	run -0 --separate-stderr quire-ingest -q -m 1M --stats "$BATS_TEST_TMPDIR/stats.json" samples/drop
	assert_equal "$(jq .options.max_bytes "$BATS_TEST_TMPDIR/stats.json")" 1048576
}

@test "ingest: the man page's third example runs" {
	cd "$ROOT"
	ex() {
		quire-ingest -q samples/drop 2> /dev/null |
		    jq -r 'select(.writer == "w08") | [.source.file, .source.format,
		    .source.converter] | @tsv'
	}
	run -0 ex
	assert_equal "$(cut -f 1,2 <<<"$output")" "works/w08/orchard-letters.docx	docx
works/w08/bridge-song.odt	odt
works/w08/winter-kitchen.rtf	rtf
works/w08/night-ferry.html	html"
}

# --- --sums ---------------------------------------------------------------

@test "ingest: --sums lists the SHA-256 of each work read whole, by its real path in the drop" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14' \
	    's2,w1,works/link.txt,CC0-1.0,2026-01-14' \
	    's3,w1,works/./sub//b.txt,CC0-1.0,2026-01-14' \
	    's4,w1,works/gone.txt,CC0-1.0,2026-01-14' \
	    's5,w1,works/big.txt,CC0-1.0,2026-01-14' \
	    's6,w1,works/cp1252-quotes.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	work works/sub/b.txt 'Another line.'
	ln -s a.txt drop/works/link.txt
	head -c 5000 /dev/zero | tr '\0' x >drop/works/big.txt
	cp "$FIX/cp1252-quotes.txt" drop/works/
	run -0 quire-ingest -m 4k --rejects rejects.csv --sums sums drop
	# Missing and too large: no line; the symlink under its target.
	run -0 cat sums
	assert_output - <<-EOF
	$(sha256sum <drop/works/a.txt | cut -c1-64)  works/a.txt
	$(sha256sum <drop/works/a.txt | cut -c1-64)  works/a.txt
	$(sha256sum <drop/works/sub/b.txt | cut -c1-64)  works/sub/b.txt
	$(sha256sum <drop/works/cp1252-quotes.txt | cut -c1-64)  works/cp1252-quotes.txt
	EOF
	(cd drop && sha256sum -c --quiet ../sums)
}

@test "ingest: --sums is not left behind when ingest fails" {
	rows 's1,w1,works/a.txt,CC0-1.0,2026-01-14'
	work works/a.txt
	run -74 --separate-stderr records_sums_to_full
	# Nor its temporary file.
	run -0 find . -name '*sums*'
	assert_output ''
}
