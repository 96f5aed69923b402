// What every command needs: the extension's folder, its output channel, the
// open panels, and what the test hooks report. One per activation; owns the
// disposables it creates.
import * as vscode from 'vscode';
import { ModelError } from '../core/errors';
import type { RenderReport } from '../protocol/panel';
import type { SummaryPanel } from './summaryPanel';

/** The last summary a panel rendered and acknowledged; read by the extension-host tests. */
export interface RenderedRecord {
  /** Counts renders, so a test can tell a new report from the previous one for the same file. */
  seq: number;
  file: string;
  report: RenderReport;
}

export class Ctx implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  /** Open summary panels by file URI, one per file. */
  readonly panels = new Map<string, SummaryPanel>();
  lastRendered: RenderedRecord | undefined;
  lastError: string | undefined;
  private renders = 0;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('QuantLab', { log: true });
    extension.subscriptions.push(this);
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  recordRendered(file: string, report: RenderReport): void {
    this.lastRendered = { seq: ++this.renders, file, report };
  }

  /** Logs the error and shows it; a ModelError is the user's file, anything else is our fault and gets its stack logged. */
  showError(what: string, error: unknown): void {
    const message =
      error instanceof ModelError
        ? `QuantLab: ${vscode.workspace.asRelativePath(error.file)}: ${error.message}`
        : `QuantLab: ${what} failed: ${error instanceof Error ? error.message : String(error)}`;
    this.output.error(message);
    if (!(error instanceof ModelError) && error instanceof Error && error.stack) this.output.error(error.stack);
    this.lastError = message;
    void vscode.window.showErrorMessage(message, 'Show Log').then((choice) => {
      if (choice) this.output.show(true);
    });
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
    this.panels.clear();
    this.output.dispose();
  }
}
