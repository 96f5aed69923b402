// File access for readers, kept behind an interface so that readers never
// touch paths themselves: a model may name sibling files (ONNX external data,
// TF.js weight shards), and every such name is checked to stay inside the
// model's folder before anything is read.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelError } from '../errors';

export interface FileRef {
  /** The path as the user gave it (for messages). */
  readonly name: string;
  readonly size: number;
  read(): Uint8Array;
  /** Reads `length` bytes at `offset`, after checking they lie inside the file. */
  readRange(offset: number, length: number): Uint8Array;
}

export interface ModelSource extends FileRef {
  /** A file named by the model, relative to its folder; refuses names that leave the folder. */
  sibling(relative: string): FileRef;
}

class NodeFile implements FileRef {
  constructor(readonly name: string, private readonly absPath: string, readonly size: number) {}

  read(): Uint8Array {
    return fs.readFileSync(this.absPath);
  }

  readRange(offset: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new ModelError(this.name, `range ${offset}+${length} lies outside the file (${this.size} bytes)`);
    }
    const out = Buffer.alloc(length);
    const fd = fs.openSync(this.absPath, 'r');
    try {
      let done = 0;
      while (done < length) {
        const n = fs.readSync(fd, out, done, length - done, offset + done);
        if (n === 0) throw new ModelError(this.name, `file ended while reading ${length} bytes at ${offset}`);
        done += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    return out;
  }
}

class NodeModelSource extends NodeFile implements ModelSource {
  private readonly dir: string;
  constructor(name: string, absPath: string, size: number) {
    super(name, absPath, size);
    this.dir = path.dirname(absPath);
  }

  sibling(relative: string): FileRef {
    const shown = path.join(path.dirname(this.name), relative);
    if (path.isAbsolute(relative) || relative.includes('\0')) {
      throw new ModelError(this.name, `refers to '${relative}', which is not a path relative to the model's folder`);
    }
    const abs = path.resolve(this.dir, relative);
    if (abs !== this.dir && !abs.startsWith(this.dir + path.sep)) {
      throw new ModelError(this.name, `refers to '${relative}', which lies outside the model's folder`);
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      throw new ModelError(this.name, `refers to '${relative}', which does not exist (looked for ${shown})`);
    }
    if (!st.isFile()) throw new ModelError(this.name, `refers to '${relative}', which is not a file`);
    return new NodeFile(shown, abs, st.size);
  }
}

/** Opens a model file on disk; a missing file or a folder is a ModelError naming it. */
export function openModelFile(file: string): ModelSource {
  const abs = path.resolve(file);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new ModelError(file, 'no such file');
  }
  if (!st.isFile()) throw new ModelError(file, 'not a file');
  return new NodeModelSource(file, abs, st.size);
}

/** An in-memory source, for tests and for bytes that came from elsewhere (e.g. a VS Code document). */
export function memorySource(name: string, bytes: Uint8Array, siblings: Record<string, Uint8Array> = {}): ModelSource {
  const ref = (n: string, b: Uint8Array): FileRef => ({
    name: n,
    size: b.byteLength,
    read: () => b,
    readRange(offset: number, length: number) {
      if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > b.byteLength) {
        throw new ModelError(n, `range ${offset}+${length} lies outside the file (${b.byteLength} bytes)`);
      }
      return b.subarray(offset, offset + length);
    },
  });
  return {
    ...ref(name, bytes),
    sibling(relative: string) {
      const b = siblings[relative];
      if (!b) throw new ModelError(name, `refers to '${relative}', which does not exist`);
      return ref(relative, b);
    },
  };
}
