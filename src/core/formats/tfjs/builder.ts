// Collects the IR nodes and initializers both TF.js translations emit, keeps
// node and value names unique, and shares the Transposes that move a value
// between NHWC and NCHW so that one value is transposed once per layout.

import type { AttrValue, Node, Tensor } from '../../graph/ir';
import { isIdentity } from './layout';

export class IrBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private readonly taken = new Set<string>();
  private readonly transposes = new Map<string, string>();

  /** Names the graph already uses (weights, inputs): nodes and values must not take them. */
  reserve(name: string): void {
    this.taken.add(name);
  }

  unique(base: string): string {
    if (!this.taken.has(base)) {
      this.taken.add(base);
      return base;
    }
    for (let i = 1; ; i++) {
      const name = `${base}_${i}`;
      if (!this.taken.has(name)) {
        this.taken.add(name);
        return name;
      }
    }
  }

  /** Adds a node; its first output value has the node's name, further ones `name:i`. */
  add(opType: string, name: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = '', outputCount = 1): string[] {
    const nodeName = this.unique(name);
    const outputs = [nodeName];
    for (let i = 1; i < outputCount; i++) outputs.push(this.unique(`${nodeName}:${i}`));
    this.nodes.push({ name: nodeName, opType, domain, inputs, outputs, attrs });
    return outputs;
  }

  add1(opType: string, name: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.add(opType, name, inputs, attrs, domain)[0];
  }

  /** A Transpose of `value` by `perm`, shared with any earlier request for the same one. */
  transpose(value: string, perm: number[], name: string): string {
    if (isIdentity(perm)) return value;
    const key = `${value}\u0000${perm.join(',')}`;
    let out = this.transposes.get(key);
    if (!out) {
      out = this.add1('Transpose', name, [value], { perm });
      this.transposes.set(key, out);
    }
    return out;
  }

  /** A small constant operand (shape, pads, axes, clip bounds): role 'constant', never a parameter. */
  constant(name: string, dtype: 'int64' | 'float32', shape: number[], values: number[]): string {
    const unique = this.unique(name);
    const data = dtype === 'int64'
      ? { byteLength: values.length * 8, read: () => values.slice() }
      : { byteLength: values.length * 4, read: () => Float32Array.from(values) };
    this.initializers.set(unique, { name: unique, dtype, shape, data, role: 'constant' });
    return unique;
  }

  /** Registers a weight once; later requests for the same name get the same tensor. */
  tensor(t: Tensor): string {
    if (!this.initializers.has(t.name)) {
      this.initializers.set(t.name, t);
      this.taken.add(t.name);
    }
    return t.name;
  }

  /** Drops constants no node reads any more (rewrites can orphan axes operands). */
  pruneConstants(): void {
    const used = new Set(this.nodes.flatMap((n) => n.inputs));
    for (const [name, t] of this.initializers) if (t.role === 'constant' && !used.has(name)) this.initializers.delete(name);
  }

  has(name: string): boolean {
    return this.initializers.has(name);
  }
}
