// model.json is untrusted input: every field is checked where it is read, and
// a wrong one becomes a TfjsError that says where it is and quotes it.

import { ModelError } from '../../errors';

export class TfjsError extends ModelError {
  constructor(file: string, message: string) {
    super(file, message);
    this.name = 'TfjsError';
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A short rendering of a bad value for messages; long values are cut. */
export function quote(value: unknown): string {
  let s: string;
  try {
    s = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    s = String(value);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads fields of one JSON object, naming `where` (e.g. "layer 'conv1'"; '' for the file's top level) in every complaint. */
export class Fields {
  constructor(readonly file: string, readonly where: string, readonly obj: JsonObject) {}

  static of(file: string, where: string, v: unknown): Fields {
    if (!isObject(v)) throw new TfjsError(file, `${where || 'the file'} should be a JSON object, not ${quote(v)}`);
    return new Fields(file, where, v);
  }

  fail(message: string): never {
    throw new TfjsError(this.file, this.where ? `${this.where}: ${message}` : message);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): Json | undefined {
    return this.obj[key];
  }

  str(key: string, fallback?: string): string {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== 'string') this.fail(`'${key}' should be a string, not ${quote(v)}`);
    return v;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(`'${key}' should be true or false, not ${quote(v)}`);
    return v;
  }

  num(key: string, fallback?: number): number {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`'${key}' should be a number, not ${quote(v)}`);
    return v;
  }

  /** An integer or a list of `n` integers (Keras writes kernel_size both ways). */
  ints(key: string, n: number, fallback?: number[]): number[] {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    const list = typeof v === 'number' ? new Array<number>(n).fill(v) : v;
    if (!Array.isArray(list) || list.length !== n || !list.every((x) => typeof x === 'number' && Number.isSafeInteger(x))) {
      this.fail(`'${key}' should be ${n === 1 ? 'an integer' : `${n} integers`}, not ${quote(v)}`);
    }
    return list as number[];
  }

  array(key: string, fallback?: Json[]): Json[] {
    const v = this.obj[key];
    if ((v === undefined || v === null) && fallback !== undefined) return fallback;
    if (!Array.isArray(v)) this.fail(`'${key}' should be a list, not ${quote(v)}`);
    return v;
  }

  object(key: string, where = `${this.where}.${key}`): Fields {
    return Fields.of(this.file, where, this.obj[key]);
  }
}

/** Checks a declared shape: a list of non-negative safe integers. */
export function checkShape(file: string, where: string, v: unknown): number[] {
  if (!Array.isArray(v)) throw new TfjsError(file, `${where} has shape ${quote(v)}, which is not a list`);
  for (const d of v) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new TfjsError(file, `${where} has shape ${quote(v)}: dimension ${quote(d)} is not a non-negative integer`);
    }
  }
  return v as number[];
}
