#!/usr/bin/env node
// Side-by-side tokenizer speed: ckptlab (bench_tokenizer) against Hugging Face `tokenizers` (the
// npm package, Rust underneath) on the same documents, same machine, and a check that every
// document gets the same ids from both.
//
// Install the npm package OUTSIDE the repository (never commit node_modules), e.g.:
//   mkdir -p /work/tok-node && cd /work/tok-node && npm init -y && npm install tokenizers@0.23.2
// then:
//   node bench/engine/bench_tokenizer_hf.js --node-modules /work/tok-node/node_modules \
//        --bench BUILD/bench/engine/bench_tokenizer [--mb 4] [--passes 3] [--tokenizer DIR]...
// (--node-modules may instead come from CKPTLAB_TOKENIZERS_NODE_MODULES.)
//
// Hugging Face is timed three ways: encode() awaited per document (the usual Node call, which
// pays a thread hop per call), encodeBatch() with TOKENIZERS_PARALLELISM=false (one thread: the
// like-for-like figure), and encodeBatch() on all cores. ckptlab runs on one thread.

'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function parseArguments(argv) {
  const options = { tokenizers: [], mb: '4', passes: '3', nodeModules: process.env.CKPTLAB_TOKENIZERS_NODE_MODULES };
  for (let i = 0; i + 1 < argv.length; i += 2) {
    const [key, value] = [argv[i], argv[i + 1]];
    if (key === '--node-modules') options.nodeModules = value;
    else if (key === '--bench') options.bench = value;
    else if (key === '--mb') options.mb = value;
    else if (key === '--passes') options.passes = value;
    else if (key === '--tokenizer') options.tokenizers.push(value);
    else throw new Error(`unknown option ${key}`);
  }
  if (!options.nodeModules || !options.bench) {
    console.error('usage: node bench_tokenizer_hf.js --node-modules DIR --bench PATH/bench_tokenizer [--mb N] [--tokenizer DIR]...');
    console.error('install: mkdir -p /work/tok-node && cd /work/tok-node && npm init -y && npm install tokenizers@0.23.2');
    process.exit(2);
  }
  if (options.tokenizers.length === 0) {
    const shared = path.resolve(__dirname, '../../../shared/data/tokenizers');
    options.tokenizers = [path.join(shared, 'gpt2'), path.join(shared, 'neox20b')];
  }
  return options;
}

function nameOf(tokenizerPath) {
  return fs.statSync(tokenizerPath).isDirectory() ? path.basename(tokenizerPath) : path.basename(path.dirname(tokenizerPath));
}

function jsonFileOf(tokenizerPath) {
  return fs.statSync(tokenizerPath).isDirectory() ? path.join(tokenizerPath, 'tokenizer.json') : tokenizerPath;
}

function readJsonLines(file) {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0).map((line) => JSON.parse(line));
}

function figure(name, value, unit) {
  console.log(`${name} ${value.toFixed(4)} ${unit}`);
}

async function timeBest(passes, run) {
  let best = Infinity;
  for (let pass = 0; pass <= passes; pass++) { // pass 0 warms the word cache, as ckptlab's cold pass
    const start = process.hrtime.bigint();
    await run();
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (pass > 0) best = Math.min(best, elapsed);
  }
  return best;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'ckptlab-tok-bench-'));
  const corpusFile = path.join(scratch, 'corpus.jsonl');
  const idsPrefix = path.join(scratch, 'ids');
  const benchArguments = ['--mb', options.mb, '--passes', options.passes, '--corpus-out', corpusFile, '--ids-out', idsPrefix];
  for (const tokenizer of options.tokenizers) benchArguments.push('--tokenizer', tokenizer);
  const ckptlabOutput = execFileSync(options.bench, benchArguments, { encoding: 'utf8' });
  process.stdout.write(ckptlabOutput);
  const ckptlab = Object.fromEntries(ckptlabOutput.trim().split('\n').map((line) => line.split(' ')).map(([k, v]) => [k, Number(v)]));

  const documents = readJsonLines(corpusFile);
  const bytes = documents.reduce((sum, document) => sum + Buffer.byteLength(document, 'utf8'), 0);
  const passes = Number(options.passes);
  const rows = [];
  for (const tokenizerPath of options.tokenizers) {
    const name = nameOf(tokenizerPath);
    // TOKENIZERS_PARALLELISM is read on each batch call, so one process can time both modes.
    const { Tokenizer } = require(path.join(options.nodeModules, 'tokenizers'));
    const tokenizer = Tokenizer.fromFile(jsonFileOf(tokenizerPath));
    const expected = readJsonLines(`${idsPrefix}.${name}.jsonl`);

    const encodings = new Array(documents.length);
    const perCall = await timeBest(passes, async () => {
      for (let i = 0; i < documents.length; i++) encodings[i] = await tokenizer.encode(documents[i], null, { addSpecialTokens: false });
    });
    let mismatches = 0;
    for (let i = 0; i < documents.length; i++) {
      const ids = encodings[i].getIds();
      if (ids.length !== expected[i].length || ids.some((id, k) => id !== expected[i][k])) mismatches++;
    }
    process.env.TOKENIZERS_PARALLELISM = 'false';
    const batchOneThread = await timeBest(passes, () => tokenizer.encodeBatch(documents, { addSpecialTokens: false }));
    process.env.TOKENIZERS_PARALLELISM = 'true';
    const batchAllCores = await timeBest(passes, () => tokenizer.encodeBatch(documents, { addSpecialTokens: false }));

    figure(`hf_encode_per_call_${name}`, bytes / 1e6 / perCall, 'MB/s');
    figure(`hf_encode_batch_1thread_${name}`, bytes / 1e6 / batchOneThread, 'MB/s');
    figure(`hf_encode_batch_${os.cpus().length}cores_${name}`, bytes / 1e6 / batchAllCores, 'MB/s');
    figure(`hf_id_mismatches_${name}`, mismatches, 'docs');
    rows.push({ name, ckptlab: ckptlab[`tokenizer_encode_${name}`], perCall: bytes / 1e6 / perCall,
      oneThread: bytes / 1e6 / batchOneThread, allCores: bytes / 1e6 / batchAllCores, mismatches });
  }

  console.log(`\n# ${(bytes / 1e6).toFixed(2)} MB, ${documents.length} documents, ${os.cpus()[0].model}, ${os.cpus().length} cores`);
  console.log('# tokenizer   ckptlab(1 thread)  HF batch(1 thread)  HF encode/call  HF batch(all cores)  id mismatches');
  for (const row of rows) {
    console.log(`# ${row.name.padEnd(10)}  ${row.ckptlab.toFixed(1).padStart(10)} MB/s  ${row.oneThread.toFixed(1).padStart(12)} MB/s` +
      `  ${row.perCall.toFixed(1).padStart(9)} MB/s  ${row.allCores.toFixed(1).padStart(13)} MB/s  ${String(row.mismatches).padStart(8)}`);
  }
  fs.rmSync(scratch, { recursive: true, force: true });
  if (rows.some((row) => row.mismatches > 0)) process.exitCode = 1;
}

main().catch((error) => { console.error(error); process.exit(1); });
