// The lab panel's script. Says `ready` once loaded (and after every reload);
// the host answers with `show` (the summary, the form defaults and the runs it
// kept). Jobs are requests to the host; their progress comes as notes. After
// every render the lab tells the host what it shows (`rendered`), which the
// extension-host suite reads through a test command.
import type { RenderReport } from '../../src/protocol/panel';
import type { LabApi, LabDefaults, LabHostApi, LabPress, LabReport, LabShow, LabTab } from '../../src/protocol/lab';
import { Channel } from '../../src/protocol/rpc';
import { renderSummary } from '../summaryView';
import { CONTROL_TAGS, TABLE_TAGS, tabs as createTabs } from '../toolkit';
import { el, LAB_TAGS, SVG_TAGS, tick } from './dom';
import { Form } from './form';
import { JobGate, type JobUi } from './job';
import { dataFields, readData } from './options';
import { PtqTab } from './ptqTab';
import { QatTab } from './qatTab';
import { RangesTab } from './rangesTab';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TABS: { id: LabTab; title: string }[] = [
  { id: 'summary', title: 'Summary' },
  { id: 'ranges', title: 'Ranges' },
  { id: 'ptq', title: 'PTQ' },
  { id: 'qat', title: 'QAT' },
];

const vscodeApi = acquireVsCodeApi();
const root = document.getElementById('root');
if (!root) throw new Error('the lab HTML has no #root');

const channel = new Channel<LabApi, LabHostApi>(
  { post: (message) => vscodeApi.postMessage(message) },
  { requests: { show: (params) => show(params), press: (params) => press(params) }, notes: { progress: ({ job, progress }) => (job === 'qat' ? qat.progress(progress) : jobs[job].progress(progress)) } },
  (error) => console.error('[quantlab lab]', error),
);

const gate = new JobGate(() => void report().then((r) => channel.notify('rendered', r)));
let dataForm = new Form('data', dataFields({ data: '', transform: '' }), 'form data');
const hint = el('p', 'hint');
const dataStrip = el('section', 'data-strip');
dataStrip.setAttribute('aria-label', 'Dataset for profiling, PTQ and QAT');
const data = () => readData(dataForm);
const ranges = new RangesTab(gate, data, (options, signal) => channel.request('profile', options, { signal }));
const ptq = new PtqTab(gate, data, (options, signal) => channel.request('ptq', options, { signal }));
const qat = new QatTab(gate, data, (options, signal) => channel.request('qat', options, { signal }));
const jobs: Record<'profile' | 'ptq' | 'qat', JobUi> = { profile: ranges.job, ptq: ptq.job, qat: qat.job };

const tabs = createTabs(TABS);
const summaryView = el('div', 'summary');
tabs.views.get('summary')!.append(summaryView);
tabs.views.get('ranges')!.append(ranges.element);
tabs.views.get('ptq')!.append(ptq.element);
tabs.views.get('qat')!.append(qat.element);
tabs.onChange((id) => (dataStrip.hidden = id === 'summary'));
dataStrip.hidden = true;
const title = el('h1', 'lab-title');
let summaryReport: RenderReport | undefined;

async function show(s: LabShow): Promise<LabReport> {
  title.textContent = `Lab: ${s.name}`;
  dataForm = new Form('data', dataFields(s.defaults), 'form data');
  setHint(s.defaults);
  dataStrip.replaceChildren(dataForm.element, hint);
  if (!root!.contains(tabs.element)) root!.replaceChildren(title, dataStrip, tabs.element);
  root!.removeAttribute('aria-busy');
  summaryReport = await renderSummary(summaryView, s.summary);
  const drawn: Promise<void>[] = [ptq.show(s.state.ptq)];
  if (s.state.profile) drawn.push(ranges.show(s.state.profile));
  if (s.state.qat) drawn.push(qat.show(s.state.qat));
  await Promise.all(drawn);
  return report();
}

function setHint(d: LabDefaults): void {
  hint.textContent = d.hint ?? '';
  hint.hidden = !d.hint;
}

/** Does what a person would: picks a tab, types into fields, clicks a button; then reports. */
async function press(p: LabPress): Promise<LabReport> {
  const [kind, tab] = p.control.split(':') as [string, LabTab | undefined];
  if (kind === 'tab' && tab) {
    select(tab);
    return report();
  }
  const on = { profile: 'ranges', method: 'ranges', ptq: 'ptq', qat: 'qat', cancel: undefined }[p.control as string] as LabTab | undefined;
  if (on) select(on);
  const forms = [dataForm, ...(on === 'ranges' ? ranges.forms() : on === 'ptq' ? ptq.forms() : on === 'qat' ? qat.forms() : [])];
  for (const [name, value] of Object.entries(p.fields ?? {})) {
    const form = forms.find((f) => f.has(name));
    if (!form) throw new Error(`no field '${name}' for '${p.control}'`);
    form.set(name, value);
  }
  if (p.control === 'method') {
    await tick(200);
    await ranges.settled();
  } else if (p.control === 'cancel') {
    const running = gate.running;
    running?.cancel.click();
    await running?.current;
  } else {
    const job = jobs[p.control as 'profile' | 'ptq' | 'qat'];
    job.run.click();
    if (!p.noWait) await job.current;
  }
  return report();
}

function select(tab: LabTab): void {
  tabs.select(tab);
  dataStrip.hidden = tab === 'summary';
}

async function report(): Promise<LabReport> {
  await tick();
  return {
    tab: tabs.active() as LabTab,
    ...(summaryReport ? { summary: summaryReport } : {}),
    ...optional('ranges', ranges.report()),
    ...optional('ptq', ptq.report()),
    qat: qat.report(),
    defaults: { data: dataForm.text('data'), transform: dataForm.text('transform'), hint: hint.hidden ? '' : (hint.textContent ?? '') },
    ...(gate.lastError !== undefined ? { error: gate.lastError } : {}),
    status: (gate.running ?? [...gate.all].reverse().find((j) => j.state !== 'idle'))?.statusText() ?? '',
    ...unexpected(),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** Every element the lab, the toolkit and Plot create; anything else in the panel came from data as markup. */
const OWN = new Set([...LAB_TAGS, ...SVG_TAGS, ...CONTROL_TAGS, ...TABLE_TAGS, 'main']);

function unexpected(): Pick<LabReport, 'unexpectedElements' | 'strays'> {
  const strays = [...document.body.querySelectorAll('*')].filter((e) => !OWN.has(e.localName) && e.localName !== 'script').map((e) => e.localName);
  // The page's own script is the one <script> in the body (VS Code adds its own to the head).
  const scripts = [...document.body.querySelectorAll('script')];
  if (scripts.length > 1) strays.push(...scripts.map((s) => `script ${s.getAttribute('src') ?? ''}`));
  if (document.body.dataset['pwned'] !== undefined) strays.push('(a handler ran: body[data-pwned])');
  return { unexpectedElements: strays.length, ...(strays.length ? { strays: strays.slice(0, 10) } : {}) };
}

window.addEventListener('message', (event: MessageEvent<unknown>) => channel.receive(event.data));
channel.notify('ready', {});
