// Run and Cancel for one job, its progress bar and status line, and the error
// box where a failure is shown. One job runs in the panel at a time (the host
// refuses a second too), so every Run button is disabled while one runs.
import type { Progress } from '../../src/jobs/context';
import type { LabJobName } from '../../src/protocol/lab';
import { button } from '../toolkit';
import { el } from './dom';

export type JobState = 'idle' | 'running' | 'done' | 'cancelled' | 'failed';

/** The panel's jobs together: which one runs, and who hears when one ends. */
export class JobGate {
  readonly all: JobUi[] = [];
  running: JobUi | undefined;
  /** The error the panel shows now, if any. */
  lastError: string | undefined;
  constructor(readonly onSettled: () => void) {}

  update(): void {
    for (const j of this.all) j.setEnabled(this.running === undefined);
  }
}

export interface JobSpec<R> {
  job: LabJobName;
  label: string;
  /** Reads the form and asks the host; undefined when the form has values the job would refuse. */
  start(signal: AbortSignal): Promise<R> | undefined;
  /** Draws the result. */
  finish(result: R): Promise<void>;
  /** Called when the run starts (e.g. to clear a live chart). */
  began?(): void;
}

export class JobUi {
  readonly element: HTMLElement;
  readonly errorBox: HTMLElement;
  readonly run: HTMLElement & { disabled: boolean };
  readonly cancel: HTMLElement & { disabled: boolean };
  state: JobState = 'idle';
  /** The run in progress or last started: settles once its result is drawn (or it failed or was cancelled). */
  current: Promise<void> | undefined;
  private readonly bar: HTMLProgressElement;
  private readonly status: HTMLElement;
  private controller: AbortController | undefined;
  private started = 0;

  constructor(
    private readonly gate: JobGate,
    private readonly spec: JobSpec<unknown>,
  ) {
    this.run = button(spec.label);
    this.run.classList.add('run');
    this.run.dataset.control = spec.job;
    this.cancel = button('Cancel', 'secondary');
    this.cancel.classList.add('cancel');
    disable(this.cancel, true);
    this.bar = el('progress');
    this.bar.hidden = true;
    this.bar.setAttribute('aria-label', `${spec.label} progress`);
    this.status = el('span', 'status');
    this.status.setAttribute('role', 'status');
    this.element = el('div', 'job');
    this.element.append(this.run, this.cancel, this.bar, this.status);
    this.errorBox = el('div', 'error');
    this.errorBox.setAttribute('role', 'alert');
    this.errorBox.hidden = true;
    this.run.addEventListener('click', () => this.click());
    this.cancel.addEventListener('click', () => this.controller?.abort(new Error('cancelled')));
    gate.all.push(this);
  }

  setEnabled(enabled: boolean): void {
    disable(this.run, !enabled);
  }

  statusText(): string {
    return this.status.textContent ?? '';
  }

  progress(p: Progress): void {
    if (this.state !== 'running') return;
    this.bar.hidden = false;
    this.bar.max = Math.max(1, p.total);
    this.bar.value = Math.min(p.done, p.total);
    const eta = p.detail?.['eta'];
    const epoch = p.detail?.['epoch'];
    this.status.textContent =
      (epoch !== undefined ? `epoch ${epoch}: ` : '') +
      `${p.phase} ${p.done.toLocaleString('en-US')} / ${p.total.toLocaleString('en-US')}` +
      (eta !== undefined && Number.isFinite(eta) ? ` · about ${Math.ceil(eta)} s left` : '');
  }

  private click(): void {
    if (this.gate.running) return;
    this.showError(undefined);
    const controller = new AbortController();
    const request = this.spec.start(controller.signal);
    if (!request) {
      this.status.textContent = 'Check the fields marked above.';
      this.current = Promise.resolve();
      this.gate.onSettled();
      return;
    }
    this.controller = controller;
    this.gate.running = this;
    this.gate.update();
    disable(this.cancel, false);
    this.state = 'running';
    this.started = performance.now();
    this.bar.hidden = false;
    this.bar.removeAttribute('value');
    this.status.textContent = 'Starting…';
    this.spec.began?.();
    this.current = this.settle(request, controller.signal);
  }

  private async settle(request: Promise<unknown>, signal: AbortSignal): Promise<void> {
    try {
      const result = await request;
      this.state = 'done';
      this.status.textContent = `Done in ${((performance.now() - this.started) / 1000).toFixed(1)} s`;
      this.end();
      await this.spec.finish(result);
    } catch (error) {
      if (signal.aborted) {
        this.state = 'cancelled';
        this.status.textContent = 'Cancelled';
      } else {
        this.state = 'failed';
        this.status.textContent = 'Failed';
        this.showError(error instanceof Error ? error.message : String(error));
      }
      this.end();
    }
    this.gate.onSettled();
  }

  private end(): void {
    this.controller = undefined;
    disable(this.cancel, true);
    this.bar.hidden = true;
    if (this.gate.running === this) this.gate.running = undefined;
    this.gate.update();
  }

  private showError(text: string | undefined): void {
    this.errorBox.textContent = text ?? '';
    this.errorBox.hidden = text === undefined;
    if (text !== undefined) this.gate.lastError = text;
    else if (this.gate.lastError !== undefined) this.gate.lastError = undefined;
  }
}

/**
 * Through the attribute, which the toolkit reads at once: its `disabled` property reaches the attribute only on
 * the next animation frame, and until then the browser ignores clicks on a button that was just enabled.
 */
function disable(b: HTMLElement, disabled: boolean): void {
  b.toggleAttribute('disabled', disabled);
}
