// Paths and fixture access shared by the unit tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

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
