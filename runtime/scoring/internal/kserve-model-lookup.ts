import type { ModelManifest } from '../../../core/scoring/model-manifest';
import type { ServedPool } from './served-pool';
import { ProtocolError } from './kserve-errors';

/**
 * The manifest of a served model, checked against the version a request names. Only the
 * version being served exists here (a hot reload replaces it), so any other version is
 * NOT_FOUND, as Triton answers for a version it has not loaded; an empty version means
 * "the server's choice", as the protocol says.
 */
export function servedModel(pool: ServedPool, models: readonly string[], name: string, version?: string): ModelManifest {
  if (!models.includes(name)) throw new ProtocolError('not_found', `model '${name}' is not served here (served: ${models.join(', ')})`);
  const manifest = pool.manifest(name).manifest;
  if (version !== undefined && version !== '' && version !== manifest.version) {
    throw new ProtocolError('not_found', `model '${name}' has no version '${version}' here (serving version ${manifest.version})`);
  }
  return manifest;
}
