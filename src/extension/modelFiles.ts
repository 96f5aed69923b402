// Which files are models: the format registry's globs, matched against a
// file's name (explorer and editor) or searched for in the workspace (palette).
import * as vscode from 'vscode';
import { FORMATS } from '../core/formats/registry';

const GLOBS = FORMATS.flatMap((f) => f.globs);
const PATTERNS = GLOBS.map(globToRegExp);

/** Whether one of the registry's globs claims this file. */
export function isModelFile(uri: vscode.Uri): boolean {
  return PATTERNS.some((p) => p.test(uri.path));
}

// Just the glob syntax the registry uses (`**/*.onnx`, `model.json`): `**/`,
// `*` and `?`. Anchored at a path separator, so `*.onnx` matches a file name.
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (glob[i] === '*') re += '[^/]*';
    else if (glob[i] === '?') re += '[^/]';
    else re += glob[i]!.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`(?:^|/)${re}$`, 'i');
}

/** The model file in the active editor tab, if that is one (a binary .onnx opens in no text editor). */
export function activeModelFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri =
    vscode.window.activeTextEditor?.document.uri ??
    (input instanceof vscode.TabInputText || input instanceof vscode.TabInputCustom ? input.uri : undefined);
  return uri && isModelFile(uri) ? uri : undefined;
}

/** Every registry glob as one workspace glob: for findFiles and file system watchers. */
export const MODEL_FILES_GLOB = `{${GLOBS.map((g) => (g.includes('/') || g.startsWith('**') ? g : `**/${g}`)).join(',')}}`;
const EXCLUDED = '**/{node_modules,.git}/**';

/** Whether a watcher's event is about a file findModelFiles would skip. */
export function isExcludedPath(uri: vscode.Uri): boolean {
  return /\/(?:node_modules|\.git)\//.test(uri.path);
}

/** The workspace's model files, or those under `folder` (not under node_modules or .git). */
export function findModelFiles(limit = 5000, folder?: vscode.Uri): Thenable<vscode.Uri[]> {
  return vscode.workspace.findFiles(folder ? new vscode.RelativePattern(folder, MODEL_FILES_GLOB) : MODEL_FILES_GLOB, EXCLUDED, limit);
}

/** Asks which of the workspace's model files to use; undefined when there are none or the user cancels. */
export async function pickModelFile(placeHolder = 'Model file to inspect'): Promise<vscode.Uri | undefined> {
  const files = await findModelFiles(1000);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(`QuantLab: no model files (${GLOBS.join(', ')}) in this workspace.`);
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: uri.path.slice(uri.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(uri), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.uri;
}
