#!/usr/bin/env bats
# make audit and quire-audit: an untouched release passes every check, and
# each mutation (a shard byte, a lineage row, a withdrawn writer's record, a
# policy, a private ledger value, ...) fails the check it breaks, by name;
# the fixture release pins each check's wording.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	cp -r "$ROOT/samples/drop" drop
	cp -r "$ROOT/policies" policies
	REL="$PWD/releases/sample/1.0.0"
	# The audit's scratch directory goes here, to see that it leaves.
	mkdir tmp
	export TMPDIR="$PWD/tmp"
}

# dataset [VERSION]: the sample pipeline on copies of the drop and the
# policies, into ./releases; each version has its own pipeline file.
dataset() {
	sample_dataset "${1:-1.0.0}" "" "POLICIES = $PWD/policies" 2>/dev/null
}

# audit [RELEASE]: make audit with the build under test.
audit() {
	make -s -C "$ROOT" --no-print-directory audit BIN="$QUIRE_BIN" \
	    RELEASE="${1:-$REL}"
}

# SHA256SUMS made again, as make dataset makes it, after a mutation.
resum() {
	(cd "${1:-$REL}" && find . -type f ! -name SHA256SUMS -printf '%P\n' |
	    LC_ALL=C sort | xargs -d '\n' sha256sum) >sums
	mv sums "${1:-$REL}/SHA256SUMS"
}

# Every path, size, mode, time and hash of the releases.
snapshot() {
	(cd releases && find . -printf '%p %s %m %T@\n' | LC_ALL=C sort &&
	    find . -type f -exec sha256sum {} + | LC_ALL=C sort)
}

# The fixture release fix/1.0.0 with its drop and ledger.
fixture() {
	mkdir fix
	cp -r "$FIX/rel" fix/1.0.0
	cp -r "$FIX/drop" fix-drop
	cp "$FIX/ledger.csv" ledger.csv
	mkdir fix/1.0.0/shards
	zstd -q --rm fix/1.0.0/train.jsonl \
	    -o fix/1.0.0/shards/fix-train-00000.jsonl.zst
}

@test "audit: an untouched release passes every check and is left as it was" {
	dataset
	snapshot >before
	run -0 --separate-stderr audit
	assert_equal "${#lines[@]}" 8
	assert_line --index 0 'PASS integrity: 21 files match SHA256SUMS'
	assert_line --index 1 --regexp '^PASS inputs: quire [^ ]+, 20 options and 42 files match inputs.lock$'
	assert_line --index 2 'PASS reproducibility: 22 files replayed byte for byte'
	assert_line --index 3 'PASS conservation: 32 manifest rows: 15 in lineage.csv, 17 in rejects.csv, each once; lineage.csv places the 15 documents of 2 shards'
	assert_line --index 4 'PASS consent: 15 documents covered by the ledger for train;evaluate at 2026-11-01'
	assert_line --index 5 'PASS license: 15 documents under licenses that allow train;evaluate, attribution complete'
	assert_line --index 6 'PASS privacy: no value of the private ledger columns name, email in 22 files, shards decompressed; quire-scrub finds no personal data in 15 documents'
	assert_line --index 7 'PASS immutability: no temporary directory beside 1.0.0; no later version names it as previous'
	assert_equal "$stderr" "quire: audit of $REL: all 8 checks hold"
	snapshot >after
	cmp before after
	run -0 ls -A tmp
	refute_output
}

@test "audit: a changed shard byte fails integrity, naming the shard" {
	dataset
	printf 'A' | dd of="$REL/shards/sample-train-00000.jsonl.zst" bs=1 \
	    seek=300 conv=notrunc 2>/dev/null
	run -2 --separate-stderr audit
	assert_line --index 0 'FAIL integrity: 1 file does not match SHA256SUMS: shards/sample-train-00000.jsonl.zst'
	assert_line 'FAIL reproducibility: 1 file differs from the replay: shards/sample-train-00000.jsonl.zst'
	assert_line --regexp '^PASS inputs: '
	assert_line --regexp '^PASS immutability: '
	assert_equal "${#lines[@]}" 8
	[[ $stderr == *"quire: audit of $REL: "*" of 8 checks fail"* ]]
}

@test "audit: a dropped lineage row fails conservation and reproducibility" {
	dataset
	sed -i '/,s0003,/d' "$REL/lineage.csv"
	resum
	snapshot >before
	run -2 audit
	assert_line --index 0 'PASS integrity: 21 files match SHA256SUMS'
	assert_line 'FAIL reproducibility: 2 files differ from the replay: SHA256SUMS, lineage.csv'
	assert_line 'FAIL conservation: 1 manifest row in neither lineage.csv nor rejects.csv: s0003 (manifest line 4); 1 document of the shards not in lineage.csv: s0003 (shards/sample-train-00000.jsonl.zst line 2)'
	assert_line --regexp '^PASS consent: '
	snapshot >after
	cmp before after
}

@test "audit: a withdrawn writer's record added to a shard fails consent, naming it" {
	dataset
	# w04 withdrew before the cut-off: s0017 is in rejects.csv.
	quire-ingest -q drop |
	    quire-license-tag -q --policies policies --uses 'train;evaluate' |
	    grep '"submission":"s0017"' >w04.jsonl
	shard="$REL/shards/sample-train-00000.jsonl.zst"
	{ zstd -q -dc "$shard"; cat w04.jsonl; } | zstd -q -f -o new.zst
	mv new.zst "$shard"
	resum
	run -2 audit
	assert_line --index 0 'PASS integrity: 21 files match SHA256SUMS'
	assert_line 'FAIL consent: 1 document not covered by the ledger: s0017 (consent.withdrawn)'
	assert_line 'FAIL conservation: 1 document of the shards not in lineage.csv: s0017 (shards/sample-train-00000.jsonl.zst line 15)'
	assert_line --regexp '^FAIL reproducibility: .*shards/sample-train-00000.jsonl.zst'
	assert_line --regexp '^PASS license: '
}

@test "audit: a policy changed after the release fails inputs, naming the file" {
	dataset
	echo 'LicenseRef-Board-Test,,research,yes,no' >>policies/licenses.csv
	run -2 audit
	assert_line --index 0 --regexp '^PASS integrity: '
	assert_line --index 1 'FAIL inputs: 1 input differs from inputs.lock: policy licenses.csv (changed)'
	assert_line --regexp '^FAIL reproducibility: .*datasheet.md'
}

@test "audit: a private ledger value planted in a release file fails privacy, naming column and file, never the value" {
	dataset
	echo 'Write to m.l.holt@example.org for more.' >>"$REL/CREDITS.md"
	resum
	run -2 audit
	assert_line --index 0 --regexp '^PASS integrity: '
	assert_line 'FAIL privacy: 1 private ledger value found: column email (ledger line 2) in CREDITS.md'
	refute_output --partial 'm.l.holt'
}

@test "audit: a private name inside a shard record is found decompressed" {
	dataset
	shard="$REL/shards/sample-validation-00000.jsonl.zst"
	zstd -q -dc "$shard" | sed 's/"text":"/"text":"Aiko M. Tanabe wrote: /' |
	    zstd -q -f -o new.zst
	mv new.zst "$shard"
	resum
	run -2 audit
	assert_line 'FAIL privacy: 1 private ledger value found: column name (ledger line 3) in shards/sample-validation-00000.jsonl.zst'
	refute_output --partial 'Tanabe'
}

@test "audit: personal data in a record fails privacy through quire-scrub, naming the document and the pattern" {
	dataset
	shard="$REL/shards/sample-train-00000.jsonl.zst"
	zstd -q -dc "$shard" |
	    sed '1s/"text":"/"text":"Mail me: reader.canary@example.com\\n/' |
	    zstd -q -f -o new.zst
	mv new.zst "$shard"
	resum
	run -2 audit
	assert_line 'FAIL privacy: 1 document in which quire-scrub finds personal data: s0001; 1 kind of personal data found: email in text (1)'
	refute_output --partial 'reader.canary'
}

@test "audit: an attribution changed in a shard fails license" {
	dataset
	shard="$REL/shards/sample-train-00000.jsonl.zst"
	# The attribution of s0001 loses its credit.
	zstd -q -dc "$shard" | sed '1s/ by Maren Holt, CC-BY-4.0"/"/' |
	    zstd -q -f -o new.zst
	mv new.zst "$shard"
	resum
	run -2 audit
	assert_line "FAIL license: 1 document whose license or attribution differs from the policies': s0001"
}

@test "audit: a temporary directory beside the version fails immutability" {
	dataset
	mkdir "$PWD/releases/sample/.work-1.0.0.AbC123"
	run -2 audit
	assert_line --index 7 'FAIL immutability: 1 temporary directory beside the version: .work-1.0.0.AbC123'
}

@test "audit: a second version replays against the previous one, and a rewritten first version fails immutability" {
	dataset 1.0.0
	dataset 1.1.0
	run -0 audit "$PWD/releases/sample/1.1.0"
	assert_line --index 2 'PASS reproducibility: 22 files replayed byte for byte'
	run -0 audit
	assert_line --index 7 'PASS immutability: no temporary directory beside 1.0.0; its SHA256SUMS is the one the next version recorded'
	echo >>"$REL/CREDITS.md"
	resum
	run -2 audit
	assert_line --index 7 --regexp '^FAIL immutability: 1 later version recorded another SHA256SUMS: 1\.1\.0 \(inputs\.lock line [0-9]+\)$'
	run -2 audit "$PWD/releases/sample/1.1.0"
	assert_line --index 2 'FAIL reproducibility: 2 files differ from the replay: SHA256SUMS, inputs.lock'
}

@test "audit: a ledger that is gone fails inputs, the replay and the stages with the reason" {
	dataset
	mv drop/consent.csv gone.csv
	run -2 audit
	assert_line --index 1 --regexp "^FAIL inputs: today's inputs cannot be hashed: sha256sum: $PWD/drop/consent.csv: No such file or directory$"
	assert_line --index 2 --regexp '^FAIL reproducibility: the replay failed: quire-consent-filter: .*consent.csv'
	assert_line --index 4 --regexp '^FAIL consent: quire-consent-filter: .*consent.csv'
	assert_line --index 6 --regexp '^FAIL privacy: .*consent.csv: No such file or directory$'
	assert_line --index 7 --regexp '^PASS immutability: '
}

@test "audit: a directory without inputs.lock, or none at all, is no release" {
	mkdir -p releases/sample/9.9.9
	run -2 --separate-stderr audit "$PWD/releases/sample/9.9.9"
	refute_output
	[[ $stderr == *"quire: $PWD/releases/sample/9.9.9: no inputs.lock: not a release"* ]]
	run -2 --separate-stderr audit "$PWD/releases/sample/0.0.0"
	refute_output
	[[ $stderr == *"quire: no release at $PWD/releases/sample/0.0.0"* ]]
}

@test "audit: the man page's examples run" {
	dataset
	run -0 quire-audit conservation releases/sample/1.0.0
	assert_output --regexp '^PASS conservation: '
	run -0 quire-audit privacy releases/sample/1.0.0
	assert_output --regexp '^PASS privacy: no value of the private ledger columns name, email in 22 files'
	(cd releases/sample/1.0.0 && sha256sum -c SHA256SUMS) >sums 2>&1
	run -0 quire-audit -c sums integrity releases/sample/1.0.0
	assert_output 'PASS integrity: 21 files match SHA256SUMS'
}

@test "quire-audit: conservation names every row out of place in the fixture" {
	fixture
	run -1 quire-audit conservation fix/1.0.0
	assert_output 'FAIL conservation: 1 manifest row in neither lineage.csv nor rejects.csv: s4 (manifest line 5); 2 submissions not once per manifest row in lineage.csv or rejects.csv: s3 (1 in the manifest, 0 in lineage.csv, 2 in rejects.csv), s6 (2 in the manifest, 0 in lineage.csv, 1 in rejects.csv); 1 submission not in the manifest: s9 (lineage.csv:4); 1 document of the shards not in lineage.csv: s7 (shards/fix-train-00000.jsonl.zst line 3); 1 lineage.csv row without its document: lineage.csv:4 (s9); 1 lineage.csv row that disagrees with its document: lineage.csv:3 (s2)'
}

@test "quire-audit: inputs names each input that is gone, new or changed" {
	fixture
	run -1 quire-audit -n "$FIX/lock-now" inputs fix/1.0.0
	assert_output 'FAIL inputs: 5 inputs differ from inputs.lock: drop works/a.txt (gone), drop works/b.txt (new), option TOKENIZER (new), policy licenses.csv (changed), quire (0.1.0, now 0.2.0)'
	run -0 quire-audit -n fix/1.0.0/inputs.lock inputs fix/1.0.0
	assert_output 'PASS inputs: quire 0.1.0, 6 options and 6 files match inputs.lock'
}

@test "quire-audit: privacy finds a private value in NFC and JSON spellings, and skips short ones" {
	fixture
	# The ledger spells the name decomposed (NFD), CREDITS.md composed;
	# the shard holds the note JSON-escaped, and "Bob" (3 characters).
	run -1 quire-audit privacy fix/1.0.0
	assert_output 'FAIL privacy: 2 private ledger values found: column name (ledger line 2) in CREDITS.md, column note (ledger line 2) in shards/fix-train-00000.jsonl.zst'
	printf 'writer_id,event,date,uses,works,form_version\n' >public.csv
	run -0 quire-audit -l public.csv privacy fix/1.0.0
	assert_output --regexp '^PASS privacy: the ledger has no private column'
}

@test "quire-audit: integrity names files unlisted, missing, listed twice, outside and changed" {
	fixture
	resum fix/1.0.0
	(cd fix/1.0.0 && sha256sum -c SHA256SUMS) >sums 2>&1
	run -0 quire-audit -c sums integrity fix/1.0.0
	assert_output 'PASS integrity: 5 files match SHA256SUMS'
	grep lineage.csv fix/1.0.0/SHA256SUMS >more
	sed -n 's/  CREDITS.md$/  ..\/CREDITS.md/p' fix/1.0.0/SHA256SUMS >>more
	cat more >>fix/1.0.0/SHA256SUMS
	echo 'not a checksum line' >>fix/1.0.0/SHA256SUMS
	echo extra >fix/1.0.0/extra.txt
	rm fix/1.0.0/rejects.csv
	echo '# changed' >>fix/1.0.0/inputs.lock
	(cd fix/1.0.0 && sha256sum -c SHA256SUMS) >sums 2>&1 || :
	run -1 quire-audit -c sums integrity fix/1.0.0
	assert_output "FAIL integrity: 1 file does not match SHA256SUMS: inputs.lock; 1 listed file is missing: rejects.csv; 1 file not listed in SHA256SUMS: extra.txt; 1 file listed twice: lineage.csv; 1 listed name outside the release: ../CREDITS.md; 1 SHA256SUMS line not in sha256sum's format: line 8"
}

@test "quire-audit: a release without SHA256SUMS fails integrity" {
	fixture
	: >sums
	run -1 quire-audit -c sums integrity fix/1.0.0
	assert_output --regexp '^FAIL integrity: no SHA256SUMS; 5 files not listed in SHA256SUMS: '
}

@test "quire-audit: reproducibility names files that differ or that one side lacks" {
	fixture
	cp -r fix/1.0.0 replay
	echo >>replay/lineage.csv
	rm replay/CREDITS.md
	mkdir replay/extra
	run -1 quire-audit -p replay reproducibility fix/1.0.0
	assert_output 'FAIL reproducibility: 1 file differs from the replay: lineage.csv; 1 file the replay does not make: CREDITS.md; 1 file of the replay missing from the release: extra/'
}

@test "quire-audit: a stage's rejects and rewrites are named with their reasons" {
	fixture
	zstd -q -dc fix/1.0.0/shards/fix-train-00000.jsonl.zst >in.jsonl
	sed -n '1p' in.jsonl >out.jsonl
	sed -n '3s/Seven/Eight/p' in.jsonl >>out.jsonl
	printf 'id,submission_id,writer_id,stage,reason,detail\n' >rej.csv
	printf 'i2,s2,a1,consent-filter,consent.scope,the grant lacks train\n' >>rej.csv
	run -1 quire-audit -i in.jsonl -o out.jsonl -r rej.csv consent fix/1.0.0
	assert_output "FAIL consent: 1 document not covered by the ledger: s2 (consent.scope); 1 document whose consent differs from the ledger's: s7"
	run -0 quire-audit -i in.jsonl -o in.jsonl -r rej.csv license fix/1.0.0
	assert_output 'PASS license: 3 documents under licenses that allow train, attribution complete'
}

@test "quire-audit: usage errors exit 64" {
	fixture
	run -64 quire-audit
	assert_line --index 0 'quire-audit: a check and a release are required'
	run -64 quire-audit verify fix/1.0.0
	assert_line --index 0 'quire-audit: unknown check: verify'
	run -64 quire-audit integrity fix/1.0.0
	assert_line --index 0 'quire-audit: integrity needs -c'
	run -64 quire-audit -Z conservation fix/1.0.0
	assert_line --index 1 --partial 'usage: quire-audit'
}

@test "quire-audit: -h prints usage on stdout, --version the version" {
	run -0 --separate-stderr quire-audit -h
	assert_line --index 0 --partial 'usage: quire-audit [-hq]'
	assert_equal "$stderr" ""
	run -0 quire-audit --version
	assert_output "quire-audit $(cat "$ROOT/VERSION")"
}

@test "quire-audit: a missing release or input exits 66, a malformed one 65" {
	fixture
	run -66 quire-audit immutability nowhere
	assert_output 'quire-audit: nowhere: No such file or directory'
	run -66 quire-audit -d nowhere conservation fix/1.0.0
	assert_output 'quire-audit: nowhere/manifest.csv: No such file or directory'
	printf 'id,submission_id\n"a,s1\n' >fix/1.0.0/lineage.csv
	run -65 quire-audit conservation fix/1.0.0
	assert_output --regexp '^quire-audit: fix/1\.0\.0/lineage\.csv'
}

# Run quire-audit with standard output on a full disk.
to_full() { quire-audit "$@" >/dev/full; }

@test "quire-audit: a full disk on standard output exits 74" {
	run -74 to_full --version
	fixture
	run -74 to_full immutability fix/1.0.0
	assert_output 'quire-audit: write error: <stdout>: No space left on device'
}
