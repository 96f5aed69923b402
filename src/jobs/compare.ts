// The compare job: two or more models side by side (the lab's 1.3.3), with
// FP32 accuracy on the same samples when data is given.

import { readModel } from '../core/formats/registry';
import { openModelFile } from '../core/io/source';
import { architecture, layerTable, pct, type CompareData, type CompareModel } from '../core/report';
import { summarize } from '../core/summary/summarize';
import { GraphRunner } from '../engine/runner';
import type { BackendName } from '../engine/types';
import { argmaxCorrect, batchesOf, openModel, openSplit, startBackend } from './common';
import type { JobContext } from './context';

export interface CompareOptions {
  models: string[];
  data?: string;
  transform?: string;
  /** undefined: the whole split. */
  evalSamples?: number;
  evalSplit?: 'train' | 'test';
  backend?: BackendName | 'auto';
  batch?: number;
}

export async function runCompare(o: CompareOptions, ctx: JobContext): Promise<CompareData> {
  const models: CompareModel[] = o.models.map((file) => {
    const graph = readModel(openModelFile(file));
    const s = summarize(file, graph);
    const layers = layerTable(graph);
    return { file, layers, architecture: architecture(layers), params: s.totals.params, macs: s.totals.macs, macsM: Number((s.totals.macs / 1e6).toFixed(2)), accuracy: null };
  });
  if (!o.data) return { models, data: null, transform: null, evalSplit: null, evalSamples: null };
  await startBackend(o.backend);
  const split = o.evalSplit ?? 'test';
  let samples = 0;
  for (const m of models) {
    const r = fp32Accuracy(m.file, { data: o.data, transform: o.transform ?? '', ...(o.batch ? { batch: o.batch } : {}) }, split, o.evalSamples, ctx);
    m.accuracy = pct(r.accuracy);
    samples = r.samples;
  }
  return { models, data: o.data, transform: o.transform ?? '', evalSplit: split, evalSamples: samples };
}

function fp32Accuracy(file: string, data: { data: string; transform: string; batch?: number }, split: 'train' | 'test', limit: number | undefined, ctx: JobContext): { accuracy: number; samples: number } {
  const { graph } = openModel(file);
  const ds = openSplit(graph, data, split);
  const runner = GraphRunner.create(graph, {}, file);
  let correct = 0;
  let seen = 0;
  try {
    for (const b of batchesOf(ds, limit, data.batch ?? 256, ctx, `evaluating ${file.split(/[\\/]/).pop()}`)) {
      correct += argmaxCorrect(runner.run(b.x, b.shape).outputs[0]!.data, ds.numClasses, b.labels);
      seen += b.labels.length;
    }
  } finally {
    runner.dispose();
  }
  return { accuracy: seen > 0 ? correct / seen : NaN, samples: seen };
}
