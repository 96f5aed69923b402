// 3.x: QAT against PTQ, where quantize/dequantize sit; and the provenance block.
import { md, num, percent, table } from '../markdown';
import type { ReportData } from '../types';

export function qatSection(d: ReportData): string {
  const q = d.qat;
  if (!q) {
    return [
      '**QAT not run.** Quantization-aware training fine-tunes the float weights with fake quantization in the forward pass (straight-through gradients), ' +
        'so the weights adapt to the rounding PTQ applies after the fact. Run the report with `--qat-epochs N` to measure it against PTQ here.',
    ].join('\n');
  }
  const a = q.accuracy;
  const verdict =
    a.qat === null || a.ptq === null ? 'the integer-only accuracies could not be measured'
      : a.qat > a.ptq ? 'it recovers accuracy that PTQ lost'
        : a.qat === a.ptq ? 'it matches PTQ here' : 'it did not beat PTQ here';
  const lines = [
    `QAT fine-tuned the model for ${q.epochs} epoch${q.epochs === 1 ? '' : 's'} with fake quantization at the same points as PTQ, then ran it integer-only like PTQ; ${verdict}.`,
    '',
    table(['Model', 'Accuracy'], [['FP32', percent(a.fp32)], ['PTQ (integer-only)', percent(a.ptq)], ['QAT (integer-only)', percent(a.qat)]], ['left', 'right']),
    '',
    table(['Epoch', 'Training loss', 'Training accuracy', 'Test accuracy (fake-quant)'], q.log.map((e) => [String(e.epoch), num(e.loss), percent(e.trainAccuracy), percent(e.testAccuracy)]), ['right', 'right', 'right', 'right']),
  ];
  if (q.integerOnlyProblem) lines.push('', `Integer-only could not run: ${md(q.integerOnlyProblem)}`);
  return lines.join('\n');
}

export function boundariesSection(d: ReportData): string {
  const b = d.boundaries;
  const bits = d.provenance.options.actBits ?? d.provenance.options.bits;
  const rows = [
    ['QuantStub', md(b.input), `quantize: float → int${bits}`],
    ...b.integerSteps.map((s) => [md(s.name), md(s.op), 'integer']),
    ['DeQuantStub', md(b.output), `dequantize: int${bits} → float`],
  ];
  const lines = [
    'As in PyTorch\'s eager-mode quantization (QAT and static PTQ alike): a QuantStub quantizes the float input once, every layer between runs on integers, ' +
      'and a DeQuantStub turns the output back into float. Activation functions fused into their layer (Conv+Relu) and pooling stay in the integer domain.',
    '',
    table(['Step', 'Op', 'Domain'], rows),
  ];
  if (b.floatSteps.length > 0) {
    lines.push('', 'These steps have no integer kernel: each needs a DeQuantStub before it and a QuantStub after it.', '');
    lines.push(table(['Step', 'Op', 'Why'], b.floatSteps.map((s) => [md(s.name), md(s.op), md(s.reason)])));
  }
  return lines.join('\n');
}

export function provenanceSection(d: ReportData): string {
  const p = d.provenance;
  const c = p.options;
  const width = c.weightBits !== undefined || c.actBits !== undefined ? `${c.weightBits ?? c.bits}-bit weights, ${c.actBits ?? c.bits}-bit activations` : `${c.bits}-bit`;
  const settings = `${width} ${c.scheme}, ${c.perChannel ? 'per-channel' : 'per-tensor'} weights; weight range ${c.weightRange}, activation range ${c.actRange}; rounding ${c.rounding}; requantization ${c.requant}`;
  const code = (s: string): string => `\`${s}\``;
  const rows: [string, string][] = [
    ['Model file', md(p.model)],
    ['SHA-256', code(p.modelSha256)],
    ['Data', p.data === null ? 'none' : md(p.data)],
    ['Transform', p.transform === null || p.transform === '' ? 'none' : md(p.transform)],
    ['Settings', md(settings)],
    ['Calibration', `${c.calibSamples} samples of the ${c.calibSplit} split`],
    ['Evaluation', `${c.evalSamples === null ? 'all' : c.evalSamples} samples of the ${c.evalSplit} split`],
    ['QAT epochs', c.qatEpochs === null ? 'not run' : String(c.qatEpochs)],
    ['Backend', p.backend === null ? 'none (no data)' : md(p.backend)],
    ['QuantLab', md(p.quantlabVersion)],
    ['Node.js', md(p.nodeVersion)],
    ['Date', md(p.date)],
  ];
  return [
    'Everything needed to reproduce this report; every number in it is in report.json, written by the same run.',
    '',
    table(['Item', 'Value'], rows),
  ].join('\n');
}
