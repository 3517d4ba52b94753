import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deployDir, repoRoot } from './deploy-files';
import { metricNames, prometheusName, rocksdbMetricNames, runtimeMetricNames, type InstrumentKind } from '../../../runtime/telemetry/metric-names';
import { metricDoc, nameTables } from '../../../runtime/cli/metrics-page';

type Panel = { id: number; type: string; title: string; datasource?: { uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: Array<{ expr: string }> };
const dashboard = JSON.parse(fs.readFileSync(path.join(deployDir, 'grafana', 'dashboards', 'tributary.json'), 'utf8')) as { uid: string; title: string; panels: Panel[] };

// Each metric's kind as its TSDoc in metric-names.ts states it (the same source docs/metrics.md is generated from).
const documented = nameTables(fs.readFileSync(path.join(repoRoot, 'runtime', 'telemetry', 'metric-names.ts'), 'utf8'))
  .filter((e) => e.table !== 'attributeNames').map(metricDoc);
const kindOf = new Map<string, InstrumentKind>(documented.map((m) => [m.name, m.kind]));

/** Every series name the engine can expose, histogram series included. */
function knownSeries(): Set<string> {
  const known = new Set<string>();
  const add = (name: string, kind: InstrumentKind) => {
    const base = prometheusName(name, kind);
    if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) known.add(base + s);
    else known.add(base);
  };
  for (const [name, kind] of kindOf) add(name, kind);
  // The scoring pool's own instruments (runtime/scoring/internal/scoring-metrics.ts).
  add('tributary.scoring.batch.rows', 'histogram');
  add('tributary.scoring.batch.duration', 'histogram');
  return known;
}

describe('deploy/grafana/dashboards/tributary.json', () => {
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  it('queries only metrics Tributary exports', () => {
    const known = knownSeries();
    for (const { panel, expr } of exprs) {
      const used = expr.match(/\b(?:tributary|messaging|nodejs|v8js)_[a-z0-9_]+\b/g) ?? [];
      assert.ok(used.length > 0, `${panel}: no Tributary metric in ${expr}`);
      for (const name of used) {
        // Label names (tributary_step_id, ...) appear inside by (...) and {{...}}; only series names are checked.
        if (new RegExp(`(by|without) \\([^)]*\\b${name}\\b`).test(expr)) continue;
        if (new RegExp(`\\{[^}]*\\b${name}\\s*(=|!=|=~|!~)`).test(expr)) continue; // a label matcher
        assert.ok(known.has(name), `${panel}: unknown series ${name}`);
      }
    }
  });

  it('covers throughput, lag, latency, scoring, state and errors — every engine metric is on a panel', () => {
    const all = exprs.map((e) => e.expr).join('\n');
    for (const name of [...Object.values(metricNames), ...Object.values(rocksdbMetricNames), ...Object.values(runtimeMetricNames)]) {
      if (name === metricNames.restoreDuration) continue; // a per-restore event, shown in logs; restore progress is on the State row
      assert.ok(all.includes(prometheusName(name, kindOf.get(name)!)), `no panel for ${name}`);
    }
    const rows = dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title);
    assert.deepEqual(rows, ['Throughput', 'Lag and latency', 'Commits and rebalances', 'Scoring', 'State', 'Errors and tasks', 'Kafka client', 'Runtime', 'RocksDB']);
  });

  it('has unique panel ids, the provisioned datasource and panels that do not overlap', () => {
    assert.equal(dashboard.uid, 'tributary');
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      if (p.type !== 'row') assert.equal(p.datasource?.uid, 'prometheus', p.title);
      assert.ok(p.gridPos.x + p.gridPos.w <= 24, `${p.title} wider than the grid`);
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          assert.ok(!cells.has(`${x},${y}`), `${p.title} overlaps another panel at ${x},${y}`);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});
