// The request/reply helper on its own, over an in-memory port that copies
// messages as postMessage does. (Needs no VS Code: a candidate for test/unit.)
import * as assert from 'node:assert/strict';
import { Channel, PeerGoneError, type Api, type Handlers, type Port } from '../../src/protocol/rpc';

interface Server extends Api {
  requests: {
    echo(params: { text: string }): string;
    fail(params: Record<string, never>): void;
    wait(params: Record<string, never>): string;
  };
  notes: { hello(params: { from: string }): void };
}
interface Client extends Api {
  requests: object;
  notes: object;
}

/** The client end of a channel to a server with `handlers`; messages are copied at once and delivered later, as postMessage does. */
function connect(handlers: Handlers<Server>): Channel<Client, Server> {
  const ends: { server?: Channel<Server, Client>; client?: Channel<Client, Server> } = {};
  const to = (peer: () => { receive(message: unknown): void } | undefined): Port => ({
    post: (message) => {
      const copy = structuredClone(message); // throws here, as postMessage does
      queueMicrotask(() => peer()?.receive(copy));
    },
  });
  ends.server = new Channel<Server, Client>(to(() => ends.client), handlers);
  ends.client = new Channel<Client, Server>(to(() => ends.server), { requests: {}, notes: {} });
  return ends.client;
}

function server(overrides: Partial<Handlers<Server>['requests']> = {}, notes: Handlers<Server>['notes'] = { hello: () => undefined }): Handlers<Server> {
  return {
    requests: {
      echo: ({ text }) => text,
      fail: () => {
        throw new Error('it broke');
      },
      wait: (_params, signal) => new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')))),
      ...overrides,
    },
    notes,
  };
}

suite('protocol: request/reply', () => {
  test('a request gets its handler result', async () => {
    const clientSide = connect(server());
    assert.equal(await clientSide.request('echo', { text: '<b>hi</b>' }), '<b>hi</b>');
  });

  test('a handler that throws becomes an error reply', async () => {
    const clientSide = connect(server());
    await assert.rejects(clientSide.request('fail', {}), /it broke/);
  });

  test('an unknown method, even an Object.prototype name, is answered with an error', async () => {
    const clientSide = connect(server());
    const call = clientSide.request as unknown as (method: string, params: unknown) => Promise<unknown>;
    await assert.rejects(call.call(clientSide, 'nope', {}), /unknown request 'nope'/);
    await assert.rejects(call.call(clientSide, 'constructor', {}), /unknown request 'constructor'/);
  });

  test('closing rejects pending calls and refuses new ones', async () => {
    const clientSide = connect(server());
    const pending = clientSide.request('wait', {});
    clientSide.close('the panel was closed');
    await assert.rejects(pending, (e) => e instanceof PeerGoneError && /the panel was closed/.test(e.message));
    await assert.rejects(clientSide.request('echo', { text: 'x' }), PeerGoneError);
  });

  test('rejectPending (a reloaded peer) rejects what is pending and keeps the channel open', async () => {
    const clientSide = connect(server());
    const pending = clientSide.request('wait', {});
    clientSide.rejectPending('reloaded');
    await assert.rejects(pending, PeerGoneError);
    assert.equal(await clientSide.request('echo', { text: 'again' }), 'again');
  });

  test('cancelling rejects the call and aborts the handler', async () => {
    let aborted = false;
    const clientSide = connect(
      server({
        wait: (_params, signal) =>
          new Promise<string>((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          ),
      }),
    );
    const controller = new AbortController();
    const pending = clientSide.request('wait', {}, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('user cancelled'));
    await assert.rejects(pending, /user cancelled/);
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(aborted, true);
  });

  test('notes reach their handler; a throwing note handler is reported, not thrown', async () => {
    const heard: string[] = [];
    const errors: unknown[] = [];
    const handlers = server({}, {
      hello: ({ from }) => {
        heard.push(from);
        throw new Error('bad note');
      },
    });
    const serverSide = new Channel<Server, Client>({ post: () => undefined }, handlers, (e) => errors.push(e));
    serverSide.receive({ kind: 'note', method: 'hello', params: { from: 'panel' } });
    assert.deepEqual(heard, ['panel']);
    assert.equal(errors.length, 1);
  });

  test('a port that cannot send rejects the call instead of leaving it pending', async () => {
    const gone = new Channel<Client, Server>({ post: () => { throw new Error('worker terminated'); } }, { requests: {}, notes: {} });
    await assert.rejects(gone.request('echo', { text: 'x' }), PeerGoneError);
  });

  test('a result the port cannot carry becomes an error reply', async () => {
    const clientSide = connect(server({ echo: () => (() => 'a function') as unknown as string }));
    await assert.rejects(clientSide.request('echo', { text: 'x' }), /could not be sent/);
  });

  test('messages that are not the protocol are ignored', () => {
    const serverSide = new Channel<Server, Client>({ post: () => assert.fail('nothing to answer') }, server());
    for (const junk of [null, 42, 'ready', { kind: 'request' }, { kind: 'result' }, { type: 'ready' }]) serverSide.receive(junk);
  });
});
