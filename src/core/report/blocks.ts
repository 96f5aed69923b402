// Report blocks inside the user's own Markdown:
//
//   <!-- quantlab:weight-ranges model=models/lenet.onnx data=mnist transform="Pad(2), ToTensor()" -->
//   …rendered Markdown, replaced on refresh…
//   <!-- /quantlab -->
//
// Pure functions on text. Only the bytes between a block's two marker lines
// are ever replaced; everything else (CRLF or LF line ends, trailing spaces, a
// missing final newline) stays byte for byte. Markers inside fenced code are
// text, not blocks.

export type Eol = '\n' | '\r\n';

export interface Block {
  section: string;
  params: Record<string, string>;
  /** The opening marker line as written (without its line end). */
  header: string;
  /** Start of the opening marker line. */
  start: number;
  /** After the opening marker line's line end: where the content starts. */
  contentStart: number;
  /** Start of the closing marker line: where the content ends. */
  contentEnd: number;
  /** After the closing marker line (and its line end, if it has one). */
  end: number;
  /** The opening marker's line end: content is written with it. */
  eol: Eol;
}

export interface BlockProblem {
  offset: number;
  message: string;
}

export type BlockRender = string | { error: string };

export interface RefreshedBlock extends Block {
  /** The new content (between contentStart and contentEnd of the original text). */
  content: string;
  changed: boolean;
  error?: string;
}

const OPEN = /^ {0,3}<!--\s*quantlab:([a-z0-9][a-z0-9-]*)((?:\s+[^\s=]+=(?:"(?:[^"\\]|\\.)*"|[^\s"]*))*)\s*-->\s*$/;
const CLOSE = /^ {0,3}<!--\s*\/quantlab\s*-->\s*$/;
const PARAM = /([^\s=]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s"]*))/g;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
export const CLOSE_MARKER = '<!-- /quantlab -->';

interface Line {
  text: string;
  start: number;
  /** After the line end. */
  next: number;
  eol: string;
}

function* lines(text: string): Generator<Line> {
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    yield { text: m[1]!, start: m.index, next: m.index + m[0].length, eol: m[2]! };
    if (m[2] === '') break;
  }
}

export function findBlocks(text: string): { blocks: Block[]; problems: BlockProblem[] } {
  const blocks: Block[] = [];
  const problems: BlockProblem[] = [];
  let fence: string | undefined;
  let open: { section: string; params: Record<string, string>; header: string; start: number; contentStart: number; eol: Eol } | undefined;
  for (const l of lines(text)) {
    const f = FENCE.exec(l.text);
    if (fence) {
      if (f && f[1]![0] === fence[0] && f[1]!.length >= fence.length && l.text.trim() === f[1]) fence = undefined;
      continue;
    }
    if (f && !open) {
      fence = f[1];
      continue;
    }
    const o = OPEN.exec(l.text);
    if (o) {
      if (open) problems.push({ offset: open.start, message: `the quantlab:${open.section} block has no ${CLOSE_MARKER} before the next block` });
      open = { section: o[1]!, params: parseParams(o[2] ?? ''), header: l.text, start: l.start, contentStart: l.next, eol: l.eol === '\r\n' ? '\r\n' : '\n' };
      continue;
    }
    if (CLOSE.test(l.text)) {
      if (open) blocks.push({ ...open, contentEnd: l.start, end: l.next });
      open = undefined;
    }
  }
  if (open) problems.push({ offset: open.start, message: `the quantlab:${open.section} block has no ${CLOSE_MARKER}` });
  return { blocks, problems };
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of text.matchAll(PARAM)) params[m[1]!] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
  return params;
}

/** The opening marker for a section and its parameters (values with spaces or quotes are quoted). */
export function blockMarker(section: string, params: Record<string, string>): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(section)) throw new Error(`'${section}' is not a block section name`);
  const parts = Object.entries(params).map(([k, v]) => {
    if (!/^[^\s="]+$/.test(k)) throw new Error(`'${k}' cannot be a block parameter name`);
    if (/[\r\n]|--/.test(v)) throw new Error(`the value of ${k} cannot hold a line break or '--' (it lives in an HTML comment)`);
    return /^[^\s"\\]+$/.test(v) ? `${k}=${v}` : `${k}="${v.replace(/[\\"]/g, (c) => '\\' + c)}"`;
  });
  return `<!-- quantlab:${[section, ...parts].join(' ')} -->`;
}

/** Content as it goes between the markers: the block's line ends, a blank line before the closing marker (so a table ends there), and no line that could pass for a marker. */
export function blockContent(rendered: string, eol: Eol): string {
  const body = rendered.replace(/\s+$/, '').replace(/<!--/g, '&lt;!--');
  return (body + '\n\n').replace(/\r\n|\r|\n/g, eol);
}

export function errorContent(message: string): string {
  return `> **QuantLab could not render this block:** ${message.replace(/\r\n|\r|\n/g, ' ').replace(/[\\`*_[\]<>|$&#~!{}]/g, (c) => '\\' + c)}`;
}

/**
 * Re-renders every block. `render` returns the new Markdown, `{ error }` (shown
 * inside that block; the others still refresh), or undefined to keep a block as
 * it is. Text outside the blocks' content is copied unchanged.
 */
export function refreshBlocks(text: string, render: (block: Block) => BlockRender | undefined): { text: string; blocks: RefreshedBlock[] } {
  const { blocks } = findBlocks(text);
  const out: string[] = [];
  const refreshed: RefreshedBlock[] = [];
  let at = 0;
  for (const b of blocks) {
    const old = text.slice(b.contentStart, b.contentEnd);
    const r = render(b);
    const content = r === undefined ? old : blockContent(typeof r === 'string' ? r : errorContent(r.error), b.eol);
    out.push(text.slice(at, b.contentStart), content);
    at = b.contentEnd;
    refreshed.push({ ...b, content, changed: content !== old, ...(typeof r === 'object' ? { error: r.error } : {}) });
  }
  out.push(text.slice(at));
  return { text: out.join(''), blocks: refreshed };
}

/** The document's line end: that of its first line, LF for a one-line text. */
export function documentEol(text: string): Eol {
  const m = /\r\n|\n|\r/.exec(text);
  return m && m[0] === '\r\n' ? '\r\n' : '\n';
}

/**
 * Inserts a block at `offset`, on lines of its own: a line break is added
 * before it when the offset is inside a line, and after it when text follows on that line.
 */
export function insertBlock(text: string, offset: number, section: string, params: Record<string, string>, rendered = ''): { text: string; block: Block } {
  if (offset < 0 || offset > text.length) throw new RangeError(`offset ${offset} is outside the text (length ${text.length})`);
  const inside = findBlocks(text).blocks.find((b) => offset > b.start && offset < b.end);
  if (inside) throw new Error(`the offset is inside the quantlab:${inside.section} block; put the cursor outside it`);
  const eol = documentEol(text);
  const before = offset === 0 || text[offset - 1] === '\n' || text[offset - 1] === '\r' ? '' : eol;
  const header = blockMarker(section, params);
  const content = blockContent(rendered || '_Not rendered yet: run QuantLab: Refresh Report Blocks._', eol);
  // The closing marker ends its line: a block inserted at a line start brings its own line break (so removing it
  // gives the text back); inside a line, the break that follows the offset ends it, or a new one does.
  const atBreak = text[offset] === '\n' || text[offset] === '\r';
  const closeEol = before === '' || !(atBreak || offset === text.length) ? eol : '';
  const out = text.slice(0, offset) + `${before}${header}${eol}${content}${CLOSE_MARKER}${closeEol}` + text.slice(offset);
  const block = findBlocks(out).blocks.find((b) => b.start === offset + before.length);
  if (!block) throw new Error('insertBlock: the inserted block cannot be found again (is the offset inside a fenced code block or another block?)');
  return { text: out, block };
}

/** Removes the block and its marker lines (the line end of the closing marker too). */
export function removeBlock(text: string, block: Pick<Block, 'start' | 'end'>): string {
  return text.slice(0, block.start) + text.slice(block.end);
}
