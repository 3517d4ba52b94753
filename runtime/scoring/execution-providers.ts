import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as Ort from 'onnxruntime-node';

/**
 * onnxruntime-node, loaded at first use: this module serves `worker --help` and its flag
 * checks, and loading the native binding at import would cost every CLI command its start-up.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = (): typeof Ort => require('onnxruntime-node') as typeof Ort;

/** Execution providers this onnxruntime-node build knows, e.g. cpu, webgpu, cuda, tensorrt. */
export function knownExecutionProviders(): string[] {
  return ort().listSupportedBackends().map((b) => b.name);
}

/** The execution providers asked for, split into those that can load here and those that cannot, with why. */
export interface ProviderAvailability {
  readonly usable: readonly string[];
  readonly unavailable: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

/** Where onnxruntime-node keeps its native binding and the provider libraries installed beside it. */
function bindingDir(): string {
  return path.join(path.dirname(require.resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function providerLibrary(name: string): string {
  return process.platform === 'win32' ? `onnxruntime_providers_${name}.dll` : `libonnxruntime_providers_${name}.so`;
}

/**
 * Which of `requested` (names from `knownExecutionProviders`) can be tried on this machine.
 * Providers built into the binding (cpu, webgpu) always can; cuda and tensorrt need their
 * provider library, which onnxruntime-node installs only on a CUDA machine. Asking onnxruntime
 * for one without its library prints a native error dump before falling back, so a missing one
 * is left out here, with a reason the caller can print in one line. A library that is present
 * but finds no GPU or driver still fails at load, and the next provider in the list is used.
 */
export function executionProviderAvailability(requested: readonly string[]): ProviderAvailability {
  const backends = new Map(ort().listSupportedBackends().map((b) => [b.name, b.bundled]));
  const usable: string[] = [];
  const unavailable: Array<{ name: string; reason: string }> = [];
  for (const name of requested) {
    if (backends.get(name) === true) {
      usable.push(name);
      continue;
    }
    const library = path.join(bindingDir(), providerLibrary(name));
    if (fs.existsSync(library)) usable.push(name);
    else unavailable.push({ name, reason: `onnxruntime-node has no ${providerLibrary(name)} here, which it installs only on a machine with CUDA` });
  }
  return { usable, unavailable };
}
