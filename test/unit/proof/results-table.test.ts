import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { frameConfluent, unframeConfluent } from '../../helpers/confluent-frame';
import { machineInfo } from '../../helpers/machine-info';
import { writeResultsSection } from '../../helpers/results-file';
import { formatResultsTable } from '../../helpers/results-table';

describe('bench harness helpers', () => {
  it('formats a Markdown table with numbers right-aligned and gaps as dashes', () => {
    const text = formatResultsTable(['system', 'records/s'], [{ system: 'kafka-streams', 'records/s': 12345 }, { system: 'tributary', 'records/s': null }]);
    assert.equal(text, [
      '| system        | records/s |',
      '| ------------- | --------: |',
      '| kafka-streams |    12,345 |',
      '| tributary     |         - |',
    ].join('\n'));
  });

  it('frames and unframes the Confluent wire format', () => {
    const framed = frameConfluent(258, Buffer.from([1, 2, 3]));
    assert.deepEqual([...framed], [0, 0, 0, 1, 2, 1, 2, 3]);
    const { schemaId, body } = unframeConfluent(framed);
    assert.equal(schemaId, 258);
    assert.deepEqual([...body], [1, 2, 3]);
    assert.throws(() => unframeConfluent(Buffer.from([1, 0, 0, 0, 1])), /Confluent wire format/);
    assert.throws(() => unframeConfluent(Buffer.from([0, 0])), /Confluent wire format/);
  });

  it('keeps other sections when writing one section of results.json', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'results-')), 'results.json');
    const machine = machineInfo();
    writeResultsSection('a', { machine, rows: [{ x: 1 }] }, file);
    writeResultsSection('b', { machine, rows: [{ y: 2 }] }, file);
    writeResultsSection('a', { machine, rows: [{ x: 3 }] }, file);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.deepEqual(Object.keys(doc.sections).sort(), ['a', 'b']);
    assert.deepEqual(doc.sections.a.rows, [{ x: 3 }]);
    assert.equal(doc.sections.b.machine.cores, machine.cores);
    assert.match(machine.java, /version|not found/);
  });
});
