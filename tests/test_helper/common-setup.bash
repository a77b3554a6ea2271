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
