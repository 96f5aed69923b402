// Folders of class folders, as torchvision's ImageFolder reads them:
// root/<class>/**/*.png, classes sorted by name give the label indices, files
// walked in sorted order. With split folders (root/train/<class>,
// root/test/<class>) the split picks one. Differences from ImageFolder: hidden
// folders (.ipynb_checkpoints) are not classes; a dataset whose images are all
// gray stays one channel instead of being converted to RGB (MNIST-style
// models take one), while a mix of gray and colour becomes RGB as ImageFolder
// would make it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError } from '../errors';
import { decodeImage, imageKind, probeImage, type ImageKind } from './decode';
import { count, type SampleSource } from './source';
import type { Split } from './types';

const SPLIT_NAMES: Record<Split, string[]> = { train: ['train', 'training'], test: ['test', 'testing', 'val', 'valid', 'validation'] };
// What ImageFolder would also take; QuantLab says it cannot decode them rather than silently skipping them.
const OTHER_IMAGES = new Set(['bmp', 'ppm', 'pgm', 'tif', 'tiff', 'webp', 'gif']);

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const subfolders = (dir: string): string[] =>
  fs.readdirSync(dir, { withFileTypes: true }).filter((d) => isDir(dir, d) && !d.name.startsWith('.')).map((d) => d.name).sort(byName);

function isDir(dir: string, d: fs.Dirent): boolean {
  return d.isDirectory() || (d.isSymbolicLink() && fs.statSync(path.join(dir, d.name), { throwIfNoEntry: false })?.isDirectory() === true);
}

/** The folder that holds the class folders for this split, and whether split folders were there. */
function splitRoot(dir: string, split: Split): { root: string; hasSplits: boolean } {
  const subs = subfolders(dir);
  const isSplit = (n: string): boolean => Object.values(SPLIT_NAMES).flat().includes(n.toLowerCase()) && subfolders(path.join(dir, n)).length > 0;
  const splits = subs.filter(isSplit);
  if (splits.length === 0) return { root: dir, hasSplits: false };
  const name = subs.find((n) => SPLIT_NAMES[split].includes(n.toLowerCase()) && isSplit(n));
  if (!name) throw new ModelError(dir, `has split folder${splits.length > 1 ? 's' : ''} ${splits.join(', ')} but none for the ${split} split (looked for ${SPLIT_NAMES[split].join(', ')})`);
  return { root: path.join(dir, name), hasSplits: true };
}

interface Sample {
  file: string;
  kind: ImageKind;
  label: number;
}

function walk(dir: string, label: number, out: Sample[]): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => byName(a.name, b.name));
  for (const d of entries) {
    const p = path.join(dir, d.name);
    if (isDir(dir, d)) {
      if (!d.name.startsWith('.')) walk(p, label, out);
      continue;
    }
    const kind = imageKind(d.name);
    if (kind) out.push({ file: p, kind, label });
    else if (OTHER_IMAGES.has(path.extname(d.name).slice(1).toLowerCase())) {
      throw new ModelError(p, `'${path.extname(d.name)}' images are not read: QuantLab decodes .png, .jpg and .jpeg (convert the folder, e.g. with PIL)`);
    }
  }
}

export function openImageFolder(dir: string, split: Split): SampleSource {
  const { root, hasSplits } = splitRoot(dir, split);
  const classes = subfolders(root);
  const samples: Sample[] = [];
  classes.forEach((name, label) => {
    const before = samples.length;
    walk(path.join(root, name), label, samples);
    if (samples.length === before) throw new ModelError(path.join(root, name), 'is a class folder with no .png, .jpg or .jpeg images');
  });
  if (samples.length === 0) throw new ModelError(root, 'has no class folders of images');

  const infos = samples.map((s) => probeImage(s.file, s.kind));
  const c: 1 | 3 = infos.some((i) => i.c === 3) ? 3 : 1;
  const first = infos[0]!;
  const seen = new Set([`${first.h}×${first.w}`]);
  const otherShapes: { where: string; shape: [number, number, number] }[] = [];
  infos.forEach((info, i) => {
    const key = `${info.h}×${info.w}`;
    if (!seen.has(key)) {
      seen.add(key);
      otherShapes.push({ where: samples[i]!.file, shape: [c, info.h, info.w] });
    }
  });

  const sizes = seen.size === 1 ? `${c}×${first.h}×${first.w}` : `${c} channel${c > 1 ? 's' : ''}, ${seen.size} sizes`;
  const which = hasSplits ? `${split} split` : `no split folders, all images`;
  return {
    description: `image folders, ${which}, ${count(samples.length)} images ${sizes}, ${classes.length} classes (${root})`,
    path: dir,
    size: samples.length,
    numClasses: classes.length,
    shape: [c, first.h, first.w],
    otherShapes,
    label: (i) => samples[i]!.label,
    decode: (i) => decodeImage(samples[i]!.file, samples[i]!.kind, c),
    where: (i) => samples[i]!.file,
  };
}

/** A folder whose non-hidden subfolders might be classes (or splits). */
export const hasSubfolders = (dir: string): boolean => subfolders(dir).length > 0;
