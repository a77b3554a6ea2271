#!/usr/bin/env bats
# quire-statement: a writer's own statement of what became of each work,
# from releases built here with `make dataset` and from a fixture release.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
}

# dataset VERSION CUTOFF: the sample pipeline on ./drop into ./releases.
dataset() {
	sample_dataset "$1" "$2" 2>/dev/null
}

# Version 1.0.0 of the sample; then w01 withdraws and w02 submits s0033,
# and version 2.0.0 is made.
two_versions() {
	dataset 1.0.0 2026-11-01
	echo 'w01,withdraw,2026-11-10,*,*,2026-06,Maren Louisa Holt,m.l.holt@example.org' \
	    >>drop/consent.csv
	printf 'Un poème neuf.\nDeux lignes.\n' >drop/works/w02/neuf.txt
	echo 's0033,w02,works/w02/neuf.txt,CC BY 4.0,2026-11-12,Poème neuf,Élise Marchand,fr,poem,,web' \
	    >>drop/manifest.csv
	dataset 2.0.0 2026-11-20
}

# The fixture release fix/1.0.0: writer a1's works beside writer b2's.
fixture() {
	mkdir -p fix/1.0.0/shards
	cp "$FIX"/rel/lineage.csv "$FIX"/rel/rejects.csv "$FIX"/rel/inputs.lock \
	    fix/1.0.0/
	zstd -q "$FIX/rel/train.jsonl" -o fix/1.0.0/shards/fix-train-00000.jsonl.zst
	zstd -q "$FIX/rel/validation.jsonl" \
	    -o fix/1.0.0/shards/fix-validation-00000.jsonl.zst
}

@test "statement: the fixture release gives the expected statement" {
	fixture
	run -0 --separate-stderr quire-statement -w a1 fix/1.0.0
	assert_output - <"$FIX/a1.expected"
	assert_equal "$stderr" ""
}

@test "statement: an included writer's work shows its shard, index, license, attribution and consent" {
	dataset 1.0.0 2026-11-01
	run -0 quire-statement -w w01 releases/sample/1.0.0
	assert_line '## sample 1.0.0'
	assert_line 'This release was made for these uses: train, evaluate; its cut-off date is 2026-11-01.'
	assert_line 'Of your 8 works, 4 are in this release and 4 are not.'
	assert_line '### s0001 “Harbour at Six”: in this release'
	assert_line '- Where: shard sample-train-00000.jsonl.zst, index 0 (line 1 of the shard), document id 5be645e5fcbfb912'
	assert_line '- License: CC-BY-4.0'
	assert_line '- Attribution: "Harbour at Six" by Maren Holt, CC-BY-4.0'
	assert_line '- Consent: form 2026-01, granted on 2026-01-12, for every use'
	# A work left out, with the stage and reason in words.
	assert_line '### s0008: not in this release'
	assert_line '- Left out at: the license check (stage license-tag)'
	assert_line '- Why: The license you chose does not allow every use this release is made for.'
	assert_line '- Reason code: license.denied'
	assert_line '- Detail: LicenseRef-All-Rights-Reserved does not permit evaluate;train'
	# Index and shard agree with lineage.csv, for every work in.
	run -0 grep -c ': in this release$' <(quire-statement -w w01 releases/sample/1.0.0)
	assert_output 4
}

@test "statement: the shard and index shown hold the writer's document" {
	dataset 1.0.0 2026-11-01
	quire-statement -w w05 releases/sample/1.0.0 >st.md
	grep '^- Where: ' st.md | sed 's/^- Where: shard \([^,]*\), index \([0-9]*\) .* document id \(.*\)$/\1 \2 \3/' >places
	[ "$(wc -l <places)" -eq 4 ]
	while read -r shard index id; do
		echo "# $shard $index $id"
		zstd -q -dc "releases/sample/1.0.0/shards/$shard" |
		    sed -n "$((index + 1))p" | jq -e --arg id "$id" \
		    '.id == $id and .writer == "w05"'
	done <places
}

@test "statement: a writer who withdrew consent is told so for each work" {
	dataset 1.0.0 2026-11-01
	run -0 quire-statement -w w04 releases/sample/1.0.0
	assert_line 'None of your 2 works is in this release.'
	assert_line '### s0017: not in this release'
	assert_line '### s0018: not in this release'
	assert_line '- Left out at: the consent check (stage consent-filter)'
	assert_line "- Why: You withdrew your consent for this work before the release's cut-off date, so it is not used."
	assert_line '- Reason code: consent.withdrawn'
	assert_line '- Detail: withdrawn on 2026-08-10 (ledger line 8)'
	run -0 grep -c '^- Reason code: consent.withdrawn$' <(quire-statement -w w04 releases/sample/1.0.0)
	assert_output 2
	refute_output --partial 'in this release$'
}

@test "statement: a writer without consent is told what would include the work" {
	dataset 1.0.0 2026-11-01
	run -0 quire-statement -w w07 releases/sample/1.0.0
	assert_line '### s0027: not in this release'
	assert_line '### s0028: not in this release'
	assert_line '- Reason code: consent.missing'
	assert_line "- Why: No consent of yours on record covers this work as of the release's cut-off date. If you want it used, sign the consent form for it."
	assert_line '- Detail: the writer has no ledger events'
}

@test "statement: a writer with no rows in a release is told there are none" {
	dataset 1.0.0 2026-11-01
	run -0 quire-statement -w w99 releases/sample/1.0.0
	assert_line '# Statement for writer w99'
	assert_line '## sample 1.0.0'
	assert_line "You have no works in this release: none of the works it holds or left out is yours."
	refute_output --partial '###'
}

@test "statement: releases in the order given, a withdrawn work still named by its title" {
	two_versions
	run -0 quire-statement -w w01 releases/sample/1.0.0 releases/sample/2.0.0
	assert_line 'Releases covered: sample 1.0.0, sample 2.0.0.'
	run -0 grep -n '^## ' <(quire-statement -w w01 releases/sample/1.0.0 releases/sample/2.0.0)
	assert_line --index 0 --regexp ':## sample 1\.0\.0$'
	assert_line --index 1 --regexp ':## sample 2\.0\.0$'
	run -0 quire-statement -w w01 releases/sample/2.0.0 releases/sample/1.0.0
	assert_line 'Releases covered: sample 2.0.0, sample 1.0.0.'
	# 2.0.0 holds none of w01's works; their titles come from 1.0.0.
	run -0 quire-statement -w w01 releases/sample/1.0.0 releases/sample/2.0.0
	assert_line 'None of your 8 works is in this release.'
	assert_line '### s0001 “Harbour at Six”: not in this release'
	assert_line '- Detail: withdrawn on 2026-11-10 (ledger line 11)'
	# Alone, 2.0.0 knows no title for them.
	run -0 quire-statement -w w01 releases/sample/2.0.0
	assert_line '### s0001: not in this release'
}

@test "statement: a work that came after a release is accounted for in it" {
	two_versions
	run -0 quire-statement -w w02 releases/sample/1.0.0 releases/sample/2.0.0
	assert_line '### s0033 “Poème neuf”: not among this release'"'"'s submissions'
	assert_line '### s0033 “Poème neuf”: in this release'
	assert_line '- Consent: form 2026-01, granted on 2026-02-03, for these uses: evaluate, train'
}

# The strings of every writer but $1 in the releases that follow, less
# those $1 also has: writer ids, submission ids, document ids, credits and
# titles.  The rows' first three fields (id, submission_id, writer_id) must
# need no quoting, which is checked, so that sed can take them.
others() {
	local w=$1 rel
	shift
	: >their
	: >mine
	for rel; do
		tail -q -n +2 "$rel/lineage.csv" "$rel/rejects.csv" >rows
		! grep -v '^[^,"]*,[^,"]*,[^,"]*,' rows
		sed -n 's/^\([^,]*\),\([^,]*\),\([^,]*\),.*/\3 \1 \2 \3/p' \
		    rows >ids
		grep -v "^$w " ids | cut -d' ' -f2- | tr ' ' '\n' >>their
		grep "^$w " ids | cut -d' ' -f2- | tr ' ' '\n' >>mine || true
		for s in "$rel"/shards/*.zst; do zstd -q -dc "$s"; done |
		    jq -r --arg w "$w" 'select(.writer != $w) | .credit, .title' \
		    >>their
		for s in "$rel"/shards/*.zst; do zstd -q -dc "$s"; done |
		    jq -r --arg w "$w" 'select(.writer == $w) | .credit, .title' \
		    >>mine
	done
	sort -u their | grep -vxF -f mine | grep -vx 'null' | grep -v '^$' || true
}

@test "statement: nothing about any other writer appears" {
	two_versions
	for w in w01 w02 w03 w04 w05 w06 w07; do
		quire-statement -w "$w" releases/sample/1.0.0 releases/sample/2.0.0 >"$w.md"
		others "$w" releases/sample/1.0.0 releases/sample/2.0.0 >foreign
		echo "# $w: $(wc -l <foreign) strings of other writers"
		[ "$(wc -l <foreign)" -gt 40 ]
		run ! grep -F -w -f foreign "$w.md"
	done
}

@test "statement: another writer's ids in a reject's detail are replaced, the writer's own kept" {
	fixture
	run -0 quire-statement -w a1 fix/1.0.0
	assert_line '- Detail: \<stdin\>:3: held for review, group 1: near 0.91 with another writer'"'"'s work (another writer'"'"'s work) of writer another writer'
	assert_line '- Detail: \<stdin\>:4: kept d0a10 (a-10)'
	refute_output --partial 'd0b1'
	refute_output --partial 'b-1'
	refute_output --partial 'b2'
	refute_output --partial 'Other Title'
	refute_output --partial 'Bea Other'
	# b2's reject id d0a is a prefix of a1's d0a10, not a token of it.
	refute_output --partial "another writer's work0"
}

@test "statement: markup in titles and attributions is escaped" {
	fixture
	run -0 quire-statement -w a1 fix/1.0.0
	assert_line '### a-1 “\*Bold\* \[link\](http\://x.example) \#1”: in this release'
	assert_line '- Attribution: "\*Bold\* \[link\](http\://x.example) \#1" by Ann \<Quill\>, CC-BY-4.0'
}

@test "statement: a reason code quire does not know is explained by its prefix or in general" {
	fixture
	run -0 quire-statement -w a1 fix/1.0.0
	assert_line '- Left out at: stage sift'
	assert_line '- Why: It was left out for a reason this version of quire does not describe; the reason code and the detail say more.'
	# The formula guard of rejects.csv ("'-3 is odd") is not shown.
	assert_line '- Detail: -3 is odd'
	sed -i 's/sift,sift.odd/dedupe,dedupe.someday/' fix/1.0.0/rejects.csv
	run -0 quire-statement -w a1 fix/1.0.0
	assert_line '- Why: It was left out by the check for duplicate works.'
}

@test "statement: every documented reason has its own sentence" {
	fixture
	for reason in $(cat "$ROOT"/filters/*.1 | sed -n 's/^\.It Cm \([a-z]*\.[a-z_]*\)$/\1/p' |
	    grep -E '^(ingest|consent|license|normalize|scrub|dedupe|shard|tokenize)\.' | sort -u) \
	    shard.no_id; do
		sed -i "s/^d0a4,a-4,a1,[^,]*,[^,]*,/d0a4,a-4,a1,x,$reason,/" fix/1.0.0/rejects.csv
		echo "# $reason"
		run -0 quire-statement -w a1 fix/1.0.0
		assert_line "- Reason code: ${reason//_/\\_}"
		refute_line --partial '- Why: It was left out by'
		refute_line --partial 'does not describe'
		n=$((${n:-0} + 1))
	done
	# Every stage's man page lists its reasons as ".It Cm CODE".
	[ "$n" -ge 20 ]
}

@test "statement: the same bytes in another locale, time zone and path" {
	fixture
	quire-statement -w a1 fix/1.0.0 >a.md
	LC_ALL=C.UTF-8 TZ=Pacific/Chatham quire-statement -w a1 fix/1.0.0 >b.md
	cmp a.md b.md
	# A copy elsewhere keeps its name: inputs.lock names it.
	mkdir -p elsewhere && cp -r fix/1.0.0 elsewhere/copy
	quire-statement -w a1 elsewhere/copy >c.md
	cmp a.md c.md
}

@test "statement: without inputs.lock a release is named by its path" {
	fixture
	rm fix/1.0.0/inputs.lock
	run -0 quire-statement -w a1 fix/1.0.0/
	assert_line '## fix 1.0.0'
	refute_line --partial 'This release was made'
}

@test "statement: usage errors exit 64" {
	fixture
	for args in "" "fix/1.0.0" "-w a1" "-w '' fix/1.0.0" "-Z -w a1 fix/1.0.0" \
	    "--rejects r.csv -w a1 fix/1.0.0" "--stats s.json -w a1 fix/1.0.0"; do
		echo "# quire-statement $args"
		eval "run -64 --separate-stderr quire-statement $args"
		assert_output ''
		assert_regex "$stderr" '^quire-statement: '
		assert_regex "$stderr" 'usage: quire-statement \[-hq\] -w WRITER'
	done
}

@test "statement: -h prints usage on stdout and --version the version" {
	run -0 quire-statement -h
	assert_output 'usage: quire-statement [-hq] -w WRITER [--version] RELEASE_DIR ...'
	run -0 quire-statement --version
	assert_output "quire-statement $(cat "$ROOT/VERSION")"
}

@test "statement: a missing release, lineage, rejects or shard exits 66" {
	fixture
	run -66 --separate-stderr quire-statement -w a1 nowhere
	assert_equal "$stderr" 'quire-statement: nowhere: No such file or directory'
	cp -r fix/1.0.0 nolin && rm nolin/lineage.csv
	run -66 --separate-stderr quire-statement -w a1 fix/1.0.0 nolin
	assert_output ''
	assert_equal "$stderr" 'quire-statement: nolin/lineage.csv: No such file or directory'
	cp -r fix/1.0.0 norej && rm norej/rejects.csv
	run -66 quire-statement -w a1 norej
	rm fix/1.0.0/shards/fix-validation-00000.jsonl.zst
	run -66 --separate-stderr quire-statement -w a1 fix/1.0.0
	assert_equal "$stderr" 'quire-statement: fix/1.0.0/shards/fix-validation-00000.jsonl.zst: No such file or directory'
	# b2's documents are all in the train shard.
	run -0 quire-statement -w b2 fix/1.0.0
}

# break_release WHAT: damage fix/1.0.0 one way.
break_release() {
	local l=fix/1.0.0/lineage.csv t=fix/1.0.0/shards/fix-train-00000.jsonl.zst
	case $1 in
	fields) sed -i '2s/$/,extra/' "$l" ;;
	index) sed -i '2s/,0,1111/,zero,1111/' "$l" ;;
	negative) sed -i '2s/,0,1111/,-1,1111/' "$l" ;;
	slash) sed -i '2s/,fix-train/,..\/..\/fix-train/' "$l" ;;
	empty) sed -i '2s/^d0a1,a-1,a1,/d0a1,,a1,/' "$l" ;;
	twice) sed -n '2p' "$l" >>"$l" ;;
	column) sed -i '1s/raw_sha256/sha/' "$l" ;;
	quote) sed -i '2s/^d0a1/d0"a1/' "$l" ;;
	utf8) printf 'x\377,a-9,a1,s,0,1\n' >>"$l" ;;
	rejstage) sed -i '2s/,dedupe,dedupe.cross/,,dedupe.cross/' fix/1.0.0/rejects.csv ;;
	past) sed -i '2s/,0,1111/,7,1111/' "$l" ;;
	other) sed -i '2s/,0,1111/,1,1111/' "$l" ;;
	notzstd) echo 'not zstd at all' >"$t" ;;
	emptyzst) : >"$t" ;;
	truncated) head -c 60 "$t" >t && mv t "$t" ;;
	notjson) printf '{"id":"d0a1",\n' | zstd -q -f -o "$t" ;;
	esac
}

@test "statement: a malformed lineage, rejects or shard exits 65 naming it, with no output" {
	for what in fields index negative slash empty twice column quote utf8 \
	    rejstage past other notzstd emptyzst truncated notjson; do
		rm -rf fix
		fixture
		break_release "$what"
		echo "# $what"
		run -65 --separate-stderr quire-statement -w a1 fix/1.0.0
		assert_output ''
		assert_regex "$stderr" '^quire-statement: fix/1\.0\.0/(lineage\.csv|rejects\.csv|shards/fix-train-00000\.jsonl\.zst)'
		[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
	done
}

# full ARGS: quire-statement ARGS with standard output on a full disk.
full() {
	quire-statement "$@" >/dev/full
}

@test "statement: a write error exits 74" {
	fixture
	run -74 --separate-stderr full -w a1 fix/1.0.0
	assert_regex "$stderr" '^quire-statement: write error: <stdout>: No space left on device$'
	run -74 full --version
	run -74 full -h
}

@test "statement: the man page's examples run" {
	dataset 1.0.0 2026-11-01
	quire-statement -w w04 releases/sample/1.0.0 >w04.md
	grep -q '^### s0017: not in this release$' w04.md
	(cd releases && ls -d */*/ | sed 's,/$,,' | sort -V |
	    xargs quire-statement -w w04 >../w04-all.md)
	cmp w04.md w04-all.md
}

@test "statement: make statement WRITER=w04 covers every release, oldest first" {
	grep -q '^statement:' "$ROOT/Makefile" ||
	    skip "the Makefile has no statement target yet"
	two_versions
	run -0 make -s -C "$ROOT" --no-print-directory statement WRITER=w01 \
	    BIN="$QUIRE_BIN" OUT="$PWD/releases"
	assert_line 'Releases covered: sample 1.0.0, sample 2.0.0.'
	run -0 make -s -C "$ROOT" --no-print-directory statement WRITER=w01 \
	    BIN="$QUIRE_BIN" RELEASE="$PWD/releases/sample/2.0.0"
	assert_line 'Releases covered: sample 2.0.0.'
}
