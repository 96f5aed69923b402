// IDX files as LeCun's MNIST and Zalando's Fashion-MNIST ship them: a folder
// with train-images-idx3-ubyte, train-labels-idx1-ubyte and the t10k-* pair,
// raw or gzipped. Format (yann.lecun.com/exdb/mnist): a big-endian u32 magic
// 0x00000800 | ndims with type 0x08 = unsigned byte, then ndims big-endian u32
// sizes, then the bytes. The raw image file stays in memory (47 MB for MNIST
// train); samples are converted to floats one batch at a time.

import * as path from 'node:path';
import { ModelError } from '../errors';
import { inflateCapped, inflatePrefix, isGzip } from './inflate';
import { count, readWhole, type SampleSource } from './source';
import type { Split } from './types';

const IMAGES_MAGIC = 2051; // ubyte, 3 dims
const LABELS_MAGIC = 2049; // ubyte, 1 dim
const IMAGES_NAME = /images[-.]idx3-ubyte(\.gz)?$/;

export const isIdxName = (name: string): boolean => IMAGES_NAME.test(name) || /labels[-.]idx1-ubyte(\.gz)?$/.test(name);

/** Split by file name: LeCun's test files are t10k-*, other sets (EMNIST, KMNIST) say test. */
export function splitOf(name: string): Split | undefined {
  const n = name.toLowerCase();
  if (n.includes('train')) return 'train';
  if (n.includes('t10k') || n.includes('test')) return 'test';
  return undefined;
}

export function openIdx(dir: string, names: readonly string[], split: Split): SampleSource {
  const imageNames = names.filter((n) => IMAGES_NAME.test(n));
  const imagesName = imageNames.find((n) => splitOf(n) === split);
  if (!imagesName) {
    const want = split === 'train' ? 'train-images-idx3-ubyte' : 't10k-images-idx3-ubyte';
    throw new ModelError(dir, `has no ${split} images: found ${imageNames.join(', ') || 'no *-images-idx3-ubyte file'}, expected ${want} (or .gz)`);
  }
  const stem = imagesName.replace(/images([-.])idx3-ubyte(\.gz)?$/, 'labels$1idx1-ubyte');
  const labelsName = [stem, `${stem}.gz`].find((n) => names.includes(n));
  const imagesPath = path.join(dir, imagesName);
  if (!labelsName) throw new ModelError(imagesPath, `has no labels file next to it: expected ${stem} (or ${stem}.gz)`);
  const labelsPath = path.join(dir, labelsName);

  const images = readIdx(imagesPath, IMAGES_MAGIC, 'images');
  const labels = readIdx(labelsPath, LABELS_MAGIC, 'labels');
  const [n, h, w] = images.dims as [number, number, number];
  const nLabels = labels.dims[0]!;
  if (nLabels !== n) {
    throw new ModelError(labelsPath, `holds ${count(nLabels)} labels but ${imagesPath} holds ${count(n)} images: they must pair one to one`);
  }
  // Labels are bytes, so the classes are 0..max; EMNIST letters (labels 1..26) thus get 27 classes, class 0 unused.
  let max = 0;
  for (let i = 0; i < n; i++) max = Math.max(max, labels.bytes[i]!);
  const numClasses = n === 0 ? 0 : max + 1;
  const size = h * w;
  const px = images.bytes;
  return {
    description: `IDX (MNIST layout), ${split} split, ${count(n)} images 1×${h}×${w}, ${numClasses} classes (${imagesPath})`,
    path: dir,
    size: n,
    numClasses,
    shape: [1, h, w],
    label: (i) => labels.bytes[i]!,
    decode(i) {
      const data = new Float32Array(size);
      for (let k = 0, o = i * size; k < size; k++, o++) data[k] = px[o]!;
      return { data, c: 1, h, w, scale: 'pixels' };
    },
    where: (i) => `${imagesPath} image ${i}`,
  };
}

interface Idx {
  dims: number[];
  /** The payload after the header. */
  bytes: Uint8Array;
}

function readIdx(file: string, magic: number, what: 'images' | 'labels'): Idx {
  let buf: Uint8Array = readWhole(file);
  const gz = isGzip(buf);
  const rank = magic & 0xff;
  const headerSize = 4 + 4 * rank;
  if (gz) {
    const head = inflatePrefix(file, 'gzip', buf, headerSize);
    const declared = checkHeader(file, head, magic, what, Infinity, true).total;
    buf = inflateCapped(file, 'gzip', buf, declared + 16, declared);
  }
  const { dims, total } = checkHeader(file, buf, magic, what, buf.length, gz);
  return { dims, bytes: buf.subarray(headerSize, total) };
}

/** Checks magic and dims; with a known length, also that the file is exactly as long as the header declares. */
function checkHeader(file: string, b: Uint8Array, magic: number, what: string, length: number, inflated: boolean): { dims: number[]; total: number } {
  const rank = magic & 0xff;
  const headerSize = 4 + 4 * rank;
  if (b.length < 4) throw new ModelError(file, `is ${b.length} bytes long, too short for an IDX header`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const found = view.getUint32(0);
  if (found !== magic) {
    const other = found === IMAGES_MAGIC ? ' (that is an images file)' : found === LABELS_MAGIC ? ' (that is a labels file)' : '';
    throw new ModelError(file, `magic number ${found} (0x${found.toString(16).padStart(8, '0')}) is not IDX ${what}${other}: expected ${magic} (unsigned bytes, ${rank} dimension${rank > 1 ? 's' : ''})`);
  }
  if (b.length < headerSize) throw new ModelError(file, `is ${b.length} bytes long, shorter than its ${headerSize}-byte IDX header`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const total = headerSize + dims.reduce((a, d) => a * d, 1);
  if (length !== Infinity && length !== total) {
    const shape = rank === 3 ? `${count(dims[0]!)} images of ${dims[1]}×${dims[2]}` : `${count(dims[0]!)} labels`;
    const why = length < total ? 'truncated?' : 'trailing bytes?';
    throw new ModelError(file, `the header declares ${shape} (${count(total)} bytes with the header) but the ${inflated ? 'inflated ' : ''}file has ${count(length)} bytes (${why})`);
  }
  return { dims, total };
}
