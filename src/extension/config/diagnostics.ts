// Problems in .vscode/quantlab.json as diagnostics on the file (the Problems
// view and squiggles): what quantlabJson.ts finds in the text, plus dataset
// paths that do not exist. The JSON schema (package.json jsonValidation)
// gives completion, hovers and types; these are the checks it cannot make,
// and unknown keys (with a "did you mean"), said once here rather than twice.
// Kept current while the file is edited (the editor's text) and when it
// changes on disk.
import * as vscode from 'vscode';
import { readConfig, type ConfigProblem, type Span } from './quantlabJson';
import { configText, configUri, folderOfConfig, isConfigFile, resolveDataPath } from './workspaceFile';

const EDIT_DELAY_MS = 250;

export class ConfigDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('quantlab');
  private readonly disposables: vscode.Disposable[] = [this.collection];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Per file: the run whose result may still be shown (a later run makes an earlier one's result stale). */
  private readonly generation = new Map<string, number>();

  constructor() {
    const watcher = vscode.workspace.createFileSystemWatcher('**/.vscode/quantlab.json');
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => void this.check(uri)),
      watcher.onDidChange((uri) => void this.check(uri)),
      watcher.onDidDelete((uri) => {
        this.generation.set(uri.toString(), (this.generation.get(uri.toString()) ?? 0) + 1);
        this.collection.delete(uri);
      }),
      vscode.workspace.onDidChangeTextDocument(({ document }) => {
        if (isConfigFile(document.uri)) this.later(document.uri);
      }),
      // Closing without saving drops the edits: the disk's text counts again.
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (isConfigFile(document.uri)) void this.check(document.uri);
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(({ added }) => added.forEach((f) => void this.check(configUri(f)))),
    );
  }

  /** Checks every workspace folder's file once (after activation; the reads are small and asynchronous). */
  start(): void {
    for (const folder of vscode.workspace.workspaceFolders ?? []) void this.check(configUri(folder));
  }

  /** Checks one file now; resolves when its diagnostics are set. */
  async check(uri: vscode.Uri): Promise<readonly vscode.Diagnostic[]> {
    const key = uri.toString();
    const run = (this.generation.get(key) ?? 0) + 1;
    this.generation.set(key, run);
    const text = await configText(uri, true).catch(() => undefined);
    if (text === undefined) {
      if (this.generation.get(key) === run) this.collection.delete(uri);
      return [];
    }
    const config = readConfig(text);
    const problems = [...config.problems];
    const folder = folderOfConfig(uri).fsPath;
    await Promise.all(
      config.entries.map(async (e) => {
        if (!e.entry.data || !e.dataSpan) return;
        const where = resolveDataPath(e.entry.data, folder);
        const exists = await vscode.workspace.fs.stat(vscode.Uri.file(where)).then(() => true, () => false);
        if (!exists) problems.push({ severity: 'error', message: `"data": '${e.entry.data}' does not exist (looked for ${where}; relative paths start at the workspace folder)`, span: e.dataSpan });
      }),
    );
    const diagnostics = problems.map((p) => diagnostic(text, p));
    if (this.generation.get(key) === run) this.collection.set(uri, diagnostics);
    return diagnostics;
  }

  private later(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      void this.check(uri);
    }, EDIT_DELAY_MS));
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function diagnostic(text: string, p: ConfigProblem): vscode.Diagnostic {
  const d = new vscode.Diagnostic(range(text, p.span), p.message, p.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  d.source = 'QuantLab';
  return d;
}

function range(text: string, span: Span): vscode.Range {
  return new vscode.Range(position(text, span.offset), position(text, span.offset + Math.max(span.length, 0)));
}

function position(text: string, offset: number): vscode.Position {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return new vscode.Position(line, Math.min(offset, text.length) - start);
}
