// A TF GraphDef (format "graph-model") → IR. Layout choice: tensors keep TF's
// own layout (NHWC as the converter writes it), and each op that ONNX defines
// channels-first (Conv, pools, BatchNormalization) is wrapped in Transposes;
// its filter is permuted lazily to OIHW. transposes.ts then cancels the
// Transpose pairs this leaves between consecutive ops, moving them through
// elementwise ops, so a plain conv net ends up NCHW from input to head.

import type { DType, Dim, LazyData, Node, Tensor, ValueInfo } from '../../graph/ir';
import type { IrBuilder } from './builder';
import { GRAPH_OPS } from './graph-ops';
import { Fields, type Json, type JsonObject, TfjsError, isObject, quote } from './json';
import { sinkTransposes } from './transposes';
import type { WeightEntry } from './weights';

export interface TfNode {
  name: string;
  op: string;
  /** Data inputs as `node` or `node:i`; control inputs (`^node`) dropped. */
  inputs: string[];
  attr: JsonObject;
}

export const TF_DTYPES: Record<string, DType> = {
  DT_FLOAT: 'float32', DT_DOUBLE: 'float64', DT_HALF: 'float16', DT_BFLOAT16: 'bfloat16',
  DT_INT32: 'int32', DT_INT64: 'int64', DT_INT16: 'int16', DT_INT8: 'int8', DT_UINT8: 'uint8', DT_UINT16: 'uint16',
  DT_UINT32: 'uint32', DT_UINT64: 'uint64', DT_BOOL: 'bool', DT_STRING: 'string', DT_COMPLEX64: 'complex64', DT_COMPLEX128: 'complex128',
};

/** `x:0` and `x` are the same tensor. */
export function tensorRef(ref: string): string {
  return ref.endsWith(':0') ? ref.slice(0, -2) : ref;
}

/** proto3 JSON writes bytes (op attrs like padding) as base64; atob gives them back as Latin-1. */
function decodeBase64(s: string, ctx: GraphCtx): string {
  try {
    return atob(s);
  } catch {
    return ctx.fail(`has an attr value ${quote(s)} that is not base64`);
  }
}

export interface GraphResult {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata: Record<string, string>;
}

/** What an op translator sees: the node, its inputs as IR values, the constants behind them. */
export class GraphCtx {
  constructor(
    readonly g: GraphState,
    readonly node: TfNode,
  ) {}

  get b(): IrBuilder {
    return this.g.b;
  }

  fail(message: string): never {
    throw new TfjsError(this.g.file, `node '${this.node.name}' (${this.node.op}): ${message}`);
  }

  input(i: number): string {
    const ref = this.node.inputs[i];
    if (ref === undefined) this.fail(`has no input ${i}`);
    return this.g.value(ref);
  }

  /** The weight behind input i when it is a Const. */
  constant(i: number): WeightEntry | undefined {
    const ref = this.node.inputs[i];
    return ref === undefined ? undefined : this.g.consts.get(tensorRef(ref));
  }

  /** A small integer Const's values (axes, shapes, paddings), read now. */
  constInts(i: number): number[] | undefined {
    const e = this.constant(i);
    if (!e || !e.data || (e.dtype !== 'int32' && e.dtype !== 'int64') || e.shape.reduce((a, d) => a * d, 1) > 4096) return undefined;
    return Array.from(e.data.read() as ArrayLike<number>);
  }

  /** How many ops read input i's tensor (a Const used once can be replaced by its permuted view). */
  uses(i: number): number {
    return this.g.useCount.get(tensorRef(this.node.inputs[i] ?? '')) ?? 0;
  }

  attr(key: string): JsonObject | undefined {
    const v = this.node.attr[key];
    return isObject(v) ? v : undefined;
  }

  str(key: string, fallback: string): string {
    const s = this.attr(key)?.s;
    if (s === undefined) return fallback;
    if (typeof s !== 'string') this.fail(`attr '${key}' is ${quote(s)}, not a string`);
    return decodeBase64(s, this);
  }

  strs(key: string): string[] {
    const list = this.attr(key)?.list;
    const s = isObject(list) ? list.s : undefined;
    return Array.isArray(s) ? s.map((v) => decodeBase64(String(v), this)) : [];
  }

  int(key: string, fallback: number): number {
    const v = this.attr(key)?.i;
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isSafeInteger(n)) this.fail(`attr '${key}' is ${quote(v)}, not an integer`);
    return n;
  }

  ints(key: string, fallback: number[]): number[] {
    const list = this.attr(key)?.list;
    if (!isObject(list)) return fallback;
    const raw = Array.isArray(list.i) ? list.i : [];
    const out = raw.map(Number);
    if (!out.every(Number.isSafeInteger)) this.fail(`attr '${key}' is ${quote(raw)}, not a list of integers`);
    return out;
  }

  float(key: string, fallback: number): number {
    const v = this.attr(key)?.f;
    return typeof v === 'number' ? v : fallback;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.attr(key)?.b;
    return typeof v === 'boolean' ? v : fallback;
  }

  /** Maps output i of this TF node to an IR value. */
  set(value: string, i = 0): void {
    this.g.values.set(i === 0 ? this.node.name : `${this.node.name}:${i}`, value);
  }
}

export class GraphState {
  readonly values = new Map<string, string>();
  readonly consts = new Map<string, WeightEntry>();
  readonly useCount = new Map<string, number>();
  /** Conv/Gemm nodes whose bias slot is free, by the TF tensor they produce: a following BiasAdd fills it. */
  readonly biasSlots = new Map<string, { node: Node; index: number }>();
  readonly inputs: ValueInfo[] = [];

  constructor(readonly file: string, readonly b: IrBuilder) {}

  value(ref: string): string {
    const r = tensorRef(ref);
    const v = this.values.get(r);
    if (v !== undefined) return v;
    if (this.consts.has(r)) return r;
    throw new TfjsError(this.file, `tensor ${quote(ref)} is used before any node produces it`);
  }
}

function parseNodes(file: string, topology: Fields): TfNode[] {
  return topology.array('node').map((raw, i) => {
    const f = Fields.of(file, `modelTopology.node[${i}]`, raw);
    const name = f.str('name');
    const op = new Fields(file, `node '${name}'`, f.obj).str('op');
    const inputs = f.array('input', []).map((x) => {
      if (typeof x !== 'string') throw new TfjsError(file, `node '${name}' has input ${quote(x)}, which is not a tensor name`);
      return x;
    }).filter((x) => !x.startsWith('^'));
    const attr = f.raw('attr');
    return { name, op, inputs, attr: isObject(attr) ? attr : {} };
  });
}

/** A Const the manifest does not hold: TF's inline tensor (tensorContent or a repeated value), or shape only. */
function inlineConst(file: string, node: TfNode): WeightEntry {
  const t = isObject(node.attr.value) && isObject(node.attr.value.tensor) ? node.attr.value.tensor : {};
  const dtype = TF_DTYPES[String(t.dtype)] ?? 'float32';
  const dims = isObject(t.tensorShape) && Array.isArray(t.tensorShape.dim) ? t.tensorShape.dim : [];
  const shape = dims.map((d) => Number(isObject(d) ? d.size ?? 1 : NaN));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new TfjsError(file, `Const '${node.name}' has shape ${quote(dims)}`);
  const count = shape.reduce((a, d) => a * d, 1);
  const repeated = (t.floatVal ?? t.intVal ?? t.int64Val ?? t.boolVal) as Json;
  let data: LazyData | undefined;
  if (typeof t.tensorContent === 'string' && (dtype === 'float32' || dtype === 'int32')) {
    let copy: Uint8Array;
    try {
      copy = Uint8Array.from(atob(t.tensorContent), (c) => c.charCodeAt(0));
    } catch {
      throw new TfjsError(file, `Const '${node.name}' has tensorContent that is not base64`);
    }
    if (copy.length !== count * 4) throw new TfjsError(file, `Const '${node.name}' holds ${copy.length} bytes for shape ${quote(shape)}`);
    data = { byteLength: copy.length, read: () => (dtype === 'int32' ? new Int32Array(copy.buffer) : new Float32Array(copy.buffer)) };
  } else if (Array.isArray(repeated) && repeated.length > 0 && count <= 1 << 20) {
    const vals = repeated.map((v) => Number(v));
    const full = Array.from({ length: count }, (_, i) => vals[Math.min(i, vals.length - 1)]);
    data = { byteLength: count * 4, read: () => (dtype === 'int32' || dtype === 'int64' ? full.slice() : Float32Array.from(full)) };
  }
  return { name: node.name, shape, dtype, data, byteLength: data?.byteLength ?? 0 };
}

function placeholder(g: GraphState, node: TfNode): void {
  const dt = isObject(node.attr.dtype) ? String(node.attr.dtype.type) : 'DT_FLOAT';
  const shapeAttr = isObject(node.attr.shape) && isObject(node.attr.shape.shape) ? node.attr.shape.shape : {};
  const dims = Array.isArray(shapeAttr.dim) ? shapeAttr.dim : [];
  const shape: Dim[] = dims.map((d, i) => {
    const n = Number(isObject(d) ? d.size : NaN);
    if (n === -1) return i === 0 ? 'batch' : `${node.name}_d${i}`;
    if (!Number.isSafeInteger(n) || n < 0) throw new TfjsError(g.file, `input '${node.name}' has shape ${quote(dims)}: dimension ${quote(d)} is not a size`);
    return n;
  });
  g.b.reserve(node.name);
  g.inputs.push({ name: node.name, dtype: TF_DTYPES[dt] ?? 'float32', shape });
  g.values.set(node.name, node.name);
}

/** Kahn's order: GraphDef does not promise that producers come first. */
function topoOrder(file: string, nodes: TfNode[]): TfNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const pending = new Map<string, number>();
  const users = new Map<string, TfNode[]>();
  for (const n of nodes) {
    const deps = new Set(n.inputs.map((r) => r.split(':')[0]).filter((d) => byName.has(d)));
    pending.set(n.name, deps.size);
    for (const d of deps) users.set(d, [...(users.get(d) ?? []), n]);
  }
  const ready = nodes.filter((n) => pending.get(n.name) === 0);
  const out: TfNode[] = [];
  while (ready.length > 0) {
    const n = ready.shift()!;
    out.push(n);
    for (const u of users.get(n.name) ?? []) {
      const left = pending.get(u.name)! - 1;
      pending.set(u.name, left);
      if (left === 0) ready.push(u);
    }
  }
  if (out.length !== nodes.length) {
    const stuck = nodes.find((n) => pending.get(n.name)! > 0)!;
    throw new TfjsError(file, `node '${stuck.name}' is in a cycle (loops live in the GraphDef's function library, which QuantLab does not read)`);
  }
  return out;
}

/** The signature's outputs (name, dtype, shape as TF declares it, in TF's layout, which the outputs keep). */
function signatureOutputs(json: Fields): { ref: string; info: Omit<ValueInfo, 'name'> }[] | undefined {
  const sig = json.raw('signature');
  if (!isObject(sig) || !isObject(sig.outputs)) return undefined;
  const out = Object.values(sig.outputs).map((o) => {
    if (!isObject(o) || typeof o.name !== 'string') return undefined;
    const dims = isObject(o.tensorShape) && Array.isArray(o.tensorShape.dim) ? o.tensorShape.dim : [];
    const shape: Dim[] = dims.map((d, i) => {
      const n = Number(isObject(d) ? d.size : NaN);
      return Number.isSafeInteger(n) && n >= 0 ? n : i === 0 ? 'batch' : `${o.name}_d${i}`;
    });
    return { ref: o.name, info: { dtype: TF_DTYPES[String(o.dtype)] ?? 'float32', shape } };
  });
  return out.length > 0 && out.every((x) => x !== undefined) ? (out as { ref: string; info: Omit<ValueInfo, 'name'> }[]) : undefined;
}

export function translateGraphDef(file: string, json: Fields, topology: Fields, weights: Map<string, WeightEntry>, b: IrBuilder): GraphResult {
  const nodes = topoOrder(file, parseNodes(file, topology));
  const g = new GraphState(file, b);
  for (const n of nodes) for (const r of n.inputs) g.useCount.set(tensorRef(r), (g.useCount.get(tensorRef(r)) ?? 0) + 1);

  for (const n of nodes) {
    if (n.op === 'Const') g.consts.set(n.name, weights.get(n.name) ?? inlineConst(file, n));
    else if (n.op === 'Placeholder') placeholder(g, n);
  }
  for (const n of nodes) {
    if (n.op === 'Const' || g.inputs.some((v) => v.name === n.name)) continue;
    const ctx = new GraphCtx(g, n);
    const fn = GRAPH_OPS[n.op];
    if (fn) fn(ctx);
    else unknownOp(ctx, nodes);
  }

  // Consts that ops use as they are become initializers now; permuted views were registered by the ops.
  for (const node of b.nodes) {
    for (const v of node.inputs) {
      const e = g.consts.get(v);
      if (e && !b.has(v)) b.tensor(rawTensor(e));
    }
  }

  const declared = signatureOutputs(json)
    ?? nodes.filter((n) => n.op !== 'Const' && n.op !== 'NoOp' && !g.useCount.has(n.name)).map((n) => ({ ref: n.name, info: { dtype: 'float32' as DType, shape: [] } }));
  const outputs: ValueInfo[] = declared.map((o) => ({ name: g.value(o.ref), ...o.info }));
  const metadata: Record<string, string> = {};
  const versions = topology.raw('versions');
  if (isObject(versions) && versions.producer !== undefined) metadata.graphDefVersion = String(versions.producer);

  const absorbed = sinkTransposes(b, g.inputs, outputs);
  b.pruneConstants();
  if (absorbed > 0) metadata.layout = 'NCHW (NHWC inputs transposed; convolutions and pools channels-first)';
  return { name: '', inputs: g.inputs, outputs, metadata };
}

export function rawTensor(e: WeightEntry): Tensor {
  const t: Tensor = { name: e.name, dtype: e.dtype, shape: e.shape };
  if (e.data) t.data = e.data;
  if (e.stored) t.stored = e.stored;
  return t;
}

/** An op QuantLab has no translation for: kept under its TF name in domain 'tf', in TF's layout. */
function unknownOp(ctx: GraphCtx, all: TfNode[]): void {
  const n = ctx.node;
  let outputs = 1;
  for (const m of all) for (const r of m.inputs) {
    const [src, idx] = r.split(':');
    if (src === n.name && idx !== undefined) outputs = Math.max(outputs, Number(idx) + 1);
  }
  const ins = n.inputs.map((_, i) => ctx.input(i));
  const outs = ctx.b.add(n.op, n.name, ins, {}, 'tf', outputs);
  outs.forEach((v, i) => ctx.set(v, i));
}
