// .vscode/quantlab.json: which dataset, split and transform each model (a
// path or glob, relative to the workspace folder) is calibrated and evaluated
// on. This module is the file's meaning without VS Code: reading it with
// every problem located (for diagnostics), choosing a model's entry, and
// writing one entry back in place so that the rest of the file, comments
// included, stays as the user wrote it.
//
//   { "models": { "samples/lenet5_trained.onnx": { "data": "samples/mnist-small", "split": "test",
//                                                   "transform": "Pad(2), ToTensor(), Normalize((0.5,), (0.5,))" } } }
import { parseTransform } from '../../core/data/transform';
import { parseJsonc, property, type JsonNode, type JsonProperty } from './jsonc';

export const CONFIG_PATH = '.vscode/quantlab.json';
const ROOT_KEYS = ['$schema', 'models'] as const;
export const ENTRY_KEYS = ['data', 'split', 'transform'] as const;
export const SPLITS = ['train', 'test'] as const;
export type DataSplit = (typeof SPLITS)[number];

export interface DatasetEntry {
  /** The dataset: an IDX folder, a folder of class folders, or .npz; relative to the workspace folder. */
  data?: string;
  /** The split accuracies are measured on (default test); calibration and training use train. */
  split?: DataSplit;
  /** torchvision-style pipeline; absent: the quantlab.data.transform setting. */
  transform?: string;
}

export interface Span {
  offset: number;
  length: number;
}

export interface ConfigProblem {
  severity: 'error' | 'warning';
  message: string;
  span: Span;
}

export interface ConfigEntry {
  pattern: string;
  entry: DatasetEntry;
  /** The entry's problems: a job that would use it stops with the first error among them. */
  problems: ConfigProblem[];
  span: Span;
  /** Where `data` is, for the existence check that needs the file system. */
  dataSpan?: Span;
}

export interface QuantlabConfig {
  entries: ConfigEntry[];
  /** Every problem in the file, entries' included. */
  problems: ConfigProblem[];
}

/** Reads the file's text; never throws: what is wrong becomes a located problem. */
export function readConfig(text: string): QuantlabConfig {
  const problems: ConfigProblem[] = [];
  const entries: ConfigEntry[] = [];
  if (text.trim() === '') return { entries, problems };
  const parsed = parseJsonc(text);
  if (parsed.error) {
    const { message, offset, length } = parsed.error;
    return { entries, problems: [{ severity: 'error', message: `not valid JSON: ${message}`, span: { offset, length } }] };
  }
  const root = parsed.root;
  if (root.type !== 'object') return { entries, problems: [{ severity: 'error', message: 'the file should hold one object: { "models": { … } }', span: root }] };
  unknownKeys(root.properties, ROOT_KEYS, 'the file', problems);
  duplicateKeys(root.properties, problems);
  const models = property(root, 'models');
  if (!models) {
    problems.push({ severity: 'warning', message: `no "models": nothing is configured (map a model path or glob to { "data", "split", "transform" })`, span: { offset: root.offset, length: 1 } });
    return { entries, problems };
  }
  if (models.value.type !== 'object') {
    problems.push({ severity: 'error', message: '"models" should be an object mapping model paths or globs to { "data", "split", "transform" }', span: models.value });
    return { entries, problems };
  }
  duplicateKeys(models.value.properties, problems);
  const seen = new Set<string>();
  for (const p of [...models.value.properties].reverse()) {
    if (seen.has(p.key)) continue; // JSON's rule: the last one counts (and duplicateKeys said so).
    seen.add(p.key);
    const e = readEntry(p);
    entries.unshift(e);
    problems.push(...e.problems);
  }
  return { entries, problems };
}

function readEntry(p: JsonProperty): ConfigEntry {
  const problems: ConfigProblem[] = [];
  const entry: DatasetEntry = {};
  const result: ConfigEntry = { pattern: p.key, entry, problems, span: p.keySpan };
  if (p.key.trim() === '') problems.push({ severity: 'error', message: 'the model path or glob is empty', span: p.keySpan });
  const v = p.value;
  if (v.type !== 'object') {
    problems.push({ severity: 'error', message: `the entry for '${p.key}' should be an object: { "data", "split", "transform" }`, span: v });
    return result;
  }
  unknownKeys(v.properties, ENTRY_KEYS, `the entry for '${p.key}'`, problems);
  const str = (key: string): { value: string; node: JsonNode } | undefined => {
    const prop = property(v, key);
    if (!prop) return undefined;
    if (prop.value.type !== 'string') {
      problems.push({ severity: 'error', message: `"${key}" should be a string`, span: prop.value });
      return undefined;
    }
    return { value: prop.value.value, node: prop.value };
  };
  const data = str('data');
  if (data) {
    if (data.value.trim() === '') problems.push({ severity: 'error', message: '"data" is empty: give the dataset folder or file', span: data.node });
    else {
      entry.data = data.value;
      result.dataSpan = data.node;
    }
  } else if (!property(v, 'data')) {
    problems.push({ severity: 'error', message: `"data" is missing: the dataset for models matching '${p.key}' (an IDX folder, a folder of class folders of images, or .npz)`, span: p.keySpan });
  }
  const split = str('split');
  if (split) {
    if ((SPLITS as readonly string[]).includes(split.value)) entry.split = split.value as DataSplit;
    else problems.push({ severity: 'error', message: `"split" is "train" or "test", not "${split.value}"`, span: split.node });
  }
  const transform = str('transform');
  if (transform) {
    const problem = transformProblem(transform.value);
    if (problem) problems.push({ severity: 'error', message: `"transform": ${problem}`, span: transform.node });
    else entry.transform = transform.value;
  }
  return result;
}

/** Why `text` is not a transform parseTransform reads, in words for this file (not the CLI's flag); undefined when it is one. */
export function transformProblem(text: string): string | undefined {
  try {
    parseTransform(text);
    return undefined;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).replace(/^--transform:?\s*/, '');
  }
}

function unknownKeys(properties: JsonProperty[], known: readonly string[], where: string, problems: ConfigProblem[]): void {
  for (const p of properties) {
    if (known.includes(p.key)) continue;
    const near = known.find((k) => editDistance(k.toLowerCase(), p.key.toLowerCase()) <= 2);
    const hint = near ? `did you mean "${near}"?` : `known keys: ${known.filter((k) => k !== '$schema').map((k) => `"${k}"`).join(', ')}`;
    problems.push({ severity: 'warning', message: `unknown key "${p.key}" in ${where} (${hint}); QuantLab ignores it`, span: p.keySpan });
  }
}

function duplicateKeys(properties: JsonProperty[], problems: ConfigProblem[]): void {
  const seen = new Set<string>();
  for (let k = properties.length - 1; k >= 0; k--) {
    const p = properties[k]!;
    if (seen.has(p.key)) problems.push({ severity: 'warning', message: `"${p.key}" is listed again further down; the last one counts`, span: p.keySpan });
    seen.add(p.key);
  }
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The entry for a model at `relativePath` (relative to the workspace folder, '/'-separated): an entry naming
 * exactly that path first, else the first glob in the file that matches. A glob without '/' matches the file
 * name in any folder (as in .gitignore); with one, the whole relative path.
 */
export function entryFor(config: QuantlabConfig, relativePath: string): ConfigEntry | undefined {
  const exact = config.entries.find((e) => normalize(e.pattern) === relativePath);
  return exact ?? config.entries.find((e) => globMatches(e.pattern, relativePath));
}

function normalize(pattern: string): string {
  return pattern.trim().replace(/\\/g, '/').replace(/^\.\//, '');
}

export function globMatches(pattern: string, relativePath: string): boolean {
  const p = normalize(pattern);
  if (p === '') return false;
  const target = p.includes('/') ? relativePath : relativePath.slice(relativePath.lastIndexOf('/') + 1);
  return globToRegExp(p).test(target);
}

/** `**` (any folders), `*` and `?` (within a name), `{a,b}` alternatives. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces > 0) {
      braces--;
      re += ')';
    } else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}${')'.repeat(braces)}$`, 'i');
}

/**
 * The file's text with `pattern`'s entry set to `entry` (added when absent). Only that entry's text changes;
 * the rest (comments, order, other entries) stays. Throws when the file is not an object we can edit.
 */
export function withEntry(text: string, pattern: string, entry: DatasetEntry): string {
  const body = (indent: string): string => JSON.stringify(clean(entry), null, 2).replace(/\n/g, `\n${indent}`);
  if (text.trim() === '') return `{\n  "models": {\n    ${JSON.stringify(pattern)}: ${body('    ')}\n  }\n}\n`;
  const parsed = parseJsonc(text);
  if (parsed.error) throw new Error(`${CONFIG_PATH} is not valid JSON (${parsed.error.message} at line ${lineOf(text, parsed.error.offset)}): fix it, then try again`);
  const root = parsed.root;
  if (root.type !== 'object') throw new Error(`${CONFIG_PATH} does not hold an object: fix it, then try again`);
  const models = property(root, 'models');
  if (!models) return insertProperty(text, root, 'models', `{\n    ${JSON.stringify(pattern)}: ${body('    ')}\n  }`, '  ');
  if (models.value.type !== 'object') throw new Error(`"models" in ${CONFIG_PATH} is not an object: fix it, then try again`);
  const existing = property(models.value, pattern);
  if (existing) return splice(text, existing.value, body('    '));
  return insertProperty(text, models.value, pattern, body('    '), '    ');
}

function insertProperty(text: string, object: JsonNode & { type: 'object' }, key: string, value: string, indent: string): string {
  const last = object.properties.at(-1);
  const item = `${JSON.stringify(key)}: ${value}`;
  if (last) {
    const end = last.offset + last.length;
    // A comment after the last property stays on its line: the comma goes before it, the new property after it.
    const lineEnd = text.indexOf('\n', end);
    const rest = lineEnd < 0 ? '' : text.slice(end, lineEnd);
    if (lineEnd >= 0 && /^\s*(?:,\s*)?(?:\/\/.*)?$/.test(rest)) {
      const hasComma = /^\s*,/.test(rest);
      return `${text.slice(0, end)}${hasComma ? '' : ','}${text.slice(end, lineEnd)}\n${indent}${item}${hasComma ? ',' : ''}${text.slice(lineEnd)}`;
    }
    return `${text.slice(0, end)},\n${indent}${item}${text.slice(end)}`;
  }
  const close = object.offset + object.length - 1;
  const outer = indent.slice(2);
  return `${text.slice(0, object.offset)}{\n${indent}${item}\n${outer}}${text.slice(close + 1)}`;
}

function splice(text: string, span: Span, replacement: string): string {
  return text.slice(0, span.offset) + replacement + text.slice(span.offset + span.length);
}

function clean(entry: DatasetEntry): DatasetEntry {
  const out: DatasetEntry = {};
  for (const key of ENTRY_KEYS) if (entry[key] !== undefined) (out as Record<string, string>)[key] = entry[key]!;
  return out;
}

export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
