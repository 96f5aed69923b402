// The summary panel's script. Says `ready` once loaded (and after every
// reload); the host answers with the summary, and gets back what was rendered.
import type { PanelApi, PanelHostApi } from '../src/protocol/panel';
import { Channel } from '../src/protocol/rpc';
import { renderSummary } from './summaryView';

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const host = acquireVsCodeApi();
const root = document.getElementById('root');
if (!root) throw new Error('the panel HTML has no #root');

const channel = new Channel<PanelApi, PanelHostApi>(
  { post: (message) => host.postMessage(message) },
  {
    requests: { showSummary: ({ summary }) => renderSummary(root, summary) },
    notes: {},
  },
  (error) => console.error('[quantlab]', error),
);
window.addEventListener('message', (event: MessageEvent<unknown>) => channel.receive(event.data));
channel.notify('ready', {});
