#!/usr/bin/env bats
# make install / uninstall put every program and man page in place, and
# take them away again.
bats_require_minimum_version 1.5.0

load test_helper/common-setup

setup() {
	_common_setup
	FILTERS=$(make -s -C "$ROOT" --no-print-directory -f Makefile \
	    -f - print-filters <<<'print-filters: ; @echo $(FILTERS)')
}

@test "install: puts quire-NAME (755) and its man page (644) under DESTDIR" {
	run -0 make -s -C "$ROOT" install DESTDIR="$PWD/dest" PREFIX=/usr
	for f in $FILTERS; do
		echo "# $f"
		[ "$(stat -c %a "dest/usr/bin/quire-$f")" = 755 ]
		[ "$(stat -c %a "dest/usr/share/man/man1/quire-$f.1")" = 644 ]
	done
	run -0 dest/usr/bin/quire-ingest --version
	assert_output --regexp '^quire-ingest [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "install: uninstall removes what install put there" {
	make -s -C "$ROOT" install DESTDIR="$PWD/dest" PREFIX=/usr
	run -0 make -s -C "$ROOT" uninstall DESTDIR="$PWD/dest" PREFIX=/usr
	run -0 find dest -type f
	refute_output
}

@test "install: BINDIR and MANDIR are honoured" {
	run -0 make -s -C "$ROOT" install DESTDIR="$PWD/dest" BINDIR=/opt/q/bin \
	    MANDIR=/opt/q/man
	[ -x dest/opt/q/bin/quire-shard ]
	[ -f dest/opt/q/man/man1/quire-shard.1 ]
}
