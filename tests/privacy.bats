#!/usr/bin/env bats
# Promises 2 and 4 end to end: what the ledger keeps private and what
# pii.csv names never reaches a release; a withdrawal empties later ones.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	cp -r "$ROOT/samples/drop" drop
	OUTDIR="$PWD/releases"
}

# dataset VERSION CUTOFF: the sample pipeline on ./drop.
dataset() {
	sample_dataset "$1" "$2"
}

# Every file of a release as text, shards decompressed.
release_text() {
	find "$1" -type f ! -name '*.zst' -exec cat {} +
	for s in "$1"/shards/*.zst; do zstd -q -dc "$s"; done
}

@test "privacy: no private ledger column or planted personal data reaches any file" {
	# Private columns of every ledger row get canaries.
	awk -F, -v OFS=, 'NR == 1 { print; next }
	    { $7 = "CANARY-NAME-" NR; $8 = "canary-mail-" NR "@example.net"; print }' \
	    drop/consent.csv >c && mv c drop/consent.csv
	# Personal data inside a kept work, its title and the manifest extras.
	printf '\nWrite to pii-canary-1@example.org or call +44 20 7946 0999.\n' \
	    >>drop/works/w01/harbour.txt
	sed -i 's/^s0001,\(.*\),Harbour at Six,/s0001,\1,Harbour (ring 020 7946 0998),/' \
	    drop/manifest.csv
	sed -i 's/^s0007,\(.*\),web$/s0007,\1,reach me: salt-canary@example.org/' \
	    drop/manifest.csv
	run -0 dataset 1.0.0 2026-11-01
	rel="$OUTDIR/sample/1.0.0"
	grep -q '^[^,]*,s0001,' "$rel/lineage.csv"
	grep -q '^[^,]*,s0007,' "$rel/lineage.csv"
	release_text "$rel" >all
	for canary in CANARY-NAME canary-mail pii-canary-1 '7946 0999' \
	    '7946 0998' salt-canary; do
		echo "# looking for $canary"
		run ! grep -F "$canary" all
	done
	# Nothing that any pii.csv pattern finds is left in the shards.
	for s in "$rel"/shards/*.zst; do zstd -q -dc "$s"; done |
	    quire-scrub --policies "$ROOT/policies" --stats st.json >/dev/null
	assert_equal "$(jq .figures.records_scrubbed st.json)" 0
}

@test "privacy: a writer who withdraws has no work in the next version" {
	run -0 dataset 1.0.0 2026-11-01
	v1="$OUTDIR/sample/1.0.0"
	run -0 grep -c '^[^,]*,[^,]*,w01,' "$v1/lineage.csv"
	[ "$output" -gt 0 ]
	echo 'w01,withdraw,2026-11-10,*,*,2026-06,Maren Louisa Holt,m.l.holt@example.org' \
	    >>drop/consent.csv
	run -0 dataset 1.1.0 2026-11-20
	v2="$OUTDIR/sample/1.1.0"
	run ! grep '^[^,]*,[^,]*,w01,' "$v2/lineage.csv"
	run -0 grep -c ',w01,consent-filter,consent.withdrawn,' "$v2/rejects.csv"
	[ "$output" -gt 0 ]
	run ! grep -F 'Maren Holt' "$v2/CREDITS.md"
	# The published version stays as it was.
	cd "$v1" && sha256sum -c --quiet SHA256SUMS
	grep -q '^[^,]*,[^,]*,w01,' lineage.csv
}
