// Turns ONNX node names into torchinfo's module tree. PyTorch (1.13+) names
// each node by the modules it ran in, then the op:
//   /layer1/layer1.0/conv1/Conv      Conv inside leaf module layer1.0.conv1
//   /layer1/layer1.0/Add             an op called in layer1.0's own forward()
//   /layer1/layer1.0/relu_1/Relu     the second call of module layer1.0.relu
// Children of a Sequential carry their parent's prefix (`layer1.0` inside
// `layer1`), other children only their attribute name. Producers without
// such names give flat rows.

export interface Scope {
  /** Qualified names of the containing modules, outermost first (['layer1', 'layer1.0']). */
  containers: string[];
  /** The row's name: the qualified module name (`layer1.0.conv1`), or the op's name when the op is not a module. */
  name: string;
  /** Nodes with the same key belong to one module call and are merged into one row. */
  key: string;
}

export class ScopeTree {
  private readonly containerPaths = new Set<string>();
  private readonly modulePaths = new Set<string>();

  constructor(nodeNames: readonly string[], private readonly enabled: boolean) {
    if (!enabled) return;
    for (const n of nodeNames) {
      const mods = modulesOf(n);
      for (let i = 1; i <= mods.length; i++) this.modulePaths.add(mods.slice(0, i).join('/'));
      for (let i = 1; i < mods.length; i++) this.containerPaths.add(mods.slice(0, i).join('/'));
    }
  }

  scopeOf(nodeName: string): Scope {
    const mods = this.enabled ? modulesOf(nodeName) : [];
    const op = nodeName.split('/').filter((p) => p)[mods.length] ?? nodeName;
    if (mods.length === 0) return { containers: [], name: this.enabled ? op : nodeName, key: `node:${nodeName}` };
    const joined = mods.join('/');
    if (this.containerPaths.has(joined)) {
      // An op in a container's own forward() (ResNet's residual Add): a row of its own inside it.
      return { containers: qualify(mods), name: op, key: `node:${nodeName}` };
    }
    const q = qualify(this.unrepeat(mods));
    return { containers: q.slice(0, -1), name: q[q.length - 1]!, key: `module:${joined}` };
  }

  /** `relu_1` is the second call of `relu` when `relu` exists beside it; a module really named `relu_1` keeps its name. */
  private unrepeat(mods: string[]): string[] {
    const last = mods[mods.length - 1]!;
    const m = /^(.*)_\d+$/.exec(last);
    if (m && this.modulePaths.has([...mods.slice(0, -1), m[1]].join('/'))) return [...mods.slice(0, -1), m[1]!];
    return mods;
  }
}

function modulesOf(nodeName: string): string[] {
  if (!nodeName.startsWith('/')) return [];
  return nodeName.split('/').filter((p) => p).slice(0, -1);
}

/** ['layer2', 'layer2.0', 'downsample', 'downsample.0'] → ['layer2', 'layer2.0', 'layer2.0.downsample', 'layer2.0.downsample.0']. */
function qualify(segments: string[]): string[] {
  const out: string[] = [];
  let prevSeg = '';
  let q = '';
  for (const seg of segments) {
    q = q === '' ? seg : seg.startsWith(prevSeg + '.') ? q + seg.slice(prevSeg.length) : `${q}.${seg}`;
    out.push(q);
    prevSeg = seg;
  }
  return out;
}
