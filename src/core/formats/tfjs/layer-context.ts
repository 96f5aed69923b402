// What a Keras layer translator works with: its config, its weights found in
// the manifest, and the layout bookkeeping. Keras tensors are channels-last;
// in the IR a tensor of rank ≥ 3 may instead be held channels-first (`cf`),
// and is only transposed back where a layer needs Keras's element order.

import type { Tensor, TensorRole } from '../../graph/ir';
import { elementCount } from '../../graph/ir';
import { emitActivation } from './activations';
import type { IrBuilder } from './builder';
import { type Fields, TfjsError, isObject, quote } from './json';
import { permuteShape, permutedData, toChannelsFirst, toChannelsLast } from './layout';
import type { WeightEntry } from './weights';

export interface KTensor {
  /** The IR value. */
  name: string;
  /** The Keras tensor's rank, batch included, when known. */
  rank?: number;
  /** The IR value is the channels-first permutation of the Keras tensor. */
  cf: boolean;
  dtype?: string;
}

/** Finds `<layer>/<param>` in the manifest, also under a nesting prefix (`outer/<layer>/<param>`) or with TF's `:0`. */
export class WeightLookup {
  private readonly byTail = new Map<string, WeightEntry[]>();

  constructor(readonly all: Map<string, WeightEntry>) {
    for (const e of all.values()) {
      const parts = e.name.replace(/:0$/, '').split('/');
      const tail = parts.slice(-2).join('/');
      const list = this.byTail.get(tail) ?? [];
      list.push(e);
      this.byTail.set(tail, list);
    }
  }

  find(layer: string, param: string): WeightEntry | undefined {
    const key = `${layer}/${param}`;
    const exact = this.all.get(key) ?? this.all.get(`${key}:0`);
    if (exact) return exact;
    const tails = this.byTail.get(key);
    return tails?.length === 1 ? tails[0] : undefined;
  }

  /** Every weight of a layer, in manifest order (for layers kept as unknown nodes). */
  ofLayer(layer: string): WeightEntry[] {
    return [...this.all.values()].filter((e) => e.name.startsWith(`${layer}/`) || e.name.includes(`/${layer}/`));
  }
}

export interface WeightOptions {
  /** Expected rank of the stored weight. */
  rank?: number;
  /** Permutation from the stored layout to the IR's. */
  perm?: number[];
  /** Final IR shape after the permutation (same element count). */
  shape?: (permuted: number[]) => number[];
  role?: TensorRole;
}

export class LayerCtx {
  constructor(
    readonly b: IrBuilder,
    readonly file: string,
    readonly weights: WeightLookup,
    readonly cls: string,
    readonly name: string,
    readonly config: Fields,
    readonly trainable: boolean,
  ) {}

  fail(message: string): never {
    throw new TfjsError(this.file, `layer '${this.name}' (${this.cls}): ${message}`);
  }

  /** `layer` for the main node, `layer/suffix` for helpers. */
  nodeName(suffix = ''): string {
    return suffix ? `${this.name}/${suffix}` : this.name;
  }

  node(opType: string, suffix: string, inputs: string[], attrs: Parameters<IrBuilder['add1']>[3] = {}): string {
    return this.b.add1(opType, this.nodeName(suffix), inputs, attrs);
  }

  /** The value in Keras's (channels-last) element order. */
  keras(t: KTensor): string {
    if (!t.cf || t.rank === undefined) return t.name;
    return this.b.transpose(t.name, toChannelsLast(t.rank), this.nodeName('to_nhwc'));
  }

  /** The value channels-first, as ONNX's Conv, pools and BatchNormalization take it. */
  channelsFirst(t: KTensor, rank: number): string {
    if (t.cf) return t.name;
    if (t.rank !== undefined && t.rank !== rank) this.fail(`expects a rank-${rank} input (batch included) but gets rank ${t.rank}`);
    return this.b.transpose(t.name, toChannelsFirst(rank), this.nodeName('to_nchw'));
  }

  /** A Keras axis (negative counts from the end) as an axis of the IR value. */
  axis(t: KTensor, kerasAxis: number): number {
    if (t.rank === undefined) {
      if (t.cf) this.fail(`axis ${kerasAxis} of a tensor of unknown rank`);
      return kerasAxis;
    }
    const a = kerasAxis < 0 ? kerasAxis + t.rank : kerasAxis;
    if (a < 0 || a >= t.rank) this.fail(`axis ${kerasAxis} is outside a rank-${t.rank} tensor`);
    if (!t.cf || a === 0) return a;
    return a === t.rank - 1 ? 1 : a + 1;
  }

  hasWeight(param: string): boolean {
    return this.weights.find(this.name, param) !== undefined;
  }

  weightEntry(param: string): WeightEntry {
    const e = this.weights.find(this.name, param);
    if (!e) this.fail(`has no weight '${this.name}/${param}' in the weightsManifest`);
    return e;
  }

  /** Registers the weight as an initializer in the IR's layout and returns its name. */
  weight(param: string, opts: WeightOptions = {}): string {
    const e = this.weightEntry(param);
    return this.b.tensor(this.irTensor(e, opts));
  }

  irTensor(e: WeightEntry, opts: WeightOptions = {}): Tensor {
    if (opts.rank !== undefined && e.shape.length !== opts.rank) {
      this.fail(`weight '${e.name}' has shape ${quote(e.shape)}, expected rank ${opts.rank}`);
    }
    const permuted = opts.perm ? permuteShape(e.shape, opts.perm) : e.shape;
    const shape = opts.shape ? opts.shape(permuted) : permuted;
    if (elementCount(shape) !== elementCount(e.shape)) this.fail(`weight '${e.name}' of shape ${quote(e.shape)} does not fit ${quote(shape)}`);
    const data = e.data && opts.perm ? permutedData(e.data, e.shape, opts.perm) : e.data;
    const role = opts.role ?? 'parameter';
    const t: Tensor = { name: e.name, dtype: e.dtype, shape, role, trainable: role === 'buffer' ? false : this.trainable };
    if (data) t.data = data;
    if (e.stored) t.stored = e.stored;
    return t;
  }

  /** The layer's `activation` (if any) after `t`, as node `<layer>/<activation>`. */
  activation(t: KTensor): KTensor {
    const raw = this.config.raw('activation');
    // Keras 3 may serialize an activation as {class_name, config: {name}}.
    const act = typeof raw === 'string' ? raw : isObject(raw) && typeof raw.class_name === 'string' ? raw.class_name : raw == null ? 'linear' : this.fail(`activation ${quote(raw)} is not a name`);
    const axis = t.rank !== undefined ? this.axis(t, -1) : -1;
    const out = emitActivation(this.b, act, t.name, this.nodeName(act.toLowerCase()), { axis, domain: 'tfjs' });
    return { ...t, name: out };
  }
}
