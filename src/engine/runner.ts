// Runs an IR graph on the active TF.js backend (call initBackend first).
// Every node is checked and compiled when the runner is created, so a model
// the engine cannot run fails before any data is read; weights become TF.js
// tensors once. A run is one tf.tidy: values are freed after their last
// reader, and outputs and taps leave as Float32Arrays in ONNX layout.
// `forward` is the same pass on tensors, for training: it returns the outputs
// as tensors, takes live weights (RunnerOptions.live) per call, and is
// differentiable, so it runs inside tf.grad / optimizer.minimize.

import * as tf from '@tensorflow/tfjs-core';
import { ModelError } from '../core/errors';
import type { Graph, Node, ValueInfo } from '../core/graph/ir';
import { inferShapes } from '../core/shapes/infer';
import { Constants } from './constants';
import { fakeQuantize, prepareFakeQuant, type PreparedFakeQuant } from './fakequant';
import { KERNELS } from './ops';
import { tfDType } from './ops/constant';
import { constTensor } from './ops/conv';
import { Unsupported, type CompileEnv, type RunCtx, type Step } from './ops/types';
import { LATEST_OPSET, makePlan, type Plan } from './plan';
import type { RunnerOptions, RunResult, TensorOut } from './types';
import { Val } from './value';

export interface ForwardOptions {
  /** A tensor (a tf.Variable when training) for each live initializer, in the initializer's ONNX shape. */
  weights?: ReadonlyMap<string, tf.Tensor>;
  /** Values to return besides the outputs, in ONNX layout. */
  taps?: readonly string[];
  /**
   * Replaces each value as it is computed (the graph input first), after any RunnerOptions.fakeQuant. It sees the
   * physical tensor, which may be channels-last, so it must be elementwise and blind to layout (per-tensor fake
   * quantization, a min/max observer); it returns a tensor of the same shape.
   */
  onValue?: (name: string, t: tf.Tensor) => tf.Tensor;
}

export interface ForwardResult {
  /** In the order of graph.outputs, ONNX layout; owned by the caller (inside its tidy). */
  outputs: tf.Tensor[];
  taps: Map<string, tf.Tensor>;
}

/** Plans kept per input shape; a job uses one or two batch sizes (full batches and the last one). */
const PLAN_CACHE = 8;

export class GraphRunner {
  private readonly plans = new Map<string, Plan>();
  private disposed = false;

  private constructor(
    private readonly graph: Graph,
    private readonly file: string,
    private readonly input: ValueInfo,
    private readonly constants: Constants,
    /** Compiled step per graph.nodes index. */
    private readonly steps: Step[],
    /** Initializers uploaded as plain tensors, by name. */
    private readonly uploaded: Map<string, tf.Tensor>,
    /** Every tensor the runner owns (weights in all their forms, fake-quant parameters). */
    private readonly owned: Set<tf.Tensor>,
    private readonly fakeQuant: Map<string, PreparedFakeQuant>,
    /** Initializers given to each forward call (RunnerOptions.live). */
    private readonly live: ReadonlySet<string>,
  ) {}

  /** Throws ModelError naming the first node the engine cannot run. `file` is used in messages. */
  static create(graph: Graph, options: RunnerOptions = {}, file = graph.name || 'model'): GraphRunner {
    const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
    if (inputs.length !== 1) {
      throw new ModelError(file, `the engine runs models with one input; this one has ${inputs.length} (${inputs.map((v) => v.name).join(', ')})`);
    }
    const owned = new Set<tf.Tensor>();
    const keep = <T extends tf.Tensor>(t: T): T => {
      owned.add(t);
      return t;
    };
    try {
      const live = new Set(options.live ?? []);
      const constants = new Constants(graph, options.weights, live);
      const { steps, uploaded } = compile(graph, file, constants, keep);
      const fq = new Map<string, PreparedFakeQuant>();
      const produced = new Set([inputs[0].name, ...graph.nodes.flatMap((n) => n.outputs)]);
      for (const [name, spec] of options.fakeQuant ?? []) {
        if (graph.initializers.has(name)) throw new Error(`fakeQuant names initializer '${name}': pass quantized weights through options.weights`);
        if (!produced.has(name)) throw new Error(`fakeQuant names '${name}', which is not a value of the graph`);
        fq.set(name, prepareFakeQuant(name, spec, keep));
      }
      return new GraphRunner(graph, file, inputs[0], constants, steps, uploaded, owned, fq, live);
    } catch (e) {
      owned.forEach((t) => t.dispose());
      throw e;
    }
  }

  /**
   * Runs a batch of any size N; `shape` is the input's ONNX shape ([N, C, H, W]), its other dims as declared.
   * Taps are values to copy out, by name (fake-quantized when they are quantization points).
   */
  run(x: Float32Array, shape: number[], taps: readonly string[] = []): RunResult {
    if (this.disposed) throw new Error('the runner has been disposed');
    this.checkInput(shape);
    const n = shape.reduce((a, b) => a * b, 1);
    if (x.length !== n) throw new Error(`the input holds ${x.length} values; shape [${shape.join(', ')}] needs ${n}`);
    const result: RunResult = { outputs: [], taps: new Map() };
    tf.tidy(() => {
      const r = this.execute(tf.tensor(x, shape, 'float32'), { taps });
      result.outputs = r.slice(0, this.graph.outputs.length).map(copyOut);
      taps.forEach((name, i) => result.taps.set(name, copyOut(r[this.graph.outputs.length + i]!)));
    });
    return result;
  }

  /** The pass of `run` on tensors (x in ONNX layout), differentiable with respect to x and the live weights. */
  forward(x: tf.Tensor, options: ForwardOptions = {}): ForwardResult {
    if (this.disposed) throw new Error('the runner has been disposed');
    this.checkInput(x.shape);
    const taps = options.taps ?? [];
    const r = tf.tidy(() => this.execute(x, options));
    const outputs = r.slice(0, this.graph.outputs.length);
    return { outputs, taps: new Map(taps.map((name, i) => [name, r[outputs.length + i]!])) };
  }

  /** One pass inside the caller's tidy: the outputs, then the taps, as ONNX-layout tensors. */
  private execute(x: tf.Tensor, o: ForwardOptions): tf.Tensor[] {
    const plan = this.planFor(x.shape);
    const taps = o.taps ?? [];
    for (const name of taps) {
      if (!plan.values.has(name) && !this.graph.nodes.some((n) => n.outputs.includes(name))) {
        throw new Error(`tap '${name}' is not a value of the graph`);
      }
    }
    const weights = this.liveWeights(o.weights);
    const given = new Set(weights.values());
    const keepNames = new Set([...this.graph.outputs.map((v) => v.name), ...taps]);
    // The caller's input and weights are never freed here, even when an Identity passes them on.
    const store = new Store((t) => this.owned.has(t) || t === x || given.has(t));
    const resolve = this.resolver(store, plan, weights);
    const transform = (name: string, v: Val): Val => {
      const q = this.quantized(name, v);
      return o.onValue ? new Val(o.onValue(name, q.t), q.channelsLast) : q;
    };
    store.set(this.input.name, transform(this.input.name, new Val(x)));
    plan.steps.forEach((index, k) => {
      const node = this.graph.nodes[index];
      let outs: (Val | undefined)[] = [];
      // A tidy per node frees the kernel's and fake quantization's temporaries at once. It keeps the outputs and
      // every value the node read: a layout copy made for a later reader (Val.nhwc) must survive it.
      const touched: Val[] = [];
      const reading = (name: string): Val => {
        const v = resolve(name);
        touched.push(v);
        return v;
      };
      try {
        tf.tidy(() => {
          outs = this.steps[index](this.context(node, reading, plan)).map((v, j) => (v && node.outputs[j] ? transform(node.outputs[j], v) : v));
          return [...outs, ...touched].flatMap((v) => (v ? v.tensors() : []));
        });
      } catch (e) {
        throw this.nodeError(node, e, plan);
      }
      node.outputs.forEach((name, j) => {
        const v = outs[j];
        if (name && v) store.set(name, v);
      });
      for (const name of new Set([...node.inputs, ...node.outputs])) {
        if (name && !keepNames.has(name) && (plan.lastUse.get(name) ?? -1) <= k) store.release(name);
      }
    });
    return [...this.graph.outputs.map((v) => resolve(v.name).nchw()), ...taps.map((name) => resolve(name).nchw())];
  }

  /** Checks that every live initializer has a tensor of its shape. */
  private liveWeights(given: ReadonlyMap<string, tf.Tensor> | undefined): ReadonlyMap<string, tf.Tensor> {
    const weights = given ?? new Map<string, tf.Tensor>();
    for (const name of this.live) {
      const t = weights.get(name);
      const want = this.graph.initializers.get(name)!.shape;
      if (!t) throw new Error(`initializer '${name}' is live: pass its tensor in forward's options.weights`);
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        throw new Error(`live weight '${name}' is [${t.shape.join(', ')}]; the initializer is [${want.join(', ')}]`);
      }
    }
    return weights;
  }

  /** Frees the weight tensors. The runner cannot run afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.owned.forEach((t) => t.dispose());
    this.owned.clear();
    this.uploaded.clear();
    this.plans.clear();
  }

  private checkInput(shape: readonly number[]): void {
    const declared = this.input.shape;
    // Dim 0 is the batch whatever the file declares: exporters often fix it at 1.
    const fits = shape.length === declared.length &&
      shape.every((d, i) => Number.isInteger(d) && d >= 1 && (i === 0 || typeof declared[i] !== 'number' || declared[i] === d));
    if (!fits) {
      throw new ModelError(this.file, `input '${this.input.name}' is [${declared.join(', ')}]; the data given is [${shape.join(', ')}]`);
    }
  }

  private planFor(shape: readonly number[]): Plan {
    const key = shape.join('x');
    let plan = this.plans.get(key);
    if (!plan) {
      if (this.plans.size >= PLAN_CACHE) this.plans.delete(this.plans.keys().next().value!);
      plan = makePlan(this.graph, this.input.name, [...shape], this.constants);
      this.plans.set(key, plan);
    }
    return plan;
  }

  private quantized(name: string, v: Val): Val {
    const p = this.fakeQuant.get(name);
    return p ? fakeQuantize(v, p, name) : v;
  }

  /** A value by name: computed this run, a live weight, folded, an uploaded weight, or another constant (made for this run). */
  private resolver(store: Store, plan: Plan, weights: ReadonlyMap<string, tf.Tensor>): (name: string) => Val {
    return (name) => {
      const computed = store.get(name);
      if (computed) return computed;
      const w = weights.get(name);
      if (w && this.live.has(name)) return new Val(w);
      const up = this.uploaded.get(name);
      if (up) return new Val(up);
      const known = plan.known.get(name);
      const dtype = tfDType(plan.values.get(name)?.dtype ?? 'float32');
      let v: Val | undefined;
      if (known) v = new Val(tf.tensor(known.values as number[], known.shape, dtype));
      else {
        const c = this.constants.data(name);
        if (c) v = new Val(tfDType(c.dtype) === 'float32' ? constTensor(c) : tf.tensor(Array.from(c.values as ArrayLike<number>), c.shape, tfDType(c.dtype)));
      }
      if (!v) throw new Error(`value '${name}' is not available (a bug: the plan should have produced it)`);
      store.pin(name, v);
      return v;
    };
  }

  private context(node: Node, resolve: (name: string) => Val, plan: Plan): RunCtx {
    const name = (i: number): string => {
      const n = node.inputs[i];
      if (!n) throw new Unsupported(`input ${i} is missing`);
      return n;
    };
    return {
      node,
      has: (i) => !!node.inputs[i],
      val: (i) => resolve(name(i)),
      numbers: (i) => {
        const n = name(i);
        const known = plan.known.get(n);
        if (known) return known.values as number[];
        const c = this.constants.data(n);
        if (c) return Array.from(c.values as ArrayLike<number>);
        return Array.from(resolve(n).nchw().dataSync());
      },
      shape: (i) => plan.known.get(name(i))?.shape ?? resolve(name(i)).shape,
    };
  }

  private nodeError(node: Node, e: unknown, plan: Plan): Error {
    if (e instanceof ModelError) return e;
    const where = `node '${node.name}' (op '${node.opType}')`;
    if (e instanceof Unsupported) return new ModelError(this.file, `${where} cannot run on the engine: ${e.message}`);
    const problem = plan.problems.get(node);
    if (problem) return new ModelError(this.file, `${where}: ${problem}`);
    return new Error(`${where} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Checks and compiles every node in dependency order; uploads the weights kernels read as plain tensors. */
function compile(graph: Graph, file: string, constants: Constants, keep: <T extends tf.Tensor>(t: T) => T): { steps: Step[]; uploaded: Map<string, tf.Tensor> } {
  const shapes = inferShapes(graph);
  const env: CompileEnv = {
    opset: graph.opset ?? LATEST_OPSET,
    info: (name) => shapes.values.get(name),
    constant: (name) => constants.data(name),
    keep,
  };
  const available = new Set([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const steps: Step[] = new Array<Step>(graph.nodes.length);
  const uploaded = new Map<string, tf.Tensor>();
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  for (const { node } of shapes.nodes) {
    const refuse = (why: string): ModelError => new ModelError(file, `node '${node.name}' (op '${node.opType}') cannot run on the engine: ${why}`);
    const kernel = node.domain === '' || node.domain === 'ai.onnx' ? KERNELS.get(node.opType) : undefined;
    if (!kernel) throw refuse(node.domain && node.domain !== 'ai.onnx' ? `operators of domain '${node.domain}' are not supported` : 'the engine has no kernel for this operator');
    const missing = node.inputs.find((name) => name && !available.has(name));
    if (missing !== undefined) throw refuse(`its input '${missing}' is not computed before it (missing, or part of a cycle)`);
    try {
      steps[index.get(node)!] = kernel.compile(node, env);
    } catch (e) {
      if (e instanceof Unsupported) throw refuse(e.message);
      throw e;
    }
    node.inputs.forEach((name, i) => {
      if (!name || uploaded.has(name) || !constants.isInitializer(name) || kernel.ownInputs?.includes(i)) return;
      const c = constants.data(name);
      if (!c) return;
      const dtype = tfDType(c.dtype);
      uploaded.set(name, keep(dtype === 'float32' ? constTensor(c) : tf.tensor(Array.from(c.values as ArrayLike<number>), c.shape, dtype)));
    });
    node.outputs.forEach((name) => name && available.add(name));
  }
  return { steps, uploaded };
}

function copyOut(t: tf.Tensor): TensorOut {
  const data = t.dataSync();
  return { data: data instanceof Float32Array ? data.slice() : Float32Array.from(data as ArrayLike<number>), shape: [...t.shape] };
}

/**
 * Values of one run. A tensor may back several names (Identity, Dropout); it is freed when no live name uses
 * it. Constants made for the run are pinned: they live until the run's tidy ends.
 */
class Store {
  private readonly live = new Map<string, Val>();
  private readonly pinned = new Map<string, Val>();

  constructor(private readonly persistent: (t: tf.Tensor) => boolean) {}

  get(name: string): Val | undefined {
    return this.live.get(name) ?? this.pinned.get(name);
  }

  set(name: string, v: Val): void {
    this.live.set(name, v);
  }

  pin(name: string, v: Val): void {
    this.pinned.set(name, v);
  }

  release(name: string): void {
    const v = this.live.get(name);
    if (!v) return;
    this.live.delete(name);
    const inUse = new Set<tf.Tensor>();
    for (const u of [...this.live.values(), ...this.pinned.values()]) u.tensors().forEach((t) => inUse.add(t));
    for (const t of v.tensors()) if (!inUse.has(t) && !this.persistent(t)) t.dispose();
  }
}
