// One request/reply channel over any postMessage-like port: host ⇄ webview now,
// host ⇄ worker later. Every request gets exactly one answer: its result, an
// error reply (the handler threw, or there is no such method), or a rejection
// when the caller cancels or the channel is reset/closed because the other
// side went away. hexeditor's RPC keeps `reject` and never calls it; this one
// always does.

/** What one side serves (requests, answered) and hears (notes, not answered). */
export interface Api {
  requests: object;
  notes: object;
}

type Fn = (params: never) => unknown;
type ParamsOf<F> = F extends (params: infer P) => unknown ? P : never;
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;
type Names<T> = Extract<keyof T, string>;

export type RequestMessage<A extends Api> = {
  [K in Names<A['requests']>]: { kind: 'request'; id: number; method: K; params: ParamsOf<A['requests'][K]> };
}[Names<A['requests']>];

export type NoteMessage<A extends Api> = {
  [K in Names<A['notes']>]: { kind: 'note'; method: K; params: ParamsOf<A['notes'][K]> };
}[Names<A['notes']>];

export type ReplyMessage =
  | { kind: 'result'; id: number; result: unknown }
  | { kind: 'error'; id: number; message: string; code?: string }
  | { kind: 'cancel'; id: number };

/** Everything a side posts to a peer that implements `Remote`. */
export type Outgoing<Remote extends Api> = RequestMessage<Remote> | NoteMessage<Remote> | ReplyMessage;

export type Handlers<Local extends Api> = {
  requests: {
    [K in Names<Local['requests']>]: (
      params: ParamsOf<Local['requests'][K]>,
      signal: AbortSignal,
    ) => ResultOf<Local['requests'][K]> | Promise<ResultOf<Local['requests'][K]>>;
  };
  notes: { [K in Names<Local['notes']>]: (params: ParamsOf<Local['notes'][K]>) => void };
};

/**
 * An error reply. A handler throws one to send a `code` (what kind of failure) beside the message;
 * every error reply rejects the caller with one, `code` undefined when the handler gave none.
 */
export class RemoteError extends Error {
  override name = 'RemoteError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A call that the other side will never answer: it reloaded or went away. Expected; not a fault. */
export class PeerGoneError extends Error {
  override name = 'PeerGoneError';
}

export interface Port {
  /** May throw when the peer is gone (a terminated worker); the call being made then rejects. */
  post(message: unknown): void;
}

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class Channel<Local extends Api, Remote extends Api> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly serving = new Map<number, AbortController>();
  private closedReason: string | undefined;

  constructor(
    private readonly port: Port,
    private readonly handlers: Handlers<Local>,
    /** Reports a note handler that threw; requests report errors to the caller instead. */
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  request<K extends Names<Remote['requests']>>(
    method: K,
    params: ParamsOf<Remote['requests'][K]>,
    options: { signal?: AbortSignal } = {},
  ): Promise<ResultOf<Remote['requests'][K]>> {
    if (this.closedReason !== undefined) return Promise.reject(new PeerGoneError(this.closedReason));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError(signal));
    const id = this.nextId++;
    return new Promise<ResultOf<Remote['requests'][K]>>((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(id);
        this.post({ kind: 'cancel', id } satisfies ReplyMessage);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        resolve: (result) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(result as ResultOf<Remote['requests'][K]>);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (!this.post({ kind: 'request', id, method, params })) {
        this.settle(id)?.reject(new PeerGoneError(`could not send '${method}': the other side is gone`));
      }
    });
  }

  notify<K extends Names<Remote['notes']>>(method: K, params: ParamsOf<Remote['notes'][K]>): void {
    if (this.closedReason === undefined) this.post({ kind: 'note', method, params });
  }

  /** Feed every message from the port here; anything that is not ours is ignored. */
  receive(data: unknown): void {
    if (this.closedReason !== undefined || !isMessage(data)) return;
    switch (data.kind) {
      case 'result':
        this.settle(data.id)?.resolve(data.result);
        break;
      case 'error':
        this.settle(data.id)?.reject(new RemoteError(data.message, typeof data.code === 'string' ? data.code : undefined));
        break;
      case 'cancel':
        this.serving.get(data.id)?.abort();
        break;
      case 'request':
        void this.serve(data.id, data.method, data.params);
        break;
      case 'note':
        this.hear(data.method, data.params);
        break;
    }
  }

  /** The peer restarted (a reloaded webview): its answers to earlier requests will never come. */
  rejectPending(reason: string): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const call of calls) call.reject(new PeerGoneError(reason));
    for (const controller of this.serving.values()) controller.abort();
    this.serving.clear();
  }

  /** The peer is gone for good: reject what is pending and refuse new calls. */
  close(reason: string): void {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    this.rejectPending(reason);
  }

  private post(message: unknown): boolean {
    try {
      this.port.post(message);
      return true;
    } catch {
      return false;
    }
  }

  private settle(id: number): Pending | undefined {
    const call = this.pending.get(id);
    this.pending.delete(id);
    return call;
  }

  private async serve(id: number, method: string, params: unknown): Promise<void> {
    const handler = lookup(this.handlers.requests, method) as ((p: unknown, s: AbortSignal) => unknown) | undefined;
    if (!handler) {
      this.post({ kind: 'error', id, message: `unknown request '${method}'` } satisfies ReplyMessage);
      return;
    }
    const controller = new AbortController();
    this.serving.set(id, controller);
    let reply: ReplyMessage;
    try {
      reply = { kind: 'result', id, result: await handler(params, controller.signal) };
    } catch (error) {
      const code = error instanceof RemoteError ? error.code : undefined;
      reply = { kind: 'error', id, message: error instanceof Error ? error.message : String(error), ...(code !== undefined ? { code } : {}) };
    } finally {
      this.serving.delete(id);
    }
    if (this.closedReason !== undefined || this.post(reply)) return;
    // A result the port cannot carry (not cloneable) still gets an answer.
    if (reply.kind === 'result') this.post({ kind: 'error', id, message: `the result of '${method}' could not be sent` } satisfies ReplyMessage);
  }

  private hear(method: string, params: unknown): void {
    const handler = lookup(this.handlers.notes, method) as ((p: unknown) => void) | undefined;
    try {
      handler?.(params);
    } catch (error) {
      this.onError(error);
    }
  }
}

// Own properties only: a message naming `constructor` or `__proto__` must not reach Object.prototype.
function lookup(table: object, name: string): Fn | undefined {
  return Object.prototype.hasOwnProperty.call(table, name) ? (table as Record<string, Fn>)[name] : undefined;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('cancelled');
}

type AnyMessage =
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'note'; method: string; params: unknown }
  | { kind: 'error'; id: number; message: string; code?: unknown }
  | ReplyMessage;

function isMessage(data: unknown): data is AnyMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  switch (m.kind) {
    case 'request':
      return typeof m.id === 'number' && typeof m.method === 'string';
    case 'note':
      return typeof m.method === 'string';
    case 'result':
    case 'cancel':
      return typeof m.id === 'number';
    case 'error':
      return typeof m.id === 'number' && typeof m.message === 'string';
    default:
      return false;
  }
}
