// What the engine (the only code that imports TensorFlow.js) offers the jobs.

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** x → (clamp(round(x/scale) + zeroPoint, qmin, qmax) − zeroPoint) · scale, per tensor or per channel (axis 1). */
export interface FakeQuantSpec {
  scale: number | Float32Array;
  zeroPoint: number | Int32Array;
  qmin: number;
  qmax: number;
  /** 'round': half away from zero (2.5 → 3, −2.5 → −3); 'floor': towards −∞. */
  rounding: 'round' | 'floor';
}

export interface TensorOut {
  data: Float32Array;
  shape: number[];
}

/** What GraphRunner.run returns: values in ONNX layout (NCHW), copied out of TF.js. */
export interface RunResult {
  /** In the order of graph.outputs. */
  outputs: TensorOut[];
  /** By the names asked for. */
  taps: Map<string, TensorOut>;
}

export interface RunnerOptions {
  /** Replace initializer values (by initializer name), e.g. with dequantized weights. */
  weights?: Map<string, Float32Array>;
  /** Fake-quantize these values (IR value names) right after they are computed (graph inputs too). */
  fakeQuant?: Map<string, FakeQuantSpec>;
  /**
   * Float32 initializers passed to each GraphRunner.forward call as tensors (tf.Variables when training) instead
   * of being uploaded once: kernels read them per run, so gradients flow to them.
   */
  live?: ReadonlySet<string>;
}
