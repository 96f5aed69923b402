// Golden files of the summary text and JSON (torchinfo's tests work the same
// way). Regenerate with UPDATE_GOLDEN=1 after a deliberate change, and read
// the diff.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inspectModel } from '../../src/core/inspect';
import { formatSummaryText } from '../../src/core/summary/format';
import { CLI, ROOT, fixture } from './helpers';

const GOLDEN = path.join(ROOT, 'test/golden');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] || !fs.existsSync(file)) {
    fs.writeFileSync(file, actual);
    if (!process.env['UPDATE_GOLDEN']) assert.fail(`${name} did not exist; written now — check it and commit it`);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'));
}

for (const model of ['lenet5.onnx', 'lenet5_dynamic.onnx', 'bn_conv.onnx', 'resnet18_bn.onnx']) {
  test(`summary text of ${model} matches test/golden`, () => {
    const s = inspectModel(fixture(`onnx/${model}`));
    golden(model.replace('.onnx', '.txt'), formatSummaryText({ ...s, file: model }));
  });
}

test('LeNet-5: the totals and sizes torchinfo prints', () => {
  const s = inspectModel(fixture('onnx/lenet5.onnx'));
  const text = formatSummaryText(s);
  assert.match(text, /^Total params: 61,470$/m);
  assert.match(text, /^Trainable params: 61,470$/m);
  assert.match(text, /^Non-trainable params: 0$/m);
  assert.match(text, /^Total mult-adds \(M\): 0\.42$/m);
  assert.match(text, /^Params size \(MB\): 0\.25$/m);
  assert.deepEqual(s.layers.filter((r) => r.type === 'Conv').map((r) => r.kernelShape), [[5, 5], [5, 5], [5, 5]]);
});

test('a symbolic batch is shown as given, and --input-shape overrides it', () => {
  const dynamic = inspectModel(fixture('onnx/lenet5_dynamic.onnx'));
  assert.equal(dynamic.inputs[0]!.shape[0], 'batch_size');
  assert.deepEqual(dynamic.layers.find((r) => r.name === 'fc2')!.outputShape, ['batch_size', 10]);
  const fixed = inspectModel(fixture('onnx/lenet5_dynamic.onnx'), { inputShape: [8, 1, 32, 32] });
  assert.deepEqual(fixed.layers.find((r) => r.name === 'fc2')!.outputShape, [8, 10]);
  assert.equal(fixed.totals.macs, 8 * 416520);
});

test('BatchNormalization running statistics are buffers, not parameters', () => {
  const s = inspectModel(fixture('onnx/bn_conv.onnx'));
  const bn = s.layers.find((r) => r.type === 'BatchNormalization')!;
  // weight and bias are parameters; running mean and variance are not counted
  assert.equal(bn.params, 2 * (bn.outputShape![1] as number));
});

test('CLI --json has the documented camelCase fields', () => {
  const r = spawnSync(process.execPath, [CLI, 'inspect', fixture('onnx/lenet5.onnx'), '--json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown>;
  for (const k of ['format', 'producer', 'inputs', 'outputs', 'layers', 'totals']) assert.ok(k in j, k);
  const layer = (j['layers'] as Record<string, unknown>[])[0]!;
  for (const k of ['name', 'type', 'depth', 'index', 'inputShape', 'outputShape', 'kernelShape', 'params', 'trainable', 'macs']) assert.ok(k in layer, k);
  assert.deepEqual(j['totals'], { params: 61470, trainableParams: 61470, nonTrainableParams: 0, macs: 416520 });
});

test('CLI usage errors exit 2 with one line', () => {
  for (const args of [['inspect'], ['inspect', 'x.onnx', '--bogus'], ['frobnicate'], ['inspect', fixture('onnx/lenet5.onnx'), '--input-shape', '1,a']]) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^quantlab: /);
  }
});
