// Faster wasm kernels for the backward pass (TF.js 4.22), registered for
// training only (Trainer.create): inference and the other backends never see
// them, and each gives the values of the kernel it replaces (tests compare
// them with the cpu backend). Timings are LeNet-5's at batch 64 on this
// machine, best of 25:
//   - BatchMatMul with transposeA/B: the wasm kernel takes a slow path (1.7 ms
//     for 64×120 · (400×120)ᵀ against 0.18 ms untransposed), and backprop asks
//     for transposes every time; transposing first and multiplying plainly is
//     exact.
//   - Conv2DBackpropInput: the wasm kernel is a plain loop (3 ms for conv2).
//     A 1×1 output covered by the filter once (a conv acting as a dense layer)
//     is a matmul, dx = dy · Wᵀ; at stride 1 dx is a forward convolution of dy
//     with the flipped filter (src/engine/grad/inputGrad.ts). Other cases keep
//     the backend's kernel.
//   - MaxPoolGrad: the wasm kernel takes 5 ms for LeNet's first pool; one pass
//     over the windows in JavaScript, on the backend's own memory, takes a
//     fraction of that. Like the cpu kernel, the gradient goes to the first
//     maximum of each window in row-major order (PyTorch's choice too).

import * as tf from '@tensorflow/tfjs-core';
import { conv2dInputGrad } from '../grad';
import { composite } from '../grad/composite';

type Args = Parameters<tf.KernelFunc>[0];

/** What MaxPoolGrad uses of the wasm backend (public methods of BackendWasm). */
interface WasmMemory {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray;
}

const natives = new Map<string, tf.KernelFunc>();

function override(kernelName: string, make: (native: tf.KernelFunc) => tf.KernelFunc): void {
  if (natives.has(kernelName)) return;
  const own = tf.getKernel(kernelName, 'wasm');
  if (!own) return;
  natives.set(kernelName, own.kernelFunc);
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...own, kernelFunc: make(own.kernelFunc) });
}

/** Idempotent; does nothing for kernels the wasm backend does not register. */
export function registerTrainingKernels(): void {
  override(tf.BatchMatMul, (native) => (args) => batchMatMul(args, native));
  override(tf.Conv2DBackpropInput, (native) => (args) => backpropInput(args, native));
  override(tf.MaxPoolGrad, (native) => (args) => maxPoolGrad(args, native));
}

function batchMatMul(args: Args, native: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return native(args);
  const swap = (t: tf.Tensor): tf.Tensor => {
    const perm = [...t.shape.keys()];
    perm.push(...perm.splice(-2).reverse());
    return tf.transpose(t, perm);
  };
  return composite(args.backend as tf.KernelBackend, [args.inputs['a']!, args.inputs['b']!], (a, b) =>
    tf.matMul(transposeA ? swap(a) : a, transposeB ? swap(b) : b),
  );
}

function backpropInput(args: Args, native: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const a = args.attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const [dy, filter] = [args.inputs['dy']!, args.inputs['filter']!];
  const [n, h, w, c] = a.inputShape;
  const [kh, kw, , o] = filter.shape as [number, number, number, number];
  const strides = typeof a.strides === 'number' ? [a.strides, a.strides] : a.strides;
  if (a.dataFormat === 'NCHW') return native(args);
  if (dy.shape[1] === 1 && dy.shape[2] === 1 && h === kh && w === kw && a.pad === 'valid') {
    return composite(args.backend as tf.KernelBackend, [dy, filter], (d, f) =>
      tf.reshape(tf.matMul(tf.reshape(d, [n, o]), tf.transpose(tf.reshape(f, [kh * kw * c, o]))), [n, h, w, c]),
    );
  }
  if (strides[0] === 1 && strides[1] === 1) {
    // A full correlation with the flipped filter, the padding passed to the conv (no separate Pad): top/left
    // k − 1 − pad, bottom/right what makes the output H × W.
    const info = tf.backend_util.computeConv2DInfo(a.inputShape, filter.shape as [number, number, number, number], 1, 1, a.pad, a.dimRoundingMode);
    const [pt, pl] = [kh - 1 - info.padInfo.top, kw - 1 - info.padInfo.left];
    const [pb, pr] = [h - dy.shape[1]! - pt + kh - 1, w - dy.shape[2]! - pl + kw - 1];
    return composite(args.backend as tf.KernelBackend, [dy, filter], (d, f) =>
      Math.min(pt, pl, pb, pr) < 0
        ? conv2dInputGrad(d as tf.Tensor4D, f as tf.Tensor4D, a.inputShape, 1, a.pad, 1, a.dimRoundingMode)
        : tf.conv2d(d as tf.Tensor4D, tf.transpose(tf.reverse(f, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D, 1, [[0, 0], [pt, pb], [pl, pr], [0, 0]]),
    );
  }
  return native(args);
}

function maxPoolGrad(args: Args, native: tf.KernelFunc): tf.TensorInfo | tf.TensorInfo[] {
  const backend = args.backend as unknown as Partial<WasmMemory>;
  const [dy, input] = [args.inputs['dy']!, args.inputs['input']!];
  if (!backend.makeOutput || !backend.typedArrayFromHeap || input.dtype !== 'float32') return native(args);
  const a = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const p = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  // The output first: allocating may grow the wasm memory, which detaches earlier views of it.
  const out = backend.makeOutput(input.shape, 'float32');
  const dx = backend.typedArrayFromHeap(out) as Float32Array;
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  dx.fill(0);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = p;
  const [sh, sw, fh, fw, top, left] = [p.strideHeight, p.strideWidth, p.filterHeight, p.filterWidth, p.padInfo.top, p.padInfo.left];
  // Window by window, all channels at once: the inner loop runs along memory (NHWC).
  const best = new Float32Array(C);
  const at = new Int32Array(C);
  for (let b = 0; b < N; b++) {
    for (let i = 0; i < OH; i++) {
      const r0 = Math.max(0, i * sh - top);
      const r1 = Math.min(H, i * sh - top + fh);
      for (let j = 0; j < OW; j++) {
        const c0 = Math.max(0, j * sw - left);
        const c1 = Math.min(W, j * sw - left + fw);
        best.fill(-Infinity);
        at.fill(-1);
        for (let r = r0; r < r1; r++) {
          for (let q = c0; q < c1; q++) {
            const base = ((b * H + r) * W + q) * C;
            for (let ch = 0; ch < C; ch++) {
              const v = x[base + ch]!;
              if (v > best[ch]!) {
                best[ch] = v;
                at[ch] = base + ch;
              }
            }
          }
        }
        const gBase = ((b * OH + i) * OW + j) * C;
        for (let ch = 0; ch < C; ch++) if (at[ch]! >= 0) dx[at[ch]!] += g[gBase + ch]!;
      }
    }
  }
  return out;
}
