#!/usr/bin/env node
// encode.js NAME < records.jsonl: the oracle's ids of each record's text,
// one line {"id":ID,"tokens":[...]} per record, as quire-tokenize --ids
// writes them.  encode_ordinary: text that looks like a special token is
// ordinary text.
"use strict";
const fs = require("fs");
const { get_encoding } = require("tiktoken");

const name = process.argv[2];
if (!name) {
	process.stderr.write("usage: encode.js NAME < records.jsonl\n");
	process.exit(64);
}
const enc = get_encoding(name);
const out = [];
for (const line of fs.readFileSync(0, "utf8").split("\n")) {
	if (line === "")
		continue;
	const rec = JSON.parse(line);
	const ids = Array.from(enc.encode_ordinary(rec.text));
	out.push(`{"id":${JSON.stringify(rec.id)},"tokens":[${ids.join(",")}]}\n`);
}
enc.free();
fs.writeFileSync(1, out.join(""));
