// The operator table for the default ONNX domain. Shape inference, the summary
// and quantization look ops up here; an op missing from it is listed by name
// with unknown outputs.

import { ACTIVATION_OPS } from './activation';
import { Cast, Constant, ConstantOfShape, Range, ShapeOp, Size } from './constant';
import { Conv, ConvTranspose } from './conv';
import { ELEMENTWISE_OPS } from './elementwise';
import { Gemm, MatMul } from './linear';
import { BatchNormalization, GroupNormalization, InstanceNormalization, LayerNormalization, LRN } from './norm';
import { POOL_OPS } from './pool';
import { DequantizeLinear, QuantizeLinear } from './quant';
import { REDUCE_OPS } from './reduce';
import { Resize, Upsample } from './resize';
import { Dropout, Expand, Flatten, Identity, Reshape, Squeeze, Transpose, Unsqueeze } from './shape';
import { Concat, Gather, GatherElements, Pad, Slice, Split, Tile } from './slice';
import type { OpDef } from './types';

export const OPS: ReadonlyMap<string, OpDef> = new Map<string, OpDef>([
  ['Conv', Conv],
  ['ConvTranspose', ConvTranspose],
  ['Gemm', Gemm],
  ['MatMul', MatMul],
  ['BatchNormalization', BatchNormalization],
  ['InstanceNormalization', InstanceNormalization],
  ['LayerNormalization', LayerNormalization],
  ['GroupNormalization', GroupNormalization],
  ['LRN', LRN],
  ...ACTIVATION_OPS,
  ...POOL_OPS,
  ...ELEMENTWISE_OPS,
  ...REDUCE_OPS,
  ['Flatten', Flatten],
  ['Reshape', Reshape],
  ['Transpose', Transpose],
  ['Squeeze', Squeeze],
  ['Unsqueeze', Unsqueeze],
  ['Expand', Expand],
  ['Identity', Identity],
  ['Dropout', Dropout],
  ['Shape', ShapeOp],
  ['Size', Size],
  ['Constant', Constant],
  ['ConstantOfShape', ConstantOfShape],
  ['Range', Range],
  ['Cast', Cast],
  ['CastLike', Cast],
  ['Concat', Concat],
  ['Split', Split],
  ['Slice', Slice],
  ['Gather', Gather],
  ['GatherElements', GatherElements],
  ['Pad', Pad],
  ['Tile', Tile],
  ['Resize', Resize],
  ['Upsample', Upsample],
  ['QuantizeLinear', QuantizeLinear],
  ['DequantizeLinear', DequantizeLinear],
]);
