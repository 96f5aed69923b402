// The status bar item: the TensorFlow.js backend the worker uses, once a job
// has reported it, and the running job with its progress. Created on the
// first report, so a session that runs no job shows nothing.
import * as vscode from 'vscode';

export class BackendStatus implements vscode.Disposable {
  private item: vscode.StatusBarItem | undefined;
  private backend: string | undefined;
  private activity: string | undefined;

  /** The backend the last job ran on. */
  setBackend(backend: string): void {
    this.backend = backend;
    this.render();
  }

  /** What is running ('ptq lenet5.onnx 45 %'), or undefined when nothing is. */
  setActivity(activity: string | undefined): void {
    this.activity = activity;
    this.render();
  }

  get text(): string | undefined {
    return this.item?.text;
  }

  private render(): void {
    if (!this.backend) return;
    if (!this.item) {
      this.item = vscode.window.createStatusBarItem('quantlab.backend', vscode.StatusBarAlignment.Right, 100);
      this.item.name = 'QuantLab Backend';
      this.item.command = { command: 'workbench.action.openSettings', title: 'Choose the backend', arguments: ['quantlab.backend'] };
    }
    this.item.text = this.activity ? `$(sync~spin) ${this.backend} · ${this.activity}` : `$(chip) ${this.backend}`;
    this.item.tooltip = `QuantLab runs its jobs on the TensorFlow.js '${this.backend}' backend${this.activity ? `\nRunning: ${this.activity}` : ''}\nClick to choose (quantlab.backend)`;
    this.item.show();
  }

  dispose(): void {
    this.item?.dispose();
    this.item = undefined;
  }
}
