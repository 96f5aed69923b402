// --transform: the torchvision pipeline users paste from their training
// script, e.g. "Pad(2), ToTensor(), Normalize((0.5,), (0.5,))" or
// "transforms.Compose([transforms.Pad(2), transforms.ToTensor()])".
//
// Decisions:
// - An empty pipeline is an error, not a default. Whether the model saw 0..255
//   or 0..1 (or normalised) values decides its accuracy, and a guess that is
//   wrong looks like broken quantization. "none" says it explicitly: raw
//   values as stored (0..255 for 8-bit images), for models trained on those.
// - Normalize needs ToTensor() before it, as in torchvision, where Normalize
//   takes only tensors; on 0..255 values it is almost always a mistake.
// - ToTensor() divides 8-bit pixels by 255 and leaves float data (.npy) alone,
//   as torchvision's does for any array that is not uint8.

import { UsageError } from '../errors';
import { parseArgs, PySyntaxError, splitTopLevel } from './pyargs';
import { ArgError, buildStep, STEPS, type Step } from './steps';
import type { Image, Transform } from './types';

const KNOWN = Object.keys(STEPS).join(', ');

export function parseTransform(source: string): Transform {
  const body = unwrap(source);
  if (body === '') {
    throw new UsageError(
      '--transform is empty: give the pipeline the model was trained with, e.g. "ToTensor()" (pixels ÷ 255) or ' +
        '"ToTensor(), Normalize((0.1307,), (0.3081,))", or "none" for a model trained on raw 0..255 pixels',
    );
  }
  if (/^none$/i.test(body)) return compose([], 'none');

  let parts: string[];
  try {
    parts = splitTopLevel(body).filter((p, i, all) => p !== '' || i < all.length - 1);
  } catch (e) {
    throw new UsageError(`--transform: cannot read '${source.trim()}': ${(e as Error).message}`);
  }
  const steps: Step[] = [];
  let tensor = false;
  parts.forEach((part, i) => {
    const at = `at step ${i + 1}`;
    const m = /^([A-Za-z_]\w*)\s*\(([\s\S]*)\)$/.exec(part);
    const name = m?.[1];
    if (!m || !name || !(name in STEPS)) {
      const hint = name?.startsWith('Random') ? ': it is a training-time augmentation; use the pipeline of the test set, without Random* steps' : ` (known steps: ${KNOWN})`;
      throw new UsageError(`--transform: cannot read '${part}' ${at}${hint}`);
    }
    let step: Step;
    try {
      step = buildStep(name, parseArgs(m[2]!));
    } catch (e) {
      if (e instanceof ArgError || e instanceof PySyntaxError) throw new UsageError(`--transform: '${part}' ${at}: ${name} ${e.message}`);
      throw e;
    }
    if (step.name === 'Normalize' && !tensor) {
      throw new UsageError(`--transform: '${part}' ${at} comes before ToTensor(): torchvision's Normalize works on tensors (values 0..1), so put ToTensor() before it`);
    }
    tensor ||= step.name === 'ToTensor';
    steps.push(step);
  });
  return compose(steps, steps.map((s) => s.text).join(', '));
}

/** Drops `transforms.` / `T.` / `v2.` prefixes and a Compose([...]) around the list. */
function unwrap(source: string): string {
  let t = source.trim().replace(/\b(?:torchvision\.)?transforms\.(?:v2\.)?|\b(?:T|v2)\./g, '');
  const compose = /^Compose\s*\(\s*\[([\s\S]*)\]\s*\)$/.exec(t);
  if (compose) t = compose[1]!.trim();
  else if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1).trim();
  return t;
}

function compose(steps: readonly Step[], text: string): Transform {
  return {
    text,
    apply(image: Image): Image {
      let img = image;
      let owned = false;
      for (const step of steps) {
        const next = step.apply(img, owned);
        owned ||= next.data !== img.data;
        img = next;
      }
      return img === image ? { ...image, data: image.data.slice() } : img;
    },
    outputShape(c: number, h: number, w: number): [number, number, number] {
      return steps.reduce<[number, number, number]>((s, step) => step.shape(...s), [c, h, w]);
    },
  };
}
