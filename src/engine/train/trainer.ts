// Training on the engine: the graph's live weights are tf.Variables (float32,
// keyed by initializer name), the forward pass is GraphRunner.forward (the
// same compiled kernels as inference, so there is one interpreter), the loss
// is softmax cross-entropy averaged over the batch (PyTorch's
// CrossEntropyLoss), and a tf.train optimizer applies the gradients. QAT
// plugs in through PassHooks: what the layers see of each weight, and every
// value as it is computed.

import * as tf from '@tensorflow/tfjs-core';
import type { Graph } from '../../core/graph/ir';
import { floatValues } from '../../core/graph/edit';
import { GraphRunner } from '../runner';
import { registerTrainingKernels } from './kernels';

export interface OptimizerConfig {
  optimizer: 'adam' | 'sgd';
  lr: number;
  /** SGD only: PyTorch's and TF.js's momentum are the same update (buf = m·buf + g; w −= lr·buf). */
  momentum: number;
}

export interface PassHooks {
  /** Before each pass, outside the gradient tape (QAT reads the weights to choose their scales). */
  begin?(variables: ReadonlyMap<string, tf.Variable>, training: boolean): void;
  /** What the layers see of a weight (QAT: its fake quantization). */
  weight?(name: string, v: tf.Tensor): tf.Tensor;
  /** Each value as it is computed (see ForwardOptions.onValue: elementwise, blind to layout). */
  value?(name: string, t: tf.Tensor, training: boolean): tf.Tensor;
}

export interface TrainerOptions {
  /** Initializers to train (trainableParameters). */
  names: readonly string[];
  /** Starting values for some of them (re-initialisation); the others start from the graph. */
  initial?: ReadonlyMap<string, Float32Array>;
  /** Replacements for initializers that are not trained (BN running statistics after re-initialisation). */
  fixed?: ReadonlyMap<string, Float32Array>;
  optimizer: OptimizerConfig;
  hooks?: PassHooks;
}

export interface StepResult {
  /** Mean cross-entropy over the batch. */
  loss: number;
  /** Correct top-1 predictions in the batch. */
  correct: number;
}

/** PyTorch's Adam epsilon (TF.js would use 1e-7). */
const ADAM_EPSILON = 1e-8;

export class Trainer {
  private disposed = false;

  private constructor(
    private readonly runner: GraphRunner,
    private readonly variables: Map<string, tf.Variable>,
    private readonly optimizer: tf.Optimizer,
    private readonly hooks: PassHooks,
    /** The rate it was created with: a schedule's starting point. */
    readonly baseLearningRate: number,
  ) {}

  static create(graph: Graph, options: TrainerOptions, file = graph.name || 'model'): Trainer {
    registerTrainingKernels();
    const runner = GraphRunner.create(graph, { live: new Set(options.names), ...(options.fixed ? { weights: new Map(options.fixed) } : {}) }, file);
    const variables = new Map<string, tf.Variable>();
    try {
      for (const name of options.names) {
        const t = graph.initializers.get(name)!;
        const values = options.initial?.get(name) ?? floatValues(t, name);
        variables.set(name, tf.tidy(() => tf.variable(tf.tensor(values, t.shape, 'float32'), true)));
      }
      const { optimizer, lr, momentum } = options.optimizer;
      const opt = optimizer === 'adam' ? tf.train.adam(lr, 0.9, 0.999, ADAM_EPSILON) : tf.train.momentum(lr, momentum);
      return new Trainer(runner, variables, opt, options.hooks ?? {}, lr);
    } catch (e) {
      runner.dispose();
      variables.forEach((v) => v.dispose());
      throw e;
    }
  }

  /** One optimizer step on a batch (x in ONNX layout [N, C, H, W]). */
  step(x: Float32Array, shape: number[], labels: Int32Array): StepResult {
    this.check();
    this.hooks.begin?.(this.variables, true);
    let predicted: tf.Tensor | undefined;
    try {
      const cost = tf.tidy(() => this.optimizer.minimize(() => {
        const logits = this.logits(x, shape, true);
        predicted = tf.keep(tf.argMax(logits, 1));
        const target = tf.oneHot(tf.tensor1d(labels, 'int32'), logits.shape[1]!);
        return tf.losses.softmaxCrossEntropy(target, logits) as tf.Scalar;
      }, true, [...this.variables.values()])!);
      const loss = cost.dataSync()[0]!;
      cost.dispose();
      const p = predicted!.dataSync();
      let correct = 0;
      for (let i = 0; i < labels.length; i++) if (p[i] === labels[i]) correct++;
      return { loss, correct };
    } finally {
      predicted?.dispose();
    }
  }

  /** For a schedule: the rate of the next steps (Adam's step size, SGD's lr). */
  setLearningRate(lr: number): void {
    this.check();
    // TF.js optimizers answer `instanceof` by duck typing (any optimizer "is" an SGDOptimizer), so ask for the method.
    const o = this.optimizer as unknown as { setLearningRate?: (lr: number) => void; learningRate: number };
    if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
    else o.learningRate = lr; // AdamOptimizer reads its (TypeScript-protected) learningRate on every step

  }

  /** Logits [N, K] with the current weights (QAT: fake-quantized, observers left as they are). */
  predict(x: Float32Array, shape: number[]): Float32Array {
    this.check();
    this.hooks.begin?.(this.variables, false);
    return tf.tidy(() => this.logits(x, shape, false).dataSync() as Float32Array).slice();
  }

  /** The trained values by initializer name. */
  weights(): Map<string, Float32Array> {
    this.check();
    return new Map([...this.variables].map(([name, v]) => [name, Float32Array.from(v.dataSync() as Float32Array)]));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    // TF.js 4.22's MomentumOptimizer.dispose frees its accumulators but not the learning-rate scalar of its SGD base.
    if (this.optimizer instanceof tf.MomentumOptimizer) (this.optimizer as unknown as { c?: tf.Tensor }).c?.dispose();
    this.variables.forEach((v) => v.dispose());
    this.runner.dispose();
  }

  private logits(x: Float32Array, shape: number[], training: boolean): tf.Tensor2D {
    const hooks = this.hooks;
    const weights = new Map<string, tf.Tensor>([...this.variables].map(([n, v]) => [n, hooks.weight ? hooks.weight(n, v) : v]));
    const onValue = hooks.value && ((name: string, t: tf.Tensor) => hooks.value!(name, t, training));
    const out = this.runner.forward(tf.tensor(x, shape, 'float32'), { weights, ...(onValue ? { onValue } : {}) }).outputs[0]!;
    // Classifiers end in [N, K]; [N, K, 1, 1] (a conv head) is the same thing.
    if (out.rank === 2) return out as tf.Tensor2D;
    if (out.shape.slice(2).every((d) => d === 1)) return tf.reshape(out, [out.shape[0]!, out.shape[1]!]);
    throw new Error(`training needs a classifier output [N, classes]; this model's output is [${out.shape.join(', ')}]`);
  }

  private check(): void {
    if (this.disposed) throw new Error('the trainer has been disposed');
  }
}
