// TF ops → ONNX nodes. Channels-first ONNX ops are wrapped in Transposes when
// the TF op is NHWC (see graph.ts); filters become lazily permuted views of
// their Consts. An op missing here stays as itself in domain 'tf'.

import type { AttrValue } from '../../graph/ir';
import { emitActivation } from './activations';
import { type GraphCtx, rawTensor, tensorRef } from './graph';
import { quote } from './json';
import { permuteShape, permutedData } from './layout';

export type GraphFn = (ctx: GraphCtx) => void;

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];
// ONNX TensorProto.DataType for Cast's `to`.
const ONNX_TYPES: Record<string, number> = { DT_FLOAT: 1, DT_UINT8: 2, DT_INT8: 3, DT_UINT16: 4, DT_INT16: 5, DT_INT32: 6, DT_INT64: 7, DT_STRING: 8, DT_BOOL: 9, DT_HALF: 10, DT_DOUBLE: 11 };

function isNhwc(ctx: GraphCtx): boolean {
  const f = ctx.str('data_format', 'NHWC');
  if (f !== 'NHWC' && f !== 'NCHW') ctx.fail(`data_format ${quote(f)} is not NHWC or NCHW`);
  return f === 'NHWC';
}

/** The two spatial entries of a 4-entry NHWC/NCHW attr (strides, dilations, ksize). */
function spatial(ctx: GraphCtx, key: string, nhwc: boolean): number[] {
  const v = ctx.ints(key, [1, 1, 1, 1]);
  if (v.length !== 4) ctx.fail(`attr '${key}' is ${quote(v)}, not 4 values`);
  return nhwc ? [v[1], v[2]] : [v[2], v[3]];
}

function padAttrs(ctx: GraphCtx, nhwc: boolean): Record<string, AttrValue> {
  const p = ctx.str('padding', 'VALID');
  // TF's SAME puts the odd pixel at the end, which is ONNX's SAME_UPPER.
  if (p === 'SAME') return { auto_pad: 'SAME_UPPER' };
  if (p === 'VALID') return { pads: [0, 0, 0, 0] };
  if (p === 'EXPLICIT') {
    const e = ctx.ints('explicit_paddings', []);
    if (e.length !== 8) ctx.fail(`explicit_paddings ${quote(e)} is not 8 values`);
    const [h0, h1, w0, w1] = nhwc ? e.slice(2, 6) : e.slice(4, 8);
    return { pads: [h0, w0, h1, w1] };
  }
  return ctx.fail(`padding ${quote(p)} is not SAME, VALID or EXPLICIT`);
}

/** A Const input seen through a permutation (and reshape); it keeps the Const's name when nothing else reads the Const. */
function permutedConst(ctx: GraphCtx, i: number, perm: number[], reshape: ((p: number[]) => number[]) | undefined, suffix: string): string | undefined {
  const e = ctx.constant(i);
  if (!e) return undefined;
  if (e.shape.length !== perm.length) ctx.fail(`input ${i} '${e.name}' has shape ${quote(e.shape)}, expected rank ${perm.length}`);
  const permuted = permuteShape(e.shape, perm);
  const name = ctx.uses(i) === 1 ? e.name : `${e.name}/${suffix}`;
  if (!ctx.b.has(name)) {
    const t = { ...rawTensor(e), name, shape: reshape ? reshape(permuted) : permuted };
    if (e.data) t.data = permutedData(e.data, e.shape, perm);
    ctx.b.tensor(t);
  }
  return name;
}

function lastNode(ctx: GraphCtx) {
  return ctx.b.nodes[ctx.b.nodes.length - 1];
}

/** fused_ops after the bias: BatchNorm and activations, applied channels-first (axis 1) or on 2-D. */
function fusedTail(ctx: GraphCtx, ops: string[], y: string, nchw: boolean): string {
  let argAt = 2 + (ctx.strs('fused_ops')[0] === 'BiasAdd' ? 1 : 0);
  for (const op of ops) {
    const name = `${ctx.node.name}/${op.toLowerCase()}`;
    if (op === 'FusedBatchNorm') {
      const ins = [y, ctx.input(2), ctx.input(3), ctx.input(4), ctx.input(5)];
      argAt = 6;
      y = ctx.b.add1('BatchNormalization', name, ins, { epsilon: ctx.float('epsilon', 1e-3) });
    } else if (op === 'Prelu') {
      const alpha = nchw ? (permutedConst(ctx, argAt, [0], (p) => [p[0], 1, 1], 'nchw') ?? ctx.input(argAt)) : ctx.input(argAt);
      y = ctx.b.add1('PRelu', name, [y, alpha]);
    } else {
      const alpha = op === 'LeakyRelu' ? ctx.float('leakyrelu_alpha', 0.2) : undefined;
      y = emitActivation(ctx.b, op, y, name, { alpha, axis: nchw ? 1 : -1, domain: 'tf' });
    }
  }
  return y;
}

function conv(kind: 'conv' | 'depthwise'): GraphFn {
  return (ctx) => {
    const nhwc = isNhwc(ctx);
    const name = ctx.node.name;
    const e = ctx.constant(1);
    if (kind === 'depthwise' && !e) return unknown(ctx);
    let w: string;
    let group = 1;
    if (kind === 'conv') {
      // HWIO → OIHW.
      w = permutedConst(ctx, 1, [3, 2, 0, 1], undefined, 'oihw') ?? ctx.b.transpose(ctx.input(1), [3, 2, 0, 1], `${name}/filter_oihw`);
    } else {
      // [kh, kw, C, M] → [C·M, 1, kh, kw]: output channel c·M + m, as TF orders them.
      const [, , c, m] = e!.shape;
      group = c;
      w = permutedConst(ctx, 1, [2, 3, 0, 1], (p) => [c * m, 1, p[2], p[3]], 'oihw')!;
    }
    const attrs: Record<string, AttrValue> = {
      strides: spatial(ctx, 'strides', nhwc), dilations: spatial(ctx, 'dilations', nhwc), group, ...padAttrs(ctx, nhwc),
    };
    if (e) attrs.kernel_shape = e.shape.slice(0, 2);
    const x = nhwc ? ctx.b.transpose(ctx.input(0), TO_NCHW, `${name}/to_nchw`) : ctx.input(0);
    const fused = ctx.strs('fused_ops');
    const ins = [x, w];
    if (fused[0] === 'BiasAdd') ins.push(ctx.input(2));
    const y0 = ctx.b.add1('Conv', name, ins, attrs);
    const convNode = lastNode(ctx);
    const y = fusedTail(ctx, fused[0] === 'BiasAdd' ? fused.slice(1) : fused, y0, true);
    ctx.set(nhwc ? ctx.b.transpose(y, TO_NHWC, `${name}/to_nhwc`) : y);
    if (fused.length === 0) ctx.g.biasSlots.set(name, { node: convNode, index: 2 });
  };
}

const matmul: GraphFn = (ctx) => {
  const name = ctx.node.name;
  const ta = ctx.bool('transpose_a', false);
  const tb = ctx.bool('transpose_b', false);
  // A constant [in, out] weight is stored [out, in] with transB, as Keras Dense is read.
  const w = !tb ? permutedConst(ctx, 1, [1, 0], undefined, 'transposed') : undefined;
  const ins = [ctx.input(0), w ?? ctx.input(1)];
  const fused = ctx.strs('fused_ops');
  if (fused[0] === 'BiasAdd') ins.push(ctx.input(2));
  const y0 = ctx.b.add1('Gemm', name, ins, { transA: ta ? 1 : 0, transB: w || tb ? 1 : 0 });
  const gemm = lastNode(ctx);
  ctx.set(fusedTail(ctx, fused[0] === 'BiasAdd' ? fused.slice(1) : fused, y0, false));
  if (fused.length === 0) ctx.g.biasSlots.set(name, { node: gemm, index: 2 });
};

const biasAdd: GraphFn = (ctx) => {
  const slot = ctx.g.biasSlots.get(tensorRef(ctx.node.inputs[0] ?? ''));
  if (slot && ctx.uses(0) === 1 && slot.node.inputs.length === slot.index) {
    slot.node.inputs.push(ctx.input(1));
    ctx.g.biasSlots.delete(tensorRef(ctx.node.inputs[0]));
    ctx.set(ctx.input(0));
    return;
  }
  // NHWC: the bias broadcasts over the last axis as it is. NCHW: it needs [C, 1, 1].
  const b = isNhwc(ctx) ? ctx.input(1) : permutedConst(ctx, 1, [0], (p) => [p[0], 1, 1], 'nchw') ?? ctx.fail('has a computed bias on NCHW data');
  ctx.set(ctx.b.add1('Add', ctx.node.name, [ctx.input(0), b]));
};

function pool(op: 'MaxPool' | 'AveragePool'): GraphFn {
  return (ctx) => {
    const nhwc = isNhwc(ctx);
    const name = ctx.node.name;
    const x = nhwc ? ctx.b.transpose(ctx.input(0), TO_NCHW, `${name}/to_nchw`) : ctx.input(0);
    const attrs: Record<string, AttrValue> = { kernel_shape: spatial(ctx, 'ksize', nhwc), strides: spatial(ctx, 'strides', nhwc), ...padAttrs(ctx, nhwc) };
    if (op === 'AveragePool') attrs.count_include_pad = 0; // TF averages over the valid pixels only
    const y = ctx.b.add1(op, name, [x], attrs);
    ctx.set(nhwc ? ctx.b.transpose(y, TO_NHWC, `${name}/to_nhwc`) : y);
  };
}

const batchNorm: GraphFn = (ctx) => {
  const nhwc = isNhwc(ctx);
  const name = ctx.node.name;
  const x = nhwc ? ctx.b.transpose(ctx.input(0), TO_NCHW, `${name}/to_nchw`) : ctx.input(0);
  const y = ctx.b.add1('BatchNormalization', name, [x, ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(4)], { epsilon: ctx.float('epsilon', 1e-3) });
  ctx.set(nhwc ? ctx.b.transpose(y, TO_NHWC, `${name}/to_nhwc`) : y);
};

function unary(op: string, attrs: (ctx: GraphCtx) => Record<string, AttrValue> = () => ({})): GraphFn {
  return (ctx) => ctx.set(ctx.b.add1(op, ctx.node.name, [ctx.input(0)], attrs(ctx)));
}

function activation(kind: string): GraphFn {
  return (ctx) => ctx.set(emitActivation(ctx.b, kind, ctx.input(0), ctx.node.name, { alpha: ctx.float('alpha', 0.2), axis: -1, domain: 'tf' }));
}

function binary(op: string): GraphFn {
  return (ctx) => ctx.set(ctx.b.add1(op, ctx.node.name, [ctx.input(0), ctx.input(1)]));
}

/** An int operand ONNX wants as an int64 input: a constant when TF's is a Const, else a Cast. */
function int64Operand(ctx: GraphCtx, i: number, suffix: string): string {
  const v = ctx.constInts(i);
  if (v) return ctx.b.constant(`${ctx.node.name}/${suffix}`, 'int64', [v.length], v);
  return ctx.b.add1('Cast', `${ctx.node.name}/${suffix}_int64`, [ctx.input(i)], { to: 7 });
}

function reduce(op: string): GraphFn {
  return (ctx) => {
    const axes = int64Operand(ctx, 1, 'axes');
    ctx.set(ctx.b.add1(op, ctx.node.name, [ctx.input(0), axes], { keepdims: ctx.bool('keep_dims', false) ? 1 : 0 }));
  };
}

const reshape: GraphFn = (ctx) => ctx.set(ctx.b.add1('Reshape', ctx.node.name, [ctx.input(0), int64Operand(ctx, 1, 'shape')]));

const squeeze: GraphFn = (ctx) => {
  const dims = ctx.ints('squeeze_dims', ctx.ints('axis', []));
  const ins = [ctx.input(0)];
  if (dims.length > 0) ins.push(ctx.b.constant(`${ctx.node.name}/axes`, 'int64', [dims.length], dims));
  ctx.set(ctx.b.add1('Squeeze', ctx.node.name, ins));
};

const expandDims: GraphFn = (ctx) => ctx.set(ctx.b.add1('Unsqueeze', ctx.node.name, [ctx.input(0), int64Operand(ctx, 1, 'axes')]));

const concat: GraphFn = (ctx) => {
  const last = ctx.node.inputs.length - 1;
  const axis = ctx.constInts(last);
  if (!axis || axis.length !== 1) return unknown(ctx);
  ctx.set(ctx.b.add1('Concat', ctx.node.name, ctx.node.inputs.slice(0, last).map((_, i) => ctx.input(i)), { axis: axis[0] }));
};

const transpose: GraphFn = (ctx) => {
  const perm = ctx.constInts(1);
  if (!perm) return unknown(ctx);
  ctx.set(ctx.b.add1('Transpose', ctx.node.name, [ctx.input(0)], { perm }));
};

function pad(mode: 'constant' | 'mirror'): GraphFn {
  return (ctx) => {
    const p = ctx.constInts(1);
    const m = mode === 'mirror' ? ctx.str('mode', 'REFLECT') : 'CONSTANT';
    if (!p || p.length % 2 !== 0 || m === 'SYMMETRIC') return unknown(ctx);
    // TF paddings [[before, after], …] → ONNX [befores…, afters…].
    const pads = [...p.filter((_, i) => i % 2 === 0), ...p.filter((_, i) => i % 2 === 1)];
    const ins = [ctx.input(0), ctx.b.constant(`${ctx.node.name}/pads`, 'int64', [pads.length], pads)];
    if (ctx.node.inputs.length > 2) ins.push(ctx.input(2));
    ctx.set(ctx.b.add1('Pad', ctx.node.name, ins, { mode: m === 'REFLECT' ? 'reflect' : 'constant' }));
  };
}

const identityN: GraphFn = (ctx) => {
  ctx.node.inputs.forEach((_, i) => ctx.set(ctx.b.add1('Identity', i === 0 ? ctx.node.name : `${ctx.node.name}/${i}`, [ctx.input(i)]), i));
};

const cast: GraphFn = (ctx) => {
  const to = ONNX_TYPES[String(ctx.attr('DstT')?.type)];
  if (to === undefined) return unknown(ctx);
  ctx.set(ctx.b.add1('Cast', ctx.node.name, [ctx.input(0)], { to }));
};

const batchMatMul: GraphFn = (ctx) => {
  if (ctx.bool('adj_x', false) || ctx.bool('adj_y', false)) return unknown(ctx);
  ctx.set(ctx.b.add1('MatMul', ctx.node.name, [ctx.input(0), ctx.input(1)]));
};

function unknown(ctx: GraphCtx): void {
  const outs = ctx.b.add(ctx.node.op, ctx.node.name, ctx.node.inputs.map((_, i) => ctx.input(i)), {}, 'tf');
  ctx.set(outs[0]);
}

export const GRAPH_OPS: Record<string, GraphFn> = {
  Conv2D: conv('conv'), _FusedConv2D: conv('conv'), FusedConv2D: conv('conv'),
  DepthwiseConv2dNative: conv('depthwise'), FusedDepthwiseConv2dNative: conv('depthwise'),
  MatMul: matmul, _FusedMatMul: matmul, FusedMatMul: matmul,
  BatchMatMul: batchMatMul, BatchMatMulV2: batchMatMul,
  BiasAdd: biasAdd,
  MaxPool: pool('MaxPool'), AvgPool: pool('AveragePool'),
  FusedBatchNorm: batchNorm, FusedBatchNormV2: batchNorm, FusedBatchNormV3: batchNorm,
  Relu: activation('Relu'), Relu6: activation('Relu6'), Elu: activation('Elu'), Selu: activation('Selu'),
  Sigmoid: activation('Sigmoid'), Tanh: activation('Tanh'), Softplus: activation('Softplus'), Softsign: activation('Softsign'),
  LeakyRelu: activation('LeakyRelu'), Softmax: activation('Softmax'), LogSoftmax: activation('LogSoftmax'),
  Identity: unary('Identity'), StopGradient: unary('Identity'), Snapshot: unary('Identity'), PlaceholderWithDefault: unary('Identity'),
  EnsureShape: unary('Identity'), IdentityN: identityN,
  Neg: unary('Neg'), Abs: unary('Abs'), Exp: unary('Exp'), Log: unary('Log'), Sqrt: unary('Sqrt'), Reciprocal: unary('Reciprocal'),
  Floor: unary('Floor'), Ceil: unary('Ceil'), Round: unary('Round'), Erf: unary('Erf'), Shape: unary('Shape'),
  Add: binary('Add'), AddV2: binary('Add'), Sub: binary('Sub'), Mul: binary('Mul'), RealDiv: binary('Div'), Div: binary('Div'),
  Maximum: binary('Max'), Minimum: binary('Min'), Pow: binary('Pow'), Prelu: binary('PRelu'),
  AddN: (ctx) => ctx.set(ctx.b.add1('Sum', ctx.node.name, ctx.node.inputs.map((_, i) => ctx.input(i)))),
  Mean: reduce('ReduceMean'), Sum: reduce('ReduceSum'), Max: reduce('ReduceMax'), Min: reduce('ReduceMin'), Prod: reduce('ReduceProd'),
  Reshape: reshape, Squeeze: squeeze, ExpandDims: expandDims, ConcatV2: concat, Transpose: transpose,
  Pad: pad('constant'), PadV2: pad('constant'), MirrorPad: pad('mirror'),
  Cast: cast,
};
