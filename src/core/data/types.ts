// Datasets as the compute jobs see them: batches of transformed images in
// NCHW float32 with integer labels, produced lazily so that calibration and
// evaluation never hold more than a batch of decoded images beyond the raw file.

export type Split = 'train' | 'test';

export interface Batch {
  /** N×C×H×W, row-major. */
  x: Float32Array;
  shape: [number, number, number, number];
  labels: Int32Array;
}

export interface BatchOptions {
  /** First sample (after shuffling, if any). */
  start?: number;
  /** At most this many samples. */
  limit?: number;
  shuffle?: boolean;
  seed?: number;
}

export interface Dataset {
  /** For messages and reports, e.g. "MNIST IDX, test split, 10,000 images (data/t10k-images-idx3-ubyte)". */
  readonly description: string;
  readonly size: number;
  /** One sample after the transform: [C, H, W]. */
  readonly sampleShape: [number, number, number];
  readonly numClasses: number;
  batches(batchSize: number, options?: BatchOptions): Iterable<Batch>;
}

/**
 * What the values of an image mean. 'pixels': 0..255 as decoded from an 8-bit
 * file, where steps round as PIL does on 8-bit images. 'tensor': after
 * ToTensor(), or float data that ToTensor() leaves as it is (as torchvision's
 * does for any array that is not uint8).
 */
export type ValueScale = 'pixels' | 'tensor';

/** An image before or after a transform step: C×H×W, values in `data`. */
export interface Image {
  data: Float32Array;
  c: number;
  h: number;
  w: number;
  /** Absent means 'pixels'. */
  scale?: ValueScale;
}

export interface Transform {
  /** The pipeline as the user wrote it, normalised: "Pad(2), ToTensor(), Normalize((0.5,), (0.5,))". */
  readonly text: string;
  /** Input is raw pixel values 0..255 as decoded from the file (or float data, `scale: 'tensor'`); the input is not modified. */
  apply(image: Image): Image;
  outputShape(c: number, h: number, w: number): [number, number, number];
}
