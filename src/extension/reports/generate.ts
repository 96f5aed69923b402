// QuantLab: Generate Report and QuantLab: Compare Models.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { renderCompare, tableOfContents } from '../../core/report';
import type { ReportOptions } from '../../jobs/report';
import { datasetFor } from '../config/dataset';
import { readSettings } from '../config/settings';
import type { Ctx } from '../ctx';
import { activeModelFile, findModelFiles, pickModelFile } from '../modelFiles';
import { reportJobs } from './runner';

/** What a caller (a test, the walkthrough) may fix instead of being asked. */
export interface GenerateGiven {
  /** The Markdown file to write. */
  out?: string;
  latex?: boolean;
  options?: Partial<ReportOptions>;
}

/** Menus pass the model's Uri. Returns the report's path. */
export async function generateReportCommand(ctx: Ctx, target?: unknown, given?: unknown): Promise<string | undefined> {
  const g = (given ?? {}) as GenerateGiven;
  const model = target instanceof vscode.Uri ? target : (activeModelFile() ?? (await pickModelFile('Model to write the report for')));
  if (!model) return undefined;
  if (model.scheme !== 'file') throw new Error(`only files on disk can be reported on, not ${model.toString()}`);
  const dataset = await datasetFor(ctx, model);
  if (!dataset) return undefined;
  const stem = path.basename(model.fsPath).replace(/\.(onnx|json)$/i, '');
  const out = g.out ?? (await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(path.join(path.dirname(model.fsPath), `${stem}-report.md`)),
    filters: { Markdown: ['md'] },
    saveLabel: 'Write Report',
    title: 'QuantLab: where to write the report (report.json and figures/ go beside it)',
  }))?.fsPath;
  if (!out) return undefined;

  const settings = readSettings(model);
  const options: ReportOptions = {
    model: model.fsPath,
    data: dataset.data,
    transform: dataset.transform,
    calibSamples: settings.calibrationSamples,
    ...(settings.evaluationSamples !== undefined ? { evalSamples: settings.evaluationSamples } : {}),
    evalSplit: dataset.split,
    quant: { bits: settings.bits, scheme: settings.scheme, perChannel: false, weightRange: 'actual', actRange: 'actual', rounding: 'round', requant: 'fixed-point' },
    backend: settings.backend,
    figures: true,
    ...g.options,
  };
  const run = await reportJobs(ctx).report({ ...options, out, latex: g.latex ?? false });
  ctx.output.info(`wrote ${out} (${run.written.length} files) in ${run.seconds['total']} s\n${tableOfContents(run.report)}`);
  ctx.lastResult = `QuantLab: wrote ${vscode.workspace.asRelativePath(out)}`;
  const uri = vscode.Uri.file(out);
  void vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, () => vscode.window.showTextDocument(uri));
  return out;
}

/** Explorer menus pass the clicked file and the selection; the palette asks; `given` (a test) answers the accuracy question. Returns the Markdown shown. */
export async function compareModelsCommand(ctx: Ctx, target?: unknown, selected?: unknown, given?: unknown): Promise<string | undefined> {
  let models = Array.isArray(selected) ? selected.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : target instanceof vscode.Uri ? [target] : [];
  if (models.length < 2) {
    const files = await findModelFiles(1000);
    const items = files.map((uri) => ({ label: path.basename(uri.fsPath), description: vscode.workspace.asRelativePath(uri), uri, picked: models.some((m) => m.fsPath === uri.fsPath) }));
    const picked = await vscode.window.showQuickPick(items.sort((a, b) => a.description.localeCompare(b.description)), { canPickMany: true, placeHolder: 'Models to compare (two or more)' });
    if (!picked) return undefined;
    models = picked.map((p) => p.uri);
  }
  if (models.length < 2) throw new Error('pick two or more models to compare');
  const fixed = (given as { accuracy?: boolean } | undefined)?.accuracy;
  const mode = fixed !== undefined ? { accuracy: fixed } : await vscode.window.showQuickPick([
    { label: 'Structure only', description: 'layers, activations, pooling, parameters, mult-adds', accuracy: false },
    { label: 'Also FP32 accuracy', description: `on the dataset configured for ${path.basename(models[0]!.fsPath)}`, accuracy: true },
  ], { placeHolder: 'Compare with accuracies?' });
  if (!mode) return undefined;
  const dataset = mode.accuracy ? await datasetFor(ctx, models[0]!) : undefined;
  if (mode.accuracy && !dataset) return undefined;
  const settings = readSettings(models[0]);
  const result = await reportJobs(ctx).compare({
    models: models.map((m) => m.fsPath),
    ...(dataset ? { data: dataset.data, transform: dataset.transform, evalSplit: dataset.split } : {}),
    ...(settings.evaluationSamples !== undefined ? { evalSamples: settings.evaluationSamples } : {}),
    backend: settings.backend,
  });
  const content = `# Model comparison\n\n${renderCompare(result)}`;
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc);
  ctx.lastResult = `QuantLab: compared ${models.length} models`;
  return content;
}
