// Which dataset a model's job uses, and QuantLab: Configure Dataset for
// Model…, which asks for one (model, dataset, split, transform) and saves the
// answer in .vscode/quantlab.json. A job takes the model's entry in that
// file, else the quantlab.data.* settings, and asks for what neither gives.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelError } from '../../core/errors';
import type { Ctx } from '../ctx';
import { activeModelFile, pickModelFile } from '../modelFiles';
import { readSettings } from './settings';
import { CONFIG_PATH, entryFor, SPLITS, transformProblem, type DataSplit, type DatasetEntry } from './quantlabJson';
import { configKey, configUri, readWorkspaceConfig, resolveDataPath, writeEntry } from './workspaceFile';

export interface DatasetChoice {
  /** Absolute. */
  data: string;
  transform: string;
  /** The split accuracies are measured on; calibration and training use train. */
  split: DataSplit;
  /** Where the choice came from, for the log. */
  from: string;
}

/** The dataset for `model`'s job; asks (and saves the answer) when nothing is configured. Undefined when the user cancels. */
export async function datasetFor(ctx: Ctx, model: vscode.Uri): Promise<DatasetChoice | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(model);
  const settings = readSettings(model);
  let entry: DatasetEntry = {};
  let from = 'settings';
  if (folder) {
    const config = await readWorkspaceConfig(folder);
    const found = config && entryFor(config, configKey(folder, model));
    if (found) {
      const error = found.problems.find((p) => p.severity === 'error');
      if (error) throw new ModelError(configUri(folder).fsPath, `'${found.pattern}': ${error.message}`);
      entry = found.entry;
      from = `${CONFIG_PATH} ('${found.pattern}')`;
    }
  }
  const data = entry.data ?? settings.dataPath;
  const transform = entry.transform ?? settings.dataTransform;
  if (!data || !transform) {
    ctx.output.info(`no dataset configured for ${vscode.workspace.asRelativePath(model)}: asking`);
    return configureDataset(ctx, model, {}, { ...entry, ...(data ? { data } : {}), ...(transform ? { transform } : {}) });
  }
  const base = folder?.uri.fsPath ?? path.dirname(model.fsPath);
  const absolute = resolveDataPath(data, base);
  if (!fs.existsSync(absolute)) {
    const where = entry.data ? configUri(folder!).fsPath : 'the quantlab.data.path setting';
    throw new ModelError(where, `the dataset '${data}' does not exist (looked for ${absolute})`);
  }
  return { data: absolute, transform, split: entry.split ?? 'test', from };
}

/** What a caller (the walkthrough's sample, a test) already knows; the command asks only for the rest. */
export interface ConfigureGiven extends DatasetEntry {
  /** The key to save under; default the model's path relative to its workspace folder. */
  pattern?: string;
}

/** QuantLab: Configure Dataset for Model… — menus pass the model's Uri; `given` skips those questions. */
export async function configureDatasetCommand(ctx: Ctx, target?: unknown, given?: unknown): Promise<DatasetChoice | undefined> {
  const model = target instanceof vscode.Uri ? target : (activeModelFile() ?? (await pickModelFile('Model to configure a dataset for')));
  if (!model) return undefined;
  return configureDataset(ctx, model, (given ?? {}) as ConfigureGiven);
}

export async function configureDataset(ctx: Ctx, model: vscode.Uri, given: ConfigureGiven, prefill: DatasetEntry = {}): Promise<DatasetChoice | undefined> {
  const folder = vscode.workspace.getWorkspaceFolder(model);
  if (!folder) throw new ModelError(model.fsPath, `is not inside a workspace folder: open its folder to keep its dataset in ${CONFIG_PATH}, or set quantlab.data.path and quantlab.data.transform`);
  const key = configKey(folder, model);
  const config = await readWorkspaceConfig(folder);
  const current: DatasetEntry = { ...(config && entryFor(config, key)?.entry), ...prefill };
  const name = path.basename(model.fsPath);

  const data = given.data ?? (await askData(folder, name, current.data));
  if (data === undefined) return undefined;
  const split = given.split ?? (await askSplit(name, current.split));
  if (split === undefined) return undefined;
  const transform = given.transform ?? (await askTransform(name, current.transform));
  if (transform === undefined) return undefined;
  const problem = transformProblem(transform);
  if (problem) throw new ModelError(model.fsPath, `the transform '${transform}' cannot be used: ${problem}`);

  const pattern = given.pattern ?? key;
  const uri = await writeEntry(folder, pattern, { data, split, transform });
  ctx.output.info(`${CONFIG_PATH}: '${pattern}' uses ${data} (${split} split), transform ${transform}`);
  void vscode.window.showInformationMessage(`QuantLab: ${name} uses ${data} (${split} split); saved in ${CONFIG_PATH}.`, 'Open File').then((choice) => {
    if (choice) void vscode.window.showTextDocument(uri);
  });
  return { data: resolveDataPath(data, folder.uri.fsPath), transform, split, from: `${CONFIG_PATH} ('${pattern}')` };
}

interface PathItem extends vscode.QuickPickItem {
  value?: string;
  browse?: true;
}

async function askData(folder: vscode.WorkspaceFolder, name: string, current: string | undefined): Promise<string | undefined> {
  const relative = (p: string): string => {
    const r = path.relative(folder.uri.fsPath, p);
    return r.startsWith('..') || path.isAbsolute(r) ? p : r.split(path.sep).join('/');
  };
  // Datasets the workspace visibly holds: folders of IDX files, .npz archives.
  const found = await vscode.workspace.findFiles('{**/*-images-idx3-ubyte,**/*-images-idx3-ubyte.gz,**/*.npz}', '**/{node_modules,.git}/**', 50);
  const candidates = new Map<string, string>();
  if (current) candidates.set(current, 'configured now');
  for (const uri of found) {
    const p = uri.path.endsWith('.npz') ? uri.fsPath : path.dirname(uri.fsPath);
    const r = relative(p);
    if (!candidates.has(r)) candidates.set(r, uri.path.endsWith('.npz') ? 'NumPy archive' : 'IDX folder (MNIST layout)');
  }
  const items: PathItem[] = [...candidates].map(([value, description]) => ({ label: `$(database) ${value}`, description, value }));
  items.push({ label: '$(folder-opened) Browse…', description: 'an IDX folder, a folder of class folders of images, or an .npz', browse: true });
  const picked = await vscode.window.showQuickPick(items, { title: `Dataset for ${name} (1/3)`, placeHolder: 'The dataset to calibrate and evaluate on', ignoreFocusOut: true });
  if (!picked) return undefined;
  if (!picked.browse) return picked.value;
  const chosen = await vscode.window.showOpenDialog({
    title: `Dataset for ${name}`,
    defaultUri: folder.uri,
    canSelectFolders: true,
    canSelectFiles: true,
    canSelectMany: false,
    openLabel: 'Use as Dataset',
  });
  return chosen?.[0] ? relative(chosen[0].fsPath) : undefined;
}

async function askSplit(name: string, current: DataSplit | undefined): Promise<DataSplit | undefined> {
  const items = SPLITS.map((split) => ({
    label: split,
    description: split === 'test' ? 'measure accuracy on the test split (calibration and training use train)' : 'measure accuracy on the training split',
    picked: split === (current ?? 'test'),
  }));
  items.sort((a, b) => Number(b.picked) - Number(a.picked));
  const picked = await vscode.window.showQuickPick(items, { title: `Dataset for ${name} (2/3)`, placeHolder: 'The split accuracies are measured on', ignoreFocusOut: true });
  return picked?.label;
}

const COMMON_TRANSFORMS: [string, string][] = [
  ['Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', 'LeNet-5 on 28×28 MNIST: padded to 32×32, values in [-1, 1] (the bundled sample)'],
  ['ToTensor(), Normalize((0.1307,), (0.3081,))', 'MNIST mean and std'],
  ['ToTensor()', 'pixels ÷ 255, values in [0, 1]'],
  ['Resize(32), ToTensor(), Normalize((0.5,), (0.5,))', 'resized to 32×32, values in [-1, 1]'],
  ['none', 'raw values as stored (0..255 for 8-bit images)'],
];

async function askTransform(name: string, current: string | undefined): Promise<string | undefined> {
  const items: (vscode.QuickPickItem & { custom?: true })[] = COMMON_TRANSFORMS.map(([label, description]) => ({ label, description }));
  if (current && !COMMON_TRANSFORMS.some(([t]) => t === current)) items.unshift({ label: current, description: 'configured now' });
  items.push({ label: '$(edit) Other…', description: 'type the pipeline the model was trained with', custom: true });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Dataset for ${name} (3/3)`,
    placeHolder: 'The transform the model was trained with (torchvision style)',
    ignoreFocusOut: true,
  });
  if (!picked) return undefined;
  if (!picked.custom) return picked.label;
  return vscode.window.showInputBox({
    title: `Transform for ${name}`,
    prompt: 'torchvision-style steps: Pad, Resize, CenterCrop, Grayscale, ToTensor, Normalize; or none',
    value: current ?? 'ToTensor()',
    ignoreFocusOut: true,
    validateInput: (text) => transformProblem(text),
  });
}
