#!/usr/bin/env bats
# quire-datasheet: the shards' datasheets, datasheet.md, the dataset card and
# croissant.json of a release.  setup_file builds a small release with the
# real stages from the drop in tests/fixtures/datasheet/drop (12 works by 6
# writers in Latin, Greek, Arabic, Japanese and Cyrillic script; one
# withdrawn, one all-rights-reserved, one empty), as `make dataset` does;
# each test works on its own copy.
bats_require_minimum_version 1.5.0
load test_helper/common-setup
setup() { _common_setup; }

STAGES="ingest consent-filter license-tag normalize scrub shard"
CUTOFF=2026-11-01

# build_release DIR: copy the fixture drop and the policies into DIR, run
# the stages into DIR/rel (stats and rejects in DIR/work) and lock it.
build_release() {
	mkdir -p "$1" && cd "$1"
	cp -r "$FIX/drop" drop
	cp -r "$ROOT/policies" policies
	mkdir -p rel/shards work
	quire-ingest -q --rejects work/rejects-ingest.csv \
	    --stats work/stats-ingest.json drop |
	    quire-consent-filter -q --rejects work/rejects-consent-filter.csv \
	    --stats work/stats-consent-filter.json --ledger drop/consent.csv \
	    --policies policies --uses 'train;evaluate' --cutoff "$CUTOFF" |
	    quire-license-tag -q --rejects work/rejects-license-tag.csv \
	    --stats work/stats-license-tag.json --policies policies \
	    --uses 'train;evaluate' --cutoff "$CUTOFF" |
	    quire-normalize -q --rejects work/rejects-normalize.csv \
	    --stats work/stats-normalize.json |
	    quire-scrub -q --rejects work/rejects-scrub.csv \
	    --stats work/stats-scrub.json --policies policies |
	    quire-shard -q --rejects work/rejects-shard.csv \
	    --stats work/stats-shard.json -n fixture -d rel/shards -s 1500 \
	    -v 0.3 -l rel/lineage.csv |
	    quire-credits -q --policies policies >rel/CREDITS.md
	{ echo id,submission_id,writer_id,stage,reason,detail
	  for s in $STAGES; do cat "work/rejects-$s.csv"; done; } >rel/rejects.csv
	{ echo "# quire inputs.lock: what fixture 1.0.0 was built from"
	  echo "quire $(cat "$ROOT/VERSION")"
	  printf 'option %s\n' NAME=fixture VERSION=1.0.0 DROP=drop \
	      CONSENT=drop/consent.csv POLICIES=policies \
	      'USES=train;evaluate' "CUTOFF=$CUTOFF" "STAGES=$STAGES"
	  sha256sum drop/consent.csv | sed 's/^/ledger /'
	  (cd policies && find . -type f -printf '%P\n' | LC_ALL=C sort |
	      xargs -r -d '\n' sha256sum) | sed 's/^/policy /'
	  (cd drop && find . -type f -printf '%P\n' | LC_ALL=C sort |
	      xargs -r -d '\n' sha256sum) | sed 's/^/drop /'; } >rel/inputs.lock
}

setup_file() {
	TESTS="$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)"
	ROOT="$(dirname "$TESTS")"
	FIX="$TESTS/fixtures/datasheet"
	PATH="${QUIRE_BIN:-$ROOT/build/bin}:$PATH"
	export LC_ALL=C
	build_release "$BATS_FILE_TMPDIR/base" >/dev/null
}

# A copy of the release, ready to document, in ./base; cd into it.
fresh() {
	cp -r "$BATS_FILE_TMPDIR/base" base
	cd base
}

# quire-datasheet with the options of the fixture release, and more.
datasheet() {
	quire-datasheet -q -r rel -s work -S "$STAGES" -p policies -n fixture \
	    -V 1.0.0 -u 'train;evaluate' -c "$CUTOFF" "$@"
}

# The files quire-datasheet writes, relative to the release.
outputs() {
	(cd rel && ls shards/*.datasheet.md shards/*.datasheet.json \
	    datasheet.md README.md croissant.json)
}

# All records of the release, one per line.
records() {
	zstd -q -dc rel/shards/*.jsonl.zst
}

# nearest_rank: min, Q1, median, Q3, max of the numbers on stdin.
nearest_rank() {
	sort -n | awk '{ v[NR] = $1 }
	    function at(p,  r) { r = int((NR * p + 99) / 100); return v[r < 1 ? 1 : r] }
	    END { print v[1], at(25), at(50), at(75), v[NR] }'
}

# md_section FILE HEADING: the lines of FILE's section HEADING (### level).
md_section() {
	awk -v h="$2" '$0 == h { on = 1; next } on && /^##/ { exit } on' "$1"
}

# A release of the records in FILE cut by quire-shard alone (-S shard),
# in ./mini, with the policies copied from the repository.
mini_release() {
	mkdir -p mini/rel/shards mini/work
	cp -r "$ROOT/policies" mini/policies
	quire-shard -q -n mini -d mini/rel/shards -l mini/rel/lineage.csv \
	    --rejects mini/work/rejects-shard.csv \
	    --stats mini/work/stats-shard.json "$1" >/dev/null
	echo id,submission_id,writer_id,stage,reason,detail >mini/rel/rejects.csv
	echo "quire 0.1.0" >mini/rel/inputs.lock
}

mini_datasheet() {
	quire-datasheet -q -r mini/rel -s mini/work -S shard -p mini/policies \
	    -n mini -V 0.1.0 -u train -c "$CUTOFF" "$@"
}

# rec ID WRITER LICENSE TEXT: a release record with what datasheets need.
rec() {
	jq -cn --arg id "$1" --arg w "$2" --arg l "$3" --arg t "$4" \
	    '{id: $id, writer: $w, license: $l, language: "en", text: $t}'
}

@test "datasheet: every shard gets a datasheet in Markdown and in JSON" {
	fresh
	run -0 --separate-stderr datasheet
	refute_output
	assert_equal "$stderr" ""
	n=0
	for s in rel/shards/*.jsonl.zst; do
		b=${s%.jsonl.zst}
		echo "shard: $s"
		[ -s "$b.datasheet.md" ]
		jq -e . "$b.datasheet.json" >/dev/null
		run -0 head -1 "$b.datasheet.md"
		assert_output "# Datasheet: ${s##*/}"
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
	[ "$(ls rel/shards/*.datasheet.* | wc -l)" -eq $((2 * n)) ]
	[ -s rel/datasheet.md ] && [ -s rel/README.md ] && [ -s rel/croissant.json ]
	run -0 find rel -name '*.tmp.*'
	refute_output
}

@test "datasheet: documents, bytes and checksum match each decompressed shard" {
	fresh
	run -0 datasheet
	for s in rel/shards/*.jsonl.zst; do
		echo "shard: $s"
		want=$(printf '%s\t%s\t%s\t%s' "$(zstd -q -dc "$s" | wc -l)" \
		    "$(zstd -q -dc "$s" | wc -c)" "$(stat -c %s "$s")" \
		    "$(sha256sum <"$s" | cut -d' ' -f1)")
		run -0 jq -r '[.composition.documents, .composition.bytes,
		    .composition.compressed_bytes, .shard.sha256] | @tsv' \
		    "${s%.jsonl.zst}.datasheet.json"
		assert_output "$want"
		run -0 grep -c "^- \*\*Documents:\*\* $(zstd -q -dc "$s" | wc -l)\$" \
		    "${s%.jsonl.zst}.datasheet.md"
	done
	run -0 grep '^- \*\*Documents:\*\* ' rel/datasheet.md
	assert_output "- **Documents:** $(records | wc -l)"
}

@test "datasheet: works per license, writers, languages and consent forms match the records" {
	fresh
	run -0 datasheet
	for s in rel/shards/*.jsonl.zst; do
		j=${s%.jsonl.zst}.datasheet.json
		echo "shard: $s"
		# Rows are JQ-OVER-RECORDS % JQ-OVER-DATASHEET.
		while IFS=% read -r over sheet; do
			echo "row: $over"
			want=$(zstd -q -dc "$s" | jq -r "$over" | sort | uniq -c |
			    awk '{ print $2, $1 }')
			got=$(jq -r "$sheet" "$j" | sort)
			assert_equal "$got" "$want"
		done <<-'EOF'
		.license%.composition.licenses[] | "\(.spdx) \(.works)"
		.consent.form_version%.composition.consent_forms[] | "\(.form_version) \(.works)"
		if (.language // "") == "" then "null" else .language end%.composition.languages[] | "\(.language) \(.works)"
		if (.genre // "") == "" then "null" else .genre end%.composition.genres[] | "\(.genre) \(.works)"
		EOF
		run -0 jq .composition.writers "$j"
		assert_output "$(zstd -q -dc "$s" | jq -r .writer | sort -u | wc -l)"
	done
	# The release's table: every license with its works.
	want=$(records | jq -r .license | sort | uniq -c | awk '{ print "| " $2 " | " $1 " |" }')
	got=$(md_section rel/datasheet.md '### Works per license' |
	    grep '^| [A-Z]' | cut -d'|' -f1-3 | sed 's/ *$//; s/$/ |/')
	assert_equal "$got" "$want"
	run -0 grep '^- \*\*Writers:\*\* ' rel/datasheet.md
	assert_output --partial "**Writers:** $(records | jq -r .writer | sort -u | wc -l) "
}

@test "datasheet: length quartiles and characters match the texts" {
	fresh
	run -0 datasheet
	for s in rel/shards/*.jsonl.zst; do
		j=${s%.jsonl.zst}.datasheet.json
		echo "shard: $s"
		run -0 jq -r '.composition.length.characters | "\(.min) \(.q1) \(.median) \(.q3) \(.max)"' "$j"
		assert_output "$(zstd -q -dc "$s" | jq '.text | length' | nearest_rank)"
		run -0 jq -r '.composition.length.bytes | "\(.min) \(.q1) \(.median) \(.q3) \(.max)"' "$j"
		assert_output "$(zstd -q -dc "$s" | jq '.text | utf8bytelength' | nearest_rank)"
		# Every character is counted in exactly one script.
		run -0 jq '[.composition.scripts[].characters] | add' "$j"
		assert_output "$(zstd -q -dc "$s" | jq '.text | length' | awk '{ n += $1 } END { print n }')"
	done
	read -r min q1 med q3 max < <(records | jq '.text | length' | nearest_rank)
	run -0 grep '^| characters |' rel/datasheet.md
	assert_output "| characters | $min | $q1 | $med | $q3 | $max |"
}

@test "datasheet: the scripts of the texts are found with ICU" {
	fresh
	run -0 datasheet
	for row in 'Latin | Latn' 'Greek | Grek' 'Arabic | Arab' 'Han | Hani' \
	    'Hiragana | Hira' 'Cyrillic | Cyrl' 'Common | Zyyy'; do
		echo "row: $row"
		run -0 grep -c "^| $row | [0-9]* | [0-9.]*% |\$" rel/datasheet.md
	done
	# The Greek poem is in one shard: its datasheet counts its letters,
	# all of them in the Greek and Coptic block.
	s=$(for f in rel/shards/*.jsonl.zst; do
		if zstd -q -dc "$f" | grep -q 'θάλασσα'; then echo "$f"; fi
	done)
	run -0 jq -r '.composition.scripts[] | select(.code == "Grek") | .characters' \
	    "${s%.jsonl.zst}.datasheet.json"
	assert_output "$(zstd -q -dc "$s" | jq '[.text | explode[] | select(. >= 880 and . <= 1023)] | length' |
	    awk '{ n += $1 } END { print n }')"
}

@test "datasheet: the card's YAML front matter parses and lists the shard globs" {
	command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3 with yaml is missing (Debian package python3-yaml)"
	fresh
	run -0 datasheet
	run -0 head -1 rel/README.md
	assert_output ---
	sed -n '2,/^---$/p' rel/README.md | sed '$d' |
	    python3 -c 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))' >card.json
	run -0 jq -c '[.pretty_name, .license, .language, .size_categories]' card.json
	assert_output '["fixture",["cc-by-4.0","cc-by-sa-4.0","cc0-1.0"],["ar","el","en","fr","ja","ru"],["n<1K"]]'
	run -0 jq -r '.configs[] | select(.config_name == "default") | .data_files[] | "\(.split) \(.path)"' card.json
	assert_output - <<-'EOF'
	train shards/fixture-train-*.jsonl.zst
	validation shards/fixture-validation-*.jsonl.zst
	EOF
	# Each glob finds exactly the shards of its split, and all shards are found.
	cd rel
	n=0
	for split in train validation; do
		glob=$(jq -r --arg s "$split" '.configs[0].data_files[] | select(.split == $s) | .path' ../card.json)
		got=$(compgen -G "$glob" | wc -l)
		[ "$got" -ge 1 ]
		n=$((n + got))
	done
	assert_equal "$n" "$(ls shards/*.jsonl.zst | wc -l)"
}

@test "datasheet: croissant.json has every required Croissant 1.0 property" {
	fresh
	run -0 datasheet
	jq -e . rel/croissant.json >/dev/null
	# Rows are checks of the whole file, each must hold.
	while read -r check; do
		echo "check: $check"
		run -0 jq -e "$check" rel/croissant.json
	done <<-'EOF'
	."@context" | (.["@vocab"] == "https://schema.org/" and .cr == "http://mlcommons.org/croissant/" and .sc == "https://schema.org/" and .dct == "http://purl.org/dc/terms/" and .rai == "http://mlcommons.org/croissant/RAI/")
	."@type" == "sc:Dataset"
	.conformsTo == "http://mlcommons.org/croissant/1.0"
	.name == "fixture"
	(.description | type == "string" and length > 0)
	.license == ["https://spdx.org/licenses/CC-BY-4.0.html", "https://spdx.org/licenses/CC-BY-SA-4.0.html", "https://spdx.org/licenses/CC0-1.0.html"]
	(.url | type == "string" and length > 0)
	(.creator | .["@type"] == "sc:Organization" and (.name | length > 0))
	.datePublished == "2026-11-01"
	.version == "1.0.0"
	.inLanguage == ["ar", "el", "en", "fr", "ja", "ru"]
	[.distribution[] | select(.["@type"] == "cr:FileObject") | has("@id", "name", "contentUrl", "encodingFormat", "sha256", "contentSize")] | all
	[.distribution[] | select(.["@type"] == "cr:FileObject") | .encodingFormat] | unique == ["application/zstd"]
	[.distribution[] | select(.["@type"] == "cr:FileSet")] | length == 1
	[.recordSet[]."@id"] == ["splits", "documents"]
	[.recordSet[] | select(."@id" == "documents") | .field[].name] | (index("id") != null and index("text") != null and index("writer") != null and index("license") != null and index("split") != null)
	[.recordSet[] | select(."@id" == "splits") | .data[]."splits/name"] == ["train", "validation"]
	(.["rai:dataCollection"] | test("consent"))
	[.["rai:dataCollection", "rai:dataCollectionType", "rai:personalSensitiveInformation", "rai:dataUseCases", "rai:dataLimitations", "rai:dataBiases", "rai:dataPreprocessingProtocol", "rai:dataReleaseMaintenancePlan"] | type == "string" and length > 0] | all
	.["rai:hasSyntheticData"] == false
	EOF
	# Every shard is a FileObject, and nothing else is.
	run -0 jq -r '.distribution[] | select(.["@type"] == "cr:FileObject") | .contentUrl' rel/croissant.json
	assert_output "$(cd rel && ls shards/*.jsonl.zst)"
}

@test "datasheet: every sha256 in croissant.json matches its file" {
	fresh
	run -0 datasheet
	cd rel
	run -0 bash -c "jq -r '.distribution[] | select(.sha256) | \"\(.sha256)  \(.contentUrl)\"' croissant.json | sha256sum -c --strict"
	[ "${#lines[@]}" -eq "$(ls shards/*.jsonl.zst | wc -l)" ]
	run -0 jq -r '.distribution[] | select(.sha256) | "\(.contentSize) \(.contentUrl)"' croissant.json
	for line in "${lines[@]}"; do
		echo "line: $line"
		[ "${line%% B *}" = "$(stat -c %s "${line#* B }")" ]
	done
}

@test "datasheet: two runs, in other locales, time zones and folders, give the same bytes" {
	fresh
	run -0 datasheet
	mkdir ../first
	files=$(outputs)
	(cd rel && cp --parents $files ../../first/)
	run -0 datasheet
	for f in $(outputs); do
		echo "file: $f"
		cmp "rel/$f" "../first/$f"
	done
	locale=$(locale -a | grep -m1 -i -E '^(de_DE|fr_FR|C)\.utf-?8$' || echo C)
	LC_ALL=$locale TZ=Pacific/Kiritimati run -0 datasheet
	for f in $(outputs); do
		cmp "rel/$f" "../first/$f"
	done
	# Shards read side by side, whichever thread takes which.
	[ "$(ls rel/shards/*.jsonl.zst | wc -l)" -ge 3 ]
	for n in 2 3 64; do
		run -0 datasheet --threads $n
		for f in $(outputs); do
			cmp "rel/$f" "../first/$f"
		done
	done
	mkdir -p ../elsewhere/deeper && cp -r . ../elsewhere/deeper/copy
	cd ../elsewhere/deeper/copy
	TZ=America/St_Johns run -0 datasheet
	for f in $(outputs); do
		cmp "rel/$f" "$BATS_TEST_TMPDIR/first/$f"
	done
}

@test "datasheet: the only date written is the cut-off" {
	fresh
	run -0 datasheet
	files=$(outputs)
	cd rel
	run -0 bash -c 'grep -ohE "[0-9]{4}-[0-9]{2}-[0-9]{2}" "$@" | sort -u' - $files
	assert_output "$CUTOFF"
}

@test "datasheet: no text of a work, no writer id and no private ledger value is written" {
	fresh
	run -0 datasheet
	files=$(outputs)
	# Every line of every text that is longer than a few words.
	records | jq -r .text | awk 'length($0) >= 24' | sort -u >../lines
	cd rel
	# Writer ids are counted, never listed.
	run -1 grep -F 'wr-' $files
	# The ledger's private columns: name and email.
	tail -n +2 ../drop/consent.csv | cut -d, -f7,8 | tr ',' '\n' | sort -u |
	    while read -r private; do
		echo "private: $private"
		run -1 grep -F -- "$private" $files
	done
	[ "$(wc -l <../../lines)" -ge 20 ]
	while read -r line; do
		echo "text: $line"
		run -1 grep -F -- "$line" $files
	done <../../lines
}

@test "datasheet: datasheet.md states the conservation of the manifest's rows" {
	fresh
	run -0 datasheet
	rows=$(($(wc -l <drop/manifest.csv) - 1))
	docs=$(($(wc -l <rel/lineage.csv) - 1))
	rejects=$(($(wc -l <rel/rejects.csv) - 1))
	assert_equal "$rows" $((docs + rejects))
	run -0 grep -F "$rows manifest rows (the records ingest read) = $docs documents in the shards + $rejects rejects." rel/datasheet.md
	# The rejects table is rejects.csv counted by stage and reason.
	want=$(tail -n +2 rel/rejects.csv | cut -d, -f4,5 | sort | uniq -c |
	    awk '{ split($2, p, ","); print "| " p[1] " | " p[2] " | " $1 " |" }' | sort)
	got=$(md_section rel/datasheet.md '### Rejects' | grep '^| [a-z]' |
	    grep -v '^| all ' | grep -v '^| stage ' | sed 's/\\//g' | sort)
	assert_equal "$got" "$want"
}

@test "datasheet: the stages are listed in order with their versions and options" {
	fresh
	run -0 datasheet
	v=$(cat "$ROOT/VERSION")
	got=$(md_section rel/datasheet.md '## Preprocessing' |
	    grep -E '^\| [0-9]+ \|' | cut -d'|' -f3,4 | tr -d ' ' | tr '\n' ' ')
	assert_equal "$got" "ingest|$v consent-filter|$v license-tag|$v normalize|$v scrub|$v shard|$v "
	j=$(ls rel/shards/*.datasheet.json | head -1)
	run -0 jq -c '[.preprocessing[] | .stage]' "$j"
	assert_output '["ingest","consent-filter","license-tag","normalize","scrub","shard"]'
	run -0 jq -c '.preprocessing[] | select(.stage == "shard") | .options' "$j"
	assert_output "$(jq -c .options work/stats-shard.json)"
	run -0 jq -c '[.uses[].use]' "$j"
	assert_output '["evaluate","train"]'
	# Each description is uses.csv's own.
	jq -r '.uses[].description' "$j" | while read -r desc; do
		echo "description: $desc"
		[ -n "$desc" ]
		grep -qF -- "$desc" policies/uses.csv
	done
}

@test "datasheet: licenses carry their attribution and share-alike duties" {
	fresh
	run -0 datasheet
	sa=$(records | jq -r .license | grep -c '^CC-BY-SA-4.0$')
	cc0=$(records | jq -r .license | grep -c '^CC0-1.0$')
	run -0 md_section rel/datasheet.md '## Distribution'
	assert_line "| CC-BY-SA-4.0 | $sa | required | yes | any use |"
	assert_line "| CC0-1.0 | $cc0 | no | no | any use |"
	assert_line '- Share-alike: adaptations of works under CC-BY-SA-4.0 must be shared under the same license.'
	assert_line --partial '- Attribution: whoever shares a work under a license that requires it'
	run -0 bash -c "jq -c '.distribution.licenses[] | select(.spdx == \"CC-BY-SA-4.0\") |
	    [.attribution, .share_alike, .permits]' rel/shards/*.datasheet.json | sort -u"
	assert_output '[true,true,["*"]]'
}

@test "datasheet: maintenance names the version, the previous one and the contact" {
	fresh
	run -0 datasheet -P 0.9.0 -C 'The stewards <stewards@example.org>'
	run -0 md_section rel/datasheet.md '## Maintenance'
	assert_line '- **Release:** fixture, version 1.0.0'
	assert_line '- **Previous version:** 0.9.0'
	assert_line '- **Contact:** The stewards \<stewards@example.org\>'
	run -0 jq -c .maintenance "$(ls rel/shards/*.datasheet.json | head -1)"
	assert_output '{"name":"fixture","version":"1.0.0","previous_version":"0.9.0","contact":"The stewards <stewards@example.org>","immutable":true}'
	run -0 datasheet
	run -0 md_section rel/datasheet.md '## Maintenance'
	assert_line '- **Previous version:** none'
	assert_line '- **Contact:** not given'
	# make dataset names the previous version in inputs.lock.
	echo "previous $(printf '%064d' 0)  0.9.0/SHA256SUMS" >>rel/inputs.lock
	run -0 datasheet
	run -0 md_section rel/datasheet.md '## Maintenance'
	assert_line '- **Previous version:** 0.9.0'
	run -0 jq -r .maintenance.previous_version rel/shards/fixture-train-00000.datasheet.json
	assert_output 0.9.0
	run -78 --separate-stderr datasheet -P 0.8.0
	assert_equal "$stderr" 'quire-datasheet: --previous 0.8.0 disagrees with inputs.lock (previous 0.9.0)'
}

@test "datasheet: Markdown and line breaks in a policy or an option cannot inject markup" {
	fresh
	{ echo 'use,description,approved,status'
	  echo 'train,"[click](https://e.example) <b>x</b>",2026-01-05,active'
	  printf 'evaluate,"two\n# lines",2026-01-05,active\n'
	  echo 'research,Research,2026-03-10,active'; } >policies/uses.csv
	run -0 datasheet -C $'a\n# b'
	run -0 grep -F -- '- **train**: \[click\](https\://e.example) \<b\>x\</b\>' rel/datasheet.md
	run -0 grep -F -- '- **evaluate**: two \# lines' rel/datasheet.md
	run -0 grep -F -- '- **Contact:** a \# b' rel/datasheet.md
	run -1 grep -E '^# (b|lines)' rel/datasheet.md rel/README.md rel/shards/*.md
}

@test "datasheet: a failed run exits with its status and leaves no output" {
	# Rows are STATUS % WHAT % SETUP (run in the release copy) % MORE OPTIONS.
	while IFS=% read -r status what prep more; do
		echo "row: $status $what"
		rm -rf base && fresh
		eval "$prep"
		eval "run -$status --separate-stderr datasheet $more"
		refute_output
		[[ $stderr == quire-datasheet:* ]] || [[ $stderr == usage:* ]]
		[ ! -d rel ] || run -0 find rel -type f \( -name '*.datasheet.*' -o \
		    -name README.md -o -name croissant.json -o -name datasheet.md \
		    -o -name '*.tmp.*' \)
		refute_output
		cd ..
	done <<-'EOF'
	64%unknown option%:%-Z
	64%bad cut-off%:%-c 2026-13-45
	64%bad name%:%-n ../x
	64%bad stage name%:%-S 'ingest Shard!'
	64%stage named twice%:%-S 'ingest ingest'
	64%an argument%:%extra
	64%no threads%:%--threads 0
	64%too many threads%:%--threads 65
	66%no release folder%:%-r nowhere
	66%no statistics folder%:%-s nowhere
	66%no statistics of a stage%rm work/stats-scrub.json%
	66%no lineage.csv%rm rel/lineage.csv%
	66%no rejects.csv%rm rel/rejects.csv%
	66%no inputs.lock%rm rel/inputs.lock%
	66%no shards folder%rm -r rel/shards%
	65%a truncated shard%f=$(ls rel/shards/*.jsonl.zst | head -1); head -c 40 "$f" >x && mv x "$f"%
	65%not zstd%f=$(ls rel/shards/*.jsonl.zst | head -1); echo '{}' >"$f"%
	65%two bad shards, read side by side%for f in $(ls rel/shards/*.jsonl.zst | head -2); do echo '{}' >"$f"; done%--threads 4
	65%a shard out of lineage order%f=$(awk -F, '$5 == 1 { print $4; exit }' rel/lineage.csv); zstd -q -dc "rel/shards/$f" | tac | zstd -q >x && mv x "rel/shards/$f"%
	65%a lineage row missing%sed -i '$d' rel/lineage.csv%
	65%a reject row missing%sed -i '$d' rel/rejects.csv%
	65%stats that do not add up%jq '.records_out += 1' work/stats-normalize.json >x && mv x work/stats-normalize.json%
	65%stats of another stage%cp work/stats-scrub.json work/stats-normalize.json%
	65%malformed stats%echo '{"stage": "scrub",' >work/stats-scrub.json%
	65%a shard of another name%cp "$(ls rel/shards/*.jsonl.zst | head -1)" rel/shards/other-train-00000.jsonl.zst%
	65%a malformed record%f=$(ls rel/shards/*.jsonl.zst | head -1); printf '{"id": 1,}\n' | zstd -q >"$f"%
	65%an unknown license%f=$(awk -F, '$5 == 0 { print $4; exit }' rel/lineage.csv); zstd -q -dc "rel/shards/$f" | sed 's/"license":"[^"]*"/"license":"WTFPL"/' | zstd -q >x && mv x "rel/shards/$f"%
	74%README.md cannot be renamed into place%mkdir rel/README.md && touch rel/README.md/x%
	78%no uses.csv%rm policies/uses.csv%
	78%a malformed licenses.csv%echo 'spdx,aliases,uses,attribution,share_alike' >policies/licenses.csv; echo 'CC0-1.0,,*,maybe,no' >>policies/licenses.csv%
	78%a retired use%sed -i 's/^train,\(.*\),active$/train,\1,retired/' policies/uses.csv%
	78%a use approved after the cut-off%:%-c 2026-01-01
	78%a name other than inputs.lock's%sed -i 's/^option NAME=.*/option NAME=other/' rel/inputs.lock%
	78%uses other than inputs.lock's%sed -i 's/^option USES=.*/option USES=train/' rel/inputs.lock%
	78%stages other than inputs.lock's%sed -i 's/^option STAGES=.*/option STAGES=ingest shard/' rel/inputs.lock%
	EOF
}

@test "datasheet: a 74 leaves no temporary file behind" {
	fresh
	mkdir rel/croissant.json
	run -74 --separate-stderr datasheet
	[[ $stderr == "quire-datasheet: rename "* ]]
	run -0 find rel -name '*.tmp.*'
	refute_output
}

@test "datasheet: -h prints usage, --version the version, and a full disk is 74" {
	run -0 quire-datasheet -h
	assert_line --index 0 --partial 'usage: quire-datasheet [-hq] -r DIR -s DIR -S STAGES'
	run -0 quire-datasheet --version
	assert_output "quire-datasheet $(cat "$ROOT/VERSION")"
	run -74 bash -c 'quire-datasheet --version >/dev/full'
	run -74 bash -c 'quire-datasheet -h >/dev/full'
	run -64 --separate-stderr quire-datasheet
	assert_equal "${stderr%%$'\n'*}" 'quire-datasheet: -r, -s, -S, -p, -n, -V, -u and -c are required'
}

@test "datasheet: a shard's Megatron-LM .idx gives its tokens, and Croissant lists both files" {
	fresh
	s=$(ls rel/shards/*-train-*.jsonl.zst | head -1)
	b=${s%.jsonl.zst}
	n=$(zstd -q -dc "$s" | wc -l)
	# le VALUE BYTES: VALUE as BYTES little-endian bytes.
	le() {
		local v=$1 i
		for ((i = 0; i < $2; i++)); do
			printf "\\x$(printf %02x $((v & 255)))"
			v=$((v >> 8))
		done
	}
	# MMIDIDX version 1, dtype uint16: sizes 5, 7, ... one per document.
	{ printf 'MMIDIDX\0\0'; le 1 8; le 8 1; le "$n" 8; le $((n + 1)) 8
	  for i in $(seq "$n"); do le $((3 + 2 * i)) 4; done
	  for i in $(seq "$n"); do le 0 8; done
	  for i in $(seq 0 "$n"); do le "$i" 8; done; } >"$b.idx"
	head -c 64 /dev/zero >"$b.bin"
	want=$(seq "$n" | awk '{ t += 3 + 2 * $1 } END { print t }')
	run -0 datasheet
	run -0 jq -c .composition.tokens "$b.datasheet.json"
	assert_output "{\"tokens\":$want,\"sequences\":$n}"
	cd rel
	run -0 bash -c "jq -r '.distribution[] | select(.sha256) | \"\(.sha256)  \(.contentUrl)\"' croissant.json | sha256sum -c"
	assert_line "shards/${b##*/}.idx: OK"
	assert_line "shards/${b##*/}.bin: OK"
	# A .bin without its .idx is an inconsistent release.
	cd ..
	rm "$b.idx"
	run -65 datasheet
}

@test "datasheet: a release with no work documents itself and its card still parses" {
	mini_release /dev/null
	run -0 mini_datasheet
	run -0 ls mini/rel/shards
	refute_output
	run -0 jq -c '[.distribution, .recordSet, .license]' mini/rel/croissant.json
	assert_output '[[],[],[]]'
	run -1 grep -c '^configs:' mini/rel/README.md
	run -0 grep -F -- '- **Documents:** 0' mini/rel/datasheet.md
	run -0 grep -F 'No documents.' mini/rel/datasheet.md
	if python3 -c 'import yaml' 2>/dev/null; then
		sed -n '2,/^---$/p' mini/rel/README.md | sed '$d' |
		    python3 -c 'import sys, yaml; d = yaml.safe_load(sys.stdin); assert d["size_categories"] == ["n<1K"], d'
	fi
}

@test "datasheet: a record longer than zstd's buffers and a shard of two frames are read whole" {
	head -c 300000 /dev/zero | tr '\0' a >big.txt
	{ jq -cn --rawfile t big.txt \
	      '{id: "d1", writer: "w1", license: "CC0-1.0", text: $t}'
	  rec d2 w2 CC-BY-4.0 'short one'; } >in.jsonl
	mini_release in.jsonl
	run -0 mini_datasheet
	run -0 jq -c '.composition | [.documents, .writers, .characters, .length.characters.max]' \
	    mini/rel/shards/mini-train-00000.datasheet.json
	assert_output '[2,2,300009,300000]'
	# The same lines as two zstd frames, one after the other.
	f=mini/rel/shards/mini-train-00000.jsonl.zst
	zstd -q -dc "$f" >lines
	{ head -1 lines | zstd -q; tail -1 lines | zstd -q; } >"$f"
	run -0 mini_datasheet
	run -0 jq -c '.composition | [.documents, .characters, .bytes]' \
	    mini/rel/shards/mini-train-00000.datasheet.json
	assert_output "[2,300009,$(wc -c <lines)]"
}

@test "datasheet: a license the Hub does not list is \"other\" on the card, by name" {
	{ rec d1 w1 LicenseRef-Coop-1.0 'one'; rec d2 w1 CC-BY-4.0 'two'; } >in.jsonl
	mini_release in.jsonl
	echo 'LicenseRef-Coop-1.0,,*,yes,no' >>mini/policies/licenses.csv
	run -0 mini_datasheet
	run -0 sed -n '2,/^---$/p' mini/rel/README.md
	assert_line 'license_name: "coop-1.0"'
	assert_line '- "other"'
	assert_line '- "cc-by-4.0"'
	run -0 jq -c .license mini/rel/croissant.json
	assert_output '["https://spdx.org/licenses/CC-BY-4.0.html","LicenseRef-Coop-1.0"]'
}

@test "datasheet: the man page's examples run" {
	mkdir ex && cd ex
	ln -s "$ROOT/samples" samples
	ln -s "$ROOT/policies" policies
	example1() {
		mkdir -p rel/shards work
		quire-ingest -q --stats work/stats-ingest.json \
		    --rejects work/rejects-ingest.csv samples/drop |
		  quire-license-tag -q -p policies -u 'train;evaluate' \
		    --stats work/stats-license-tag.json \
		    --rejects work/rejects-license-tag.csv |
		  quire-shard -q -n sample -d rel/shards -l rel/lineage.csv \
		    --stats work/stats-shard.json \
		    --rejects work/rejects-shard.csv > /dev/null
		{ echo id,submission_id,writer_id,stage,reason,detail;
		    cat work/rejects-ingest.csv work/rejects-license-tag.csv \
		    work/rejects-shard.csv; } > rel/rejects.csv
		echo 'quire 0.1.0' > rel/inputs.lock
		quire-datasheet -r rel -s work -S 'ingest license-tag shard' \
		    -p policies -n sample -V 1.0.0 -u 'train;evaluate' -c 2026-11-01
	}
	example2() {
		cd rel && jq -r '.distribution[] | select(.sha256) |
		    "\(.sha256)  \(.contentUrl)"' croissant.json | sha256sum -c
	}
	example3() {
		sed -n '2,/^---$/p' rel/README.md | sed '$d' |
		    python3 -c 'import sys, yaml; print(yaml.safe_load(sys.stdin))'
	}
	run -0 example1
	# Without consent-filter and scrub, the card claims neither.
	run -1 grep -F 'consent form for these uses' rel/README.md
	run -0 grep -F 'No consent-filter stage ran' rel/README.md
	run -0 grep -F 'No scrub stage ran' rel/README.md
	run -0 example2
	assert_line 'shards/sample-train-00000.jsonl.zst: OK'
	python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3 with yaml is missing (Debian package python3-yaml)"
	run -0 example3
	assert_output --partial "'pretty_name': 'sample'"
}

@test "datasheet: each script's characters match node's \\p{Script} over texts of every UTF-8 length, escaped or not, long and short" {
	command -v node >/dev/null || skip "node is missing (Debian package nodejs)"
	# Texts: ASCII words, Latin with accents, Cyrillic, Greek, Han and
	# kana, Arabic, astral characters (Gothic, emoji, mathematical
	# letters), combining marks; some end on a character of 2, 3 or 4
	# bytes in their last bytes, some are shorter than a word of 8.
	{ rec d1 w1 CC0-1.0 'Plain words of the ASCII range only, nothing else.'
	  rec d2 w1 CC0-1.0 'Déjà vu: où est la crème brûlée? Ça va très bien, ñandú.'
	  rec d3 w2 CC0-1.0 'Тихо падает снег на крыши домов, и ночь светла ё'
	  rec d4 w2 CC0-1.0 '静かな夜に雪が降る。春の風、かな漢字カタカナ'
	  rec d5 w3 CC0-1.0 'Ἐν ἀρχῇ ἦν ὁ λόγος — θάλασσα, and السلام عليكم.'
	  rec d6 w3 CC0-1.0 'Gothic 𐌰𐌱𐌲 and 😀 with 𝔸𝔹 end 𐍈'
	  rec d7 w4 CC0-1.0 'é'
	  rec d8 w4 CC0-1.0 'ab😀'
	  rec d9 w4 CC0-1.0 'e\u0301 a\u0308 combining'
	  jq -cn '{id: "d10", writer: "w5", license: "CC0-1.0",
	      text: "line one\nline \"two\"\t\u00e9\u4e2d\ud83d\ude00 end\u0416"}'
	} >in.jsonl
	mini_release in.jsonl
	run -0 mini_datasheet
	for j in mini/rel/shards/*.datasheet.json; do
		s=${j%.datasheet.json}.jsonl.zst
		echo "shard: $s"
		jq -r '.composition.scripts[] | "\(.code) \(.characters)"' "$j" |
		    sort >got
		zstd -q -dc "$s" | node -e '
			const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
			const codes = process.argv.slice(1);
			for (const c of codes) {
				const re = new RegExp("\\p{Script=" + c + "}", "gu");
				let n = 0;
				for (const l of lines) n += (JSON.parse(l).text.match(re) || []).length;
				if (n > 0) console.log(c + " " + n);
			}' $(cut -d' ' -f1 got) | sort >want
		run -0 diff want got
		# And every character is in one of them.
		run -0 jq '[.composition.scripts[].characters] | add' "$j"
		assert_output "$(zstd -q -dc "$s" | jq '.text | length' | awk '{ n += $1 } END { print n }')"
	done
	run -0 cat mini/rel/shards/*.datasheet.json
	assert_output --partial '"Goth"'
}

@test "datasheet: fields are found however a record spells their keys (escapes, a key given twice)" {
	{ rec d1 w1 CC0-1.0 'one'; rec d2 w2 CC0-1.0 'two'; } >in.jsonl
	mini_release in.jsonl
	f=mini/rel/shards/mini-train-00000.jsonl.zst
	zstd -q -dc "$f" |
	    sed 's/"writer":/"wr\\u0069ter":/; s/^{/{"title":"x","title":"y",/' >lines
	run -0 grep -c 'wr\\u0069ter' lines
	assert_output 2
	zstd -q -f lines -o "$f"
	run -0 mini_datasheet
	run -0 jq -c '.composition | [.documents, .writers]' \
	    mini/rel/shards/mini-train-00000.datasheet.json
	assert_output '[2,2]'
	run -0 grep -F -- '- `writer`:' mini/rel/README.md
	run -0 grep -F -- '- `title`:' mini/rel/README.md
}
