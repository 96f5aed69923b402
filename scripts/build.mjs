// The one build: esbuild bundles the extension host, the CLI and the webview
// into dist/, and (with --tests) the unit tests and the extension-host suite
// into out/. Exits non-zero on any error, so a broken build never looks green.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const watch = process.argv.includes('--watch');
const tests = process.argv.includes('--tests');

const common = { bundle: true, sourcemap: true, logLevel: 'warning', absWorkingDir: root };
const node = { ...common, platform: 'node', target: 'node20', format: 'cjs', mainFields: ['module', 'main'] };

const configs = [
  { ...node, entryPoints: ['src/extension/main.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...node, entryPoints: ['src/worker/main.ts'], outfile: 'dist/worker.js' },
  // The PTQ job's integer-only evaluation thread, started by the job wherever it runs (src/jobs/intworker.ts).
  { ...node, entryPoints: ['src/worker/intsim.ts'], outfile: 'dist/intsim-worker.js' },
  { ...common, platform: 'browser', target: 'es2022', format: 'esm', entryPoints: ['webview/main.ts'], outfile: 'dist/webview.js' },
  { ...common, platform: 'browser', target: 'es2022', format: 'esm', entryPoints: ['webview/lab/main.ts'], outfile: 'dist/lab.js' },
];

if (tests) {
  const unit = fs.readdirSync(path.join(root, 'test/unit')).filter((f) => f.endsWith('.test.ts')).map((f) => `test/unit/${f}`);
  configs.push({ ...node, entryPoints: unit, outdir: 'out/test/unit' });
  configs.push({ ...node, entryPoints: ['test/suite/index.ts'], outfile: 'out/test/suite/index.js', external: ['vscode', 'mocha'] });
}

const existing = configs.filter((c) => (c.entryPoints ?? []).every((e) => fs.existsSync(path.join(root, e))));

// The engine's wasm backend loads its .wasm files from beside the running bundle (src/engine/backend.ts).
const wasmDist = path.join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const dir of ['dist', ...(tests ? ['out/test/unit'] : [])]) {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  for (const f of fs.readdirSync(wasmDist).filter((n) => n.endsWith('.wasm'))) fs.copyFileSync(path.join(wasmDist, f), path.join(root, dir, f));
}

// Watch mode reports each rebuild's start and end, and errors and warnings as
// two lines each, for the background problem matcher in .vscode/tasks.json (F5 waits for
// "finished"). Several bundles rebuild together; count them.
let building = 0;
const watchReport = {
  name: 'watch-report',
  setup(build) {
    build.onStart(() => {
      if (building++ === 0) console.log('[watch] build started');
    });
    build.onEnd(({ errors, warnings }) => {
      const report = (tag, { text, location }) => {
        console.log(`${tag} ${text}`);
        if (location) console.log(`    ${location.file}:${location.line}:${location.column}:`);
      };
      errors.forEach((m) => report('✘ [ERROR]', m));
      warnings.forEach((m) => report('▲ [WARNING]', m));
      if (--building === 0) console.log('[watch] build finished');
    });
  },
};

if (watch) {
  for (const c of existing) {
    const ctx = await esbuild.context({ ...c, logLevel: 'silent', plugins: [watchReport] });
    await ctx.watch();
  }
} else {
  try {
    await Promise.all(existing.map((c) => esbuild.build(c)));
  } catch {
    process.exit(1);
  }
  fs.chmodSync(path.join(root, 'dist/cli.js'), 0o755);
}
