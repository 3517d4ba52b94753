import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTelemetry } from '../../../runtime/telemetry/start-telemetry';

/**
 * OTLP/HTTP export configured only by the standard environment variables,
 * received by a local HTTP server on the collector's paths. The payload is
 * protobuf; the test looks for the exported ids and names in its bytes rather
 * than decoding it.
 */
describe('OTLP export from the environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_') && !(k in saved)) delete process.env[k];
  });

  it('sends spans and metrics over http/protobuf to OTEL_EXPORTER_OTLP_ENDPOINT', async () => {
    const received: Array<{ path: string; type: string; body: Buffer }> = [];
    const receiver = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', type: String(req.headers['content-type']), body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    process.env.OTEL_METRIC_EXPORT_INTERVAL = '600000';
    try {
      const telemetry = await startTelemetry({ serviceName: 'otlp-unit', prometheus: false });
      const span = telemetry.tracer.startSpan('process 0_0');
      span.end();
      telemetry.metrics.recordsConsumed('clicks', 0, 5);
      // Shutdown flushes both pipelines.
      await telemetry.shutdown();
      const traces = received.filter((r) => r.path === '/v1/traces');
      const metrics = received.filter((r) => r.path === '/v1/metrics');
      assert.equal(traces.length, 1, `requests: ${received.map((r) => r.path)}`);
      assert.equal(metrics.length, 1, `requests: ${received.map((r) => r.path)}`);
      assert.equal(traces[0].type, 'application/x-protobuf');
      assert.ok(traces[0].body.includes(Buffer.from(span.spanContext().traceId, 'hex')), 'trace id in the payload');
      assert.ok(traces[0].body.includes(Buffer.from('otlp-unit')), 'service.name in the payload');
      assert.ok(metrics[0].body.includes(Buffer.from('messaging.client.consumed.messages')), 'metric name in the payload');
    } finally {
      receiver.close();
    }
  });

  it('sends only traces when only the traces endpoint is set (metrics stay pull-only)', async () => {
    const paths: string[] = [];
    const receiver = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume().on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
    try {
      const telemetry = await startTelemetry({ serviceName: 'otlp-unit', prometheus: false });
      telemetry.tracer.startSpan('x').end();
      telemetry.metrics.recordsConsumed('clicks', 0, 1);
      await telemetry.shutdown();
      assert.deepEqual(paths, ['/v1/traces']);
    } finally {
      receiver.close();
    }
  });
});
