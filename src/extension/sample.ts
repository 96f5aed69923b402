// QuantLab: Open Sample — the walkthrough's first step. Copies the bundled
// sample (a trained LeNet-5 and a 1,000 + 500 image slice of MNIST, offline)
// into a quantlab-sample folder the user picks, names its dataset in that
// workspace's .vscode/quantlab.json, and opens the model.
//
// Copied rather than opened in place: the extension's folder may be
// read-only and is replaced on update, and the user will want to keep the
// reports and quantized models they make next to it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { configureDataset } from './config/dataset';
import { CONFIG_PATH, withEntry } from './config/quantlabJson';
import type { Ctx } from './ctx';
import { MODEL_EDITOR_VIEW_TYPE } from './modelEditor';

export const SAMPLE_FOLDER = 'quantlab-sample';
export const SAMPLE_MODEL = 'lenet5_trained.onnx';
export const SAMPLE_DATA = 'mnist-small';
/** What samples/lenet5_trained.onnx was trained with (test/fixtures/reference/lenet5_trained.json). */
export const SAMPLE_TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';
const DATA_FILES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'];

/** `target`: the folder to copy into (the suite passes one); else asked. Returns the copied model. */
export async function openSampleCommand(ctx: Ctx, target?: unknown): Promise<vscode.Uri | undefined> {
  const parent = target instanceof vscode.Uri ? target : await askFolder();
  if (!parent) return undefined;
  const dest = vscode.Uri.joinPath(parent, SAMPLE_FOLDER);
  const source = vscode.Uri.joinPath(ctx.extensionUri, 'samples');
  const files: [vscode.Uri, vscode.Uri][] = [
    [vscode.Uri.joinPath(source, SAMPLE_MODEL), vscode.Uri.joinPath(dest, SAMPLE_MODEL)],
    ...DATA_FILES.map((f): [vscode.Uri, vscode.Uri] => [vscode.Uri.joinPath(source, SAMPLE_DATA, f), vscode.Uri.joinPath(dest, SAMPLE_DATA, f)]),
  ];
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(dest, SAMPLE_DATA));
  let copied = 0;
  for (const [from, to] of files) {
    // An earlier copy stays as it is: the user may have changed it.
    if (await exists(to)) continue;
    await vscode.workspace.fs.copy(from, to);
    copied++;
  }
  ctx.output.info(`sample: ${copied} file(s) copied to ${dest.fsPath}`);
  const model = vscode.Uri.joinPath(dest, SAMPLE_MODEL);

  const folder = vscode.workspace.getWorkspaceFolder(model);
  if (folder) {
    const data = path.relative(folder.uri.fsPath, path.join(dest.fsPath, SAMPLE_DATA)).split(path.sep).join('/');
    await configureDataset(ctx, model, { data, split: 'test', transform: SAMPLE_TRANSFORM });
    await vscode.commands.executeCommand('vscode.openWith', model, MODEL_EDITOR_VIEW_TYPE);
    return model;
  }
  // Outside the workspace: the chosen folder becomes one, with the sample configured in it.
  const config = vscode.Uri.joinPath(parent, CONFIG_PATH);
  if (!(await exists(config))) {
    const entry = { data: `${SAMPLE_FOLDER}/${SAMPLE_DATA}`, split: 'test' as const, transform: SAMPLE_TRANSFORM };
    await vscode.workspace.fs.writeFile(config, new TextEncoder().encode(withEntry('', `${SAMPLE_FOLDER}/${SAMPLE_MODEL}`, entry)));
  }
  const open = await vscode.window.showInformationMessage(`QuantLab: the sample is in ${dest.fsPath}. Open that folder to work with it?`, 'Open Folder');
  if (open) await vscode.commands.executeCommand('vscode.openFolder', parent);
  return model;
}

async function askFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const items: (vscode.QuickPickItem & { uri?: vscode.Uri })[] = folders.map((f) => ({
    label: `$(folder) ${f.name}/${SAMPLE_FOLDER}`,
    description: 'copy the sample into this workspace folder',
    uri: f.uri,
  }));
  if (items.length > 0) {
    items.push({ label: '$(folder-opened) Another folder…', description: 'copy it elsewhere and open that folder' });
    const picked = await vscode.window.showQuickPick(items, { title: 'QuantLab sample: LeNet-5 and 1,500 MNIST images (about 480 KB)', placeHolder: 'Where to copy it' });
    if (!picked) return undefined;
    if (picked.uri) return picked.uri;
  }
  const chosen = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Copy the Sample Here', title: 'Folder for the QuantLab sample' });
  return chosen?.[0];
}

function exists(uri: vscode.Uri): Thenable<boolean> {
  return vscode.workspace.fs.stat(uri).then(() => true, () => false);
}
