# quire: a consent-aware pipeline from a writers' drop to training shards.
# `make dataset` builds the release of PIPELINE; `make check` runs the tests.

include config.mk

FILTERS = \
	audit \
	bpe-train \
	changes \
	consent-filter \
	credits \
	datasheet \
	dedupe \
	ingest \
	license-tag \
	merge \
	normalize \
	scrub \
	shard \
	statement \
	tokenize

LIB_SRC = \
	lib/atomic.c \
	lib/bpe.c \
	lib/bpecounts.c \
	lib/cli.c \
	lib/csvio.c \
	lib/date.c \
	lib/docmd.c \
	lib/doctext.c \
	lib/docx.c \
	lib/doczip.c \
	lib/hash.c \
	lib/html.c \
	lib/jscan.c \
	lib/licenses.c \
	lib/markdown.c \
	lib/odt.c \
	lib/policy.c \
	lib/pretok.c \
	lib/progress.c \
	lib/record.c \
	lib/rejects.c \
	lib/release.c \
	lib/rtf.c \
	lib/shardread.c \
	lib/split.c \
	lib/stats.c \
	lib/utf8.c \
	lib/util.c

LIB_CXX_SRC = \
	lib/unorm8.cc

BINS = $(FILTERS:%=$(BUILD)/bin/quire-%)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(LIB_CXX_SRC:%.cc=$(BUILD)/%.o)
LIBQUIRE = $(BUILD)/lib/libquire.a
MANS = $(FILTERS:%=filters/%.1)

# Data recipes stop at the first failing command of a pipe, and make
# deletes a target whose recipe failed: no stale half-written output.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.SUFFIXES:

all: deps $(BINS)

$(BUILD)/lib/%.o: lib/%.c lib/*.h config.mk VERSION
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/lib/%.o: lib/%.cc lib/*.h config.mk VERSION
	@mkdir -p $(@D)
	$(CXX) $(ALL_CPPFLAGS) $(ALL_CXXFLAGS) -c -o $@ $<

$(LIBQUIRE): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

$(BUILD)/filters/%.o: filters/%.c lib/*.h config.mk VERSION
	@mkdir -p $(@D)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

# Linked by the C++ driver: the ICU shim in libquire needs libstdc++.
$(BUILD)/bin/quire-%: $(BUILD)/filters/%.o $(LIBQUIRE)
	@mkdir -p $(@D)
	$(CXX) $(ALL_LDFLAGS) -o $@ $< $(LIBQUIRE) $(ALL_LDLIBS)

$(LIB_OBJ) $(BINS:$(BUILD)/bin/quire-%=$(BUILD)/filters/%.o): | deps

# --- system packages --------------------------------------------------
# Each need is kind:what:package; kind is pkg (pkg-config module), cmd
# (command on PATH) or file.  Only what is missing is installed: apt-get as
# root, sudo otherwise, and a message naming the packages when neither can.
NEEDS = \
	pkg:libpcre2-8:libpcre2-dev \
	pkg:icu-uc:libicu-dev \
	pkg:libzstd:libzstd-dev \
	pkg:libxxhash:libxxhash-dev \
	pkg:json-c:libjson-c-dev \
	pkg:nettle:nettle-dev \
	pkg:libzip:libzip-dev \
	pkg:libxml-2.0:libxml2-dev \
	pkg:yaml-0.1:libyaml-dev \
	file:/usr/include/csv.h:libcsv-dev \
	cmd:pkg-config:pkg-config \
	cmd:c++:g++ \
	cmd:zstd:zstd \
	cmd:openssl:openssl \
	cmd:uconv:icu-devtools \
	cmd:bats:bats \
	cmd:jq:jq \
	cmd:node:nodejs \
	cmd:npm:npm \
	file:/usr/lib/bats/bats-support/load.bash:bats-support \
	file:/usr/lib/bats/bats-assert/load.bash:bats-assert \
	cmd:mandoc:mandoc \
	cmd:bzcat:bzip2 \
	file:/usr/share/unicode/NormalizationTest.txt.bz2:unicode-data \
	file:/usr/lib/python3/dist-packages/yaml/__init__.py:python3-yaml

# The Slurm suite's cluster (tests/slurm.bats starts it): installed for
# make check only, through deps with this list.  Where they cannot be
# installed, check goes on and the suite skips, saying why.
SLURM_NEEDS = \
	cmd:munged:munge \
	cmd:slurmctld:slurmctld \
	cmd:slurmd:slurmd \
	cmd:srun:slurm-client

deps-slurm:
	@$(MAKE) --no-print-directory deps NEEDS='$(SLURM_NEEDS)' || \
	    echo "quire: no Slurm here: tests/slurm.bats will skip" >&2

deps:
	@missing=; \
	for need in $(NEEDS); do \
		IFS=: read -r kind what pkg <<< "$$need"; \
		case $$kind in \
		pkg) $(PKG_CONFIG) --exists "$$what" 2>/dev/null ;; \
		cmd) command -v "$$what" >/dev/null ;; \
		file) test -e "$$what" ;; \
		esac || missing="$$missing $$pkg"; \
	done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=; \
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
	else echo "quire: missing Debian packages:$$missing; install them as root (apt-get install$$missing)" >&2; exit 1; fi; \
	echo "quire: installing$$missing" >&2; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get install -y -q --no-install-recommends $$missing >/dev/null || \
	{ $$sudo apt-get update -q >/dev/null && \
	  $$sudo apt-get install -y -q --no-install-recommends $$missing >/dev/null; }

# --- tests --------------------------------------------------------------
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
lint: deps
	mandoc -Tlint -Wwarning $(MANS)

# The suites run twice: on the normal build, then on an ASan+UBSan build
# of the same sources in its own directory; tests/run-suites prints the
# closing "N passed, N failed" line.
check: all lint deps-slurm fuzz-smoke
	$(MAKE) --no-print-directory BUILD=build-asan \
	    CFLAGS="$(ASAN_FLAGS)" CXXFLAGS="$(ASAN_FLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" all
	ASAN_OPTIONS=detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    tests/run-suites $(CURDIR)/$(BUILD)/bin $(CURDIR)/build-asan/bin

bench: all
	tests/bench/run $(BENCH_ARGS)
	tests/bench/formats/run $(BENCH_FORMATS_ARGS)

bench-formats: all
	tests/bench/formats/run $(BENCH_FORMATS_ARGS)

bench-tokenize: all
	tests/bench/tokenize/run $(BENCH_TOKENIZE_ARGS)

bench-bpe-train: all
	tests/bench/bpe-train/run $(BENCH_BPE_TRAIN_ARGS)

bench-dedupe: all
	tests/bench/dedupe/run $(BENCH_DEDUPE_ARGS)

bench-scale: all
	tests/bench/scale/run $(BENCH_SCALE_ARGS)

# --- fuzzing -------------------------------------------------------------
# libFuzzer targets of tests/fuzz/ (see its README), built with clang from
# the lib sources they test (not libquire.a, which is gcc's) into
# build-fuzz/, then each run FUZZ_SECONDS on a scratch copy of its seed
# corpus: tests/fuzz/corpus is never written.  A crash, leak or sanitizer
# report fails the target; the input is left in build-fuzz/crash-NAME-*.
# make check runs fuzz-smoke: every input of tests/fuzz/crashes/NAME-*
# replayed, then each target FUZZ_SMOKE_SECONDS.  A target is
# tests/fuzz/fuzz_NAME.c, one FUZZ_TARGETS += NAME line and the sources it
# links in FUZZ_SRC_NAME (.c by clang, .cc by clang++).
FUZZ_SECONDS = 60
FUZZ_SMOKE_SECONDS = 3
FUZZ_CC = clang
FUZZ_CXX = clang++
FUZZ_TARGETS = jscan csv bpe
FUZZ_SAN = -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS = $(QUIRE_CFLAGS) $(FUZZ_SAN)
FUZZ_CXXFLAGS = $(QUIRE_CXXFLAGS) $(FUZZ_SAN)
# diejmp.c turns die() into a longjmp and frees what the lib held; json-c,
# PCRE2 and zstd are linked statically so that it sees their allocations.
FUZZ_WRAP = -Wl,--wrap=die,--wrap=warn,--wrap=fopen,--wrap=fclose \
	-Wl,--wrap=getline,--wrap=csv_init,--wrap=malloc,--wrap=calloc \
	-Wl,--wrap=realloc,--wrap=free,--wrap=strdup,--wrap=strndup \
	-Wl,--wrap=vasprintf \
	-Wl,-Bstatic -ljson-c -lpcre2-8 -lzstd -Wl,-Bdynamic
FUZZ_SRC_jscan = lib/jscan.c lib/utf8.c
FUZZ_SRC_csv = tests/fuzz/diejmp.c lib/csvio.c lib/utf8.c lib/util.c
FUZZ_SRC_bpe = tests/fuzz/diejmp.c lib/bpe.c lib/hash.c lib/util.c
FUZZ_LDFLAGS_csv = $(FUZZ_WRAP)
FUZZ_LDFLAGS_bpe = $(FUZZ_WRAP)
# The document readers of lib/doctext.h (issue 9); they never die() on
# bad input, so no FUZZ_WRAP.
FUZZ_DOC_SRC = lib/doctext.c lib/doczip.c lib/docx.c lib/odt.c lib/rtf.c \
	lib/html.c lib/docmd.c lib/util.c lib/utf8.c
FUZZ_TARGETS += docx
FUZZ_SRC_docx = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += odt
FUZZ_SRC_odt = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += zip
FUZZ_SRC_zip = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += rtf
FUZZ_SRC_rtf = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += html
FUZZ_SRC_html = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += frontmatter
FUZZ_SRC_frontmatter = $(FUZZ_DOC_SRC)
FUZZ_TARGETS += record
FUZZ_SRC_record = tests/fuzz/diejmp.c lib/record.c lib/jscan.c lib/utf8.c \
	lib/util.c
FUZZ_LDFLAGS_record = $(FUZZ_WRAP)
FUZZ_TARGETS += policy
FUZZ_SRC_policy = tests/fuzz/diejmp.c lib/policy.c lib/licenses.c \
	lib/csvio.c lib/date.c lib/utf8.c lib/util.c
FUZZ_LDFLAGS_policy = $(FUZZ_WRAP)
FUZZ_TARGETS += ledgers
FUZZ_SRC_ledgers = tests/fuzz/diejmp.c tests/fuzz/ledgers_consent.c \
	tests/fuzz/ledgers_rulings.c tests/fuzz/ledgers_pii.c lib/atomic.c \
	lib/cli.c lib/csvio.c lib/date.c lib/hash.c lib/jscan.c \
	lib/policy.c lib/progress.c lib/record.c lib/rejects.c lib/stats.c \
	lib/utf8.c lib/util.c
FUZZ_LDFLAGS_ledgers = $(FUZZ_WRAP)
FUZZ_TARGETS += shard
FUZZ_SRC_shard = tests/fuzz/diejmp.c lib/shardread.c lib/util.c
FUZZ_LDFLAGS_shard = $(FUZZ_WRAP)
FUZZ_TARGETS += unorm8
FUZZ_SRC_unorm8 = lib/unorm8.cc lib/utf8.c lib/util.c
FUZZ_TARGETS += bpesplit
FUZZ_SRC_bpesplit = tests/fuzz/diejmp.c lib/bpe.c lib/pretok.c lib/hash.c \
	lib/utf8.c lib/util.c
FUZZ_LDFLAGS_bpesplit = $(FUZZ_WRAP)
FUZZ_TARGETS += bpecounts
FUZZ_SRC_bpecounts = lib/bpecounts.c lib/hash.c lib/util.c
FUZZ_TARGETS += release
FUZZ_SRC_release = tests/fuzz/diejmp.c lib/release.c lib/csvio.c \
	lib/utf8.c lib/util.c
FUZZ_LDFLAGS_release = $(FUZZ_WRAP)
# quire-ingest's reading of a work (encodings, sniffing, readers),
# through convert_work, static in filters/ingest.c (included, main renamed).
FUZZ_TARGETS += encoding
FUZZ_SRC_encoding = $(FUZZ_DOC_SRC) lib/atomic.c lib/cli.c lib/csvio.c \
	lib/date.c lib/hash.c lib/jscan.c lib/progress.c lib/record.c \
	lib/rejects.c lib/stats.c

fuzz-deps: deps
	@command -v $(FUZZ_CC) >/dev/null && \
	echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' | \
	    $(FUZZ_CC) -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null || { \
		pkgs="clang libclang-rt-dev"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
		else echo "quire: $(FUZZ_CC) cannot link libFuzzer; install as root: apt-get install $$pkgs" >&2; exit 1; fi; \
		echo "quire: installing $$pkgs" >&2; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get install -y -q --no-install-recommends $$pkgs >/dev/null || \
		{ $$sudo apt-get update -q >/dev/null && \
		  $$sudo apt-get install -y -q --no-install-recommends $$pkgs >/dev/null; }; \
	}

build-fuzz/obj/%.o: %.c lib/*.h config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(ALL_CPPFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# A target's own file may #include a filter's .c (main renamed) to reach
# a reader that is static there.
build-fuzz/obj/tests/fuzz/%.o: tests/fuzz/%.c tests/fuzz/*.h lib/*.h \
    filters/*.c config.mk
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(ALL_CPPFLAGS) -Itests/fuzz $(PKG_CFLAGS) \
	    -c -o $@ $<

build-fuzz/obj/%.o: %.cc lib/*.h config.mk
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(FUZZ_CXXFLAGS) $(ALL_CPPFLAGS) $(PKG_CFLAGS) -c -o $@ $<

.PRECIOUS: build-fuzz/obj/%.o build-fuzz/obj/tests/fuzz/%.o
.SECONDEXPANSION:
build-fuzz/fuzz_%: build-fuzz/obj/tests/fuzz/fuzz_%.o \
    $$(addprefix build-fuzz/obj/,$$(addsuffix .o,$$(basename $$(FUZZ_SRC_$$*)))) \
    | fuzz-deps
	$(FUZZ_CXX) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDFLAGS_$*) $(ALL_LDLIBS)

# $(call fuzz_run,SECONDS): each target on a scratch copy of its corpus.
define fuzz_run
@fail=; \
for t in $(FUZZ_TARGETS); do \
	rm -rf "build-fuzz/corpus-$$t"; \
	cp -R "tests/fuzz/corpus/$$t" "build-fuzz/corpus-$$t"; \
	echo "quire: fuzzing $$t for $(1)s" >&2; \
	if build-fuzz/fuzz_$$t -max_total_time=$(1) \
	    -print_final_stats=1 -artifact_prefix="build-fuzz/crash-$$t-" \
	    "build-fuzz/corpus-$$t" >"build-fuzz/fuzz_$$t.log" 2>&1; then \
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
		    "build-fuzz/fuzz_$$t.log" | sed "s/^/  $$t /" >&2; \
	else \
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
		    "build-fuzz/fuzz_$$t.log" | sed "s/^/  $$t: /" >&2; \
		fail="$$fail $$t"; \
	fi; \
done; \
[ -z "$$fail" ] || { echo "quire: fuzz targets failed:$$fail (build-fuzz/fuzz_*.log)" >&2; exit 1; }
endef

fuzz: fuzz-deps $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	$(call fuzz_run,$(FUZZ_SECONDS))

# Every kept crash input is replayed first: each must now run clean.
fuzz-smoke: fuzz-deps $(FUZZ_TARGETS:%=build-fuzz/fuzz_%)
	@for t in $(FUZZ_TARGETS); do \
		set -- tests/fuzz/crashes/$$t-*; \
		[ -e "$$1" ] || continue; \
		echo "quire: replaying $$# crash input(s) of $$t" >&2; \
		build-fuzz/fuzz_$$t "$$@" >"build-fuzz/replay_$$t.log" 2>&1 || { \
			grep -E '^(==[0-9]+==ERROR|SUMMARY|Running:)' \
			    "build-fuzz/replay_$$t.log" | tail -n 3 >&2; \
			echo "quire: $$t fails on a kept crash input (build-fuzz/replay_$$t.log)" >&2; \
			exit 1; }; \
	done
	$(call fuzz_run,$(FUZZ_SMOKE_SECONDS))

# --- valgrind -------------------------------------------------------------
# The sample pipeline end to end with every quire program under valgrind's
# memcheck: make dataset, then a writer's statement and make audit of the
# release.  Any memory error or leak fails the target; each run's report
# is in $(BUILD)/valgrind/.  Not part of check: it takes some minutes.
VALGRIND = valgrind --quiet --leak-check=full \
	--show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --error-exitcode=1
VG = $(CURDIR)/$(BUILD)/valgrind

valgrind: all
	@command -v valgrind >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then sudo=; \
		elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; \
		else echo "quire: valgrind is missing; install as root: apt-get install valgrind" >&2; exit 1; fi; \
		echo "quire: installing valgrind" >&2; \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q \
		    --no-install-recommends valgrind >/dev/null; \
	}
	@rm -rf "$(VG)"
	@mkdir -p "$(VG)/bin"
	@for f in $(FILTERS); do \
		printf '#!/bin/sh\nexec %s --log-file=%s/%s.%%p.log %s "$$@"\n' \
		    '$(VALGRIND)' "$(VG)" "$$f" "$(CURDIR)/$(BUILD)/bin/quire-$$f" \
		    >"$(VG)/bin/quire-$$f"; \
		chmod 755 "$(VG)/bin/quire-$$f"; \
	done
	$(MAKE) --no-print-directory dataset BIN="$(VG)/bin" OUT="$(VG)/releases"
	$(MAKE) --no-print-directory statement BIN="$(VG)/bin" OUT="$(VG)/releases" \
	    WRITER=w01 >/dev/null
	$(MAKE) --no-print-directory audit BIN="$(VG)/bin" \
	    RELEASE="$(VG)/releases/$(NAME)/$(VERSION)"
	@n=$$(ls "$(VG)"/*.log | wc -l); bad=$$(find "$(VG)" -name '*.log' -size +0); \
	if [ -n "$$bad" ]; then \
		echo "quire: valgrind found errors or leaks:" $$bad >&2; exit 1; \
	fi; \
	echo "quire: valgrind: $$n runs of quire programs, no errors, no leaks" >&2

include mk/dataset.mk

# An auditor's check of a release: one verdict line per promise of
# DESIGN.md, and a failure unless every one holds.  RELEASE defaults to the
# release PIPELINE makes.  The release's inputs.lock gives the settings: its
# options become make variables again, so that today's inputs are hashed
# and the pipeline replayed (into a scratch OUT holding the previous
# version's top-level files) exactly as the release was made.  quire-audit
# reads the CSV and scans the files; the release itself is only read.
audit: all
	@r='$(RELEASE)'; \
	if [ ! -d "$$r" ]; then \
		echo "quire: no release at $$r" >&2; exit 1; \
	elif [ ! -f "$$r/inputs.lock" ]; then \
		echo "quire: $$r: no inputs.lock: not a release" >&2; exit 1; \
	fi; \
	export LC_ALL=C; \
	a=$$(mktemp -d "$${TMPDIR:-/tmp}/quire-audit.XXXXXX"); \
	trap 'rm -rf "$$a"' EXIT; \
	declare -A o; vars=(); prev=; fail=0; \
	while IFS= read -r l; do \
		case $$l in \
		'option '*=*) l=$${l#option }; o[$${l%%=*}]=$${l#*=}; \
			vars+=("$${l//\$$/\$$\$$}") ;; \
		'pipeline '*) l=$${l#pipeline *  }; \
			vars+=("PIPELINE=$${l//\$$/\$$\$$}") ;; \
		'previous '*) prev=$${l#previous *  }; \
			prev=$${prev%/SHA256SUMS} ;; \
		esac; \
	done <"$$r/inputs.lock"; \
	verdict() { \
		c=$$1; shift; s=0; \
		$(BIN)/quire-audit -q "$$@" "$$c" "$$r" 2>"$$a/err" || s=$$?; \
		if [ $$s -gt 1 ]; then \
			m=$$(head -n 1 "$$a/err"); echo "FAIL $$c: $${m#quire-audit: }"; \
		else \
			cat "$$a/err" >&2; \
		fi; \
		[ $$s = 0 ] || fail=$$((fail + 1)); \
	}; \
	broken() { c=$$1; shift; echo "FAIL $$c: $$*"; fail=$$((fail + 1)); }; \
	(cd "$$r" && sha256sum -c SHA256SUMS) >"$$a/sums" 2>&1 || :; \
	verdict integrity -c "$$a/sums"; \
	if $(MAKE) -s --no-print-directory \
	    --eval='quire-audit-lock: ; @$$(write_lock)' quire-audit-lock \
	    "$${vars[@]}" >"$$a/lock" 2>"$$a/err"; then \
		verdict inputs -n "$$a/lock"; \
	else \
		broken inputs "today's inputs cannot be hashed:" \
		    "$$(head -n 1 "$$a/err")"; \
	fi; \
	out=$$a/out/$${o[NAME]-}; up=$$(dirname "$$r"); \
	mkdir -p "$$out"; \
	if [ -n "$$prev" ] && [ ! -f "$$up/$$prev/SHA256SUMS" ]; then \
		broken reproducibility "the previous version $$prev named by" \
		    "inputs.lock is not beside the release"; \
	else \
		if [ -n "$$prev" ]; then \
			mkdir "$$out/$$prev"; \
			find "$$up/$$prev" -maxdepth 1 -type f \
			    -exec cp -p -t "$$out/$$prev" {} +; \
		fi; \
		if $(MAKE) -s --no-print-directory dataset "$${vars[@]}" \
		    OUT="$$a/out" 'RELEASE=$$(OUT)/$$(NAME)/$$(VERSION)' \
		    >"$$a/err" 2>&1; then \
			verdict reproducibility -p "$$out/$${o[VERSION]-}"; \
		else \
			broken reproducibility "the replay failed:" \
			    "$$(grep -v '^make' "$$a/err" | tail -n 1)"; \
		fi; \
	fi; \
	verdict conservation; \
	: >"$$a/records.jsonl"; rec=ok; \
	for s in "$$r"/shards/*.jsonl.zst; do \
		[ -e "$$s" ] || continue; \
		if ! zstd -q -dc "$$s" >>"$$a/records.jsonl" 2>"$$a/err"; then \
			m=$$(head -n 1 "$$a/err"); \
			rec="shards/$${s##*/} does not decompress: $${m#* : }"; \
		fi; \
	done; \
	stage() { \
		c=$$1; p=$$2; shift 2; \
		echo id,submission_id,writer_id,stage,reason,detail >"$$a/$$c.rej"; \
		if [ "$$rec" != ok ]; then \
			broken "$$c" "$$rec"; \
		elif $(BIN)/quire-$$p -q --rejects "$$a/$$c.rej" \
		    --stats "$$a/$$c.json" "$$@" <"$$a/records.jsonl" \
		    >"$$a/$$c.out" 2>"$$a/err"; then \
			verdict "$$c" -i "$$a/records.jsonl" -o "$$a/$$c.out" \
			    -r "$$a/$$c.rej" -s "$$a/$$c.json"; \
		else \
			broken "$$c" "$$(head -n 1 "$$a/err")"; \
		fi; \
	}; \
	stage consent consent-filter --ledger "$${o[CONSENT]-}" \
	    --policies "$${o[POLICIES]-}" --uses "$${o[USES]-}" \
	    --cutoff "$${o[CUTOFF]-}"; \
	stage license license-tag --policies "$${o[POLICIES]-}" \
	    --uses "$${o[USES]-}" --cutoff "$${o[CUTOFF]-}"; \
	stage privacy scrub --policies "$${o[POLICIES]-}"; \
	verdict immutability; \
	if [ $$fail -gt 0 ]; then \
		echo "quire: audit of $$r: $$fail of 8 checks fail" >&2; exit 1; \
	fi; \
	echo "quire: audit of $$r: all 8 checks hold" >&2

# A writer's own statement: each of their works, in or out of each release,
# and why.  RELEASE= names one release; by default every release in OUT.
statement: all
	$(if $(WRITER),,$(error WRITER is required: make statement WRITER=ID))
	@if [ "$(origin RELEASE)" = "command line" ]; then \
		rels=("$(RELEASE)"); \
	else \
		shopt -s nullglob; \
		mapfile -t rels < <(cd "$(OUT)" 2>/dev/null && \
		    for d in */*/; do printf '%s\n' "$${d%/}"; done | \
		    LC_ALL=C sort -V | sed 's|^|$(OUT)/|'); \
	fi; \
	if [ $${#rels[@]} -eq 0 ]; then \
		echo "quire: no release in $(OUT)" >&2; exit 1; \
	fi; \
	$(BIN)/quire-statement -w '$(subst ','\'',$(WRITER))' "$${rels[@]}"

# --- install ------------------------------------------------------------
install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	for f in $(FILTERS); do \
		install -m 755 $(BUILD)/bin/quire-$$f $(DESTDIR)$(BINDIR)/quire-$$f; \
		install -m 644 filters/$$f.1 $(DESTDIR)$(MANDIR)/man1/quire-$$f.1; \
	done

uninstall:
	for f in $(FILTERS); do \
		rm -f $(DESTDIR)$(BINDIR)/quire-$$f $(DESTDIR)$(MANDIR)/man1/quire-$$f.1; \
	done

clean:
	rm -rf build build-asan build-fuzz

.PHONY: all audit bench bench-bpe-train bench-dedupe bench-formats bench-scale bench-tokenize check clean dataset deps deps-slurm fuzz fuzz-deps fuzz-smoke install lint statement uninstall valgrind
