import * as zlib from 'node:zlib';
import { status } from '@grpc/grpc-js';

/*
 * The parts of gRPC over HTTP/2 (grpc/grpc doc/PROTOCOL-HTTP2.md) that a unary call needs,
 * shared by the lean client and server: the 5-byte length prefix of a message, the
 * `grpc-timeout` and `grpc-message` header encodings, and message compression. Protobuf
 * bytes themselves come from the proto-loader definition (kserve-proto.ts), not from here.
 */

/** A failed call, as gRPC reports it: a status code and its message. */
export class GrpcCallError extends Error {
  constructor(readonly code: status, readonly details: string) {
    super(details);
  }
}

/** The 5-byte prefix of an uncompressed message of `length` bytes (written before the message, never copied into one buffer with it). */
export function messagePrefix(length: number): Buffer {
  const prefix = Buffer.allocUnsafe(5);
  prefix[0] = 0;
  prefix.writeUInt32BE(length, 1);
  return prefix;
}

/**
 * HTTP/2 settings for both ends. nghttp2's defaults (64 KiB windows, 16 KiB frames) make a
 * 256-row request (~60 KB) wait for WINDOW_UPDATEs as soon as a few are in flight on one
 * connection, and cut it into 4 frames; grpc-js grows its windows by probing, this sets them.
 */
export const http2Settings: Readonly<{ initialWindowSize: number; maxFrameSize: number }> = { initialWindowSize: 8 * 1024 * 1024, maxFrameSize: 1024 * 1024 };

/** The connection-level receive window to open on every session (the settings cover streams only). */
export const sessionWindowBytes = 32 * 1024 * 1024;

/**
 * Collects the DATA of one unary call and hands back its single message. Refuses, as soon
 * as the prefix says so, a message over `maxBytes` (so a large one is never buffered), and
 * a compressed one that decompresses past it. Errors are `GrpcCallError`s.
 */
export class UnaryMessageReader {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private declared = -1;

  constructor(private readonly maxBytes: number) {}

  /**
   * Adds bytes as they arrive; throws RESOURCE_EXHAUSTED once the prefix announces too much, and
   * INTERNAL for bytes past the one message (so nothing beyond the limit is ever kept).
   */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.declared < 0 && this.received >= 5) {
      const head = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.received);
      this.declared = head.readUInt32BE(1);
      if (this.declared > this.maxBytes) {
        this.chunks.length = 0;
        throw new GrpcCallError(status.RESOURCE_EXHAUSTED, `Received message larger than max (${this.declared} vs. ${this.maxBytes})`);
      }
    }
    if (this.declared >= 0 && this.received > 5 + this.declared) {
      this.chunks.length = 0;
      throw new GrpcCallError(status.INTERNAL, `a unary call carries one message of ${this.declared} bytes; more bytes followed it`);
    }
  }

  /** The message once the stream ended, decompressed with `encoding` when its flag says so. */
  message(encoding: string | undefined): Buffer {
    const all = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.received);
    if (this.declared < 0) throw new GrpcCallError(status.INTERNAL, 'the stream ended without a message');
    if (all.length !== 5 + this.declared) throw new GrpcCallError(status.INTERNAL, `a unary call carries one message of ${this.declared} bytes, got ${all.length - 5} bytes after the prefix`);
    const body = all.subarray(5);
    if (all[0] === 0) return body;
    return decompress(encoding, body, this.maxBytes);
  }
}

function decompress(encoding: string | undefined, body: Buffer, maxBytes: number): Buffer {
  const options = { maxOutputLength: maxBytes };
  try {
    if (encoding === 'gzip') return zlib.gunzipSync(body, options);
    if (encoding === 'deflate') return zlib.inflateSync(body, options);
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GrpcCallError(status.RESOURCE_EXHAUSTED, `Received message that decompresses to a size larger than ${maxBytes}`);
    }
    throw new GrpcCallError(status.INTERNAL, `the message could not be decompressed as ${encoding}: ${(err as Error).message}`);
  }
  throw new GrpcCallError(status.UNIMPLEMENTED, `the message is compressed with ${JSON.stringify(encoding ?? 'identity')}, which is not supported (gzip, deflate and identity are)`);
}

/** Message encodings a peer may use toward us (advertised in `grpc-accept-encoding`). */
export const acceptedEncodings = 'identity,deflate,gzip';

/** `grpc-timeout` for a deadline `ms` from now (whole milliseconds, at most 8 digits as the spec allows). */
export function encodeTimeout(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  return whole < 1e8 ? `${whole}m` : `${Math.ceil(whole / 1000)}S`;
}

const timeoutUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** Milliseconds in a `grpc-timeout` header, or undefined when absent or malformed. */
export function parseTimeout(value: string | undefined): number | undefined {
  const m = value === undefined ? null : /^(\d{1,8})([HMSmun])$/.exec(value);
  return m ? Number(m[1]) * timeoutUnits[m[2]] : undefined;
}

/** `grpc-message` as the spec wants it: percent-encoded outside printable ASCII and `%`. */
export function encodeStatusMessage(message: string): string {
  return message.replace(/[^ -$&-~]+/gu, (s) => {
    try {
      return encodeURIComponent(s);
    } catch {
      // A lone surrogate (from a name a client sent) has no UTF-8 form: U+FFFD stands in for the run.
      return '%EF%BF%BD';
    }
  });
}

/** The text of a received `grpc-message` (kept as is when it is not valid percent-encoding). */
export function decodeStatusMessage(value: string | undefined): string {
  if (value === undefined) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The gRPC code for an HTTP status that came without `grpc-status` (the spec's table). */
export function codeOfHttpStatus(httpStatus: number): status {
  switch (httpStatus) {
    case 400: return status.INTERNAL;
    case 401: return status.UNAUTHENTICATED;
    case 403: return status.PERMISSION_DENIED;
    case 404: return status.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return status.UNAVAILABLE;
    default: return status.UNKNOWN;
  }
}
