import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';

const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);

/** The header of Triton's binary tensor extension: the length of the JSON part of a body. */
export const HEADER_LENGTH = 'inference-header-content-length';

/** A reply of the HTTP handler: a JSON body, optionally followed by raw output tensors. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly binary?: readonly Buffer[];
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The response coding a client accepts, among the two Triton offers (gzip first). Tokens with
 * `q=0` are refused, as RFC 9110 says; anything else present is accepted.
 */
export function acceptedEncoding(header: string | undefined): 'gzip' | 'deflate' | undefined {
  if (!header) return undefined;
  const accepted = new Set(header.split(',').map((part) => {
    const [token, ...params] = part.trim().toLowerCase().split(';').map((p) => p.trim());
    const q = params.find((p) => p.startsWith('q='));
    return q !== undefined && Number(q.slice(2)) === 0 ? '' : token;
  }));
  return accepted.has('gzip') ? 'gzip' : accepted.has('deflate') ? 'deflate' : undefined;
}

/**
 * Writes a reply, compressed when the request's `Accept-Encoding` asks for it (tritonclient's
 * `response_compression_algorithm`). The binary extension's header length stays that of the
 * uncompressed JSON, as Triton sends it: clients decompress first, then split.
 */
export async function sendReply(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply): Promise<void> {
  const json = Buffer.from(JSON.stringify(reply.body));
  const binary = reply.binary ?? [];
  const headers: Record<string, string> = { ...reply.headers };
  if (binary.length > 0) {
    headers['content-type'] = 'application/octet-stream';
    headers[HEADER_LENGTH] = String(json.length);
  } else {
    headers['content-type'] = 'application/json';
  }
  const parts = [json, ...binary];
  const coding = acceptedEncoding(req.headers['accept-encoding']);
  if (coding) {
    const whole = Buffer.concat(parts);
    const packed = coding === 'gzip' ? await gzip(whole) : await deflate(whole);
    headers['content-encoding'] = coding;
    headers['content-length'] = String(packed.length);
    res.writeHead(reply.status, headers);
    res.end(packed);
    return;
  }
  headers['content-length'] = String(parts.reduce((n, b) => n + b.length, 0));
  res.writeHead(reply.status, headers);
  for (const b of parts) res.write(b);
  res.end();
}
