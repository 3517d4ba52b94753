import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { docPages, repoRoot } from '../../../runtime/cli/doc-pages';
import { metricDoc, metricsPage, nameTables } from '../../../runtime/cli/metrics-page';
import { metricNames, storeMetricNames } from '../../../runtime/telemetry/metric-names';

const metricSource = readFileSync(path.join(repoRoot, 'runtime', 'telemetry', 'metric-names.ts'), 'utf8');

describe('generated docs pages', () => {
  for (const page of docPages()) {
    it(`docs/${page.file} is what the code generates`, () => {
      const file = path.join(repoRoot, 'docs', page.file);
      let checkedIn: string;
      try {
        checkedIn = readFileSync(file, 'utf8');
      } catch {
        assert.fail(`docs/${page.file} is missing: run \`npm run docs\``);
      }
      assert.ok(checkedIn === page.text, `docs/${page.file} differs from what the code generates: run \`npm run docs\` and commit the result`);
    });
  }

  it('documents every metric with its kind, read from the TSDoc of metric-names.ts', () => {
    const entries = nameTables(metricSource);
    const documented = (table: string) => entries.filter((e) => e.table === table).map((e) => metricDoc(e).name).sort();
    assert.deepEqual(documented('metricNames'), Object.values(metricNames).sort());
    assert.deepEqual(documented('storeMetricNames'), Object.values(storeMetricNames).sort());
  });

  it('names the Prometheus series as the exporter does', () => {
    const page = metricsPage(metricSource);
    assert.match(page, /\| `messaging\.client\.consumed\.messages` \| `messaging_client_consumed_messages_total` \| counter \|/);
    assert.match(page, /\| `tributary\.step\.duration` \| `tributary_step_duration` \| histogram \| s \|/);
    assert.match(page, /\| `tributary\.store\.disk\.size` \| `tributary_store_disk_size` \| gauge \| By \|/);
  });

  it('refuses a metric whose TSDoc does not say its kind', () => {
    const [entry] = nameTables("export const metricNames = {\n  /** Records seen. */\n  seen: 'x.seen',\n} as const;");
    assert.throws(() => metricDoc(entry), /metricNames\.seen \(x\.seen\): its TSDoc must start with 'Counter:'/);
  });
});
