// Keras layer classes → ONNX nodes, one translator per class. Spatial layers
// work channels-first; their kernels are permuted lazily from Keras's
// [spatial…, in, out] to ONNX's [out, in, spatial…]. Node names are the layer
// names, helpers are `<layer>/<what>`.

import type { AttrValue } from '../../graph/ir';
import { emitActivation } from './activations';
import type { KTensor, LayerCtx } from './layer-context';
import { quote } from './json';
import { kernelToOI, toChannelsFirst } from './layout';

export type LayerFn = (ctx: LayerCtx, inputs: KTensor[]) => KTensor[];

const one = (ctx: LayerCtx, inputs: KTensor[]): KTensor => {
  if (inputs.length !== 1) ctx.fail(`takes one input, but the model gives it ${inputs.length}`);
  return inputs[0];
};

/** ONNX pads / auto_pad for Keras's padding and the kernel's extent. */
function padding(ctx: LayerCtx, n: number, kernel: number[], dilation: number[]): Record<string, AttrValue> {
  const mode = ctx.config.str('padding', 'valid');
  if (mode === 'valid') return { pads: new Array<number>(2 * n).fill(0) };
  // TF's SAME puts the odd pixel at the end, which is ONNX's SAME_UPPER.
  if (mode === 'same') return { auto_pad: 'SAME_UPPER' };
  if (mode === 'causal' && n === 1) return { pads: [(kernel[0] - 1) * dilation[0], 0] };
  return ctx.fail(`padding ${quote(mode)} is not 'valid' or 'same'`);
}

function spatialRank(cls: string): number {
  const m = /([123])D/.exec(cls);
  return m ? Number(m[1]) : 2;
}

function channelsFirstConfig(ctx: LayerCtx): boolean {
  return ctx.config.str('data_format', 'channels_last') === 'channels_first';
}

/** The input as ONNX wants it: channels-first, whether by transposing or because Keras already is. */
function spatialInput(ctx: LayerCtx, t: KTensor, n: number): { x: string; cf: boolean } {
  if (channelsFirstConfig(ctx)) return { x: ctx.keras(t), cf: false };
  return { x: ctx.channelsFirst(t, n + 2), cf: true };
}

const conv: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const c = ctx.config;
  const kernel = c.ints('kernel_size', n);
  const dilations = c.ints('dilation_rate', n, new Array<number>(n).fill(1));
  const w = ctx.weight('kernel', { rank: n + 2, perm: kernelToOI(n + 2) });
  const ins = [x, w];
  if (c.bool('use_bias', true)) ins.push(ctx.weight('bias', { rank: 1 }));
  const y = ctx.node('Conv', '', ins, {
    kernel_shape: kernel, strides: c.ints('strides', n, new Array<number>(n).fill(1)), dilations,
    group: c.num('groups', 1), ...padding(ctx, n, kernel, dilations),
  });
  return [ctx.activation({ name: y, rank: n + 2, cf })];
};

/** Keras depthwise kernel [kh, kw, C, M] → ONNX [C·M, 1, kh, kw]: output channel c·M + m. */
function depthwiseWeight(ctx: LayerCtx, param: string, n: number): { name: string; channels: number } {
  const e = ctx.weightEntry(param);
  if (e.shape.length !== n + 2) ctx.fail(`weight '${e.name}' has shape ${quote(e.shape)}, expected rank ${n + 2}`);
  const [cin, mult] = e.shape.slice(n);
  const spatial = [...Array(n).keys()];
  const t = ctx.irTensor(e, { perm: [n, n + 1, ...spatial], shape: (p) => [cin * mult, 1, ...p.slice(2)] });
  return { name: ctx.b.tensor(t), channels: cin };
}

function depthwiseNode(ctx: LayerCtx, x: string, n: number, suffix: string, bias: boolean): string {
  const c = ctx.config;
  const kernel = c.ints('kernel_size', n);
  const dilations = c.ints('dilation_rate', n, new Array<number>(n).fill(1));
  const w = depthwiseWeight(ctx, 'depthwise_kernel', n);
  const ins = [x, w.name];
  if (bias) ins.push(ctx.weight('bias', { rank: 1 }));
  return ctx.node('Conv', suffix, ins, {
    kernel_shape: kernel, strides: c.ints('strides', n, new Array<number>(n).fill(1)), dilations,
    group: w.channels, ...padding(ctx, n, kernel, dilations),
  });
}

const depthwise: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const y = depthwiseNode(ctx, x, n, '', ctx.config.bool('use_bias', true));
  return [ctx.activation({ name: y, rank: n + 2, cf })];
};

const separable: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const d = depthwiseNode(ctx, x, n, 'depthwise', false);
  const w = ctx.weight('pointwise_kernel', { rank: n + 2, perm: kernelToOI(n + 2) });
  const ins = [d, w];
  if (ctx.config.bool('use_bias', true)) ins.push(ctx.weight('bias', { rank: 1 }));
  const y = ctx.node('Conv', '', ins, { kernel_shape: new Array<number>(n).fill(1), strides: new Array<number>(n).fill(1), group: 1, pads: new Array<number>(2 * n).fill(0) });
  return [ctx.activation({ name: y, rank: n + 2, cf })];
};

const convTranspose: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const c = ctx.config;
  const kernel = c.ints('kernel_size', n);
  const dilations = c.ints('dilation_rate', n, new Array<number>(n).fill(1));
  // Keras stores [spatial…, out, in]; ONNX ConvTranspose wants [in, out, spatial…]: the same permutation.
  const ins = [x, ctx.weight('kernel', { rank: n + 2, perm: kernelToOI(n + 2) })];
  if (c.bool('use_bias', true)) ins.push(ctx.weight('bias', { rank: 1 }));
  const y = ctx.node('ConvTranspose', '', ins, {
    kernel_shape: kernel, strides: c.ints('strides', n, new Array<number>(n).fill(1)), dilations, group: 1, ...padding(ctx, n, kernel, dilations),
  });
  return [ctx.activation({ name: y, rank: n + 2, cf })];
};

const dense: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const useBias = ctx.config.bool('use_bias', true);
  if (t.rank === undefined || t.rank <= 2) {
    // Gemm with the weight [out, in] and transB, the layout PyTorch-style summaries and per-channel quantization expect.
    const ins = [t.name, ctx.weight('kernel', { rank: 2, perm: [1, 0] })];
    if (useBias) ins.push(ctx.weight('bias', { rank: 1 }));
    const y = ctx.node('Gemm', '', ins, { transB: 1 });
    return [ctx.activation({ name: y, rank: 2, cf: false })];
  }
  // Keras applies Dense to the last axis of any rank: MatMul on Keras's layout.
  let y = ctx.node('MatMul', '', [ctx.keras(t), ctx.weight('kernel', { rank: 2 })]);
  if (useBias) y = ctx.node('Add', 'bias', [y, ctx.weight('bias', { rank: 1 })]);
  return [ctx.activation({ name: y, rank: t.rank, cf: false })];
};

function pool(op: 'MaxPool' | 'AveragePool'): LayerFn {
  return (ctx, inputs) => {
    const n = spatialRank(ctx.cls);
    const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
    const c = ctx.config;
    const size = c.ints('pool_size', n, new Array<number>(n).fill(2));
    const strides = c.ints('strides', n, size);
    const attrs: Record<string, AttrValue> = { kernel_shape: size, strides, ...padding(ctx, n, size, new Array<number>(n).fill(1)) };
    if (op === 'AveragePool') attrs.count_include_pad = 0; // TF averages over the valid pixels only
    return [{ name: ctx.node(op, '', [x], attrs), rank: n + 2, cf }];
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool'): LayerFn {
  return (ctx, inputs) => {
    const n = spatialRank(ctx.cls);
    const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
    const y = ctx.node(op, '', [x]);
    if (ctx.config.bool('keepdims', false)) return [{ name: y, rank: n + 2, cf }];
    // [N, C, 1, 1] flattens to [N, C] in the same order either way.
    return [{ name: ctx.node('Flatten', 'flatten', [y], { axis: 1 }), rank: 2, cf: false }];
  };
}

/** Keras writes `axis` as a number or a one-element list. */
function oneAxis(ctx: LayerCtx): number {
  const raw = ctx.config.raw('axis');
  const a = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw ?? -1;
  return typeof a === 'number' && Number.isSafeInteger(a) ? a : ctx.fail(`axis ${quote(raw)} is not one axis`);
}

const batchNorm: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const kAxis = oneAxis(ctx);
  let x = t;
  // ONNX normalizes axis 1; Keras usually the last. A channels-first value has it at 1 already.
  if (ctx.axis(t, kAxis) !== 1) {
    const last = t.rank !== undefined && (kAxis === -1 || kAxis === t.rank - 1);
    if (!last || t.rank === undefined) return ctx.fail(`normalizes axis ${kAxis}, which QuantLab cannot map to ONNX's channel axis`);
    x = { name: ctx.channelsFirst(t, t.rank), rank: t.rank, cf: true };
  }
  const c = ctx.config;
  // ONNX requires scale and bias: Keras's scale=false / center=false mean 1 and 0.
  const channels = ctx.weightEntry('moving_mean').shape[0];
  const scale = c.bool('scale', true) ? ctx.weight('gamma', { rank: 1 }) : ctx.b.constant(ctx.nodeName('gamma'), 'float32', [channels], new Array<number>(channels).fill(1));
  const bias = c.bool('center', true) ? ctx.weight('beta', { rank: 1 }) : ctx.b.constant(ctx.nodeName('beta'), 'float32', [channels], new Array<number>(channels).fill(0));
  const mean = ctx.weight('moving_mean', { rank: 1, role: 'buffer' });
  const variance = ctx.weight('moving_variance', { rank: 1, role: 'buffer' });
  const y = ctx.node('BatchNormalization', '', [x.name, scale, bias, mean, variance], { epsilon: c.num('epsilon', 1e-3), momentum: c.num('momentum', 0.99) });
  return [{ ...x, name: y }];
};

const layerNorm: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const raw = ctx.config.raw('axis');
  const kAxis = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw ?? -1;
  if (kAxis !== -1 && kAxis !== (t.rank ?? 0) - 1) ctx.fail(`normalizes axis ${quote(raw)}; only the last axis maps to ONNX LayerNormalization`);
  const c = ctx.config;
  const ins = [ctx.keras(t)];
  ins.push(c.bool('scale', true) ? ctx.weight('gamma', { rank: 1 }) : '');
  if (c.bool('center', true)) ins.push(ctx.weight('beta', { rank: 1 }));
  if (ins[1] === '') ctx.fail('has no scale (gamma), which ONNX LayerNormalization requires');
  return [{ name: ctx.node('LayerNormalization', '', ins, { axis: -1, epsilon: c.num('epsilon', 1e-3) }), rank: t.rank, cf: false }];
};

const dropout: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  return [{ ...t, name: ctx.node('Dropout', '', [t.name]) }];
};

const activationLayer: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const act = ctx.config.str('activation', 'linear');
  const axis = t.rank !== undefined ? ctx.axis(t, -1) : -1;
  const y = emitActivation(ctx.b, act, t.name, ctx.name, { axis, domain: 'tfjs' });
  return [{ ...t, name: y === t.name ? ctx.node('Identity', '', [t.name]) : y }];
};

const relu: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const c = ctx.config;
  const max = c.has('max_value') ? c.num('max_value') : undefined;
  const slope = c.num('negative_slope', 0);
  if (slope !== 0) return [{ ...t, name: ctx.node('LeakyRelu', '', [t.name], { alpha: slope }) }];
  if (max === undefined) return [{ ...t, name: ctx.node('Relu', '', [t.name]) }];
  const lo = ctx.b.constant(ctx.nodeName('min'), 'float32', [], [0]);
  const hi = ctx.b.constant(ctx.nodeName('max'), 'float32', [], [max]);
  return [{ ...t, name: ctx.node('Clip', '', [t.name, lo, hi]) }];
};

const leakyRelu: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  return [{ ...t, name: ctx.node('LeakyRelu', '', [t.name], { alpha: ctx.config.num('alpha', 0.3) }) }];
};

const elu: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  return [{ ...t, name: ctx.node('Elu', '', [t.name], { alpha: ctx.config.num('alpha', 1) }) }];
};

const softmax: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const kAxis = oneAxis(ctx);
  return [{ ...t, name: ctx.node('Softmax', '', [t.name], { axis: ctx.axis(t, kAxis) }) }];
};

const prelu: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const e = ctx.weightEntry('alpha');
  // alpha has the input's shape without the batch: move its channel axis first when the input is channels-first.
  const r = e.shape.length;
  const perm = t.cf && r >= 2 ? toChannelsFirst(r + 1).slice(1).map((p) => p - 1) : undefined;
  const alpha = ctx.b.tensor(ctx.irTensor(e, perm ? { perm } : {}));
  return [{ ...t, name: ctx.node('PRelu', '', [t.name, alpha]) }];
};

const flatten: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  // Keras flattens NHWC: transpose a channels-first value back so the element order is Keras's.
  return [{ name: ctx.node('Flatten', '', [ctx.keras(t)], { axis: 1 }), rank: 2, cf: false }];
};

const reshape: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const target = ctx.config.array('target_shape');
  if (!target.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= -1)) ctx.fail(`target_shape ${quote(target)} is not a list of sizes`);
  const dims = target as number[];
  // Batch stays as it is: -1 when the target has no -1 of its own, else 0 ("copy this dim").
  const shape = [dims.includes(-1) ? 0 : -1, ...dims];
  const s = ctx.b.constant(ctx.nodeName('shape'), 'int64', [shape.length], shape);
  return [{ name: ctx.node('Reshape', '', [ctx.keras(t), s]), rank: shape.length, cf: false }];
};

const permute: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const dims = ctx.config.array('dims');
  if (!dims.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 1)) ctx.fail(`dims ${quote(dims)} is not a permutation`);
  return [{ name: ctx.node('Transpose', '', [ctx.keras(t)], { perm: [0, ...(dims as number[])] }), rank: dims.length + 1, cf: false }];
};

const embedding: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const table = ctx.weight('embeddings', { rank: 2 });
  return [{ name: ctx.node('Gather', '', [table, t.name], { axis: 0 }), rank: t.rank === undefined ? undefined : t.rank + 1, cf: false }];
};

const zeroPadding: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const raw = ctx.config.raw('padding') ?? 1;
  // Keras accepts p, [p_dim…], or [[before, after]…].
  const pairs: number[][] = typeof raw === 'number' ? new Array(n).fill([raw, raw])
    : Array.isArray(raw) && raw.length === n ? raw.map((p) => (typeof p === 'number' ? [p, p] : p) as number[])
      : Array.isArray(raw) && n === 1 && raw.length === 2 ? [raw as number[]] : [];
  if (pairs.length !== n || !pairs.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => Number.isSafeInteger(v) && v >= 0))) {
    ctx.fail(`padding ${quote(raw)} is not ${n} (before, after) pairs`);
  }
  const pads = [0, 0, ...pairs.map((p) => p[0]), 0, 0, ...pairs.map((p) => p[1])];
  const p = ctx.b.constant(ctx.nodeName('pads'), 'int64', [pads.length], pads);
  return [{ name: ctx.node('Pad', '', [x, p], { mode: 'constant' }), rank: n + 2, cf }];
};

const upSampling: LayerFn = (ctx, inputs) => {
  const n = spatialRank(ctx.cls);
  const { x, cf } = spatialInput(ctx, one(ctx, inputs), n);
  const size = ctx.config.ints('size', n, new Array<number>(n).fill(2));
  const scales = ctx.b.constant(ctx.nodeName('scales'), 'float32', [n + 2], [1, 1, ...size]);
  const mode = ctx.config.str('interpolation', 'nearest') === 'bilinear' ? 'linear' : 'nearest';
  // Integer upsampling repeats pixels: asymmetric coordinates with floor reproduce that exactly.
  const y = ctx.node('Resize', '', [x, '', scales], { mode, coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  return [{ name: y, rank: n + 2, cf }];
};

const rescaling: LayerFn = (ctx, inputs) => {
  const t = one(ctx, inputs);
  const scale = ctx.b.constant(ctx.nodeName('scale'), 'float32', [], [ctx.config.num('scale')]);
  let y = ctx.node('Mul', '', [t.name, scale]);
  const offset = ctx.config.num('offset', 0);
  if (offset !== 0) y = ctx.node('Add', 'offset', [y, ctx.b.constant(ctx.nodeName('offset_value'), 'float32', [], [offset])]);
  return [{ ...t, name: y }];
};

/** Merge layers: all inputs channels-first alike, or all in Keras's order. */
function aligned(ctx: LayerCtx, inputs: KTensor[]): { names: string[]; like: KTensor } {
  if (inputs.length < 2) ctx.fail(`merges at least two inputs, but the model gives it ${inputs.length}`);
  const rank = inputs[0].rank;
  if (inputs.every((t) => t.cf && t.rank === rank)) return { names: inputs.map((t) => t.name), like: inputs[0] };
  return { names: inputs.map((t) => ctx.keras(t)), like: { name: '', rank, cf: false } };
}

function merge(binary: string, variadic?: string): LayerFn {
  return (ctx, inputs) => {
    const { names, like } = aligned(ctx, inputs);
    if (names.length > 2 && variadic) return [{ ...like, name: ctx.node(variadic, '', names) }];
    let y = ctx.node(binary, names.length > 2 ? 'step1' : '', names.slice(0, 2));
    for (let i = 2; i < names.length; i++) y = ctx.node(binary, i === names.length - 1 ? '' : `step${i}`, [y, names[i]]);
    return [{ ...like, name: y }];
  };
}

const concatenate: LayerFn = (ctx, inputs) => {
  const { names, like } = aligned(ctx, inputs);
  const axis = ctx.axis(like, ctx.config.num('axis', -1));
  return [{ ...like, name: ctx.node('Concat', '', names, { axis }) }];
};

export const LAYERS: Record<string, LayerFn> = {
  Conv1D: conv, Conv2D: conv, Conv3D: conv, Convolution2D: conv,
  DepthwiseConv2D: depthwise,
  SeparableConv1D: separable, SeparableConv2D: separable,
  Conv2DTranspose: convTranspose, Conv3DTranspose: convTranspose,
  Dense: dense,
  MaxPooling1D: pool('MaxPool'), MaxPooling2D: pool('MaxPool'), MaxPooling3D: pool('MaxPool'),
  MaxPool1D: pool('MaxPool'), MaxPool2D: pool('MaxPool'), MaxPool3D: pool('MaxPool'),
  AveragePooling1D: pool('AveragePool'), AveragePooling2D: pool('AveragePool'), AveragePooling3D: pool('AveragePool'),
  AvgPool1D: pool('AveragePool'), AvgPool2D: pool('AveragePool'), AvgPool3D: pool('AveragePool'),
  GlobalAveragePooling1D: globalPool('GlobalAveragePool'), GlobalAveragePooling2D: globalPool('GlobalAveragePool'), GlobalAveragePooling3D: globalPool('GlobalAveragePool'),
  GlobalMaxPooling1D: globalPool('GlobalMaxPool'), GlobalMaxPooling2D: globalPool('GlobalMaxPool'), GlobalMaxPooling3D: globalPool('GlobalMaxPool'),
  GlobalAvgPool2D: globalPool('GlobalAveragePool'), GlobalMaxPool2D: globalPool('GlobalMaxPool'),
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
  Dropout: dropout, SpatialDropout1D: dropout, SpatialDropout2D: dropout, SpatialDropout3D: dropout,
  AlphaDropout: dropout, GaussianDropout: dropout, GaussianNoise: dropout,
  Activation: activationLayer,
  ReLU: relu, LeakyReLU: leakyRelu, ELU: elu, Softmax: softmax, PReLU: prelu,
  Flatten: flatten, Reshape: reshape, Permute: permute, Embedding: embedding,
  ZeroPadding1D: zeroPadding, ZeroPadding2D: zeroPadding, ZeroPadding3D: zeroPadding,
  UpSampling1D: upSampling, UpSampling2D: upSampling, UpSampling3D: upSampling,
  Rescaling: rescaling,
  Add: merge('Add', 'Sum'), Subtract: merge('Sub'), Multiply: merge('Mul'),
  Average: merge('Mean', 'Mean'), Maximum: merge('Max', 'Max'), Minimum: merge('Min', 'Min'),
  Concatenate: concatenate,
};
