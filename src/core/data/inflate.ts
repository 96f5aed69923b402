// Decompression that never trusts a size it has not checked: the header inside
// the stream says how big the result must be, so we read that header from a
// prefix first and then inflate with zlib's maxOutputLength set to it. A small
// file that claims, or inflates to, gigabytes is refused, not allocated.

import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import { ModelError } from '../errors';

type Kind = 'gzip' | 'deflate';

const inflate = (kind: Kind, data: Uint8Array, options: zlib.ZlibOptions): Buffer =>
  kind === 'gzip' ? zlib.gunzipSync(data, options) : zlib.inflateRawSync(data, options);

/**
 * At least `want` bytes from the start of the stream (fewer only if the whole
 * stream is shorter). Z_SYNC_FLUSH makes zlib return what a truncated input
 * gives instead of failing on it.
 */
export function inflatePrefix(file: string, kind: Kind, data: Uint8Array, want: number): Uint8Array {
  for (let take = 1024; ; take *= 8) {
    const input = data.subarray(0, Math.min(take, data.length));
    // Deflate expands at most ~1032:1, so this cap cannot cut a prefix short.
    const out = run(file, kind, () => inflate(kind, input, { finishFlush: zlib.constants.Z_SYNC_FLUSH, maxOutputLength: Math.min(input.length * 1100 + 1024, bufferConstants.MAX_LENGTH) }), 0);
    if (out.length >= want || input.length === data.length) return out;
  }
}

/** The whole stream, refused if it inflates to more than `cap` bytes (`declared` is the size named in the message). */
export function inflateCapped(file: string, kind: Kind, data: Uint8Array, cap: number, declared = cap): Uint8Array {
  // Deflate expands at most ~1032:1: a larger claim cannot be true, and need not be inflated to be found out.
  if (declared > data.length * 1032 + 1024) {
    throw new ModelError(file, `claims to inflate to ${declared.toLocaleString('en-US')} bytes, more than ${data.length.toLocaleString('en-US')} bytes of ${kind} data can hold (truncated?)`);
  }
  return run(file, kind, () => inflate(kind, data, { maxOutputLength: Math.min(Math.max(1, cap), bufferConstants.MAX_LENGTH) }), declared);
}

function run(file: string, kind: Kind, f: () => Buffer, declared: number): Buffer {
  try {
    return f();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ModelError(file, `the ${kind} stream inflates to more than the ${declared.toLocaleString('en-US')} bytes its header declares`);
    }
    if (err.code?.startsWith('Z_')) throw new ModelError(file, `the ${kind} stream is truncated or corrupt (zlib: ${err.message})`);
    throw e;
  }
}

export const isGzip = (b: Uint8Array): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
