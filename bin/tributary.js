#!/usr/bin/env -S node --max-semi-space-size=64
'use strict';
// Thin launcher: the CLI is TypeScript compiled to dist/ by `npm ci` (prepare) or `npm run build`.
const path = require('path');
const fs = require('fs');
const main = path.join(__dirname, '..', 'dist', 'runtime', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('tributary: not built yet; run `npm run build` in ' + path.join(__dirname, '..') + '\n');
  process.exit(3);
}
// A reader that stops early (`tributary --help | head`) closes the pipe: stop quietly, as `cat` does.
process.stdout.on('error', (err) => { if (err && err.code === 'EPIPE') process.exit(0); throw err; });
// kafkajs' fixes go in before anything loads kafkajs (runtime/kafka/client/kafkajs/kafkajs-patches.ts).
require(path.join(__dirname, '..', 'dist', 'runtime', 'kafka', 'client', 'kafkajs', 'kafkajs-patches.js'));
require(main).main(process.argv).then(
  (code) => { process.exitCode = code; },
  // An error no command expected: the work failed (exit 3, runtime/cli/exit-codes.ts).
  (err) => { process.stderr.write('tributary: ' + (err && err.message ? err.message : String(err)) + '\n'); process.exitCode = 3; },
);
