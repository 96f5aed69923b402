// JSON with comments and trailing commas (what VS Code accepts in .vscode/*.json),
// parsed to a tree that keeps every node's offset, so diagnostics can point at
// the key or value they are about and an update can replace one value in
// place, keeping the user's comments. Stops at the first syntax error.

interface Span {
  offset: number;
  length: number;
}

export type JsonNode =
  | (Span & { type: 'object'; properties: JsonProperty[] })
  | (Span & { type: 'array'; items: JsonNode[] })
  | (Span & { type: 'string'; value: string })
  | (Span & { type: 'number'; value: number })
  | (Span & { type: 'boolean'; value: boolean })
  | (Span & { type: 'null'; value: null });

export interface JsonProperty extends Span {
  key: string;
  keySpan: Span;
  value: JsonNode;
}

export interface JsonSyntaxError extends Span {
  message: string;
}

export type ParseResult = { root: JsonNode; error?: undefined } | { root?: undefined; error: JsonSyntaxError };

class Stop extends Error {
  constructor(readonly at: JsonSyntaxError) {
    super(at.message);
  }
}

export function parseJsonc(text: string): ParseResult {
  let i = 0;
  const fail = (message: string, offset = i, length = 1): never => {
    throw new Stop({ message, offset, length: Math.max(0, Math.min(length, text.length - offset)) });
  };

  const skip = (): void => {
    for (;;) {
      while (i < text.length && /\s/.test(text[i]!)) i++;
      if (text.startsWith('//', i)) {
        const end = text.indexOf('\n', i);
        i = end < 0 ? text.length : end + 1;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('the comment is not closed (*/ missing)', i, 2);
        i = end + 2;
      } else return;
    }
  };

  const string = (): JsonNode & { type: 'string' } => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\n') fail('the string is not closed (" missing before the end of the line)', start, i - start);
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail('the string is not closed (" missing)', start, i - start);
    i++;
    let value: string;
    try {
      value = JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('the string has an invalid escape or control character', start, i - start);
    }
    return { type: 'string', value, offset: start, length: i - start };
  };

  const value = (): JsonNode => {
    skip();
    const start = i;
    const c = text[i];
    if (c === undefined) return fail('a value was expected, the text ended', i, 0);
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64))?.[0];
    if (!literal) return fail(`a value was expected, found '${text.slice(i, i + 10).split(/\s/)[0]}'`, i, 1);
    i += literal.length;
    const span = { offset: start, length: literal.length };
    if (literal === 'true' || literal === 'false') return { type: 'boolean', value: literal === 'true', ...span };
    if (literal === 'null') return { type: 'null', value: null, ...span };
    return { type: 'number', value: Number(literal), ...span };
  };

  const object = (): JsonNode => {
    const start = i;
    i++;
    const properties: JsonProperty[] = [];
    for (;;) {
      skip();
      if (text[i] === '}') break;
      if (text[i] !== '"') fail(properties.length ? "a property name in double quotes or '}' was expected" : "a property name in double quotes was expected");
      const key = string();
      skip();
      if (text[i] !== ':') fail("':' was expected after the property name");
      i++;
      const v = value();
      properties.push({ key: key.value, keySpan: { offset: key.offset, length: key.length }, value: v, offset: key.offset, length: v.offset + v.length - key.offset });
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] !== '}') fail("',' or '}' was expected");
    }
    i++;
    return { type: 'object', properties, offset: start, length: i - start };
  };

  const array = (): JsonNode => {
    const start = i;
    i++;
    const items: JsonNode[] = [];
    for (;;) {
      skip();
      if (text[i] === ']') break;
      items.push(value());
      skip();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] !== ']') fail("',' or ']' was expected");
    }
    i++;
    return { type: 'array', items, offset: start, length: i - start };
  };

  try {
    const root = value();
    skip();
    if (i < text.length) fail('unexpected text after the end of the JSON value', i, text.length - i);
    return { root };
  } catch (e) {
    if (e instanceof Stop) return { error: e.at };
    throw e;
  }
}

/** The property `key` of an object node; the last one when it is listed twice, as JSON.parse reads it. */
export function property(node: JsonNode | undefined, key: string): JsonProperty | undefined {
  if (node?.type !== 'object') return undefined;
  for (let k = node.properties.length - 1; k >= 0; k--) if (node.properties[k]!.key === key) return node.properties[k];
  return undefined;
}
