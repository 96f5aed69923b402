// The transform steps QuantLab knows, each built from its parsed arguments
// with torchvision's signature (positional or keyword) and its defaults.

import { UsageError } from '../errors';
import { centerCrop, grayscale, normalize, toTensor, window } from './ops';
import { pyRepr, type PyArgs, type PyValue } from './pyargs';
import { resizeBilinear } from './resample';
import type { Image } from './types';

export interface Step {
  readonly name: string;
  /** Normalised source, e.g. "Normalize((0.5,), (0.5,))". */
  readonly text: string;
  shape(c: number, h: number, w: number): [number, number, number];
  /** `owned`: the input's buffer belongs to the pipeline and may be overwritten. */
  apply(img: Image, owned: boolean): Image;
}

/** A bad argument; the parser adds which step it is in. */
export class ArgError extends Error {}

type Bound = Map<string, PyValue>;

function bind(args: PyArgs, params: readonly string[]): Bound {
  if (args.positional.length > params.length) throw new ArgError(`takes at most ${params.length} positional argument${params.length === 1 ? '' : 's'} (${params.join(', ') || 'none'})`);
  const out: Bound = new Map();
  args.positional.forEach((v, i) => out.set(params[i]!, v));
  for (const [k, v] of args.keyword) {
    if (!params.includes(k)) throw new ArgError(`has no argument '${k}' (it takes ${params.join(', ') || 'none'})`);
    if (out.has(k)) throw new ArgError(`got '${k}' twice`);
    out.set(k, v);
  }
  return out;
}

function numbers(v: PyValue, what: string): number[] {
  if (v.kind === 'num') return [v.v];
  if (v.kind === 'seq' && v.v.length > 0 && v.v.every((x) => x.kind === 'num')) return v.v.map((x) => (x as { v: number }).v);
  throw new ArgError(`${what} must be a number or a tuple of numbers, not ${pyRepr(v)}`);
}

function sizes(v: PyValue, what: string, lengths: readonly number[], min = 0): number[] {
  const n = numbers(v, what);
  if (!lengths.includes(n.length) || n.some((x) => !Number.isInteger(x) || x < min)) {
    throw new ArgError(`${what} must be a whole number ≥ ${min}${lengths.length > 1 ? ` or a tuple of ${lengths.filter((l) => l > 1).join(' or ')}` : ''}, not ${pyRepr(v)}`);
  }
  return n;
}

const isNone = (v: PyValue | undefined): boolean => v === undefined || (v.kind === 'name' && v.v === 'None');
const perChannel = (n: readonly number[], c: number): boolean => n.length === 1 || n.length === c;
const text = (name: string, args: (string | undefined)[]): string => `${name}(${args.filter((a) => a !== undefined).join(', ')})`;

function pad(a: Bound): Step {
  const padding = a.get('padding');
  if (!padding) throw new ArgError("needs the padding, e.g. Pad(2)");
  const p = sizes(padding, 'padding', [1, 2, 4]);
  // torchvision: one value for all sides, (left/right, top/bottom), or (left, top, right, bottom).
  const [l, t, r, b] = p.length === 1 ? [p[0]!, p[0]!, p[0]!, p[0]!] : p.length === 2 ? [p[0]!, p[1]!, p[0]!, p[1]!] : (p as [number, number, number, number]);
  const fill = a.has('fill') ? numbers(a.get('fill')!, 'fill') : [0];
  const mode = a.get('padding_mode');
  if (mode && !(mode.kind === 'str' && mode.v === 'constant')) throw new ArgError(`padding_mode ${pyRepr(mode)} is not supported: only 'constant'`);
  const check = (c: number): void => {
    if (!perChannel(fill, c)) throw new UsageError(`--transform: Pad fill ${pyRepr(fill)} has ${fill.length} values but the images have ${c} channel${c === 1 ? '' : 's'}`);
  };
  return {
    name: 'Pad',
    text: text('Pad', [pyRepr(padding), fill.length === 1 && fill[0] === 0 ? undefined : `fill=${pyRepr(fill.length === 1 ? fill[0]! : fill)}`]),
    shape: (c, h, w) => (check(c), [c, h + t + b, w + l + r]),
    apply: (img) => (check(img.c), window(img, -t, -l, img.h + t + b, img.w + l + r, fill)),
  };
}

function resize(a: Bound): Step {
  const size = a.get('size');
  if (!size) throw new ArgError('needs the size, e.g. Resize(32) or Resize((32, 32))');
  const s = sizes(size, 'size', [1, 2], 1);
  const interp = a.get('interpolation');
  if (interp && !/^(InterpolationMode\.)?BILINEAR$/i.test(interp.kind === 'num' ? '' : String(interp.v)) && !(interp.kind === 'num' && interp.v === 2)) {
    throw new ArgError(`interpolation ${pyRepr(interp)} is not supported: only bilinear (torchvision's default)`);
  }
  const maxV = a.get('max_size');
  const maxSize = isNone(maxV) ? undefined : sizes(maxV!, 'max_size', [1])[0]!;
  const aa = a.get('antialias');
  // Only tensors listen to antialias=False; unset means True (torchvision ≥ 0.17).
  const antialias = !(aa?.kind === 'name' && aa.v === 'False');
  // torchvision's _compute_resized_output_size: an int sets the shorter side, int() truncates the longer.
  const out = (h: number, w: number): [number, number] => {
    if (s.length === 2) return [s[0]!, s[1]!];
    const [short, long] = w <= h ? [w, h] : [h, w];
    let newShort = s[0]!;
    let newLong = Math.trunc((newShort * long) / short);
    if (maxSize !== undefined && newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
    return w <= h ? [newLong, newShort] : [newShort, newLong];
  };
  if (maxSize !== undefined && (s.length !== 1 || maxSize <= s[0]!)) throw new ArgError(`max_size=${maxSize} needs a single size smaller than it`);
  return {
    name: 'Resize',
    text: text('Resize', [pyRepr(size), maxSize === undefined ? undefined : `max_size=${maxSize}`, antialias ? undefined : 'antialias=False']),
    shape: (c, h, w) => [c, ...out(h, w)],
    apply: (img) => {
      const [h, w] = out(img.h, img.w);
      return h === img.h && w === img.w ? img : resizeBilinear(img, h, w, antialias);
    },
  };
}

function crop(a: Bound): Step {
  const size = a.get('size');
  if (!size) throw new ArgError('needs the size, e.g. CenterCrop(28)');
  const s = sizes(size, 'size', [1, 2], 1);
  const [ch, cw] = s.length === 1 ? [s[0]!, s[0]!] : [s[0]!, s[1]!];
  return { name: 'CenterCrop', text: text('CenterCrop', [pyRepr(size)]), shape: (c) => [c, ch, cw], apply: (img) => centerCrop(img, ch, cw) };
}

function gray(a: Bound): Step {
  const v = a.get('num_output_channels');
  const n = v ? sizes(v, 'num_output_channels', [1])[0]! : 1;
  if (n !== 1 && n !== 3) throw new ArgError(`num_output_channels must be 1 or 3, not ${n}`);
  const check = (c: number): void => {
    if (c !== 1 && c !== 3) throw new UsageError(`--transform: Grayscale needs 1 or 3 channels but the images have ${c}`);
  };
  return {
    name: 'Grayscale',
    text: text('Grayscale', [n === 3 ? 'num_output_channels=3' : undefined]),
    shape: (c, h, w) => (check(c), [n, h, w]),
    apply: (img) => (check(img.c), grayscale(img, n)),
  };
}

function tensor(): Step {
  return { name: 'ToTensor', text: 'ToTensor()', shape: (c, h, w) => [c, h, w], apply: (img, owned) => toTensor(img, owned) };
}

function norm(a: Bound): Step {
  const mv = a.get('mean');
  const sv = a.get('std');
  if (!mv || !sv) throw new ArgError('needs mean and std, e.g. Normalize((0.5,), (0.5,))');
  const mean = numbers(mv, 'mean');
  const std = numbers(sv, 'std');
  if (std.some((s) => s === 0)) throw new ArgError(`std ${pyRepr(std)} has a zero: division by zero`);
  const check = (c: number): void => {
    for (const [what, n] of [['mean', mean], ['std', std]] as const) {
      if (!perChannel(n, c)) throw new UsageError(`--transform: Normalize ${what} ${pyRepr(n)} has ${n.length} values but the images have ${c} channel${c === 1 ? '' : 's'} (give 1 or ${c})`);
    }
  };
  return {
    name: 'Normalize',
    text: `Normalize(${pyRepr(mean)}, ${pyRepr(std)})`,
    shape: (c, h, w) => (check(c), [c, h, w]),
    apply: (img, owned) => (check(img.c), normalize(img, mean, std, owned)),
  };
}

export const STEPS: Record<string, { params: readonly string[]; build: (a: Bound) => Step }> = {
  Pad: { params: ['padding', 'fill', 'padding_mode'], build: pad },
  Resize: { params: ['size', 'interpolation', 'max_size', 'antialias'], build: resize },
  CenterCrop: { params: ['size'], build: crop },
  Grayscale: { params: ['num_output_channels'], build: gray },
  ToTensor: { params: [], build: tensor },
  Normalize: { params: ['mean', 'std', 'inplace'], build: norm },
};

export function buildStep(name: string, args: PyArgs): Step {
  const spec = STEPS[name]!;
  return spec.build(bind(args, spec.params));
}
