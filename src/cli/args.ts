// A small argument parser: flags are declared per command, so a misspelt or
// unknown flag is a usage error instead of being ignored.

import { UsageError } from '../core/errors';

export interface FlagSpec {
  /** true: takes a value (`--input-shape 1,1,32,32` or `--input-shape=1,1,32,32`). */
  value: boolean;
  help: string;
}

export interface Parsed {
  positionals: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: string[], specs: Record<string, FlagSpec>): Parsed {
  const positionals: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('--')) {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown option --${name}`);
    if (!spec.value) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const v = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (v === undefined || v === '') throw new UsageError(`--${name} needs a value`);
    flags.set(name, v);
  }
  return { positionals, flags };
}

/** `1,1,32,32` → [1, 1, 32, 32]; every entry a positive integer. */
export function parseShape(flag: string, text: string): number[] {
  const dims = text.split(/[,x×]/).map((s) => s.trim());
  const out = dims.map((d) => Number(d));
  if (dims.some((d) => !/^\d+$/.test(d)) || out.some((d) => !Number.isSafeInteger(d) || d <= 0)) {
    throw new UsageError(`--${flag} wants positive integers separated by commas, e.g. 1,1,32,32 (got '${text}')`);
  }
  return out;
}
