// TensorFlow.js model.json: a Keras topology ("layers-model") or a TF GraphDef
// ("graph-model"), plus a weightsManifest naming the binary shard files beside
// it. Both become the ONNX-semantics, NCHW IR: see layers.ts and graph.ts for
// how each is laid out.

import type { Graph, ModelFormatName } from '../../graph/ir';
import type { ModelSource } from '../../io/source';
import type { ModelFormat } from '../registry';
import { IrBuilder } from './builder';
import { translateGraphDef } from './graph';
import { Fields, TfjsError, quote } from './json';
import { translateLayers } from './layers';
import { readWeights } from './weights';

function parseJson(source: ModelSource): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(source.read());
  } catch {
    throw new TfjsError(source.name, 'is not UTF-8 text, so not a TensorFlow.js model.json');
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new TfjsError(source.name, `is not valid JSON: ${(e as Error).message}`);
  }
}

/** "layers-model" / "graph-model", or, for files from before TF.js wrote `format`, what the topology looks like. */
function formatOf(json: Fields, topology: Fields): ModelFormatName {
  if (json.has('format')) {
    const f = json.str('format');
    if (f === 'layers-model') return 'tfjs-layers';
    if (f === 'graph-model') return 'tfjs-graph';
    json.fail(`'format' is ${quote(f)}, not "layers-model" or "graph-model"`);
  }
  if (Array.isArray(topology.raw('node'))) return 'tfjs-graph';
  if (topology.has('class_name') || topology.has('model_config')) return 'tfjs-layers';
  return json.fail('has no \'format\', and its modelTopology is neither a Keras model nor a GraphDef');
}

function producerOf(json: Fields): { producer: string; metadata: Record<string, string> } {
  const metadata: Record<string, string> = {};
  for (const key of ['generatedBy', 'convertedBy']) {
    const v = json.raw(key);
    if (typeof v === 'string' && v !== '') metadata[key] = v;
  }
  return { producer: metadata.convertedBy ?? metadata.generatedBy ?? '', metadata };
}

/** The model's name when the file does not give one: its folder for model.json, else the file's stem. */
function nameFromPath(file: string): string {
  const parts = file.split(/[\\/]/).filter((p) => p !== '' && p !== '.');
  const base = parts[parts.length - 1] ?? file;
  if (base.toLowerCase() === 'model.json' && parts.length > 1) return parts[parts.length - 2];
  return base.replace(/\.json$/i, '');
}

export function readTfjs(source: ModelSource): Graph {
  const json = Fields.of(source.name, '', parseJson(source));
  if (!json.has('modelTopology')) {
    json.fail(`has no 'modelTopology'${json.has('weightsManifest') ? ' (a weights manifest alone is not a model)' : ''}; is it a TensorFlow.js model.json?`);
  }
  const topology = json.object('modelTopology', 'modelTopology');
  const format = formatOf(json, topology);
  const weights = readWeights(source, json.raw('weightsManifest'));
  const b = new IrBuilder();
  for (const name of weights.keys()) b.reserve(name);
  const { producer, metadata } = producerOf(json);

  const r = format === 'tfjs-layers'
    ? translateLayers(source.name, topology, weights, b)
    : translateGraphDef(source.name, json, topology, weights, b);
  return {
    format,
    producer,
    name: r.name || nameFromPath(source.name),
    inputs: r.inputs,
    outputs: r.outputs,
    nodes: b.nodes,
    initializers: b.initializers,
    valueInfo: new Map(),
    metadata: { ...metadata, ...r.metadata },
  };
}

export const tfjsFormat: ModelFormat = {
  name: 'TensorFlow.js',
  globs: ['**/model.json'],
  // Lenient on purpose: any .json that opens with '{' is tried; read() says clearly when it is not a TF.js model.
  detect(fileName: string, head: Uint8Array): boolean {
    if (!fileName.toLowerCase().endsWith('.json')) return false;
    let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09)) i++;
    return head[i] === 0x7b;
  },
  read: readTfjs,
};
