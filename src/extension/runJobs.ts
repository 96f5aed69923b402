// QuantLab: Profile Ranges / Run PTQ / Run QAT from the palette, the sidebar,
// the explorer and the walkthrough: the model's dataset (asked for when none
// is configured), the settings for the rest, one job through the job
// manager, and the result as a summary message plus the full tables in the
// QuantLab output. A caller may pass options over the settings (the suite
// uses small sample counts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProfileOptions, ProfileResult } from '../jobs/profile';
import type { PtqOptions, PtqResult } from '../jobs/ptq';
import type { QatOptions, QatResult } from '../jobs/qat';
import { profileText, ptqText } from '../cli/tables';
import { datasetFor, type DatasetChoice } from './config/dataset';
import { readSettings, type QuantLabSettings } from './config/settings';
import type { Ctx } from './ctx';
import { activeModelFile, pickModelFile } from './modelFiles';

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(2)} %`);

export async function runPtqCommand(ctx: Ctx, target?: unknown, overrides?: unknown): Promise<PtqResult | undefined> {
  const prepared = await prepare(ctx, target, 'Model to quantize (PTQ)');
  if (!prepared) return undefined;
  const { model, dataset, settings } = prepared;
  const options: PtqOptions = {
    model: model.fsPath,
    data: dataset.data,
    transform: dataset.transform,
    calibSamples: settings.calibrationSamples,
    ...(settings.evaluationSamples !== undefined ? { evalSamples: settings.evaluationSamples } : {}),
    calibSplit: 'train',
    evalSplit: dataset.split,
    quant: { bits: settings.bits, scheme: settings.scheme, perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' },
    backend: settings.backend,
    ...(overrides as Partial<PtqOptions> | undefined),
  };
  const r = await ctx.jobs.run({ job: 'ptq', options });
  ctx.output.info(`\n${ptqText(r)}`);
  const name = path.basename(model.fsPath);
  const a = r.accuracy;
  announce(ctx, model, `PTQ of ${name} (${r.config.bits}-bit ${r.config.scheme}) on ${r.evalSamples} ${options.evalSplit} samples: FP32 ${pct(a.fp32)}, fake-quant ${pct(a.fakeQuant)}, integer-only ${pct(a.integerOnly)}.`);
  return r;
}

export async function runProfileCommand(ctx: Ctx, target?: unknown, overrides?: unknown): Promise<ProfileResult | undefined> {
  const prepared = await prepare(ctx, target, 'Model to profile');
  if (!prepared) return undefined;
  const { model, dataset, settings } = prepared;
  const options: ProfileOptions = {
    model: model.fsPath,
    data: dataset.data,
    transform: dataset.transform,
    // The ranges calibration would see.
    split: 'train',
    samples: settings.calibrationSamples,
    backend: settings.backend,
    bits: settings.bits,
    scheme: settings.scheme,
    ...(overrides as Partial<ProfileOptions> | undefined),
  };
  const r = await ctx.jobs.run({ job: 'profile', options });
  ctx.output.info(`\n${profileText(r)}`);
  announce(ctx, model, `Ranges of ${path.basename(model.fsPath)} on ${r.samples} ${r.split} samples: ${r.weights.length} weight tensors, ${r.activations.length} activations.`);
  return r;
}

export async function runQatCommand(ctx: Ctx, target?: unknown, overrides?: unknown): Promise<QatResult | undefined> {
  const prepared = await prepare(ctx, target, 'Model to fine-tune (QAT)');
  if (!prepared) return undefined;
  const { model, dataset, settings } = prepared;
  const qat = vscode.workspace.getConfiguration('quantlab.qat', model);
  const options: QatOptions = {
    model: model.fsPath,
    data: dataset.data,
    transform: dataset.transform,
    backend: settings.backend,
    epochs: qat.get<number>('epochs', 1),
    lr: qat.get<number>('learningRate', 1e-4),
    optimizer: 'adam',
    calibSamples: settings.calibrationSamples,
    ...(settings.evaluationSamples !== undefined ? { evalSamples: settings.evaluationSamples } : {}),
    quant: { bits: settings.bits, scheme: settings.scheme, perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' },
    ...(overrides as Partial<QatOptions> | undefined),
  };
  const r = await ctx.jobs.run({ job: 'qat', options });
  const lines = r.epochs.map((e) => `epoch ${e.epoch}: loss ${e.loss.toPrecision(4)}, train accuracy ${pct(e.accuracy)}, test accuracy ${pct(e.testAccuracy)} (${e.seconds.toFixed(1)} s)`);
  const summary = `FP32 ${pct(r.accuracy.fp32)}, integer-only after PTQ ${pct(r.accuracy.ptq)}, after QAT ${pct(r.accuracy.qat)}`;
  ctx.output.info(`\nQAT of ${vscode.workspace.asRelativePath(model)} (${r.trainSamples} training samples per epoch, ${r.evalSamples} test samples)\n${lines.join('\n')}\n${summary}`);
  announce(ctx, model, `QAT of ${path.basename(model.fsPath)}, ${r.epochs.length} epoch(s) on ${r.evalSamples} test samples: ${summary}.`);
  return r;
}

/** QuantLab: Cancel Job… — the model's job (menus pass its Uri), else a pick among the running ones. */
export async function cancelJobCommand(ctx: Ctx, target?: unknown): Promise<boolean> {
  if (target instanceof vscode.Uri) return ctx.jobs.cancel(target.fsPath);
  const jobs = ctx.jobs.jobs();
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage('QuantLab: no job is running.');
    return false;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((j) => ({ label: `${j.name} ${path.basename(j.model)}`, description: j.state === 'queued' ? 'waiting' : (j.progressText ?? 'starting'), model: j.model })),
    { placeHolder: 'Job to cancel' },
  );
  return picked ? ctx.jobs.cancel(picked.model) : false;
}

async function prepare(ctx: Ctx, target: unknown, question: string): Promise<{ model: vscode.Uri; dataset: DatasetChoice; settings: QuantLabSettings } | undefined> {
  const model = target instanceof vscode.Uri ? target : (activeModelFile() ?? (await pickModelFile(question)));
  if (!model) return undefined;
  if (model.scheme !== 'file') throw new Error(`only files on disk can be run, not ${model.toString()}`);
  const dataset = await datasetFor(ctx, model);
  if (!dataset) return undefined;
  ctx.output.info(`${vscode.workspace.asRelativePath(model)}: dataset ${dataset.data} (${dataset.split}), transform ${dataset.transform}, from ${dataset.from}`);
  return { model, dataset, settings: readSettings(model) };
}

/** The result's one-line summary; the full tables are in the output. Not awaited: the command returns its result now. */
function announce(ctx: Ctx, model: vscode.Uri, text: string): void {
  ctx.lastResult = `QuantLab: ${text}`;
  void vscode.window.showInformationMessage(`QuantLab: ${text}`, 'Show Tables', 'Open Lab').then((choice) => {
    if (choice === 'Show Tables') ctx.output.show(true);
    if (choice === 'Open Lab') void vscode.commands.executeCommand('quantlab.openLab', model);
  });
}
