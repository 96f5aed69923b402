// The report's sections in the lab's order, the table of contents, and the
// whole document. A block renders one section's body with the same function.

import { renderCompare } from './compare';
import { md, slug } from './markdown';
import { summarySection, layersSection } from './sections/model';
import { activationRangesSection, weightOnlySection, weightRangesSection, weightScalesSection } from './sections/ranges';
import { accuracySection, biasSection, floorRoundSection, integerOnlySection, intDivSection, scalesSection } from './sections/requant';
import { boundariesSection, provenanceSection, qatSection } from './sections/qat';
import { REPORT_RENDER, type RenderOptions } from './sections/options';
import type { ReportData } from './types';

/** What a section needs measured: the model alone, or data too. */
export type Needs = 'model' | 'activations' | 'ptq' | 'variants';

export interface SectionDef {
  id: string;
  number: string;
  title: string;
  /** Heading level in the report (## for parts). */
  level: 2 | 3 | 4;
  needs: Needs;
  /** Undefined for a heading that only groups the sections below it. */
  body?: (d: ReportData, o: RenderOptions) => string;
  /** A section the report has only when it measured it (the comparison). */
  present?: (d: ReportData) => boolean;
}

const PART = (number: string, title: string): SectionDef => ({ id: `part-${number}`, number, title, level: 2, needs: 'model' });

export const SECTIONS: readonly SectionDef[] = [
  PART('1', 'Model'),
  { id: 'summary', number: '1.1', title: 'Model summary', level: 3, needs: 'model', body: summarySection },
  { id: 'layers', number: '1.2', title: 'Layer table', level: 3, needs: 'model', body: layersSection },
  { id: 'architectures', number: '1.3', title: 'Architecture comparison', level: 3, needs: 'model', body: (d) => renderCompare(d.compare!).trimEnd(), present: (d) => d.compare !== undefined },
  PART('2', 'Post-training quantization'),
  { id: 'weight-ranges', number: '2.1', title: 'Weight ranges: actual and 3-sigma', level: 3, needs: 'model', body: weightRangesSection },
  { id: 'part-2.2', number: '2.2', title: 'Weight scales and weight-only accuracy', level: 3, needs: 'model' },
  { id: 'weight-scales', number: '2.2.1', title: 'Weight scales', level: 4, needs: 'ptq', body: weightScalesSection },
  { id: 'weight-only', number: '2.2.2', title: 'Weight-only accuracy', level: 4, needs: 'ptq', body: weightOnlySection },
  { id: 'activation-ranges', number: '2.3', title: 'Activation ranges: actual and 3-sigma', level: 3, needs: 'activations', body: activationRangesSection },
  { id: 'part-2.4', number: '2.4', title: 'Requantization and integer-only inference', level: 3, needs: 'model' },
  { id: 'scales', number: '2.4.1', title: 'Scales and multipliers per layer', level: 4, needs: 'ptq', body: scalesSection },
  { id: 'integer-only', number: '2.4.2', title: 'Integer-only accuracy', level: 4, needs: 'ptq', body: integerOnlySection },
  { id: 'floor-round', number: '2.4.3', title: 'Floor versus round', level: 4, needs: 'variants', body: floorRoundSection },
  { id: 'int-div', number: '2.4.4', title: 'Integer division by round(1/M)', level: 4, needs: 'variants', body: intDivSection },
  { id: 'bias', number: '2.5', title: 'Bias quantization', level: 3, needs: 'ptq', body: biasSection },
  { id: 'accuracy', number: '2.6', title: 'Accuracy after each step', level: 3, needs: 'variants', body: accuracySection },
  PART('3', 'Quantization-aware training'),
  { id: 'qat', number: '3.1', title: 'QAT versus PTQ', level: 3, needs: 'model', body: qatSection },
  { id: 'boundaries', number: '3.2', title: 'Where quantize and dequantize sit', level: 3, needs: 'model', body: boundariesSection },
  { id: 'provenance', number: '4', title: 'Provenance', level: 2, needs: 'model', body: provenanceSection },
];

/** Sections a block can show: those with a body (a compare block has its own marker, `quantlab:compare`). */
export const BLOCK_SECTIONS: readonly SectionDef[] = SECTIONS.filter((s) => s.body && !s.present);

/** The sections this report has. */
export function sectionsOf(d: ReportData): SectionDef[] {
  return SECTIONS.filter((s) => !s.present || s.present(d));
}

export function sectionById(id: string): SectionDef | undefined {
  return BLOCK_SECTIONS.find((s) => s.id === id);
}

function heading(s: SectionDef): string {
  return `${s.number} ${s.title}`;
}

/** Without a report: every section the report always has. */
export function tableOfContents(d?: ReportData): string {
  return (d ? sectionsOf(d) : SECTIONS.filter((s) => !s.present)).map((s) => `${'  '.repeat(s.level - 2)}- [${md(heading(s))}](#${slug(heading(s))})`).join('\n');
}

export function renderSection(id: string, d: ReportData, o: RenderOptions): string {
  const s = SECTIONS.find((x) => x.id === id && x.body);
  if (!s?.body) throw new Error(`no report section '${id}'`);
  return s.body(d, o);
}

export function renderReport(d: ReportData, o: RenderOptions = REPORT_RENDER): string {
  const out = [
    `# Quantization report: ${md(d.title)}`,
    '',
    'Generated by QuantLab from one measured run; every number below is also in report.json beside this file. Formulas use KaTeX (`$…$`).',
    '',
    '## Contents',
    '',
    tableOfContents(d),
  ];
  for (const s of sectionsOf(d)) {
    out.push('', `${'#'.repeat(s.level)} ${md(heading(s))}`);
    if (s.body) out.push('', s.body(d, o));
  }
  return out.join('\n') + '\n';
}
