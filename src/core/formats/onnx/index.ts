// The ONNX reader: protobuf → IR. Opsets 7–21 of the default domain are what
// shape inference knows; other opsets still load, and ops from other domains
// are listed as unknown by the summary.

import type { AttrValue, Dim, Graph, Node, Tensor, ValueInfo } from '../../graph/ir';
import type { ModelSource } from '../../io/source';
import type { ModelFormat } from '../registry';
import { OnnxError } from './error';
import { decodeModel, type AttributeMsg, type GraphMsg, type ValueInfoMsg } from './messages';
import { ProtoReader, WireError } from './protobuf';
import { onnxDType, readTensor } from './tensor';

const UTF8 = new TextDecoder('utf-8');

export const onnxFormat: ModelFormat = {
  name: 'onnx',
  globs: ['**/*.onnx'],
  detect: (fileName) => fileName.toLowerCase().endsWith('.onnx'),
  read: readOnnx,
};

export function readOnnx(source: ModelSource): Graph {
  const file = source.name;
  const bytes = source.read();
  let model;
  try {
    model = decodeModel(new ProtoReader(bytes));
  } catch (e) {
    if (e instanceof WireError) throw new OnnxError(file, `not a readable ONNX file: ${e.message} at byte ${e.position} of ${bytes.byteLength}`);
    throw e;
  }
  if (!model.graph || model.irVersion === undefined) {
    throw new OnnxError(file, 'not an ONNX model: no ' + (model.irVersion === undefined ? 'IR version' : 'graph') + ' found');
  }
  const opset = model.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  const g = model.graph;
  const initializers = new Map<string, Tensor>();
  for (const t of g.initializers) initializers.set(t.name, readTensor(t, source, `initializer '${t.name}'`));
  const nodes = g.nodes.map((n, i): Node => ({
    name: n.name || `${n.opType}_${i}`,
    opType: n.opType,
    domain: n.domain === 'ai.onnx' ? '' : n.domain,
    inputs: n.inputs,
    outputs: n.outputs,
    attrs: readAttributes(n.attributes, source, n.name || n.opType),
  }));
  const graph: Graph = {
    format: 'onnx',
    producer: `${model.producerName} ${model.producerVersion}`.trim(),
    name: g.name,
    ...(opset !== undefined ? { opset } : {}),
    inputs: g.inputs.filter((v) => !initializers.has(v.name)).map((v) => valueInfo(v, file)),
    outputs: g.outputs.map((v) => valueInfo(v, file)),
    nodes,
    initializers,
    valueInfo: new Map(g.valueInfo.map((v) => [v.name, valueInfo(v, file)])),
    metadata: model.metadata,
  };
  resolveInitializerAliases(graph, g);
  return graph;
}

/**
 * PyTorch's exporter merges initializers with equal values (two separate
 * parameters that happen to match, e.g. fresh BatchNorm statistics) into one,
 * reached through Identity nodes. Each Identity output becomes its own tensor
 * over the same data, so those parameters count as PyTorch counts them; a
 * weight shared by assignment is reused directly, without Identity, and counts once.
 */
function resolveInitializerAliases(graph: Graph, g: GraphMsg): void {
  const outputs = new Set(g.outputs.map((o) => o.name));
  graph.nodes = graph.nodes.filter((n) => {
    if (n.opType !== 'Identity' || n.domain !== '') return true;
    const src = graph.initializers.get(n.inputs[0] ?? '');
    const out = n.outputs[0];
    if (!src || !out || outputs.has(out)) return true;
    graph.initializers.set(out, { ...src, name: out });
    return false;
  });
}

function valueInfo(v: ValueInfoMsg, file: string): ValueInfo {
  const shape: Dim[] = (v.dims ?? []).map((d, i) => d.value ?? (d.param || `?${i}`));
  return { name: v.name, dtype: onnxDType(v.elemType, file, `value '${v.name}'`), shape };
}

// AttributeProto.AttributeType
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, FLOATS = 6, INTS = 7, STRINGS = 8;

function readAttributes(attrs: AttributeMsg[], source: ModelSource, nodeName: string): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const a of attrs) {
    // Files written before IR v3 leave `type` unset; fall back on whichever field is present.
    const type = a.type || (a.t ? TENSOR : a.s ? STRING : a.ints.length ? INTS : a.floats.length ? FLOATS : a.strings.length ? STRINGS : a.f !== undefined ? FLOAT : INT);
    switch (type) {
      case FLOAT: out[a.name] = a.f ?? 0; break;
      case INT: out[a.name] = a.i ?? 0; break;
      case STRING: out[a.name] = a.s ? UTF8.decode(a.s) : ''; break;
      case TENSOR: if (a.t) out[a.name] = readTensor(a.t, source, `attribute '${a.name}' of node '${nodeName}'`); break;
      case FLOATS: out[a.name] = a.floats; break;
      case INTS: out[a.name] = a.ints; break;
      case STRINGS: out[a.name] = a.strings.map((s) => UTF8.decode(s)); break;
      default: break; // graphs, sparse tensors, type protos: not used by the ops QuantLab knows
    }
  }
  return out;
}
