/**
 * `tributary worker` at its edges: flag and port mistakes fail before any model loads (a usage
 * error is exit 2 and one line naming the flag), a provider that cannot load here is one warning
 * line (or one error when nothing else is left), shutdown is logged, and --help says what the
 * defaults mean.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import { startTributary } from '../../helpers/tributary-process';
import { executionProviderAvailability } from '../../../runtime/scoring/execution-providers';
import { defaultRankingModelDir } from '../../../examples/home-feed/model/generate-ranking-model';

const model = ['--model', defaultRankingModelDir];
/** What only happens once a model has loaded. */
const loaded = /scoring worker 0|serving home-feed-ranker/;
/** A terminal colour escape, as native libraries print their errors. */
const colour = /\x1b\[/;

describe('tributary worker flags and logs', function () {
  this.timeout(60_000);

  for (const [args, flag, message] of [
    [['--port', '70000'], '--port <n>', /argument '70000' is invalid\. Expected an integer from 0 to 65535\./],
    [['--grpc-port', '-1'], '--grpc-port <n>', /argument '-1' is invalid\. Expected an integer from 0 to 65535\./],
    [['--workers', 'two'], '--workers <n>', /argument 'two' is invalid\. Expected an integer ≥ 0\./],
    [['--providers', 'gpu'], '--providers <list>', /unknown execution provider 'gpu' \(this onnxruntime-node knows cpu, [^)]*cuda/],
  ] as const) {
    it(`refuses ${args.join(' ')} with one line naming the flag, exit 2, before any model loads`, async () => {
      const p = startTributary(['worker', ...model, ...args]);
      assert.equal(await p.exited, 2, p.output());
      const lines = p.output().trim().split('\n');
      assert.equal(lines.length, 1, p.output());
      assert.ok(lines[0].startsWith(`error: option '${flag}'`), lines[0]);
      assert.match(lines[0], message);
      assert.doesNotMatch(p.output(), loaded);
    });
  }

  it('refuses a port another process holds before any model loads', async () => {
    const holder = net.createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as net.AddressInfo).port)));
    try {
      const p = startTributary(['worker', ...model, '--port', String(port)]);
      assert.equal(await p.exited, 1, p.output());
      assert.equal(p.output().trim(), `tributary: --port ${port}: cannot listen on 127.0.0.1:${port}: another process uses this port`);
    } finally {
      holder.close();
    }
  });

  const cuda = executionProviderAvailability(['cuda']);
  if (cuda.usable.length === 0) {
    // On a machine with CUDA (its provider library present) these refusals do not happen; the lines below say what is checked here.
    it('without CUDA: --providers cuda alone is one clear error, before any model loads', async () => {
      const p = startTributary(['worker', ...model, '--providers', 'cuda']);
      assert.equal(await p.exited, 1, p.output());
      assert.match(p.output().trim(), /^tributary: --providers cuda: CUDA is not available: onnxruntime-node has no \S*onnxruntime_providers_cuda\S* here[^\n]*; add cpu to --providers to run on the CPU$/);
      assert.doesNotMatch(p.output(), loaded);
    });

    it('without CUDA: --providers cuda,cpu warns in one line, serves on the CPU, and logs its shutdown', async () => {
      const p = startTributary(['worker', ...model, '--providers', 'cuda,cpu', '--port', '0', '--grpc-port', '0', '--reload-poll-ms', '0']);
      try {
        await p.waitFor(/serving home-feed-ranker v1 on cpu at http/);
      } finally {
        p.child.kill('SIGTERM');
      }
      assert.equal(await p.exited, 0, p.output());
      const out = p.output();
      assert.doesNotMatch(out, colour);
      assert.doesNotMatch(out, /onnxruntime::|provider_bridge|Failed to load library/);
      const warnings = out.split('\n').filter((l) => /CUDA/.test(l));
      assert.deepEqual(warnings.length, 1, out);
      assert.match(warnings[0], /^tributary worker: warning: CUDA is not available: .*; using cpu$/);
      assert.match(out, /tributary worker: SIGTERM: draining 0 requests in flight \(at most 30000 ms\)\n/);
      assert.match(out, /tributary worker: drained; exiting\n/);
    });
  } else {
    it('with CUDA present, does not call it unavailable', async () => {
      const p = startTributary(['worker', ...model, '--providers', 'cuda,cpu', '--port', '0', '--grpc-port', '0', '--reload-poll-ms', '0']);
      try {
        await p.waitFor(/serving home-feed-ranker v1 on/);
      } finally {
        p.child.kill('SIGTERM');
      }
      await p.exited;
      assert.doesNotMatch(p.output(), /CUDA is not available/);
    });
  }

  it('--help says what an unset --intra-op-threads means, the providers, the endpoints and what SIGTERM does', async () => {
    const p = startTributary(['worker', '--help']);
    assert.equal(await p.exited, 0);
    const help = p.output();
    assert.match(help, /--intra-op-threads unset: onnxruntime's default, one thread per physical core/);
    assert.match(help, /Execution providers this onnxruntime-node knows: cpu, .*cuda/);
    for (const route of ['/v2/health/ready', '/v2/models/NAME[/versions/V]/config', '/v2/models/stats', '/v2/repository/index', 'ModelStatistics', 'RepositoryIndex']) {
      assert.ok(help.includes(route), route);
    }
    assert.match(help, /SIGTERM or SIGINT: readiness turns false, new requests get 503/);
  });
});
