// Output files appear whole or not at all: data goes to a temp file in the
// target's folder (a rename is only atomic within one file system), is
// fsynced, then renamed over the target. A failed or cancelled job removes its
// temp files and leaves any earlier target as it was.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Bytes, text (UTF-8), or chunks from a (possibly async) generator, so a large output need not sit in memory whole. */
export type AtomicData = Uint8Array | string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

export interface AtomicFile {
  path: string;
  data: AtomicData;
}

export async function writeFileAtomic(target: string, data: AtomicData, signal?: AbortSignal): Promise<void> {
  await writeFilesAtomic([{ path: target, data }], signal);
}

/**
 * Writes every file to its temp first, then renames them in the order given,
 * so put the file that refers to the others (the model beside its external
 * data, the report beside its SVGs) last. Cancellation is honoured until the
 * first rename; the renames themselves are not one transaction, but each
 * target is either its old or its new self.
 */
export async function writeFilesAtomic(files: readonly AtomicFile[], signal?: AbortSignal): Promise<void> {
  const targets = files.map((f) => path.resolve(f.path));
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup) throw new Error(`writeFilesAtomic: '${dup}' is named twice`);
  const temps: string[] = [];
  let renamed = 0;
  try {
    signal?.throwIfAborted();
    for (let i = 0; i < files.length; i++) {
      const temp = tempName(targets[i]!);
      temps.push(temp);
      await writeTemp(temp, targets[i]!, files[i]!.data, signal);
    }
    signal?.throwIfAborted();
    for (; renamed < files.length; renamed++) await fs.promises.rename(temps[renamed]!, targets[renamed]!);
  } catch (e) {
    await Promise.all(temps.slice(renamed).map((t) => fs.promises.rm(t, { force: true }).catch(() => undefined)));
    throw e;
  }
  await Promise.all([...new Set(targets.map((t) => path.dirname(t)))].map(syncDir));
}

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${crypto.randomBytes(6).toString('hex')}.tmp`);
}

async function writeTemp(temp: string, target: string, data: AtomicData, signal: AbortSignal | undefined): Promise<void> {
  // 'wx': never follow or reuse a file someone else put at the temp name.
  const mode = await modeOf(target);
  const fh = await fs.promises.open(temp, 'wx', mode ?? 0o666);
  try {
    if (mode !== undefined) await fh.chmod(mode); // open's mode is masked by the umask
    if (typeof data === 'string' || data instanceof Uint8Array) await writeAll(fh, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    else {
      for await (const chunk of data) {
        signal?.throwIfAborted();
        await writeAll(fh, chunk);
      }
    }
    signal?.throwIfAborted();
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeAll(fh: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await fh.write(bytes, done, bytes.byteLength - done);
    done += bytesWritten;
  }
}

/** A replaced file keeps its permissions; a new one gets the usual 0o666 less the umask. */
async function modeOf(target: string): Promise<number | undefined> {
  try {
    return (await fs.promises.stat(target)).mode & 0o777;
  } catch {
    return undefined;
  }
}

/** Makes the renames themselves durable; folders cannot be opened for fsync on Windows, hence best effort. */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch {
    // best effort
  } finally {
    await fh?.close().catch(() => undefined);
  }
}
