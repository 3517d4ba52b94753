import * as http2 from 'node:http2';
import { status } from '@grpc/grpc-js';
import { GrpcCallError, UnaryMessageReader, codeOfHttpStatus, decodeStatusMessage, encodeTimeout, http2Settings, messagePrefix, sessionWindowBytes } from './grpc-wire';

const { NGHTTP2_CANCEL } = http2.constants;

/** Most bytes of one reply (Tributary's worker sends up to 256 MiB). */
const maxReplyBytes = 256 * 1024 * 1024;

/**
 * Unary gRPC calls framed directly on one `node:http2` session (h2c, prior knowledge), for
 * the pool's calls to remote workers. grpc-js spends more CPU per call than the inference
 * of a 256-row request (call stack, interceptors, metadata objects, retry bookkeeping);
 * a unary call needs none of that: one HEADERS frame, one length-prefixed message, and the
 * status in the trailers (decision 0034). The session is opened on first use and again after
 * it closes or fails; it holds the process open only while calls are in flight.
 *
 * Every failure is a `GrpcCallError` with a gRPC code: the server's status, DEADLINE_EXCEEDED
 * after `timeoutMs`, UNAVAILABLE when the connection fails or closes before a status came.
 */
export class GrpcUnaryChannel {
  private session: http2.ClientHttp2Session | undefined;
  /** Calls in flight per session (an old session may still finish calls after a new one opened). */
  private readonly active = new Map<http2.ClientHttp2Session, number>();
  private readonly authority: string;

  /** `target` is `host:port`. */
  constructor(target: string) {
    this.authority = `http://${target}`;
  }

  /**
   * Sends one request message to `path` (`/package.Service/Method`) and resolves with the reply
   * message. The request may come in parts, written in order (tensors stay where they are).
   */
  call(path: string, request: Uint8Array | readonly Uint8Array[], timeoutMs: number): Promise<Buffer> {
    const parts = request instanceof Uint8Array ? [request] : request;
    const session = this.connect();
    return new Promise((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        stream = session.request({
          ':method': 'POST', ':path': path, 'content-type': 'application/grpc+proto', te: 'trailers', 'grpc-timeout': encodeTimeout(timeoutMs),
        });
      } catch (err) {
        // A session that is closing refuses new streams synchronously; the next call reconnects.
        this.forget(session);
        reject(new GrpcCallError(status.UNAVAILABLE, `cannot start a call: ${(err as Error).message}`));
        return;
      }
      this.hold(session);
      const reader = new UnaryMessageReader(maxReplyBytes);
      let code: number | undefined;
      let message = '';
      let encoding: string | undefined;
      let failure: GrpcCallError | undefined;
      let settled = false;
      const finish = (): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.release(session);
        if (failure) reject(failure);
        else if (code === undefined) reject(new GrpcCallError(status.UNAVAILABLE, `the stream closed without a status${stream.rstCode ? ` (HTTP/2 code ${stream.rstCode})` : ''}`));
        else if (code !== status.OK) reject(new GrpcCallError(code, message));
        else {
          try {
            resolve(reader.message(encoding));
          } catch (err) {
            reject(err);
          }
        }
      };
      const readStatus = (headers: http2.IncomingHttpHeaders): void => {
        const value = headers['grpc-status'];
        if (value === undefined) return;
        code = Number(value);
        message = decodeStatusMessage(headers['grpc-message'] as string | undefined);
      };
      const timer = setTimeout(() => {
        failure ??= new GrpcCallError(status.DEADLINE_EXCEEDED, `no answer within ${timeoutMs} ms`);
        stream.close(NGHTTP2_CANCEL);
      }, timeoutMs);
      stream.on('response', (headers) => {
        const httpStatus = Number(headers[':status']);
        if (httpStatus !== 200 && headers['grpc-status'] === undefined) {
          failure ??= new GrpcCallError(codeOfHttpStatus(httpStatus), `HTTP status ${httpStatus} without a gRPC status`);
          return;
        }
        encoding = headers['grpc-encoding'] as string | undefined;
        // A status in the response headers is a "trailers-only" answer: no message follows.
        readStatus(headers);
      });
      stream.on('trailers', readStatus);
      stream.on('data', (chunk: Buffer) => {
        try {
          reader.push(chunk);
        } catch (err) {
          failure ??= err as GrpcCallError;
          stream.close(NGHTTP2_CANCEL);
        }
      });
      stream.on('error', (err: Error) => {
        failure ??= new GrpcCallError(status.UNAVAILABLE, err.message);
      });
      stream.on('close', finish);
      stream.cork();
      stream.write(messagePrefix(parts.reduce((n, p) => n + p.byteLength, 0)));
      for (const part of parts) stream.write(part);
      stream.end();
      stream.uncork();
    });
  }

  /** Closes the session; calls in flight fail with UNAVAILABLE. */
  close(): void {
    this.session?.destroy();
    this.session = undefined;
  }

  private connect(): http2.ClientHttp2Session {
    if (this.session && !this.session.closed && !this.session.destroyed) return this.session;
    const session = http2.connect(this.authority, { maxSessionMemory: Number.MAX_SAFE_INTEGER, settings: http2Settings });
    session.once('connect', () => session.setLocalWindowSize(sessionWindowBytes));
    // Errors reach each stream as well; this only keeps an unhandled 'error' from throwing.
    session.on('error', () => this.forget(session));
    session.on('goaway', () => this.forget(session));
    session.on('close', () => this.forget(session));
    session.unref();
    this.session = session;
    return session;
  }

  private forget(session: http2.ClientHttp2Session): void {
    if (this.session === session) this.session = undefined;
  }

  private hold(session: http2.ClientHttp2Session): void {
    const n = this.active.get(session) ?? 0;
    if (n === 0) session.ref();
    this.active.set(session, n + 1);
  }

  private release(session: http2.ClientHttp2Session): void {
    const n = (this.active.get(session) ?? 1) - 1;
    if (n > 0) {
      this.active.set(session, n);
      return;
    }
    this.active.delete(session);
    if (!session.destroyed) session.unref();
  }
}
