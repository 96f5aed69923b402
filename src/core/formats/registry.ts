// One module per model format, each with a cheap `detect` (file name and the
// first bytes) and a `read`. Adding a format means adding a module and one
// line to FORMATS.

import type { Graph } from '../graph/ir';
import { ModelError } from '../errors';
import type { ModelSource } from '../io/source';
import { onnxFormat } from './onnx';
import { tfjsFormat } from './tfjs';

export interface ModelFormat {
  readonly name: string;
  /** File-name globs the extension offers this format for (sidebar, explorer menu). */
  readonly globs: readonly string[];
  /** Cheap: the name and at most the first 64 bytes. */
  detect(fileName: string, head: Uint8Array): boolean;
  read(source: ModelSource): Graph;
}

export const FORMATS: readonly ModelFormat[] = [onnxFormat, tfjsFormat];

export function readModel(source: ModelSource): Graph {
  if (source.size === 0) throw new ModelError(source.name, 'the file is empty');
  const head = source.readRange(0, Math.min(64, source.size));
  const format = FORMATS.find((f) => f.detect(source.name, head));
  if (!format) {
    throw new ModelError(source.name, `not a model format QuantLab reads (known: ${FORMATS.map((f) => f.globs.join(', ')).join('; ')})`);
  }
  return format.read(source);
}
