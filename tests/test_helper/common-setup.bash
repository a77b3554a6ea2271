# Loaded by every suite: bats libraries, the build under test on PATH, a
# pinned locale and the fixtures folder.

_common_setup() {
	bats_load_library bats-support
	bats_load_library bats-assert
	TESTS="$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)"
	ROOT="$(dirname "$TESTS")"
	# QUIRE_BIN picks the build (make check sets it for the ASan run).
	QUIRE_BIN="${QUIRE_BIN:-$ROOT/build/bin}"
	PATH="$QUIRE_BIN:$PATH"
	FIX="$TESTS/fixtures/${BATS_TEST_FILENAME##*/}"
	FIX="${FIX%.bats}"
	export LC_ALL=C
	cd "$BATS_TEST_TMPDIR"
}

# sample_dataset VERSION [CUTOFF [LINE...]]: make dataset of the sample
# pipeline on ./drop (a copy of samples/drop, made on first use) into
# ./releases, with the build under test; LINEs are more pipeline settings.
sample_dataset() {
	local v=$1 pipeline="$PWD/p-$1.mk"

	[ -d drop ] || cp -r "$ROOT/samples/drop" drop
	{ echo "include $ROOT/pipelines/sample.mk"
	  echo "DROP = $PWD/drop"
	  echo "VERSION = $v"
	  [ -z "${2:-}" ] || echo "CUTOFF = $2"
	  [ $# -le 2 ] || printf '%s\n' "${@:3}"; } >"$pipeline"
	make -s -C "$ROOT" --no-print-directory dataset BIN="$QUIRE_BIN" \
	    OUT="$PWD/releases" PIPELINE="$pipeline"
}
