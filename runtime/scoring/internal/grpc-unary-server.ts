import * as http2 from 'node:http2';
import { status } from '@grpc/grpc-js';
import { GrpcCallError, UnaryMessageReader, acceptedEncodings, encodeStatusMessage, http2Settings, messagePrefix, parseTimeout, sessionWindowBytes } from './grpc-wire';

const { NGHTTP2_NO_ERROR } = http2.constants;

/** One unary method: the request message's bytes in, the reply message's bytes out. */
export type UnaryMethod = (request: Buffer, call: { readonly peer: string }) => Promise<Uint8Array>;

/** Limits of a unary gRPC server. */
export interface UnaryServerOptions {
  /** Most bytes of one request message, on the wire and decompressed (RESOURCE_EXHAUSTED above). */
  readonly maxRequestBytes: number;
}

/**
 * A gRPC server for unary methods only, framed directly on `node:http2` (h2c), as the lean
 * client is (decision 0034). It keeps what peers rely on: `application/grpc` content type,
 * status and message in trailers (or a trailers-only answer for errors), `grpc-timeout`
 * (DEADLINE_EXCEEDED when the handler takes longer), gzip and deflate messages, a size limit
 * read from the length prefix, UNIMPLEMENTED for unknown methods, and a graceful close
 * (GOAWAY, calls in flight finish). Methods are keyed by path (`/package.Service/Method`);
 * a method that throws a `GrpcCallError` answers with its code, anything else is INTERNAL.
 */
export class GrpcUnaryServer {
  private readonly server: http2.Http2Server;
  private readonly sessions = new Set<http2.ServerHttp2Session>();

  constructor(private readonly methods: ReadonlyMap<string, UnaryMethod>, private readonly options: UnaryServerOptions) {
    // grpc-js' choice as well: nghttp2's default session memory (10 MB) refuses streams while large messages are read.
    this.server = http2.createServer({ maxSessionMemory: Number.MAX_SAFE_INTEGER, settings: http2Settings });
    this.server.on('session', (session) => {
      this.sessions.add(session);
      session.setLocalWindowSize(sessionWindowBytes);
      session.on('close', () => this.sessions.delete(session));
      session.on('error', () => {});
    });
    this.server.on('stream', (stream, headers) => this.serve(stream, headers));
  }

  /** Listens on `host:port` (0 picks a free port) and resolves with the bound port. */
  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  /**
   * Stops listening and tells every connection to go away (GOAWAY): calls in flight finish,
   * new ones are refused by the peer's transport. After `graceMs` the remaining connections are
   * destroyed, and their calls with them.
   */
  close(graceMs: number): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const session of this.sessions) session.close();
    const force = setTimeout(() => {
      for (const session of this.sessions) session.destroy();
    }, graceMs);
    return closed.finally(() => clearTimeout(force));
  }

  private serve(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders): void {
    const contentType = headers['content-type'] ?? '';
    if (headers[':method'] !== 'POST' || !/^application\/grpc([+;]|$)/.test(contentType)) {
      // Not a gRPC call: the spec's answer is plain HTTP 415 (405 for another method).
      stream.respond({ ':status': headers[':method'] !== 'POST' ? 405 : 415 }, { endStream: true });
      return;
    }
    const method = this.methods.get(headers[':path'] ?? '');
    const encoding = headers['grpc-encoding'] as string | undefined;
    const reader = new UnaryMessageReader(this.options.maxRequestBytes);
    const socket = stream.session?.socket;
    const peer = `${socket?.remoteAddress ?? '?'}:${socket?.remotePort ?? '?'}`;
    let answered = false;
    let ended = false;
    const fail = (code: status, message: string): void => {
      if (answered || stream.destroyed || stream.closed) return;
      answered = true;
      stream.respond({
        ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': acceptedEncodings,
        'grpc-status': String(code), 'grpc-message': encodeStatusMessage(message),
      }, { endStream: true });
      // The peer may still be sending a refused message: reset the stream so it stops (after the status).
      if (!ended) stream.close(NGHTTP2_NO_ERROR);
    };
    if (!method) {
      stream.resume();
      fail(status.UNIMPLEMENTED, `Method not found: ${headers[':path']}`);
      return;
    }
    const timeoutMs = parseTimeout(headers['grpc-timeout'] as string | undefined);
    const deadline = timeoutMs === undefined ? undefined : setTimeout(() => fail(status.DEADLINE_EXCEEDED, `Deadline exceeded (${timeoutMs} ms)`), timeoutMs);
    stream.on('close', () => clearTimeout(deadline));
    stream.on('error', () => {});
    stream.on('data', (chunk: Buffer) => {
      if (answered) return;
      try {
        reader.push(chunk);
      } catch (err) {
        fail((err as GrpcCallError).code, (err as GrpcCallError).details);
      }
    });
    stream.on('end', () => {
      ended = true;
      if (answered) return;
      let request: Buffer;
      try {
        request = reader.message(encoding);
      } catch (err) {
        fail((err as GrpcCallError).code, (err as GrpcCallError).details);
        return;
      }
      method(request, { peer }).then((reply) => {
        if (answered || stream.destroyed || stream.closed) return;
        answered = true;
        stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', 'grpc-accept-encoding': acceptedEncodings }, { waitForTrailers: true });
        stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.write(messagePrefix(reply.byteLength));
        stream.end(reply);
      }, (err: unknown) => {
        if (err instanceof GrpcCallError) fail(err.code, err.details);
        else fail(status.INTERNAL, 'internal error while serving the request');
      });
    });
  }
}
