#!/usr/bin/env node
// export.js NAME FILE: write the ranks of tiktoken's encoding NAME (gpt2,
// r50k_base, cl100k_base, o200k_base) as a .tiktoken rank file: base64 of
// the token's bytes, a space, the rank, one token a line, by rank.  The
// bytes come from the oracle itself (decode_single_token_bytes), so the
// file is exactly the table the oracle encodes with; the ranks that
// exist are read from the package's own encoder data.  Special tokens are
// not written: .tiktoken files do not hold them.
"use strict";
const fs = require("fs");
const path = require("path");
const { get_encoding } = require("tiktoken");

const [name, out] = process.argv.slice(2);
if (!name || !out) {
	process.stderr.write("usage: export.js NAME FILE\n");
	process.exit(64);
}
const data = JSON.parse(fs.readFileSync(path.join(path.dirname(
    require.resolve("tiktoken")), "encoders", name + ".json"), "utf8"));
const enc = get_encoding(name);
const lines = [];
// bpe_ranks: lines of "! FIRST_RANK TOKEN..." with consecutive ranks.
for (const line of data.bpe_ranks.split("\n")) {
	if (line === "")
		continue;
	const f = line.split(" ");
	let rank = Number(f[1]);
	for (const b64 of f.slice(2)) {
		const bytes = Buffer.from(enc.decode_single_token_bytes(rank));
		if (bytes.toString("base64") !== b64)
			throw new Error(`rank ${rank}: encoder data and WASM disagree`);
		lines.push(`${b64} ${rank}\n`);
		rank++;
	}
}
enc.free();
fs.writeFileSync(out, lines.join(""));
