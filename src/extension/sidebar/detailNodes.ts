// What a model expands to in the sidebar: its layers (nested as the summary's
// containers nest them), a totals item, or the reason it could not be read.
// Built from the summary once per file version; labels are plain text (a
// TreeItem renders no markup, and tooltips are plain strings here).
import type { ModelSummary, LayerRow } from '../../core/summary/types';
import { readableMacs } from '../../core/summary/format';

export type DetailKind = 'layer' | 'container' | 'totals' | 'total' | 'error';

export interface DetailNode {
  kind: DetailKind;
  /** The model file (its URI string) the node belongs to. */
  model: string;
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** Set for a layer the summary flagged (unknown op, shapes not inferred). */
  problem?: string;
  /** A layer's parameters. */
  params?: number;
  children?: DetailNode[];
  parent?: DetailNode;
}

const count = (n: number): string => n.toLocaleString('en-US');
/** torchinfo's `(M): 0.42` as `0.42 M`. */
const macs = (n: number): string => readableMacs(n).replace(/^\((\w)\): (.*)$/, '$2 $1');
const shape = (s: LayerRow['outputShape']): string => (s ? `[${s.join(', ')}]` : '--');

export function detailNodes(model: string, summary: ModelSummary): DetailNode[] {
  const top: DetailNode[] = [];
  // Rows come depth-first; a stack of open containers gives each row its parent.
  const stack: { depth: number; node: DetailNode; row: LayerRow }[] = [];
  summary.layers.forEach((row, i) => {
    while (stack.length && stack.at(-1)!.depth >= row.depth) stack.pop();
    const parent = stack.at(-1);
    const node = layerNode(model, row, i, parent?.row);
    if (parent) {
      node.parent = parent.node;
      (parent.node.children ??= []).push(node);
    } else top.push(node);
    if (row.container) stack.push({ depth: row.depth, node, row });
  });
  for (const node of top) if (node.kind === 'container') describeContainer(node);
  top.push(totalsNode(model, summary));
  return top;
}

function layerNode(model: string, row: LayerRow, i: number, parent: LayerRow | undefined): DetailNode {
  // Nested rows repeat their container's path (`layer1.0.conv1` under `layer1.0`): show the rest.
  const label = parent && row.name.startsWith(`${parent.name}.`) ? row.name.slice(parent.name.length + 1) : row.name;
  const id = `${model}#layer:${i}`;
  if (row.container) return { kind: 'container', model, id, label, tooltip: row.name };
  const params = row.params > 0 ? `${count(row.params)} params` : '';
  const description = [row.type, shape(row.outputShape), params].filter(Boolean).join(' · ');
  const tooltip = [
    `${row.name} (${row.type})`,
    `input ${shape(row.inputShape)} → output ${shape(row.outputShape)}`,
    row.kernelShape ? `kernel ${shape(row.kernelShape)}` : '',
    `params ${count(row.params)}${row.params > 0 && !row.trainable ? ' (not trainable)' : ''}`,
    row.macs > 0 ? `mult-adds ${count(row.macs)}` : '',
    row.problem ? `problem: ${row.problem}` : '',
  ].filter(Boolean).join('\n');
  return { kind: 'layer', model, id, label, description, tooltip, params: row.params, ...(row.problem ? { problem: row.problem } : {}) };
}

/** A container's description sums what is under it (the summary's own container rows may count 0). */
function describeContainer(node: DetailNode): { params: number; layers: number } {
  let params = 0;
  let layers = 0;
  for (const child of node.children ?? []) {
    if (child.kind === 'container') {
      const sub = describeContainer(child);
      params += sub.params;
      layers += sub.layers;
    } else {
      layers++;
      params += child.params ?? 0;
    }
  }
  node.description = `${layers} layers${params > 0 ? ` · ${count(params)} params` : ''}`;
  return { params, layers };
}

function totalsNode(model: string, s: ModelSummary): DetailNode {
  const t = s.totals;
  const node: DetailNode = {
    kind: 'totals',
    model,
    id: `${model}#totals`,
    label: `Total params: ${count(t.params)}`,
    description: `mult-adds ${macs(t.macs)}`,
    tooltip: `${s.format} model${s.producer ? ` from ${s.producer}` : ''}${s.opset !== undefined ? `, opset ${s.opset}` : ''}`,
  };
  const lines: [string, string][] = [
    ['Trainable params', count(t.trainableParams)],
    ['Non-trainable params', count(t.nonTrainableParams)],
    ['Total mult-adds', macs(t.macs)],
    ['Inputs', s.inputs.map((i) => `${i.name} ${shape(i.shape)}`).join(', ')],
    ['Outputs', s.outputs.map((o) => `${o.name} ${shape(o.shape)}`).join(', ')],
    ['Params size (MB)', s.sizes.paramsMB.toFixed(2)],
    ['Estimated total size (MB)', s.sizes.totalMB.toFixed(2)],
  ];
  node.children = lines.map(([label, value], i) => ({ kind: 'total', model, id: `${model}#total:${i}`, label: `${label}: ${value}`, parent: node }));
  return node;
}

export function errorNode(model: string, message: string): DetailNode {
  return { kind: 'error', model, id: `${model}#error`, label: message, tooltip: message };
}
