import type * as http from 'node:http';
import type { TensorData } from '../../../core/scoring/scoring-service';
import type { ModelManifest } from '../../../core/scoring/model-manifest';
import type { ServedPool } from './served-pool';
import type { RequestGate } from './request-gate';
import { describe, kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson, tensorToJson } from './kserve-tensors';
import { modelMetadata, repositoryIndex, serverMetadata } from './kserve-metadata';
import { modelConfig } from './kserve-model-config';
import { modelStatistics } from './kserve-statistics';
import { ProtocolError, httpError, classify } from './kserve-errors';
import { parseInferHeader, type InferOutputHeader } from './kserve-infer-header';
import { checkTensorNames } from './kserve-tensor-names';
import { servedModel } from './kserve-model-lookup';
import { readRequestBody } from './http-request-body';
import { HEADER_LENGTH, sendReply, type Reply } from './http-reply';

/** What the HTTP handler needs besides the pool. */
export interface HttpHandlerOptions {
  readonly gate: RequestGate;
  /** Most bytes of a request body, compressed and again decompressed. */
  readonly maxRequestBytes: number;
  /** Where refused requests (one line each, no tensor data) and errors that are bugs here are written. */
  readonly log: (line: string) => void;
}

/**
 * The Open Inference Protocol over HTTP/REST for a scoring pool: health,
 * server and model metadata, and `infer` with JSON tensors or Triton's
 * binary tensor extension (a JSON header followed by raw tensor bytes).
 */
export function kserveHttpHandler(pool: ServedPool, models: readonly string[], options: HttpHandlerOptions): http.RequestListener {
  const { gate } = options;
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    const reply = (r: Reply): void => {
      // While draining, every answer ends its connection, so keep-alive clients reconnect elsewhere.
      if (!gate.ready) res.setHeader('connection', 'close');
      sendReply(req, res, r).catch((err: Error) => {
        options.log(`HTTP reply to ${req.method} ${url.pathname} failed: ${err.message}`);
        res.destroy();
      });
    };
    const fail = (err: unknown): void => {
      const { kind, message } = classify(err);
      const { status, body } = httpError(err);
      // The path without its query (which could carry a token), the peer and the reason; never headers or tensor values.
      if (kind === 'internal') options.log(`HTTP ${req.method} ${url.pathname}: ${(err as Error)?.stack ?? String(err)}`);
      else if (loggedKinds.has(kind)) options.log(`HTTP ${status} ${req.method} ${url.pathname} from ${req.socket.remoteAddress ?? '?'}: ${message}`);
      reply({ status, body });
    };
    // HEAD as GET without a body (Node writes no body for HEAD): load balancers probe health that way.
    if ((req.method === 'GET' || req.method === 'HEAD') && parts[0] === 'v2' && parts[1] === 'health' && parts.length === 3) {
      req.resume();
      if (parts[2] === 'live') return reply({ status: 200, body: {} });
      // Not ready once draining: load balancers and tritonclient's is_server_ready() read any status but 200 as "not ready".
      if (parts[2] === 'ready') return reply({ status: gate.ready ? 200 : 503, body: gate.ready ? {} : { error: 'the server is shutting down' } });
    }
    try {
      gate.enter();
    } catch (err) {
      req.resume();
      return fail(err);
    }
    res.once('close', () => gate.leave());
    readRequestBody(req, options.maxRequestBytes)
      .then((body) => route(pool, models, req, url, parts, body))
      .then(reply, fail);
  };
}

/** Refusals worth a log line: the client's mistakes. A full queue or a draining server is load, not a mistake, and is counted in the metrics instead. */
const loggedKinds: ReadonlySet<string> = new Set(['invalid', 'not_found', 'too_large']);

async function route(pool: ServedPool, models: readonly string[], req: http.IncomingMessage, url: URL, parts: string[], body: Buffer): Promise<Reply> {
  const noRoute = (): Reply => ({ status: 404, body: { error: `no route ${req.method} ${url.pathname}` } });
  const get = req.method === 'GET' || req.method === 'HEAD';
  if (parts[0] !== 'v2') return noRoute();
  if (get && parts.length === 1) return { status: 200, body: serverMetadata() };
  if (req.method === 'POST' && parts[1] === 'repository' && parts[2] === 'index' && parts.length === 3) {
    // Checked, but it changes nothing: every model served is ready, so `"ready": true` lists the same models.
    checkIndexRequest(body);
    return { status: 200, body: repositoryIndex(models.map((m) => pool.manifest(m).manifest)) };
  }
  // Statistics of every model: matched before /v2/models/{name}, so it is never read as a model named "stats" (Triton's order too).
  if (get && parts[1] === 'models' && parts[2] === 'stats' && parts.length === 3) {
    return { status: 200, body: { model_stats: models.map((m) => modelStatistics(m, pool.statistics(m))) } };
  }
  if (parts[1] !== 'models' || !parts[2]) return noRoute();
  const name = pathPart(parts[2]);
  let rest = parts.slice(3);
  let version: string | undefined;
  if (rest[0] === 'versions') {
    if (rest[1] === undefined) return noRoute();
    version = pathPart(rest[1]);
    rest = rest.slice(2);
  }
  const manifest = servedModel(pool, models, name, version);
  if (get && rest.length === 0) return { status: 200, body: modelMetadata(manifest) };
  if (get && rest[0] === 'ready' && rest.length === 1) return { status: 200, body: { name, ready: true } };
  if (get && rest[0] === 'config' && rest.length === 1) return { status: 200, body: modelConfig(manifest, pool.serving(name)) };
  if (get && rest[0] === 'stats' && rest.length === 1) return { status: 200, body: { model_stats: [modelStatistics(name, pool.statistics(name))] } };
  if (req.method === 'POST' && rest[0] === 'infer' && rest.length === 1) return infer(pool, manifest, req, body);
  return noRoute();
}

function invalid(message: string): never {
  throw new ProtocolError('invalid', message);
}

/** The body of a repository index request: empty (what tritonclient sends) or `{"ready": bool}`. */
function checkIndexRequest(body: Buffer): void {
  if (body.length === 0) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return invalid(`the repository index request is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) invalid(`the repository index request must be a JSON object, got ${describe(parsed)}`);
  const ready = (parsed as { ready?: unknown }).ready;
  if (ready !== undefined && typeof ready !== 'boolean') invalid(`ready: expected true or false, got ${describe(ready)}`);
}

function pathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return invalid(`the path part '${part}' is not valid percent-encoding`);
  }
}

async function infer(pool: ServedPool, manifest: ModelManifest, req: http.IncomingMessage, body: Buffer): Promise<Reply> {
  const declared = req.headers[HEADER_LENGTH];
  const headerLength = declared === undefined ? body.length : Number(declared);
  if (!Number.isSafeInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
    invalid(`${HEADER_LENGTH}: ${String(declared)} is not a length within the body's ${body.length} bytes`);
  }
  const request = parseInferHeader(body.subarray(0, headerLength));
  checkTensorNames(manifest, request.inputs.map((i) => i.name), (request.outputs ?? []).map((o) => o.name));
  const inputs: Record<string, TensorData> = {};
  let offset = headerLength;
  for (const input of request.inputs) {
    const size = input.parameters?.binary_data_size as number | undefined;
    if (size === undefined) {
      inputs[input.name] = tensorFromJson(input.name, input.datatype, input.shape, input.data);
      continue;
    }
    if (offset + size > body.length) invalid(`input '${input.name}' declares binary_data_size ${size} but only ${body.length - offset} bytes follow`);
    inputs[input.name] = tensorFromBytes(input.name, input.datatype, input.shape, body.subarray(offset, offset + size));
    offset += size;
  }
  // Triton refuses bytes no input accounts for: they mean the client and server disagree on the layout.
  if (offset !== body.length) invalid(`unexpected additional input data for model '${manifest.name}': ${body.length - offset} bytes after the last binary input`);
  const result = await pool.score({ model: manifest.name, inputs });
  const allBinary = request.parameters?.binary_data_output === true;
  const wanted = request.outputs?.length ? request.outputs : Object.keys(result.outputs).map((name): InferOutputHeader => ({ name }));
  const binary: Buffer[] = [];
  const outputs = wanted.map((o) => {
    const t = result.outputs[o.name];
    if (!t) throw new Error(`model '${manifest.name}' returned no output '${o.name}'`);
    const meta = { name: o.name, datatype: kserveDatatype[t.type], shape: t.dims };
    if (o.parameters?.binary_data === true || (allBinary && o.parameters?.binary_data !== false)) {
      const bytes = tensorBytes(t);
      binary.push(bytes);
      return { ...meta, parameters: { binary_data_size: bytes.length } };
    }
    return { ...meta, data: tensorToJson(t) };
  });
  return { status: 200, body: { model_name: manifest.name, model_version: result.modelVersion, ...(request.id ? { id: request.id } : {}), outputs }, binary };
}
