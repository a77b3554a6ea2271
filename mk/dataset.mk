# --- the dataset --------------------------------------------------------
# Included by the Makefile.  A pipeline (make fragment) names the dataset
# and its stages; options a pipeline leaves unset take these defaults.
PIPELINE = pipelines/sample.mk
include $(PIPELINE)

MAX_WORK_BYTES ?= 16M
NORMALIZE_FLAGS ?=
SHARD_BYTES ?= 64M
VALIDATION_SHARE ?= 0.01
ZSTD_LEVEL ?= 3
ZSTD_THREADS ?= 2
DEDUPE_THRESHOLD ?= 0.4
DEDUPE_SHINGLE ?= 3
DEDUPE_WORD_FLOOR ?= 50
TOKENIZER ?= train:32768
TOKENIZER_PATTERN ?= cl100k_base
# Threads of each quire-tokenize.  Unset: one shard after another, each
# with a thread per target make runs at once (a release has few shards of
# unequal size, and shards side by side leave cores idle behind the last
# large one); under Slurm, one per step, side by side.  A number N: shards
# side by side (make's -j), N threads each.  The bytes are the same for
# any count: not locked.
TOKENIZE_THREADS ?=

# How the run is cut and where it runs; neither reaches the release.
# PARTITIONS: the drop is split by a hash of submission_id into this many
# partitions, each stage before shard runs once per partition (its own
# make target), so `make -jN dataset` keeps N cores busy.  RUNNER=slurm
# runs every target as a job step (srun) inside one Slurm allocation.
# The cores, asked once: every make of the run (the dataset's, the work
# directory's and the tokenizer's) reads this makefile again.
NPROC := $(shell nproc 2>/dev/null || echo 2)
PARTITIONS ?= $(NPROC)
RUNNER ?= local
# Targets at once when make was given no -j (-jN and -j1 are obeyed).
DATASET_JOBS ?= $(NPROC)
# Processes hashing the release's files for SHA256SUMS.
HASH_JOBS ?= $(NPROC)
SLURM_JOBS ?= $(PARTITIONS)
SALLOC_FLAGS ?= --ntasks=$(SLURM_JOBS) --cpus-per-task=1
SRUN_FLAGS ?= --nodes=1 --ntasks=1 --cpus-per-task=1 --exact --quiet

RELEASE = $(OUT)/$(NAME)/$(VERSION)
# The programs the pipeline runs (the tests point it at the sanitizer build).
BIN = $(BUILD)/bin

# Each stage's own arguments.  $(T) is the release being built (a
# temporary directory beside RELEASE) and $(W) the run's work directory.
ARGS_ingest = -m $(MAX_WORK_BYTES) $(DROP)
ARGS_consent-filter = --ledger $(CONSENT) --policies $(POLICIES) \
	--uses '$(USES)' --cutoff $(CUTOFF)
ARGS_license-tag = --policies $(POLICIES) --uses '$(USES)' --cutoff $(CUTOFF)
ARGS_scrub = --policies $(POLICIES)
ARGS_normalize = $(NORMALIZE_FLAGS)
ARGS_dedupe = -t $(DEDUPE_THRESHOLD) -k $(DEDUPE_SHINGLE) \
	-w $(DEDUPE_WORD_FLOOR) --rulings $(POLICIES)/rulings.csv \
	--cutoff $(CUTOFF) --review "$(T)/review.csv"
ARGS_shard = -n $(NAME) -d "$(T)/shards" -s $(SHARD_BYTES) \
	-v $(VALIDATION_SHARE) -z $(ZSTD_LEVEL) -T $(ZSTD_THREADS) \
	-l "$(T)/lineage.csv"

# Merging a stage's --stats over the partitions: counts add up, except
# the figures a stage computes once from its configuration (STATS_SAME_);
# the figures a stage names per value it meets (STATS_SORTED_, ingest's
# encoding.NAME) follow the others by name, as the stage writes them.
STATS_SAME_consent-filter = ledger_events ledger_writers \
	events_after_cutoff ledger_unknown_uses
STATS_SORTED_ingest = encoding.

# Reports are not stages.
REPORTS = audit bpe-train changes credits datasheet merge statement
BAD_STAGES = $(strip $(filter-out $(FILTERS),$(STAGES)) $(filter $(REPORTS),$(STAGES)))
# tokenize works on the finished shards.  The stages before shard run per
# partition; shard and any stage after it run once, on the partitions
# merged back into submission id order.
PIPE_STAGES = $(filter-out tokenize,$(STAGES))
before = $(if $(1),$(if $(filter $(2),$(firstword $(1))),,$(firstword $(1)) \
	$(call before,$(wordlist 2,$(words $(1)),$(1)),$(2))))
after = $(if $(1),$(if $(filter $(2),$(firstword $(1))),$(wordlist 2,$(words \
	$(1)),$(1)),$(call after,$(wordlist 2,$(words $(1)),$(1)),$(2))))
PART_STAGES = $(strip $(call before,$(PIPE_STAGES),shard))
POST_STAGES = $(strip $(call after,$(PIPE_STAGES),shard))
PARTS := $(shell [ "$(PARTITIONS)" -ge 1 ] 2>/dev/null && \
	[ "$(PARTITIONS)" -le 65536 ] && seq 0 $$(($(PARTITIONS) - 1)))
REJECTS_HEAD = id,submission_id,writer_id,stage,reason,detail

# A recipe's command where RUNNER says: here, or as a Slurm job step
# (bash on the node, the files on the shared file system).
ifeq ($(RUNNER),slurm)
step = srun $(SRUN_FLAGS) --job-name=quire-$(2) \
	bash -eu -o pipefail -c '$(subst ','\'',$(1))'
else
step = $(1)
endif

# A stage's command; only a stage that draws for the whole run shows
# progress (the others get -q).
stage_cmd = $(BIN)/quire-$(1) $(if $(2),,-q) --rejects "$(W)/$(3)rejects-$(1).csv" \
	--stats "$(W)/$(3)stats-$(1).json" $(if $(filter ingest,$(1)),--sums \
	"$(W)/$(3)sums-ingest") $(ARGS_$(1))

# The tokenizer: trained here on the training shards (TOKENIZER=train:SIZE,
# with its own end-of-document token after its last rank), or a given rank
# file of a published vocabulary, with that vocabulary's special tokens.
# Training is two steps: the pieces of the training shards' text are
# counted in parts (quire-bpe-train --counts-out, a target a part, side by
# side), then one step adds the counts up and learns the merges
# (--counts-in): the same rank file as one quire-bpe-train over all the
# training shards.  The parts are the partitions, counted as their last
# stage before shard writes them (count_tee; --train-split skips what
# shard puts in validation), or with no partitions the training shards
# once written.
# Each shard gets its .bin/.idx; sequence i of a shard is the document of
# lineage.csv's index i there.  A document tokenize would drop is already
# in a shard: that stops the run.
define count_cmd
zstd -q -dc "$(T)/shards/$(1).jsonl.zst" | $(BIN)/quire-bpe-train -q \
    --pattern $(TOKENIZER_PATTERN) --counts-out "$(W)/bpe/$(1).counts"
endef
define count_part_cmd
$(BIN)/quire-bpe-train -q --pattern $(TOKENIZER_PATTERN) \
    --train-split $(VALIDATION_SHARE) --counts-out "$(W)/bpe/p$(1).counts" \
    --stats "$(W)/bpe/p$(1).json"
endef
# Where stage $(2) of partition $(1) writes: its file; the last stage
# before shard, when the tokenizer is learned, also through tee to the
# counting of the partition's pieces, which then takes no target (and no
# core) of its own once the stages are done.
count_tee = $(if $(and $(filter $(2),$(LAST_PART)),$(filter train:%,$(TOKENIZER)),$(filter \
	tokenize,$(STAGES))),| tee "$(call pfile,$(1),$(2))" | $(call \
	count_part_cmd,$(1)),>"$(call pfile,$(1),$(2))")
# Whether a training shard is (or will be) written: with partitions, the
# learning step runs beside shard and asks the counts' statistics how
# many records the training side has (shard refuses only one without an
# id, which bpe-train rejects as bpe-train.no_id).
ifeq ($(PARTITIONS),0)
has_train = set -- "$(T)"/shards/$(NAME)-train-*.jsonl.zst; [ -e "$$1" ]
else
has_train = [ "$$(jq -s 'map(.records_in - (.rejected["bpe-train.no_id"] // \
	0)) | add' "$(W)"/bpe/p*.json)" -gt 0 ]
endif
define train_cmd
$(has_train) || { echo "quire: no training shard to learn the tokenizer" \
    "from (TOKENIZER=$(TOKENIZER))" >&2; exit 1; }; \
$(BIN)/quire-bpe-train -q --counts-in --size $(patsubst train:%,%,$(TOKENIZER)) \
    --threads $(if $(filter slurm,$(RUNNER)),1,$(RUN_THREADS)) \
    --pattern $(TOKENIZER_PATTERN) --output "$(T)/tokenizer.tiktoken" \
    "$(W)"/bpe/*.counts
endef
define tokenize_cmd
case '$(TOKENIZER)' in \
train:*) own="--own-specials --special <|endoftext|>=$$(grep -c . "$(T)/tokenizer.tiktoken")" ;; \
*) own= ;; \
esac; \
zstd -q -dc "$(T)/shards/$(1).jsonl.zst" | $(BIN)/quire-tokenize -q \
    --vocab "$(T)/tokenizer.tiktoken" --pattern $(TOKENIZER_PATTERN) \
    $$own --threads $(or $(TOKENIZE_THREADS),$(if $(filter slurm,$(RUNNER)),1,$(RUN_THREADS))) --output "$(T)/shards/$(1)" --rejects "$(W)/tok/rejects-$(1).csv" \
    >/dev/null
endef

# inputs.lock names everything a release was made from: quire's version,
# the pipeline's settings and the SHA-256 of the pipeline file, the ledger,
# every policy file and every file of the drop.  Lines are
# "KIND VALUE" for settings and "KIND SHA256  PATH" for files, paths
# relative to DROP and POLICIES, in byte order.  PARTITIONS and RUNNER
# are not in it: they change how the release is made, never its bytes.
# lock_head writes all but the drop's lines; make dataset takes those
# from drop_lock_cmd, quire-audit from write_lock, which hashes the drop
# as it is today.
LOCKED = NAME VERSION DROP CONSENT POLICIES USES CUTOFF STAGES \
	MAX_WORK_BYTES NORMALIZE_FLAGS SHARD_BYTES VALIDATION_SHARE \
	ZSTD_LEVEL ZSTD_THREADS CONTACT DEDUPE_THRESHOLD DEDUPE_SHINGLE \
	DEDUPE_WORD_FLOOR TOKENIZER TOKENIZER_PATTERN
# tree_sums DIR[,FILTER]: "SHA256  PATH" of DIR's files in path order (of
# those FILTER, a pipe, lets through), by openssl dgst (see hash_files).
# Unlike sha256sum it writes a name with a backslash as it is, which
# inputs.lock's readers take (sha256sum's escaped line would be refused).
# hash_tree DIR,KIND: the same as inputs.lock's "KIND SHA256  PATH" lines.
tree_sums = (cd "$(1)" && find . -type f -printf '%P\n' | LC_ALL=C sort $(2) | \
	xargs -r -d '\n' openssl dgst -sha256 -r | sed 's/ \*/  /')
hash_tree = $(call tree_sums,$(1)) | sed 's/^/$(2) /'
define lock_head
{ echo "# quire inputs.lock: what $(NAME) $(VERSION) was built from"; \
  echo "quire $(QUIRE_VERSION)"; \
  $(foreach v,$(LOCKED),printf 'option %s=%s\n' $(v) '$($(v))';) \
  sha256sum "$(PIPELINE)" | sed 's/^/pipeline /'; \
  sha256sum "$(CONSENT)" | sed 's/^/ledger /'; \
  $(if $(filter tokenize,$(STAGES)),$(if $(filter train:%,$(TOKENIZER)),,sha256sum "$(TOKENIZER)" | sed 's/^/tokenizer /';)) \
  $(call hash_tree,$(POLICIES),policy); }
endef
write_lock = $(lock_head); $(call hash_tree,$(DROP),drop)

# The drop's lines of inputs.lock, from the files FILES (in $(1)) of
# quire-ingest --sums: the sums of the works it read, taken from the
# bytes the records were made from; the files it did not read (the
# manifest, the ledger, works refused or named by no row) are hashed
# here.  A work whose two reads differ changed during the run: refused.
define drop_lock_cmd
cat $(1) | LC_ALL=C sort -u >"$(W)/drop.read"; \
cut -c67- "$(W)/drop.read" | LC_ALL=C sort >"$(W)/drop.paths"; \
if [ -n "$$(uniq -d "$(W)/drop.paths")" ]; then \
	echo "quire: $(DROP)/$$(uniq -d "$(W)/drop.paths" | head -1)" \
	    "changed while quire-ingest read it" >&2; \
	exit 1; \
fi; \
$(call tree_sums,$(DROP),| LC_ALL=C comm -23 - "$(W)/drop.paths") | \
    cat "$(W)/drop.read" - | LC_ALL=C sort -s -t '\0' -k1.67 | \
    sed 's/^/drop /' >"$(W)/drop.lock.tmp"; \
mv "$(W)/drop.lock.tmp" "$(W)/drop.lock"
endef

# Targets the work directory's make runs at once: make's -jN, else
# DATASET_JOBS (also for a -j without a number, which has no count); as
# threads of the one step that runs alone (quire-bpe-train's learning,
# quire-tokenize, quire-datasheet), no more than the cores (and 64).
work_jobs = $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(DATASET_JOBS))
run_threads = $$(( $(work_jobs) < $(NPROC) ? $(work_jobs) : $(NPROC) ))

# SHA256SUMS: the files the work directory's make leaves in T are hashed
# (HASH_JOBS processes, in the background) while quire-changes and
# quire-datasheet, which only add files, write the reports; then the
# files they added.  The shards and their token files are not hashed
# twice: quire-datasheet hashes them as it reads them, for
# croissant.json, whose sums SHA256SUMS takes.  Every file must then be
# listed once.
# openssl dgst hashes with the CPU's SHA instructions, about 3 times
# coreutils' sha256sum here; its -r lines ("HEX *PATH") become sha256sum's
# ("HEX  PATH"), which the release's names (no newline, no backslash) keep
# as they are.
hash_files = xargs -r -d '\n' -P $(HASH_JOBS) -n 4 openssl dgst -sha256 -r | \
	sed 's/ \*/  /'

# The release is built in a temporary directory T, from a work directory
# W, both made fresh for each run, by a second make of this file whose
# targets are the files of W (below): that make runs them on -j's cores or
# as Slurm job steps.  One run of a NAME at a time holds a lock on
# OUT/NAME (the folder itself), so what it finds there of .tmp-* and
# .work-* was left by a killed run: removed.  The
# release is renamed into place only when complete.  Rebuilding an
# existing version must give the same bytes: then nothing changes;
# different bytes are refused (versions are never rewritten).
dataset: all
	$(if $(BAD_STAGES),$(error unknown stage in STAGES: $(BAD_STAGES)))
	$(if $(filter shard,$(STAGES)),,$(error STAGES must include shard))
	$(if $(filter ingest,$(firstword $(STAGES))),,$(error STAGES must begin with ingest))
	$(if $(filter tokenize,$(STAGES)),$(if $(filter tokenize,$(lastword $(STAGES))),,$(error tokenize must be the last stage)))
	$(if $(shell [ "$(PARTITIONS)" -ge 0 ] 2>/dev/null && [ "$(PARTITIONS)" -le 65536 ] && echo ok),,$(error PARTITIONS must be a number from 0 to 65536))
	$(if $(filter local slurm,$(RUNNER)),,$(error RUNNER must be local or slurm))
	@mkdir -p "$(OUT)/$(NAME)"; \
	exec 9<"$(OUT)/$(NAME)"; \
	flock -n 9 || { echo "quire: another make dataset of $(NAME) is" \
	    "running in $(OUT)" >&2; exit 1; }; \
	rm -rf "$(OUT)/$(NAME)"/.tmp-* "$(OUT)/$(NAME)"/.work-*; \
	t=$$(mktemp -d "$(OUT)/$(NAME)/.tmp-$(VERSION).XXXXXX"); \
	w=$$(mktemp -d "$(OUT)/$(NAME)/.work-$(VERSION).XXXXXX"); \
	lock=; hash=; \
	trap '[ -z "$$lock" ] || { kill $$lock; wait $$lock; } 2>/dev/null || :; \
	    [ -z "$$hash" ] || wait $$hash 2>/dev/null || :; \
	    rm -rf "$$t" "$$w"' EXIT; \
	mkdir "$$t/shards" "$$w/tok" "$$w/bpe" $(foreach k,$(PARTS),"$$w/p$(k)"); \
	echo "quire: $(NAME) $(VERSION): $(STAGES)" >&2; \
	{ $(lock_head); } >"$$w/inputs.lock" & lock=$$!; \
	$(if $(filter slurm,$(RUNNER)),$(if $(SLURM_JOB_ID),,salloc --quiet \
	    --job-name=quire-$(NAME) $(SALLOC_FLAGS))) \
	$(MAKE) --no-print-directory $(if $(filter slurm,$(RUNNER)),-j$(SLURM_JOBS),$(if \
	    $(filter -j%,$(MAKEFLAGS)),,-j$(DATASET_JOBS))) \
	    W="$$w" T="$$t" RUN_THREADS=$(run_threads) quire-work; \
	wait $$lock; lock=; \
	{ echo '$(REJECTS_HEAD)'; \
	  cat $(foreach s,$(STAGES),"$$w/rejects-$(s).csv"); } >"$$t/rejects.csv"; \
	prev=$$({ ls -1 "$(OUT)/$(NAME)"; echo '$(VERSION)'; } | \
	    LC_ALL=C sort -V -u | \
	    awk -v v='$(VERSION)' '$$0 == v { print p; exit } { p = $$0 }'); \
	old=-; [ -z "$$prev" ] || old="$(OUT)/$(NAME)/$$prev"; \
	{ cat "$$w/inputs.lock" "$$w/drop.lock"; [ "$$old" = - ] || \
	  sha256sum "$$old/SHA256SUMS" | sed "s|  .*|  $$prev/SHA256SUMS|; s/^/previous /"; \
	} >"$$t/inputs.lock"; \
	(cd "$$t" && find . -type f -printf '%P\n' | LC_ALL=C sort | \
	    awk '!/^shards\/[^\/]*\.(jsonl\.zst|bin|idx)$$/') >"$$w/hashed"; \
	(cd "$$t" && $(hash_files)) <"$$w/hashed" >"$$w/sums" & hash=$$!; \
	$(BIN)/quire-changes -q -c "$$t/changes.csv" "$$old" "$$t" \
	    >"$$t/CHANGES.md"; \
	$(BIN)/quire-datasheet -q --threads $(run_threads) --release "$$t" --stats "$$w" \
	    --stages '$(PIPE_STAGES)' --policies $(POLICIES) --name $(NAME) \
	    --release-version $(VERSION) --uses '$(USES)' --cutoff $(CUTOFF) \
	    $(if $(CONTACT),--contact '$(CONTACT)'); \
	wait $$hash; hash=; \
	jq -r '.distribution[] | select(.sha256) | "\(.sha256)  \(.contentUrl)"' \
	    "$$t/croissant.json" >>"$$w/sums"; \
	{ cat "$$w/sums"; (cd "$$t" && find . -type f -printf '%P\n' | \
	    LC_ALL=C sort | LC_ALL=C comm -23 - <(sed 's/^[0-9a-f]*  //' \
	    "$$w/sums" | LC_ALL=C sort) | $(hash_files)); } | \
	    sed 's/^\([0-9a-f]*\)  \(.*\)$$/\2\t\1/' | LC_ALL=C sort | \
	    sed 's/^\(.*\)\t\([0-9a-f]*\)$$/\2  \1/' >"$$w/SHA256SUMS"; \
	(cd "$$t" && find . -type f -printf '%P\n' | LC_ALL=C sort) | \
	    cmp -s - <(cut -c67- "$$w/SHA256SUMS") || { echo "quire:" \
	    "SHA256SUMS would not list each file of the release once" >&2; \
	    exit 1; }; \
	mv "$$w/SHA256SUMS" "$$t/SHA256SUMS"; \
	if [ -e "$(RELEASE)" ]; then \
		if diff -r -q "$$t" "$(RELEASE)" >/dev/null; then \
			echo "quire: $(RELEASE) is up to date: the same bytes rebuilt" >&2; \
		else \
			echo "quire: $(RELEASE) exists with other content;" \
			    "a version is never rewritten: set a new VERSION" >&2; \
			exit 1; \
		fi; \
	else \
		chmod 755 "$$t"; \
		mv -T "$$t" "$(RELEASE)"; \
		echo "quire: released $(RELEASE)" >&2; \
	fi

# --- the work directory's targets (the second make, with W and T set) ---
ifdef W
# Partition k's copy of stage s, and the file stage s reads there.
pfile = $(W)/p$(1)/$(2).jsonl
prev_of = $(word $(words x $(call before,$(PART_STAGES),$(1))),x $(PART_STAGES))
LAST_PART = $(lastword $(PART_STAGES))
allparts = $(foreach k,$(PARTS),$(call pfile,$(k),$(1)))

# One per-document stage s on partition k (ingest reads the drop).
define part_rule
$(call pfile,$(1),$(2)): $(if $(filter ingest,$(2)),,$(call pfile,$(1),$(call prev_of,$(2))))
	@echo '$(REJECTS_HEAD)' >"$(W)/p$(1)/rejects-$(2).csv"
	@$$(call step,$(call stage_cmd,$(2),,p$(1)/) $(if $(filter ingest,$(2)),-p $(1)/$(PARTITIONS),<"$(call pfile,$(1),$(call prev_of,$(2)))") $(call count_tee,$(1),$(2)),$(2)-$(1))
endef

# dedupe in three phases: each partition's signatures, the decisions over
# all of them (the rejects, review and stats of the whole stream), each
# partition's kept records.
define dedupe_rule
$(W)/p$(1)/dedupe.sig: $(call pfile,$(1),$(call prev_of,dedupe))
	@$$(call step,$(BIN)/quire-dedupe -q -k $(DEDUPE_SHINGLE) -w $(DEDUPE_WORD_FLOOR) -S "$$@" "$$<",dedupe-sig-$(1))
$(call pfile,$(1),dedupe): $(call pfile,$(1),$(call prev_of,dedupe)) $(W)/dedupe.done
	@$$(call step,$(BIN)/quire-dedupe -A "$(W)/p$(1)/dedupe.sig.keep" "$$<" $(call count_tee,$(1),dedupe),dedupe-keep-$(1))
endef

# A per-partition stage's rejects and stats for the whole stream.
define merge_rule
$(W)/rejects-$(1).csv: $(call allparts,$(1))
	@$$(call step,$(BIN)/quire-merge -r $(foreach k,$(PARTS),"$(W)/p$(k)/rejects-$(1).csv") >"$$@",merge-$(1))
$(W)/stats-$(1).json: $(call allparts,$(1)) mk/merge-stats.jq
	@$$(call step,jq -n --slurpfile p <(cat $(foreach k,$(PARTS),"$(W)/p$(k)/stats-$(1).json")) \
	    --arg same '$(STATS_SAME_$(1))' --arg sorted '$(STATS_SORTED_$(1))' \
	    -f mk/merge-stats.jq >"$$@",stats-$(1))
endef

# What reads partition $(1)'s file of stage $(2): the next stage (both of
# dedupe's phases), shard for the last, and the merges of its rejects and
# statistics.
next_of = $(firstword $(call after,$(PART_STAGES),$(1)))
readers = $(if $(filter $(2),$(LAST_PART)),$(W)/shard.done,$(if $(filter \
	dedupe,$(call next_of,$(2))),$(W)/p$(1)/dedupe.sig) $(call \
	pfile,$(1),$(call next_of,$(2)))) $(if $(filter dedupe,$(2)),,$(W)/rejects-$(2).csv \
	$(W)/stats-$(2).json) $(if $(filter ingest,$(2)),$(W)/drop.lock)
# The file goes as soon as they are made, not with the work directory at
# the end: gigabytes of pages the kernel would write back to disk for
# nothing, and one long removal after the release is complete.
define free_rule
$(W)/p$(1)/$(2).freed: $(call readers,$(1),$(2))
	@rm -f "$(call pfile,$(1),$(2))" && touch $$@
endef

ifeq ($(PARTITIONS),0)
# No partitions: the stages as one pipe, each one process over the whole
# stream (the reference the partitioned runs are tested against).
$(W)/shard.done:
	@$(call step,$(foreach s,$(PIPE_STAGES),$(call stage_cmd,$(s),$(filter $(s),$(lastword $(PIPE_STAGES))),) $(if $(filter dedupe,$(s)),-T "$(W)") |) $(BIN)/quire-credits -q --policies $(POLICIES) >"$(T)/CREDITS.md",pipe)
	@touch $@
else
$(foreach s,$(filter-out dedupe,$(PART_STAGES)),$(foreach k,$(PARTS),$(eval $(call part_rule,$(k),$(s)))))
$(foreach s,$(filter-out dedupe,$(PART_STAGES)),$(eval $(call merge_rule,$(s))))
$(foreach s,$(PART_STAGES),$(foreach k,$(PARTS),$(eval $(call free_rule,$(k),$(s)))))
ifneq ($(filter dedupe,$(PART_STAGES)),)
$(foreach k,$(PARTS),$(eval $(call dedupe_rule,$(k))))
$(W)/dedupe.done: $(foreach k,$(PARTS),$(W)/p$(k)/dedupe.sig)
	@: >"$(W)/rejects-dedupe.csv"
	@$(call step,$(BIN)/quire-dedupe -q -D $(ARGS_dedupe) --rejects "$(W)/rejects-dedupe.csv" --stats "$(W)/stats-dedupe.json" $^,dedupe-decide)
	@touch $@
endif

# shard and what follows it, on the partitions merged back into one
# stream; what leaves the last stage is what the shards hold:
# quire-credits makes CREDITS.md of it.
$(W)/shard.done: $(call allparts,$(LAST_PART))
	@$(call step,$(BIN)/quire-merge -q $^ | $(foreach s,shard $(POST_STAGES),$(call stage_cmd,$(s),$(filter $(s),$(lastword $(PIPE_STAGES))),) |) $(BIN)/quire-credits -q --policies $(POLICIES) >"$(T)/CREDITS.md",shard)
	@touch $@
endif

# tokenize: the tokenizer, then each shard on its own (a third make, as
# the shards are known only once shard has run; so are the training
# shards whose pieces are counted for the tokenizer, by a make of their
# own too).  The third make takes the tokenizer as made (-o): what it
# was made from, the partitions' files, is gone by then.
SHARDS = $(patsubst $(T)/shards/%.jsonl.zst,%,$(wildcard $(T)/shards/*.jsonl.zst))
ifneq ($(filter train:%,$(TOKENIZER)),)
ifeq ($(PARTITIONS),0)
$(W)/counts.done: $(W)/shard.done
	@$(MAKE) --no-print-directory quire-counts
	@touch $@
$(W)/bpe/%.counts: $(W)/shard.done
	@$(call step,$(call count_cmd,$*),bpe-count-$*)
quire-counts: $(patsubst %,$(W)/bpe/%.counts,$(filter $(NAME)-train-%,$(SHARDS)))
else
$(W)/counts.done: $(PARTS:%=$(W)/bpe/p%.counts)
	@touch $@
$(W)/bpe/p%.counts: $(call pfile,%,$(LAST_PART)) ;
endif
$(T)/tokenizer.tiktoken: $(W)/counts.done
	@$(call step,$(train_cmd),bpe-train)
else
$(T)/tokenizer.tiktoken: $(W)/shard.done
	@$(call step,cp '$(TOKENIZER)' "$(T)/tokenizer.tiktoken",tokenizer)
endif
$(W)/tokens.done: $(T)/tokenizer.tiktoken $(W)/shard.done
	@$(MAKE) --no-print-directory -o "$(T)/tokenizer.tiktoken" quire-tokens
	@: >"$(W)/rejects-tokenize.csv"
	@if [ -n "$$(cat "$(W)"/tok/rejects-*.csv 2>/dev/null)" ]; then \
		echo "quire: tokenize refused documents that are in shards" >&2; \
		exit 1; \
	fi
	@touch $@
$(W)/tok/%.done: $(T)/tokenizer.tiktoken
	@$(call step,$(call tokenize_cmd,$*),tokenize-$*)
	@touch $@
quire-tokens: $(SHARDS:%=$(W)/tok/%.done)
# One shard after another (each waits for the one before it), unless
# TOKENIZE_THREADS or Slurm puts them side by side.
ifeq ($(TOKENIZE_THREADS)$(filter slurm,$(RUNNER)),)
tok_chain = $(if $(word 2,$(1)),$(eval $(W)/tok/$(word 2,$(1)).done: | \
	$(W)/tok/$(firstword $(1)).done)$(call tok_chain,$(wordlist 2,$(words \
	$(1)),$(1))))
$(call tok_chain,$(sort $(SHARDS)))
endif

# inputs.lock's drop lines, once ingest has read the drop.
$(W)/drop.lock: $(if $(PARTS),$(call allparts,ingest),$(W)/shard.done)
	@$(call step,$(call drop_lock_cmd,$(if $(PARTS),$(foreach \
	    k,$(PARTS),"$(W)/p$(k)/sums-ingest"),"$(W)/sums-ingest")),drop-lock)

quire-work: $(W)/shard.done $(W)/drop.lock \
	$(foreach s,$(PART_STAGES),$(foreach k,$(PARTS),$(W)/p$(k)/$(s).freed)) \
	$(if $(PARTS),$(foreach s,$(filter-out dedupe,$(PART_STAGES)),$(W)/rejects-$(s).csv $(W)/stats-$(s).json)) \
	$(if $(PARTS),$(if $(filter dedupe,$(PART_STAGES)),$(W)/dedupe.done)) \
	$(if $(filter tokenize,$(STAGES)),$(W)/tokens.done)
.PHONY: quire-counts quire-tokens quire-work
endif
