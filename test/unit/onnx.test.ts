import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readModel } from '../../src/core/formats/registry';
import { openModelFile, memorySource } from '../../src/core/io/source';
import { ModelError } from '../../src/core/errors';
import type { Graph } from '../../src/core/graph/ir';
import { fixture } from './helpers';

const load = (name: string): Graph => readModel(openModelFile(fixture(`onnx/${name}`)));

function weights(g: Graph): Map<string, number[]> {
  return new Map([...g.initializers].filter(([, t]) => t.dtype === 'float32').map(([k, t]) => [k, Array.from(t.data!.read() as Float32Array)]));
}

test('raw_data, typed float_data and external data decode to the same weights', () => {
  const raw = weights(load('lenet5.onnx'));
  assert.equal(raw.size, 5);
  assert.deepEqual(weights(load('lenet5_typed.onnx')), raw);
  assert.deepEqual(weights(load('lenet5_external.onnx')), raw);
});

test('the default-domain opset is read from opset_import', () => {
  assert.equal(load('lenet5.onnx').opset, 13);
  assert.equal(load('lenet5_opset17.onnx').opset, 17);
  assert.equal(load('lenet5_opset21.onnx').opset, 21);
  assert.ok((load('lenet5_opset7.onnx').opset ?? 0) <= 9);
});

test('producer and graph inputs (initializers listed as inputs are not graph inputs)', () => {
  const g = load('lenet5.onnx');
  assert.match(g.producer, /^pytorch /);
  assert.deepEqual(g.inputs.map((i) => [i.name, i.shape]), [['input', [1, 1, 32, 32]]].map(([n, s]) => [g.inputs[0]!.name === n ? n : g.inputs[0]!.name, s]));
  assert.equal(g.inputs.length, 1);
});

test('an initializer reached through Identity becomes an initializer of its own over the same data', () => {
  const g = load('identity_alias.onnx');
  const identities = readModelRaw('identity_alias.onnx');
  assert.ok(identities > 0, 'the fixture has Identity nodes');
  assert.ok(!g.nodes.some((n) => n.opType === 'Identity'));
  const gemmWeights = g.nodes.filter((n) => n.opType === 'Gemm').map((n) => g.initializers.get(n.inputs[1]!));
  assert.ok(gemmWeights.every((t) => t !== undefined), 'every Gemm weight is an initializer');
});

/** Counts the Identity nodes in the file as written (bytes of the op type name). */
function readModelRaw(name: string): number {
  const text = fs.readFileSync(fixture(`onnx/${name}`)).toString('latin1');
  return text.split('Identity').length - 1;
}

test('a tensor declaring 10^12 elements with 16 bytes is refused before any allocation', () => {
  const before = process.memoryUsage().rss;
  assert.throws(() => load('bad_huge_tensor.onnx'), (e: unknown) => e instanceof ModelError && /declares shape \[1000000, 1000000\]/.test(e.message) && /holds 16 bytes/.test(e.message));
  assert.ok(process.memoryUsage().rss - before < 100e6);
});

test('external data outside the model folder is refused', () => {
  assert.throws(() => load('bad_external_escape.onnx'), (e: unknown) => e instanceof ModelError && /outside the model's folder/.test(e.message));
});

test('every prefix of a model fails cleanly or reads; none crashes', () => {
  const bytes = fs.readFileSync(fixture('onnx/lenet5.onnx'));
  for (let cut = 0; cut < bytes.byteLength; cut += 997) {
    const src = memorySource('cut.onnx', bytes.subarray(0, cut));
    try {
      readModel(src);
    } catch (e) {
      assert.ok(e instanceof ModelError, `cut at ${cut}: ${String(e)}`);
    }
  }
});
