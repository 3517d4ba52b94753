import * as assert from 'node:assert/strict';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { GrpcCallError } from '../../../runtime/scoring/internal/grpc-wire';
import { GrpcUnaryChannel } from '../../../runtime/scoring/internal/grpc-unary-client';
import { GrpcUnaryServer, type UnaryMethod } from '../../../runtime/scoring/internal/grpc-unary-server';

/** What a call ended with: the reply bytes or the gRPC error (never a rejection). */
async function outcome(p: Promise<Buffer>): Promise<{ reply?: Buffer; code?: grpc.status; details?: string }> {
  try {
    return { reply: await p };
  } catch (err) {
    assert.ok(err instanceof GrpcCallError, String(err));
    return { code: err.code, details: err.details };
  }
}

/** Bytes 0, 1, 2, ... of a given length, so a reordered or cut message shows. */
function pattern(length: number): Buffer {
  const b = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) b[i] = (i * 7 + (i >> 11)) & 0xff;
  return b;
}

const limit = 12 * 1024 * 1024;
const message = "model 'ünknown' is not served here (100% sure)\nsecond line";

describe('unary gRPC on node:http2 (GrpcUnaryChannel ⇄ GrpcUnaryServer)', () => {
  let server: GrpcUnaryServer;
  let channel: GrpcUnaryChannel;
  let port: number;
  const held: Array<() => void> = [];
  before(async () => {
    const methods = new Map<string, UnaryMethod>([
      ['/t.S/Echo', async (request) => request],
      ['/t.S/Peer', async (_request, call) => Buffer.from(call.peer)],
      ['/t.S/NotFound', async () => { throw new GrpcCallError(grpc.status.NOT_FOUND, message); }],
      ['/t.S/Bug', async () => { throw new TypeError("Cannot read properties of null (reading 'inputs')"); }],
      ['/t.S/Surrogate', async () => { throw new GrpcCallError(grpc.status.INVALID_ARGUMENT, 'input \ud800 is unknown'); }],
      ['/t.S/Held', (request) => new Promise((resolve) => held.push(() => resolve(request)))],
    ]);
    server = new GrpcUnaryServer(methods, { maxRequestBytes: limit });
    port = await server.listen('127.0.0.1', 0);
    channel = new GrpcUnaryChannel(`127.0.0.1:${port}`);
  });
  after(async () => {
    channel.close();
    await server.close(0);
  });

  it('returns the reply bytes unchanged, from an empty message to one larger than the flow-control windows', async () => {
    for (const size of [0, 1, 5, 16_389, 9 * 1024 * 1024]) {
      const sent = pattern(size);
      const { reply } = await outcome(channel.call('/t.S/Echo', sent, 10_000));
      assert.ok(reply !== undefined && reply.equals(sent), `size ${size}`);
    }
  });

  it('carries many calls at once on one connection, each with its own reply', async () => {
    const sent = Array.from({ length: 40 }, (_, i) => pattern(1000 + i * 997));
    const replies = await Promise.all(sent.map((b) => channel.call('/t.S/Echo', b, 10_000)));
    replies.forEach((r, i) => assert.ok(r.equals(sent[i]), `call ${i}`));
  });

  it('gives the handler the peer address', async () => {
    assert.match((await channel.call('/t.S/Peer', Buffer.alloc(0), 5000)).toString(), /^127\.0\.0\.1:\d+$/);
  });

  it('carries the status and its message, non-ASCII, % and newline included', async () => {
    assert.deepEqual(await outcome(channel.call('/t.S/NotFound', Buffer.alloc(1), 5000)), { code: grpc.status.NOT_FOUND, details: message });
  });

  it('sends a message holding a lone surrogate with U+FFFD in its place', async () => {
    assert.deepEqual(await outcome(channel.call('/t.S/Surrogate', Buffer.alloc(1), 5000)), { code: grpc.status.INVALID_ARGUMENT, details: 'input \ufffd is unknown' });
  });

  it('refuses bytes past the one message of a unary call with INTERNAL, without keeping them', async () => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    try {
      const stream = session.request({ ':method': 'POST', ':path': '/t.S/Echo', 'content-type': 'application/grpc' });
      const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => {
        stream.on('response', (h) => { if (h['grpc-status'] !== undefined) resolve(h); });
        stream.on('trailers', resolve);
      });
      stream.on('data', () => {});
      stream.on('error', () => {});
      // The stream stays open: the refusal must come as the extra bytes arrive, not at the end.
      stream.write(Buffer.concat([Buffer.from([0, 0, 0, 0, 3]), Buffer.from('abc'), Buffer.alloc(1000, 9)]));
      const h = await trailers;
      assert.equal(h['grpc-status'], String(grpc.status.INTERNAL));
      assert.match(decodeURIComponent(String(h['grpc-message'])), /one message of 3 bytes/);
    } finally {
      session.destroy();
    }
  });

  it('answers INTERNAL without the JS message when a method fails with something other than a GrpcCallError', async () => {
    const { code, details } = await outcome(channel.call('/t.S/Bug', Buffer.alloc(1), 5000));
    assert.equal(code, grpc.status.INTERNAL);
    assert.doesNotMatch(details!, /Cannot read/);
  });

  it('answers UNIMPLEMENTED, naming the path, for a method it does not have', async () => {
    const { code, details } = await outcome(channel.call('/t.S/Nope', Buffer.alloc(1), 5000));
    assert.equal(code, grpc.status.UNIMPLEMENTED);
    assert.match(details!, /\/t\.S\/Nope/);
  });

  it('refuses a message over the limit with RESOURCE_EXHAUSTED, and keeps serving the connection', async () => {
    const { code, details } = await outcome(channel.call('/t.S/Echo', Buffer.alloc(limit + 1), 10_000));
    assert.equal(code, grpc.status.RESOURCE_EXHAUSTED);
    assert.match(details!, new RegExp(`${limit + 1} vs\\. ${limit}`));
    assert.ok((await channel.call('/t.S/Echo', Buffer.from('after'), 5000)).equals(Buffer.from('after')));
  });

  it('fails with DEADLINE_EXCEEDED when the answer does not come in time', async () => {
    const { code } = await outcome(channel.call('/t.S/Held', Buffer.from('late'), 50));
    assert.equal(code, grpc.status.DEADLINE_EXCEEDED);
    held.splice(0).forEach((release) => release());
  });

  it('fails with UNAVAILABLE when nothing listens at the address', async () => {
    const nowhere = new GrpcUnaryChannel('127.0.0.1:1');
    try {
      assert.equal((await outcome(nowhere.call('/t.S/Echo', Buffer.alloc(1), 5000))).code, grpc.status.UNAVAILABLE);
    } finally {
      nowhere.close();
    }
  });

  it('lets a call in flight finish on close; a call after it fails with UNAVAILABLE', async () => {
    const methods = new Map<string, UnaryMethod>([['/t.S/Held', (request) => new Promise((resolve) => held.push(() => resolve(request)))]]);
    const closing = new GrpcUnaryServer(methods, { maxRequestBytes: limit });
    const c = new GrpcUnaryChannel(`127.0.0.1:${await closing.listen('127.0.0.1', 0)}`);
    try {
      const inFlight = outcome(c.call('/t.S/Held', Buffer.from('kept'), 5000));
      while (held.length === 0) await new Promise((r) => setImmediate(r));
      const closed = closing.close(5000);
      await new Promise((r) => setTimeout(r, 20));
      held.splice(0).forEach((release) => release());
      assert.deepEqual(await inFlight, { reply: Buffer.from('kept') });
      await closed;
      assert.equal((await outcome(c.call('/t.S/Held', Buffer.alloc(1), 5000))).code, grpc.status.UNAVAILABLE);
    } finally {
      c.close();
    }
  });
});

describe('GrpcUnaryChannel against a grpc-js server', () => {
  let server: grpc.Server;
  let channel: GrpcUnaryChannel;
  before(async () => {
    const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };
    const method = (path: string) => ({ path, requestStream: false, responseStream: false, requestSerialize: raw.serialize, requestDeserialize: raw.deserialize, responseSerialize: raw.serialize, responseDeserialize: raw.deserialize });
    server = new grpc.Server({ 'grpc.max_receive_message_length': 1024 });
    server.addService({ Echo: method('/t.S/Echo'), NotFound: method('/t.S/NotFound') }, {
      Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request),
      NotFound: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb({ code: grpc.status.NOT_FOUND, details: message }),
    });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    channel = new GrpcUnaryChannel(`127.0.0.1:${port}`);
  });
  after(() => {
    channel.close();
    server.forceShutdown();
  });

  it('gets replies, statuses with their message, and RESOURCE_EXHAUSTED over the peer\'s limit', async () => {
    assert.ok((await channel.call('/t.S/Echo', pattern(1000), 5000)).equals(pattern(1000)));
    assert.deepEqual(await outcome(channel.call('/t.S/NotFound', Buffer.alloc(1), 5000)), { code: grpc.status.NOT_FOUND, details: message });
    assert.equal((await outcome(channel.call('/t.S/Echo', Buffer.alloc(2000), 5000))).code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal((await outcome(channel.call('/t.S/Nope', Buffer.alloc(1), 5000))).code, grpc.status.UNIMPLEMENTED);
  });
});
