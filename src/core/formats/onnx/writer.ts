// Writes a model back with new float32 weights (after QAT, BN folding, ...)
// by editing the source bytes rather than serializing the IR: every field this
// module does not change is copied byte for byte, so whatever the reader skips
// (doc strings, training info, functions, fields of later ONNX versions)
// survives the round trip. Only the initializers named are re-encoded.

import { OnnxError } from './error';
import { ProtoWriter } from './encode';
import { decodeModel, type GraphMsg, type ModelMsg, type TensorMsg } from './messages';
import { ProtoReader, WireError, WireType } from './protobuf';
import { checkedCount } from './tensor';

export interface NewInitializer {
  dims: readonly number[];
  data: Float32Array;
}

export interface RewriteOptions {
  /** Existing float32 initializers to give new values, by name; same shape, stored inline as raw_data. */
  weights?: ReadonlyMap<string, Float32Array>;
  /** Float32 initializers to append (e.g. the bias BN folding creates); names must be new to the graph. */
  addInitializers?: ReadonlyMap<string, NewInitializer>;
  /** metadata_props entries to set; an existing entry with the same key is replaced. */
  metadata?: Readonly<Record<string, string>>;
  /** The source file's name, for messages. */
  file?: string;
}

const FLOAT = 1; // TensorProto.DataType.FLOAT
// TensorProto fields kept when a tensor's data is replaced: dims, name, doc_string, metadata_props.
// The payload fields, data_location/external_data and segment all describe the old data.
const KEPT_TENSOR_FIELDS = new Set([1, 8, 12, 16]);

export function rewriteOnnxWeights(
  sourceBytes: Uint8Array,
  replacements: ReadonlyMap<string, Float32Array>,
  options: { metadata?: Readonly<Record<string, string>>; file?: string } = {},
): Uint8Array {
  return rewriteOnnx(sourceBytes, { ...options, weights: replacements });
}

export function rewriteOnnx(sourceBytes: Uint8Array, options: RewriteOptions): Uint8Array {
  const file = options.file ?? 'model.onnx';
  const weights = options.weights ?? new Map<string, Float32Array>();
  const added = options.addInitializers ?? new Map<string, NewInitializer>();
  const metadata = options.metadata ?? {};
  try {
    const model = decodeModel(new ProtoReader(sourceBytes));
    check(model, weights, added, metadata, file);
    const edit: Edit = { weights, added, metadata, irVersion: model.irVersion ?? 0, addedDone: false };
    return rewriteModel(new ProtoReader(sourceBytes), edit).finish();
  } catch (e) {
    if (e instanceof WireError) throw new OnnxError(file, `not a readable ONNX file: ${e.message} at byte ${e.position} of ${sourceBytes.byteLength}`);
    throw e;
  }
}

interface Edit {
  weights: ReadonlyMap<string, Float32Array>;
  added: ReadonlyMap<string, NewInitializer>;
  metadata: Readonly<Record<string, string>>;
  irVersion: number;
  addedDone: boolean;
}

/** Refuses the whole edit before any byte is written: every problem is listed in one message. */
function check(model: ModelMsg, weights: ReadonlyMap<string, Float32Array>, added: ReadonlyMap<string, NewInitializer>, metadata: Readonly<Record<string, string>>, file: string): void {
  const g = model.graph;
  if (!g || model.irVersion === undefined) throw new OnnxError(file, 'not an ONNX model: no ' + (model.irVersion === undefined ? 'IR version' : 'graph') + ' found');
  const byName = new Map<string, TensorMsg>();
  for (const t of g.initializers) byName.set(t.name, t);
  const problems: string[] = [];
  for (const [name, data] of weights) {
    const t = byName.get(name);
    if (!t) {
      problems.push(unknown(name, g));
      continue;
    }
    if (t.dataType !== FLOAT && t.dataType !== 0) {
      problems.push(`initializer '${name}' has data type ${t.dataType}, not float32 (1); only float32 weights can be replaced`);
      continue;
    }
    const count = checkedCount(t.dims, file, `initializer '${name}'`);
    if (count !== data.length) problems.push(`initializer '${name}' has shape [${t.dims.join(', ')}] (${count} values) but its replacement has ${data.length}`);
  }
  const taken = new Set([...byName.keys(), ...g.inputs.map((v) => v.name), ...g.nodes.flatMap((n) => n.outputs)]);
  for (const [name, t] of added) {
    if (!name) problems.push('a new initializer has an empty name');
    else if (taken.has(name)) problems.push(`new initializer '${name}' reuses a name the graph already has`);
    else if (weights.has(name)) problems.push(`'${name}' is both replaced and added`);
    const count = checkedCount([...t.dims], file, `new initializer '${name}'`);
    if (count !== t.data.length) problems.push(`new initializer '${name}' has shape [${t.dims.join(', ')}] (${count} values) but ${t.data.length} values`);
  }
  for (const key of Object.keys(metadata)) if (!key) problems.push('a metadata entry has an empty key');
  if (problems.length > 0) throw new Error(`cannot rewrite ${file}: ${problems.join('; ')}`);
}

function unknown(name: string, g: GraphMsg): string {
  const identity = g.nodes.find((n) => n.opType === 'Identity' && n.outputs[0] === name);
  if (identity && g.initializers.some((t) => t.name === identity.inputs[0])) {
    // The reader turns such outputs into initializers of their own (index.ts, resolveInitializerAliases).
    return `'${name}' is not an initializer in the file but an Identity of initializer '${identity.inputs[0]}', which other names may share`;
  }
  const names = g.initializers.map((t) => `'${t.name}'`);
  const shown = names.length > 8 ? `${names.slice(0, 8).join(', ')}, ... (${names.length})` : names.join(', ');
  return `no initializer named '${name}' (the file has ${shown || 'none'})`;
}

/** Yields each field's key, wire type and its exact bytes, key included. */
function* fields(r: ProtoReader): Generator<[field: number, wire: number, span: Uint8Array, start: number]> {
  while (!r.done) {
    const start = r.pos;
    const [f, w] = r.key();
    r.skip(w);
    yield [f, w, r.buf.subarray(start, r.pos), start];
  }
}

/** The reader positioned on a length-delimited field's payload. */
function payload(r: ProtoReader, start: number): ProtoReader {
  const at = new ProtoReader(r.buf, start, r.end);
  at.key();
  return at.sub();
}

function rewriteModel(r: ProtoReader, edit: Edit): ProtoWriter {
  const out = new ProtoWriter();
  const changesGraph = edit.weights.size > 0 || edit.added.size > 0;
  for (const [f, w, span, start] of fields(r)) {
    if (f === 7 && w === WireType.Bytes && changesGraph) out.message(7, rewriteGraph(payload(r, start), edit));
    else if (f === 14 && w === WireType.Bytes && Object.hasOwn(edit.metadata, entryKey(payload(r, start)))) continue;
    else out.raw(span);
  }
  for (const [k, v] of Object.entries(edit.metadata)) out.message(14, new ProtoWriter().bytes(1, k).bytes(2, v));
  return out;
}

function entryKey(r: ProtoReader): string {
  let key = '';
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) key = r.string();
    else r.skip(w);
  }
  return key;
}

function rewriteGraph(r: ProtoReader, edit: Edit): ProtoWriter {
  const out = new ProtoWriter();
  for (const [f, w, span, start] of fields(r)) {
    if (f === 5 && w === WireType.Bytes) {
      const data = edit.weights.get(tensorName(payload(r, start)));
      if (data) {
        out.message(5, replaceTensor(payload(r, start), data));
        continue;
      }
    }
    out.raw(span);
  }
  if (!edit.addedDone) {
    edit.addedDone = true;
    for (const [name, t] of edit.added) {
      const tensor = new ProtoWriter();
      for (const d of t.dims) tensor.varint(1, d);
      out.message(5, tensor.varint(2, FLOAT).bytes(8, name).bytes(9, littleEndian(t.data)));
      // Before IR version 4 every initializer must also be a graph input.
      if (edit.irVersion < 4) out.message(11, inputFor(name, t.dims));
    }
  }
  return out;
}

function tensorName(r: ProtoReader): string {
  let name = '';
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 8 && w === WireType.Bytes) name = r.string();
    else r.skip(w);
  }
  return name;
}

/** The tensor with float32 raw_data in place of its payload; dims and name are copied as they were written. */
function replaceTensor(r: ProtoReader, data: Float32Array): ProtoWriter {
  const dims: Uint8Array[] = [];
  const names: Uint8Array[] = [];
  const rest: Uint8Array[] = [];
  for (const [f, , span] of fields(r)) {
    if (f === 1) dims.push(span);
    else if (f === 8) names.push(span);
    else if (KEPT_TENSOR_FIELDS.has(f)) rest.push(span);
  }
  const out = new ProtoWriter();
  for (const s of dims) out.raw(s);
  out.varint(2, FLOAT);
  for (const s of names) out.raw(s);
  out.bytes(9, littleEndian(data));
  for (const s of rest) out.raw(s);
  return out;
}

function inputFor(name: string, dims: readonly number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(1, new ProtoWriter().varint(1, d));
  const tensorType = new ProtoWriter().varint(1, FLOAT).message(2, shape);
  return new ProtoWriter().bytes(1, name).message(2, new ProtoWriter().message(1, tensorType));
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function littleEndian(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i]!, true);
  return out;
}
