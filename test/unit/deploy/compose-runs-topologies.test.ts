import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployDir, readYaml, repoRoot } from './deploy-files';
import { formatProblem, loadTopology } from '../../../topology';
import { prometheusName, type InstrumentKind } from '../../../runtime/telemetry/metric-names';

/*
 * What the compose stack runs, checked from the container's point of view (no Docker
 * engine here): the processors' topology and the files next to it exist in the
 * container and validate; the topics they read are created; traces reach a backend;
 * the collector publishes the workers' metrics under the names the dashboard queries;
 * the image is built from Node 22 with every compiled folder.
 */
type Service = { command?: string[]; environment?: Record<string, string>; volumes?: string[]; image?: string };
const compose = readYaml('docker-compose.yaml') as { services: Record<string, Service> };
const services = compose.services;
const dockerfile = fs.readFileSync(path.join(deployDir, 'Dockerfile'), 'utf8');

/** `${VAR:-default}` → default, or `vars[VAR]` when given. */
const interpolate = (s: string, vars: Record<string, string> = {}): string =>
  s.replace(/\$\{([A-Z_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback?: string) => vars[name] ?? fallback ?? '');

/** Container path → host path: the image's `COPY x ./x` into WORKDIR /app, then the service's bind mounts over it. */
function containerView(service: Service, vars: Record<string, string>): Array<{ container: string; host: string }> {
  const workdir = /^WORKDIR\s+(\S+)/m.exec(dockerfile)![1];
  const view = [...dockerfile.matchAll(/^COPY\s+(?!--from)(\S+)\s+\.\/(\S+)\s*$/gm)]
    .map((m) => ({ container: path.posix.join(workdir, m[2]), host: path.join(repoRoot, m[1]) }));
  for (const v of service.volumes ?? []) {
    const [source, target] = interpolate(v, vars).split(':');
    if (source.startsWith('.') || source.startsWith('/')) view.push({ container: target, host: path.resolve(deployDir, source) });
  }
  return view;
}

/** The host file the container sees at `file`, by the mount with the longest matching prefix (later mounts win ties). */
function hostPath(view: ReturnType<typeof containerView>, file: string): { host: string; mount: { container: string; host: string } } {
  let best: { container: string; host: string } | undefined;
  for (const m of view) if ((file === m.container || file.startsWith(`${m.container}/`)) && (!best || m.container.length >= best.container.length)) best = m;
  assert.ok(best, `${file} is in no mount and not in the image`);
  return { host: path.join(best.host, path.posix.relative(best.container, file)), mount: best };
}

function withEnv<T>(env: Record<string, string>, run: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return run();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

/** The two topologies the compose file documents: its default and the flagship. */
const runs: Array<{ name: string; vars: Record<string, string> }> = [{ name: 'default (word-count)', vars: {} }, { name: 'the flagship', vars: { TOPOLOGY: 'home-feed/topology.yaml' } }];

describe('what deploy/docker-compose.yaml runs (from the container\'s point of view)', () => {
  for (const run of runs) {
    it(`processors find ${run.name} with the files next to it, and it validates there`, () => {
      for (const name of ['processor-0', 'processor-1']) {
        const service = services[name];
        const file = interpolate(service.command![1], run.vars);
        const view = containerView(service, run.vars);
        const { host, mount } = hostPath(view, file);
        assert.ok(fs.existsSync(host), `${name}: ${file} → ${host} does not exist`);
        // A topology refers to files by relative path (operators, schemas) and its operators import
        // Tributary's modules by relative path: those resolve alike only where /app mirrors the repository.
        assert.equal(path.relative(repoRoot, mount.host), path.posix.relative('/app', mount.container), `${name}: ${mount.container} is not the repository's ${path.relative(repoRoot, mount.host)}`);
        const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, interpolate(String(v), run.vars)]));
        const { topology, problems } = withEnv(env, () => loadTopology(host));
        assert.deepEqual(problems.map(formatProblem), [], `${name}: ${file}`);
        assert.ok(topology);
      }
    });
  }

  it('creates the source topics of both topologies, with 6 partitions', () => {
    const init = services['kafka-init'];
    const topics = interpolate(init.environment!.TOPICS).split(/\s+/);
    assert.equal(interpolate(String(init.environment!.PARTITIONS)), '6');
    for (const run of runs) {
      const service = services['processor-0'];
      const { host } = hostPath(containerView(service, run.vars), interpolate(service.command![1], run.vars));
      const { topology } = loadTopology(host);
      // A source the topology writes itself through a sink (the flagship's pin features, filling a
      // global store) is created by the app at start-up, as its sinks are.
      const written = new Set(Object.values(topology!.sinks).map((sink) => sink.topic));
      for (const source of Object.values(topology!.sources)) {
        if (written.has(source.topic)) continue;
        assert.ok(topics.includes(source.topic), `${run.name}: source topic ${source.topic} not created by kafka-init (${topics.join(' ')})`);
      }
    }
  });

  it('sends traces to a trace backend of the stack, not only to a debug exporter', () => {
    const col = readYaml('compose/otel-collector.yaml') as { exporters: Record<string, { endpoint?: string }>; service: { pipelines: Record<string, { exporters: string[] }> } };
    const exporters = col.service.pipelines.traces.exporters.filter((e) => !e.startsWith('debug'));
    assert.ok(exporters.length > 0, 'traces go only to the debug exporter');
    for (const e of exporters) {
      const host = /^(?:https?:\/\/)?([^:/]+)/.exec(col.exporters[e].endpoint ?? '')?.[1];
      assert.ok(host && services[host], `trace exporter ${e} points at ${col.exporters[e].endpoint}, not a compose service`);
    }
  });

  it('publishes the scoring workers\' metrics under the names the dashboard queries', () => {
    // The workers push over OTLP; the collector's Prometheus exporter names them. Its rule: the
    // unit becomes a suffix (ms → _milliseconds, s → _seconds) unless add_metric_suffixes is
    // false or a processor of the metrics pipeline cleared the unit; counters end in _total.
    const col = readYaml('compose/otel-collector.yaml') as {
      processors: Record<string, { metric_statements?: Array<{ statements: string[] }> }>;
      exporters: Record<string, { add_metric_suffixes?: boolean }>;
      service: { pipelines: Record<string, { processors: string[]; exporters: string[] }> };
    };
    const metrics = col.service.pipelines.metrics;
    const exporter = col.exporters[metrics.exporters.find((e) => e.startsWith('prometheus'))!];
    const unitsCleared = metrics.processors.some((p) => (col.processors[p]?.metric_statements ?? []).some((s) => s.statements.some((t) => /^set\((metric\.)?unit, ""\)$/.test(t.trim()))));
    const suffixes = exporter.add_metric_suffixes !== false;
    const unitSuffix: Record<string, string> = { ms: '_milliseconds', s: '_seconds', By: '_bytes' };
    const collectorName = (name: string, kind: InstrumentKind, unit: string): string => {
      const base = name.replace(/[^a-zA-Z0-9_:]/g, '_') + (suffixes && !unitsCleared ? unitSuffix[unit] ?? '' : '');
      return kind === 'counter' && suffixes ? `${base}_total` : base;
    };
    const source = fs.readFileSync(path.join(repoRoot, 'runtime', 'scoring', 'internal', 'scoring-metrics.ts'), 'utf8');
    const instruments = [...source.matchAll(/create(Histogram|Counter|ObservableGauge)\('([^']+)',\s*\{([^}]*)\}/g)]
      .map((m) => ({ name: m[2], kind: (m[1] === 'ObservableGauge' ? 'gauge' : m[1].toLowerCase()) as InstrumentKind, unit: /unit:\s*'([^']*)'/.exec(m[3])?.[1] ?? '' }));
    assert.ok(instruments.some((i) => i.name === 'tributary.scoring.batch.duration' && i.unit === 'ms'), JSON.stringify(instruments));
    const dashboard = fs.readFileSync(path.join(deployDir, 'grafana', 'dashboards', 'tributary.json'), 'utf8');
    let checked = 0;
    for (const i of instruments) {
      const ours = prometheusName(i.name, i.kind);
      const published = collectorName(i.name, i.kind, i.unit);
      const series = i.kind === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => published + s) : [published];
      for (const queried of dashboard.match(new RegExp(`\\b${ours}(_milliseconds|_seconds|_bytes)?(_bucket|_sum|_count|_total)?\\b`, 'g')) ?? []) {
        assert.ok(series.includes(queried), `the dashboard queries ${queried}; the collector publishes ${i.name} (unit '${i.unit}') as ${series.join(', ')}`);
        checked++;
      }
    }
    assert.ok(checked > 0, 'no dashboard query of a worker metric was checked');
  });
});

describe('deploy/Dockerfile', () => {
  it('builds on Node 22 or later (Node 20 reached end of life on 2026-04-30)', () => {
    const image = /^ARG NODE_IMAGE=node:(\d+)/m.exec(dockerfile);
    assert.ok(image, 'NODE_IMAGE is a node image');
    assert.ok(Number(image[1]) >= 22, `Node ${image[1]}`);
  });

  it('copies every folder the TypeScript build compiles', () => {
    const tsconfig = JSON.parse(fs.readFileSync(path.join(repoRoot, 'tsconfig.json'), 'utf8')) as { include: string[] };
    for (const folder of tsconfig.include) assert.match(dockerfile, new RegExp(`^COPY ${folder} \\./${folder}\\s*$`, 'm'), `deploy/Dockerfile does not copy ${folder}/ (tsc would fail)`);
  });

  it('runs exactly the install scripts package.json\'s allowScripts allows, and none of onnxruntime-node\'s in the CPU build', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    const allowed = Object.entries(pkg.allowScripts).filter(([, on]) => on).map(([name]) => name).sort();
    const install = /^RUN npm ci --ignore-scripts && npm rebuild ([^\n]+)$/m.exec(dockerfile);
    assert.ok(install, 'the build stage installs with --ignore-scripts, then rebuilds the allowed packages');
    assert.deepEqual(install[1].trim().split(/\s+/).sort(), allowed);
    for (const [name, on] of Object.entries(pkg.allowScripts)) if (!on) assert.ok(!allowed.includes(name));
    // The deprecated variable is gone; the GPU stage asks for the CUDA files with the current flag.
    assert.doesNotMatch(dockerfile, /ONNXRUNTIME_NODE_INSTALL_CUDA=/);
    const gpu = dockerfile.slice(dockerfile.indexOf('AS build-gpu'), dockerfile.indexOf('AS processor'));
    assert.match(gpu, /node script\/install --onnxruntime-node-install=cuda12/);
    assert.ok(fs.existsSync(path.join(repoRoot, 'node_modules', 'onnxruntime-node', 'script', 'install.js')), 'the script the GPU stage runs exists');
  });
});
