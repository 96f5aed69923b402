import * as vscode from 'vscode';
import type { ModelSummary } from '../../src/core/summary/types';
import type { RenderReport } from '../../src/protocol/panel';

export const EXTENSION_ID = 'quantlab.quantlab';

/** What `quantlab._lastPanelMessage` returns (src/extension/ctx.ts RenderedRecord). */
export interface Rendered {
  seq: number;
  file: string;
  report: RenderReport;
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the suite needs a workspace folder (the runner opens one)');
  return vscode.Uri.joinPath(folder.uri, name);
}

export function inspect(uri: vscode.Uri): Thenable<ModelSummary | undefined> {
  return vscode.commands.executeCommand<ModelSummary | undefined>('quantlab.inspectModel', uri);
}

export function lastRendered(): Thenable<Rendered | undefined> {
  return vscode.commands.executeCommand<Rendered | undefined>('quantlab._lastPanelMessage');
}

export function lastError(): Thenable<string | undefined> {
  return vscode.commands.executeCommand<string | undefined>('quantlab._lastError');
}

/** Waits for a panel render that `wanted` accepts. */
export async function waitForRender(wanted: (r: Rendered) => boolean, timeoutMs = 30_000): Promise<Rendered> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rendered = await lastRendered();
    if (rendered && wanted(rendered)) return rendered;
    if (Date.now() > deadline) throw new Error(`no such render within ${timeoutMs} ms; last: ${JSON.stringify(rendered)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Inspects `uri` and waits until its panel reports a render newer than any before. */
export async function inspectAndRender(uri: vscode.Uri): Promise<{ summary: ModelSummary; rendered: Rendered }> {
  const before = (await lastRendered())?.seq ?? 0;
  const summary = await inspect(uri);
  if (!summary) throw new Error(`Inspect Model returned nothing for ${uri.fsPath}; last error: ${await lastError()}`);
  const rendered = await waitForRender((r) => r.seq > before && r.file === uri.fsPath);
  return { summary, rendered };
}

export function summaryTabs(fileName: string): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.label === `Summary: ${fileName}`);
}
