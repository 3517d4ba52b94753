import { strict as assert } from 'node:assert';
import { Readiness } from '../../../runtime/telemetry/readiness';
import { TelemetryServer } from '../../../runtime/telemetry/telemetry-server';

describe('TelemetryServer mounts', () => {
  let server: TelemetryServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('serves a mounted prefix and the paths under it, read-only, beside /metrics', async () => {
    server = await TelemetryServer.start({ host: '127.0.0.1', port: 0 }, (_req, res) => { res.end('m'); }, new Readiness());
    assert.equal(server.url.startsWith('http://127.0.0.1:'), true, 'loopback unless configured');
    server.mount('/v1/stores', (req, res) => { res.writeHead(200).end(`q ${req.url}`); });
    assert.equal(await (await fetch(`${server.url}/v1/stores`)).text(), 'q /v1/stores');
    assert.equal(await (await fetch(`${server.url}/v1/stores/a/keys/b`)).text(), 'q /v1/stores/a/keys/b');
    assert.equal((await fetch(`${server.url}/v1/storesX`)).status, 404);
    assert.equal((await fetch(`${server.url}/v1/stores/a`, { method: 'POST' })).status, 405);
    assert.equal(await (await fetch(`${server.url}/metrics`)).text(), 'm');
    assert.match(await (await fetch(`${server.url}/nope`)).text(), /or \/v1\/stores/);
    server.unmount('/v1/stores');
    assert.equal((await fetch(`${server.url}/v1/stores`)).status, 404);
    assert.throws(() => server!.mount('/metrics', () => undefined), /cannot mount '\/metrics'/);
  });
});
