// The sidebar's Models view: every model file of the workspace (the format
// registry's globs), kept current by a file system watcher, each expandable
// to its layers and totals. A model item is the file's Uri itself, so the
// commands in its context menu get a Uri, as they do from the explorer. The
// summary is computed when a model is first expanded and kept until the
// file's mtime or size changes; the file list is searched when the view is
// first shown, not at activation.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ModelError } from '../../core/errors';
import { inspectModel } from '../../core/inspect';
import type { Ctx } from '../ctx';
import type { JobManager } from '../jobs';
import { findModelFiles, isExcludedPath, isModelFile, MODEL_FILES_GLOB } from '../modelFiles';
import { detailNodes, errorNode, type DetailNode } from './detailNodes';

export type ModelNode = vscode.Uri | DetailNode;

/** TreeItem.contextValue of a model file: package.json's view/item/context menus test it. */
export const MODEL_CONTEXT = 'quantlab.model';

interface Cached {
  mtime: number;
  size: number;
  nodes: DetailNode[];
}

export class ModelTree implements vscode.TreeDataProvider<ModelNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** By URI string; the same Uri object for a file every time, as a tree element must be. */
  private roots: Map<string, vscode.Uri> | undefined;
  private listing: Promise<Map<string, vscode.Uri>> | undefined;
  private readonly cache = new Map<string, Cached>();
  private readonly disposables: vscode.Disposable[] = [this.changed];

  constructor(
    private readonly ctx: Ctx,
    private readonly jobs: JobManager,
  ) {
    // A running job shows on its model's item.
    this.disposables.push(jobs.onDidChange((model) => this.refreshModel(vscode.Uri.file(model))));
  }

  async getChildren(element?: ModelNode): Promise<ModelNode[]> {
    if (!element) return [...(await this.listRoots()).values()].sort((a, b) => relative(a).localeCompare(relative(b)));
    if (element instanceof vscode.Uri) return this.details(element);
    return element.children ?? [];
  }

  getParent(element: ModelNode): ModelNode | undefined {
    if (element instanceof vscode.Uri) return undefined;
    return element.parent ?? this.roots?.get(element.model);
  }

  getTreeItem(element: ModelNode): vscode.TreeItem {
    if (element instanceof vscode.Uri) return this.modelItem(element);
    const item = new vscode.TreeItem(element.label, element.children?.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = element.id;
    item.contextValue = `quantlab.${element.kind}`;
    if (element.description) item.description = element.description;
    if (element.tooltip) item.tooltip = element.tooltip;
    item.iconPath = new vscode.ThemeIcon(ICONS[element.kind], element.kind === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    if (element.problem) item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground'));
    return item;
  }

  /** The tree's element for a model file, once the list has been searched and holds it (reveal needs the same object). */
  async modelNode(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
    return (await this.listRoots()).get(uri.toString());
  }

  /** Searches the workspace again (the view's Refresh). */
  refresh(): void {
    this.roots = undefined;
    this.listing = undefined;
    this.cache.clear();
    this.changed.fire(undefined);
  }

  private modelItem(uri: vscode.Uri): vscode.TreeItem {
    const item = new vscode.TreeItem(uri, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = uri.toString();
    item.label = path.basename(uri.fsPath);
    const dir = path.posix.dirname(relative(uri));
    if (dir !== '.') item.description = dir;
    const job = this.jobs.jobFor(uri.fsPath);
    if (job) {
      item.description = `${job.name} ${job.state === 'queued' ? 'waiting' : job.progressText ?? 'starting'}`;
      item.iconPath = new vscode.ThemeIcon('sync~spin');
    }
    item.tooltip = relative(uri);
    item.contextValue = MODEL_CONTEXT;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  private listRoots(): Promise<Map<string, vscode.Uri>> {
    if (this.roots) return Promise.resolve(this.roots);
    this.listing ??= this.search();
    return this.listing;
  }

  private async search(): Promise<Map<string, vscode.Uri>> {
    this.watch();
    const found = await findModelFiles();
    const roots = new Map(found.map((uri) => [uri.toString(), uri] as const));
    // Events that came while searching already changed `this.roots`' predecessor; merge nothing, the search saw the disk.
    this.roots = roots;
    return roots;
  }

  private watching = false;
  private readonly created = new Set<string>();
  private createdTimer: NodeJS.Timeout | undefined;

  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const models = vscode.workspace.createFileSystemWatcher(MODEL_FILES_GLOB);
    // A folder copied, moved or deleted in one piece comes as one event for the folder, which no model glob matches.
    const folders = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      models,
      models.onDidCreate((uri) => this.added(uri)),
      models.onDidDelete((uri) => this.deleted(uri)),
      models.onDidChange((uri) => this.refreshModel(uri, true)),
      folders,
      folders.onDidCreate((uri) => this.maybeFolder(uri)),
      folders.onDidDelete((uri) => this.deleted(uri)),
      { dispose: () => clearTimeout(this.createdTimer) },
    );
  }

  /** Collects created paths that may be folders; a moment later, searches the folders among them. */
  private maybeFolder(uri: vscode.Uri): void {
    if (!this.roots || isExcludedPath(uri) || isModelFile(uri)) return;
    this.created.add(uri.toString());
    clearTimeout(this.createdTimer);
    this.createdTimer = setTimeout(() => void this.searchCreated(), 200);
  }

  private async searchCreated(): Promise<void> {
    const paths = [...this.created].map((u) => vscode.Uri.parse(u));
    this.created.clear();
    for (const uri of paths) {
      const stat = await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined);
      if (!stat || !(stat.type & vscode.FileType.Directory)) continue;
      for (const model of await findModelFiles(1000, uri)) this.added(model);
    }
  }

  private added(uri: vscode.Uri): void {
    if (!this.roots || isExcludedPath(uri) || !isModelFile(uri) || this.roots.has(uri.toString())) return;
    this.roots.set(uri.toString(), uri);
    this.changed.fire(undefined);
  }

  private deleted(uri: vscode.Uri): void {
    const key = uri.toString();
    this.cache.delete(key);
    if (!this.roots) return;
    // A deleted folder comes as one event for the folder.
    const gone = [...this.roots.keys()].filter((k) => k === key || k.startsWith(`${key}/`));
    if (gone.length === 0) return;
    for (const k of gone) this.roots.delete(k);
    this.changed.fire(undefined);
  }

  private refreshModel(uri: vscode.Uri, contentChanged = false): void {
    const key = uri.toString();
    if (contentChanged) this.cache.delete(key);
    const node = this.roots?.get(key);
    if (node) this.changed.fire(node);
  }

  private async details(uri: vscode.Uri): Promise<DetailNode[]> {
    const key = uri.toString();
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch (error) {
      return [errorNode(key, `cannot read the file: ${error instanceof Error ? error.message : String(error)}`)];
    }
    const cached = this.cache.get(key);
    if (cached && cached.mtime === stat.mtime && cached.size === stat.size) return cached.nodes;
    let nodes: DetailNode[];
    try {
      const started = performance.now();
      const summary = inspectModel(uri.fsPath);
      this.ctx.output.debug(`sidebar: inspected ${relative(uri)} in ${Math.round(performance.now() - started)} ms`);
      nodes = detailNodes(key, summary);
    } catch (error) {
      // The user's file: its problem is the item's text. Our fault: logged with its stack as well.
      if (!(error instanceof ModelError) && error instanceof Error) this.ctx.output.error(`sidebar: ${relative(uri)}: ${error.stack ?? error.message}`);
      nodes = [errorNode(key, error instanceof Error ? error.message : String(error))];
    }
    this.cache.set(key, { mtime: stat.mtime, size: stat.size, nodes });
    return nodes;
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

const ICONS: Record<DetailNode['kind'], string> = {
  layer: 'symbol-method',
  container: 'symbol-namespace',
  totals: 'symbol-numeric',
  total: 'dash',
  error: 'error',
};

function relative(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}
