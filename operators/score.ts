import * as path from 'node:path';
import { ConfigError, RecordError } from '../core/errors';
import type { StreamRecord } from '../core/stream-record';
import { defineOperator } from './operator-spec';
import { loadModelManifest } from '../core/scoring/model-manifest';
import { buildRequestTensors, headScores } from './record-tensors';
import { compileFieldPath, type FieldPath } from '../core/field-path';
import { ScoreRequestError } from '../core/scoring/scoring-errors';
import { batchOperator } from './batch-operator';
import { placeResult } from './internal/emit';
import { DYN, recordOf, scalar } from './value-type';
import { listOf, placed } from './internal/output-types';

interface Lookup {
  readonly name: string;
  readonly store: string;
  readonly keys: FieldPath;
  readonly default: unknown;
}

/**
 * Scores each record with a model of the scoring pool: input tensors are
 * read from the record (and from store lookups) by the model's manifest,
 * requests from every record and task are batched by the pool, and the
 * per-head scores plus the manifest's utility are attached to the value.
 *
 * ```
 * inputs: { candidates: value.candidates[].embedding, ... }, into: scores
 * a:{candidates:[c1,c2],…} ─|
 * a:{candidates:[c1,c2],…, scores:{modelVersion:'1', save:[.9,.1], …, utility:[2.7,.2]}} ─|
 * ```
 */
export const score = defineOperator({
  name: 'score',
  summary: 'Score each record with an ONNX model through the batched scoring pool; attach per-head scores and utility.',
  example: [
    '- id: rank',
    '  score:',
    '    model: examples/home-feed/model/ranker',
    '    inputs:',
    '      interest: value.user.interest',
    '      candidates: lookup.pins[].embedding',
    '    lookups:',
    '      - { name: pins, store: pin-features, keys: value.candidateIds }',
    '    into: scores',
  ].join('\n'),
  output: (context) => placed({ ...context, options: { into: context.options.into ?? 'scores' } }, recordOf('scores', [['modelVersion', DYN], ['utility', listOf(scalar('double'))]], 'the scores', true), 'score'),
  options: {
    model: { kind: 'string', required: true, description: 'Model folder (manifest.json + .onnx), relative to the working directory; the pool must load the same folder.' },
    inputs: { kind: 'object', required: true, description: 'Manifest input name → dotted path rooted at value, key or lookup.<name>; `[]` maps over a list.' },
    lookups: {
      kind: 'list',
      description: 'Store reads done for the whole batch with one multi-get per store before scoring.',
      items: {
        kind: 'object', description: 'One lookup.',
        fields: {
          name: { kind: 'string', required: true, description: 'Name the inputs use: lookup.<name>.' },
          store: { kind: 'store', access: 'read', required: true, description: 'The store to read (read only: may be a global store).' },
          keys: { kind: 'string', required: true, description: 'Dotted path to one key or a list of keys.' },
          default: { kind: 'any', description: 'Value for a key the store does not hold (default: the record fails).' },
        },
      },
    },
    into: { kind: 'string', default: 'scores', description: 'Field of the value that receives {modelVersion, <head>: number[], utility: number[]}.' },
  },
  check(options) {
    const inputs = options.inputs;
    if (typeof inputs !== 'object' || inputs === null) return [{ path: ['inputs'], message: 'expected a map of input name to field path' }];
    const paths = Object.entries(inputs).filter(([, p]) => typeof p !== 'string' || !/^(value|key|lookup)(\.|$)/.test(p))
      .map(([name]) => ({ path: ['inputs', name], message: 'expected a dotted path starting with value, key or lookup' }));
    if (typeof options.model !== 'string') return paths;
    // The step loads this manifest when it starts: a folder or input mapping it would refuse is a problem of the file now.
    let loaded: ReturnType<typeof loadModelManifest>;
    try {
      loaded = loadModelManifest(path.resolve(options.model));
    } catch (err) {
      return [...paths, { path: ['model'], message: `${(err as Error).message} (model folders are relative to the working directory)` }];
    }
    const mismatch = inputMismatch(loaded.manifest, inputs as Record<string, unknown>);
    return mismatch ? [...paths, { path: ['inputs'], message: `inputs of model '${loaded.manifest.name}' (${loaded.manifestPath}) ${mismatch}` }] : paths;
  },
  create(options, context) {
    if (!context.scoring) throw new ConfigError(`step '${context.stepId}': score needs a scoring pool, and this run has none configured`);
    const loaded = loadModelManifest(path.resolve(options.model));
    const manifest = loaded.manifest;
    const mapping = options.inputs;
    const mismatch = inputMismatch(manifest, mapping);
    if (mismatch) throw new ConfigError(`step '${context.stepId}': inputs of model '${manifest.name}' (${loaded.manifestPath}) ${mismatch}`);
    // check() made every input a path (a string).
    const paths = Object.entries(mapping).map(([name, p]) => [name, compileFieldPath(String(p))] as const);
    const lookups: Lookup[] = (options.lookups ?? []).map((l) => ({
      name: l.name, store: l.store, keys: compileFieldPath(l.keys), default: l.default,
    }));
    const into = options.into;
    const scoring = context.scoring;
    const fail = (record: StreamRecord, err: unknown): void => {
      context.recordFailed(record, err instanceof RecordError ? err : new RecordError(`score step '${context.stepId}': ${(err as Error).message}`, { ...record.source, stepId: context.stepId }, { cause: err }));
    };

    return batchOperator(async (records) => {
      const roots = records.map((r) => ({ key: r.key, value: r.value, lookup: {} as Record<string, unknown> }));
      for (const l of lookups) {
        const store = context.keyValueStore(l.store);
        const perRecord = roots.map((root) => l.keys(root));
        const flat = perRecord.flatMap((k) => (Array.isArray(k) ? k : [k]));
        const values = flat.length > 0 ? await store.getMany(flat) : [];
        let pos = 0;
        perRecord.forEach((k, i) => {
          const n = Array.isArray(k) ? k.length : 1;
          const got = values.slice(pos, pos + n).map((v) => (v === undefined ? l.default : v));
          pos += n;
          roots[i].lookup[l.name] = Array.isArray(k) ? got : got[0];
        });
      }
      const pending = records.map((record, i) => {
        let inputs;
        try {
          const values: Record<string, unknown> = {};
          for (const [name, p] of paths) values[name] = p(roots[i]);
          inputs = buildRequestTensors(manifest, values);
        } catch (err) {
          return Promise.reject(new RecordError(`score step '${context.stepId}': ${(err as Error).message}`, { ...record.source, stepId: context.stepId }, { cause: err }));
        }
        return scoring.score({ model: manifest.name, inputs });
      });
      const settled = await Promise.allSettled(pending);
      const out: StreamRecord[] = [];
      settled.forEach((s, i) => {
        if (s.status === 'rejected') {
          // A request the model cannot take is this record's fault; a pool that cannot score fails the batch (retried).
          if (s.reason instanceof RecordError || s.reason instanceof ScoreRequestError) fail(records[i], s.reason);
          else throw s.reason;
          return;
        }
        const { heads, utility } = headScores(manifest, s.value.outputs);
        out.push(placeResult(records[i], { modelVersion: s.value.modelVersion, ...heads, ...(utility ? { utility } : {}) }, into));
      });
      return out;
    });
  },
});

/** How a step's input mapping and a model's inputs differ ('are missing a, b; do not include c'), or undefined when they agree. */
function inputMismatch(manifest: ReturnType<typeof loadModelManifest>['manifest'], mapping: Record<string, unknown>): string | undefined {
  const required = manifest.inputs.map((i) => i.name).filter((n) => n !== manifest.batching.groupIndex);
  const missing = required.filter((n) => mapping[n] === undefined);
  const unknown = Object.keys(mapping).filter((n) => !manifest.inputs.some((i) => i.name === n));
  if (missing.length === 0 && unknown.length === 0) return undefined;
  return `${missing.length ? `are missing ${missing.join(', ')}` : ''}${unknown.length ? `${missing.length ? '; ' : ''}do not include ${unknown.join(', ')}` : ''}`;
}
