// Running public TF.js ops inside a kernel. A kernel receives TensorInfos and
// must return TensorInfos whose data it owns. The inputs are wrapped as
// tensors with their own reference (incRef first: makeTensorFromTensorInfo
// alone takes none, and disposing the wrapper would free the caller's data);
// the result's data gets one extra reference that the engine's output tensor
// takes over once our wrapper is disposed. The ops run with the tape off
// (the engine raises kernelDepth around every kernel), and tidy frees the
// intermediates.

import * as tf from '@tensorflow/tfjs-core';

export function composite<I extends tf.TensorInfo[]>(
  backend: tf.KernelBackend,
  inputs: I,
  compute: (...xs: { [K in keyof I]: tf.Tensor }) => tf.Tensor,
): tf.TensorInfo {
  const engine = tf.engine();
  const wrapped = inputs.map((info) => {
    backend.incRef(info.dataId);
    return engine.makeTensorFromTensorInfo(info, backend);
  });
  try {
    const out = tf.tidy(() => compute(...(wrapped as { [K in keyof I]: tf.Tensor })));
    backend.incRef(out.dataId);
    const info = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    out.dispose();
    return info;
  } finally {
    wrapped.forEach((t) => t.dispose());
  }
}
