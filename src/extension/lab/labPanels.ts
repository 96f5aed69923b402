// QuantLab: Open Lab, one lab panel per model file, and the lab's test hooks.
// The jobs behind every panel come from one place (`labPanels` below): the
// job manager's worker (`ctx.jobs.forLab()`, a progress notification per
// job).
import * as vscode from 'vscode';
import { inspectModel } from '../../core/inspect';
import type { LabPress, LabReport } from '../../protocol/lab';
import type { Ctx } from '../ctx';
import { activeModelFile, pickModelFile } from '../modelFiles';
import type { LabJobs } from './jobs';
import { LabPanel, type LabRecord } from './labPanel';

class LabPanels implements vscode.Disposable {
  readonly open = new Map<string, LabPanel>();
  last: (LabRecord & { seq: number }) | undefined;
  private reports = 0;
  /** What every panel runs through; panels already open switch too. */
  private readonly jobs: LabJobs = { run: (...args) => this.impl.run(...args) };

  constructor(
    private readonly ctx: Ctx,
    public impl: LabJobs,
  ) {
    ctx.extension.subscriptions.push(this);
  }

  show(uri: vscode.Uri): void {
    const started = performance.now();
    const summary = inspectModel(uri.fsPath);
    this.ctx.output.info(`lab: inspected ${vscode.workspace.asRelativePath(uri)} in ${Math.round(performance.now() - started)} ms`);
    const key = uri.toString();
    const existing = this.open.get(key);
    if (existing) {
      existing.reveal(summary);
      return;
    }
    const panel = new LabPanel(this.ctx, uri, summary, this.jobs, (r) => this.record(r), () => this.open.delete(key));
    this.open.set(key, panel);
  }

  private record(record: LabRecord): void {
    this.last = { ...record, seq: ++this.reports };
  }

  dispose(): void {
    for (const panel of [...this.open.values()]) panel.dispose();
    this.open.clear();
  }
}

const registries = new WeakMap<Ctx, LabPanels>();

function labPanels(ctx: Ctx): LabPanels {
  let r = registries.get(ctx);
  if (!r) registries.set(ctx, (r = new LabPanels(ctx, ctx.jobs.forLab())));
  return r;
}

/** Menus pass the file's Uri; the palette passes nothing (then the active editor's model, else a pick). */
export async function openLabCommand(ctx: Ctx, target?: unknown): Promise<string | undefined> {
  const uri = target instanceof vscode.Uri ? target : (activeModelFile() ?? (await pickModelFile()));
  if (!uri) return undefined;
  if (uri.scheme !== 'file') throw new Error(`only files on disk can be opened in the lab, not ${uri.toString()}`);
  labPanels(ctx).show(uri);
  return uri.fsPath;
}

/** Test hook `quantlab._labPress(uri, press)`: what the open lab of `uri` shows after `press`. */
export function labPressCommand(ctx: Ctx, target?: unknown, press?: unknown): Promise<LabReport> {
  if (!(target instanceof vscode.Uri)) throw new Error('quantlab._labPress wants the model Uri first');
  const panel = labPanels(ctx).open.get(target.toString());
  if (!panel) throw new Error(`no lab is open for ${target.fsPath}`);
  return panel.press(press as LabPress);
}

/** Test hook `quantlab._lastLabReport`: the last report any lab sent, with a sequence number and its file. */
export function lastLabReportCommand(ctx: Ctx): (LabRecord & { seq: number }) | undefined {
  return labPanels(ctx).last;
}
