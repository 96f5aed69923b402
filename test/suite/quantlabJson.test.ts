// .vscode/quantlab.json's meaning without VS Code: the located JSONC parse,
// the problems found, which entry a model takes, and in-place updates.
// (Needs no VS Code: a candidate for test/unit.)
import * as assert from 'node:assert/strict';
import { parseJsonc } from '../../src/extension/config/jsonc';
import { entryFor, readConfig, withEntry } from '../../src/extension/config/quantlabJson';

const messages = (text: string): string[] => readConfig(text).problems.map((p) => p.message);

suite('quantlab.json: reading and writing', () => {
  test('JSONC: comments and trailing commas are fine; a syntax error is located', () => {
    const ok = parseJsonc('// c\n{ "a": [1, 2,], /* b */ "b": { "c": null, }, }');
    assert.equal(ok.error, undefined);
    const bad = parseJsonc('{\n  "a": 1\n  "b": 2\n}');
    assert.ok(bad.error);
    assert.equal(bad.error.offset, '{\n  "a": 1\n  '.length);
    assert.match(bad.error.message, /',' or '}' was expected/);
    assert.match(parseJsonc('{ "a": "open }').error!.message, /not closed/);
  });

  test('problems: unknown keys with a suggestion, a missing dataset, a bad split and transform, duplicates', () => {
    assert.deepEqual(messages(''), []);
    assert.match(messages('{ "model": {} }')[0]!, /unknown key "model" in the file \(did you mean "models"\?\)/);
    const text = `{ "models": {
      "a.onnx": { "transform": "ToTensor()" },
      "b.onnx": { "data": "d", "split": "val", "transform": "Blur(3)" },
      "c.onnx": { "data": "d", "transform": "none", "color": "red" },
      "c.onnx": { "data": "e", "transform": "none" }
    } }`;
    const found = messages(text);
    assert.ok(found.some((m) => /^"data" is missing/.test(m)), JSON.stringify(found));
    assert.ok(found.some((m) => /^"split" is "train" or "test", not "val"/.test(m)), JSON.stringify(found));
    assert.ok(found.some((m) => /^"transform": cannot read 'Blur\(3\)' at step 1 \(known steps: /.test(m)), JSON.stringify(found));
    assert.ok(found.some((m) => /"c\.onnx" is listed again further down; the last one counts/.test(m)), JSON.stringify(found));
    // The last c.onnx counts, so its stray "color" key is not reported.
    assert.ok(!found.some((m) => /color/.test(m)), JSON.stringify(found));
    assert.equal(entryFor(readConfig(text), 'c.onnx')?.entry.data, 'e');
  });

  test("a model's entry: its exact path first, then the first glob that matches", () => {
    const config = readConfig(`{ "models": {
      "models/**/*.onnx": { "data": "glob-path", "transform": "none" },
      "*.onnx": { "data": "glob-name", "transform": "none" },
      "models/x/lenet.onnx": { "data": "exact", "transform": "none" },
      "{a,b}.json": { "data": "braces", "transform": "none" }
    } }`);
    assert.equal(entryFor(config, 'models/x/lenet.onnx')?.entry.data, 'exact');
    assert.equal(entryFor(config, 'models/y/z/other.onnx')?.entry.data, 'glob-path');
    assert.equal(entryFor(config, 'elsewhere/deep/net.onnx')?.entry.data, 'glob-name');
    assert.equal(entryFor(config, 'b.json')?.entry.data, 'braces');
    assert.equal(entryFor(config, 'model.json'), undefined);
  });

  test('writing an entry changes only that entry', () => {
    const entry = { data: 'mnist', split: 'test' as const, transform: 'none' };
    const fresh = withEntry('', 'm.onnx', entry);
    assert.deepEqual(JSON.parse(fresh), { models: { 'm.onnx': entry } });

    const commented = '{\n  // mine\n  "models": {\n    "a.onnx": { "data": "x", "transform": "none" } // a\n  }\n}\n';
    const added = withEntry(commented, 'm.onnx', entry);
    assert.ok(added.startsWith('{\n  // mine\n  "models": {\n    "a.onnx": { "data": "x", "transform": "none" }, // a\n    "m.onnx": {'), added);
    // A trailing comma after the last entry stays valid.
    const trailing = withEntry('{ "models": {\n  "a.onnx": { "data": "x", "transform": "none" },\n} }', 'm.onnx', entry);
    assert.equal(readConfig(trailing).problems.length, 0, trailing);
    assert.deepEqual(entryFor(readConfig(trailing), 'm.onnx')?.entry, entry);
    assert.equal(readConfig(added).problems.length, 0);
    assert.deepEqual(entryFor(readConfig(added), 'm.onnx')?.entry, entry);

    const replaced = withEntry(added, 'a.onnx', { data: 'y', transform: 'ToTensor()' });
    assert.deepEqual(entryFor(readConfig(replaced), 'a.onnx')?.entry, { data: 'y', transform: 'ToTensor()' });
    assert.ok(replaced.includes('// mine') && replaced.includes('// a'));

    assert.deepEqual(entryFor(readConfig(withEntry('{ "models": {} }', 'm.onnx', entry)), 'm.onnx')?.entry, entry);
    assert.deepEqual(entryFor(readConfig(withEntry('{ "$schema": "s" }', 'm.onnx', entry)), 'm.onnx')?.entry, entry);
    assert.throws(() => withEntry('{ "models": ', 'm.onnx', entry), /not valid JSON .* at line 1\): fix it/);
    assert.throws(() => withEntry('{ "models": [] }', 'm.onnx', entry), /"models" .* is not an object/);
  });
});
