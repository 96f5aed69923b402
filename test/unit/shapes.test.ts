// Shape inference on small graphs built in code: each test builds the nodes a
// PyTorch export would contain and checks shapes, MACs, parameter roles and
// the problems reported when something does not fit.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { elementCount, type AttrValue, type DType, type Graph, type Node, type Shape, type Tensor } from '../../src/core/graph/ir';
import { inferShapes } from '../../src/core/shapes/infer';
import type { InferredNode, ShapeResult } from '../../src/core/shapes/types';

/** An initializer; `values` given makes it readable (shape operands), otherwise it reads as zeros. */
function tensor(name: string, shape: number[], values?: number[], dtype: DType = values ? 'int64' : 'float32'): Tensor {
  const n = elementCount(shape);
  return { name, dtype, shape, data: { byteLength: n * 4, read: () => values ?? new Float32Array(n) } };
}

function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): Node {
  return { name: `${opType}_${outputs[0]}`, opType, domain, inputs, outputs, attrs };
}

interface GraphSpec {
  inputs: [string, Shape][];
  inits?: Tensor[];
  opset?: number;
  valueInfo?: [string, Shape][];
}

function graph(nodes: Node[], spec: GraphSpec): Graph {
  return {
    format: 'onnx',
    producer: 'test',
    name: 'test',
    opset: spec.opset ?? 13,
    inputs: spec.inputs.map(([name, shape]) => ({ name, dtype: 'float32', shape })),
    outputs: [],
    nodes,
    initializers: new Map((spec.inits ?? []).map((t) => [t.name, t])),
    valueInfo: new Map((spec.valueInfo ?? []).map(([name, shape]) => [name, { name, dtype: 'float32', shape }])),
    metadata: {},
  };
}

const shapeOf = (r: ShapeResult, name: string): Shape | undefined => r.values.get(name)?.shape;
const byOutput = (r: ShapeResult, name: string): InferredNode => r.nodes.find((n) => n.node.outputs[0] === name)!;

/** One node applied to input x (shape given) and initializers; returns that node's result. */
function single(opType: string, xShape: Shape, inits: Tensor[], attrs: Record<string, AttrValue> = {}, opset = 13): InferredNode {
  const g = graph([node(opType, ['x', ...inits.map((t) => t.name)], ['y'], attrs)], { inputs: [['x', xShape]], inits, opset });
  return inferShapes(g).nodes[0];
}

function lenet(): Graph {
  const conv = (i: number, x: string): Node => node('Conv', [x, `conv${i}.weight`], [`c${i}`], { kernel_shape: [5, 5] });
  return graph(
    [
      conv(1, 'x'), node('Relu', ['c1'], ['r1']), node('MaxPool', ['r1'], ['p1'], { kernel_shape: [2, 2], strides: [2, 2] }),
      conv(2, 'p1'), node('Relu', ['c2'], ['r2']), node('MaxPool', ['r2'], ['p2'], { kernel_shape: [2, 2], strides: [2, 2] }),
      conv(3, 'p2'), node('Relu', ['c3'], ['r3']), node('Flatten', ['r3'], ['f'], { axis: 1 }),
      node('Gemm', ['f', 'fc1.weight'], ['g1'], { transB: 1 }), node('Relu', ['g1'], ['r4']),
      node('Gemm', ['r4', 'fc2.weight'], ['g2'], { transB: 1 }),
    ],
    {
      inputs: [['x', [1, 1, 32, 32]]],
      inits: [
        tensor('conv1.weight', [6, 1, 5, 5]), tensor('conv2.weight', [16, 6, 5, 5]), tensor('conv3.weight', [120, 16, 5, 5]),
        tensor('fc1.weight', [84, 120]), tensor('fc2.weight', [10, 84]),
      ],
    },
  );
}

describe('inferShapes: LeNet-5', () => {
  const r = inferShapes(lenet());

  it('gives torchinfo output shapes', () => {
    const expected: [string, Shape][] = [
      ['c1', [1, 6, 28, 28]], ['p1', [1, 6, 14, 14]], ['c2', [1, 16, 10, 10]], ['p2', [1, 16, 5, 5]],
      ['c3', [1, 120, 1, 1]], ['f', [1, 120]], ['g1', [1, 84]], ['g2', [1, 10]],
    ];
    for (const [name, shape] of expected) assert.deepEqual(shapeOf(r, name), shape, name);
    assert.ok(r.nodes.every((n) => n.known && !n.problem && n.layer));
  });

  it('counts 416,520 MACs', () => {
    assert.deepEqual(['c1', 'c2', 'c3', 'g1', 'g2'].map((o) => byOutput(r, o).macs), [117_600, 240_000, 48_000, 10_080, 840]);
    assert.equal(r.nodes.reduce((s, n) => s + n.macs, 0), 416_520);
  });

  it('names parameters and kernels', () => {
    assert.deepEqual(byOutput(r, 'c1').parameters, ['conv1.weight']);
    assert.deepEqual(byOutput(r, 'g2').parameters, ['fc2.weight']);
    assert.deepEqual(byOutput(r, 'c2').kernelShape, [5, 5]);
    assert.deepEqual(byOutput(r, 'p1').kernelShape, [2, 2]);
    assert.equal(byOutput(r, 'r1').kernelShape, undefined);
  });
});

describe('inferShapes: Conv', () => {
  it('handles depthwise convolution (group = C) with bias', () => {
    const n = single('Conv', [1, 8, 16, 16], [tensor('w', [8, 1, 3, 3]), tensor('b', [8])], { group: 8, pads: [1, 1, 1, 1] });
    assert.deepEqual(n.outputs[0].shape, [1, 8, 16, 16]);
    assert.equal(n.macs, (72 + 8) * 256);
    assert.deepEqual(n.parameters, ['w', 'b']);
  });

  it('applies strides, pads and dilations', () => {
    const w = [tensor('w', [4, 3, 3, 3])];
    assert.deepEqual(single('Conv', [1, 3, 32, 32], w, { strides: [2, 2], pads: [1, 1, 1, 1] }).outputs[0].shape, [1, 4, 16, 16]);
    assert.deepEqual(single('Conv', [1, 3, 32, 32], w, { dilations: [2, 2] }).outputs[0].shape, [1, 4, 28, 28]);
    assert.deepEqual(single('Conv', [1, 3, 32, 20], w, { pads: [0, 2, 0, 2] }).outputs[0].shape, [1, 4, 30, 22]);
  });

  it('applies auto_pad SAME_UPPER, SAME_LOWER and VALID', () => {
    const w = [tensor('w', [4, 3, 3, 3])];
    for (const autoPad of ['SAME_UPPER', 'SAME_LOWER']) {
      assert.deepEqual(single('Conv', [1, 3, 33, 32], w, { auto_pad: autoPad, strides: [2, 2] }).outputs[0].shape, [1, 4, 17, 16]);
      assert.deepEqual(single('Conv', [1, 3, 33, 32], w, { auto_pad: autoPad }).outputs[0].shape, [1, 4, 33, 32]);
    }
    assert.deepEqual(single('Conv', [1, 3, 33, 32], w, { auto_pad: 'VALID', strides: [2, 2], pads: [5, 5, 5, 5] }).outputs[0].shape, [1, 4, 16, 15]);
  });

  it('handles 1-D and 3-D convolution and keeps a symbolic batch', () => {
    assert.deepEqual(single('Conv', ['N', 2, 10], [tensor('w', [4, 2, 3])]).outputs[0].shape, ['N', 4, 8]);
    const n3 = single('Conv', [1, 1, 8, 8, 8], [tensor('w', [2, 1, 3, 3, 3])]);
    assert.deepEqual(n3.outputs[0].shape, [1, 2, 6, 6, 6]);
    assert.deepEqual(n3.kernelShape, [3, 3, 3]);
  });

  it('quotes both shapes when channels do not match', () => {
    const n = single('Conv', [1, 3, 32, 32], [tensor('w', [6, 1, 5, 5])]);
    assert.match(n.problem ?? '', /\[1, 3, 32, 32\].*\[6, 1, 5, 5\]/);
    assert.deepEqual(n.outputs, []);
    const dw = single('Conv', [1, 8, 16, 16], [tensor('w', [8, 2, 3, 3])], { group: 8 });
    assert.match(dw.problem ?? '', /8 channels.*\[8, 2, 3, 3\] with group 8 expects 16/);
  });
});

describe('inferShapes: ConvTranspose', () => {
  const w = (): Tensor[] => [tensor('w', [16, 8, 4, 4]), tensor('b', [8])];

  it('computes the output from strides and pads', () => {
    const n = single('ConvTranspose', [1, 16, 8, 8], w(), { strides: [2, 2], pads: [1, 1, 1, 1] });
    assert.deepEqual(n.outputs[0].shape, [1, 8, 16, 16]);
    // weight × N × input pixels + bias × N × output pixels
    assert.equal(n.macs, 2048 * 64 + 8 * 256);
    assert.deepEqual(n.kernelShape, [4, 4]);
  });

  it('applies output_padding, output_shape, group and SAME', () => {
    const s3 = { strides: [3, 3], kernel_shape: [3, 3] };
    const w3 = [tensor('w', [2, 1, 3, 3])];
    assert.deepEqual(single('ConvTranspose', [1, 2, 5, 5], w3, { ...s3, output_padding: [1, 2] }).outputs[0].shape, [1, 1, 16, 17]);
    assert.deepEqual(single('ConvTranspose', [1, 2, 5, 5], w3, { ...s3, output_shape: [10, 8] }).outputs[0].shape, [1, 1, 10, 8]);
    assert.deepEqual(single('ConvTranspose', [1, 2, 5, 5], w3, { group: 2 }).outputs[0].shape, [1, 2, 7, 7]);
    assert.deepEqual(single('ConvTranspose', [1, 2, 5, 5], w3, { ...s3, auto_pad: 'SAME_UPPER' }).outputs[0].shape, [1, 1, 15, 15]);
  });
});

describe('inferShapes: pools', () => {
  it('uses ceil_mode, dropping a window that would start in the padding', () => {
    const k = { kernel_shape: [3, 3], strides: [2, 2] };
    assert.deepEqual(single('MaxPool', [1, 1, 6, 6], [], k).outputs[0].shape, [1, 1, 2, 2]);
    assert.deepEqual(single('MaxPool', [1, 1, 6, 6], [], { ...k, ceil_mode: 1 }).outputs[0].shape, [1, 1, 3, 3]);
    const padded = { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 };
    assert.deepEqual(single('AveragePool', [1, 1, 3, 3], [], padded).outputs[0].shape, [1, 1, 2, 2]);
  });

  it('applies dilations, auto_pad and global pooling', () => {
    assert.deepEqual(single('MaxPool', [1, 1, 10, 10], [], { kernel_shape: [3, 3], dilations: [2, 2] }).outputs[0].shape, [1, 1, 6, 6]);
    const same = { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_LOWER' };
    assert.deepEqual(single('AveragePool', [1, 1, 7, 8], [], same).outputs[0].shape, [1, 1, 4, 4]);
    assert.deepEqual(single('GlobalAveragePool', ['N', 64, 7, 7], []).outputs[0].shape, ['N', 64, 1, 1]);
  });
});

describe('inferShapes: linear layers', () => {
  it('Gemm with transB and bias counts rows × (weight + bias)', () => {
    const n = single('Gemm', [2, 120], [tensor('W', [84, 120]), tensor('B', [84])], { transB: 1 });
    assert.deepEqual(n.outputs[0].shape, [2, 84]);
    assert.equal(n.macs, 2 * (84 * 120 + 84));
    assert.deepEqual(n.parameters, ['W', 'B']);
    assert.deepEqual(single('Gemm', [120, 2], [tensor('W', [120, 84])], { transA: 1 }).outputs[0].shape, [2, 84]);
  });

  it('Gemm quotes both shapes when inner dims differ', () => {
    const n = single('Gemm', [2, 120], [tensor('W', [84, 100])], { transB: 1 });
    assert.match(n.problem ?? '', /A \[2, 120\] has K = 120, B \[84, 100\] transposed has K = 100/);
  });

  it('MatMul broadcasts batch dims and promotes 1-D operands', () => {
    const g = graph(
      [node('MatMul', ['a', 'b'], ['ab']), node('MatMul', ['v', 'm'], ['vm']), node('MatMul', ['m2', 'v'], ['mv'])],
      { inputs: [['a', [2, 1, 3, 4]], ['b', [5, 4, 6]], ['v', [4]], ['m', [4, 6]], ['m2', [3, 4]]] },
    );
    const r = inferShapes(g);
    assert.deepEqual(shapeOf(r, 'ab'), [2, 5, 3, 6]);
    assert.equal(byOutput(r, 'ab').macs, 10 * 3 * 4 * 6);
    assert.deepEqual(shapeOf(r, 'vm'), [6]);
    assert.deepEqual(shapeOf(r, 'mv'), [3]);
    const bad = single('MatMul', [2, 3, 4], [tensor('W', [5, 6])]);
    assert.match(bad.problem ?? '', /\[2, 3, 4\].*\[5, 6\]/);
  });

  it('Linear exported as MatMul + Add: the bias is a parameter, a scalar is not', () => {
    const g = graph(
      [node('MatMul', ['x', 'W'], ['h']), node('Add', ['h', 'b'], ['y']), node('Mul', ['y', 'half'], ['z'])],
      { inputs: [['x', ['batch', 7, 16]]], inits: [tensor('W', [16, 32]), tensor('b', [32]), tensor('half', [], [0.5], 'float32')] },
    );
    const r = inferShapes(g);
    assert.deepEqual(shapeOf(r, 'z'), ['batch', 7, 32]);
    assert.deepEqual(byOutput(r, 'h').parameters, ['W']);
    assert.equal(byOutput(r, 'h').macs, 7 * 16 * 32);
    assert.deepEqual(byOutput(r, 'y').parameters, ['b']);
    assert.deepEqual(byOutput(r, 'z').parameters, []);
  });

  it('elementwise broadcasting quotes the shapes that clash', () => {
    const n = single('Add', [1, 3, 4], [tensor('c', [5])]);
    assert.match(n.problem ?? '', /cannot broadcast \[1, 3, 4\] with \[5\]/);
  });
});

describe('inferShapes: BatchNormalization', () => {
  it('separates parameters from buffers', () => {
    const stats = ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var'].map((n) => tensor(n, [4]));
    const n = single('BatchNormalization', [2, 4, 8, 8], stats);
    assert.deepEqual(n.outputs[0].shape, [2, 4, 8, 8]);
    assert.deepEqual(n.parameters, ['bn.weight', 'bn.bias']);
    assert.deepEqual(n.buffers, ['bn.running_mean', 'bn.running_var']);
    assert.equal(n.macs, 2 * (4 + 4));
    const bad = single('BatchNormalization', [2, 4, 8, 8], [tensor('s', [3]), ...stats.slice(1)]);
    assert.match(bad.problem ?? '', /\[3\].*\[2, 4, 8, 8\]/);
  });
});

describe('inferShapes: x.view(x.size(0), -1) with a symbolic batch', () => {
  /** Shape → Gather(0) → Unsqueeze → Concat with [-1] → Reshape, as PyTorch exports it. */
  function chain(opset: number): Graph {
    const unsqueeze = opset >= 13 ? node('Unsqueeze', ['g', 'axes'], ['u']) : node('Unsqueeze', ['g'], ['u'], { axes: [0] });
    return graph(
      [
        node('Shape', ['x'], ['s']),
        node('Constant', [], ['zero'], { value: tensor('zero', [], [0]) }),
        node('Gather', ['s', 'zero'], ['g'], { axis: 0 }),
        unsqueeze,
        node('Constant', [], ['minus1'], { value: tensor('minus1', [1], [-1]) }),
        node('Concat', ['u', 'minus1'], ['t'], { axis: 0 }),
        node('Reshape', ['x', 't'], ['y']),
      ],
      { inputs: [['x', ['batch_size', 16, 5, 5]]], inits: opset >= 13 ? [tensor('axes', [1], [0])] : [], opset },
    );
  }

  for (const opset of [11, 13]) {
    it(`folds the chain at opset ${opset}`, () => {
      const r = inferShapes(chain(opset));
      assert.deepEqual(shapeOf(r, 'y'), ['batch_size', 400]);
      assert.deepEqual(shapeOf(r, 't'), [2]);
      assert.ok(r.nodes.every((n) => !n.problem));
      assert.deepEqual(r.nodes.filter((n) => n.layer).map((n) => n.node.opType), ['Reshape']);
    });
  }

  it('Flatten and an initializer target keep the symbol', () => {
    assert.deepEqual(single('Flatten', ['N', 16, 5, 5], []).outputs[0].shape, ['N', 400]);
    assert.deepEqual(single('Reshape', ['N', 16, 5, 5], [tensor('t', [3], [0, -1, 25])]).outputs[0].shape, ['N', 16, 25]);
    assert.deepEqual(single('Reshape', ['N', 16, 5, 5], [tensor('t', [2], [-1, 400])]).outputs[0].shape, ['N', 400]);
    const bad = single('Reshape', [1, 16, 5, 5], [tensor('t', [2], [1, 300])]);
    assert.match(bad.problem ?? '', /\[1, 16, 5, 5\].*\[1, 300\]/);
  });

  it('the inputShapes option replaces the declared input shape', () => {
    const r = inferShapes(chain(13), { inputShapes: new Map([['x', [8, 16, 5, 5]]]) });
    assert.deepEqual(shapeOf(r, 'y'), [8, 400]);
  });
});

describe('inferShapes: operands that moved from attributes to inputs', () => {
  it('Squeeze and Unsqueeze axes', () => {
    assert.deepEqual(single('Squeeze', [1, 3, 1, 5], [], { axes: [2] }, 11).outputs[0].shape, [1, 3, 5]);
    assert.deepEqual(single('Squeeze', [1, 3, 1, 5], [tensor('a', [1], [0])], {}, 13).outputs[0].shape, [3, 1, 5]);
    assert.deepEqual(single('Squeeze', [1, 3, 1, 5], []).outputs[0].shape, [3, 5]);
    assert.deepEqual(single('Unsqueeze', [3, 5], [tensor('a', [2], [0, -1])], {}, 13).outputs[0].shape, [1, 3, 5, 1]);
    assert.match(single('Squeeze', [1, 3], [], { axes: [1] }, 11).problem ?? '', /axis 1 of \[1, 3\]/);
  });

  it('Pad pads, Slice bounds and ReduceMean axes', () => {
    assert.deepEqual(single('Pad', [1, 3, 4, 4], [], { pads: [0, 0, 1, 2, 0, 0, 3, 4] }, 10).outputs[0].shape, [1, 3, 8, 10]);
    assert.deepEqual(single('Pad', [1, 3, 4, 4], [tensor('p', [8], [0, 0, 1, 1, 0, 0, 1, 1])], {}, 11).outputs[0].shape, [1, 3, 6, 6]);
    assert.deepEqual(single('Slice', [10, 20], [], { starts: [2], ends: [-1], axes: [1] }, 9).outputs[0].shape, [10, 17]);
    const slice = [tensor('st', [1], [0]), tensor('en', [1], [10]), tensor('ax', [1], [0]), tensor('sp', [1], [3])];
    assert.deepEqual(single('Slice', [10, 20], slice).outputs[0].shape, [4, 20]);
    assert.deepEqual(single('ReduceMean', [2, 3, 4, 4], [], { axes: [2, 3], keepdims: 0 }).outputs[0].shape, [2, 3]);
    assert.deepEqual(single('ReduceMean', [2, 3, 4, 4], [tensor('ax', [2], [-2, -1])], {}, 18).outputs[0].shape, [2, 3, 1, 1]);
  });

  it('Clip, Softmax, Dropout and Split', () => {
    assert.deepEqual(single('Clip', [2, 3], [tensor('lo', [], [0], 'float32'), tensor('hi', [], [6], 'float32')], {}, 11).outputs[0].shape, [2, 3]);
    assert.deepEqual(single('Softmax', [2, 3, 4], [], {}, 11).outputs[0].shape, [2, 3, 4]);
    assert.match(single('Softmax', [2, 3], [], { axis: 2 }).problem ?? '', /axis 2 is out of range/);
    assert.deepEqual(single('Dropout', [2, 3], [tensor('ratio', [], [0.1], 'float32')], {}, 12).outputs[0].shape, [2, 3]);
    const split = graph([node('Split', ['x', 's'], ['a', 'b'], { axis: 1 })], { inputs: [['x', [2, 10]]], inits: [tensor('s', [2], [3, 7])] });
    const r = inferShapes(split);
    assert.deepEqual([shapeOf(r, 'a'), shapeOf(r, 'b')], [[2, 3], [2, 7]]);
  });
});

describe('inferShapes: weights seen through views', () => {
  it('opset-7 Linear (Transpose of the weight, then MatMul) owns the weight', () => {
    const g = graph([node('Transpose', ['W'], ['Wt'], { perm: [1, 0] }), node('MatMul', ['x', 'Wt'], ['y'])], {
      inputs: [['x', [1, 120]]], inits: [tensor('W', [84, 120])], opset: 7,
    });
    const [transpose, matmul] = inferShapes(g).nodes;
    assert.equal(transpose.layer, false);
    assert.deepEqual(matmul.parameters, ['W']);
    assert.deepEqual(matmul.outputs[0].shape, [1, 84]);
    assert.equal(matmul.macs, 10_080);
  });

  it('a QDQ Conv owns the int8 weight behind DequantizeLinear', () => {
    const g = graph([node('DequantizeLinear', ['Wq', 's'], ['W']), node('Conv', ['x', 'W'], ['y'])], {
      inputs: [['x', [1, 3, 8, 8]]], inits: [tensor('Wq', [4, 3, 3, 3], undefined, 'int8'), tensor('s', [], [0.1], 'float32')],
    });
    const [dq, conv] = inferShapes(g).nodes;
    assert.equal(dq.layer, false);
    assert.deepEqual(conv.parameters, ['Wq']);
    assert.deepEqual(conv.outputs[0].shape, [1, 4, 6, 6]);
  });

  it('an int64 operand is never a parameter', () => {
    assert.deepEqual(single('Add', [4], [tensor('k', [4], [1, 2, 3, 4])]).parameters, []);
  });
});

describe('inferShapes: more folding', () => {
  it('Resize takes sizes that keep the batch symbol, or floor(dim × scale)', () => {
    const g = graph(
      [
        node('Shape', ['x'], ['s']),
        node('Slice', ['s', 'st', 'en'], ['nc']),
        node('Concat', ['nc', 'hw'], ['sizes'], { axis: 0 }),
        node('Resize', ['x', '', '', 'sizes'], ['y'], { mode: 'nearest' }),
        node('Resize', ['x', '', 'scales'], ['z']),
      ],
      {
        inputs: [['x', ['N', 3, 10, 10]]],
        inits: [tensor('st', [1], [0]), tensor('en', [1], [2]), tensor('hw', [2], [20, 30]), tensor('scales', [4], [1, 1, 2.5, 0.5], 'float32')],
      },
    );
    const r = inferShapes(g);
    assert.deepEqual(shapeOf(r, 'y'), ['N', 3, 20, 30]);
    assert.deepEqual(shapeOf(r, 'z'), ['N', 3, 25, 5]);
  });

  it('a run-time Reshape target still gives the rank', () => {
    const g = graph([node('Reshape', ['x', 't'], ['y'])], { inputs: [['x', [2, 3, 4]], ['t', [2]]] });
    assert.deepEqual(shapeOf(inferShapes(g), 'y'), ['?', '?']);
  });
});

describe('inferShapes: problems and ordering', () => {
  const nodes = (): Node[] => [
    node('Conv', ['x', 'w'], ['c']),
    node('FancyOp', ['c'], ['f'], {}, 'com.example'),
    node('Relu', ['f'], ['r']),
    node('Mystery', ['r'], ['m']),
  ];
  const spec = (): GraphSpec => ({ inputs: [['x', [1, 3, 8, 8]]], inits: [tensor('w', [4, 3, 3, 3])] });

  it('lists an unknown op and carries on', () => {
    const r = inferShapes(graph(nodes(), spec()));
    assert.deepEqual(r.nodes.map((n) => n.node.name), ['Conv_c', 'FancyOp_f', 'Relu_r', 'Mystery_m']);
    assert.deepEqual(shapeOf(r, 'c'), [1, 4, 6, 6]);
    const [, fancy, relu, mystery] = r.nodes;
    assert.equal(fancy.known, false);
    assert.equal(fancy.problem, "unknown operator 'com.example::FancyOp'");
    assert.equal(relu.known, true);
    assert.equal(relu.problem, "input 'f' has no known shape");
    assert.equal(mystery.problem, "unknown operator 'Mystery'");
  });

  it('continues past an unknown op whose output the file declares', () => {
    const r = inferShapes(graph(nodes(), { ...spec(), valueInfo: [['f', [1, 4, 6, 6]]] }));
    assert.equal(r.nodes[1].known, false);
    assert.deepEqual(shapeOf(r, 'r'), [1, 4, 6, 6]);
    assert.equal(r.nodes[2].problem, undefined);
  });

  it('sorts nodes that the file lists out of order', () => {
    const r = inferShapes(graph(nodes().slice(0, 1).concat(node('Relu', ['c'], ['r'])).reverse(), spec()));
    assert.deepEqual(r.nodes.map((n) => n.node.opType), ['Conv', 'Relu']);
    assert.deepEqual(shapeOf(r, 'r'), [1, 4, 6, 6]);
  });

  it('marks the nodes of a cycle and still lists what follows', () => {
    const g = graph(
      [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Sigmoid', ['b'], ['s']), node('Tanh', ['x'], ['t'])],
      { inputs: [['x', [2, 2]]] },
    );
    const r = inferShapes(g);
    assert.deepEqual(r.nodes.map((n) => n.node.opType), ['Tanh', 'Add', 'Relu', 'Sigmoid']);
    assert.match(r.nodes[1].problem ?? '', /cycle/);
    assert.match(r.nodes[2].problem ?? '', /cycle/);
    assert.equal(r.nodes[3].problem, "input 'b' has no known shape");
    assert.deepEqual(shapeOf(r, 't'), [2, 2]);
  });

  it('quotes the shapes when Concat inputs differ outside the axis', () => {
    const g = graph([node('Concat', ['a', 'b'], ['c'], { axis: 1 })], { inputs: [['a', [1, 3, 8]], ['b', [1, 4, 9]]] });
    assert.equal(inferShapes(g).nodes[0].problem, 'input 1 [1, 4, 9] does not match input 0 [1, 3, 8] outside axis 1');
  });
});
