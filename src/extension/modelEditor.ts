// The model editor: opening a .onnx (by default) or a model.json (by "Open
// With…", since JSON must stay editable) shows its summary instead of binary
// noise. Read-only: a CustomReadonlyEditorProvider, so VS Code keeps the text
// and binary editors under "Reopen Editor With…". The summary follows the
// file: a change on disk re-reads it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { inspectModel } from '../core/inspect';
import type { ModelSummary } from '../core/summary/types';
import type { Ctx } from './ctx';
import { SummaryView } from './summaryPanel';

/** For *.onnx, the default editor. */
export const MODEL_EDITOR_VIEW_TYPE = 'quantlab.modelInspector';
/** For model.json, an option only: a custom editor's priority is one per view type, and JSON must stay editable. */
export const TFJS_EDITOR_VIEW_TYPE = 'quantlab.modelInspector.tfjs';

class ModelDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {
    // Nothing held: each editor reads the file itself.
  }
}

export class ModelEditorProvider implements vscode.CustomReadonlyEditorProvider<ModelDocument> {
  static register(ctx: Ctx): vscode.Disposable {
    const provider = new ModelEditorProvider(ctx);
    const options = { supportsMultipleEditorsPerDocument: true };
    return vscode.Disposable.from(
      vscode.window.registerCustomEditorProvider(MODEL_EDITOR_VIEW_TYPE, provider, options),
      vscode.window.registerCustomEditorProvider(TFJS_EDITOR_VIEW_TYPE, provider, options),
    );
  }

  private constructor(private readonly ctx: Ctx) {}

  openCustomDocument(uri: vscode.Uri): ModelDocument {
    return new ModelDocument(uri);
  }

  resolveCustomEditor(document: ModelDocument, panel: vscode.WebviewPanel): void {
    const { uri } = document;
    let view: SummaryView | undefined;
    const show = (): void => {
      const summary = this.read(uri);
      if (!summary) {
        view?.dispose();
        view = undefined;
        showUnreadable(panel);
      } else if (view) view.update(summary);
      else view = new SummaryView(this.ctx, panel, uri, summary);
    };
    show();
    const disposables: vscode.Disposable[] = [];
    if (uri.scheme === 'file') {
      const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(path.dirname(uri.fsPath)), path.basename(uri.fsPath)));
      disposables.push(watcher, watcher.onDidChange(show), watcher.onDidCreate(show));
    }
    disposables.push(
      panel.onDidDispose(() => {
        view?.dispose();
        for (const d of disposables.splice(0)) d.dispose();
      }),
    );
  }

  /** The summary, or undefined after showing why there is none (the message names the file and the problem). */
  private read(uri: vscode.Uri): ModelSummary | undefined {
    try {
      if (uri.scheme !== 'file') throw new Error(`only files on disk can be inspected, not ${uri.toString()}`);
      const started = performance.now();
      const summary = inspectModel(uri.fsPath);
      this.ctx.output.info(`model editor: read ${vscode.workspace.asRelativePath(uri)} in ${Math.round(performance.now() - started)} ms`);
      return summary;
    } catch (error) {
      this.ctx.showError('Opening the model', error);
      return undefined;
    }
  }
}

/** A page without script or data: the error itself went to the notification and the log. */
function showUnreadable(panel: vscode.WebviewPanel): void {
  panel.webview.options = { enableScripts: false };
  panel.webview.html = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="default-src 'none'">
  <title>QuantLab</title>
</head>
<body>
  <p>QuantLab could not read this file as a model: the message names the problem, and the QuantLab output has the details.</p>
  <p>"Reopen Editor With…" opens it in another editor.</p>
</body>
</html>`;
}
