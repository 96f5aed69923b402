// Rendering the blocks of one document: each block's parameters become a job
// request (paths relative to the document's folder), blocks that ask for the
// same model, data and settings share one run, and a block whose model is
// gone, or whose job fails on bad input, gets a message inside it while the
// others still refresh. The jobs themselves come from the caller (in process,
// or the extension's worker).

import * as path from 'node:path';
import { ModelError } from '../errors';
import { checkBits } from '../quant/params';
import type { QuantConfig, Requant, Rounding, Scheme } from '../quant/types';
import { parseRangeMethod } from '../stats/ranges';
import type { Block, BlockRender } from './blocks';
import { findBlocks, refreshBlocks, type RefreshedBlock } from './blocks';
import { renderCompare, type CompareData } from './compare';
import { sectionById, type Needs } from './document';
import { BLOCK_RENDER } from './sections/options';
import type { ReportData } from './types';

/** What a block asks the report job for (a subset of its options). */
export interface BlockReportRequest {
  model: string;
  data?: string;
  transform?: string;
  calibSamples?: number;
  evalSamples?: number;
  calibSplit?: 'train' | 'test';
  evalSplit?: 'train' | 'test';
  quant?: QuantConfig;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  needs: Needs;
}

export interface BlockCompareRequest {
  models: string[];
  data?: string;
  transform?: string;
  evalSamples?: number;
  evalSplit?: 'train' | 'test';
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
}

export interface BlockRunner {
  report(o: BlockReportRequest): Promise<ReportData>;
  compare(o: BlockCompareRequest): Promise<CompareData>;
  exists(file: string): boolean;
}

/** The parameters a block marker may carry, by section kind; the names match the CLI's flags. */
const COMMON = ['model', 'data', 'transform', 'eval-samples', 'eval-split', 'backend'];
const REPORT_PARAMS = new Set([...COMMON, 'calib-samples', 'calib-split', 'bits', 'scheme', 'per-channel', 'weight-range', 'act-range', 'rounding', 'requant']);
const COMPARE_PARAMS = new Set([...COMMON, 'with']);
export const BLOCK_SECTION_IDS = ['summary', 'layers', 'weight-ranges', 'weight-scales', 'weight-only', 'activation-ranges', 'scales', 'integer-only', 'floor-round', 'int-div', 'bias', 'accuracy', 'boundaries', 'compare'] as const;

class BlockParamError extends Error {}

function oneOf<T extends string>(params: Record<string, string>, key: string, allowed: readonly T[], fallback: T): T {
  const v = params[key] ?? fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new BlockParamError(`${key}= is one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}

function whole(params: Record<string, string>, key: string): number | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new BlockParamError(`${key}= wants a whole number ≥ 1 (got '${v}')`);
  return Number(v);
}

function rangeMethod(params: Record<string, string>, key: string): QuantConfig['weightRange'] {
  const v = params[key] ?? 'actual';
  parseRangeMethod(v);
  return v as QuantConfig['weightRange'];
}

function quantParams(p: Record<string, string>): QuantConfig {
  const bits = whole(p, 'bits') ?? 8;
  checkBits(bits);
  return {
    bits,
    scheme: oneOf<Scheme>(p, 'scheme', ['symmetric', 'asymmetric'], 'symmetric'),
    perChannel: oneOf(p, 'per-channel', ['true', 'false'], 'false') === 'true',
    weightRange: rangeMethod(p, 'weight-range'),
    actRange: rangeMethod(p, 'act-range'),
    rounding: oneOf<Rounding>(p, 'rounding', ['round', 'floor'], 'round'),
    requant: oneOf<Requant>(p, 'requant', ['float', 'fixed-point', 'int-div'], 'fixed-point'),
  };
}

type Request = { kind: 'report'; request: BlockReportRequest } | { kind: 'compare'; request: BlockCompareRequest };

/** A block's job request, with paths resolved against the document's folder; throws on a bad parameter. */
export function blockRequest(b: Pick<Block, 'section' | 'params'>, docDir: string): Request {
  const p = b.params;
  const compare = b.section === 'compare';
  const section = compare ? undefined : sectionById(b.section);
  if (!compare && !section) throw new BlockParamError(`unknown section '${b.section}' (one of ${BLOCK_SECTION_IDS.join(', ')})`);
  const allowed = compare ? COMPARE_PARAMS : REPORT_PARAMS;
  const unknown = Object.keys(p).filter((k) => !allowed.has(k));
  if (unknown.length) throw new BlockParamError(`unknown parameter ${unknown.map((k) => `${k}=`).join(', ')} (known: ${[...allowed].map((k) => `${k}=`).join(', ')})`);
  if (!p['model']) throw new BlockParamError('the block names no model: add model=<path> (relative to this document)');
  const at = (f: string): string => path.resolve(docDir, f);
  const common = {
    ...(p['data'] ? { data: at(p['data']) } : {}),
    ...(p['transform'] !== undefined ? { transform: p['transform'] } : {}),
    ...(whole(p, 'eval-samples') !== undefined ? { evalSamples: whole(p, 'eval-samples')! } : {}),
    evalSplit: oneOf(p, 'eval-split', ['train', 'test'] as const, 'test'),
    backend: oneOf(p, 'backend', ['auto', 'tensorflow', 'wasm', 'cpu'] as const, 'auto'),
  };
  if (compare) {
    if (!p['with']) throw new BlockParamError('a compare block needs with=<other model> (several: separated by commas)');
    return { kind: 'compare', request: { models: [at(p['model']), ...p['with'].split(',').map((f) => at(f.trim()))], ...common } };
  }
  return {
    kind: 'report',
    request: {
      model: at(p['model']), ...common, quant: quantParams(p), needs: section!.needs,
      ...(whole(p, 'calib-samples') !== undefined ? { calibSamples: whole(p, 'calib-samples')! } : {}),
      calibSplit: oneOf(p, 'calib-split', ['train', 'test'] as const, 'train'),
    },
  };
}

const NEEDS: Needs[] = ['model', 'activations', 'ptq', 'variants'];

/** Cancellation ends the whole refresh; anything else is that block's message. */
function isCancel(e: unknown): boolean {
  return e instanceof Error && (e.name === 'Cancelled' || e.name === 'AbortError');
}

/**
 * Renders the blocks (all, or those `only` accepts), one job run per distinct
 * request. Keyed by each block's start offset.
 */
export async function renderBlocks(blocks: readonly Block[], docDir: string, runner: BlockRunner): Promise<Map<number, BlockRender>> {
  const out = new Map<number, BlockRender>();
  const requests = new Map<number, Request>();
  for (const b of blocks) {
    try {
      const r = blockRequest(b, docDir);
      const files = r.kind === 'report' ? [r.request.model] : r.request.models;
      const gone = files.find((f) => !runner.exists(f));
      if (gone) out.set(b.start, { error: `the model file ${path.relative(docDir, gone) || gone} does not exist (looked for ${gone})` });
      else requests.set(b.start, r);
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      out.set(b.start, { error: e.message });
    }
  }
  // Blocks with the same request (needs aside) share one run that measures what the most demanding one needs.
  const keyOf = (r: Request): string => JSON.stringify(r.kind === 'report' ? { ...r.request, needs: undefined } : r.request);
  const most = new Map<string, Needs>();
  for (const r of requests.values()) {
    if (r.kind !== 'report') continue;
    const k = keyOf(r);
    const have = most.get(k);
    if (!have || NEEDS.indexOf(r.request.needs) > NEEDS.indexOf(have)) most.set(k, r.request.needs);
  }
  const runs = new Map<string, Promise<ReportData | CompareData>>();
  for (const b of blocks) {
    const r = requests.get(b.start);
    if (!r) continue;
    const k = keyOf(r);
    try {
      if (!runs.has(k)) runs.set(k, r.kind === 'report' ? runner.report({ ...r.request, needs: most.get(k)! }) : runner.compare(r.request));
      const result = await runs.get(k)!;
      out.set(b.start, r.kind === 'report' ? sectionById(b.section)!.body!(result as ReportData, BLOCK_RENDER) : renderCompare(result as CompareData));
    } catch (e) {
      if (isCancel(e) || !(e instanceof Error)) throw e;
      out.set(b.start, { error: e instanceof ModelError ? e.line : e.message });
    }
  }
  return out;
}

/** Re-renders every block of a document (or those `only` accepts): the new text and what changed where. */
export async function refreshDocument(text: string, docDir: string, runner: BlockRunner, only?: (b: Block) => boolean): Promise<{ text: string; blocks: RefreshedBlock[] }> {
  const { blocks } = findBlocks(text);
  const chosen = only ? blocks.filter(only) : blocks;
  const rendered = await renderBlocks(chosen, docDir, runner);
  return refreshBlocks(text, (b) => rendered.get(b.start));
}
