// Data-driven: every model in test/fixtures/expected.json (written by
// make_fixtures.py from PyTorch's own counts) is inspected and compared; every
// bad file must give the one-line error and exit code 2 from the real CLI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectModel } from '../../src/core/inspect';
import { CLI, FIXTURES, fixture } from './helpers';

interface Expected {
  file: string;
  params?: number;
  convLinearMacs?: number;
  layers?: { name: string; outputShape: number[] }[];
  inputShape?: (number | string)[];
  error?: string;
}

const expected = (JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8')) as { models: Expected[] }).models;
const CONV_LINEAR = new Set(['Conv', 'Gemm', 'MatMul', 'Conv+Add', 'MatMul+Add', 'Gemm+Add']);

for (const e of expected.filter((x) => x.error === undefined)) {
  const file = e.file.replace(/\.gz$/, '');
  test(`${file}: params and conv+linear mult-adds equal PyTorch's`, () => {
    // PyTorch counted at batch 1: a symbolic batch is fixed to 1 as `--input-shape` would.
    const symbolic = e.inputShape?.some((d) => typeof d === 'string');
    const s = inspectModel(fixture(`onnx/${file}`), symbolic ? { inputShape: e.inputShape!.map((d) => (typeof d === 'number' ? d : 1)) } : {});
    assert.deepEqual(s.unknownOps, []);
    assert.equal(s.totals.params, e.params);
    const macs = s.layers.filter((r) => CONV_LINEAR.has(r.type)).reduce((a, r) => a + r.macs, 0);
    assert.equal(macs, e.convLinearMacs);
    for (const r of s.layers) assert.equal(r.problem, undefined, `${r.name}: ${r.problem}`);
    if (e.layers) {
      // Every PyTorch module with its output shape, in forward order, among the leaf rows.
      const leaves = s.layers.filter((r) => !r.container).map((r) => ({ name: r.name, outputShape: r.outputShape }));
      const wanted = e.layers.map((l) => ({ name: l.name, outputShape: l.outputShape }));
      assert.deepEqual(leaves.filter((l) => wanted.some((w) => w.name === l.name)), wanted);
    }
  });
}

for (const e of expected.filter((x) => x.error !== undefined)) {
  test(`${e.file}: one line on stderr naming the file, exit code 2`, () => {
    const file = path.join(FIXTURES, 'onnx', e.file);
    const r = spawnSync(process.execPath, [CLI, 'inspect', file], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.ok(lines[0]!.startsWith(`quantlab: ${file}: `), lines[0]);
    assert.match(lines[0]!, new RegExp(e.error!, 'i'));
  });
}
