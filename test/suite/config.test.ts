// Configuration: .vscode/quantlab.json's diagnostics (ours and the JSON
// schema's), Configure Dataset for Model with its answers given, and a job
// that refuses a broken entry with a message pointing at the file.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lastError, workspaceFile } from './helpers';
import { quantlab, waitFor } from './quantlab';

const CONFIG = '.vscode/quantlab.json';
const TRANSFORM = 'Pad(2), ToTensor(), Normalize((0.5,), (0.5,))';

async function write(text: string): Promise<vscode.Uri> {
  const uri = workspaceFile(CONFIG);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

async function read(): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(workspaceFile(CONFIG)));
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'QuantLab');
}

suite('Configuration: .vscode/quantlab.json', () => {
  let saved: Uint8Array | undefined;

  suiteSetup(async () => {
    saved = await vscode.workspace.fs.readFile(workspaceFile(CONFIG)).then((b) => b, () => undefined);
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    if (saved) await vscode.workspace.fs.writeFile(workspaceFile(CONFIG), saved);
    else await vscode.workspace.fs.delete(workspaceFile(CONFIG)).then(undefined, () => undefined);
  });

  test('a transform that does not parse, an unknown key and a missing dataset are diagnosed where they are', async () => {
    const text = `{
  // the lab's model
  "models": {
    "lenet5.onnx": { "data": "mnist", "transfrom": "ToTensor()" },
    "*.onnx": { "data": "no/such/folder", "split": "test", "transform": "ToTensor(), Normalise((0.5,), (0.5,))" },
  }
}
`;
    const uri = await write(text);
    // The file system watcher checks it; wait for what it finds.
    const diagnostics = await waitFor('three QuantLab diagnostics', () => (ours(uri).length >= 3 ? ours(uri) : undefined));
    const at = (d: vscode.Diagnostic): string => text.split('\n')[d.range.start.line]!.slice(d.range.start.character, d.range.end.character);
    const unknown = diagnostics.find((d) => /unknown key "transfrom"/.test(d.message));
    assert.ok(unknown, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.match(unknown.message, /did you mean "transform"\?/);
    assert.equal(unknown.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(at(unknown), '"transfrom"');
    const transform = diagnostics.find((d) => /"transform": cannot read 'Normalise/.test(d.message));
    assert.ok(transform, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.equal(transform.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(at(transform), '"ToTensor(), Normalise((0.5,), (0.5,))"');
    const missing = diagnostics.find((d) => /'no\/such\/folder' does not exist/.test(d.message));
    assert.ok(missing, JSON.stringify(diagnostics.map((d) => d.message)));
    assert.equal(at(missing), '"no/such/folder"');
  });

  test('the diagnostics follow unsaved edits in the editor', async () => {
    const uri = await write(`{ "models": { "*.onnx": { "data": "mnist", "transform": "Pad(2" } } }\n`);
    await waitFor('the transform error', () => ours(uri).some((d) => /"transform"/.test(d.message)));
    const doc = await vscode.workspace.openTextDocument(uri);
    const editor = await vscode.window.showTextDocument(doc);
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), `{ "models": { "*.onnx": { "data": "mnist", "transform": "${TRANSFORM}" } } }\n`));
    await waitFor('no diagnostics', () => ours(uri).length === 0);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  test("VS Code's JSON support validates the file against the contributed schema", async () => {
    const uri = await write(`{ "models": { "*.onnx": { "data": "mnist", "split": "validation", "transform": "none" } } }\n`);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const fromSchema = await waitFor('a diagnostic from the JSON language server', () => vscode.languages.getDiagnostics(uri).find((d) => d.source !== 'QuantLab'), 30_000);
    assert.match(fromSchema.message, /test|train|not accepted|enum/i, fromSchema.message);
  });

  test('a job for a model whose entry is broken says which file and entry', async () => {
    await write(`{ "models": { "lenet5.onnx": { "data": "mnist", "transform": "ToTensor(" } } }\n`);
    const result = await vscode.commands.executeCommand('quantlab.runPtq', workspaceFile('lenet5.onnx'));
    assert.equal(result, undefined);
    assert.match((await lastError()) ?? '', /^QuantLab: \.vscode\/quantlab\.json: 'lenet5\.onnx': "transform": .+/);
    assert.deepEqual((await quantlab()).jobs.jobs(), []);
  });

  test('Configure Dataset for Model asks in three quick picks', async () => {
    await write(`{ "models": {} }\n`);
    const asked = vscode.commands.executeCommand<{ data: string; split: string; transform: string } | undefined>('quantlab.configureDataset', workspaceFile('lenet5.onnx'));
    let answer: { data: string; split: string; transform: string } | undefined | 'pending' = 'pending';
    void asked.then((a) => (answer = a));
    // A person pressing Enter on the first item of each question: a dataset the workspace holds, test, the first transform.
    for (let i = 0; i < 20 && answer === 'pending'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    }
    const chosen = await asked;
    assert.ok(chosen, `no answer; last error: ${await lastError()}`);
    assert.equal(chosen.split, 'test');
    assert.equal(chosen.transform, TRANSFORM);
    assert.ok(/(mnist|mnist-small)$/.test(chosen.data), chosen.data);
    const saved = JSON.parse(await read()) as { models: Record<string, { data: string }> };
    assert.ok(saved.models['lenet5.onnx'], JSON.stringify(saved));
  });

  test('Configure Dataset for Model saves its answers and keeps the rest of the file', async () => {
    await write(`{
  // kept
  "models": {
    "other/*.onnx": { "data": "elsewhere", "transform": "none" }
  }
}
`);
    const chosen = await vscode.commands.executeCommand<{ data: string; split: string; transform: string } | undefined>(
      'quantlab.configureDataset', workspaceFile('lenet5.onnx'), { data: 'mnist', split: 'test', transform: TRANSFORM },
    );
    assert.ok(chosen, `no answer; last error: ${await lastError()}`);
    assert.equal(chosen.data, workspaceFile('mnist').fsPath);
    const text = await read();
    assert.match(text, /\/\/ kept/);
    assert.match(text, /"other\/\*\.onnx": \{ "data": "elsewhere", "transform": "none" \}/);
    const parsed = JSON.parse(text.replace(/\/\/.*$/gm, '')) as { models: Record<string, unknown> };
    assert.deepEqual(parsed.models['lenet5.onnx'], { data: 'mnist', split: 'test', transform: TRANSFORM });
    // Saved again with other answers: the entry is replaced, not repeated.
    await vscode.commands.executeCommand('quantlab.configureDataset', workspaceFile('lenet5.onnx'), { data: 'mnist', split: 'train', transform: 'none' });
    const again = JSON.parse((await read()).replace(/\/\/.*$/gm, '')) as { models: Record<string, unknown> };
    assert.deepEqual(Object.keys(again.models), ['other/*.onnx', 'lenet5.onnx']);
    assert.deepEqual(again.models['lenet5.onnx'], { data: 'mnist', split: 'train', transform: 'none' });
  });
});
