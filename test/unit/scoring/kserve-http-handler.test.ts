import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import * as zlib from 'node:zlib';
import type { InferenceServer } from '../../../runtime/scoring/inference-server';
import { FakePool, errorOf, jsonInfer, request, startServer, bytesOf } from './inference-server-fixture';

interface InferReply { model_version: string; outputs: Array<{ name: string; data: number[] }> }

/** Error messages that name JavaScript internals instead of the request. */
const jsInternals = /Cannot read propert|is not iterable|is not a function|undefined|NaN|TypeError/;

describe('Open Inference Protocol over HTTP (kserveHttpHandler)', () => {
  let pool: FakePool;
  let server: InferenceServer;
  const logged: string[] = [];
  before(async () => {
    pool = new FakePool();
    server = await startServer(pool, { maxRequestBytes: 64 * 1024 }, logged);
  });
  after(() => server.close());

  it('answers infer with JSON tensors', async () => {
    const answer = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(10, [1, 2]));
    assert.equal(answer.status, 200, answer.body.toString());
    assert.deepEqual((JSON.parse(answer.body.toString()) as InferReply).outputs[0].data, [11, 12]);
  });

  describe('model versions (only the served one exists, as Triton)', () => {
    it('is ready and infers for the served version', async () => {
      assert.equal((await request(server, 'GET', '/v2/models/sum/versions/1/ready')).status, 200);
      assert.equal((await request(server, 'POST', '/v2/models/sum/versions/1/infer', jsonInfer(1, [1]))).status, 200);
    });
    it('answers 404 naming the version for any other version', async () => {
      for (const [method, path, body] of [['GET', '/v2/models/sum/versions/9/ready'], ['GET', '/v2/models/sum/versions/9'], ['POST', '/v2/models/sum/versions/99/infer', jsonInfer(1, [1])]] as const) {
        const answer = await request(server, method, path, body);
        assert.equal(answer.status, 404, path);
        assert.match(errorOf(answer), /model 'sum' has no version '9+' here \(serving version 1\)/);
      }
    });
    it('answers 404 naming the served models for an unknown model', async () => {
      const answer = await request(server, 'POST', '/v2/models/nope/infer', jsonInfer(1, [1]));
      assert.equal(answer.status, 404);
      assert.match(errorOf(answer), /model 'nope' is not served here \(served: sum\)/);
    });
  });

  describe('JSON tensor values are checked against the datatype', () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['strings for FP32', ['a', 'b'], /tensor 'item' \(FP32\): value 0 is the string "a", expected a number/],
      ['null for FP32', [null, 1], /tensor 'item' \(FP32\): value 0 is null, expected a number/],
      ['too few values', [1], /tensor 'item' of shape \[2, 1\] needs 2 values, got 1/],
      ['a number instead of a list', 5, /tensor 'item': data must be a list of values, got number 5/],
    ];
    for (const [what, data, message] of cases) {
      it(`refuses ${what} with 400 naming the input`, async () => {
        const body = jsonInfer(1, [1, 2]);
        (body.inputs as Array<Record<string, unknown>>)[1].data = data;
        const answer = await request(server, 'POST', '/v2/models/sum/infer', body);
        assert.equal(answer.status, 400);
        assert.match(errorOf(answer), message);
      });
    }
    it('refuses a fraction for INT64', async () => {
      const body = jsonInfer(1, [1]);
      (body.inputs as Array<Record<string, unknown>>)[2].data = [0.5];
      const answer = await request(server, 'POST', '/v2/models/sum/infer', body);
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /tensor 'item_user' \(INT64\): value 0 is number 0.5, expected an integer/);
    });
  });

  describe('requests the model cannot account for are refused, as Triton refuses them', () => {
    it('an unknown extra input', async () => {
      const body = jsonInfer(1, [1]);
      (body.inputs as object[]).push({ name: 'extra', datatype: 'FP32', shape: [1], data: [1] });
      const answer = await request(server, 'POST', '/v2/models/sum/infer', body);
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /unexpected inference input 'extra' for model 'sum'/);
    });
    it('an unknown requested output, before anything runs', async () => {
      const started = pool.started;
      const answer = await request(server, 'POST', '/v2/models/sum/infer', { ...jsonInfer(1, [1]), outputs: [{ name: 'nope' }] });
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /unexpected inference output 'nope' for model 'sum'/);
      assert.equal(pool.started, started);
    });
    it('bytes after the last binary input', async () => {
      const header = Buffer.from(JSON.stringify({
        inputs: [
          { name: 'user', datatype: 'FP32', shape: [1, 1], parameters: { binary_data_size: 4 } },
          { name: 'item', datatype: 'FP32', shape: [1, 1], parameters: { binary_data_size: 4 } },
          { name: 'item_user', datatype: 'INT64', shape: [1], parameters: { binary_data_size: 8 } },
        ],
      }));
      const tensors = [bytesOf(Float32Array.of(1)), bytesOf(Float32Array.of(2)), bytesOf(BigInt64Array.of(0n))];
      const headers = { 'inference-header-content-length': String(header.length), 'content-type': 'application/octet-stream' };
      const ok = await request(server, 'POST', '/v2/models/sum/infer', Buffer.concat([header, ...tensors]), headers);
      assert.equal(ok.status, 200, ok.body.toString());
      const answer = await request(server, 'POST', '/v2/models/sum/infer', Buffer.concat([header, ...tensors, Buffer.alloc(3)]), headers);
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /unexpected additional input data for model 'sum': 3 bytes after the last binary input/);
    });
  });

  describe('malformed JSON is answered with what is wrong, never with JS internals', () => {
    const cases: Array<[string, RegExp]> = [
      ['{"inputs": ', /the request is not valid JSON/],
      ['null', /the request must be a JSON object with "inputs", got null/],
      ['5', /the request must be a JSON object with "inputs", got number 5/],
      ['{}', /inputs: expected a list of input tensors, got nothing/],
      ['{"inputs": 5}', /inputs: expected a list of input tensors, got number 5/],
      ['{"inputs": [null]}', /inputs\[0\]: expected an object, got null/],
      ['{"inputs": [{"name": "user", "datatype": "FP32", "shape": null, "data": [1]}]}', /inputs\[0\].shape: expected a list of non-negative integers/],
      ['{"inputs": [{"name": "user", "datatype": "FP32", "shape": [1, 1]}]}', /inputs\[0\] \('user'\): has neither "data" nor parameters.binary_data_size/],
      ['{"inputs": [{"name": 3, "datatype": "FP32", "shape": [1], "data": [1]}]}', /inputs\[0\].name: expected a non-empty string, got number 3/],
      ['{"inputs": [], "outputs": [null]}', /outputs\[0\]: expected an object, got null/],
      ['{"inputs": [], "parameters": []}', /parameters: expected an object, got a list/],
    ];
    for (const [body, message] of cases) {
      it(`${body} → 400`, async () => {
        const answer = await request(server, 'POST', '/v2/models/sum/infer', body, { 'content-type': 'application/json' });
        assert.equal(answer.status, 400);
        const error = errorOf(answer);
        assert.match(error, message);
        assert.doesNotMatch(error, jsInternals);
      });
    }
  });

  describe('request size limit', () => {
    it('answers 413 to a body declared larger than the limit', async () => {
      const answer = await request(server, 'POST', '/v2/models/sum/infer', Buffer.alloc(65 * 1024, 32), { 'content-type': 'application/json' });
      assert.equal(answer.status, 413);
      assert.match(errorOf(answer), /larger than the limit of 65536 bytes/);
    });
    it('answers 413 to a chunked body once it passes the limit', async () => {
      const answer = await request(server, 'POST', '/v2/models/sum/infer', Buffer.alloc(200 * 1024, 32), { 'transfer-encoding': 'chunked' });
      assert.equal(answer.status, 413);
    });
    it('answers 413 to a small gzip body that decompresses past the limit (no zip bombs)', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 32));
      assert.ok(bomb.length < 64 * 1024);
      const answer = await request(server, 'POST', '/v2/models/sum/infer', bomb, { 'content-encoding': 'gzip' });
      assert.equal(answer.status, 413);
      assert.match(errorOf(answer), /decompressed, is larger than the limit/);
    });
  });

  describe('compression (tritonclient request_compression_algorithm / response_compression_algorithm)', () => {
    for (const [coding, pack] of [['gzip', zlib.gzipSync], ['deflate', zlib.deflateSync]] as const) {
      it(`reads a ${coding} request body`, async () => {
        const answer = await request(server, 'POST', '/v2/models/sum/infer', pack(Buffer.from(JSON.stringify(jsonInfer(100, [1, 2, 3])))), { 'content-encoding': coding });
        assert.equal(answer.status, 200, answer.body.toString());
        assert.deepEqual((JSON.parse(answer.body.toString()) as InferReply).outputs[0].data, [101, 102, 103]);
      });
      it(`compresses the answer with ${coding} when Accept-Encoding asks`, async () => {
        const answer = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(100, [1]), { 'accept-encoding': coding });
        assert.equal(answer.status, 200);
        assert.equal(answer.headers['content-encoding'], coding);
        const body = coding === 'gzip' ? zlib.gunzipSync(answer.body) : zlib.inflateSync(answer.body);
        assert.deepEqual((JSON.parse(body.toString()) as InferReply).outputs[0].data, [101]);
      });
    }
    it('refuses an unknown Content-Encoding with 400', async () => {
      const answer = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(1, [1]), { 'content-encoding': 'br' });
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /Content-Encoding 'br' is not supported/);
    });
    it('refuses a body that is not what its Content-Encoding says', async () => {
      const answer = await request(server, 'POST', '/v2/models/sum/infer', jsonInfer(1, [1]), { 'content-encoding': 'gzip' });
      assert.equal(answer.status, 400);
      assert.match(errorOf(answer), /could not be decompressed as gzip/);
    });
  });

  it('answers 400 to a path that is not valid percent-encoding', async () => {
    const answer = await request(server, 'GET', '/v2/models/%E0%A4%A/ready');
    assert.equal(answer.status, 400);
    assert.match(errorOf(answer), /the path part '%E0%A4%A' is not valid percent-encoding/);
  });

  it('counts a request whose client goes away mid-body as no longer in flight', async () => {
    const socket = net.connect(server.httpPort, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    socket.write('POST /v2/models/sum/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{"inputs"');
    while (server.inFlight === 0) await new Promise((r) => setTimeout(r, 5));
    socket.destroy();
    while (server.inFlight !== 0) await new Promise((r) => setTimeout(r, 5));
  });

  // Last, in a describe of its own: mocha runs a describe's own tests before its nested describes.
  describe('the log', () => {
    it('logged each refusal in one line with its reason, never tensor values, and no internal error', () => {
      assert.deepEqual(logged.filter((line) => !/^HTTP (400|404|413) (GET|POST|HEAD) \/\S* from \S+: /.test(line)), []);
      assert.ok(logged.some((line) => line.startsWith("HTTP 404 POST /v2/models/nope/infer from 127.0.0.1: model 'nope' is not served here")), logged.join('\n'));
      assert.ok(logged.some((line) => /^HTTP 413 POST \/v2\/models\/sum\/infer from 127\.0\.0\.1: the request body is larger/.test(line)), logged.join('\n'));
    });
  });
});
