// The profile job: range statistics of every weight (per tensor and per
// output channel) and of every layer output over N samples, with the clip
// range each method would choose — the lab's 2.1 and 2.3 tables.

import { planQuantization } from '../core/ptq/plan';
import type { Scheme } from '../core/quant';
import { perChannelStats, RangeCollector, tensorStats, type RangeStats } from '../core/stats/collector';
import { chooseRange } from '../core/stats/ranges';
import { floatValues } from '../core/graph/edit';
import { GraphRunner } from '../engine/runner';
import type { BackendName } from '../engine/types';
import { batchesOf, openModel, openSplit, startBackend, type DataOptions } from './common';
import { since, type JobContext } from './context';

export const PROFILE_METHODS = ['actual', '3sigma', 'percentile:99.99', 'mse', 'kl'] as const;

export interface ProfileOptions extends DataOptions {
  model: string;
  split: 'train' | 'test';
  samples: number;
  backend?: BackendName | 'auto';
  /** For the mse/kl ranges shown (they depend on the grid). */
  bits?: number;
  scheme?: Scheme;
}

export interface ProfiledTensor {
  name: string;
  /** The node that reads (weights) or writes (activations) it. */
  node: string;
  op: string;
  shape: (number | string)[];
  stats: RangeStats;
  ranges: Record<string, [number, number]>;
  perChannel?: RangeStats[];
}

export interface ProfileResult {
  backend: BackendName;
  model: string;
  samples: number;
  split: string;
  transform: string;
  weights: ProfiledTensor[];
  activations: ProfiledTensor[];
  seconds: { total: number };
}

export async function runProfile(o: ProfileOptions, ctx: JobContext): Promise<ProfileResult> {
  const t0 = performance.now();
  const { graph, file } = openModel(o.model);
  const plan = planQuantization(graph);
  const ds = openSplit(graph, o, o.split);
  const backend = await startBackend(o.backend);
  const bits = o.bits ?? 8;
  const scheme = o.scheme ?? 'symmetric';
  const ranges = (c: RangeCollector): Record<string, [number, number]> =>
    Object.fromEntries(PROFILE_METHODS.map((m) => [m, chooseRange(c, m, bits, scheme)]));

  const weights: ProfiledTensor[] = plan.layers.map((l) => {
    const t = graph.initializers.get(l.weight)!;
    const v = floatValues(t, l.node.name);
    // MatMul keeps [in, out]: its output channels are axis 1.
    const axis = l.kind === 'matmul' || (l.kind === 'gemm' && (l.node.attrs['transB'] ?? 0) === 0) ? 1 : 0;
    return { name: l.weight, node: l.node.name, op: l.node.opType, shape: t.shape, stats: tensorStats(v), ranges: ranges(RangeCollector.of(v)), perChannel: perChannelStats(v, t.shape, axis) };
  });

  // Every layer output, plus the graph input: what the lab's activation table lists.
  const taps = plan.layerOutputs;
  const collectors = new Map<string, RangeCollector>([[plan.input, new RangeCollector()], ...taps.map((t) => [t, new RangeCollector()] as const)]);
  const runner = GraphRunner.create(graph, {}, file);
  let seen = 0;
  try {
    for (const b of batchesOf(ds, o.samples, o.batch ?? 256, ctx, 'profiling')) {
      collectors.get(plan.input)!.add(b.x);
      const r = runner.run(b.x, b.shape, taps);
      for (const [name, t] of r.taps) collectors.get(name)!.add(t.data);
      seen += b.labels.length;
    }
  } finally {
    runner.dispose();
  }
  const producer = new Map(graph.nodes.flatMap((n) => n.outputs.map((out) => [out, n] as const)));
  const activations: ProfiledTensor[] = [...collectors].map(([name, c]) => {
    const n = producer.get(name);
    return { name, node: n?.name ?? 'input', op: n?.opType ?? 'Input', shape: plan.shapes.get(name) ?? [], stats: c.stats(), ranges: ranges(c) };
  });
  return { backend, model: o.model, samples: seen, split: o.split, transform: o.transform, weights, activations, seconds: { total: since(t0) } };
}
