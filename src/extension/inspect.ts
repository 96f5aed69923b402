// QuantLab: Inspect Model. Runs in the extension host for now; a worker takes
// the job in a later issue, behind the same protocol the panel uses.
import * as vscode from 'vscode';
import { inspectModel } from '../core/inspect';
import type { ModelSummary } from '../core/summary/types';
import type { Ctx } from './ctx';
import { activeModelFile, pickModelFile } from './modelFiles';
import { SummaryPanel } from './summaryPanel';

/** Menus pass the file's Uri; the palette passes nothing. Returns the summary sent to the panel. */
export async function inspectModelCommand(ctx: Ctx, target?: unknown): Promise<ModelSummary | undefined> {
  const uri = target instanceof vscode.Uri ? target : (activeModelFile() ?? (await pickModelFile()));
  if (!uri) return undefined;
  if (uri.scheme !== 'file') throw new Error(`only files on disk can be inspected, not ${uri.toString()}`);

  const started = performance.now();
  const summary = inspectModel(uri.fsPath);
  const ms = Math.round(performance.now() - started);
  ctx.output.info(`inspected ${vscode.workspace.asRelativePath(uri)} in ${ms} ms: ${summary.layers.length} rows, ${summary.totals.params} params`);
  SummaryPanel.show(ctx, uri, summary);
  return summary;
}
