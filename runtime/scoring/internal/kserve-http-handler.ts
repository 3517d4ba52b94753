import type * as http from 'node:http';
import type { ScoringPool } from '../scoring-pool';
import type { TensorData } from '../../../core/scoring/scoring-service';
import { kserveDatatype, tensorBytes, tensorFromBytes, tensorFromJson, tensorToJson } from './kserve-tensors';
import { modelMetadata, serverMetadata } from './kserve-metadata';

interface JsonInput { name: string; shape: number[]; datatype: string; parameters?: Record<string, unknown>; data?: unknown }
interface JsonOutputRequest { name: string; parameters?: Record<string, unknown> }

const HEADER_LENGTH = 'inference-header-content-length';

/**
 * The Open Inference Protocol over HTTP/REST for a scoring pool: health,
 * server and model metadata, and `infer` with JSON tensors or Triton's
 * binary tensor extension (a JSON header followed by raw tensor bytes).
 */
export function kserveHttpHandler(pool: ScoringPool, models: readonly string[]): http.RequestListener {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      route(pool, models, req, Buffer.concat(chunks)).then(
        (reply) => send(res, reply.status, reply.body, reply.binary),
        // A retriable failure (no worker, worker died) is the server's state, so another endpoint may serve it.
        (err: Error & { retriable?: boolean }) => send(res, err.retriable === true ? 503 : 400, { error: err.message }),
      );
    });
  };
}

interface Reply { status: number; body: unknown; binary?: Buffer[] }

async function route(pool: ScoringPool, models: readonly string[], req: http.IncomingMessage, body: Buffer): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const parts = url.pathname.split('/').filter(Boolean);
  if (parts[0] !== 'v2') return { status: 404, body: { error: `no route ${url.pathname}` } };
  if (req.method === 'GET' && parts.length === 1) return { status: 200, body: serverMetadata() };
  if (req.method === 'GET' && parts[1] === 'health' && (parts[2] === 'live' || parts[2] === 'ready')) return { status: 200, body: {} };
  if (parts[1] !== 'models' || !parts[2]) return { status: 404, body: { error: `no route ${url.pathname}` } };
  const name = decodeURIComponent(parts[2]);
  if (!models.includes(name)) return { status: 404, body: { error: `model '${name}' is not served here (served: ${models.join(', ')})` } };
  let rest = parts.slice(3);
  if (rest[0] === 'versions') rest = rest.slice(2);
  if (req.method === 'GET' && rest.length === 0) return { status: 200, body: modelMetadata(pool.manifest(name).manifest) };
  if (req.method === 'GET' && rest[0] === 'ready') return { status: 200, body: { name, ready: true } };
  if (req.method === 'POST' && rest[0] === 'infer') return infer(pool, name, req, body);
  return { status: 404, body: { error: `no route ${req.method} ${url.pathname}` } };
}

async function infer(pool: ScoringPool, model: string, req: http.IncomingMessage, body: Buffer): Promise<Reply> {
  const headerLength = Number(req.headers[HEADER_LENGTH] ?? body.length);
  const request = JSON.parse(body.subarray(0, headerLength).toString('utf8')) as { id?: string; inputs: JsonInput[]; outputs?: JsonOutputRequest[]; parameters?: Record<string, unknown> };
  const inputs: Record<string, TensorData> = {};
  let offset = headerLength;
  for (const input of request.inputs ?? []) {
    const size = input.parameters?.binary_data_size;
    if (typeof size === 'number') {
      inputs[input.name] = tensorFromBytes(input.datatype, input.shape, body.subarray(offset, offset + size));
      offset += size;
    } else {
      inputs[input.name] = tensorFromJson(input.datatype, input.shape, input.data);
    }
  }
  const result = await pool.score({ model, inputs });
  const allBinary = request.parameters?.binary_data_output === true;
  const wanted = request.outputs?.length ? request.outputs : Object.keys(result.outputs).map((name): JsonOutputRequest => ({ name }));
  const binary: Buffer[] = [];
  const outputs = wanted.map((o) => {
    const t = result.outputs[o.name];
    if (!t) throw new Error(`model '${model}' has no output '${o.name}'`);
    const meta = { name: o.name, datatype: kserveDatatype[t.type], shape: t.dims };
    if (o.parameters?.binary_data === true || (allBinary && o.parameters?.binary_data !== false)) {
      const bytes = tensorBytes(t);
      binary.push(bytes);
      return { ...meta, parameters: { binary_data_size: bytes.length } };
    }
    return { ...meta, data: tensorToJson(t) };
  });
  return { status: 200, body: { model_name: model, model_version: result.modelVersion, ...(request.id ? { id: request.id } : {}), outputs }, binary };
}

function send(res: http.ServerResponse, status: number, body: unknown, binary?: Buffer[]): void {
  const json = Buffer.from(JSON.stringify(body));
  if (binary && binary.length > 0) {
    res.writeHead(status, { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(json.length), 'content-length': String(json.length + binary.reduce((n, b) => n + b.length, 0)) });
    res.write(json);
    for (const b of binary) res.write(b);
    res.end();
  } else {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(json.length) });
    res.end(json);
  }
}
