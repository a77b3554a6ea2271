#!/usr/bin/env node
// bench.js NAME FILE: time tiktoken's encode_ordinary over the text of
// every record of FILE (JSON Lines), after reading and parsing them all
// and loading the encoding, which are not timed.  Prints one line:
// "seconds text_bytes tokens cpu_seconds", the last the process's processor
// time (user and system) over the same loop.
"use strict";
const fs = require("fs");
const { get_encoding } = require("tiktoken");

const [name, file] = process.argv.slice(2);
if (!name || !file) {
	process.stderr.write("usage: bench.js NAME FILE\n");
	process.exit(64);
}
const texts = fs.readFileSync(file, "utf8").split("\n")
    .filter((l) => l !== "").map((l) => JSON.parse(l).text);
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t, "utf8"), 0);
const enc = get_encoding(name);
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let tokens = 0;
for (const t of texts)
	tokens += enc.encode_ordinary(t).length;
const t1 = process.hrtime.bigint();
const c1 = process.cpuUsage(c0);
enc.free();
process.stdout.write(`${Number(t1 - t0) / 1e9} ${bytes} ${tokens} ` +
    `${(c1.user + c1.system) / 1e6}\n`);
