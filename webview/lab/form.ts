// A form from a list of field specs: toolkit controls with labels, values read
// back as text or flags, and inline messages for values a job would refuse.
import { checkbox, dropdown, textField, type Control } from '../toolkit';
import { el } from './dom';

export type FieldSpec = { name: string; label: string; help?: string; wide?: boolean } & (
  | { kind: 'text'; value: string; placeholder?: string }
  | { kind: 'int'; value: string; min: number; max?: number; optional?: boolean; placeholder?: string }
  | { kind: 'float'; value: string; above?: number; atMost?: number; placeholder?: string }
  | { kind: 'select'; value: string; choices: readonly (readonly [string, string])[] }
  | { kind: 'check'; value: boolean }
);

interface Field {
  spec: FieldSpec;
  control: Control<string> | Control<boolean>;
  message: HTMLElement;
  row: HTMLElement;
  listeners: (() => void)[];
}

export class Form {
  readonly element: HTMLElement;
  private readonly fields = new Map<string, Field>();

  constructor(
    /** Prefix of element ids, unique per form. */
    private readonly id: string,
    specs: readonly FieldSpec[],
    className = 'form',
  ) {
    this.element = el('div', className);
    for (const spec of specs) this.add(spec);
  }

  private add(spec: FieldSpec): void {
    const id = `${this.id}-${spec.name}`;
    const control =
      spec.kind === 'select'
        ? dropdown(id, spec.label, spec.choices, spec.value)
        : spec.kind === 'check'
          ? checkbox(id, spec.label, spec.value)
          : textField(id, spec.label, spec.value, 'placeholder' in spec ? (spec.placeholder ?? '') : '');
    control.element.dataset.field = spec.name;
    const row = el('div', `field field-${spec.kind}${spec.wide ? ' wide' : ''}`);
    if (spec.kind !== 'check') {
      const label = el('label', undefined, spec.label);
      label.htmlFor = id;
      row.append(label);
    }
    row.append(control.element);
    const message = el('small', 'message');
    message.id = `${id}-message`;
    message.setAttribute('aria-live', 'polite');
    if (spec.help) row.append(el('small', 'help', spec.help));
    row.append(message);
    const field: Field = { spec, control, message, row, listeners: [] };
    control.onChange(() => {
      this.clearMessage(spec.name);
      for (const l of field.listeners) l();
    });
    this.element.append(row);
    this.fields.set(spec.name, field);
  }

  has(name: string): boolean {
    return this.fields.has(name);
  }

  text(name: string): string {
    const v = this.field(name).control.get();
    return typeof v === 'string' ? v.trim() : String(v);
  }

  flag(name: string): boolean {
    return this.field(name).control.get() === true;
  }

  /** Sets a value as typing or picking it would, change listeners included. */
  set(name: string, value: string | boolean): void {
    const { control, spec, listeners } = this.field(name);
    if (spec.kind === 'check') (control as Control<boolean>).set(value === true || value === 'true');
    else (control as Control<string>).set(String(value));
    this.clearMessage(name);
    for (const l of listeners) l();
  }

  /** Called when a person (or set()) changes the field. */
  onChange(name: string, listener: () => void): void {
    this.field(name).listeners.push(listener);
  }

  /** Hides a field (one that does not apply now, e.g. P when the range is not a percentile). */
  show(name: string, visible: boolean): void {
    this.field(name).row.hidden = !visible;
  }

  setDisabled(disabled: boolean): void {
    for (const f of this.fields.values()) f.control.setDisabled(disabled);
  }

  /** An int field's value; undefined (and a message beside it) when it is not one, or when optional and empty. */
  int(name: string): number | undefined {
    const { spec } = this.field(name);
    if (spec.kind !== 'int') throw new Error(`${name} is not a whole-number field`);
    const t = this.text(name);
    if (t === '' && spec.optional) return undefined;
    const n = Number(t);
    const max = spec.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^\d+$/.test(t) || n < spec.min || n > max) {
      this.error(name, spec.max !== undefined ? `a whole number from ${spec.min} to ${spec.max}` : `a whole number ≥ ${spec.min}`);
      return undefined;
    }
    return n;
  }

  float(name: string): number | undefined {
    const { spec } = this.field(name);
    if (spec.kind !== 'float') throw new Error(`${name} is not a number field`);
    const t = this.text(name);
    const n = Number(t);
    const ok = t !== '' && Number.isFinite(n) && (spec.above === undefined || n > spec.above) && (spec.atMost === undefined || n <= spec.atMost);
    if (!ok) {
      const bounds = [spec.above !== undefined ? `> ${spec.above}` : '', spec.atMost !== undefined ? `≤ ${spec.atMost}` : ''].filter(Boolean).join(' and ');
      this.error(name, `a number${bounds ? ` ${bounds}` : ''}`);
      return undefined;
    }
    return n;
  }

  error(name: string, text: string): void {
    const { message, control } = this.field(name);
    message.textContent = text;
    control.element.setAttribute('aria-invalid', 'true');
    control.element.setAttribute('aria-describedby', message.id);
  }

  /** The messages now shown, as `label: message`. */
  errors(): string[] {
    return [...this.fields.values()].filter((f) => f.message.textContent).map((f) => `${f.spec.label}: ${f.message.textContent}`);
  }

  private clearMessage(name: string): void {
    const { message, control } = this.field(name);
    message.textContent = '';
    control.element.removeAttribute('aria-invalid');
  }

  private field(name: string): Field {
    const f = this.fields.get(name);
    if (!f) throw new Error(`the form has no field '${name}'`);
    return f;
  }
}
