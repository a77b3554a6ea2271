#!/usr/bin/env bats
# quire-changes: CHANGES.md and changes.csv between versions of a release,
# from fixtures and from releases built here with `make dataset`.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
}

# The fixture releases: fix/1.0.0 (old), and the new one as fix/$1.
fixture() {
	mkdir -p fix
	cp -r "$FIX/old" fix/1.0.0
	cp -r "$FIX/new" "fix/${1:-2.0.0}"
}

# dataset VERSION CUTOFF: the sample pipeline on ./drop into ./releases.
dataset() {
	sample_dataset "$1" "$2" 2>/dev/null
}

# Version 1.0.0 of the sample; then w01 withdraws consent and w02 submits
# s0033, and the next version is made as $1 (2.0.0 unless given).
two_versions() {
	dataset 1.0.0 2026-11-01
	echo 'w01,withdraw,2026-11-10,*,*,2026-06,Maren Louisa Holt,m.l.holt@example.org' \
	    >>drop/consent.csv
	printf 'Un poème neuf.\nDeux lignes.\n' >drop/works/w02/neuf.txt
	echo 's0033,w02,works/w02/neuf.txt,CC BY 4.0,2026-11-12,Poème neuf,Élise Marchand,fr,poem,,web' \
	    >>drop/manifest.csv
	dataset "${1:-2.0.0}" 2026-11-20
}

@test "changes: the fixture gives the expected CHANGES.md and changes.csv" {
	fixture
	run -0 --separate-stderr quire-changes --csv changes.csv fix/1.0.0 fix/2.0.0
	assert_output - <"$FIX/CHANGES.md.expected"
	assert_equal "$stderr" ""
	run -0 cat changes.csv
	assert_output - <"$FIX/changes.csv.expected"
}

@test "changes: each kind of change, with its stage and reason" {
	fixture
	quire-changes -c changes.csv fix/1.0.0 fix/2.0.0 >/dev/null
	while IFS='|' read -r row why; do
		echo "# $why: $row"
		grep -qxF "$row" changes.csv
	done <<-'EOF'
	s1,w1,removed,consent-filter,consent.withdrawn|removed: the new release's reject row
	s2,w1,removed,,drop.absent|removed: in neither lineage nor rejects of the new release
	s8,w2,removed,ingest,ingest.duplicate_id|removed: the first of two reject rows
	s4,w2,changed,,changed.bytes|changed: other raw bytes
	s5,w3,changed,,changed.split|changed: moved from train to validation
	s6,w3,added,consent-filter,consent.future|added: the old release's reject row
	s7,w4,added,,|added: new
	'=s9,w5,added,,|added: a formula-looking id stays guarded
	EOF
	# s3 is unchanged: no row.
	run ! grep '^s3,' changes.csv
	[ "$(wc -l <changes.csv)" -eq 9 ]
}

@test "changes: a first version, with -f or OLD as -" {
	fixture
	run -0 --separate-stderr quire-changes -c a.csv -f fix/1.0.0
	assert_output - <"$FIX/first.md.expected"
	assert_equal "$stderr" ""
	run -0 quire-changes --first --csv b.csv fix/1.0.0
	assert_output - <"$FIX/first.md.expected"
	run -0 quire-changes -c c.csv - fix/1.0.0
	assert_output - <"$FIX/first.md.expected"
	cmp a.csv b.csv
	cmp a.csv c.csv
	run -0 cat a.csv
	assert_line --index 0 'submission_id,writer_id,change,stage,reason'
	assert_line --index 1 's1,w1,added,,'
	[ "${#lines[@]}" -eq 7 ]
	run ! grep -v ',added,,$' <(tail -n +2 a.csv)
	# Two reject rows of one duplicated id are one submission left out.
	run -0 quire-changes -f fix/2.0.0
	assert_line '2 submissions were left out (rejects.csv gives the reason for each).'
}

@test "changes: a withdrawal and a new work: exactly those removed and added" {
	two_versions
	run -0 --separate-stderr quire-changes -c changes.csv \
	    releases/sample/1.0.0 releases/sample/2.0.0
	# 2.0.0 is a new major version: no warning.
	assert_equal "$stderr" ""
	assert_line '# Changes in sample 2.0.0'
	assert_line '| removed | 4 |'
	# s0013 was held as a near copy of w01's s0005, which left with w01.
	assert_line '| added | 2 |'
	assert_line '| changed | 0 |'
	assert_line '## Users of sample 1.0.0: move to sample 2.0.0'
	assert_line '- 4 works: consent withdrawn (consent.withdrawn)'
	assert_line '| s0001 | w01 | consent-filter | consent.withdrawn | consent withdrawn |'
	assert_line '| s0033 | w02 | new: not among the submissions of sample 1.0.0 |'
	refute_line --partial 'understates'
	run -0 cat changes.csv
	assert_output - <<-'EOF'
	submission_id,writer_id,change,stage,reason
	s0001,w01,removed,consent-filter,consent.withdrawn
	s0003,w01,removed,consent-filter,consent.withdrawn
	s0004,w01,removed,consent-filter,consent.withdrawn
	s0007,w01,removed,consent-filter,consent.withdrawn
	s0013,w02,added,dedupe,dedupe.cross_writer
	s0033,w02,added,,
	EOF
}

@test "changes: the same changes as 1.1.0 print the major-version warning" {
	two_versions 1.1.0
	run -0 --separate-stderr quire-changes releases/sample/1.0.0 releases/sample/1.1.0
	assert_equal "$stderr" 'quire-changes: 1.1.0 removes 4 works: its version should be a new major version (1.0.0 -> 1.1.0)'
	assert_line '## Users of sample 1.0.0: move to sample 1.1.0'
	assert_line 'new major version; sample 1.1.0 keeps the major version of sample 1.0.0, so its number'
}

@test "changes: changed works in the same major version are warned about too" {
	fixture 1.1.0
	run -0 --separate-stderr quire-changes fix/1.0.0 fix/1.1.0
	assert_equal "$stderr" "quire-changes: 1.1.0 removes 3 works: its version should be a new major version (1.0.0 -> 1.1.0)
quire-changes: 1.1.0 changes 2 works: its version should be a new major version (1.0.0 -> 1.1.0)"
	# Only additions: no warning, no move-on section.
	mkdir -p add && cp -r fix/1.0.0 add/1.0.0 && cp -r fix/1.0.0 add/1.0.1
	echo 'i7,s7,w4,fix-train-00000.jsonl.zst,5,7777' >>add/1.0.1/lineage.csv
	run -0 --separate-stderr quire-changes add/1.0.0 add/1.0.1
	assert_equal "$stderr" ""
	assert_line '| added | 1 |'
	refute_line --partial 'move to'
}

@test "changes: versions that are not MAJOR.MINOR.PATCH cannot be checked" {
	for v in 2 2.0 v2.0.0 2.0.0.1 2.0.0- 2.0.0-rc..1 2.0.0+; do
		rm -rf fix && fixture "$v"
		echo "# $v"
		run -0 --separate-stderr quire-changes fix/1.0.0 "fix/$v"
		assert_equal "$stderr" "quire-changes: cannot check that $v is a new major version of 1.0.0: versions are not MAJOR.MINOR.PATCH"
	done
	# A pre-release or build suffix is semver.
	rm -rf fix && fixture 2.0.0-rc.1+b7
	run -0 --separate-stderr quire-changes fix/1.0.0 fix/2.0.0-rc.1+b7
	assert_equal "$stderr" ""
}

@test "changes: a release being assembled is named by its inputs.lock" {
	fixture
	mkdir -p out/fix
	cp -r fix/2.0.0 out/fix/.tmp-2.0.0.XyZ123
	printf 'option NAME=fix\noption VERSION=2.0.0\n' >out/fix/.tmp-2.0.0.XyZ123/inputs.lock
	run -0 --separate-stderr quire-changes fix/1.0.0 out/fix/.tmp-2.0.0.XyZ123
	assert_output - <"$FIX/CHANGES.md.expected"
	assert_equal "$stderr" ""
}

@test "changes: the same bytes in another locale, time zone and path" {
	fixture
	quire-changes -c a.csv fix/1.0.0 fix/2.0.0 >a.md
	LC_ALL=C.UTF-8 TZ=Pacific/Chatham quire-changes -c b.csv fix/1.0.0 fix/2.0.0 >b.md
	mkdir -p deep/er && cp -r fix deep/er/
	(cd deep/er && quire-changes -c ../../c.csv fix/1.0.0/ ./fix/2.0.0 >../../c.md)
	cmp a.md b.md && cmp a.md c.md
	cmp a.csv b.csv && cmp a.csv c.csv
	# Row order in the inputs does not matter.
	{ head -1 fix/2.0.0/lineage.csv; tail -n +2 fix/2.0.0/lineage.csv | sort -r; } >l
	mv l fix/2.0.0/lineage.csv
	quire-changes -c d.csv fix/1.0.0 fix/2.0.0 >d.md
	cmp a.md d.md && cmp a.csv d.csv
}

@test "changes: works are named by ids, never by title, credit or text" {
	two_versions
	quire-changes -c changes.csv releases/sample/1.0.0 releases/sample/2.0.0 >CHANGES.md
	for s in releases/sample/*/shards/*.zst; do zstd -q -dc "$s"; done |
	    jq -r '.title, .credit' | sort -u >names
	[ "$(wc -l <names)" -gt 10 ]
	run ! grep -F -f names CHANGES.md changes.csv
	for s in releases/sample/*/shards/*.zst; do zstd -q -dc "$s"; done |
	    jq -r '.text | split("\n")[0]' | grep -v '^$' | sort -u >firstlines
	run ! grep -F -f firstlines CHANGES.md changes.csv
}

@test "changes: usage errors exit 64" {
	fixture
	for args in "" "fix/1.0.0" "fix/1.0.0 fix/2.0.0 fix/2.0.0" "-f" \
	    "-f fix/1.0.0 fix/2.0.0" "-Z fix/1.0.0 fix/2.0.0" "-c '' fix/1.0.0 fix/2.0.0" \
	    "--rejects r.csv fix/1.0.0 fix/2.0.0" "fix/1.0.0 fix/2.0.0 -c"; do
		echo "# quire-changes $args"
		eval "run -64 --separate-stderr quire-changes $args"
		assert_output ''
		assert_regex "$stderr" '^quire-changes: '
		assert_regex "$stderr" 'usage: quire-changes \[-hq\] \[-c FILE\]'
	done
}

@test "changes: -h prints usage on stdout and --version the version" {
	run -0 quire-changes -h
	assert_line --index 0 'usage: quire-changes [-hq] [-c FILE] [--version] OLD_RELEASE_DIR NEW_RELEASE_DIR'
	assert_line --index 1 '       quire-changes [-hq] [-c FILE] -f NEW_RELEASE_DIR'
	run -0 quire-changes --version
	assert_output "quire-changes $(cat "$ROOT/VERSION")"
}

@test "changes: a missing release, lineage or rejects exits 66, writing nothing" {
	fixture
	run -66 --separate-stderr quire-changes -c c.csv fix/0.9.0 fix/2.0.0
	assert_output ''
	assert_equal "$stderr" 'quire-changes: fix/0.9.0: No such file or directory'
	rm fix/2.0.0/rejects.csv
	run -66 --separate-stderr quire-changes -c c.csv fix/1.0.0 fix/2.0.0
	assert_equal "$stderr" 'quire-changes: fix/2.0.0/rejects.csv: No such file or directory'
	rm fix/1.0.0/lineage.csv
	run -66 quire-changes -f fix/1.0.0
	touch plain
	run -66 --separate-stderr quire-changes -f plain
	assert_equal "$stderr" 'quire-changes: plain: not a release directory'
	[ ! -e c.csv ]
	run ! ls c.csv.tmp.*
}

@test "changes: a malformed lineage or rejects exits 65 naming file and line" {
	fixture
	while IFS='|' read -r file edit message; do
		rm -rf fix && fixture
		sed -i "$edit" "fix/2.0.0/$file"
		echo "# $file: $edit"
		run -65 --separate-stderr quire-changes -c c.csv fix/1.0.0 fix/2.0.0
		assert_output ''
		assert_equal "$stderr" "quire-changes: fix/2.0.0/$file$message"
		[ ! -e c.csv ]
	done <<-'EOF'
	lineage.csv|3s/$/,x/|:3: 7 fields, the header has 6
	lineage.csv|3s/,1,cccc/,one,cccc/|:3: index "one" is not a decimal number
	lineage.csv|3s/,1,cccc/,99999999999999999999,cccc/|:3: index "99999999999999999999" is not a decimal number
	lineage.csv|3s/,fix-train/,..\/fix-train/|:3: shard "../fix-train-00000.jsonl.zst" is not a file name
	lineage.csv|3s/,w2,/,,/|:3: empty writer_id
	lineage.csv|3s/,s3,/,s4,/|:4: submission s4 is also on line 3: a work is in a release once
	lineage.csv|1s/raw_sha256/sha/|:1: missing required column raw_sha256
	lineage.csv|1s/,shard,/,submission_id,/|:1: column submission_id appears twice
	lineage.csv|3s/^i3/"i3/|:7: malformed CSV: error parsing data while strict checking enabled
	rejects.csv|2s/,consent-filter,/,,/|:2: empty stage
	rejects.csv|1s/,reason,/,why,/|:1: missing required column reason
	EOF
}

# full ARGS: quire-changes ARGS with standard output on a full disk.
full() {
	quire-changes "$@" >/dev/full
}

@test "changes: a write error exits 74 and leaves no changes.csv" {
	fixture
	run -74 --separate-stderr full -c changes.csv fix/1.0.0 fix/2.0.0
	assert_regex "$stderr" '^quire-changes: write error: <stdout>: No space left on device$'
	[ ! -e changes.csv ]
	run ! ls changes.csv.tmp.*
	run -74 --separate-stderr quire-changes -c no/such/dir/changes.csv fix/1.0.0 fix/2.0.0
	assert_regex "$stderr" '^quire-changes: cannot create no/such/dir/changes\.csv\.tmp\.[A-Za-z0-9]{6}: No such file or directory$'
	run -74 full --version
	run -74 full -h
}

@test "changes: the man page's examples run" {
	two_versions
	quire-changes -c changes.csv releases/sample/1.0.0 \
	    releases/sample/2.0.0 >CHANGES.md
	grep -q '^# Changes in sample 2.0.0$' CHANGES.md
	quire-changes -f releases/sample/1.0.0 >first.md
	grep -q '^This is the first version of sample' first.md
	quire-changes -c changes.csv releases/sample/1.0.0 \
	    releases/sample/2.0.0 >/dev/null
	run -0 grep ',removed,' changes.csv
	[ "${#lines[@]}" -eq 4 ]
}

@test "changes: make dataset writes CHANGES.md and changes.csv against the previous version" {
	dataset 1.0.0 2026-11-01
	[ -e releases/sample/1.0.0/CHANGES.md ] ||
	    skip "the dataset recipe does not run quire-changes yet"
	run -0 cat releases/sample/1.0.0/CHANGES.md
	assert_line --index 0 '# Changes in sample 1.0.0'
	assert_line --partial 'This is the first version of sample'
	rm -rf releases drop
	two_versions 1.1.0
	run -0 cat releases/sample/1.1.0/CHANGES.md
	assert_line '## Users of sample 1.0.0: move to sample 1.1.0'
	run -0 grep -c ',removed,consent-filter,consent.withdrawn$' releases/sample/1.1.0/changes.csv
	assert_output 4
	(cd releases/sample/1.1.0 && sha256sum -c --quiet SHA256SUMS)
}
