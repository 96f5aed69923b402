// Opening a dataset: what the path holds decides the reader, from names and
// folder layout only (files are read by the reader that takes them).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError } from '../errors';
import { isIdxName, openIdx, splitOf } from './idx';
import { hasSubfolders, openImageFolder } from './imagefolder';
import { hasNpyPair, openNpyFolder, openNpz } from './numpy';
import { makeDataset, type SampleSource } from './source';
import type { Dataset, Split, Transform } from './types';

export type { Batch, BatchOptions, Dataset, Image, Split, Transform, ValueScale } from './types';
export { parseTransform } from './transform';
export { checkFits } from './fit';

const NOT_A_DATASET =
  'not a dataset QuantLab reads: expected an IDX folder (train-images-idx3-ubyte…), a folder of class folders of images, or .npz/.npy';

export function openDataset(datasetPath: string, options: { split: Split; transform: Transform }): Dataset {
  return makeDataset(openSource(datasetPath, options.split), options.transform);
}

function openSource(p: string, split: Split): SampleSource {
  const stat = fs.statSync(p, { throwIfNoEntry: false });
  if (!stat) throw new ModelError(p, 'no such file or folder');
  if (stat.isFile()) {
    const name = path.basename(p).toLowerCase();
    if (name.endsWith('.npz')) return openNpz(p, split);
    const dir = path.dirname(p);
    // A file of a folder dataset: read the folder, so the split can pick the files.
    if (name.endsWith('.npy') && hasNpyPair(fs.readdirSync(dir))) return openNpyFolder(dir, fs.readdirSync(dir), split);
    if (isIdxName(name)) {
      const its = splitOf(name);
      if (its && its !== split) throw new ModelError(p, `holds the ${its} split but the ${split} split was asked for: give the folder (or the ${split} file)`);
      return openIdx(dir, fs.readdirSync(dir), split);
    }
    if (name.endsWith('.npy')) throw new ModelError(p, `${NOT_A_DATASET}; an .npy holds one array, so put images.npy and labels.npy in a folder and give the folder`);
    throw new ModelError(p, NOT_A_DATASET);
  }
  if (!stat.isDirectory()) throw new ModelError(p, NOT_A_DATASET);
  const names = fs.readdirSync(p).sort();
  if (names.some(isIdxName)) return openIdx(p, names, split);
  if (hasNpyPair(names)) return openNpyFolder(p, names, split);
  if (hasSubfolders(p)) return openImageFolder(p, split);
  const shown = names.filter((n) => !n.startsWith('.'));
  const found = shown.length === 0 ? 'the folder is empty' : `found ${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ', …' : ''}`;
  throw new ModelError(p, `${NOT_A_DATASET} (${found})`);
}
