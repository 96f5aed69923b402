// The lab panel in a real VS Code: opened on the workspace's trained LeNet-5
// with the MNIST slice and data settings that test/vscode/workspace.mjs puts
// there, driven through the panel's own DOM and message path
// (`quantlab._labPress` clicks and types as a person would), checked by what
// the panel reads back from its DOM.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { LabPress, LabReport } from '../../src/protocol/lab';
import { lastError, workspaceFile } from './helpers';

const LENET = 'lenet5_trained.onnx';
const MARKUP_CONV = '<img src=x>'; // replaces '/conv1/Conv', byte for byte
const MARKUP_FC = '<b>fc1</b>/'; // replaces '/fc1/MatMul'
const OVERLAYS = ['actual', '3sigma', 'clip', 'grid'];
/** LeNet-5's profile: 13 tensors written by nodes (the input among them) and 5 weights. */
const HISTOGRAMS = 13 + 5;

interface LabRecord {
  seq: number;
  file: string;
  report: LabReport;
}

function lastLabReport(): Thenable<LabRecord | undefined> {
  return vscode.commands.executeCommand<LabRecord | undefined>('quantlab._lastLabReport');
}

async function waitForLab(wanted: (r: LabRecord) => boolean, timeoutMs = 30_000): Promise<LabRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await lastLabReport();
    if (r && wanted(r)) return r;
    if (Date.now() > deadline) throw new Error(`no such lab report within ${timeoutMs} ms; last: ${JSON.stringify(r)?.slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openLab(uri: vscode.Uri): Promise<LabReport> {
  const before = (await lastLabReport())?.seq ?? 0;
  const opened = await vscode.commands.executeCommand<string | undefined>('quantlab.openLab', uri);
  assert.equal(opened, uri.fsPath, `Open Lab failed: ${await lastError()}`);
  return (await waitForLab((r) => r.seq > before && r.file === uri.fsPath && r.report.summary !== undefined)).report;
}

async function press(uri: vscode.Uri, control: LabPress['control'], fields?: LabPress['fields'], noWait = false): Promise<LabReport> {
  const report = await vscode.commands.executeCommand<LabReport | undefined>('quantlab._labPress', uri, { control, ...(fields ? { fields } : {}), noWait });
  if (!report) throw new Error(`pressing ${control} gave no report; last error: ${await lastError()}`);
  return report;
}

function labTabs(name: string): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label === `Lab: ${name}`);
}

const PERCENT = /^\d{1,3}\.\d\d %$/;

suite('Lab panel', () => {
  const uri = workspaceFile(LENET);

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('opens on the summary, with the data fields filled in from the settings', async () => {
    const report = await openLab(uri);
    assert.equal(report.tab, 'summary');
    assert.ok(report.summary!.names.some((n) => n.includes('(conv1)')), `rows: ${JSON.stringify(report.summary!.names)}`);
    assert.ok(report.summary!.totals.includes('Total params: 61,470'));
    assert.deepEqual(report.defaults, { data: 'mnist', transform: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', hint: '' });
    assert.equal(report.unexpectedElements, 0, JSON.stringify(report.strays));
    assert.equal(labTabs(LENET).length, 1);
    // Opening it again reveals the same panel.
    await openLab(uri);
    assert.equal(labTabs(LENET).length, 1);
  });

  test('the tabs switch by name', async () => {
    for (const tab of ['ranges', 'ptq', 'qat', 'summary'] as const) assert.equal((await press(uri, `tab:${tab}`)).tab, tab);
  });

  test('Profile draws every layer: a histogram of its weights and of its output, each with all overlays', async () => {
    const report = await press(uri, 'profile', { samples: '200' });
    assert.equal(report.error, undefined);
    assert.match(report.status, /^Done in/);
    const ranges = report.ranges!;
    assert.equal(ranges.histograms.length, HISTOGRAMS);
    assert.equal(ranges.histograms.filter((h) => h.kind === 'weights').length, 5);
    assert.equal(ranges.tableRows, HISTOGRAMS);
    for (const h of ranges.histograms) {
      assert.deepEqual(h.overlays, OVERLAYS, `${h.layer} ${h.kind}`);
      assert.ok(h.bars > 10, `${h.layer} ${h.kind}: ${h.bars} bars`);
      assert.match(h.clipped, /^clipped \d+\.\d+ %$/);
    }
    assert.ok(ranges.histograms.some((h) => h.layer === '/conv1/Conv' && h.kind === 'weights'));
  });

  test('the clip method redraws: min/max clips nothing, 3σ clips the tails', async () => {
    const actual = (await press(uri, 'method', { method: 'actual' })).ranges!;
    assert.equal(actual.method, 'actual');
    for (const h of actual.histograms) assert.equal(h.clipped, 'clipped 0.00 %', `${h.layer} ${h.kind}`);
    const sigma = (await press(uri, 'method', { method: '3sigma' })).ranges!;
    assert.equal(sigma.method, '3sigma');
    assert.ok(sigma.histograms.some((h) => h.clipped !== 'clipped 0.00 %'), JSON.stringify(sigma.histograms.map((h) => h.clipped)));
    assert.ok(sigma.histograms.every((h) => h.overlays.length === OVERLAYS.length));
  });

  test('PTQ (calibration 100, evaluation 200) fills the accuracy table and one row per layer, worst SQNR first', async () => {
    const report = await press(uri, 'ptq', { calibSamples: '100', evalSamples: '200' });
    assert.equal(report.error, undefined, report.error);
    const ptq = report.ptq!;
    assert.equal(ptq.runs, 1);
    assert.equal(ptq.accuracy.length, 4);
    for (const cell of ptq.accuracy) assert.match(cell, PERCENT);
    assert.equal(ptq.layerRows, 5);
    const sqnr = ptq.sqnr.map(Number);
    assert.ok(sqnr.every(Number.isFinite), `SQNR cells: ${JSON.stringify(ptq.sqnr)}`);
    assert.deepEqual(sqnr, [...sqnr].sort((a, b) => a - b), 'worst SQNR first');
    assert.equal(report.unexpectedElements, 0, JSON.stringify(report.strays));
  });

  test('a second run with other settings is listed beside the first', async () => {
    const report = await press(uri, 'ptq', { bits: '4', perChannel: true, actRange: 'percentile', actP: '99.9' });
    const ptq = report.ptq!;
    assert.equal(ptq.runs, 2);
    for (const cell of ptq.accuracy) assert.match(cell, PERCENT);
    assert.equal(ptq.layerRows, 5);
  });

  test('values a job would refuse are marked in the form and nothing runs', async () => {
    const report = await press(uri, 'ptq', { bits: '17' });
    assert.equal(report.status, 'Check the fields marked above.');
    assert.equal(report.ptq!.runs, 2);
    await press(uri, 'ptq', { bits: '8', perChannel: false, actRange: 'actual', data: 'no-such-folder' }).then((r) => {
      assert.equal(r.ptq!.runs, 2);
      assert.match(r.error ?? '', /no-such-folder/);
    });
    assert.match((await lastError()) ?? '', /^QuantLab: .*no-such-folder/);
    const fixed = await press(uri, 'ptq', { data: 'mnist' });
    assert.equal(fixed.error, undefined, JSON.stringify({ status: fixed.status, defaults: fixed.defaults }));
    assert.equal(fixed.ptq!.runs, 3);
  });

  test('QAT draws its loss and accuracy as it trains, then the accuracy table and one row per epoch', async () => {
    const report = await press(uri, 'qat', { epochs: '2', trainSamples: '200', evalSamples: '200', batch: '50' });
    assert.equal(report.error, undefined, report.error);
    const qat = report.qat!;
    assert.equal(qat.state, 'done');
    assert.ok(qat.points >= 2 * (200 / 50), `chart points: ${qat.points}`);
    assert.equal(qat.accuracy.length, 3);
    for (const cell of qat.accuracy) assert.match(cell, PERCENT);
    assert.equal(qat.epochRows, 2);
  });

  test('a reloaded lab shows the profile and the runs it had', async () => {
    await press(uri, 'tab:summary');
    const before = (await lastLabReport())!.seq;
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    const { report } = await waitForLab((r) => r.seq > before && r.file === uri.fsPath && r.report.summary !== undefined);
    assert.equal(report.ptq?.runs, 3);
    assert.equal(report.ranges?.histograms.length, HISTOGRAMS);
    assert.equal(report.qat?.epochRows, 2);
  });

  test('Cancel stops a running job at once and the panel says so', async () => {
    await press(uri, 'qat', { epochs: '5', trainSamples: '200', evalSamples: '200', batch: '10' }, true);
    const t0 = Date.now();
    const report = await press(uri, 'cancel');
    assert.equal(report.qat!.state, 'cancelled');
    assert.equal(report.status, 'Cancelled');
    assert.equal(report.error, undefined);
    assert.ok(Date.now() - t0 < 1000, `Cancel took ${Date.now() - t0} ms`);
    // The next job is accepted.
    const next = await press(uri, 'ptq', { calibSamples: '100', evalSamples: '100' });
    assert.equal(next.error, undefined, next.error);
  });

  test('markup in layer names is text in the summary, the histograms and the PTQ table', async () => {
    const bytes = Buffer.from(await vscode.workspace.fs.readFile(uri));
    for (const [from, to] of [['/conv1/Conv', MARKUP_CONV], ['/fc1/MatMul', MARKUP_FC]]) {
      const a = Buffer.from(from!);
      for (let i = bytes.indexOf(a); i >= 0; i = bytes.indexOf(a, i + 1)) Buffer.from(to!).copy(bytes, i);
    }
    const file = workspaceFile('markup_lenet5.onnx');
    await vscode.workspace.fs.writeFile(file, bytes);

    const opened = await openLab(file);
    assert.ok(opened.summary!.names.some((n) => n.includes(MARKUP_CONV)), JSON.stringify(opened.summary!.names));
    assert.equal(opened.unexpectedElements, 0, JSON.stringify(opened.strays));

    const profiled = await press(file, 'profile', { samples: '100' });
    const layers = profiled.ranges!.histograms.map((h) => h.layer);
    assert.ok(layers.includes(MARKUP_CONV) && layers.includes(MARKUP_FC), JSON.stringify(layers));
    assert.equal(profiled.unexpectedElements, 0, JSON.stringify(profiled.strays));

    const quantized = await press(file, 'ptq', { calibSamples: '100', evalSamples: '100' });
    assert.ok(quantized.ptq!.layerNames.includes(MARKUP_CONV) && quantized.ptq!.layerNames.includes(MARKUP_FC), JSON.stringify(quantized.ptq!.layerNames));
    assert.equal(quantized.unexpectedElements, 0, `no element was created from the file: ${JSON.stringify(quantized.strays)}`);
  });
});
