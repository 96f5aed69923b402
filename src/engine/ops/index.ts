// The engine's kernel table: the ops GraphRunner can execute. A node whose op
// is missing here is refused when the runner is created, naming the node.

import { CONSTANT_KERNELS } from './constant';
import { CONV_KERNELS } from './conv';
import { ELEMENTWISE_KERNELS } from './elementwise';
import { LINEAR_KERNELS } from './linear';
import { NORM_KERNELS } from './norm';
import { POOL_KERNELS } from './pool';
import { REDUCE_KERNELS } from './reduce';
import { SHAPE_KERNELS } from './shape';
import type { Kernel } from './types';

export const KERNELS: ReadonlyMap<string, Kernel> = new Map<string, Kernel>([
  ...CONV_KERNELS,
  ...LINEAR_KERNELS,
  ...POOL_KERNELS,
  ...NORM_KERNELS,
  ...ELEMENTWISE_KERNELS,
  ...SHAPE_KERNELS,
  ...CONSTANT_KERNELS,
  ...REDUCE_KERNELS,
]);
