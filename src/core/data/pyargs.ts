// The Python a transform step's arguments are written in, as far as
// torchvision pipelines use it: numbers, tuples and lists, strings, True /
// False / None, dotted names (InterpolationMode.BILINEAR) and keyword
// arguments. Anything else is a syntax error for the caller to quote.

export type PyValue = { kind: 'num'; v: number } | { kind: 'str'; v: string } | { kind: 'name'; v: string } | { kind: 'seq'; v: PyValue[]; tuple: boolean };

export interface PyArgs {
  positional: PyValue[];
  keyword: Map<string, PyValue>;
}

export class PySyntaxError extends Error {}

/** Splits at commas outside brackets and quotes; used for the pipeline and for arguments. */
export function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === "'" || ch === '"') quote = ch;
    else if ('([{'.includes(ch)) depth++;
    else if (')]}'.includes(ch)) {
      if (--depth < 0) throw new PySyntaxError(`unbalanced '${ch}'`);
    } else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0 || quote) throw new PySyntaxError(quote ? 'unclosed quote' : 'unclosed bracket');
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

export function parseArgs(text: string): PyArgs {
  const args: PyArgs = { positional: [], keyword: new Map() };
  const parts = splitTopLevel(text);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // f(a, b,)
  for (const part of parts) {
    const kw = /^([A-Za-z_]\w*)\s*=(?!=)\s*([\s\S]*)$/.exec(part);
    if (kw) {
      if (args.keyword.has(kw[1]!)) throw new PySyntaxError(`${kw[1]} given twice`);
      args.keyword.set(kw[1]!, parseValue(kw[2]!));
    } else {
      if (args.keyword.size > 0) throw new PySyntaxError(`positional argument '${part}' after keyword arguments`);
      args.positional.push(parseValue(part));
    }
  }
  return args;
}

export function parseValue(text: string): PyValue {
  const t = text.trim();
  if (t === '') throw new PySyntaxError('an empty argument');
  const open = t[0];
  if (open === '(' || open === '[') {
    const close = open === '(' ? ')' : ']';
    if (t[t.length - 1] !== close) throw new PySyntaxError(`'${t}' is not a tuple or list`);
    const parts = splitTopLevel(t.slice(1, -1));
    const trailing = parts.length > 1 && parts[parts.length - 1] === '';
    if (trailing || (parts.length === 1 && parts[0] === '')) parts.pop();
    // (x) is x in Python; (x,) is a tuple.
    if (open === '(' && parts.length === 1 && !trailing) return parseValue(parts[0]!);
    return { kind: 'seq', v: parts.map(parseValue), tuple: open === '(' };
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return { kind: 'num', v: Number(t) };
  const str = /^(['"])(.*)\1$/s.exec(t);
  if (str) return { kind: 'str', v: str[2]! };
  if (/^[A-Za-z_][\w.]*$/.test(t)) return { kind: 'name', v: t };
  throw new PySyntaxError(`cannot read the value '${t}'`);
}

/** Python source for a value, for the normalised pipeline text: 0.5, (0.5,), (1, 2). */
export function pyRepr(v: PyValue | number | readonly number[]): string {
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.length === 1 ? `(${v[0]},)` : `(${v.join(', ')})`;
  const x = v as PyValue;
  switch (x.kind) {
    case 'num':
      return String(x.v);
    case 'str':
      return `'${x.v}'`;
    case 'name':
      return x.v;
    case 'seq':
      return x.tuple ? (x.v.length === 1 ? `(${pyRepr(x.v[0]!)},)` : `(${x.v.map(pyRepr).join(', ')})`) : `[${x.v.map(pyRepr).join(', ')}]`;
  }
}
