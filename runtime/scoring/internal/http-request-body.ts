import type * as http from 'node:http';
import * as zlib from 'node:zlib';
import type { Readable } from 'node:stream';
import { ProtocolError } from './kserve-errors';

/**
 * Reads a request body of at most `maxBytes`, decompressing `Content-Encoding: gzip` or
 * `deflate` (what tritonclient's `request_compression_algorithm` sends, and what Triton
 * accepts). The limit holds for the bytes on the wire and again after decompression, so a
 * small compressed body cannot expand without bound; it is checked as bytes arrive, and a
 * declared `Content-Length` over it is refused before anything is read. What is left of a
 * refused body is read and dropped, never kept.
 */
export function readRequestBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer> {
  const tooLarge = (what: string): ProtocolError =>
    new ProtocolError('too_large', `the request ${what} is larger than the limit of ${maxBytes} bytes (tributary worker --max-request-bytes)`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(tooLarge('body'));
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  let decoded: Readable;
  if (encoding === 'identity' || encoding === '') decoded = req;
  else if (encoding === 'gzip' || encoding === 'x-gzip') decoded = req.pipe(zlib.createGunzip());
  else if (encoding === 'deflate') decoded = req.pipe(zlib.createInflate());
  else {
    req.resume();
    return Promise.reject(new ProtocolError('invalid', `Content-Encoding '${encoding}' is not supported (gzip, deflate and identity are)`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let wire = 0;
    let size = 0;
    let done = false;
    const stop = (err: ProtocolError): void => {
      if (done) return;
      done = true;
      chunks.length = 0;
      if (decoded !== req) {
        req.unpipe();
        decoded.destroy();
      }
      // Keep reading what the client still sends, and drop it, so the reply can go out on this connection.
      req.removeAllListeners('data');
      req.on('data', () => {});
      req.resume();
      reject(err);
    };
    if (decoded !== req) {
      req.on('data', (c: Buffer) => {
        wire += c.length;
        if (wire > maxBytes) stop(tooLarge('body'));
      });
    }
    decoded.on('data', (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > maxBytes) stop(tooLarge(decoded === req ? 'body' : 'body, decompressed,'));
      else chunks.push(c);
    });
    if (decoded !== req) decoded.on('error', (err: Error) => stop(new ProtocolError('invalid', `the request body could not be decompressed as ${encoding}: ${err.message}`)));
    req.on('error', (err: Error) => stop(new ProtocolError('invalid', `the request body could not be read: ${err.message}`)));
    req.on('close', () => {
      if (!req.complete) stop(new ProtocolError('invalid', 'the client closed the request before its body ended'));
    });
    decoded.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
  });
}
