// What every command needs: the extension's folder, its output channel, the
// job manager, the open panels, and what the test hooks report. One per
// activation; owns the disposables it creates.
import * as vscode from 'vscode';
import { ModelError } from '../core/errors';
import { Cancelled } from '../jobs/context';
import type { RenderReport } from '../protocol/panel';
import { JobBusyError, JobManager } from './jobs';
import type { ModelTree } from './sidebar/modelTree';
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
  /** Every long action runs here; its worker starts with the first job. */
  readonly jobs: JobManager;
  /** Open summary panels by file URI, one per file. */
  readonly panels = new Map<string, SummaryPanel>();
  lastRendered: RenderedRecord | undefined;
  lastError: string | undefined;
  /** The last job result's summary message. */
  lastResult: string | undefined;
  /** The sidebar's Models view, once registered. */
  modelTree: ModelTree | undefined;
  private renders = 0;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('QuantLab', { log: true });
    this.jobs = new JobManager(this.output);
    extension.subscriptions.push(this);
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  recordRendered(file: string, report: RenderReport): void {
    this.lastRendered = { seq: ++this.renders, file, report };
  }

  /**
   * Logs the error and shows it; a ModelError is the user's file, anything else is our fault and gets its stack
   * logged. A cancelled job is no error (the job manager logged it); a job refused because the model has one
   * running is a warning.
   */
  showError(what: string, error: unknown): void {
    if (error instanceof Cancelled) return;
    if (error instanceof JobBusyError) {
      this.lastError = `QuantLab: ${error.message}`;
      this.output.warn(this.lastError);
      void vscode.window.showWarningMessage(this.lastError);
      return;
    }
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
    this.jobs.dispose();
    this.output.dispose();
  }
}
