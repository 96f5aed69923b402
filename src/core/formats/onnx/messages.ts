// Decodes the ONNX protobuf messages QuantLab needs (onnx/onnx.proto, IR
// versions 3–10). Field numbers are the proto's; unknown fields are skipped,
// as protobuf requires. Tensor payloads stay views into the file's bytes.

import { ProtoReader, WireType, decodePackedVarints } from './protobuf';

export interface TensorMsg {
  name: string;
  dims: number[];
  dataType: number;
  /** Views of the payload fields; at most one is normally set. */
  raw?: Uint8Array;
  packedFloat?: Uint8Array;
  packedDouble?: Uint8Array;
  /** int32_data / int64_data / uint64_data as packed varints (unpacked ones are collected as numbers). */
  packedInt32?: Uint8Array;
  packedInt64?: Uint8Array;
  packedUint64?: Uint8Array;
  unpacked: number[];
  stringCount: number;
  external: Record<string, string>;
  dataLocation: number;
}

export interface AttributeMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorMsg;
  floats: number[];
  ints: number[];
  strings: Uint8Array[];
  hasGraph: boolean;
}

export interface NodeMsg {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeMsg[];
}

export interface DimMsg {
  value?: number;
  param?: string;
}

export interface ValueInfoMsg {
  name: string;
  elemType?: number;
  /** undefined: the file gives no shape (rank unknown). */
  dims?: DimMsg[];
}

export interface GraphMsg {
  name: string;
  nodes: NodeMsg[];
  initializers: TensorMsg[];
  inputs: ValueInfoMsg[];
  outputs: ValueInfoMsg[];
  valueInfo: ValueInfoMsg[];
}

export interface ModelMsg {
  irVersion?: number;
  producerName: string;
  producerVersion: string;
  opsets: { domain: string; version: number }[];
  graph?: GraphMsg;
  metadata: Record<string, string>;
}

export function decodeModel(r: ProtoReader): ModelMsg {
  const m: ModelMsg = { producerName: '', producerVersion: '', opsets: [], metadata: {} };
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Varint) m.irVersion = r.varint();
    else if (f === 2 && w === WireType.Bytes) m.producerName = r.string();
    else if (f === 3 && w === WireType.Bytes) m.producerVersion = r.string();
    else if (f === 7 && w === WireType.Bytes) m.graph = decodeGraph(r.sub());
    else if (f === 8 && w === WireType.Bytes) m.opsets.push(decodeOpset(r.sub()));
    else if (f === 14 && w === WireType.Bytes) {
      const [k, v] = decodeEntry(r.sub());
      m.metadata[k] = v;
    } else r.skip(w);
  }
  return m;
}

function decodeOpset(r: ProtoReader): { domain: string; version: number } {
  const o = { domain: '', version: 0 };
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) o.domain = r.string();
    else if (f === 2 && w === WireType.Varint) o.version = r.varint();
    else r.skip(w);
  }
  return o;
}

function decodeEntry(r: ProtoReader): [string, string] {
  let k = '';
  let v = '';
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) k = r.string();
    else if (f === 2 && w === WireType.Bytes) v = r.string();
    else r.skip(w);
  }
  return [k, v];
}

function decodeGraph(r: ProtoReader): GraphMsg {
  const g: GraphMsg = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  while (!r.done) {
    const [f, w] = r.key();
    if (w !== WireType.Bytes) {
      r.skip(w);
      continue;
    }
    if (f === 1) g.nodes.push(decodeNode(r.sub()));
    else if (f === 2) g.name = r.string();
    else if (f === 5) g.initializers.push(decodeTensor(r.sub()));
    else if (f === 11) g.inputs.push(decodeValueInfo(r.sub()));
    else if (f === 12) g.outputs.push(decodeValueInfo(r.sub()));
    else if (f === 13) g.valueInfo.push(decodeValueInfo(r.sub()));
    else r.skip(w);
  }
  return g;
}

function decodeNode(r: ProtoReader): NodeMsg {
  const n: NodeMsg = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  while (!r.done) {
    const [f, w] = r.key();
    if (w !== WireType.Bytes) {
      r.skip(w);
      continue;
    }
    if (f === 1) n.inputs.push(r.string());
    else if (f === 2) n.outputs.push(r.string());
    else if (f === 3) n.name = r.string();
    else if (f === 4) n.opType = r.string();
    else if (f === 7) n.domain = r.string();
    else if (f === 5) n.attributes.push(decodeAttribute(r.sub()));
    else r.skip(w);
  }
  return n;
}

function decodeAttribute(r: ProtoReader): AttributeMsg {
  const a: AttributeMsg = { name: '', type: 0, floats: [], ints: [], strings: [], hasGraph: false };
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) a.name = r.string();
    else if (f === 20 && w === WireType.Varint) a.type = r.varint();
    else if (f === 2 && w === WireType.Fixed32) a.f = r.fixed32Float();
    else if (f === 3 && w === WireType.Varint) a.i = r.varint();
    else if (f === 4 && w === WireType.Bytes) a.s = r.bytes();
    else if (f === 5 && w === WireType.Bytes) a.t = decodeTensor(r.sub());
    else if (f === 6 && w === WireType.Bytes) {
      a.hasGraph = true;
      r.skip(w);
    } else if (f === 7 && w === WireType.Fixed32) a.floats.push(r.fixed32Float());
    else if (f === 7 && w === WireType.Bytes) {
      const s = r.sub();
      while (!s.done) a.floats.push(s.fixed32Float());
    } else if (f === 8 && w === WireType.Varint) a.ints.push(r.varint());
    else if (f === 8 && w === WireType.Bytes) a.ints.push(...decodePackedVarints(r.bytes()));
    else if (f === 9 && w === WireType.Bytes) a.strings.push(r.bytes());
    else r.skip(w);
  }
  return a;
}

function decodeValueInfo(r: ProtoReader): ValueInfoMsg {
  const v: ValueInfoMsg = { name: '' };
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) v.name = r.string();
    else if (f === 2 && w === WireType.Bytes) decodeType(r.sub(), v);
    else r.skip(w);
  }
  return v;
}

function decodeType(r: ProtoReader, v: ValueInfoMsg): void {
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) {
      // TypeProto.Tensor: elem_type = 1, shape = 2
      const t = r.sub();
      while (!t.done) {
        const [tf, tw] = t.key();
        if (tf === 1 && tw === WireType.Varint) v.elemType = t.varint();
        else if (tf === 2 && tw === WireType.Bytes) v.dims = decodeShape(t.sub());
        else t.skip(tw);
      }
    } else r.skip(w);
  }
}

function decodeShape(r: ProtoReader): DimMsg[] {
  const dims: DimMsg[] = [];
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Bytes) {
      const d = r.sub();
      const dim: DimMsg = {};
      while (!d.done) {
        const [df, dw] = d.key();
        if (df === 1 && dw === WireType.Varint) dim.value = d.varint();
        else if (df === 2 && dw === WireType.Bytes) dim.param = d.string();
        else d.skip(dw);
      }
      dims.push(dim);
    } else r.skip(w);
  }
  return dims;
}

export function decodeTensor(r: ProtoReader): TensorMsg {
  const t: TensorMsg = { name: '', dims: [], dataType: 0, unpacked: [], stringCount: 0, external: {}, dataLocation: 0 };
  while (!r.done) {
    const [f, w] = r.key();
    if (f === 1 && w === WireType.Varint) t.dims.push(r.varint());
    else if (f === 1 && w === WireType.Bytes) t.dims.push(...decodePackedVarints(r.bytes()));
    else if (f === 2 && w === WireType.Varint) t.dataType = r.varint();
    else if (f === 8 && w === WireType.Bytes) t.name = r.string();
    else if (f === 9 && w === WireType.Bytes) t.raw = r.bytes();
    else if (f === 4 && w === WireType.Bytes) t.packedFloat = r.bytes();
    else if (f === 4 && w === WireType.Fixed32) t.unpacked.push(r.fixed32Float());
    else if (f === 10 && w === WireType.Bytes) t.packedDouble = r.bytes();
    else if (f === 10 && w === WireType.Fixed64) t.unpacked.push(r.fixed64Double());
    else if (f === 5 && w === WireType.Bytes) t.packedInt32 = r.bytes();
    else if (f === 7 && w === WireType.Bytes) t.packedInt64 = r.bytes();
    else if (f === 11 && w === WireType.Bytes) t.packedUint64 = r.bytes();
    else if ((f === 5 || f === 7 || f === 11) && w === WireType.Varint) t.unpacked.push(r.varint());
    else if (f === 6 && w === WireType.Bytes) {
      r.skip(w);
      t.stringCount++;
    } else if (f === 13 && w === WireType.Bytes) {
      const [k, v] = decodeEntry(r.sub());
      t.external[k] = v;
    } else if (f === 14 && w === WireType.Varint) t.dataLocation = r.varint();
    else r.skip(w);
  }
  return t;
}
