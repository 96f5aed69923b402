// Just enough protobuf to write a one-node ONNX model in a test: a model whose
// names a test controls (e.g. markup in a layer name) without a fixture file.
// Field numbers are onnx.proto's (ModelProto, GraphProto, NodeProto, ...).

import { encodeMessage as message, type Field } from '../../src/core/formats/onnx/encode';

const FLOAT = 1; // TensorProto.DataType.FLOAT

function valueInfo(name: string, shape: number[]): Uint8Array {
  const dims = shape.map((d): Field => [1, message([[1, d]])]);
  const tensorType = message([[1, FLOAT], [2, message(dims)]]);
  return message([[1, name], [2, message([[1, tensorType]])]]);
}

/** A model `y = op(x)` with one node named `nodeName`; x and y are float32 of `shape`. */
export function oneNodeOnnx(nodeName: string, opType: string, shape: number[]): Uint8Array {
  const node = message([[1, 'x'], [2, 'y'], [3, nodeName], [4, opType]]);
  const graph = message([[1, node], [2, 'g'], [11, valueInfo('x', shape)], [12, valueInfo('y', shape)]]);
  const opset = message([[1, ''], [2, 13]]);
  return message([[1, 8], [2, 'quantlab-test'], [7, graph], [8, opset]]);
}
