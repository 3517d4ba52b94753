import type { ModelManifest } from '../../../core/scoring/model-manifest';
import { ProtocolError } from './kserve-errors';

/**
 * Refuses inputs the model does not have, inputs named twice and outputs it does not produce,
 * before anything runs. Triton answers these with "unexpected inference input/output"; accepting
 * them silently would hide a client that sends features under the wrong name. Missing inputs are
 * reported by the batch layout's own check.
 */
export function checkTensorNames(manifest: ModelManifest, inputs: readonly string[], outputs: readonly string[]): void {
  const known = manifest.inputs.map((t) => t.name);
  const seen = new Set<string>();
  for (const name of inputs) {
    if (!known.includes(name)) throw new ProtocolError('invalid', `unexpected inference input '${name}' for model '${manifest.name}' (its inputs: ${known.join(', ')})`);
    if (seen.has(name)) throw new ProtocolError('invalid', `input '${name}' is given more than once`);
    seen.add(name);
  }
  const produced = manifest.outputs.map((t) => t.name);
  for (const name of outputs) {
    if (!produced.includes(name)) throw new ProtocolError('invalid', `unexpected inference output '${name}' for model '${manifest.name}' (its outputs: ${produced.join(', ')})`);
  }
}
