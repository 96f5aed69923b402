// A Keras topology (format "layers-model") → IR. Sequential models chain their
// layers; functional ones ("Model", "Functional") wire layers by
// `inbound_nodes`, in the Keras 2 / TF.js form [[layer, node, tensor, kwargs]]
// or the Keras 3 form {args: [{keras_history: [layer, node, tensor]}]}.
// A nested model is a layer whose translation is its own topology.

import type { AttrValue, DType, Dim, ValueInfo } from '../../graph/ir';
import type { IrBuilder } from './builder';
import { Fields, type Json, TfjsError, isObject, quote } from './json';
import { type KTensor, LayerCtx, WeightLookup } from './layer-context';
import { LAYERS } from './layer-ops';
import { permuteShape, toChannelsFirst } from './layout';
import type { WeightEntry } from './weights';

type Ref = [layer: string, node: number, tensor: number];

const MODEL_CLASSES = new Set(['Sequential', 'Model', 'Functional']);
const DTYPES = new Set(['float32', 'float16', 'float64', 'int32', 'int64', 'int8', 'uint8', 'int16', 'uint16', 'bool', 'string', 'complex64']);

export interface LayersResult {
  name: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  metadata: Record<string, string>;
}

export function translateLayers(file: string, topology: Fields, weights: Map<string, WeightEntry>, b: IrBuilder): LayersResult {
  const metadata: Record<string, string> = {};
  for (const key of ['keras_version', 'backend']) if (typeof topology.raw(key) === 'string') metadata[key] = topology.str(key);
  const model = topology.has('model_config') ? topology.object('model_config', 'modelTopology.model_config') : topology;
  const w = new Walker(file, b, new WeightLookup(weights));
  const outputs = w.model(model, undefined);
  const cfg = model.raw('config');
  const name = isObject(cfg) && typeof cfg.name === 'string' ? cfg.name : '';
  // Channels-first values stay so at the outputs too, as the inputs are: the IR is NCHW throughout.
  if (w.inputs.some((v) => v.shape.length >= 4)) metadata.layout = 'NCHW (Keras NHWC inputs transposed)';
  return { name, inputs: w.inputs, outputs: outputs.map((t) => ({ name: t.name, dtype: (t.dtype as DType) ?? 'float32', shape: [] })), metadata };
}

class Walker {
  readonly inputs: ValueInfo[] = [];

  constructor(readonly file: string, readonly b: IrBuilder, readonly weights: WeightLookup) {}

  fail(message: string): never {
    throw new TfjsError(this.file, message);
  }

  model(m: Fields, bound: KTensor[] | undefined): KTensor[] {
    const cls = m.str('class_name');
    const raw = m.raw('config');
    if (cls === 'Sequential') {
      // Keras 1 and early 2 wrote a Sequential's config as the bare list of layers.
      const cfg = Array.isArray(raw) ? new Fields(this.file, 'Sequential config', { layers: raw }) : m.object('config', `model '${cls}' config`);
      return this.sequential(cfg, bound);
    }
    if (cls === 'Model' || cls === 'Functional') return this.functional(m.object('config', `model '${cls}' config`), bound);
    return this.fail(`modelTopology's class_name is ${quote(cls)}, not Sequential, Model or Functional`);
  }

  private layerList(cfg: Fields): Fields[] {
    return cfg.array('layers').map((l, i) => Fields.of(this.file, `${cfg.where}: layer ${i + 1}`, l));
  }

  private sequential(cfg: Fields, bound: KTensor[] | undefined): KTensor[] {
    const layers = this.layerList(cfg);
    if (layers.length === 0) this.fail(`Sequential model ${quote(cfg.raw('name'))} has no layers`);
    let cur: KTensor;
    let start = 0;
    if (bound) {
      cur = bound[0];
      if (layers[0].raw('class_name') === 'InputLayer') start = 1;
    } else {
      const first = layers[0];
      const firstCfg = first.object('config');
      start = first.raw('class_name') === 'InputLayer' ? 1 : 0;
      // TF.js names a Sequential's implicit input after its first layer.
      const inputName = start === 1 ? firstCfg.str('name', 'input') : `${firstCfg.str('name', 'sequential')}_input`;
      cur = this.graphInput(inputName, firstCfg);
    }
    for (let i = start; i < layers.length; i++) {
      const outs = this.apply(layers[i], [cur], 1);
      cur = outs[0];
    }
    return [cur];
  }

  private functional(cfg: Fields, bound: KTensor[] | undefined): KTensor[] {
    const layers = this.layerList(cfg);
    const byName = new Map<string, Fields>();
    for (const l of layers) byName.set(this.layerName(l), l);
    const key = (r: Ref): string => `${r[0]}\u0000${r[1]}\u0000${r[2]}`;
    const tensors = new Map<string, KTensor>();

    const inputRefs = this.refList(cfg, 'input_layers');
    const outputRefs = this.refList(cfg, 'output_layers');
    inputRefs.forEach((r, i) => {
      const l = byName.get(r[0]) ?? this.fail(`input_layers names ${quote(r[0])}, which is not among the layers`);
      const t = bound ? bound[i] ?? this.fail(`nested model takes ${inputRefs.length} inputs but is given ${bound.length}`) : this.graphInput(r[0], l.object('config'));
      tensors.set(key(r), t);
    });

    interface Pending { layer: Fields; index: number; refs: Ref[] }
    const pending: Pending[] = [];
    const wanted = new Map<string, number>(); // layer\0node → outputs needed
    const want = (r: Ref): void => {
      const k = `${r[0]}\u0000${r[1]}`;
      wanted.set(k, Math.max(wanted.get(k) ?? 1, r[2] + 1));
    };
    for (const l of layers) {
      if (l.raw('class_name') === 'InputLayer') continue;
      const nodes = l.array('inbound_nodes', []);
      nodes.forEach((n, index) => {
        const refs = this.nodeRefs(n, `layer '${this.layerName(l)}' inbound node ${index}`);
        refs.forEach(want);
        pending.push({ layer: l, index, refs });
      });
    }
    outputRefs.forEach(want);

    // Keras lists layers in topological order, except a shared layer's later
    // calls; passes until nothing moves cover those without recursion.
    let left = pending;
    while (left.length > 0) {
      const next = left.filter((p) => {
        const ins = p.refs.map((r) => tensors.get(key(r)));
        if (ins.some((t) => t === undefined)) return true;
        const name = this.layerName(p.layer);
        const index = p.index + nodeOffset(p.layer);
        const outs = this.apply(p.layer, ins as KTensor[], wanted.get(`${name}\u0000${index}`) ?? 1);
        outs.forEach((t, ti) => tensors.set(key([name, index, ti]), t));
        return false;
      });
      if (next.length === left.length) {
        const p = next[0];
        const missing = p.refs.find((r) => !tensors.has(key(r)))!;
        this.fail(`layer '${this.layerName(p.layer)}' takes output ${missing[2]} of call ${missing[1]} of ${quote(missing[0])}, which no layer produces`);
      }
      left = next;
    }
    return outputRefs.map((r) => tensors.get(key(r)) ?? this.fail(`output_layers names ${quote(r)}, which no layer produces`));
  }

  private layerName(l: Fields): string {
    if (typeof l.raw('name') === 'string') return l.str('name');
    return l.object('config').str('name');
  }

  /** input_layers / output_layers: [[name, node, tensor], …], or one bare [name, node, tensor]. */
  private refList(cfg: Fields, key: string): Ref[] {
    const raw = cfg.array(key);
    const list = raw.length > 0 && typeof raw[0] === 'string' ? [raw] : raw;
    return list.map((r) => this.ref(r, `${key} entry`));
  }

  private ref(r: Json, where: string): Ref {
    if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isSafeInteger(r[1]) || !Number.isSafeInteger(r[2])) {
      return this.fail(`${where} ${quote(r)} is not [layer, node, tensor]`);
    }
    return [r[0], r[1] as number, r[2] as number];
  }

  private nodeRefs(node: Json, where: string): Ref[] {
    if (Array.isArray(node)) return node.map((r) => this.ref(r, where));
    if (!isObject(node)) return this.fail(`${where} ${quote(node)} is not a list of inputs`);
    const refs: Ref[] = [];
    const walk = (v: Json): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObject(v)) {
        const cfg = v.config;
        if (v.class_name === '__keras_tensor__' && isObject(cfg)) refs.push(this.ref(cfg.keras_history, where));
        else Object.values(v).forEach(walk);
      }
    };
    walk(node.args ?? []);
    return refs;
  }

  private graphInput(name: string, cfg: Fields): KTensor {
    let shape: Json | undefined = cfg.raw('batch_input_shape') ?? cfg.raw('batch_shape');
    if (shape == null && Array.isArray(cfg.raw('input_shape'))) shape = [null, ...(cfg.raw('input_shape') as Json[])];
    if (!Array.isArray(shape)) return this.fail(`input '${name}' declares no shape (batch_input_shape is ${quote(shape)})`);
    const dims: Dim[] = shape.map((d, i) => {
      if (d === null) return i === 0 ? 'batch' : `${name}_d${i}`;
      if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return this.fail(`input '${name}' has shape ${quote(shape)}: dimension ${quote(d)} is not a size`);
      return d;
    });
    // Keras 3 writes a dtype policy object ({class_name: 'DTypePolicy', config: {name}}) where Keras 2 wrote a name.
    const rawDtype = cfg.raw('dtype');
    const dtype = isObject(rawDtype) && isObject(rawDtype.config) && typeof rawDtype.config.name === 'string' ? rawDtype.config.name : cfg.str('dtype', 'float32');
    if (!DTYPES.has(dtype)) this.fail(`input '${name}' has dtype ${quote(dtype)}`);
    // Images (rank 4) and volumes (rank 5) are given to the IR channels-first, as ONNX models take them.
    const cf = dims.length === 4 || dims.length === 5;
    const irShape = cf ? permuteShape(dims as number[], toChannelsFirst(dims.length)) as Dim[] : dims;
    this.b.reserve(name);
    this.inputs.push({ name, dtype: dtype as DType, shape: irShape });
    return { name, rank: dims.length, cf, dtype };
  }

  private apply(layer: Fields, inputs: KTensor[], outputs: number): KTensor[] {
    const cls = layer.str('class_name');
    if (MODEL_CLASSES.has(cls)) return this.model(layer, inputs);
    const cfg = layer.object('config', `layer ${quote(this.layerName(layer))} config`);
    const name = this.layerName(layer);
    const ctx = new LayerCtx(this.b, this.file, this.weights, cls, name, new Fields(this.file, `layer '${name}' (${cls})`, cfg.obj), cfg.bool('trainable', true));
    const fn = LAYERS[cls];
    return fn ? fn(ctx, inputs) : unknownLayer(ctx, inputs, outputs);
  }
}

/**
 * A nested model built on its own Input has that call as its node 0, which is
 * not serialized: references to it count from 1 (Keras's _should_skip_first_node).
 */
function nodeOffset(layer: Fields): number {
  const cls = layer.raw('class_name');
  if (cls === 'Model' || cls === 'Functional') return 1;
  if (cls !== 'Sequential') return 0;
  const cfg = layer.raw('config');
  const layers = Array.isArray(cfg) ? cfg : isObject(cfg) && Array.isArray(cfg.layers) ? cfg.layers : [];
  const first = layers[0];
  if (!isObject(first)) return 0;
  const firstCfg = isObject(first.config) ? first.config : {};
  return first.class_name === 'InputLayer' || firstCfg.batch_input_shape != null || firstCfg.batch_shape != null ? 1 : 0;
}

/** A layer QuantLab has no translation for: kept by class name in domain 'tfjs', with its weights, so the summary lists it. */
function unknownLayer(ctx: LayerCtx, inputs: KTensor[], outputs: number): KTensor[] {
  const ins = inputs.map((t) => ctx.keras(t));
  for (const e of ctx.weights.ofLayer(ctx.name)) {
    ins.push(ctx.b.tensor(ctx.irTensor(e, { role: /moving_(mean|variance)/.test(e.name) ? 'buffer' : 'parameter' })));
  }
  const attrs: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(ctx.config.obj)) {
    if (['name', 'trainable', 'dtype'].includes(k)) continue;
    if (typeof v === 'number' || typeof v === 'string') attrs[k] = v;
    else if (typeof v === 'boolean') attrs[k] = v ? 1 : 0;
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number')) attrs[k] = v as number[];
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) attrs[k] = v as string[];
  }
  return ctx.b.add(ctx.cls, ctx.name, ins, attrs, 'tfjs', outputs).map((name) => ({ name, cf: false }));
}
