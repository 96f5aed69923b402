// The lab panel for one model file: tabs for its summary, ranges, PTQ and QAT
// (webview/lab/). The webview asks for jobs; this side runs them through the
// injected LabJobs, forwards their progress as notes, keeps finished runs (so
// a reloaded panel shows them again) and shows failures both in the panel
// (the error reply) and as an error message. One job per panel at a time.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelError } from '../../core/errors';
import type { ModelSummary } from '../../core/summary/types';
import { Cancelled, type Progress } from '../../jobs/context';
import type { LabApi, LabDefaults, LabHostApi, LabJobName, LabJobTypes, LabPress, LabReport, LabRun, LabState } from '../../protocol/lab';
import { Channel, PeerGoneError } from '../../protocol/rpc';
import type { Ctx } from '../ctx';
import { webviewHtml, webviewRoots } from '../webviewHtml';
import type { LabJobs } from './jobs';

const TITLES: Record<LabJobName, string> = { profile: 'Profiling', ptq: 'PTQ', qat: 'QAT' };
/** Plain progress (no loss or accuracy in it) reaches the panel at most this often. */
const PROGRESS_MS = 100;

export interface LabRecord {
  file: string;
  report: LabReport;
}

export class LabPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly channel: Channel<LabHostApi, LabApi>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly state: LabState = { ptq: [] };
  private running: LabJobName | undefined;
  private ready: Promise<void>;
  private markReady!: () => void;
  private disposed = false;

  constructor(
    private readonly ctx: Ctx,
    readonly uri: vscode.Uri,
    private summary: ModelSummary,
    private readonly jobs: LabJobs,
    private readonly onReport: (record: LabRecord) => void,
    private readonly onDispose: () => void,
  ) {
    this.ready = new Promise((resolve) => (this.markReady = resolve));
    this.panel = vscode.window.createWebviewPanel('quantlab.lab', `Lab: ${path.basename(uri.fsPath)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: webviewRoots(ctx.extensionUri),
      // A job's live chart and the forms survive switching tabs; finished runs would come back anyway (`show`).
      retainContextWhenHidden: true,
    });
    this.channel = new Channel<LabHostApi, LabApi>(
      { post: (message) => void this.panel.webview.postMessage(message) },
      {
        requests: {
          profile: (options, signal) => this.run('profile', options, signal),
          ptq: (options, signal) => this.run('ptq', options, signal),
          qat: (options, signal) => this.run('qat', options, signal),
        },
        notes: {
          ready: () => this.onReady(),
          rendered: (report) => this.onReport({ file: uri.fsPath, report }),
        },
      },
      (error) => ctx.output.error(`lab panel: ${String(error)}`),
    );
    this.disposables.push(
      this.panel.webview.onDidReceiveMessage((message: unknown) => this.channel.receive(message)),
      this.panel.onDidDispose(() => this.dispose()),
    );
    this.panel.webview.html = webviewHtml(this.panel.webview, ctx.extensionUri, {
      script: 'lab.js',
      styles: ['summary.css', 'lab.css'],
      loading: 'Loading the lab…',
    });
  }

  reveal(summary: ModelSummary): void {
    this.summary = summary;
    this.panel.reveal();
    void this.ready.then(() => this.send());
  }

  /** Test hook: a person's action in the panel, and what the panel shows after it. */
  async press(press: LabPress): Promise<LabReport> {
    await this.ready;
    return this.channel.request('press', press);
  }

  private onReady(): void {
    // A second `ready` means the webview reloaded: its requests (a running job among them) are gone.
    this.channel.rejectPending('the lab panel reloaded');
    this.markReady();
    this.send();
  }

  private send(): void {
    const show = { name: path.basename(this.uri.fsPath), summary: this.summary, defaults: this.defaults(), state: this.state };
    this.channel.request('show', show).then(
      (report) => this.onReport({ file: this.uri.fsPath, report }),
      (error: unknown) => {
        if (!(error instanceof PeerGoneError)) this.ctx.showError('Showing the lab', error);
      },
    );
  }

  private defaults(): LabDefaults {
    const config = vscode.workspace.getConfiguration('quantlab', this.uri);
    const data = config.get<string>('data.path')?.trim() ?? '';
    const transform = config.get<string>('data.transform')?.trim() ?? '';
    if (data && transform) return { data, transform };
    return {
      data,
      transform,
      hint:
        'Set quantlab.data.path and quantlab.data.transform in the settings to fill these in, or type them: ' +
        'data is an IDX folder (MNIST layout), a folder of class folders of images, or an .npz; ' +
        'the transform is torchvision-style, e.g. Pad(2), ToTensor(), Normalize((0.5,), (0.5,)).',
    };
  }

  private async run<J extends LabJobName>(job: J, options: LabJobTypes[J]['options'], signal: AbortSignal): Promise<LabRun<J>> {
    if (this.running) throw new Error(`a ${TITLES[this.running]} job is already running for this model: wait for it to end or cancel it`);
    this.running = job;
    const started = performance.now();
    const file = vscode.workspace.asRelativePath(this.uri);
    this.ctx.output.info(`${TITLES[job]} of ${file} started`);
    try {
      const resolved = { ...options, data: this.resolveData(options.data), model: this.uri.fsPath };
      const result = await this.jobs.run(job, resolved, this.progressSender(job), signal);
      if (signal.aborted) throw new Cancelled();
      const run = { seq: this.nextSeq(job), finished: new Date().toISOString(), options, result: slim(job, result) } as LabRun<J>;
      this.keep(job, run);
      this.ctx.output.info(`${TITLES[job]} of ${file} done in ${Math.round(performance.now() - started)} ms`);
      return run;
    } catch (error) {
      if (error instanceof Cancelled || signal.aborted) {
        this.ctx.output.info(`${TITLES[job]} of ${file} cancelled`);
        throw new Cancelled();
      }
      this.ctx.showError(TITLES[job], error);
      // The panel shows the same words as the notification, without the prefix.
      throw new Error(error instanceof ModelError ? `${vscode.workspace.asRelativePath(error.file)}: ${error.message}` : errorText(error));
    } finally {
      this.running = undefined;
    }
  }

  private progressSender(job: LabJobName): (progress: Progress) => void {
    let last = 0;
    let phase = '';
    return (progress) => {
      const now = performance.now();
      // Loss and accuracy points feed the live chart (the panel throttles its drawing); the rest is a progress bar.
      const due = progress.detail !== undefined || progress.phase !== phase || progress.done >= progress.total || now - last >= PROGRESS_MS;
      if (!due) return;
      last = now;
      phase = progress.phase;
      this.channel.notify('progress', { job, progress });
    };
  }

  private nextSeq(job: LabJobName): number {
    if (job === 'ptq') return (this.state.ptq.at(-1)?.seq ?? 0) + 1;
    return (this.state[job]?.seq ?? 0) + 1;
  }

  private keep<J extends LabJobName>(job: J, run: LabRun<J>): void {
    if (job === 'ptq') this.state.ptq.push(run as LabRun<'ptq'>);
    else if (job === 'profile') this.state.profile = run as LabRun<'profile'>;
    else this.state.qat = run as LabRun<'qat'>;
  }

  /** Relative data paths are relative to the model's workspace folder (else its own folder); `${workspaceFolder}` works too. */
  private resolveData(data: string): string {
    const folder = vscode.workspace.getWorkspaceFolder(this.uri)?.uri.fsPath ?? path.dirname(this.uri.fsPath);
    const expanded = data.trim().replace(/\$\{workspaceFolder\}/g, folder);
    return expanded && !path.isAbsolute(expanded) ? path.join(folder, expanded) : expanded;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.close('the lab panel was closed');
    this.onDispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** Per-channel statistics are not drawn; leaving them out keeps the message (and the kept state) small. */
function slim<J extends LabJobName>(job: J, result: LabJobTypes[J]['result']): LabJobTypes[J]['result'] {
  if (job !== 'profile') return result;
  const r = result as LabJobTypes['profile']['result'];
  const drop = <T extends { perChannel?: unknown }>({ perChannel: _p, ...rest }: T): Omit<T, 'perChannel'> => rest;
  return { ...r, weights: r.weights.map(drop), activations: r.activations.map(drop) } as LabJobTypes[J]['result'];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
