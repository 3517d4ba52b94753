import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployDir, dockerfileTargets, readYaml, repoRoot } from './deploy-files';

/*
 * Static validation: no Docker engine runs where these tests run, so the
 * compose file is parsed and cross-checked, never started.
 */
type Service = {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  ports?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  volumes?: string[];
  command?: string[];
  healthcheck?: { test: string[] };
  profiles?: string[];
  deploy?: { resources?: { reservations?: { devices?: Array<{ capabilities: string[] }> } } };
};

const compose = readYaml('docker-compose.yaml') as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;
/** `${VAR:-default}` → default, as compose would with VAR unset. */
const withDefaults = (s: string): string => s.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

describe('deploy/docker-compose.yaml', () => {
  it('has the whole stack: Kafka, registry, collector, Prometheus, Grafana, processors, scoring workers', () => {
    for (const name of ['kafka', 'schema-registry', 'otel-collector', 'prometheus', 'grafana', 'processor-0', 'processor-1', 'scoring-worker', 'scoring-worker-gpu']) {
      assert.ok(services[name], `service ${name} missing`);
    }
  });

  it('gives every service an image, and builds from existing Dockerfile targets', () => {
    const targets = dockerfileTargets();
    for (const [name, s] of Object.entries(services)) {
      assert.ok(typeof s.image === 'string' && /^[\w./-]+(:[\w.-]+)?$/.test(s.image), `${name}: image '${s.image}'`);
      if (s.build) {
        assert.ok(fs.existsSync(path.resolve(deployDir, s.build.context, s.build.dockerfile)), `${name}: dockerfile ${s.build.dockerfile}`);
        assert.ok(s.build.target && targets.has(s.build.target), `${name}: target ${s.build.target} not in ${[...targets]}`);
      }
    }
  });

  it('publishes ports on 127.0.0.1 only, without clashes', () => {
    const seen = new Map<string, string>();
    for (const [name, s] of Object.entries(services)) {
      for (const p of s.ports ?? []) {
        const m = /^127\.0\.0\.1:(\d+):(\d+)$/.exec(p);
        assert.ok(m, `${name}: port '${p}' must be 127.0.0.1:HOST:CONTAINER`);
        assert.ok(!seen.has(m[1]), `${name}: host port ${m[1]} also used by ${seen.get(m[1])}`);
        seen.set(m[1], name);
      }
    }
  });

  it('depends only on services that exist, with valid conditions', () => {
    for (const [name, s] of Object.entries(services)) {
      const deps = Array.isArray(s.depends_on) ? Object.fromEntries(s.depends_on.map((d) => [d, { condition: 'service_started' }])) : s.depends_on ?? {};
      for (const [dep, { condition }] of Object.entries(deps)) {
        assert.ok(services[dep], `${name} depends on unknown service ${dep}`);
        assert.notEqual(dep, name);
        assert.ok(['service_started', 'service_healthy', 'service_completed_successfully'].includes(condition), `${name} → ${dep}: ${condition}`);
        if (condition === 'service_healthy') assert.ok(services[dep].healthcheck, `${name} waits for ${dep} to be healthy but it has no healthcheck`);
        // A profiled service is not always there to wait for.
        assert.equal(services[dep].profiles, undefined, `${name} depends on ${dep}, which only runs with a profile`);
      }
    }
  });

  it('mounts files that exist and volumes that are declared', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const v of s.volumes ?? []) {
        const [source, target] = withDefaults(v).split(':');
        assert.ok(target?.startsWith('/'), `${name}: volume '${v}'`);
        if (source.startsWith('.')) assert.ok(fs.existsSync(path.resolve(deployDir, source)), `${name}: ${source} does not exist`);
        else assert.ok(source in compose.volumes, `${name}: named volume ${source} not declared`);
      }
    }
  });

  it('runs processors with their endpoint reachable by Prometheus, a readiness healthcheck and a state volume each', () => {
    const prom = readYaml('compose/prometheus.yml') as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    const targets = prom.scrape_configs.find((j) => j.job_name === 'tributary-processors')!.static_configs.flatMap((c) => c.targets);
    const stateVolumes = new Set<string>();
    for (const name of ['processor-0', 'processor-1']) {
      const s = services[name];
      assert.equal(s.command?.[0], 'run');
      const at = (flag: string) => s.command![s.command!.indexOf(flag) + 1];
      assert.equal(at('--metrics-host'), '0.0.0.0', 'inside a container the endpoint must listen beyond loopback');
      assert.ok(targets.includes(`${name}:${at('--metrics-port')}`), `Prometheus does not scrape ${name}`);
      assert.match(s.healthcheck!.test.join(' '), /\/readyz/);
      const state = s.volumes!.find((v) => v.endsWith(':/var/lib/tributary'))!;
      assert.ok(state, `${name} has no state volume`);
      stateVolumes.add(state.split(':')[0]);
    }
    assert.equal(stateVolumes.size, 2, 'each processor needs its own state volume');
    for (const t of prom.scrape_configs.flatMap((j) => j.static_configs.flatMap((c) => c.targets))) {
      assert.ok(services[t.split(':')[0]], `Prometheus target ${t} is not a compose service`);
    }
  });

  it('asks for a GPU only in the gpu profile, and the collector config wires its pipelines', () => {
    const gpu = services['scoring-worker-gpu'];
    assert.deepEqual(gpu.profiles, ['gpu']);
    assert.deepEqual(gpu.deploy?.resources?.reservations?.devices?.[0].capabilities, ['gpu']);
    assert.equal(services['scoring-worker'].deploy, undefined);
    const col = readYaml('compose/otel-collector.yaml') as {
      receivers: Record<string, unknown>; processors: Record<string, unknown>; exporters: Record<string, unknown>;
      service: { pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }> };
    };
    for (const [name, p] of Object.entries(col.service.pipelines)) {
      for (const r of p.receivers) assert.ok(r in col.receivers, `${name}: receiver ${r}`);
      for (const r of p.processors) assert.ok(r in col.processors, `${name}: processor ${r}`);
      for (const r of p.exporters) assert.ok(r in col.exporters, `${name}: exporter ${r}`);
    }
    assert.ok(col.service.pipelines.traces, 'traces pipeline');
  });

  it('provisions Grafana with the dashboard and the datasource uid it uses', () => {
    const ds = readYaml('grafana/provisioning/datasources/prometheus.yaml') as { datasources: Array<{ uid: string; url: string }> };
    assert.equal(ds.datasources[0].uid, 'prometheus');
    assert.match(ds.datasources[0].url, /^http:\/\/prometheus:9090$/);
    assert.ok(fs.existsSync(path.join(repoRoot, 'deploy', 'grafana', 'dashboards', 'tributary.json')));
  });
});
