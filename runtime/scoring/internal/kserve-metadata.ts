import type { ModelManifest } from '../../../core/scoring/model-manifest';
import { kserveDatatype } from './kserve-tensors';

/** The protocol extensions `tributary worker` implements. */
export const serverExtensions = ['binary_tensor_data'];

/** Server metadata as both transports return it. */
export function serverMetadata(): { name: string; version: string; extensions: string[] } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require('../../../../package.json') as { version: string };
  return { name: 'tributary', version, extensions: serverExtensions };
}

/** Model metadata from its manifest; symbolic dimensions become -1 as the protocol says. */
export function modelMetadata(m: ModelManifest): { name: string; versions: string[]; platform: string; inputs: object[]; outputs: object[] } {
  const tensor = (t: ModelManifest['inputs'][number]) => ({ name: t.name, datatype: kserveDatatype[t.dtype], shape: t.dims.map((d) => (typeof d === 'number' ? d : -1)) });
  return { name: m.name, versions: [m.version], platform: 'onnxruntime_onnx', inputs: m.inputs.map(tensor), outputs: m.outputs.map(tensor) };
}

/**
 * Triton's repository index (`POST /v2/repository/index`, gRPC `RepositoryIndex`): every model
 * served, with the version loaded. All are READY: a model that does not load stops the worker
 * at start, and a new version replaces the old one only once it has loaded.
 */
export function repositoryIndex(manifests: readonly ModelManifest[]): Array<{ name: string; version: string; state: string; reason: string }> {
  return manifests.map((m) => ({ name: m.name, version: m.version, state: 'READY', reason: '' }));
}
