import { strict as assert } from 'node:assert';
import { formatDeliveryReport, verifyDelivery } from '../../faults/delivery-verifier';

describe('verifyDelivery', () => {
  it('prints ALL-RECORDS-DELIVERED when every expected output arrived once', () => {
    const r = verifyDelivery({ guarantee: 'exactly_once', expected: ['a#1', 'a#2', 'b#1'], observed: ['b#1', 'a#1', 'a#2'] });
    assert.equal(r.ok, true);
    assert.deepEqual([r.missing, r.duplicated, r.unexpected, r.recordsOut], [0, 0, 0, 3]);
    assert.match(formatDeliveryReport(r), /\nALL-RECORDS-DELIVERED$/);
  });

  it('names what is missing', () => {
    const r = verifyDelivery({ guarantee: 'at_least_once', expected: ['a#1', 'a#2', 'b#1'], observed: ['a#1'] });
    assert.equal(r.ok, false);
    assert.equal(r.missing, 2);
    assert.deepEqual(r.examples.missing, ['a#2', 'b#1']);
    const text = formatDeliveryReport(r);
    assert.match(text, /lost: 2/);
    assert.match(text, /NOT-ALL-RECORDS-DELIVERED: missing 2: a#2, b#1/);
    assert.doesNotMatch(text, /^ALL-RECORDS-DELIVERED$/m);
  });

  it('fails duplicates under exactly-once and allows them under at-least-once', () => {
    const evidence = { expected: ['a#1', 'b#1'], observed: ['a#1', 'a#1', 'b#1'] };
    const eos = verifyDelivery({ ...evidence, guarantee: 'exactly_once' });
    assert.equal(eos.ok, false);
    assert.equal(eos.duplicated, 1);
    assert.deepEqual(eos.examples.duplicated, ['a#1 ×2']);
    assert.match(formatDeliveryReport(eos), /NOT-ALL-RECORDS-DELIVERED: duplicated 1: a#1 ×2/);
    const alos = verifyDelivery({ ...evidence, guarantee: 'at_least_once' });
    assert.equal(alos.ok, true);
    assert.equal(alos.duplicated, 1);
    assert.match(formatDeliveryReport(alos), /duplicated: 1 \(allowed under at-least-once\)\nunexpected: 0.*\nDLQ'd: 0 \(poison injected 0\)\nALL-RECORDS-DELIVERED$/);
  });

  it('counts an output expected twice as delivered only when seen twice', () => {
    const r = verifyDelivery({ guarantee: 'exactly_once', expected: ['x', 'x'], observed: ['x'] });
    assert.equal(r.missing, 1);
    assert.equal(r.ok, false);
  });

  it('fails unexpected outputs under exactly-once only', () => {
    const evidence = { expected: ['a#1'], observed: ['a#1', 'a#2'] };
    assert.equal(verifyDelivery({ ...evidence, guarantee: 'exactly_once' }).ok, false);
    const alos = verifyDelivery({ ...evidence, guarantee: 'at_least_once' });
    assert.equal(alos.ok, true);
    assert.equal(alos.unexpected, 1);
  });

  it('checks the dead-letter topic against the poison injected', () => {
    const good = verifyDelivery({ guarantee: 'exactly_once', expected: [], observed: [], expectedDlq: ['poison-9', 'poison-19'], observedDlq: ['poison-19', 'poison-9'] });
    assert.equal(good.ok, true);
    assert.equal(good.dlqd, 2);
    assert.match(formatDeliveryReport(good), /DLQ'd: 2 \(poison injected 2\)/);
    const lost = verifyDelivery({ guarantee: 'at_least_once', expected: [], observed: [], expectedDlq: ['poison-9', 'poison-19'], observedDlq: ['poison-9'] });
    assert.equal(lost.ok, false);
    assert.equal(lost.dlqMissing, 1);
    assert.match(formatDeliveryReport(lost), /missing from the DLQ 1: poison-19/);
    const stray = verifyDelivery({ guarantee: 'at_least_once', expected: [], observed: [], expectedDlq: [], observedDlq: ['poison-3'] });
    assert.equal(stray.ok, false);
    assert.equal(stray.dlqUnexpected, 1);
  });

  it('limits examples to five', () => {
    const expected = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const r = verifyDelivery({ guarantee: 'exactly_once', expected, observed: [] });
    assert.equal(r.missing, 50);
    assert.equal(r.examples.missing.length, 5);
  });
});
