// Turns ONNX node names into torchinfo's module tree. PyTorch (1.13+) names
// nodes by the module path that produced them: `/layer1/layer1.0/conv1/Conv`
// is op Conv inside module conv1 inside layer1.0 inside layer1. Other
// producers give flat names, which become depth-1 rows.

export interface Scope {
  /** Containing modules, outermost first (e.g. ['layer1', 'layer1.0']). */
  containers: string[];
  /** The row's own name: the module (`conv1`) or the node name when there is no scope. */
  name: string;
  /** Full module path, used to merge several nodes of one module into one row. */
  key: string;
}

export function scopeOf(nodeName: string, useScopes: boolean): Scope {
  if (!useScopes || !nodeName.startsWith('/')) return { containers: [], name: nodeName, key: `node:${nodeName}` };
  const parts = nodeName.split('/').filter((p) => p.length > 0);
  if (parts.length <= 1) {
    // `/Flatten`, `/Relu_1`: an op called directly in forward(), not a module.
    const name = parts[0] ?? nodeName;
    return { containers: [], name, key: `node:${nodeName}` };
  }
  const modules = parts.slice(0, -1);
  return { containers: modules.slice(0, -1), name: modules[modules.length - 1]!, key: `module:${modules.join('/')}` };
}
