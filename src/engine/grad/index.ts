// Training on the wasm backend: the backprop kernels it lacks, and gradients
// for dilated convolutions (which stock TF.js refuses on every backend).

import * as tf from '@tensorflow/tfjs-core';
import { registerDilatedConvGradients } from './dilatedGradients';
import { WASM_GRAD_KERNELS } from './kernels';

export { conv2dFilterGrad, depthwiseFilterGrad } from './filterGrad';
export { conv2dInputGrad, depthwiseInputGrad } from './inputGrad';

/**
 * Registers Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput for
 * 'wasm' (each only if the backend has none), and the dilated-convolution gradients (global: they change only
 * cases that used to throw). Idempotent; may be called before or after the backend is set.
 */
export function registerWasmGradKernels(): void {
  for (const config of WASM_GRAD_KERNELS) {
    if (tf.getKernel(config.kernelName, config.backendName) == null) tf.registerKernel(config);
  }
  registerDilatedConvGradients();
}
