// Does the dataset, after the transform, fit the model's input? Checked
// before a job starts so that the answer is a hint ("add Pad(2)"), not a
// shape error from deep inside a Conv.

import { ModelError } from '../errors';
import { dims } from './source';
import { parseTransform } from './transform';

/**
 * `modelInput` is the graph input in the IR's layout: N×C×H×W (C×H×W without
 * a batch dim is accepted too), or N×F for a model that takes flattened
 * images. Symbolic or unknown (≤ 0) dims match anything.
 */
export function checkFits(sampleShape: readonly [number, number, number], modelInput: readonly (number | string)[], transformText: string, datasetPath: string): void {
  const values = sampleShape[0] * sampleShape[1] * sampleShape[2];
  if (modelInput.length === 2) {
    // A flattened input (an MLP's N×784) takes the batch as it is laid out, so only the count must agree.
    const f = modelInput[1];
    if (typeof f !== 'number' || f <= 0 || f === values) return;
    throw new ModelError(datasetPath, `images are ${dims(sampleShape)} (${values} values) after the transform but the model takes ${f} values per sample`);
  }
  const chw = modelInput.length === 4 ? modelInput.slice(1) : modelInput.length === 3 ? modelInput : undefined;
  const model = chw?.map((d) => (typeof d === 'number' && d > 0 ? d : undefined));
  if (!model) throw new ModelError(datasetPath, `holds ${dims(sampleShape)} images but the model input is [${modelInput.join(', ')}], not N×C×H×W`);
  const [c, h, w] = sampleShape;
  const [mc, mh, mw] = model;
  const steps: string[] = [];
  if (mc !== undefined && mc !== c) {
    if (c === 1 && mc === 3) steps.push('Grayscale(num_output_channels=3)');
    else if (c === 3 && mc === 1) steps.push('Grayscale()');
  }
  const sizeOff = (mh !== undefined && mh !== h) || (mw !== undefined && mw !== w);
  let alternative = '';
  if (sizeOff) {
    const th = mh ?? h;
    const tw = mw ?? w;
    const dh = th - h;
    const dw = tw - w;
    const resize = th === tw ? `Resize(${th})` : `Resize((${th}, ${tw}))`;
    if (dh >= 0 && dw >= 0 && dh % 2 === 0 && dw % 2 === 0) {
      steps.push(dh === dw ? `Pad(${dh / 2})` : `Pad((${dw / 2}, ${dh / 2}))`);
      alternative = resize;
    } else if (dh <= 0 && dw <= 0) {
      steps.push(th === tw ? `CenterCrop(${th})` : `CenterCrop((${th}, ${tw}))`);
      alternative = resize;
    } else steps.push(resize);
  }
  if (steps.length === 0 && (mc === undefined || mc === c)) return;

  const want = model.map((d, i) => d ?? sampleShape[i]!);
  let msg = `images are ${dims(sampleShape)} after the transform but the model takes ${dims(want)}`;
  if (steps.length === 0) {
    msg += `: QuantLab knows no transform step that turns ${c} channels into ${mc}`;
  } else {
    const add = steps.join(' and ') + (alternative ? ` (or ${alternative})` : '');
    msg += `: add ${add} to --transform`;
    const example = exampleTransform(steps, transformText);
    if (example) msg += `, e.g. --transform "${example}"`;
  }
  throw new ModelError(datasetPath, msg);
}

/** The user's pipeline with the new steps first, where they act on the decoded pixels. */
function exampleTransform(steps: readonly string[], transformText: string): string | undefined {
  let current: string;
  try {
    current = parseTransform(transformText).text;
  } catch {
    return undefined;
  }
  return [...steps, ...(current === 'none' ? [] : [current])].join(', ');
}
