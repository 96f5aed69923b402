// Times `quantlab inspect --json` on ResNet-18 (BatchNorm kept, ~47 MB) and,
// when /usr/bin/python3 has the onnx package, onnx.load + shape inference on
// the same file for comparison. Run by `npm run bench:inspect` after the build.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const cli = path.join(root, 'dist/cli.js');
const gz = path.join(root, 'test/fixtures/onnx/resnet18_bn.onnx.gz');
const PYTHON = '/usr/bin/python3';
const RUNS = 5;

if (!fs.existsSync(cli)) {
  console.error(`bench-inspect: ${path.relative(root, cli)} does not exist; build first (node scripts/build.mjs)`);
  process.exit(1);
}
if (!fs.existsSync(gz)) {
  console.error(`bench-inspect: ${path.relative(root, gz)} is missing (made by test/fixtures/make_fixtures.py)`);
  process.exit(1);
}

/** Runs the command RUNS times with stdout discarded; wall seconds of each run. */
function time(label, cmd, args) {
  const secs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const t1 = process.hrtime.bigint();
    if (r.error || r.status !== 0) {
      const why = r.error ? r.error.message : `exit ${r.status ?? r.signal}`;
      throw new Error(`${label} failed (${why}): ${String(r.stderr ?? '').trim().slice(0, 2000)}`);
    }
    secs.push(Number(t1 - t0) / 1e9);
  }
  const sorted = [...secs].sort((a, b) => a - b);
  return { label, median: sorted[Math.floor(sorted.length / 2)], min: sorted[0] };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-bench-'));
let failed = false;
try {
  const model = path.join(dir, 'resnet18_bn.onnx');
  await pipeline(fs.createReadStream(gz), zlib.createGunzip(), fs.createWriteStream(model));
  const size = fs.statSync(model).size;

  const rows = [time('quantlab inspect --json', process.execPath, [cli, 'inspect', model, '--json'])];

  const hasOnnx = spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
  if (hasOnnx) {
    const py = `import onnx, sys; onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]))`;
    rows.push(time('python onnx.load + infer_shapes', PYTHON, ['-c', py, model]));
    rows.push(time('  of which python start + import onnx', PYTHON, ['-c', 'import onnx']));
  }

  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.arch()}, node ${process.version}`);
  console.log(`model:   resnet18_bn.onnx (ResNet-18, BatchNormalization kept), ${(size / 1e6).toFixed(1)} MB (${size} bytes)`);
  console.log(`runs:    ${RUNS} each, wall seconds\n`);
  const w = Math.max(...rows.map((r) => r.label.length));
  console.log(`${'command'.padEnd(w)}  ${'median'.padStart(8)}  ${'min'.padStart(8)}`);
  console.log(`${'-'.repeat(w)}  ${'-'.repeat(8)}  ${'-'.repeat(8)}`);
  for (const r of rows) {
    console.log(`${r.label.padEnd(w)}  ${r.median.toFixed(3).padStart(8)}  ${r.min.toFixed(3).padStart(8)}`);
  }
  if (!hasOnnx) console.log(`\n(${PYTHON} has no onnx package: Python comparison skipped)`);
} catch (e) {
  console.error(`bench-inspect: ${e instanceof Error ? e.message : String(e)}`);
  failed = true;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
