// The lab's forms: which fields each job has (every flag of `quantlab ptq`
// among them), their defaults, and how their text becomes the job's options.
// Defaults match the CLI's (src/cli/flags.ts).
import type { QuantConfig, RangeMethod, Requant, Rounding, Scheme } from '../../src/core/quant/types';
import type { LabBackend, LabData, LabDefaults, LabProfileOptions, LabPtqOptions, LabQatOptions, LabSplit, QatOptimizer } from '../../src/protocol/lab';
import type { FieldSpec, Form } from './form';

const SPLITS = [['train', 'train'], ['test', 'test']] as const;
const SCHEMES = [['symmetric', 'symmetric (z = 0)'], ['asymmetric', 'asymmetric']] as const;
const RANGES = [['actual', 'actual (min/max)'], ['3sigma', '3σ (mean ± 3σ)'], ['percentile', 'percentile P'], ['mse', 'MSE'], ['kl', 'KL divergence']] as const;
const BITS: FieldSpec = { name: 'bits', label: 'Bits', kind: 'int', value: '8', min: 2, max: 16 };

export function dataFields(d: LabDefaults): FieldSpec[] {
  return [
    { name: 'data', label: 'Data', kind: 'text', value: d.data, placeholder: 'IDX folder, image folders or .npz', wide: true },
    { name: 'transform', label: 'Transform', kind: 'text', value: d.transform, placeholder: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', wide: true },
    { name: 'backend', label: 'Backend', kind: 'select', value: 'auto', choices: [['auto', 'auto (fastest)'], ['tensorflow', 'tensorflow'], ['wasm', 'wasm'], ['cpu', 'cpu']] },
  ];
}

export const PROFILE_FIELDS: FieldSpec[] = [
  { name: 'samples', label: 'Samples', kind: 'int', value: '1000', min: 1 },
  { name: 'split', label: 'Split', kind: 'select', value: 'train', choices: SPLITS },
  BITS,
  { name: 'scheme', label: 'Scheme', kind: 'select', value: 'symmetric', choices: SCHEMES },
];

/** The range-method pair of fields (`weightRange` + `weightP`, `actRange` + `actP`). */
function rangeFields(name: 'weight' | 'act', label: string): FieldSpec[] {
  return [
    { name: `${name}Range`, label, kind: 'select', value: 'actual', choices: RANGES },
    { name: `${name}P`, label: `${label}: P`, kind: 'float', value: '99.99', above: 0, atMost: 100, help: 'percentile of |values| kept' },
  ];
}

const QUANT_FIELDS: FieldSpec[] = [
  BITS,
  { name: 'scheme', label: 'Scheme', kind: 'select', value: 'symmetric', choices: SCHEMES },
  { name: 'perChannel', label: 'Per-channel weight scales', kind: 'check', value: false },
  ...rangeFields('weight', 'Weight range'),
  ...rangeFields('act', 'Activation range'),
  { name: 'rounding', label: 'Rounding', kind: 'select', value: 'round', choices: [['round', 'round (half away from 0)'], ['floor', 'floor']] },
  { name: 'requant', label: 'Requantization', kind: 'select', value: 'fixed-point', choices: [['fixed-point', 'fixed-point (M0, shift)'], ['int-div', 'integer divide'], ['float', 'float']] },
];

export const PTQ_FIELDS: FieldSpec[] = [
  ...QUANT_FIELDS,
  { name: 'calibSamples', label: 'Calibration samples', kind: 'int', value: '1000', min: 1 },
  { name: 'calibSplit', label: 'Calibration split', kind: 'select', value: 'train', choices: SPLITS },
  { name: 'evalSamples', label: 'Evaluation samples', kind: 'int', value: '', min: 1, optional: true, placeholder: 'whole split' },
  { name: 'evalSplit', label: 'Evaluation split', kind: 'select', value: 'test', choices: SPLITS },
];

export const QAT_FIELDS: FieldSpec[] = [
  { name: 'epochs', label: 'Epochs', kind: 'int', value: '3', min: 1 },
  { name: 'lr', label: 'Learning rate', kind: 'float', value: '0.001', above: 0 },
  { name: 'batch', label: 'Batch size', kind: 'int', value: '64', min: 1 },
  { name: 'optimizer', label: 'Optimizer', kind: 'select', value: 'adam', choices: [['adam', 'Adam'], ['sgd', 'SGD (momentum 0.9)']] },
  { name: 'trainSamples', label: 'Training samples', kind: 'int', value: '', min: 1, optional: true, placeholder: 'whole split' },
  { name: 'evalSamples', label: 'Evaluation samples', kind: 'int', value: '', min: 1, optional: true, placeholder: 'whole split' },
  ...QUANT_FIELDS,
];

/** Shows the P fields only while their range is a percentile. */
export function linkPercentiles(form: Form): void {
  for (const name of ['weight', 'act']) {
    const sync = (): void => form.show(`${name}P`, form.text(`${name}Range`) === 'percentile');
    form.onChange(`${name}Range`, sync);
    sync();
  }
}

/** Undefined when a field holds something the job would refuse; the form then shows why. */
export function readData(form: Form): LabData | undefined {
  if (!form.text('data')) form.error('data', 'where the samples are: an IDX folder, a folder of class folders, or an .npz');
  if (form.errors().length) return undefined;
  return { data: form.text('data'), transform: form.text('transform'), backend: form.text('backend') as LabBackend };
}

export function readProfile(form: Form, data: LabData): LabProfileOptions | undefined {
  const samples = form.int('samples');
  const bits = form.int('bits');
  if (samples === undefined || bits === undefined) return undefined;
  return { ...data, samples, bits, split: form.text('split') as LabSplit, scheme: form.text('scheme') as Scheme };
}

function readQuant(form: Form): QuantConfig | undefined {
  const bits = form.int('bits');
  const range = (name: 'weight' | 'act'): RangeMethod | undefined => {
    const method = form.text(`${name}Range`);
    if (method !== 'percentile') return method as RangeMethod;
    const p = form.float(`${name}P`);
    return p === undefined ? undefined : `percentile:${p}`;
  };
  const weightRange = range('weight');
  const actRange = range('act');
  if (bits === undefined || weightRange === undefined || actRange === undefined) return undefined;
  return {
    bits,
    scheme: form.text('scheme') as Scheme,
    perChannel: form.flag('perChannel'),
    weightRange,
    actRange,
    rounding: form.text('rounding') as Rounding,
    requant: form.text('requant') as Requant,
  };
}

export function readPtq(form: Form, data: LabData): LabPtqOptions | undefined {
  const quant = readQuant(form);
  const calibSamples = form.int('calibSamples');
  const evalSamples = form.int('evalSamples');
  if (!quant || calibSamples === undefined || form.errors().length) return undefined;
  return {
    ...data,
    quant,
    calibSamples,
    ...(evalSamples !== undefined ? { evalSamples } : {}),
    calibSplit: form.text('calibSplit') as LabSplit,
    evalSplit: form.text('evalSplit') as LabSplit,
  };
}

export function readQat(form: Form, data: LabData): LabQatOptions | undefined {
  const quant = readQuant(form);
  const epochs = form.int('epochs');
  const lr = form.float('lr');
  const batch = form.int('batch');
  const trainSamples = form.int('trainSamples');
  const evalSamples = form.int('evalSamples');
  if (!quant || epochs === undefined || lr === undefined || batch === undefined || form.errors().length) return undefined;
  return {
    ...data,
    quant,
    epochs,
    lr,
    batch,
    optimizer: form.text('optimizer') as QatOptimizer,
    ...(trainSamples !== undefined ? { trainSamples } : {}),
    ...(evalSamples !== undefined ? { evalSamples } : {}),
  };
}

/** Puts a run's settings back into the PTQ form (to change one thing and run again). */
export function loadPtq(form: Form, o: LabPtqOptions): void {
  const q = o.quant;
  const range = (name: 'weight' | 'act', m: RangeMethod): void => {
    const [method, p] = m.split(':');
    form.set(`${name}Range`, method!);
    if (p) form.set(`${name}P`, p);
  };
  form.set('bits', String(q.bits));
  form.set('scheme', q.scheme);
  form.set('perChannel', q.perChannel);
  range('weight', q.weightRange);
  range('act', q.actRange);
  form.set('rounding', q.rounding);
  form.set('requant', q.requant);
  form.set('calibSamples', String(o.calibSamples));
  form.set('calibSplit', o.calibSplit);
  form.set('evalSamples', o.evalSamples === undefined ? '' : String(o.evalSamples));
  form.set('evalSplit', o.evalSplit);
}

/** One line naming a quantization setting, as the CLI's header does. */
export function quantText(q: QuantConfig): string {
  return `${q.bits}-bit ${q.scheme} ${q.perChannel ? 'per-channel' : 'per-tensor'}, weights ${q.weightRange}, activations ${q.actRange}, ${q.rounding}, ${q.requant}`;
}
