// Opening what the compute jobs share: the model (BN folded), the data splits
// with their transform, checked against the model's input, and the backend.

import { ModelError } from '../core/errors';
import type { Graph } from '../core/graph/ir';
import { openModelFile } from '../core/io/source';
import { readModel } from '../core/formats/registry';
import { checkFits, openDataset, parseTransform, type Batch, type Dataset, type Split } from '../core/data';
import { foldBatchNorm } from '../core/ptq/fold';
import { initBackend } from '../engine/backend';
import type { BackendName } from '../engine/types';
import { checkCancel, type JobContext } from './context';

export interface DataOptions {
  data: string;
  transform: string;
  batch?: number;
}

export interface Opened {
  file: string;
  graph: Graph;
  foldedBatchNorms: string[];
  transformText: string;
}

export function openModel(file: string): Opened & { transformText: '' } {
  const raw = readModel(openModelFile(file));
  const { graph, folded } = foldBatchNorm(raw);
  return { file, graph, foldedBatchNorms: folded, transformText: '' };
}

export function openSplit(graph: Graph, opts: DataOptions, split: Split): Dataset {
  const transform = parseTransform(opts.transform);
  const ds = openDataset(opts.data, { split, transform });
  const input = graph.inputs[0];
  if (!input) throw new ModelError(opts.data, 'the model declares no input');
  checkFits(ds.sampleShape, input.shape, transform.text, opts.data);
  return ds;
}

export async function startBackend(choice: BackendName | 'auto' | undefined): Promise<BackendName> {
  return initBackend(choice ?? 'auto');
}

/** Iterates batches, checking for cancellation and reporting progress after each. */
export function* batchesOf(ds: Dataset, limit: number | undefined, batch: number, ctx: JobContext, phase: string): Generator<Batch> {
  const total = Math.min(limit ?? ds.size, ds.size);
  let done = 0;
  for (const b of ds.batches(batch, { limit: total })) {
    checkCancel(ctx);
    yield b;
    done += b.labels.length;
    ctx.progress({ phase, done, total });
  }
}

export function argmaxCorrect(logits: Float32Array, classes: number, labels: Int32Array): number {
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (logits[i * classes + c]! > logits[i * classes + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct;
}
