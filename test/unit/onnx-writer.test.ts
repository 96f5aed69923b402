import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readModel } from '../../src/core/formats/registry';
import { openModelFile, memorySource } from '../../src/core/io/source';
import { writeFileAtomic, writeFilesAtomic } from '../../src/core/io/atomic';
import { rewriteOnnx, rewriteOnnxWeights } from '../../src/core/formats/onnx/writer';
import { encodeVarint } from '../../src/core/formats/onnx/encode';
import { ProtoReader, WireType } from '../../src/core/formats/onnx/protobuf';
import { ModelError } from '../../src/core/errors';
import type { Graph } from '../../src/core/graph/ir';
import { oneNodeOnnx } from '../suite/onnxWriter';
import { fixture, tmpDir } from './helpers';

const CONV1 = 'conv1.weight';
const FC1 = 'onnx::MatMul_20'; // fc1's MatMul weight, [120, 84]

const made: string[] = [];
/** A fresh empty folder per test, so "nothing left behind" can be checked by listing it. */
function freshDir(): string {
  const d = fs.mkdtempSync(path.join(tmpDir(), 'writer-'));
  made.push(d);
  return d;
}
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const source = (name: string): Uint8Array => fs.readFileSync(fixture(`onnx/${name}`));
const load = (file: string): Graph => readModel(openModelFile(file));

function values(g: Graph): Map<string, Float32Array> {
  return new Map([...g.initializers].map(([k, t]) => [k, t.data!.read() as Float32Array]));
}

/** Values no fixture holds, exactly representable, with a NaN-free sign mix. */
function pattern(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i * 7 + seed) % 23) / 8 - 1.375);
}

/** Everything the reader sees except initializer data. */
function structure(g: Graph): unknown {
  return {
    producer: g.producer, name: g.name, opset: g.opset, inputs: g.inputs, outputs: g.outputs, nodes: g.nodes,
    valueInfo: [...g.valueInfo], metadata: g.metadata,
    shapes: [...g.initializers].map(([k, t]) => [k, t.dtype, t.shape]),
  };
}

// ---- rewriting ----

for (const name of ['lenet5.onnx', 'lenet5_typed.onnx', 'lenet5_external.onnx']) {
  test(`${name}: replaced weights read back exactly, everything else unchanged`, async () => {
    const original = load(fixture(`onnx/${name}`));
    const before = values(original);
    const replacements = new Map([
      [CONV1, pattern(150, 1)],
      [FC1, pattern(120 * 84, 2)],
    ]);
    const dir = freshDir();
    const out = path.join(dir, name);
    const files = [{ path: out, data: rewriteOnnxWeights(source(name), replacements) }];
    if (name === 'lenet5_external.onnx') files.unshift({ path: path.join(dir, 'lenet5_external.data'), data: source('lenet5_external.data') });
    await writeFilesAtomic(files);

    const back = load(out);
    assert.deepEqual(structure(back), structure(original));
    for (const [k, v] of values(back)) assert.deepEqual(v, replacements.get(k) ?? before.get(k), k);
    if (name === 'lenet5_external.onnx') {
      const text = fs.readFileSync(out).toString('latin1');
      assert.equal(text.split('lenet5_external.data').length - 1, 3, 'the three other tensors still refer to the sidecar');
    }
  });
}

test('an empty replacement map gives the input byte for byte', () => {
  for (const name of ['lenet5.onnx', 'lenet5_typed.onnx', 'lenet5_external.onnx', 'lenet5_opset7.onnx', 'identity_alias.onnx']) {
    const bytes = source(name);
    assert.deepEqual(rewriteOnnxWeights(bytes, new Map()), new Uint8Array(bytes), name);
  }
});

test('replacing every raw_data weight with its own values gives the input byte for byte', () => {
  const bytes = source('lenet5.onnx');
  const same = values(load(fixture('onnx/lenet5.onnx')));
  assert.deepEqual(rewriteOnnxWeights(bytes, same), new Uint8Array(bytes));
});

test('a replacement with the wrong element count is refused, naming the tensor and both counts', () => {
  const bytes = source('lenet5.onnx');
  assert.throws(
    () => rewriteOnnxWeights(bytes, new Map([[CONV1, new Float32Array(149)], [FC1, new Float32Array(120 * 84)]])),
    (e: unknown) => e instanceof Error && /'conv1\.weight'/.test(e.message) && /\[6, 1, 5, 5\] \(150 values\)/.test(e.message) && /has 149/.test(e.message) && !/MatMul_20/.test(e.message),
  );
});

test('an unknown name is refused, listing what the file has', () => {
  assert.throws(
    () => rewriteOnnxWeights(source('lenet5.onnx'), new Map([['fc9.weight', new Float32Array(1)]])),
    (e: unknown) => e instanceof Error && /no initializer named 'fc9\.weight'/.test(e.message) && /'conv1\.weight'/.test(e.message),
  );
});

test('a name the reader derives from an Identity alias is refused with the initializer it aliases', () => {
  const bytes = source('identity_alias.onnx');
  const g = readModel(memorySource('identity_alias.onnx', bytes));
  const inFile = new Set(readInitializerNames(bytes));
  const alias = [...g.initializers.keys()].find((k) => !inFile.has(k));
  assert.ok(alias, 'the fixture has an aliased initializer');
  const n = g.initializers.get(alias)!.shape.reduce((a, b) => a * (b as number), 1);
  assert.throws(() => rewriteOnnxWeights(bytes, new Map([[alias, new Float32Array(n)]])), /is not an initializer in the file but an Identity of initializer/);
});

test('metadata entries are added, and an existing key is replaced rather than repeated', () => {
  const once = rewriteOnnxWeights(source('lenet5.onnx'), new Map(), { metadata: { 'quantlab.job': 'ptq', 'quantlab.bits': '8' } });
  const twice = rewriteOnnxWeights(once, new Map([[CONV1, pattern(150, 3)]]), { metadata: { 'quantlab.job': 'qat' } });
  const g = readModel(memorySource('m.onnx', twice));
  assert.deepEqual(g.metadata, { 'quantlab.bits': '8', 'quantlab.job': 'qat' });
  assert.equal(countModelFields(twice, 14), 2);
  assert.deepEqual(g.initializers.get(CONV1)!.data!.read(), pattern(150, 3));
});

test('new initializers are appended (and listed as graph inputs before IR version 4)', () => {
  const bias = Float32Array.from([1, 2, 3, 4, 5, 6]);
  for (const [name, ir3] of [['lenet5.onnx', false], ['lenet5_opset7.onnx', true]] as const) {
    const bytes = source(name);
    const original = readModel(memorySource(name, bytes));
    const out = rewriteOnnx(bytes, { weights: new Map([[CONV1, pattern(150, 4)]]), addInitializers: new Map([['conv1.bias', { dims: [6], data: bias }]]) });
    const g = readModel(memorySource(name, out));
    assert.deepEqual(g.initializers.get('conv1.bias')?.shape, [6], name);
    assert.deepEqual(g.initializers.get('conv1.bias')!.data!.read(), bias, name);
    assert.deepEqual(g.initializers.get(CONV1)!.data!.read(), pattern(150, 4), name);
    assert.deepEqual(g.nodes, original.nodes, name);
    assert.equal(countGraphFields(out, 11) - countGraphFields(bytes, 11), ir3 ? 1 : 0, name);
  }
  assert.throws(() => rewriteOnnx(source('lenet5.onnx'), { addInitializers: new Map([[CONV1, { dims: [1], data: new Float32Array(1) }]]) }), /reuses a name/);
  assert.throws(() => rewriteOnnx(source('lenet5.onnx'), { addInitializers: new Map([['b', { dims: [2, 3], data: new Float32Array(5) }]]) }), /\(6 values\) but 5 values/);
});

test('a file that is not ONNX is a ModelError with a position', () => {
  assert.throws(() => rewriteOnnxWeights(source('bad_truncated.onnx'), new Map([[CONV1, new Float32Array(150)]]), { file: 'bad_truncated.onnx' }), (e: unknown) => e instanceof ModelError && /at byte \d+/.test(e.message));
});

test('varints round-trip through the reader, negative int64 included', () => {
  for (const n of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER, -1, -300, -(2 ** 40)]) {
    const b = encodeVarint(n);
    assert.equal(new ProtoReader(b).varint(), n, String(n));
    if (n < 0) assert.equal(b.byteLength, 10);
  }
});

test('the suite helper still builds a readable one-node model', () => {
  const g = readModel(memorySource('one.onnx', oneNodeOnnx('<b>relu</b>', 'Relu', [1, 3])));
  assert.deepEqual(g.nodes.map((n) => [n.name, n.opType]), [['<b>relu</b>', 'Relu']]);
  assert.deepEqual(g.inputs[0]!.shape, [1, 3]);
});

function readInitializerNames(bytes: Uint8Array): string[] {
  const names: string[] = [];
  forGraphField(bytes, 5, (r) => {
    while (!r.done) {
      const [f, w] = r.key();
      if (f === 8 && w === WireType.Bytes) names.push(r.string());
      else r.skip(w);
    }
  });
  return names;
}

function countModelFields(bytes: Uint8Array, field: number): number {
  const r = new ProtoReader(bytes);
  let n = 0;
  while (!r.done) {
    const [f, w] = r.key();
    if (f === field) n++;
    r.skip(w);
  }
  return n;
}

function countGraphFields(bytes: Uint8Array, field: number): number {
  let n = 0;
  forGraphField(bytes, field, () => n++);
  return n;
}

function forGraphField(bytes: Uint8Array, field: number, each: (r: ProtoReader) => void): void {
  const r = new ProtoReader(bytes);
  while (!r.done) {
    const [f, w] = r.key();
    if (f !== 7) {
      r.skip(w);
      continue;
    }
    const g = r.sub();
    while (!g.done) {
      const [gf, gw] = g.key();
      if (gf === field && gw === WireType.Bytes) each(g.sub());
      else g.skip(gw);
    }
  }
}

// ---- atomic writes ----

async function* chunks(parts: string[], after?: (i: number) => void): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < parts.length; i++) {
    yield Buffer.from(parts[i]!);
    after?.(i);
  }
}

test('writeFileAtomic writes the file and leaves no temp; a replaced file keeps its mode', async () => {
  const dir = freshDir();
  const target = path.join(dir, 'model.onnx');
  await writeFileAtomic(target, 'first');
  fs.chmodSync(target, 0o640);
  await writeFileAtomic(target, chunks(['sec', 'ond']));
  assert.equal(fs.readFileSync(target, 'utf8'), 'second');
  assert.deepEqual(fs.readdirSync(dir), ['model.onnx']);
  if (process.platform !== 'win32') assert.equal(fs.statSync(target).mode & 0o777, 0o640);
  await writeFileAtomic(target, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...fs.readFileSync(target)], [1, 2, 3]);
});

test('a data generator that throws leaves the old file and no temp', async () => {
  const dir = freshDir();
  const target = path.join(dir, 'report.html');
  fs.writeFileSync(target, 'old');
  const failing = chunks(['a', 'b', 'c'], (i) => {
    if (i === 1) throw new Error('generator failed');
  });
  await assert.rejects(writeFileAtomic(target, failing), /generator failed/);
  assert.equal(fs.readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(fs.readdirSync(dir), ['report.html']);
});

test('a target folder that is gone fails without creating anything', async () => {
  const dir = freshDir();
  const gone = path.join(dir, 'gone');
  await assert.rejects(writeFileAtomic(path.join(gone, 'model.onnx'), 'x'), { code: 'ENOENT' });
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('the folder vanishing mid-write leaves no file and no temp', async () => {
  const dir = freshDir();
  const sub = path.join(dir, 'out');
  fs.mkdirSync(sub);
  const vanishing = chunks(['a', 'b'], (i) => {
    if (i === 0) fs.rmSync(sub, { recursive: true, force: true });
  });
  await assert.rejects(writeFileAtomic(path.join(sub, 'model.onnx'), vanishing));
  assert.deepEqual(fs.readdirSync(dir), []);
});

test('an abort before the rename leaves nothing, and an earlier target untouched', async () => {
  const dir = freshDir();
  const target = path.join(dir, 'model.onnx');
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(writeFileAtomic(target, 'x', pre.signal), { name: 'AbortError' });
  assert.deepEqual(fs.readdirSync(dir), []);

  const late = new AbortController();
  await assert.rejects(writeFileAtomic(target, chunks(['a', 'b'], (i) => i === 1 && late.abort()), late.signal), { name: 'AbortError' });
  assert.deepEqual(fs.readdirSync(dir), []);

  fs.writeFileSync(target, 'old');
  const mid = new AbortController();
  await assert.rejects(writeFileAtomic(target, chunks(['a', 'b', 'c'], (i) => i === 0 && mid.abort()), mid.signal), { name: 'AbortError' });
  assert.equal(fs.readFileSync(target, 'utf8'), 'old');
  assert.deepEqual(fs.readdirSync(dir), ['model.onnx']);
});

test('writeFilesAtomic: all files or none', async () => {
  const dir = freshDir();
  const files = (third: string | AsyncIterable<Uint8Array>) => [
    { path: path.join(dir, 'a.svg'), data: '<svg/>' },
    { path: path.join(dir, 'b.svg'), data: '<svg></svg>' },
    { path: path.join(dir, 'report.html'), data: third },
  ];
  await assert.rejects(writeFilesAtomic(files(chunks(['x', 'y'], (i) => { if (i === 0) throw new Error('render failed'); }))), /render failed/);
  assert.deepEqual(fs.readdirSync(dir), []);

  const ac = new AbortController();
  await assert.rejects(writeFilesAtomic(files(chunks(['x'], () => ac.abort())), ac.signal), { name: 'AbortError' });
  assert.deepEqual(fs.readdirSync(dir), []);

  await assert.rejects(writeFilesAtomic([...files('r'), { path: path.join(dir, 'missing', 'c.svg'), data: 'c' }]), { code: 'ENOENT' });
  assert.deepEqual(fs.readdirSync(dir), []);

  await assert.rejects(writeFilesAtomic([{ path: path.join(dir, 'a'), data: '1' }, { path: path.join(dir, '.', 'a'), data: '2' }]), /named twice/);

  await writeFilesAtomic(files('<html></html>'));
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.svg', 'b.svg', 'report.html']);
  assert.equal(fs.readFileSync(path.join(dir, 'report.html'), 'utf8'), '<html></html>');
});
