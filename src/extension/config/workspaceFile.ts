// Where .vscode/quantlab.json is for a model, reading it (the open editor's
// text when there is one, else the file on disk), writing one entry back, and
// resolving a dataset path written in it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_PATH, readConfig, withEntry, type DatasetEntry, type QuantlabConfig } from './quantlabJson';

export function configUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, CONFIG_PATH);
}

export function isConfigFile(uri: vscode.Uri): boolean {
  return uri.scheme === 'file' && uri.path.endsWith(`/${CONFIG_PATH}`);
}

/** The folder a config file configures: the parent of its .vscode folder. */
export function folderOfConfig(uri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(uri, '..', '..');
}

/** An editor's unsaved text of the file, if there is one. */
function unsaved(uri: vscode.Uri): vscode.TextDocument | undefined {
  return vscode.workspace.textDocuments.find((d) => d.isDirty && d.uri.toString() === uri.toString());
}

/**
 * The file's text; undefined when there is no file. `edited`: an editor's unsaved text when there is one (what
 * the diagnostics check while the user types); else, and for jobs, what is saved.
 */
export async function configText(uri: vscode.Uri, edited = false): Promise<string | undefined> {
  const doc = edited ? unsaved(uri) : undefined;
  if (doc) return doc.getText();
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return undefined;
    throw error;
  }
}

export async function readWorkspaceConfig(folder: vscode.WorkspaceFolder): Promise<QuantlabConfig | undefined> {
  const text = await configText(configUri(folder));
  return text === undefined ? undefined : readConfig(text);
}

/** The model's path as config keys name it: relative to its workspace folder, '/'-separated. */
export function configKey(folder: vscode.WorkspaceFolder, model: vscode.Uri): string {
  return path.relative(folder.uri.fsPath, model.fsPath).split(path.sep).join('/');
}

/**
 * Sets `pattern`'s entry. An editor with unsaved changes to the file is edited and saved (its changes are
 * kept), else the file is written (open editors reload it); either way the rest of the text stays as it was.
 */
export async function writeEntry(folder: vscode.WorkspaceFolder, pattern: string, entry: DatasetEntry): Promise<vscode.Uri> {
  const uri = configUri(folder);
  const open = unsaved(uri);
  if (open) {
    const edit = new vscode.WorkspaceEdit();
    const whole = new vscode.Range(open.positionAt(0), open.positionAt(open.getText().length));
    edit.replace(uri, whole, withEntry(open.getText(), pattern, entry));
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`${CONFIG_PATH} could not be edited`);
    await open.save();
    return uri;
  }
  const text = (await configText(uri)) ?? '';
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(withEntry(text, pattern, entry)));
  return uri;
}

/** A dataset path as written (relative to `folder`, `${workspaceFolder}` allowed) made absolute. */
export function resolveDataPath(data: string, folder: string): string {
  const expanded = data.trim().replace(/\$\{workspaceFolder\}/g, folder);
  return path.isAbsolute(expanded) ? path.normalize(expanded) : path.join(folder, expanded);
}
