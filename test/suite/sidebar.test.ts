// The Models view: the workspace's model files, each expandable to its layers
// and totals, kept current by the file system watcher. Driven through the
// view's own TreeDataProvider (what VS Code calls to draw it).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ModelNode } from '../../src/extension/sidebar/modelTree';
import { workspaceFile } from './helpers';
import { quantlab, waitFor } from './quantlab';

type Provider = Awaited<ReturnType<typeof quantlab>>['modelTree'];

async function rootNames(tree: Provider): Promise<string[]> {
  return (await tree.getChildren()).map((n) => vscode.workspace.asRelativePath(n as vscode.Uri));
}

function label(tree: Provider, node: ModelNode): string {
  const l = tree.getTreeItem(node).label;
  return typeof l === 'string' ? l : (l?.label ?? '');
}

suite('Sidebar: Models view', () => {
  const added = workspaceFile('more/added.onnx');

  suiteTeardown(async () => {
    await vscode.workspace.fs.delete(workspaceFile('more'), { recursive: true }).then(undefined, () => undefined);
  });

  test('lists the workspace model files as model items', async () => {
    const tree = (await quantlab()).modelTree;
    const names = await rootNames(tree);
    for (const f of ['lenet5.onnx', 'lenet5_trained.onnx', 'bad_truncated.onnx']) assert.ok(names.includes(f), `listed: ${JSON.stringify(names)}`);
    const lenet = (await tree.getChildren()).find((n) => vscode.workspace.asRelativePath(n as vscode.Uri) === 'lenet5.onnx')!;
    assert.ok(lenet instanceof vscode.Uri, 'a model item is the file Uri, as menus pass it');
    const item = tree.getTreeItem(lenet);
    assert.equal(item.label, 'lenet5.onnx');
    assert.equal(item.contextValue, 'quantlab.model');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.Collapsed);
  });

  test('expanding lenet5.onnx shows its layers and "Total params: 61,470"', async () => {
    const tree = (await quantlab()).modelTree;
    const lenet = await tree.modelNode(workspaceFile('lenet5.onnx'));
    assert.ok(lenet);
    const children = await tree.getChildren(lenet);
    const labels = children.map((c) => label(tree, c));
    assert.deepEqual(labels.slice(0, 4), ['conv1', 'relu1', 'pool1', 'conv2']);
    assert.equal(labels.at(-1), 'Total params: 61,470');
    assert.equal(tree.getTreeItem(children[0]!).description, 'Conv · [1, 6, 28, 28] · 150 params');
    assert.equal(tree.getTreeItem(children[1]!).description, 'Relu · [1, 6, 28, 28]');
    const totals = await tree.getChildren(children.at(-1)!);
    assert.deepEqual(totals.slice(0, 3).map((c) => label(tree, c)), ['Trainable params: 61,470', 'Non-trainable params: 0', 'Total mult-adds: 0.42 M']);
    // Cached for the file as it is: no second read.
    assert.equal(await tree.getChildren(lenet), children);
  });

  test('a file that cannot be read expands to its error', async () => {
    const tree = (await quantlab()).modelTree;
    const bad = await tree.modelNode(workspaceFile('bad_truncated.onnx'));
    assert.ok(bad);
    const children = await tree.getChildren(bad);
    assert.equal(children.length, 1);
    const item = tree.getTreeItem(children[0]!);
    assert.equal(item.contextValue, 'quantlab.error');
    assert.ok(String(item.label).length > 10, `the message: ${String(item.label)}`);
  });

  test('a model file added to the workspace appears; deleted, it goes', async () => {
    const tree = (await quantlab()).modelTree;
    await tree.getChildren(); // the view has been listed, so the watcher runs
    let fired = 0;
    const listener = tree.onDidChangeTreeData(() => fired++);
    try {
      await vscode.workspace.fs.copy(workspaceFile('lenet5.onnx'), added);
      await waitFor('more/added.onnx in the view', async () => (await rootNames(tree)).includes('more/added.onnx'));
      assert.ok(fired > 0, 'the view was told to redraw');
      const node = await tree.modelNode(added);
      assert.equal(tree.getTreeItem(node!).description, 'more');
      assert.equal(label(tree, (await tree.getChildren(node))[0]!), 'conv1');

      await vscode.workspace.fs.delete(added);
      await waitFor('more/added.onnx gone from the view', async () => !(await rootNames(tree)).includes('more/added.onnx'));
    } finally {
      listener.dispose();
    }
  });

  test('a changed model file is read again', async () => {
    const tree = (await quantlab()).modelTree;
    const file = workspaceFile('more/changing.onnx');
    await vscode.workspace.fs.copy(workspaceFile('lenet5.onnx'), file, { overwrite: true });
    const node = await waitFor('more/changing.onnx in the view', () => tree.modelNode(file));
    assert.equal(label(tree, (await tree.getChildren(node))[0]!), 'conv1');
    await vscode.workspace.fs.writeFile(file, new Uint8Array([1, 2, 3]));
    await waitFor('the error of the changed file', async () => (await tree.getChildren(node)).some((c) => tree.getTreeItem(c).contextValue === 'quantlab.error'));
    await vscode.workspace.fs.delete(file);
  });
});
