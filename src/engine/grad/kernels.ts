// The backprop kernels the wasm backend lacks (TF.js 4.22), composed of the
// convolutions it has. The attributes are those tfjs-core's gradients pass;
// dilations are honoured when given (the dilated-gradient override calls the
// formulas directly, so that it works on every backend).

import * as tf from '@tensorflow/tfjs-core';
import { composite } from './composite';
import { conv2dFilterGrad, depthwiseFilterGrad } from './filterGrad';
import { depthwiseInputGrad } from './inputGrad';

type Args = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

function input(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const info = inputs[name];
  if (info == null) throw new Error(`missing kernel input '${name}'`);
  return info;
}

const channelsLastOnly = (kernel: string, dataFormat: unknown): void => {
  if (dataFormat === 'NCHW') throw new Error(`${kernel} on wasm: dataFormat 'NCHW' is not supported (the wasm convolutions are NHWC only)`);
};

function conv2DBackpropFilter({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs & { dilations?: [number, number] | number };
  channelsLastOnly(tf.Conv2DBackpropFilter, a.dataFormat);
  return composite(backend as tf.KernelBackend, [input(inputs, 'x'), input(inputs, 'dy')], (x, dy) =>
    conv2dFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.pad, a.dilations ?? 1, a.dimRoundingMode),
  );
}

function depthwiseBackpropFilter({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropFilterAttrs;
  return composite(backend as tf.KernelBackend, [input(inputs, 'x'), input(inputs, 'dy')], (x, dy) =>
    depthwiseFilterGrad(x as tf.Tensor4D, dy as tf.Tensor4D, a.filterShape, a.strides, a.pad, a.dilations ?? 1, a.dimRoundingMode),
  );
}

function depthwiseBackpropInput({ inputs, backend, attrs }: Args): tf.TensorInfo {
  const a = attrs as unknown as tf.DepthwiseConv2dNativeBackpropInputAttrs;
  return composite(backend as tf.KernelBackend, [input(inputs, 'dy'), input(inputs, 'filter')], (dy, filter) =>
    depthwiseInputGrad(dy as tf.Tensor4D, filter as tf.Tensor4D, a.inputShape, a.strides, a.pad, a.dilations ?? 1, a.dimRoundingMode),
  );
}

export const WASM_GRAD_KERNELS: tf.KernelConfig[] = [
  { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilter as tf.KernelFunc },
  { kernelName: tf.DepthwiseConv2dNativeBackpropFilter, backendName: 'wasm', kernelFunc: depthwiseBackpropFilter as tf.KernelFunc },
  { kernelName: tf.DepthwiseConv2dNativeBackpropInput, backendName: 'wasm', kernelFunc: depthwiseBackpropInput as tf.KernelFunc },
];
