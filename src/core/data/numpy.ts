// NumPy datasets: an .npz (Keras' mnist.npz has x_train, y_train, x_test,
// y_test) or a folder with images.npy and labels.npy. uint8 and integer images
// are pixels 0..255; float images are taken as already scaled, the way
// torchvision's ToTensor() leaves a float array alone, so ToTensor() is a
// no-op for them and Normalize applies to the values as stored.

import * as path from 'node:path';
import { ModelError } from '../errors';
import { parseNpyHeader, readNpy, type NpyArray } from './npy';
import { count, readWhole, type SampleSource } from './source';
import type { Split } from './types';
import { readZipDirectory, readZipEntry, zipEntryPrefix } from './zip';

/** Array names to look for, most specific first. */
const IMAGE_KEYS = (split: Split): string[] => [`x_${split}`, 'x', 'images'];
const LABEL_KEYS = (split: Split): string[] => [`y_${split}`, 'y', 'labels'];

/** Folders with one of these pairs are NumPy datasets. */
export function hasNpyPair(names: readonly string[]): boolean {
  const has = (k: string): boolean => names.includes(`${k}.npy`);
  return (['train', 'test'] as const).some((s) => IMAGE_KEYS(s).some(has) && LABEL_KEYS(s).some(has));
}

type Loader = (key: string) => NpyArray;

export function openNpz(file: string, split: Split): SampleSource {
  const buf = readWhole(file);
  const entries = readZipDirectory(file, buf);
  const byKey = new Map(entries.filter((e) => e.name.endsWith('.npy')).map((e) => [e.name.slice(0, -4), e]));
  const load: Loader = (key) => {
    const e = byKey.get(key)!;
    const where = `${file}: ${e.name}`;
    // Read the .npy header first: the size it implies must match the zip's before anything is inflated.
    const head = parseNpyHeader(where, zipEntryPrefix(file, buf, e, 4096));
    if (head.total !== e.size) throw new ModelError(where, `its .npy header implies ${count(head.total)} bytes but the zip directory says ${count(e.size)}`);
    return readNpy(where, readZipEntry(file, buf, e));
  };
  return open(file, [...byKey.keys()], split, load, (k) => `${file}: ${k}`);
}

export function openNpyFolder(dir: string, names: readonly string[], split: Split): SampleSource {
  const keys = names.filter((n) => n.endsWith('.npy')).map((n) => n.slice(0, -4));
  const load: Loader = (key) => {
    const p = path.join(dir, `${key}.npy`);
    return readNpy(p, readWhole(p));
  };
  return open(dir, keys, split, load, (k) => path.join(dir, `${k}.npy`));
}

function open(where: string, keys: readonly string[], split: Split, load: Loader, name: (k: string) => string): SampleSource {
  const xKey = IMAGE_KEYS(split).find((k) => keys.includes(k));
  const yKey = LABEL_KEYS(split).find((k) => keys.includes(k));
  if (!xKey || !yKey) {
    throw new ModelError(where, `has arrays ${keys.join(', ') || '(none)'}; for the ${split} split QuantLab needs one of ${IMAGE_KEYS(split).join('/')} and one of ${LABEL_KEYS(split).join('/')}`);
  }
  const x = load(xKey);
  const y = load(yKey);
  const xName = name(xKey);
  const yName = name(yKey);

  const [n, c, h, w, nhwc] = layout(xName, x.shape);
  if (y.shape.length !== 1) throw new ModelError(yName, `labels must be one class index per image, shape (N,), not (${y.shape.join(', ')}) (one-hot? save y.argmax(1))`);
  if (y.shape[0] !== n) throw new ModelError(yName, `holds ${count(y.shape[0]!)} labels but ${xName} holds ${count(n)} images: they must pair one to one`);
  const labels = new Int32Array(n);
  let max = -1;
  for (let i = 0; i < n; i++) {
    const v = y.get(i);
    if (!Number.isInteger(v) || v < 0) throw new ModelError(yName, `label ${i} is ${v}: labels must be class indices 0, 1, 2, …`);
    labels[i] = v;
    max = Math.max(max, v);
  }

  const float = x.type === 'f4' || x.type === 'f8';
  const plane = h * w;
  const size = c * plane;
  const fromSplit = xKey.endsWith(`_${split}`) ? `${split} split` : `all ${count(n)} samples (no ${split} split in the ${where.endsWith('.npz') ? 'file' : 'folder'})`;
  return {
    description: `NumPy ${x.type === 'u1' ? 'uint8' : x.type} arrays, ${fromSplit}, ${count(n)} images ${c}×${h}×${w}${nhwc ? ' (stored HWC)' : ''}, ${max + 1} classes (${xName})`,
    path: where,
    size: n,
    numClasses: max + 1,
    shape: [c, h, w],
    label: (i) => labels[i]!,
    decode(i) {
      const data = new Float32Array(size);
      const base = i * size;
      if (!nhwc) {
        if (x.type === 'u1') for (let k = 0; k < size; k++) data[k] = x.bytes[base + k]!;
        else for (let k = 0; k < size; k++) data[k] = x.get(base + k);
      } else {
        for (let p = 0; p < plane; p++) for (let ch = 0; ch < c; ch++) data[ch * plane + p] = x.get(base + p * c + ch);
      }
      return { data, c, h, w, scale: float ? 'tensor' : 'pixels' };
    },
    where: (i) => `${xName} image ${i}`,
  };
}

/** N×H×W, N×H×W×C or N×C×H×W; channels-last when the last dim is 1 or 3 and the second is not. */
function layout(file: string, s: number[]): [number, number, number, number, boolean] {
  if (s.length === 3) return [s[0]!, 1, s[1]!, s[2]!, false];
  if (s.length === 4) {
    const nhwc = (s[3] === 1 || s[3] === 3) && s[1] !== 1 && s[1] !== 3;
    return nhwc ? [s[0]!, s[3]!, s[1]!, s[2]!, true] : [s[0]!, s[1]!, s[2]!, s[3]!, false];
  }
  throw new ModelError(file, `shape (${s.join(', ')}) is not a batch of images: expected N×H×W, N×H×W×C or N×C×H×W${s.length === 2 ? ' (flattened? reshape to N×H×W before saving)' : ''}`);
}
