// Backend choice: native TensorFlow (@tensorflow/tfjs-node, an optional
// dependency that fails to install offline) when it loads, else wasm (XNNPACK,
// about 15× faster than cpu here), else plain-JavaScript cpu.

import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { registerWasmGradKernels } from './grad';
import type { BackendName } from './types';

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

// A require esbuild does not see, so the bundle never tries to include tfjs-node (absent here, large anywhere).
const requireAtRuntime = createRequire(__filename);

let wasmDir: string | undefined;
/** An 'auto' choice has been made; later 'auto' calls keep whatever is active. */
let initialized = false;
let pending: Promise<BackendName> = Promise.resolve('cpu');

/**
 * Makes `choice` the active backend ('auto': the fastest that loads) and returns the one in use. Calls are
 * serialized; asking again for the active backend does nothing. Create runners after choosing: their weights
 * live on the backend that was active then.
 */
export function initBackend(choice: BackendName | 'auto' = 'auto'): Promise<BackendName> {
  pending = pending.catch(() => 'cpu' as const).then(() => choose(choice));
  return pending;
}

/** The backend in use, if one has been chosen. */
export function activeBackend(): BackendName | undefined {
  const name = tf.engine().backendName as string | null;
  return name === 'tensorflow' || name === 'wasm' || name === 'cpu' ? name : undefined;
}

async function choose(choice: BackendName | 'auto'): Promise<BackendName> {
  // PROD silences TF.js's console advice ("install the node backend") that would land in the CLI's output.
  tf.enableProdMode();
  const active = activeBackend();
  if (active && (choice === active || (choice === 'auto' && initialized))) return active;
  if (choice !== 'auto') {
    const why = await tryBackend(choice);
    if (why !== undefined) throw new Error(`the '${choice}' backend is not available: ${why}`);
    return done(choice);
  }
  for (const name of ['tensorflow', 'wasm', 'cpu'] as const) {
    if ((await tryBackend(name)) === undefined) return done(name);
  }
  throw new Error('no TensorFlow.js backend could be started');
}

function done(name: BackendName): BackendName {
  initialized = true;
  return name;
}

/** Undefined when `name` is now the active backend, else why not. */
async function tryBackend(name: BackendName): Promise<string | undefined> {
  if (name === 'tensorflow') {
    if (!tf.findBackendFactory('tensorflow')) {
      try {
        requireAtRuntime('@tensorflow/tfjs-node');
      } catch (e) {
        return `@tensorflow/tfjs-node could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
      }
    }
    if (!tf.findBackendFactory('tensorflow')) return '@tensorflow/tfjs-node loaded but registered no backend';
  }
  if (name === 'wasm') {
    wasmDir ??= findWasmDir();
    if (!wasmDir) return `the .wasm files are neither beside ${__dirname} nor in @tensorflow/tfjs-backend-wasm/dist`;
    try {
      setWasmPaths(wasmDir + path.sep);
    } catch {
      // Already initialized with the paths set before; setWasmPaths refuses to change them.
    }
  }
  const ok = await tf.setBackend(name);
  if (!ok) return `TensorFlow.js could not initialize it${name === 'wasm' ? ` (wasm files from ${wasmDir})` : ''}`;
  await tf.ready();
  // Training needs the backprop kernels wasm lacks (Conv2DBackpropFilter, depthwise); idempotent.
  if (name === 'wasm') registerWasmGradKernels();
  return undefined;
}

/** Beside the running bundle (dist/, out/test/unit/), else the package's own dist/. */
function findWasmDir(): string | undefined {
  const has = (dir: string): boolean => WASM_FILES.every((f) => fs.existsSync(path.join(dir, f)));
  if (has(__dirname)) return __dirname;
  try {
    const dir = path.dirname(requireAtRuntime.resolve('@tensorflow/tfjs-backend-wasm'));
    return has(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** Live tensors, readable before any backend is chosen (tf.memory() needs one). Tests compare it before and after a job. */
export function liveTensors(): number {
  return tf.engine().state.numTensors;
}
