// Report blocks in the editor: QuantLab: Insert Report Block, QuantLab:
// Refresh Report Blocks (every block, or the one a CodeLens names, in ONE
// WorkspaceEdit: one undo step), Remove, and the CodeLens above each block.
// The text work is src/core/report/blocks.ts; this file only asks, runs and
// applies.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  BLOCK_SECTION_IDS, findBlocks, insertBlock, refreshBlocks, renderBlocks, sectionById, type Block, type BlockRender,
} from '../../core/report';
import { datasetFor } from '../config/dataset';
import { readSettings } from '../config/settings';
import type { Ctx } from '../ctx';
import { findModelFiles } from '../modelFiles';
import { reportJobs } from './runner';

const REFRESH = 'quantlab.refreshReportBlocks';
const REMOVE = 'quantlab.removeReportBlock';

/** Relative model paths are relative to the document's folder (an untitled document: the first workspace folder). */
function docDir(doc: vscode.TextDocument): string {
  if (doc.uri.scheme === 'file') return path.dirname(doc.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}

function markdownDoc(target: unknown): vscode.TextDocument {
  const doc = target instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) : vscode.window.activeTextEditor?.document;
  if (!doc || doc.languageId !== 'markdown') throw new Error('open a Markdown file first (report blocks live in Markdown)');
  return doc;
}

const relative = (from: string, file: string): string => path.relative(from, file).split(path.sep).join('/');

/** What a caller (the extension-host suite) may fix instead of being asked. */
export interface InsertGiven {
  section?: string;
  params?: Record<string, string>;
}

/** Inserts a block at the cursor, rendered. Returns the inserted text. */
export async function insertReportBlockCommand(ctx: Ctx, given?: unknown): Promise<string | undefined> {
  const editor = vscode.window.activeTextEditor;
  const doc = markdownDoc(editor?.document.uri);
  const g = (given ?? {}) as InsertGiven;
  const dir = docDir(doc);
  const section = g.section ?? (await pickSection());
  if (!section) return undefined;
  const params = g.params ?? (await askParams(ctx, section, dir));
  if (!params) return undefined;

  const probe = insertBlock('', 0, section, params);
  const rendered = await renderBlocks([probe.block], dir, reportJobs(ctx).blocks());
  const r = rendered.get(probe.block.start);
  const text = doc.getText();
  const offset = doc.offsetAt((editor?.document === doc ? editor.selection.active : undefined) ?? new vscode.Position(doc.lineCount, 0));
  const { text: after } = insertBlock(text, offset, section, params, r === undefined ? '' : typeof r === 'string' ? r : errorText(r));
  const inserted = after.slice(offset, offset + after.length - text.length);
  const edit = new vscode.WorkspaceEdit();
  edit.insert(doc.uri, doc.positionAt(offset), inserted);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error('the editor refused the edit (the document changed meanwhile?)');
  if (r !== undefined && typeof r !== 'string') void vscode.window.showWarningMessage(`QuantLab: the block could not be rendered: ${r.error}`);
  return inserted;
}

function errorText(r: { error: string }): string {
  return `> **QuantLab could not render this block:** ${r.error.replace(/[\\`*_[\]<>|$&#~!{}]/g, (c) => '\\' + c)}`;
}

async function pickSection(): Promise<string | undefined> {
  const items = BLOCK_SECTION_IDS.map((id) => {
    const s = sectionById(id);
    return { label: id, description: s ? `${s.title}${s.needs === 'model' ? '' : ' (needs a dataset)'}` : 'two models side by side (1.3.3)' };
  });
  return (await vscode.window.showQuickPick(items, { placeHolder: 'Report block to insert' }))?.label;
}

async function askParams(ctx: Ctx, section: string, dir: string): Promise<Record<string, string> | undefined> {
  const files = await findModelFiles(1000);
  if (files.length === 0) throw new Error('no model files in this workspace');
  const pick = (placeHolder: string) =>
    vscode.window.showQuickPick(files.map((uri) => ({ label: relative(dir, uri.fsPath), uri })), { placeHolder });
  const model = await pick('Model the block shows');
  if (!model) return undefined;
  const params: Record<string, string> = { model: model.label };
  if (section === 'compare') {
    const other = await pick('Model to compare it with');
    if (!other) return undefined;
    params['with'] = other.label;
  }
  if (section === 'compare' || sectionById(section)?.needs !== 'model') {
    if (section === 'compare') {
      const withData = await vscode.window.showQuickPick(['Structure only', 'Also FP32 accuracy'], { placeHolder: 'Compare with accuracies?' });
      if (!withData) return undefined;
      if (withData === 'Structure only') return params;
    }
    const dataset = await datasetFor(ctx, model.uri);
    if (!dataset) return undefined;
    const settings = readSettings(model.uri);
    params['data'] = relative(dir, dataset.data);
    params['transform'] = dataset.transform;
    if (section !== 'compare') params['calib-samples'] = String(settings.calibrationSamples);
    if (settings.evaluationSamples !== undefined) params['eval-samples'] = String(settings.evaluationSamples);
  }
  return params;
}

/** Refreshes every block of the document (the palette), or the one starting at `start` (its CodeLens). */
export async function refreshReportBlocksCommand(ctx: Ctx, target?: unknown, start?: unknown): Promise<{ refreshed: number; errors: string[] } | undefined> {
  const doc = markdownDoc(target ?? vscode.window.activeTextEditor?.document.uri);
  const text = doc.getText();
  const version = doc.version;
  const all = findBlocks(text).blocks;
  const chosen = typeof start === 'number' ? all.filter((b) => b.start === start) : all;
  if (chosen.length === 0) {
    void vscode.window.showInformationMessage('QuantLab: no report blocks in this document (QuantLab: Insert Report Block adds one).');
    return { refreshed: 0, errors: [] };
  }
  const rendered = await renderBlocks(chosen, docDir(doc), reportJobs(ctx).blocks());
  // The user may have typed meanwhile: apply to the text as it is now, block for block, if the blocks are the same.
  const nowText = doc.version === version ? text : doc.getText();
  const now = findBlocks(nowText).blocks;
  if (now.length !== all.length || now.some((b, i) => b.header !== all[i]!.header)) {
    throw new Error('the report blocks changed while they were rendering; run Refresh Report Blocks again');
  }
  const byNow = new Map<number, BlockRender>();
  now.forEach((b, i) => {
    const r = rendered.get(all[i]!.start);
    if (r !== undefined) byNow.set(b.start, r);
  });
  const result = refreshBlocks(nowText, (b) => byNow.get(b.start));
  const edit = new vscode.WorkspaceEdit();
  for (const b of result.blocks.filter((x) => x.changed)) edit.replace(doc.uri, new vscode.Range(doc.positionAt(b.contentStart), doc.positionAt(b.contentEnd)), b.content);
  if (edit.size > 0 && !(await vscode.workspace.applyEdit(edit))) throw new Error('the editor refused the edit (the document changed meanwhile?)');
  const errors = result.blocks.flatMap((b) => (b.error ? [`${b.section}: ${b.error}`] : []));
  const changed = result.blocks.filter((b) => b.changed).length;
  ctx.output.info(`refreshed ${chosen.length} report block(s) in ${vscode.workspace.asRelativePath(doc.uri)}: ${changed} changed${errors.length ? `; ${errors.join('; ')}` : ''}`);
  if (errors.length) void vscode.window.showWarningMessage(`QuantLab: ${errors.length} of ${chosen.length} block(s) could not be rendered; each says why.`);
  return { refreshed: chosen.length, errors };
}

/** Removes the block starting at `start` (its CodeLens), markers and all. */
export async function removeReportBlockCommand(_ctx: Ctx, target?: unknown, start?: unknown): Promise<boolean> {
  const doc = markdownDoc(target);
  const block = findBlocks(doc.getText()).blocks.find((b) => b.start === start);
  if (!block) return false;
  const edit = new vscode.WorkspaceEdit();
  edit.delete(doc.uri, new vscode.Range(doc.positionAt(block.start), doc.positionAt(block.end)));
  return vscode.workspace.applyEdit(edit);
}

/** Refresh and Remove above each block's opening marker. */
export class ReportBlockLens implements vscode.CodeLensProvider {
  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    return findBlocks(doc.getText()).blocks.flatMap((b: Block) => {
      const range = new vscode.Range(doc.positionAt(b.start), doc.positionAt(b.start));
      return [
        new vscode.CodeLens(range, { title: `$(refresh) Refresh ${b.section}`, command: REFRESH, arguments: [doc.uri, b.start] }),
        new vscode.CodeLens(range, { title: 'Remove', command: REMOVE, arguments: [doc.uri, b.start] }),
      ];
    });
  }
}

export function registerReportLens(ctx: Ctx): void {
  ctx.extension.subscriptions.push(vscode.languages.registerCodeLensProvider({ language: 'markdown' }, new ReportBlockLens()));
}
