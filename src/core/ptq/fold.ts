// BatchNormalization folded into the convolution before it, as every int8
// deployment does (and PyTorch's fuse_modules): with s = γ/√(σ²+ε),
//   W' = W · s (per output channel),  b' = (b − μ) · s + β.
// Only a BN whose input is read by nothing else is folded.

import { cloneGraph, consumersOf, floatValues, memoryTensor } from '../graph/edit';
import type { Graph } from '../graph/ir';

export function foldBatchNorm(graph: Graph): { graph: Graph; folded: string[] } {
  const g = cloneGraph(graph);
  const consumers = consumersOf(graph);
  const folded: string[] = [];
  for (const bn of graph.nodes) {
    if (bn.opType !== 'BatchNormalization' || bn.outputs.length !== 1) continue;
    const convOut = bn.inputs[0]!;
    const conv = graph.nodes.find((n) => n.opType === 'Conv' && n.outputs[0] === convOut);
    if (!conv || (consumers.get(convOut)?.length ?? 0) !== 1) continue;
    const w = graph.initializers.get(conv.inputs[1] ?? '');
    const [gamma, beta, mean, variance] = bn.inputs.slice(1, 5).map((n) => graph.initializers.get(n));
    if (!w || !gamma || !beta || !mean || !variance) continue;
    const eps = typeof bn.attrs['epsilon'] === 'number' ? bn.attrs['epsilon'] : 1e-5;
    const W = floatValues(w, conv.name);
    const [G, B, MU, VAR] = [gamma, beta, mean, variance].map((t) => floatValues(t, bn.name)) as [Float32Array, Float32Array, Float32Array, Float32Array];
    const outC = w.shape[0]!;
    const per = W.length / outC;
    const oldBias = conv.inputs[2] ? graph.initializers.get(conv.inputs[2]) : undefined;
    const b0 = oldBias ? floatValues(oldBias, conv.name) : new Float32Array(outC);
    const W2 = new Float32Array(W.length);
    const b2 = new Float32Array(outC);
    for (let c = 0; c < outC; c++) {
      const s = G[c]! / Math.sqrt(VAR[c]! + eps);
      for (let i = 0; i < per; i++) W2[c * per + i] = W[c * per + i]! * s;
      b2[c] = (b0[c]! - MU[c]!) * s + B[c]!;
    }
    const wName = `${w.name}::bnfolded`;
    const bName = `${conv.name}::bias::bnfolded`;
    g.initializers.set(wName, memoryTensor(wName, w.shape, W2));
    g.initializers.set(bName, memoryTensor(bName, [outC], b2));
    const newConv = { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!] };
    g.nodes = g.nodes.filter((n) => n !== bn).map((n) => (n === conv ? newConv : n));
    folded.push(bn.name);
  }
  return { graph: g, folded };
}
