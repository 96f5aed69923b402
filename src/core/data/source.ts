// What every reader provides (samples by index, decoded on demand) and the one
// place that turns it into a Dataset: transform, batching, shuffling. Readers
// hold at most their raw file; decoded images live for one batch.

import { constants as bufferConstants } from 'node:buffer';
import * as fs from 'node:fs';
import { ModelError, UsageError } from '../errors';
import { permutation } from './random';
import type { Batch, BatchOptions, Dataset, Image, Transform } from './types';

export interface SampleSource {
  /** e.g. "IDX (MNIST layout), test split, 10,000 images 1×28×28 (data/t10k-images-idx3-ubyte)". */
  readonly description: string;
  /** The path the user gave, for errors about the dataset as a whole. */
  readonly path: string;
  readonly size: number;
  readonly numClasses: number;
  /** Shape of the first sample as decoded. */
  readonly shape: [number, number, number];
  /** Other decoded shapes in the dataset, each with the first sample that has it (image folders of mixed sizes). */
  readonly otherShapes?: readonly { where: string; shape: [number, number, number] }[];
  label(i: number): number;
  /** A fresh image the caller may keep. */
  decode(i: number): Image;
  /** The file (or file and index) of sample i, for messages. */
  where(i: number): string;
}

export const count = (n: number): string => n.toLocaleString('en-US');
export const dims = (s: readonly number[]): string => s.join('×');

// fs.readFileSync stops at 2 GiB with a RangeError; say so in the user's terms.
const MAX_FILE = Math.min(2 ** 31 - 1, bufferConstants.MAX_LENGTH);

/** A whole dataset file, refused (not crashed on) when it is larger than QuantLab holds in memory. */
export function readWhole(file: string): Buffer {
  const size = fs.statSync(file).size;
  if (size > MAX_FILE) throw new ModelError(file, `is ${count(size)} bytes; QuantLab reads dataset files of up to 2 GiB`);
  return fs.readFileSync(file);
}

export function makeDataset(source: SampleSource, transform: Transform): Dataset {
  const sampleShape = transform.outputShape(...source.shape);
  for (const other of source.otherShapes ?? []) {
    const out = transform.outputShape(...other.shape);
    if (dims(out) !== dims(sampleShape)) {
      throw new ModelError(
        other.where,
        `is ${dims(other.shape)} but ${source.where(0)} is ${dims(source.shape)}, and the transform makes them ${dims(out)} and ${dims(sampleShape)}: ` +
          'images of different sizes need a Resize(...) or CenterCrop(...) in --transform that makes them equal',
      );
    }
  }
  const sampleSize = sampleShape[0] * sampleShape[1] * sampleShape[2];

  function* generate(batchSize: number, from: number, to: number, order: Int32Array | undefined): Generator<Batch> {
    for (let first = from; first < to; first += batchSize) {
      const n = Math.min(batchSize, to - first);
      const x = new Float32Array(n * sampleSize);
      const labels = new Int32Array(n);
      for (let j = 0; j < n; j++) {
        const i = order ? order[first + j]! : first + j;
        const img = transform.apply(source.decode(i));
        // Image folders are checked from file headers at open; this catches a file whose pixels disagree with its header.
        if (img.c !== sampleShape[0] || img.h !== sampleShape[1] || img.w !== sampleShape[2]) {
          throw new ModelError(source.where(i), `is ${img.c}×${img.h}×${img.w} after the transform, not ${dims(sampleShape)} like the first sample`);
        }
        x.set(img.data, j * sampleSize);
        labels[j] = source.label(i);
      }
      yield { x, shape: [n, sampleShape[0], sampleShape[1], sampleShape[2]], labels };
    }
  }

  return {
    description: source.description,
    size: source.size,
    sampleShape,
    numClasses: source.numClasses,
    batches(batchSize: number, options: BatchOptions = {}): Iterable<Batch> {
      // Checked here, not inside the generator, so that bad options fail at the call.
      const { start = 0, limit = Infinity, shuffle = false, seed = 0 } = options;
      if (!Number.isInteger(batchSize) || batchSize < 1) throw new UsageError(`batch size must be a positive integer, not ${batchSize}`);
      if (!Number.isInteger(start) || start < 0 || start > source.size) {
        throw new UsageError(`start ${start} is not a sample index: the dataset has ${count(source.size)} samples`);
      }
      if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) throw new UsageError(`limit must be a whole number ≥ 0, not ${limit}`);
      if (!Number.isInteger(seed)) throw new UsageError(`seed must be an integer, not ${seed}`);
      const to = Math.min(source.size, start + limit);
      return generate(batchSize, start, to, shuffle ? permutation(source.size, seed) : undefined);
    },
  };
}
