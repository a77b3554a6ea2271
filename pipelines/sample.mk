# The default pipeline: the sample drop of samples/drop into
# releases/sample/VERSION.  Copy this file to make another dataset and run
# `make dataset PIPELINE=pipelines/yours.mk`.

NAME = sample
VERSION = 1.0.0
DROP = samples/drop
CONSENT = $(DROP)/consent.csv
POLICIES = policies
USES = train;evaluate
CUTOFF = 2026-11-01
OUT = releases

# The stages that exist so far, in DESIGN.md's order: a work without
# consent or with a license the board denies leaves right after ingest.
STAGES = ingest consent-filter license-tag normalize scrub dedupe shard tokenize

# Stage options (defaults in the Makefile, documented in the README).
SHARD_BYTES = 1M
# The sample's training text is small: a 512-token vocabulary is what it can
# teach (quire-bpe-train refuses a size the text cannot fill).
TOKENIZER = train:512
VALIDATION_SHARE = 0.1
