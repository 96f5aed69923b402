// The summary in a webview (custom-editor-sample's handshake): the webview
// says `ready` when its script has loaded, again after every reload or
// re-show, and each time gets the current summary. No retained context is
// needed for that. SummaryView drives any webview panel: the Inspect Model
// panel below and the model editor (modelEditor.ts).
import * as vscode from 'vscode';
import type { ModelSummary } from '../core/summary/types';
import type { PanelApi, PanelHostApi } from '../protocol/panel';
import { Channel, PeerGoneError } from '../protocol/rpc';
import type { Ctx } from './ctx';
import { webviewHtml, webviewRoots } from './webviewHtml';

export const SUMMARY_WEBVIEW_OPTIONS: vscode.WebviewOptions = { enableScripts: true };

/** Shows one model's summary in `panel` until either is disposed. The panel's owner disposes it. */
export class SummaryView implements vscode.Disposable {
  private readonly channel: Channel<PanelHostApi, PanelApi>;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private disposed = false;

  constructor(
    private readonly ctx: Ctx,
    panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private summary: ModelSummary,
  ) {
    panel.webview.options = { ...SUMMARY_WEBVIEW_OPTIONS, localResourceRoots: webviewRoots(ctx.extensionUri) };
    this.channel = new Channel<PanelHostApi, PanelApi>(
      { post: (message) => void panel.webview.postMessage(message) },
      { requests: {}, notes: { ready: () => this.onReady() } },
      (error) => ctx.output.error(`summary view: ${String(error)}`),
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.channel.receive(message)),
      // Hidden without retained context, the webview is torn down; it says `ready` again when shown.
      panel.onDidChangeViewState(({ webviewPanel }) => {
        if (!webviewPanel.visible) this.ready = false;
      }),
    );
    panel.webview.html = webviewHtml(panel.webview, ctx.extensionUri, {
      script: 'webview.js',
      styles: ['summary.css'],
      loading: 'Loading summary…',
    });
  }

  update(summary: ModelSummary): void {
    this.summary = summary;
    if (this.ready) this.send();
  }

  private onReady(): void {
    // A second `ready` means the webview reloaded: answers to what we sent before will not come.
    this.channel.rejectPending('the summary view reloaded');
    this.ready = true;
    this.send();
  }

  private send(): void {
    const file = this.uri.fsPath;
    this.channel.request('showSummary', { summary: this.summary }).then(
      (report) => {
        this.ctx.recordRendered(file, report);
        this.ctx.output.info(`panel rendered ${report.rows} rows for ${vscode.workspace.asRelativePath(this.uri)}`);
      },
      (error: unknown) => {
        // Reloaded (it will say `ready` and get the summary again) or closed: nothing to show.
        if (error instanceof PeerGoneError) return;
        this.ctx.showError('Showing the summary', error);
      },
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.channel.close('the summary view was closed');
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** QuantLab: Inspect Model's panel, one per model file. */
export class SummaryPanel implements vscode.Disposable {
  /** Opens the file's panel, or updates and reveals the one already open. */
  static show(ctx: Ctx, uri: vscode.Uri, summary: ModelSummary): void {
    const key = uri.toString();
    const open = ctx.panels.get(key);
    if (open) {
      open.view.update(summary);
      open.panel.reveal();
      return;
    }
    ctx.panels.set(key, new SummaryPanel(ctx, uri, summary));
  }

  private readonly panel: vscode.WebviewPanel;
  private readonly view: SummaryView;
  private readonly closed: vscode.Disposable;
  private disposed = false;

  private constructor(
    private readonly ctx: Ctx,
    private readonly uri: vscode.Uri,
    summary: ModelSummary,
  ) {
    const name = uri.path.slice(uri.path.lastIndexOf('/') + 1);
    this.panel = vscode.window.createWebviewPanel('quantlab.summary', `Summary: ${name}`, vscode.ViewColumn.Active, {
      ...SUMMARY_WEBVIEW_OPTIONS,
      localResourceRoots: webviewRoots(ctx.extensionUri),
    });
    this.view = new SummaryView(ctx, this.panel, uri, summary);
    this.closed = this.panel.onDidDispose(() => this.dispose());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.view.dispose();
    this.closed.dispose();
    this.ctx.panels.delete(this.uri.toString());
    this.panel.dispose();
  }
}
